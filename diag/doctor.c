/* clbox doctor: where it can, each check tries the real thing (a user
 * namespace, the firewall, a whole sandbox) rather than guessing from the
 * host's settings; the settings are read to explain a refusal and to name
 * its fix.  Whatever a check starts runs in a child process that is killed
 * with everything it started if it outlives its time, so doctor always
 * finishes and leaves nothing running. */
#include "diag/doctor.h"

#include "common/error.h"
#include "netns/stack/netstack.h"
#include "options/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "diag/child.h"
#include "netns/kernel/nft.h"
#include "plan/host.h"
#include "plan/plan.h"
#include "plan/plan_net.h"
#include "plan/plan_core.h"
#include "proc/userns.h"

#define CHILD_TIMEOUT_MS 5000
/* Longer than clbox's own wait for slirp4netns (5 s), so that a network
 * that does not come up is reported in clbox's words, not as our kill. */
#define SANDBOX_TIMEOUT_MS 8000

enum verdict { VERDICT_OK, VERDICT_FIX, VERDICT_NOTE };

struct doctor {
    FILE *out;
    int counts[3];           /* lines printed, by verdict */
    bool userns_works;       /* the checks that need one are not tried without it */
    bool have_host;
    struct host_facts host;  /* home and environment, read the way `run` reads them */
    struct error host_err;   /* why they could not be read, said in its place among the checks */
};

static void say(struct doctor *d, enum verdict v, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct doctor *d, enum verdict v, const char *what, const char *fmt, ...)
{
    static const char *const words[] = {[VERDICT_OK] = "ok", [VERDICT_FIX] = "FIX", [VERDICT_NOTE] = "note"};
    va_list ap;
    fprintf(d->out, "  %-5s %s: ", words[v], what);
    va_start(ap, fmt);
    vfprintf(d->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->out);
    /* Line by line, even into a pipe: a slow check should not hide the
     * lines before it. */
    fflush(d->out);
    d->counts[v]++;
}

/* --------------------------------------------------------------- kernel */

static void check_kernel(struct doctor *d)
{
    struct utsname u;
    if (uname(&u) < 0) {
        say(d, VERDICT_NOTE, "kernel", "uname failed: %s", strerror(errno));
        return;
    }
    int major = 0, minor = 0;
    char *after_major;
    major = (int)strtol(u.release, &after_major, 10);
    if (*after_major == '.')
        minor = (int)strtol(after_major + 1, NULL, 10);
    if (major > 5 || (major == 5 && minor >= 12))
        say(d, VERDICT_OK, "kernel", "Linux %s (%s)", u.release, u.machine);
    else if (major == 5 && minor >= 10)
        say(d, VERDICT_NOTE, "kernel", "Linux %s lacks mount_setattr (5.12): read-only views will not show "
            "what is mounted below them", u.release);
    else
        say(d, VERDICT_NOTE, "kernel", "Linux %s is older than 5.10, which clbox is tested on; it also lacks "
            "mount_setattr (5.12): read-only views will not show what is mounted below them", u.release);
}

/* ------------------------------------------------------- user namespaces */

/* Writes the caller's id maps, as the sandbox's outer namespace has them.
 * userns_map_outer() would die on failure; a probe must report it.
 * Returns 0, or -errno with the file that refused in *file. */
static int map_self(uid_t uid, gid_t gid, const char **file)
{
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)uid);
    snprintf(gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)gid);
    int r = write_file_at(AT_FDCWD, *file = "/proc/self/setgroups", "deny");
    if (r < 0 && r != -ENOENT)
        return r;
    if ((r = write_file_at(AT_FDCWD, *file = "/proc/self/uid_map", uid_map)) < 0)
        return r;
    return write_file_at(AT_FDCWD, *file = "/proc/self/gid_map", gid_map);
}

/* Says which step failed, and exits with its errno (all below 126). */
_Noreturn static void exit_step(const char *step, int err)
{
    dprintf(STDOUT_FILENO, "%s", step);
    _exit(err);
}

static void child_try_userns(const void *arg)
{
    (void)arg;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER) < 0)
        exit_step("creating one", errno);
    const char *file;
    int r = map_self(uid, gid, &file);
    if (r < 0) {
        dprintf(STDOUT_FILENO, "writing %s", file);
        _exit(-r);
    }
    /* AppArmor's restriction lets the namespace be created and then takes
     * every capability in it away: only using one shows the refusal. */
    if (unshare(CLONE_NEWNS) < 0)
        exit_step("creating a mount namespace inside one", errno);
    _exit(0);
}

