/* Small helpers shared by every part of clbox: allocation,
 * scope-bound cleanup of fds and allocations, growable string lists, paths,
 * printable names, whole-file reads and writes.  What clbox says and how it
 * exits is in common/message.h. */
#ifndef CLBOX_UTIL_H
#define CLBOX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Scope-bound cleanup: `autofree char *p = ...;` frees on every return path. */
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}
#define autofree __attribute__((cleanup(freep)))
#define autoclose __attribute__((cleanup(closep)))

/* Hand ownership out of an autoclose/autofree variable. */
static inline int steal_fd(int *fd)
{
    int v = *fd;
    *fd = -1;
    return v;
}
static inline void *steal_ptr(void *pp)
{
    void **p = pp;
    void *v = *p;
    *p = NULL;
    return v;
}

/* A NULL-terminated, growable array of owned strings. */
struct strv {
    char **items;
    size_t len;
    size_t cap;
};
void strv_push(struct strv *v, char *owned);
void strv_push_dup(struct strv *v, const char *s);
void strv_free(struct strv *v);

bool str_has_prefix(const char *s, const char *prefix);
/* Copies s into buf (len bytes, len >= 5) so that a terminal shows it as
 * text: every byte that could act as a control (C0, DEL, C1 whether raw or
 * UTF-8 encoded, bidirectional overrides and isolates, and any byte that is
 * not part of valid UTF-8) is written as \xHH, a backslash as \\.  A
 * name a sandbox chose goes through here before clbox prints it.  Cut at
 * a whole character when buf is too small.  Returns buf. */
const char *str_printable(const char *s, char *buf, size_t len);
/* True if `path` is `dir` or lies below it (both absolute, normalised). */
bool path_is_within(const char *path, const char *dir);

/* Write all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Write a whole small file (e.g. /proc/self/uid_map).  Returns 0 or -errno. */
int write_file_at(int dirfd, const char *path, const char *content);
/* Read a small file into a NUL-terminated buffer.  NULL with errno set. */
char *read_small_file(const char *path, size_t max_len);

#endif
