/* Unit tests for the HTTP/1.x request stream parser (netns/codec/httphead.c):
 * which Host each request asks for, on kept-alive and pipelined
 * connections, fed whole and byte by byte; what is refused; and that no
 * byte of a request is forwardable before its head is allowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netns/codec/httphead.h"

/* cmocka's fail_msg is not shown in TAP output: the case goes to stderr. */
#define FAIL_CASE(...)                                                                                                 \
    do {                                                                                                               \
        fprintf(stderr, "# " __VA_ARGS__);                                                                             \
        fprintf(stderr, "\n");                                                                                         \
        fail();                                                                                                        \
    } while (0)

/* What a stream gave when every head was allowed: the hosts in order
 * ("a.example a.example:8080 "), the final status and reason. */
struct outcome {
    char hosts[512];
    enum http_status status;
    const char *why;
    uint64_t forwardable;
    bool not_http;
};

/* Feeds text in pieces of `piece` bytes (0: whole), allowing every head;
 * checks on the way that forwardable never passes the current head's start
 * while that head is unchecked, and never passes what was fed. */
static void run(const char *text, size_t piece, struct outcome *out)
{
    static struct http_stream s;
    http_stream_init(&s);
    memset(out, 0, sizeof *out);
    size_t len = strlen(text), at = 0;
    enum http_status st = HTTP_MORE;
    while (at < len) {
        size_t n = piece && piece < len - at ? piece : len - at, taken;
        st = http_stream_feed(&s, (const uint8_t *)text + at, n, &taken);
        assert_true(taken <= n);
        at += taken;
        assert_true(s.forwardable <= s.fed && s.fed == at);
        if ((s.phase == HTTP_IN_HEAD && s.head_started) || s.phase == HTTP_AWAITING_ALLOW)
            assert_true(s.forwardable <= s.head_start);
        if (st == HTTP_REFUSED)
            break;
        if (st == HTTP_HEAD) {
            size_t used = strlen(out->hosts);
            if (s.head_port)
                snprintf(out->hosts + used, sizeof out->hosts - used, "%s:%u ", s.head_host, s.head_port);
            else
                snprintf(out->hosts + used, sizeof out->hosts - used, "%s ", s.head_host);
            http_stream_allow(&s);
            assert_int_equal(s.forwardable, s.fed);
            st = HTTP_MORE;
        }
    }
    out->status = st;
    out->why = s.why;
    out->forwardable = s.forwardable;
    out->not_http = s.not_http;
}

#define GET(host) "GET / HTTP/1.1\r\nHost: " host "\r\n\r\n"

