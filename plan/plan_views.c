/* Writable views: the host paths the sandbox can write (the project, the
 * config dir, --rw paths, a git dir outside the project).  Whatever lies in
 * them at start may have been written by an earlier sandbox, so clbox
 * derives no mount from it, and what it does read there (a profile, the
 * config dir's settings) is made read-only with the directories above it
 * pinned in place. */
#include "plan/plan_views.h"

#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "plan/paths.h"
#include "plan/plan_core.h"

const char plan_pin_why[] = "pinned in place";

/* What the host's Claude Code obeys when the user runs it with the same
 * CLAUDE_CONFIG_DIR: hooks in its settings, slash commands and subagents
 * (whose definitions carry hooks and shell steps of their own). */
static const char *const config_dir_code_entries[] = {
    "settings.json", "settings.local.json", "hooks", "commands", "agents",
};

const char *plan_writable_view_of(const struct plan *plan, const char *path)
{
    const char *best = NULL;
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct mount_entry *m = &plan->mounts[i];
        if (m->kind == MOUNT_BIND_RW && m->why != plan_pin_why && path_is_within(path, m->path) &&
            (!best || strlen(m->path) > strlen(best)))
            best = m->path;
    }
    return best;
}

/* A mount point cannot be renamed, but renaming a directory above one
 * moves the mount along: so every directory from the view down to `dir`
 * is bound onto itself, and none of them can be moved away and replaced by
 * a planted copy.  A path with a mount already is one already. */
void plan_pin(struct plan *plan, const char *dir)
{
    const char *view = plan_writable_view_of(plan, dir);
    if (!view)
        return;
    autofree char *prefix = xstrdup(dir);
    for (char *p = prefix + strlen(view); *p == '/';) {
        char *next = strchrnul(p + 1, '/');
        char saved = *next;
        *next = '\0';
        if (!plan_has_mount_at(plan, prefix))
            plan_add(plan, MOUNT_BIND_RW, prefix, prefix, 0, plan_pin_why);
        *next = saved;
        p = next;
    }
}

void plan_protect_file(struct plan *plan, const char *path, const char *why)
{
    autofree char *parent = path_dirname(path);
    plan_pin(plan, parent);
    plan_add(plan, MOUNT_PROTECT, path, path, 0, why);
}

void plan_protect_config_dir(struct plan *plan)
{
    for (size_t i = 0; i < sizeof config_dir_code_entries / sizeof config_dir_code_entries[0]; i++) {
        autofree char *path = xasprintf("%s/%s", plan->config_dir, config_dir_code_entries[i]);
        struct stat st;
        if (lstat(path, &st) == 0)
            plan_add(plan, MOUNT_PROTECT, path, path, 0, "what Claude Code on the host obeys");
    }
}
