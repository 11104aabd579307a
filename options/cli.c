#include "options/cli.h"

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "netns/codec/allowlist.h"

#include <stdarg.h>
#include <string.h>

struct option_row;
typedef int (*option_apply_fn)(struct options *opts, const struct option_row *row, const char *value,
                               struct error *err);

/* One row per option.  `metavar` is NULL for flags that take no value. */
struct option_row {
    const char *long_name;
    char short_name;
    const char *metavar;
    option_apply_fn apply;
    int tag; /* handler-specific: the mount kind for mount options */
    bool in_profile; /* also a profile directive */
    const char *help;
};

/* Values end up in mount tables, environment blocks and one-line messages:
 * a control character there is never what the user meant. */
static int check_value(const struct option_row *row, const char *value, struct error *err)
{
    size_t len = strlen(value);
    if (len == 0)
        return error_set(err, "--%s needs a non-empty %s", row->long_name, row->metavar);
    if (len > CLI_MAX_VALUE)
        return error_set(err, "--%s: value is %zu bytes long; the limit is %d", row->long_name, len,
                         CLI_MAX_VALUE);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return error_set(err, "--%s: value contains a control character (byte 0x%02x)",
                             row->long_name, *p);
    return 0;
}

static int replace_string(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
    return 0;
}

static int apply_project(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)r, (void)e;
    return replace_string(&o->project, v);
}

static int apply_config_dir(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)r, (void)e;
    return replace_string(&o->config_dir, v);
}

static int apply_net(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)r;
    static const struct {
        const char *name;
        enum net_mode mode;
    } modes[] = {{"filtered", NET_FILTERED}, {"none", NET_NONE}, {"open", NET_OPEN}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(v, modes[i].name) == 0) {
            o->net = modes[i].mode;
            return 0;
        }
    return error_set(e, "--net %s: unknown network mode (filtered, none or open)", v);
}

static int apply_net_backend(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    if (net_backend_parse(v, &o->net_backend) < 0)
        return error_set(e, "--%s %s: unknown network stack (slirp4netns or pasta)", r->long_name, v);
    o->net_backend_set = true;
    return 0;
}

/* Checked here, so that a bad entry is reported where it was written
 * (a profile's FILE:LINE); the plan parses it again. */
static int apply_allow(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    struct allow_rule rule;
    bool is_deny = r->tag != 0;
    if (allow_rule_parse(v, is_deny, &rule, e) < 0)
        return error_wrap(e, "--%s %s", r->long_name, v);
    if (is_deny && rule.port)
        return error_set(e, "--deny %s: a denied name is denied on every port; drop the :PORT", v);
    strv_push_dup(is_deny ? &o->deny : &o->allow, v);
    return 0;
}

static int apply_host_port(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    char *end;
    unsigned long port = strtoul(v, &end, 10);
    if (*end || v[0] < '1' || v[0] > '9' || port > 65535)
        return error_set(e, "--%s %s: not a port (1-65535)", r->long_name, v);
    o->host_ports = xrealloc(o->host_ports, (o->n_host_ports + 1) * sizeof *o->host_ports);
    o->host_ports[o->n_host_ports++] = (unsigned short)port;
    return 0;
}

static int apply_profile(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)r, (void)e;
    strv_push_dup(&o->profiles, v);
    return 0;
}

static int apply_log(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)r, (void)e;
    return replace_string(&o->log_file, v);
}

static int apply_mount(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)e;
    o->mounts = xrealloc(o->mounts, (o->n_mounts + 1) * sizeof *o->mounts);
    o->mounts[o->n_mounts++] =
        (struct mount_request){.kind = (enum mount_request_kind)r->tag, .path = xstrdup(v), .optional = o->in_profile};
    return 0;
}

