/* Unit tests for address classes and CIDR parsing (DNS rebinding defence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/addrclass.h"

static enum addr_class classify_text(const char *text)
{
    uint8_t a[16];
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    assert_int_equal(inet_pton(family, text, a), 1);
    return addr_classify(family, a);
}

static const struct {
    const char *addr;
    enum addr_class want;
} classes[] = {
    /* IPv4 */
    {"0.0.0.0", ADDR_UNSPECIFIED},
    {"0.255.255.255", ADDR_UNSPECIFIED},
    {"127.0.0.1", ADDR_LOOPBACK},
    {"127.255.255.254", ADDR_LOOPBACK},
    {"169.254.169.254", ADDR_LINK_LOCAL},
    {"169.254.0.0", ADDR_LINK_LOCAL},
    {"169.253.255.255", ADDR_PUBLIC},
    {"169.255.0.0", ADDR_PUBLIC},
    {"224.0.0.1", ADDR_MULTICAST},
    {"239.255.255.250", ADDR_MULTICAST},
    {"255.255.255.255", ADDR_BROADCAST},
    {"255.255.255.254", ADDR_RESERVED},
    {"240.0.0.1", ADDR_RESERVED},
    {"10.0.0.1", ADDR_PRIVATE},
    {"10.255.255.255", ADDR_PRIVATE},
    {"10.0.2.2", ADDR_SLIRP},
    {"10.0.2.3", ADDR_SLIRP},
    {"10.0.2.255", ADDR_SLIRP},
    {"10.0.3.0", ADDR_PRIVATE},
    {"10.0.1.255", ADDR_PRIVATE},
    {"172.16.0.1", ADDR_PRIVATE},
    {"172.31.255.255", ADDR_PRIVATE},
    {"172.15.255.255", ADDR_PUBLIC},
    {"172.32.0.0", ADDR_PUBLIC},
    {"192.168.1.1", ADDR_PRIVATE},
    {"192.167.255.255", ADDR_PUBLIC},
    {"192.169.0.0", ADDR_PUBLIC},
    {"100.64.0.1", ADDR_SHARED_CGNAT},
    {"100.127.255.255", ADDR_SHARED_CGNAT},
    {"100.63.255.255", ADDR_PUBLIC},
    {"100.128.0.0", ADDR_PUBLIC},
    {"192.0.0.1", ADDR_RESERVED},
    {"192.0.0.170", ADDR_RESERVED},
    {"192.0.1.0", ADDR_PUBLIC},
    {"198.18.0.1", ADDR_RESERVED},
    {"198.19.255.255", ADDR_RESERVED},
    {"198.20.0.0", ADDR_PUBLIC},
    {"192.0.2.1", ADDR_PUBLIC},
    {"198.51.100.7", ADDR_PUBLIC},
    {"203.0.113.5", ADDR_PUBLIC},
    {"1.1.1.1", ADDR_PUBLIC},
    {"8.8.8.8", ADDR_PUBLIC},
    {"223.255.255.255", ADDR_PUBLIC},
    {"11.0.0.0", ADDR_PUBLIC},
    {"9.255.255.255", ADDR_PUBLIC},
    {"1.0.0.0", ADDR_PUBLIC},
    {"126.255.255.255", ADDR_PUBLIC},
    {"128.0.0.0", ADDR_PUBLIC},
    /* IPv6 */
    {"::", ADDR_UNSPECIFIED},
    {"::1", ADDR_LOOPBACK},
    {"::2", ADDR_UNSPECIFIED}, /* compatible 0.0.0.2 */
    {"fe80::1", ADDR_LINK_LOCAL},
    {"febf:ffff::1", ADDR_LINK_LOCAL},
    {"fec0::1", ADDR_RESERVED},
    {"feff::1", ADDR_RESERVED},
    {"ff02::1", ADDR_MULTICAST},
    {"ff0e::1", ADDR_MULTICAST},
    {"fc00::1", ADDR_PRIVATE},
    {"fd12:3456::1", ADDR_PRIVATE},
    {"fd00:ec2::254", ADDR_PRIVATE},
    {"fbff:ffff::1", ADDR_RESERVED},
    {"::ffff:127.0.0.1", ADDR_LOOPBACK},
    {"::ffff:169.254.169.254", ADDR_LINK_LOCAL},
    {"::ffff:192.168.0.1", ADDR_PRIVATE},
    {"::ffff:10.0.2.2", ADDR_SLIRP},
    {"::ffff:203.0.113.5", ADDR_PUBLIC},
    {"::ffff:0.0.0.0", ADDR_UNSPECIFIED},
    {"::127.0.0.1", ADDR_LOOPBACK},
    {"::10.1.2.3", ADDR_PRIVATE},
    {"::8.8.8.8", ADDR_PUBLIC},
    {"::ffff:0:127.0.0.1", ADDR_LOOPBACK}, /* SIIT */
    {"::ffff:0:8.8.8.8", ADDR_PUBLIC},
    {"64:ff9b::127.0.0.1", ADDR_LOOPBACK},
    {"64:ff9b::a9fe:a9fe", ADDR_LINK_LOCAL},
    {"64:ff9b::8.8.8.8", ADDR_PUBLIC},
    {"64:ff9b:1::1", ADDR_PRIVATE},
    {"64:ff9b:0:0:1::1", ADDR_RESERVED}, /* neither NAT64 prefix */
    {"2002:7f00:1::1", ADDR_LOOPBACK},
    {"2002:c0a8:101::1", ADDR_PRIVATE},
    {"2002:a00:202::", ADDR_SLIRP},
    {"2002:cb00:7105::1", ADDR_PUBLIC},
    {"2001:0:4136:e378:8000:63bf:80ff:fffe", ADDR_LOOPBACK}, /* Teredo, client ~80ff:fffe = 127.0.0.1 */
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", ADDR_PUBLIC},   /* client 192.0.2.45, server 65.54.227.120 */
    {"2001:0:a00:1:8000:63bf:3fff:fdd2", ADDR_PRIVATE},      /* server 10.0.0.1 */
    {"2001:2::1", ADDR_RESERVED},
    {"2001:db8::1", ADDR_PUBLIC},
    {"2001:4860:4860::8888", ADDR_PUBLIC},
    {"2606:4700::1111", ADDR_PUBLIC},
    {"3fff:ffff::1", ADDR_PUBLIC},
    {"4000::1", ADDR_RESERVED},
    {"100::1", ADDR_RESERVED},
    {"1fff::1", ADDR_RESERVED},
    {"::1:0:0:1", ADDR_RESERVED},
};

