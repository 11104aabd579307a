/* clbox audit [--since DAYS] [--config-dir DIR] [DIR]: the exit audit, by
 * hand.  It audits every session in DIR that ended before its own audit
 * (from its recorded start); with none recorded, or with --since, what
 * changed in DIR and in the config dir in the last DAYS days (7 unless
 * told; 0 for everything). */
#include "audit/audit_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/audit_config_dir.h"
#include "audit/audit_steps.h"
#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/host.h"
#include "plan/paths.h"
#include "plan/plan_core.h"

enum { DEFAULT_DAYS = 7, MAX_DAYS = 100000 };

#define AUDIT_USAGE "usage: clbox audit [--since DAYS] [--config-dir DIR] [DIR]"

struct audit_args {
    const char *dir, *config_dir;
    long days;
    bool since_given, help;
};

static void parse_days(const char *value, struct audit_args *args)
{
    char *end;
    errno = 0;
    long days = value ? strtol(value, &end, 10) : -1;
    if (!value || errno || end == value || *end || days < 0 || days > MAX_DAYS)
        die("--since takes a number of days (0 for everything), not '%s' (" AUDIT_USAGE ")", value ? value : "");
    args->days = days;
    args->since_given = true;
}

static void parse_audit_args(int argc, char **argv, struct audit_args *args)
{
    *args = (struct audit_args){.days = DEFAULT_DAYS};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--since") == 0)
            parse_days(i + 1 < argc ? argv[++i] : NULL, args);
        else if (str_has_prefix(argv[i], "--since="))
            parse_days(argv[i] + strlen("--since="), args);
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            args->help = true;
        else if (strcmp(argv[i], "--config-dir") == 0 && i + 1 < argc)
            args->config_dir = argv[++i];
        else if (argv[i][0] == '-' || args->dir)
            die("%s: unexpected '%s'", AUDIT_USAGE, argv[i]);
        else
            args->dir = argv[i];
    }
}

/* The config dir clbox run would use, unless told. */
static char *default_config_dir(const struct host_facts *host)
{
    const char *xdg = host_env(host, "XDG_DATA_HOME");
    return xdg && xdg[0] == '/' ? xasprintf("%s/clbox/claude", xdg)
                                : xasprintf("%s/.local/share/clbox/claude", host->home);
}

static void audit_recent(const char *project, const char *config_dir, const struct audit_args *args)
{
    struct timespec since = {0};
    clock_gettime(CLOCK_REALTIME_COARSE, &since);
    since.tv_sec = args->days ? since.tv_sec - (time_t)args->days * 86400 : 0;
    since.tv_nsec = 0;
    char shown[4 * PATH_MAX + 1];
    str_printable(project, shown, sizeof shown);
    if (args->days)
        warnx_clbox("auditing what changed in %s and in the config dir in the last %ld day%s (by you or anything "
                    "else: read each before you disarm it again)", shown, args->days, args->days == 1 ? "" : "s");
    else
        warnx_clbox("auditing everything in %s and in the config dir", shown);
    audit_set_actor("something");
    autoclose int project_fd = open(project, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (project_fd < 0)
        die_errno(errno, "cannot open %s: %m", shown);
    audit_project(project_fd, project, &since);
    audit_config_dir(config_dir, &since);
}

int audit_command(int argc, char **argv)
{
    struct audit_args args;
    parse_audit_args(argc, argv, &args);
    if (args.help) {
        puts(AUDIT_USAGE "\n\nAudits DIR (default: the project clbox would pick here) for what a\n"
             "session wrote that runs code outside the sandbox, and disarms it: every\n"
             "session there that ended before its own audit, from its recorded start;\n"
             "with none, or with --since, what changed in the last DAYS days (default 7;\n"
             "0 for everything).  See clbox(1), THE EXIT AUDIT.");
        return 0;
    }
    struct error err = {0};
    struct host_facts host = {0};
    if (host_facts_read(&host, &err) < 0)
        die_error(&err);
    autofree char *found = NULL;
    if (!args.dir)
        plan_find_project(host.cwd, host.home, &found);
    autofree char *project = realpath(args.dir ? args.dir : found, NULL);
    if (!project)
        die_errno(errno, "cannot audit %s: %m (" AUDIT_USAGE ")", args.dir ? args.dir : found);
    autofree char *config_dir = args.config_dir ? realpath(args.config_dir, NULL) : default_config_dir(&host);
    if (!config_dir)
        die_errno(errno, "--config-dir %s: %m", args.config_dir);
    autoclose int pending_dir = audit_pending_dir(&host, NULL, true, &err);
    if (pending_dir < 0)
        die_error(&err);
    if (audit_pending_replay(pending_dir, project) == 0 || args.since_given)
        audit_recent(project, config_dir, &args);
    host_facts_free(&host);
    return 0;
}
