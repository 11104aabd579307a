/* Where a relayed connection goes: the destination the sandbox asked for
 * (the firewall's REDIRECT keeps it in conntrack), which of those the relay
 * never connects to whatever the policy says, and the non-blocking connect
 * from the relay's own network namespace. */
#ifndef CLBOX_NETNS_RELAY_DST_H
#define CLBOX_NETNS_RELAY_DST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The original destination of an accepted, redirected connection: 0, or
 * -errno (ENOENT: the connection was not redirected). */
int relay_original_dst(int fd, struct sockaddr_storage *dst);

/* 1 when dst, where the connection on fd was going, is the relay's own
 * listener, 0 when not, or -errno.  The listener answers at its port on
 * every address of the sandbox's namespace: dst is one of them when it is
 * the address the connection came in on (it was not redirected), the
 * client's own address, or a loopback or unspecified address.  Relaying
 * such a connection would only connect from the relay's side to an address
 * that means something else there, or back to the relay. */
int relay_dst_is_listener(int fd, const struct sockaddr_storage *dst, const struct sockaddr_storage *client);

/* NULL, or why the relay refuses dst itself: a loopback or unspecified
 * address (the relay's own namespace is the user's machine), or the host's
 * alias 10.0.2.2 when no host port was allowed. */
const char *relay_dst_refused(const struct sockaddr_storage *dst, bool host_port);

/* Starts a non-blocking connect to dst (10.0.2.2 as 127.0.0.1 when
 * host_port).  Returns the socket (connected or in progress), or -errno. */
int relay_connect_start(const struct sockaddr_storage *dst, bool host_port);

/* "203.0.113.10:80" or "[2001:db8::1]:443". */
void relay_format_addr(const struct sockaddr_storage *addr, char *buf, size_t len);

#endif
