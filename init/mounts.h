#ifndef CLBOX_MOUNTS_H
#define CLBOX_MOUNTS_H

#include <stdbool.h>

#include "plan/plan_core.h"

struct error;

/* What a build works between: every view is reached from these fds
 * without following a link. */
struct mount_build {
    int old_root;     /* the host's "/" */
    int new_root;     /* the sandbox's "/" */
    const char *proc; /* where a proc mount is reached, for /proc/self/fd paths */
    bool legacy;      /* the kernel lacks open_tree/mount_setattr (< 5.12) */
};

/* Makes one entry of the plan below b->new_root.  Returns 0, or -1 with err
 * saying what could not be made and why. */
int mounts_apply(struct mount_build *b, const struct mount_entry *m, struct error *err);

/* Builds the sandbox's root from the plan and pivots into it.  Runs in the
 * sandbox's init, inside its new user and mount namespaces.  Returns 0, or
 * -1 with err set: the sandbox cannot be built as asked. */
int rootfs_build(const struct plan *plan, struct error *err);

#endif
