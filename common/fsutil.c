#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"

/* Steps from dir_fd into `name`, or -errno.  A symbolic link is -ELOOP. */
static int step(int dir_fd, const char *name, bool want_dir)
{
    int fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (want_dir ? O_DIRECTORY : 0));
    if (fd >= 0) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
            close(fd);
            return -ELOOP;
        }
        return fd;
    }
    int saved = errno;
    struct stat st;
    if (saved == ENOTDIR && fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return -ELOOP;
    return -saved;
}

/* Walks `path`; with `create`, makes missing directories. */
static int walk(int root_fd, const char *path, bool create, mode_t last_mode, bool last_is_dir)
{
    autoclose int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return -errno;
    autofree char *copy = xstrdup(path);
    char *save = NULL;
    char *name = strtok_r(copy, "/", &save);
    while (name) {
        char *next = strtok_r(NULL, "/", &save);
        bool is_last = next == NULL;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            return -EINVAL; /* plan paths are normalised: never walk up */
        int fd = step(cur, name, !is_last || last_is_dir);
        if (fd == -ENOENT && create && (!is_last || last_is_dir)) {
            if (mkdirat(cur, name, is_last ? last_mode : 0755) < 0 && errno != EEXIST)
                return -errno;
            fd = step(cur, name, true);
        }
        if (fd < 0)
            return fd;
        close(cur);
        cur = fd;
        name = next;
    }
    return steal_fd(&cur);
}

int open_nofollow(int root_fd, const char *path) { return walk(root_fd, path, false, 0, false); }

int mkdir_nofollow(int root_fd, const char *path, mode_t mode) { return walk(root_fd, path, true, mode, true); }

int touch_nofollow(int root_fd, const char *path)
{
    int fd = open_nofollow(root_fd, path);
    if (fd != -ENOENT)
        return fd;
    autofree char *copy = xstrdup(path);
    char *slash = strrchr(copy, '/');
    const char *base = slash + 1;
    *slash = '\0';
    autoclose int dir = mkdir_nofollow(root_fd, copy[0] ? copy : "/", 0755);
    if (dir < 0)
        return dir;
    int created = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (created < 0 && errno != EEXIST)
        return -errno;
    if (created >= 0)
        close(created);
    return step(dir, base, false);
}

const char *fd_path(char *buf, size_t len, const char *proc_prefix, int fd)
{
    snprintf(buf, len, "%s/self/fd/%d", proc_prefix, fd);
    return buf;
}

int mkdir_parents(const char *path, mode_t parents_mode, mode_t final_mode)
{
    autofree char *copy = xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, parents_mode) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(copy, final_mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}
