#include "netns/gate/gate_tcp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/gate/gate_dns.h"

static void close_client(struct gate_tcp_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->phase = GATE_TCP_FREE;
}

/* The oldest connection that is still sending its query or receiving its
 * answer; one waiting for upstream is left to finish. */
static struct gate_tcp_client *oldest_unfinished(struct gate_state *g)
{
    struct gate_tcp_client *oldest = NULL;
    for (size_t i = 0; i < GATE_MAX_TCP_CLIENTS; i++) {
        struct gate_tcp_client *c = &g->tcp[i];
        if ((c->phase == GATE_TCP_READING || c->phase == GATE_TCP_WRITING) &&
            (!oldest || c->opened_ms < oldest->opened_ms))
            oldest = c;
    }
    return oldest;
}

/* A slot for a new connection: a free one, else the oldest unfinished
 * connection's, closed.  NULL if every connection waits for upstream. */
static struct gate_tcp_client *slot_for_new(struct gate_state *g)
{
    for (size_t i = 0; i < GATE_MAX_TCP_CLIENTS; i++)
        if (g->tcp[i].phase == GATE_TCP_FREE)
            return &g->tcp[i];
    struct gate_tcp_client *oldest = oldest_unfinished(g);
    if (oldest) {
        gate_report(&g->reporter, "tcp full",
                    "closed the oldest unfinished TCP DNS connection: %d are open at once at most",
                    GATE_MAX_TCP_CLIENTS);
        close_client(oldest);
    } else {
        gate_report(&g->reporter, "tcp waiting",
                    "refused a TCP DNS connection: %d already wait for upstream answers", GATE_MAX_TCP_CLIENTS);
    }
    return oldest;
}

void gate_tcp_accept(struct gate_state *g)
{
    for (int i = 0; i < GATE_MAX_TCP_CLIENTS; i++) { /* what is queued, but let others in */
        int fd = accept4(g->cfg->tcp_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct gate_tcp_client *c = slot_for_new(g);
        if (!c) {
            close(fd);
            continue;
        }
        uint64_t now = gate_now_ms();
        c->phase = GATE_TCP_READING;
        c->fd = fd;
        c->serial = ++g->tcp_serial;
        c->opened_ms = now;
        c->deadline_ms = now + GATE_TCP_QUERY_MS;
        c->in_len = 0;
    }
}

void gate_tcp_poll_set(struct gate_state *g, struct pollfd *fds, struct gate_tcp_client **owner, nfds_t *n,
                       uint64_t *next_ms)
{
    for (size_t i = 0; i < GATE_MAX_TCP_CLIENTS; i++) {
        struct gate_tcp_client *c = &g->tcp[i];
        if (c->phase == GATE_TCP_FREE)
            continue;
        if (c->deadline_ms < *next_ms)
            *next_ms = c->deadline_ms;
        if (c->phase == GATE_TCP_ASKED)
            continue;
        owner[*n] = c;
        fds[(*n)++] = (struct pollfd){.fd = c->fd, .events = c->phase == GATE_TCP_READING ? POLLIN : POLLOUT};
    }
}

/* Bytes still missing from the query: first its length, then the message. */
static size_t query_missing(const struct gate_tcp_client *c)
{
    if (c->in_len < 2)
        return 2 - c->in_len;
    size_t len = (size_t)c->in[0] << 8 | c->in[1];
    return 2 + len - c->in_len;
}

static void read_query(struct gate_state *g, struct gate_tcp_client *c)
{
    ssize_t n = read(c->fd, c->in + c->in_len, query_missing(c));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        close_client(c);
        return;
    }
    c->in_len += (size_t)n;
    size_t len = c->in_len >= 2 ? (size_t)c->in[0] << 8 | c->in[1] : 1;
    if (len == 0 || len > GATE_MAX_QUERY) {
        close_client(c);
        return;
    }
    if (query_missing(c) > 0)
        return;
    c->phase = GATE_TCP_ASKED;
    c->deadline_ms = gate_now_ms() + GATE_TCP_ASKED_MS;
    struct gate_client to = {.tcp_slot = (int)(c - g->tcp), .tcp_serial = c->serial};
    gate_handle_query(g, c->in + 2, len, &to);
}

static void write_answer(struct gate_tcp_client *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break;
        c->out_sent += (size_t)n;
    }
    close_client(c);
}

void gate_tcp_ready(struct gate_state *g, struct gate_tcp_client *c)
{
    if (c->phase == GATE_TCP_READING)
        read_query(g, c);
    else if (c->phase == GATE_TCP_WRITING)
        write_answer(c);
}

void gate_tcp_expire(struct gate_state *g, uint64_t now)
{
    for (size_t i = 0; i < GATE_MAX_TCP_CLIENTS; i++) {
        struct gate_tcp_client *c = &g->tcp[i];
        if (c->phase == GATE_TCP_FREE || now < c->deadline_ms)
            continue;
        if (c->phase == GATE_TCP_READING)
            gate_report(&g->reporter, "tcp slow query",
                        "closed a TCP DNS connection that sent no complete query within %d seconds",
                        GATE_TCP_QUERY_MS / 1000);
        else if (c->phase == GATE_TCP_WRITING)
            gate_report(&g->reporter, "tcp slow answer",
                        "closed a TCP DNS connection that did not take its answer within %d seconds",
                        GATE_TCP_ANSWER_MS / 1000);
        close_client(c);
    }
}

static struct gate_tcp_client *asking_client(struct gate_state *g, const struct gate_client *to)
{
    if (to->tcp_slot < 0 || to->tcp_slot >= GATE_MAX_TCP_CLIENTS)
        return NULL;
    struct gate_tcp_client *c = &g->tcp[to->tcp_slot];
    return c->phase == GATE_TCP_ASKED && c->serial == to->tcp_serial ? c : NULL;
}

void gate_tcp_answer(struct gate_state *g, const struct gate_client *to, const uint8_t *msg, size_t len)
{
    struct gate_tcp_client *c = asking_client(g, to);
    if (!c)
        return; /* closed meanwhile (deadline, or the slot went to a newer connection) */
    if (len > GATE_MAX_ANSWER) {
        close_client(c);
        return;
    }
    c->out[0] = (uint8_t)(len >> 8);
    c->out[1] = (uint8_t)len;
    memcpy(c->out + 2, msg, len);
    c->out_len = 2 + len;
    c->out_sent = 0;
    c->phase = GATE_TCP_WRITING;
    c->deadline_ms = gate_now_ms() + GATE_TCP_ANSWER_MS;
    write_answer(c);
}

void gate_tcp_drop(struct gate_state *g, const struct gate_client *to)
{
    struct gate_tcp_client *c = asking_client(g, to);
    if (c)
        close_client(c);
}
