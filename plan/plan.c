/* Building the plan: the options, resolved against the host, become one
 * ordered list of mounts, one environment and one command. */
#include "plan/plan.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"
#include "plan/env.h"
#include "plan/host.h"
#include "plan/paths.h"
#include "plan/plan_core.h"
#include "plan/plan_git.h"
#include "plan/plan_net.h"
#include "plan/plan_sockets.h"
#include "plan/plan_views.h"
#include "plan/system.h"

static size_t path_depth(const char *path)
{
    size_t depth = 0;
    for (const char *p = path; *p; p++)
        depth += *p == '/' && p[1] != '\0';
    return depth;
}

/* Parents before children, and otherwise the order they were added in:
 * a mount never hides one that was meant to be seen inside it. */
static void plan_sort(struct plan *plan)
{
    for (size_t i = 1; i < plan->n_mounts; i++) {
        struct mount_entry moving = plan->mounts[i];
        size_t d = path_depth(moving.path);
        size_t j = i;
        while (j > 0 && path_depth(plan->mounts[j - 1].path) > d) {
            plan->mounts[j] = plan->mounts[j - 1];
            j--;
        }
        plan->mounts[j] = moving;
    }
}

/* Directories other programs share.  A view of one, or of a directory
 * above one, would let the sandbox connect to those programs' sockets,
 * read-only or not: a tmux server listens in /tmp/tmux-UID, and whoever
 * reaches it runs commands outside.  A directory inside one is shown
 * without its neighbours, so it stays allowed. */
static const char *const shared_dirs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run"};

static int refuse_shared(const char *path, const char *what, const struct host_facts *host, struct error *err)
{
    autofree char *run_user = xasprintf("/run/user/%u", (unsigned)host->uid);
    const char *shared = path_is_within(run_user, path) ? run_user : NULL;
    for (size_t i = 0; !shared && i < sizeof shared_dirs / sizeof shared_dirs[0]; i++)
        if (path_is_within(shared_dirs[i], path))
            shared = shared_dirs[i];
    if (!shared)
        return 0;
    autofree char *above = strcmp(shared, path) == 0 ? xstrdup("") : xasprintf(" (it holds %s)", shared);
    return error_set(err, "%s %s is shared with other programs%s: the sandbox could connect to their sockets "
                     "there (through a tmux server's socket in /tmp/tmux-%u a command inside could run commands "
                     "outside); name a directory of its own inside it instead", what, path, above,
                     (unsigned)host->uid);
}

/* A view that would expose the whole home (or more) defeats the sandbox. */
static int refuse_too_wide(const char *path, const char *what, const struct host_facts *host, bool writable,
                           struct error *err)
{
    if (refuse_shared(path, what, host, err) < 0)
        return -1;
    if (path_is_within(host->home, path))
        return error_set(err, "%s %s would show %s; name a narrower directory", what, path,
                         strcmp(path, host->home) == 0 ? "your whole home directory"
                                                       : "all of your home directory and more");
    if (!writable)
        return 0;
    if (plan_path_never_writable(path))
        return error_set(err, "%s %s is a system directory; it cannot be made writable", what, path);
    return 0;
}

/* Turns a user-given path into the physical host path it names. */
static int resolve_existing(const char *given, const char *what, const struct host_facts *host, char **out,
                            struct error *err)
{
    autofree char *absolute = path_normalize(given, host->cwd);
    char *real = realpath(absolute, NULL);
    if (!real)
        return error_errno(err, errno, "%s %s: %m (the path must exist on the host)", what, given);
    *out = real;
    return 0;
}

/* A path named inside the project, which an earlier sandbox could write,
 * must not go through a link: that sandbox could have renamed a directory
 * away and put a link to the home in its place.  Checked before anything
 * is created along the path. */
