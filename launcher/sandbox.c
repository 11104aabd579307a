/* The launcher's side: create the namespaces with the sandbox's init in
 * them, then pass signals on until it exits. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "init.h"
#include "signals.h"
#include "userns.h"

#define SANDBOX_NAMESPACES (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* clone(2) without a new stack: the child continues here, like fork. */
static pid_t clone_into_namespaces(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int sandbox_run(const struct plan *plan)
{
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) < 0)
        die("cannot create a pipe: %s", strerror(errno));
    signals_block();
    pid_t init = clone_into_namespaces(SANDBOX_NAMESPACES | CLONE_NEWCGROUP);
    if (init < 0 && errno == EINVAL) /* kernels without cgroup namespaces */
        init = clone_into_namespaces(SANDBOX_NAMESPACES);
    if (init < 0)
        die_namespace_denied("cannot create the sandbox's namespaces", errno);
    if (init == 0) {
        close(alive[1]);
        sandbox_init(plan, alive[0]);
    }
    close(alive[0]);
    int status = signals_relay_until_exit(init, SIGNAL_RELAY_FROM_LAUNCHER);
    close(alive[1]);
    return status;
}
