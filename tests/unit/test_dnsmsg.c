/* Unit tests for the DNS gate's message parser and rebuilder. Messages are
 * built byte by byte here, so every test shows exactly what is on the wire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/dnsmsg.h"

/* ---- A tiny message builder ---- */

struct mb {
    uint8_t b[8192];
    size_t n;
};

static void u8(struct mb *m, unsigned v)
{
    assert_true(m->n < sizeof m->b);
    m->b[m->n++] = (uint8_t)v;
}

static void u16(struct mb *m, unsigned v)
{
    u8(m, v >> 8);
    u8(m, v & 0xff);
}

static void u32(struct mb *m, uint32_t v)
{
    u16(m, v >> 16);
    u16(m, v & 0xffff);
}

static void raw(struct mb *m, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(m, ((const uint8_t *)p)[i]);
}

/* Labels of a dotted name; no terminator. */
static void labels(struct mb *m, const char *text)
{
    while (*text) {
        const char *dot = strchr(text, '.');
        size_t l = dot ? (size_t)(dot - text) : strlen(text);
        u8(m, (unsigned)l);
        raw(m, text, l);
        text += l + (dot ? 1 : 0);
    }
}

/* A whole uncompressed name ("" is the root). */
static void name(struct mb *m, const char *text)
{
    labels(m, text);
    u8(m, 0);
}

/* Labels then a compression pointer to off. */
static void name_ptr(struct mb *m, const char *prefix, unsigned off)
{
    labels(m, prefix);
    u16(m, 0xc000 | off);
}

static void hdr(struct mb *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    u16(m, id);
    u16(m, flags);
    u16(m, qd);
    u16(m, an);
    u16(m, ns);
    u16(m, ar);
}

/* Type, class, TTL and a length placeholder after an owner; returns where
 * the length goes, for rr_end(). */
static size_t rr(struct mb *m, unsigned type, unsigned cls, uint32_t ttl)
{
    u16(m, type);
    u16(m, cls);
    u32(m, ttl);
    size_t at = m->n;
    u16(m, 0);
    return at;
}

static void rr_end(struct mb *m, size_t at)
{
    size_t n = m->n - at - 2;
    m->b[at] = (uint8_t)(n >> 8);
    m->b[at + 1] = (uint8_t)n;
}

static void opt(struct mb *m, unsigned udp, uint32_t ttl)
{
    u8(m, 0);
    rr_end(m, rr(m, DNS_TYPE_OPT, udp, ttl));
}

/* An A record's type, class, TTL and rdata, after its owner. */
static void a_rr(struct mb *m, unsigned cls, uint32_t ttl, unsigned a, unsigned b, unsigned c, unsigned d)
{
    size_t at = rr(m, DNS_TYPE_A, cls, ttl);
    u8(m, a);
    u8(m, b);
    u8(m, c);
    u8(m, d);
    rr_end(m, at);
}

enum { QR = 0x8000, TC = 0x0200, RD = 0x0100, RA = 0x0080, CD = 0x0010, DO = 0x8000 };
enum { QNAME_OFF = 12 }; /* where the question name starts, for pointers */

/* An A record for the question's name (a pointer to it), class IN. */
static void answer_a(struct mb *m, uint32_t ttl, unsigned a, unsigned b, unsigned c, unsigned d)
{
    u16(m, 0xc000 | QNAME_OFF);
    a_rr(m, 1, ttl, a, b, c, d);
}

/* A query with udp > 0 meaning an OPT record advertising that size. */
static void query(struct mb *m, unsigned id, const char *qname, unsigned qtype, unsigned udp)
{
    hdr(m, id, RD, 1, 0, 0, udp ? 1 : 0);
    name(m, qname);
    u16(m, qtype);
    u16(m, 1);
    if (udp)
        opt(m, udp, 0);
}

static struct dns_query_info parsed(const char *qname, unsigned qtype, unsigned udp)
{
    struct mb m;
    struct dns_query_info q;
    query(&m, 0x4242, qname, qtype, udp);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    return q;
}

/* Header and question of a response to parsed(qname, qtype, ...). */
static void response(struct mb *m, unsigned flags, const char *qname, unsigned qtype, unsigned an, unsigned ns,
                     unsigned ar)
{
    hdr(m, 0x4242, QR | RD | RA | flags, 1, an, ns, ar);
    name(m, qname);
    u16(m, qtype);
    u16(m, 1);
}

struct filtered {
    uint8_t out[4096];
    struct dns_addr addrs[16];
    struct dns_filter_result res;
};

static int filter(const struct mb *m, const struct dns_query_info *q, dns_keep_addr_fn keep, struct filtered *f)
{
    memset(f, 0xa5, sizeof *f);
    return dns_filter_response(m->b, m->n, q, keep, NULL, f->out, sizeof f->out, f->addrs, 16, &f->res);
}

/* Runs the rebuilt message through the filter again, keeping everything:
 * it must be accepted, and unchanged. */
static void refilter(const struct filtered *f, const struct dns_query_info *q, struct filtered *g)
{
    struct mb m;
    memcpy(m.b, f->out, f->res.len);
    m.n = f->res.len;
    assert_int_equal(filter(&m, q, NULL, g), 0);
    assert_int_equal(g->res.len, f->res.len);
    assert_memory_equal(g->out, f->out, f->res.len);
}

static unsigned out16(const struct filtered *f, size_t off)
{
    return (unsigned)f->out[off] << 8 | f->out[off + 1];
}

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t nn)
{
    return memmem(hay, n, needle, nn) != NULL;
}

static bool keep_public(int family, const uint8_t *a, void *ctx)
{
    static const uint8_t lo6[16] = {[15] = 1};
    (void)ctx;
    if (family == AF_INET)
        return a[0] != 127 && a[0] != 10;
    return memcmp(a, lo6, 16) != 0;
}

/* ---- Queries ---- */

static void test_query_a(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    query(&m, 0x1234, "www.example.test", DNS_TYPE_A, 0);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    assert_int_equal(q.id, 0x1234);
    assert_string_equal(q.q.name, "www.example.test");
    assert_int_equal(q.q.qtype, DNS_TYPE_A);
    assert_int_equal(q.q.qclass, DNS_CLASS_IN);
    assert_true(q.rd);
    assert_false(q.cd);
    assert_false(q.has_edns);
    assert_int_equal(q.wire_name_len, 18);
    assert_memory_equal(q.wire_name, m.b + QNAME_OFF, 18);
}

static void test_query_edns(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    query(&m, 1, "a.test", DNS_TYPE_AAAA, 0);
    m.b[11] = 1;
    u8(&m, 0);
    size_t at = rr(&m, DNS_TYPE_OPT, 4096, DO);
    u16(&m, 10); /* a cookie option */
    u16(&m, 8);
    raw(&m, "12345678", 8);
    rr_end(&m, at);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    assert_true(q.has_edns);
    assert_true(q.edns_do);
    assert_int_equal(q.edns_udp_size, 4096);

    query(&m, 1, "a.test", DNS_TYPE_A, 100);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    assert_int_equal(q.edns_udp_size, 512);
    assert_false(q.edns_do);
}

