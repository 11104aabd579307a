/* One relayed connection once it is connected: the bytes moved each way,
 * spliced through a pipe per direction (or, client to server in STREAM,
 * read into a bounded buffer and let through as the filter says), with
 * half-close and resets passed on.  Nothing here blocks or spins: every
 * step stops at EAGAIN, and relay_conn_events() says what to wait for. */
#ifndef CLBOX_NETNS_RELAY_CONN_H
#define CLBOX_NETNS_RELAY_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netns/relay/relay.h"

enum relay_conn_state { CONN_FREE, CONN_PEEKING, CONN_CONNECTING, CONN_RELAYING };

/* One direction, from one socket to the other through a pipe. */
struct relay_dir {
    int from, to;
    int pipe_r, pipe_w;
    size_t in_pipe;    /* bytes read from `from` and not yet written to `to` */
    bool eof;          /* `from` has sent its FIN */
    bool done;         /* and everything is written and `to` shut for writing */
    bool out_blocked;  /* the last write to `to` met EAGAIN */
};

/* STREAM, client to server: the bytes held, the first `approved` of them
 * let through by the filter and not yet sent. */
struct relay_stream {
    uint8_t *buf;
    size_t len, approved;
    void *state;
};

struct relay_conn {
    enum relay_conn_state state;
    int client_fd, server_fd;
    uint32_t client_events, server_events; /* registered with epoll (0: not registered) */
    uint64_t deadline_ms;                  /* PEEKING, CONNECTING: when to give up */
    struct relay_conn_info info;
    struct relay_decision decision;
    struct relay_dir up, down; /* client->server, server->client */
    struct relay_stream stream;
};

/* How a step ended. */
enum relay_step {
    STEP_OK,           /* wait for the events relay_conn_events() gives */
    STEP_FINISHED,     /* both directions are done: close both sides */
    STEP_RESET_CLIENT, /* the server reset or failed: reset the client */
    STEP_RESET_SERVER, /* the client reset or failed: reset the server */
    STEP_CUT,          /* the stream filter cut it: reset both, report the reason */
};

/* A free slot (client_fd -1), or a new connection's: no pipes, no stream. */
void relay_conn_init(struct relay_conn *c, int client_fd);
/* Once connected: makes the pipes (and, for STREAM, the buffer and the
 * filter's state).  0, or -errno. */
int relay_conn_begin(struct relay_conn *c, const struct relay_policy *policy);
/* Moves whatever can be moved now, both ways.  STEP_CUT leaves the reason in *cut. */
enum relay_step relay_conn_step(struct relay_conn *c, const struct relay_policy *policy, struct error *cut);
/* The epoll events each side waits for now (0: nothing). */
void relay_conn_events(const struct relay_conn *c, uint32_t *client, uint32_t *server);
/* Frees the pipes and the stream's buffer and state (not the sockets). */
void relay_conn_release(struct relay_conn *c, const struct relay_policy *policy);

#endif
