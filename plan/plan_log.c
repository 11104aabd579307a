/* --log FILE: the DNS gate appends its reports there with the user's
 * rights, so the launcher opens it once, before the sandbox exists, in a
 * way no sandbox can redirect.  An earlier sandbox, or one running beside
 * this one, can write the project, the config dir and every --rw path:
 * there it could have left a link to a file outside, a hard link to one,
 * or a FIFO that would hold the launcher.  So no link is followed as the
 * last component, nor on the way inside a writable view; in a writable
 * view only a file that exists before the run, is regular, has one link
 * and is the user's is taken (clbox cannot tell who made it, but writing
 * there then reaches nothing a sandbox could not reach itself); anywhere,
 * a FIFO or a device is refused. */
#include "plan/plan_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/util.h"
#include "plan/paths.h"

enum { LOG_MAX_LINK_HOPS = 40, SHOWN_MAX = 2048 };

/* The writable view that holds the host path `path`, or NULL. */
static const struct mount_entry *writable_view_of(const struct plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (plan->mounts[i].kind == MOUNT_BIND_RW && path_is_within(path, plan->mounts[i].source))
            return &plan->mounts[i];
    return NULL;
}

/* A directory being resolved: `done` is physical, `todo` is what is left. */
struct resolving {
    char done[PATH_MAX];
    char todo[PATH_MAX];
    int hops;
    const char *log; /* the log's path, printable, for messages */
};

/* Moves the first component of r->todo into name (NAME_MAX + 1 bytes).
 * Returns 1, 0 when none is left, -1 when it is too long. */
static int next_component(struct resolving *r, char *name)
{
    char *p = r->todo + strspn(r->todo, "/");
    size_t len = strcspn(p, "/");
    if (len == 0)
        return 0;
    if (len > NAME_MAX)
        return -1;
    memcpy(name, p, len);
    name[len] = '\0';
    memmove(r->todo, p + len, strlen(p + len) + 1);
    return 1;
}

/* Continues the walk at the target of the link `link`. */
static int follow(struct resolving *r, const char *link, struct error *err)
{
    char target[PATH_MAX], rest[PATH_MAX], shown[SHOWN_MAX];
    str_printable(link, shown, sizeof shown);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0 || ++r->hops > LOG_MAX_LINK_HOPS)
        return error_set(err, "cannot open the log file %s: cannot follow the link %s: %s", r->log, shown,
                         n <= 0 ? strerror(errno) : "too many levels of links");
    target[n] = '\0';
    snprintf(rest, sizeof rest, "%s", r->todo);
    if ((size_t)snprintf(r->todo, sizeof r->todo, "%s/%s", target, rest) >= sizeof r->todo)
        return error_set(err, "cannot open the log file %s: the path is too long once the link %s is followed",
                         r->log, shown);
    if (target[0] == '/')
        r->done[0] = '\0';
    return 0;
}

static int refuse_link_in_view(const char *link, const struct mount_entry *view, struct error *err)
{
    char shown[SHOWN_MAX];
    return error_set(err, "--log: %s is a symbolic link inside %s (%s), which a sandbox can write; clbox "
                     "does not follow links there (name the real path, or put the log outside the project)",
                     str_printable(link, shown, sizeof shown), view->source, view->why);
}

/* One step of the walk: `name` below r->done. */
static int step(struct resolving *r, const struct plan *plan, const char *name, struct error *err)
{
    char candidate[PATH_MAX], shown[SHOWN_MAX];
    if (strcmp(name, ".") == 0)
        return 0;
    if (strcmp(name, "..") == 0) {
        if (r->done[0])
            *strrchr(r->done, '/') = '\0';
        return 0;
    }
    if ((size_t)snprintf(candidate, sizeof candidate, "%s/%s", r->done, name) >= sizeof candidate)
        return error_set(err, "the path of --log is too long");
    struct stat st;
    if (lstat(candidate, &st) < 0)
        return error_errno(err, errno, "cannot open the log file %s: %s: %m (its directory must exist; choose another "
                           "with --log FILE)", r->log, str_printable(candidate, shown, sizeof shown));
    const struct mount_entry *view = writable_view_of(plan, candidate);
    if (S_ISLNK(st.st_mode))
        return view ? refuse_link_in_view(candidate, view, err) : follow(r, candidate, err);
    if (!S_ISDIR(st.st_mode))
        return error_set(err, "cannot open the log file %s: %s is not a directory", r->log,
                         str_printable(candidate, shown, sizeof shown));
    memcpy(r->done, candidate, sizeof candidate);
    return 0;
}

