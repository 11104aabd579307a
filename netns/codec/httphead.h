/* The client's side of a plain HTTP/1.x connection, read as it streams by
 * the TCP egress relay: each request's Host, so that a connection to an
 * allowlisted name's address cannot ask that address for another name, on
 * its first request or on any later one of a kept-alive or pipelined
 * connection.  Pure parsing over bytes, no I/O.
 *
 * The parser reads only what it needs, the request heads and the framing of
 * their bodies (Content-Length, chunked), and refuses whatever it cannot
 * check: a head it cannot read the same way every server would is a head
 * another name might be hidden in.  Refused, and the connection is over:
 * no Host or several; an absolute-form target whose authority is not the
 * Host; a Transfer-Encoding other than exactly "chunked", or one with a
 * Content-Length or in HTTP/1.0; several different Content-Lengths; a body
 * on GET, HEAD or TRACE (servers that ignore such a body would read it as
 * the next request); chunk extensions; bytes a head may not hold (a bare CR
 * or LF, a NUL, other controls); obs-fold; a head over HTTP_HEAD_MAX;
 * HTTP/0.9, HTTP/2 and anything not HTTP/1.x; CONNECT; Upgrade (after an
 * upgrade the bytes are another protocol, which cannot be checked).
 *
 * What the parser cannot see: a server that reads the framing differently
 * from RFC 9112 (one that ignores a Content-Length it was sent) would read
 * body bytes as a request.  The strict framing above narrows that; the
 * destination is still only an address an allowlisted name resolved to.
 *
 * Use: http_stream_feed() takes bytes in pieces of any size.  Bytes of the
 * stream up to `forwardable` (counted from its first byte) may be sent to
 * the server; never more.  When a request head is complete it returns
 * HTTP_HEAD and stops right after it: the caller decides on head_host, then
 * calls http_stream_allow() (which makes the head forwardable) and feeds
 * the rest.  A head that is not allowed is never forwardable. */
#ifndef CLBOX_NETNS_HTTPHEAD_H
#define CLBOX_NETNS_HTTPHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/codec/allowlist.h"

/* A request head, from its first byte to its empty line, at most this
 * long; trailers of a chunked body too. */
#define HTTP_HEAD_MAX 16384

enum http_status {
    HTTP_MORE,    /* every byte given was taken: feed more */
    HTTP_HEAD,    /* a request head is complete: decide on head_host, then http_stream_allow() */
    HTTP_REFUSED, /* the stream cannot be checked (why): forward nothing more, close */
};

enum http_phase {
    HTTP_IN_HEAD,
    HTTP_AWAITING_ALLOW,
    HTTP_IN_BODY,
    HTTP_IN_CHUNK_SIZE,
    HTTP_IN_CHUNK_DATA,
    HTTP_IN_CHUNK_END,
    HTTP_IN_TRAILERS,
    HTTP_STOPPED,
};

/* What one head asks for; filled field by field as its lines complete. */
struct http_head {
    char host[ALLOW_NAME_MAX]; /* lower case, no trailing dot */
    uint16_t port;             /* 0: Host names no port */
    char target_host[ALLOW_NAME_MAX];
    uint16_t target_port;
    bool absolute_target;      /* the request-target was "http://authority/..." */
    bool http10;
    bool no_body_method;       /* GET, HEAD, TRACE */
    unsigned n_host, n_te;
    bool has_length;
    uint64_t length;
};

struct http_stream {
    /* Read these. */
    uint64_t fed;         /* bytes taken so far */
    uint64_t forwardable; /* bytes, from the stream's start, that may be sent */
    uint64_t head_start;  /* where the current (or last) head begins */
    unsigned n_requests;  /* heads allowed so far */
    const char *head_host;/* HTTP_HEAD: the Host asked for (valid until the next feed) */
    uint16_t head_port;   /* HTTP_HEAD: its port, 0 if none */
    const char *why;      /* HTTP_REFUSED: why, a phrase for messages */
    bool not_http;        /* HTTP_REFUSED: the connection's first line is no HTTP/1.x request
                           * line at all (another protocol) */
    /* The parser's own. */
    enum http_phase phase;
    enum http_phase after_allow;
    struct http_head head;
    size_t section_len;   /* bytes of the current head or trailer section */
    bool head_started;    /* the first byte of the current head has been read */
    bool request_line_seen;
    bool cr_pending;      /* the line's last byte was a CR */
    uint64_t left;        /* bytes left of a body or chunk */
    char line[HTTP_HEAD_MAX];
    size_t line_len;
};

void http_stream_init(struct http_stream *s);
/* Takes bytes from data (len of them) and sets *taken to how many: all of
 * them unless it returns HTTP_HEAD (the rest follows the head: feed it
 * after http_stream_allow) or HTTP_REFUSED. */
enum http_status http_stream_feed(struct http_stream *s, const uint8_t *data, size_t len, size_t *taken);
/* The head HTTP_HEAD reported is allowed: it becomes forwardable. */
void http_stream_allow(struct http_stream *s);

#endif
