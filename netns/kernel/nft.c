#include "netns/kernel/nft.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

struct text {
    char *buf;
    size_t len, cap;
    bool overflow;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len) {
        t->overflow = true;
        t->len = t->cap - 1;
        return;
    }
    t->len += (size_t)n;
}

/* The literal rules naming one exact address (exact = true), or the ranges. */
static void put_address_rules(struct text *t, const struct allowlist *list, bool exact)
{
    for (size_t i = 0; list && i < list->n_allow; i++) {
        const struct allow_rule *r = &list->allow[i];
        if (r->kind != ALLOW_ADDRESS || allow_rule_is_exact(r) != exact)
            continue;
        char addr[INET6_ADDRSTRLEN];
        inet_ntop(r->family, r->addr, addr, sizeof addr);
        put(t, "    %s daddr %s/%u", r->family == AF_INET ? "ip" : "ip6", addr, r->prefix_len);
        if (r->port)
            put(t, " meta l4proto { tcp, udp } th dport %u", r->port);
        put(t, " accept\n");
    }
}

static size_t count_family(const struct carveouts *list, int family)
{
    size_t n = 0;
    for (size_t i = 0; list && i < list->n; i++)
        n += list->items[i].family == family;
    return n;
}

static void put_carveout_set(struct text *t, const struct carveouts *list, int family)
{
    if (!count_family(list, family))
        return;
    put(t, "  set %s { type %s; flags interval; elements = {", family == AF_INET ? NFT_SET_CARVE4 : NFT_SET_CARVE6,
        family == AF_INET ? "ipv4_addr" : "ipv6_addr");
    const char *sep = " ";
    for (size_t i = 0; i < list->n; i++) {
        if (list->items[i].family != family)
            continue;
        char text[INET6_ADDRSTRLEN + 8];
        carveout_format(&list->items[i], text, sizeof text);
        put(t, "%s%s", sep, text);
        sep = ", ";
    }
    put(t, " }; }\n");
}

int nft_ruleset_text(const struct nft_policy *policy, char *out, size_t outlen)
{
    struct text t = {.buf = out, .cap = outlen};
    out[0] = '\0';
    put(&t, "table inet " NFT_TABLE " {\n");
    put(&t, "  set " NFT_SET_ALLOW4 " { type ipv4_addr; flags timeout; }\n");
    put(&t, "  set " NFT_SET_ALLOW4_PORT " { type ipv4_addr . inet_service; flags timeout; }\n");
    put(&t, "  set " NFT_SET_ALLOW6 " { type ipv6_addr; flags timeout; }\n");
    put(&t, "  set " NFT_SET_ALLOW6_PORT " { type ipv6_addr . inet_service; flags timeout; }\n");
    put_carveout_set(&t, policy->carveouts, AF_INET);
    put_carveout_set(&t, policy->carveouts, AF_INET6);
    /* Refused: logged for the report, then rejected at once.  A TCP reset
     * fails even a blocking connect() at once; an ICMP error would reach a
     * socket still locked by that connect() and wait for the SYN's
     * retransmission, a second later. */
    put(&t, "  chain refuse {\n    log group %d\n", NFT_LOG_GROUP);
    put(&t, "    meta l4proto tcp reject with tcp reset\n");
    put(&t, "    reject with icmpx admin-prohibited\n  }\n");
    put(&t, "  chain out {\n    type filter hook output priority 0; policy drop;\n");
    put(&t, "    oif lo accept\n");
    put(&t, "    ct state established,related accept\n");
    if (policy->n_host_ports > 0) {
        put(&t, "    ip daddr " SLIRP_HOST_ADDR " tcp dport {");
        for (size_t i = 0; i < policy->n_host_ports; i++)
            put(&t, "%s %u", i ? "," : "", policy->host_ports[i]);
        put(&t, " } accept\n");
    }
    /* Before any allow: slirp4netns's network (the host's loopback, its DNS
     * forwarder) only through the host ports above, whatever --allow says;
     * and DNS only through the gate, so that no allowed address can serve
     * as a resolver for names the gate refused. */
    put(&t, "    ip daddr " SLIRP_NET " goto refuse\n");
    put(&t, "    meta l4proto { tcp, udp } th dport { 53, 853 } goto refuse\n");
    /* No IPv6 route leaves the sandbox; the kernel's own neighbour and
     * multicast chatter on tap0 is refused without a report. */
    put(&t, "    meta nfproto ipv6 reject with icmpx admin-prohibited\n");
    /* An exact address the user named is theirs to reach; then what
     * reaches this machine is refused, whatever range holds it, and so
     * are the answers of allowlisted names (the gate removes them too). */
    put_address_rules(&t, policy->allowlist, true);
    if (count_family(policy->carveouts, AF_INET))
        put(&t, "    ip daddr @" NFT_SET_CARVE4 " goto refuse\n");
    if (count_family(policy->carveouts, AF_INET6))
        put(&t, "    ip6 daddr @" NFT_SET_CARVE6 " goto refuse\n");
    put_address_rules(&t, policy->allowlist, false);
    put(&t, "    ip daddr @" NFT_SET_ALLOW4 " accept\n");
    put(&t, "    ip daddr . th dport @" NFT_SET_ALLOW4_PORT " accept\n");
    put(&t, "    ip6 daddr @" NFT_SET_ALLOW6 " accept\n");
    put(&t, "    ip6 daddr . th dport @" NFT_SET_ALLOW6_PORT " accept\n");
    put(&t, "    goto refuse\n");
    put(&t, "  }\n}\n");
    return t.overflow ? -1 : (int)t.len;
}

