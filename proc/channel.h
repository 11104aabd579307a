/* The launcher and the sandbox's init talk over a SOCK_SEQPACKET pair:
 * one tagged message at a time, with file descriptors attached where a
 * socket opened inside the sandbox's network namespace, or the master of
 * the pty made in the sandbox's devpts, must be used from outside it. */
#ifndef CLBOX_CHANNEL_H
#define CLBOX_CHANNEL_H

#include <stddef.h>

#define CHANNEL_MAX_FDS 8

enum channel_tag {
    CHANNEL_NET_READY = 'N', /* init -> launcher: firewall loaded; fds: gate udp, gate tcp, nft, log */
    CHANNEL_GO = 'G',        /* launcher -> init: network up, gate running, the pty set up: start the command */
    CHANNEL_PTY = 'P',       /* init -> launcher: fd: the master of the command's pty, in the sandbox's devpts */
    CHANNEL_TTY_STOP = 'T',  /* init -> launcher: the command stopped on SIGTSTP, SIGTTIN or SIGTTOU */
    CHANNEL_STOP = 'S',      /* init -> launcher: the command stopped on SIGSTOP (never sent by a terminal) */
    CHANNEL_CONTINUE = 'C',  /* launcher -> init: continue the pty's foreground group, and have it redraw */
};

int channel_pair(int fds[2]);
/* Returns 0 or -errno. */
int channel_send(int sock, enum channel_tag tag, const int *fds, size_t n_fds);
/* Returns 0, -EPIPE when the other side is gone, or -errno. */
int channel_recv(int sock, enum channel_tag *tag, int *fds, size_t max_fds, size_t *n_fds);

#endif
