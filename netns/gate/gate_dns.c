#include "netns/gate/gate_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "netns/codec/addrclass.h"
#include "netns/kernel/nftset.h"

enum {
    UPSTREAM_TIMEOUT_MS = 2000,
    TCP_TIMEOUT_MS = 3000,
    MIN_ALLOW_SECONDS = 60,    /* a CDN's 5-second TTL must not cut a download short */
    MAX_ALLOW_SECONDS = 86400,
    MAX_ADDRS = 128,
};

uint64_t gate_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void send_to_client(struct gate_state *g, const struct gate_client *c, const struct dns_query_info *q,
                           uint8_t *msg, size_t len)
{
    if (c->tcp_slot >= 0) {
        gate_tcp_answer(g, c, msg, len);
        return;
    }
    size_t limit = q && q->has_edns && q->edns_udp_size > 512 ? q->edns_udp_size : 512;
    if (limit > 1232)
        limit = 1232; /* no fragments on the loopback path either */
    if (len > limit) {
        int t = dns_truncate_for_udp(msg, len, limit);
        if (t < 0)
            return;
        len = (size_t)t;
    }
    sendto(g->cfg->udp_fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&c->addr, c->addr_len);
}

static void answer_error(struct gate_state *g, const uint8_t *query, size_t qlen, const struct dns_query_info *q,
                         int rcode, const struct gate_client *c)
{
    uint8_t out[GATE_MAX_QUERY + 64];
    int n = dns_build_error(query, qlen, rcode, out, sizeof out);
    if (n > 0)
        send_to_client(g, c, q, out, (size_t)n);
    else if (c->tcp_slot >= 0)
        gate_tcp_drop(g, c);
}

static void report_refused_name(struct gate_state *g, const char *name, bool denied)
{
    size_t n = strlen(name);
    if (n >= 5 && strcmp(name + n - 5, ".arpa") == 0)
        return; /* reverse lookups: routine, not worth a line */
    char key[300];
    snprintf(key, sizeof key, "dns %s", name);
    if (denied)
        gate_report(&g->reporter, key, "blocked DNS lookup of %s (denied by --deny)", name);
    else
        gate_report(&g->reporter, key, "blocked DNS lookup of %s (not allowlisted; add --allow %s)", name, name);
}

/* An allowlisted name asked with a type the gate does not forward. */
static void report_refused_type(struct gate_state *g, const struct dns_query_info *q)
{
    char type[16], key[300];
    const char *known = dns_type_name(q->q.qtype);
    if (known)
        snprintf(type, sizeof type, "%s", known);
    else
        snprintf(type, sizeof type, "TYPE%u", q->q.qtype);
    snprintf(key, sizeof key, "qtype %s %s", type, q->q.name);
    gate_report(&g->reporter, key, "refused a %s query for %s (only A, AAAA, CNAME, HTTPS and SVCB queries are "
                "forwarded)", type, q->q.name);
}

static struct gate_pending *free_slot(struct gate_state *g)
{
    for (size_t i = 0; i < GATE_MAX_PENDING; i++)
        if (!g->pending[i].used)
            return &g->pending[i];
    return NULL;
}

/* Sends p's query to upstream number p->server with a fresh random id. */
static int forward(struct gate_state *g, struct gate_pending *p)
{
    const struct sockaddr_storage *up = &g->cfg->upstreams[p->server];
    if (p->upstream_fd >= 0)
        close(p->upstream_fd);
    p->upstream_fd = socket(up->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->upstream_fd < 0)
        return -1;
    socklen_t len = up->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (getrandom(&p->upstream_id, sizeof p->upstream_id, 0) != sizeof p->upstream_id)
        p->upstream_id ^= (uint16_t)gate_now_ms();
    p->msg[0] = (uint8_t)(p->upstream_id >> 8);
    p->msg[1] = (uint8_t)p->upstream_id;
    if (connect(p->upstream_fd, (const struct sockaddr *)up, len) < 0 || send(p->upstream_fd, p->msg, p->msg_len, 0) < 0)
        return -1;
    p->deadline_ms = gate_now_ms() + UPSTREAM_TIMEOUT_MS;
    p->attempts++;
    return 0;
}

static void finish(struct gate_pending *p)
{
    if (p->upstream_fd >= 0)
        close(p->upstream_fd);
    p->upstream_fd = -1;
    p->used = false;
}

