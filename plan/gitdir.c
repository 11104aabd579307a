#include "plan/gitdir.h"

#include <fcntl.h>
#include <sys/stat.h>

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
