/* clbox: run a command in a rootless sandbox. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
#include "sandbox.h"
#include "util.h"



static void print_usage(FILE *out)
{
    fputs("Usage: clbox run [OPTIONS] [--] COMMAND [ARG...]\n"
          "       clbox --version | --help\n\n"
          "clbox runs COMMAND (e.g. claude --dangerously-skip-permissions) in a rootless\n"
          "sandbox. See 'clbox run --help' and man clbox(1).\n",
          out);
}

static int cmd_run(int argc, char **argv)
{
    char err[CLI_MAX_VALUE + 256];
    struct options opts;
    if (cli_parse_run(argc, argv, &opts, err, sizeof err) < 0) {
        options_free(&opts);
        die("%s", err);
    }
    if (opts.help) {
        cli_print_run_help(stdout);
        options_free(&opts);
        return 0;
    }
    clbox_verbosity = opts.verbosity;
    struct host_facts host;
    struct plan plan;
    if (host_facts_read(&host, err, sizeof err) < 0 || plan_build(&opts, &host, &plan, err, sizeof err) < 0)
        die("%s", err);
    int status = 0;
    if (opts.dry_run)
        plan_print(&plan, stdout);
    else
        status = sandbox_run(&plan);
    plan_free(&plan);
    host_facts_free(&host);
    options_free(&opts);
    return status;
}

int main(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        print_usage(sub ? stdout : stderr);
        return sub ? 0 : EXIT_CLBOX_ERROR;
    }
    if (strcmp(sub, "--version") == 0 || strcmp(sub, "version") == 0) {
        printf("clbox %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(sub, "--list-options") == 0) { /* for the docs' consistency tests */
        cli_print_option_names(stdout);
        return 0;
    }
    if (strcmp(sub, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    die("unknown command '%s' (try: clbox run -- COMMAND; clbox --help)", sub);
}
