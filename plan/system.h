/* The system layer: the host's /usr, /etc, /bin and the like, read-only,
 * on a fresh root with its own /dev, /proc, /sys and private /tmp. */
#ifndef CLBOX_PLAN_SYSTEM_H
#define CLBOX_PLAN_SYSTEM_H

#include <stdbool.h>

#include "plan/plan_core.h"

void plan_add_system_layer(struct plan *plan);
/* Does the system layer already show this path? */
bool plan_path_in_system_layer(const char *path);
/* Does a directory that must never be writable hold this path? */
bool plan_path_never_writable(const char *path);
/* Is the path one the system layer shows, or one that must never be
 * writable? */
bool plan_path_is_system(const char *path);

#endif
