#include "options/profile.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/util.h"
#include "options/profiles_builtin.h"

enum { MAX_INCLUDE_DEPTH = 8, MAX_PROFILE_SIZE = 256 * 1024 };

/* Where a profile's text came from, for messages and `profile list`. */
struct source {
    char *origin; /* a path, or "built in" */
    char *text;
};

/* The chain of profiles being applied, for cycle detection. */
struct stack {
    const char *origins[MAX_INCLUDE_DEPTH + 1];
    int depth;
};

static const char *env_get(const struct profile_context *ctx, const char *name, size_t len)
{
    for (char **e = ctx->environ; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

/* The directories searched, in order; entries may be NULL. */
static void search_dirs(const struct profile_context *ctx, char *dirs[3])
{
    const char *xdg = env_get(ctx, "XDG_CONFIG_HOME", strlen("XDG_CONFIG_HOME"));
    dirs[0] = xdg && xdg[0] == '/' ? xasprintf("%s/clbox/profiles", xdg)
                                   : xasprintf("%s/.config/clbox/profiles", ctx->home);
    dirs[1] = xstrdup(CLBOX_SYSCONF_PROFILES);
    dirs[2] = xstrdup(CLBOX_DATA_PROFILES);
}

static void free_dirs(char *dirs[3])
{
    for (int i = 0; i < 3; i++)
        free(dirs[i]);
}

static bool valid_name(const char *name)
{
    if (!*name || name[0] == '.' || strlen(name) > 64)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == strlen(name);
}

static const char *builtin_text(const char *name)
{
    for (size_t i = 0; i < n_builtin_profiles; i++)
        if (strcmp(builtin_profiles[i].name, name) == 0)
            return builtin_profiles[i].text;
    return NULL;
}

static int read_source(const char *path, struct source *src, struct error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return error_set(err, "%s is not a regular file; not a profile", path);
    if (stat(path, &st) == 0 && st.st_size > MAX_PROFILE_SIZE)
        return error_set(err, "%s: larger than %d bytes; not a profile", path, MAX_PROFILE_SIZE);
    src->text = read_small_file(path, MAX_PROFILE_SIZE);
    if (!src->text)
        return error_errno(err, errno, "cannot read the profile %s: %m", path);
    src->origin = xstrdup(path);
    return 0;
}

/* Finds NAME (or reads PATH: a relative one from base_dir, the including
 * profile's directory, or the current one).  An unknown name lists where
 * it looked. */
static int find_profile(const char *name, const char *base_dir, const struct profile_context *ctx,
                        struct source *src, struct error *err)
{
    *src = (struct source){0};
    if (strchr(name, '/')) {
        autofree char *path = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", base_dir ? base_dir : ".", name);
        return read_source(path, src, err);
    }
    if (!valid_name(name))
        return error_set(err, "'%s' is not a profile name (letters, digits, '.', '_', '-')", name);
    char *dirs[3];
    search_dirs(ctx, dirs);
    int rc = -1;
    for (int i = 0; i < 3 && rc < 0; i++) {
        autofree char *path = xasprintf("%s/%s", dirs[i], name);
        if (access(path, F_OK) == 0)
            rc = read_source(path, src, err) < 0 ? -2 : 0;
    }
    if (rc == -1 && builtin_text(name)) {
        src->origin = xasprintf("(built in) %s", name);
        src->text = xstrdup(builtin_text(name));
        rc = 0;
    }
    if (rc == -1)
        error_set(err, "no profile named '%s' (looked in %s, %s, %s, and among the built-in ones: see "
                  "clbox profile list)", name, dirs[0], dirs[1], dirs[2]);
    free_dirs(dirs);
    return rc < 0 ? -1 : 0;
}

static bool is_var_char(char c, bool first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* Appends the expansion of "${...}" starting at *p; advances *p past '}'. */
static int expand_variable(const char **p, const struct profile_context *ctx, struct strv *out, struct error *err)
{
    const char *start = *p + 2;
    const char *close = strchr(start, '}');
    if (!close)
        return error_set(err, "unterminated ${ (write $$ for a dollar sign)");
    size_t len = 0;
    while (start + len < close && is_var_char(start[len], len == 0))
        len++;
    bool has_default = start[len] == ':' && start[len + 1] == '-';
    if (len == 0 || (start + len != close && !has_default))
        return error_set(err, "'%.*s' is not ${NAME} or ${NAME:-default}", (int)(close - *p + 1), *p);
    const char *value = env_get(ctx, start, len);
    if (!value && !has_default)
        return error_set(err, "${%.*s} is not set (set it, or write ${%.*s:-default})", (int)len, start,
                         (int)len, start);
    bool use_default = has_default && (!value || !*value); /* as in the shell: unset or empty */
    strv_push(out, use_default ? strndup(start + len + 2, (size_t)(close - (start + len + 2))) : xstrdup(value));
    *p = close + 1;
    return 0;
}

char *profile_expand(const char *value, const struct profile_context *ctx, struct error *err)
{
    struct strv parts = {0};
    const char *p = value;
    if (p[0] == '~' && (p[1] == '\0' || p[1] == '/')) {
        strv_push_dup(&parts, ctx->home);
        p++;
    }
    while (*p) {
        if (p[0] == '$' && p[1] == '$') {
            strv_push_dup(&parts, "$");
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            if (expand_variable(&p, ctx, &parts, err) < 0) {
                strv_free(&parts);
                return NULL;
            }
        } else if (p[0] == '$') {
            strv_free(&parts);
            error_set(err, "a lone '$' (write ${NAME} for a variable, $$ for a dollar sign)");
            return NULL;
        } else {
            size_t n = strcspn(p, "$");
            strv_push(&parts, strndup(p, n));
            p += n;
        }
    }
    size_t total = 1;
    for (size_t i = 0; i < parts.len; i++)
        total += strlen(parts.items[i]);
    char *out = xcalloc(1, total);
    for (size_t i = 0; i < parts.len; i++)
        strcat(out, parts.items[i]);
    strv_free(&parts);
    return out;
}

/* Directives whose value is a path: absolute once expanded, so that a
 * profile means the same wherever clbox is started. */
static bool takes_path(const char *directive)
{
    static const char *const names[] = {"ro", "rw", "hide", "tmpfs", "config-dir"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(directive, names[i]) == 0)
            return true;
    return false;
}

struct parse {
    struct options *opts;
    const struct profile_context *ctx;
    struct stack *stack;
    const char *origin;
    int line;
    bool is_user_config;
    struct error *err;
};

static int apply_source(struct parse *outer, const struct source *src);

static int fail_at(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_at(struct parse *p, const char *fmt, ...)
{
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return error_set(p->err, "%s:%d: %s", p->origin, p->line, why);
}

/* Puts this line's FILE:LINE in front of the error already in p->err. */
static int fail_here(struct parse *p) { return error_wrap(p->err, "%s:%d", p->origin, p->line); }

static int include_profile(struct parse *p, const char *name)
{
    struct source src;
    autofree char *dir = p->origin[0] == '/' ? xstrdup(p->origin) : NULL;
    if (dir)
        *strrchr(dir, '/') = '\0';
    if (find_profile(name, dir, p->ctx, &src, p->err) < 0) {
        error_wrap(p->err, "include %s", name);
        return fail_here(p);
    }
    struct parse inner = *p;
    inner.is_user_config = false;
    int rc = apply_source(&inner, &src);
    free(src.origin);
    free(src.text);
    return rc;
}

/* One directive with its raw value. */
static int apply_directive(struct parse *p, const char *directive, const char *raw)
{
    if (strcmp(directive, "summary") == 0)
        return 0;
    if (strcmp(directive, "if") == 0) {
        size_t n = strcspn(raw, " \t");
        if (n != strlen("ssh-agent") || strncmp(raw, "ssh-agent", n) != 0)
            return fail_at(p, "unknown condition '%.*s' (known: ssh-agent)", (int)n, raw);
        const char *rest = raw + n + strspn(raw + n, " \t");
        size_t dn = strcspn(rest, " \t");
        if (dn == 0)
            return fail_at(p, "'if ssh-agent' needs a directive after it");
        autofree char *inner = strndup(rest, dn);
        return p->opts->ssh_agent ? apply_directive(p, inner, rest + dn + strspn(rest + dn, " \t")) : 0;
    }
    autofree char *value = profile_expand(raw, p->ctx, p->err);
    if (!value)
        return fail_here(p);
    if (p->ctx->trace)
        fprintf(p->ctx->trace, "  %s:%d: %s %s\n", p->origin, p->line, directive, value);
    if (strcmp(directive, "include") == 0)
        return include_profile(p, value);
    if (strcmp(directive, "profile") == 0) {
        if (!p->is_user_config)
            return fail_at(p, "'profile' belongs in the user config file; a profile includes others with 'include'");
        strv_push_dup(&p->opts->profiles, value);
        return 0;
    }
    if (takes_path(directive) && value[0] != '/')
        return fail_at(p, "%s %s: the path must be absolute (start it with /, ~/ or ${HOME})", directive, value);
    p->opts->in_profile = true;
    int rc = cli_apply_directive(p->opts, directive, value, p->err);
    p->opts->in_profile = false;
    return rc < 0 ? fail_here(p) : 0;
}

/* Splits one line into directive and value and applies it. */
static int apply_line(struct parse *p, char *line)
{
    for (char *c = line; *c; c++)
        if (*c == '#' && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    char *start = line + strspn(line, " \t");
    size_t end = strlen(start);
    while (end > 0 && (start[end - 1] == ' ' || start[end - 1] == '\t' || start[end - 1] == '\r'))
        start[--end] = '\0';
    if (!*start)
        return 0;
    char *value = start + strcspn(start, " \t");
    if (*value)
        *value++ = '\0';
    value += strspn(value, " \t");
    return apply_directive(p, start, value);
}

/* Remembered so that a profile kept in the project can be kept read-only
 * inside: a sandbox must not rewrite what the next run applies. */
static void remember_file(struct options *opts, const struct source *src)
{
    char *real = src->origin[0] != '(' ? realpath(src->origin, NULL) : NULL;
    if (real)
        strv_push(&opts->profile_files, real);
}

static int apply_source(struct parse *outer, const struct source *src)
{
    struct stack *stack = outer->stack;
    for (int i = 0; i < stack->depth; i++)
        if (strcmp(stack->origins[i], src->origin) == 0)
            return fail_at(outer, "include cycle: %s includes itself again", src->origin);
    if (stack->depth >= MAX_INCLUDE_DEPTH)
        return fail_at(outer, "includes nest deeper than %d", MAX_INCLUDE_DEPTH);
    stack->origins[stack->depth++] = src->origin;
    remember_file(outer->opts, src);
    struct parse p = *outer;
    p.origin = src->origin;
    autofree char *text = xstrdup(src->text);
    int rc = 0;
    p.line = 0;
    for (char *cursor = text; rc == 0 && cursor;) {
        char *nl = strchr(cursor, '\n');
        if (nl)
            *nl = '\0';
        p.line++;
        rc = apply_line(&p, cursor);
        cursor = nl ? nl + 1 : NULL;
    }
    stack->depth--;
    return rc;
}

int profile_apply(struct options *opts, const char *name, const struct profile_context *ctx, struct error *err)
{
    struct source src;
    if (find_profile(name, NULL, ctx, &src, err) < 0)
        return -1;
    struct stack stack = {0};
    struct parse p = {.opts = opts, .ctx = ctx, .stack = &stack, .origin = src.origin, .err = err};
    int rc = apply_source(&p, &src);
    free(src.origin);
    free(src.text);
    return rc;
}

int profile_apply_text(struct options *opts, const char *origin, const char *text, const struct profile_context *ctx,
                       struct error *err)
{
    autofree char *origin_copy = xstrdup(origin);
    autofree char *text_copy = xstrdup(text);
    struct source src = {.origin = origin_copy, .text = text_copy};
    struct stack stack = {0};
    struct parse p = {.opts = opts, .ctx = ctx, .stack = &stack, .origin = origin, .err = err};
    return apply_source(&p, &src);
}

int profile_apply_user_config(struct options *opts, const struct profile_context *ctx, struct error *err)
{
    const char *xdg = env_get(ctx, "XDG_CONFIG_HOME", strlen("XDG_CONFIG_HOME"));
    autofree char *path = xdg && xdg[0] == '/' ? xasprintf("%s/clbox/config", xdg)
                                               : xasprintf("%s/.config/clbox/config", ctx->home);
    if (access(path, F_OK) < 0)
        return 0;
    struct source src;
    if (read_source(path, &src, err) < 0)
        return -1;
    struct stack stack = {0};
    struct parse p = {.opts = opts, .ctx = ctx, .stack = &stack, .origin = src.origin, .is_user_config = true,
                      .err = err};
    int rc = apply_source(&p, &src);
    free(src.origin);
    free(src.text);
    return rc;
}

int profile_build_options(int argc, char **argv, const struct profile_context *ctx, struct options *opts,
                          struct error *err)
{
    struct options cmdline;
    if (cli_parse_run(argc, argv, &cmdline, err) < 0 || cmdline.help) {
        *opts = cmdline;
        return cmdline.help ? 0 : -1;
    }
    options_init(opts);
    opts->ssh_agent = cmdline.ssh_agent; /* for "if ssh-agent" */
    int rc = profile_apply_user_config(opts, ctx, err);
    struct strv names = {0};
    for (size_t i = 0; i < opts->profiles.len; i++)
        strv_push_dup(&names, opts->profiles.items[i]);
    for (size_t i = 0; i < cmdline.profiles.len; i++)
        strv_push_dup(&names, cmdline.profiles.items[i]);
    if (names.len == 0)
        strv_push_dup(&names, PROFILE_DEFAULT);
    for (size_t i = 0; rc == 0 && i < names.len; i++)
        rc = profile_apply(opts, names.items[i], ctx, err);
    options_free(&cmdline);
    if (rc == 0)
        rc = cli_parse_more(argc, argv, opts, err);
    /* What was applied, in order, for --dry-run. */
    strv_free(&opts->profiles);
    opts->profiles = names;
    return rc;
}

/* The text after "summary" in a profile, or "". */
static void summary_of(const char *text, char *out, size_t len)
{
    out[0] = '\0';
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *s = line + strspn(line, " \t");
        if (strncmp(s, "summary", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
            s += 7 + strspn(s + 7, " \t");
            snprintf(out, len, "%.*s", (int)strcspn(s, "\n#"), s);
            return;
        }
    }
}

static bool listed(const struct strv *seen, const char *name)
{
    for (size_t i = 0; i < seen->len; i++)
        if (strcmp(seen->items[i], name) == 0)
            return true;
    return false;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Calls fn for the first profile of each name, in lookup order: the
 * user's, the system's and the installed directories, then the built-in
 * copies. */
static void for_each_profile(const struct profile_context *ctx,
                             void (*fn)(const char *name, const char *origin, const char *text, void *opaque),
                             void *opaque)
{
    char *dirs[3];
    search_dirs(ctx, dirs);
    struct strv seen = {0};
    for (int i = 0; i < 3; i++) {
        DIR *d = opendir(dirs[i]);
        struct strv names = {0};
        for (struct dirent *e; d && (e = readdir(d));)
            if (valid_name(e->d_name))
                strv_push_dup(&names, e->d_name);
        if (d)
            closedir(d);
        if (names.len)
            qsort(names.items, names.len, sizeof *names.items, compare_names);
        for (size_t j = 0; j < names.len; j++) {
            autofree char *path = xasprintf("%s/%s", dirs[i], names.items[j]);
            autofree char *text = read_small_file(path, MAX_PROFILE_SIZE);
            if (text && !listed(&seen, names.items[j])) {
                fn(names.items[j], path, text, opaque);
                strv_push_dup(&seen, names.items[j]);
            }
        }
        strv_free(&names);
    }
    for (size_t i = 0; i < n_builtin_profiles; i++)
        if (!listed(&seen, builtin_profiles[i].name))
            fn(builtin_profiles[i].name, "built into clbox", builtin_profiles[i].text, opaque);
    strv_free(&seen);
    free_dirs(dirs);
}

static void list_one(const char *name, const char *origin, const char *text, void *opaque)
{
    char summary[256];
    summary_of(text, summary, sizeof summary);
    fprintf(opaque, "%-12s %-44s %s\n", name, origin, summary);
}

int profile_list(FILE *out, const struct profile_context *ctx)
{
    for_each_profile(ctx, list_one, out);
    return 0;
}

struct check_all {
    const struct profile_context *ctx;
    void (*each)(const char *name, const char *origin, const char *error, void *opaque);
    void *opaque;
};

static void check_one(const char *name, const char *origin, const char *text, void *opaque)
{
    (void)text;
    struct check_all *c = opaque;
    struct options opts;
    options_init(&opts);
    struct error err = {0};
    int rc = profile_apply(&opts, name, c->ctx, &err);
    options_free(&opts);
    c->each(name, origin, rc < 0 ? err.text : NULL, c->opaque);
}

void profile_check_all(const struct profile_context *ctx,
                       void (*each)(const char *name, const char *origin, const char *error, void *opaque),
                       void *opaque)
{
    struct check_all c = {.ctx = ctx, .each = each, .opaque = opaque};
    for_each_profile(ctx, check_one, &c);
}

int profile_show(FILE *out, const char *name, const struct profile_context *ctx, struct error *err)
{
    struct source src;
    if (find_profile(name, NULL, ctx, &src, err) < 0)
        return -1;
    fprintf(out, "profile %s, from %s\nwhat it applies, in order, with where each line comes from:\n", name,
            src.origin);
    free(src.origin);
    free(src.text);
    struct options opts;
    options_init(&opts);
    struct profile_context traced = *ctx;
    traced.trace = out;
    int rc = profile_apply(&opts, name, &traced, err);
    options_free(&opts);
    return rc;
}
