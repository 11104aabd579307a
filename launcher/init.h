#ifndef CLBOX_INIT_H
#define CLBOX_INIT_H

#include "plan.h"

/* Runs as pid 1 in the new namespaces; never returns.  `launcher_alive_fd`
 * is the read end of a pipe whose write end only the launcher holds: a byte
 * there says the user namespace's maps are written;
 * `channel` talks to the launcher (-1 without a network). */
_Noreturn void sandbox_init(const struct plan *plan, int launcher_alive_fd, int channel);
/* With a network: a child of init loads the firewall and hands the
 * launcher its sockets, while init goes on; returns the child. */
pid_t init_network_start(const struct plan *plan, int channel);
/* Waits until that child is done, then until the launcher has the network
 * stack and the DNS gate running.  Exits if either failed (they said why). */
void init_network_finish(pid_t helper, int channel);

#endif
