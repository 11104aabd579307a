/* The exit audit of git dirs: what in them the session wrote that would
 * make a later git on the host run code, and how it is disarmed.
 *
 * git takes code from a git dir's config (and config.worktree) and hooks,
 * and from the directory that a pointer names: commondir in a git dir, the
 * .git file of a linked worktree or a submodule.  A directory holding HEAD
 * and objects/ and refs/ (or a commondir) is itself a repository to git.
 * What changed during
 * the session is disarmed so that it does not run, and nothing of the
 * user's is lost:
 *   - a new hook is left in place, not executable (chmod +x undoes it);
 *   - a planted pointer (commondir, .git file), a config that sets a key
 *     git runs as a command (or that clbox cannot read as git would), and
 *     the HEAD of a look-alike repository are renamed to NAME.clbox-disarmed,
 *     a name git never reads: their content stays for the user to read, and
 *     one mv undoes it.  A config is set aside whole rather than edited: a
 *     rewrite could lose or change what else it holds (remotes, branches),
 *     and the user is told that those are in the set-aside copy;
 *   - a gitdir file (worktrees/NAME/gitdir, git's way back to a worktree)
 *     is reported only: git takes no code through it, and without it
 *     `git worktree prune` would delete the worktree's admin dir;
 *   - in the directory a planted pointer names, which may be anywhere (one
 *     of the user's own repositories), nothing is touched, only reported:
 *     with the pointer set aside, git no longer goes there.
 * Every name read from the tree is printed through str_printable(); no
 * link is followed but the ones git itself follows: the directory a
 * pointer names. */
#include "audit/audit_git.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_steps.h"
#include "audit/gitconfig.h"
#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/gitdir.h"

/* Pointers followed from pointers, submodules inside submodules: git's
 * own nesting is shallow, and a planted chain must end. */
enum { GIT_DIR_MAX_DEPTH = 5, GIT_SUBDIRS_MAX = 256 };
/* A config larger than this is not read: it is treated as hostile. */
enum { CONFIG_READ_MAX = 1 << 20 };

/* Reads the whole regular file dir/name (no link followed) into a buffer,
 * or says why not in why. */
static char *read_config_file(int dir, const char *name, size_t *len, struct error *why)
{
    autoclose int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd < 0)
            error_errno(why, errno, "cannot be read as a file (%m): clbox treats it as hostile");
        else
            error_set(why, "cannot be read as a file (not a regular file): clbox treats it as hostile");
        return NULL;
    }
    if (st.st_size > CONFIG_READ_MAX) {
        error_set(why, "is too large to read (%lld bytes, over %d): clbox treats it as hostile",
                  (long long)st.st_size, CONFIG_READ_MAX);
        return NULL;
    }
    char *text = xmalloc(CONFIG_READ_MAX + 1);
    size_t used = 0;
    for (ssize_t n; used <= CONFIG_READ_MAX && (n = read(fd, text + used, CONFIG_READ_MAX + 1 - used)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error_errno(why, errno, "cannot be read (%m): clbox treats it as hostile");
            free(text);
            return NULL;
        }
        used += (size_t)n;
    }
    if (used > CONFIG_READ_MAX) { /* it grew while read */
        error_set(why, "is too large to read (over %d bytes): clbox treats it as hostile", CONFIG_READ_MAX);
        free(text);
        return NULL;
    }
    *len = used;
    return text;
}

/* Does the config dir/name make git run a command?  Yes too when it cannot
 * be read whole or parsed as git would: what clbox cannot read, it cannot
 * vouch for.  The reason, for the user, in why. */
static bool config_runs_commands(int dir, const char *name, struct error *why)
{
    size_t len = 0;
    autofree char *text = read_config_file(dir, name, &len, why);
    if (!text)
        return true;
    struct gitconfig_findings found;
    gitconfig_find_commands(text, len, &found);
    char names[4 * 160];
    if (found.n_commands)
        error_set(why, "sets what git runs as a command (%s)",
                  gitconfig_describe(&found, names, sizeof names));
    else if (found.unreadable)
        error_set(why, "is not written as git reads a config (line %d): clbox treats it as hostile",
                  found.bad_line);
    return found.n_commands || found.unreadable;
}

