/* Write now, run later: what the sandbox left in the project that would
 * run code outside it.  Protected files that existed at start are read-only
 * inside; this covers those that did not: a new .envrc, agent settings, an
 * MCP server list, editor tasks, and a git dir created inside (git init)
 * with hooks or a config that runs commands.  After the sandbox has ended
 * (so nothing inside can race it), clbox compares the project with what it
 * saw at start, says what is new, and leaves new git hooks not executable
 * until the user has looked at them.  What changed is told by the change
 * time, which a process cannot set: the audit needs no more of the start
 * than its time, so it can also be run later for a session that was
 * killed before its own.
 *
 * Repositories nested in the project (project/sub/.git) are writable
 * inside, and git runs their hooks when the user works in them: clbox
 * looks for them, bounded in depth and count and never through a link, and
 * reports and disarms what the session wrote there, telling it by the
 * change time, which a process cannot set. */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A nested repository deeper than this, or beyond this many directories
 * looked at, is not found: the walk must stay quick on a large project. */
enum { NESTED_MAX_DEPTH = 4, NESTED_MAX_DIRS = 4096, NESTED_MAX_ENTRIES = 100000 };

/* Files that make something run when the user works in the project. */
static const char *const watched_files[] = {
    ".envrc", ".mcp.json", ".claude/settings.json", ".claude/settings.local.json", ".vscode/tasks.json",
    ".vscode/settings.json", ".git/config",
};

/* git config keys whose values are commands git runs. */
static const char *const command_keys[] = {
    "hookspath", "fsmonitor", "sshcommand", "pager", "editor", "askpass", "textconv", "clean =", "smudge",
    "process =", "!",
};

static bool stat_at(int dir, const char *path, struct stat *st) { return fstatat(dir, path, st, AT_SYMLINK_NOFOLLOW) == 0; }

/* Was this changed during the session?  A process can set a file's mtime,
 * but not its ctime, which the kernel takes from the same coarse clock. */
static bool changed_since_time(const struct timespec *t, const struct timespec *since)
{
    return t->tv_sec > since->tv_sec || (t->tv_sec == since->tv_sec && t->tv_nsec >= since->tv_nsec);
}

static bool changed_since(const struct stat *st, const struct timespec *since)
{
    return changed_since_time(&st->st_ctim, since);
}

void audit_take(const struct plan *plan, struct audit_snapshot *snap)
{
    *snap = (struct audit_snapshot){.project_fd = open(plan->project, O_PATH | O_DIRECTORY | O_CLOEXEC)};
    clock_gettime(CLOCK_REALTIME_COARSE, &snap->started);
}

/* Does a new git config set a key whose value git runs as a command? */
static void report_config_commands(int dir_fd, const char *config)
{
    autoclose int fd = openat(dir_fd, config, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    char text[16384];
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (n <= 0)
        return;
    text[n] = '\0';
    for (char *c = text; *c; c++)
        *c = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
    for (size_t i = 0; i < sizeof command_keys / sizeof command_keys[0]; i++)
        if (strstr(text, command_keys[i])) {
            warnx_clbox("  it sets something git runs as a command (%s...): read it before you run git here",
                        command_keys[i]);
            return;
        }
}

/* Makes one hook not executable; a link is reported, not followed. */
static void disarm_hook(int hooks, const char *name, const struct stat *st, const char *git_dir)
{
    char shown[4 * NAME_MAX + 1];
    str_printable(name, shown, sizeof shown);
    if (S_ISLNK(st->st_mode)) {
        warnx_clbox("the sandbox made %s/hooks/%s a symbolic link: remove it unless you meant it", git_dir, shown);
        return;
    }
    autoclose int fd = openat(hooks, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && S_ISREG(st->st_mode) && (st->st_mode & 0111) && fchmod(fd, st->st_mode & ~0111u) == 0)
        warnx_clbox("the sandbox wrote the git hook %s/hooks/%s: it is left not executable until you have "
                    "read it (chmod +x to use it)", git_dir, shown);
    else if (fd >= 0 && S_ISREG(st->st_mode))
        warnx_clbox("the sandbox wrote %s/hooks/%s (not executable)", git_dir, shown);
}

/* Disarms the hooks in git_fd's hooks directory: all of them, or with
 * since, those changed during the session.  git_dir names it for the
 * user, already printable. */
static void disarm_hooks(int git_fd, const char *git_dir, const struct timespec *since)
{
    autoclose int hooks = openat(git_fd, "hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = hooks < 0 ? NULL : fdopendir(dup(hooks));
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat st;
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 7 && strcmp(e->d_name + len - 7, ".sample") == 0) ||
            !stat_at(hooks, e->d_name, &st) || (since && !changed_since(&st, since)))
            continue;
        disarm_hook(hooks, e->d_name, &st, git_dir);
    }
    if (d)
        closedir(d);
}

struct nested_walk {
    const struct timespec *since;
    int dirs_left, entries_left;
    char path[PATH_MAX]; /* of the directory being looked at, printable */
};

