#ifndef CLBOX_HOST_H
#define CLBOX_HOST_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Facts about the host that plan building reads.  Gathered by host_facts_
 * read(); tests fill it by hand.  Everything clbox takes from its own
 * environment is read from `environ` here (host_env), never with getenv:
 * the plan built from these facts is all the sandbox is made from. */
struct host_facts {
    char *home;      /* absolute, normalised */
    char *cwd;       /* physical working directory */
    char *user;      /* login name */
    uid_t uid;
    gid_t gid;
    char **environ;  /* the launcher's environment */
    unsigned terminal_streams; /* bit N set: fd N (0, 1, 2) is a terminal */
};

/* Fills facts.  On failure (-1, the reason in err) `environ`, uid and gid
 * are set all the same. */
int host_facts_read(struct host_facts *facts, struct error *err);
/* The value of NAME in the launcher's environment, or NULL. */
const char *host_env(const struct host_facts *host, const char *name);
void host_facts_free(struct host_facts *facts);

#endif