/* A config or config.worktree of a git dir. */
static void audit_git_config(int git_fd, const char *name, const char *git_dir, const struct timespec *since)
{
    struct stat st;
    if (!audit_stat_at(git_fd, name, &st) || !audit_changed(&st, since))
        return;
    warnx_clbox("%s %s %s/%s, which runs code outside the sandbox when you work there: read it before you "
                "trust it", audit_actor(), audit_what_was_done(git_fd, name, since), git_dir, name);
    struct error why = {0};
    if (!config_runs_commands(git_fd, name, &why))
        return;
    warnx_clbox("  %s/%s %s%s", git_dir, name, why.text,
                audit_is_report_only() ? "" : "; the rest of it (remotes, branches) is set aside with it");
    audit_set_aside(git_fd, name, git_dir);
}

/* The name, for the user, of the directory a pointer in dir names. */
static void pointed_name(const char *dir_shown, const char *path, char *shown, size_t shownlen)
{
    char printable[4 * PATH_MAX + 1];
    str_printable(path, printable, sizeof printable);
    snprintf(shown, shownlen, "%s%s%s", path[0] == '/' ? "" : dir_shown, path[0] == '/' ? "" : "/", printable);
}

/* The directory a pointer in dir names, as git finds it (relative to dir,
 * links followed: git follows them), audited as a git dir; only reported
 * when the pointer was planted (it is set aside instead). */
static void audit_pointed_dir(int dir, const char *path, const char *shown, const struct timespec *since, int depth,
                              bool planted)
{
    autoclose int target = openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (target < 0 || depth >= GIT_DIR_MAX_DEPTH)
        return;
    bool was = audit_report_only(audit_is_report_only() || planted);
    audit_git_dir(target, shown, since, depth + 1);
    audit_report_only(was);
}

/* Is git_fd the admin dir of a linked worktree, MAIN/worktrees/NAME? Then
 * git's own commondir there reads "../..". */
