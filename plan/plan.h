/* The plan: everything the sandbox will be, resolved once from the options
 * and the host, then only read.  The sandbox's init builds exactly what the
 * plan says; --dry-run prints it. */
#ifndef CLBOX_PLAN_H
#define CLBOX_PLAN_H

#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

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

/* Facts about the host that plan building reads.  Gathered by host_facts_
 * read(); tests fill it by hand. */
struct host_facts {
    char *home;      /* absolute, normalised */
    char *cwd;       /* physical working directory */
    char *user;      /* login name */
    uid_t uid;
    gid_t gid;
    char **environ;  /* the launcher's environment */
    unsigned terminal_streams; /* bit N set: fd N (0, 1, 2) is a terminal */
};

struct plan {
    char **argv;            /* the command and its arguments */
    char *project;          /* read-write at its own path */
    char *cwd;              /* working directory inside */
    char *config_dir;       /* persistent CLAUDE_CONFIG_DIR */
    char *home;
    uid_t uid;
    gid_t gid;
    enum net_mode net;
    enum net_backend net_backend; /* never NET_BACKEND_UNSET */
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
};

int host_facts_read(struct host_facts *facts, char *err, size_t errlen);
/* The value of NAME in the launcher's environment, or NULL. */
const char *host_env(const struct host_facts *host, const char *name);
void host_facts_free(struct host_facts *facts);

/* Resolve options against the host.  Returns 0, or -1 with the reason in
 * err.  Creates the config dir if it is missing (the only host change). */
int plan_build(const struct options *opts, const struct host_facts *host, struct plan *plan, char *err,
               size_t errlen);
void plan_free(struct plan *plan);
void plan_print(const struct plan *plan, FILE *out);
/* At start: each allowed range that leaves out addresses reaching this
 * machine, said on stderr (not with -q). */
void plan_tell_carveouts(const struct plan *plan);

/* Adds a mount; one already at the same path is replaced. */
void plan_add(struct plan *plan, enum mount_kind kind, const char *path, const char *source, mode_t mode,
              const char *why);
/* --net-backend (or a profile's net-backend), else $CLBOX_NET_BACKEND, so
 * that a machine where one stack works better can say so once.  Checked
 * before plan_build() changes anything on the host. */
int plan_choose_backend(const struct options *opts, const struct host_facts *host, struct plan *plan, char *err,
                        size_t errlen);
/* The network part of plan_build(). */
int plan_build_network(const struct options *opts, const struct host_facts *host, struct plan *plan, char *err,
                       size_t errlen);
/* Opens plan->log_file into plan->log_fd without following a link a
 * sandbox could have planted (with check_only, checks and opens nothing). */
int plan_open_log(struct plan *plan, bool check_only, char *err, size_t errlen);
/* The start's walk of the views (plan_sockets.c): covers the sockets that
 * host programs could be listening on, and with protect_nested makes
 * read-only what the project's nested repositories send git elsewhere
 * with.  Returns 0, or -1 when there are too many sockets. */
int plan_walk_views(struct plan *plan, bool protect_nested, char *err, size_t errlen);
/* Shows git dirs that live outside the project, and (with `protect`) makes
 * read-only what would run code later outside the sandbox.  Returns -1
 * with the reason in err when a .git file or a commondir points somewhere
 * that must not be made writable. */
int plan_protect_project(struct plan *plan, bool protect, char *err, size_t errlen);
/* Makes read-only what in git_dir sends git elsewhere or runs code (with
 * pointers_only, only what sends it elsewhere), in its linked worktrees'
 * git dirs and its submodules' too, and pins it. */
void plan_protect_git_dir(struct plan *plan, const char *git_dir, bool pointers_only);
/* What the walk of the project found (plan_nested.c): a .git in dir_path,
 * and each directory (has_head: it holds a HEAD). */
void plan_nested_dotgit(struct plan *plan, const char *dir_path, const struct stat *st);
void plan_nested_dir(struct plan *plan, int dir_fd, const char *path, bool has_head);
/* Is the path one the system layer shows, or one that must never be
 * writable? */
bool plan_path_is_system(const char *path);

/* Writable views (plan_views.c).  The `why` of every pin, told apart from
 * the views themselves by its address. */
extern const char plan_pin_why[];
/* The writable view (project, config dir, --rw path, git dir) that holds
 * path, or NULL: what lies there an earlier sandbox could have written. */
const char *plan_writable_view_of(const struct plan *plan, const char *path);
bool plan_has_mount_at(const struct plan *plan, const char *path);
/* Binds every directory from the view that holds dir down to dir onto
 * itself, so that none of them can be moved away. */
void plan_pin(struct plan *plan, const char *dir);
/* Makes path read-only inside, with the directories above it pinned. */
void plan_protect_file(struct plan *plan, const char *path, const char *why);
/* The config dir's settings, hooks, commands and agents, read-only. */
void plan_protect_config_dir(struct plan *plan);

/* Helpers exposed for unit tests. */
char *path_normalize(const char *path, const char *base);
int plan_find_project(const char *cwd, const char *home, char **project);
void plan_build_env(const struct options *opts, const struct host_facts *host, const char *config_dir,
                    const char *cwd, struct strv *env);

#endif
