/* Init's part of the network: inside the sandbox's network namespace, a
 * child of init that holds CAP_NET_ADMIN there loads the firewall and
 * hands the launcher the sockets its DNS gate will use, while init builds
 * the sandbox's filesystem; init then waits until the launcher has the
 * network up. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "../netns/nflog.h"
#include "../netns/nft.h"
#include "channel.h"
#include "init.h"

static int gate_socket(int type)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, NFT_GATE_ADDR, &addr.sin_addr);
    int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0))
        die("cannot open the DNS gate's %s socket on " NFT_GATE_ADDR ":53 inside the sandbox: %s",
            type == SOCK_STREAM ? "TCP" : "UDP", strerror(errno));
    return fd;
}

/* The firewall, then the sockets for the gate, sent to the launcher. */
_Noreturn static void set_up_network(const struct plan *plan, int channel)
{
    char err[512];
    int fds[4] = {-1, -1, -1, -1};
    size_t n = 0;
    if (plan->net == NET_FILTERED) {
        struct nft_policy policy = {
            .allowlist = &plan->allowlist, .host_ports = plan->host_ports, .n_host_ports = plan->n_host_ports};
        /* Fail closed: without the firewall there is no network at all. */
        if (nft_install(&policy, err, sizeof err) < 0)
            die("%s", err);
        fds[n++] = gate_socket(SOCK_DGRAM);
        fds[n++] = gate_socket(SOCK_STREAM);
        fds[n] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fds[n++] < 0)
            die("cannot open a netfilter socket for the allowlist: %s", strerror(errno));
        if ((fds[n++] = nflog_open(NFT_LOG_GROUP, err, sizeof err)) < 0)
            die("%s", err);
    }
    int r = channel_send(channel, CHANNEL_NET_READY, fds, n);
    if (r < 0)
        die("cannot hand the network sockets to clbox: %s", strerror(-r));
    _exit(0);
}

pid_t init_network_start(const struct plan *plan, int channel)
{
    pid_t pid = fork();
    if (pid < 0)
        die("cannot start setting up the sandbox's network: %s", strerror(errno));
    if (pid == 0)
        set_up_network(plan, channel);
    return pid;
}

void init_network_finish(pid_t helper, int channel)
{
    int status;
    pid_t r;
    do
        r = waitpid(helper, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        _exit(EXIT_CLBOX_ERROR); /* it said why */
    enum channel_tag tag;
    size_t n_fds;
    if (channel_recv(channel, &tag, NULL, 0, &n_fds) < 0 || tag != CHANNEL_GO)
        _exit(EXIT_CLBOX_ERROR); /* the launcher says why */
}
