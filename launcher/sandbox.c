/* The launcher's side: create the namespaces with the sandbox's init in
 * them, bring the network up beside it, then pass signals on until the
 * sandbox exits. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "channel.h"
#include "init.h"
#include "net_launch.h"
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
    int channel[2] = {-1, -1};
    if (pipe2(alive, O_CLOEXEC) < 0 || (plan->net != NET_NONE && channel_pair(channel) < 0))
        die("cannot create the pipes to the sandbox: %s", strerror(errno));
    signals_block();
    pid_t init = clone_into_namespaces(SANDBOX_NAMESPACES | CLONE_NEWCGROUP);
    if (init < 0 && errno == EINVAL) /* kernels without cgroup namespaces */
        init = clone_into_namespaces(SANDBOX_NAMESPACES);
    if (init < 0)
        die_namespace_denied("cannot create the sandbox's namespaces", errno);
    if (init == 0) {
        close(alive[1]);
        if (channel[0] >= 0)
            close(channel[0]);
        sandbox_init(plan, alive[0], channel[1]);
    }
    close(alive[0]);
    userns_map_outer(init, plan->uid, plan->gid);
    if (write(alive[1], "m", 1) != 1)
        die("cannot tell the sandbox to go on: %s", strerror(errno));
    struct net_session net = {.gate = -1, .stack = NETSTACK_INIT(NETSTACK_SLIRP4NETNS)};
    if (plan->net != NET_NONE) {
        close(channel[1]);
        if (net_launch(plan, init, channel[0], &net) < 0) {
            /* init has said why, or will be told nothing more: it ends. */
            kill(init, SIGKILL);
            signals_relay_until_exit(init, true);
            net_release(&net);
            return EXIT_CLBOX_ERROR;
        }
    }
    int status = signals_relay_until_exit(init, true);
    net_release(&net);
    close(alive[1]);
    return status;
}
