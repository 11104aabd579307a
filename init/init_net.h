#ifndef CLBOX_INIT_NET_H
#define CLBOX_INIT_NET_H

#include "plan/plan_core.h"

/* With a network: load the firewall, hand the launcher its sockets, and
 * wait until it has slirp4netns and the DNS gate running. */
void init_network(const struct plan *plan, int channel);

#endif