static bool is_env_name(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

static int apply_env(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    const char *eq = strchr(v, '=');
    size_t name_len = eq ? (size_t)(eq - v) : strlen(v);
    if (!is_env_name(v, name_len))
        return error_set(e, "--%s %s: not a valid variable name (letters, digits and _; not starting with a digit)",
                         r->long_name, v);
    strv_push_dup(&o->env_rules, v);
    return 0;
}

static int apply_unsetenv(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    if (!is_env_name(v, strlen(v)))
        return error_set(e, "--%s %s: not a valid variable name", r->long_name, v);
    strv_push(&o->env_rules, xasprintf("-%s", v));
    return 0;
}

static int apply_flag(struct options *o, const struct option_row *r, const char *v, struct error *e)
{
    (void)v, (void)e;
    switch (r->tag) {
    case 'a': o->allow_project_config = true; break;
    case 'd': o->dry_run = true; break;
    case 'h': o->help = true; break;
    case 'v': o->verbosity = VERBOSITY_VERBOSE; break;
    case 'q': o->verbosity = VERBOSITY_QUIET; break;
    case 's': o->ssh_agent = true; break;
    }
    return 0;
}

static const struct option_row run_options[] = {
    {"profile", 'p', "NAME|PATH", apply_profile, 0, false,
     "apply a profile (repeatable; default: claude); see clbox-profile(5) and clbox profile list"},
    {"project", 0, "DIR", apply_project, 0, false,
     "directory shown read-write at its own path (default: the git work tree containing the current "
     "directory, else the current directory)"},
    {"config-dir", 0, "DIR", apply_config_dir, 0, true,
     "persistent CLAUDE_CONFIG_DIR, read-write at its own path, created if missing "
     "(default: ${XDG_DATA_HOME:-~/.local/share}/clbox/claude)"},
    {"net", 0, "MODE", apply_net, 0, true,
     "network: filtered (default: only allowlisted names), none (loopback only), open (unfiltered)"},
    {"net-backend", 0, "STACK", apply_net_backend, 0, true,
     "user-mode network stack behind the firewall: slirp4netns (default; or $CLBOX_NET_BACKEND) or pasta"},
    {"allow", 0, "NAME[:PORT]", apply_allow, 0, true,
     "let the sandbox reach NAME (*.NAME for its subdomains), an IP address or CIDR range; "
     ":PORT restricts it to that port"},
    {"deny", 0, "NAME", apply_allow, 1, true, "never let the sandbox reach NAME, whatever allows it"},
    {"allow-host-port", 0, "PORT", apply_host_port, 0, true,
     "let the sandbox reach the host's 127.0.0.1:PORT as 10.0.2.2:PORT (TCP)"},
    {"ssh-agent", 0, NULL, apply_flag, 's', false,
     "forward the ssh-agent socket ($SSH_AUTH_SOCK), and nothing else of ~/.ssh"},
    {"log", 0, "FILE", apply_log, 0, false, "also append each blocked lookup and connection to FILE"},
    {"ro", 0, "PATH", apply_mount, REQ_RO, true, "also show PATH read-only at the same path"},
    {"rw", 0, "PATH", apply_mount, REQ_RW, true, "also show PATH read-write at the same path"},
    {"hide", 0, "PATH", apply_mount, REQ_HIDE, true, "cover PATH with an empty read-only stand-in"},
    {"tmpfs", 0, "PATH", apply_mount, REQ_TMPFS, true, "mount an empty writable tmpfs at PATH"},
    {"env", 0, "NAME[=VALUE]", apply_env, 0, true, "pass NAME from the host, or set it to VALUE"},
    {"unsetenv", 0, "NAME", apply_unsetenv, 0, true, "remove NAME from the command's environment"},
    {"allow-project-config", 0, NULL, apply_flag, 'a', false,
     "let the command change the project's .git/hooks, .git/config and other files that run code "
     "outside the sandbox later"},
    {"dry-run", 0, NULL, apply_flag, 'd', false,
     "print the resolved plan (profiles, mounts, environment, network) and exit"},
    {"verbose", 'v', NULL, apply_flag, 'v', false, "say more on stderr"},
    {"quiet", 'q', NULL, apply_flag, 'q', false, "say only errors on stderr (no blocked-connection reports)"},
    {"help", 'h', NULL, apply_flag, 'h', false, "show this help and exit"},
};
enum { N_RUN_OPTIONS = sizeof run_options / sizeof run_options[0] };

static const struct option_row *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < N_RUN_OPTIONS; i++)
        if (strlen(run_options[i].long_name) == len && strncmp(run_options[i].long_name, name, len) == 0)
            return &run_options[i];
    return NULL;
}