static void test_classify(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        enum addr_class got = classify_text(classes[i].addr);
        if (got != classes[i].want)
            fail_msg("%s: got %s, want %s", classes[i].addr, addr_class_name(got), addr_class_name(classes[i].want));
    }
}

static void test_unknown_family(void **state)
{
    (void)state;
    static const uint8_t a[16] = {8, 8, 8, 8};
    assert_int_equal(addr_classify(AF_UNIX, a), ADDR_RESERVED);
    assert_int_equal(addr_classify(AF_INET, a), ADDR_PUBLIC);
}

static void test_class_names(void **state)
{
    (void)state;
    for (int c = ADDR_PUBLIC; c <= ADDR_SLIRP; c++) {
        const char *n = addr_class_name((enum addr_class)c);
        assert_non_null(n);
        assert_string_not_equal(n, "unknown");
        for (int d = ADDR_PUBLIC; d < c; d++)
            assert_string_not_equal(n, addr_class_name((enum addr_class)d));
    }
    assert_string_equal(addr_class_name(ADDR_LINK_LOCAL), "link-local (cloud metadata lives here)");
    assert_string_equal(addr_class_name((enum addr_class)99), "unknown");
}

static void test_in_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *prefix;
        unsigned len;
        bool want;
    } cases[] = {
        {"10.1.2.3", "10.0.0.0", 8, true},
        {"11.1.2.3", "10.0.0.0", 8, false},
        {"172.31.0.1", "172.16.0.0", 12, true},
        {"172.32.0.1", "172.16.0.0", 12, false},
        {"1.2.3.4", "9.9.9.9", 0, true},
        {"1.2.3.4", "1.2.3.4", 32, true},
        {"1.2.3.5", "1.2.3.4", 32, false},
        {"1.2.3.5", "1.2.3.4", 31, true},
        {"1.2.3.4", "1.2.3.4", 33, false},
        {"2001:db8::1", "2001:db8::", 32, true},
        {"2001:db9::1", "2001:db8::", 32, false},
        {"2001:db8::1", "2001:db8::", 127, true},
        {"2001:db8::2", "2001:db8::", 127, false},
        {"2001:db8::1", "2001:db8::1", 128, true},
        {"2001:db8::1", "2001:db8::1", 129, false},
        {"fe80::1", "fe80::", 10, true},
        {"febf::1", "fe80::", 10, true},
        {"fec0::1", "fe80::", 10, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t a[16], p[16];
        int family = strchr(cases[i].addr, ':') ? AF_INET6 : AF_INET;
        assert_int_equal(inet_pton(family, cases[i].addr, a), 1);
        assert_int_equal(inet_pton(family, cases[i].prefix, p), 1);
        if (addr_in_prefix(family, a, p, cases[i].len) != cases[i].want)
            fail_msg("%s in %s/%u", cases[i].addr, cases[i].prefix, cases[i].len);
    }
    uint8_t z[16] = {0};
    assert_false(addr_in_prefix(AF_UNIX, z, z, 0));
}

