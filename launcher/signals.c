#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

static const int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
static sigset_t mask_before_block;

static void relayed_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof relayed / sizeof relayed[0]; i++)
        sigaddset(set, relayed[i]);
    sigaddset(set, SIGCHLD);
}

void signals_block(void)
{
    sigset_t set;
    relayed_set(&set);
    sigprocmask(SIG_BLOCK, &set, &mask_before_block);
}

void signals_restore_for_exec(void) { sigprocmask(SIG_SETMASK, &mask_before_block, NULL); }

static int exit_status_of(int wait_status)
{
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return WEXITSTATUS(wait_status);
}

/* Reaps what has exited; returns the child's exit status once it has. */
static int reap(pid_t child, enum signal_relay_role role)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(role == SIGNAL_RELAY_FROM_INIT ? -1 : child, &status, WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return -1;
        if (pid == child)
            return exit_status_of(status);
    }
}

int signals_relay_until_exit(pid_t child, enum signal_relay_role role)
{
    sigset_t set;
    relayed_set(&set);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&set, &info);
        if (sig < 0) {
            if (errno == EINTR)
                continue;
            die("cannot wait for signals: %s", strerror(errno));
        }
        if (sig == SIGCHLD) {
            int status = reap(child, role);
            if (status >= 0)
                return status;
            continue;
        }
        if (info.si_code == SI_KERNEL)
            continue; /* from the terminal: the command has it already */
        kill(child, sig);
    }
}
