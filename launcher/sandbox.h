#ifndef CLBOX_SANDBOX_H
#define CLBOX_SANDBOX_H

#include "plan.h"

/* Creates the namespaces, runs the plan's command inside, and returns the
 * exit status clbox should exit with. */
int sandbox_run(const struct plan *plan);

#endif