static void test_query_lowercased(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    query(&m, 1, "WwW.ExAmple.TEST", DNS_TYPE_A, 0);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    assert_string_equal(q.q.name, "www.example.test");
    assert_memory_equal(q.wire_name, "\3WwW\7ExAmple\4TEST", 18);
}

static void test_query_root_name(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    query(&m, 1, "", DNS_TYPE_NS, 0);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    assert_string_equal(q.q.name, "");
    assert_int_equal(q.wire_name_len, 1);
}

static void test_query_counts(void **state)
{
    (void)state;
    static const struct {
        unsigned qd, an, ns, ar;
    } bad[] = {{2, 0, 0, 0}, {0, 0, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 0}, {1, 0, 0, 2}, {0xffff, 0, 0, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mb m;
        struct dns_query_info q;
        query(&m, 1, "a.test", DNS_TYPE_A, 0);
        m.b[5] = (uint8_t)bad[i].qd;
        m.b[4] = (uint8_t)(bad[i].qd >> 8);
        m.b[7] = (uint8_t)bad[i].an;
        m.b[9] = (uint8_t)bad[i].ns;
        m.b[11] = (uint8_t)bad[i].ar;
        assert_int_equal(dns_parse_query(m.b, m.n, &q), DNS_E_HEADER);
    }
}

static void test_query_truncated(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    query(&m, 1, "www.a.test", DNS_TYPE_A, 1232);
    for (size_t n = 0; n < m.n; n++)
        assert_int_equal(dns_parse_query(m.b, n, &q), DNS_E_SHORT);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
}

static void test_query_flags(void **state)
{
    (void)state;
    static const struct {
        unsigned flags;
        int want;
    } cases[] = {
        {0, 0},
        {RD | CD | 0x0020 /* AD */, 0},
        {QR, DNS_E_HEADER},
        {1 << 11 /* IQUERY */, DNS_E_OPCODE},
        {5 << 11 /* UPDATE */, DNS_E_OPCODE},
        {TC, DNS_E_HEADER},
        {3 /* RCODE */, DNS_E_HEADER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mb m;
        struct dns_query_info q;
        query(&m, 1, "a.test", DNS_TYPE_A, 0);
        m.b[2] = (uint8_t)(cases[i].flags >> 8);
        m.b[3] = (uint8_t)cases[i].flags;
        assert_int_equal(dns_parse_query(m.b, m.n, &q), cases[i].want);
    }
}

static void test_query_name_chars(void **state)
{
    (void)state;
    static const struct {
        const char *wire; /* one name in wire form, without its final 0 */
        size_t len;
        int want;
        const char *text;
    } cases[] = {
        {"\4_sip\4_tcp\3a-b\4test", 19, 0, "_sip._tcp.a-b.test"},
        {"\x0dxn--bcher-kva\4TEST", 19, 0, "xn--bcher-kva.test"},
        {"\0010\0011\0012\0013", 8, 0, "0.1.2.3"},
        {"\3a b\4test", 9, DNS_E_NAME_CHARS, NULL},
        {"\1*\4test", 7, DNS_E_NAME_CHARS, NULL},
        {"\3a.b\4test", 9, DNS_E_NAME_CHARS, NULL},
        {"\3a\0b\4test", 9, DNS_E_NAME_CHARS, NULL},
        {"\3a\xffz\4test", 9, DNS_E_NAME_CHARS, NULL},
        {"\3a/b", 4, DNS_E_NAME_CHARS, NULL},
        {"\3a\nb", 4, DNS_E_NAME_CHARS, NULL},
        {"\3\xc3\xa9z", 4, DNS_E_NAME_CHARS, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mb m;
        struct dns_query_info q;
        hdr(&m, 1, 0, 1, 0, 0, 0);
        raw(&m, cases[i].wire, cases[i].len);
        u8(&m, 0);
        u16(&m, 1);
        u16(&m, 1);
        assert_int_equal(dns_parse_query(m.b, m.n, &q), cases[i].want);
        if (cases[i].text)
            assert_string_equal(q.q.name, cases[i].text);
    }
}

static void test_query_types(void **state)
{
    (void)state;
    static const struct {
        unsigned qtype, qclass;
        int want;
    } cases[] = {
        {DNS_TYPE_A, 1, 0},      {DNS_TYPE_HTTPS, 1, 0}, {DNS_TYPE_ANY, 1, 0}, {257 /* CAA */, 1, 0},
        {252 /* AXFR */, 1, DNS_E_QTYPE},  {251 /* IXFR */, 1, DNS_E_QTYPE}, {250 /* TSIG */, 1, DNS_E_QTYPE},
        {DNS_TYPE_OPT, 1, DNS_E_QTYPE}, {0, 1, DNS_E_QTYPE},   {DNS_TYPE_TXT, 3 /* CH */, DNS_E_QTYPE},
        {DNS_TYPE_A, 255, DNS_E_QTYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mb m;
        struct dns_query_info q;
        query(&m, 1, "a.test", cases[i].qtype, 0);
        m.b[m.n - 2] = (uint8_t)(cases[i].qclass >> 8);
        m.b[m.n - 1] = (uint8_t)cases[i].qclass;
        assert_int_equal(dns_parse_query(m.b, m.n, &q), cases[i].want);
    }
}

/* ---- Queries the gate refuses: one builder per malformed shape ---- */

/* A query for "a.test" A that announces one additional record, still to be
 * written. */
static void query_with_additional(struct mb *m)
{
    query(m, 1, "a.test", DNS_TYPE_A, 0);
    m->b[11] = 1;
}

static void opt_option_past_rdata(struct mb *m)
{
    query_with_additional(m);
    u8(m, 0);
    size_t at = rr(m, DNS_TYPE_OPT, 1232, 0);
    u16(m, 10);
    u16(m, 9);
    raw(m, "12345678", 8);
    rr_end(m, at);
}
static void edns_version_1(struct mb *m)
{
    query_with_additional(m);
    opt(m, 1232, 0x00010000);
}
static void additional_not_opt(struct mb *m)
{
    query_with_additional(m);
    u8(m, 0);
    a_rr(m, 1, 0, 1, 2, 3, 4);
}
static void query_opt_owner_not_root(struct mb *m)
{
    query_with_additional(m);
    name(m, "x");
    rr_end(m, rr(m, DNS_TYPE_OPT, 1232, 0));
}
static void opt_owner_is_pointer(struct mb *m)
{
    query_with_additional(m);
    u16(m, 0xc000 | (QNAME_OFF + 7));
    rr_end(m, rr(m, DNS_TYPE_OPT, 1232, 0));
}
static void additional_missing(struct mb *m) { query_with_additional(m); }

static void compressed_question(struct mb *m)
{
    hdr(m, 1, 0, 1, 0, 0, 0);
    name_ptr(m, "www", 2);
    u16(m, 1);
    u16(m, 1);
}

static void label_of_64(struct mb *m)
{
    char l64[65];
    memset(l64, 'b', 64);
    l64[64] = '\0';
    query(m, 1, l64, DNS_TYPE_A, 0);
}

static void reserved_label_0x80(struct mb *m)
{
    hdr(m, 1, 0, 1, 0, 0, 0);
    u8(m, 0x81);
    u8(m, 'a');
    u8(m, 0);
    u16(m, 1);
    u16(m, 1);
}

/* Three labels of 63 and one of 62: 3*64 + 63 + 1 = 256 wire bytes. */
static void name_of_256(struct mb *m)
{
    char text[300];
    memset(text, 'x', sizeof text);
    text[63] = text[127] = text[191] = '.';
    text[191 + 63] = '\0';
    query(m, 1, text, DNS_TYPE_A, 0);
    assert_int_equal(m->n, 12 + 256 + 4);
}

static void byte_after_question(struct mb *m)
{
    query(m, 1, "www.a.test", DNS_TYPE_A, 0);
    u8(m, 0);
}
static void junk_after_opt(struct mb *m)
{
    query(m, 1, "www.a.test", DNS_TYPE_A, 1232);
    raw(m, "junk", 4);
}

static const struct refused_query {
    const char *what;
    void (*build)(struct mb *m);
    int want;
} refused_queries[] = {
    {"an EDNS option longer than the rdata", opt_option_past_rdata, DNS_E_EDNS},
    {"EDNS version 1", edns_version_1, DNS_E_EDNS},
    {"an additional record that is not OPT", additional_not_opt, DNS_E_EDNS},
    {"OPT with an owner other than the root", query_opt_owner_not_root, DNS_E_EDNS},
    {"OPT whose owner is a pointer", opt_owner_is_pointer, DNS_E_POINTER},
    {"ARCOUNT 1 but no record", additional_missing, DNS_E_SHORT},
    {"a compressed question", compressed_question, DNS_E_POINTER},
    {"a label of 64 bytes", label_of_64, DNS_E_LABEL},
    {"reserved label type 0x80", reserved_label_0x80, DNS_E_LABEL},
    {"a name of 256 wire bytes", name_of_256, DNS_E_LABEL},
    {"a byte after the question", byte_after_question, DNS_E_TRAILING},
    {"bytes after the OPT record", junk_after_opt, DNS_E_TRAILING},
};

static void test_refused_queries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused_queries / sizeof refused_queries[0]; i++) {
        const struct refused_query *c = &refused_queries[i];
        struct dns_query_info q;
        struct mb m;
        c->build(&m);
        int got = dns_parse_query(m.b, m.n, &q);
        if (got != c->want)
            fail_msg("%s: got %d (%s), want %d (%s)", c->what, got, dns_strerror(got), c->want,
                     dns_strerror(c->want));
    }
}

/* The longest label and the longest name are accepted. */
static void test_query_longest(void **state)
{
    (void)state;
    char l63[64];
    memset(l63, 'a', 63);
    l63[63] = '\0';
    struct dns_query_info q = parsed(l63, DNS_TYPE_A, 0);
    assert_string_equal(q.q.name, l63);
    /* Three 63-byte labels and one of 61: 3*64 + 62 + 1 = 255 wire bytes. */
    char text[300];
    memset(text, 'x', sizeof text);
    text[63] = text[127] = text[191] = '.';
    text[191 + 62] = '\0';
    q = parsed(text, DNS_TYPE_A, 0);
    assert_int_equal(strlen(q.q.name), 253);
    assert_int_equal(q.wire_name_len, 255);
}

/* What the gate forwards for an allowlisted name: the types stub resolvers
 * ask, nothing that carries free-form data back. */
static void test_forwarded_types(void **state)
{
    (void)state;
    static const unsigned forwarded[] = {DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_CNAME, DNS_TYPE_SVCB, DNS_TYPE_HTTPS};
    static const unsigned refused[] = {DNS_TYPE_TXT, 10 /* NULL */, DNS_TYPE_MX, DNS_TYPE_ANY, DNS_TYPE_SRV,
                                       DNS_TYPE_PTR, DNS_TYPE_NS, DNS_TYPE_SOA, 257 /* CAA */, 99 /* SPF */,
                                       0, 13 /* HINFO */, 44 /* SSHFP */, 48 /* DNSKEY */, 252, 65535};
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        assert_true(dns_qtype_forwarded((uint16_t)forwarded[i]));
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_false(dns_qtype_forwarded((uint16_t)refused[i]));
    assert_string_equal(dns_type_name(DNS_TYPE_TXT), "TXT");
    assert_string_equal(dns_type_name(DNS_TYPE_HTTPS), "HTTPS");
    assert_string_equal(dns_type_name(10), "NULL");
    assert_null(dns_type_name(99));
}

static void test_errors_named(void **state)
{
    (void)state;
    for (int e = 0; e >= DNS_E_ARG; e--) {
        assert_non_null(dns_strerror(e));
        assert_string_not_equal(dns_strerror(e), "unknown DNS error");
    }
    assert_string_equal(dns_strerror(-999), "unknown DNS error");
    assert_int_equal(dns_error_rcode(DNS_E_OPCODE), DNS_RCODE_NOTIMP);
    assert_int_equal(dns_error_rcode(DNS_E_QTYPE), DNS_RCODE_REFUSED);
    assert_int_equal(dns_error_rcode(DNS_E_NAME_CHARS), DNS_RCODE_NXDOMAIN);
    assert_int_equal(dns_error_rcode(DNS_E_POINTER), DNS_RCODE_FORMERR);
    assert_int_equal(dns_error_rcode(DNS_E_SHORT), DNS_RCODE_FORMERR);
}

static void test_null_args(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    struct dns_filter_result res;
    uint8_t out[512];
    query(&m, 1, "a.test", DNS_TYPE_A, 0);
    assert_int_equal(dns_parse_query(NULL, 0, &q), DNS_E_ARG);
    assert_int_equal(dns_parse_query(m.b, m.n, NULL), DNS_E_ARG);
    assert_int_equal(dns_build_error(NULL, 0, 3, out, sizeof out), DNS_E_ARG);
    assert_int_equal(dns_build_error(m.b, m.n, 16, out, sizeof out), DNS_E_ARG);
    assert_int_equal(dns_build_error(m.b, m.n, -1, out, sizeof out), DNS_E_ARG);
    assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, out, sizeof out, NULL, 1, &res), DNS_E_ARG);
    assert_int_equal(dns_filter_response(m.b, m.n, NULL, NULL, NULL, out, sizeof out, NULL, 0, &res), DNS_E_ARG);
    q.wire_name_len = 0;
    assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, out, sizeof out, NULL, 0, &res), DNS_E_ARG);
    assert_int_equal(dns_truncate_for_udp(NULL, 0, 512), DNS_E_ARG);
}

