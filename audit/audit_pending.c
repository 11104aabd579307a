/* The pending audit record: written before the sandbox starts, dropped once
 * its exit audit ran.  A record left behind, whose launcher no longer holds
 * its lock, is a session that was never audited: the next start in its
 * project (or `clbox audit`) audits it with the recorded start time.  The
 * record is read back as hostile input anyway: bounded, parsed strictly. */
#include "audit/audit_pending.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_config_dir.h"
#include "common/error.h"
#include "common/message.h"
#include "common/fsutil.h"
#include "common/util.h"
#include "plan/host.h"
#include "plan/plan_core.h"

#define RECORD_MAGIC "clbox pending audit 1\n"
enum { RECORD_MAX = 2 * PATH_MAX + 128, RECORDS_MAX = 1000 };

/* The value of "key VALUE\n" at *at, advanced past it; NULL if not so. */
static const char *take_line(const char **at, const char *end, const char *key, char *value, size_t valuelen)
{
    size_t keylen = strlen(key);
    if ((size_t)(end - *at) <= keylen + 1 || memcmp(*at, key, keylen) != 0 || (*at)[keylen] != ' ')
        return NULL;
    const char *start = *at + keylen + 1, *nl = memchr(start, '\n', (size_t)(end - start));
    if (!nl || nl == start || (size_t)(nl - start) >= valuelen || memchr(start, '\0', (size_t)(nl - start)))
        return NULL;
    memcpy(value, start, (size_t)(nl - start));
    value[nl - start] = '\0';
    *at = nl + 1;
    return value;
}

static bool parse_number(const char *s, long long max, long long *out)
{
    long long v = 0;
    if (!*s || (s[0] == '0' && s[1]))
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

/* "SECONDS.NANOSECONDS", nine digits after the point. */
static bool parse_time(char *s, struct timespec *t)
{
    char *dot = strchr(s, '.');
    long long sec, nsec = 0;
    if (!dot || strlen(dot + 1) != 9)
        return false;
    *dot = '\0';
    for (const char *d = dot + 1; *d; d++) {
        if (*d < '0' || *d > '9')
            return false;
        nsec = nsec * 10 + (*d - '0');
    }
    if (!parse_number(s, (long long)1 << 40, &sec))
        return false;
    *t = (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = (long)nsec};
    return true;
}

int audit_pending_parse(const char *text, size_t len, struct pending_record *rec)
{
    const char *at = text, *end = text + len;
    char pid[32], started[64];
    long long pid_value;
    *rec = (struct pending_record){0};
    if (len > RECORD_MAX || len < strlen(RECORD_MAGIC) || memcmp(text, RECORD_MAGIC, strlen(RECORD_MAGIC)) != 0)
        return -1;
    at += strlen(RECORD_MAGIC);
    if (!take_line(&at, end, "pid", pid, sizeof pid) || !parse_number(pid, 1 << 30, &pid_value) || pid_value < 1 ||
        !take_line(&at, end, "started", started, sizeof started) || !parse_time(started, &rec->started) ||
        !take_line(&at, end, "project", rec->project, sizeof rec->project) || rec->project[0] != '/' ||
        !take_line(&at, end, "config", rec->config_dir, sizeof rec->config_dir) || rec->config_dir[0] != '/' ||
        at != end)
        return -1;
    rec->pid = (long)pid_value;
    return 0;
}

char *audit_pending_format(const struct pending_record *rec)
{
    return xasprintf(RECORD_MAGIC "pid %ld\nstarted %lld.%09ld\nproject %s\nconfig %s\n", rec->pid,
                     (long long)rec->started.tv_sec, (long)rec->started.tv_nsec, rec->project, rec->config_dir);
}


/* Opens a directory that must be the user's own, and makes it private. */
static int open_private_dir(int at, const char *path, struct error *err)
{
    int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        error_errno(err, errno, "cannot open %s, where clbox records a pending audit: %m (set XDG_STATE_HOME to a "
                    "directory of yours)", path);
    } else if (st.st_uid != getuid()) {
        error_set(err, "%s, where clbox records a pending audit, belongs to uid %u, not to you (set "
                  "XDG_STATE_HOME to a directory of yours)", path, (unsigned)st.st_uid);
    } else if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
        error_errno(err, errno, "cannot make %s private: %m", path);
    } else {
        return fd;
    }
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Is the state dir somewhere the sandbox can write?  Then the name of it. */
static const char *writable_inside(const char *state, const struct plan *plan)
{
    if (path_is_within(state, plan->project))
        return plan->project;
    if (path_is_within(state, plan->config_dir))
        return plan->config_dir;
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (plan->mounts[i].kind == MOUNT_BIND_RW && path_is_within(state, plan->mounts[i].source))
            return plan->mounts[i].source;
    return NULL;
}

int audit_pending_dir(const struct host_facts *host, const struct plan *plan, bool create, struct error *err)
{
    const char *xdg = host_env(host, "XDG_STATE_HOME");
    autofree char *base = xdg && xdg[0] == '/' ? xasprintf("%s/clbox", xdg)
                                               : xasprintf("%s/.local/state/clbox", host->home);
    if (create)
        (void)mkdir_parents(base, 0700, 0700); /* XDG's base directories are the user's alone */
    autofree char *real = realpath(base, NULL);
    if (!real)
        return error_errno(err, errno, "cannot create %s, where clbox records a pending audit: %m (set "
                           "XDG_STATE_HOME to a directory of yours)", base);
    const char *writable = plan ? writable_inside(real, plan) : NULL;
    if (writable)
        return error_set(err, "the state dir %s, where clbox records a pending audit, lies inside %s, which "
                         "the sandbox can write: set XDG_STATE_HOME to a directory outside it", real, writable);
    autoclose int base_fd = open_private_dir(AT_FDCWD, real, err);
    if (base_fd < 0)
        return -1;
    if (create)
        (void)mkdirat(base_fd, "pending", 0700);
    autofree char *pending = xasprintf("%s/pending", real);
    int fd = open_private_dir(base_fd, "pending", err);
    if (fd < 0)
        error_append(err, " [%s]", pending);
    return fd;
}

