/* The egress relay's decision (verdict.h).  Each refusal names what was
 * asked for and why, in one line: "blocked TLS connection to
 * 104.16.2.3:443 for evil.example (not allowlisted; the address belongs to
 * registry.npmjs.org)". */
#include "netns/codec/verdict.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/addrclass.h"
#include "common/util.h"

enum { REASON_MAX = 256, NAMES_LOOKED_AT = 64 };

/* What a decision is about, filled on the way to it. */
struct decision {
    const char *what;     /* "TLS connection", "HTTP request", "connection" */
    const char *name;     /* the name the client asked for, NULL if none */
    char reason[REASON_MAX];
    const char *belongs;  /* an allowlisted name that resolved to the address, NULL if none */
};

static const uint8_t host_gateway[4] = {10, 0, 2, 2};

static void format_dest(const struct egress_dest *dest, char *out, size_t outlen)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (dest->family == AF_INET || dest->family == AF_INET6)
        inet_ntop(dest->family, dest->addr, addr, sizeof addr);
    if (dest->family == AF_INET6)
        snprintf(out, outlen, "[%s]:%u", addr, dest->port);
    else
        snprintf(out, outlen, "%s:%u", addr, dest->port);
}

static bool finish(const struct egress_dest *dest, const struct decision *d, bool allowed, struct egress_verdict *v)
{
    char where[INET6_ADDRSTRLEN + 8], name[4 * ALLOW_NAME_MAX], owner[4 * ALLOW_NAME_MAX];
    format_dest(dest, where, sizeof where);
    v->allowed = allowed;
    int n = snprintf(v->message, sizeof v->message, "%s %s to %s", allowed ? "allowed" : "blocked", d->what, where);
    size_t at = n > 0 && (size_t)n < sizeof v->message ? (size_t)n : strlen(v->message);
    if (d->name)
        at += (size_t)snprintf(v->message + at, sizeof v->message - at, " for %s",
                               str_printable(d->name, name, sizeof name));
    if (at >= sizeof v->message)
        return allowed;
    if (d->belongs && (!d->name || strcmp(d->belongs, d->name) != 0))
        snprintf(v->message + at, sizeof v->message - at, " (%s; the address belongs to %s)", d->reason,
                 str_printable(d->belongs, owner, sizeof owner));
    else
        snprintf(v->message + at, sizeof v->message - at, " (%s)", d->reason);
    return allowed;
}

static bool port_listed(const uint16_t *ports, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i] == port)
            return true;
    return false;
}

static bool verdict_port_ok(const struct allow_verdict *av, uint16_t port)
{
    return av->any_port || port_listed(av->ports, av->n_ports, port);
}

/* The carve-out that keeps the address closed to rule (NULL: to a name),
 * if any: an exact --allow lifts one of this machine's addresses. */
static const struct carveout *carveout_of(const struct egress_policy *policy, const struct egress_dest *dest,
                                          const struct allow_rule *rule)
{
    if (!policy->carveouts)
        return NULL;
    for (size_t i = 0; i < policy->carveouts->n; i++) {
        const struct carveout *c = &policy->carveouts->items[i];
        if (c->family != dest->family || !addr_in_prefix(dest->family, dest->addr, c->addr, c->prefix_len))
            continue;
        if (c->fixed || !rule || !allow_rule_is_exact(rule))
            return c;
    }
    return NULL;
}

/* An --allow literal or range that opens this address and port. */
static bool literal_opens(const struct egress_policy *policy, const struct egress_dest *dest)
{
    for (size_t i = 0; i < policy->allow->n_allow; i++) {
        const struct allow_rule *rule = &policy->allow->allow[i];
        if (rule->kind != ALLOW_ADDRESS || rule->family != dest->family ||
            !addr_in_prefix(dest->family, dest->addr, rule->addr, rule->prefix_len))
            continue;
        if ((rule->port == 0 || rule->port == dest->port) && !carveout_of(policy, dest, rule))
            return true;
    }
    return false;
}

