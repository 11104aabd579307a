#ifndef CLBOX_AUDIT_H
#define CLBOX_AUDIT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "audit/audit_pending.h"
#include "plan/plan_core.h"

struct audit_snapshot {
    bool active; /* this session is audited at exit */
    int project_fd;
    struct timespec started; /* CLOCK_REALTIME_COARSE, the clock of file times */
    struct audit_pending pending;
};

/* Before the sandbox starts: audits what a session killed before its own
 * audit left in the project, and (with `record`) records this one as
 * pending, to be audited at exit. */
void audit_take(const struct plan *plan, const struct host_facts *host, bool record, struct audit_snapshot *snap);
/* Makes this session's pending record durable (fsync), so that a power
 * loss does not lose it either: done while the sandbox starts, not before.
 * `snap` is a struct audit_snapshot. */
void audit_make_durable(void *snap);
/* After it has ended: says what is new, disarms it, and drops the record
 * (nothing without one). */
void audit_report(const struct plan *plan, struct audit_snapshot *snap);
/* Says what in the project at project_fd (shown as `project`) the sandbox
 * wrote since `since` that runs code outside it, and disarms it. */
void audit_project(int project_fd, const char *project, const struct timespec *since);

#endif
