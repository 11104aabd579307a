/* Signals between the user, the launcher, init and the command.
 *
 * The launcher and init each block the signals they pass on and take them
 * one by one with sigwaitinfo(), so none is lost between a fork and a wait.
 * A signal the terminal sent (si_code SI_KERNEL: ^C, ^\, window size) has
 * already reached the whole foreground process group, the command
 * included, so it is not passed on again: a second ^C would tell an agent
 * to quit. */
#ifndef CLBOX_SIGNALS_H
#define CLBOX_SIGNALS_H

#include <sys/types.h>

enum signal_relay_role {
    SIGNAL_RELAY_FROM_LAUNCHER, /* the child is init */
    SIGNAL_RELAY_FROM_INIT,     /* the child is the command; orphans are reaped too */
};

/* Blocks the relayed signals and SIGCHLD; call before creating the child. */
void signals_block(void);
/* Undo signals_block() in a process about to exec. */
void signals_restore_for_exec(void);
/* Passes signals on to `child` until it exits; returns the exit status to
 * report: its own, or 128+N when it was killed by signal N. */
int signals_relay_until_exit(pid_t child, enum signal_relay_role role);

#endif
