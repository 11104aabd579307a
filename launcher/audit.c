/* Write now, run later: what the sandbox left in the project that would
 * run code outside it.  Protected files that existed at start are read-only
 * inside; this covers those that did not: a new .envrc, agent settings, an
 * MCP server list, editor tasks, and a git dir created inside (git init)
 * with hooks or a config that runs commands.  After the sandbox has ended
 * (so nothing inside can race it), clbox compares the project with what it
 * saw at start, says what is new, and leaves new git hooks not executable
 * until the user has looked at them. */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

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

/* A name the sandbox chose, safe to print: no terminal control bytes. */
static const char *printable(const char *name, char *buf, size_t len)
{
    size_t i = 0;
    for (; name[i] && i + 1 < len; i++)
        buf[i] = ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) ? '?' : name[i];
    buf[i] = '\0';
    return buf;
}

static bool stat_at(int dir, const char *path, struct stat *st) { return fstatat(dir, path, st, AT_SYMLINK_NOFOLLOW) == 0; }

static bool same(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_mode == b->st_mode;
}

void audit_take(const struct plan *plan, struct audit_snapshot *snap)
{
    *snap = (struct audit_snapshot){.project_fd = -1};
    snap->project_fd = open(plan->project, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (snap->project_fd < 0)
        return;
    for (size_t i = 0; i < AUDIT_MAX_FILES && i < sizeof watched_files / sizeof watched_files[0]; i++)
        snap->existed[i] = stat_at(snap->project_fd, watched_files[i], &snap->before[i]);
    struct stat st;
    snap->hooks_existed = stat_at(snap->project_fd, ".git/hooks", &st);
}

/* Does a new git config set a key whose value git runs as a command? */
static void report_config_commands(int project_fd)
{
    autoclose int fd = openat(project_fd, ".git/config", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
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

/* Makes each new hook not executable; a link is reported, not followed. */
static void disarm_new_hooks(const struct audit_snapshot *snap, const char *project)
{
    autoclose int hooks = openat(snap->project_fd, ".git/hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = hooks < 0 ? NULL : fdopendir(dup(hooks));
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat st;
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 7 && strcmp(e->d_name + len - 7, ".sample") == 0) ||
            !stat_at(hooks, e->d_name, &st))
            continue;
        char shown[256];
        printable(e->d_name, shown, sizeof shown);
        if (S_ISLNK(st.st_mode)) {
            warnx_clbox("the sandbox made %s/.git/hooks/%s a symbolic link: remove it unless you meant it", project,
                        shown);
            continue;
        }
        autoclose int fd = openat(hooks, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) && fchmod(fd, st.st_mode & ~0111u) == 0)
            warnx_clbox("the sandbox wrote the git hook %s/.git/hooks/%s: it is left not executable until you have "
                        "read it (chmod +x to use it)", project, shown);
        else if (fd >= 0 && S_ISREG(st.st_mode))
            warnx_clbox("the sandbox wrote %s/.git/hooks/%s (not executable)", project, shown);
    }
    if (d)
        closedir(d);
}

void audit_report(const struct plan *plan, const struct audit_snapshot *snap)
{
    if (snap->project_fd < 0)
        return;
    for (size_t i = 0; i < AUDIT_MAX_FILES && i < sizeof watched_files / sizeof watched_files[0]; i++) {
        struct stat now;
        bool exists = stat_at(snap->project_fd, watched_files[i], &now);
        if (!exists || (snap->existed[i] && same(&snap->before[i], &now)))
            continue;
        warnx_clbox("the sandbox %s %s/%s, which runs code outside the sandbox when you work there: read it "
                    "before you trust it", snap->existed[i] ? "changed" : "created", plan->project, watched_files[i]);
        if (strcmp(watched_files[i], ".git/config") == 0)
            report_config_commands(snap->project_fd);
    }
    /* Hooks that existed at start were read-only inside: only a hooks
     * directory made during the session can hold new ones. */
    if (!snap->hooks_existed)
        disarm_new_hooks(snap, plan->project);
    close(snap->project_fd);
}
