/* Address classes for the DNS gate's rebinding defence (see addrclass.h). */
#include "netns/codec/addrclass.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

struct range4 {
    uint32_t net;
    unsigned len;
    enum addr_class c;
};

/* First match wins, so the narrower ranges inside wider ones come first.
 * 192.0.0.0/24 (IETF protocol assignments: DS-Lite, NAT64 discovery, ...)
 * and 198.18.0.0/15 (benchmarking) are never global destinations worth
 * reaching by name: reserved. Note that "fake-IP" proxies (Clash, Surge)
 * answer from 198.18/15, so the gate refuses them unless the user allows
 * that prefix explicitly. */
static const struct range4 ranges4[] = {
    {0xffffffff, 32, ADDR_BROADCAST},    /* inside 240/4 */
    {0x0a000200, 24, ADDR_SLIRP},        /* inside 10/8 */
    {0x00000000, 8, ADDR_UNSPECIFIED},   /* "this network" */
    {0x7f000000, 8, ADDR_LOOPBACK},
    {0xa9fe0000, 16, ADDR_LINK_LOCAL},   /* 169.254.169.254 is the cloud metadata service */
    {0xe0000000, 4, ADDR_MULTICAST},
    {0xf0000000, 4, ADDR_RESERVED},
    {0x0a000000, 8, ADDR_PRIVATE},
    {0xac100000, 12, ADDR_PRIVATE},
    {0xc0a80000, 16, ADDR_PRIVATE},
    {0x64400000, 10, ADDR_SHARED_CGNAT},
    {0xc0000000, 24, ADDR_RESERVED},
    {0xc6120000, 15, ADDR_RESERVED},
};

static enum addr_class classify4(const uint8_t *a)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    for (size_t i = 0; i < sizeof ranges4 / sizeof ranges4[0]; i++) {
        uint32_t mask = ranges4[i].len ? UINT32_MAX << (32 - ranges4[i].len) : 0;
        if ((v & mask) == ranges4[i].net)
            return ranges4[i].c;
    }
    return ADDR_PUBLIC;
}

struct range6 {
    uint8_t prefix[16];
    unsigned len;
    enum addr_class c;
};

/* Checked after the IPv4-carrying ranges, first match wins. */
static const struct range6 ranges6[] = {
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, ADDR_PRIVATE}, /* local-use NAT64 (RFC 8215): site-specific */
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, ADDR_RESERVED}, /* benchmarking, like 198.18/15 */
    {{0xfc}, 7, ADDR_PRIVATE},                          /* unique local; AWS metadata fd00:ec2::254 is here */
    {{0xfe, 0x80}, 10, ADDR_LINK_LOCAL},
    {{0xfe, 0xc0}, 10, ADDR_RESERVED}, /* deprecated site-local */
    {{0xff}, 8, ADDR_MULTICAST},
    {{0x20}, 3, ADDR_PUBLIC}, /* global unicast: everything else is reserved */
};

/* The IPv4 address inside an IPv6 one the host may route to, or NULL. */
static const uint8_t *embedded4(const uint8_t *a, uint8_t *buf)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t siit[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
    static const uint8_t compat[12] = {0};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    if (!memcmp(a, mapped, 12) || !memcmp(a, siit, 12) || !memcmp(a, compat, 12) || !memcmp(a, nat64, 12))
        return a + 12;
    if (a[0] == 0x20 && a[1] == 0x02) /* 6to4: 2002:V4ADDR::/48 */
        return a + 2;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) { /* Teredo: client address inverted */
        for (int i = 0; i < 4; i++)
            buf[i] = (uint8_t)~a[12 + i];
        return buf;
    }
    return NULL;
}

static enum addr_class classify6(const uint8_t *a)
{
    static const uint8_t zero[15] = {0};
    if (!memcmp(a, zero, 15) && a[15] <= 1)
        return a[15] ? ADDR_LOOPBACK : ADDR_UNSPECIFIED;
    uint8_t buf[4];
    const uint8_t *v4 = embedded4(a, buf);
    if (v4) {
        enum addr_class c = classify4(v4);
        /* Teredo also names its server: both must be public. */
        if (c == ADDR_PUBLIC && v4 == buf)
            c = classify4(a + 4);
        return c;
    }
    for (size_t i = 0; i < sizeof ranges6 / sizeof ranges6[0]; i++)
        if (addr_in_prefix(AF_INET6, a, ranges6[i].prefix, ranges6[i].len))
            return ranges6[i].c;
    return ADDR_RESERVED;
}

enum addr_class addr_classify(int family, const uint8_t *addr)
{
    if (family == AF_INET)
        return classify4(addr);
    if (family == AF_INET6)
        return classify6(addr);
    return ADDR_RESERVED;
}

const char *addr_class_name(enum addr_class c)
{
    switch (c) {
    case ADDR_PUBLIC: return "public";
    case ADDR_UNSPECIFIED: return "unspecified (this host)";
    case ADDR_LOOPBACK: return "loopback (this machine)";
    case ADDR_LINK_LOCAL: return "link-local (cloud metadata lives here)";
    case ADDR_MULTICAST: return "multicast";
    case ADDR_BROADCAST: return "broadcast";
    case ADDR_PRIVATE: return "private network (LAN)";
    case ADDR_SHARED_CGNAT: return "shared address space (carrier-grade NAT)";
    case ADDR_RESERVED: return "reserved (not globally routed)";
    case ADDR_SLIRP: return "slirp4netns network (10.0.2.2 is the host)";
    }
    return "unknown";
}

bool addr_in_prefix(int family, const uint8_t *addr, const uint8_t *prefix, unsigned prefix_len)
{
    unsigned bits = family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
    if (!bits || prefix_len > bits)
        return false;
    unsigned full = prefix_len / 8, rest = prefix_len % 8;
    if (memcmp(addr, prefix, full) != 0)
        return false;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return !rest || ((addr[full] ^ prefix[full]) & mask) == 0;
}

/* Decimal, no sign, no leading zeros, at most max. */
static int parse_len(const char *s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    if (!*s || (s[0] == '0' && s[1]))
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (unsigned)(*s - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

int addr_parse_cidr(const char *text, int *family, uint8_t out[16], unsigned *prefix_len)
{
    if (!text || !family || !out || !prefix_len)
        return -1;
    char buf[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof buf)
        return -1;
    memcpy(buf, text, alen);
    buf[alen] = '\0';
    uint8_t a[16] = {0};
    int fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(fam, buf, a) != 1)
        return -1;
    unsigned bits = fam == AF_INET ? 32 : 128, len = bits;
    if (slash && parse_len(slash + 1, bits, &len))
        return -1;
    for (unsigned i = 0; i < 16; i++) {
        if (i * 8 >= len)
            a[i] = 0;
        else if (len - i * 8 < 8)
            a[i] &= (uint8_t)(0xff << (8 - (len - i * 8)));
    }
    memcpy(out, a, 16);
    *family = fam;
    *prefix_len = len;
    return 0;
}
