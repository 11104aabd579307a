/* The table of names and the addresses they resolved to (resolved.h).  A
 * flat array searched in full: a few thousand entries, looked up once per
 * connection the sandbox opens. */
#include "netns/codec/resolved.h"

#include <string.h>
#include <sys/socket.h>

#include "common/util.h"

static size_t addr_len(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static bool same_addr(const struct resolved_entry *e, int family, const uint8_t *addr)
{
    return e->family == family && memcmp(e->addr, addr, addr_len(family)) == 0;
}

void resolved_init(struct resolved_table *t, size_t cap)
{
    t->items = xcalloc(cap ? cap : 1, sizeof *t->items);
    t->n = 0;
    t->cap = cap;
}

void resolved_free(struct resolved_table *t)
{
    free(t->items);
    *t = (struct resolved_table){0};
}

void resolved_expire(struct resolved_table *t, uint64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->n; i++)
        if (now < t->items[i].expires)
            t->items[kept++] = t->items[i];
    t->n = kept;
}

static struct resolved_entry *find(const struct resolved_table *t, const char *name, int family, const uint8_t *addr)
{
    for (size_t i = 0; i < t->n; i++)
        if (same_addr(&t->items[i], family, addr) && strcmp(t->items[i].name, name) == 0)
            return &t->items[i];
    return NULL;
}

int resolved_add(struct resolved_table *t, const char *name, int family, const uint8_t *addr, uint32_t ttl,
                 uint64_t now)
{
    char norm[ALLOW_NAME_MAX];
    if (!addr_len(family) || !allow_name_normalize(name, norm, sizeof norm))
        return -1;
    uint64_t expires = now + (ttl < RESOLVED_TTL_MAX ? ttl : RESOLVED_TTL_MAX);
    struct resolved_entry *e = find(t, norm, family, addr);
    if (e) {
        if (expires > e->expires)
            e->expires = expires;
        return 0;
    }
    if (t->n == t->cap)
        resolved_expire(t, now);
    if (t->n == t->cap)
        return -1;
    e = &t->items[t->n++];
    memset(e, 0, sizeof *e);
    memcpy(e->name, norm, strlen(norm) + 1);
    e->family = family;
    memcpy(e->addr, addr, addr_len(family));
    e->expires = expires;
    return 0;
}

bool resolved_has(const struct resolved_table *t, const char *name, int family, const uint8_t *addr, uint64_t now)
{
    const struct resolved_entry *e = addr_len(family) ? find(t, name, family, addr) : NULL;
    return e && now < e->expires;
}

size_t resolved_names_for(const struct resolved_table *t, int family, const uint8_t *addr, uint64_t now,
                          const char **names, size_t max)
{
    size_t count = 0;
    if (!addr_len(family))
        return 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct resolved_entry *e = &t->items[i];
        if (now >= e->expires || !same_addr(e, family, addr))
            continue;
        if (count < max)
            names[count] = e->name;
        count++;
    }
    return count;
}

int resolved_wire_encode(const struct resolved_wire *entry, uint8_t *out, size_t outlen)
{
    char norm[ALLOW_NAME_MAX];
    size_t alen = addr_len(entry->family);
    if (!alen || !allow_name_normalize(entry->name, norm, sizeof norm) || strcmp(norm, entry->name) != 0)
        return -1;
    size_t name_len = strlen(norm), len = 2 + alen + 4 + 1 + name_len;
    if (outlen < len)
        return -1;
    uint8_t *p = out;
    *p++ = RESOLVED_WIRE_VERSION;
    *p++ = entry->family == AF_INET ? 4 : 6;
    memcpy(p, entry->addr, alen);
    p += alen;
    for (int shift = 24; shift >= 0; shift -= 8)
        *p++ = (uint8_t)(entry->ttl >> shift);
    *p++ = (uint8_t)name_len;
    for (size_t i = 0; i < name_len; i++) /* the wire form holds no NUL */
        p[i] = (uint8_t)norm[i];
    return (int)len;
}

int resolved_wire_decode(const uint8_t *buf, size_t len, struct resolved_wire *entry, struct error *err)
{
    *entry = (struct resolved_wire){0};
    if (len < 2)
        return error_set(err, "a resolved-address record of %zu bytes is too short", len);
    if (buf[0] != RESOLVED_WIRE_VERSION)
        return error_set(err, "a resolved-address record of version %u, not %u", buf[0],
                         RESOLVED_WIRE_VERSION);
    if (buf[1] != 4 && buf[1] != 6)
        return error_set(err, "a resolved-address record of address family %u, not 4 or 6", buf[1]);
    entry->family = buf[1] == 4 ? AF_INET : AF_INET6;
    size_t alen = addr_len(entry->family);
    if (len < 2 + alen + 4 + 1)
        return error_set(err, "a resolved-address record of %zu bytes is too short", len);
    const uint8_t *p = buf + 2;
    memcpy(entry->addr, p, alen);
    p += alen;
    entry->ttl = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    p += 4;
    size_t name_len = *p++;
    if (name_len == 0 || name_len >= sizeof entry->name || name_len != len - (size_t)(p - buf))
        return error_set(err, "a resolved-address record whose name does not fill it");
    memcpy(entry->name, p, name_len);
    entry->name[name_len] = '\0';
    char norm[ALLOW_NAME_MAX];
    if (memchr(p, '\0', name_len) || !allow_name_normalize(entry->name, norm, sizeof norm) ||
        strcmp(norm, entry->name) != 0)
        return error_set(err, "a resolved-address record whose name is not a normalised DNS name");
    return 0;
}