/* ---- The gate's own answers ---- */

static void test_build_nxdomain_round_trip(void **state)
{
    (void)state;
    struct mb m;
    struct dns_query_info q;
    struct filtered f, g;
    query(&m, 0x4242, "Www.A.test", DNS_TYPE_A, 0);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    int n = dns_build_error(m.b, m.n, DNS_RCODE_NXDOMAIN, f.out, sizeof f.out);
    assert_int_equal(n, m.n);
    assert_memory_equal(f.out, "\x42\x42\x81\x83\0\1\0\0\0\0\0\0", 12);
    assert_memory_equal(f.out + 12, m.b + 12, m.n - 12);

    struct mb r;
    memcpy(r.b, f.out, (size_t)n);
    r.n = (size_t)n;
    assert_int_equal(filter(&r, &q, NULL, &g), 0);
    assert_int_equal(g.res.rcode, DNS_RCODE_NXDOMAIN);
    assert_int_equal(g.res.n_addrs, 0);
    assert_int_equal(g.res.len, (size_t)n);
    assert_memory_equal(g.out, f.out, (size_t)n);
}

static void test_build_error_edns(void **state)
{
    (void)state;
    struct mb m, r;
    struct dns_query_info q;
    struct filtered f, g;
    query(&m, 0x4242, "a.test", DNS_TYPE_A, 0);
    m.b[11] = 1;
    opt(&m, 4096, DO);
    assert_int_equal(dns_parse_query(m.b, m.n, &q), 0);
    int n = dns_build_error(m.b, m.n, DNS_RCODE_REFUSED, f.out, sizeof f.out);
    assert_int_equal(n, 12 + 8 + 4 + 11);
    assert_int_equal(out16(&f, 10), 1);
    assert_memory_equal(f.out + 24, "\0\0\x29\x04\xd0\x00\x00\x80\x00\0\0", 11); /* 1232, DO */

    memcpy(r.b, f.out, (size_t)n);
    r.n = (size_t)n;
    assert_int_equal(filter(&r, &q, NULL, &g), 0);
    assert_int_equal(g.res.rcode, DNS_RCODE_REFUSED);
    assert_int_equal(out16(&g, 10), 1);
    assert_int_equal(out16(&g, 24 + 3), 4096); /* the client's size */
}

