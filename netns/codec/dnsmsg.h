/* DNS wire-format parsing and rebuilding for the DNS gate.
 *
 * The sandboxed program writes every byte of a query and an attacker may run
 * the authoritative server of an allowlisted domain, so both directions are
 * parsed strictly: every length is checked against the buffer, compression
 * pointers may only jump backwards, and anything unexpected is an error,
 * never a guess. Nothing here allocates, keeps state or does I/O: callers own
 * all buffers. */
#ifndef CLBOX_NETNS_DNSMSG_H
#define CLBOX_NETNS_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_NULL = 10,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_SVCB = 64,
    DNS_TYPE_HTTPS = 65,
    DNS_TYPE_ANY = 255,
    DNS_TYPE_CAA = 257,
};
enum { DNS_CLASS_IN = 1 };
enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

/* Every failure is one of these (negative); 0 is success. */
enum dns_error {
    DNS_E_SHORT = -1,      /* the message ends inside a field */
    DNS_E_TRAILING = -2,   /* bytes follow the last record */
    DNS_E_HEADER = -3,     /* flags or section counts not allowed here */
    DNS_E_OPCODE = -4,     /* not a standard QUERY */
    DNS_E_LABEL = -5,      /* reserved label type, or a name over 255 bytes */
    DNS_E_POINTER = -6,    /* compression pointer where none is allowed, or not strictly backwards */
    DNS_E_NAME_CHARS = -7, /* query name byte outside [A-Za-z0-9_-] */
    DNS_E_QTYPE = -8,      /* query type or class the gate does not forward */
    DNS_E_EDNS = -9,       /* malformed, misplaced or repeated OPT record, or EDNS version != 0 */
    DNS_E_RDATA = -10,     /* record data inconsistent with its type or length */
    DNS_E_ID = -11,        /* response ID differs from the query's */
    DNS_E_QUESTION = -12,  /* response question differs from the query's */
    DNS_E_NOSPACE = -13,   /* output buffer too small */
    DNS_E_ARG = -14,       /* invalid argument from the caller */
};
const char *dns_strerror(int err);
/* The RCODE the gate should answer a query with when dns_parse_query failed
 * with err: NOTIMP for other opcodes, REFUSED for types/classes it does not
 * forward, NXDOMAIN for names the allowlist could never match (they are
 * treated like any name not on the list), FORMERR otherwise. */
int dns_error_rcode(int err);

#define DNS_WIRE_NAME_MAX 255  /* wire form, length bytes and the root's 0 included */
#define DNS_NAME_MAX 254       /* text form incl. NUL, no trailing dot */
#define DNS_EDNS_UDP_SIZE 1232 /* what the gate advertises in its own answers */
#define DNS_MAX_CNAME_CHAIN 16 /* names followed from the question, itself included */

struct dns_question {
    char name[DNS_NAME_MAX]; /* lower-case, dotted, no trailing dot, "" for the root */
    uint16_t qtype, qclass;
};

struct dns_query_info {
    uint16_t id;
    uint16_t opcode;
    bool rd, cd;
    struct dns_question q;
    /* The name exactly as the client sent it (case kept, for clients that
     * randomise case and check the echo); responses repeat these bytes. */
    uint8_t wire_name[DNS_WIRE_NAME_MAX];
    size_t wire_name_len;
    bool has_edns;
    bool edns_do;           /* DNSSEC OK bit, echoed in the gate's own answers */
    uint16_t edns_udp_size; /* as advertised, raised to 512 if lower (RFC 6891) */
};

/* Parses a query from the sandbox. Strict: QR=0, OPCODE=QUERY, TC=0,
 * RCODE=0, QDCOUNT=1, ANCOUNT=NSCOUNT=0, ARCOUNT<=1 and that record an OPT
 * with root owner, EDNS version 0 and well-formed options; the name
 * uncompressed, labels 1..63 bytes, wire length <= 255; class IN; not a
 * zone-transfer or other meta type (ANY is allowed); no trailing bytes.
 * Label bytes must be in [A-Za-z0-9_-]: the allowlist matches text, and a
 * dot, NUL, space or binary byte inside a label could make two different
 * names look alike in text, so such names are refused outright. The text
 * name is lower-cased. Returns 0, or a negative enum dns_error; out is only
 * meaningful on success. */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query_info *out);

