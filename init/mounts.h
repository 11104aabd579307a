#ifndef CLBOX_MOUNTS_H
#define CLBOX_MOUNTS_H

#include "plan/plan_core.h"

/* Builds the sandbox's root from the plan and pivots into it.  Runs in the
 * sandbox's init, inside its new user and mount namespaces; dies with a
 * message on any failure. */
void rootfs_build(const struct plan *plan);

#endif
