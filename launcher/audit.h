#ifndef CLBOX_AUDIT_H
#define CLBOX_AUDIT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "plan.h"

struct audit_snapshot {
    int project_fd;
    struct timespec started; /* CLOCK_REALTIME_COARSE, the clock of file times */
};

/* Before the sandbox starts: what of the project could run code later. */
void audit_take(const struct plan *plan, struct audit_snapshot *snap);
/* After it has ended: says what is new, and disarms new git hooks. */
void audit_report(const struct plan *plan, const struct audit_snapshot *snap);
/* Says what in the project at project_fd (shown as `project`) the sandbox
 * wrote since `since` that runs code outside it, and disarms new hooks. */
void audit_project(int project_fd, const char *project, const struct timespec *since);

#endif
