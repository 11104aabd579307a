/* The user-mode network stack that gives the sandbox's network namespace
 * a tap0 whose traffic leaves through ordinary sockets of the launcher's
 * namespace: slirp4netns or pasta.  It is started as soon as the sandbox's
 * namespaces exist, so it comes up while init builds the filesystem, and
 * the launcher never waits for its teardown. */
#ifndef CLBOX_NETNS_NETSTACK_H
#define CLBOX_NETNS_NETSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/net_backend.h"

struct netstack {
    enum net_backend kind;
    pid_t pid;
    int ready_fd; /* readable once tap0 is configured */
    int exit_fd;  /* slirp4netns exits when this, our end, closes; -1 for pasta */
    int log_fd;   /* its stdout/stderr, shown only if it fails */
};

struct netstack_options {
    enum net_backend kind;
    const char *binary;   /* the program to run (the plan's); NULL: none was found */
    const char *override; /* the value of kind's override variable, when one was set */
    pid_t sandbox_pid;
    bool host_loopback; /* let 10.0.2.2 reach the host's 127.0.0.1 */
    bool dns;           /* the stack's own forwarder at 10.0.2.3 (--net open only) */
};

#define NETSTACK_INIT(k) ((struct netstack){.kind = (k), .pid = -1, .ready_fd = -1, .exit_fd = -1, .log_fd = -1})

/* Checks what the stack needs, then starts it.  Returns 0, or -1 with a
 * message saying what is missing and how to fix it. */
int netstack_start(const struct netstack_options *opts, struct netstack *stack, struct error *err);
/* Waits (at most timeout_ms) until tap0 is up.  Returns 0, or -1 after
 * killing the stack, with its own words in err. */
int netstack_wait_ready(struct netstack *stack, int timeout_ms, struct error *err);
/* Lets the stack go without waiting for its teardown: slirp4netns exits
 * once its exit fd closes, pasta is sent SIGTERM. */
void netstack_release(struct netstack *stack);

/* The argument vectors, one per stack (slirp.c, pasta.c).  `scratch`
 * holds the formatted numbers argv points into. */
struct netstack_args {
    const char *argv[40];
    char scratch[4][64];
};

#endif
