/* The launcher's part of the network: the network stack (slirp4netns or
 * pasta) and the DNS gate,
 * started while init builds the sandbox, both ending with the launcher. */
#ifndef CLBOX_NET_LAUNCH_H
#define CLBOX_NET_LAUNCH_H

#include <sys/types.h>

#include "netns/stack/netstack.h"
#include "plan/plan_core.h"

struct net_session {
    struct netstack stack;
    pid_t gate;
};

/* Returns 0 once the network is up and init was told to go on, or -1
 * after printing why it could not be. */
int net_launch(const struct plan *plan, pid_t init, int channel, struct net_session *net);
void net_release(struct net_session *net);

#endif
