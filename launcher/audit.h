#ifndef CLBOX_AUDIT_H
#define CLBOX_AUDIT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "plan.h"

#define AUDIT_MAX_FILES 8

struct audit_snapshot {
    int project_fd;
    bool existed[AUDIT_MAX_FILES];
    struct stat before[AUDIT_MAX_FILES];
    bool hooks_existed;
    struct timespec started; /* CLOCK_REALTIME_COARSE, the clock of file times */
};

/* Before the sandbox starts: what of the project could run code later. */
void audit_take(const struct plan *plan, struct audit_snapshot *snap);
/* After it has ended: says what is new, and disarms new git hooks. */
void audit_report(const struct plan *plan, const struct audit_snapshot *snap);

#endif
