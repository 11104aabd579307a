/* The sandbox's nftables ruleset, loaded by the sandbox's init into its own
 * network namespace while it still holds CAP_NET_ADMIN there (the command
 * never does).  Everything leaving the sandbox is dropped except loopback,
 * replies, the host ports the user opened, addresses the user allowed
 * literally, and addresses in the allow sets that the DNS gate fills as
 * allowlisted names resolve; what reaches this machine (carveout.h) is
 * refused before any allowed range and any of those sets.  What is refused is logged to a netlink log
 * group (for the blocked-connection report) and rejected at once (a TCP
 * reset, else ICMP admin-prohibited), so a client fails fast instead of
 * timing out. */
#ifndef CLBOX_NETNS_NFT_H
#define CLBOX_NETNS_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netns/codec/allowlist.h"
#include "netns/codec/carveout.h"

#define NFT_TABLE "clbox"
#define NFT_SET_ALLOW4 "allow4"        /* ipv4_addr, with timeouts */
#define NFT_SET_ALLOW4_PORT "allow4p"  /* ipv4_addr . inet_service, with timeouts */
#define NFT_SET_ALLOW6 "allow6"
#define NFT_SET_ALLOW6_PORT "allow6p"
#define NFT_SET_CARVE4 "carve4"        /* ipv4_addr intervals: refused before any allowed range */
#define NFT_SET_CARVE6 "carve6"
#define NFT_LOG_GROUP 7373
#define NFT_GATE_ADDR "127.0.0.53"

/* The slirp4netns network, and its gateway, where the host's loopback
 * appears. */
#define SLIRP_NET "10.0.2.0/24"
#define SLIRP_HOST_ADDR "10.0.2.2"

struct nft_policy {
    const struct allowlist *allowlist; /* its ALLOW_ADDRESS rules become static rules */
    const struct carveouts *carveouts; /* refused after exact addresses, before ranges */
    const uint16_t *host_ports;
    size_t n_host_ports;
};

/* The ruleset as nft(8) text (written to out; NUL-terminated).  Returns
 * its length, or -1 if it does not fit. */
int nft_ruleset_text(const struct nft_policy *policy, char *out, size_t outlen);
/* Opens libnftables, once.  The sandbox's init calls it first thing, before
 * it builds the sandbox's filesystem, so that nothing is loaded from the
 * sandbox's view of it.  Returns 0, or -1 with the reason. */
int nft_load(struct error *err);
/* Loads the ruleset into the current network namespace (opening
 * libnftables first if nft_load() was not called). */
int nft_install(const struct nft_policy *policy, struct error *err);

#endif
