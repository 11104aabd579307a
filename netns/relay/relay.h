/* The TCP egress relay: serves listening sockets made in the sandbox's
 * network namespace (where the firewall redirects the sandbox's TCP to
 * them), and for each connection asks a policy where it may go, connects
 * from its own namespace and relays the bytes both ways with splice(2).
 * What is allowed is the policy's business (callbacks); this file is the
 * mechanics: accepting, the original destination, peeking, connecting with
 * a deadline, half-close, resets, the connection cap.  It runs in a process
 * of its own, confined like the DNS gate (relay_start). */
#ifndef CLBOX_NETNS_RELAY_H
#define CLBOX_NETNS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/error.h"

enum {
    RELAY_MAX_LISTENERS = 2,        /* IPv4 and IPv6 */
    RELAY_MAX_PEEK = 4096,          /* the most a policy may look at before it decides */
    RELAY_STREAM_BUF = 16384,       /* STREAM: client bytes held while the filter decides */
    RELAY_MESSAGE_MAX = 256,        /* a refusal's text */
    RELAY_DEFAULT_MAX_CONNS = 128,  /* six descriptors each: two sockets, two pipes */
    RELAY_DEFAULT_CONNECT_MS = 10000,
    RELAY_MAX_KEEP_FDS = 4,
};

enum relay_verdict {
    RELAY_REFUSE, /* reset the connection at once and report decision.message */
    RELAY_SPLICE, /* both directions zero-copy */
    RELAY_STREAM, /* client->server through the stream filter, server->client spliced */
    RELAY_PEEK,   /* look at the first bytes first (only as the first answer) */
};

/* What the policy knows of a connection.  Addresses are as the sandbox
 * sees them (before the 10.0.2.2 -> loopback mapping). */
struct relay_conn_info {
    struct sockaddr_storage client;      /* the sandbox side */
    struct sockaddr_storage destination; /* where the sandbox meant to connect */
    const uint8_t *peeked;               /* the second call: the first bytes, not consumed */
    size_t n_peeked;
    bool peek_ended; /* the client stopped sending (EOF) or the deadline passed before peek_bytes came */
};

struct relay_decision {
    enum relay_verdict verdict;
    size_t peek_bytes;        /* RELAY_PEEK: wait for this many bytes (at most RELAY_MAX_PEEK) */
    unsigned peek_timeout_ms; /* RELAY_PEEK: and no longer than this */
    bool host_port;           /* 10.0.2.2:PORT may be connected as 127.0.0.1:PORT */
    char message[RELAY_MESSAGE_MAX]; /* RELAY_REFUSE: what is reported */
};

enum { RELAY_FILTER_CUT = -1 };

/* Every callback runs inside the relay's seccomp filter: no files, no new
 * processes (seccomp/relay_filter.h). */
struct relay_policy {
    void *opaque;
    /* Called when a connection is accepted (info->peeked NULL) and, if the
     * answer was RELAY_PEEK, once more with the first bytes; the second
     * answer must not be RELAY_PEEK.  *out starts as a REFUSE. */
    void (*decide)(void *opaque, const struct relay_conn_info *info, struct relay_decision *out);
    /* RELAY_STREAM: the per-connection state of the filter (NULL: refused). */
    void *(*stream_open)(void *opaque, const struct relay_conn_info *info);
    /* `held` is every client byte received and not yet let through, the last
     * `n_new` of them new since the previous call; `eof`: the client will
     * send no more.  Returns how many of the leading held bytes may go to the
     * server now (the rest stay held and are shown again), or
     * RELAY_FILTER_CUT with the reason in *why (error_set): both sides are
     * reset and the reason reported. */
    ssize_t (*stream_filter)(void *stream, const uint8_t *held, size_t n_held, size_t n_new, bool eof,
                             struct error *why);
    void (*stream_close)(void *stream);
    /* Each connection refused or cut, and the cap reached (info NULL). */
    void (*report)(void *opaque, const struct relay_conn_info *info, const char *message);
};

struct relay_config {
    int listen_fds[RELAY_MAX_LISTENERS]; /* listening TCP sockets; -1 where unused */
    int keep_fds[RELAY_MAX_KEEP_FDS];    /* other descriptors the policy needs (a log); -1 where unused */
    unsigned max_conns;                  /* 0: RELAY_DEFAULT_MAX_CONNS */
    unsigned connect_timeout_ms;         /* 0: RELAY_DEFAULT_CONNECT_MS */
    const struct relay_policy *policy;
};

/* Confines the calling process (only its descriptors in cfg and stderr kept,
 * not dumpable, no_new_privs, the relay's seccomp filter), then serves until
 * it is killed.  Never returns; dies with a message when it cannot. */
_Noreturn void relay_run(const struct relay_config *cfg);

/* Forks the relay's process, which dies with the caller (PR_SET_PDEATHSIG).
 * Returns its pid, or -1 with the reason in err. */
pid_t relay_start(const struct relay_config *cfg, struct error *err);

#endif
