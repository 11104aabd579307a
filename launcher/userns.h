/* User namespace set-up, and explaining why a machine refuses one. */
#ifndef CLBOX_USERNS_H
#define CLBOX_USERNS_H

#include <sys/types.h>

/* Map uid and gid to themselves inside (never root: agents refuse to run
 * as root, and the command has no business being root). */
void userns_map_self(uid_t uid, gid_t gid);

/* One sentence naming the host setting that most likely refused the
 * namespace, with its fix, or NULL when none explains it. */
const char *userns_refusal_hint(int err);

/* die() with `what`, strerror(err) and the hint. */
_Noreturn void die_namespace_denied(const char *what, int err);

#endif
