/* What in a project makes code run later, outside the sandbox, when the
 * user works there again: git's hooks and config (core.hooksPath,
 * core.fsmonitor, aliases, filters) and the files through which git is sent
 * to take them from elsewhere (a .git file, commondir, gitdir, a linked
 * worktree's or a submodule's git dir), the agent's own settings (its
 * hooks), MCP servers, direnv, editor tasks.  Those that exist are shown
 * read-only; git dirs are pinned (bound onto themselves) so that they
 * cannot be renamed away and replaced by a planted copy.
 *
 * A .git file and a commondir are themselves input from an earlier
 * sandbox: what they point to is shown only when it is a real git dir that
 * clbox may make writable. */
#include "plan/plan_git.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/util.h"
#include "plan/gitdir.h"
#include "plan/paths.h"
#include "plan/plan_core.h"
#include "plan/plan_views.h"
#include "plan/system.h"

static const char *const protected_project_files[] = {
    ".claude/settings.json", ".claude/settings.local.json", ".mcp.json", ".envrc",
    ".vscode/tasks.json",    ".vscode/settings.json",
};

/* Submodules nest their git dirs: .git/modules/a/modules/b. */
enum { MAX_SUBMODULE_DEPTH = 4 };

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_own_store(const char *dir)
{
    autoclose int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd >= 0 && git_dir_has_own_store(fd);
}

/* The entries of git_dir through which git runs code or is sent elsewhere;
 * with pointers_only, just those that send it elsewhere. */
static void protect_entries(struct plan *plan, const char *git_dir, bool pointers_only)
{
    for (size_t i = 0; i < n_git_dir_code_entries; i++) {
        const char *name = git_dir_code_entries[i];
        if (pointers_only && strcmp(name, "commondir") != 0 && strcmp(name, "gitdir") != 0)
            continue;
        autofree char *path = xasprintf("%s/%s", git_dir, name);
        if (exists(path))
            plan_add(plan, MOUNT_PROTECT, path, path, 0, "protected git file");
    }
}

/* Calls fn for each directory in git_dir/sub (worktrees, modules). */
static void for_each_subdir(struct plan *plan, const char *git_dir, const char *sub, int depth,
                            void (*fn)(struct plan *plan, const char *dir, int depth))
{
    autofree char *parent = xasprintf("%s/%s", git_dir, sub);
    DIR *d = is_dir(parent) ? opendir(parent) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        autofree char *dir = xasprintf("%s/%s", parent, e->d_name);
        if (is_dir(dir))
            fn(plan, dir, depth);
    }
    if (d)
        closedir(d);
}

/* A linked worktree's git dir (worktrees/NAME): git working there takes
 * its common dir from commondir and its own config from config.worktree. */
static void protect_worktree_dir(struct plan *plan, const char *dir, int depth)
{
    (void)depth;
    plan_pin(plan, dir);
    protect_entries(plan, dir, false);
}

static void protect_whole_git_dir(struct plan *plan, const char *git_dir, int depth);

static void protect_git_dir(struct plan *plan, const char *git_dir, int depth, bool pointers_only)
{
    plan_pin(plan, git_dir);
    protect_entries(plan, git_dir, pointers_only);
    for_each_subdir(plan, git_dir, "worktrees", depth, protect_worktree_dir);
    if (depth < MAX_SUBMODULE_DEPTH)
        for_each_subdir(plan, git_dir, "modules", depth + 1, protect_whole_git_dir);
}

static void protect_whole_git_dir(struct plan *plan, const char *git_dir, int depth)
{
    protect_git_dir(plan, git_dir, depth, false);
}

void plan_protect_git_dir(struct plan *plan, const char *git_dir, bool pointers_only)
{
    protect_git_dir(plan, git_dir, 0, pointers_only);
}

/* The physical path a pointer file names, relative ones taken from base. */
static char *read_pointer(const char *file, const char *prefix, const char *base)
{
    char given[PATH_MAX];
    if (!git_read_pointer(AT_FDCWD, file, prefix, given, sizeof given))
        return NULL;
    autofree char *absolute = path_normalize(given, base);
    return realpath(absolute, NULL);
}

static bool named_with_rw(const struct plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (plan->mounts[i].kind == MOUNT_BIND_RW && strcmp(plan->mounts[i].why, "--rw") == 0 &&
            path_is_within(path, plan->mounts[i].path))
            return true;
    return false;
}

