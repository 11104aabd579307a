/* Realising the plan (plan/plan_realise.h): the few changes to the host
 * that a run makes before its sandbox exists, in the order plan building
 * once made them. */
#include "plan/plan_realise.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/plan.h"
#include "plan/plan_log.h"

/* The plan named where the new directory will be once its missing part is
 * made: anything else there now (a link that appeared on the way) is not
 * what was planned. */
static int create_config_dir(const struct host_facts *host, const struct plan *plan, struct error *err)
{
    const char *wanted = plan->config_dir_to_create;
    struct stat st;
    bool existed = stat(wanted, &st) == 0;
    if (mkdir_parents(plan->config_dir, 0755, 0700) < 0)
        return error_errno(err, errno, "cannot create the config dir %s: %m (choose another with --config-dir DIR)",
                           wanted);
    /* Said once, on the run that creates it: where the login will live. */
    if (!existed && plan->verbosity >= VERBOSITY_NORMAL)
        warnx_clbox("created %s: Claude Code keeps its login and history there (CLAUDE_CONFIG_DIR) from now on; "
                    "to use your existing ~/.claude instead, pass --config-dir ~/.claude, but know that the sandbox "
                    "can then write settings, hooks and commands that the Claude Code you run outside obeys (those "
                    "that exist when clbox starts are kept read-only inside)", wanted);
    autofree char *real = realpath(wanted, NULL);
    if (!real || strcmp(real, plan->config_dir) != 0)
        return error_set(err, "the config dir %s changed while clbox started: it no longer leads to %s "
                         "(run clbox again, or choose another with --config-dir DIR)", wanted, plan->config_dir);
    return plan_check_config_dir(host, plan, err);
}

int plan_realise(const struct host_facts *host, struct plan *plan, struct error *err)
{
    if (plan->config_dir_to_create && create_config_dir(host, plan, err) < 0)
        return -1;
    /* Opened now, before any sandbox runs, and only where a gate writes it. */
    if (plan->log_file && plan->net == NET_FILTERED && plan_open_log(plan, false, err) < 0)
        return -1;
    /* The plan starts the command in the project when the current
     * directory is not among what the sandbox shows. */
    if (strcmp(plan->cwd, host->cwd) != 0)
        verbose("the current directory %s is not inside the sandbox; starting in %s", host->cwd, plan->cwd);
    return 0;
}
