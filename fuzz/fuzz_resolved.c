/* libFuzzer target for netns/codec/resolved.c: the decoder of the records
 * the DNS gate's process sends the egress relay's (untrusted: the gate
 * parses what the network sends), and the table they fill.
 *
 * Input: records, each a length byte and that many bytes.  Checked beyond
 * "no crash": a decoded record encodes back to the very same bytes (one
 * canonical form); what the table took it answers for until the entry's
 * time is over, and the table never grows past its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netns/codec/resolved.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            __builtin_trap();                                                                                          \
    } while (0)

enum { CAP = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(struct resolved_table *t, const uint8_t *rec, size_t len, uint64_t now)
{
    struct resolved_wire e;
    struct error err = {0};
    uint8_t *copy = malloc(len ? len : 1); /* exact: a read past it is seen */
    CHECK(copy);
    memcpy(copy, rec, len);
    if (resolved_wire_decode(copy, len, &e, &err) < 0) {
        CHECK(err.text[0]);
        free(copy);
        return;
    }
    uint8_t back[RESOLVED_WIRE_MAX];
    int n = resolved_wire_encode(&e, back, sizeof back);
    CHECK(n > 0 && (size_t)n == len && !memcmp(back, copy, len));
    free(copy);

    if (resolved_add(t, e.name, e.family, e.addr, e.ttl, now) == 0) {
        CHECK(e.ttl == 0 || resolved_has(t, e.name, e.family, e.addr, now));
        const char *names[CAP];
        size_t count = resolved_names_for(t, e.family, e.addr, now, names, CAP);
        CHECK(count <= CAP);
        bool found = e.ttl == 0;
        for (size_t i = 0; i < count; i++)
            found |= !strcmp(names[i], e.name);
        CHECK(found);
    } else {
        CHECK(t->n == CAP);
    }
    CHECK(t->n <= CAP);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct resolved_table t;
    resolved_init(&t, CAP);
    uint64_t now = 0;
    /* The whole input is one record too. */
    check_record(&t, data, size, now);
    for (size_t at = 0; at < size;) {
        size_t len = data[at++];
        if (len > size - at)
            len = size - at;
        check_record(&t, data + at, len, now);
        at += len;
        now += len % 5 ? 0 : 30; /* time moves now and then */
    }
    resolved_free(&t);
    return 0;
}
