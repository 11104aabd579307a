/* Unit tests for the table of names and the addresses they resolved to
 * (netns/codec/resolved.c): lookups both ways, expiry by the caller's
 * clock, the cap, and the wire form of one entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/resolved.h"

struct addr {
    int family;
    uint8_t a[16];
};

static struct addr A(const char *text)
{
    struct addr r = {.family = strchr(text, ':') ? AF_INET6 : AF_INET};
    assert_int_equal(inet_pton(r.family, text, r.a), 1);
    return r;
}

static int add(struct resolved_table *t, const char *name, const char *text, uint32_t ttl, uint64_t now)
{
    struct addr a = A(text);
    return resolved_add(t, name, a.family, a.a, ttl, now);
}

static bool has(const struct resolved_table *t, const char *name, const char *text, uint64_t now)
{
    struct addr a = A(text);
    return resolved_has(t, name, a.family, a.a, now);
}

static size_t names_for(const struct resolved_table *t, const char *text, uint64_t now, const char **names, size_t max)
{
    struct addr a = A(text);
    return resolved_names_for(t, a.family, a.a, now, names, max);
}

static void test_lookups(void **state)
{
    (void)state;
    struct resolved_table t;
    resolved_init(&t, 16);
    assert_int_equal(add(&t, "Registry.NPMjs.org.", "104.16.2.3", 300, 1000), 0);
    assert_int_equal(add(&t, "www.npmjs.com", "104.16.2.3", 300, 1000), 0);
    assert_int_equal(add(&t, "registry.npmjs.org", "2606:4700::6810:203", 300, 1000), 0);
    assert_true(has(&t, "registry.npmjs.org", "104.16.2.3", 1000));
    assert_true(has(&t, "registry.npmjs.org", "2606:4700::6810:203", 1000));
    assert_false(has(&t, "registry.npmjs.org", "104.16.2.4", 1000));
    assert_false(has(&t, "evil.example", "104.16.2.3", 1000));
    /* The IPv4 address is not the IPv6 one whose first bytes match. */
    assert_false(has(&t, "registry.npmjs.org", "6810:203::", 1000));

    const char *names[4];
    assert_int_equal(names_for(&t, "104.16.2.3", 1000, names, 4), 2);
    assert_string_equal(names[0], "registry.npmjs.org");
    assert_string_equal(names[1], "www.npmjs.com");
    assert_int_equal(names_for(&t, "104.16.2.3", 1000, names, 1), 2); /* counts past max */
    assert_int_equal(names_for(&t, "2606:4700::6810:203", 1000, names, 4), 1);
    assert_int_equal(names_for(&t, "198.51.100.1", 1000, names, 4), 0);

    /* Not a name, not a family: nothing added. */
    uint8_t any[16] = {1};
    assert_int_equal(resolved_add(&t, "a b", AF_INET, any, 60, 0), -1);
    assert_int_equal(resolved_add(&t, "a.example", AF_UNIX, any, 60, 0), -1);
    assert_false(resolved_has(&t, "a.example", AF_UNIX, any, 0));
    resolved_free(&t);
}

static void test_expiry(void **state)
{
    (void)state;
    struct resolved_table t;
    resolved_init(&t, 16);
    assert_int_equal(add(&t, "a.example", "192.0.2.1", 60, 100), 0);
    assert_true(has(&t, "a.example", "192.0.2.1", 159));
    assert_false(has(&t, "a.example", "192.0.2.1", 160));
    const char *names[2];
    assert_int_equal(names_for(&t, "192.0.2.1", 160, names, 2), 0);

    /* Renewing keeps the later expiry, a shorter TTL does not shorten it. */
    assert_int_equal(add(&t, "a.example", "192.0.2.1", 600, 150), 0);
    assert_int_equal(add(&t, "a.example", "192.0.2.1", 10, 160), 0);
    assert_true(has(&t, "a.example", "192.0.2.1", 749));
    assert_false(has(&t, "a.example", "192.0.2.1", 750));
    assert_int_equal(t.n, 1);

    /* A TTL over a day is cut to a day. */
    assert_int_equal(add(&t, "b.example", "192.0.2.2", UINT32_MAX, 0), 0);
    assert_true(has(&t, "b.example", "192.0.2.2", RESOLVED_TTL_MAX - 1));
    assert_false(has(&t, "b.example", "192.0.2.2", RESOLVED_TTL_MAX));

    resolved_expire(&t, 750);
    assert_int_equal(t.n, 1);
    resolved_free(&t);
}

/* At the cap: expired entries make room; live ones are never evicted, and
 * the new entry is refused (so its address stays closed). */
