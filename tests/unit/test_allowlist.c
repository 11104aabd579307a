/* Unit tests for allowlist parsing and matching, what allowed ranges leave
 * out, and the ruleset text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "common/error.h"
#include "netns/codec/allowlist.h"
#include "netns/codec/carveout.h"
#include "netns/kernel/nft.h"

static void add(struct allowlist *l, const char *text, bool deny)
{
    struct allow_rule r;
    struct error err = {0};
    if (allow_rule_parse(text, deny, &r, &err) < 0)
        fail_msg("%s: %s", text, err.text);
    allowlist_add(l, &r, deny);
}

static void test_parse_forms(void **state)
{
    (void)state;
    struct allow_rule r;
    struct error err = {0};
    char text[300];
    struct {
        const char *in;
        enum allow_kind kind;
        const char *name;
        uint16_t port;
        const char *formatted;
    } ok[] = {
        {"API.Example.COM", ALLOW_NAME, "api.example.com", 0, "api.example.com"},
        {"example.com.", ALLOW_NAME, "example.com", 0, "example.com"},
        {"*.example.com", ALLOW_SUFFIX, "example.com", 0, "*.example.com"},
        {"api.example.com:443", ALLOW_NAME, "api.example.com", 443, "api.example.com:443"},
        {"*.ingest.sentry.io:443", ALLOW_SUFFIX, "ingest.sentry.io", 443, "*.ingest.sentry.io:443"},
        {"_acme.example.com", ALLOW_NAME, "_acme.example.com", 0, "_acme.example.com"},
        {"10.1.2.3", ALLOW_ADDRESS, "", 0, "10.1.2.3"},
        {"10.1.0.0/16", ALLOW_ADDRESS, "", 0, "10.1.0.0/16"},
        {"203.0.113.5:8443", ALLOW_ADDRESS, "", 8443, "203.0.113.5:8443"},
        {"2001:db8::1", ALLOW_ADDRESS, "", 0, "2001:db8::1"},
        {"2001:db8::/32", ALLOW_ADDRESS, "", 0, "2001:db8::/32"},
        {"[2001:db8::1]:443", ALLOW_ADDRESS, "", 443, "[2001:db8::1]:443"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (allow_rule_parse(ok[i].in, false, &r, &err) < 0)
            fail_msg("%s: %s", ok[i].in, err.text);
        assert_int_equal(r.kind, ok[i].kind);
        assert_string_equal(r.name, ok[i].name);
        assert_int_equal(r.port, ok[i].port);
        allow_rule_format(&r, text, sizeof text);
        assert_string_equal(text, ok[i].formatted);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct allow_rule r;
    struct error err = {0};
    struct {
        const char *in;
        bool deny;
        const char *needle;
    } bad[] = {
        {"", false, "empty"},
        {"*", false, "every name"},
        {"*.com", false, "top-level"},
        {"*.com.", false, "top-level"},
        {"ex*mple.com", false, "not a DNS name"},
        {"a..b", false, "not a DNS name"},
        {"-x.com:0", false, "not a port"},
        {"x.com:70000", false, "not a port"},
        {"x.com:", false, "not a port"},
        {"x.com:+1", false, "not a port"},
        {"0.0.0.0/0", false, "every address"},
        {"10.0.0.0/33", false, "prefix length"},
        {"10.0.0.1/01", false, "not an IP address or range"},
        {"999.1.1.1", false, "not an IP"},
        {"[::1", false, "[ADDR]:PORT"},
        {"10.1.2.3", true, "takes names"},
        {"bad name.com", false, "not a DNS name"},
        {"a\x01.com", false, "not a DNS name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.text[0] = '\0';
        if (allow_rule_parse(bad[i].in, bad[i].deny, &r, &err) == 0)
            fail_msg("'%s' was accepted", bad[i].in);
        if (!strstr(err.text, bad[i].needle))
            fail_msg("'%s': error '%s' lacks '%s'", bad[i].in, err.text, bad[i].needle);
    }
    char long_name[400];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(allow_rule_parse(long_name, false, &r, &err), -1);
}

static void test_matching(void **state)
{
    (void)state;
    struct allowlist l = {0};
    add(&l, "api.example.com", false);
    add(&l, "*.cdn.example.net", false);
    add(&l, "ports.example.org:443", false);
    add(&l, "ports.example.org:8443", false);
    add(&l, "*.example.com", false);
    add(&l, "evil.example.com", true);
    struct allow_verdict v;

    allowlist_check(&l, "api.example.com", &v);
    assert_true(v.allowed && v.any_port && !v.denied);
    allowlist_check(&l, "x.y.cdn.example.net", &v);
    assert_true(v.allowed);
    allowlist_check(&l, "cdn.example.net", &v); /* a wildcard is for subdomains only */
    assert_false(v.allowed);
    allowlist_check(&l, "xcdn.example.net", &v);
    assert_false(v.allowed);
    allowlist_check(&l, "example.com.evil.test", &v);
    assert_false(v.allowed);
    allowlist_check(&l, "ports.example.org", &v);
    assert_true(v.allowed && !v.any_port);
    assert_int_equal(v.n_ports, 2);
    assert_int_equal(v.ports[0], 443);
    assert_int_equal(v.ports[1], 8443);
    allowlist_check(&l, "evil.example.com", &v); /* deny wins over *.example.com */
    assert_true(v.denied);
    allowlist_check(&l, "other.test", &v);
    assert_false(v.allowed || v.denied);
    allowlist_free(&l);
}

