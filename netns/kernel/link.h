#ifndef CLBOX_NETNS_LINK_H
#define CLBOX_NETNS_LINK_H

#include <stddef.h>

#include "common/error.h"

/* Brings the interface up in the calling thread's network namespace.
 * Returns 0, or -1 with the reason in err. */
int link_set_up(const char *ifname, struct error *err);

#endif
