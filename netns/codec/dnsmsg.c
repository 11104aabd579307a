/* DNS wire-format parsing and rebuilding for the DNS gate (see dnsmsg.h).
 *
 * Input is read only through read_name() and read_rr(), which check every
 * offset against the buffer before touching it; output goes only through
 * struct wbuf, which checks every write against the caller's capacity. */
#include "netns/codec/dnsmsg.h"

#include <limits.h>
#include <string.h>
#include <sys/socket.h>

enum { HDR_LEN = 12, RR_FIXED = 10 /* type, class, TTL and rdata length after the owner */ };
/* A name has at most 127 labels, so an encoder never needs more jumps; the
 * limit stops pointer-to-pointer chains from costing a hostile upstream's
 * victim O(message length) work per name. */
enum { MAX_JUMPS = 127 };
enum { H_ID = 0, H_FLAGS = 2, H_QD = 4, H_AN = 6, H_NS = 8, H_AR = 10 };
enum {
    F_QR = 0x8000,
    F_OPCODE = 0x7800,
    F_TC = 0x0200,
    F_RD = 0x0100,
    F_RA = 0x0080,
    F_CD = 0x0010,
    F_RCODE = 0x000f,
    EDNS_DO = 0x8000, /* in the OPT record's TTL field */
};

static const uint8_t root_name = 0; /* the root name in wire form */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* ---- Output ---- */

/* A caller's buffer being appended to. The first overflow sticks, so a
 * sequence of writes needs one check at the end. With buf NULL it only
 * counts, which is how rdata is validated without writing it anywhere. */
