#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

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
               "allow them with 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'";
    if (err == ENOSPC)
        return "the per-user limit user.max_user_namespaces is reached";
    if (err == EPERM)
        return "is clbox running inside a container or sandbox that forbids new user namespaces "
               "(Docker, another clbox)?";
    if (err == EINVAL)
        return "this kernel may lack user namespaces (CONFIG_USER_NS)";
    return NULL;
}

_Noreturn void die_namespace_denied(const char *what, int err)
{
    const char *hint = userns_refusal_hint(err);
    die("%s: %s%s%s%s", what, strerror(err), hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

void userns_map_self(uid_t uid, gid_t gid)
{
    char map[64];
    int r = write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny");
    if (r < 0 && r != -ENOENT)
        die_namespace_denied("cannot deny setgroups in the sandbox's user namespace", -r);
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if ((r = write_file_at(AT_FDCWD, "/proc/self/uid_map", map)) < 0)
        die_namespace_denied("cannot write the sandbox's uid map", -r);
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if ((r = write_file_at(AT_FDCWD, "/proc/self/gid_map", map)) < 0)
        die_namespace_denied("cannot write the sandbox's gid map", -r);
}
