/* The TCP relay's own seccomp filter: it reads bytes the sandboxed command
 * controls and hands them to the policy, so once its sockets are open it
 * may only do what relaying needs: no files, no exec, no new processes,
 * new sockets only for IPv4 and IPv6. */
#ifndef CLBOX_SECCOMP_RELAY_FILTER_H
#define CLBOX_SECCOMP_RELAY_FILTER_H

#include "common/error.h"

/* Loads the filter (no_new_privs must be set).  0, or -1 with the reason in err. */
int seccomp_install_relay(struct error *err);

#endif
