/* Adding addresses to the sandbox's allow sets from outside its network
 * namespace, through a netfilter netlink socket that the sandbox's init
 * opened inside it and handed over. */
#ifndef CLBOX_NETNS_NFTSET_H
#define CLBOX_NETNS_NFTSET_H

#include <stddef.h>
#include <stdint.h>

struct nftset_entry {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint16_t port;    /* 0: every port (allow4/allow6), else the *p set */
    uint32_t timeout_s;
};

/* Adds the entries (in batches of a bounded size) and waits for the
 * kernel's answers, so a connection made after this returns is allowed.
 * An entry already in a set stays; kernels that support it renew its
 * timeout.  Returns 0 or -errno. */
int nftset_add(int netlink_fd, const struct nftset_entry *entries, size_t n);

#endif
