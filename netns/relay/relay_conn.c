#include "netns/relay/relay_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    PIPE_CHUNK = 65536, /* a pipe's default capacity */
    /* Rounds of one step before the loop serves the other connections: a
     * connection whose sockets never say EAGAIN must not starve them. */
    MAX_ROUNDS = 16,
};

static void close_pipe(struct relay_dir *d)
{
    if (d->pipe_r >= 0)
        close(d->pipe_r);
    if (d->pipe_w >= 0)
        close(d->pipe_w);
    d->pipe_r = d->pipe_w = -1;
}

static int open_pipe(struct relay_dir *d)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    d->pipe_r = p[0], d->pipe_w = p[1];
    return 0;
}

void relay_conn_init(struct relay_conn *c, int client_fd)
{
    *c = (struct relay_conn){.state = CONN_FREE, .client_fd = client_fd, .server_fd = -1};
    c->up = c->down = (struct relay_dir){.from = -1, .to = -1, .pipe_r = -1, .pipe_w = -1};
}

int relay_conn_begin(struct relay_conn *c, const struct relay_policy *policy)
{
    c->up = (struct relay_dir){.from = c->client_fd, .to = c->server_fd, .pipe_r = -1, .pipe_w = -1};
    c->down = (struct relay_dir){.from = c->server_fd, .to = c->client_fd, .pipe_r = -1, .pipe_w = -1};
    int r = open_pipe(&c->down);
    if (r < 0)
        return r;
    if (c->decision.verdict == RELAY_SPLICE)
        return open_pipe(&c->up);
    c->stream.buf = malloc(RELAY_STREAM_BUF);
    if (!c->stream.buf)
        return -ENOMEM;
    c->stream.state = policy->stream_open ? policy->stream_open(policy->opaque, &c->info) : NULL;
    return c->stream.state ? 0 : -EPERM;
}

/* After `from`'s FIN and the last byte written: pass the FIN on. */
static void finish(struct relay_dir *d)
{
    if (!d->done)
        shutdown(d->to, SHUT_WR);
    d->done = true;
}

/* The FIN can be read in a step's last round: with nothing left to write
 * there is no event to wait for (relay_conn_events() waits for none), so it
 * is passed on now, or the direction would stay open for good. */
static void pass_fin_when_due(struct relay_dir *d, bool holds)
{
    if (d->eof && !holds)
        finish(d);
}

/* from_failed: what a failed read means (the sender reset: reset the other
 * side); to_failed: what a failed write means. */
static enum relay_step pump_splice(struct relay_dir *d, enum relay_step from_failed, enum relay_step to_failed)
{
    for (int round = 0; round < MAX_ROUNDS && !d->done; round++) {
        if (d->in_pipe > 0) {
            ssize_t n = splice(d->pipe_r, NULL, d->to, NULL, d->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n < 0 && errno == EAGAIN) {
                d->out_blocked = true;
                return STEP_OK;
            }
            if (n <= 0) /* EPIPE, ECONNRESET: the receiver is gone */
                return n < 0 && errno == EINTR ? STEP_OK : to_failed;
            d->in_pipe -= (size_t)n;
            continue;
        }
        d->out_blocked = false;
        if (d->eof) {
            finish(d);
            break;
        }
        /* The pipe is empty here, so EAGAIN means the socket is. */
        ssize_t n = splice(d->from, NULL, d->pipe_w, NULL, PIPE_CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0)
            d->in_pipe += (size_t)n;
        else if (n == 0)
            d->eof = true;
        else if (errno == EAGAIN || errno == EINTR)
            return STEP_OK;
        else
            return from_failed;
    }
    pass_fin_when_due(d, d->in_pipe > 0);
    return STEP_OK;
}

