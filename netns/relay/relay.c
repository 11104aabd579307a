#include "netns/relay/relay.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/message.h"
#include "common/util.h"
#include "netns/relay/relay_conn.h"
#include "netns/relay/relay_dst.h"
#include "seccomp/relay_filter.h"

enum {
    MAX_EVENTS = 64,
    ACCEPTS_PER_WAKE = 64, /* then the other connections get their turn */
    DEFAULT_PEEK_MS = 3000,
    KIND_LISTENER = 0,
    KIND_CLIENT = 1,
    KIND_SERVER = 2,
};

struct relay_state {
    const struct relay_config *cfg;
    const struct relay_policy *policy;
    int epfd;
    struct relay_conn *conns;
    uint32_t *generation; /* per slot: tells a stale epoll event from one of the slot's new connection */
    unsigned max_conns, n_conns;
    unsigned connect_timeout_ms;
    bool cap_reported;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Closing with a zero linger time sends a RST: the other end learns at
 * once that the connection is gone, and why not (not a clean end). */
static void reset_and_close(int fd)
{
    struct linger abortive = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    close(fd);
}

static void close_side(int fd, bool reset)
{
    if (fd >= 0 && reset)
        reset_and_close(fd);
    else if (fd >= 0)
        close(fd);
}

static uint64_t event_key(const struct relay_state *st, unsigned slot, int kind)
{
    return (uint64_t)st->generation[slot] << 32 | (uint64_t)slot << 2 | (uint64_t)kind;
}

static void watch_fd(struct relay_state *st, unsigned slot, int kind, int fd, uint32_t *registered, uint32_t wanted)
{
    if (fd < 0 || wanted == *registered)
        return;
    struct epoll_event ev = {.events = wanted, .data.u64 = event_key(st, slot, kind)};
    int op = !wanted ? EPOLL_CTL_DEL : *registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(st->epfd, op, fd, &ev) < 0)
        die_errno(errno, "the TCP relay cannot wait for a connection's sockets: %m");
    *registered = wanted;
}

static void update_events(struct relay_state *st, unsigned slot)
{
    struct relay_conn *c = &st->conns[slot];
    uint32_t client = 0, server = 0;
    if (c->state == CONN_PEEKING)
        client = EPOLLIN | EPOLLRDHUP | EPOLLET; /* edge: peeked bytes stay readable */
    else if (c->state == CONN_CONNECTING)
        server = EPOLLOUT;
    else if (c->state == CONN_RELAYING)
        relay_conn_events(c, &client, &server);
    watch_fd(st, slot, KIND_CLIENT, c->client_fd, &c->client_events, client);
    watch_fd(st, slot, KIND_SERVER, c->server_fd, &c->server_events, server);
}

enum end_how { END_CLOSE, END_RESET_CLIENT, END_RESET_SERVER, END_RESET_BOTH };

static void end_conn(struct relay_state *st, unsigned slot, enum end_how how)
{
    struct relay_conn *c = &st->conns[slot];
    relay_conn_release(c, st->policy);
    /* close() takes a socket out of the epoll set. */
    close_side(c->client_fd, how == END_RESET_CLIENT || how == END_RESET_BOTH);
    close_side(c->server_fd, how == END_RESET_SERVER || how == END_RESET_BOTH);
    relay_conn_init(c, -1);
    st->n_conns--;
    if (st->n_conns < st->max_conns)
        st->cap_reported = false;
}

static void refuse(struct relay_state *st, unsigned slot, const char *message)
{
    st->policy->report(st->policy->opaque, &st->conns[slot].info, message);
    end_conn(st, slot, END_RESET_BOTH);
}

static void start_connect(struct relay_state *st, unsigned slot)
{
    struct relay_conn *c = &st->conns[slot];
    const char *why = relay_dst_refused(&c->info.destination, c->decision.host_port);
    if (why) {
        refuse(st, slot, why);
        return;
    }
    int fd = relay_connect_start(&c->info.destination, c->decision.host_port);
    if (fd < 0) {
        char msg[RELAY_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "the relay cannot connect: %s", strerror(-fd));
        refuse(st, slot, msg);
        return;
    }
    c->server_fd = fd;
    c->state = CONN_CONNECTING;
    c->deadline_ms = now_ms() + st->connect_timeout_ms;
    update_events(st, slot);
}

