/* Unit tests for the mount layer: each entry of a plan made below a new
 * root reached by fd, and each refusal coming back as an error with its
 * errno and the message clbox prints.  The roots are directories of a
 * tmpdir.  What needs no privilege (sources and mount points that are
 * refused before any mount) runs in the test process as it is; what mounts
 * runs after the test has entered a user and mount namespace of its own,
 * so nothing it mounts is seen outside, and is skipped, saying so, where
 * this machine refuses one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "init/mounts.h"

static char top[64];
static bool own_namespaces; /* the test may mount: in a user and mount namespace of its own */

struct roots {
    struct mount_build build;
    char old_dir[128], new_dir[128];
};

static void make_file(const char *path, const char *content)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write_all(fd, content, strlen(content)), 0);
    close(fd);
}

/* old/ stands for the host's "/", new/ for the sandbox's. */
static int roots_setup(void **state)
{
    static unsigned counter;
    struct roots *r = xcalloc(1, sizeof *r);
    snprintf(r->old_dir, sizeof r->old_dir, "%s/%u-old", top, counter);
    snprintf(r->new_dir, sizeof r->new_dir, "%s/%u-new", top, counter++);
    assert_int_equal(mkdir(r->old_dir, 0755), 0);
    assert_int_equal(mkdir(r->new_dir, 0755), 0);
    r->build = (struct mount_build){
        .old_root = open(r->old_dir, O_PATH | O_DIRECTORY | O_CLOEXEC),
        .new_root = open(r->new_dir, O_PATH | O_DIRECTORY | O_CLOEXEC),
        .proc = "/proc",
    };
    assert_true(r->build.old_root >= 0 && r->build.new_root >= 0);
    *state = r;
    return 0;
}

static int roots_teardown(void **state)
{
    struct roots *r = *state;
    close(r->build.old_root);
    close(r->build.new_root);
    free(r);
    return 0;
}

/* The host path of `rel` below the old or the new root. */
static char *in_old(const struct roots *r, const char *rel) { return xasprintf("%s/%s", r->old_dir, rel); }
static char *in_new(const struct roots *r, const char *rel) { return xasprintf("%s/%s", r->new_dir, rel); }

static int apply(struct roots *r, enum mount_kind kind, const char *path, const char *source, struct error *err)
{
    autofree char *path_copy = xstrdup(path);
    autofree char *source_copy = source ? xstrdup(source) : NULL;
    struct mount_entry m = {.kind = kind, .path = path_copy, .source = source_copy, .mode = 0755, .why = "--ro"};
    return mounts_apply(&r->build, &m, err);
}

static void test_missing_source(void **state)
{
    struct roots *r = *state;
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_BIND_RO, "/data", "/nothing/here", &err), -1);
    assert_int_equal(err.errnum, ENOENT);
    assert_string_equal(err.text, "cannot open /nothing/here to show it in the sandbox (--ro): No such file or directory");
    autofree char *where = in_new(r, "data");
    assert_int_equal(access(where, F_OK), -1); /* refused before a mount point was made */
}

static void test_symlinked_source_component(void **state)
{
    struct roots *r = *state;
    autofree char *real = in_old(r, "real");
    autofree char *link = in_old(r, "link");
    autofree char *file = in_old(r, "real/file");
    assert_int_equal(mkdir(real, 0755), 0);
    make_file(file, "x");
    assert_int_equal(symlink("real", link), 0);
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_BIND_RO, "/data", "/link/file", &err), -1);
    assert_int_equal(err.errnum, ELOOP);
    assert_string_equal(err.text, "/link/file: a component is a symbolic link; clbox never follows links when it "
                                  "binds --ro (replace the link with the real path, or remove it)");
}

/* A link planted in the new root (through a view of a directory the
 * command could write) must not carry a mount point elsewhere. */
static void test_symlinked_mount_point(void **state)
{
    struct roots *r = *state;
    autofree char *outside = in_old(r, "outside");
    autofree char *link = in_new(r, "view");
    autofree char *escaped = in_old(r, "outside/x");
    assert_int_equal(mkdir(outside, 0755), 0);
    assert_int_equal(symlink(outside, link), 0);
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_TMPFS, "/view/x", NULL, &err), -1);
    assert_int_equal(err.errnum, ELOOP);
    assert_string_equal(err.text, "cannot create the mount point /view/x inside the sandbox: Too many levels of "
                                  "symbolic links");
    assert_int_equal(access(escaped, F_OK), -1);
    assert_int_equal(errno, ENOENT);
}

static void test_hide_missing_is_nothing(void **state)
{
    struct roots *r = *state;
    struct error err = {.errnum = -1};
    assert_int_equal(apply(r, MOUNT_HIDE, "/not/there", NULL, &err), 0);
    assert_int_equal(err.errnum, -1); /* untouched on success */
}