static bool is_worktree_admin_dir(int git_fd)
{
    autoclose int parent = openat(git_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    autoclose int main_dir = parent < 0 ? -1 : openat(parent, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat p, w;
    return main_dir >= 0 && fstat(parent, &p) == 0 && fstatat(main_dir, "worktrees", &w, AT_SYMLINK_NOFOLLOW) == 0 &&
           p.st_dev == w.st_dev && p.st_ino == w.st_ino && git_dir_has_own_store(main_dir);
}

/* Without its commondir a linked worktree is no repository: put back what
 * git writes there. */
static void restore_worktree_commondir(int git_fd, const char *git_dir)
{
    autoclose int fd = openat(git_fd, "commondir", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 && write_all(fd, "../..\n", 6) == 0)
        warnx_clbox("  and wrote %s/commondir again as git writes it (../..), so the worktree keeps working", git_dir);
}

/* commondir: git takes config, hooks, objects and refs from the directory
 * it names.  One written during the session is planted. */
static void audit_commondir(int git_fd, const char *git_dir, const struct timespec *since, int depth)
{
    struct stat st;
    if (!audit_stat_at(git_fd, "commondir", &st) || !audit_changed(&st, since))
        return;
    char path[PATH_MAX], shown[4 * PATH_MAX + 64] = "(unreadable)";
    bool readable = git_read_pointer(git_fd, "commondir", "", path, sizeof path);
    if (readable)
        pointed_name(git_dir, path, shown, sizeof shown);
    warnx_clbox("%s wrote %s/commondir, which points git at another directory (%s) to take its config and "
                "hooks from", audit_actor(), git_dir, shown);
    if (audit_set_aside(git_fd, "commondir", git_dir) == 0 && is_worktree_admin_dir(git_fd))
        restore_worktree_commondir(git_fd, git_dir);
    if (readable)
        audit_pointed_dir(git_fd, path, shown, since, depth, true);
}

static void audit_subdirs(int git_fd, const char *sub, const char *git_dir, const struct timespec *since, int depth)
{
    autoclose int fd = openat(git_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 || depth >= GIT_DIR_MAX_DEPTH ? NULL : fdopendir(dup(fd));
    int left = GIT_SUBDIRS_MAX;
    for (struct dirent *e; d && left-- > 0 && (e = readdir(d));) {
        char name[4 * NAME_MAX + 1];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        autoclose int one = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (one < 0)
            continue;
        autofree char *shown = xasprintf("%s/%s/%s", git_dir, sub, str_printable(e->d_name, name, sizeof name));
        audit_git_dir(one, shown, since, depth + 1);
    }
    if (d)
        closedir(d);
}

/* Git dirs already audited in this audit: one reached both from the walk
 * and through a pointer is reported once. */
static struct {
    dev_t dev;
    ino_t ino;
} seen[GIT_SUBDIRS_MAX];
static size_t n_seen;

void audit_git_forget_seen(void) { n_seen = 0; }

static bool seen_before(int git_fd)
{
    struct stat st;
    if (fstat(git_fd, &st) < 0)
        return false;
    for (size_t i = 0; i < n_seen; i++)
        if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino)
            return true;
    if (n_seen < GIT_SUBDIRS_MAX)
        seen[n_seen++] = (__typeof__(seen[0])){.dev = st.st_dev, .ino = st.st_ino};
    return false;
}

void audit_git_dir(int git_fd, const char *git_dir, const struct timespec *since, int depth)
{
    struct stat st;
    /* A dir only reported (a planted pointer's) may still be disarmed when
     * reached by the walk. */
    if (!audit_is_report_only() && seen_before(git_fd))
        return;
    audit_git_config(git_fd, "config", git_dir, since);
    audit_git_config(git_fd, "config.worktree", git_dir, since);
    if (audit_stat_at(git_fd, "hooks", &st) && S_ISLNK(st.st_mode) && audit_changed(&st, since)) {
        warnx_clbox("%s made %s/hooks a symbolic link: git would run what it points to", audit_actor(), git_dir);
        audit_set_aside(git_fd, "hooks", git_dir);
    }
    audit_disarm_hooks(git_fd, git_dir, since);
    audit_commondir(git_fd, git_dir, since, depth);
    if (audit_stat_at(git_fd, "gitdir", &st) && audit_changed(&st, since))
        warnx_clbox("%s wrote %s/gitdir (git's way back to a linked worktree; git takes no code through it, "
                    "and it is left in place): check it names the worktree you made", audit_actor(), git_dir);
    audit_subdirs(git_fd, "worktrees", git_dir, since, depth);
    audit_subdirs(git_fd, "modules", git_dir, since, depth);
}

void audit_dotgit(int dir, const char *dir_shown, const struct timespec *since)
{
    struct stat st;
    if (!audit_stat_at(dir, ".git", &st))
        return;
    autofree char *dotgit = xasprintf("%s/.git", dir_shown);
    if (S_ISDIR(st.st_mode)) {
        autoclose int git_fd = openat(dir, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (git_fd >= 0)
            audit_git_dir(git_fd, dotgit, since, 0);
        return;
    }
    /* A file "gitdir: PATH" (a linked worktree, a submodule), or a link. */
    char path[PATH_MAX], shown[4 * PATH_MAX + 64] = "(unreadable)";
    bool planted = audit_changed(&st, since);
    bool readable = S_ISREG(st.st_mode) && git_read_pointer(dir, ".git", "gitdir: ", path, sizeof path);
    if (readable)
        pointed_name(dir_shown, path, shown, sizeof shown);
    if (planted) {
        warnx_clbox("%s wrote %s, which points git at another directory (%s) to take its config and hooks from",
                    audit_actor(), dotgit, S_ISLNK(st.st_mode) ? "a symbolic link" : shown);
        audit_set_aside(dir, ".git", dir_shown);
    }
    if (readable)
        audit_pointed_dir(dir, path, shown, since, 0, planted);
}

void audit_lookalike(int dir, const char *dir_shown, const struct timespec *since)
{
    struct stat head;
    bool new_head = audit_stat_at(dir, "HEAD", &head) && audit_changed(&head, since);
    if (new_head)
        warnx_clbox("%s made %s a git repository (HEAD, with objects/ and refs/ or a commondir): git run there obeys "
                    "its config and hooks", audit_actor(), dir_shown);
    audit_git_dir(dir, dir_shown, since, 0);
    if (new_head)
        audit_set_aside(dir, "HEAD", dir_shown);
}
