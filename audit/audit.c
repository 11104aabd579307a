/* Write now, run later: what the sandbox left that would run code outside
 * it.  Protected files that existed at start are read-only inside; this
 * covers those that did not: a new .envrc, agent settings, an MCP server
 * list, editor tasks, git dirs and what git takes code from (audit_git.c),
 * and the settings and hooks of the config dir (audit_config_dir.c).
 * After the sandbox has ended (so nothing inside can race it), clbox says
 * what the session wrote and disarms what git would run.  What changed is
 * told by the change time, which a process cannot set: the audit needs no
 * more of the start than its time, so it can also be run later for a
 * session that was killed before its own (audit_pending.c).
 *
 * Repositories nested in the project (project/sub/.git), and directories
 * git would take for a bare repository (HEAD, objects/, refs/), the
 * project root included, are looked for bounded in depth and count and
 * never through a link. */
#include "audit/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/message.h"
#include "audit/audit_internal.h"
#include "audit/audit_pending.h"
#include "plan/gitdir.h"
#include "plan/treewalk.h"

/* Files that make something run when the user works in the project (the
 * git dir's own are audit_git.c's). */
static const char *const watched_files[] = {
    ".envrc", ".mcp.json", ".claude/settings.json", ".claude/settings.local.json", ".vscode/tasks.json",
    ".vscode/settings.json",
};

