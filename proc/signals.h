/* Signals between the user, the launcher, init and the command.
 *
 * The launcher and init each block the signals they pass on and take them
 * one by one with sigwaitinfo() (or a signalfd), so none is lost between a
 * fork and a wait.  The command runs in a session of its own, never in
 * clbox's process group: a signal the user's terminal sends to its
 * foreground group (^C, ^\ when clbox does not hold the terminal raw, a
 * hangup) reaches clbox alone, and is passed on like any other. */
#ifndef CLBOX_SIGNALS_H
#define CLBOX_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

/* Blocks the relayed signals and SIGCHLD; call before creating the child. */
void signals_block(void);
/* A signalfd for the blocked signals, non-blocking.  With `job_control`
 * (the launcher relaying a pty), SIGTSTP and SIGCONT are blocked and read
 * there too.  -1 with errno on failure. */
int signals_open_fd(bool job_control);
/* Undo signals_block() in a process about to exec. */
void signals_restore_for_exec(void);
/* A helper process of the launcher (slirp4netns, the DNS gate) whose end
 * is reported, with what it means for the sandbox. */
void signals_watch(pid_t pid, const char *name, const char *consequence);
void signals_unwatch(pid_t pid);
/* Passes signals on to `child` until it exits, reaping every other child
 * on the way (orphans, in init); returns the exit status to report: its
 * own, or 128+N when it was killed by signal N (its wait status in
 * `wait_status` unless NULL).  With `escalate` (the launcher), a second
 * SIGTERM, SIGINT, SIGHUP or SIGQUIT sent to clbox kills the child, and
 * with it the whole sandbox. */
int signals_relay_until_exit(pid_t child, bool escalate, int *wait_status);
/* One step of that loop, for loops that wait on more than signals: */
/* reaps what has exited; the child's exit status once it has, else -1; */
int signals_reap(pid_t child, int *wait_status);
/* passes `sig` on to `child`, escalating as above (`endings` counts). */
void signals_pass_on(pid_t child, int sig, bool escalate, int *endings);
/* 128+N for a child killed by signal N, else its exit status. */
int signals_exit_status(int wait_status);
/* Says so when the command was killed by a signal (other than SIGINT and
 * SIGPIPE, the ends a user expects): its exit status alone, 128+N, could
 * be an exit(128+N) of its own. */
void signals_report_command_end(int wait_status);

#endif
