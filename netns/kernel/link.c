#include "netns/kernel/link.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"

/* Two ioctls on a throwaway socket: all it takes to set IFF_UP, without a
 * netlink library to load on every start. */
int link_set_up(const char *ifname, struct error *err)
{
    struct ifreq req = {0};
    if (strlen(ifname) >= sizeof req.ifr_name) {
        error_set(err, "interface name %s is too long", ifname);
        return -1;
    }
    strcpy(req.ifr_name, ifname);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_errno(err, errno, "cannot open a socket to configure %s: %m", ifname);
        return -1;
    }
    int rc = ioctl(fd, SIOCGIFFLAGS, &req);
    if (rc == 0 && !(req.ifr_flags & IFF_UP)) {
        req.ifr_flags |= IFF_UP;
        rc = ioctl(fd, SIOCSIFFLAGS, &req);
    }
    if (rc < 0)
        error_errno(err, errno, "cannot bring %s up: %m", ifname);
    close(fd);
    return rc < 0 ? -1 : 0;
}
