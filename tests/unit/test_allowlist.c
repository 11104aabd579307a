/* Unit tests for allowlist parsing and matching, and the ruleset text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "../../netns/allowlist.h"
#include "../../netns/nft.h"

static void add(struct allowlist *l, const char *text, bool deny)
{
    struct allow_rule r;
    char err[256];
    if (allow_rule_parse(text, deny, &r, err, sizeof err) < 0)
        fail_msg("%s: %s", text, err);
    allowlist_add(l, &r, deny);
}

static void test_parse_forms(void **state)
{
    (void)state;
    struct allow_rule r;
    char err[256], text[300];
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
        if (allow_rule_parse(ok[i].in, false, &r, err, sizeof err) < 0)
            fail_msg("%s: %s", ok[i].in, err);
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
    char err[256];
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
        err[0] = '\0';
        if (allow_rule_parse(bad[i].in, bad[i].deny, &r, err, sizeof err) == 0)
            fail_msg("'%s' was accepted", bad[i].in);
        if (!strstr(err, bad[i].needle))
            fail_msg("'%s': error '%s' lacks '%s'", bad[i].in, err, bad[i].needle);
    }
    char long_name[400];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(allow_rule_parse(long_name, false, &r, err, sizeof err), -1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_ruleset_text),
    };
    return cmocka_run_group_tests_name("allowlist", tests, NULL, NULL);
}
