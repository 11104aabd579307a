/* The pending audit: a record, written before the sandbox starts and
 * removed once its exit audit ran, so that a session whose launcher was
 * killed (SIGKILL, power loss) before its audit is audited at the next
 * start in that project, or by `clbox audit`.  Records live in
 * $XDG_STATE_HOME/clbox/pending (default ~/.local/state/clbox/pending),
 * which must not lie where the sandbox can write; each is held under an
 * flock(2) by its launcher while it lives, so a record that can be locked
 * is one whose launcher is gone. */
#ifndef CLBOX_AUDIT_PENDING_H
#define CLBOX_AUDIT_PENDING_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/error.h"

struct plan;
struct host_facts;

struct audit_pending {
    int dir_fd;    /* the pending dir, or -1 */
    int record_fd; /* the record, locked while the session runs */
    char name[96];
};

struct pending_record {
    long pid;                /* of the launcher, for the user */
    struct timespec started; /* of the session */
    char project[PATH_MAX];
    char config_dir[PATH_MAX];
};

/* Parses a record strictly (it is read back from disk: any deviation is
 * refused).  Returns 0 or -1. */
int audit_pending_parse(const char *text, size_t len, struct pending_record *rec);
/* The text of a record, allocated. */
char *audit_pending_format(const struct pending_record *rec);

/* Opens the pending dir, with `create` creating it 0700; refuses (-1,
 * reason in err) one that lies inside the project, the config dir or any
 * writable path of plan (plan may be NULL). */
int audit_pending_dir(const struct host_facts *host, const struct plan *plan, bool create, struct error *err);
/* Audits and drops every record of a session in `project` whose launcher
 * is gone.  Returns how many. */
int audit_pending_replay(int pending_dir, const char *project);
/* Writes this session's record and keeps it locked; dies if it cannot. */
void audit_pending_begin(int pending_dir, const struct plan *plan, const struct timespec *started,
                         struct audit_pending *pending);
/* Puts the record on disk: called while the sandbox starts, not before. */
void audit_pending_make_durable(struct audit_pending *pending);
/* The exit audit ran: drops the record. */
void audit_pending_end(struct audit_pending *pending);

#endif