/* The host settings that can refuse unprivileged user namespaces. */
struct userns_setting {
    const char *what;
    const char *path;
    long refusing; /* the value that refuses them */
    const char *absent;
    const char *fix;
};

static const struct userns_setting userns_settings[] = {
    {"kernel.unprivileged_userns_clone", "/proc/sys/kernel/unprivileged_userns_clone", 0,
     "not present (only some distributions' kernels have this switch)",
     "allow them: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' (and in /etc/sysctl.d/ to keep it)"},
    {"user.max_user_namespaces", "/proc/sys/user/max_user_namespaces", 0, "not present",
     "allow them: 'sudo sysctl -w user.max_user_namespaces=15000' (and in /etc/sysctl.d/ to keep it)"},
    {"AppArmor restriction", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1,
     "not present (kernel.apparmor_restrict_unprivileged_userns does not exist here)",
     "install clbox's AppArmor profile: 'sudo make install-apparmor' in clbox's source tree; or lift the "
     "restriction for every program: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'"},
};
#define N_USERNS_SETTINGS (sizeof userns_settings / sizeof userns_settings[0])

/* A sysctl's value, or -1 if this kernel does not have it. */
static long read_setting(const char *path)
{
    autofree char *text = read_small_file(path, 32);
    return text ? strtol(text, NULL, 10) : -1;
}

static bool any_setting_refuses(void)
{
    for (size_t i = 0; i < N_USERNS_SETTINGS; i++)
        if (read_setting(userns_settings[i].path) == userns_settings[i].refusing)
            return true;
    return false;
}

static void report_userns_refusal(struct doctor *d, const struct child *c)
{
    if (!c->started || c->timed_out || !WIFEXITED(c->status)) {
        char end[64], said[512];
        child_describe_end(c, end, sizeof end);
        child_output_line(c->output, said, sizeof said);
        say(d, VERDICT_FIX, "user namespaces", "the probe failed (%s%s%s) — run 'clbox run -- true' to see "
            "what clbox itself says", end, said[0] ? ": " : "", said);
        return;
    }
    int err = WEXITSTATUS(c->status);
    const char *hint = userns_refusal_hint(err);
    if (any_setting_refuses())
        hint = "change the setting marked FIX below";
    say(d, VERDICT_FIX, "user namespaces", "refused when %s (%s) — %s", c->output, strerror(err),
        hint ? hint : "check that the kernel has user namespaces (CONFIG_USER_NS)");
}

static void check_userns(struct doctor *d)
{
    struct child c;
    child_run_bounded(child_try_userns, NULL, CHILD_TIMEOUT_MS, &c);
    d->userns_works = child_succeeded(&c);
    if (d->userns_works)
        say(d, VERDICT_OK, "user namespaces", "this user can create one and use it");
    else
        report_userns_refusal(d, &c);
}

static void check_userns_setting(struct doctor *d, const struct userns_setting *s)
{
    long v = read_setting(s->path);
    if (v < 0)
        say(d, VERDICT_OK, s->what, "%s", s->absent);
    else if (v != s->refusing)
        say(d, VERDICT_OK, s->what, "%ld (allows user namespaces)", v);
    else if (!d->userns_works)
        say(d, VERDICT_FIX, s->what, "%ld refuses user namespaces — %s", v, s->fix);
    else if (s->refusing == 1) /* the AppArmor restriction, with a profile that exempts clbox */
        say(d, VERDICT_OK, s->what, "on, but clbox may create user namespaces (an AppArmor profile allows it)");
    else
        say(d, VERDICT_NOTE, s->what, "%ld, yet this user could create a user namespace", v);
}

/* ------------------------------------------------------------- network */

static void check_tun(struct doctor *d)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        say(d, VERDICT_OK, "/dev/net/tun", "this user can open it read-write");
        return;
    }
    int e = errno;
    struct stat st;
    if (e == ENOENT || e == ENODEV || e == ENXIO)
        say(d, VERDICT_FIX, "/dev/net/tun", "%s (the network stack needs it) — load the module: 'sudo modprobe tun'; "
            "or run with --net none", strerror(e));
    else if ((e == EACCES || e == EPERM) && stat("/dev/net/tun", &st) == 0)
        say(d, VERDICT_FIX, "/dev/net/tun", "mode %04o, not read-write for this user (the network stack needs it) — "
            "'sudo chmod 0666 /dev/net/tun', its usual mode; or run with --net none",
            (unsigned)(st.st_mode & 07777));
    else
        say(d, VERDICT_FIX, "/dev/net/tun", "cannot open it read-write: %s (the network stack needs it) — "
            "'sudo chmod 0666 /dev/net/tun'; or run with --net none", strerror(e));
}

