/* The addresses allowed ranges leave out (see carveout.h). */
#include "netns/codec/carveout.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/util.h"
#include "netns/codec/addrclass.h"

static const struct {
    const char *range;
    bool fixed;
    const char *why;
} fixed_ranges[] = {
    {"0.0.0.0/8", false, "unspecified: a connection to it reaches this machine"},
    {"127.0.0.0/8", false, "loopback"},
    {"169.254.0.0/16", false, "link-local: this machine's link, where cloud metadata services answer"},
    {"10.0.2.0/24", true,
     "the network stack's network: 10.0.2.2 is this machine's loopback, opened only by --allow-host-port, "
     "10.0.2.3 a DNS forwarder"},
    {"::/128", false, "unspecified"},
    {"::1/128", false, "loopback"},
    {"::ffff:0.0.0.0/96", false, "IPv4-mapped: the IPv4 addresses by another name"},
    {"fe80::/10", false, "link-local: this machine's end of every link"},
    {"fd00::2/128", false, "slirp4netns's IPv6 address of this machine"},
    {"fd00::3/128", false, "slirp4netns's IPv6 DNS forwarder"},
};

static void push(struct carveouts *list, const struct carveout *c)
{
    list->items = xrealloc(list->items, (list->n + 1) * sizeof *list->items);
    list->items[list->n++] = *c;
}

void carveouts_add_fixed(struct carveouts *list)
{
    for (size_t i = 0; i < sizeof fixed_ranges / sizeof fixed_ranges[0]; i++) {
        struct carveout c = {.fixed = fixed_ranges[i].fixed, .why = fixed_ranges[i].why};
        if (addr_parse_cidr(fixed_ranges[i].range, &c.family, c.addr, &c.prefix_len) < 0)
            abort(); /* a typo in the table above */
        push(list, &c);
    }
}

static bool holds(const struct carveout *c, int family, const uint8_t *addr)
{
    return c->family == family && addr_in_prefix(family, addr, c->addr, c->prefix_len);
}

void carveouts_add_host(struct carveouts *list, int family, const uint8_t *addr)
{
    if (family != AF_INET && family != AF_INET6)
        return;
    for (size_t i = 0; i < list->n; i++)
        if (holds(&list->items[i], family, addr))
            return;
    struct carveout c = {.family = family, .prefix_len = family == AF_INET ? 32 : 128, .host = true,
                         .why = "an address of this machine"};
    memcpy(c.addr, addr, family == AF_INET ? 4 : 16);
    push(list, &c);
}

int carveouts_add_interfaces(struct carveouts *list, struct error *err)
{
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) < 0)
        return error_errno(err, errno, "cannot read this machine's addresses, which allowed ranges must leave out: %m "
                           "(run with --net none or --net open)");
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET)
            carveouts_add_host(list, AF_INET, (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr);
        else if (i->ifa_addr->sa_family == AF_INET6)
            carveouts_add_host(list, AF_INET6, (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr);
    }
    freeifaddrs(ifs);
    return 0;
}

void carveouts_free(struct carveouts *list)
{
    free(list->items);
    *list = (struct carveouts){0};
}

bool allow_rule_is_exact(const struct allow_rule *rule)
{
    return rule->kind == ALLOW_ADDRESS && rule->prefix_len == (rule->family == AF_INET ? 32u : 128u);
}

bool carveout_cuts(const struct carveout *c, const struct allow_rule *rule)
{
    if (rule->kind != ALLOW_ADDRESS || rule->family != c->family)
        return false;
    bool overlap = addr_in_prefix(c->family, c->addr, rule->addr, rule->prefix_len) ||
                   addr_in_prefix(c->family, rule->addr, c->addr, c->prefix_len);
    return overlap && (c->fixed || !allow_rule_is_exact(rule));
}

bool carveouts_has_host(const struct carveouts *list, int family, const uint8_t *addr)
{
    for (size_t i = 0; list && i < list->n; i++)
        if (list->items[i].host && holds(&list->items[i], family, addr))
            return true;
    return false;
}

void carveout_format(const struct carveout *c, char *out, size_t outlen)
{
    char addr[INET6_ADDRSTRLEN];
    inet_ntop(c->family, c->addr, addr, sizeof addr);
    if (c->prefix_len == (c->family == AF_INET ? 32u : 128u))
        snprintf(out, outlen, "%s", addr);
    else
        snprintf(out, outlen, "%s/%u", addr, c->prefix_len);
}
