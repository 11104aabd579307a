/* What the TCP egress relay decides for one connection (or one HTTP
 * request): a pure function from the destination, what the client sent
 * first, the allowlist, the names the DNS gate let resolve and the opened
 * addresses and host ports, to allowed or refused with one line saying why.
 *
 * The rules:
 *  - 10.0.2.2 (the host) only on a port --allow-host-port opened, whatever
 *    the protocol;
 *  - an address an --allow literal or range opens (and no carve-out keeps
 *    closed), whatever the protocol;
 *  - otherwise the address must be one an allowlisted name resolved to in
 *    this session, and:
 *    TLS: the ClientHello's SNI must be an allowlisted name, allowed on this
 *    port, that resolved to this address (an Encrypted Client Hello's outer
 *    name is held to the same; its inner name cannot be seen);
 *    HTTP: each request's Host likewise (its port, if it names one, is the
 *    connection's);
 *    anything else (or nothing sent yet, a server that speaks first): only
 *    on a port an entry of such a name names explicitly ("github.com:22").
 *
 * How a relay uses it: peek the first bytes (at most TLS_HELLO_PEEK_MAX);
 * tls_hello_parse; if NOT_TLS, feed them to an http_stream; a refusal with
 * not_http set is another protocol (EGRESS_SEEN_OTHER).  On a kept-alive
 * HTTP connection ask again at every HTTP_HEAD. */
#ifndef CLBOX_NETNS_VERDICT_H
#define CLBOX_NETNS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/codec/allowlist.h"
#include "netns/codec/carveout.h"
#include "netns/codec/httphead.h"
#include "netns/codec/resolved.h"
#include "netns/codec/tlshello.h"

/* Room for the longest line: two names each printable at 4 bytes a byte. */
#define EGRESS_MESSAGE_MAX 2560

struct egress_dest {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network order */
    uint16_t port;
};

enum egress_seen_kind {
    EGRESS_SEEN_NOTHING, /* the client sent nothing within the peek's time */
    EGRESS_SEEN_OTHER,   /* neither TLS nor HTTP */
    EGRESS_SEEN_TLS,     /* tls_hello_parse's result */
    EGRESS_SEEN_HTTP,    /* an http_stream at HTTP_HEAD or HTTP_REFUSED */
};

struct egress_seen {
    enum egress_seen_kind kind;
    enum tls_hello_status tls;
    const struct tls_hello *hello;    /* TLS */
    enum http_status http;
    const struct http_stream *stream; /* HTTP */
};

struct egress_policy {
    const struct allowlist *allow;
    const struct resolved_table *resolved;
    const struct carveouts *carveouts;  /* NULL: none */
    const unsigned short *host_ports;   /* --allow-host-port */
    size_t n_host_ports;
};

struct egress_verdict {
    bool allowed;
    /* "blocked TLS connection to 104.16.2.3:443 for evil.example (not
     * allowlisted; the address belongs to registry.npmjs.org)", or
     * "allowed ..." for a log. */
    char message[EGRESS_MESSAGE_MAX];
};

/* Decides at time `now` (the resolved table's clock).  Returns
 * verdict->allowed. */
bool egress_decide(const struct egress_policy *policy, const struct egress_dest *dest, const struct egress_seen *seen,
                   uint64_t now, struct egress_verdict *verdict);

#endif
