/* Building the plan: the options, resolved against the host, become one
 * struct plan (plan/plan_core.h). */
#ifndef CLBOX_PLAN_H
#define CLBOX_PLAN_H

#include <stddef.h>

#include "common/error.h"
#include "options/cli.h"
#include "plan/host.h"
#include "plan/plan_core.h"

/* Resolve options against the host.  Returns 0, or -1 with the reason in
 * err.  Creates the config dir if it is missing (the only host change). */
int plan_build(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err);

#endif
