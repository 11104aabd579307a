#include "netns/gate/gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "netns/gate/gate_dns.h"
#include "netns/kernel/nflog.h"
#include "seccomp/gate_filter.h"

static void read_upstreams(struct gate_config *cfg)
{
    autofree char *text = read_small_file("/etc/resolv.conf", 65536);
    char *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line && cfg->n_upstreams < GATE_MAX_UPSTREAMS;
         line = strtok_r(NULL, "\n", &save)) {
        char server[128];
        if (sscanf(line, " nameserver %127s", server) != 1)
            continue;
        struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_DGRAM};
        struct addrinfo *res = NULL;
        if (getaddrinfo(server, "53", &hints, &res) == 0 && res) {
            memcpy(&cfg->upstreams[cfg->n_upstreams++], res->ai_addr, res->ai_addrlen);
            freeaddrinfo(res);
        }
    }
}

void gate_prepare(struct gate_config *cfg)
{
    read_upstreams(cfg);
}

void gate_forget(struct gate_config *cfg)
{
    if (cfg->log_file_fd >= 0)
        close(cfg->log_file_fd);
    cfg->log_file_fd = -1;
}

static void serve_udp(struct gate_state *g)
{
    static uint8_t buf[GATE_MAX_QUERY + 1];
    for (int i = 0; i < 64; i++) { /* drain what is queued, but let others in */
        struct gate_client c = {.tcp_slot = -1, .addr_len = sizeof c.addr};
        ssize_t n = recvfrom(g->cfg->udp_fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&c.addr, &c.addr_len);
        if (n < 0)
            return;
        gate_handle_query(g, buf, (size_t)n, &c);
    }
}

static void report_packet(const struct nflog_packet *pkt, void *opaque)
{
    struct gate_state *g = opaque;
    char addr[INET6_ADDRSTRLEN], key[128];
    inet_ntop(pkt->family, pkt->daddr, addr, sizeof addr);
    const char *proto = pkt->protocol == IPPROTO_TCP ? "tcp" : pkt->protocol == IPPROTO_UDP ? "udp" : NULL;
    const char *why = pkt->dport == 53 || pkt->dport == 853 ? "DNS goes only through clbox's gate"
                                                            : "no allowlisted name resolved to it";
    snprintf(key, sizeof key, "conn %s %u %u", addr, pkt->protocol, pkt->dport);
    if (proto && pkt->family == AF_INET6)
        gate_report(&g->reporter, key, "blocked connection to [%s]:%u/%s (%s)", addr, pkt->dport, proto, why);
    else if (proto)
        gate_report(&g->reporter, key, "blocked connection to %s:%u%s (%s)", addr, pkt->dport,
                    pkt->protocol == IPPROTO_UDP ? "/udp" : "", why);
    else
        gate_report(&g->reporter, key, "blocked %s packet to %s (%s)",
                    pkt->protocol == IPPROTO_ICMP || pkt->protocol == IPPROTO_ICMPV6 ? "ICMP" : "a", addr,
                    "only TCP and UDP to allowlisted addresses leave the sandbox");
}

static void read_firewall_log(struct gate_state *g)
{
    static char buf[65536];
    ssize_t n = recv(g->cfg->log_fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0)
        nflog_parse(buf, (size_t)n, report_packet, g);
}

/* The gate keeps only its own sockets, stderr and the log file. */
static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void close_other_fds(const struct gate_config *cfg)
{
    int keep[] = {2, cfg->udp_fd, cfg->tcp_fd, cfg->nft_fd, cfg->log_fd, cfg->log_file_fd};
    size_t n = sizeof keep / sizeof keep[0];
    qsort(keep, n, sizeof keep[0], compare_ints);
    /* Close the gaps between the kept descriptors, then all above them. */
    for (size_t i = 0; i < n; i++) {
        int from = i == 0 ? 3 : keep[i - 1] + 1;
        if (keep[i] > from)
            syscall(SYS_close_range, (unsigned)from, (unsigned)keep[i] - 1, 0);
    }
    syscall(SYS_close_range, (unsigned)keep[n - 1] + 1, ~0u, 0);
}