static void test_ruleset_text(void **state)
{
    (void)state;
    struct allowlist l = {0};
    add(&l, "10.1.0.0/16", false);
    add(&l, "203.0.113.5:8443", false);
    add(&l, "api.example.com", false);
    uint16_t ports[] = {5432, 8000};
    struct nft_policy policy = {.allowlist = &l, .host_ports = ports, .n_host_ports = 2};
    char text[4096];
    assert_true(nft_ruleset_text(&policy, text, sizeof text) > 0);
    assert_non_null(strstr(text, "policy drop;"));
    assert_non_null(strstr(text, "ip daddr 10.0.2.2 tcp dport { 5432, 8000 } accept"));
    assert_non_null(strstr(text, "ip daddr 10.1.0.0/16 accept"));
    assert_non_null(strstr(text, "ip daddr 203.0.113.5/32 meta l4proto { tcp, udp } th dport 8443 accept"));
    assert_null(strstr(text, "api.example.com")); /* names go through the gate, never into rules */
    assert_non_null(strstr(text, "reject with icmpx admin-prohibited"));
    /* slirp's network and DNS servers are refused before any allow. */
    const char *slirp = strstr(text, "ip daddr 10.0.2.0/24 goto refuse");
    const char *dns = strstr(text, "th dport { 53, 853 } goto refuse");
    const char *first_allow = strstr(text, "ip daddr 10.1.0.0/16 accept");
    assert_non_null(slirp);
    assert_non_null(dns);
    assert_true(slirp < first_allow && dns < first_allow);
    assert_true(strstr(text, "tcp dport { 5432, 8000 } accept") < slirp);
    char tiny[64];
    assert_int_equal(nft_ruleset_text(&policy, tiny, sizeof tiny), -1);
    struct nft_policy none = {0};
    assert_true(nft_ruleset_text(&none, text, sizeof text) > 0);
    assert_null(strstr(text, "10.0.2.2")); /* host loopback closed by default */
    allowlist_free(&l);
}

static struct allow_rule rule(const char *text)
{
    struct allow_rule r;
    struct error err = {0};
    if (allow_rule_parse(text, false, &r, &err) < 0)
        fail_msg("%s: %s", text, err.text);
    return r;
}

static const struct carveout *find_carveout(const struct carveouts *c, const char *text)
{
    for (size_t i = 0; i < c->n; i++) {
        char t[64];
        carveout_format(&c->items[i], t, sizeof t);
        if (strcmp(t, text) == 0)
            return &c->items[i];
    }
    return NULL;
}

/* How many carve-outs the rule `text` loses. */
static size_t cuts(const struct carveouts *c, const char *text)
{
    struct allow_rule r = rule(text);
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += carveout_cuts(&c->items[i], &r);
    return n;
}

