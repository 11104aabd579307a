/* The HTTP/1.x request stream parser (httphead.h).  Heads and trailers are
 * read line by line as their bytes arrive, a line checked when its CRLF
 * completes it; body bytes are only counted. */
#include "netns/codec/httphead.h"

#include <string.h>
#include <strings.h>

/* The digits of a Content-Length or a chunk size kept to what uint64_t
 * holds without overflow. */
enum { LENGTH_DIGITS_MAX = 18, CHUNK_SIZE_DIGITS_MAX = 15 };

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static enum http_status refuse(struct http_stream *s, const char *why)
{
    s->why = why;
    s->not_http = s->phase == HTTP_IN_HEAD && !s->request_line_seen && s->n_requests == 0;
    s->phase = HTTP_STOPPED;
    return HTTP_REFUSED;
}

void http_stream_init(struct http_stream *s)
{
    memset(s, 0, sizeof *s);
    s->phase = HTTP_IN_HEAD;
}

static void start_head(struct http_stream *s)
{
    memset(&s->head, 0, sizeof s->head);
    s->head_start = s->fed;
    s->head_started = true;
    s->request_line_seen = false;
    s->section_len = 0;
}

/* "NAME" or "NAME:PORT" (a Host value or an absolute-form authority). */
static bool parse_authority(const char *text, size_t len, char *host, size_t hostlen, uint16_t *port)
{
    char buf[ALLOW_NAME_MAX + 8];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    *port = 0;
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        const char *digits = colon + 1;
        size_t n = strlen(digits);
        if (n < 1 || n > 5 || digits[0] == '0')
            return false;
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
            if (digits[i] < '0' || digits[i] > '9')
                return false;
            v = v * 10 + (unsigned)(digits[i] - '0');
        }
        if (v > 65535)
            return false;
        *port = (uint16_t)v;
    }
    return allow_name_normalize(buf, host, hostlen);
}

/* "http://authority/..." (scheme case-insensitive); the path is not read. */
static bool parse_absolute_target(const char *target, size_t len, struct http_head *h)
{
    static const char scheme[] = "http://";
    const size_t scheme_len = sizeof scheme - 1;
    if (len < scheme_len || strncasecmp(target, scheme, scheme_len) != 0)
        return false;
    const char *auth = target + scheme_len;
    size_t auth_len = 0;
    while (auth_len < len - scheme_len && auth[auth_len] && !strchr("/?#", auth[auth_len]))
        auth_len++;
    h->absolute_target = true;
    return parse_authority(auth, auth_len, h->target_host, sizeof h->target_host, &h->target_port);
}

/* method SP request-target SP HTTP-version, single spaces (RFC 9112 3). */
static enum http_status parse_request_line(struct http_stream *s, const char *line, size_t len)
{
    const char *sp1 = memchr(line, ' ', len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
    if (!sp1 || !sp2)
        return refuse(s, "not an HTTP/1.x request line (HTTP/0.9 or another protocol)");
    size_t method_len = (size_t)(sp1 - line), target_len = (size_t)(sp2 - sp1 - 1);
    const char *version = sp2 + 1;
    size_t version_len = len - (size_t)(version - line);
    if (method_len == 0 || target_len == 0)
        return refuse(s, "not an HTTP/1.x request line (HTTP/0.9 or another protocol)");
    for (size_t i = 0; i < method_len; i++)
        if (!is_tchar((unsigned char)line[i]))
            return refuse(s, "not an HTTP/1.x request line (HTTP/0.9 or another protocol)");
    for (size_t i = 0; i < target_len; i++)
        if ((unsigned char)sp1[1 + i] < 0x21 || (unsigned char)sp1[1 + i] > 0x7e)
            return refuse(s, "the request-target holds bytes it may not");
    if (version_len == 8 && !memcmp(version, "HTTP/1.0", 8))
        s->head.http10 = true;
    else if (version_len != 8 || memcmp(version, "HTTP/1.1", 8) != 0)
        return refuse(s, "not HTTP/1.0 or HTTP/1.1");
    s->request_line_seen = true;
#define METHOD_IS(m) (method_len == sizeof(m) - 1 && !memcmp(line, m, sizeof(m) - 1))
    if (METHOD_IS("CONNECT"))
        return refuse(s, "a CONNECT request (a tunnel, whose bytes cannot be checked)");
    s->head.no_body_method = METHOD_IS("GET") || METHOD_IS("HEAD") || METHOD_IS("TRACE");
    bool options = METHOD_IS("OPTIONS");
#undef METHOD_IS
    const char *target = sp1 + 1;
    if (target[0] == '/' || (options && target_len == 1 && target[0] == '*'))
        return HTTP_MORE;
    if (!parse_absolute_target(target, target_len, &s->head))
        return refuse(s, "a request-target that is neither a path nor an http:// URL with a DNS name");
    return HTTP_MORE;
}

static enum http_status field_host(struct http_stream *s, const char *value, size_t len)
{
    if (++s->head.n_host > 1)
        return refuse(s, "several Host headers");
    if (!parse_authority(value, len, s->head.host, sizeof s->head.host, &s->head.port))
        return refuse(s, "the Host header is not a DNS name with an optional port");
    return HTTP_MORE;
}

static enum http_status field_content_length(struct http_stream *s, const char *value, size_t len)
{
    if (len < 1 || len > LENGTH_DIGITS_MAX)
        return refuse(s, "a Content-Length that is not one decimal number");
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (value[i] < '0' || value[i] > '9')
            return refuse(s, "a Content-Length that is not one decimal number");
        v = v * 10 + (uint64_t)(value[i] - '0');
    }
    if (s->head.has_length && s->head.length != v)
        return refuse(s, "several different Content-Length headers");
    s->head.has_length = true;
    s->head.length = v;
    return HTTP_MORE;
}

