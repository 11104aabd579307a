#include "link.h"

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdio.h>

int link_set_up(const char *ifname, char *err, size_t errlen)
{
    int rc = -1;
    struct nl_sock *sock = nl_socket_alloc();
    struct rtnl_link *link = NULL;
    struct rtnl_link *change = rtnl_link_alloc();
    if (!sock || !change) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    int nlrc = nl_connect(sock, NETLINK_ROUTE);
    if (nlrc < 0) {
        snprintf(err, errlen, "cannot open a route netlink socket: %s", nl_geterror(nlrc));
        goto out;
    }
    nlrc = rtnl_link_get_kernel(sock, 0, ifname, &link);
    if (nlrc < 0) {
        snprintf(err, errlen, "cannot find the interface %s: %s", ifname, nl_geterror(nlrc));
        goto out;
    }
    rtnl_link_set_flags(change, IFF_UP);
    nlrc = rtnl_link_change(sock, link, change, 0);
    if (nlrc < 0) {
        snprintf(err, errlen, "cannot bring %s up: %s", ifname, nl_geterror(nlrc));
        goto out;
    }
    rc = 0;
out:
    rtnl_link_put(change);
    rtnl_link_put(link);
    nl_socket_free(sock);
    return rc;
}
