#include "proc/signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "common/message.h"
#include "common/util.h"

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

int signals_open_fd(bool job_control)
{
    sigset_t set;
    relayed_set(&set);
    if (job_control) {
        sigaddset(&set, SIGTSTP);
        sigaddset(&set, SIGCONT);
        sigprocmask(SIG_BLOCK, &set, NULL);
    }
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int signals_exit_status(int wait_status)
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

int signals_reap(pid_t child, int *wait_status)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return -1;
        if (pid == child) {
            if (wait_status)
                *wait_status = status;
            return signals_exit_status(status);
        }
        report_watched_exit(pid, status);
    }
}

void signals_report_command_end(int wait_status)
{
    /* ^C and a closed pipe are the usual ends, and the user knows of them. */
    if (!WIFSIGNALED(wait_status) || WTERMSIG(wait_status) == SIGINT || WTERMSIG(wait_status) == SIGPIPE)
        return;
    warnx_clbox("the command was killed by signal %d (%s)", WTERMSIG(wait_status), strsignal(WTERMSIG(wait_status)));
}

static bool asks_to_end(int sig) { return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT; }

void signals_pass_on(pid_t child, int sig, bool escalate, int *endings)
{
    /* A command may ignore a request to end; the second request, sent
     * after the first had its chance, ends the whole sandbox. */
    if (escalate && asks_to_end(sig) && ++*endings >= 2) {
        warnx_clbox("a second request to end (%s): killing the sandbox", strsignal(sig));
        kill(child, SIGKILL);
        return;
    }
    kill(child, sig);
}

int signals_relay_until_exit(pid_t child, bool escalate, int *wait_status)
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
            die_errno(errno, "cannot wait for signals: %m");
        }
        if (sig == SIGCHLD) {
            int status = signals_reap(child, wait_status);
            if (status >= 0)
                return status;
            continue;
        }
        signals_pass_on(child, sig, escalate, &endings);
    }
}
