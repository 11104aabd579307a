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

/* Formats into e->text with errno set to errnum for %m; errno comes back
 * unchanged. */
static void format_text(struct error *e, int errnum, const char *fmt, va_list ap)
{
    int saved = errno;
    errno = errnum;
    int n = vsnprintf(e->text, sizeof e->text, fmt, ap);
    errno = saved;
    if (n < 0)
        e->text[0] = '\0';
    else if ((size_t)n >= sizeof e->text)
        drop_cut_character(e->text, sizeof e->text - 1);
}

int error_set(struct error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_text(e, 0, fmt, ap);
    va_end(ap);
    e->errnum = 0;
    return -1;
}

int error_errno(struct error *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_text(e, errnum, fmt, ap);
    va_end(ap);
    e->errnum = errnum;
    return -1;
}

int error_append(struct error *e, const char *fmt, ...)
{
    size_t len = strnlen(e->text, sizeof e->text - 1);
    int saved = errno;
    errno = e->errnum;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->text + len, sizeof e->text - len, fmt, ap);
    va_end(ap);
    errno = saved;
    if (n >= 0 && (size_t)n >= sizeof e->text - len)
        drop_cut_character(e->text, sizeof e->text - 1);
    return -1;
}

int error_wrap(struct error *e, const char *fmt, ...)
{
    char old[sizeof e->text];
    memcpy(old, e->text, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    format_text(e, e->errnum, fmt, ap);
    va_end(ap);
    size_t len = strlen(e->text);
    int n = snprintf(e->text + len, sizeof e->text - len, ": %s", old);
    if (n >= 0 && (size_t)n >= sizeof e->text - len)
        drop_cut_character(e->text, sizeof e->text - 1);
    return -1;
}
