#include "netns/stack/netstack.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "netns/stack/pasta.h"
#include "netns/stack/slirp.h"

static const char *package_name(enum net_backend kind)
{
    return kind == NET_BACKEND_PASTA ? "passt" : "slirp4netns";
}

/* The plan found no program to run: say which, and how to get one. */
static int binary_or_say(const struct netstack_options *opts, struct error *err)
{
    if (opts->binary)
        return 0;
    enum net_backend kind = opts->kind;
    const char *var = net_backend_override_var(kind), *override = opts->override, *name = net_backend_name(kind);
    if (override && *override)
        error_set(err, "%s=%s is not an executable file (point it at %s, or unset it to use the one on PATH)",
                  var, override, name);
    else
        error_set(err, "%s not found in PATH (the sandbox's network needs it: 'sudo apt-get install %s'%s, "
                 "or run with --net none)", name, package_name(kind),
                 kind == NET_BACKEND_PASTA ? ", or use --net-backend slirp4netns" : "");
    return -1;
}

/* The usual failure, checked here so the message can say how to fix it. */
static int check_tun(enum net_backend kind, struct error *err)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    int e = errno;
    if (e == ENOENT)
        error_errno(err, e, "cannot open /dev/net/tun: %m (%s needs it: load the module with "
                    "'sudo modprobe tun', or run with --net none)", net_backend_name(kind));
    else
        error_errno(err, e, "cannot open /dev/net/tun: %m (%s needs it; on most distros it is mode "
                    "0666: 'sudo chmod 0666 /dev/net/tun', or run with --net none)", net_backend_name(kind));
    return -1;
}

/* In the child: pasta cannot be handed an exit fd (it closes every
 * inherited one), so it dies with the launcher instead. */
static void die_with_parent(pid_t launcher)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != launcher)
        _exit(127);
}

_Noreturn static void exec_stack(const char *binary, const struct netstack_options *opts, pid_t launcher,
                                 int ready_w, int exit_r, int log_w)
{
    struct netstack_args args;
    if (opts->kind == NET_BACKEND_PASTA) {
        die_with_parent(launcher);
        pasta_build_args(opts, &args);
        dup2(ready_w, STDOUT_FILENO); /* its PID file: see pasta.c */
    } else {
        slirp_build_args(opts, ready_w, exit_r, &args);
        dup2(log_w, STDOUT_FILENO);
        /* Only these survive exec: the pipes were made close-on-exec. */
        fcntl(ready_w, F_SETFD, 0);
        fcntl(exit_r, F_SETFD, 0);
    }
    dup2(log_w, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* execv takes char *const[] for old C compatibility only: it writes nothing there. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
    execv(binary, (char **)args.argv);
#pragma GCC diagnostic pop
    dprintf(log_w, "cannot run %s: %m\n", binary);
    _exit(127);
}

int netstack_start(const struct netstack_options *opts, struct netstack *stack, struct error *err)
{
    *stack = NETSTACK_INIT(opts->kind);
    if (binary_or_say(opts, err) < 0 || check_tun(opts->kind, err) < 0)
        return -1;
    int ready[2], exitp[2] = {-1, -1};
    /* pasta's lifetime is the launcher's (see exec_stack), so only
     * slirp4netns gets an exit pipe. */
    bool exit_pipe = opts->kind == NET_BACKEND_SLIRP4NETNS;
    /* Its output goes to a memory file, not a pipe: nobody reads it unless
     * it fails, and a full pipe would stall the network. */
    int output = memfd_create("netstack-output", MFD_CLOEXEC);
    if (output < 0 || pipe2(ready, O_CLOEXEC) < 0 || (exit_pipe && pipe2(exitp, O_CLOEXEC) < 0)) {
        error_errno(err, errno, "cannot create pipes for %s: %m", net_backend_name(opts->kind));
        return -1;
    }
    pid_t launcher = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        error_errno(err, errno, "cannot start %s: %m", net_backend_name(opts->kind));
        return -1;
    }
    if (pid == 0)
        exec_stack(opts->binary, opts, launcher, ready[1], exitp[0], output);
    close(ready[1]);
    if (exit_pipe)
        close(exitp[0]);
    *stack = (struct netstack){
        .kind = opts->kind, .pid = pid, .ready_fd = ready[0], .exit_fd = exitp[1], .log_fd = output};
    return 0;
}

/* The stack's own words, for a message about its failure. */
static void read_log(int fd, char *buf, size_t len)
{
    ssize_t n = pread(fd, buf, len - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ' ' : '\0';
}

/* slirp4netns writes '1' to its ready fd; pasta writes its pid. */
static bool ready_byte(enum net_backend kind, char byte)
{
    return kind == NET_BACKEND_PASTA ? byte >= '1' && byte <= '9' : byte == '1';
}

int netstack_wait_ready(struct netstack *stack, int timeout_ms, struct error *err)
{
    struct pollfd p = {.fd = stack->ready_fd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    char byte = 0;
    if (r > 0 && read(stack->ready_fd, &byte, 1) == 1 && ready_byte(stack->kind, byte))
        return 0;
    const char *name = net_backend_name(stack->kind);
    char output[512];
    read_log(stack->log_fd, output, sizeof output);
    if (r == 0)
        error_set(err, "%s did not bring the sandbox's network up within %d ms%s%s", name, timeout_ms,
                  output[0] ? ": " : "", output);
    else
        error_set(err, "%s failed to set up the sandbox's network%s%s", name, output[0] ? ": " : "",
                  output[0] ? output : " (it exited without a word)");
    kill(stack->pid, SIGKILL);
    return -1;
}

void netstack_release(struct netstack *stack)
{
    /* Only a child not yet reaped: its pid cannot have been reused. */
    if (stack->kind == NET_BACKEND_PASTA && stack->pid > 0 && waitpid(stack->pid, NULL, WNOHANG) == 0)
        kill(stack->pid, SIGTERM);
    if (stack->exit_fd >= 0)
        close(stack->exit_fd);
    if (stack->ready_fd >= 0)
        close(stack->ready_fd);
    if (stack->log_fd >= 0)
        close(stack->log_fd);
    stack->exit_fd = stack->ready_fd = stack->log_fd = -1;
}
