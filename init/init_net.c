/* Init's part of the network: inside the sandbox's network namespace,
 * while init still holds CAP_NET_ADMIN there, load the firewall and open
 * the sockets the launcher's DNS gate will use, then wait until the
 * launcher has the network up. */
#include "init/init_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/error.h"
#include "common/message.h"
#include "init/init.h"
#include "netns/kernel/nflog.h"
#include "netns/kernel/nft.h"
#include "proc/channel.h"

static int gate_socket(int type)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, NFT_GATE_ADDR, &addr.sin_addr);
    int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0))
        die_errno(errno, "cannot open the DNS gate's %s socket on " NFT_GATE_ADDR ":53 inside the sandbox: %m",
                  type == SOCK_STREAM ? "TCP" : "UDP");
    return fd;
}

void init_network(const struct plan *plan, int channel)
{
    struct error err = {0};
    int fds[4] = {-1, -1, -1, -1};
    size_t n = 0;
    if (plan->net == NET_FILTERED) {
        struct nft_policy policy = {.allowlist = &plan->allowlist,
                                    .carveouts = &plan->carveouts,
                                    .host_ports = plan->host_ports,
                                    .n_host_ports = plan->n_host_ports};
        /* Fail closed: without the firewall there is no network at all. */
        if (nft_install(&policy, &err) < 0)
            die_error(&err);
        fds[n++] = gate_socket(SOCK_DGRAM);
        fds[n++] = gate_socket(SOCK_STREAM);
        fds[n] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fds[n++] < 0)
            die_errno(errno, "cannot open a netfilter socket for the allowlist: %m");
        if ((fds[n++] = nflog_open(NFT_LOG_GROUP, &err)) < 0)
            die_error(&err);
    }
    int r = channel_send(channel, CHANNEL_NET_READY, fds, n);
    if (r < 0)
        die_errno(-r, "cannot hand the network sockets to clbox: %m");
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    enum channel_tag tag;
    size_t n_fds;
    if (channel_recv(channel, &tag, NULL, 0, &n_fds) < 0 || tag != CHANNEL_GO)
        _exit(EXIT_CLBOX_ERROR); /* the launcher says why */
}
