/* Profiles: files of directives that set run options (see
 * clbox-profile(5)), found by name in the user's, the system's and the
 * shipped profile directories, or built into clbox. */
#ifndef CLBOX_PROFILE_H
#define CLBOX_PROFILE_H

#include <stdio.h>

#include "common/error.h"
#include "options/cli.h"

#define PROFILE_DEFAULT "claude"

struct profile_context {
    char **environ;   /* for ${VAR} */
    const char *home; /* for ~ */
    FILE *trace;      /* if set, each applied directive is printed with its FILE:LINE */
};

/* Applies profile NAME (or a PATH, if it contains '/') to opts.  Returns 0,
 * or -1 with "FILE:LINE: what is wrong" (or where it looked) in err. */
int profile_apply(struct options *opts, const char *name, const struct profile_context *ctx, struct error *err);
/* Applies a profile's text directly; `origin` names it in messages. */
int profile_apply_text(struct options *opts, const char *origin, const char *text, const struct profile_context *ctx,
                       struct error *err);
/* Applies the user's config file, if there is one; its "profile NAME"
 * lines add to opts->profiles. */
int profile_apply_user_config(struct options *opts, const struct profile_context *ctx, struct error *err);
/* Applies, in order: the user's config file, the profiles named there and
 * on the command line (or the default one), and then the command line
 * itself, which wins. */
int profile_build_options(int argc, char **argv, const struct profile_context *ctx, struct options *opts,
                          struct error *err);

/* Calls `each` for every profile a name finds (the first of each name in
 * lookup order), with the error that applying it gives, or NULL. */
void profile_check_all(const struct profile_context *ctx,
                       void (*each)(const char *name, const char *origin, const char *error, void *opaque),
                       void *opaque);
/* clbox profile list: name, where it was found, summary. */
int profile_list(FILE *out, const struct profile_context *ctx);
/* clbox profile show NAME: every directive it applies, fully expanded,
 * with the FILE:LINE it came from. */
int profile_show(FILE *out, const char *name, const struct profile_context *ctx, struct error *err);

/* The expansion of one value, for tests: ${VAR}, ${VAR:-default}, $$ and a
 * leading ~.  Returns a new string, or NULL with the reason in err. */
char *profile_expand(const char *value, const struct profile_context *ctx, struct error *err);

#endif
