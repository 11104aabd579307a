/* User namespace set-up, and explaining why a machine refuses one. */
#ifndef CLBOX_USERNS_H
#define CLBOX_USERNS_H

#include <sys/types.h>

/* The sandbox has two user namespaces.  The outer one, where the user is
 * root, owns every other namespace of the sandbox: init builds them from
 * there, and slirp4netns, which needs root mapped, joins it.  The command
 * runs in an inner one where the user is their own uid again (never root:
 * agents refuse to run as root, and the command has no business being
 * root), and which owns nothing: even a capability there would give no
 * power over the sandbox's mounts or network. */
int userns_map_outer(pid_t pid, uid_t host_uid, gid_t host_gid);
/* Called in init once the sandbox is built; uid and gid are the user's. */
void userns_enter_inner(uid_t uid, gid_t gid);

/* One sentence naming the host setting that most likely refused the
 * namespace, with its fix, or NULL when none explains it. */
const char *userns_refusal_hint(int err);

/* `what`, strerror(err) and the hint, as an error (common/error.h);
 * returns -1. */
struct error;
int error_namespace_denied(struct error *e, const char *what, int err);
/* Says `what`, strerror(err) and the hint, and returns -1. */
int warn_namespace_denied(const char *what, int err);
/* The same, then exits as die() does. */
_Noreturn void die_namespace_denied(const char *what, int err);

#endif
