/* libFuzzer target for netns/codec/httphead.c, the egress relay's reader of
 * plain HTTP requests: the bytes a sandboxed client sends, fed in pieces.
 *
 * Input: two bytes that seed where the pieces are cut, then the stream.
 * Heads are allowed or refused by a rule of their Host (its length's
 * parity), as the relay's verdict would.  Checked beyond "no crash":
 *  - the forwardable prefix never passes what was fed, never shrinks, never
 *    reaches into a head that is not yet allowed, and does not grow after a
 *    head is refused or the stream is;
 *  - the events (each head's Host and where it ends, the final refusal)
 *    are the same whether the stream comes whole or cut at the
 *    fuzzer-chosen points;
 *  - every reported head, fed alone to a fresh stream, is reported again
 *    with the same Host and length. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns/codec/httphead.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            __builtin_trap();                                                                                          \
    } while (0)

enum { MAX_EVENTS = 64 };

struct event {
    uint64_t start, end;
    char host[ALLOW_NAME_MAX];
    uint16_t port;
};

struct run {
    struct event events[MAX_EVENTS];
    size_t n_events;
    bool refused, head_denied;
    const char *why;
    uint64_t forwardable, fed;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool allow_host(const char *host)
{
    return strlen(host) % 2 == 0;
}

/* The invariants that hold after every feed. */
static void check_step(const struct http_stream *s, uint64_t before, size_t fed_total)
{
    CHECK(s->forwardable <= s->fed && s->fed == fed_total);
    CHECK(s->forwardable >= before);
    if (s->phase == HTTP_AWAITING_ALLOW || (s->phase == HTTP_IN_HEAD && s->head_started))
        CHECK(s->forwardable <= s->head_start);
}

/* One head reported: it is re-read alone, then allowed or not. */
static bool on_head(struct http_stream *s, const uint8_t *stream, struct run *r)
{
    CHECK(s->head_host && allow_name_normalize(s->head_host, (char[ALLOW_NAME_MAX]){0}, ALLOW_NAME_MAX));
    size_t len = (size_t)(s->fed - s->head_start);
    CHECK(len > 0 && len <= HTTP_HEAD_MAX);
    if (r->n_events < MAX_EVENTS) {
        struct event *e = &r->events[r->n_events++];
        e->start = s->head_start;
        e->end = s->fed;
        snprintf(e->host, sizeof e->host, "%s", s->head_host);
        e->port = s->head_port;
    }
    static struct http_stream alone;
    size_t taken;
    http_stream_init(&alone);
    CHECK(http_stream_feed(&alone, stream + s->head_start, len, &taken) == HTTP_HEAD && taken == len);
    CHECK(strcmp(alone.head_host, s->head_host) == 0 && alone.head_port == s->head_port);
    if (!allow_host(s->head_host))
        return false;
    http_stream_allow(s);
    CHECK(s->forwardable == s->fed);
    return true;
}

/* Feeds the stream in pieces whose sizes come from seed (0: whole). */
static void run_stream(const uint8_t *stream, size_t len, unsigned seed, struct run *r)
{
    static struct http_stream s;
    http_stream_init(&s);
    memset(r, 0, sizeof *r);
    size_t at = 0;
    while (at < len) {
        size_t piece = len - at;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            size_t cut = 1 + (seed >> 16) % 97;
            if (cut < piece)
                piece = cut;
        }
        uint64_t before = s.forwardable;
        size_t taken;
        enum http_status st = http_stream_feed(&s, stream + at, piece, &taken);
        CHECK(taken <= piece);
        at += taken;
        check_step(&s, before, at);
        if (st == HTTP_REFUSED) {
            CHECK(s.why && *s.why && taken < piece + 1);
            r->refused = true;
            r->why = s.why;
            break;
        }
        if (st == HTTP_HEAD && !on_head(&s, stream, r)) {
            r->head_denied = true;
            /* Not allowed: feeding on is refused and forwards nothing. */
            uint64_t held = s.forwardable;
            CHECK(http_stream_feed(&s, stream + at, len - at, &taken) == HTTP_REFUSED && taken == 0);
            CHECK(s.forwardable == held && held <= s.head_start);
            break;
        }
        CHECK(st != HTTP_MORE || taken == piece);
    }
    r->forwardable = s.forwardable;
    r->fed = s.fed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4 * HTTP_HEAD_MAX)
        return 0;
    unsigned seed = (unsigned)data[0] << 8 | data[1] | 1u;
    size_t len = size - 2;
    uint8_t *stream = malloc(len ? len : 1); /* exact: a read past it is seen */
    CHECK(stream);
    memcpy(stream, data + 2, len);

    static struct run whole, pieces;
    run_stream(stream, len, 0, &whole);
    run_stream(stream, len, seed, &pieces);
    CHECK(whole.n_events == pieces.n_events && whole.refused == pieces.refused);
    CHECK(whole.head_denied == pieces.head_denied);
    CHECK(whole.forwardable == pieces.forwardable && whole.fed == pieces.fed);
    CHECK(!whole.refused || strcmp(whole.why, pieces.why) == 0);
    for (size_t i = 0; i < whole.n_events; i++) {
        const struct event *a = &whole.events[i], *b = &pieces.events[i];
        CHECK(a->start == b->start && a->end == b->end && a->port == b->port && !strcmp(a->host, b->host));
        CHECK(whole.forwardable >= a->start);
    }
    free(stream);
    return 0;
}
