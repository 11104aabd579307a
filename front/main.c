/* clbox: run a command in a rootless sandbox. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_cmd.h"
#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "diag/doctor.h"
#include "diag/selftest.h"
#include "netns/codec/allowlist.h"
#include "options/cli.h"
#include "options/profile.h"
#include "plan/host.h"
#include "plan/plan.h"
#include "plan/plan_core.h"
#include "plan/plan_print.h"
#include "plan/plan_realise.h"
#include "run/sandbox.h"

static void print_usage(FILE *out)
{
    fputs("Usage: clbox run [OPTIONS] [--] COMMAND [ARG...]\n"
          "       clbox check [OPTIONS]\n"
          "       clbox profile list | clbox profile show NAME\n"
          "       clbox doctor\n"
          "       clbox audit [--since DAYS] [--config-dir DIR] [DIR]\n"
          "       clbox --version | --help\n\n"
          "clbox runs COMMAND (e.g. claude --dangerously-skip-permissions) in a rootless\n"
          "sandbox. 'clbox check' builds the same sandbox and tests it from the inside.\n"
          "See 'clbox run --help' and clbox(1).\n",
          out);
}

/* The host facts and the options.  Returns 1 when --help was printed. */
static int parse_options(int argc, char **argv, struct options *opts, struct host_facts *host)
{
    struct error err = {0};
    if (host_facts_read(host, &err) < 0)
        die_error(&err);
    struct profile_context ctx = {.environ = host->environ, .home = host->home};
    if (profile_build_options(argc, argv, &ctx, opts, &err) < 0) {
        options_free(opts);
        die_error(&err);
    }
    if (opts->help) {
        cli_print_run_help(stdout);
        return 1;
    }
    /* The plan carries it; planning itself already speaks with it. */
    message_set_verbosity(opts->verbosity);
    return 0;
}

static void plan_or_die(const struct options *opts, const struct host_facts *host, struct plan *plan)
{
    struct error err = {0};
    if (plan_build(opts, host, plan, &err) < 0)
        die_error(&err);
}

/* What the plan needs on the host, made just before the sandbox; never
 * for --dry-run. */
static void realise_or_die(const struct host_facts *host, struct plan *plan)
{
    struct error err = {0};
    if (plan_realise(host, plan, &err) < 0)
        die_error(&err);
}

static int parse_and_plan(int argc, char **argv, struct options *opts, struct host_facts *host, struct plan *plan)
{
    if (parse_options(argc, argv, opts, host) > 0)
        return 1;
    plan_or_die(opts, host, plan);
    return 0;
}

static int finish(struct options *opts, struct host_facts *host, struct plan *plan, int status)
{
    plan_free(plan);
    host_facts_free(host);
    options_free(opts);
    return status;
}

/* For --dry-run: every profile line that was applied, with its FILE:LINE
 * (the options are built again, with a trace; it is cheap). */
static void print_profile_lines(int argc, char **argv, const struct host_facts *host)
{
    struct profile_context ctx = {.environ = host->environ, .home = host->home, .trace = stdout};
    struct options scratch;
    struct error err = {0};
    printf("profile lines applied:\n");
    (void)profile_build_options(argc, argv, &ctx, &scratch, &err);
    options_free(&scratch);
}

static int cmd_run(int argc, char **argv)
{
    struct options opts;
    struct host_facts host = {0};
    struct plan plan = {0};
    if (parse_and_plan(argc, argv, &opts, &host, &plan) > 0)
        return finish(&opts, &host, &plan, 0);
    if (opts.dry_run) {
        print_profile_lines(argc, argv, &host);
        plan_print(&plan, stdout);
        return finish(&opts, &host, &plan, 0);
    }
    realise_or_die(&host, &plan);
    /* Audited unless the user let the command change such files on purpose. */
    struct audit_snapshot snap;
    audit_take(&plan, &host, !opts.allow_project_config, &snap);
    int status = sandbox_run(&plan, &(struct sandbox_alongside){.run = audit_make_durable, .arg = &snap});
    audit_report(&plan, &snap);
    return finish(&opts, &host, &plan, status);
}

/* The name the reachability check tries: the last exact name among the
 * --allow values, which is the command line's own when it names one
 * (profiles come first), with its port, or 443.  The plan's allowlist is
 * these values parsed the same way, in the same order; one that does not
 * parse fails plan building. */