/* libnftables is opened only when a ruleset is loaded: it brings five more
 * libraries (jansson, xtables, gmp, nftnl, mnl), and their loading and
 * relocation would otherwise be paid by every start, --net none included. */
#define NFT_SONAME "libnftables.so.1"
static struct {
    bool loaded;
    typeof(&nft_ctx_new) ctx_new;
    typeof(&nft_ctx_buffer_error) buffer_error;
    typeof(&nft_ctx_buffer_output) buffer_output;
    typeof(&nft_run_cmd_from_buffer) run_cmd;
    typeof(&nft_ctx_get_error_buffer) error_buffer;
    typeof(&nft_ctx_free) ctx_free;
} nft;

int nft_load(struct error *err)
{
    if (nft.loaded)
        return 0;
    void *lib = dlopen(NFT_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        error_set(err, "cannot load %s, which the filtered network needs: %s (install libnftables1, or run "
                  "with --net none)", NFT_SONAME, dlerror());
        return -1;
    }
    nft.ctx_new = (typeof(nft.ctx_new))dlsym(lib, "nft_ctx_new");
    nft.buffer_error = (typeof(nft.buffer_error))dlsym(lib, "nft_ctx_buffer_error");
    nft.buffer_output = (typeof(nft.buffer_output))dlsym(lib, "nft_ctx_buffer_output");
    nft.run_cmd = (typeof(nft.run_cmd))dlsym(lib, "nft_run_cmd_from_buffer");
    nft.error_buffer = (typeof(nft.error_buffer))dlsym(lib, "nft_ctx_get_error_buffer");
    nft.ctx_free = (typeof(nft.ctx_free))dlsym(lib, "nft_ctx_free");
    if (!nft.ctx_new || !nft.buffer_error || !nft.buffer_output || !nft.run_cmd || !nft.error_buffer ||
        !nft.ctx_free) {
        error_set(err, "%s lacks the functions clbox uses (install libnftables1 0.9.3 or later)", NFT_SONAME);
        dlclose(lib);
        return -1;
    }
    nft.loaded = true; /* never closed: the process that loads a ruleset is short-lived or init */
    return 0;
}

int nft_install(const struct nft_policy *policy, struct error *err)
{
    if (nft_load(err) < 0)
        return -1;
    size_t cap = 4096 + 128 * (policy->allowlist ? policy->allowlist->n_allow : 0) + 8 * policy->n_host_ports +
                 64 * (policy->carveouts ? policy->carveouts->n : 0);
    char *ruleset = malloc(cap);
    if (!ruleset || nft_ruleset_text(policy, ruleset, cap) < 0) {
        free(ruleset);
        error_set(err, "cannot build the firewall ruleset (out of memory)");
        return -1;
    }
    struct nft_ctx *ctx = nft.ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
        free(ruleset);
        error_set(err, "cannot start nftables (out of memory)");
        return -1;
    }
    nft.buffer_error(ctx);
    nft.buffer_output(ctx);
    int rc = nft.run_cmd(ctx, ruleset);
    if (rc != 0) {
        const char *why = nft.error_buffer(ctx);
        error_set(err, "cannot load the firewall into the sandbox's network namespace: %.*s",
                  (int)strcspn(why ? why : "unknown error", "\n"), why ? why : "unknown error");
    }
    nft.ctx_free(ctx);
    free(ruleset);
    return rc == 0 ? 0 : -1;
}
