#ifndef CLBOX_SELFTEST_H
#define CLBOX_SELFTEST_H

#include <stdbool.h>

/* The hidden subcommand the sandbox runs for `clbox check`. */
#define SELFTEST_SUBCOMMAND "__check-inside"

struct selftest_options {
    bool filtered;
    const char *net_name;
    const char *allowed_name; /* an allowlisted name to reach, or NULL */
    const char *allowed_port;
};

/* Prints the checklist; returns 0 if nothing failed, 1 otherwise. */
int selftest_run_inside(const struct selftest_options *opts);

#endif
