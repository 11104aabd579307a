/* Command-line parsing for `clbox run`.  Every option is one row of a
 * table (cli.c); the parser, --help and the man page's option list all
 * follow that table.  Parsing is pure: it reads argv and fills a struct
 * options, never touching the filesystem or exiting, so it can be unit-
 * tested and fuzzed. */
#ifndef CLBOX_CLI_H
#define CLBOX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"
#include "common/message.h"
#include "common/net_backend.h"
#include "common/util.h"

enum net_mode {
    NET_FILTERED, /* slirp4netns, only allowlisted names and addresses */
    NET_NONE,     /* loopback only */
    NET_OPEN,     /* slirp4netns, no filter */
};

/* What a user-requested mount does at its path. */
enum mount_request_kind {
    REQ_RO,    /* --ro: host path read-only at the same path */
    REQ_RW,    /* --rw: host path read-write at the same path */
    REQ_HIDE,  /* --hide: an empty, read-only stand-in over the path */
    REQ_TMPFS, /* --tmpfs: a fresh, empty, writable tmpfs */
};

struct mount_request {
    enum mount_request_kind kind;
    char *path;    /* as the user wrote it; made absolute when the plan is built */
    bool optional; /* from a profile: a missing path is skipped, not an error */
};

struct options {
    char *project;    /* NULL: detect from $PWD */
    char *config_dir; /* NULL: ${XDG_DATA_HOME:-~/.local/share}/clbox/claude */
    enum net_mode net;
    enum net_backend net_backend; /* the user-mode network stack behind tap0, if net_backend_set */
    bool net_backend_set; /* false: neither --net-backend nor a profile said: $CLBOX_NET_BACKEND, else slirp4netns */
    struct mount_request *mounts;
    size_t n_mounts;
    struct strv env_rules; /* "NAME", "NAME=VALUE" (set) or "-NAME" (unset), in order */
    struct strv allow;     /* --allow values, checked when the plan is built */
    struct strv deny;
    unsigned short *host_ports;
    size_t n_host_ports;
    char *log_file;
    struct strv profiles;  /* -p NAME|PATH, in order */
    struct strv profile_files; /* every profile file read, by its real path */
    bool ssh_agent;
    bool in_profile;       /* set while a profile is applied */
    bool allow_project_config;
    bool dry_run;
    bool help;
    enum verbosity verbosity;
    char **command; /* points into argv; NULL-terminated */
    int command_argc;
};

/* Longest value accepted for any option (a path, a name, an env value). */
#define CLI_MAX_VALUE 4096

/* Parse `clbox run` arguments (argv[0] is "run").  Returns 0, or -1 with a
 * one-line reason in err.  On error, opts may hold partial results: free it
 * with options_free() either way. */
int cli_parse_run(int argc, char **argv, struct options *opts, struct error *err);
/* The same, into options that already hold what profiles set: what the
 * command line says is added, or replaces a single value. */
int cli_parse_more(int argc, char **argv, struct options *opts, struct error *err);
void options_init(struct options *opts);
/* Applies one profile directive ("allow", "ro", ...: the long name of an
 * option that profiles may set).  Returns 0, or -1 with the reason. */
int cli_apply_directive(struct options *opts, const char *name, const char *value, struct error *err);
void options_free(struct options *opts);

/* The option list for --help, generated from the table. */
void cli_print_run_help(FILE *out);
/* Every option's long name, one per line: lets tests compare the table
 * with the man page and README. */
void cli_print_option_names(FILE *out);

#endif
