/* One bounded walk of a directory tree, for everything clbox looks for in
 * a tree the sandbox can write: git dirs, look-alike repositories and
 * pointer files (at start, to protect them; at exit, to audit them) and
 * host programs' sockets.  The tree may be hostile: the walk never goes
 * through a link, into a directory named .git only when asked, and it stops at a
 * depth, a number of directories and a number of entries, so that a large
 * or padded project costs every start no more than that. */
#ifndef CLBOX_TREEWALK_H
#define CLBOX_TREEWALK_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

enum { TREEWALK_MAX_DEPTH = 4, TREEWALK_MAX_DIRS = 4096, TREEWALK_MAX_ENTRIES = 100000 };

struct treewalk;

/* What a walk reports; any of the calls may be NULL.  While one runs,
 * w->path names the directory being read (the top as it was given). */
struct treewalk_visitor {
    /* Each directory once it has been read, the top included (depth 0);
     * has_head: it holds an entry named HEAD. */
    void (*dir)(struct treewalk *w, int dir_fd, int depth, bool has_head);
    /* An entry named .git below the top (never followed); st is its lstat. */
    void (*dotgit)(struct treewalk *w, int dir_fd, const struct stat *st);
    /* A socket named `name` in the directory. */
    void (*socket)(struct treewalk *w, int dir_fd, const char *name);
    /* Whether to leave out the subdirectory at `path` (one walked on its
     * own, say). */
    bool (*skip)(struct treewalk *w, const char *path);
    /* Go into directories named .git too (a host program's socket may be
     * there: git's fsmonitor daemon listens in the git dir).  Inside them
     * only `socket` is called. */
    bool into_git_dirs;
};

struct treewalk {
    const struct treewalk_visitor *visit;
    void *ctx; /* the caller's */
    int dirs_left, entries_left;
    bool too_deep, out_of_dirs, out_of_entries; /* where a bound cut the walk */
    int in_git_dirs; /* how many directories named .git hold the one being read */
    char path[PATH_MAX];
};

/* Walks the tree at `top` (opened without following a link at its last
 * component).  Returns false when top cannot be opened as a directory. */
bool treewalk_run(struct treewalk *w, const char *top, const struct treewalk_visitor *visit, void *ctx);
/* The same for the directory open at top_fd (read, then closed), named
 * `top`. */
void treewalk_run_fd(struct treewalk *w, int top_fd, const char *top, const struct treewalk_visitor *visit, void *ctx);

#endif