/* The session of rec was never audited: audit it now. */
static void replay_one(const struct pending_record *rec)
{
    char shown[4 * PATH_MAX + 1];
    str_printable(rec->project, shown, sizeof shown);
    warnx_clbox("the last session in %s ended before its audit (clbox was killed): auditing it now", shown);
    autoclose int project_fd = open(rec->project, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (project_fd >= 0)
        audit_project(project_fd, rec->project, &rec->started);
    else
        warnx_clbox("  cannot open %s: %m (nothing to audit there)", shown);
    audit_config_dir(rec->config_dir, &rec->started);
}

/* Opens the record `name`, a regular file of the user's, and reads it.
 * Returns its fd, or -1 (having said so if it is not as clbox writes them).
 * Records get their name only once written whole: no lock is needed. */
static int open_record(int dir, const char *name, struct pending_record *rec)
{
    autoclose int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid())
        return -1;
    char text[RECORD_MAX + 1], shown[4 * NAME_MAX + 1];
    ssize_t n = read(fd, text, sizeof text);
    if (n >= 0 && n <= RECORD_MAX && audit_pending_parse(text, (size_t)n, rec) == 0)
        return steal_fd(&fd);
    warnx_clbox("ignoring the pending-audit record %s, which is not as clbox writes them: remove it",
                str_printable(name, shown, sizeof shown));
    return -1;
}

/* Takes the record's lock, which is free once its launcher is gone.  The
 * DNS gate a launcher forked shares the lock until PR_SET_PDEATHSIG ends
 * it, a moment after the launcher: with the recorded launcher gone, that
 * moment is waited for (up to 1 s). */
static bool lock_if_launcher_gone(int fd, long pid)
{
    for (int tries = 0; tries < 50; tries++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (tries == 0 && !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
            return false; /* its launcher lives: the session is running */
        usleep(20000);
    }
    return false;
}

/* Still there once locked, so not dropped by another replay meanwhile? */
static bool still_linked(int dir, const char *name, int fd)
{
    struct stat st, now;
    return fstat(fd, &st) == 0 && fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st.st_ino &&
           now.st_dev == st.st_dev;
}

int audit_pending_replay(int pending_dir, const char *project)
{
    DIR *d = fdopendir(dup(pending_dir));
    int replayed = 0, left = RECORDS_MAX;
    for (struct dirent *e; d && left-- > 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and records still being written */
        struct pending_record rec;
        autoclose int fd = open_record(pending_dir, e->d_name, &rec);
        if (fd < 0 || strcmp(rec.project, project) != 0 || !lock_if_launcher_gone(fd, rec.pid) ||
            !still_linked(pending_dir, e->d_name, fd))
            continue;
        replay_one(&rec);
        unlinkat(pending_dir, e->d_name, 0);
        replayed++;
    }
    if (d)
        closedir(d);
    return replayed;
}

void audit_pending_begin(int pending_dir, const struct plan *plan, const struct timespec *started,
                         struct audit_pending *pending)
{
    struct pending_record rec = {.pid = (long)getpid(), .started = *started};
    if (strlen(plan->project) >= sizeof rec.project || strlen(plan->config_dir) >= sizeof rec.config_dir)
        die("cannot record a pending audit: the project's or the config dir's path is too long");
    strcpy(rec.project, plan->project);
    strcpy(rec.config_dir, plan->config_dir);
    autofree char *text = audit_pending_format(&rec);
    *pending = (struct audit_pending){.dir_fd = pending_dir};
    snprintf(pending->name, sizeof pending->name, "%ld-%lld.%09ld", rec.pid, (long long)started->tv_sec,
             (long)started->tv_nsec);
    char being_written[sizeof pending->name + 1];
    snprintf(being_written, sizeof being_written, ".%s", pending->name);
    /* Locked before it gets its name, so that no replay takes it for one
     * whose launcher is gone; the lock goes with this process. */
    pending->record_fd = openat(pending_dir, being_written, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (pending->record_fd < 0 || flock(pending->record_fd, LOCK_EX | LOCK_NB) < 0 ||
        write_all(pending->record_fd, text, strlen(text)) < 0 ||
        renameat(pending_dir, being_written, pending_dir, pending->name) < 0) {
        int saved = errno;
        unlinkat(pending_dir, being_written, 0);
        die_errno(saved,
                  "cannot record the pending audit of this session (%m): without it a killed clbox would leave the "
                  "session unaudited; free some space, or set XDG_STATE_HOME to a directory of yours");
    }
}

/* A SIGKILL needs only the record's name, there before the sandbox starts;
 * a power loss needs it on disk.  The fsync waits for the disk (a
 * millisecond or more), so it runs while the sandbox is built: what the
 * session writes in that moment is no more on disk than the record. */
void audit_pending_make_durable(struct audit_pending *pending)
{
    if (pending->dir_fd < 0)
        return;
    if (fsync(pending->record_fd) < 0 || fsync(pending->dir_fd) < 0)
        warnx_clbox("cannot write this session's pending-audit record to disk (%m): if the machine loses power "
                    "before the session ends, run 'clbox audit' in the project");
}

void audit_pending_end(struct audit_pending *pending)
{
    if (pending->dir_fd < 0)
        return;
    unlinkat(pending->dir_fd, pending->name, 0);
    close(pending->record_fd);
    close(pending->dir_fd);
    pending->dir_fd = -1;
}
