/* The sandbox's side of the command's terminal: a pty of the sandbox's own
 * devpts, whose master goes to the launcher to be relayed to the user's
 * terminal.  Init keeps a copy of the master only to learn the pty's
 * foreground group; it tells the launcher when the command stops and
 * continues the command when the launcher asks. */
#include "init/init_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "common/message.h"
#include "proc/channel.h"
#include "proc/signals.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The slave, opened through the master itself where the kernel can (no
 * path to resolve), else by its name in the sandbox's devpts. */
static int open_slave(int master)
{
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave >= 0 || (errno != EINVAL && errno != ENOTTY))
        return slave;
    unsigned index;
    if (ioctl(master, TIOCGPTN, &index) < 0)
        return -1;
    char path[32];
    snprintf(path, sizeof path, "/dev/pts/%u", index);
    return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* The terminal streams of init itself move to the slave too: nothing in
 * the sandbox keeps the user's terminal open. */
static void streams_onto(int slave, unsigned streams)
{
    for (int fd = 0; fd <= 2; fd++)
        if ((streams & (1u << fd)) && dup2(slave, fd) < 0)
            die_errno(errno, "cannot give the command its terminal on fd %d: %m", fd);
}

void init_pty_open(const struct plan *plan, int channel, struct init_pty *pty)
{
    int zero = 0;
    unsigned index = ~0u;
    pty->master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty->master < 0)
        die_errno(errno, "cannot open a terminal for the command in the sandbox's /dev/ptmx: %m");
    if (ioctl(pty->master, TIOCSPTLCK, &zero) < 0 || ioctl(pty->master, TIOCGPTN, &index) < 0)
        die_errno(errno, "cannot unlock the command's terminal: %m");
    if (index != 0) /* /dev/console names pts/0 (plan.c) */
        die("the sandbox's devpts gave pty %u, not 0: it is not a fresh instance", index);
    pty->slave = open_slave(pty->master);
    if (pty->slave < 0)
        die_errno(errno, "cannot open the command's terminal /dev/pts/0: %m");
    /* Init leads the session the pty belongs to, and the command gets a
     * process group of its own in it: a group whose parent is in the same
     * session is not orphaned, so the pty's ^Z can stop it. */
    if (ioctl(pty->slave, TIOCSCTTY, 0) < 0)
        die_errno(errno, "cannot make /dev/pts/0 the sandbox's controlling terminal: %m");
    int r = channel_send(channel, CHANNEL_PTY, &pty->master, 1);
    if (r < 0)
        die_errno(-r, "cannot hand the command's terminal to clbox: %m");
    enum channel_tag tag;
    size_t n_fds;
    if (channel_recv(channel, &tag, NULL, 0, &n_fds) < 0 || tag != CHANNEL_GO)
        _exit(EXIT_CLBOX_ERROR); /* the launcher says why */
    streams_onto(pty->slave, plan->terminal_streams);
}

void init_pty_take(const struct init_pty *pty)
{
    /* With SIGTTOU blocked, a group not yet in the foreground may take it. */
    sigset_t ttou, before;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &before);
    if (setpgid(0, 0) < 0 || tcsetpgrp(pty->slave, getpid()) < 0)
        die_errno(errno, "cannot give the command the foreground of its terminal: %m");
    sigprocmask(SIG_SETMASK, &before, NULL);
    close(pty->slave);
    close(pty->master);
}

/* Continues the pty's foreground group (the command's own group if the
 * pty cannot tell) and has it redraw: a stopped program does not know
 * what the screen showed meanwhile. */
static void continue_foreground(int master, pid_t command)
{
    pid_t group;
    if (ioctl(master, TIOCGPGRP, &group) < 0 || group <= 1)
        group = command;
    kill(-group, SIGCONT);
    if (group != command)
        kill(-command, SIGCONT);
    kill(-group, SIGWINCH);
}

static void tell_launcher(int channel, int stop_signal)
{
    enum channel_tag tag = stop_signal == SIGSTOP ? CHANNEL_STOP : CHANNEL_TTY_STOP;
    int r = channel_send(channel, tag, NULL, 0);
    if (r < 0)
        warnx_clbox("cannot tell clbox that the command stopped: %s", strerror(-r));
}

/* Reaps every child; the command's exit status once it has ended, else -1
 * (a stop of the command is told to the launcher). */
static int reap(pid_t command, int channel)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG | WUNTRACED);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return -1;
        if (pid != command)
            continue;
        if (WIFSTOPPED(status)) {
            tell_launcher(channel, WSTOPSIG(status));
            continue;
        }
        signals_report_command_end(status);
        return signals_exit_status(status);
    }
}

static void take_request(int channel, int master, pid_t command, bool *launcher_gone)
{
    enum channel_tag tag;
    size_t n_fds;
    int r = channel_recv(channel, &tag, NULL, 0, &n_fds);
    if (r < 0) {
        *launcher_gone = true; /* PR_SET_PDEATHSIG ends init */
        return;
    }
    if (tag == CHANNEL_CONTINUE)
        continue_foreground(master, command);
}

static void take_signals(int sigfd, pid_t command, int *status, int channel)
{
    struct signalfd_siginfo info;
    int endings = 0;
    while (read(sigfd, &info, sizeof info) == (ssize_t)sizeof info) {
        if (info.ssi_signo == SIGCHLD) {
            if (*status < 0)
                *status = reap(command, channel);
        } else {
            signals_pass_on(command, (int)info.ssi_signo, false, &endings);
        }
    }
}

int init_pty_relay(pid_t command, int channel, int master)
{
    /* Init writes its messages to the pty too, where the command may hold
     * the foreground: a stop signal would be dropped for pid 1 and the
     * write retried forever; ignored, the write goes through. */
    signal(SIGTTOU, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    int sigfd = signals_open_fd(false);
    if (sigfd < 0)
        die_errno(errno, "cannot wait for signals in the sandbox's init: %m");
    int status = reap(command, channel); /* it may be gone already */
    bool launcher_gone = false;
    while (status < 0) {
        struct pollfd fds[2] = {{.fd = sigfd, .events = POLLIN},
                                {.fd = launcher_gone ? -1 : channel, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            die_errno(errno, "cannot wait in the sandbox's init: %m");
        }
        if (fds[1].revents)
            take_request(channel, master, command, &launcher_gone);
        if (fds[0].revents)
            take_signals(sigfd, command, &status, channel);
    }
    /* Orphans still running die with init; their pty closes with them. */
    return status;
}