static void test_build_error_malformed(void **state)
{
    (void)state;
    struct mb m;
    uint8_t out[512];
    /* Two questions: header only, FORMERR. */
    query(&m, 0xbeef, "a.test", DNS_TYPE_A, 0);
    m.b[5] = 2;
    assert_int_equal(dns_build_error(m.b, m.n, DNS_RCODE_FORMERR, out, sizeof out), 12);
    assert_memory_equal(out, "\xbe\xef\x81\x81\0\0\0\0\0\0\0\0", 12);
    /* A bare 12-byte header. */
    assert_int_equal(dns_build_error(m.b, 12, DNS_RCODE_FORMERR, out, sizeof out), 12);
    /* Less than a header: nothing to answer. */
    assert_int_equal(dns_build_error(m.b, 11, DNS_RCODE_FORMERR, out, sizeof out), DNS_E_SHORT);
    /* A response: never answered. */
    m.b[2] |= 0x80;
    assert_int_equal(dns_build_error(m.b, m.n, DNS_RCODE_FORMERR, out, sizeof out), DNS_E_HEADER);
    /* Another opcode: NOTIMP repeats it and the question. */
    query(&m, 7, "a.test", DNS_TYPE_A, 0);
    m.b[2] = 2 << 3;
    assert_int_equal(dns_build_error(m.b, m.n, DNS_RCODE_NOTIMP, out, sizeof out), (int)m.n);
    assert_memory_equal(out, "\0\7\x90\x84\0\1", 6);
    /* Output too small, by one byte or more. */
    query(&m, 7, "a.test", DNS_TYPE_A, 1232);
    int n = dns_build_error(m.b, m.n, DNS_RCODE_NXDOMAIN, out, sizeof out);
    assert_true(n > 0);
    for (int cap = 0; cap < n; cap++)
        assert_int_equal(dns_build_error(m.b, m.n, DNS_RCODE_NXDOMAIN, out, (size_t)cap), DNS_E_NOSPACE);
    assert_int_equal(dns_build_error(m.b, m.n, DNS_RCODE_NXDOMAIN, out, (size_t)n), n);
}

/* ---- Responses ---- */

static void test_cname_chain(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f, g;
    struct dns_query_info q = parsed("www.a.test", DNS_TYPE_A, 0);
    response(&m, 0, "www.a.test", DNS_TYPE_A, 3, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_CNAME, 1, 60);
    size_t cdn = m.n;
    name(&m, "cdn.b.test");
    rr_end(&m, at);
    u16(&m, 0xc000 | cdn);
    a_rr(&m, 1, 300, 203, 0, 113, 5);
    name(&m, "evil.test");
    a_rr(&m, 1, 300, 198, 51, 100, 7);

    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(f.res.n_addrs, 1);
    assert_int_equal(f.addrs[0].family, AF_INET);
    assert_memory_equal(f.addrs[0].addr, "\xcb\x00\x71\x05", 4);
    assert_int_equal(f.addrs[0].ttl, 300);
    assert_int_equal(f.res.n_dropped, 1);
    assert_int_equal(f.res.n_refused, 0);
    assert_int_equal(f.res.rcode, 0);
    assert_int_equal(out16(&f, 6), 2);
    assert_false(contains(f.out, f.res.len, "\xc6\x33\x64\x07", 4));
    assert_true(contains(f.out, f.res.len, "\3cdn\1b\4test\0\0\1\0\1\0\0\1\x2c\0\4\xcb\0\x71\5", 26));
    refilter(&f, &q, &g);
    assert_int_equal(g.res.n_addrs, 1);
}

static void test_cname_out_of_order_and_loop(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f, g;
    struct dns_query_info q = parsed("www.a.test", DNS_TYPE_A, 0);
    response(&m, 0, "www.a.test", DNS_TYPE_A, 4, 0, 0);
    name(&m, "cdn.b.test");
    a_rr(&m, 1, 5, 203, 0, 113, 6);
    name(&m, "mid.c.test");
    size_t at = rr(&m, DNS_TYPE_CNAME, 1, 60);
    name(&m, "cdn.b.test");
    rr_end(&m, at);
    name(&m, "cdn.b.test"); /* loops back to the question */
    at = rr(&m, DNS_TYPE_CNAME, 1, 60);
    name(&m, "WWW.a.test");
    rr_end(&m, at);
    name(&m, "www.a.test");
    at = rr(&m, DNS_TYPE_CNAME, 1, 60);
    name(&m, "mid.c.test");
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(f.res.n_addrs, 1);
    assert_int_equal(f.addrs[0].ttl, 5);
    assert_int_equal(out16(&f, 6), 4);
    refilter(&f, &q, &g);
}

