/* The relay harness's "sandbox": a process in a new user and network
 * namespace (set up by a shell command given to it) that makes the relay's
 * listening sockets there and hands them over, then holds the namespace
 * until the harness ends. */
#ifndef CLBOX_TESTS_RELAY_HARNESS_NS_H
#define CLBOX_TESTS_RELAY_HARNESS_NS_H

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_ns {
    pid_t pid;   /* the holder: nsenter -t PID -U -n --preserve-credentials reaches its namespace */
    int fds[2];  /* listening on 0.0.0.0:port and [::]:port (-1 where not asked for) */
};

/* Forks the holder, which runs `setup` with sh in the new namespaces.
 * 0, or -1 with a message on stderr. */
int sandbox_ns_start(const char *setup, unsigned port, bool v4, bool v6, struct sandbox_ns *ns);

#endif
