#include "run/net_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/message.h"
#include "netns/gate/gate.h"
#include "plan/plan_print.h"
#include "proc/channel.h"
#include "proc/signals.h"

enum { STACK_READY_TIMEOUT_MS = 5000 };

/* The gate runs in its own process, so that it can be confined on its own
 * and so that a crash in it cannot take the launcher (or the sandbox's
 * exit status) with it. */
static pid_t start_gate(const struct plan *plan, const int *fds)
{
    struct gate_config cfg = {
        .allowlist = &plan->allowlist,
        .carveouts = &plan->carveouts,
        .udp_fd = fds[0],
        .tcp_fd = fds[1],
        .nft_fd = fds[2],
        .log_fd = fds[3],
        .quiet = plan->verbosity == VERBOSITY_QUIET,
        /* The gate's own copy: gate_forget() closes it in the launcher. */
        .log_file_fd = plan->log_fd >= 0 ? fcntl(plan->log_fd, F_DUPFD_CLOEXEC, 3) : -1,
    };
    if (plan->log_fd >= 0 && cfg.log_file_fd < 0) {
        warnx_clbox("cannot hand the log file %s to the DNS gate: %m", plan->log_file);
        return -1;
    }
    gate_prepare(&cfg);
    pid_t launcher = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        warnx_clbox("cannot start the DNS gate: %m");
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != launcher) /* it died before PR_SET_PDEATHSIG took */
            _exit(EXIT_CLBOX_ERROR);
        gate_run(&cfg);
    }
    gate_forget(&cfg);
    return pid;
}

int net_launch(const struct plan *plan, pid_t init, int channel, struct net_session *net)
{
    struct error err = {0};
    struct netstack_options sopts = {
        .kind = plan->net_backend,
        .binary = plan->stack_binary,
        .override = plan->stack_override,
        .sandbox_pid = init,
        .host_loopback = plan->n_host_ports > 0,
        .dns = plan->net == NET_OPEN,
    };
    net->gate = -1;
    if (plan->net == NET_FILTERED)
        plan_tell_carveouts(plan);
    if (netstack_start(&sopts, &net->stack, &err) < 0) {
        warnx_clbox("%s", err.text);
        return -1;
    }
    int fds[CHANNEL_MAX_FDS];
    size_t n_fds = 0;
    enum channel_tag tag;
    if (channel_recv(channel, &tag, fds, CHANNEL_MAX_FDS, &n_fds) < 0 || tag != CHANNEL_NET_READY)
        return -1; /* init failed and said why */
    if (plan->net == NET_FILTERED) {
        if (n_fds != 4) {
            warnx_clbox("the sandbox handed over %zu network sockets, not 4", n_fds);
            return -1;
        }
        net->gate = start_gate(plan, fds);
        for (size_t i = 0; i < n_fds; i++)
            close(fds[i]);
        if (net->gate < 0)
            return -1;
    }
    if (netstack_wait_ready(&net->stack, STACK_READY_TIMEOUT_MS, &err) < 0) {
        warnx_clbox("%s", err.text);
        return -1;
    }
    signals_watch(net->stack.pid, net_backend_name(net->stack.kind), "the sandbox has lost its network");
    if (net->gate > 0)
        signals_watch(net->gate, "the DNS gate", "the sandbox can no longer resolve names");
    if (plan->net == NET_OPEN)
        warnx_clbox("--net open: the sandbox can reach any address, including your local network");
    int r = channel_send(channel, CHANNEL_GO, NULL, 0);
    if (r < 0) {
        warnx_clbox("cannot tell the sandbox to start: %s", strerror(-r));
        return -1;
    }
    return 0;
}

void net_release(struct net_session *net)
{
    if (net->gate > 0) {
        signals_unwatch(net->gate);
        kill(net->gate, SIGTERM);
        /* Bounded: the gate only drains one socket before it exits. */
        for (int i = 0; i < 200 && waitpid(net->gate, NULL, WNOHANG) == 0; i++)
            usleep(1000);
        kill(net->gate, SIGKILL);
        net->gate = -1;
    }
    netstack_release(&net->stack);
}
