#include "gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
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

#include "../launcher/util.h"
#include "../seccomp/gate_filter.h"
#include "gate_dns.h"
#include "nflog.h"

enum { TCP_CLIENT_TIMEOUT_S = 1 };

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

static void read_host_addresses(struct gate_config *cfg)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) < 0)
        return;
    for (struct ifaddrs *i = list; i && cfg->n_host_addrs < GATE_MAX_HOST_ADDRS; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        int family = i->ifa_addr->sa_family;
        const void *addr = family == AF_INET    ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                           : family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr
                                                : NULL;
        if (!addr)
            continue;
        cfg->host_addrs[cfg->n_host_addrs].family = family;
        memcpy(cfg->host_addrs[cfg->n_host_addrs++].addr, addr, family == AF_INET ? 4 : 16);
    }
    freeifaddrs(list);
}

void gate_prepare(struct gate_config *cfg)
{
    read_upstreams(cfg);
    read_host_addresses(cfg);
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
        struct gate_client c = {.tcp_fd = -1, .addr_len = sizeof c.addr};
        ssize_t n = recvfrom(g->cfg->udp_fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&c.addr, &c.addr_len);
        if (n < 0)
            return;
        gate_handle_query(g, buf, (size_t)n, &c);
    }
}

/* One query per connection, read with a short timeout: a client that
 * stalls only delays itself by that much. */
static void serve_tcp(struct gate_state *g)
{
    struct gate_client c = {.addr_len = sizeof c.addr};
    c.tcp_fd = accept4(g->cfg->tcp_fd, (struct sockaddr *)&c.addr, &c.addr_len, SOCK_CLOEXEC);
    if (c.tcp_fd < 0)
        return;
    struct timeval tv = {.tv_sec = TCP_CLIENT_TIMEOUT_S};
    setsockopt(c.tcp_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c.tcp_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    uint8_t head[2], msg[GATE_MAX_QUERY];
    size_t len;
    if (gate_read_exact(c.tcp_fd, head, 2) < 0 || (len = (size_t)head[0] << 8 | head[1]) == 0 ||
        len > sizeof msg || gate_read_exact(c.tcp_fd, msg, len) < 0) {
        close(c.tcp_fd);
        return;
    }
    gate_handle_query(g, msg, len, &c);
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
    char err[256];
    close_other_fds(cfg);
    tzset(); /* reads /etc/localtime now, before files are out of reach */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("cannot confine the DNS gate: %s", strerror(errno));
    if (seccomp_install_gate(err, sizeof err) < 0)
        die("%s", err);
}

static volatile sig_atomic_t stopping;
static void on_stop(int sig) { (void)sig, stopping = 1; }

_Noreturn void gate_run(struct gate_config *cfg)
{
    static struct gate_state g;
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
    enum { FIXED = 3 };
    for (;;) {
        struct pollfd fds[FIXED + GATE_MAX_PENDING];
        struct gate_pending *owner[FIXED + GATE_MAX_PENDING] = {0};
        fds[0] = (struct pollfd){.fd = cfg->udp_fd, .events = POLLIN};
        fds[1] = (struct pollfd){.fd = cfg->tcp_fd, .events = POLLIN};
        fds[2] = (struct pollfd){.fd = cfg->log_fd, .events = POLLIN};
        nfds_t n = FIXED;
        uint64_t now = gate_now_ms(), next = now + 1000;
        for (size_t i = 0; i < GATE_MAX_PENDING; i++) {
            if (!g.pending[i].used)
                continue;
            owner[n] = &g.pending[i];
            fds[n++] = (struct pollfd){.fd = g.pending[i].upstream_fd, .events = POLLIN};
            if (g.pending[i].deadline_ms < next)
                next = g.pending[i].deadline_ms;
        }
        if (stopping) {
            read_firewall_log(&g);
            _exit(0);
        }
        int r = poll(fds, n, next > now ? (int)(next - now) : 0);
        if (r < 0 && errno != EINTR)
            die("the DNS gate cannot wait for queries: %s", strerror(errno));
        if (r > 0 && fds[0].revents)
            serve_udp(&g);
        if (r > 0 && fds[1].revents)
            serve_tcp(&g);
        if (r > 0 && fds[2].revents)
            read_firewall_log(&g);
        for (nfds_t i = FIXED; r > 0 && i < n; i++)
            if (fds[i].revents && owner[i]->used)
                gate_handle_upstream(&g, owner[i]);
        gate_expire(&g, gate_now_ms());
    }
}
