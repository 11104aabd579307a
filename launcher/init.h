#ifndef CLBOX_INIT_H
#define CLBOX_INIT_H

#include "plan.h"

/* Runs as pid 1 in the new namespaces; never returns.  `launcher_alive_fd`
 * is the read end of a pipe whose write end only the launcher holds. */
_Noreturn void sandbox_init(const struct plan *plan, int launcher_alive_fd);

#endif