/* A nested git dir: its config and hooks, where the session changed them. */
static void audit_nested_git_dir(int git_fd, const char *git_dir, const struct timespec *since)
{
    struct stat st;
    if (stat_at(git_fd, "config", &st) && changed_since(&st, since)) {
        warnx_clbox("the sandbox wrote %s/config, which runs code outside the sandbox when you work there: read it "
                    "before you trust it", git_dir);
        report_config_commands(git_fd, "config");
    }
    if (stat_at(git_fd, "hooks", &st) && S_ISLNK(st.st_mode) && changed_since(&st, since))
        warnx_clbox("the sandbox made %s/hooks a symbolic link: remove it unless you meant it", git_dir);
    disarm_hooks(git_fd, git_dir, since);
}

/* A ".git" found below the project: a git dir, or a file or link that
 * sends git to a git dir elsewhere, whose hooks git would then run. */
static void audit_nested_dotgit(int dir, const struct stat *st, struct nested_walk *w)
{
    char git_dir[PATH_MAX + 8];
    snprintf(git_dir, sizeof git_dir, "%s/.git", w->path);
    if (!S_ISDIR(st->st_mode)) {
        if (changed_since(st, w->since))
            warnx_clbox("the sandbox wrote %s, which points git at another directory: read it before you run git "
                        "there", git_dir);
        return;
    }
    autoclose int git_fd = openat(dir, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (git_fd >= 0)
        audit_nested_git_dir(git_fd, git_dir, w->since);
}

static void walk_nested(int dir, int depth, struct nested_walk *w);

/* Goes into the subdirectory name of dir, extending w->path for it. */
static void walk_into(int dir, const char *name, int depth, struct nested_walk *w)
{
    size_t len = strlen(w->path);
    char shown[4 * NAME_MAX + 1];
    if (w->dirs_left-- <= 0 || len + 1 + strlen(name) >= sizeof w->path)
        return;
    autoclose int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return;
    snprintf(w->path + len, sizeof w->path - len, "/%s", str_printable(name, shown, sizeof shown));
    walk_nested(sub, depth, w);
    w->path[len] = '\0';
}

/* Looks for ".git" in dir and, up to NESTED_MAX_DEPTH, below it; never
 * into a git dir, never through a link. */
static void walk_nested(int dir, int depth, struct nested_walk *w)
{
    DIR *d = fdopendir(dup(dir));
    for (struct dirent *e; d && (e = readdir(d)) && w->entries_left-- > 0;) {
        struct stat st;
        bool dotgit = strcmp(e->d_name, ".git") == 0;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (!dotgit && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || !stat_at(dir, e->d_name, &st))
            continue;
        if (dotgit && depth > 0)
            audit_nested_dotgit(dir, &st, w);
        else if (!dotgit && S_ISDIR(st.st_mode) && depth < NESTED_MAX_DEPTH)
            walk_into(dir, e->d_name, depth + 1, w);
    }
    if (d)
        closedir(d);
}

/* Says whether the session created a watched file or changed one that was
 * there, by its birth time where the file system keeps one. */
static const char *what_the_session_did(int project_fd, const char *name, const struct timespec *since)
{
    struct statx stx;
    if (statx(project_fd, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 || !(stx.stx_mask & STATX_BTIME))
        return "wrote";
    struct timespec born = {.tv_sec = stx.stx_btime.tv_sec, .tv_nsec = stx.stx_btime.tv_nsec};
    return changed_since_time(&born, since) ? "created" : "changed";
}

static void audit_watched_files(int project_fd, const char *project, const struct timespec *since)
{
    for (size_t i = 0; i < sizeof watched_files / sizeof watched_files[0]; i++) {
        struct stat now;
        if (!stat_at(project_fd, watched_files[i], &now) || !changed_since(&now, since))
            continue;
        warnx_clbox("the sandbox %s %s/%s, which runs code outside the sandbox when you work there: read it "
                    "before you trust it", what_the_session_did(project_fd, watched_files[i], since), project,
                    watched_files[i]);
        if (strcmp(watched_files[i], ".git/config") == 0)
            report_config_commands(project_fd, ".git/config");
    }
}

/* Hooks that existed at start were read-only inside, so what changed
 * since is what the session wrote: in a hooks directory it made, or in
 * one that was not there at start. */
static void disarm_top_hooks(int project_fd, const char *project, const struct timespec *since)
{
    autofree char *git_dir = xasprintf("%s/.git", project);
    autoclose int git_fd = openat(project_fd, ".git", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (git_fd >= 0)
        disarm_hooks(git_fd, git_dir, since);
}

static void audit_nested(int project_fd, const char *project, const struct timespec *since)
{
    static struct nested_walk w; /* PATH_MAX bytes: not on the stack */
    w = (struct nested_walk){.since = since, .dirs_left = NESTED_MAX_DIRS, .entries_left = NESTED_MAX_ENTRIES};
    snprintf(w.path, sizeof w.path, "%s", project);
    autoclose int top = openat(project_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top >= 0)
        walk_nested(top, 0, &w);
}

void audit_project(int project_fd, const char *project, const struct timespec *since)
{
    audit_watched_files(project_fd, project, since);
    disarm_top_hooks(project_fd, project, since);
    audit_nested(project_fd, project, since);
}

void audit_report(const struct plan *plan, const struct audit_snapshot *snap)
{
    if (snap->project_fd < 0)
        return;
    audit_project(snap->project_fd, plan->project, &snap->started);
    close(snap->project_fd);
}