bool audit_stat_at(int dir, const char *path, struct stat *st)
{
    return fstatat(dir, path, st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A process can set a file's mtime, but not its ctime, which the kernel
 * takes from the same coarse clock as the start time. */
static bool changed_since_time(const struct timespec *t, const struct timespec *since)
{
    return t->tv_sec > since->tv_sec || (t->tv_sec == since->tv_sec && t->tv_nsec >= since->tv_nsec);
}

bool audit_changed(const struct stat *st, const struct timespec *since)
{
    return changed_since_time(&st->st_ctim, since);
}

/* Whether the session created the file or changed one that was there, by
 * its birth time where the file system keeps one. */
const char *audit_what_was_done(int dir, const char *name, const struct timespec *since)
{
    struct statx stx;
    if (statx(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 || !(stx.stx_mask & STATX_BTIME))
        return "wrote";
    struct timespec born = {.tv_sec = stx.stx_btime.tv_sec, .tv_nsec = stx.stx_btime.tv_nsec};
    return changed_since_time(&born, since) ? "created" : "changed";
}

/* Who wrote what the audit finds, as its messages say. */
static const char *actor = "the sandbox";

const char *audit_actor(void) { return actor; }
void audit_set_actor(const char *who) { actor = who; }

/* Set while a directory that a planted pointer names is audited. */
static bool report_only;

bool audit_is_report_only(void) { return report_only; }

bool audit_report_only(bool on)
{
    bool was = report_only;
    report_only = on;
    return was;
}

int audit_set_aside(int dir, const char *name, const char *shown_dir)
{
    char aside[NAME_MAX + 1], shown[4 * NAME_MAX + 1];
    str_printable(name, shown, sizeof shown);
    if (report_only) {
        warnx_clbox("  left in place: the pointer that sent git there is set aside");
        return 0;
    }
    int rc = -1;
    /* Never over another file: an earlier one set aside stays too. */
    for (int i = 1; i <= 9 && rc < 0; i++) {
        if (i == 1)
            snprintf(aside, sizeof aside, "%s" AUDIT_ASIDE_SUFFIX, name);
        else
            snprintf(aside, sizeof aside, "%s" AUDIT_ASIDE_SUFFIX ".%d", name, i);
        rc = renameat2(dir, name, dir, aside, RENAME_NOREPLACE);
        if (rc < 0 && errno != EEXIST)
            break;
    }
    if (rc < 0) {
        warnx_clbox("  cannot set %s/%s aside: %s: do not run git there before you have read and removed it",
                    shown_dir, shown, strerror(errno));
        return -1;
    }
    char aside_shown[4 * NAME_MAX + 1];
    str_printable(aside, aside_shown, sizeof aside_shown);
    warnx_clbox("  set aside as %s/%s, a name git does not read; once you have read it and trust it, undo "
                "with: mv %s/%s %s/%s", shown_dir, aside_shown, shown_dir, aside_shown, shown_dir, shown);
    return 0;
}

/* Makes one hook not executable; a link is reported, not followed. */
static void disarm_hook(int hooks, const char *name, const struct stat *st, const char *git_dir)
{
    char shown[4 * NAME_MAX + 1];
    str_printable(name, shown, sizeof shown);
    if (S_ISLNK(st->st_mode)) {
        warnx_clbox("%s made %s/hooks/%s a symbolic link: remove it unless you meant it", audit_actor(), git_dir,
                    shown);
        return;
    }
    autoclose int fd = openat(hooks, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && report_only && S_ISREG(st->st_mode))
        warnx_clbox("%s wrote the git hook %s/hooks/%s: left in place, as the pointer that sent git there is "
                    "set aside", audit_actor(), git_dir, shown);
    else if (fd >= 0 && S_ISREG(st->st_mode) && (st->st_mode & 0111) && fchmod(fd, st->st_mode & ~0111u) == 0)
        warnx_clbox("%s wrote the git hook %s/hooks/%s: it is left not executable until you have "
                    "read it (chmod +x to use it)", audit_actor(), git_dir, shown);
    else if (fd >= 0 && S_ISREG(st->st_mode))
        warnx_clbox("%s wrote %s/hooks/%s (not executable)", audit_actor(), git_dir, shown);
}

void audit_disarm_hooks(int git_fd, const char *git_dir, const struct timespec *since)
{
    autoclose int hooks = openat(git_fd, "hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = hooks < 0 ? NULL : fdopendir(dup(hooks));
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat st;
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 7 && strcmp(e->d_name + len - 7, ".sample") == 0) ||
            !audit_stat_at(hooks, e->d_name, &st) || (since && !audit_changed(&st, since)))
            continue;
        disarm_hook(hooks, e->d_name, &st, git_dir);
    }
    if (d)
        closedir(d);
}

/* What git takes for a repository when run in dir: a store of its own, or
 * a HEAD with a commondir naming a store elsewhere. */
static bool looks_like_git_dir(int dir)
{
    struct stat st;
    return git_dir_has_own_store(dir) || (audit_stat_at(dir, "HEAD", &st) && audit_stat_at(dir, "commondir", &st));
}

struct audit_walk {
    const struct timespec *since;
};

static void audit_walked_dir(struct treewalk *w, int dir_fd, int depth, bool has_head)
{
    (void)depth;
    char shown[4 * PATH_MAX + 1];
    if (has_head && looks_like_git_dir(dir_fd))
        audit_lookalike(dir_fd, str_printable(w->path, shown, sizeof shown), ((struct audit_walk *)w->ctx)->since);
}

static void audit_walked_dotgit(struct treewalk *w, int dir_fd, const struct stat *st)
{
    (void)st;
    char shown[4 * PATH_MAX + 1];
    audit_dotgit(dir_fd, str_printable(w->path, shown, sizeof shown), ((struct audit_walk *)w->ctx)->since);
}

static void audit_watched_files(int project_fd, const char *project, const struct timespec *since)
{
    for (size_t i = 0; i < sizeof watched_files / sizeof watched_files[0]; i++) {
        struct stat now;
        if (!audit_stat_at(project_fd, watched_files[i], &now) || !audit_changed(&now, since))
            continue;
        warnx_clbox("%s %s %s/%s, which runs code outside the sandbox when you work there: read it before you "
                    "trust it", audit_actor(), audit_what_was_done(project_fd, watched_files[i], since), project,
                    watched_files[i]);
    }
}

/* Repositories nested in the project and look-alikes of one, the project
 * root included. */
static void audit_nested(int project_fd, const char *project, const struct timespec *since)
{
    static const struct treewalk_visitor visit = {.dir = audit_walked_dir, .dotgit = audit_walked_dotgit};
    static struct treewalk w; /* PATH_MAX bytes: not on the stack */
    struct audit_walk ctx = {.since = since};
    int top = openat(project_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top >= 0)
        treewalk_run_fd(&w, top, project, &visit, &ctx);
}

void audit_project(int project_fd, const char *project, const struct timespec *since)
{
    char shown[4 * PATH_MAX + 1];
    str_printable(project, shown, sizeof shown);
    audit_git_forget_seen();
    audit_watched_files(project_fd, shown, since);
    audit_dotgit(project_fd, shown, since);
    audit_nested(project_fd, project, since);
}

void audit_take(const struct plan *plan, const struct host_facts *host, bool record, struct audit_snapshot *snap)
{
    char err[3 * PATH_MAX];
    *snap = (struct audit_snapshot){.project_fd = -1, .pending = {.dir_fd = -1}};
    /* Without a record (the user let the command change such files), a
     * state dir that is missing or refused has no record to replay. */
    int pending_dir = audit_pending_dir(host, plan, record, err, sizeof err);
    if (pending_dir < 0 && record)
        die("%s", err);
    /* What a session killed before its own audit left is audited first. */
    if (pending_dir >= 0)
        audit_pending_replay(pending_dir, plan->project);
    if (!record) {
        if (pending_dir >= 0)
            close(pending_dir);
        return;
    }
    snap->active = true;
    snap->project_fd = open(plan->project, O_PATH | O_DIRECTORY | O_CLOEXEC);
    clock_gettime(CLOCK_REALTIME_COARSE, &snap->started);
    audit_pending_begin(pending_dir, plan, &snap->started, &snap->pending);
}

void audit_make_durable(void *snap)
{
    struct audit_snapshot *s = snap;
    if (s->active)
        audit_pending_make_durable(&s->pending);
}

void audit_report(const struct plan *plan, struct audit_snapshot *snap)
{
    if (!snap->active)
        return;
    if (snap->project_fd >= 0) {
        audit_project(snap->project_fd, plan->project, &snap->started);
        close(snap->project_fd);
    }
    audit_config_dir(plan->config_dir, &snap->started);
    audit_pending_end(&snap->pending);
}
