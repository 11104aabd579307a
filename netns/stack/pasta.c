/* pasta's command line, set up to give the sandbox exactly what
 * slirp4netns gives it: tap0 as 10.0.2.100/24, 10.0.2.2 as the gateway,
 * IPv4 only, MTU 65520.
 *
 * pasta's defaults are wider than clbox wants, so each is turned off:
 * -T/-U would forward every port bound on the host's loopback into the
 * sandbox's own loopback (a way around the firewall, which lets loopback
 * through), -t/-u would let the host connect in, and the gateway would be
 * the host's loopback.  The gateway is mapped only with --allow-host-port,
 * and then the firewall admits just the ports named.
 *
 * pasta closes every inherited descriptor above stderr and has no ready
 * fd, so readiness comes through its PID file: in the foreground it writes
 * its pid there once the namespace is configured, and /proc/self/fd/1 is
 * the pipe the launcher reads. */
#include "netns/stack/pasta.h"

#include <stdio.h>

#include "netns/stack/netstack.h"

void pasta_build_args(const struct netstack_options *opts, struct netstack_args *args)
{
    char *pid = args->scratch[0];
    snprintf(pid, sizeof args->scratch[0], "%d", (int)opts->sandbox_pid);
    const char **argv = args->argv;
    int n = 0;
    argv[n++] = "pasta";
    argv[n++] = "--foreground";
    argv[n++] = "--quiet";
    argv[n++] = "--stderr";
    argv[n++] = "--pid";
    argv[n++] = "/proc/self/fd/1";
    argv[n++] = "--config-net";
    argv[n++] = "--ns-ifname";
    argv[n++] = "tap0";
    argv[n++] = "--ipv4-only";
    argv[n++] = "--address";
    argv[n++] = "10.0.2.100";
    argv[n++] = "--netmask";
    argv[n++] = "24";
    argv[n++] = "--gateway";
    argv[n++] = "10.0.2.2";
    argv[n++] = "--mtu";
    argv[n++] = "65520";
    if (!opts->host_loopback)
        argv[n++] = "--no-map-gw";
    if (opts->dns) {
        argv[n++] = "--dns-forward";
        argv[n++] = "10.0.2.3";
    }
    argv[n++] = "--tcp-ports";
    argv[n++] = "none";
    argv[n++] = "--udp-ports";
    argv[n++] = "none";
    argv[n++] = "--tcp-ns";
    argv[n++] = "none";
    argv[n++] = "--udp-ns";
    argv[n++] = "none";
    argv[n++] = "--no-dhcp";
    argv[n++] = "--no-ndp";
    argv[n++] = "--no-dhcpv6";
    argv[n++] = "--no-ra";
    argv[n++] = pid;
    argv[n] = NULL;
}