static void confine(const struct gate_config *cfg)
{
    struct error err = {0};
    close_other_fds(cfg);
    tzset(); /* reads /etc/localtime now, before files are out of reach */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die_errno(errno, "cannot confine the DNS gate: %m");
    if (seccomp_install_gate(&err) < 0)
        die_error(&err);
}

static volatile sig_atomic_t stopping;
static void on_stop(int sig) { (void)sig, stopping = 1; }

/* What the gate waits for: its three sockets, then each upstream query and
 * TCP connection in progress; `next_ms` becomes the nearest deadline. */
struct wait_set {
    struct pollfd fds[3 + GATE_MAX_PENDING + GATE_MAX_TCP_CLIENTS];
    struct gate_pending *pending[3 + GATE_MAX_PENDING + GATE_MAX_TCP_CLIENTS];
    struct gate_tcp_client *tcp[3 + GATE_MAX_PENDING + GATE_MAX_TCP_CLIENTS];
    nfds_t n;
    uint64_t next_ms;
};
enum { FIXED_FDS = 3 };

static void collect(struct gate_state *g, struct wait_set *w, uint64_t now)
{
    memset(w->pending, 0, sizeof w->pending);
    memset(w->tcp, 0, sizeof w->tcp);
    w->fds[0] = (struct pollfd){.fd = g->cfg->udp_fd, .events = POLLIN};
    w->fds[1] = (struct pollfd){.fd = g->cfg->tcp_fd, .events = POLLIN};
    w->fds[2] = (struct pollfd){.fd = g->cfg->log_fd, .events = POLLIN};
    w->n = FIXED_FDS;
    w->next_ms = now + 1000;
    for (size_t i = 0; i < GATE_MAX_PENDING; i++) {
        if (!g->pending[i].used)
            continue;
        w->pending[w->n] = &g->pending[i];
        w->fds[w->n++] = (struct pollfd){.fd = g->pending[i].upstream_fd, .events = POLLIN};
        if (g->pending[i].deadline_ms < w->next_ms)
            w->next_ms = g->pending[i].deadline_ms;
    }
    gate_tcp_poll_set(g, w->fds, w->tcp, &w->n, &w->next_ms);
}

static void dispatch(struct gate_state *g, struct wait_set *w)
{
    if (w->fds[0].revents)
        serve_udp(g);
    if (w->fds[1].revents)
        gate_tcp_accept(g);
    if (w->fds[2].revents)
        read_firewall_log(g);
    for (nfds_t i = FIXED_FDS; i < w->n; i++) {
        if (!w->fds[i].revents)
            continue;
        if (w->pending[i] && w->pending[i]->used)
            gate_handle_upstream(g, w->pending[i]);
        else if (w->tcp[i])
            gate_tcp_ready(g, w->tcp[i]);
    }
}

_Noreturn void gate_run(struct gate_config *cfg)
{
    static struct gate_state g;
    static struct wait_set w;
    message_set_speaker("gate");
    /* SIGTERM from the launcher when the sandbox has ended: report what the
     * firewall logged in its last moments, then go. */
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGTERM, &sa, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    confine(cfg);
    g.cfg = cfg;
    g.reporter = (struct gate_reporter){.quiet = cfg->quiet, .log_file_fd = cfg->log_file_fd};
    for (size_t i = 0; i < GATE_MAX_PENDING; i++)
        g.pending[i].upstream_fd = -1;
    for (size_t i = 0; i < GATE_MAX_TCP_CLIENTS; i++)
        g.tcp[i].fd = -1;
    for (;;) {
        uint64_t now = gate_now_ms();
        collect(&g, &w, now);
        if (stopping) {
            read_firewall_log(&g);
            _exit(0);
        }
        int r = poll(w.fds, w.n, w.next_ms > now ? (int)(w.next_ms - now) : 0);
        if (r < 0 && errno != EINTR)
            die_errno(errno, "the DNS gate cannot wait for queries: %m");
        if (r > 0)
            dispatch(&g, &w);
        now = gate_now_ms();
        gate_expire(&g, now);
        gate_tcp_expire(&g, now);
    }
}