/* name ":" OWS value OWS; no space before the colon (RFC 9112 5.1).  The
 * bytes were checked as they came (no controls but HTAB). */
static enum http_status parse_field(struct http_stream *s, const char *line, size_t len, bool trailer)
{
    if (line[0] == ' ' || line[0] == '\t')
        return refuse(s, "a header folded onto the next line (obs-fold)");
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return refuse(s, "a header line without a name and a colon");
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar((unsigned char)line[i]))
            return refuse(s, "a header name holding bytes it may not (a space before the colon?)");
    const char *value = colon + 1, *end = line + len;
    while (value < end && (*value == ' ' || *value == '\t'))
        value++;
    while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t value_len = (size_t)(end - value);
    if (trailer)
        return HTTP_MORE;
#define NAME_IS(n) (name_len == sizeof(n) - 1 && !strncasecmp(line, n, sizeof(n) - 1))
    if (NAME_IS("Host"))
        return field_host(s, value, value_len);
    if (NAME_IS("Content-Length"))
        return field_content_length(s, value, value_len);
    if (NAME_IS("Transfer-Encoding")) {
        s->head.n_te++;
        if (value_len != 7 || strncasecmp(value, "chunked", 7) != 0)
            return refuse(s, "a Transfer-Encoding other than exactly chunked");
    }
    if (NAME_IS("Upgrade"))
        return refuse(s, "an Upgrade request (after an upgrade the bytes are another protocol, which cannot be checked)");
#undef NAME_IS
    return HTTP_MORE;
}

/* The head is complete: what it asks for is consistent, and its body's
 * framing is one clbox reads the way the server must. */
static enum http_status finish_head(struct http_stream *s)
{
    const struct http_head *h = &s->head;
    if (h->n_host == 0)
        return refuse(s, "no Host header");
    if (h->absolute_target && (strcmp(h->target_host, h->host) != 0 ||
                               (h->target_port ? h->target_port : 80) != (h->port ? h->port : 80)))
        return refuse(s, "the request-target's host is not the Host header's");
    if (h->n_te > 1)
        return refuse(s, "several Transfer-Encoding headers");
    if (h->n_te && h->has_length)
        return refuse(s, "both Content-Length and Transfer-Encoding");
    if (h->n_te && h->http10)
        return refuse(s, "Transfer-Encoding in an HTTP/1.0 request");
    bool body = h->n_te || h->length > 0;
    if (body && h->no_body_method)
        return refuse(s, "a body on a GET, HEAD or TRACE request");
    s->after_allow = h->n_te ? HTTP_IN_CHUNK_SIZE : h->length > 0 ? HTTP_IN_BODY : HTTP_IN_HEAD;
    s->left = h->n_te ? 0 : h->length;
    s->head_host = h->host;
    s->head_port = h->port;
    s->phase = HTTP_AWAITING_ALLOW;
    return HTTP_HEAD;
}

static enum http_status head_line(struct http_stream *s, const char *line, size_t len)
{
    if (len == 0 && !s->request_line_seen)
        return HTTP_MORE; /* empty lines before a request line are ignored (RFC 9112 2.2) */
    if (len == 0)
        return finish_head(s);
    if (!s->request_line_seen)
        return parse_request_line(s, line, len);
    return parse_field(s, line, len, false);
}

static enum http_status chunk_size_line(struct http_stream *s, const char *line, size_t len)
{
    if (len == 0 || len > CHUNK_SIZE_DIGITS_MAX)
        return refuse(s, "a chunk size that is not one hexadecimal number (chunk extensions are not read)");
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (!is_hex(c))
            return refuse(s, "a chunk size that is not one hexadecimal number (chunk extensions are not read)");
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    s->forwardable = s->fed;
    s->left = v;
    if (v == 0) {
        s->phase = HTTP_IN_TRAILERS;
        s->section_len = 0;
    } else {
        s->phase = HTTP_IN_CHUNK_DATA;
    }
    return HTTP_MORE;
}

