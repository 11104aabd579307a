/* slirp4netns: the user-mode network stack that gives the sandbox's
 * network namespace a tap0 whose traffic leaves through ordinary sockets
 * of the launcher's namespace.  It is started as soon as the sandbox's
 * namespaces exist, so it comes up while init builds the filesystem. */
#ifndef CLBOX_NETNS_SLIRP_H
#define CLBOX_NETNS_SLIRP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct slirp {
    pid_t pid;
    int ready_fd;  /* slirp4netns writes '1' here once tap0 is configured */
    int exit_fd;   /* slirp4netns exits when this, our end, closes */
    int log_fd;    /* its stdout/stderr, shown only if it fails */
};

struct slirp_options {
    pid_t sandbox_pid;
    bool host_loopback; /* let 10.0.2.2 reach the host's 127.0.0.1 */
    bool dns;           /* slirp's own forwarder at 10.0.2.3 (--net open only) */
};

/* The slirp4netns to run: $CLBOX_SLIRP4NETNS alone when set, else the
 * first on PATH.  NULL if there is none. */
char *slirp_find_binary(void);
/* Checks what slirp4netns needs, then starts it.  Returns 0, or -1 with a
 * message saying what is missing and how to fix it. */
int slirp_start(const struct slirp_options *opts, struct slirp *slirp, char *err, size_t errlen);
/* Waits (at most timeout_ms) until tap0 is up.  Returns 0, or -1. */
int slirp_wait_ready(struct slirp *slirp, int timeout_ms, char *err, size_t errlen);
/* Lets slirp4netns go: it exits on its own once the exit fd closes; the
 * launcher never waits for its teardown. */
void slirp_release(struct slirp *slirp);

#endif
