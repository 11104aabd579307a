#ifndef CLBOX_PLAN_GIT_H
#define CLBOX_PLAN_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "plan/plan_core.h"

/* Shows git dirs that live outside the project, and (with `protect`) makes
 * read-only what would run code later outside the sandbox.  Returns -1
 * with the reason in err when a .git file or a commondir points somewhere
 * that must not be made writable. */
int plan_protect_project(struct plan *plan, bool protect, struct error *err);
/* Makes read-only what in git_dir sends git elsewhere or runs code (with
 * pointers_only, only what sends it elsewhere), in its linked worktrees'
 * git dirs and its submodules' too, and pins it. */
void plan_protect_git_dir(struct plan *plan, const char *git_dir, bool pointers_only);

#endif