static void test_cname_chain_limit(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f;
    struct dns_query_info q = parsed("n0.test", DNS_TYPE_A, 0);
    char owner[16], target[16];
    response(&m, 0, "n0.test", DNS_TYPE_A, 31, 0, 0);
    for (int i = 0; i < 30; i++) {
        snprintf(owner, sizeof owner, "n%d.test", i);
        snprintf(target, sizeof target, "n%d.test", i + 1);
        name(&m, owner);
        size_t at = rr(&m, DNS_TYPE_CNAME, 1, 60);
        name(&m, target);
        rr_end(&m, at);
    }
    name(&m, "n30.test");
    a_rr(&m, 1, 5, 203, 0, 113, 6);
    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(f.res.n_addrs, 0);
    assert_int_equal(out16(&f, 6), DNS_MAX_CNAME_CHAIN);
}

static void test_rebinding_dropped(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f, g;
    struct dns_query_info q = parsed("www.a.test", DNS_TYPE_A, 0);
    response(&m, 0, "www.a.test", DNS_TYPE_A, 3, 0, 0);
    answer_a(&m, 60, 127, 0, 0, 1);
    answer_a(&m, 60, 10, 0, 0, 1);
    answer_a(&m, 60, 203, 0, 113, 9);
    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(f.res.n_addrs, 1);
    assert_int_equal(f.res.n_refused, 2);
    assert_int_equal(f.res.n_dropped, 2);
    assert_memory_equal(f.addrs[0].addr, "\xcb\x00\x71\x09", 4);
    assert_int_equal(out16(&f, 6), 1);
    assert_false(contains(f.out, f.res.len, "\x7f\0\0\1", 4));
    assert_false(contains(f.out, f.res.len, "\x0a\0\0\1", 4));
    /* Kept everything the second time: still only the public address. */
    refilter(&f, &q, &g);
    assert_int_equal(g.res.n_addrs, 1);
    assert_memory_equal(g.addrs[0].addr, "\xcb\x00\x71\x09", 4);
}

static void test_aaaa_and_type_match(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_AAAA, 0);
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t lo[16] = {[15] = 1};
    response(&m, 0, "a.test", DNS_TYPE_AAAA, 3, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_AAAA, 1, 60);
    raw(&m, v6, 16);
    rr_end(&m, at);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, DNS_TYPE_AAAA, 1, 60);
    raw(&m, lo, 16);
    rr_end(&m, at);
    u16(&m, 0xc000 | QNAME_OFF); /* an A in an AAAA answer */
    a_rr(&m, 1, 60, 203, 0, 113, 9);
    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(f.res.n_addrs, 1);
    assert_int_equal(f.addrs[0].family, AF_INET6);
    assert_memory_equal(f.addrs[0].addr, v6, 16);
    assert_int_equal(f.res.n_refused, 1);
    assert_int_equal(f.res.n_dropped, 2);
    assert_int_equal(out16(&f, 6), 1);

    /* An ANY question takes both families. */
    q = parsed("a.test", DNS_TYPE_ANY, 0);
    m.b[QNAME_OFF + 8 + 1] = DNS_TYPE_ANY;
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(f.res.n_addrs, 3);
}

static void test_addr_limits_dups_and_ttl(void **state)
{
    (void)state;
    struct mb m;
    struct filtered f;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    response(&m, 0, "a.test", DNS_TYPE_A, 4, 0, 0);
    answer_a(&m, 100, 203, 0, 113, 1);
    answer_a(&m, 0x80000000, 203, 0, 113, 2);
    answer_a(&m, 300, 203, 0, 113, 1);
    answer_a(&m, 60, 203, 0, 113, 3);
    assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, f.out, sizeof f.out, f.addrs, 2, &f.res), 0);
    assert_int_equal(f.res.n_addrs, 2);
    assert_int_equal(f.addrs[0].ttl, 300); /* duplicates merged, longest TTL */
    assert_int_equal(f.addrs[1].ttl, 0);   /* top bit set: 0 */
    assert_int_equal(f.res.n_dropped, 1);  /* no room for 203.0.113.3 */
    assert_int_equal(out16(&f, 6), 3);
    assert_false(contains(f.out, f.res.len, "\x80\0\0\0", 4));
    assert_false(contains(f.out, f.res.len, "\xcb\0\x71\3", 4));
    /* No room at all. */
    assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, f.out, sizeof f.out, NULL, 0, &f.res), 0);
    assert_int_equal(f.res.n_addrs, 0);
    assert_int_equal(out16(&f, 6), 0);
}

/* ---- Responses the gate refuses: one builder per malformed shape ---- */

/* Header and question of a one-answer response to "a.test" A. */
static void one_answer(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 1, 0, 0);
}

static void owner_points_at_itself(struct mb *m)
{
    one_answer(m);
    u16(m, 0xc000 | m->n);
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static void label_then_pointer_back_to_it(struct mb *m)
{
    one_answer(m);
    name_ptr(m, "x", m->n);
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static void pointers_at_each_other(struct mb *m)
{
    one_answer(m);
    size_t first = m->n;
    name_ptr(m, "x", first + 4);
    u16(m, 0xc000 | first);
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static void owner_pointer_to(struct mb *m, unsigned target)
{
    one_answer(m);
    u16(m, 0xc000 | target);
    a_rr(m, 1, 60, 203, 0, 113, 1);
}
static void pointer_past_the_end(struct mb *m) { owner_pointer_to(m, 0x3fff); }
static void pointer_forward(struct mb *m) { owner_pointer_to(m, 0x0200); }
static void pointer_into_header(struct mb *m) { owner_pointer_to(m, 2); }
static void pointer_to_start(struct mb *m) { owner_pointer_to(m, 0); }

static void forward_pointer_in_cname(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
    u16(m, 0xc000 | QNAME_OFF);
    size_t at = rr(m, DNS_TYPE_CNAME, 1, 60);
    u16(m, 0xc000 | (m->n + 2));
    rr_end(m, at);
    name(m, "b.test");
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static void other_id(struct mb *m)
{
    response(m, 0, "www.a.test", DNS_TYPE_A, 0, 0, 0);
    m->b[1] ^= 1;
}
static void other_name(struct mb *m) { response(m, 0, "www.b.test", DNS_TYPE_A, 0, 0, 0); }
static void longer_name(struct mb *m) { response(m, 0, "www.a.test.x", DNS_TYPE_A, 0, 0, 0); }
static void other_type(struct mb *m) { response(m, 0, "www.a.test", DNS_TYPE_AAAA, 0, 0, 0); }
static void other_class(struct mb *m)
{
    response(m, 0, "www.a.test", DNS_TYPE_A, 0, 0, 0);
    m->b[m->n - 1] = 3;
}
static void not_a_response(struct mb *m)
{
    response(m, 0, "www.a.test", DNS_TYPE_A, 0, 0, 0);
    m->b[2] &= 0x7f;
}
static void no_question(struct mb *m)
{
    response(m, 0, "www.a.test", DNS_TYPE_A, 0, 0, 0);
    m->b[5] = 0;
}
static void other_opcode(struct mb *m) { response(m, 0x2000, "www.a.test", DNS_TYPE_A, 0, 0, 0); }

static void two_opts(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 0, 0, 2);
    opt(m, 1232, 0);
    opt(m, 1232, 0);
}
static void opt_as_answer(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 1, 0, 0);
    opt(m, 1232, 0);
}
static void opt_as_authority(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 0, 1, 0);
    opt(m, 1232, 0);
}
static void opt_owner_not_root(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 0, 0, 1);
    name(m, "x");
    rr_end(m, rr(m, DNS_TYPE_OPT, 1232, 0));
}

