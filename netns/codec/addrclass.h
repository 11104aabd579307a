/* Which addresses an allowlisted name may resolve to.
 *
 * The DNS gate drops answers pointing into the user's machine or network
 * (DNS rebinding: a hostile domain answering 127.0.0.1 or 192.168.1.1 would
 * otherwise turn the allowlist into a door to the LAN). addr_classify() says
 * why an address is off limits; the CIDR helpers read and match the user's
 * explicit exceptions. Pure functions, no I/O. */
#ifndef CLBOX_NETNS_ADDRCLASS_H
#define CLBOX_NETNS_ADDRCLASS_H

#include <stdbool.h>
#include <stdint.h>

/* Why an address must not be reachable through an allowlisted name;
 * ADDR_PUBLIC if there is no reason. */
enum addr_class {
    ADDR_PUBLIC,
    ADDR_UNSPECIFIED, /* 0.0.0.0/8, :: */
    ADDR_LOOPBACK,    /* 127/8, ::1 */
    ADDR_LINK_LOCAL,  /* 169.254/16 (cloud metadata), fe80::/10 */
    ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    ADDR_BROADCAST,   /* 255.255.255.255 */
    ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, 64:ff9b:1::/48 */
    ADDR_SHARED_CGNAT,/* 100.64/10 */
    ADDR_RESERVED,    /* 240/4, 192.0.0/24, 198.18/15, fec0::/10, 100::/64, 2001:2::/48, outside 2000::/3 */
    ADDR_SLIRP,       /* 10.0.2/24: slirp4netns's network, where 10.0.2.2 is the host */
};

/* family is AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes).
 * IPv6 addresses that carry an IPv4 address the host may route to (mapped
 * ::ffff:0:0/96, compatible ::/96, SIIT ::ffff:0:0:0/96, NAT64 64:ff9b::/96,
 * 6to4 2002::/16, Teredo 2001::/32) are judged by the IPv4 inside.
 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
 * 2001:db8::/32) are ADDR_PUBLIC: tests use them as a fake internet.
 * An unknown family is ADDR_RESERVED. */
enum addr_class addr_classify(int family, const uint8_t *addr);

/* A short phrase for messages, e.g. "loopback (this machine)". */
const char *addr_class_name(enum addr_class c);

/* True if the first prefix_len bits of addr and prefix agree (false for an
 * unknown family or a prefix_len longer than the address). */
bool addr_in_prefix(int family, const uint8_t *addr, const uint8_t *prefix, unsigned prefix_len);

/* Parses "10.1.2.3", "10.1.0.0/16", "2001:db8::1" or "2001:db8::/32" (a
 * bare address is a full-length prefix). The length is decimal without sign
 * or leading zeros. Host bits set beyond the prefix are accepted and cleared,
 * so out always holds the network ("10.1.2.3/16" gives 10.1.0.0/16); bytes of
 * out past the address are zeroed. Returns 0, or -1 if text is not exactly
 * one address with an optional valid length. */
int addr_parse_cidr(const char *text, int *family, uint8_t out[16], unsigned *prefix_len);

#endif
