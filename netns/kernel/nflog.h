/* The firewall's log of refused packets (nftables "log group"), read to
 * tell the user what the sandbox tried to reach. */
#ifndef CLBOX_NETNS_NFLOG_H
#define CLBOX_NETNS_NFLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct nflog_packet {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t daddr[16];
    uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ... */
    uint16_t dport;   /* TCP and UDP only */
};

/* Opens a netlink socket subscribed to `group` in the current network
 * namespace (needs CAP_NET_ADMIN there).  Returns the fd or -1. */
int nflog_open(uint16_t group, struct error *err);
/* Parses what one recv() returned; calls `seen` for each packet.  Returns
 * the number of packets, or -1 on a malformed message. */
int nflog_parse(const void *buf, size_t len, void (*seen)(const struct nflog_packet *, void *), void *ctx);

#endif