static const struct {
    const char *what;
    const char *text;
    const char *hosts;   /* the heads reported, each followed by a space */
    const char *refused; /* NULL: not refused; else a word of the reason */
} cases[] = {
    {"one request", GET("a.example"), "a.example ", NULL},
    {"Host with a port, upper case, a trailing dot", "GET / HTTP/1.1\r\nhOST:  A.Example.:8080 \r\n\r\n",
     "a.example:8080 ", NULL},
    {"kept alive, another Host on the second request", GET("a.example") GET("evil.example"),
     "a.example evil.example ", NULL},
    {"HTTP/1.0", "GET / HTTP/1.0\r\nHost: a.example\r\n\r\n", "a.example ", NULL},
    {"empty lines before a request", "\r\n\r\n" GET("a.example"), "a.example ", NULL},
    {"a body that looks like a request is a body",
     "POST /x HTTP/1.1\r\nHost: a.example\r\nContent-Length: 38\r\n\r\nGET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"
     GET("b.example"),
     "a.example b.example ", NULL},
    {"Content-Length 0", "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\r\n" GET("b.example"),
     "a.example b.example ", NULL},
    {"two equal Content-Lengths", "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nhi"
     GET("b.example"), "a.example b.example ", NULL},
    {"chunked with trailers, then another request",
     "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: Chunked\r\n\r\n"
     "5\r\nhello\r\n1D\r\nGET / HTTP/1.1\r\nHost: e.x\r\n\r\n\r\n0\r\nX-Sum: 1\r\n\r\n" GET("b.example"),
     "a.example b.example ", NULL},
    {"chunked without trailers", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
     GET("b.example"), "a.example b.example ", NULL},
    {"absolute-form matching Host", "GET http://A.example:80/x HTTP/1.1\r\nHost: a.example\r\n\r\n", "a.example ", NULL},
    {"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n", "a.example ", NULL},

    {"no Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "", "no Host"},
    {"no Host on the second request", GET("a.example") "GET / HTTP/1.1\r\n\r\n", "a.example ", "no Host"},
    {"two Hosts", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: evil.example\r\n\r\n", "", "several Host"},
    {"an empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", "", "Host header"},
    {"a Host that is an IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "", "Host header"},
    {"a Host with userinfo", "GET / HTTP/1.1\r\nHost: a.example@evil.example\r\n\r\n", "", "Host header"},
    {"a Host with port 0", "GET / HTTP/1.1\r\nHost: a.example:0\r\n\r\n", "", "Host header"},
    {"absolute-form for another host", "GET http://evil.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "",
     "request-target's host"},
    {"absolute-form on another port", "GET http://a.example:81/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "",
     "request-target's host"},
    {"absolute-form of another scheme", "GET https://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", "",
     "request-target"},
    {"Transfer-Encoding gzip", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "",
     "exactly chunked"},
    {"two Transfer-Encodings",
     "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "",
     "several Transfer-Encoding"},
    {"Transfer-Encoding and Content-Length",
     "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "",
     "both Content-Length"},
    {"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n", "",
     "HTTP/1.0"},
    {"two different Content-Lengths",
     "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "", "different"},
    {"a Content-Length list", "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5, 5\r\n\r\n", "",
     "Content-Length"},
    {"a signed Content-Length", "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: +5\r\n\r\n", "",
     "Content-Length"},
    {"a body on GET", "GET / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n\r\nabc", "", "GET"},
    {"a control byte in the head", "GET / HTTP/1.1\r\nHost: a.example\r\nX: a\x01b\r\n\r\n", "", "control"},
    {"DEL in the head", "GET / HTTP/1.1\r\nHost: a.example\x7f\r\n\r\n", "", "control"},
    {"a bare LF", "GET / HTTP/1.1\nHost: a.example\r\n\r\n", "", "bare LF"},
    {"a bare CR", "GET / HTTP/1.1\r\nHost: a.example\rHost: evil.example\r\n\r\n", "", "bare CR"},
    {"obs-fold", "GET / HTTP/1.1\r\nHost: a.example\r\nX-A: 1\r\n  2\r\n\r\n", "", "obs-fold"},
    {"a space before the colon", "GET / HTTP/1.1\r\nHost : evil.example\r\n\r\n", "", "header name"},
    {"HTTP/0.9", "GET /\r\n\r\n", "", "HTTP/0.9"},
    {"HTTP/2 prior knowledge", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "", "HTTP/1.1"},
    {"two spaces in the request line", "GET  / HTTP/1.1\r\nHost: a.example\r\n\r\n", "", "request line"},
    {"CONNECT", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", "", "CONNECT"},
    {"Upgrade", "GET / HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "",
     "Upgrade"},
    {"a chunk extension", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n",
     "a.example ", "chunk"},
    {"a chunk size with a space", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n",
     "a.example ", "chunk"},
    {"a chunk longer than its size",
     "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n", "a.example ", "chunk"},
    {"a huge chunk size", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
     "a.example ", "chunk"},
    {"a folded trailer", "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n 2\r\n\r\n",
     "a.example ", "obs-fold"},
    {"SSH", "SSH-2.0-OpenSSH_9.6\r\n", "", "HTTP/0.9"},
};

static void test_cases(void **state)
{
    (void)state;
    static const size_t pieces[] = {0, 1, 2, 3, 7, 64};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            struct outcome o;
            run(cases[i].text, pieces[p], &o);
            if (strcmp(o.hosts, cases[i].hosts) != 0)
                FAIL_CASE("%s (pieces of %zu): heads '%s', want '%s' (%s)", cases[i].what, pieces[p], o.hosts,
                         cases[i].hosts, o.why ? o.why : "");
            if (!cases[i].refused && o.status != HTTP_MORE)
                FAIL_CASE("%s (pieces of %zu): refused: %s", cases[i].what, pieces[p], o.why);
            if (cases[i].refused && (o.status != HTTP_REFUSED || !strstr(o.why, cases[i].refused)))
                FAIL_CASE("%s (pieces of %zu): status %d (%s), want refused for '%s'", cases[i].what, pieces[p],
                         o.status, o.why ? o.why : "", cases[i].refused);
            if (!cases[i].refused)
                assert_int_equal(o.forwardable, strlen(cases[i].text));
        }
    }
}

/* A NUL in a head (the table's texts are C strings: this one is fed by its
 * length). */
static void test_nul_fed_whole(void **state)
{
    (void)state;
    static const char text[] = "GET / HTTP/1.1\r\nHost: a.example\r\nX: a\0b\r\n\r\n";
    struct http_stream s;
    size_t taken;
    http_stream_init(&s);
    assert_int_equal(http_stream_feed(&s, (const uint8_t *)text, sizeof text - 1, &taken), HTTP_REFUSED);
    assert_non_null(strstr(s.why, "control"));
    assert_int_equal(s.forwardable, 0);
}

/* The second request of a kept-alive connection asks for another name:
 * until it is allowed none of its bytes are forwardable, and if it is not,
 * they never are. */
static void test_second_request_held(void **state)
{
    (void)state;
    static const char text[] = GET("a.example") GET("evil.example");
    const size_t first = strlen(GET("a.example"));
    struct http_stream s;
    size_t taken;
    http_stream_init(&s);
    assert_int_equal(http_stream_feed(&s, (const uint8_t *)text, sizeof text - 1, &taken), HTTP_HEAD);
    assert_int_equal(taken, first);
    assert_string_equal(s.head_host, "a.example");
    assert_int_equal(s.forwardable, 0);
    http_stream_allow(&s);
    assert_int_equal(s.forwardable, first);
    assert_int_equal(http_stream_feed(&s, (const uint8_t *)text + first, sizeof text - 1 - first, &taken), HTTP_HEAD);
    assert_string_equal(s.head_host, "evil.example");
    assert_int_equal(s.forwardable, first);
    /* Not allowed: feeding on is refused, and nothing more is forwardable. */
    assert_int_equal(http_stream_feed(&s, (const uint8_t *)"x", 1, &taken), HTTP_REFUSED);
    assert_int_equal(taken, 0);
    assert_int_equal(s.forwardable, first);
    assert_int_equal(http_stream_feed(&s, (const uint8_t *)"x", 1, &taken), HTTP_REFUSED);
}

/* A head may be up to 16 KiB, not a byte more. */
static void test_head_bound(void **state)
{
    (void)state;
    static char text[HTTP_HEAD_MAX + 64];
    const char *start = "GET / HTTP/1.1\r\nHost: a.example\r\nX: ";
    for (int over = 0; over <= 1; over++) {
        size_t n = strlen(start);
        memcpy(text, start, n);
        size_t fill = HTTP_HEAD_MAX - n - 4 + (size_t)over;
        memset(text + n, 'a', fill);
        memcpy(text + n + fill, "\r\n\r\n", 5);
        struct outcome o;
        run(text, 0, &o);
        if (over) {
            assert_int_equal(o.status, HTTP_REFUSED);
            assert_non_null(strstr(o.why, "16 KiB"));
        } else {
            assert_int_equal(o.status, HTTP_MORE);
            assert_string_equal(o.hosts, "a.example ");
        }
    }
}

/* Which refusals say "this is not HTTP at all" (another protocol). */
static void test_not_http(void **state)
{
    (void)state;
    struct outcome o;
    run("SSH-2.0-OpenSSH_9.6\r\n", 0, &o);
    assert_true(o.not_http);
    run("\x01\x02\x03", 0, &o);
    assert_true(o.not_http);
    run("CONNECT a.example:443 HTTP/1.1\r\n", 0, &o);
    assert_false(o.not_http);
    run("GET / HTTP/1.1\r\n\r\n", 0, &o);
    assert_false(o.not_http);
    run(GET("a.example") "SSH-2.0-x\r\n", 0, &o);
    assert_int_equal(o.status, HTTP_REFUSED);
    assert_false(o.not_http);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),      cmocka_unit_test(test_nul_fed_whole),
        cmocka_unit_test(test_second_request_held), cmocka_unit_test(test_head_bound),
        cmocka_unit_test(test_not_http),
    };
    return cmocka_run_group_tests_name("httphead", tests, NULL, NULL);
}