/* The physical directory that `dir` (absolute) names, into `out`. */
static int resolve_dir(const struct plan *plan, const char *dir, const char *log, char *out, struct error *err)
{
    static struct resolving r; /* two PATH_MAX buffers: not on the stack */
    r = (struct resolving){.log = log};
    if ((size_t)snprintf(r.todo, sizeof r.todo, "%s", dir) >= sizeof r.todo)
        return error_set(err, "the path of --log is too long");
    char name[NAME_MAX + 1];
    int more;
    while ((more = next_component(&r, name)) > 0)
        if (step(&r, plan, name, err) < 0)
            return -1;
    if (more < 0)
        return error_set(err, "a name in the path of --log is too long");
    snprintf(out, PATH_MAX, "%s", r.done[0] ? r.done : "/");
    return 0;
}

static const char *kind_of(mode_t mode)
{
    return S_ISLNK(mode)                    ? "a symbolic link, which clbox does not follow for the log"
           : S_ISFIFO(mode)                 ? "a FIFO"
           : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
           : S_ISSOCK(mode)                 ? "a socket"
           : S_ISDIR(mode)                  ? "a directory"
                                            : "no plain file";
}

/* The rules for the file found at the log's path (before it is opened, and
 * again on what was opened): a regular file; in a writable view, with one
 * link and the user's. */
static int check_log_file(const struct stat *st, const char *shown, const struct mount_entry *view, uid_t uid,
                          struct error *err)
{
    if (!S_ISREG(st->st_mode))
        return error_set(err, "--log %s is not a regular file (it is %s); name a plain file", shown,
                         kind_of(st->st_mode));
    if (view && st->st_nlink != 1)
        return error_set(err, "--log %s has %ju hard links and lies in %s (%s), which a sandbox can write: "
                         "it could be a hard link to a file outside; remove it and create it again, or put the log "
                         "outside the project", shown, (uintmax_t)st->st_nlink, view->source, view->why);
    if (view && st->st_uid != uid)
        return error_set(err, "--log %s belongs to uid %u, not to you (uid %u), and lies in %s (%s), which a "
                         "sandbox can write; put the log outside the project", shown, (unsigned)st->st_uid,
                         (unsigned)uid, view->source, view->why);
    return 0;
}

/* Opens what check_log_file() accepted, or creates it outside the views. */
static int open_log_at(int dir_fd, const char *base, const char *shown, const struct mount_entry *view, uid_t uid,
                       struct error *err)
{
    /* O_NONBLOCK: a FIFO swapped in since the check must not hold the
     * launcher; it is refused below. */
    int fd = openat(dir_fd, base, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC |
                    (view ? 0 : O_CREAT), 0600);
    if (fd < 0)
        return error_set(err, "cannot open the log file %s: %s (choose another with --log FILE)", shown,
                         errno == ENXIO ? "it is not a regular file (a FIFO)" : strerror(errno));
    struct stat st;
    int r = fstat(fd, &st) < 0 ? error_errno(err, errno, "cannot stat the log file %s: %m", shown)
                               : check_log_file(&st, shown, view, uid, err);
    if (r == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
        r = error_errno(err, errno, "cannot set up the log file %s: %m", shown);
    if (r < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int plan_open_log(struct plan *plan, bool check_only, struct error *err)
{
    char shown[SHOWN_MAX], dir[PATH_MAX];
    str_printable(plan->log_file, shown, sizeof shown);
    plan->log_fd = -1;
    if (strcmp(plan->log_file, "/") == 0)
        return error_set(err, "--log /: name a file");
    autofree char *parent = path_dirname(plan->log_file);
    const char *base = strrchr(plan->log_file, '/') + 1;
    if (resolve_dir(plan, parent, shown, dir, err) < 0)
        return -1;
    autofree char *physical = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
    const struct mount_entry *view = writable_view_of(plan, physical);
    autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    autoclose int dir_fd = root < 0 ? -errno : open_nofollow(root, dir);
    if (dir_fd < 0)
        return error_errno(err, -dir_fd, "cannot open the directory of the log file %s: %m", shown);
    struct stat st;
    if (fstatat(dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (check_log_file(&st, shown, view, plan->uid, err) < 0)
            return -1;
    } else if (errno != ENOENT) {
        return error_errno(err, errno, "cannot use the log file %s: %m", shown);
    } else if (view) {
        return error_set(err, "--log %s does not exist, and it lies in %s (%s), which a sandbox can write: "
                         "create it first (touch it), or put the log outside the project", shown,
                         view->source, view->why);
    }
    if (check_only)
        return 0;
    plan->log_fd = open_log_at(dir_fd, base, shown, view, plan->uid, err);
    return plan->log_fd < 0 ? -1 : 0;
}
