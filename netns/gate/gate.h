/* The DNS gate: the sandbox's only resolver.  It answers names that are not
 * allowlisted with NXDOMAIN itself (they never leave the machine, so DNS
 * cannot be used as a tunnel), forwards allowlisted ones to the host's
 * resolvers, removes answers that point into the user's machine or
 * network, adds what remains to the firewall's allow sets before the
 * answer is relayed, and reports what the sandbox was refused. */
#ifndef CLBOX_NETNS_GATE_H
#define CLBOX_NETNS_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netns/codec/allowlist.h"
#include "netns/codec/carveout.h"

#define GATE_MAX_UPSTREAMS 3

struct gate_config {
    const struct allowlist *allowlist;
    const struct carveouts *carveouts; /* its host addresses are removed from answers */
    int udp_fd, tcp_fd; /* listening inside the sandbox's network namespace */
    int nft_fd;         /* netfilter netlink, inside the sandbox's namespace */
    int log_fd;         /* the firewall's log of refused packets */
    bool quiet;         /* -q: report nothing on stderr */

    /* Filled by gate_prepare(), on the host. */
    struct sockaddr_storage upstreams[GATE_MAX_UPSTREAMS];
    size_t n_upstreams;
    int log_file_fd; /* --log FILE, opened by the launcher (plan_open_log), or -1 */
};

/* Reads the host's resolvers. */
void gate_prepare(struct gate_config *cfg);
/* Serves until the launcher dies.  Never returns. */
_Noreturn void gate_run(struct gate_config *cfg);
/* In the launcher, once the gate runs: drop what only the gate needs. */
void gate_forget(struct gate_config *cfg);

#endif
