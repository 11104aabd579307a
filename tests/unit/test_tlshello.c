/* Unit tests for the ClientHello parser (netns/codec/tlshello.c): hellos
 * captured from OpenSSL, and hellos built here from the layout of RFC 8446
 * 4.1.2 to reach every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netns/codec/tlshello.h"
#include "tests/unit/clienthellos.h"

/* cmocka's fail_msg is not shown in TAP output: the case goes to stderr. */
#define FAIL_CASE(...)                                                                                                 \
    do {                                                                                                               \
        fprintf(stderr, "# " __VA_ARGS__);                                                                             \
        fprintf(stderr, "\n");                                                                                         \
        fail();                                                                                                        \
    } while (0)

/* A growable byte string for building hellos. */
struct bytes {
    uint8_t b[TLS_HELLO_PEEK_MAX + 64];
    size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put8(struct bytes *o, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(o, &c, 1);
}
static void put16(struct bytes *o, unsigned v)
{
    put8(o, v >> 8);
    put8(o, v);
}

/* One extension: type, length, body. */
static void put_ext(struct bytes *o, unsigned type, const void *body, size_t n)
{
    put16(o, type);
    put16(o, (unsigned)n);
    put(o, body, n);
}

/* server_name's body: a list of (type, name) entries. */
static void sni_body(struct bytes *o, const char *const *names, unsigned type)
{
    struct bytes list = {.n = 0};
    for (size_t i = 0; names[i]; i++) {
        put8(&list, type);
        put16(&list, (unsigned)strlen(names[i]));
        put(&list, names[i], strlen(names[i]));
    }
    put16(o, (unsigned)list.n);
    put(o, list.b, list.n);
}

static void put_sni(struct bytes *o, const char *name)
{
    const char *names[] = {name, NULL};
    struct bytes body = {.n = 0};
    sni_body(&body, names, 0);
    put_ext(o, 0, body.b, body.n);
}

/* Record header, handshake header, legacy_version 3.3, random, an empty
 * session id, two cipher suites, null compression, then exts (the
 * extensions block, without its length when raw_exts). */
static size_t build_hello(struct bytes *o, const struct bytes *exts)
{
    struct bytes body = {.n = 0};
    static const uint8_t random[32] = {1, 2, 3};
    put16(&body, 0x0303);
    put(&body, random, sizeof random);
    put8(&body, 0);
    put16(&body, 4);
    put16(&body, 0x1301);
    put16(&body, 0x1302);
    put8(&body, 1);
    put8(&body, 0);
    if (exts) {
        put16(&body, (unsigned)exts->n);
        put(&body, exts->b, exts->n);
    }
    o->n = 0;
    put8(o, 22);
    put16(o, 0x0301);
    put16(o, (unsigned)body.n + 4);
    put8(o, 1);
    put8(o, 0);
    put16(o, (unsigned)body.n);
    put(o, body.b, body.n);
    return o->n;
}

static enum tls_hello_status parse(const struct bytes *o, struct tls_hello *h)
{
    return tls_hello_parse(o->b, o->n, h);
}

static void test_captured(void **state)
{
    (void)state;
    struct tls_hello h;
    assert_int_equal(tls_hello_parse(hello_sni, hello_sni_len, &h), TLS_HELLO_OK);
    assert_string_equal(h.sni, "x.test");
    assert_false(h.has_ech);
    assert_int_equal(tls_hello_parse(hello_tls12, hello_tls12_len, &h), TLS_HELLO_OK);
    assert_string_equal(h.sni, "mixed.case.test");
    assert_int_equal(tls_hello_parse(hello_nosni, hello_nosni_len, &h), TLS_HELLO_NO_SNI);
    assert_non_null(h.why);
}

/* Every prefix asks for more, never for less than one more byte nor for
 * more than the whole record; bytes after the record do not matter. */
static void test_prefixes(void **state)
{
    (void)state;
    struct tls_hello h;
    for (size_t len = 0; len < hello_sni_len; len++) {
        assert_int_equal(tls_hello_parse(hello_sni, len, &h), TLS_HELLO_NEED_MORE);
        assert_true(h.need > len && h.need <= hello_sni_len);
    }
    uint8_t more[sizeof hello_sni + 40];
    memcpy(more, hello_sni, sizeof hello_sni);
    memset(more + sizeof hello_sni, 0x17, 40);
    assert_int_equal(tls_hello_parse(more, sizeof more, &h), TLS_HELLO_OK);
    assert_string_equal(h.sni, "x.test");
}

/* An Encrypted Client Hello: the outer SNI is the public name, flagged. */
static void test_ech(void **state)
{
    (void)state;
    struct bytes exts = {.n = 0}, o;
    static const uint8_t ech[] = {0, 0, 1, 0, 1, 7, 0, 0, 0, 2, 0xaa, 0xbb}; /* outer, suite, config id, enc, payload */
    put_sni(&exts, "public.example");
    put_ext(&exts, TLS_EXT_ECH, ech, sizeof ech);
    build_hello(&o, &exts);
    struct tls_hello h;
    assert_int_equal(parse(&o, &h), TLS_HELLO_OK);
    assert_string_equal(h.sni, "public.example");
    assert_true(h.has_ech);

    exts.n = 0;
    put_ext(&exts, TLS_EXT_ECH, ech, sizeof ech);
    build_hello(&o, &exts);
    assert_int_equal(parse(&o, &h), TLS_HELLO_NO_SNI);
    assert_true(h.has_ech);
}

/* A hello the size of one with a post-quantum key share (X25519MLKEM768:
 * 1216 + 32 bytes) is read whole. */
static void test_post_quantum_size(void **state)
{
    (void)state;
    struct bytes exts = {.n = 0}, o;
    static uint8_t share[2 + 2 + 2 + 1216 + 32];
    share[0] = (sizeof share - 2) >> 8;
    share[1] = (sizeof share - 2) & 0xff;
    share[2] = 0x11, share[3] = 0xec; /* X25519MLKEM768 */
    share[4] = (1216 + 32) >> 8, share[5] = (1216 + 32) & 0xff;
    put_sni(&exts, "pq.example");
    put_ext(&exts, 51, share, sizeof share);
    build_hello(&o, &exts);
    assert_true(o.n > 1300);
    struct tls_hello h;
    assert_int_equal(parse(&o, &h), TLS_HELLO_OK);
    assert_string_equal(h.sni, "pq.example");
}

/* Extension blocks that must be refused (or give no SNI). */
static void test_extension_cases(void **state)
{
    (void)state;
    static const char *const two[] = {"a.example", "b.example", NULL};
    static const char *const one[] = {"a.example", NULL};
    static const char *const empty[] = {NULL};
    static const struct {
        const char *what;
        int shape;
        enum tls_hello_status want;
        const char *sni;
    } cases[] = {
        {"trailing dot and upper case", 0, TLS_HELLO_OK, "a.example"},
        {"two server_name extensions", 1, TLS_HELLO_MALFORMED, NULL},
        {"two host_names in one", 2, TLS_HELLO_MALFORMED, NULL},
        {"a name type other than host_name", 3, TLS_HELLO_MALFORMED, NULL},
        {"an empty server_name list", 4, TLS_HELLO_MALFORMED, NULL},
        {"a list shorter than its extension", 5, TLS_HELLO_MALFORMED, NULL},
        {"a NUL inside the name", 6, TLS_HELLO_MALFORMED, NULL},
        {"a name that is not a DNS name", 7, TLS_HELLO_MALFORMED, NULL},
        {"another extension twice", 8, TLS_HELLO_MALFORMED, NULL},
        {"an extension past the end", 9, TLS_HELLO_MALFORMED, NULL},
        {"no server_name", 10, TLS_HELLO_NO_SNI, NULL},
        {"an empty host_name", 11, TLS_HELLO_MALFORMED, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bytes exts = {.n = 0}, body = {.n = 0}, o;
        switch (cases[i].shape) {
        case 0: put_sni(&exts, "A.Example."); break;
        case 1: put_sni(&exts, "a.example"); put_sni(&exts, "b.example"); break;
        case 2: sni_body(&body, two, 0); put_ext(&exts, 0, body.b, body.n); break;
        case 3: sni_body(&body, one, 1); put_ext(&exts, 0, body.b, body.n); break;
        case 4: sni_body(&body, empty, 0); put_ext(&exts, 0, body.b, body.n); break;
        case 5: sni_body(&body, one, 0); put8(&body, 0); put_ext(&exts, 0, body.b, body.n); break;
        case 6: put_sni(&exts, "a.example"); exts.b[exts.n - 3] = '\0'; break;
        case 7: put_sni(&exts, "a b.example"); break;
        case 8: put_sni(&exts, "a.example"); put_ext(&exts, 10, "\0\2\0\x1d", 4); put_ext(&exts, 10, "\0\2\0\x1d", 4); break;
        case 9: put_sni(&exts, "a.example"); put16(&exts, 10); put16(&exts, 9); put16(&exts, 0); break;
        case 10: put_ext(&exts, 10, "\0\2\0\x1d", 4); break;
        case 11: put_sni(&exts, ""); break;
        }
        build_hello(&o, &exts);
        struct tls_hello h;
        enum tls_hello_status got = parse(&o, &h);
        if (got != cases[i].want)
            FAIL_CASE("%s: got %s, want %s (%s)", cases[i].what, tls_hello_status_name(got),
                     tls_hello_status_name(cases[i].want), h.why ? h.why : "");
        if (cases[i].sni)
            assert_string_equal(h.sni, cases[i].sni);
        if (got == TLS_HELLO_MALFORMED || got == TLS_HELLO_NO_SNI)
            assert_non_null(h.why);
    }
}

/* The record and handshake framing. */
static void test_framing(void **state)
{
    (void)state;
    struct bytes exts = {.n = 0}, o;
    struct tls_hello h;
    put_sni(&exts, "a.example");

    build_hello(&o, &exts);
    o.b[0] = 23; /* application data, not a handshake */
    assert_int_equal(parse(&o, &h), TLS_HELLO_NOT_TLS);
    build_hello(&o, &exts);
    o.b[1] = 2; /* SSL 2 */
    assert_int_equal(parse(&o, &h), TLS_HELLO_NOT_TLS);
    static const uint8_t get[] = "GET / HTTP/1.1\r\n";
    assert_int_equal(tls_hello_parse(get, sizeof get - 1, &h), TLS_HELLO_NOT_TLS);
    static const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x00, 0x02};
    assert_int_equal(tls_hello_parse(sslv2, sizeof sslv2, &h), TLS_HELLO_NOT_TLS);

    build_hello(&o, &exts);
    o.b[5] = 2; /* a ServerHello */
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);

