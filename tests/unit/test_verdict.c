/* Unit tests for the egress relay's decision (netns/codec/verdict.c): one
 * allowlist, one session's resolved names, and each way a connection or
 * request is allowed or refused, with the exact line clbox prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/codec/verdict.h"

/* cmocka's fail_msg is not shown in TAP output: the case goes to stderr. */
#define FAIL_CASE(...)                                                                                                 \
    do {                                                                                                               \
        fprintf(stderr, "# " __VA_ARGS__);                                                                             \
        fprintf(stderr, "\n");                                                                                         \
        fail();                                                                                                        \
    } while (0)

enum { NOW = 1000 };

static struct allowlist allow;
static struct resolved_table resolved;
static struct carveouts carve;
static const unsigned short host_ports[] = {8080};
static struct egress_policy policy;

static void parse_addr(const char *text, int *family, uint8_t *addr)
{
    *family = strchr(text, ':') ? AF_INET6 : AF_INET;
    memset(addr, 0, 16);
    assert_int_equal(inet_pton(*family, text, addr), 1);
}

static void resolve(const char *name, const char *text, uint32_t ttl)
{
    int family;
    uint8_t addr[16];
    parse_addr(text, &family, addr);
    assert_int_equal(resolved_add(&resolved, name, family, addr, ttl, NOW), 0);
}

static int setup(void **state)
{
    (void)state;
    static const char *const rules[] = {"registry.npmjs.org", "*.github.com", "github.com:22", "api.example:8443",
                                        "198.51.100.0/24",    "203.0.113.7:5432", "192.0.2.0/24"};
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct allow_rule r;
        struct error err = {0};
        assert_int_equal(allow_rule_parse(rules[i], false, &r, &err), 0);
        allowlist_add(&allow, &r, false);
    }
    struct allow_rule deny;
    struct error err = {0};
    assert_int_equal(allow_rule_parse("bad.github.com", true, &deny, &err), 0);
    allowlist_add(&allow, &deny, true);

    resolved_init(&resolved, 64);
    resolve("registry.npmjs.org", "104.16.2.3", 300);
    resolve("registry.npmjs.org", "2606:4700::6810:203", 300);
    resolve("github.com", "140.82.112.3", 60);
    resolve("api.github.com", "140.82.112.6", 60);
    resolve("bad.github.com", "140.82.112.6", 60);
    resolve("api.example", "93.184.216.34", 60);
    /* What the gate never adds, to see the relay refuse it anyway. */
    resolve("registry.npmjs.org", "127.0.0.1", 300);

    carveouts_add_fixed(&carve);
    uint8_t self[4] = {192, 0, 2, 99};
    carveouts_add_host(&carve, AF_INET, self);

    policy = (struct egress_policy){.allow = &allow, .resolved = &resolved, .carveouts = &carve,
                                    .host_ports = host_ports, .n_host_ports = 1};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    allowlist_free(&allow);
    resolved_free(&resolved);
    carveouts_free(&carve);
    return 0;
}

enum shape { TLS, TLS_ECH, TLS_NO_SNI, TLS_BAD, HTTP, OTHER, NOTHING };

