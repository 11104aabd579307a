/* The sandbox's root filesystem, built from the plan inside the new mount
 * namespace: a tmpfs root, every view bound into it through file
 * descriptors reached without following links, then pivot_root with the
 * host's root detached. */
#include "init/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/message.h"
#include "common/util.h"
#include "init/mountapi.h"
#include "proc/userns.h"

/* During the build "/" is a scratch tmpfs holding the host's root at
 * /oldroot and the sandbox's future root at /newroot. */
#define OLD_PROC "/oldroot/proc"

enum bind_flags { BIND_RDONLY = 1, BIND_DEVICES = 2 };

static int bind_with_mount_api(int src, int dst, unsigned flags)
{
    autoclose int tree = sys_open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (tree < 0)
        return -errno;
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_NOSUID | ((flags & BIND_DEVICES) ? MOUNT_ATTR_NOEXEC : MOUNT_ATTR_NODEV) |
                    ((flags & BIND_RDONLY) ? MOUNT_ATTR_RDONLY : 0),
        .propagation = MS_PRIVATE,
    };
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
        return -errno;
    if (sys_move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return -errno;
    return 0;
}

/* Flags the kernel locks on a mount from a more privileged namespace must
 * be repeated in a remount, or it is refused. */
static unsigned long locked_flags_of(const char *path)
{
    struct statvfs sv;
    unsigned long flags = 0;
    if (statvfs(path, &sv) < 0)
        return 0;
    if (sv.f_flag & ST_NOEXEC)
        flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        flags |= MS_RELATIME;
    return flags;
}

/* Kernels before 5.12 cannot make a tree read-only recursively, so a
 * read-only view there is bound without its submounts: less is shown,
 * never more writable. */
static int bind_legacy(struct mount_build *b, const char *path, int src, int dst, unsigned flags)
{
    char src_path[64], dst_path[64];
    unsigned long bind = MS_BIND | ((flags & BIND_RDONLY) ? 0 : MS_REC);
    if (mount(fd_path(src_path, sizeof src_path, b->proc, src), fd_path(dst_path, sizeof dst_path, b->proc, dst),
              NULL, bind, NULL) < 0)
        return -errno;
    autoclose int top = open_nofollow(b->new_root, path);
    if (top < 0)
        return top;
    fd_path(dst_path, sizeof dst_path, b->proc, top);
    unsigned long remount = MS_REMOUNT | MS_BIND | MS_NOSUID | locked_flags_of(dst_path) |
                            ((flags & BIND_DEVICES) ? MS_NOEXEC : MS_NODEV) | ((flags & BIND_RDONLY) ? MS_RDONLY : 0);
    if (mount(NULL, dst_path, NULL, remount, NULL) < 0)
        return -errno;
    return 0;
}

static int bind_fds(struct mount_build *b, const char *path, int src, int dst, unsigned flags)
{
    if (!b->legacy) {
        int r = bind_with_mount_api(src, dst, flags);
        if (r != -ENOSYS)
            return r;
        b->legacy = true;
        verbose("this kernel lacks the new mount API; read-only views omit their submounts");
    }
    return bind_legacy(b, path, src, dst, flags);
}

/* Opens the mount point for `path` in the new root: a directory or an empty
 * file, matching what will be mounted there.  Returns its fd, or -1. */
static int mount_point(struct mount_build *b, const char *path, bool is_dir, mode_t mode, struct error *err)
{
    int fd = is_dir ? mkdir_nofollow(b->new_root, path, mode) : touch_nofollow(b->new_root, path);
    if (fd == -EROFS)
        return error_errno(err, EROFS,
                           "cannot create the mount point %s: it would lie inside a read-only view; create it on "
                           "the host first or drop that option",
                           path);
    if (fd < 0)
        return error_errno(err, -fd, "cannot create the mount point %s inside the sandbox: %m", path);
    return fd;
}

static int link_refused(const char *path, const char *why, struct error *err)
{
    return error_errno(err, ELOOP,
                       "%s: a component is a symbolic link; clbox never follows links when it binds %s (replace "
                       "the link with the real %s, or remove it)",
                       path, why, strcmp(why, "protected project file") == 0 ? "file or directory" : "path");
}

static int bind_path(struct mount_build *b, const char *path, const char *source, unsigned flags, const char *why,
                     struct error *err)
{
    autoclose int src = open_nofollow(b->old_root, source);
    if (src == -ELOOP)
        return link_refused(source, why, err);
    if (src < 0)
        return error_errno(err, -src, "cannot open %s to show it in the sandbox (%s): %m", source, why);
    struct stat st;
    if (fstat(src, &st) < 0)
        return error_errno(err, errno, "cannot stat %s: %m", source);
    autoclose int dst = mount_point(b, path, S_ISDIR(st.st_mode), 0755, err);
    if (dst < 0)
        return -1;
    int r = bind_fds(b, path, src, dst, flags);
    if (r < 0)
        return error_errno(err, -r, "cannot bind %s%s (%s): %m", path, (flags & BIND_RDONLY) ? " read-only" : "",
                           why);
    return 0;
}

