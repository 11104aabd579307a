/* The seccomp filter the command runs under: everything is allowed except
 * the system calls that widen a sandbox or reach the kernel's rarely
 * hardened corners.  Refused calls fail with an errno (never a kill), so
 * programs that probe for a feature fall back cleanly; foreign syscall ABIs
 * (i386, x32) kill the process. */
#ifndef CLBOX_SECCOMP_FILTER_H
#define CLBOX_SECCOMP_FILTER_H

#include <stddef.h>

#include "common/error.h"

/* Loads the filter into the calling thread (which must have set
 * no_new_privs).  Returns 0, or -1 with the reason in err. */
int seccomp_install(struct error *err);

#endif
