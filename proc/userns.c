#include "proc/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"

static long read_sysctl(const char *path)
{
    autofree char *text = read_small_file(path, 32);
    if (!text)
        return -1;
    return strtol(text, NULL, 10);
}

const char *userns_refusal_hint(int err)
{
    if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        return "kernel.unprivileged_userns_clone is 0: allow them with "
               "'sudo sysctl -w kernel.unprivileged_userns_clone=1'";
    if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
        return "user.max_user_namespaces is 0: allow them with 'sudo sysctl -w user.max_user_namespaces=15000'";
    if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1): "
               "install clbox's AppArmor profile with 'sudo make install-apparmor' in clbox's source tree, or "
               "allow them for every program with 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'";
    if (err == ENOSPC)
        return "the per-user limit user.max_user_namespaces is reached";
    if (err == EPERM)
        return "is clbox running inside a container or sandbox that forbids new user namespaces "
               "(Docker, another clbox)?";
    if (err == EINVAL)
        return "this kernel may lack user namespaces (CONFIG_USER_NS)";
    return NULL;
}

int error_namespace_denied(struct error *e, const char *what, int err)
{
    const char *hint = userns_refusal_hint(err);
    return error_errno(e, err, "%s: %m%s%s%s", what, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

int warn_namespace_denied(const char *what, int err)
{
    struct error e;
    error_namespace_denied(&e, what, err);
    warnx_clbox("%s", e.text);
    return -1;
}

_Noreturn void die_namespace_denied(const char *what, int err)
{
    warn_namespace_denied(what, err);
    die_quietly();
}

/* Writes the maps of the user namespace of `pid` (0: the caller's).
 * Returns 0, or -1 after saying why not. */
static int write_maps(pid_t pid, const char *uid_map, const char *gid_map)
{
    char dir[32];
    snprintf(dir, sizeof dir, pid ? "/proc/%d" : "/proc/self", (int)pid);
    autoclose int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        warnx_clbox("cannot open %s to write the sandbox's id maps: %m", dir);
        return -1;
    }
    int r = write_file_at(fd, "setgroups", "deny");
    if (r < 0 && r != -ENOENT)
        return warn_namespace_denied("cannot deny setgroups in the sandbox's user namespace", -r);
    if ((r = write_file_at(fd, "uid_map", uid_map)) < 0)
        return warn_namespace_denied("cannot write the sandbox's uid map", -r);
    if ((r = write_file_at(fd, "gid_map", gid_map)) < 0)
        return warn_namespace_denied("cannot write the sandbox's gid map", -r);
    return 0;
}

/* Written by the launcher, from outside, before anything (slirp4netns
 * included) joins the namespace. */
int userns_map_outer(pid_t pid, uid_t host_uid, gid_t host_gid)
{
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)host_uid);
    snprintf(gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)host_gid);
    return write_maps(pid, uid_map, gid_map);
}

void userns_enter_inner(uid_t uid, gid_t gid)
{
    if (unshare(CLONE_NEWUSER) < 0)
        die_namespace_denied("cannot create the command's user namespace", errno);
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof uid_map, "%u 0 1\n", (unsigned)uid);
    snprintf(gid_map, sizeof gid_map, "%u 0 1\n", (unsigned)gid);
    if (write_maps(0, uid_map, gid_map) < 0)
        die_quietly();
}
