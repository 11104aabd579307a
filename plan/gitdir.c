#include "plan/gitdir.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

const char *const git_dir_code_entries[] = {"config", "config.worktree", "hooks", "commondir", "gitdir"};
const size_t n_git_dir_code_entries = sizeof git_dir_code_entries / sizeof git_dir_code_entries[0];

static bool entry_is(int dir_fd, const char *name, mode_t type)
{
    struct stat st;
    return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == type;
}

bool git_dir_has_own_store(int dir_fd)
{
    /* git also takes a HEAD that is a symbolic link (an old form). */
    return (entry_is(dir_fd, "HEAD", S_IFREG) || entry_is(dir_fd, "HEAD", S_IFLNK)) &&
           entry_is(dir_fd, "objects", S_IFDIR) && entry_is(dir_fd, "refs", S_IFDIR);
}

bool git_read_pointer(int dir, const char *name, const char *prefix, char *path, size_t pathlen)
{
    autoclose int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    char text[PATH_MAX + 32];
    ssize_t n = fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ? -1 : read(fd, text, sizeof text - 1);
    if (n <= 0)
        return false;
    text[n] = '\0';
    if (!str_has_prefix(text, prefix))
        return false;
    char *given = text + strlen(prefix);
    given[strcspn(given, "\r\n")] = '\0';
    if (!given[0] || strlen(given) >= pathlen)
        return false;
    memcpy(path, given, strlen(given) + 1);
    return true;
}