/* Runs `STACK OPTION`; false (with the reason in c->output) if it did not
 * exit 0. */
static bool run_stack(enum net_backend kind, const char *binary, const char *option, struct child *c)
{
    const char *argv[] = {net_backend_name(kind), option, NULL};
    struct child_exec_request x = {.path = binary, .argv = argv};
    child_run_bounded(child_exec, &x, CHILD_TIMEOUT_MS, c);
    return child_succeeded(c);
}

/* The options clbox passes (see netns/slirp.c and netns/pasta.c) that the
 * stack's `--help` lacks. */
static void missing_options(enum net_backend kind, const char *help, char *missing, size_t len)
{
    static const char *const slirp_used[] = {"--disable-dns", "--enable-sandbox", "--enable-seccomp",
                                             "--disable-host-loopback", "--userns-path", "--ready-fd", "--exit-fd",
                                             NULL};
    static const char *const pasta_used[] = {"--config-net", "--ns-ifname", "--no-map-gw", "--tcp-ns", "--udp-ns",
                                             "--dns-forward", "--pid", "--ipv4-only", NULL};
    const char *const *used = kind == NET_BACKEND_PASTA ? pasta_used : slirp_used;
    size_t n = 0;
    missing[0] = '\0';
    for (size_t i = 0; used[i]; i++)
        if (!strstr(help, used[i]) && n < len)
            n += (size_t)snprintf(missing + n, len - n, "%s%s", n ? ", " : "", used[i]);
}

/* slirp4netns is what clbox uses unless told otherwise: without it the
 * network needs fixing.  pasta is an option, so its absence is a note. */
static void report_stack_missing(struct doctor *d, enum net_backend kind, const char *override)
{
    const char *name = net_backend_name(kind), *var = net_backend_override_var(kind);
    if (override)
        say(d, VERDICT_FIX, name, "%s=%s is not an executable file — point it at %s, or unset it", var, override,
            name);
    else if (kind == NET_BACKEND_PASTA)
        say(d, VERDICT_NOTE, name, "not found in PATH — only --net-backend pasta needs it ('sudo apt-get install "
            "passt')");
    else
        say(d, VERDICT_FIX, name, "not found in PATH or /usr/bin — install it: 'sudo apt-get install "
            "slirp4netns' (or your distribution's package); or run with --net none");
}

static void check_stack(struct doctor *d, enum net_backend kind)
{
    const char *name = net_backend_name(kind);
    const char *override = NULL;
    autofree char *binary = plan_find_stack_binary(&d->host, kind, &override);
    if (!binary) {
        report_stack_missing(d, kind, override);
        return;
    }
    struct child c;
    char end[64], said[512];
    if (!run_stack(kind, binary, "--version", &c)) {
        child_describe_end(&c, end, sizeof end);
        child_output_line(c.output, said, sizeof said);
        say(d, VERDICT_FIX, name, "%s --version failed (%s%s%s) — reinstall %s", binary, end, said[0] ? ": " : "",
            said, name);
        return;
    }
    char version[128];
    snprintf(version, sizeof version, "%.*s", (int)strcspn(c.output, "\n"), c.output);
    char missing[256];
    /* pasta's --help exits 1: only what it prints counts. */
    if (!run_stack(kind, binary, "--help", &c) && kind != NET_BACKEND_PASTA)
        snprintf(missing, sizeof missing, "(its --help failed)");
    else
        missing_options(kind, c.output, missing, sizeof missing);
    if (missing[0])
        say(d, VERDICT_FIX, name, "%s (%s) lacks options clbox uses: %s — install a newer %s", binary, version,
            missing, name);
    else
        say(d, VERDICT_OK, name, "%s (%s), with every option clbox uses", binary, version);
}

/* Loads clbox's own ruleset (with nothing allowed) where the sandbox's init
 * loads it: in a network namespace owned by a user namespace of ours. */
static void child_try_nft(const void *arg)
{
    (void)arg;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
        dprintf(STDOUT_FILENO, "cannot create a user and a network namespace: %m");
        _exit(1);
    }
    const char *file;
    int r = map_self(uid, gid, &file);
    if (r < 0) {
        dprintf(STDOUT_FILENO, "cannot write %s: %s", file, strerror(-r));
        _exit(1);
    }
    struct error err = {0};
    struct nft_policy policy = {0};
    if (nft_install(&policy, &err) < 0) {
        dprintf(STDOUT_FILENO, "%s", err.text);
        _exit(1);
    }
    _exit(0);
}

