#include "plan/treewalk.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void walk_dir(int fd, int depth, struct treewalk *w);

/* Goes into the subdirectory `name` of dir, unless a bound or the
 * visitor says no. */
static void walk_into(int dir, const char *name, int depth, struct treewalk *w)
{
    size_t len = strlen(w->path);
    if (depth > TREEWALK_MAX_DEPTH) {
        w->too_deep = true;
        return;
    }
    if (w->dirs_left <= 0) {
        w->out_of_dirs = true;
        return;
    }
    if (len + 1 + strlen(name) >= sizeof w->path)
        return;
    snprintf(w->path + len, sizeof w->path - len, "/%s", name);
    bool skipped = w->visit->skip && w->visit->skip(w, w->path);
    int sub = skipped ? -1 : openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0)
        walk_dir(sub, depth, w);
    w->path[len] = '\0';
}

/* One entry of a directory being read.  d_type tells a directory, a link
 * and a socket apart without a stat, on every file system that fills it. */
static void walk_entry(int dir, const struct dirent64 *e, int depth, struct treewalk *w)
{
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        return;
    bool dotgit = strcmp(e->d_name, ".git") == 0;
    unsigned char type = e->d_type;
    struct stat st;
    if ((dotgit || type == DT_UNKNOWN) && fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return;
    if (type == DT_UNKNOWN)
        type = S_ISSOCK(st.st_mode) ? DT_SOCK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    if (dotgit && depth > 0 && w->visit->dotgit && !w->in_git_dirs)
        w->visit->dotgit(w, dir, &st);
    if (dotgit && !w->visit->into_git_dirs)
        return; /* a git dir is the visitor's to look into */
    if (type == DT_SOCK && w->visit->socket) {
        w->visit->socket(w, dir, e->d_name);
    } else if (type == DT_DIR) {
        w->in_git_dirs += dotgit;
        walk_into(dir, e->d_name, depth + 1, w);
        w->in_git_dirs -= dotgit;
    }
}

/* Reads the directory fd (and closes it).  getdents64 directly: a
 * readdir() stream costs three more system calls a directory, and a large
 * project has thousands. */
static void walk_dir(int fd, int depth, struct treewalk *w)
{
    union {
        struct dirent64 first;
        char bytes[16384];
    } buf;
    bool has_head = false;
    w->dirs_left--;
    ssize_t n;
    while (!w->out_of_entries && (n = getdents64(fd, buf.bytes, sizeof buf.bytes)) > 0) {
        for (ssize_t at = 0; at < n && !w->out_of_entries;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf.bytes + at);
            at += e->d_reclen;
            if (w->entries_left-- <= 0) {
                w->out_of_entries = true;
                break;
            }
            has_head |= strcmp(e->d_name, "HEAD") == 0;
            walk_entry(fd, e, depth, w);
        }
    }
    if (w->visit->dir && !w->in_git_dirs)
        w->visit->dir(w, fd, depth, has_head);
    close(fd);
}

void treewalk_run_fd(struct treewalk *w, int top_fd, const char *top, const struct treewalk_visitor *visit, void *ctx)
{
    *w = (struct treewalk){
        .visit = visit, .ctx = ctx, .dirs_left = TREEWALK_MAX_DIRS, .entries_left = TREEWALK_MAX_ENTRIES};
    snprintf(w->path, sizeof w->path, "%s", strcmp(top, "/") == 0 ? "" : top);
    walk_dir(top_fd, 0, w);
}

bool treewalk_run(struct treewalk *w, const char *top, const struct treewalk_visitor *visit, void *ctx)
{
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    treewalk_run_fd(w, fd, top, visit, ctx);
    return true;
}
