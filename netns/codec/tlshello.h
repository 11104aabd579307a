/* The first bytes of a TLS connection: the server name a ClientHello asks
 * for (SNI, RFC 6066), read by the TCP egress relay before it connects, so
 * that a connection to an allowlisted name's address cannot ask that
 * address for another name.  Pure parsing over bytes, no I/O.
 *
 * Only a ClientHello in one record is read: the relay peeks at most
 * TLS_HELLO_PEEK_MAX bytes, a record header and the largest record TLS
 * allows (2^14 bytes of plaintext, RFC 8446 5.1).  A ClientHello is far
 * smaller (about 0.3 KB from OpenSSL, about 1.8 KB with a post-quantum key
 * share), and clients send it in one record.  A handshake split over
 * several records is refused (MALFORMED), not reassembled: a record split
 * lets a client show the relay one part and the server another. */
#ifndef CLBOX_NETNS_TLSHELLO_H
#define CLBOX_NETNS_TLSHELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/codec/allowlist.h"

#define TLS_RECORD_HEADER 5
#define TLS_RECORD_MAX 16384
#define TLS_HELLO_PEEK_MAX (TLS_RECORD_HEADER + TLS_RECORD_MAX)
/* The extension type of an Encrypted Client Hello (draft-ietf-tls-esni). */
#define TLS_EXT_ECH 0xfe0d

enum tls_hello_status {
    TLS_HELLO_OK,        /* sni holds the name asked for */
    TLS_HELLO_NEED_MORE, /* need holds how many bytes, in all, at least */
    TLS_HELLO_NOT_TLS,   /* not a TLS handshake record */
    TLS_HELLO_MALFORMED, /* why holds what is wrong */
    TLS_HELLO_NO_SNI,    /* a valid ClientHello that names no server */
};

struct tls_hello {
    char sni[ALLOW_NAME_MAX]; /* OK: lower case, no trailing dot (allow_name_normalize) */
    bool has_ech;             /* OK, NO_SNI: an encrypted_client_hello extension is present, so sni
                               * is only the outer (public) name */
    size_t need;              /* NEED_MORE */
    const char *why;          /* NOT_TLS, MALFORMED, NO_SNI: a short phrase for messages */
};

/* Reads the ClientHello at the start of buf (the first len bytes the
 * client sent; bytes after its record are ignored). */
enum tls_hello_status tls_hello_parse(const uint8_t *buf, size_t len, struct tls_hello *hello);

/* "OK", "NEED_MORE", ... for tests and logs. */
const char *tls_hello_status_name(enum tls_hello_status status);

#endif
