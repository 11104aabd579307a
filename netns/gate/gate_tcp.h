/* The gate's TCP clients.  A connection carries one query (a two-byte
 * length, then the message), gets its answer and is closed.  Nothing here
 * blocks: each connection is read and written as poll() says it can be,
 * within deadlines counted from the accept, so a client that trickles its
 * query or never reads its answer delays only itself, and UDP and the other
 * TCP clients are served meanwhile.  At most GATE_MAX_TCP_CLIENTS are held
 * at once; past that, a new connection closes the oldest one still sending
 * its query or receiving its answer. */
#ifndef CLBOX_NETNS_GATE_TCP_H
#define CLBOX_NETNS_GATE_TCP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define GATE_MAX_TCP_CLIENTS 16
#define GATE_MAX_QUERY 1024
#define GATE_MAX_ANSWER 65535

enum {
    GATE_TCP_QUERY_MS = 3000,  /* from the accept to a complete query */
    GATE_TCP_ANSWER_MS = 3000, /* from the answer to its last byte sent */
    GATE_TCP_ASKED_MS = 30000, /* a safety net: the upstream side answers or fails well before */
};

enum gate_tcp_phase { GATE_TCP_FREE, GATE_TCP_READING, GATE_TCP_ASKED, GATE_TCP_WRITING };

struct gate_tcp_client {
    enum gate_tcp_phase phase;
    int fd;
    unsigned serial; /* tells this connection from a later one in the same slot */
    uint64_t opened_ms, deadline_ms;
    uint8_t in[2 + GATE_MAX_QUERY];
    size_t in_len;
    uint8_t out[2 + GATE_MAX_ANSWER];
    size_t out_len, out_sent;
};

struct gate_state;
struct gate_client;

/* Accepts what is waiting on the listening socket. */
void gate_tcp_accept(struct gate_state *g);
/* Adds the connections that wait for input or room to fds (owner[i] is
 * the client of fds[i]) and lowers *next_ms to their nearest deadline. */
void gate_tcp_poll_set(struct gate_state *g, struct pollfd *fds, struct gate_tcp_client **owner, nfds_t *n,
                       uint64_t *next_ms);
/* poll() said c's socket is ready: read or write what it can. */
void gate_tcp_ready(struct gate_state *g, struct gate_tcp_client *c);
/* Closes connections past their deadline. */
void gate_tcp_expire(struct gate_state *g, uint64_t now);
/* The answer for client `to`, if its connection is still the one that
 * asked; sent as far as the socket takes it now, the rest later. */
void gate_tcp_answer(struct gate_state *g, const struct gate_client *to, const uint8_t *msg, size_t len);
/* No answer can be given to `to`: close its connection. */
void gate_tcp_drop(struct gate_state *g, const struct gate_client *to);

#endif
