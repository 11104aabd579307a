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
#include <unistd.h>

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

static void walk_dir(DIR *d, int depth, struct start_walk *w);

static void walk_into(int dir, const char *name, int depth, struct start_walk *w)
{
    size_t len = strlen(w->path);
    if (w->dirs_left-- <= 0 || len + 1 + strlen(name) >= sizeof w->path)
        return;
    int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = sub < 0 ? NULL : fdopendir(sub);
    if (!d) {
        if (sub >= 0)
            close(sub);
        return;
    }
    snprintf(w->path + len, sizeof w->path - len, "/%s", name);
    walk_dir(d, depth, w);
    closedir(d);
    w->path[len] = '\0';
}

/* Every start pays for this walk: a directory costs no more than opening
 * and reading it, unless it has a HEAD or a .git (d_type tells a
 * directory from a link without a stat). */
static void walk_dir(DIR *d, int depth, struct start_walk *w)
{
    int dir = dirfd(d);
    bool has_head = false;
    for (struct dirent *e; (e = readdir(d)) && w->entries_left-- > 0;) {
        struct stat st;
        has_head |= strcmp(e->d_name, "HEAD") == 0;
        bool dotgit = strcmp(e->d_name, ".git") == 0;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (!dotgit && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
            continue;
        if ((dotgit || e->d_type == DT_UNKNOWN) && fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (dotgit && depth > 0)
            protect_nested_dotgit(&st, w);
        else if (!dotgit && (e->d_type == DT_DIR || S_ISDIR(st.st_mode)) && depth < NESTED_MAX_DEPTH)
            walk_into(dir, e->d_name, depth + 1, w);
    }
    if (has_head && git_dir_has_own_store(dir))
        plan_protect_git_dir(w->plan, w->path, false);
}

void plan_protect_nested(struct plan *plan)
{
    static struct start_walk w; /* PATH_MAX bytes: not on the stack */
    w = (struct start_walk){.plan = plan, .dirs_left = NESTED_MAX_DIRS, .entries_left = NESTED_MAX_ENTRIES};
    snprintf(w.path, sizeof w.path, "%s", plan->project);
    int top = open(plan->project, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = top < 0 ? NULL : fdopendir(top);
    if (d) {
        walk_dir(d, 0, &w);
        closedir(d);
    } else if (top >= 0) {
        close(top);
    }
}
