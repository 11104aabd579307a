#include "netns/relay/relay_dst.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* From <linux/netfilter_ipv4.h> and <linux/netfilter_ipv6/ip6_tables.h>,
 * which do not mix with the C library's headers.  Both are 80. */
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_v4_mapped(const struct sockaddr_storage *addr)
{
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
    return addr->ss_family == AF_INET6 && memcmp(sin6->sin6_addr.s6_addr, v4_mapped_prefix, 12) == 0;
}

int relay_original_dst(int fd, struct sockaddr_storage *dst)
{
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    memset(dst, 0, sizeof *dst);
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
        return -errno;
    /* An IPv4 connection to a dual-stack listener is an IPv4 flow in
     * conntrack: ask the IPv4 table, and get a plain IPv4 address back. */
    bool v4 = local.ss_family == AF_INET || is_v4_mapped(&local);
    len = v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    int r = v4 ? getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, dst, &len)
               : getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, dst, &len);
    if (r < 0)
        return -errno;
    if (dst->ss_family != (v4 ? AF_INET : AF_INET6))
        return -EAFNOSUPPORT;
    return 0;
}

/* An IPv4 address seen through a dual-stack socket as ::ffff:a.b.c.d, as
 * itself; any other address unchanged. */
static struct sockaddr_storage unmapped(const struct sockaddr_storage *addr)
{
    struct sockaddr_storage plain = *addr;
    if (is_v4_mapped(addr)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
        struct sockaddr_in *sin = (struct sockaddr_in *)&plain;
        memset(&plain, 0, sizeof plain);
        sin->sin_family = AF_INET;
        sin->sin_port = sin6->sin6_port;
        memcpy(&sin->sin_addr, sin6->sin6_addr.s6_addr + 12, 4);
    }
    return plain;
}

static unsigned port_of(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)addr)->sin_port);
    if (addr->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    return 0;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)a)->sin6_addr,
                                  &((const struct sockaddr_in6 *)b)->sin6_addr);
    return false;
}

static bool is_loopback_or_unspecified(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr);
        return a >> 24 == 127 || a == 0;
    }
    if (addr->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a);
    }
    return false;
}

int relay_dst_is_listener(int fd, const struct sockaddr_storage *dst, const struct sockaddr_storage *client)
{
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    memset(&local, 0, sizeof local);
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
        return -errno;
    local = unmapped(&local);
    struct sockaddr_storage to = unmapped(dst), from = unmapped(client);
    if (port_of(&to) != port_of(&local))
        return 0;
    return same_host(&to, &local) || same_host(&to, &from) || is_loopback_or_unspecified(&to);
}

static bool is_host_alias(const struct sockaddr_storage *dst)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *)dst;
    return dst->ss_family == AF_INET && sin->sin_addr.s_addr == htonl(0x0a000202); /* 10.0.2.2 */
}

const char *relay_dst_refused(const struct sockaddr_storage *dst, bool host_port)
{
    if (dst->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)dst)->sin_addr.s_addr);
        if (a >> 24 == 127 || a == 0)
            return "a loopback or unspecified address is the user's own machine";
        if (is_host_alias(dst) && !host_port)
            return "10.0.2.2 is the user's machine, and this port of it is not allowed";
        return NULL;
    }
    if (dst->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)dst)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_V4MAPPED(a))
            return "a loopback, unspecified or IPv4-mapped address is not relayed";
        return NULL;
    }
    return "not an IP address";
}

int relay_connect_start(const struct sockaddr_storage *dst, bool host_port)
{
    struct sockaddr_storage to = *dst;
    if (host_port && is_host_alias(dst))
        ((struct sockaddr_in *)&to)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    socklen_t len = to.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (connect(fd, (struct sockaddr *)&to, len) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

void relay_format_addr(const struct sockaddr_storage *addr, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (addr->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
    } else if (addr->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
    } else {
        snprintf(buf, len, "(family %d)", addr->ss_family);
    }
}