static enum relay_step filter_held(struct relay_conn *c, const struct relay_policy *policy, size_t n_new,
                                   struct error *cut)
{
    struct relay_stream *s = &c->stream;
    *cut = (struct error){0};
    ssize_t allowed = policy->stream_filter(s->state, s->buf, s->len, n_new, c->up.eof, cut);
    if (allowed >= 0 && (size_t)allowed <= s->len && !(c->up.eof && (size_t)allowed < s->len)) {
        s->approved = (size_t)allowed;
        return STEP_OK;
    }
    if (!cut->text[0] && allowed >= 0)
        error_set(cut, "the stream filter held back the last %zu bytes the client sent",
                  s->len - ((size_t)allowed <= s->len ? (size_t)allowed : 0));
    else if (!cut->text[0])
        error_set(cut, "the stream filter cut the connection");
    return STEP_CUT;
}

/* STREAM, client to server: nothing reaches the server that the filter did
 * not let through. */
static enum relay_step pump_stream(struct relay_conn *c, const struct relay_policy *policy, struct error *cut)
{
    struct relay_stream *s = &c->stream;
    struct relay_dir *d = &c->up;
    for (int round = 0; round < MAX_ROUNDS && !d->done; round++) {
        if (s->approved > 0) {
            ssize_t n = send(d->to, s->buf, s->approved, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno == EAGAIN) {
                d->out_blocked = true;
                return STEP_OK;
            }
            if (n <= 0)
                return n < 0 && errno == EINTR ? STEP_OK : STEP_RESET_CLIENT;
            memmove(s->buf, s->buf + n, s->len - (size_t)n);
            s->len -= (size_t)n, s->approved -= (size_t)n;
            continue;
        }
        d->out_blocked = false;
        if (d->eof) {
            finish(d);
            break;
        }
        if (s->len == RELAY_STREAM_BUF) {
            error_set(cut, "the stream filter let none of %d held bytes through", RELAY_STREAM_BUF);
            return STEP_CUT;
        }
        ssize_t n = recv(d->from, s->buf + s->len, RELAY_STREAM_BUF - s->len, MSG_DONTWAIT);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? STEP_OK : STEP_RESET_SERVER;
        if (n == 0)
            d->eof = true;
        s->len += (size_t)n;
        if ((n > 0 || s->len > 0) && filter_held(c, policy, (size_t)n, cut) == STEP_CUT)
            return STEP_CUT;
    }
    pass_fin_when_due(d, s->approved > 0);
    return STEP_OK;
}

enum relay_step relay_conn_step(struct relay_conn *c, const struct relay_policy *policy, struct error *cut)
{
    enum relay_step r = c->decision.verdict == RELAY_STREAM ? pump_stream(c, policy, cut)
                                                            : pump_splice(&c->up, STEP_RESET_SERVER, STEP_RESET_CLIENT);
    if (r == STEP_OK)
        r = pump_splice(&c->down, STEP_RESET_CLIENT, STEP_RESET_SERVER);
    if (r == STEP_OK && c->up.done && c->down.done)
        r = STEP_FINISHED;
    return r;
}

/* A direction waits either to write what it holds or, holding nothing, to
 * read: never both, so a full pipe or socket is never polled in a loop. */
static void dir_events(const struct relay_dir *d, bool holds, uint32_t *from, uint32_t *to)
{
    if (d->done)
        return;
    if (holds)
        *to |= EPOLLOUT;
    else if (!d->eof)
        *from |= EPOLLIN | EPOLLRDHUP;
}

void relay_conn_events(const struct relay_conn *c, uint32_t *client, uint32_t *server)
{
    *client = *server = 0;
    bool up_holds = c->decision.verdict == RELAY_STREAM ? c->stream.approved > 0 : c->up.in_pipe > 0;
    dir_events(&c->up, up_holds, client, server);
    dir_events(&c->down, c->down.in_pipe > 0, server, client);
}

void relay_conn_release(struct relay_conn *c, const struct relay_policy *policy)
{
    close_pipe(&c->up);
    close_pipe(&c->down);
    free(c->stream.buf);
    if (c->stream.state && policy->stream_close)
        policy->stream_close(c->stream.state);
    c->stream = (struct relay_stream){0};
}
