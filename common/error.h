/* An error on its way up: the errno at the failure and one line that says
 * what went wrong and what was being done.  A function that can fail takes
 * `struct error *err`, fills it and returns -1 (or NULL); its caller adds
 * context with error_wrap or reports it once, where the decision is made
 * (die_error in common/message.h, or warnx_clbox("%s", err.text)). */
#ifndef CLBOX_ERROR_H
#define CLBOX_ERROR_H

/* As long as the line clbox prints, so a message is never cut shorter on
 * its way up than it would be when told. */
#define ERROR_TEXT_MAX 4096

struct error {
    int errnum;                 /* errno at the failure; 0 when there was none */
    char text[ERROR_TEXT_MAX];  /* NUL-terminated, cut at a whole character */
};

/* A failure without an errno: sets errnum to 0, formats the text, returns -1. */
int error_set(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure with errno `errnum` (positive): the format's %m stands for its
 * strerror, wherever it goes ("cannot X: %m (do Y)").  Returns -1.  errno
 * is left as it was. */
int error_errno(struct error *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds to the end of the text (advice that fits only some callers); keeps
 * errnum.  Returns -1. */
int error_append(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts context before the text ("CONTEXT: old text"); keeps errnum.  The
 * format may carry %m for errnum.  Returns -1. */
int error_wrap(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
