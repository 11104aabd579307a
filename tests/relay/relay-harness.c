/* relay-harness: clbox's TCP relay on its own, between a "sandbox" network
 * namespace it makes and the network namespace it runs in.
 *
 *   relay-harness [--port P] [--v4-only|--v6-only] [--cap N] [--connect-ms MS]
 *                 [--rule SPEC]... [--lifetime S] --setup 'SHELL COMMANDS'
 *
 * The sandbox (a new user and network namespace, root inside) runs SETUP
 * with sh -e (the test's links, routes and nft redirect of TCP to port P),
 * then listens on 0.0.0.0:P and [::]:P and hands both sockets to the
 * harness, which starts the relay on them (relay_start: its own confined
 * process) and closes its own copies.  Then it prints
 *
 *   ready sandbox=PID relay=PID
 *
 * (nsenter -t PID -U -n --preserve-credentials runs a command in the
 * sandbox's network), and "relay ended: signal N" or "relay ended: exit N"
 * should the relay end.  It ends, taking the sandbox and the relay with it,
 * when its stdin closes, or after --lifetime seconds (default 300).  The
 * relay's reports go to stderr.  Rules (harness_policy.h): refuse:PORT,
 * stream:PORT:BYTES, peek:PORT:BYTES:MS, host:PORT, forbidden:PORT; other
 * ports are spliced. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns/relay/relay.h"
#include "tests/relay/harness_ns.h"
#include "tests/relay/harness_policy.h"

struct args {
    const char *setup;
    unsigned port, cap, connect_ms, lifetime_s;
    bool v4, v6;
    struct harness_policy policy;
};

static _Noreturn void usage(const char *why)
{
    fprintf(stderr, "relay-harness: %s\nusage: relay-harness [--port P] [--v4-only|--v6-only] [--cap N] "
                    "[--connect-ms MS] [--rule SPEC]... [--lifetime S] --setup 'SHELL COMMANDS'\n", why);
    exit(2);
}

static unsigned number(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 1000000)
        usage("not a number");
    return (unsigned)v;
}

static void parse(int argc, char **argv, struct args *a)
{
    *a = (struct args){.port = 15001, .v4 = true, .v6 = true, .lifetime_s = 300};
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--v4-only") || !strcmp(opt, "--v6-only")) {
            a->v4 = opt[3] == '4', a->v6 = opt[3] == '6';
            continue;
        }
        if (i + 1 >= argc)
            usage("an option wants a value");
        const char *val = argv[++i];
        if (!strcmp(opt, "--setup"))
            a->setup = val;
        else if (!strcmp(opt, "--port"))
            a->port = number(val);
        else if (!strcmp(opt, "--cap"))
            a->cap = number(val);
        else if (!strcmp(opt, "--connect-ms"))
            a->connect_ms = number(val);
        else if (!strcmp(opt, "--lifetime"))
            a->lifetime_s = number(val);
        else if (!strcmp(opt, "--rule")) {
            if (harness_policy_add(&a->policy, val) < 0)
                usage("a rule is refuse:PORT, stream:PORT:BYTES, peek:PORT:BYTES:MS, host:PORT or forbidden:PORT");
        } else
            usage("unknown option");
    }
    if (!a->setup)
        usage("--setup is needed");
}

static void say_how_it_ended(int status)
{
    if (WIFSIGNALED(status))
        printf("relay ended: signal %d\n", WTERMSIG(status));
    else
        printf("relay ended: exit %d\n", WEXITSTATUS(status));
    fflush(stdout);
}

/* Until stdin closes or the lifetime is over; tells when the relay ends. */
static void wait_for_the_end(pid_t relay, unsigned lifetime_s)
{
    time_t end = time(NULL) + (time_t)lifetime_s;
    bool relay_alive = true;
    while (time(NULL) < end) {
        struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
        int r = poll(&in, 1, 100);
        if (r > 0) {
            char buf[256];
            if (read(STDIN_FILENO, buf, sizeof buf) <= 0)
                return;
        }
        int status;
        if (relay_alive && waitpid(relay, &status, WNOHANG) == relay) {
            relay_alive = false;
            say_how_it_ended(status);
        }
    }
    fprintf(stderr, "relay-harness: its lifetime of %u s is over\n", lifetime_s);
}

int main(int argc, char **argv)
{
    static struct args a;
    parse(argc, argv, &a);
    signal(SIGPIPE, SIG_IGN);
    struct sandbox_ns ns;
    if (sandbox_ns_start(a.setup, a.port, a.v4, a.v6, &ns) < 0)
        return 1;
    struct relay_policy callbacks = harness_policy_callbacks(&a.policy);
    struct relay_config cfg = {
        .listen_fds = {ns.fds[0], ns.fds[1]},
        .keep_fds = {-1, -1, -1, -1},
        .max_conns = a.cap,
        .connect_timeout_ms = a.connect_ms,
        .policy = &callbacks,
    };
    struct error err = {0};
    fflush(stdout);
    pid_t relay = relay_start(&cfg, &err);
    if (relay < 0) {
        fprintf(stderr, "relay-harness: %s\n", err.text);
        return 1;
    }
    /* The relay holds the only copies now: when it dies, nothing listens. */
    for (int i = 0; i < 2; i++)
        if (ns.fds[i] >= 0)
            close(ns.fds[i]);
    printf("ready sandbox=%d relay=%d\n", (int)ns.pid, (int)relay);
    fflush(stdout);
    wait_for_the_end(relay, a.lifetime_s);
    kill(relay, SIGKILL);
    kill(ns.pid, SIGKILL);
    waitpid(relay, NULL, 0);
    waitpid(ns.pid, NULL, 0);
    return 0;
}
