#include "tests/relay/harness_ns.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_proc(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Root of a user namespace of its own, which owns the new network namespace. */
static int enter_namespaces(void)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
        fprintf(stderr, "relay-harness: cannot make the sandbox's namespaces: %s\n", strerror(errno));
        return -1;
    }
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    int r = write_proc("/proc/self/setgroups", "deny") | write_proc("/proc/self/uid_map", map);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    r |= write_proc("/proc/self/gid_map", map);
    if (r < 0)
        fprintf(stderr, "relay-harness: cannot map the sandbox's user: %s\n", strerror(errno));
    return r;
}

static int run_setup(const char *setup)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-ec", setup, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "relay-harness: the sandbox's setup command failed (status %d)\n", status);
        return -1;
    }
    return 0;
}

static int listener(int family, unsigned port)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        *sin6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        len = sizeof *sin6;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
        fprintf(stderr, "relay-harness: cannot listen on port %u (%s) in the sandbox: %s\n", port,
                family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    return fd;
}

static int send_fds(int sock, const int *fds, int n)
{
    char byte = 'L';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } u = {0};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int))};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
    memcpy(CMSG_DATA(cm), fds, (size_t)n * sizeof(int));
    return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN((size_t)n * sizeof(int)))
        return -1;
    memcpy(fds, CMSG_DATA(cm), (size_t)n * sizeof(int));
    return 0;
}

static _Noreturn void holder(int sock, const char *setup, unsigned port, bool v4, bool v6)
{
    int fds[2], n = 0;
    if (enter_namespaces() < 0 || run_setup(setup) < 0)
        _exit(1);
    if (v4 && (fds[n++] = listener(AF_INET, port)) < 0)
        _exit(1);
    if (v6 && (fds[n++] = listener(AF_INET6, port)) < 0)
        _exit(1);
    if (send_fds(sock, fds, n) < 0)
        _exit(1);
    for (int i = 0; i < n; i++)
        close(fds[i]); /* the relay holds the only copies */
    char byte;
    while (read(sock, &byte, 1) < 0 && errno == EINTR)
        ; /* until the harness ends */
    _exit(0);
}

int sandbox_ns_start(const char *setup, unsigned port, bool v4, bool v6, struct sandbox_ns *ns)
{
    int sp[2];
    ns->fds[0] = ns->fds[1] = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return -1;
    pid_t parent = getpid();
    ns->pid = fork();
    if (ns->pid < 0)
        return -1;
    if (ns->pid == 0) {
        close(sp[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        holder(sp[1], setup, port, v4, v6);
    }
    close(sp[1]);
    int got[2] = {-1, -1};
    int want = (v4 ? 1 : 0) + (v6 ? 1 : 0);
    if (recv_fds(sp[0], got, want) < 0) {
        fprintf(stderr, "relay-harness: the sandbox handed over no listening sockets\n");
        return -1;
    }
    /* sp[0] stays open (and leaks into nothing: close-on-exec) while the harness lives. */
    ns->fds[0] = v4 ? got[0] : -1;
    ns->fds[1] = v6 ? got[v4 ? 1 : 0] : -1;
    return 0;
}
