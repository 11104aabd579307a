/* The launcher's side: create the namespaces with the sandbox's init in
 * them, bring the network up beside it, then pass signals on until the
 * sandbox exits, relaying the command's pty when it has one. */
#include "run/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/message.h"
#include "init/init.h"
#include "proc/channel.h"
#include "proc/signals.h"
#include "proc/userns.h"
#include "run/net_launch.h"
#include "run/pty_relay.h"

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

static void close_if_open(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* Clones the sandbox's init into its namespaces and writes its id maps.
 * Returns init's pid, or -1 after saying why.  Until init is told to go
 * on (alive[1]), the command cannot have run: a failure here is returned,
 * not died of, so that the caller drops what it prepared for the session
 * (the pending audit). */
static pid_t start_init(const struct plan *plan, int alive[2], int channel[2])
{
    bool need_channel = plan->net != NET_NONE || plan->terminal_streams;
    if (pipe2(alive, O_CLOEXEC) < 0 || (need_channel && channel_pair(channel) < 0)) {
        warnx_clbox("cannot create the pipes to the sandbox: %m");
        return -1;
    }
    signals_block();
    pid_t init = clone_into_namespaces(SANDBOX_NAMESPACES | CLONE_NEWCGROUP);
    if (init < 0 && errno == EINVAL) /* kernels without cgroup namespaces */
        init = clone_into_namespaces(SANDBOX_NAMESPACES);
    if (init < 0)
        return warn_namespace_denied("cannot create the sandbox's namespaces", errno);
    if (init == 0) {
        close(alive[1]);
        close_if_open(channel[0]);
        sandbox_init(plan, alive[0], channel[1]);
    }
    close(alive[0]);
    alive[0] = -1;
    close_if_open(channel[1]);
    channel[1] = -1;
    if (userns_map_outer(init, plan->uid, plan->gid) < 0) {
        kill(init, SIGKILL);
        signals_relay_until_exit(init, true, NULL);
        return -1;
    }
    return init;
}

/* Once init is told to go on: the network, then the relay until it exits. */
static int run_started(const struct plan *plan, pid_t init, int channel, const struct sandbox_alongside *alongside)
{
    struct net_session net = {.gate = -1, .stack = NETSTACK_INIT(NET_BACKEND_SLIRP4NETNS)};
    if (plan->net != NET_NONE && net_launch(plan, init, channel, &net) < 0)
        return end_early(init, &net);
    if (alongside)
        alongside->run(alongside->arg);
    int status;
    if (plan->terminal_streams) {
        struct pty_relay relay;
        if (pty_relay_start(&relay, plan, channel, init) < 0)
            return end_early(init, &net);
        status = pty_relay_run(&relay);
    } else {
        status = signals_relay_until_exit(init, true, NULL);
    }
    net_release(&net);
    return status;
}

int sandbox_run(const struct plan *plan, const struct sandbox_alongside *alongside)
{
    int alive[2] = {-1, -1}, channel[2] = {-1, -1};
    pid_t init = start_init(plan, alive, channel);
    int status = EXIT_CLBOX_ERROR;
    if (init > 0 && write(alive[1], "m", 1) != 1) {
        warnx_clbox("cannot tell the sandbox to go on: %m");
        kill(init, SIGKILL);
        signals_relay_until_exit(init, true, NULL);
    } else if (init > 0) {
        status = run_started(plan, init, channel[0], alongside);
    }
    for (int i = 0; i < 2; i++) {
        close_if_open(alive[i]);
        close_if_open(channel[i]);
    }
    return status;
}
