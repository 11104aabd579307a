/* The command's pty, seen from the sandbox's init (see pty_relay.h for
 * the launcher's side). */
#ifndef CLBOX_INIT_PTY_H
#define CLBOX_INIT_PTY_H

#include <sys/types.h>

#include "plan/plan_core.h"

struct init_pty {
    int master; /* init's copy: only to read the foreground group */
    int slave;
};

/* Opens /dev/pts/0 in the sandbox's own devpts and makes it init's
 * controlling terminal (init leads the sandbox's session), hands its
 * master to the launcher, waits until the launcher has given it the
 * user's terminal modes and size, then moves init's terminal streams onto
 * the slave. */
void init_pty_open(const struct plan *plan, int channel, struct init_pty *pty);
/* In the command's process: a process group of its own, in the pty's
 * foreground; the pty's own descriptors are closed. */
void init_pty_take(const struct init_pty *pty);
/* Init's loop with a pty: passes signals on to the command, tells the
 * launcher when the command stops, continues it when asked; returns the
 * command's exit status. */
int init_pty_relay(pid_t command, int channel, int master);

#endif
