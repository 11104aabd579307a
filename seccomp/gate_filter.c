#include "seccomp/gate_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/error.h"

/* Everything else kills the gate: the sandbox then simply cannot resolve
 * names any more, which is the safe way to fail. */
static const char *const allowed[] = {
    "read", "write", "writev", "close", "poll", "ppoll", "recvfrom", "recvmsg", "sendto", "sendmsg", "send",
    "recv", "connect", "accept4", "setsockopt", "getsockopt", "getsockname", "fcntl", "getrandom",
    "clock_gettime", "clock_nanosleep", "gettimeofday", "time", "getpid", "brk", "mmap", "munmap", "mremap",
    "madvise", "rt_sigreturn", "rt_sigprocmask", "exit", "exit_group", "restart_syscall", "futex",
};

int seccomp_install_gate(struct error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    /* New sockets: upstream queries only (IPv4, IPv6). */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET6));
    if (rc == 0)
        rc = seccomp_load(ctx);
    if (rc < 0)
        error_errno(err, -rc, "cannot confine the DNS gate with seccomp: %m");
    seccomp_release(ctx);
    return rc < 0 ? -1 : 0;
}
