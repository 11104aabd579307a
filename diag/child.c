/* Bounded children: whatever doctor starts runs in a child process of its
 * own process group, whose output is collected, and which is killed with
 * everything it started if it outlives its time. */
#include "diag/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dup2() leaves the close-on-exec flag alone when both fds are the same,
 * which happens when stdin, stdout or stderr were closed. */
static void move_fd(int fd, int target)
{
    if (fd == target)
        fcntl(fd, F_SETFD, 0);
    else
        dup2(fd, target);
}

_Noreturn static void child_start(child_fn *fn, const void *arg, int out_w)
{
    /* Its own process group, so that a kill reaches what it started too (a
     * script's children, the sandbox's helpers).  With stdin, stdout and
     * stderr off the terminal, being in the background changes nothing. */
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0)
        move_fd(null, STDIN_FILENO);
    move_fd(out_w, STDOUT_FILENO);
    move_fd(out_w, STDERR_FILENO);
    fn(arg);
    _exit(127);
}

/* Appends what is readable within wait_ms.  Returns 1 if it read
 * something, 0 if nothing came, -1 at the end of the pipe. */
static int read_some(int fd, struct child *c, size_t *len, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0)
        return -1;
    size_t room = sizeof c->output - 1 - *len;
    size_t keep = (size_t)n < room ? (size_t)n : room;
    memcpy(c->output + *len, buf, keep);
    *len += keep;
    c->output[*len] = '\0';
    return 1;
}

/* True once the child has ended; it stays a zombie, not reaped, so that
 * its pid, which names its process group, cannot be reused yet. */
static bool child_ended(pid_t pid)
{
    siginfo_t info = {0};
    int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
    return (r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR);
}

/* Waits for the child's exit, not for the pipe's end: a grandchild (the
 * sandbox's network helpers) may hold the pipe a little longer. */
static void child_collect(struct child *c, pid_t pid, int out_r)
{
    size_t len = 0;
    bool pipe_open = true;
    long deadline = now_ms() + c->timeout_ms;
    while (!child_ended(pid)) {
        if (now_ms() >= deadline) {
            c->timed_out = true;
            break;
        }
        if (pipe_open)
            pipe_open = read_some(out_r, c, &len, 20) >= 0;
        else
            nanosleep(&(struct timespec){.tv_nsec = 20L * 1000 * 1000}, NULL);
    }
    while (pipe_open && read_some(out_r, c, &len, 0) > 0)
        ;
    /* The child, if it overran, and whatever it left behind. */
    kill(-pid, SIGKILL);
    while (waitpid(pid, &c->status, 0) < 0 && errno == EINTR)
        ;
}

void child_run_bounded(child_fn *fn, const void *arg, int timeout_ms, struct child *c)
{
    *c = (struct child){.timeout_ms = timeout_ms};
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(c->output, sizeof c->output, "cannot create a pipe: %m");
        return;
    }
    /* Or else a child that exits through stdio would print our buffered
     * lines a second time. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(c->output, sizeof c->output, "cannot start a process: %m");
        close(p[0]);
        close(p[1]);
        return;
    }
    if (pid == 0) {
        close(p[0]);
        child_start(fn, arg, p[1]);
    }
    /* Set from both sides: whichever runs first, the group exists before
     * we might kill it. */
    setpgid(pid, pid);
    close(p[1]);
    c->started = true;
    child_collect(c, pid, p[0]);
    close(p[0]);
}

bool child_succeeded(const struct child *c)
{
    return c->started && !c->timed_out && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
}

/* How a child that did not succeed ended. */
void child_describe_end(const struct child *c, char *buf, size_t len)
{
    if (!c->started)
        snprintf(buf, len, "not started");
    else if (c->timed_out)
        snprintf(buf, len, "still running after %d s, killed", c->timeout_ms / 1000);
    else if (WIFSIGNALED(c->status))
        snprintf(buf, len, "killed by signal %d", WTERMSIG(c->status));
    else
        snprintf(buf, len, "exit status %d", WEXITSTATUS(c->status));
}

/* The length of the "clbox: " or "clbox[NAME]: " that starts text, or 0. */
static size_t clbox_prefix_len(const char *text, size_t n)
{
    if (n >= 7 && strncmp(text, "clbox: ", 7) == 0)
        return 7;
    if (n < 6 || strncmp(text, "clbox[", 6) != 0)
        return 0;
    const char *close = memchr(text + 6, ']', n - 6);
    if (!close)
        return 0;
    size_t after = (size_t)(close - text) + 1;
    return after + 2 <= n && close[1] == ':' && close[2] == ' ' ? after + 2 : 0;
}

/* A child's output on one line: its lines joined with "; ", without the
 * "clbox: " (or "clbox[NAME]: ") each of clbox's own messages starts with. */
void child_output_line(const char *in, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *line = in; *line && len < outlen - 1;) {
        size_t n = strcspn(line, "\n");
        const char *text = line;
        size_t tn = n;
        size_t prefix = clbox_prefix_len(text, tn);
        text += prefix, tn -= prefix;
        if (tn > 0) {
            int w = snprintf(out + len, outlen - len, "%s%.*s", len ? "; " : "", (int)tn, text);
            len = w < 0 || (size_t)w >= outlen - len ? outlen - 1 : len + (size_t)w;
        }
        line += n + (line[n] == '\n');
    }
}

void child_exec(const void *arg)
{
    const struct child_exec_request *x = arg;
    if (x->dir && chdir(x->dir) < 0) {
        dprintf(STDERR_FILENO, "cannot enter %s: %m\n", x->dir);
        _exit(127);
    }
    /* execv takes char *const[] for old C compatibility only: it writes nothing there. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
    execv(x->path, (char **)x->argv);
#pragma GCC diagnostic pop
    dprintf(STDERR_FILENO, "cannot run %s: %m\n", x->path);
    _exit(127);
}
