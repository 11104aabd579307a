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

#include "audit/audit_config_dir.h"
#include "audit/audit_git.h"
#include "audit/audit_pending.h"
#include "audit/audit_steps.h"
#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/gitdir.h"
#include "plan/host.h"
#include "plan/treewalk.h"

/* Files that make something run when the user works in the project (the
 * git dir's own are audit_git.c's). */
static const char *const watched_files[] = {
    ".envrc", ".mcp.json", ".claude/settings.json", ".claude/settings.local.json", ".vscode/tasks.json",
    ".vscode/settings.json",
};

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
    struct error err = {0};
    *snap = (struct audit_snapshot){.project_fd = -1, .pending = {.dir_fd = -1}};
    /* Without a record (the user let the command change such files), a
     * state dir that is missing or refused has no record to replay. */
    int pending_dir = audit_pending_dir(host, plan, record, &err);
    if (pending_dir < 0 && record)
        die_error(&err);
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