static bool not_tried_without_userns(struct doctor *d, const char *what)
{
    if (d->userns_works)
        return false;
    say(d, VERDICT_NOTE, what, "not tried: it needs a user namespace (see above)");
    return true;
}

static void check_nft(struct doctor *d)
{
    static const char what[] = "nftables in a user namespace";
    if (not_tried_without_userns(d, what))
        return;
    struct child c;
    child_run_bounded(child_try_nft, NULL, CHILD_TIMEOUT_MS, &c);
    if (child_succeeded(&c)) {
        say(d, VERDICT_OK, what, "clbox's firewall loads in a network namespace of this user's");
        return;
    }
    char end[64], said[1024];
    child_describe_end(&c, end, sizeof end);
    child_output_line(c.output, said, sizeof said);
    say(d, VERDICT_FIX, what, "%s (%s) — the filtered network needs nf_tables in the kernel ('sudo modprobe "
        "nf_tables'); or run with --net none", said[0] ? said : "the probe failed", end);
}

/* ------------------------------------------------------------- sandbox */

/* A scratch project to run the sandbox in, so that the check works from
 * any directory and leaves nothing behind: `run` would otherwise refuse a
 * home directory as project, and create the real config dir. */
static char *scratch_dir(const struct doctor *d)
{
    const char *tmp = host_env(&d->host, "TMPDIR");
    char *dir = xasprintf("%s/clbox-doctor.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (mkdtemp(dir))
        return dir;
    free(dir);
    return NULL;
}

static void report_sandbox(struct doctor *d, const char *what, const char *shown, const struct child *c)
{
    if (child_succeeded(c)) {
        say(d, VERDICT_OK, what, "'%s' exited 0", shown);
        return;
    }
    char end[64], said[1024];
    child_describe_end(c, end, sizeof end);
    child_output_line(c->output, said, sizeof said);
    say(d, VERDICT_FIX, what, "'%s' failed, %s%s%s — fix what it says (the lines above name the usual causes)",
        shown, end, said[0] ? ": " : "", said);
}

/* The whole path (namespaces, mounts, pivot, and for the filtered network
 * slirp4netns, the firewall and the DNS gate), run by clbox itself. */
static void check_sandbox(struct doctor *d, const char *net)
{
    autofree char *what = xasprintf("sandbox starts, --net %s", net);
    if (not_tried_without_userns(d, what))
        return;
    autofree char *project = scratch_dir(d);
    if (!project) {
        say(d, VERDICT_NOTE, what, "not tried: cannot create a scratch directory in $TMPDIR or /tmp: %s",
            strerror(errno));
        return;
    }
    autofree char *config = xasprintf("%s/config", project);
    /* A scratch project has nothing to audit: no pending audit is recorded
     * (the doctor changes nothing in the home). */
    const char *argv[] = {"clbox", "run", "--project", project, "--config-dir", config, "--allow-project-config",
                          "--net", net, "--", "true", NULL};
    struct child_exec_request x = {.dir = project, .path = "/proc/self/exe", .argv = argv};
    struct child c;
    child_run_bounded(child_exec, &x, SANDBOX_TIMEOUT_MS, &c);
    rmdir(config);
    rmdir(project);
    autofree char *shown = xasprintf("clbox run --net %s -- true", net);
    report_sandbox(d, what, shown, &c);
}

/* ------------------------------------------------------------------ WSL */

static bool is_wsl(void)
{
    autofree char *version = read_small_file("/proc/version", 4096);
    if (version && (strcasestr(version, "microsoft") || strstr(version, "WSL")))
        return true;
    return access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) == 0;
}

/* Only on WSL: what differs there, by design. */
static void check_wsl(struct doctor *d)
{
    if (!is_wsl())
        return;
    say(d, VERDICT_NOTE, "WSL", "detected; Windows interop (running .exe files) does not work inside: its "
        "socket under /run is not shown");
    say(d, VERDICT_NOTE, "WSL", "/mnt/c is not shown inside unless you name it with --ro or --rw");
    say(d, VERDICT_NOTE, "WSL", "the filtered network's upstream DNS servers are read from WSL's generated "
        "/etc/resolv.conf");
}

/* ------------------------------------------------ profiles, config dir */

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Which profile directories exist.  Kept apart so that it can grow into
 * saying which profiles resolve, and from where. */
