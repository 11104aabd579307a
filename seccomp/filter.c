#include "seccomp/filter.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>

#include "common/error.h"

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

struct refusal {
    const char *name;
    int err;
};

/* Refused outright.  ENOSYS where a library probes the call and must fall
 * back (libuv and io_uring; glibc and clone3, whose flags live in memory a
 * filter cannot read, so it must fall back to clone, whose flags it can). */
static const struct refusal refused[] = {
    /* Namespaces and mounts: the sandbox's shape is fixed before exec. */
    {"setns", EPERM}, {"mount", EPERM}, {"umount", EPERM}, {"umount2", EPERM}, {"pivot_root", EPERM},
    {"chroot", EPERM}, {"open_tree", EPERM}, {"move_mount", EPERM}, {"fsopen", EPERM}, {"fsconfig", EPERM},
    {"fsmount", EPERM}, {"fspick", EPERM}, {"mount_setattr", EPERM}, {"clone3", ENOSYS},
    /* The kernel keyring is not namespaced. */
    {"keyctl", EPERM}, {"add_key", EPERM}, {"request_key", EPERM},
    /* Large kernel attack surface, rarely needed by a coding agent. */
    {"bpf", EPERM}, {"perf_event_open", EPERM}, {"userfaultfd", EPERM}, {"io_uring_setup", ENOSYS},
    {"io_uring_enter", ENOSYS}, {"io_uring_register", ENOSYS}, {"open_by_handle_at", EPERM},
    {"name_to_handle_at", EPERM},
    /* The machine itself. */
    {"kexec_load", EPERM}, {"kexec_file_load", EPERM}, {"init_module", EPERM}, {"finit_module", EPERM},
    {"delete_module", EPERM}, {"swapon", EPERM}, {"swapoff", EPERM}, {"reboot", EPERM}, {"acct", EPERM},
    {"quotactl", EPERM}, {"quotactl_fd", EPERM}, {"syslog", EPERM}, {"vhangup", EPERM}, {"uselib", EPERM},
    {"lookup_dcookie", EPERM}, {"nfsservctl", EPERM},
};

static int add_refusal(scmp_filter_ctx ctx, const struct refusal *r, struct error *err)
{
    int nr = seccomp_syscall_resolve_name(r->name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a system call on this architecture */
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(r->err), nr, 0);
    if (rc < 0) {
        error_errno(err, -rc, "cannot add the seccomp rule for %s: %m", r->name);
        return -1;
    }
    return 0;
}

/* Conditional refusals, on a system call's arguments. */
static int add_argument_rules(scmp_filter_ctx ctx, struct error *err)
{
    struct {
        const char *what;
        int nr;
        struct scmp_arg_cmp cmp;
    } rules[] = {
        /* A new user namespace would give the command every capability in it. */
        {"clone", SCMP_SYS(clone), SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)},
        {"unshare", SCMP_SYS(unshare), SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)},
        /* Typing into the user's terminal (CVE-2017-5226).  The kernel reads
         * the request as 32 bits: compare only those, or high bits slip by
         * (CVE-2019-10063). */
        {"ioctl TIOCSTI", SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)},
        {"ioctl TIOCLINUX", SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)},
        /* Executable data everywhere, or a mapping at address zero. */
        {"personality READ_IMPLIES_EXEC", SCMP_SYS(personality),
         SCMP_A0(SCMP_CMP_MASKED_EQ, READ_IMPLIES_EXEC, READ_IMPLIES_EXEC)},
        {"personality MMAP_PAGE_ZERO", SCMP_SYS(personality),
         SCMP_A0(SCMP_CMP_MASKED_EQ, MMAP_PAGE_ZERO, MMAP_PAGE_ZERO)},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), rules[i].nr, 1, rules[i].cmp);
        if (rc < 0) {
            error_errno(err, -rc, "cannot add the seccomp rule for %s: %m", rules[i].what);
            return -1;
        }
    }
    return 0;
}

int seccomp_install(struct error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        error_set(err, "cannot create a seccomp filter (out of memory?)");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) {
        error_errno(err, -rc, "cannot make foreign syscall ABIs fatal: %m");
        goto out;
    }
    rc = -1;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (add_refusal(ctx, &refused[i], err) < 0)
            goto out;
    if (add_argument_rules(ctx, err) < 0)
        goto out;
    rc = seccomp_load(ctx);
    if (rc < 0)
        error_errno(err, -rc, "cannot load the seccomp filter: %m");
out:
    seccomp_release(ctx);
    return rc < 0 ? -1 : 0;
}
