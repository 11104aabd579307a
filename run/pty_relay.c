/* The launcher relays the command's pty to the user's terminal, as sudo
 * does with use_pty: keys to the pty's master, the master's output to the
 * screen, the window size on SIGWINCH, and job control: when the command
 * stops on ^Z, clbox gives the terminal back and stops itself; on `fg` it
 * takes the terminal again and has init continue the command.  One poll()
 * over bounded buffers; nothing is read that cannot be written. */
#include "run/pty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>

#include "common/error.h"
#include "common/message.h"
#include "proc/channel.h"
#include "proc/signals.h"

/* What the command wrote before it ended is still in the pty: read it for
 * at most this long once the sandbox has exited. */
#define DRAIN_MS 2000

static void buf_fill(struct relay_buf *b, int fd, bool *closed)
{
    ssize_t n = read(fd, b->data + b->len, sizeof b->data - b->len);
    if (n > 0)
        b->len += (size_t)n;
    else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        *closed = true; /* EIO: the other side is gone */
}

static void buf_flush(struct relay_buf *b, int fd, bool *closed)
{
    ssize_t n = write(fd, b->data, b->len);
    if (n > 0) {
        memmove(b->data, b->data + n, b->len - (size_t)n);
        b->len -= (size_t)n;
    } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
        *closed = true;
        b->len = 0;
    }
}

int pty_relay_start(struct pty_relay *r, const struct plan *plan, int channel, pid_t init)
{
    struct error err = {0};
    *r = (struct pty_relay){.master = -1, .channel = channel, .init = init, .sigfd = -1};
    int fds[CHANNEL_MAX_FDS];
    size_t n_fds = 0;
    enum channel_tag tag;
    if (channel_recv(channel, &tag, fds, CHANNEL_MAX_FDS, &n_fds) < 0 || tag != CHANNEL_PTY || n_fds != 1) {
        for (size_t i = 0; i < n_fds; i++)
            close(fds[i]);
        return -1; /* init failed and said why */
    }
    r->master = fds[0];
    unsigned index;
    if (ioctl(r->master, TIOCGPTN, &index) < 0)
        die_errno(errno, "the sandbox's init handed over something that is not a pty master: %m");
    if (fcntl(r->master, F_SETFL, O_NONBLOCK) < 0)
        die_errno(errno, "cannot set up the command's terminal: %m");
    if (user_tty_open(&r->tty, plan->terminal_streams, &err) < 0)
        die_error(&err);
    r->sigfd = signals_open_fd(true);
    if (r->sigfd < 0)
        die_errno(errno, "cannot wait for signals: %m");
    user_tty_copy_to(&r->tty, r->master);
    user_tty_raw(&r->tty);
    r->keyboard_open = r->tty.keyboard >= 0;
    r->screen_open = true;
    int rc = channel_send(channel, CHANNEL_GO, NULL, 0);
    if (rc < 0)
        warnx_clbox("cannot tell the sandbox to start the command: %s", strerror(-rc));
    return 0;
}

/* The user's terminal is gone: the command gets one SIGHUP, whichever of
 * its signs (SIGHUP from the kernel, end of file, EIO) came first. */
static void terminal_gone(struct pty_relay *r)
{
    r->keyboard_open = false;
    if (r->hung_up)
        return;
    r->hung_up = true;
    signals_pass_on(r->init, SIGHUP, true, &r->endings);
}

/* The command's foreground group takes the terminal again: raw, its size,
 * and, if it was stopped, continued and told to redraw. */
static void resume(struct pty_relay *r)
{
    user_tty_raw(&r->tty);
    user_tty_sync_size(&r->tty, r->master);
    if (!r->command_stopped)
        return;
    r->command_stopped = false;
    int rc = channel_send(r->channel, CHANNEL_CONTINUE, NULL, 0);
    if (rc < 0)
        warnx_clbox("cannot tell the sandbox to continue the command: %s", strerror(-rc));
}

/* Gives the terminal back and stops clbox, as a stopped job does, so the
 * user's shell shows its prompt; resumes when continued (`fg`).  SIGTSTP
 * is ignored by the kernel for an orphaned process group (no shell to
 * continue it): clbox then goes straight on. */
static void suspend(struct pty_relay *r)
{
    bool screen_closed = false;
    while (r->to_screen.len > 0 && !screen_closed)
        buf_flush(&r->to_screen, r->tty.screen, &screen_closed);
    user_tty_restore(&r->tty);
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    signal(SIGTSTP, SIG_DFL);
    kill(getpid(), SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &tstp, NULL); /* stops here */
    sigprocmask(SIG_BLOCK, &tstp, NULL);
    resume(r);
}

