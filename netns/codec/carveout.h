/* What an address range given to --allow never opens: the addresses that
 * reach this machine rather than the network.
 *
 * The network stack (slirp4netns or pasta) makes the sandbox's connections
 * from this machine's own network namespace, so a connection to one of this
 * machine's addresses reaches its services, as 10.0.2.2 reaches its
 * loopback.  `--allow 10.0.0.0/8` or `--allow 0.0.0.0/1` means "hosts out
 * there", never those: the firewall refuses them before it looks at any
 * allowed range, unless the user names the exact address (--allow
 * 192.168.1.5).  10.0.2.0/24, the network stack's own network, is refused
 * even then: only --allow-host-port opens 10.0.2.2's ports.  The DNS gate
 * removes these addresses from answers as well. */
#ifndef CLBOX_NETNS_CARVEOUT_H
#define CLBOX_NETNS_CARVEOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netns/codec/allowlist.h"

struct carveout {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix_len;
    bool host;  /* one of this machine's interface addresses */
    bool fixed; /* not opened by an exact --allow either */
    const char *why;
};

struct carveouts {
    struct carveout *items;
    size_t n;
};

/* The ranges that are the same on every machine: unspecified, loopback,
 * link-local, the network stack's network. */
void carveouts_add_fixed(struct carveouts *list);
/* One of this machine's addresses; skipped if an entry holds it already. */
void carveouts_add_host(struct carveouts *list, int family, const uint8_t *addr);
/* This machine's interface addresses (getifaddrs).  Returns 0, or -1 with
 * the reason. */
int carveouts_add_interfaces(struct carveouts *list, struct error *err);
void carveouts_free(struct carveouts *list);

/* Whether the literal rule `rule` (ALLOW_ADDRESS) would open part of `c`
 * but for the carve-out: the two overlap, and the rule does not name an
 * exact address that lifts it. */
bool carveout_cuts(const struct carveout *c, const struct allow_rule *rule);
/* The rule names one exact address (/32, /128). */
bool allow_rule_is_exact(const struct allow_rule *rule);
/* Whether addr is one of this machine's addresses on the list. */
bool carveouts_has_host(const struct carveouts *list, int family, const uint8_t *addr);
/* "127.0.0.0/8", or "198.51.100.2" for a single address. */
void carveout_format(const struct carveout *c, char *out, size_t outlen);

#endif