struct wbuf {
    uint8_t *buf;
    size_t cap, len;
    bool overflow;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (w->buf && n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put16(struct wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}

static void put32(struct wbuf *w, uint32_t v)
{
    put16(w, (uint16_t)(v >> 16));
    put16(w, (uint16_t)v);
}

/* Writes a record up to its rdata length, which end_rr() fills in. */
static size_t begin_rr(struct wbuf *w, const uint8_t *owner, size_t owner_len, uint16_t type, uint16_t cls,
                       uint32_t ttl)
{
    put(w, owner, owner_len);
    put16(w, type);
    put16(w, cls);
    put32(w, ttl);
    size_t at = w->len;
    put16(w, 0);
    return at;
}

static int end_rr(struct wbuf *w, size_t at)
{
    if (w->overflow)
        return DNS_E_NOSPACE;
    size_t n = w->len - at - 2;
    if (n > 0xffff)
        return DNS_E_RDATA; /* decompressed names outgrew the length field */
    if (w->buf)
        set16(w->buf + at, (uint16_t)n);
    return 0;
}

/* ---- Names ---- */

/* A name in uncompressed wire form: length-prefixed labels, then the root's 0. */
struct wname {
    uint8_t b[DNS_WIRE_NAME_MAX];
    size_t len;
};

/* Reads the name at *pos into out, uncompressed. Its in-place bytes must end
 * by `end` (the message, or the rdata holding the name). A pointer must land
 * after the header and strictly before every byte read since the last jump,
 * so each jump goes lower and no loop is possible; the jump and 255-byte
 * limits bound the work. On success *pos is just past the in-place bytes. */
static int read_name(const uint8_t *msg, size_t len, size_t *pos, size_t end, bool allow_ptr, struct wname *out)
{
    size_t p = *pos, seg = *pos, after = 0;
    unsigned jumps = 0;
    out->len = 0;
    for (;;) {
        if (p >= end)
            return DNS_E_SHORT;
        uint8_t c = msg[p];
        if ((c & 0xc0) == 0xc0) {
            if (!allow_ptr)
                return DNS_E_POINTER;
            if (end - p < 2)
                return DNS_E_SHORT;
            size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
            if (target < HDR_LEN || target >= seg || ++jumps > MAX_JUMPS)
                return DNS_E_POINTER;
            if (!after)
                after = p + 2;
            p = seg = target;
            end = len;
            continue;
        }
        if (c & 0xc0)
            return DNS_E_LABEL; /* 0x40 and 0x80: obsolete or reserved label types */
        if (c > end - p - 1)
            return DNS_E_SHORT;
        /* Room for this label and, after it, at least the root label. */
        if (out->len + 1 + c + (c ? 1 : 0) > DNS_WIRE_NAME_MAX)
            return DNS_E_LABEL;
        memcpy(out->b + out->len, msg + p, 1 + (size_t)c);
        out->len += 1 + (size_t)c;
        p += 1 + (size_t)c;
        if (c == 0) {
            *pos = after ? after : p;
            return 0;
        }
    }
}

/* ASCII case-insensitive. Length bytes are <= 63, below 'A', so lowering
 * every byte never confuses a length with a letter. */
static bool name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static bool label_char_ok(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* wire is a valid name from read_name(), so the text (at most 253 characters
 * for 255 wire bytes) fits in DNS_NAME_MAX. */
static int name_to_text(const uint8_t *wire, char *text)
{
    size_t t = 0, i = 0;
    while (wire[i]) {
        size_t end = i + 1 + wire[i];
        if (t)
            text[t++] = '.';
        for (i++; i < end; i++) {
            if (!label_char_ok(wire[i]))
                return DNS_E_NAME_CHARS;
            text[t++] = (char)lower(wire[i]);
        }
    }
    text[t] = '\0';
    return 0;
}

/* ---- Records ---- */

/* Steps over the in-place bytes of a name without following pointers. Only
 * for names read_name() has already checked: the walks after the first. */
static int skip_name(const uint8_t *msg, size_t len, size_t *pos)
{
    for (size_t p = *pos; p < len;) {
        uint8_t c = msg[p];
        if ((c & 0xc0) == 0xc0) {
            *pos = p + 2;
            return len - p >= 2 ? 0 : DNS_E_SHORT;
        }
        if (c & 0xc0)
            return DNS_E_LABEL;
        p += 1 + (size_t)c;
        if (c == 0) {
            *pos = p;
            return 0;
        }
    }
    return DNS_E_SHORT;
}

struct rr {
    struct wname owner; /* empty unless decoded */
    size_t owner_pos;
    uint16_t type, cls;
    uint32_t ttl;
    size_t rdata, rdlen; /* offset and length in the message */
};

/* Reads a record, its owner name decoded only if decode: later walks decode
 * just the owners they need, which keeps pointer chasing off the hot path. */
static int read_rr(const uint8_t *msg, size_t len, size_t *pos, bool allow_ptr, bool decode, struct rr *rr)
{
    rr->owner_pos = *pos;
    rr->owner.len = 0;
    int r = decode ? read_name(msg, len, pos, len, allow_ptr, &rr->owner) : skip_name(msg, len, pos);
    if (r)
        return r;
    if (len - *pos < RR_FIXED)
        return DNS_E_SHORT;
    const uint8_t *f = msg + *pos;
    rr->type = get16(f);
    rr->cls = get16(f + 2);
    rr->ttl = get32(f + 4);
    rr->rdlen = get16(f + 8);
    rr->rdata = *pos + RR_FIXED;
    if (rr->rdlen > len - rr->rdata)
        return DNS_E_SHORT;
    *pos = rr->rdata + rr->rdlen;
    return 0;
}

static int decode_owner(const uint8_t *msg, size_t len, struct rr *rr)
{
    size_t p = rr->owner_pos;
    return read_name(msg, len, &p, len, true, &rr->owner);
}

/* Where the rdata of types that may hold compressed names has them
 * (RFC 1035 and RFC 3597 section 4): N a name, S a character-string, 2 and 4
 * fixed-size fields. NULL: no names, copied verbatim. */
static const char *rdata_layout(uint16_t type)
{
    switch (type) {
    case DNS_TYPE_NS:
    case 3: /* MD */
    case 4: /* MF */
    case DNS_TYPE_CNAME:
    case 7: /* MB */
    case 8: /* MG */
    case 9: /* MR */
    case DNS_TYPE_PTR:
    case 39: /* DNAME */
        return "N";
    case DNS_TYPE_SOA:
        return "NN44444";
    case 14: /* MINFO */
    case 17: /* RP */
        return "NN";
    case DNS_TYPE_MX:
    case 18: /* AFSDB */
    case 21: /* RT */
    case 36: /* KX */
        return "2N";
    case 26: /* PX */
        return "2NN";
    case DNS_TYPE_SRV:
        return "222N";
    case 35: /* NAPTR */
        return "22SSSN";
    default:
        return NULL;
    }
}

/* Obsolete types with names the layouts above cannot rewrite (SIG, NXT, A6):
 * copied verbatim a compressed name would point at garbage, so they go. */
static bool rdata_unsafe(uint16_t type)
{
    return type == 24 || type == 30 || type == 38;
}

/* Writes rr's rdata with names uncompressed, checking it is exactly filled. */
static int copy_rdata(const uint8_t *msg, size_t len, const struct rr *rr, struct wbuf *w)
{
    size_t p = rr->rdata, end = rr->rdata + rr->rdlen;
    if (rr->cls == DNS_CLASS_IN && ((rr->type == DNS_TYPE_A && rr->rdlen != 4) ||
                                    (rr->type == DNS_TYPE_AAAA && rr->rdlen != 16)))
        return DNS_E_RDATA;
    const char *layout = rdata_layout(rr->type);
    if (!layout) {
        put(w, msg + p, rr->rdlen);
        return 0;
    }
    for (; *layout; layout++) {
        if (*layout == 'N') {
            struct wname n;
            int r = read_name(msg, len, &p, end, true, &n);
            if (r)
                return r == DNS_E_SHORT ? DNS_E_RDATA : r;
            put(w, n.b, n.len);
        } else {
            size_t n = *layout == 'S' ? (p < end ? 1 + (size_t)msg[p] : 1) : (size_t)(*layout - '0');
            if (n > end - p)
                return DNS_E_RDATA;
            put(w, msg + p, n);
            p += n;
        }
    }
    return p == end ? 0 : DNS_E_RDATA;
}

/* An OPT record: root owner, options as code/length/data filling the rdata. */
static int check_opt(const uint8_t *msg, const struct rr *rr)
{
    if (rr->owner.len != 1)
        return DNS_E_EDNS;
    size_t p = rr->rdata, end = rr->rdata + rr->rdlen;
    while (p < end) {
        if (end - p < 4)
            return DNS_E_EDNS;
        size_t olen = get16(msg + p + 2);
        if (olen > end - p - 4)
            return DNS_E_EDNS;
        p += 4 + olen;
    }
    return 0;
}

/* ---- Queries ---- */

/* Everything but the policy checks, so dns_build_error() can repeat the
 * question of a query the gate refuses. opt_ttl gets the OPT's TTL field. */
static int parse_query_struct(const uint8_t *msg, size_t len, struct dns_query_info *q, uint32_t *opt_ttl)
{
    if (len < HDR_LEN)
        return DNS_E_SHORT;
    uint16_t flags = get16(msg + H_FLAGS);
    q->id = get16(msg + H_ID);
    q->opcode = (uint16_t)((flags & F_OPCODE) >> 11);
    q->rd = flags & F_RD;
    q->cd = flags & F_CD;
    if ((flags & F_QR) || get16(msg + H_QD) != 1 || get16(msg + H_AN) || get16(msg + H_NS) || get16(msg + H_AR) > 1)
        return DNS_E_HEADER;
    size_t pos = HDR_LEN;
    struct wname n;
    int r = read_name(msg, len, &pos, len, false, &n);
    if (r)
        return r;
    if (len - pos < 4)
        return DNS_E_SHORT;
    memcpy(q->wire_name, n.b, n.len);
    q->wire_name_len = n.len;
    q->q.qtype = get16(msg + pos);
    q->q.qclass = get16(msg + pos + 2);
    pos += 4;
    if (get16(msg + H_AR)) {
        struct rr opt;
        if ((r = read_rr(msg, len, &pos, false, true, &opt)))
            return r;
        if (opt.type != DNS_TYPE_OPT || check_opt(msg, &opt))
            return DNS_E_EDNS;
        q->has_edns = true;
        q->edns_do = opt.ttl & EDNS_DO;
        q->edns_udp_size = opt.cls < 512 ? 512 : opt.cls;
        *opt_ttl = opt.ttl;
    }
    return pos == len ? 0 : DNS_E_TRAILING;
}

/* Zone transfers, TSIG/TKEY and the other meta types (RFC 6895: 128-254,
 * OPT) are not questions for a stub resolver. ANY (255) is. */
static bool qtype_forwardable(uint16_t t)
{
    return t != 0 && t != DNS_TYPE_OPT && (t < 128 || t > 254);
}

bool dns_qtype_forwarded(uint16_t qtype)
{
    switch (qtype) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS: return true;
    default: return false;
    }
}

const char *dns_type_name(uint16_t qtype)
{
    switch (qtype) {
    case DNS_TYPE_A: return "A";
    case DNS_TYPE_NS: return "NS";
    case DNS_TYPE_CNAME: return "CNAME";
    case DNS_TYPE_SOA: return "SOA";
    case DNS_TYPE_NULL: return "NULL";
    case DNS_TYPE_PTR: return "PTR";
    case DNS_TYPE_MX: return "MX";
    case DNS_TYPE_TXT: return "TXT";
    case DNS_TYPE_AAAA: return "AAAA";
    case DNS_TYPE_SRV: return "SRV";
    case DNS_TYPE_SVCB: return "SVCB";
    case DNS_TYPE_HTTPS: return "HTTPS";
    case DNS_TYPE_ANY: return "ANY";
    case DNS_TYPE_CAA: return "CAA";
    default: return NULL;
    }
}

int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query_info *out)
{
    if (!msg || !out)
        return DNS_E_ARG;
    memset(out, 0, sizeof *out);
    uint32_t opt_ttl = 0;
    int r = parse_query_struct(msg, len, out, &opt_ttl);
    if (r)
        return r;
    if (out->opcode != 0)
        return DNS_E_OPCODE;
    if (get16(msg + H_FLAGS) & (F_TC | F_RCODE))
        return DNS_E_HEADER;
    if (out->has_edns && (opt_ttl >> 16 & 0xff) != 0)
        return DNS_E_EDNS;
    if ((r = name_to_text(out->wire_name, out->q.name)))
        return r;
    if (out->q.qclass != DNS_CLASS_IN || !qtype_forwardable(out->q.qtype))
        return DNS_E_QTYPE;
    return 0;
}

int dns_build_error(const uint8_t *query, size_t qlen, int rcode, uint8_t *out, size_t outcap)
{
    if (!query || !out || rcode < 0 || rcode > 15)
        return DNS_E_ARG;
    if (qlen < HDR_LEN)
        return DNS_E_SHORT;
    uint16_t qflags = get16(query + H_FLAGS);
    if (qflags & F_QR)
        return DNS_E_HEADER;
    struct dns_query_info q;
    memset(&q, 0, sizeof q);
    uint32_t opt_ttl = 0;
    bool whole = parse_query_struct(query, qlen, &q, &opt_ttl) == 0;
    bool edns = whole && q.has_edns;

    struct wbuf w = {out, outcap, 0, false};
    put16(&w, get16(query + H_ID));
    put16(&w, (uint16_t)(F_QR | (qflags & (F_OPCODE | F_RD | F_CD)) | F_RA | rcode));
    put16(&w, whole);
    put16(&w, 0);
    put16(&w, 0);
    put16(&w, edns);
    if (whole) {
        put(&w, q.wire_name, q.wire_name_len);
        put16(&w, q.q.qtype);
        put16(&w, q.q.qclass);
    }
    if (edns) {
        int r = end_rr(&w, begin_rr(&w, &root_name, 1, DNS_TYPE_OPT, DNS_EDNS_UDP_SIZE, q.edns_do ? EDNS_DO : 0));
        if (r)
            return r;
    }
    if (w.overflow)
        return DNS_E_NOSPACE;
    return (int)w.len;
}

/* ---- Responses ---- */

/* Names reachable from the question through CNAMEs, the question first. */
struct chain {
    struct wname names[DNS_MAX_CNAME_CHAIN];
    size_t n;
};

static bool chain_has(const struct chain *c, const struct wname *n)
{
    for (size_t i = 0; i < c->n; i++)
        if (name_eq(c->names[i].b, c->names[i].len, n->b, n->len))
            return true;
    return false;
}

struct layout {
    size_t an_pos;
    uint16_t ancount;
    bool has_opt;
    struct rr opt;
};

static int check_question(const uint8_t *msg, size_t len, size_t *pos, const struct dns_query_info *q)
{
    struct wname n;
    int r = read_name(msg, len, pos, len, true, &n);
    if (r)
        return r;
    if (len - *pos < 4)
        return DNS_E_SHORT;
    bool same = name_eq(n.b, n.len, q->wire_name, q->wire_name_len) && get16(msg + *pos) == q->q.qtype &&
                get16(msg + *pos + 2) == q->q.qclass;
    *pos += 4;
    return same ? 0 : DNS_E_QUESTION;
}

/* Walks every record of the three sections before anything is written: an
 * error anywhere rejects the whole response. Answer rdata is fully checked,
 * the rest (about to be dropped) only for its bounds. */
static int check_sections(const uint8_t *msg, size_t len, size_t pos, struct layout *lay)
{
    uint16_t counts[3] = {get16(msg + H_AN), get16(msg + H_NS), get16(msg + H_AR)};
    lay->an_pos = pos;
    lay->ancount = counts[0];
    lay->has_opt = false;
    for (int s = 0; s < 3; s++) {
        for (unsigned i = 0; i < counts[s]; i++) {
            struct rr rr;
            struct wbuf count_only = {NULL, SIZE_MAX, 0, false};
            int r = read_rr(msg, len, &pos, true, true, &rr);
            if (r)
                return r;
            if (rr.type == DNS_TYPE_OPT) {
                if (s != 2 || lay->has_opt)
                    return DNS_E_EDNS;
                if ((r = check_opt(msg, &rr)))
                    return r;
                lay->has_opt = true;
                lay->opt = rr;
            } else if (s == 0 && (r = copy_rdata(msg, len, &rr, &count_only))) {
                return r;
            }
        }
    }
    return pos == len ? 0 : DNS_E_TRAILING;
}

/* Adds CNAME targets whose owners are already reachable until nothing new
 * turns up (records need not be in chain order) or the chain is full. */
static int follow_cnames(const uint8_t *msg, size_t len, const struct layout *lay, uint16_t qclass, struct chain *c)
{
    for (bool grew = true; grew && c->n < DNS_MAX_CNAME_CHAIN;) {
        grew = false;
        size_t pos = lay->an_pos;
        for (unsigned i = 0; i < lay->ancount && c->n < DNS_MAX_CNAME_CHAIN; i++) {
            struct rr rr;
            int r = read_rr(msg, len, &pos, true, false, &rr);
            if (r)
                return r;
            if (rr.type != DNS_TYPE_CNAME || rr.cls != qclass)
                continue;
            if ((r = decode_owner(msg, len, &rr)))
                return r;
            if (!chain_has(c, &rr.owner))
                continue;
            size_t p = rr.rdata;
            struct wname *target = &c->names[c->n];
            if ((r = read_name(msg, len, &p, rr.rdata + rr.rdlen, true, target)))
                return r;
            if (!chain_has(c, target)) {
                c->n++;
                grew = true;
            }
        }
    }
    return 0;
}

struct emit {
    const struct dns_query_info *q;
    const struct chain *chain;
    dns_keep_addr_fn keep;
    void *ctx;
    struct dns_addr *addrs;
    size_t max_addrs;
    struct dns_filter_result *res;
};

/* Record types that can go into the answer to a question of type qt. */
static bool type_wanted(uint16_t type, uint16_t qt)
{
    if (type == DNS_TYPE_A || type == DNS_TYPE_AAAA)
        return qt == type || qt == DNS_TYPE_ANY;
    return !rdata_unsafe(type) && (type == DNS_TYPE_CNAME || type == qt);
}

/* An A/AAAA record goes out only if keep() accepts it and it is in addrs,
 * so the client never learns an address the firewall will not let it reach. */
static bool keep_addr(const uint8_t *msg, const struct rr *rr, uint32_t ttl, struct emit *e)
{
    if (rr->cls != DNS_CLASS_IN)
        return false;
    int family = rr->type == DNS_TYPE_A ? AF_INET : AF_INET6;
    const uint8_t *a = msg + rr->rdata; /* rdlen checked: 4 or 16 */
    if (e->keep && !e->keep(family, a, e->ctx)) {
        e->res->n_refused++;
        return false;
    }
    for (size_t i = 0; i < e->res->n_addrs; i++) {
        struct dns_addr *d = &e->addrs[i];
        if (d->family == family && !memcmp(d->addr, a, rr->rdlen)) {
            if (ttl > d->ttl)
                d->ttl = ttl;
            return true;
        }
    }
    if (e->res->n_addrs >= e->max_addrs)
        return false;
    struct dns_addr *d = &e->addrs[e->res->n_addrs++];
    memset(d, 0, sizeof *d);
    d->family = family;
    memcpy(d->addr, a, rr->rdlen);
    d->ttl = ttl;
    return true;
}

/* Sets *want: the record is of a wanted type and class, its owner is on the
 * chain, and for addresses keep_addr() agrees. */
static int want_record(const uint8_t *msg, size_t len, struct rr *rr, uint32_t ttl, struct emit *e, bool *want)
{
    *want = false;
    if (rr->cls != e->q->q.qclass || !type_wanted(rr->type, e->q->q.qtype))
        return 0;
    int r = decode_owner(msg, len, rr);
    if (r || !chain_has(e->chain, &rr->owner))
        return r;
    *want = rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA ? keep_addr(msg, rr, ttl, e) : true;
    return 0;
}

static int emit_answers(const uint8_t *msg, size_t len, const struct layout *lay, struct emit *e, struct wbuf *w,
                        uint16_t *kept)
{
    size_t pos = lay->an_pos;
    for (unsigned i = 0; i < lay->ancount; i++) {
        struct rr rr;
        bool want;
        int r = read_rr(msg, len, &pos, true, false, &rr);
        if (r)
            return r;
        uint32_t ttl = rr.ttl > INT32_MAX ? 0 : rr.ttl; /* RFC 2181 section 8 */
        if ((r = want_record(msg, len, &rr, ttl, e, &want)))
            return r;
        if (!want) {
            e->res->n_dropped++;
            continue;
        }
        size_t at = begin_rr(w, rr.owner.b, rr.owner.len, rr.type, rr.cls, ttl);
        if ((r = copy_rdata(msg, len, &rr, w)) || (r = end_rr(w, at)))
            return r;
        (*kept)++;
    }
    return 0;
}

int dns_filter_response(const uint8_t *resp, size_t len, const struct dns_query_info *query, dns_keep_addr_fn keep,
                        void *ctx, uint8_t *out, size_t outcap, struct dns_addr *addrs, size_t max_addrs,
                        struct dns_filter_result *result)
{
    if (!resp || !query || !out || !result || (max_addrs && !addrs) || query->wire_name_len < 1 ||
        query->wire_name_len > DNS_WIRE_NAME_MAX)
        return DNS_E_ARG;
    memset(result, 0, sizeof *result);
    if (len < HDR_LEN)
        return DNS_E_SHORT;
    uint16_t flags = get16(resp + H_FLAGS);
    if (!(flags & F_QR) || get16(resp + H_QD) != 1)
        return DNS_E_HEADER;
    if (flags & F_OPCODE)
        return DNS_E_OPCODE;
    if (get16(resp + H_ID) != query->id)
        return DNS_E_ID;
    size_t pos = HDR_LEN;
    struct layout lay = {0};
    int r = check_question(resp, len, &pos, query);
    if (r || (r = check_sections(resp, len, pos, &lay)))
        return r;
    uint32_t ext_rcode = lay.has_opt ? lay.opt.ttl >> 24 : 0;
    if (ext_rcode && !query->has_edns)
        return DNS_E_EDNS; /* dropping the OPT would change the RCODE */
    bool opt = lay.has_opt && query->has_edns;