static void fail_pending(struct gate_state *g, struct gate_pending *p, const char *why)
{
    char key[300];
    snprintf(key, sizeof key, "servfail %s", p->query.q.name);
    gate_report(&g->reporter, key, "cannot resolve %s: %s", p->query.q.name, why);
    p->msg[0] = (uint8_t)(p->query.id >> 8);
    p->msg[1] = (uint8_t)p->query.id;
    answer_error(g, p->msg, p->msg_len, &p->query, DNS_RCODE_SERVFAIL, &p->client);
    finish(p);
}

/* What goes upstream is rebuilt, not the client's bytes: the header and the
 * question alone, its name in lower case.  EDNS options, padding and the
 * letters' case are the sandbox's to choose, and would otherwise reach the
 * servers of an allowlisted domain.  (Without EDNS an answer over 512
 * bytes comes truncated, and the gate asks again over TCP.) */
static size_t upstream_query(const uint8_t *msg, const struct dns_query_info *q, uint8_t *out)
{
    size_t question_end = 12 + q->wire_name_len + 4;
    memcpy(out, msg, question_end);
    out[2] &= 0x01; /* RD only: QR, opcode, AA and TC are 0 in a valid query */
    out[3] &= 0x10; /* CD only */
    memset(out + 6, 0, 6); /* ANCOUNT, NSCOUNT, ARCOUNT */
    for (size_t i = 12; i < 12 + q->wire_name_len; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (uint8_t)(out[i] - 'A' + 'a');
    return question_end;
}

void gate_handle_query(struct gate_state *g, const uint8_t *msg, size_t len, const struct gate_client *client)
{
    struct dns_query_info q;
    int perr = len > GATE_MAX_QUERY ? DNS_E_SHORT : dns_parse_query(msg, len, &q);
    if (perr < 0) {
        answer_error(g, msg, len, NULL, dns_error_rcode(perr), client);
        return;
    }
    struct allow_verdict verdict;
    allowlist_check(g->cfg->allowlist, q.q.name, &verdict);
    if (!verdict.allowed || verdict.denied) {
        /* Never forwarded: a refused name cannot carry data out. */
        report_refused_name(g, q.q.name, verdict.denied);
        answer_error(g, msg, len, &q, DNS_RCODE_NXDOMAIN, client);
        return;
    }
    if (!dns_qtype_forwarded(q.q.qtype)) {
        /* Never forwarded either: the types that carry free-form data. */
        report_refused_type(g, &q);
        answer_error(g, msg, len, &q, DNS_RCODE_REFUSED, client);
        return;
    }
    struct gate_pending *p = free_slot(g);
    if (!p || g->cfg->n_upstreams == 0) {
        answer_error(g, msg, len, &q, DNS_RCODE_SERVFAIL, client);
        if (g->cfg->n_upstreams == 0)
            gate_report(&g->reporter, "no upstream", "cannot resolve %s: the host's /etc/resolv.conf names no "
                        "nameserver", q.q.name);
        return;
    }
    *p = (struct gate_pending){.used = true, .upstream_fd = -1, .query = q, .client = *client};
    p->msg_len = upstream_query(msg, &q, p->msg);
    if (forward(g, p) < 0)
        fail_pending(g, p, strerror(errno));
}

/* Is this address one the sandbox may reach through an allowlisted name? */
struct keep_ctx {
    struct gate_state *g;
    const char *name;
};

static bool literal_allowed(const struct allowlist *list, int family, const uint8_t *addr)
{
    for (size_t i = 0; i < list->n_allow; i++) {
        const struct allow_rule *r = &list->allow[i];
        if (r->kind == ALLOW_ADDRESS && r->family == family && addr_in_prefix(family, addr, r->addr, r->prefix_len))
            return true;
    }
    return false;
}

static bool keep_address(int family, const uint8_t *addr, void *opaque)
{
    struct keep_ctx *k = opaque;
    if (family == AF_INET6)
        return false; /* the sandbox has no IPv6 route: clients fall back to IPv4 at once */
    enum addr_class c = addr_classify(family, addr);
    const char *why = NULL;
    if (carveouts_has_host(k->g->cfg->carveouts, family, addr))
        why = "one of this machine's own addresses";
    else if ((c == ADDR_PRIVATE || c == ADDR_SHARED_CGNAT) && !literal_allowed(k->g->cfg->allowlist, family, addr))
        why = "a private network address; allow it literally with --allow ADDRESS if you mean it";
    else if (c != ADDR_PUBLIC && c != ADDR_PRIVATE && c != ADDR_SHARED_CGNAT)
        why = addr_class_name(c);
    if (!why)
        return true;
    char text[INET6_ADDRSTRLEN], key[300];
    inet_ntop(family, addr, text, sizeof text);
    snprintf(key, sizeof key, "rebind %s %s", k->name, text);
    gate_report(&k->g->reporter, key, "removed %s from the answer for %s (%s)", text, k->name, why);
    return false;
}

/* Opens the firewall for the answer's addresses; only then may the answer
 * be relayed, so the client's first connection finds them allowed. */
static int allow_addresses(struct gate_state *g, const struct dns_query_info *q, const struct dns_addr *addrs,
                           size_t n)
{
    struct allow_verdict v;
    allowlist_check(g->cfg->allowlist, q->q.name, &v);
    struct nftset_entry entries[MAX_ADDRS * 2];
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t ttl = addrs[i].ttl < MIN_ALLOW_SECONDS ? MIN_ALLOW_SECONDS : addrs[i].ttl;
        if (ttl > MAX_ALLOW_SECONDS)
            ttl = MAX_ALLOW_SECONDS;
        struct nftset_entry e = {.family = addrs[i].family, .timeout_s = ttl};
        memcpy(e.addr, addrs[i].addr, sizeof e.addr);
        if (v.any_port && count < sizeof entries / sizeof entries[0])
            entries[count++] = e;
        for (size_t j = 0; !v.any_port && j < v.n_ports && count < sizeof entries / sizeof entries[0]; j++) {
            e.port = v.ports[j];
            entries[count++] = e;
        }
    }
    return count ? nftset_add(g->cfg->nft_fd, entries, count) : 0;
}

