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

static struct {
    pid_t pid;
    const char *name, *consequence;
} watched[2];

void signals_watch(pid_t pid, const char *name, const char *consequence)
{
    for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++)
        if (watched[i].pid <= 0) {
            watched[i].pid = pid;
            watched[i].name = name;
            watched[i].consequence = consequence;
            return;
        }
}

void signals_unwatch(pid_t pid)
{
    for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++)
        if (watched[i].pid == pid)
            watched[i].pid = 0;
}

static void report_watched_exit(pid_t pid, int status)
{
    for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++) {
        if (watched[i].pid != pid)
            continue;
        watched[i].pid = 0;
        if (WIFSIGNALED(status))
            warnx_clbox("%s was killed by signal %d: %s", watched[i].name, WTERMSIG(status), watched[i].consequence);
        else
            warnx_clbox("%s exited with status %d: %s", watched[i].name, WEXITSTATUS(status),
                        watched[i].consequence);
    }
}

/* Reaps what has exited; returns the child's exit status once it has. */
static int reap(pid_t child)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return -1;
        if (pid == child)
            return exit_status_of(status);
        report_watched_exit(pid, status);
    }
}

static bool asks_to_end(int sig) { return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT; }

int signals_relay_until_exit(pid_t child, bool escalate)
{
    sigset_t set;
    relayed_set(&set);
    int endings = 0;
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&set, &info);
        if (sig < 0) {
            if (errno == EINTR)
                continue;
            die("cannot wait for signals: %s", strerror(errno));
        }
        if (sig == SIGCHLD) {
            int status = reap(child);
            if (status >= 0)
                return status;
            continue;
        }
        if (info.si_code == SI_KERNEL)
            continue; /* from the terminal: the command has it already */
        /* A command may ignore a request to end; the second request, sent
         * after the first had its chance, ends the whole sandbox. */
        if (escalate && asks_to_end(sig) && ++endings >= 2) {
            warnx_clbox("a second request to end (%s): killing the sandbox", strsignal(sig));
            kill(child, SIGKILL);
            continue;
        }
        kill(child, sig);
    }
}
