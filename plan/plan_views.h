#ifndef CLBOX_PLAN_VIEWS_H
#define CLBOX_PLAN_VIEWS_H

#include "plan/plan_core.h"

/* The `why` of every pin, told apart from the views themselves by its
 * address. */
extern const char plan_pin_why[];
/* The writable view (project, config dir, --rw path, git dir) that holds
 * path, or NULL: what lies there an earlier sandbox could have written. */
const char *plan_writable_view_of(const struct plan *plan, const char *path);
/* Binds every directory from the view that holds dir down to dir onto
 * itself, so that none of them can be moved away. */
void plan_pin(struct plan *plan, const char *dir);
/* Makes path read-only inside, with the directories above it pinned. */
void plan_protect_file(struct plan *plan, const char *path, const char *why);
/* The config dir's settings, hooks, commands and agents, read-only. */
void plan_protect_config_dir(struct plan *plan);

#endif
