/* Repositories nested in the project (project/sub/.git), worktrees and
 * submodules checked out in it (a .git file), and bare repositories or
 * look-alikes of one (HEAD, objects/, refs/ in any directory, the project's
 * own included): git obeys each when the user works there, so the files
 * through which it is sent elsewhere, and a bare one's config and hooks,
 * are read-only inside where they exist at start.  The config and hooks of
 * a nested git dir stay writable; the exit audit reports what the session
 * wrote there.  The walk has the audit's bounds and never goes through a
 * link or into a git dir. */
#include <stdio.h>
#include <string.h>

#include "gitdir.h"
#include "plan.h"
#include "treewalk.h"

/* A ".git" below the project: a git dir, or a file that sends git to one.
 * A link is left to the exit audit: binding it would follow it. */
static void protect_nested_dotgit(struct treewalk *w, int dir_fd, const struct stat *st)
{
    (void)dir_fd;
    struct plan *plan = w->ctx;
    char dotgit[PATH_MAX + 8];
    snprintf(dotgit, sizeof dotgit, "%s/.git", w->path);
    if (S_ISDIR(st->st_mode))
        plan_protect_git_dir(plan, dotgit, true);
    else if (S_ISREG(st->st_mode))
        plan_protect_file(plan, dotgit, "where git finds its git dir");
}

/* Every start pays for this walk: a directory costs no more than reading
 * it, unless it has a HEAD. */
static void protect_lookalike(struct treewalk *w, int dir_fd, int depth, bool has_head)
{
    (void)depth;
    if (has_head && git_dir_has_own_store(dir_fd))
        plan_protect_git_dir(w->ctx, w->path, false);
}

void plan_protect_nested(struct plan *plan)
{
    static const struct treewalk_visitor visit = {.dir = protect_lookalike, .dotgit = protect_nested_dotgit};
    static struct treewalk w; /* PATH_MAX bytes: not on the stack */
    treewalk_run(&w, plan->project, &visit, plan);
}
