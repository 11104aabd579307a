#include "common/message.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"

static enum verbosity message_verbosity = VERBOSITY_NORMAL;

void message_set_verbosity(enum verbosity verbosity) { message_verbosity = verbosity; }

static const char *message_speaker;
void message_set_speaker(const char *speaker) { message_speaker = speaker; }

size_t message_prefix(char *buf, size_t len)
{
    int n = message_speaker && message_verbosity >= VERBOSITY_VERBOSE
                ? snprintf(buf, len, "clbox[%s]: ", message_speaker)
                : snprintf(buf, len, "clbox: ");
    return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* A terminal held raw while clbox relays the command's pty (or a pty the
 * command made raw) moves down on \n without going back to the margin. */
static bool stderr_is_raw_terminal(void)
{
    struct termios modes;
    return tcgetattr(STDERR_FILENO, &modes) == 0 && !(modes.c_oflag & OPOST);
}

static void vmessage(const char *fmt, va_list ap)
{
    /* One write per line, so lines from init and launcher never interleave. */
    char line[4096];
    int errnum = errno; /* for a %m in fmt */
    size_t n = message_prefix(line, sizeof line);
    errno = errnum;
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    size_t len = n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 3)
        len = sizeof line - 3;
    if (stderr_is_raw_terminal())
        line[len++] = '\r';
    line[len++] = '\n';
    (void)write_all(STDERR_FILENO, line, len);
}

void warnx_clbox(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void verbose(const char *fmt, ...)
{
    if (message_verbosity < VERBOSITY_VERBOSE)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void (*clbox_before_die)(void);

static void undo_before_dying(void)
{
    void (*undo)(void) = clbox_before_die;
    clbox_before_die = NULL;
    if (undo)
        undo();
}

_Noreturn void die(const char *fmt, ...)
{
    undo_before_dying();
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    _exit(EXIT_CLBOX_ERROR);
}

_Noreturn void die_errno(int errnum, const char *fmt, ...)
{
    undo_before_dying();
    va_list ap;
    va_start(ap, fmt);
    errno = errnum;
    vmessage(fmt, ap);
    va_end(ap);
    _exit(EXIT_CLBOX_ERROR);
}

_Noreturn void die_error(const struct error *e)
{
    die("%s", e->text);
}

_Noreturn void die_quietly(void)
{
    undo_before_dying();
    _exit(EXIT_CLBOX_ERROR);
}
