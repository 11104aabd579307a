#ifndef CLBOX_PLAN_NET_H
#define CLBOX_PLAN_NET_H

#include <stddef.h>

#include "common/error.h"
#include "options/cli.h"
#include "plan/host.h"
#include "plan/plan_core.h"

/* --net-backend (or a profile's net-backend), else $CLBOX_NET_BACKEND, so
 * that a machine where one stack works better can say so once.  Checked
 * before plan_build() changes anything on the host. */
int plan_choose_backend(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err);
/* The network stack's program: the one $CLBOX_SLIRP4NETNS or $CLBOX_PASTA
 * names alone when set (with its value in *override), else the first on
 * PATH; NULL when there is none.  What `run` starts and doctor tries. */
char *plan_find_stack_binary(const struct host_facts *host, enum net_backend backend, const char **override);
/* The network part of plan_build(). */
int plan_build_network(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err);

#endif
