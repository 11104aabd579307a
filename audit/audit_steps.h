/* The steps shared by the parts of the exit audit (audit.c, audit_git.c,
 * audit_config_dir.c, audit_cmd.c); not for the rest of clbox. */
#ifndef CLBOX_AUDIT_STEPS_H
#define CLBOX_AUDIT_STEPS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

/* The suffix of what the audit sets aside: git reads no file of that name. */
#define AUDIT_ASIDE_SUFFIX ".clbox-disarmed"

/* "the sandbox", or what audit_set_actor() said. */
const char *audit_actor(void);
bool audit_stat_at(int dir, const char *path, struct stat *st);
/* Was this changed since the session started?  By the change time, which
 * a process cannot set. */
bool audit_changed(const struct stat *st, const struct timespec *since);
/* "created", "changed" or "wrote" (no birth time kept), for a name in dir. */
const char *audit_what_was_done(int dir, const char *name, const struct timespec *since);

/* While on, nothing is renamed or made not executable, only reported: for
 * the directory a planted pointer names, which may be anywhere (one of the
 * user's own repositories, say); the pointer itself is set aside.  Returns
 * what it was. */
bool audit_report_only(bool on);
bool audit_is_report_only(void);

/* Renames dir/name to name.clbox-disarmed (never over another file) and
 * says so, with the command that undoes it.  shown_dir names dir for the
 * user, printable.  Returns 0, or -1 after saying why it could not. */
int audit_set_aside(int dir, const char *name, const char *shown_dir);

/* Makes the hooks in git_fd's hooks directory that changed since `since`
 * not executable (all of them with since NULL). */
void audit_disarm_hooks(int git_fd, const char *git_dir, const struct timespec *since);

/* Whom the audit's messages name as the writer: "the sandbox", unless the
 * audit covers a time when other processes wrote too. */
void audit_set_actor(const char *who);

#endif
