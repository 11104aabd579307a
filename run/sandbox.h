#ifndef CLBOX_SANDBOX_H
#define CLBOX_SANDBOX_H

#include "plan/plan_core.h"

/* Work of the launcher's that need not be done before the sandbox is
 * built: called once its init runs (and, with a network, once the stack is
 * up), while the sandbox is built and the command starts. */
struct sandbox_alongside {
    void (*run)(void *arg);
    void *arg;
};

/* Creates the namespaces, runs the plan's command inside, and returns the
 * exit status clbox should exit with.  alongside may be NULL. */
int sandbox_run(const struct plan *plan, const struct sandbox_alongside *alongside);

#endif