static const struct {
    enum shape shape;
    const char *name;   /* SNI, or the HTTP request's text */
    const char *addr;
    uint16_t port;
    uint64_t now;       /* 0: NOW */
    bool allowed;
    const char *message;
} cases[] = {
    /* TLS: SNI allowlisted, resolved to this address, on an allowed port. */
    {TLS, "registry.npmjs.org", "104.16.2.3", 443, 0, true,
     "allowed TLS connection to 104.16.2.3:443 for registry.npmjs.org (an allowlisted name that resolved to this address)"},
    {TLS, "evil.example", "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 for evil.example (not allowlisted; the address belongs to "
     "registry.npmjs.org)"},
    {TLS, "registry.npmjs.org", "2606:4700::6810:203", 443, 0, true,
     "allowed TLS connection to [2606:4700::6810:203]:443 for registry.npmjs.org (an allowlisted name that resolved "
     "to this address)"},
    {TLS, "evil.example", "2606:4700::6810:203", 443, 0, false,
     "blocked TLS connection to [2606:4700::6810:203]:443 for evil.example (not allowlisted; the address belongs to "
     "registry.npmjs.org)"},
    {TLS, "github.com", "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 for github.com (port 443 is not allowed for this name; the address "
     "belongs to registry.npmjs.org)"},
    {TLS, "api.github.com", "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 for api.github.com (allowlisted, but it did not resolve to this address "
     "through clbox's DNS gate; the address belongs to registry.npmjs.org)"},
    {TLS, "api.github.com", "140.82.112.6", 443, 0, true,
     "allowed TLS connection to 140.82.112.6:443 for api.github.com (an allowlisted name that resolved to this "
     "address)"},
    {TLS, "bad.github.com", "140.82.112.6", 443, 0, false,
     "blocked TLS connection to 140.82.112.6:443 for bad.github.com (denied by --deny; the address belongs to "
     "api.github.com)"},
    {TLS, "api.example", "93.184.216.34", 443, 0, false,
     "blocked TLS connection to 93.184.216.34:443 for api.example (port 443 is not allowed for this name)"},
    {TLS, "api.example", "93.184.216.34", 8443, 0, true,
     "allowed TLS connection to 93.184.216.34:8443 for api.example (an allowlisted name that resolved to this "
     "address)"},
    {TLS, "registry.npmjs.org", "104.16.2.3", 443, NOW + 300, false,
     "blocked TLS connection to 104.16.2.3:443 for registry.npmjs.org (the address is not one an allowlisted name "
     "resolved to through clbox's DNS gate, nor one --allow opens)"},
    {TLS, "registry.npmjs.org", "104.16.2.4", 443, 0, false,
     "blocked TLS connection to 104.16.2.4:443 for registry.npmjs.org (the address is not one an allowlisted name "
     "resolved to through clbox's DNS gate, nor one --allow opens)"},
    {TLS_ECH, "cloudflare-ech.com", "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 for cloudflare-ech.com (not allowlisted, as the outer name of an "
     "Encrypted Client Hello; the address belongs to registry.npmjs.org)"},
    {TLS_NO_SNI, NULL, "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 (no SNI: the ClientHello names no server; the address belongs to "
     "registry.npmjs.org)"},
    {TLS_BAD, NULL, "104.16.2.3", 443, 0, false,
     "blocked TLS connection to 104.16.2.3:443 (a ClientHello clbox cannot read: an extension appears twice; the "
     "address belongs to registry.npmjs.org)"},
    {TLS, "evil.example", "140.82.112.3", 22, 0, false,
     "blocked TLS connection to 140.82.112.3:22 for evil.example (not allowlisted; the address belongs to "
     "github.com)"},
    {TLS, "registry.npmjs.org", "127.0.0.1", 443, 0, false,
     "blocked TLS connection to 127.0.0.1:443 for registry.npmjs.org (the address is loopback, which no name opens)"},

    /* HTTP: each request's Host. */
    {HTTP, "GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n", "104.16.2.3", 80, 0, true,
     "allowed HTTP request to 104.16.2.3:80 for registry.npmjs.org (an allowlisted name that resolved to this "
     "address)"},
    {HTTP, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", "104.16.2.3", 80, 0, false,
     "blocked HTTP request to 104.16.2.3:80 for evil.example (not allowlisted; the address belongs to "
     "registry.npmjs.org)"},
    {HTTP, "GET / HTTP/1.1\r\nHost: registry.npmjs.org:8080\r\n\r\n", "104.16.2.3", 80, 0, false,
     "blocked HTTP request to 104.16.2.3:80 for registry.npmjs.org (the Host names port 8080, the connection is to "
     "port 80)"},
    {HTTP, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "104.16.2.3", 80, 0, false,
     "blocked HTTP request to 104.16.2.3:80 (an HTTP request clbox cannot check: several Host headers; the address "
     "belongs to registry.npmjs.org)"},
    {HTTP, "SSH-2.0-OpenSSH_9.6\r\n", "140.82.112.3", 22, 0, true,
     "allowed connection to 140.82.112.3:22 for github.com (an allowlist entry names port 22)"},
    {HTTP, "SSH-2.0-OpenSSH_9.6\r\n", "104.16.2.3", 22, 0, false,
     "blocked connection to 104.16.2.3:22 (neither TLS nor HTTP, and no allowlist entry of a name of this address "
     "names port 22 (as NAME:22 would); the address belongs to registry.npmjs.org)"},

    /* Other protocols: by address, on a port an entry names. */
    {OTHER, NULL, "140.82.112.3", 22, 0, true,
     "allowed connection to 140.82.112.3:22 for github.com (an allowlist entry names port 22)"},
    {NOTHING, NULL, "140.82.112.3", 443, 0, false,
     "blocked connection to 140.82.112.3:443 (the client sent nothing first, and no allowlist entry of a name of this "
     "address names port 443 (as NAME:443 would); the address belongs to github.com)"},

    /* Addresses --allow opens, the host's ports, carve-outs. */
    {OTHER, NULL, "198.51.100.5", 443, 0, true, "allowed connection to 198.51.100.5:443 (an address --allow opens)"},
    {TLS, "evil.example", "198.51.100.5", 443, 0, true,
     "allowed TLS connection to 198.51.100.5:443 for evil.example (an address --allow opens)"},
    {OTHER, NULL, "203.0.113.7", 5432, 0, true, "allowed connection to 203.0.113.7:5432 (an address --allow opens)"},
    {OTHER, NULL, "203.0.113.7", 5433, 0, false,
     "blocked connection to 203.0.113.7:5433 (the address is not one an allowlisted name resolved to through clbox's "
     "DNS gate, nor one --allow opens)"},
    {OTHER, NULL, "192.0.2.99", 80, 0, false,
     "blocked connection to 192.0.2.99:80 (the address is an address of this machine, which no name opens)"},
    {OTHER, NULL, "10.0.2.2", 8080, 0, true, "allowed connection to 10.0.2.2:8080 (a host port --allow-host-port opens)"},
    {OTHER, NULL, "10.0.2.2", 22, 0, false,
     "blocked connection to 10.0.2.2:22 (10.0.2.2 is the host: only ports --allow-host-port names are open)"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct egress_dest dest = {.port = cases[i].port};
        parse_addr(cases[i].addr, &dest.family, dest.addr);
        struct tls_hello hello = {0};
        static struct http_stream stream;
        struct egress_seen seen = {.hello = &hello, .stream = &stream};
        switch (cases[i].shape) {
        case TLS:
        case TLS_ECH:
            seen.kind = EGRESS_SEEN_TLS;
            seen.tls = TLS_HELLO_OK;
            snprintf(hello.sni, sizeof hello.sni, "%s", cases[i].name);
            hello.has_ech = cases[i].shape == TLS_ECH;
            break;
        case TLS_NO_SNI:
            seen.kind = EGRESS_SEEN_TLS;
            seen.tls = TLS_HELLO_NO_SNI;
            break;
        case TLS_BAD:
            seen.kind = EGRESS_SEEN_TLS;
            seen.tls = TLS_HELLO_MALFORMED;
            hello.why = "an extension appears twice";
            break;
        case HTTP: {
            size_t taken;
            http_stream_init(&stream);
            seen.kind = EGRESS_SEEN_HTTP;
            seen.http = http_stream_feed(&stream, (const uint8_t *)cases[i].name, strlen(cases[i].name), &taken);
            break;
        }
        case OTHER: seen.kind = EGRESS_SEEN_OTHER; break;
        case NOTHING: seen.kind = EGRESS_SEEN_NOTHING; break;
        }
        struct egress_verdict v;
        bool allowed = egress_decide(&policy, &dest, &seen, cases[i].now ? cases[i].now : NOW, &v);
        if (allowed != cases[i].allowed || v.allowed != allowed || strcmp(v.message, cases[i].message) != 0)
            FAIL_CASE("case %zu: %s\n#  want %s: %s", i, v.message, cases[i].allowed ? "allowed" : "blocked",
                      cases[i].message);
    }
}

/* Names that could hold bytes a terminal acts on are printed escaped (the
 * parsers never give such a name; the verdict does not rely on that). */
static void test_printable(void **state)
{
    (void)state;
    struct egress_dest dest = {.family = AF_INET, .addr = {104, 16, 2, 3}, .port = 443};
    struct tls_hello hello = {.sni = "evil\x1b]0;x\x07.example"};
    struct egress_seen seen = {.kind = EGRESS_SEEN_TLS, .tls = TLS_HELLO_OK, .hello = &hello};
    struct egress_verdict v;
    assert_false(egress_decide(&policy, &dest, &seen, NOW, &v));
    assert_null(strchr(v.message, '\x1b'));
    assert_null(strchr(v.message, '\x07'));
    assert_non_null(strstr(v.message, "evil\\x1b]0;x\\x07.example"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_printable),
    };
    return cmocka_run_group_tests_name("verdict", tests, setup, teardown);
}
