#include "netns/kernel/nflog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"

/* Sends one NFULNL_MSG_CONFIG message and waits for its ack. */
static int send_config(struct mnl_socket *nl, uint16_t group, uint8_t command, bool set_mode)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = 1;
    struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(group);
    if (command) {
        struct nfulnl_msg_config_cmd cmd = {.command = command};
        mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof cmd, &cmd);
    }
    if (set_mode) {
        /* The headers are enough to name the destination. */
        struct nfulnl_msg_config_mode mode = {.copy_range = htonl(96), .copy_mode = NFULNL_COPY_PACKET};
        mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof mode, &mode);
        /* Each packet at once: the report must not trail by a second, and
         * must not be lost when the sandbox ends right after. */
        mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
        mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(0));
    }
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return -errno;
    ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n < 0)
        return -errno;
    return mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl), NULL, NULL) < 0 ? -errno : 0;
}

int nflog_open(uint16_t group, struct error *err)
{
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        error_errno(err, errno, "cannot open the firewall's log: %m");
        if (nl)
            mnl_socket_close(nl);
        return -1;
    }
    int r = send_config(nl, group, NFULNL_CFG_CMD_BIND, false);
    if (r == 0)
        r = send_config(nl, group, 0, true);
    if (r < 0) {
        error_errno(err, -r, "cannot subscribe to the firewall's log: %m");
        mnl_socket_close(nl);
        return -1;
    }
    /* Keep the fd; the mnl wrapper is freed without closing it. */
    int fd = dup(mnl_socket_get_fd(nl));
    mnl_socket_close(nl);
    if (fd < 0)
        error_errno(err, errno, "cannot keep the firewall's log: %m");
    return fd;
}

static void packet_from_payload(const uint8_t *p, size_t len, struct nflog_packet *pkt)
{
    size_t l4 = 0;
    *pkt = (struct nflog_packet){0};
    if (len >= 20 && (p[0] >> 4) == 4) {
        pkt->family = AF_INET;
        memcpy(pkt->daddr, p + 16, 4);
        pkt->protocol = p[9];
        l4 = (size_t)(p[0] & 0x0f) * 4;
    } else if (len >= 40 && (p[0] >> 4) == 6) {
        pkt->family = AF_INET6;
        memcpy(pkt->daddr, p + 24, 16);
        pkt->protocol = p[6]; /* extension headers are not followed */
        l4 = 40;
    }
    if ((pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP) && l4 >= 20 && len >= l4 + 4)
        pkt->dport = (uint16_t)(p[l4 + 2] << 8 | p[l4 + 3]);
}

int nflog_parse(const void *buf, size_t len, void (*seen)(const struct nflog_packet *, void *), void *ctx)
{
    int count = 0;
    int remaining = (int)len;
    for (const struct nlmsghdr *nlh = buf; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
        if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
            continue;
        const struct nlattr *attr;
        mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
        {
            if (mnl_attr_get_type(attr) != NFULA_PAYLOAD)
                continue;
            struct nflog_packet pkt;
            packet_from_payload(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr), &pkt);
            if (pkt.family) {
                seen(&pkt, ctx);
                count++;
            }
        }
    }
    return remaining == 0 || count > 0 ? count : -1;
}
