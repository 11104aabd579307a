/* What in a project makes code run later, outside the sandbox, when the
 * user works there again: git's hooks and config (core.hooksPath,
 * core.fsmonitor, aliases, filters), the agent's own settings (its hooks),
 * MCP servers, direnv, editor tasks.  Those that exist are shown read-only;
 * git dirs are pinned (bound onto themselves) so that they cannot be
 * renamed away and replaced by a planted copy. */
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "plan.h"

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

static void protect_if_present(struct plan *plan, const char *dir, const char *name, const char *why)
{
    autofree char *path = xasprintf("%s/%s", dir, name);
    if (exists(path))
        plan_add(plan, MOUNT_PROTECT, path, path, 0, why);
}

static void protect_git_dir(struct plan *plan, const char *git_dir, int depth)
{
    plan_add(plan, MOUNT_BIND_RW, git_dir, git_dir, 0, "git dir, pinned in place");
    protect_if_present(plan, git_dir, "hooks", "protected git hooks");
    protect_if_present(plan, git_dir, "config", "protected git config");
    protect_if_present(plan, git_dir, "config.worktree", "protected git config");
    autofree char *modules = xasprintf("%s/modules", git_dir);
    DIR *d = depth < MAX_SUBMODULE_DEPTH ? opendir(modules) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        autofree char *sub = xasprintf("%s/%s", modules, e->d_name);
        if (is_dir(sub))
            protect_git_dir(plan, sub, depth + 1);
    }
    if (d)
        closedir(d);
}

static char *read_pointer(const char *file, const char *prefix, const char *base)
{
    autofree char *text = read_small_file(file, PATH_MAX + 16);
    if (!text || !str_has_prefix(text, prefix))
        return NULL;
    char *given = text + strlen(prefix);
    given[strcspn(given, "\n")] = '\0';
    autofree char *absolute = path_normalize(given, base);
    return realpath(absolute, NULL);
}

/* A linked worktree or a submodule checked out as the project keeps its
 * git dir elsewhere (".git" is a file: "gitdir: PATH"), inside a common
 * git dir that holds the hooks and config: git inside needs both. */
static void show_external_git_dir(struct plan *plan, const char *dotgit, bool protect)
{
    autofree char *git_dir = read_pointer(dotgit, "gitdir: ", plan->project);
    if (!git_dir || path_is_within(git_dir, plan->project))
        return;
    autofree char *commondir_file = xasprintf("%s/commondir", git_dir);
    autofree char *common = read_pointer(commondir_file, "", git_dir);
    const char *root = common && path_is_within(git_dir, common) ? common : git_dir;
    if (path_is_within(root, plan->project))
        return;
    if (protect)
        protect_git_dir(plan, root, 0);
    else
        plan_add(plan, MOUNT_BIND_RW, root, root, 0, "git dir of this work tree");
    if (root != git_dir && !path_is_within(git_dir, root))
        plan_add(plan, MOUNT_BIND_RW, git_dir, git_dir, 0, "git dir of this work tree");
}

void plan_protect_project(struct plan *plan, bool protect)
{
    autofree char *dotgit = xasprintf("%s/.git", plan->project);
    struct stat st;
    if (lstat(dotgit, &st) == 0 && S_ISREG(st.st_mode))
        show_external_git_dir(plan, dotgit, protect);
    if (!protect)
        return;
    if (lstat(dotgit, &st) == 0 && !S_ISREG(st.st_mode))
        protect_git_dir(plan, dotgit, 0); /* a link is refused when it is bound */
    for (size_t i = 0; i < sizeof protected_project_files / sizeof protected_project_files[0]; i++) {
        autofree char *path = xasprintf("%s/%s", plan->project, protected_project_files[i]);
        if (!exists(path))
            continue;
        /* .claude/ and .vscode/ are pinned too: renamed away, they would
         * take the read-only file with them and leave room for a new one. */
        autofree char *parent = path_dirname(path);
        if (strcmp(parent, plan->project) != 0)
            plan_add(plan, MOUNT_BIND_RW, parent, parent, 0, "pinned in place");
        plan_add(plan, MOUNT_PROTECT, path, path, 0, "protected project file");
    }
}
