/* Path walks that never follow a symbolic link.  Every bind source and
 * target is reached this way, so a link planted by an earlier session (in
 * the project, the config dir, anywhere the command could write) can never
 * redirect a mount to somewhere else (the CVE-2024-42472 class). */
#ifndef CLBOX_FSUTIL_H
#define CLBOX_FSUTIL_H

#include <sys/types.h>

/* Open absolute `path` below `root_fd` (which stands for "/") component by
 * component with O_NOFOLLOW.  Returns an O_PATH fd, or -errno: -ELOOP when a
 * component is a symbolic link. */
int open_nofollow(int root_fd, const char *path);
/* Like open_nofollow, creating missing directories (mode 0755) on the way
 * and the last one with `mode`. */
int mkdir_nofollow(int root_fd, const char *path, mode_t mode);
/* Creates absolute `path` and whatever of its parents is missing: the
 * parents with parents_mode, path itself with final_mode.  Returns 0, or -1
 * with errno from the first mkdir that failed other than with EEXIST. */
int mkdir_parents(const char *path, mode_t parents_mode, mode_t final_mode);
/* Make sure an empty regular file exists at `path` (a mount point for a
 * file bind); returns its O_PATH fd or -errno. */
int touch_nofollow(int root_fd, const char *path);
/* "/proc/self/fd/N" in buf, through the proc mount reached by proc_prefix. */
const char *fd_path(char *buf, size_t len, const char *proc_prefix, int fd);

#endif