/* A complete line (CRLF removed) of the current phase. */
static enum http_status line_done(struct http_stream *s, const char *line, size_t len)
{
    switch (s->phase) {
    case HTTP_IN_HEAD: return head_line(s, line, len);
    case HTTP_IN_CHUNK_SIZE: return chunk_size_line(s, line, len);
    case HTTP_IN_CHUNK_END:
        s->forwardable = s->fed;
        s->phase = HTTP_IN_CHUNK_SIZE;
        return HTTP_MORE;
    case HTTP_IN_TRAILERS:
        if (len)
            return parse_field(s, line, len, true);
        s->forwardable = s->fed;
        s->phase = HTTP_IN_HEAD;
        s->head_started = false;
        return HTTP_MORE;
    case HTTP_AWAITING_ALLOW:
    case HTTP_IN_BODY:
    case HTTP_IN_CHUNK_DATA:
    case HTTP_STOPPED: break;
    }
    return refuse(s, "internal: a line in a phase without lines");
}

/* The longest line each line phase takes: a whole head, a chunk size, the
 * CRLF after a chunk (nothing). */
static size_t line_max(enum http_phase phase)
{
    return phase == HTTP_IN_CHUNK_SIZE ? CHUNK_SIZE_DIGITS_MAX : phase == HTTP_IN_CHUNK_END ? 0 : HTTP_HEAD_MAX;
}

static const char *line_too_long(enum http_phase phase)
{
    if (phase == HTTP_IN_CHUNK_END)
        return "chunk data longer than its chunk size";
    if (phase == HTTP_IN_CHUNK_SIZE)
        return "a chunk size that is not one hexadecimal number (chunk extensions are not read)";
    return "a request head (or trailer section) longer than 16 KiB";
}

/* One byte of a line phase. */
static enum http_status line_byte(struct http_stream *s, unsigned char c)
{
    if (s->phase == HTTP_IN_HEAD && !s->head_started)
        start_head(s);
    s->fed++;
    if ((s->phase == HTTP_IN_HEAD || s->phase == HTTP_IN_TRAILERS) && ++s->section_len > HTTP_HEAD_MAX)
        return refuse(s, "a request head (or trailer section) longer than 16 KiB");
    if (c == '\n') {
        if (!s->cr_pending)
            return refuse(s, "a line ended by a bare LF");
        s->cr_pending = false;
        size_t len = s->line_len;
        s->line_len = 0;
        return line_done(s, s->line, len);
    }
    if (s->cr_pending)
        return refuse(s, "a bare CR");
    if (c == '\r') {
        s->cr_pending = true;
        return HTTP_MORE;
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f)
        return refuse(s, "a control byte in a request head");
    if (s->line_len >= line_max(s->phase))
        return refuse(s, line_too_long(s->phase));
    s->line[s->line_len++] = (char)c;
    return HTTP_MORE;
}

/* Body bytes: counted, forwardable as they come. */
static size_t body_bytes(struct http_stream *s, size_t avail)
{
    size_t n = s->left < avail ? (size_t)s->left : avail;
    s->left -= n;
    s->fed += n;
    s->forwardable = s->fed;
    if (s->left == 0) {
        if (s->phase == HTTP_IN_CHUNK_DATA) {
            s->phase = HTTP_IN_CHUNK_END;
        } else {
            s->phase = HTTP_IN_HEAD;
            s->head_started = false;
        }
    }
    return n;
}

enum http_status http_stream_feed(struct http_stream *s, const uint8_t *data, size_t len, size_t *taken)
{
    *taken = 0;
    if (s->phase == HTTP_STOPPED)
        return HTTP_REFUSED;
    if (s->phase == HTTP_AWAITING_ALLOW)
        return refuse(s, "bytes after a request head that was not allowed");
    size_t i = 0;
    while (i < len) {
        if (s->phase == HTTP_IN_BODY || s->phase == HTTP_IN_CHUNK_DATA) {
            i += body_bytes(s, len - i);
            continue;
        }
        enum http_status st = line_byte(s, data[i++]);
        if (st != HTTP_MORE) {
            *taken = i;
            return st;
        }
    }
    *taken = i;
    return HTTP_MORE;
}

void http_stream_allow(struct http_stream *s)
{
    if (s->phase != HTTP_AWAITING_ALLOW)
        return;
    s->forwardable = s->fed;
    s->n_requests++;
    s->phase = s->after_allow;
    s->head_started = false;
}
