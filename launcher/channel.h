/* The launcher and the sandbox's init talk over a SOCK_SEQPACKET pair:
 * one tagged message at a time, with file descriptors attached where a
 * socket opened inside the sandbox's network namespace must be used from
 * outside it. */
#ifndef CLBOX_CHANNEL_H
#define CLBOX_CHANNEL_H

#include <stddef.h>

#define CHANNEL_MAX_FDS 8

enum channel_tag {
    CHANNEL_NET_READY = 'N', /* init -> launcher: firewall loaded; fds: gate udp, gate tcp, nft, log */
    CHANNEL_GO = 'G',        /* launcher -> init: network up, gate running: start the command */
};

int channel_pair(int fds[2]);
/* Returns 0 or -errno. */
int channel_send(int sock, enum channel_tag tag, const int *fds, size_t n_fds);
/* Returns 0, -EPIPE when the other side is gone, or -errno. */
int channel_recv(int sock, enum channel_tag *tag, int *fds, size_t max_fds, size_t *n_fds);

#endif