static void test_parse_cidr(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int family;
        const char *net; /* as inet_ntop prints it */
        unsigned len;
    } good[] = {
        {"10.1.2.3", AF_INET, "10.1.2.3", 32},
        {"10.1.0.0/16", AF_INET, "10.1.0.0", 16},
        {"10.1.2.3/16", AF_INET, "10.1.0.0", 16}, /* host bits cleared */
        {"10.1.2.3/0", AF_INET, "0.0.0.0", 0},
        {"10.1.2.3/31", AF_INET, "10.1.2.2", 31},
        {"10.1.2.255/25", AF_INET, "10.1.2.128", 25},
        {"2001:db8::1", AF_INET6, "2001:db8::1", 128},
        {"2001:db8::/32", AF_INET6, "2001:db8::", 32},
        {"2001:db8:ffff::1/33", AF_INET6, "2001:db8:8000::", 33},
        {"::/0", AF_INET6, "::", 0},
        {"::ffff:10.0.0.1/128", AF_INET6, "::ffff:10.0.0.1", 128},
        {"fe80::1/10", AF_INET6, "fe80::", 10},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int family = -1;
        uint8_t out[16];
        unsigned len = 999;
        char text[64];
        memset(out, 0xee, sizeof out);
        if (addr_parse_cidr(good[i].text, &family, out, &len) != 0)
            fail_msg("%s rejected", good[i].text);
        assert_int_equal(family, good[i].family);
        assert_int_equal(len, good[i].len);
        assert_non_null(inet_ntop(family, out, text, sizeof text));
        assert_string_equal(text, good[i].net);
        if (family == AF_INET)
            for (int b = 4; b < 16; b++)
                assert_int_equal(out[b], 0);
    }
    static const char *const bad[] = {
        "", "/8", "10.1.2.3/", "10.1.2.3/33", "10.1.2.3/-1", "10.1.2.3/+8", "10.1.2.3/08", "10.1.2.3/8/8",
        "10.1.2.3/8 ", " 10.1.2.3", "10.1.2", "10.1.2.3.4", "010.1.2.3", "256.1.2.3", "10.1.2.3/4294967304",
        "2001:db8::/129", "2001:db8:::1", "fe80::1%eth0", "fe80::1%eth0/64", "example.test", "1.2.3.4x",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int family;
        uint8_t out[16];
        unsigned len;
        if (addr_parse_cidr(bad[i], &family, out, &len) != -1)
            fail_msg("\"%s\" accepted", bad[i]);
    }
    int family;
    uint8_t out[16];
    unsigned len;
    assert_int_equal(addr_parse_cidr(NULL, &family, out, &len), -1);
    /* The longest IPv6 text form fits. */
    assert_int_equal(addr_parse_cidr("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/96", &family, out, &len), 0);
    assert_int_equal(len, 96);
}

/* A parsed prefix matches what addr_in_prefix says: the pair the allowlist uses. */
static void test_cidr_then_match(void **state)
{
    (void)state;
    int family;
    uint8_t net[16], a[16];
    unsigned len;
    assert_int_equal(addr_parse_cidr("192.168.77.9/24", &family, net, &len), 0);
    assert_int_equal(inet_pton(AF_INET, "192.168.77.200", a), 1);
    assert_true(addr_in_prefix(family, a, net, len));
    assert_int_equal(inet_pton(AF_INET, "192.168.78.1", a), 1);
    assert_false(addr_in_prefix(family, a, net, len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),     cmocka_unit_test(test_unknown_family),
        cmocka_unit_test(test_class_names),  cmocka_unit_test(test_in_prefix),
        cmocka_unit_test(test_parse_cidr),   cmocka_unit_test(test_cidr_then_match),
    };
    return cmocka_run_group_tests_name("addrclass", tests, NULL, NULL);
}
