/* What git takes code from, shared by the plan (what is made read-only at
 * start) and the audit (what is reported and disarmed at exit). */
#ifndef CLBOX_GITDIR_H
#define CLBOX_GITDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Entries of a git dir through which git runs code (config, hooks) or is
 * sent to another directory to take config and hooks from (commondir,
 * gitdir of a linked worktree). */
extern const char *const git_dir_code_entries[];
extern const size_t n_git_dir_code_entries;

/* Does the directory at dir_fd hold what git needs to treat it as a
 * repository on its own: a HEAD file and objects/ and refs/ directories?
 * A bare repository, or a look-alike of one that git would use (and whose
 * config and hooks it would obey) when run there.  Nothing is followed. */
bool git_dir_has_own_store(int dir_fd);

/* Reads the pointer file `name` in dir (AT_FDCWD and a path will do): a
 * regular file, never a link, holding prefix and then a path, to the end
 * of its line.  The path, as written, goes into path.  The file may be the
 * sandbox's: false for anything else, and for a path that does not fit. */
bool git_read_pointer(int dir, const char *name, const char *prefix, char *path, size_t pathlen);

#endif
