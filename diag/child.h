/* Bounded children (child.c): a process started for a check, with its
 * stdout and stderr collected, killed with all it started when it outlives
 * its time, so that the caller always finishes and leaves nothing running. */
#ifndef CLBOX_CHILD_H
#define CLBOX_CHILD_H

#include <stdbool.h>
#include <stddef.h>

struct child {
    int timeout_ms;
    bool started;
    bool timed_out;
    int status;        /* its wait status, whether it ended or was killed */
    char output[16384]; /* its stdout and stderr, NUL-terminated, possibly cut (pasta --help: 9 KiB) */
};

/* Runs in the child with stdout and stderr on the pipe; must not return
 * (it exits or execs). */
typedef void child_fn(const void *arg);

/* Runs fn in a child of its own process group, with stdin on /dev/null,
 * collecting its output in c, for at most timeout_ms. */
void child_run_bounded(child_fn *fn, const void *arg, int timeout_ms, struct child *c);
bool child_succeeded(const struct child *c);
/* How a child that did not succeed ended, in buf. */
void child_describe_end(const struct child *c, char *buf, size_t len);
/* A child's output on one line: its lines joined with "; ", without the
 * "clbox: " each of clbox's own messages starts with. */
void child_output_line(const char *in, char *out, size_t outlen);

struct child_exec_request {
    const char *dir; /* working directory, or NULL */
    const char *path;
    const char *const *argv;
};
/* A child_fn: enters x->dir (if any) and execs x->path with x->argv. */
void child_exec(const void *arg);

#endif
