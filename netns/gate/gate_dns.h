/* The gate's handling of one DNS exchange: decide, forward, sanitise,
 * open the firewall, answer. */
#ifndef CLBOX_NETNS_GATE_DNS_H
#define CLBOX_NETNS_GATE_DNS_H

#include <stdint.h>
#include <sys/socket.h>

#include "netns/codec/dnsmsg.h"
#include "netns/gate/gate.h"
#include "netns/gate/gate_report.h"
#include "netns/gate/gate_tcp.h"

#define GATE_MAX_PENDING 64

/* A client to answer: over UDP at `addr` (tcp_slot < 0), or the TCP
 * connection in that slot, if its serial still matches. */
struct gate_client {
    int tcp_slot;
    unsigned tcp_serial;
    struct sockaddr_storage addr;
    socklen_t addr_len;
};

/* A query forwarded to an upstream resolver, waiting for its answer. */
struct gate_pending {
    bool used;
    int upstream_fd;
    size_t server;
    unsigned attempts;
    uint64_t deadline_ms;
    uint16_t upstream_id;
    struct dns_query_info query;
    uint8_t msg[GATE_MAX_QUERY];
    size_t msg_len;
    struct gate_client client;
};

struct gate_state {
    struct gate_config *cfg;
    struct gate_reporter reporter;
    struct gate_pending pending[GATE_MAX_PENDING];
    struct gate_tcp_client tcp[GATE_MAX_TCP_CLIENTS];
    unsigned tcp_serial;
};

uint64_t gate_now_ms(void);
/* A query from the sandbox: answered at once, or forwarded. */
void gate_handle_query(struct gate_state *g, const uint8_t *msg, size_t len, const struct gate_client *client);
/* The upstream socket of `p` is readable. */
void gate_handle_upstream(struct gate_state *g, struct gate_pending *p);
/* Retries or fails queries whose upstream did not answer in time. */
void gate_expire(struct gate_state *g, uint64_t now);

#endif
