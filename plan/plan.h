/* Building the plan: the options, resolved against the host, become one
 * struct plan (plan/plan_core.h). */
#ifndef CLBOX_PLAN_H
#define CLBOX_PLAN_H

#include <stddef.h>

#include "common/error.h"
#include "options/cli.h"
#include "plan/host.h"
#include "plan/plan_core.h"

/* Resolve options against the host.  Returns 0, or -1 with the reason in
 * err.  A function of the options and the host facts alone: it reads the
 * host's files but creates, opens and says nothing there (a missing
 * config dir is left to plan_realise(), plan/plan_realise.h). */
int plan_build(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err);
/* The config dir `run` uses: `asked` (--config-dir) made absolute, else
 * ${XDG_DATA_HOME:-~/.local/share}/clbox/claude; links not yet resolved. */
char *plan_config_dir_path(const char *asked, const struct host_facts *host);
/* plan.config_dir is a directory of the user's.  Returns 0, or -1 with the
 * reason in err. */
int plan_check_config_dir(const struct host_facts *host, const struct plan *plan, struct error *err);

#endif
