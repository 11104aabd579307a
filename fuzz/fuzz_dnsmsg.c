/* libFuzzer target for netns/dnsmsg.c, the DNS gate's parser and rebuilder.
 *
 * Input: one byte S, then S bytes of query (clamped to what is there), then
 * the upstream response. The whole input is also tried as a query. Output
 * buffers are allocated at their exact capacity, so AddressSanitizer catches
 * a write even one byte past it. Invariants checked beyond "no crash":
 *  - a parsed query has a sane name;
 *  - the gate's own answer to a parsed query is accepted as a response to it;
 *  - a rebuilt response is accepted again, byte for byte unchanged, with the
 *    same addresses (nothing the first pass refused can come back);
 *  - truncation always fits the limit and stays a valid response. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/dnsmsg.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            __builtin_trap();                                                                                          \
    } while (0)

enum { MAX_ADDRS = 64, BIG = 1 << 17 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Refuses every other address, by the parity of its last byte, so that the
 * decision is the same when the rebuilt response is filtered again. */
static bool keep_even(int family, const uint8_t *addr, void *ctx)
{
    (void)ctx;
    CHECK(family == AF_INET || family == AF_INET6);
    return (addr[family == AF_INET ? 3 : 15] & 1) == 0;
}

static uint8_t *exact(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    CHECK(p);
    return p;
}

static void check_query(const struct dns_query_info *q)
{
    size_t n = strlen(q->q.name);
    CHECK(n < DNS_NAME_MAX);
    CHECK(q->wire_name_len >= 1 && q->wire_name_len <= DNS_WIRE_NAME_MAX);
    CHECK(q->wire_name_len == (n ? n + 2 : 1));
    for (size_t i = 0; i < n; i++) {
        char c = q->q.name[i];
        CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    }
    CHECK(!q->has_edns || q->edns_udp_size >= 512);
}

/* The gate's own answers: within capacity, and accepted as responses. */
static void fuzz_build_error(const uint8_t *msg, size_t len, const struct dns_query_info *q, bool parsed)
{
    int rcode = len ? msg[len - 1] & 15 : DNS_RCODE_NXDOMAIN;
    size_t cap = 12 + (len * 7) % 600;
    uint8_t *out = exact(cap);
    int n = dns_build_error(msg, len, rcode, out, cap);
    CHECK(n == DNS_E_NOSPACE || n == DNS_E_SHORT || n == DNS_E_HEADER || (n >= 12 && (size_t)n <= cap));
    if (parsed) {
        CHECK(n >= 12 || n == DNS_E_NOSPACE);
        if (n >= 12) {
            uint8_t *back = exact((size_t)n);
            struct dns_filter_result res;
            CHECK(dns_filter_response(out, (size_t)n, q, NULL, NULL, back, (size_t)n, NULL, 0, &res) == 0);
            CHECK(res.rcode == rcode && res.len == (size_t)n && res.n_addrs == 0);
            if (q->has_edns) { /* the OPT record (last) now carries the client's size */
                out[n - 8] = (uint8_t)(q->edns_udp_size >> 8);
                out[n - 7] = (uint8_t)q->edns_udp_size;
            }
            CHECK(!memcmp(back, out, (size_t)n));
            free(back);
        }
    }
    free(out);
}

static void fuzz_truncate(const uint8_t *msg, size_t len, const struct dns_query_info *q, bool valid, size_t limit)
{
    uint8_t *t = exact(len);
    memcpy(t, msg, len);
    int n = dns_truncate_for_udp(t, len, limit);
    if (valid && n == DNS_E_NOSPACE) {
        CHECK(limit < 12 + q->wire_name_len + 4); /* not even the question fits */
    } else if (valid) {
        CHECK(n >= 12 && (size_t)n <= limit);
        if (len <= limit)
            CHECK((size_t)n == len && !memcmp(t, msg, len));
        uint8_t *back = exact((size_t)n);
        struct dns_filter_result res;
        CHECK(dns_filter_response(t, (size_t)n, q, NULL, NULL, back, (size_t)n, NULL, 0, &res) == 0);
        CHECK(len <= limit || (res.truncated && res.n_addrs == 0));
        free(back);
    } else {
        CHECK(n < 0 || (size_t)n <= (len > limit ? limit : len));
    }
    free(t);
}

static void fuzz_filter(const uint8_t *resp, size_t len, const struct dns_query_info *q, size_t small_cap,
                        size_t limit)
{
    struct dns_addr addrs[MAX_ADDRS], addrs2[MAX_ADDRS];
    struct dns_filter_result res, res2;

    /* A tight buffer: either it fits or it is DNS_E_NOSPACE, never a write past it. */
    uint8_t *out = exact(small_cap);
    int r = dns_filter_response(resp, len, q, keep_even, NULL, out, small_cap, addrs, MAX_ADDRS, &res);
    CHECK(r <= 0 && r >= DNS_E_ARG && r != DNS_E_ARG);
    CHECK(r || res.len <= small_cap);
    free(out);

    /* Room for anything (decompression can grow a message a lot). */
    static uint8_t big[BIG];
    out = big;
    r = dns_filter_response(resp, len, q, keep_even, NULL, out, BIG, addrs, MAX_ADDRS, &res);
    if (r == 0) {
        CHECK(res.len >= 12 && res.len <= BIG && res.n_addrs <= MAX_ADDRS && res.n_refused <= res.n_dropped);
        for (size_t i = 0; i < res.n_addrs; i++)
            CHECK(keep_even(addrs[i].family, addrs[i].addr, NULL) && addrs[i].ttl <= INT32_MAX);
        uint8_t *out2 = exact(res.len);
        CHECK(dns_filter_response(out, res.len, q, keep_even, NULL, out2, res.len, addrs2, MAX_ADDRS, &res2) == 0);
        CHECK(res2.len == res.len && !memcmp(out2, out, res.len));
        CHECK(res2.n_addrs == res.n_addrs && res2.n_refused == 0 && res2.rcode == res.rcode);
        CHECK(res2.truncated == res.truncated);
        CHECK(!memcmp(addrs2, addrs, res.n_addrs * sizeof addrs[0]));
        free(out2);
        fuzz_truncate(out, res.len, q, true, 512);
        fuzz_truncate(out, res.len, q, true, limit);
    }
    fuzz_truncate(resp, len, q, false, limit);
}

/* Used when the query part does not parse, so responses still get fuzzed:
 * "a.test" type A, without and with EDNS. */
static const uint8_t canned[2][35] = {
    {0x42, 0x42, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1},
    {0x42, 0x42, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
     0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_query_info q;
    bool ok = dns_parse_query(data, size, &q) == 0;
    if (ok)
        check_query(&q);
    fuzz_build_error(data, size, &q, ok);
    if (size < 1)
        return 0;

    size_t qlen = data[0] < size - 1 ? data[0] : size - 1;
    const uint8_t *query = data + 1, *resp = data + 1 + qlen;
    size_t rlen = size - 1 - qlen;
    if (dns_parse_query(query, qlen, &q) == 0) {
        check_query(&q);
        fuzz_build_error(query, qlen, &q, true);
    } else {
        bool edns = data[0] & 1;
        CHECK(dns_parse_query(canned[edns], edns ? 35 : 24, &q) == 0);
    }
    fuzz_filter(resp, rlen, &q, 12 + (size * 13) % 700, size > 1 ? (size_t)data[size - 1] * 3 : 512);
    return 0;
}