static int refuse_link_in_project(const char *given, const char *what, const struct host_facts *host,
                                  const struct plan *plan, struct error *err)
{
    autofree char *path = path_normalize(given, host->cwd);
    if (!plan->project || !path_is_within(path, plan->project) || strcmp(path, plan->project) == 0)
        return 0;
    for (char *p = path + strlen(plan->project) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        struct stat st;
        bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
        if (link)
            return error_set(err, "%s %s: %s is a symbolic link inside the project; a sandbox can write the "
                             "project, so clbox does not follow links there (name the real path if you mean it)",
                             what, given, path);
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

char *plan_config_dir_path(const char *asked, const struct host_facts *host)
{
    if (asked)
        return path_normalize(asked, host->cwd);
    const char *xdg = NULL;
    for (char **e = host->environ; e && *e; e++)
        if (str_has_prefix(*e, "XDG_DATA_HOME=/"))
            xdg = *e + strlen("XDG_DATA_HOME=");
    return xdg ? xasprintf("%s/clbox/claude", xdg) : xasprintf("%s/.local/share/clbox/claude", host->home);
}

int plan_check_config_dir(const struct host_facts *host, const struct plan *plan, struct error *err)
{
    struct stat st;
    if (stat(plan->config_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return error_set(err, "config dir %s is not a directory", plan->config_dir);
    if (st.st_uid != host->uid)
        return error_set(err, "config dir %s belongs to uid %u, not to you (uid %u); choose another with --config-dir",
                         plan->config_dir, (unsigned)st.st_uid, (unsigned)host->uid);
    return 0;
}

/* The physical path a missing `path` will have once created: its nearest
 * ancestor that exists, links resolved, then the rest as named. */
static char *physical_path_to_create(const char *path)
{
    autofree char *existing = xstrdup(path);
    const char *rest = path + strlen(path);
    struct stat st;
    while (strcmp(existing, "/") != 0 && stat(existing, &st) < 0) {
        char *slash = strrchr(existing, '/');
        rest = path + (slash - existing);
        if (slash == existing)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    autofree char *real = realpath(existing, NULL);
    const char *base = real ? real : existing;
    autofree char *joined = xasprintf("%s%s", strcmp(base, "/") == 0 ? "" : base, rest);
    return path_normalize(joined, "/");
}

static int resolve_config_dir(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err)
{
    autofree char *wanted = plan_config_dir_path(opts->config_dir, host);
    /* Refused before anything is created, and again once links are resolved. */
    if (refuse_too_wide(wanted, "config dir", host, true, err) < 0 ||
        refuse_link_in_project(wanted, "--config-dir", host, plan, err) < 0)
        return -1;
    struct stat st;
    if (stat(wanted, &st) < 0) { /* created by plan_realise(), where it will then be; never by a dry run */
        plan->config_dir = physical_path_to_create(wanted);
        plan->config_dir_to_create = steal_ptr(&wanted);
        return refuse_too_wide(plan->config_dir, "config dir", host, true, err);
    }
    if (resolve_existing(wanted, "--config-dir", host, &plan->config_dir, err) < 0 ||
        refuse_too_wide(plan->config_dir, "config dir", host, true, err) < 0)
        return -1;
    return plan_check_config_dir(host, plan, err);
}

static int resolve_project(const struct options *opts, const struct host_facts *host, struct plan *plan,
                           struct error *err)
{
    if (opts->project) {
        if (resolve_existing(opts->project, "--project", host, &plan->project, err) < 0)
            return -1;
        struct stat st;
        if (stat(plan->project, &st) < 0 || !S_ISDIR(st.st_mode))
            return error_set(err, "--project %s is not a directory", opts->project);
    } else {
        plan_find_project(host->cwd, host->home, &plan->project);
    }
    if (refuse_too_wide(plan->project, "project", host, true, err) < 0) {
        if (!opts->project)
            error_append(err, " (cd into a project, or pass --project DIR)");
        return -1;
    }
    return 0;
}

/* Could an earlier sandbox have written this path, or a directory on the
 * way to it (a link planted in place of one)?  Asked of the path as named
 * and of where its directory really is. */
static bool sandbox_could_write(const struct plan *plan, const char *path)
{
    if (plan_writable_view_of(plan, path))
        return true;
    autofree char *dir = path_dirname(path);
    autofree char *real_dir = realpath(dir, NULL);
    return real_dir && plan_writable_view_of(plan, real_dir);
}

/* A mount derived from the command: never in place of one the user or
 * clbox asked for. */
static void add_command_mount(struct plan *plan, enum mount_kind kind, const char *path, const char *source,
                              const char *why)
{
    if (!plan_has_mount_at(plan, path))
        plan_add(plan, kind, path, source, 0, why);
}

/* Follows `path` through its chain of symlinks, recreating each link that
 * lives outside the system dirs, and returns the physical file.  A link in
 * a writable view ends the chain (NULL): what an earlier sandbox could
 * have planted there decides no mount. */
static char *follow_links(struct plan *plan, const char *path)
{
    autofree char *current = xstrdup(path);
    for (int hops = 0; hops < 40; hops++) {
        struct stat st;
        if (lstat(current, &st) < 0 || !S_ISLNK(st.st_mode))
            break;
        if (sandbox_could_write(plan, current))
            return NULL;
        char target[PATH_MAX];
        ssize_t n = readlink(current, target, sizeof target - 1);
        if (n <= 0)
            break;
        target[n] = '\0';
        if (!plan_path_in_system_layer(current))
            add_command_mount(plan, MOUNT_SYMLINK, current, target, "command link");
        autofree char *dir = path_dirname(current);
        free(current);
        current = path_normalize(target, dir);
    }
    return realpath(current, NULL);
}

/* The command, and its #! interpreter, must run inside even when installed
 * under $HOME (native installer, npm prefix, nvm): show just its install
 * tree, read-only.  Nothing is derived from a file in a writable view (a
 * script in the project, a link in the config dir): its #! line or its
 * link would choose what the next sandbox sees. */
static void add_command_trees(struct plan *plan, const struct host_facts *host, const char *path_list)
{
    autofree char *name = xstrdup(plan->argv[0]);
    for (int depth = 0; name && depth < 4; depth++) {
        autofree char *found = search_path(name, path_list, host->cwd);
        free(name);
        name = NULL;
        if (!found)
            return;
        autofree char *real = sandbox_could_write(plan, found) ? NULL : follow_links(plan, found);
        if (!real || sandbox_could_write(plan, real)) {
            verbose("%s lies in a place the sandbox can write: clbox mounts nothing for it or for its #! line", found);
            return;
        }
        if (!plan_path_in_system_layer(real)) {
            autofree char *tree = install_tree_of(real, host->home);
            add_command_mount(plan, MOUNT_BIND_RO, tree, tree, "command install tree");
        }
        autofree char *env_name = NULL;
        autofree char *interp = read_interpreter(real, &env_name);
        if (env_name)
            name = steal_ptr(&env_name);
        else if (interp)
            name = steal_ptr(&interp);
    }
}

static int add_requests(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err)
{
    static const char *const option_of[] = {[REQ_RO] = "--ro", [REQ_RW] = "--rw", [REQ_HIDE] = "--hide",
                                            [REQ_TMPFS] = "--tmpfs"};
    for (size_t i = 0; i < opts->n_mounts; i++) {
        const struct mount_request *req = &opts->mounts[i];
        const char *what = option_of[req->kind];
        autofree char *path = NULL;
        if (req->kind == REQ_TMPFS) {
            path = path_normalize(req->path, host->cwd);
            if (strcmp(path, "/") == 0)
                return error_set(err, "--tmpfs /: the root cannot be replaced");
            plan_add(plan, MOUNT_TMPFS, path, NULL, 0755, what);
            continue;
        }
        if (req->kind == REQ_HIDE) {
            autofree char *abs = path_normalize(req->path, host->cwd);
            path = realpath(abs, NULL);
            if (!path) /* nothing there: nothing to hide */
                continue;
            if (strcmp(path, "/") == 0)
                return error_set(err, "--hide /: the root cannot be hidden");
            plan_add(plan, MOUNT_HIDE, path, NULL, 0, what);
            continue;
        }
        if (req->optional) { /* a profile's optional file: absent, nothing to show */
            autofree char *abs = path_normalize(req->path, host->cwd);
            struct stat st;
            if (stat(abs, &st) < 0)
                continue;
        }
        if (refuse_link_in_project(req->path, what, host, plan, err) < 0 ||
            resolve_existing(req->path, what, host, &path, err) < 0 ||
            refuse_too_wide(path, what, host, req->kind == REQ_RW, err) < 0)
            return -1;
        plan_add(plan, req->kind == REQ_RW ? MOUNT_BIND_RW : MOUNT_BIND_RO, path, path, 0, what);
    }
    return 0;
}

/* --ssh-agent: the agent's socket, at the path $SSH_AUTH_SOCK names, and
 * nothing else of ~/.ssh: the keys stay with the agent. */
static int add_ssh_agent(const struct host_facts *host, struct plan *plan, struct error *err)
{
    const char *sock = host_env(host, "SSH_AUTH_SOCK");
    if (!sock || sock[0] != '/')
        return error_set(err, "--ssh-agent: SSH_AUTH_SOCK is not set, so there is no agent to forward "
                         "(start one: eval \"$(ssh-agent)\" && ssh-add)");
    autofree char *real = realpath(sock, NULL);
    struct stat st;
    if (!real || stat(real, &st) < 0 || !S_ISSOCK(st.st_mode))
        return error_set(err, "--ssh-agent: SSH_AUTH_SOCK=%s is not a socket (is the agent running?)", sock);
    autofree char *path = path_normalize(sock, "/");
    plan_add(plan, MOUNT_BIND_RO, path, real, 0, "--ssh-agent");
    return 0;
}

/* A profile or user config kept where the sandbox can write (a team's in
 * the project, passed with -p ./tools/x, one it includes, one in the config
 * dir or a --rw path) is read-only inside, and the directories above it
 * pinned: a sandbox must not rewrite what the next run applies. */
static void protect_profiles(const struct options *opts, struct plan *plan)
{
    for (size_t i = 0; i < opts->profile_files.len; i++) {
        const char *file = opts->profile_files.items[i];
        if (plan_writable_view_of(plan, file))
            plan_protect_file(plan, file, "profile of this run");
    }
}

static bool cwd_visible(const struct plan *plan, const char *cwd)
{
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct mount_entry *m = &plan->mounts[i];
        if ((m->kind == MOUNT_BIND_RW || m->kind == MOUNT_BIND_RO) && path_is_within(cwd, m->path) &&
            !plan_path_in_system_layer(m->path))
            return true;
    }
    return false;
}


int plan_build(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err)
{
    *plan = (struct plan){.uid = host->uid, .gid = host->gid, .net = opts->net, .log_fd = -1,
                          .verbosity = opts->verbosity};
    plan->argv = opts->command;
    plan->home = xstrdup(host->home);
    plan->hostname = xstrdup("clbox");
    const char *mount_api = host_env(host, "CLBOX_MOUNT_API");
    plan->legacy_mount_api = mount_api && strcmp(mount_api, "legacy") == 0;
    for (size_t i = 0; i < opts->profiles.len; i++)
        strv_push_dup(&plan->profiles, opts->profiles.items[i]);
    if (plan_choose_backend(opts, host, plan, err) < 0 || resolve_project(opts, host, plan, err) < 0 ||
        resolve_config_dir(opts, host, plan, err) < 0)
        return -1;

    plan_add_system_layer(plan);
    /* Never the user's terminal itself: a pty of the sandbox's own devpts,
     * relayed by clbox (pty_relay.c), the first and only one there. */
    plan->terminal_streams = host->terminal_streams;
    if (plan->terminal_streams)
        plan_add(plan, MOUNT_SYMLINK, "/dev/console", "pts/0", 0, "the command's terminal, relayed by clbox");
    plan_add(plan, MOUNT_TMPFS, host->home, NULL, 0700, "empty home");
    plan_add(plan, MOUNT_BIND_RW, plan->config_dir, plan->config_dir, 0, "config dir (CLAUDE_CONFIG_DIR)");
    plan_add(plan, MOUNT_BIND_RW, plan->project, plan->project, 0, "project");
    if (add_requests(opts, host, plan, err) < 0 || plan_build_network(opts, host, plan, err) < 0 ||
        (opts->ssh_agent && add_ssh_agent(host, plan, err) < 0) ||
        plan_protect_project(plan, !opts->allow_project_config, err) < 0)
        return -1;
    plan_protect_config_dir(plan);
    protect_profiles(opts, plan);
    /* Once the views are known, a git dir shown from outside the project
     * among them; before the command's install trees, which are no view
     * the user chose. */
    if (plan_walk_views(plan, !opts->allow_project_config, err) < 0)
        return -1;
    /* Last, once every writable view is known. */
    add_command_trees(plan, host, host_env(host, "PATH"));
    plan_sort(plan);

    /* Outside what the sandbox shows, it starts in the project (plan_realise() says so). */
    plan->cwd = xstrdup(cwd_visible(plan, host->cwd) ? host->cwd : plan->project);
    plan_build_env(opts, host, plan->config_dir, plan->cwd, &plan->env);
    return 0;
}