static int mount_fresh(struct mount_build *b, const char *path, const char *fstype, unsigned long flags,
                       const char *data, struct error *err)
{
    autoclose int dst = mount_point(b, path, true, 0755, err);
    if (dst < 0)
        return -1;
    char dst_path[64];
    if (mount(fstype, fd_path(dst_path, sizeof dst_path, b->proc, dst), fstype, flags, data) < 0)
        return error_errno(err, errno, "cannot mount a fresh %s at %s: %m", fstype, path);
    return 0;
}

static int mount_tmpfs(struct mount_build *b, const char *path, mode_t mode, bool readonly, struct error *err)
{
    char data[64];
    snprintf(data, sizeof data, "mode=%04o", (unsigned)mode);
    return mount_fresh(b, path, "tmpfs", MS_NOSUID | MS_NODEV | (readonly ? MS_RDONLY : 0), data, err);
}

static int make_symlink(struct mount_build *b, const char *path, const char *target, struct error *err)
{
    autofree char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');
    const char *name = path + (slash - parent) + 1;
    *slash = '\0';
    autoclose int dir = mount_point(b, parent[0] ? parent : "/", true, 0755, err);
    if (dir < 0)
        return -1;
    if (symlinkat(target, dir, name) == 0)
        return 0;
    char existing[4096];
    ssize_t n = errno == EEXIST ? readlinkat(dir, name, existing, sizeof existing - 1) : -1;
    if (n >= 0 && (size_t)n == strlen(target) && memcmp(existing, target, (size_t)n) == 0)
        return 0; /* already there through a view of the host */
    return error_errno(err, errno, "cannot create the link %s -> %s inside the sandbox: %m", path, target);
}

/* A file clbox writes (resolv.conf, an empty stand-in): made in the scratch
 * root, which is detached at the end, and bound read-only where it belongs. */