static void a_with_five_bytes(struct mb *m)
{
    one_answer(m);
    u16(m, 0xc000 | QNAME_OFF);
    size_t at = rr(m, DNS_TYPE_A, 1, 60);
    raw(m, "\1\2\3\4\5", 5);
    rr_end(m, at);
}

static void byte_after_cname(struct mb *m)
{
    one_answer(m);
    u16(m, 0xc000 | QNAME_OFF);
    size_t at = rr(m, DNS_TYPE_CNAME, 1, 60);
    name(m, "b.test");
    u8(m, 0);
    rr_end(m, at);
}

static void cname_past_its_rdata(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
    u16(m, 0xc000 | QNAME_OFF);
    size_t at = rr(m, DNS_TYPE_CNAME, 1, 60);
    labels(m, "b");
    rr_end(m, at);
    name(m, "test");
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static void mx_without_exchange(struct mb *m)
{
    one_answer(m);
    u16(m, 0xc000 | QNAME_OFF);
    size_t at = rr(m, DNS_TYPE_MX, 1, 60);
    u8(m, 0);
    rr_end(m, at);
}

static void rdata_past_the_end(struct mb *m)
{
    one_answer(m);
    answer_a(m, 60, 203, 0, 113, 1);
    m->n--;
}

static void fewer_records_than_announced(struct mb *m)
{
    response(m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
    answer_a(m, 60, 203, 0, 113, 1);
}

static void bytes_after_the_last_record(struct mb *m)
{
    one_answer(m);
    answer_a(m, 60, 203, 0, 113, 1);
    u8(m, 0);
}

static void reserved_label_type(struct mb *m)
{
    one_answer(m);
    u8(m, 0x41);
    u8(m, 0);
    a_rr(m, 1, 60, 203, 0, 113, 1);
}

static const struct refused_response {
    const char *what;
    const char *qname; /* the question asked: an A query */
    unsigned udp;      /* the query's EDNS size, 0 for none */
    void (*build)(struct mb *m);
    int want;
} refused_responses[] = {
    {"owner pointing at itself", "a.test", 0, owner_points_at_itself, DNS_E_POINTER},
    {"a label, then a pointer back to that label", "a.test", 0, label_then_pointer_back_to_it, DNS_E_POINTER},
    {"two pointers at each other through a label", "a.test", 0, pointers_at_each_other, DNS_E_POINTER},
    {"pointer past the end", "a.test", 0, pointer_past_the_end, DNS_E_POINTER},
    {"pointer forward", "a.test", 0, pointer_forward, DNS_E_POINTER},
    {"pointer into the header", "a.test", 0, pointer_into_header, DNS_E_POINTER},
    {"pointer to the start", "a.test", 0, pointer_to_start, DNS_E_POINTER},
    {"forward pointer inside CNAME rdata", "a.test", 0, forward_pointer_in_cname, DNS_E_POINTER},
    {"another ID", "www.a.test", 0, other_id, DNS_E_ID},
    {"another name", "www.a.test", 0, other_name, DNS_E_QUESTION},
    {"a longer name", "www.a.test", 0, longer_name, DNS_E_QUESTION},
    {"another type", "www.a.test", 0, other_type, DNS_E_QUESTION},
    {"another class", "www.a.test", 0, other_class, DNS_E_QUESTION},
    {"QR clear", "www.a.test", 0, not_a_response, DNS_E_HEADER},
    {"no question", "www.a.test", 0, no_question, DNS_E_HEADER},
    {"another opcode", "www.a.test", 0, other_opcode, DNS_E_OPCODE},
    {"two OPT records", "a.test", 1232, two_opts, DNS_E_EDNS},
    {"OPT as an answer", "a.test", 1232, opt_as_answer, DNS_E_EDNS},
    {"OPT as an authority record", "a.test", 1232, opt_as_authority, DNS_E_EDNS},
    {"OPT with an owner other than the root", "a.test", 1232, opt_owner_not_root, DNS_E_EDNS},
    {"A with 5 bytes", "a.test", 0, a_with_five_bytes, DNS_E_RDATA},
    {"CNAME with a byte after its name", "a.test", 0, byte_after_cname, DNS_E_RDATA},
    {"CNAME whose name runs into the next record", "a.test", 0, cname_past_its_rdata, DNS_E_RDATA},
    {"MX with only a preference", "a.test", 0, mx_without_exchange, DNS_E_RDATA},
    {"rdata length past the end", "a.test", 0, rdata_past_the_end, DNS_E_SHORT},
    {"more records announced than present", "a.test", 0, fewer_records_than_announced, DNS_E_SHORT},
    {"bytes after the last record", "a.test", 0, bytes_after_the_last_record, DNS_E_TRAILING},
    {"reserved label type in an owner", "a.test", 0, reserved_label_type, DNS_E_LABEL},
};

static void test_refused_responses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused_responses / sizeof refused_responses[0]; i++) {
        const struct refused_response *c = &refused_responses[i];
        struct dns_query_info q = parsed(c->qname, DNS_TYPE_A, c->udp);
        struct filtered f;
        struct mb m;
        c->build(&m);
        int got = filter(&m, &q, NULL, &f);
        if (got != c->want)
            fail_msg("%s: got %d (%s), want %d (%s)", c->what, got, dns_strerror(got), c->want,
                     dns_strerror(c->want));
    }
}

