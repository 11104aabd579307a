/* The ClientHello parser (tlshello.h).  Every length is checked against the
 * one that contains it, and every vector must fill its container exactly:
 * bytes the relay did not account for are bytes a server might read
 * differently. */
#include "netns/codec/tlshello.h"

#include <string.h>

enum {
    TLS_CONTENT_HANDSHAKE = 22,
    TLS_HANDSHAKE_CLIENT_HELLO = 1,
    TLS_EXT_SERVER_NAME = 0,
    TLS_SNI_HOST_NAME = 0,
    TLS_RANDOM_LEN = 32,
    TLS_SESSION_ID_MAX = 32,
};

/* A bounded view of bytes; reads past its end set bad and return 0. */
struct cursor {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static unsigned take_u8(struct cursor *c)
{
    if (c->left < 1) {
        c->bad = true;
        return 0;
    }
    c->left--;
    return *c->p++;
}

static unsigned take_u16(struct cursor *c)
{
    unsigned hi = take_u8(c);
    return hi << 8 | take_u8(c);
}

/* A sub-view of the next n bytes, which the parent skips. */
static struct cursor take_vec(struct cursor *c, size_t n)
{
    struct cursor sub = {c->p, n, false};
    if (c->bad || c->left < n) {
        c->bad = true;
        sub.left = 0;
        sub.bad = true;
        return sub;
    }
    c->p += n;
    c->left -= n;
    return sub;
}

static enum tls_hello_status malformed(struct tls_hello *hello, const char *why)
{
    hello->why = why;
    return TLS_HELLO_MALFORMED;
}

/* server_name (RFC 6066 3): a list holding exactly one host_name. */
static enum tls_hello_status read_sni(struct cursor ext, struct tls_hello *hello)
{
    struct cursor list = take_vec(&ext, take_u16(&ext));
    if (ext.bad || ext.left)
        return malformed(hello, "the server_name extension's list does not fill it");
    if (!list.left)
        return malformed(hello, "the server_name list is empty");
    bool seen = false;
    while (list.left) {
        unsigned type = take_u8(&list);
        struct cursor name = take_vec(&list, take_u16(&list));
        if (list.bad)
            return malformed(hello, "a server name runs past its list");
        if (type != TLS_SNI_HOST_NAME)
            return malformed(hello, "a server name of a type other than host_name");
        if (seen)
            return malformed(hello, "several host_names in the server_name extension");
        seen = true;
        char text[ALLOW_NAME_MAX];
        if (name.left == 0 || name.left >= sizeof text || memchr(name.p, '\0', name.left))
            return malformed(hello, "the host_name is empty, too long or holds a NUL byte");
        memcpy(text, name.p, name.left);
        text[name.left] = '\0';
        if (!allow_name_normalize(text, hello->sni, sizeof hello->sni))
            return malformed(hello, "the host_name is not a DNS name");
    }
    return TLS_HELLO_OK;
}

/* The extensions: each type at most once (RFC 8446 4.2). */
static enum tls_hello_status read_extensions(struct cursor exts, struct tls_hello *hello)
{
    static const size_t bits = 8 * sizeof(unsigned long);
    unsigned long seen[65536 / (8 * sizeof(unsigned long))] = {0};
    bool has_sni = false;
    while (exts.left) {
        unsigned type = take_u16(&exts);
        struct cursor ext = take_vec(&exts, take_u16(&exts));
        if (exts.bad)
            return malformed(hello, "an extension runs past the ClientHello");
        if (seen[type / bits] & 1UL << (type % bits))
            return malformed(hello, "an extension appears twice");
        seen[type / bits] |= 1UL << (type % bits);
        if (type == TLS_EXT_ECH)
            hello->has_ech = true;
        if (type == TLS_EXT_SERVER_NAME) {
            enum tls_hello_status st = read_sni(ext, hello);
            if (st != TLS_HELLO_OK)
                return st;
            has_sni = true;
        }
    }
    if (!has_sni) {
        hello->why = "the ClientHello names no server (no SNI)";
        return TLS_HELLO_NO_SNI;
    }
    return TLS_HELLO_OK;
}

/* The ClientHello body (RFC 8446 4.1.2; TLS 1.2's has the same layout). */
static enum tls_hello_status read_client_hello(struct cursor body, struct tls_hello *hello)
{
    unsigned version_major = take_u8(&body);
    take_u8(&body);
    take_vec(&body, TLS_RANDOM_LEN);
    size_t session_id_len = take_u8(&body);
    if (session_id_len > TLS_SESSION_ID_MAX)
        return malformed(hello, "the session id is longer than 32 bytes");
    take_vec(&body, session_id_len);
    size_t suites_len = take_u16(&body);
    take_vec(&body, suites_len);
    size_t compression_len = take_u8(&body);
    take_vec(&body, compression_len);
    if (body.bad)
        return malformed(hello, "the ClientHello ends inside its fixed fields");
    if (version_major != 3 || suites_len < 2 || suites_len % 2 || compression_len < 1)
        return malformed(hello, "the ClientHello's version, cipher suites or compression methods are invalid");
    if (!body.left) {
        hello->why = "the ClientHello has no extensions, so no SNI";
        return TLS_HELLO_NO_SNI;
    }
    struct cursor exts = take_vec(&body, take_u16(&body));
    if (body.bad || body.left)
        return malformed(hello, "the extensions do not fill the rest of the ClientHello");
    return read_extensions(exts, hello);
}

enum tls_hello_status tls_hello_parse(const uint8_t *buf, size_t len, struct tls_hello *hello)
{
    *hello = (struct tls_hello){0};
    if (len < 1) {
        hello->need = 1;
        return TLS_HELLO_NEED_MORE;
    }
    if (buf[0] != TLS_CONTENT_HANDSHAKE || (len >= 2 && buf[1] != 3)) {
        hello->why = "the first bytes are not a TLS handshake record";
        return TLS_HELLO_NOT_TLS;
    }
    if (len < TLS_RECORD_HEADER + 4) {
        hello->need = TLS_RECORD_HEADER + 4;
        return TLS_HELLO_NEED_MORE;
    }
    size_t record_len = (size_t)buf[3] << 8 | buf[4];
    size_t msg_len = (size_t)buf[6] << 16 | (size_t)buf[7] << 8 | buf[8];
    if (record_len > TLS_RECORD_MAX)
        return malformed(hello, "the TLS record is longer than 16384 bytes");
    if (buf[5] != TLS_HANDSHAKE_CLIENT_HELLO)
        return malformed(hello, "the first handshake message is not a ClientHello");
    if (record_len < 4 || msg_len + 4 > record_len)
        return malformed(hello, "the ClientHello continues past its record (a split handshake is not read)");
    if (msg_len + 4 < record_len)
        return malformed(hello, "the ClientHello's record holds more than the ClientHello");
    if (len < TLS_RECORD_HEADER + record_len) {
        hello->need = TLS_RECORD_HEADER + record_len;
        return TLS_HELLO_NEED_MORE;
    }
    struct cursor body = {buf + TLS_RECORD_HEADER + 4, msg_len, false};
    return read_client_hello(body, hello);
}

const char *tls_hello_status_name(enum tls_hello_status status)
{
    switch (status) {
    case TLS_HELLO_OK: return "OK";
    case TLS_HELLO_NEED_MORE: return "NEED_MORE";
    case TLS_HELLO_NOT_TLS: return "NOT_TLS";
    case TLS_HELLO_MALFORMED: return "MALFORMED";
    case TLS_HELLO_NO_SNI: return "NO_SNI";
    }
    return "?";
}
