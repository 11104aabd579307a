#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A UTF-8 sequence cut by the end of the buffer is dropped whole, so what
 * is printed never ends in half a character. */
static void drop_cut_character(char *text, size_t len)
{
    size_t lead = len;
    while (lead > 0 && len - lead < 3 && ((unsigned char)text[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    unsigned char first = (unsigned char)text[lead - 1];
    size_t need = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        text[lead - 1] = '\0';
}

/* Formats at e->text + at, to the end of the buffer, with errno set to
 * e->errnum for %m; errno comes back unchanged. */
static void vformat_at(struct error *e, size_t at, const char *fmt, va_list ap)
{
    int saved = errno;
    errno = e->errnum;
    int n = vsnprintf(e->text + at, sizeof e->text - at, fmt, ap);
    errno = saved;
    if (n < 0)
        e->text[at] = '\0';
    else if ((size_t)n >= sizeof e->text - at)
        drop_cut_character(e->text, sizeof e->text - 1);
}

static void __attribute__((format(printf, 3, 4))) format_at(struct error *e, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat_at(e, at, fmt, ap);
    va_end(ap);
}

int error_set(struct error *e, const char *fmt, ...)
{
    e->errnum = 0;
    va_list ap;
    va_start(ap, fmt);
    vformat_at(e, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int error_errno(struct error *e, int errnum, const char *fmt, ...)
{
    e->errnum = errnum;
    va_list ap;
    va_start(ap, fmt);
    vformat_at(e, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int error_append(struct error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat_at(e, strnlen(e->text, sizeof e->text - 1), fmt, ap);
    va_end(ap);
    return -1;
}

int error_wrap(struct error *e, const char *fmt, ...)
{
    char old[sizeof e->text];
    memcpy(old, e->text, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    vformat_at(e, 0, fmt, ap);
    va_end(ap);
    format_at(e, strlen(e->text), ": %s", old);
    return -1;
}
