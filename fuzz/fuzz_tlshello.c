/* libFuzzer target for netns/codec/tlshello.c, the ClientHello parser of
 * the TCP egress relay: it reads the first bytes a sandboxed client sends.
 * Beyond "no crash", every input is checked to give:
 *  - OK: a name allow_name_normalize leaves as it is;
 *  - NEED_MORE: a need beyond what was given and within the peek's bound;
 *  - the same answer with bytes appended after the record (only the first
 *    record is read);
 *  - NEED_MORE for every prefix of an accepted hello cut inside its record
 *    (nothing is decided on a ClientHello not yet whole). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netns/codec/tlshello.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            __builtin_trap();                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const struct tls_hello *h, enum tls_hello_status st, size_t size)
{
    switch (st) {
    case TLS_HELLO_OK: {
        char norm[ALLOW_NAME_MAX];
        CHECK(allow_name_normalize(h->sni, norm, sizeof norm) && strcmp(norm, h->sni) == 0);
        break;
    }
    case TLS_HELLO_NEED_MORE: CHECK(h->need > size && h->need <= TLS_HELLO_PEEK_MAX); break;
    case TLS_HELLO_NOT_TLS:
    case TLS_HELLO_MALFORMED:
    case TLS_HELLO_NO_SNI: CHECK(h->why && *h->why); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > TLS_HELLO_PEEK_MAX + 16)
        return 0;
    /* An exact copy: AddressSanitizer sees a read one byte past it. */
    uint8_t *buf = malloc(size ? size : 1);
    CHECK(buf);
    memcpy(buf, data, size);
    struct tls_hello h, h2;
    enum tls_hello_status st = tls_hello_parse(buf, size, &h);
    check_one(&h, st, size);

    if (st != TLS_HELLO_NEED_MORE) {
        uint8_t *more = malloc(size + 7);
        CHECK(more);
        memcpy(more, buf, size);
        memset(more + size, 0x16, 7);
        enum tls_hello_status st2 = tls_hello_parse(more, size + 7, &h2);
        CHECK(st2 == st);
        if (st == TLS_HELLO_OK)
            CHECK(strcmp(h.sni, h2.sni) == 0 && h.has_ech == h2.has_ech);
        free(more);
    }
    if (st == TLS_HELLO_OK) {
        size_t record_end = 5 + ((size_t)buf[3] << 8 | buf[4]);
        size_t cut = size ? buf[size - 1] % record_end : 0;
        for (size_t c = cut; c < record_end; c += 1 + record_end / 8) {
            CHECK(tls_hello_parse(buf, c, &h2) == TLS_HELLO_NEED_MORE);
            CHECK(h2.need > c && h2.need <= record_end);
        }
    }
    free(buf);
    return 0;
}
