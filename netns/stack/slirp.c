/* slirp4netns's command line.  It joins the sandbox's user namespace,
 * configures tap0 as 10.0.2.100/24 with 10.0.2.2 as the gateway, writes
 * '1' to the ready fd, and exits when the exit fd's other end closes. */
#include "netns/stack/slirp.h"

#include <stdio.h>

#include "netns/stack/netstack.h"

void slirp_build_args(const struct netstack_options *opts, int ready_w, int exit_r, struct netstack_args *args)
{
    char *pid = args->scratch[0], *userns = args->scratch[1], *ready = args->scratch[2], *exitfd = args->scratch[3];
    snprintf(pid, sizeof args->scratch[0], "%d", (int)opts->sandbox_pid);
    snprintf(userns, sizeof args->scratch[1], "--userns-path=/proc/%d/ns/user", (int)opts->sandbox_pid);
    snprintf(ready, sizeof args->scratch[2], "--ready-fd=%d", ready_w);
    snprintf(exitfd, sizeof args->scratch[3], "--exit-fd=%d", exit_r);
    const char **argv = args->argv;
    int n = 0;
    argv[n++] = "slirp4netns";
    argv[n++] = "--configure";
    argv[n++] = "--mtu=65520";
    if (!opts->dns)
        argv[n++] = "--disable-dns";
    argv[n++] = "--enable-sandbox";
    argv[n++] = "--enable-seccomp";
    if (!opts->host_loopback)
        argv[n++] = "--disable-host-loopback";
    argv[n++] = userns;
    argv[n++] = ready;
    argv[n++] = exitfd;
    argv[n++] = pid;
    argv[n++] = "tap0";
    argv[n] = NULL;
}
