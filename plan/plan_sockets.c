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
#include "plan/plan_sockets.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/plan_core.h"
#include "plan/plan_nested.h"
#include "plan/treewalk.h"

/* More covered sockets than this is refused. */
enum { SOCKET_MAX_COVERED = 1024 };

struct socket_walk {
    struct plan *plan;
    const struct strv *roots; /* every view walked: each is walked on its own */
    size_t covered;           /* over all views */
};

/* In the project, the same walk finds what git would be sent elsewhere
 * by or take for a repository (plan_nested.c): one walk, not two, at every
 * start. */
static void nested_dir(struct treewalk *tw, int dir_fd, int depth, bool has_head)
{
    (void)depth;
    plan_nested_dir(((struct socket_walk *)tw->ctx)->plan, dir_fd, tw->path, has_head);
}

static void nested_dotgit(struct treewalk *tw, int dir_fd, const struct stat *st)
{
    (void)dir_fd;
    plan_nested_dotgit(((struct socket_walk *)tw->ctx)->plan, tw->path, st);
}

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

/* A view of its own is walked on its own. */
static bool is_root(struct treewalk *tw, const char *path)
{
    const struct socket_walk *w = tw->ctx;
    for (size_t i = 0; i < w->roots->len; i++)
        if (strcmp(w->roots->items[i], path) == 0)
            return true;
    return false;
}

static void cover_socket(struct treewalk *tw, int dir_fd, const char *name)
{
    (void)dir_fd;
    struct socket_walk *w = tw->ctx;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", tw->path, name) >= sizeof path || bound_on_purpose(w->plan, path))
        return;
    if (++w->covered <= SOCKET_MAX_COVERED)
        plan_add(w->plan, MOUNT_HIDE, path, NULL, 0, "host socket");
}

static void walk_view(const char *root, bool protect_nested, struct socket_walk *w)
{
    static const struct treewalk_visitor sockets = {.socket = cover_socket, .skip = is_root, .into_git_dirs = true};
    static const struct treewalk_visitor sockets_and_git = {
        .socket = cover_socket, .skip = is_root, .into_git_dirs = true, .dir = nested_dir, .dotgit = nested_dotgit};
    static struct treewalk tw; /* PATH_MAX bytes: not on the stack */
    const struct treewalk_visitor *visit =
        protect_nested && strcmp(root, w->plan->project) == 0 ? &sockets_and_git : &sockets;
    if (!treewalk_run(&tw, root, visit, w)) /* a file shown on its own, or gone: nothing to walk */
        return;
    if (tw.too_deep)
        verbose("looked for host sockets in %s only %d levels down: a socket deeper stays reachable inside", root,
                TREEWALK_MAX_DEPTH);
    if (tw.out_of_dirs)
        verbose("looked for host sockets in the first %d directories of %s only: a socket in the others stays "
                "reachable inside", TREEWALK_MAX_DIRS, root);
    if (tw.out_of_entries)
        verbose("looked for host sockets among the first %d entries of %s only: a socket beyond them stays "
                "reachable inside", TREEWALK_MAX_ENTRIES, root);
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

int plan_walk_views(struct plan *plan, bool protect_nested, struct error *err)
{
    struct strv roots = {0};
    collect_views(plan, &roots);
    struct socket_walk w = {.plan = plan, .roots = &roots};
    int r = 0;
    for (size_t i = 0; i < roots.len && r == 0; i++) {
        walk_view(roots.items[i], protect_nested, &w);
        if (w.covered > SOCKET_MAX_COVERED)
            r = error_set(err, "the sandbox's views hold more than %d sockets (the last counted in %s): host "
                          "programs could be listening on them, and clbox covers at most %d; remove the stale ones, "
                          "or name a narrower view", SOCKET_MAX_COVERED, roots.items[i], SOCKET_MAX_COVERED);
    }
    strv_free(&roots);
    return r;
}
