#ifndef CLBOX_PLAN_NESTED_H
#define CLBOX_PLAN_NESTED_H

#include <stdbool.h>
#include <sys/stat.h>

#include "plan/plan_core.h"

/* What the walk of the project found: a .git in dir_path, and each
 * directory (has_head: it holds a HEAD). */
void plan_nested_dotgit(struct plan *plan, const char *dir_path, const struct stat *st);
void plan_nested_dir(struct plan *plan, int dir_fd, const char *path, bool has_head);

#endif
