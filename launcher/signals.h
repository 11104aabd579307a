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

#include <stdbool.h>
#include <sys/types.h>

/* Blocks the relayed signals and SIGCHLD; call before creating the child. */
void signals_block(void);
/* Undo signals_block() in a process about to exec. */
void signals_restore_for_exec(void);
/* A helper process of the launcher (slirp4netns, the DNS gate) whose end
 * is reported, with what it means for the sandbox. */
void signals_watch(pid_t pid, const char *name, const char *consequence);
void signals_unwatch(pid_t pid);
/* Passes signals on to `child` until it exits, reaping every other child
 * on the way (orphans, in init); returns the exit status to report: its
 * own, or 128+N when it was killed by signal N.  With `escalate` (the
 * launcher), a second SIGTERM, SIGINT, SIGHUP or SIGQUIT sent to clbox
 * kills the child, and with it the whole sandbox. */
int signals_relay_until_exit(pid_t child, bool escalate);

#endif
