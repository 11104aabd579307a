/* Which allowlisted names resolved to which addresses in this session: the
 * DNS gate adds (name, address, ttl) for each answer it lets through, and
 * the TCP egress relay asks which names an address belongs to and whether
 * a name resolved to it.  Pure logic: the caller passes the time (seconds
 * of a monotonic clock), nothing here reads a clock.
 *
 * Memory is bounded: a table holds at most the cap it was made with.  At
 * the cap, entries past their time are dropped first; if none is, the new
 * entry is refused (resolved_add returns -1) and the relay refuses
 * connections to that address, as to any address no allowlisted name
 * resolved to.  Nothing already granted is ever evicted early, and nothing
 * is allowed that was not added.
 *
 * The gate and the relay are separate processes: resolved_wire_encode and
 * resolved_wire_decode carry one entry in one datagram.  The decoder reads
 * bytes from the gate, a process that parses what the network sends: it
 * takes only the one canonical form (the encoder's) and refuses the rest. */
#ifndef CLBOX_NETNS_RESOLVED_H
#define CLBOX_NETNS_RESOLVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netns/codec/allowlist.h"

/* The cap a session's table is made with: a day of a busy session's
 * lookups (each name has a few addresses), about 1.1 MB. */
#define RESOLVED_CAP_DEFAULT 4096
/* A longer TTL is cut to this (a day): an entry is looked at again daily. */
#define RESOLVED_TTL_MAX 86400u

struct resolved_entry {
    char name[ALLOW_NAME_MAX]; /* as allow_name_normalize gives it */
    int family;                /* AF_INET or AF_INET6 */
    uint8_t addr[16];          /* network order; bytes past the address zero */
    uint64_t expires;          /* the entry holds while now < expires */
};

struct resolved_table {
    struct resolved_entry *items;
    size_t n;
    size_t cap;
};

/* An empty table holding at most cap entries. */
void resolved_init(struct resolved_table *t, size_t cap);
void resolved_free(struct resolved_table *t);

/* Records that name resolved to addr at `now` for ttl seconds (the caller
 * applies its floor).  Renewing an entry keeps the later expiry.  Returns 0,
 * or -1 (nothing added) if name is not a DNS name, the family is unknown or
 * the table is full of live entries. */
int resolved_add(struct resolved_table *t, const char *name, int family, const uint8_t *addr, uint32_t ttl,
                 uint64_t now);
/* Drops the entries whose time is over. */
void resolved_expire(struct resolved_table *t, uint64_t now);

/* Whether name (normalised) resolved to addr and the entry still holds. */
bool resolved_has(const struct resolved_table *t, const char *name, int family, const uint8_t *addr,
                  uint64_t now);
/* The names whose live entries hold addr, oldest entry first: up to max of
 * them into names (pointers into the table, valid until it changes).
 * Returns how many there are in all. */
size_t resolved_names_for(const struct resolved_table *t, int family, const uint8_t *addr, uint64_t now,
                          const char **names, size_t max);

/* The wire form of one entry: version 1, family (4 or 6), the address (4 or
 * 16 bytes), the TTL (4 bytes, big-endian), the name's length (1 byte) and
 * the name (lower case, no trailing dot, no NUL). */
#define RESOLVED_WIRE_VERSION 1
#define RESOLVED_WIRE_MAX (1 + 1 + 16 + 4 + 1 + 253)

struct resolved_wire {
    char name[ALLOW_NAME_MAX];
    int family;
    uint8_t addr[16];
    uint32_t ttl;
};

/* Writes the wire form into out (at least RESOLVED_WIRE_MAX bytes); returns
 * its length, or -1 if the entry is not one resolved_add would take. */
int resolved_wire_encode(const struct resolved_wire *entry, uint8_t *out, size_t outlen);
/* Reads one entry that fills exactly len bytes.  Returns 0, or -1 with a
 * reason. */
int resolved_wire_decode(const uint8_t *buf, size_t len, struct resolved_wire *entry, struct error *err);

#endif