/* Whether the gate forwards a query of this type for an allowlisted name:
 * A and AAAA (what getaddrinfo asks, in glibc and musl alike), CNAME, and
 * SVCB and HTTPS (RFC 9460: browsers, and curl built with HTTPS records).
 * Every other type is answered REFUSED: TXT, NULL, MX, ANY and the like
 * carry free-form data, the channel of a DNS tunnel under an allowlisted
 * zone's wildcard, and no client the sandbox runs needs them. */
bool dns_qtype_forwarded(uint16_t qtype);
/* "A", "TXT", ... for the common types, NULL for the others. */
const char *dns_type_name(uint16_t qtype);

/* Builds the gate's own answer to a query: same ID and opcode, QR=1, RA=1,
 * RD and CD copied, the given RCODE (0..15), no records. If the query's
 * header, question and OPT record are well-formed the question is repeated
 * and, if the query had EDNS, an OPT record (UDP size 1232, no options, DO
 * copied) is added; otherwise the answer is a bare header (for FORMERR).
 * Refuses (DNS_E_HEADER) to answer a message with QR=1, so two gates can
 * never bounce answers at each other, and anything under 12 bytes.
 * Returns the length written to out or a negative enum dns_error. */
int dns_build_error(const uint8_t *query, size_t qlen, int rcode, uint8_t *out, size_t outcap);

struct dns_addr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint32_t ttl;
};
/* Returns true to keep the address (family AF_INET: 4 bytes, AF_INET6: 16). */
typedef bool (*dns_keep_addr_fn)(int family, const uint8_t *addr, void *ctx);

struct dns_filter_result {
    size_t len;       /* bytes written to out */
    size_t n_addrs;   /* entries filled in addrs */
    size_t n_refused; /* addresses keep() refused */
    size_t n_dropped; /* answer records left out for any reason, n_refused included */
    bool truncated;   /* upstream set TC */
    int rcode;        /* including the extended bits from OPT */
};

/* Rebuilds an upstream response to `query` into a fresh message in out.
 *
 * Checked: QR=1, same ID, OPCODE=QUERY, one question equal to the query's
 * (name compared case-insensitively); every name (pointers only strictly
 * backwards, at most 127 jumps), record and rdata length; at most one OPT,
 * only in the additional section; no trailing bytes. Any inconsistency is
 * an error and the gate should answer SERVFAIL.
 *
 * Written: the response's flags and RCODE with the query's ID and exact
 * question bytes; from the answer section only records of the question's
 * class whose owner is the question name or a CNAME target reachable from it
 * (at most DNS_MAX_CNAME_CHAIN names): CNAMEs; A (for A/ANY queries) and
 * AAAA (for AAAA/ANY) only if keep() returns true (NULL keeps all) and there
 * is room in addrs, where each kept address goes with its TTL (duplicates
 * merged, longest TTL); records of the query's type. Names inside rdata of
 * types that may carry compressed names (NS, CNAME, SOA, PTR, MX, SRV, ...)
 * are written uncompressed; SIG, NXT and A6 are dropped since their names
 * cannot be rewritten safely; other types are copied verbatim (RFC 3597
 * forbids compression in them). Authority and additional sections are
 * dropped except the OPT record, which is kept (UDP size set to the
 * client's) only if the client used EDNS. TTLs with the top bit set are
 * written as 0 (RFC 2181).
 *
 * Returns 0 and fills result, or a negative enum dns_error (result then
 * zeroed; addrs may hold partial entries and must be ignored). */
int dns_filter_response(const uint8_t *resp, size_t len, const struct dns_query_info *query, dns_keep_addr_fn keep,
                        void *ctx, uint8_t *out, size_t outcap, struct dns_addr *addrs, size_t max_addrs,
                        struct dns_filter_result *result);

/* If len > limit, rewrites msg in place into its header and question plus
 * its OPT record (if any, and if it fits) with TC=1 and no other records, as
 * a UDP answer the client will retry over TCP. Returns the new length (len
 * itself when it already fits) or a negative enum dns_error. */
int dns_truncate_for_udp(uint8_t *msg, size_t len, size_t limit);

#endif
