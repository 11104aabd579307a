#ifndef CLBOX_PLAN_LOG_H
#define CLBOX_PLAN_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "plan/plan_core.h"

/* Opens plan->log_file into plan->log_fd without following a link a
 * sandbox could have planted (with check_only, checks and opens nothing). */
int plan_open_log(struct plan *plan, bool check_only, struct error *err);

#endif