static void test_pointer_chains_accepted(void **state)
{
    (void)state;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    struct filtered f;
    struct mb m;
    /* A chain of backward pointers is fine. */
    response(&m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
    size_t p1 = m.n;
    answer_a(&m, 60, 203, 0, 113, 1);
    u16(&m, 0xc000 | p1);
    a_rr(&m, 1, 60, 203, 0, 113, 2);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(f.res.n_addrs, 2);
    /* Pointers to pointers, hidden in opaque rdata: an owner name reached
     * through 127 jumps is fine, through 128 it is refused. */
    for (unsigned k = 126; k <= 127; k++) {
        response(&m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
        u16(&m, 0xc000 | QNAME_OFF);
        size_t at = rr(&m, 65280, 1, 60);
        size_t base = m.n;
        u16(&m, 0xc000 | QNAME_OFF);
        for (unsigned i = 1; i < k; i++)
            u16(&m, 0xc000 | (base + 2 * (i - 1)));
        rr_end(&m, at);
        u16(&m, 0xc000 | (base + 2 * (k - 1)));
        a_rr(&m, 1, 60, 203, 0, 113, 1);
        assert_int_equal(filter(&m, &q, NULL, &f), k + 1 <= 127 ? 0 : DNS_E_POINTER);
    }
}

static void test_question_case_differs(void **state)
{
    (void)state;
    struct filtered f;
    struct mb m;
    /* Accepted, and the client gets its own spelling back. */
    struct dns_query_info q = parsed("WWW.a.TEST", DNS_TYPE_A, 0);
    response(&m, 0, "www.A.test", DNS_TYPE_A, 0, 0, 0);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_memory_equal(f.out + QNAME_OFF, "\3WWW\1a\4TEST", 12);
}

static void test_truncated_flag_kept(void **state)
{
    (void)state;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    struct filtered f;
    struct mb m;
    response(&m, TC | 2 /* SERVFAIL */, "a.test", DNS_TYPE_A, 0, 0, 0);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_true(f.res.truncated);
    assert_int_equal(f.res.rcode, DNS_RCODE_SERVFAIL);
    assert_int_equal(out16(&f, 2), QR | RD | RA | TC | 2);
}

static void test_opt_only_with_client_edns(void **state)
{
    (void)state;
    struct filtered f, g;
    struct mb m;
    struct dns_query_info with = parsed("a.test", DNS_TYPE_A, 4096);
    struct dns_query_info without = parsed("a.test", DNS_TYPE_A, 0);
    response(&m, 0, "a.test", DNS_TYPE_A, 1, 0, 1);
    answer_a(&m, 60, 203, 0, 113, 1);
    u8(&m, 0);
    size_t at = rr(&m, DNS_TYPE_OPT, 1232, DO);
    u16(&m, 15); /* extended DNS error */
    u16(&m, 2);
    u16(&m, 0);
    rr_end(&m, at);

    assert_int_equal(filter(&m, &with, NULL, &f), 0);
    assert_int_equal(out16(&f, 10), 1);
    assert_true(contains(f.out, f.res.len, "\0\0\x29\x10\x00\0\0\x80\0\0\6\0\x0f\0\2\0\0", 17));
    refilter(&f, &with, &g);

    assert_int_equal(filter(&m, &without, NULL, &f), 0);
    assert_int_equal(out16(&f, 10), 0);
    assert_false(contains(f.out, f.res.len, "\0\x29", 2));
    refilter(&f, &without, &g);

    /* An extended RCODE (BADVERS, 16) must not be lost. */
    m.b[m.n - 12] = 1;
    assert_int_equal(filter(&m, &with, NULL, &f), 0);
    assert_int_equal(f.res.rcode, 16);
    assert_int_equal(filter(&m, &without, NULL, &f), DNS_E_EDNS);
}

static void test_authority_additional_dropped(void **state)
{
    (void)state;
    struct filtered f;
    struct mb m;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    response(&m, 0, "a.test", DNS_TYPE_A, 1, 1, 1);
    answer_a(&m, 60, 203, 0, 113, 1);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_NS, 1, 60);
    name_ptr(&m, "ns", QNAME_OFF);
    rr_end(&m, at);
    name_ptr(&m, "ns", QNAME_OFF);
    a_rr(&m, 1, 60, 203, 0, 113, 53);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(f.res.n_addrs, 1);
    assert_int_equal(out16(&f, 6), 1);
    assert_int_equal(out16(&f, 8), 0);
    assert_int_equal(out16(&f, 10), 0);
    assert_false(contains(f.out, f.res.len, "\2ns", 3));
}

static void test_txt_https_verbatim(void **state)
{
    (void)state;
    struct filtered f, g;
    struct mb m;
    /* Bytes that would look like a pointer if anyone interpreted them. */
    static const uint8_t txt[] = {5, 'h', 'e', 'l', 'l', 'o', 3, 0xc0, 0x0c, '!'};
    struct dns_query_info q = parsed("a.test", DNS_TYPE_TXT, 0);
    response(&m, 0, "a.test", DNS_TYPE_TXT, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_TXT, 1, 60);
    raw(&m, txt, sizeof txt);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(out16(&f, 6), 1);
    assert_true(contains(f.out, f.res.len, "\0\x0a\5hello\3\xc0\x0c!", 12));
    refilter(&f, &q, &g);

    /* HTTPS: priority 1, target ".", alpn=h2, ipv4hint=10.0.0.1. The hint is
     * copied but is not an address the firewall learns. */
    static const uint8_t https[] = {0, 1, 0, 0, 1, 0, 3, 2, 'h', '2', 0, 4, 0, 4, 10, 0, 0, 1};
    q = parsed("a.test", DNS_TYPE_HTTPS, 0);
    response(&m, 0, "a.test", DNS_TYPE_HTTPS, 2, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, DNS_TYPE_HTTPS, 1, 60);
    raw(&m, https, sizeof https);
    rr_end(&m, at);
    u16(&m, 0xc000 | QNAME_OFF); /* a TXT in an HTTPS answer */
    at = rr(&m, DNS_TYPE_TXT, 1, 60);
    raw(&m, txt, sizeof txt);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, keep_public, &f), 0);
    assert_int_equal(out16(&f, 6), 1);
    assert_int_equal(f.res.n_addrs, 0);
    assert_int_equal(f.res.n_dropped, 1);
    assert_true(contains(f.out, f.res.len, https, sizeof https));
    refilter(&f, &q, &g);

    /* An unknown type is copied verbatim too. */
    q = parsed("a.test", 65280, 0);
    response(&m, 0, "a.test", 65280, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, 65280, 1, 60);
    u16(&m, 0xc000 | QNAME_OFF);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(out16(&f, 6), 1);
    assert_int_equal(f.res.len, 12 + 12 + 8 + 10 + 2);
}

static void test_names_in_rdata_decompressed(void **state)
{
    (void)state;
    struct filtered f, g;
    struct mb m;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_MX, 0);
    response(&m, 0, "a.test", DNS_TYPE_MX, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_MX, 1, 60);
    u16(&m, 10);
    name_ptr(&m, "mail", QNAME_OFF);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_true(contains(f.out, f.res.len, "\0\x0f\0\x0a\4mail\1a\4test\0", 17));
    assert_false(contains(f.out, f.res.len, "\xc0", 1));
    refilter(&f, &q, &g);

    q = parsed("_sip._tcp.a.test", DNS_TYPE_SRV, 0);
    response(&m, 0, "_sip._tcp.a.test", DNS_TYPE_SRV, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, DNS_TYPE_SRV, 1, 60);
    u16(&m, 1);
    u16(&m, 5);
    u16(&m, 5060);
    name_ptr(&m, "sip", QNAME_OFF + 10);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_true(contains(f.out, f.res.len, "\0\1\0\5\x13\xc4\3sip\1a\4test\0", 18));
    refilter(&f, &q, &g);

    q = parsed("a.test", DNS_TYPE_SOA, 0);
    response(&m, 0, "a.test", DNS_TYPE_SOA, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, DNS_TYPE_SOA, 1, 60);
    name_ptr(&m, "ns", QNAME_OFF);
    name_ptr(&m, "admin", QNAME_OFF);
    for (int i = 1; i <= 5; i++)
        u32(&m, (uint32_t)i);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_true(contains(f.out, f.res.len, "\2ns\1a\4test\0\5admin\1a\4test\0\0\0\0\1", 29));
    refilter(&f, &q, &g);

    /* SIG (24) cannot be rewritten and is dropped. */
    q = parsed("a.test", 24, 0);
    response(&m, 0, "a.test", 24, 1, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    at = rr(&m, 24, 1, 60);
    raw(&m, "whatever", 8);
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(out16(&f, 6), 0);
}

