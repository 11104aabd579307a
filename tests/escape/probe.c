/* probe: tries one sandbox escape per name with raw system calls and prints
 * "NAME: ok" when the call succeeded or "NAME: ERRNO" (EPERM, ENOSYS, ...)
 * when it was refused.  Linked statically so it runs inside any sandbox.
 * Usage: probe NAME...   (probe --list names them all)
 *
 * Where it can, an attempt passes arguments for which the kernel itself,
 * asked by an unprivileged user, gives another answer than the seccomp
 * filter's errno (a missing path, a bad descriptor or pointer, flags an
 * unprivileged user may use): run outside and inside, the probe then shows
 * whether the filter or the kernel refused the call.  Attempts that would
 * change the caller (a new user namespace) run in a child. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case EROFS: return "EROFS";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOTTY: return "ENOTTY";
    case ESRCH: return "ESRCH";
    case EEXIST: return "EEXIST";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return strerrorname_np(e) ? strerrorname_np(e) : "E?";
    }
}

/* Each attempt returns the raw syscall result (>= 0 success) with errno. */

/* A descriptor an attempt got is closed: only success counts. */
static long close_result(long fd)
{
    if (fd >= 0)
        close((int)fd);
    return fd;
}

static long try_tiocsti(void)
{
    char c = '#';
    return syscall(SYS_ioctl, 0, TIOCSTI, &c);
}

static long try_tiocsti_high(void)
{
    char c = '#';
    return syscall(SYS_ioctl, 0, 0x100000000ul | TIOCSTI, &c);
}

static long try_tioclinux(void)
{
    char sub = 6; /* TIOCL_GETSHIFTSTATE: harmless when allowed */
    return syscall(SYS_ioctl, 0, TIOCLINUX, &sub);
}

static long try_tioclinux_high(void)
{
    char sub = 6;
    return syscall(SYS_ioctl, 0, 0x100000000ul | TIOCLINUX, &sub);
}

/* Runs attempt in a child, so the probe itself stays as it was; the
 * child reports the attempt's errno (0: it worked) as its exit status. */
static long in_child_errno(long (*attempt)(void))
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(attempt() < 0 ? (errno & 0xff ? errno & 0xff : 255) : 0);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    if (WIFSIGNALED(status)) {
        errno = 0;
        return -1;
    }
    errno = WEXITSTATUS(status);
    return errno ? -1 : 0;
}

static long unshare_user(void) { return syscall(SYS_unshare, CLONE_NEWUSER); }
static long try_userns_unshare(void) { return in_child_errno(unshare_user); }

static long try_userns_clone(void)
{
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid;
}

static long try_clone3(void)
{
    uint64_t args[11] = {0};
    args[0] = CLONE_NEWUSER; /* flags */
    args[4] = SIGCHLD;       /* exit_signal */
    long pid = syscall(435 /* clone3 */, args, 88);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid;
}

static long try_io_uring(void)
{
    char params[120] = {0};
    return close_result(syscall(425 /* io_uring_setup */, 1, params));
}

#define MISSING "/nonexistent-clbox-probe"
/* The kernel looks the path up before it checks the capability: ENOENT. */
static long try_mount(void) { return syscall(SYS_mount, "none", MISSING, "tmpfs", 0, NULL); }
static long try_umount(void) { return syscall(SYS_umount2, "/proc", MNT_DETACH); }
static long try_umount_missing(void) { return syscall(SYS_umount2, MISSING, MNT_DETACH); }
static long try_keyctl(void) { return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0); }
/* A NULL key type: EFAULT from the kernel, and nothing is added. */
static long try_add_key(void) { return syscall(SYS_add_key, NULL, "clbox-probe", "x", 1, -3 /* session */); }
static long try_request_key(void) { return syscall(SYS_request_key, NULL, "clbox-probe", NULL, 0); }
static long try_bpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
static long try_perf(void)
{
    char attr[128] = {0};
    return syscall(SYS_perf_event_open, attr, 0, -1, -1, 0);
}
/* A NULL attribute: EFAULT from the kernel. */
static long try_perf_null(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long try_userfaultfd(void) { return close_result(syscall(SYS_userfaultfd, 0)); }
/* UFFD_USER_MODE_ONLY: allowed to any user since Linux 5.11. */
static long try_userfaultfd_user(void) { return close_result(syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */)); }
static long try_setns_badfd(void) { return syscall(SYS_setns, -1, 0); }
static long try_setns(void)
{
    int fd = open("/proc/self/ns/net", O_RDONLY);
    if (fd < 0)
        return -1;
    long r = syscall(SYS_setns, fd, 0);
    close(fd);
    return r;
}
static long try_ptrace_init(void)
{
    long r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);
    if (r == 0)
        ptrace(PTRACE_DETACH, 1, NULL, NULL);
    return r;
}
static long try_mknod(void) { return mknod("/tmp/probe-null", S_IFCHR | 0666, makedev(1, 3)); }
static long try_chroot(void) { return syscall(SYS_chroot, MISSING); }
static long try_pivot_root(void) { return syscall(SYS_pivot_root, "/tmp", "/tmp"); }
static long try_open_tree(void) { return syscall(428 /* open_tree */, AT_FDCWD, "/tmp", 1 /* CLONE */); }
/* Without OPEN_TREE_CLONE open_tree is an O_PATH open, open to anyone. */
static long try_open_tree_plain(void) { return close_result(syscall(428 /* open_tree */, AT_FDCWD, "/", 0)); }
static long try_move_mount(void) { return syscall(429 /* move_mount */, -1, "", -1, "", 0); }
static long try_fsopen(void) { return syscall(430 /* fsopen */, "tmpfs", 0); }
/* fsconfig and fsmount on a descriptor that is not open: EINVAL or EBADF. */
static long try_fsconfig(void) { return syscall(431 /* fsconfig */, -1, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0); }
static long try_fsmount(void) { return syscall(432 /* fsmount */, -1, 0, 0); }
static long try_fspick(void) { return syscall(433 /* fspick */, AT_FDCWD, "/", 0); }
/* A NULL attribute of size 0: EINVAL from the kernel. */
static long try_mount_setattr(void) { return syscall(442 /* mount_setattr */, AT_FDCWD, "/", 0, NULL, 0); }
static long try_kexec(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0); }
static long try_kexec_file(void) { return syscall(SYS_kexec_file_load, -1, -1, 0, "", 0); }
static long try_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long try_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long try_open_by_handle(void)
{
    char handle[16] = {0};
    return syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY);
}
static long try_name_to_handle(void)
{
    struct {
        unsigned int bytes;
        int type;
        unsigned char f_handle[128];
    } handle = {.bytes = 128};
    int mount_id;
    return syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &handle, &mount_id, 0);
}
static long try_personality(void) { return syscall(SYS_personality, 0x0400000 /* READ_IMPLIES_EXEC */); }
static long try_setuid_root(void) { return syscall(SYS_setuid, 0); }