    /* The handshake message says it is longer than its record: split. */
    build_hello(&o, &exts);
    o.b[8] += 1;
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);
    assert_non_null(strstr(h.why, "split"));

    /* The record holds a byte more than the ClientHello. */
    build_hello(&o, &exts);
    o.b[4] += 1;
    put8(&o, 0);
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);

    /* A record over 16384 bytes. */
    build_hello(&o, &exts);
    o.b[3] = 0x40, o.b[4] = 0x01;
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);

    /* The extensions' length one byte short of the rest. */
    build_hello(&o, &exts);
    size_t at = 5 + 4 + 2 + 32 + 1 + 2 + 4 + 1 + 1;
    o.b[at + 1] -= 1;
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);

    /* A session id over 32 bytes. */
    build_hello(&o, &exts);
    o.b[5 + 4 + 2 + 32] = 33;
    assert_int_equal(parse(&o, &h), TLS_HELLO_MALFORMED);

    /* No extensions at all. */
    build_hello(&o, NULL);
    assert_int_equal(parse(&o, &h), TLS_HELLO_NO_SNI);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured),   cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_ech),        cmocka_unit_test(test_post_quantum_size),
        cmocka_unit_test(test_extension_cases), cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests_name("tlshello", tests, NULL, NULL);
}
