/* The steps every part of the exit audit takes: telling what changed since
 * the session started, and disarming it (setting it aside, or making a
 * hook not executable), or only reporting it. */
#include "audit/audit_steps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/message.h"
#include "common/util.h"

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
        warnx_clbox("  cannot set %s/%s aside: %m: do not run git there before you have read and removed it",
                    shown_dir, shown);
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
