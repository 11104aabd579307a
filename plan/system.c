#include "plan/system.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "plan/plan_core.h"

/* Read-only views of the host's system.  Merged-/usr links (/bin -> usr/bin)
 * are recreated as links. */
static const char *const system_dirs[] = {
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix",
};

/* Directories that a read-write view must never cover. */
static const char *const never_writable[] = {"/usr", "/etc", "/boot", "/proc", "/sys", "/dev"};

void plan_add_system_layer(struct plan *plan)
{
    plan_add(plan, MOUNT_TMPFS, "/", NULL, 0755, "sandbox root");
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        const char *dir = system_dirs[i];
        struct stat st;
        if (lstat(dir, &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlink(dir, target, sizeof target - 1);
            if (n > 0) {
                target[n] = '\0';
                plan_add(plan, MOUNT_SYMLINK, dir, target, 0, "system link");
            }
        } else if (S_ISDIR(st.st_mode)) {
            plan_add(plan, MOUNT_BIND_RO, dir, dir, 0, "system");
        }
    }
    plan_add(plan, MOUNT_DEV, "/dev", NULL, 0755, "minimal devices");
    plan_add(plan, MOUNT_PROC, "/proc", NULL, 0, "this sandbox's processes");
    plan_add(plan, MOUNT_SYSFS, "/sys", NULL, 0, "kernel objects, read-only");
    plan_add(plan, MOUNT_TMPFS, "/tmp", NULL, 01777, "private");
    plan_add(plan, MOUNT_TMPFS, "/var/tmp", NULL, 01777, "private");
    plan_add(plan, MOUNT_TMPFS, "/run", NULL, 0755, "private");
}

/* Paths the system layer already shows. */
bool plan_path_in_system_layer(const char *path)
{
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        if (path_is_within(path, system_dirs[i]))
            return true;
    return false;
}

bool plan_path_never_writable(const char *path)
{
    for (size_t i = 0; i < sizeof never_writable / sizeof never_writable[0]; i++)
        if (path_is_within(path, never_writable[i]))
            return true;
    return false;
}

bool plan_path_is_system(const char *path)
{
    return plan_path_never_writable(path) || plan_path_in_system_layer(path);
}
