#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "common/message.h"

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *out;
    va_start(ap, fmt);
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("out of memory");
    return out;
}

void strv_push(struct strv *v, char *owned)
{
    if (v->len + 2 > v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->len++] = owned;
    v->items[v->len] = NULL;
}

void strv_push_dup(struct strv *v, const char *s) { strv_push(v, xstrdup(s)); }

void strv_free(struct strv *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(v->items[i]);
    free(v->items);
    *v = (struct strv){0};
}

/* The length of the valid UTF-8 sequence at s (1 to 4), with its code
 * point, or 0 for a byte that does not start one (overlong forms,
 * surrogates and code points past U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    static const unsigned min_of[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0)
        return 0;
    unsigned c = n == 1 ? s[0] : s[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3fu);
    }
    if (c < min_of[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Code points that steer a terminal or the order of the text around them. */
static bool is_control_point(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

const char *str_printable(const char *s, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t out = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = 0;
        size_t n = utf8_decode(p, &cp);
        bool escape = n == 0 || is_control_point(cp);
        size_t bytes = n == 0 ? 1 : n;
        size_t need = escape ? 4 * bytes : *p == '\\' ? 2 : bytes;
        if (out + need >= len)
            break;
        for (size_t i = 0; escape && i < bytes; i++) {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[p[i] >> 4];
            buf[out++] = hex[p[i] & 0xf];
        }
        if (!escape && *p == '\\')
            buf[out++] = '\\';
        if (!escape) {
            memcpy(buf + out, p, bytes);
            out += bytes;
        }
        p += bytes;
    }
    buf[out] = '\0';
    return buf;
}

bool str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool path_is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int write_file_at(int dirfd, const char *path, const char *content)
{
    autoclose int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    return write_all(fd, content, strlen(content));
}

char *read_small_file(const char *path, size_t max_len)
{
    autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    char *buf = xmalloc(max_len + 1);
    size_t used = 0;
    while (used < max_len) {
        ssize_t n = read(fd, buf + used, max_len - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free(buf);
            errno = saved;
            return NULL;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    return buf;
}
