#ifndef CLBOX_PLAN_SOCKETS_H
#define CLBOX_PLAN_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "plan/plan_core.h"

/* The start's walk of the views: covers the sockets that host programs
 * could be listening on, and with protect_nested makes read-only what the
 * project's nested repositories send git elsewhere with.  Returns 0, or -1
 * when there are too many sockets. */
int plan_walk_views(struct plan *plan, bool protect_nested, struct error *err);

#endif
