/* The DNS gate's own seccomp filter: it parses bytes the sandboxed command
 * controls, so once its sockets are open it may only do what serving DNS
 * needs: no files, no exec, no new processes, only IP and netlink sockets. */
#ifndef CLBOX_SECCOMP_GATE_FILTER_H
#define CLBOX_SECCOMP_GATE_FILTER_H

#include <stddef.h>

#include "common/error.h"

int seccomp_install_gate(struct error *err);

#endif