/* Why clbox must not make `target` writable on the word of a file the
 * sandbox could have written (the refusals --rw gets, and more), or NULL. */
static const char *why_not_writable(const struct plan *plan, const char *target)
{
    if (strcmp(target, plan->home) == 0)
        return "your home directory";
    if (path_is_within(plan->home, target))
        return "a directory above your home";
    if (plan_path_is_system(target))
        return "a system directory";
    if (path_is_within(plan->project, target) && !named_with_rw(plan, target))
        return "a directory above the project (pass it with --rw if you mean to share it)";
    return NULL;
}

static int refuse_pointer(const char *file, const char *target, const char *why, struct error *err)
{
    autofree char *shown_file = xmalloc(4 * strlen(file) + 5);
    autofree char *shown_target = xmalloc(4 * strlen(target) + 5);
    return error_set(err, "%s points to %s, which is %s; a sandbox can write that file, so clbox does not "
                     "follow it (correct or remove it if you did not write it)",
                     str_printable(file, shown_file, 4 * strlen(file) + 5),
                     str_printable(target, shown_target, 4 * strlen(target) + 5), why);
}

/* A linked worktree's git dir has HEAD and a commondir and takes its
 * objects and refs from the common dir; any other has its own. */
static bool is_git_dir(const char *git_dir, const char *common)
{
    autofree char *head = xasprintf("%s/HEAD", git_dir);
    return has_own_store(git_dir) || (common && exists(head) && has_own_store(common));
}

/* A linked worktree or a submodule checked out as the project keeps its
 * git dir elsewhere (".git" is a file: "gitdir: PATH"), inside a common
 * git dir that holds the hooks and config: git inside needs both.  Both
 * pointers are checked before anything is shown. */
static int show_external_git_dir(struct plan *plan, const char *dotgit, bool protect, struct error *err)
{
    autofree char *git_dir = read_pointer(dotgit, "gitdir: ", plan->project);
    if (!git_dir || path_is_within(git_dir, plan->project))
        return 0;
    autofree char *commondir_file = xasprintf("%s/commondir", git_dir);
    autofree char *common = exists(commondir_file) ? read_pointer(commondir_file, "", git_dir) : NULL;
    const char *why = NULL;
    if (common && !(why = why_not_writable(plan, common))) {
        if (!has_own_store(common))
            why = "not a git dir (it has no HEAD, objects/ and refs/)";
        else if (!path_is_within(git_dir, common))
            why = "not the git dir that holds it (a worktree's git dir lies in its common dir's worktrees/)";
    }
    if (why)
        return refuse_pointer(commondir_file, common, why, err);
    if ((why = why_not_writable(plan, git_dir)) ||
        (!is_git_dir(git_dir, common) && (why = "not a git dir (it has no HEAD, objects/ and refs/)")))
        return refuse_pointer(dotgit, git_dir, why, err);
    const char *root = common ? common : git_dir;
    if (path_is_within(root, plan->project))
        return 0;
    plan_add(plan, MOUNT_BIND_RW, root, root, 0, "git dir of this work tree");
    if (protect)
        protect_git_dir(plan, root, 0, false);
    return 0;
}

int plan_protect_project(struct plan *plan, bool protect, struct error *err)
{
    autofree char *dotgit = xasprintf("%s/.git", plan->project);
    struct stat st;
    bool dotgit_file = lstat(dotgit, &st) == 0 && S_ISREG(st.st_mode);
    if (dotgit_file && show_external_git_dir(plan, dotgit, protect, err) < 0)
        return -1;
    if (!protect)
        return 0;
    if (dotgit_file)
        plan_add(plan, MOUNT_PROTECT, dotgit, dotgit, 0, "where git finds its git dir");
    else if (exists(dotgit))
        protect_git_dir(plan, dotgit, 0, false); /* a link is refused when it is bound */
    for (size_t i = 0; i < sizeof protected_project_files / sizeof protected_project_files[0]; i++) {
        autofree char *path = xasprintf("%s/%s", plan->project, protected_project_files[i]);
        /* .claude/ and .vscode/ are pinned too: renamed away, they would
         * take the read-only file with them and leave room for a new one. */
        if (exists(path))
            plan_protect_file(plan, path, "protected project file");
    }
    return 0;
}