/* The first name that resolved to the address and is still allowlisted. */
static const char *owner_of(const struct egress_policy *policy, const struct egress_dest *dest, uint64_t now)
{
    const char *names[NAMES_LOOKED_AT];
    size_t n = resolved_names_for(policy->resolved, dest->family, dest->addr, now, names, NAMES_LOOKED_AT);
    for (size_t i = 0; i < n && i < NAMES_LOOKED_AT; i++) {
        struct allow_verdict av;
        allowlist_check(policy->allow, names[i], &av);
        if (av.allowed && !av.denied)
            return names[i];
    }
    return NULL;
}

/* The name asked for (SNI, Host) may reach this address on this port. */
static bool name_allowed(const struct egress_policy *policy, const struct egress_dest *dest, uint64_t now,
                         struct decision *d)
{
    struct allow_verdict av;
    allowlist_check(policy->allow, d->name, &av);
    if (av.denied)
        snprintf(d->reason, sizeof d->reason, "denied by --deny");
    else if (!av.allowed)
        snprintf(d->reason, sizeof d->reason, "not allowlisted");
    else if (!verdict_port_ok(&av, dest->port))
        snprintf(d->reason, sizeof d->reason, "port %u is not allowed for this name", dest->port);
    else if (!resolved_has(policy->resolved, d->name, dest->family, dest->addr, now))
        snprintf(d->reason, sizeof d->reason,
                 "allowlisted, but it did not resolve to this address through clbox's DNS gate");
    else {
        snprintf(d->reason, sizeof d->reason, "an allowlisted name that resolved to this address");
        return true;
    }
    return false;
}

/* Neither TLS nor HTTP: an entry of a name of this address names the port. */
static bool other_allowed(const struct egress_policy *policy, const struct egress_dest *dest, uint64_t now,
                          const char *seen, struct decision *d)
{
    const char *names[NAMES_LOOKED_AT];
    size_t n = resolved_names_for(policy->resolved, dest->family, dest->addr, now, names, NAMES_LOOKED_AT);
    for (size_t i = 0; i < n && i < NAMES_LOOKED_AT; i++) {
        struct allow_verdict av;
        allowlist_check(policy->allow, names[i], &av);
        if (av.allowed && !av.denied && port_listed(av.ports, av.n_ports, dest->port)) {
            d->name = names[i];
            snprintf(d->reason, sizeof d->reason, "an allowlist entry names port %u", dest->port);
            return true;
        }
    }
    snprintf(d->reason, sizeof d->reason,
             "%s, and no allowlist entry of a name of this address names port %u (as NAME:%u would)", seen,
             dest->port, dest->port);
    return false;
}

static bool decide_tls(const struct egress_policy *policy, const struct egress_dest *dest, const struct egress_seen *seen,
                       uint64_t now, struct decision *d)
{
    d->what = "TLS connection";
    switch (seen->tls) {
    case TLS_HELLO_OK:
        d->name = seen->hello->sni;
        if (name_allowed(policy, dest, now, d))
            return true;
        if (seen->hello->has_ech) {
            size_t n = strlen(d->reason);
            snprintf(d->reason + n, sizeof d->reason - n, ", as the outer name of an Encrypted Client Hello");
        }
        return false;
    case TLS_HELLO_NO_SNI:
        snprintf(d->reason, sizeof d->reason, "no SNI: the ClientHello names no server%s",
                 seen->hello->has_ech ? ", and its Encrypted Client Hello hides the name" : "");
        return false;
    case TLS_HELLO_MALFORMED:
    case TLS_HELLO_NOT_TLS:
        snprintf(d->reason, sizeof d->reason, "a ClientHello clbox cannot read: %s", seen->hello->why);
        return false;
    case TLS_HELLO_NEED_MORE:
        break;
    }
    snprintf(d->reason, sizeof d->reason, "the ClientHello did not arrive whole in time");
    return false;
}

