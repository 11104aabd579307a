/* The exit audit of git dirs: what git takes code from. */
#ifndef CLBOX_AUDIT_GIT_H
#define CLBOX_AUDIT_GIT_H

#include <time.h>

/* A git dir (shown as git_dir): its config, config.worktree, hooks,
 * commondir and the directory it names, worktrees/ and modules/. */
void audit_git_dir(int git_fd, const char *git_dir, const struct timespec *since, int depth);
/* Starts a new audit: every git dir is audited again. */
void audit_git_forget_seen(void);
/* dir/.git (dir shown as `dir_shown`): a git dir, or a file or link that
 * sends git elsewhere. */
void audit_dotgit(int dir, const char *dir_shown, const struct timespec *since);
/* A directory that is not a .git but holds HEAD and objects/ and refs/ (or
 * a commondir): git takes it for a bare repository and obeys its config
 * and hooks. */
void audit_lookalike(int dir, const char *dir_shown, const struct timespec *since);

#endif