static void test_cap(void **state)
{
    (void)state;
    struct resolved_table t;
    resolved_init(&t, 3);
    assert_int_equal(add(&t, "a.example", "192.0.2.1", 10, 0), 0);
    assert_int_equal(add(&t, "b.example", "192.0.2.2", 100, 0), 0);
    assert_int_equal(add(&t, "c.example", "192.0.2.3", 100, 0), 0);
    assert_int_equal(add(&t, "d.example", "192.0.2.4", 100, 5), -1);
    assert_false(has(&t, "d.example", "192.0.2.4", 5));
    assert_true(has(&t, "a.example", "192.0.2.1", 5));
    /* Renewing an entry needs no room. */
    assert_int_equal(add(&t, "c.example", "192.0.2.3", 200, 5), 0);
    /* a.example's time is over at 10: its place is taken. */
    assert_int_equal(add(&t, "d.example", "192.0.2.4", 100, 10), 0);
    assert_true(has(&t, "d.example", "192.0.2.4", 10));
    assert_false(has(&t, "a.example", "192.0.2.1", 10));
    assert_true(has(&t, "b.example", "192.0.2.2", 10));
    assert_int_equal(t.n, 3);
    resolved_free(&t);
}

static void test_wire_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *addr;
        uint32_t ttl;
    } entries[] = {
        {"registry.npmjs.org", "104.16.2.3", 300},
        {"a.example", "2001:db8::1", 0},
        {"x", "192.0.2.1", UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        struct resolved_wire e = {.ttl = entries[i].ttl}, back;
        struct addr a = A(entries[i].addr);
        e.family = a.family;
        memcpy(e.addr, a.a, 16);
        strcpy(e.name, entries[i].name);
        uint8_t buf[RESOLVED_WIRE_MAX];
        int n = resolved_wire_encode(&e, buf, sizeof buf);
        assert_int_equal(n, 2 + (a.family == AF_INET ? 4 : 16) + 4 + 1 + strlen(entries[i].name));
        struct error err = {0};
        assert_int_equal(resolved_wire_decode(buf, (size_t)n, &back, &err), 0);
        assert_string_equal(back.name, e.name);
        assert_int_equal(back.family, e.family);
        assert_int_equal(back.ttl, e.ttl);
        assert_memory_equal(back.addr, e.addr, 16);
        /* One byte short or one too many: refused. */
        assert_int_equal(resolved_wire_decode(buf, (size_t)n - 1, &back, &err), -1);
        buf[n] = 'a';
        assert_int_equal(resolved_wire_decode(buf, (size_t)n + 1, &back, &err), -1);
    }
    /* A name not in normal form is not encoded. */
    struct resolved_wire upper = {.family = AF_INET, .name = "A.example"};
    uint8_t buf[RESOLVED_WIRE_MAX];
    assert_int_equal(resolved_wire_encode(&upper, buf, sizeof buf), -1);
    assert_int_equal(resolved_wire_encode(&(struct resolved_wire){.family = AF_INET, .name = "a.example"}, buf, 5),
                     -1);
}

static void test_wire_refused(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        size_t len;
        uint8_t b[300];
    } bad[] = {
        {"empty", 0, {0}},
        {"version 2", 12, {2, 4, 192, 0, 2, 1, 0, 0, 0, 60, 1, 'a'}},
        {"family 5", 12, {1, 5, 192, 0, 2, 1, 0, 0, 0, 60, 1, 'a'}},
        {"no name", 11, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 0}},
        {"name longer than the record", 12, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 2, 'a'}},
        {"upper case", 12, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 1, 'A'}},
        {"a NUL", 13, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 2, 'a', 0}},
        {"a trailing dot", 13, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 2, 'a', '.'}},
        {"a space", 13, {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 2, 'a', ' '}},
        {"IPv6 cut short", 12, {1, 6, 192, 0, 2, 1, 0, 0, 0, 60, 1, 'a'}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct resolved_wire e;
        struct error err = {0};
        if (resolved_wire_decode(bad[i].b, bad[i].len, &e, &err) != -1)
            fail_msg("%s: accepted", bad[i].what);
        assert_true(strlen(err.text) > 0);
    }
    /* A 255-byte name fills the length byte but not a DNS name. */
    uint8_t big[2 + 4 + 4 + 1 + 255] = {1, 4, 192, 0, 2, 1, 0, 0, 0, 60, 255};
    memset(big + 11, 'a', 255);
    struct resolved_wire e;
    struct error err = {0};
    assert_int_equal(resolved_wire_decode(big, sizeof big, &e, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups),         cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_cap),             cmocka_unit_test(test_wire_round_trip),
        cmocka_unit_test(test_wire_refused),
    };
    return cmocka_run_group_tests_name("resolved", tests, NULL, NULL);
}