static bool decide_http(const struct egress_policy *policy, const struct egress_dest *dest,
                        const struct egress_seen *seen, uint64_t now, struct decision *d)
{
    const struct http_stream *s = seen->stream;
    d->what = "HTTP request";
    if (seen->http == HTTP_REFUSED && s->not_http) {
        d->what = "connection";
        return other_allowed(policy, dest, now, "neither TLS nor HTTP", d);
    }
    if (seen->http == HTTP_REFUSED) {
        snprintf(d->reason, sizeof d->reason, "an HTTP request clbox cannot check: %s", s->why);
        return false;
    }
    if (seen->http != HTTP_HEAD) {
        snprintf(d->reason, sizeof d->reason, "the request head did not arrive whole in time");
        return false;
    }
    d->name = s->head_host;
    if (s->head_port && s->head_port != dest->port) {
        snprintf(d->reason, sizeof d->reason, "the Host names port %u, the connection is to port %u", s->head_port,
                 dest->port);
        return false;
    }
    return name_allowed(policy, dest, now, d);
}

static bool decide_by_name(const struct egress_policy *policy, const struct egress_dest *dest,
                           const struct egress_seen *seen, uint64_t now, struct decision *d)
{
    switch (seen->kind) {
    case EGRESS_SEEN_TLS: return decide_tls(policy, dest, seen, now, d);
    case EGRESS_SEEN_HTTP: return decide_http(policy, dest, seen, now, d);
    case EGRESS_SEEN_OTHER: return other_allowed(policy, dest, now, "neither TLS nor HTTP", d);
    case EGRESS_SEEN_NOTHING: return other_allowed(policy, dest, now, "the client sent nothing first", d);
    }
    snprintf(d->reason, sizeof d->reason, "internal: an unknown kind of first bytes");
    return false;
}

/* The name the client asked for, if it asked for one. */
static const char *asked_name(const struct egress_seen *seen)
{
    if (seen->kind == EGRESS_SEEN_TLS && seen->tls == TLS_HELLO_OK)
        return seen->hello->sni;
    if (seen->kind == EGRESS_SEEN_HTTP && seen->http == HTTP_HEAD)
        return seen->stream->head_host;
    return NULL;
}

bool egress_decide(const struct egress_policy *policy, const struct egress_dest *dest, const struct egress_seen *seen,
                   uint64_t now, struct egress_verdict *verdict)
{
    struct decision d = {.what = seen->kind == EGRESS_SEEN_TLS    ? "TLS connection"
                                 : seen->kind == EGRESS_SEEN_HTTP ? "HTTP request"
                                                                  : "connection",
                         .name = asked_name(seen)};
    if (dest->family == AF_INET && !memcmp(dest->addr, host_gateway, 4)) {
        bool open = port_listed(policy->host_ports, policy->n_host_ports, dest->port);
        snprintf(d.reason, sizeof d.reason, open ? "a host port --allow-host-port opens"
                                                 : "10.0.2.2 is the host: only ports --allow-host-port names are open");
        return finish(dest, &d, open, verdict);
    }
    if (literal_opens(policy, dest)) {
        snprintf(d.reason, sizeof d.reason, "an address --allow opens");
        return finish(dest, &d, true, verdict);
    }
    const struct carveout *c = carveout_of(policy, dest, NULL);
    d.belongs = owner_of(policy, dest, now);
    bool allowed = false;
    if (c)
        snprintf(d.reason, sizeof d.reason, "the address is %s, which no name opens", c->why);
    else if (!d.belongs)
        snprintf(d.reason, sizeof d.reason,
                 "the address is not one an allowlisted name resolved to through clbox's DNS gate, nor one --allow opens");
    else
        allowed = decide_by_name(policy, dest, seen, now, &d);
    return finish(dest, &d, allowed, verdict);
}
