#ifndef CLBOX_SLIRP_H
#define CLBOX_SLIRP_H

#include "netns/stack/netstack.h"

/* slirp4netns's command line, in args. */
void slirp_build_args(const struct netstack_options *opts, int ready_w, int exit_r, struct netstack_args *args);

#endif
