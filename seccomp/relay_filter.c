#include "seccomp/relay_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/error.h"

/* Everything else kills the relay: the sandbox then has no TCP at all (the
 * firewall sends its TCP nowhere else), which is the safe way to fail. */
static const char *const allowed[] = {
    /* The loop and its connections. */
    "epoll_wait", "epoll_pwait", "epoll_ctl", "accept4", "connect", "shutdown", "splice", "pipe2", "close",
    "recvfrom", "sendto", "read", "write", "writev", "setsockopt", "getsockopt", "getsockname", "getpeername",
    /* Time, memory, signals, the end. */
    "clock_gettime", "gettimeofday", "time", "brk", "mmap", "munmap", "mremap", "madvise", "getrandom",
    "rt_sigreturn", "rt_sigprocmask", "restart_syscall", "futex", "getpid", "exit", "exit_group",
};

int seccomp_install_relay(struct error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    /* New sockets: the outgoing side of a connection, IPv4 or IPv6 only. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET6));
    if (rc == 0)
        rc = seccomp_load(ctx);
    if (rc < 0)
        error_errno(err, -rc, "cannot confine the TCP relay with seccomp: %m");
    seccomp_release(ctx);
    return rc < 0 ? -1 : 0;
}