/* The edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours) between a and b, or a number above limit when it is larger. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
    enum { MAX = 64 };
    if (alen > MAX || blen > MAX || (alen > blen ? alen - blen : blen - alen) > limit)
        return limit + 1;
    size_t d[MAX + 1][MAX + 1];
    for (size_t i = 0; i <= alen; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= blen; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= alen; i++)
        for (size_t j = 1; j <= blen; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[alen][blen];
}

/* The long option a mistyped name most likely meant: the nearest within two
 * edits (one for names of up to four letters), the first in the table on a
 * tie; NULL when none is that near. */
static const struct option_row *nearest_long(const char *name, size_t len)
{
    size_t limit = len <= 4 ? 1 : 2, best_distance = limit + 1;
    const struct option_row *best = NULL;
    for (size_t i = 0; i < N_RUN_OPTIONS; i++) {
        const char *candidate = run_options[i].long_name;
        size_t distance = edit_distance(name, len, candidate, strlen(candidate), limit);
        if (distance < best_distance)
            best_distance = distance, best = &run_options[i];
    }
    return best;
}

static int unknown_long(const char *name, size_t len, struct error *err)
{
    int shown = (int)(len > 64 ? 64 : len);
    const struct option_row *near = nearest_long(name, len);
    if (near)
        return error_set(err, "unknown option --%.*s: did you mean --%s? (see clbox run --help)", shown, name,
                         near->long_name);
    return error_set(err, "unknown option --%.*s (see clbox run --help)", shown, name);
}

static const struct option_row *find_short(char c)
{
    for (size_t i = 0; i < N_RUN_OPTIONS; i++)
        if (run_options[i].short_name && run_options[i].short_name == c)
            return &run_options[i];
    return NULL;
}

/* Applies one option whose row is known; consumes its value from inline
 * (after '=' or a short option's letter) or from the next argument. */
static int take_option(struct options *opts, const struct option_row *row, const char *inline_value,
                       int argc, char **argv, int *index, struct error *err)
{
    const char *value = NULL;
    if (row->metavar) {
        if (inline_value)
            value = inline_value;
        else if (*index + 1 < argc)
            value = argv[++*index];
        else
            return error_set(err, "--%s needs a value: --%s %s", row->long_name, row->long_name, row->metavar);
        if (check_value(row, value, err) < 0)
            return -1;
    } else if (inline_value) {
        return error_set(err, "--%s takes no value", row->long_name);
    }
    return row->apply(opts, row, value, err);
}

static int parse_one(struct options *opts, int argc, char **argv, int *index, struct error *err)
{
    const char *arg = argv[*index];
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_row *row = find_long(name, len);
        if (!row)
            return unknown_long(name, len, err);
        return take_option(opts, row, eq ? eq + 1 : NULL, argc, argv, index, err);
    }
    /* A cluster of short options: -vq, or -xVALUE for one that takes a value. */
    for (const char *p = arg + 1; *p; p++) {
        const struct option_row *row = find_short(*p);
        if (!row) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                return error_set(err, "unknown option byte 0x%02x (see clbox run --help)", (unsigned char)*p);
            return error_set(err, "unknown option -%c (see clbox run --help)", *p);
        }
        if (row->metavar)
            return take_option(opts, row, p[1] ? p + 1 : NULL, argc, argv, index, err);
        if (take_option(opts, row, NULL, argc, argv, index, err) < 0)
            return -1;
    }
    return 0;
}

void options_init(struct options *opts) { *opts = (struct options){.net = NET_FILTERED, .verbosity = VERBOSITY_NORMAL}; }

