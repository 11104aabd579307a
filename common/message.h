/* What clbox says and how it ends: its messages on stderr, the verbosity
 * that governs them, its own exit codes, and dying without running the
 * command.  The same in the launcher, the sandbox's init and the DNS gate. */
#ifndef CLBOX_MESSAGE_H
#define CLBOX_MESSAGE_H

#include <stddef.h>

/* Exit codes: the command's own status passes through unchanged; these are
 * the ones clbox itself produces (same convention as env(1) and bwrap). */
enum {
    EXIT_CLBOX_ERROR = 125,    /* clbox could not build the sandbox */
    EXIT_NOT_EXECUTABLE = 126, /* the command exists but cannot be executed */
    EXIT_NOT_FOUND = 127,      /* the command does not exist inside */
};

/* The verbosity is the plan's (struct plan); the message helpers keep a
 * copy of their own, set once per process: by the launcher once its
 * options are known (planning speaks too), by the sandbox's init from the
 * plan it is given. */
enum verbosity { VERBOSITY_QUIET = -1, VERBOSITY_NORMAL = 0, VERBOSITY_VERBOSE = 1 };
void message_set_verbosity(enum verbosity verbosity);
/* Which of clbox's processes this is, for -v: with it, the lines of the
 * sandbox's init and of the DNS gate start "clbox[init]: " and
 * "clbox[gate]: ", so a verbose trace says who spoke.  Without -v every line
 * starts "clbox: ", whoever speaks: to the user clbox is one program.
 * NULL (the default): the launcher. */
void message_set_speaker(const char *speaker);
/* Writes the prefix of this process's lines ("clbox: ", or "clbox[init]: "
 * with -v) into buf; returns its length (less than len; buf holds at least
 * the terminating NUL). */
size_t message_prefix(char *buf, size_t len);

/* "clbox: <message>" on stderr. */
void warnx_clbox(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with -v. */
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "clbox: <message>" and exit 125.  Use for every failure that means
 * the sandbox cannot be built as asked: clbox never runs the command with
 * less isolation than planned. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As die(), with %m in the format standing for strerror(errnum). */
_Noreturn void die_errno(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As die(), telling an error that came up (common/error.h). */
struct error;
_Noreturn void die_error(const struct error *e);
/* Exits as die() does, for a failure that has been told already. */
_Noreturn void die_quietly(void);
/* Called once by die() before its message: what must be undone on every
 * way out (the user's terminal modes, see pty_relay.c).  NULL: nothing. */
extern void (*clbox_before_die)(void);

#endif
