/* Host programs' sockets in the views.  A pathname socket is reached by
 * its path whatever the namespaces, so a host program listening on one in
 * the project, the config dir, a --rw or a --ro path (connect() needs no
 * write access) would answer a command inside.  Those that exist at start
 * are covered with an empty read-only file, which connect() refuses.  The
 * walk that finds them is bounded, like the audit's, and never goes
 * through a link: a socket deeper or further than the bound, or one a host
 * program creates after the start, stays reachable (said with -v, and in
 * the docs).  A socket clbox binds on purpose (--ssh-agent's, or one named
 * with --ro) is left reachable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plan.h"

/* Deeper than this below a view, or beyond this many directories or
 * entries in one view, no socket is looked for: start-up must stay quick
 * on a large project.  More covered sockets than this is refused. */
enum { SOCKET_MAX_DEPTH = 4, SOCKET_MAX_DIRS = 4096, SOCKET_MAX_ENTRIES = 100000, SOCKET_MAX_COVERED = 1024 };

struct socket_walk {
    struct plan *plan;
    const struct strv *roots; /* every view walked: each is walked on its own */
    int dirs_left, entries_left;
    bool too_deep, out_of_dirs, out_of_entries;
    size_t covered; /* over all views */
    char path[PATH_MAX]; /* of the directory being read */
};

/* Is `path` shown on purpose: the source of a bind, like the agent's? */
static bool bound_on_purpose(const struct plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct mount_entry *m = &plan->mounts[i];
        if ((m->kind == MOUNT_BIND_RO || m->kind == MOUNT_BIND_RW) && strcmp(m->source, path) == 0)
            return true;
    }
    return false;
}

static bool is_root(const struct strv *roots, const char *path)
{
    for (size_t i = 0; i < roots->len; i++)
        if (strcmp(roots->items[i], path) == 0)
            return true;
    return false;
}

static void cover_socket(struct socket_walk *w, const char *name)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", w->path, name) >= sizeof path || bound_on_purpose(w->plan, path))
        return;
    if (++w->covered <= SOCKET_MAX_COVERED)
        plan_add(w->plan, MOUNT_HIDE, path, NULL, 0, "host socket");
}

static void walk_dir(int fd, int depth, struct socket_walk *w);

/* Goes into the subdirectory `name` of dir, unless a bound says no or it
 * is a view of its own. */
static void walk_into(int dir, const char *name, int depth, struct socket_walk *w)
{
    size_t len = strlen(w->path);
    if (depth > SOCKET_MAX_DEPTH) {
        w->too_deep = true;
        return;
    }
    if (w->dirs_left <= 0) {
        w->out_of_dirs = true;
        return;
    }
    if (len + 1 + strlen(name) >= sizeof w->path)
        return;
    snprintf(w->path + len, sizeof w->path - len, "/%s", name);
    int sub = is_root(w->roots, w->path) ? -1 : openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0)
        walk_dir(sub, depth, w);
    w->path[len] = '\0';
}

/* One entry of a directory being read. */
static void walk_entry(int dir, const struct dirent64 *e, int depth, struct socket_walk *w)
{
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        return;
    unsigned char type = e->d_type;
    struct stat st;
    if (type == DT_UNKNOWN && fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        type = S_ISSOCK(st.st_mode) ? DT_SOCK : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
    if (type == DT_SOCK)
        cover_socket(w, e->d_name);
    else if (type == DT_DIR)
        walk_into(dir, e->d_name, depth + 1, w);
}

/* Reads the directory fd (and closes it), covering the sockets in it.
 * getdents64 directly: a readdir() stream costs three more system calls
 * a directory, and a large project has thousands. */
static void walk_dir(int fd, int depth, struct socket_walk *w)
{
    union {
        struct dirent64 first;
        char bytes[16384];
    } buf;
    w->dirs_left--;
    ssize_t n;
    while (!w->out_of_entries && (n = getdents64(fd, buf.bytes, sizeof buf.bytes)) > 0) {
        for (ssize_t at = 0; at < n && !w->out_of_entries;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf.bytes + at);
            at += e->d_reclen;
            if (w->entries_left-- <= 0)
                w->out_of_entries = true;
            else
                walk_entry(fd, e, depth, w);
        }
    }
    close(fd);
}

static void walk_view(const char *root, struct socket_walk *w)
{
    w->dirs_left = SOCKET_MAX_DIRS;
    w->entries_left = SOCKET_MAX_ENTRIES;
    w->too_deep = w->out_of_dirs = w->out_of_entries = false;
    snprintf(w->path, sizeof w->path, "%s", strcmp(root, "/") == 0 ? "" : root);
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) /* a file shown on its own, or gone: nothing to walk */
        return;
    walk_dir(fd, 0, w);
    if (w->too_deep)
        verbose("looked for host sockets in %s only %d levels down: a socket deeper stays reachable inside", root,
                SOCKET_MAX_DEPTH);
    if (w->out_of_dirs)
        verbose("looked for host sockets in the first %d directories of %s only: a socket in the others stays "
                "reachable inside", SOCKET_MAX_DIRS, root);
    if (w->out_of_entries)
        verbose("looked for host sockets among the first %d entries of %s only: a socket beyond them stays "
                "reachable inside", SOCKET_MAX_ENTRIES, root);
}

/* The views a host program's socket could be reached through: those the
 * sandbox can write, and the --ro paths asked for. */
static void collect_views(const struct plan *plan, struct strv *roots)
{
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct mount_entry *m = &plan->mounts[i];
        if (m->kind == MOUNT_BIND_RW || (m->kind == MOUNT_BIND_RO && strcmp(m->why, "--ro") == 0))
            strv_push_dup(roots, m->source);
    }
}

int plan_cover_host_sockets(struct plan *plan, char *err, size_t errlen)
{
    struct strv roots = {0};
    collect_views(plan, &roots);
    static struct socket_walk w; /* PATH_MAX bytes: not on the stack */
    w = (struct socket_walk){.plan = plan, .roots = &roots};
    int r = 0;
    for (size_t i = 0; i < roots.len && r == 0; i++) {
        walk_view(roots.items[i], &w);
        if (w.covered > SOCKET_MAX_COVERED)
            r = set_error(err, errlen, "the sandbox's views hold more than %d sockets (the last counted in %s): host "
                          "programs could be listening on them, and clbox covers at most %d; remove the stale ones, "
                          "or name a narrower view", SOCKET_MAX_COVERED, roots.items[i], SOCKET_MAX_COVERED);
    }
    strv_free(&roots);
    return r;
}