/* The policy's answer; `first`: to the call at accept time. */
static void apply_decision(struct relay_state *st, unsigned slot, bool first)
{
    struct relay_conn *c = &st->conns[slot];
    struct relay_decision *d = &c->decision;
    switch (d->verdict) {
    case RELAY_PEEK:
        if (!first) {
            refuse(st, slot, "the policy asked to peek twice");
            return;
        }
        if (d->peek_bytes == 0 || d->peek_bytes > RELAY_MAX_PEEK)
            d->peek_bytes = RELAY_MAX_PEEK;
        c->state = CONN_PEEKING;
        c->deadline_ms = now_ms() + (d->peek_timeout_ms ? d->peek_timeout_ms : DEFAULT_PEEK_MS);
        update_events(st, slot); /* adding an edge-triggered socket reports bytes already there */
        return;
    case RELAY_SPLICE:
    case RELAY_STREAM:
        start_connect(st, slot);
        return;
    case RELAY_REFUSE:
        break;
    }
    refuse(st, slot, d->message[0] ? d->message : "refused by the relay's policy");
}

static void ask_policy(struct relay_state *st, unsigned slot, bool first)
{
    struct relay_conn *c = &st->conns[slot];
    c->decision = (struct relay_decision){.verdict = RELAY_REFUSE};
    st->policy->decide(st->policy->opaque, &c->info, &c->decision);
    c->decision.message[sizeof c->decision.message - 1] = '\0';
    apply_decision(st, slot, first);
}

static void peek_ready(struct relay_state *st, unsigned slot, uint32_t events, bool timed_out)
{
    static uint8_t peeked[RELAY_MAX_PEEK];
    struct relay_conn *c = &st->conns[slot];
    if (events & EPOLLERR) {
        end_conn(st, slot, END_CLOSE); /* the client reset: nobody to tell */
        return;
    }
    ssize_t n = recv(c->client_fd, peeked, c->decision.peek_bytes, MSG_PEEK | MSG_DONTWAIT);
    bool client_done = n == 0 || (events & (EPOLLRDHUP | EPOLLHUP));
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        end_conn(st, slot, END_CLOSE);
        return;
    }
    n = n < 0 ? 0 : n;
    if ((size_t)n < c->decision.peek_bytes && !client_done && !timed_out)
        return; /* more to come: the next edge */
    c->info.peeked = peeked;
    c->info.n_peeked = (size_t)n;
    c->info.peek_ended = (size_t)n < c->decision.peek_bytes;
    ask_policy(st, slot, false);
    if (c->state != CONN_FREE) {
        c->info.peeked = NULL; /* the buffer is the next peek's */
        c->info.n_peeked = 0;
    }
}

static void connect_ready(struct relay_state *st, unsigned slot)
{
    struct relay_conn *c = &st->conns[slot];
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->server_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == EINPROGRESS || err == EALREADY)
        return;
    char msg[RELAY_MESSAGE_MAX];
    if (err) {
        snprintf(msg, sizeof msg, "the relay cannot connect: %s", strerror(err));
        refuse(st, slot, msg);
        return;
    }
    int r = relay_conn_begin(c, st->policy);
    if (r < 0) {
        snprintf(msg, sizeof msg, "the relay cannot set the connection up: %s", strerror(-r));
        refuse(st, slot, msg);
        return;
    }
    c->state = CONN_RELAYING;
    c->deadline_ms = 0;
}

