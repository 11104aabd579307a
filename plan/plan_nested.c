/* Repositories nested in the project (project/sub/.git), worktrees and
 * submodules checked out in it (a .git file), and bare repositories or
 * look-alikes of one (HEAD, objects/, refs/ in any directory, the project's
 * own included): git obeys each when the user works there, so the files
 * through which it is sent elsewhere, and a bare one's config and hooks,
 * are read-only inside where they exist at start.  The config and hooks of
 * a nested git dir stay writable; the exit audit reports what the session
 * wrote there.  They are found by the start's walk of the views
 * (plan_sockets.c), which has the audit's bounds and never goes through a
 * link. */
#include "plan/plan_nested.h"

#include <limits.h>
#include <stdio.h>

#include "plan/gitdir.h"
#include "plan/plan_git.h"
#include "plan/plan_views.h"

/* A ".git" in dir_path, below the project: a git dir, or a file that
 * sends git to one.  A link is left to the exit audit: binding it would
 * follow it. */
void plan_nested_dotgit(struct plan *plan, const char *dir_path, const struct stat *st)
{
    char dotgit[PATH_MAX + 8];
    snprintf(dotgit, sizeof dotgit, "%s/.git", dir_path);
    if (S_ISDIR(st->st_mode))
        plan_protect_git_dir(plan, dotgit, true);
    else if (S_ISREG(st->st_mode))
        plan_protect_file(plan, dotgit, "where git finds its git dir");
}

/* A directory of the project, itself included.  Every start pays for the
 * walk: a directory costs no more than reading it, unless it has a HEAD. */
void plan_nested_dir(struct plan *plan, int dir_fd, const char *path, bool has_head)
{
    if (has_head && git_dir_has_own_store(dir_fd))
        plan_protect_git_dir(plan, path, false);
}