static void name_to_check(const struct options *opts, char *name, size_t namelen, char *port, size_t portlen)
{
    name[0] = '\0';
    for (size_t i = opts->allow.len; i-- > 0;) {
        struct allow_rule r;
        struct error ignored = {0};
        if (allow_rule_parse(opts->allow.items[i], false, &r, &ignored) == 0 && r.kind == ALLOW_NAME) {
            snprintf(name, namelen, "%s", r.name);
            snprintf(port, portlen, "%u", r.port ? r.port : 443);
            return;
        }
    }
}

/* clbox check [OPTIONS]: `run` of clbox itself with a hidden subcommand. */
static int cmd_check(int argc, char **argv)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        die_errno(errno, "cannot find clbox's own executable: %m");
    self[n] = '\0';
    char **args = xcalloc((size_t)argc + 8, sizeof *args);
    int k = 0;
    for (int i = 0; i < argc; i++)
        args[k++] = argv[i];
    args[k++] = "--";
    int command_at = k;
    args[k++] = self;
    args[k++] = SELFTEST_SUBCOMMAND;
    struct options opts;
    struct host_facts host = {0};
    struct plan plan = {0};
    if (parse_options(k, args, &opts, &host) > 0) {
        int status = finish(&opts, &host, &plan, 0);
        free(args);
        return status;
    }
    if (opts.command != args + command_at)
        die("clbox check takes options only, no command");
    /* The self-test's arguments are the command the plan is built for. */
    char name[ALLOW_NAME_MAX], port[8];
    name_to_check(&opts, name, sizeof name, port, sizeof port);
    static char *const net_names[] = {[NET_FILTERED] = "filtered", [NET_NONE] = "none", [NET_OPEN] = "open"};
    char *inside[] = {self, SELFTEST_SUBCOMMAND, net_names[opts.net], name[0] ? name : NULL, port, NULL};
    opts.command = inside;
    opts.command_argc = name[0] ? 5 : 3;
    plan_or_die(&opts, &host, &plan);
    if (!opts.dry_run)
        realise_or_die(&host, &plan);
    int status = sandbox_run(&plan, NULL);
    free(args);
    return finish(&opts, &host, &plan, status);
}

static int cmd_check_inside(int argc, char **argv)
{
    struct selftest_options o = {
        .net_name = argc > 1 ? argv[1] : "none",
        .allowed_name = argc > 2 ? argv[2] : NULL,
        .allowed_port = argc > 3 ? argv[3] : "443",
    };
    o.filtered = strcmp(o.net_name, "filtered") == 0;
    return selftest_run_inside(&o);
}

/* clbox profile list | show NAME */
static int cmd_profile(int argc, char **argv)
{
    struct error err = {0};
    struct host_facts host = {0};
    if (host_facts_read(&host, &err) < 0)
        die_error(&err);
    struct profile_context ctx = {.environ = host.environ, .home = host.home};
    int rc;
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        rc = profile_list(stdout, &ctx);
    else if (argc == 3 && strcmp(argv[1], "show") == 0)
        rc = profile_show(stdout, argv[2], &ctx, &err);
    else
        die("usage: clbox profile list | clbox profile show NAME");
    host_facts_free(&host);
    if (rc < 0)
        die_error(&err);
    return 0;
}

/* clbox doctor: what works on this machine, and what to fix. */
static int cmd_doctor(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        die("usage: clbox doctor (it takes no arguments)");
    return doctor_run(stdout);
}

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("clbox %s\n", PACKAGE_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    print_usage(stdout);
    return 0;
}

/* Every option's long name, one per line: the docs' consistency test. */
static int cmd_list_options(int argc, char **argv)
{
    (void)argc, (void)argv;
    cli_print_option_names(stdout);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"run", cmd_run},           {"check", cmd_check},     {"profile", cmd_profile},
    {"doctor", cmd_doctor},     {"audit", audit_command},
    {"--version", cmd_version},
    {"version", cmd_version},   {"--help", cmd_help},     {"-h", cmd_help},
    {"help", cmd_help},         {"--list-options", cmd_list_options},
    {SELFTEST_SUBCOMMAND, cmd_check_inside},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_CLBOX_ERROR;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    die("unknown command '%s' (try: clbox run -- COMMAND; clbox --help)", argv[1]);
}
