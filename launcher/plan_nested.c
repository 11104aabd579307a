/* Repositories nested in the project (project/sub/.git), worktrees and
 * submodules checked out in it (a .git file), and bare repositories or
 * look-alikes of one (HEAD, objects/, refs/ in any directory, the project's
 * own included): git obeys each when the user works there, so the files
 * through which it is sent elsewhere, and a bare one's config and hooks,
 * are read-only inside where they exist at start.  The config and hooks of
 * a nested git dir stay writable; the exit audit reports what the session
 * wrote there.  The walk has the audit's bounds and never goes through a
 * link or into a git dir. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "gitdir.h"
#include "plan.h"

/* The audit's bounds: the walk adds to every start. */
enum { NESTED_MAX_DEPTH = 4, NESTED_MAX_DIRS = 4096, NESTED_MAX_ENTRIES = 100000 };

struct start_walk {
    struct plan *plan;
    int dirs_left, entries_left;
    char path[PATH_MAX]; /* of the directory being looked at */
};

/* A ".git" below the project: a git dir, or a file that sends git to one.
 * A link is left to the exit audit: binding it would follow it. */
static void protect_nested_dotgit(const struct stat *st, struct start_walk *w)
{
    char dotgit[PATH_MAX + 8];
    snprintf(dotgit, sizeof dotgit, "%s/.git", w->path);
    if (S_ISDIR(st->st_mode))
        plan_protect_git_dir(w->plan, dotgit, true);
    else if (S_ISREG(st->st_mode))
        plan_protect_file(w->plan, dotgit, "where git finds its git dir");
}

static void walk_dir(int dir, int depth, struct start_walk *w);

static void walk_into(int dir, const char *name, int depth, struct start_walk *w)
{
    size_t len = strlen(w->path);
    if (w->dirs_left-- <= 0 || len + 1 + strlen(name) >= sizeof w->path)
        return;
    autoclose int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return;
    snprintf(w->path + len, sizeof w->path - len, "/%s", name);
    walk_dir(sub, depth, w);
    w->path[len] = '\0';
}

static void walk_dir(int dir, int depth, struct start_walk *w)
{
    if (git_dir_has_own_store(dir))
        plan_protect_git_dir(w->plan, w->path, false);
    DIR *d = fdopendir(dup(dir));
    for (struct dirent *e; d && (e = readdir(d)) && w->entries_left-- > 0;) {
        struct stat st;
        bool dotgit = strcmp(e->d_name, ".git") == 0;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (!dotgit && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) ||
            fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (dotgit && depth > 0)
            protect_nested_dotgit(&st, w);
        else if (!dotgit && S_ISDIR(st.st_mode) && depth < NESTED_MAX_DEPTH)
            walk_into(dir, e->d_name, depth + 1, w);
    }
    if (d)
        closedir(d);
}

void plan_protect_nested(struct plan *plan)
{
    static struct start_walk w; /* PATH_MAX bytes: not on the stack */
    w = (struct start_walk){.plan = plan, .dirs_left = NESTED_MAX_DIRS, .entries_left = NESTED_MAX_ENTRIES};
    snprintf(w.path, sizeof w.path, "%s", plan->project);
    autoclose int top = open(plan->project, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top >= 0)
        walk_dir(top, 0, &w);
}
