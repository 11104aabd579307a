#ifndef CLBOX_PLAN_PRINT_H
#define CLBOX_PLAN_PRINT_H

#include <stdio.h>

#include "plan/plan_core.h"

void plan_print(const struct plan *plan, FILE *out);
/* At start: each allowed range that leaves out addresses reaching this
 * machine, said on stderr (not with -q). */
void plan_tell_carveouts(const struct plan *plan);

#endif