/* Every prefix of a good response is rejected, never read past. */
static void test_response_prefixes(void **state)
{
    (void)state;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    struct filtered f;
    struct mb m;
    one_answer(&m);
    answer_a(&m, 60, 203, 0, 113, 1);
    for (size_t n = 0; n < m.n; n++)
        assert_true(dns_filter_response(m.b, n, &q, NULL, NULL, f.out, sizeof f.out, f.addrs, 16, &f.res) < 0);
}

static void test_other_class_dropped(void **state)
{
    (void)state;
    struct filtered f;
    struct mb m;
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 0);
    response(&m, 0, "a.test", DNS_TYPE_A, 2, 0, 0);
    u16(&m, 0xc000 | QNAME_OFF);
    a_rr(&m, 3, 60, 203, 0, 113, 1);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_CNAME, 3, 60);
    name(&m, "b.test");
    rr_end(&m, at);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    assert_int_equal(f.res.n_addrs, 0);
    assert_int_equal(f.res.n_dropped, 2);
}

static void test_output_space(void **state)
{
    (void)state;
    struct filtered f;
    struct mb m;
    struct dns_query_info q = parsed("www.a.test", DNS_TYPE_A, 1232);
    response(&m, 0, "www.a.test", DNS_TYPE_A, 2, 0, 1);
    u16(&m, 0xc000 | QNAME_OFF);
    size_t at = rr(&m, DNS_TYPE_CNAME, 1, 60);
    name_ptr(&m, "cdn", QNAME_OFF + 4);
    rr_end(&m, at);
    answer_a(&m, 60, 203, 0, 113, 1);
    opt(&m, 1232, 0);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    size_t need = f.res.len;
    assert_true(need > m.n); /* decompression made it longer */
    for (size_t cap = 0; cap < need; cap++)
        assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, f.out, cap, f.addrs, 16, &f.res),
                         DNS_E_NOSPACE);
    assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, f.out, need, f.addrs, 16, &f.res), 0);
}

static void test_truncate_for_udp(void **state)
{
    (void)state;
    struct filtered f, g;
    struct dns_addr many[64];
    struct mb m;
    for (int edns = 0; edns <= 1; edns++) {
        struct dns_query_info q = parsed("a.test", DNS_TYPE_A, edns ? 1232 : 0);
        response(&m, 0, "a.test", DNS_TYPE_A, 40, 0, edns);
        for (unsigned i = 0; i < 40; i++) {
            answer_a(&m, 60, 203, 0, 113, i);
        }
        if (edns)
            opt(&m, 1232, 0);
        assert_int_equal(dns_filter_response(m.b, m.n, &q, NULL, NULL, f.out, sizeof f.out, many, 64, &f.res), 0);
        assert_int_equal(f.res.n_addrs, 40);
        assert_true(f.res.len > 512);
        assert_int_equal(dns_truncate_for_udp(f.out, f.res.len, 4096), (int)f.res.len);
        int n = dns_truncate_for_udp(f.out, f.res.len, 512);
        assert_int_equal(n, 12 + 12 + (edns ? 11 : 0));
        assert_int_equal(out16(&f, 2) & TC, TC);
        assert_int_equal(out16(&f, 6), 0);
        assert_int_equal(out16(&f, 10), edns);
        f.res.len = (size_t)n;
        struct mb r;
        memcpy(r.b, f.out, f.res.len);
        r.n = f.res.len;
        assert_int_equal(filter(&r, &q, NULL, &g), 0);
        assert_true(g.res.truncated);
        assert_int_equal(g.res.len, (size_t)n);
    }
    /* No room even for the OPT: dropped. No room for the question: error. */
    struct dns_query_info q = parsed("a.test", DNS_TYPE_A, 1232);
    response(&m, 0, "a.test", DNS_TYPE_A, 1, 0, 1);
    answer_a(&m, 60, 203, 0, 113, 1);
    opt(&m, 1232, 0);
    assert_int_equal(filter(&m, &q, NULL, &f), 0);
    uint8_t copy[512];
    memcpy(copy, f.out, f.res.len);
    assert_int_equal(dns_truncate_for_udp(copy, f.res.len, 30), 24);
    assert_int_equal(copy[11], 0);
    memcpy(copy, f.out, f.res.len);
    assert_int_equal(dns_truncate_for_udp(copy, f.res.len, 23), DNS_E_NOSPACE);
    assert_int_equal(dns_truncate_for_udp(copy, 11, 5), DNS_E_SHORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_a),
        cmocka_unit_test(test_query_edns),
        cmocka_unit_test(test_query_lowercased),
        cmocka_unit_test(test_refused_queries),
        cmocka_unit_test(test_query_longest),
        cmocka_unit_test(test_query_root_name),
        cmocka_unit_test(test_query_counts),
        cmocka_unit_test(test_query_truncated),
        cmocka_unit_test(test_query_flags),
        cmocka_unit_test(test_query_name_chars),
        cmocka_unit_test(test_query_types),
        cmocka_unit_test(test_errors_named),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_build_nxdomain_round_trip),
        cmocka_unit_test(test_build_error_edns),
        cmocka_unit_test(test_build_error_malformed),
        cmocka_unit_test(test_cname_chain),
        cmocka_unit_test(test_cname_out_of_order_and_loop),
        cmocka_unit_test(test_cname_chain_limit),
        cmocka_unit_test(test_rebinding_dropped),
        cmocka_unit_test(test_aaaa_and_type_match),
        cmocka_unit_test(test_addr_limits_dups_and_ttl),
        cmocka_unit_test(test_refused_responses),
        cmocka_unit_test(test_pointer_chains_accepted),
        cmocka_unit_test(test_question_case_differs),
        cmocka_unit_test(test_truncated_flag_kept),
        cmocka_unit_test(test_opt_only_with_client_edns),
        cmocka_unit_test(test_authority_additional_dropped),
        cmocka_unit_test(test_txt_https_verbatim),
        cmocka_unit_test(test_names_in_rdata_decompressed),
        cmocka_unit_test(test_response_prefixes),
        cmocka_unit_test(test_other_class_dropped),
        cmocka_unit_test(test_output_space),
        cmocka_unit_test(test_truncate_for_udp),
        cmocka_unit_test(test_forwarded_types),
    };
    return cmocka_run_group_tests_name("dnsmsg", tests, NULL, NULL);
}