static void relay_step(struct relay_state *st, unsigned slot)
{
    static struct error cut; /* its 4 KiB off the stack of the loop */
    switch (relay_conn_step(&st->conns[slot], st->policy, &cut)) {
    case STEP_OK:
        update_events(st, slot);
        return;
    case STEP_FINISHED:
        end_conn(st, slot, END_CLOSE);
        return;
    case STEP_RESET_CLIENT:
        end_conn(st, slot, END_RESET_CLIENT);
        return;
    case STEP_RESET_SERVER:
        end_conn(st, slot, END_RESET_SERVER);
        return;
    case STEP_CUT:
        refuse(st, slot, cut.text);
        return;
    }
}

static int free_slot(const struct relay_state *st)
{
    for (unsigned i = 0; i < st->max_conns; i++)
        if (st->conns[i].state == CONN_FREE)
            return (int)i;
    return -1;
}

static void over_cap(struct relay_state *st, int fd)
{
    reset_and_close(fd);
    if (st->cap_reported)
        return;
    st->cap_reported = true;
    char msg[RELAY_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%u TCP connections are open at once, the most the relay serves: new ones are reset",
             st->max_conns);
    st->policy->report(st->policy->opaque, NULL, msg);
}

static void accept_one(struct relay_state *st, int fd)
{
    int slot = free_slot(st);
    if (slot < 0) {
        over_cap(st, fd);
        return;
    }
    struct relay_conn *c = &st->conns[slot];
    relay_conn_init(c, fd);
    c->state = CONN_PEEKING;
    st->generation[slot]++;
    st->n_conns++;
    socklen_t len = sizeof c->info.client;
    getpeername(fd, (struct sockaddr *)&c->info.client, &len);
    int r = relay_original_dst(fd, &c->info.destination);
    if (r < 0) {
        char msg[RELAY_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "cannot tell where the connection was going (%s): not redirected to the relay?",
                 strerror(-r));
        refuse(st, (unsigned)slot, msg);
        return;
    }
    r = relay_dst_is_listener(fd, &c->info.destination, &c->info.client);
    if (r != 0) {
        refuse(st, (unsigned)slot,
               r > 0 ? "the connection was made to the relay's own listener, which is never relayed"
                     : "cannot tell whether the connection was made to the relay's own listener: not relayed");
        return;
    }
    ask_policy(st, (unsigned)slot, true);
}

static void accept_ready(struct relay_state *st, int listen_fd)
{
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                warnx_clbox("the TCP relay cannot accept a connection: %s", strerror(errno));
            return; /* EMFILE and the like: the connection waits in the backlog */
        }
        accept_one(st, fd);
    }
}

static void dispatch(struct relay_state *st, const struct epoll_event *ev)
{
    int kind = (int)(ev->data.u64 & 3);
    unsigned slot = (unsigned)(ev->data.u64 >> 2 & 0x3fffffff);
    if (kind == KIND_LISTENER) {
        accept_ready(st, st->cfg->listen_fds[slot]);
        return;
    }
    if (slot >= st->max_conns || st->generation[slot] != (uint32_t)(ev->data.u64 >> 32))
        return; /* a connection ended earlier in this batch */
    switch (st->conns[slot].state) {
    case CONN_PEEKING:
        peek_ready(st, slot, ev->events, false);
        return;
    case CONN_CONNECTING:
        connect_ready(st, slot);
        break;
    case CONN_RELAYING:
        break;
    case CONN_FREE:
        return;
    }
    if (st->conns[slot].state == CONN_RELAYING)
        relay_step(st, slot);
}

static void expire(struct relay_state *st, uint64_t now)
{
    for (unsigned i = 0; i < st->max_conns; i++) {
        struct relay_conn *c = &st->conns[i];
        if (c->state == CONN_PEEKING && c->deadline_ms <= now)
            peek_ready(st, i, 0, true);
        else if (c->state == CONN_CONNECTING && c->deadline_ms <= now)
            refuse(st, i, "the relay's connection to it timed out");
    }
}

