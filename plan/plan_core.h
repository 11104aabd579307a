/* The plan: everything the sandbox will be, resolved once from the options
 * and the host, then only read.  The sandbox's init builds exactly what the
 * plan says; --dry-run prints it.  This is the plan itself and its mount
 * list, which every part of plan building adds to. */
#ifndef CLBOX_PLAN_CORE_H
#define CLBOX_PLAN_CORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/message.h"
#include "common/util.h"
#include "netns/codec/allowlist.h"
#include "netns/codec/carveout.h"
#include "options/cli.h"

enum mount_kind {
    MOUNT_TMPFS,    /* a fresh tmpfs; `mode` is its root's permissions */
    MOUNT_BIND_RO,  /* host `source` read-only, nosuid, nodev at `path` */
    MOUNT_BIND_RW,  /* host `source` read-write, nosuid, nodev at `path` */
    MOUNT_PROTECT,  /* like BIND_RO, for a path inside a writable bind: every
                       component is opened without following symlinks */
    MOUNT_HIDE,     /* an empty read-only stand-in (tmpfs or /dev/null) */
    MOUNT_DEV,      /* a minimal /dev: null zero full random urandom tty, devpts, shm */
    MOUNT_PROC,     /* a fresh /proc with the kernel's sensitive files masked */
    MOUNT_SYSFS,    /* a fresh read-only /sys, best effort */
    MOUNT_SYMLINK,  /* a symbolic link at `path` pointing to `source` */
    MOUNT_FILE,     /* a read-only file whose content is `source` (resolv.conf) */
};

struct mount_entry {
    enum mount_kind kind;
    char *path;   /* absolute path inside the sandbox */
    char *source; /* host path (binds), link target (symlinks), else NULL */
    mode_t mode;  /* tmpfs root mode */
    const char *why;
};

struct plan {
    char **argv;            /* the command and its arguments */
    char *project;          /* read-write at its own path */
    char *cwd;              /* working directory inside */
    char *config_dir;       /* persistent CLAUDE_CONFIG_DIR, physical */
    char *config_dir_to_create; /* missing: the path as asked, which plan_realise() creates; else NULL */
    char *home;
    uid_t uid;
    gid_t gid;
    enum net_mode net;
    enum net_backend net_backend;
    char *stack_binary;     /* the network stack's program to exec; NULL: none found, said when it would start */
    char *stack_override;   /* $CLBOX_SLIRP4NETNS or $CLBOX_PASTA as set, or NULL: named in that message */
    struct allowlist allowlist;
    struct carveouts carveouts; /* --net filtered: what allowed ranges leave out */
    unsigned short *host_ports;
    size_t n_host_ports;
    char *log_file;
    int log_fd;             /* --log FILE opened for the DNS gate, or -1; set with log_file */
    struct mount_entry *mounts;
    size_t n_mounts;
    struct strv env;        /* NAME=VALUE, the command's whole environment */
    char *hostname;
    struct strv profiles; /* applied, in order */
    /* Bit N set: fd N is a terminal, so the command gets the sandbox's own
     * pty there, which clbox relays to the user's terminal; 0: no pty. */
    unsigned terminal_streams;
    enum verbosity verbosity; /* -q, -v: what clbox says, in the launcher and in init */
    bool legacy_mount_api;    /* $CLBOX_MOUNT_API=legacy: init binds without open_tree/mount_setattr */
};

/* Adds a mount; one already at the same path is replaced. */
void plan_add(struct plan *plan, enum mount_kind kind, const char *path, const char *source, mode_t mode,
              const char *why);
bool plan_has_mount_at(const struct plan *plan, const char *path);
/* The value of NAME in the command's environment (plan.env), or NULL. */
const char *plan_env_value(const struct plan *plan, const char *name);
void plan_free(struct plan *plan);

#endif