static int bind_content(struct mount_build *b, const char *path, const char *content, struct error *err)
{
    static unsigned counter;
    char scratch[64];
    snprintf(scratch, sizeof scratch, "/file-%u", counter++);
    autoclose int out = open(scratch, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (out < 0 || write_all(out, content, strlen(content)) < 0)
        return error_errno(err, errno, "cannot write %s for the sandbox: %m", path);
    autoclose int src = open(scratch, O_PATH | O_CLOEXEC);
    int src_errno = errno;
    autoclose int dst = mount_point(b, path, false, 0, err);
    if (dst < 0)
        return -1;
    int r = src < 0 ? -src_errno : bind_fds(b, path, src, dst, BIND_RDONLY);
    if (r < 0)
        return error_errno(err, -r, "cannot bind the sandbox's %s: %m", path);
    return 0;
}

/* Covers `path` with nothing: an empty read-only tmpfs for a directory, an
 * empty read-only file for anything else. */
static int hide_path(struct mount_build *b, const char *path, struct error *err)
{
    autoclose int target = open_nofollow(b->new_root, path);
    if (target == -ENOENT)
        return 0;
    if (target < 0)
        return error_errno(err, -target, "cannot hide %s: %m", path);
    struct stat st;
    if (fstat(target, &st) < 0)
        return error_errno(err, errno, "cannot stat %s: %m", path);
    if (S_ISDIR(st.st_mode))
        return mount_tmpfs(b, path, 0, true, err);
    return bind_content(b, path, "", err);
}

static int setup_dev(struct mount_build *b, mode_t mode, struct error *err)
{
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    static const char *const links[][2] = {
        {"/dev/ptmx", "pts/ptmx"},       {"/dev/fd", "/proc/self/fd"},    {"/dev/stdin", "/proc/self/fd/0"},
        {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
    };
    char data[64];
    snprintf(data, sizeof data, "mode=%04o", (unsigned)mode);
    if (mount_fresh(b, "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, data, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        autofree char *path = xasprintf("/dev/%s", nodes[i]);
        if (bind_path(b, path, path, BIND_DEVICES, "device", err) < 0)
            return -1;
    }
    /* A devpts of its own: the host's other terminals stay out of reach. */
    if (mount_fresh(b, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620", err) < 0 ||
        mount_tmpfs(b, "/dev/shm", 01777, false, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (make_symlink(b, links[i][0], links[i][1], err) < 0)
            return -1;
    return 0;
}

/* Makes `path` (an existing mount point or file in the new root) read-only
 * by binding it onto itself. */
static int remount_readonly(struct mount_build *b, const char *path, struct error *err)
{
    autoclose int fd = open_nofollow(b->new_root, path);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return error_errno(err, -fd, "cannot open %s to make it read-only: %m", path);
    int r = bind_fds(b, path, fd, fd, BIND_RDONLY);
    if (r < 0)
        return error_errno(err, -r, "cannot make %s read-only: %m", path);
    return 0;
}

static int setup_proc(struct mount_build *b, struct error *err)
{
    /* Kernel state that a sandbox has no business reading (crun's list). */
    static const char *const masked[] = {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                         "/proc/timer_stats", "/proc/sched_debug", "/proc/acpi", "/proc/scsi"};
    static const char *const readonly[] = {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                           "/proc/sysrq-trigger"};
    if (mount_fresh(b, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++)
        if (remount_readonly(b, readonly[i], err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
        if (hide_path(b, masked[i], err) < 0)
            return -1;
    return 0;
}

static int setup_sys(struct mount_build *b, struct error *err)
{
    autoclose int dst = mount_point(b, "/sys", true, 0755, err);
    if (dst < 0)
        return -1;
    char dst_path[64];
    if (mount("sysfs", fd_path(dst_path, sizeof dst_path, b->proc, dst), "sysfs",
              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        /* Without /sys the sandbox shows less, never more. */
        verbose("no /sys inside: mounting sysfs failed: %m");
        return 0;
    }
    return hide_path(b, "/sys/firmware", err);
}

int mounts_apply(struct mount_build *b, const struct mount_entry *m, struct error *err)
{
    switch (m->kind) {
    case MOUNT_TMPFS:
        if (strcmp(m->path, "/") == 0) /* the root is the build's own tmpfs */
            return 0;
        return mount_tmpfs(b, m->path, m->mode, false, err);
    case MOUNT_BIND_RO: return bind_path(b, m->path, m->source, BIND_RDONLY, m->why, err);
    case MOUNT_PROTECT: return bind_path(b, m->path, m->source, BIND_RDONLY, m->why, err);
    case MOUNT_BIND_RW: return bind_path(b, m->path, m->source, 0, m->why, err);
    case MOUNT_HIDE: return hide_path(b, m->path, err);
    case MOUNT_DEV: return setup_dev(b, m->mode, err);
    case MOUNT_PROC: return setup_proc(b, err);
    case MOUNT_SYSFS: return setup_sys(b, err);
    case MOUNT_SYMLINK: return make_symlink(b, m->path, m->source, err);
    case MOUNT_FILE: return bind_content(b, m->path, m->source, err);
    }
    return error_set(err, "unknown mount kind %d for %s", (int)m->kind, m->path);
}

/* Enters the scratch root: the host's tree stays reachable at /oldroot
 * whatever its paths are (a project under /tmp included). */
static int enter_scratch_root(struct error *err)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return error_namespace_denied(err, "cannot make the sandbox's mounts private", errno);
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
        return error_namespace_denied(err, "cannot mount a tmpfs for the sandbox's root", errno);
    if (chdir("/tmp") < 0 || mkdir("oldroot", 0700) < 0 || mkdir("newroot", 0755) < 0)
        return error_errno(err, errno, "cannot prepare the sandbox's root: %m");
    if (sys_pivot_root(".", "oldroot") < 0)
        return error_errno(err, errno, "cannot pivot into the sandbox's scratch root: %m");
    if (chdir("/") < 0)
        return error_errno(err, errno, "cannot enter the sandbox's scratch root: %m");
    if (mount("tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
        return error_errno(err, errno, "cannot mount the sandbox's root tmpfs: %m");
    return 0;
}

/* Makes the new root "/", detaches everything of the host, and makes the
 * root's own directory tree read-only. */
static int switch_root(struct error *err)
{
    if (chdir("/newroot") < 0)
        return error_errno(err, errno, "cannot enter the sandbox's root: %m");
    if (sys_pivot_root(".", ".") < 0)
        return error_errno(err, errno, "cannot pivot into the sandbox's root: %m");
    if (umount2(".", MNT_DETACH) < 0)
        return error_errno(err, errno, "cannot detach the host's root: %m");
    if (chdir("/") < 0)
        return error_errno(err, errno, "cannot enter the sandbox's root: %m");
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        return error_errno(err, errno, "cannot make the sandbox's root read-only: %m");
    return 0;
}

static int apply_plan(struct mount_build *b, const struct plan *plan, struct error *err)
{
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (mounts_apply(b, &plan->mounts[i], err) < 0)
            return -1;
    return 0;
}

int rootfs_build(const struct plan *plan, struct error *err)
{
    if (enter_scratch_root(err) < 0)
        return -1;
    struct mount_build b = {
        .old_root = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC),
        .new_root = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC),
        .proc = OLD_PROC,
        .legacy = plan->legacy_mount_api,
    };
    int r = b.old_root < 0 || b.new_root < 0 ? error_errno(err, errno, "cannot open the sandbox's roots: %m")
                                             : apply_plan(&b, plan, err);
    if (b.old_root >= 0)
        close(b.old_root);
    if (b.new_root >= 0)
        close(b.new_root);
    return r < 0 ? -1 : switch_root(err);
}
