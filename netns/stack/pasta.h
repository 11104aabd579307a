#ifndef CLBOX_PASTA_H
#define CLBOX_PASTA_H

#include "netns/stack/netstack.h"

/* pasta's command line, in args. */
void pasta_build_args(const struct netstack_options *opts, struct netstack_args *args);

#endif
