/* Realising the plan: what plan_build() found missing or only checked is
 * made or opened on the host, just before the sandbox is started.  The
 * caller skips it for --dry-run, which changes nothing on the host. */
#ifndef CLBOX_PLAN_REALISE_H
#define CLBOX_PLAN_REALISE_H

#include <stddef.h>

#include "plan/host.h"
#include "plan/plan_core.h"

/* Creates the missing config dir (and says so on that first run), opens
 * --log FILE for the DNS gate, and says where the command starts when the
 * current directory is not inside.  Returns 0, or -1 with the reason in
 * err; the plan itself is not changed but for the log's fd. */
int plan_realise(const struct host_facts *host, struct plan *plan, struct error *err);

#endif
