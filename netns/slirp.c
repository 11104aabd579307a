#include "slirp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../launcher/util.h"

char *slirp_find_binary(void)
{
    const char *override = getenv("CLBOX_SLIRP4NETNS");
    if (override && *override)
        return access(override, X_OK) == 0 ? xstrdup(override) : NULL;
    const char *path = getenv("PATH");
    autofree char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        autofree char *candidate = xasprintf("%s/slirp4netns", dir);
        if (access(candidate, X_OK) == 0)
            return steal_ptr(&candidate);
    }
    return NULL;
}

/* The usual failure, checked here so the message can say how to fix it. */
static int check_tun(char *err, size_t errlen)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    int e = errno;
    if (e == ENOENT)
        snprintf(err, errlen, "cannot open /dev/net/tun: %s (slirp4netns needs it: load the module with "
                 "'sudo modprobe tun', or run with --net none)", strerror(e));
    else
        snprintf(err, errlen, "cannot open /dev/net/tun: %s (slirp4netns needs it; on most distros it is mode "
                 "0666: 'sudo chmod 0666 /dev/net/tun', or run with --net none)", strerror(e));
    return -1;
}

_Noreturn static void exec_slirp(const char *binary, const struct slirp_options *opts, int ready_w, int exit_r,
                                 int log_w)
{
    char pid[32], userns[64], ready[32], exitfd[32];
    snprintf(pid, sizeof pid, "%d", (int)opts->sandbox_pid);
    snprintf(userns, sizeof userns, "--userns-path=/proc/%d/ns/user", (int)opts->sandbox_pid);
    snprintf(ready, sizeof ready, "--ready-fd=%d", ready_w);
    snprintf(exitfd, sizeof exitfd, "--exit-fd=%d", exit_r);
    const char *argv[16];
    int n = 0;
    argv[n++] = "slirp4netns";
    argv[n++] = "--configure";
    argv[n++] = "--mtu=65520";
    if (!opts->dns)
        argv[n++] = "--disable-dns";
    argv[n++] = "--enable-sandbox";
    argv[n++] = "--enable-seccomp";
    if (!opts->host_loopback)
        argv[n++] = "--disable-host-loopback";
    argv[n++] = userns;
    argv[n++] = ready;
    argv[n++] = exitfd;
    argv[n++] = pid;
    argv[n++] = "tap0";
    argv[n] = NULL;
    dup2(log_w, STDOUT_FILENO);
    dup2(log_w, STDERR_FILENO);
    /* Only these survive exec: the pipes were made close-on-exec. */
    fcntl(ready_w, F_SETFD, 0);
    fcntl(exit_r, F_SETFD, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(binary, (char **)argv);
    dprintf(log_w, "cannot run %s: %s\n", binary, strerror(errno));
    _exit(127);
}

int slirp_start(const struct slirp_options *opts, struct slirp *slirp, char *err, size_t errlen)
{
    *slirp = (struct slirp){.pid = -1, .ready_fd = -1, .exit_fd = -1, .log_fd = -1};
    autofree char *binary = slirp_find_binary();
    const char *override = getenv("CLBOX_SLIRP4NETNS");
    if (!binary && override && *override) {
        snprintf(err, errlen, "CLBOX_SLIRP4NETNS=%s is not an executable file (point it at slirp4netns, or unset it "
                 "to use the one on PATH)", override);
        return -1;
    }
    if (!binary) {
        snprintf(err, errlen, "slirp4netns not found in PATH (the sandbox's network needs it: "
                 "'sudo apt-get install slirp4netns', or run with --net none)");
        return -1;
    }
    if (check_tun(err, errlen) < 0)
        return -1;
    int ready[2], exitp[2];
    /* Its output goes to a memory file, not a pipe: nobody reads it unless
     * it fails, and a full pipe would stall the network. */
    int output = memfd_create("slirp4netns-output", MFD_CLOEXEC);
    if (output < 0 || pipe2(ready, O_CLOEXEC) < 0 || pipe2(exitp, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create pipes for slirp4netns: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start slirp4netns: %s", strerror(errno));
        return -1;
    }
    if (pid == 0)
        exec_slirp(binary, opts, ready[1], exitp[0], output);
    close(ready[1]);
    close(exitp[0]);
    *slirp = (struct slirp){.pid = pid, .ready_fd = ready[0], .exit_fd = exitp[1], .log_fd = output};
    return 0;
}

/* slirp4netns's own words, for a message about its failure. */
static void read_log(int fd, char *buf, size_t len)
{
    ssize_t n = pread(fd, buf, len - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = (p[1] ? ' ' : '\0');
}

int slirp_wait_ready(struct slirp *slirp, int timeout_ms, char *err, size_t errlen)
{
    struct pollfd p = {.fd = slirp->ready_fd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    char byte = 0;
    if (r > 0 && read(slirp->ready_fd, &byte, 1) == 1 && byte == '1')
        return 0;
    char output[512];
    read_log(slirp->log_fd, output, sizeof output);
    if (r == 0)
        snprintf(err, errlen, "slirp4netns did not bring the sandbox's network up within %d ms%s%s", timeout_ms,
                 output[0] ? ": " : "", output);
    else
        snprintf(err, errlen, "slirp4netns failed to set up the sandbox's network%s%s", output[0] ? ": " : "",
                 output[0] ? output : " (it exited without a word)");
    kill(slirp->pid, SIGKILL);
    return -1;
}

void slirp_release(struct slirp *slirp)
{
    if (slirp->exit_fd >= 0)
        close(slirp->exit_fd);
    if (slirp->ready_fd >= 0)
        close(slirp->ready_fd);
    if (slirp->log_fd >= 0)
        close(slirp->log_fd);
    slirp->exit_fd = slirp->ready_fd = slirp->log_fd = -1;
}