/* Reads exactly len bytes from a blocking fd (with its own timeout). */
static int read_exact(int fd, uint8_t *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* The same question over TCP, for an answer too large for UDP. */
static ssize_t ask_over_tcp(const struct sockaddr_storage *up, const uint8_t *msg, size_t len, uint8_t *out,
                            size_t outcap)
{
    autoclose int fd = socket(up->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = TCP_TIMEOUT_MS / 1000};
    socklen_t alen = up->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
        connect(fd, (const struct sockaddr *)up, alen) < 0 || write_all(fd, prefix, 2) < 0 ||
        write_all(fd, msg, len) < 0)
        return -1;
    uint8_t head[2];
    if (read_exact(fd, head, 2) < 0)
        return -1;
    size_t want = (size_t)head[0] << 8 | head[1];
    if (want == 0 || want > outcap || read_exact(fd, out, want) < 0)
        return -1;
    return (ssize_t)want;
}

void gate_handle_upstream(struct gate_state *g, struct gate_pending *p)
{
    static uint8_t answer[GATE_MAX_ANSWER], out[GATE_MAX_ANSWER];
    ssize_t n = recv(p->upstream_fd, answer, sizeof answer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        fail_pending(g, p, strerror(errno));
        return;
    }
    struct dns_query_info asked = p->query;
    asked.id = p->upstream_id;
    struct dns_addr addrs[MAX_ADDRS];
    struct dns_filter_result result;
    struct keep_ctx keep = {.g = g, .name = p->query.q.name};
    int r = dns_filter_response(answer, (size_t)n, &asked, keep_address, &keep, out, sizeof out, addrs, MAX_ADDRS,
                                &result);
    if (r == 0 && result.truncated) {
        n = ask_over_tcp(&g->cfg->upstreams[p->server], p->msg, p->msg_len, answer, sizeof answer);
        r = n < 0 ? -1
                  : dns_filter_response(answer, (size_t)n, &asked, keep_address, &keep, out, sizeof out, addrs,
                                        MAX_ADDRS, &result);
    }
    if (r < 0) {
        fail_pending(g, p, "the upstream resolver's answer was malformed or did not match the question");
        return;
    }
    int nr = allow_addresses(g, &p->query, addrs, result.n_addrs);
    if (nr < 0) {
        fail_pending(g, p, "the firewall refused its addresses");
        return;
    }
    out[0] = (uint8_t)(p->query.id >> 8);
    out[1] = (uint8_t)p->query.id;
    send_to_client(g, &p->client, &p->query, out, result.len);
    finish(p);
}

void gate_expire(struct gate_state *g, uint64_t now)
{
    for (size_t i = 0; i < GATE_MAX_PENDING; i++) {
        struct gate_pending *p = &g->pending[i];
        if (!p->used || now < p->deadline_ms)
            continue;
        if (p->attempts >= 2 * g->cfg->n_upstreams) {
            fail_pending(g, p, "no upstream resolver answered");
            continue;
        }
        p->server = (p->server + 1) % g->cfg->n_upstreams;
        if (forward(g, p) < 0)
            fail_pending(g, p, strerror(errno));
    }
}
