/* The launcher's side: create the namespaces with the sandbox's init in
 * them, bring the network up beside it, then pass signals on until the
 * sandbox exits, relaying the command's pty when it has one. */
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
#include "pty_relay.h"
#include "signals.h"
#include "userns.h"

#define SANDBOX_NAMESPACES (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* clone(2) without a new stack: the child continues here, like fork. */
static pid_t clone_into_namespaces(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* init has said why it could not go on, or will be told nothing more. */
static int end_early(pid_t init, struct net_session *net)
{
    kill(init, SIGKILL);
    signals_relay_until_exit(init, true, NULL);
    net_release(net);
    return EXIT_CLBOX_ERROR;
}

int sandbox_run(const struct plan *plan, const struct sandbox_alongside *alongside)
{
    int alive[2];
    int channel[2] = {-1, -1};
    bool need_channel = plan->net != NET_NONE || plan->terminal_streams;
    if (pipe2(alive, O_CLOEXEC) < 0 || (need_channel && channel_pair(channel) < 0))
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
    if (channel[1] >= 0)
        close(channel[1]);
    userns_map_outer(init, plan->uid, plan->gid);
    if (write(alive[1], "m", 1) != 1)
        die("cannot tell the sandbox to go on: %s", strerror(errno));
    struct net_session net = {.gate = -1, .stack = NETSTACK_INIT(NETSTACK_SLIRP4NETNS)};
    if (plan->net != NET_NONE && net_launch(plan, init, channel[0], &net) < 0)
        return end_early(init, &net);
    if (alongside)
        alongside->run(alongside->arg);
    int status;
    if (plan->terminal_streams) {
        struct pty_relay relay;
        if (pty_relay_start(&relay, plan, channel[0], init) < 0)
            return end_early(init, &net);
        status = pty_relay_run(&relay);
    } else {
        status = signals_relay_until_exit(init, true, NULL);
    }
    net_release(&net);
    if (channel[0] >= 0)
        close(channel[0]);
    close(alive[1]);
    return status;
}
