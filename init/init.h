#ifndef CLBOX_INIT_H
#define CLBOX_INIT_H

#include "plan/plan_core.h"

/* Runs as pid 1 in the new namespaces; never returns.  `launcher_alive_fd`
 * is the read end of a pipe whose write end only the launcher holds: a byte
 * there says the user namespace's maps are written;
 * `channel` talks to the launcher (-1 without a network or a pty). */
_Noreturn void sandbox_init(const struct plan *plan, int launcher_alive_fd, int channel);

#endif