    struct chain chain = {.n = 1};
    memcpy(chain.names[0].b, query->wire_name, query->wire_name_len);
    chain.names[0].len = query->wire_name_len;
    if ((r = follow_cnames(resp, len, &lay, query->q.qclass, &chain)))
        return r;

    struct dns_filter_result res = {0};
    struct emit e = {query, &chain, keep, ctx, addrs, max_addrs, &res};
    struct wbuf w = {out, outcap, 0, false};
    uint16_t kept = 0;
    put16(&w, query->id);
    put16(&w, flags);
    put16(&w, 1);
    put16(&w, 0); /* ANCOUNT, set below */
    put16(&w, 0);
    put16(&w, opt);
    put(&w, query->wire_name, query->wire_name_len);
    put16(&w, query->q.qtype);
    put16(&w, query->q.qclass);
    if ((r = emit_answers(resp, len, &lay, &e, &w, &kept)))
        return r;
    if (opt) {
        size_t at = begin_rr(&w, &root_name, 1, DNS_TYPE_OPT, query->edns_udp_size, lay.opt.ttl);
        put(&w, resp + lay.opt.rdata, lay.opt.rdlen);
        if ((r = end_rr(&w, at)))
            return r;
    }
    if (w.overflow)
        return DNS_E_NOSPACE;
    set16(out + H_AN, kept);
    res.len = w.len;
    res.truncated = flags & F_TC;
    res.rcode = (int)(opt ? ext_rcode << 4 : 0) | (flags & F_RCODE);
    *result = res;
    return 0;
}

int dns_truncate_for_udp(uint8_t *msg, size_t len, size_t limit)
{
    if (!msg || len > INT_MAX)
        return DNS_E_ARG;
    if (len <= limit)
        return (int)len;
    if (len < HDR_LEN)
        return DNS_E_SHORT;
    uint16_t qd = get16(msg + H_QD);
    if (qd > 1)
        return DNS_E_HEADER;
    size_t pos = HDR_LEN;
    int r;
    if (qd) {
        struct wname n;
        if ((r = read_name(msg, len, &pos, len, true, &n)))
            return r;
        if (len - pos < 4)
            return DNS_E_SHORT;
        pos += 4;
    }
    size_t qend = pos;
    uint16_t counts[3] = {get16(msg + H_AN), get16(msg + H_NS), get16(msg + H_AR)};
    struct rr opt = {0}, rr;
    bool has_opt = false;
    for (int s = 0; s < 3; s++) {
        for (unsigned i = 0; i < counts[s]; i++) {
            if ((r = read_rr(msg, len, &pos, true, true, &rr)))
                return r;
            if (rr.type != DNS_TYPE_OPT)
                continue;
            if (s != 2 || has_opt)
                return DNS_E_EDNS;
            opt = rr;
            has_opt = true;
        }
    }
    if (pos != len)
        return DNS_E_TRAILING;
    if (qend > limit)
        return DNS_E_NOSPACE;
    /* The OPT moves down right after the question, with a plain root owner
     * (it may have been a pointer). Source bytes all lie after qend. */
    size_t optlen = has_opt ? 1 + RR_FIXED + opt.rdlen : 0;
    bool keep_opt = has_opt && optlen <= limit - qend;
    if (keep_opt) {
        memmove(msg + qend + 1, msg + opt.rdata - RR_FIXED, RR_FIXED + opt.rdlen);
        msg[qend] = 0;
    }
    set16(msg + H_FLAGS, get16(msg + H_FLAGS) | F_TC);
    set16(msg + H_AN, 0);
    set16(msg + H_NS, 0);
    set16(msg + H_AR, keep_opt);
    return (int)(qend + (keep_opt ? optlen : 0));
}

const char *dns_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case DNS_E_SHORT: return "message ends inside a field";
    case DNS_E_TRAILING: return "bytes after the last record";
    case DNS_E_HEADER: return "header flags or section counts not allowed";
    case DNS_E_OPCODE: return "not a standard query";
    case DNS_E_LABEL: return "bad label type or name longer than 255 bytes";
    case DNS_E_POINTER: return "bad compression pointer";
    case DNS_E_NAME_CHARS: return "name has a byte outside letters, digits, '-' and '_'";
    case DNS_E_QTYPE: return "query type or class not forwarded";
    case DNS_E_EDNS: return "bad EDNS (OPT) record";
    case DNS_E_RDATA: return "record data inconsistent with its type";
    case DNS_E_ID: return "response ID does not match the query";
    case DNS_E_QUESTION: return "response question does not match the query";
    case DNS_E_NOSPACE: return "output buffer too small";
    case DNS_E_ARG: return "invalid argument";
    default: return "unknown DNS error";
    }
}

int dns_error_rcode(int err)
{
    switch (err) {
    case 0: return DNS_RCODE_NOERROR;
    case DNS_E_OPCODE: return DNS_RCODE_NOTIMP;
    case DNS_E_QTYPE: return DNS_RCODE_REFUSED;
    case DNS_E_NAME_CHARS: return DNS_RCODE_NXDOMAIN;
    default: return DNS_RCODE_FORMERR;
    }
}