static void test_carveouts(void **state)
{
    (void)state;
    struct carveouts c = {0};
    carveouts_add_fixed(&c);
    uint8_t lan[4] = {192, 168, 1, 5}, lo[4] = {127, 0, 0, 1}, slirp[4] = {10, 0, 2, 15}, v6[16] = {0x20, 0x01, 0x0d,
                                                                                                 0xb8, [15] = 7};
    carveouts_add_host(&c, AF_INET, lan);
    carveouts_add_host(&c, AF_INET, lan);   /* twice: once on the list */
    carveouts_add_host(&c, AF_INET, lo);    /* inside 127.0.0.0/8 already */
    carveouts_add_host(&c, AF_INET, slirp); /* inside 10.0.2.0/24 already */
    carveouts_add_host(&c, AF_INET6, v6);
    assert_non_null(find_carveout(&c, "127.0.0.0/8"));
    assert_non_null(find_carveout(&c, "0.0.0.0/8"));
    assert_non_null(find_carveout(&c, "169.254.0.0/16"));
    assert_non_null(find_carveout(&c, "::1"));
    assert_non_null(find_carveout(&c, "fe80::/10"));
    assert_true(find_carveout(&c, "10.0.2.0/24")->fixed);
    assert_true(find_carveout(&c, "192.168.1.5")->host);
    assert_true(find_carveout(&c, "2001:db8::7")->host);
    assert_null(find_carveout(&c, "127.0.0.1"));
    assert_null(find_carveout(&c, "10.0.2.15"));
    size_t lan_entries = 0;
    for (size_t i = 0; i < c.n; i++)
        lan_entries += c.items[i].family == AF_INET && !memcmp(c.items[i].addr, lan, 4);
    assert_int_equal(lan_entries, 1);

    assert_true(carveouts_has_host(&c, AF_INET, lan));
    assert_false(carveouts_has_host(&c, AF_INET, lo)); /* loopback is not "a host address" entry */

    /* Ranges lose what they hold; exact addresses keep their meaning,
     * except in the network stack's 10.0.2.0/24. */
    assert_int_equal(cuts(&c, "10.0.0.0/8"), 1);        /* 10.0.2.0/24 */
    assert_int_equal(cuts(&c, "192.168.0.0/16"), 1);    /* 192.168.1.5 */
    assert_int_equal(cuts(&c, "0.0.0.0/1"), 3);         /* 0/8, 10.0.2/24, 127/8 */
    assert_int_equal(cuts(&c, "128.0.0.0/1"), 2);       /* 169.254/16, 192.168.1.5 */
    assert_int_equal(cuts(&c, "127.0.0.0/16"), 1);      /* a range inside a carve-out: cut too */
    assert_int_equal(cuts(&c, "203.0.113.0/24"), 0);
    assert_int_equal(cuts(&c, "192.168.1.5"), 0);       /* exact: lifted */
    assert_int_equal(cuts(&c, "192.168.1.5:22"), 0);
    assert_int_equal(cuts(&c, "169.254.169.254"), 0);
    assert_int_equal(cuts(&c, "10.0.2.2"), 1);          /* exact, but 10.0.2.0/24 stays */
    assert_int_equal(cuts(&c, "2001:db8::/32"), 1);
    assert_int_equal(cuts(&c, "fe80::1"), 0);
    assert_int_equal(cuts(&c, "fe80::/16"), 1);
    struct allow_rule name = rule("example.com");
    assert_false(carveout_cuts(find_carveout(&c, "127.0.0.0/8"), &name));
    carveouts_free(&c);
    assert_int_equal(c.n, 0);
}

static void test_ruleset_carveouts(void **state)
{
    (void)state;
    struct allowlist l = {0};
    add(&l, "192.168.0.0/16", false);
    add(&l, "192.168.1.5:22", false);
    add(&l, "2001:db8::/32", false);
    struct carveouts c = {0};
    carveouts_add_fixed(&c);
    uint8_t lan[4] = {192, 168, 1, 5};
    carveouts_add_host(&c, AF_INET, lan);
    struct nft_policy policy = {.allowlist = &l, .carveouts = &c};
    char text[8192];
    assert_true(nft_ruleset_text(&policy, text, sizeof text) > 0);
    assert_non_null(strstr(text, "set carve4 { type ipv4_addr; flags interval; elements = { 0.0.0.0/8, "
                                 "127.0.0.0/8, 169.254.0.0/16, 10.0.2.0/24, 192.168.1.5 }; }"));
    assert_non_null(strstr(text, "set carve6 { type ipv6_addr; flags interval; elements = { ::, ::1, "));
    const char *exact = strstr(text, "ip daddr 192.168.1.5/32 meta l4proto { tcp, udp } th dport 22 accept");
    const char *carve4 = strstr(text, "ip daddr @carve4 goto refuse");
    const char *carve6 = strstr(text, "ip6 daddr @carve6 goto refuse");
    const char *range = strstr(text, "ip daddr 192.168.0.0/16 accept");
    const char *sets = strstr(text, "ip daddr @allow4 accept");
    const char *slirp = strstr(text, "ip daddr 10.0.2.0/24 goto refuse");
    assert_non_null(exact);
    assert_non_null(carve4);
    assert_non_null(carve6);
    assert_non_null(range);
    assert_non_null(sets);
    /* 10.0.2.0/24 first, then exact addresses, then what reaches this
     * machine, then the ranges and the addresses of allowlisted names. */
    assert_true(slirp < exact && exact < carve4 && carve4 < carve6 && carve6 < range && range < sets);
    carveouts_free(&c);
    allowlist_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_ruleset_text),
        cmocka_unit_test(test_carveouts),
        cmocka_unit_test(test_ruleset_carveouts),
    };
    return cmocka_run_group_tests_name("allowlist", tests, NULL, NULL);
}