int cli_parse_run(int argc, char **argv, struct options *opts, struct error *err)
{
    options_init(opts);
    return cli_parse_more(argc, argv, opts, err);
}

int cli_apply_directive(struct options *opts, const char *name, const char *value, struct error *err)
{
    const struct option_row *row = find_long(name, strlen(name));
    if (!row || !row->in_profile)
        return error_set(err, "unknown directive '%s'", name);
    if (!value || !*value)
        return error_set(err, "%s needs a value: %s %s", name, name, row->metavar);
    if (check_value(row, value, err) < 0)
        return -1;
    return row->apply(opts, row, value, err);
}

int cli_parse_more(int argc, char **argv, struct options *opts, struct error *err)
{
    int i = 1;
    /* Options end at "--" or at the first word that is not an option: what
     * follows is the command and its own arguments, never clbox's. */
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        if (parse_one(opts, argc, argv, &i, err) < 0)
            return -1;
    }
    opts->command = argv + i;
    opts->command_argc = argc - i;
    if (opts->command_argc == 0 && !opts->help)
        return error_set(err, "no command given: clbox run [OPTIONS] -- COMMAND [ARG...]");
    if (opts->command_argc > 0 && opts->command[0][0] == '\0')
        return error_set(err, "the command name is empty");
    return 0;
}

void options_free(struct options *opts)
{
    free(opts->project);
    free(opts->config_dir);
    for (size_t i = 0; i < opts->n_mounts; i++)
        free(opts->mounts[i].path);
    free(opts->mounts);
    strv_free(&opts->env_rules);
    strv_free(&opts->allow);
    strv_free(&opts->deny);
    strv_free(&opts->profiles);
    strv_free(&opts->profile_files);
    free(opts->host_ports);
    free(opts->log_file);
    *opts = (struct options){0};
}

enum { HELP_WIDTH = 80, HELP_TEXT_COLUMN = 33 };

/* Prints text from HELP_TEXT_COLUMN, wrapped at spaces to HELP_WIDTH.  A
 * continuation line never starts with '-', so that it cannot be read as an
 * option's row (the shell completions parse these rows). */
static void print_wrapped(FILE *out, const char *text)
{
    const size_t room = HELP_WIDTH - HELP_TEXT_COLUMN;
    while (strlen(text) > room) {
        size_t cut = room;
        while (cut > 0 && (text[cut] != ' ' || text[cut + 1] == '-'))
            cut--;
        if (cut == 0) /* one word longer than the room: let it overflow */
            cut = strcspn(text, " ");
        if (text[cut] == '\0')
            break;
        fprintf(out, "%.*s\n%*s", (int)cut, text, HELP_TEXT_COLUMN, "");
        text += cut + 1;
    }
    fprintf(out, "%s\n", text);
}

void cli_print_run_help(FILE *out)
{
    fputs("Usage: clbox run [OPTIONS] [--] COMMAND [ARG...]\n\n"
          "Run COMMAND in a rootless sandbox: the project read-write at its own path,\n"
          "a persistent config dir, the rest of $HOME hidden, no capabilities.\n\nOptions:\n",
          out);
    for (size_t i = 0; i < N_RUN_OPTIONS; i++) {
        const struct option_row *r = &run_options[i];
        char left[64];
        int n = r->short_name ? snprintf(left, sizeof left, "-%c, --%s", r->short_name, r->long_name)
                              : snprintf(left, sizeof left, "    --%s", r->long_name);
        if (r->metavar)
            snprintf(left + n, sizeof left - (size_t)n, " %s", r->metavar);
        fprintf(out, "  %-30s ", left);
        print_wrapped(out, r->help);
    }
    fputs("\nExit status: the command's own; 125 clbox's error; 126 not executable;\n"
          "127 not found; 128+N killed by signal N.\n",
          out);
}

void cli_print_option_names(FILE *out)
{
    for (size_t i = 0; i < N_RUN_OPTIONS; i++)
        fprintf(out, "--%s\n", run_options[i].long_name);
}
