/* A reader of git's config syntax, for the exit audit: a config the
 * sandbox wrote is hostile input, and a key hidden from the reader by
 * padding, spacing, case or a continuation line must still be found.  It
 * reads what git reads (sections, "subsections", key = value, quotes,
 * escapes, continuation lines, comments) and says where git itself would
 * refuse the file; it refuses too the two forms git reads but that name no
 * setting clbox could judge (a key before any section, a backslash at the
 * very end). */
#ifndef CLBOX_GITCONFIG_H
#define CLBOX_GITCONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* One setting, as git names it: "section.subsection.key" with the section
 * and the key in lower case and the subsection as written. */
struct gitconfig_entry {
    const char *name;
    const char *value; /* unquoted and unescaped; NULL for a key with no '=' */
    int line;
};

typedef void (*gitconfig_visit)(const struct gitconfig_entry *entry, void *ctx);

/* Calls visit for every setting of text (len bytes, NULs included).
 * Returns 0, or -1 with *bad_line set where git would refuse the file. */
int gitconfig_parse(const char *text, size_t len, gitconfig_visit visit, void *ctx, int *bad_line);

/* Does git run the value of this setting as a command, or read another
 * file of config through it (include.path)? */
bool gitconfig_runs_command(const char *name);

/* What a config holds that runs commands. */
enum { GITCONFIG_SHOWN_MAX = 4 };
struct gitconfig_findings {
    size_t n_commands;
    char shown[GITCONFIG_SHOWN_MAX][160]; /* the first names, printable */
    bool unreadable;                     /* git would refuse it: see bad_line */
    int bad_line;
};
void gitconfig_find_commands(const char *text, size_t len, struct gitconfig_findings *found);
/* "core.fsmonitor, alias.x and 3 more" into buf. */
const char *gitconfig_describe(const struct gitconfig_findings *found, char *buf, size_t len);

#endif
