/* The facts about the host that plan building reads, gathered once. */
#include "plan/host.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "plan/paths.h"

int host_facts_read(struct host_facts *facts, struct error *err)
{
    extern char **environ;
    *facts = (struct host_facts){.uid = getuid(), .gid = getgid(), .environ = environ};
    struct passwd *pw = getpwuid(facts->uid);
    const char *home = host_env(facts, "HOME");
    if (!home || home[0] != '/')
        home = pw ? pw->pw_dir : NULL;
    if (!home || home[0] != '/')
        return error_set(err, "cannot tell your home directory: HOME is unset and uid %u has no passwd entry",
                         (unsigned)facts->uid);
    char *real_home = realpath(home, NULL);
    facts->home = real_home ? real_home : path_normalize(home, "/");
    const char *user = host_env(facts, "USER");
    facts->user = xstrdup(user && *user ? user : pw ? pw->pw_name : "user");
    for (int fd = 0; fd <= 2; fd++)
        if (isatty(fd))
            facts->terminal_streams |= 1u << fd;
    facts->cwd = getcwd(NULL, 0);
    if (!facts->cwd)
        return error_errno(err, errno, "cannot read the current directory: %m (cd somewhere that exists)");
    return 0;
}

const char *host_env(const struct host_facts *host, const char *name)
{
    size_t len = strlen(name);
    for (char **e = host->environ; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

void host_facts_free(struct host_facts *facts)
{
    free(facts->home);
    free(facts->cwd);
    free(facts->user);
    *facts = (struct host_facts){0};
}
