/* The sandbox's init: pid 1 of the new pid namespace.  It builds the
 * sandbox while it still holds capabilities in its own user namespace,
 * drops them for good, then starts the command, reaps every orphan, passes
 * signals on, and exits with the command's status. */
#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/error.h"
#include "common/message.h"
#include "init/caps.h"
#include "init/init_net.h"
#include "init/init_pty.h"
#include "init/mounts.h"
#include "netns/kernel/link.h"
#include "netns/kernel/nft.h"
#include "proc/signals.h"
#include "proc/userns.h"
#include "seccomp/filter.h"

/* Nothing the launcher had open may leak in: a directory fd from the host
 * would be a way out of every mount. */
static void close_fds_above(int highest_kept)
{
    if (syscall(SYS_close_range, (unsigned)highest_kept + 1, ~0u, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = highest_kept + 1; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        close((int)fd);
}

/* Waits for the launcher to have written the user namespace's maps.
 * PR_SET_PDEATHSIG only covers a launcher that dies after it was set; the
 * pipe's end of file covers one that died before. */
static void wait_for_launcher(int launcher_alive_fd)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die_errno(errno, "cannot tie the sandbox to clbox's life: %m");
    char byte;
    ssize_t n;
    do
        n = read(launcher_alive_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(EXIT_CLBOX_ERROR); /* the launcher is gone, or says why */
    close(launcher_alive_fd);
}

static void harden(void)
{
    struct error err = {0};
    /* Not dumpable: the command, same uid, cannot ptrace init. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        die_errno(errno, "cannot make the sandbox's init undumpable: %m");
    caps_drop_all();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die_errno(errno, "cannot set no_new_privs: %m");
    if (seccomp_install(&err) < 0)
        die_error(&err);
}

static int exit_code_for_exec_error(int err) { return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE; }

/* The command has a process group of its own: kill(0, ...) inside reaches
 * it, never init's or clbox's.  With a pty it is the pty's foreground
 * group, in the session init leads; without, it leads a session of its
 * own, with no controlling terminal (not the user's: /dev/tty fails). */
static void start_session(const struct init_pty *pty)
{
    if (pty->slave >= 0)
        init_pty_take(pty);
    else if (setsid() < 0)
        die_errno(errno, "cannot start the command's session: %m");
}

_Noreturn static void exec_command(const struct plan *plan, const struct init_pty *pty)
{
    extern char **environ;
    start_session(pty);
    signals_restore_for_exec();
    if (chdir(plan->cwd) < 0)
        die_errno(errno, "cannot enter %s inside the sandbox: %m", plan->cwd);
    environ = plan->env.items;
    execvp(plan->argv[0], plan->argv);
    int err = errno;
    const char *name = plan->argv[0];
    /* The PATH execvp searched: the command's own, from the plan. */
    const char *path = plan_env_value(plan, "PATH");
    if ((err == ENOENT || err == ENOTDIR) && !strchr(name, '/'))
        warnx_clbox("%s: command not found inside the sandbox (searched PATH=%s)", name, path ? path : "");
    else if (err == ENOENT)
        warnx_clbox("cannot run %s: %s inside the sandbox (if it exists on the host, it or its #! interpreter "
                    "lies outside what the sandbox shows: add it with --ro)",
                    name, strerror(err));
    else
        warnx_clbox("cannot run %s: %s", name, strerror(err));
    _exit(exit_code_for_exec_error(err));
}

_Noreturn void sandbox_init(const struct plan *plan, int launcher_alive_fd, int channel)
{
    struct error err = {0};
    message_set_verbosity(plan->verbosity);
    message_set_speaker("init");
    /* First, while the launcher writes the id maps and starts the network
     * stack, and while the host's filesystem is still the one in view. */
    if (plan->net == NET_FILTERED && nft_load(&err) < 0)
        die_error(&err);
    wait_for_launcher(launcher_alive_fd);
    /* Out of clbox's session: the user's terminal sends its signals to
     * clbox alone, which passes them on. */
    if (setsid() < 0)
        die_errno(errno, "cannot give the sandbox's init a session of its own: %m");
    if (channel >= 0 && channel != 3 && (dup3(channel, 3, O_CLOEXEC) < 0 || close(channel) < 0))
        die_errno(errno, "cannot keep the channel to clbox: %m");
    close_fds_above(channel >= 0 ? 3 : 2);
    channel = channel >= 0 ? 3 : -1;
    if (sethostname(plan->hostname, strlen(plan->hostname)) < 0)
        die_namespace_denied("cannot set the sandbox's hostname", errno);
    struct error mount_err = {0};
    if (rootfs_build(plan, &mount_err) < 0)
        die_error(&mount_err);
    if (link_set_up("lo", &err) < 0) {
        error_wrap(&err, "cannot set up the sandbox's loopback");
        die_error(&err);
    }
    if (plan->net != NET_NONE)
        init_network(plan, channel);
    userns_enter_inner(plan->uid, plan->gid);
    harden();
    struct init_pty pty = {.master = -1, .slave = -1};
    if (plan->terminal_streams)
        init_pty_open(plan, channel, &pty);

    pid_t command = fork();
    if (command < 0)
        die_errno(errno, "cannot start the command: %m");
    if (command == 0)
        exec_command(plan, &pty);
    if (pty.master >= 0) {
        close(pty.slave);
        _exit(init_pty_relay(command, channel, pty.master));
    }
    int wait_status = 0;
    int status = signals_relay_until_exit(command, false, &wait_status);
    signals_report_command_end(wait_status);
    _exit(status);
}