static int next_timeout(const struct relay_state *st, uint64_t now)
{
    uint64_t next = now + 60000;
    for (unsigned i = 0; i < st->max_conns; i++) {
        const struct relay_conn *c = &st->conns[i];
        if ((c->state == CONN_PEEKING || c->state == CONN_CONNECTING) && c->deadline_ms < next)
            next = c->deadline_ms;
    }
    return next > now ? (int)(next - now) : 0;
}

static int compare_ints(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* The relay keeps only stderr, its listeners and what the policy asked for. */
static void close_other_fds(const struct relay_config *cfg)
{
    int keep[1 + RELAY_MAX_LISTENERS + RELAY_MAX_KEEP_FDS];
    size_t n = 0;
    keep[n++] = STDERR_FILENO;
    for (size_t i = 0; i < RELAY_MAX_LISTENERS; i++)
        if (cfg->listen_fds[i] > STDERR_FILENO)
            keep[n++] = cfg->listen_fds[i];
    for (size_t i = 0; i < RELAY_MAX_KEEP_FDS; i++)
        if (cfg->keep_fds[i] > STDERR_FILENO)
            keep[n++] = cfg->keep_fds[i];
    qsort(keep, n, sizeof keep[0], compare_ints);
    for (size_t i = 0; i < n; i++) {
        int from = i == 0 ? 0 : keep[i - 1] + 1;
        if (keep[i] > from)
            syscall(SYS_close_range, (unsigned)from, (unsigned)keep[i] - 1, 0);
    }
    syscall(SYS_close_range, (unsigned)keep[n - 1] + 1, ~0u, 0);
}

/* Once its descriptors are its own: no way back to files, privileges or
 * other processes. */
static void lock_down(void)
{
    struct error err = {0};
    /* A write to a socket the peer has reset is an error to pass on, not a
     * signal that ends the relay. */
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die_errno(errno, "cannot confine the TCP relay: %m");
    if (seccomp_install_relay(&err) < 0)
        die_error(&err);
}

static void init_state(struct relay_state *st, const struct relay_config *cfg)
{
    *st = (struct relay_state){
        .cfg = cfg,
        .policy = cfg->policy,
        .max_conns = cfg->max_conns ? cfg->max_conns : RELAY_DEFAULT_MAX_CONNS,
        .connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : RELAY_DEFAULT_CONNECT_MS,
    };
    if (!st->policy || !st->policy->decide || !st->policy->report)
        die("the TCP relay was started without a policy");
    st->conns = xcalloc(st->max_conns, sizeof *st->conns);
    st->generation = xcalloc(st->max_conns, sizeof *st->generation);
    for (unsigned i = 0; i < st->max_conns; i++)
        relay_conn_init(&st->conns[i], -1);
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (st->epfd < 0)
        die_errno(errno, "the TCP relay cannot create its epoll set: %m");
    for (unsigned i = 0; i < RELAY_MAX_LISTENERS; i++) {
        if (cfg->listen_fds[i] < 0)
            continue;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i << 2 | KIND_LISTENER};
        if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, cfg->listen_fds[i], &ev) < 0)
            die_errno(errno, "the TCP relay cannot wait on its listening socket: %m");
    }
}

_Noreturn void relay_run(const struct relay_config *cfg)
{
    static struct relay_state st;
    close_other_fds(cfg);
    init_state(&st, cfg); /* its epoll set is made after the others are closed */
    lock_down();
    for (;;) {
        struct epoll_event events[MAX_EVENTS];
        int n = epoll_wait(st.epfd, events, MAX_EVENTS, next_timeout(&st, now_ms()));
        if (n < 0 && errno != EINTR)
            die_errno(errno, "the TCP relay cannot wait for connections: %m");
        for (int i = 0; i < n; i++)
            dispatch(&st, &events[i]);
        expire(&st, now_ms());
    }
}

pid_t relay_start(const struct relay_config *cfg, struct error *err)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return error_errno(err, errno, "cannot start the TCP relay: %m (too many processes? try again)");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) /* the parent died before PR_SET_PDEATHSIG took */
            _exit(EXIT_CLBOX_ERROR);
        relay_run(cfg);
    }
    return pid;
}
