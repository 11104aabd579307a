/* The network allowlist: which names (and literal addresses) the sandbox
 * may reach, on which ports, and which names are denied whatever else
 * allows them.  Pure logic: parsed from option and profile values, asked by
 * the DNS gate for every name the sandbox looks up. */
#ifndef CLBOX_NETNS_ALLOWLIST_H
#define CLBOX_NETNS_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ALLOW_NAME_MAX 254
#define ALLOW_MAX_PORTS 16

enum allow_kind {
    ALLOW_NAME,     /* exactly this name */
    ALLOW_SUFFIX,   /* "*.example.com": any name below example.com */
    ALLOW_ADDRESS,  /* an IP literal or CIDR range, reached without DNS */
};

struct allow_rule {
    enum allow_kind kind;
    char name[ALLOW_NAME_MAX]; /* lower case, no trailing dot; for SUFFIX without "*." */
    int family;                /* ADDRESS: AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix_len;
    uint16_t port; /* 0: every port */
};

struct allowlist {
    struct allow_rule *allow;
    size_t n_allow;
    struct allow_rule *deny;
    size_t n_deny;
};

/* What a name may reach. */
struct allow_verdict {
    bool allowed;
    bool denied;     /* a --deny matched: wins over every allow */
    bool any_port;   /* some matching rule has no port */
    uint16_t ports[ALLOW_MAX_PORTS];
    size_t n_ports;  /* ports of matching port-restricted rules */
};

/* Parses NAME, *.NAME, NAME:PORT, an IPv4 address or CIDR (optionally
 * :PORT), or an IPv6 address or CIDR ([ADDR]:PORT with a port).  Returns 0,
 * or -1 with a reason. */
int allow_rule_parse(const char *text, bool is_deny, struct allow_rule *rule, struct error *err);
/* Lower-cases and checks a DNS name in text form; returns false if it is
 * not one clbox will look up. */
bool allow_name_normalize(const char *in, char *out, size_t outlen);

void allowlist_add(struct allowlist *list, const struct allow_rule *rule, bool is_deny);
void allowlist_free(struct allowlist *list);
void allowlist_check(const struct allowlist *list, const char *name, struct allow_verdict *verdict);
/* "api.example.com:443" etc., for plans and messages. */
void allow_rule_format(const struct allow_rule *rule, char *out, size_t outlen);

#endif