static void need_namespaces(void)
{
    if (!own_namespaces)
        skip(); /* reported as skipped: this machine refuses user namespaces */
}

/* A mount point that would have to be made inside a read-only view. */
static void test_mount_point_in_readonly_view(void **state)
{
    need_namespaces();
    struct roots *r = *state;
    autofree char *view = in_new(r, "ro");
    assert_int_equal(mkdir(view, 0755), 0);
    assert_int_equal(mount("tmpfs", view, "tmpfs", MS_RDONLY, "mode=0755"), 0);
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_TMPFS, "/ro/inner", NULL, &err), -1);
    assert_int_equal(err.errnum, EROFS);
    assert_string_equal(err.text, "cannot create the mount point /ro/inner: it would lie inside a read-only view; "
                                  "create it on the host first or drop that option");
}

static void test_fresh_tmpfs(void **state)
{
    need_namespaces();
    struct roots *r = *state;
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_TMPFS, "/scratch", NULL, &err), 0);
    autofree char *where = in_new(r, "scratch");
    struct statfs sf;
    assert_int_equal(statfs(where, &sf), 0);
    assert_int_equal(sf.f_type, TMPFS_MAGIC);
}

/* A read-only view is read-only below the new root, with either mount API,
 * and the host's copy stays writable. */
static void check_readonly_bind(struct roots *r, const char *name)
{
    autofree char *src = in_old(r, name);
    autofree char *file = xasprintf("%s/file", src);
    autofree char *shown = xasprintf("%s/%s/file", r->new_dir, name);
    assert_int_equal(mkdir(src, 0755), 0);
    make_file(file, "host");
    char path[64];
    snprintf(path, sizeof path, "/%s", name);
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_BIND_RO, path, path, &err), 0);
    assert_int_equal(open(shown, O_WRONLY | O_CLOEXEC), -1);
    assert_int_equal(errno, EROFS);
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    close(fd);
}

static void test_readonly_bind(void **state)
{
    need_namespaces();
    check_readonly_bind(*state, "ro-new-api");
}

static void test_readonly_bind_legacy(void **state)
{
    need_namespaces();
    struct roots *r = *state;
    r->build.legacy = true;
    check_readonly_bind(r, "ro-legacy");
}

/* A fresh mount the kernel refuses (proc, without a pid namespace of the
 * test's own) comes back with its errno. */
static void test_refused_mount_keeps_errno(void **state)
{
    need_namespaces();
    struct roots *r = *state;
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_PROC, "/proc", NULL, &err), -1);
    assert_int_equal(err.errnum, EPERM);
    assert_string_equal(err.text, "cannot mount a fresh proc at /proc: Operation not permitted");
}

/* A link already there with another target is refused, with the reason. */
static void test_link_conflict(void **state)
{
    struct roots *r = *state;
    struct error err = {0};
    assert_int_equal(apply(r, MOUNT_SYMLINK, "/a/link", "target", &err), 0);
    assert_int_equal(apply(r, MOUNT_SYMLINK, "/a/link", "target", &err), 0); /* the same one: fine */
    assert_int_equal(apply(r, MOUNT_SYMLINK, "/a/link", "other", &err), -1);
    assert_int_equal(err.errnum, EEXIST);
    assert_string_equal(err.text, "cannot create the link /a/link -> other inside the sandbox: File exists");
}

static bool write_map(const char *file, const char *content)
{
    autoclose int fd = open(file, O_WRONLY | O_CLOEXEC);
    return fd >= 0 && write_all(fd, content, strlen(content)) == 0;
}

/* Root of a user namespace of its own, with a mount namespace whose mounts
 * never propagate back. */
static bool enter_own_namespaces(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
        return false;
    char map[64];
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    if (!write_map("/proc/self/uid_map", map))
        return false;
    (void)write_map("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    return write_map("/proc/self/gid_map", map) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    umount2(path, MNT_DETACH);
    remove(path);
    return 0;
}

int main(void)
{
    own_namespaces = enter_own_namespaces();
    if (!own_namespaces)
        fprintf(stderr, "# no user namespace here (%s): the tests that mount are skipped\n", strerror(errno));
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/clbox-mounts-XXXXXX", tmp && tmp[0] == '/' && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(top))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_source, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_source_component, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_mount_point, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_hide_missing_is_nothing, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_mount_point_in_readonly_view, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_fresh_tmpfs, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_bind, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_bind_legacy, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_refused_mount_keeps_errno, roots_setup, roots_teardown),
        cmocka_unit_test_setup_teardown(test_link_conflict, roots_setup, roots_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed;
}