static void take_message(struct pty_relay *r)
{
    enum channel_tag tag;
    size_t n_fds;
    if (channel_recv(r->channel, &tag, NULL, 0, &n_fds) < 0) {
        r->channel_open = false; /* init is ending: SIGCHLD follows */
        return;
    }
    if (tag == CHANNEL_TTY_STOP) {
        r->command_stopped = true;
        suspend(r);
    } else if (tag == CHANNEL_STOP) {
        /* SIGSTOP never comes from a terminal: clbox keeps it, and the
         * user's shell is not told of a stop it did not ask for. */
        r->command_stopped = true;
        warnx_clbox("the command was stopped by SIGSTOP inside the sandbox: to continue it, kill -CONT %d",
                    (int)getpid());
    }
}

/* Returns the sandbox's exit status once init has ended, else -1. */
static int take_signals(struct pty_relay *r)
{
    struct signalfd_siginfo info;
    int status = -1;
    while (status < 0 && read(r->sigfd, &info, sizeof info) == (ssize_t)sizeof info) {
        int sig = (int)info.ssi_signo;
        if (sig == SIGCHLD)
            status = signals_reap(r->init, NULL);
        else if (sig == SIGWINCH)
            user_tty_sync_size(&r->tty, r->master);
        else if (sig == SIGCONT)
            resume(r);
        else if (sig == SIGTSTP)
            suspend(r); /* sent to clbox from outside: ^Z typed goes to the pty */
        else if (sig == SIGHUP && (info.ssi_code == SI_KERNEL || r->hung_up))
            terminal_gone(r);
        else
            signals_pass_on(r->init, sig, true, &r->endings);
    }
    return status;
}

enum { P_SIGNALS, P_CHANNEL, P_KEYBOARD, P_MASTER, P_SCREEN, P_COUNT };

static void poll_once(struct pty_relay *r, struct pollfd *p)
{
    p[P_SIGNALS] = (struct pollfd){.fd = r->sigfd, .events = POLLIN};
    p[P_CHANNEL] = (struct pollfd){.fd = r->channel_open ? r->channel : -1, .events = POLLIN};
    bool room_to_pty = r->to_pty.len < sizeof r->to_pty.data;
    p[P_KEYBOARD] = (struct pollfd){.fd = r->keyboard_open && room_to_pty ? r->tty.keyboard : -1, .events = POLLIN};
    short master_events = (short)((r->to_screen.len < sizeof r->to_screen.data ? POLLIN : 0) |
                                  (r->to_pty.len > 0 ? POLLOUT : 0));
    p[P_MASTER] = (struct pollfd){.fd = r->master_open && master_events ? r->master : -1, .events = master_events};
    p[P_SCREEN] = (struct pollfd){.fd = r->to_screen.len > 0 ? r->tty.screen : -1, .events = POLLOUT};
    if (poll(p, P_COUNT, -1) < 0 && errno != EINTR)
        die_errno(errno, "cannot wait on the command's terminal: %m");
}

static void move_data(struct pty_relay *r, const struct pollfd *p)
{
    bool keyboard_closed = false, master_closed = false, screen_closed = false;
    if (p[P_KEYBOARD].revents) {
        buf_fill(&r->to_pty, r->tty.keyboard, &keyboard_closed);
        if (keyboard_closed)
            terminal_gone(r);
    }
    if (p[P_MASTER].revents & POLLOUT)
        buf_flush(&r->to_pty, r->master, &master_closed);
    if (p[P_MASTER].revents & (POLLIN | POLLHUP | POLLERR))
        buf_fill(&r->to_screen, r->master, &master_closed);
    if (master_closed)
        r->master_open = false; /* every slave is closed: the sandbox is ending */
    if (p[P_SCREEN].revents) {
        buf_flush(&r->to_screen, r->tty.screen, &screen_closed);
        if (screen_closed && r->screen_open) {
            r->screen_open = false;
            terminal_gone(r);
        }
    }
    if (!r->screen_open)
        r->to_screen.len = 0; /* nowhere to show it: read and drop */
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The sandbox has exited: what the command wrote last is still in the
 * pty.  Bounded in time: nothing inside can keep writing now. */
static void drain(struct pty_relay *r)
{
    long deadline = now_ms() + DRAIN_MS;
    bool closed = false;
    while (r->screen_open && now_ms() < deadline) {
        if (r->to_screen.len > 0) {
            buf_flush(&r->to_screen, r->tty.screen, &closed);
            if (closed)
                return;
            continue;
        }
        struct pollfd p = {.fd = r->master, .events = POLLIN};
        if (!r->master_open || poll(&p, 1, 50) <= 0)
            return;
        bool master_closed = false;
        buf_fill(&r->to_screen, r->master, &master_closed);
        if (master_closed && r->to_screen.len == 0)
            return;
    }
}

int pty_relay_run(struct pty_relay *r)
{
    r->channel_open = r->master_open = true;
    int status = -1;
    while (status < 0) {
        struct pollfd p[P_COUNT];
        poll_once(r, p);
        move_data(r, p);
        if (p[P_CHANNEL].revents)
            take_message(r);
        if (p[P_SIGNALS].revents)
            status = take_signals(r);
    }
    drain(r);
    user_tty_close(&r->tty);
    close(r->master);
    close(r->sigfd);
    return status;
}