/* Every profile that a name finds: it must resolve, expanded, as `run`
 * would apply it.  One that needs a variable this shell lacks (bedrock
 * without AWS_REGION) is a note, not a fault. */
static void report_profile(const char *name, const char *origin, const char *error, void *opaque)
{
    struct doctor *d = opaque;
    if (error)
        say(d, VERDICT_NOTE, "profile", "%s does not resolve here: %s", name, error);
    else
        say(d, VERDICT_OK, "profile", "%s resolves (from %s)", name, origin);
}

static void doctor_profiles(struct doctor *d)
{
    if (!d->have_host)
        return;
    struct profile_context ctx = {.environ = d->host.environ, .home = d->host.home};
    profile_check_all(&ctx, report_profile, d);
}

/* The nearest ancestor of path that exists (path itself excluded). */
static char *existing_ancestor(const char *path)
{
    char *dir = xstrdup(path);
    struct stat st;
    do {
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    } while (strcmp(dir, "/") != 0 && lstat(dir, &st) < 0);
    return dir;
}

static void report_missing_config_dir(struct doctor *d, const char *dir)
{
    autofree char *parent = existing_ancestor(dir);
    if (is_dir(parent) && access(parent, W_OK | X_OK) == 0)
        say(d, VERDICT_OK, "config dir", "%s will be created on the first run", dir);
    else
        say(d, VERDICT_FIX, "config dir", "%s cannot be created: %s is not a directory you can write — "
            "choose another with --config-dir DIR", dir, parent);
}

/* The default config dir, by the planner's own resolver. */
static void check_config_dir(struct doctor *d)
{
    if (!d->have_host)
        return;
    autofree char *dir = plan_config_dir_path(NULL, &d->host);
    struct stat st;
    if (stat(dir, &st) < 0) {
        if (errno == ENOENT)
            report_missing_config_dir(d, dir);
        else
            say(d, VERDICT_FIX, "config dir", "%s: %s — choose another with --config-dir DIR", dir,
                strerror(errno));
    } else if (!S_ISDIR(st.st_mode))
        say(d, VERDICT_FIX, "config dir", "%s is not a directory — move it away, or choose another with "
            "--config-dir DIR", dir);
    else if (st.st_uid != d->host.uid)
        say(d, VERDICT_FIX, "config dir", "%s belongs to uid %u, not to you — 'sudo chown %u %s', or choose "
            "another with --config-dir DIR", dir, (unsigned)st.st_uid, (unsigned)d->host.uid, dir);
    else if (access(dir, W_OK | X_OK) < 0)
        say(d, VERDICT_FIX, "config dir", "%s is not writable — 'chmod u+rwx %s'", dir, dir);
    else
        say(d, VERDICT_OK, "config dir", "%s exists and is writable", dir);
}

/* ----------------------------------------------------------------- all */

/* The host facts are read first, as `run` reads them (their environment
 * is there even when the home is not); a failure is said here, before the
 * checks that need the home. */
static void read_host(struct doctor *d)
{
    if (!d->have_host)
        say(d, VERDICT_FIX, "environment", "%s", d->host_err.text);
}

static void summarize(struct doctor *d)
{
    int fixes = d->counts[VERDICT_FIX];
    fprintf(d->out, "summary: %d ok, %d to fix, %d %s — %s\n", d->counts[VERDICT_OK], fixes,
            d->counts[VERDICT_NOTE], d->counts[VERDICT_NOTE] == 1 ? "note" : "notes",
            fixes ? "fix the FIX lines, then run 'clbox doctor' again" : "clbox can run here");
    fflush(d->out);
}

int doctor_run(FILE *out)
{
    struct doctor d = {.out = out, .host_err = {0}};
    d.have_host = host_facts_read(&d.host, &d.host_err) == 0;
    fprintf(out, "clbox %s doctor, as uid %u\n", PACKAGE_VERSION, (unsigned)getuid());
    check_kernel(&d);
    check_userns(&d);
    for (size_t i = 0; i < N_USERNS_SETTINGS; i++)
        check_userns_setting(&d, &userns_settings[i]);
    check_tun(&d);
    check_stack(&d, NET_BACKEND_SLIRP4NETNS);
    check_stack(&d, NET_BACKEND_PASTA);
    check_nft(&d);
    check_sandbox(&d, "none");
    check_sandbox(&d, "filtered");
    check_wsl(&d);
    read_host(&d);
    doctor_profiles(&d);
    check_config_dir(&d);
    summarize(&d);
    host_facts_free(&d.host);
    return d.counts[VERDICT_FIX] ? 1 : 0;
}