static long try_process_vm_readv(void)
{
    char local[16], remote_byte = 0;
    struct iovec l = {.iov_base = local, .iov_len = sizeof local};
    struct iovec r = {.iov_base = &remote_byte, .iov_len = 1}; /* any address: the check comes first */
    return syscall(SYS_process_vm_readv, 1, &l, 1, &r, 1, 0);
}

/* What killed the last child of in_child(), printed instead of an errno. */
static const char *child_signal;

/* A foreign syscall ABI must kill the process (seccomp's bad-arch action),
 * so it is tried in a child: returns 0 if the call came back, else -1 with
 * child_signal naming the signal that ended the child ("SIGSYS": refused
 * by seccomp; "SIGSEGV": the kernel has no such ABI at all). */
static long in_child(void (*attempt)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        attempt();
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    if (!WIFSIGNALED(status))
        return 0;
    child_signal = WTERMSIG(status) == SIGSYS ? "SIGSYS" : WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "signal";
    return -1;
}

#if defined(__x86_64__)
static void getpid_x32(void) { syscall(0x40000000 | 39 /* __X32_SYSCALL_BIT | getpid */); }
static void getpid_i386(void)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20 /* i386 getpid */) : "memory");
    (void)ret;
}
static long try_abi_x32(void) { return in_child(getpid_x32); }
static long try_abi_i386(void) { return in_child(getpid_i386); }
#else
static long try_abi_x32(void) { errno = ENOSYS; return -1; }
static long try_abi_i386(void) { errno = ENOSYS; return -1; }
#endif

static const struct {
    const char *name;
    long (*attempt)(void);
} attempts[] = {
    {"tiocsti", try_tiocsti},
    {"tiocsti-high", try_tiocsti_high},
    {"tioclinux", try_tioclinux},
    {"tioclinux-high", try_tioclinux_high},
    {"userns-unshare", try_userns_unshare},
    {"userns-clone", try_userns_clone},
    {"clone3", try_clone3},
    {"io_uring", try_io_uring},
    {"mount", try_mount},
    {"umount", try_umount},
    {"umount-missing", try_umount_missing},
    {"keyctl", try_keyctl},
    {"add_key", try_add_key},
    {"request_key", try_request_key},
    {"bpf", try_bpf},
    {"perf", try_perf},
    {"perf-null", try_perf_null},
    {"userfaultfd", try_userfaultfd},
    {"userfaultfd-user", try_userfaultfd_user},
    {"setns", try_setns},
    {"setns-badfd", try_setns_badfd},
    {"ptrace-init", try_ptrace_init},
    {"mknod", try_mknod},
    {"chroot", try_chroot},
    {"pivot_root", try_pivot_root},
    {"open_tree", try_open_tree},
    {"open_tree-plain", try_open_tree_plain},
    {"move_mount", try_move_mount},
    {"fsopen", try_fsopen},
    {"fsconfig", try_fsconfig},
    {"fsmount", try_fsmount},
    {"fspick", try_fspick},
    {"mount_setattr", try_mount_setattr},
    {"kexec", try_kexec},
    {"kexec_file_load", try_kexec_file},
    {"init_module", try_init_module},
    {"finit_module", try_finit_module},
    {"open_by_handle_at", try_open_by_handle},
    {"name_to_handle_at", try_name_to_handle},
    {"personality", try_personality},
    {"setuid-root", try_setuid_root},
    {"process_vm_readv-init", try_process_vm_readv},
    {"abi-x32", try_abi_x32},
    {"abi-i386", try_abi_i386},
};

int main(int argc, char **argv)
{
    int unknown = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            for (size_t j = 0; j < sizeof attempts / sizeof attempts[0]; j++)
                puts(attempts[j].name);
            continue;
        }
        size_t j = 0;
        while (j < sizeof attempts / sizeof attempts[0] && strcmp(attempts[j].name, argv[i]) != 0)
            j++;
        if (j == sizeof attempts / sizeof attempts[0]) {
            fprintf(stderr, "probe: unknown attempt %s (probe --list)\n", argv[i]);
            unknown = 1;
            continue;
        }
        errno = 0;
        child_signal = NULL;
        long r = attempts[j].attempt();
        printf("%s: %s\n", argv[i], r >= 0 ? "ok" : child_signal ? child_signal : errno_name(errno));
        fflush(stdout);
    }
    return unknown ? 2 : 0;
}
