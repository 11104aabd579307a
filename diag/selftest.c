/* `clbox check`: a sandbox built exactly as `run` would build it runs this
 * checklist from the inside, where the command would be. */
#include "diag/selftest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/util.h"
#include "netns/kernel/nft.h"

enum outcome { CHECK_OK, CHECK_FAILED, CHECK_SKIPPED };

struct tally {
    int ok, failed, skipped;
};

static void report(struct tally *t, enum outcome o, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(struct tally *t, enum outcome o, const char *what, const char *fmt, ...)
{
    static const char *const words[] = {"ok", "FAIL", "skip"};
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("  %-5s %s: %s\n", words[o], what, detail);
    fflush(stdout);
    if (o == CHECK_OK)
        t->ok++;
    else if (o == CHECK_FAILED)
        t->failed++;
    else
        t->skipped++;
}

/* Reads "Name:\tvalue" from /proc/self/status. */
static bool status_field(const char *name, char *value, size_t len)
{
    autofree char *status = read_small_file("/proc/self/status", 16384);
    size_t n = strlen(name);
    for (char *line = status; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1 + strspn(line + n + 1, " \t");
            snprintf(value, len, "%.*s", (int)strcspn(v, "\n"), v);
            return true;
        }
    return false;
}

static void check_process(struct tally *t)
{
    static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    char value[64];
    const char *held = NULL;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (!status_field(sets[i], value, sizeof value) || strspn(value, "0") != strlen(value))
            held = sets[i];
    if (held)
        report(t, CHECK_FAILED, "capabilities", "%s is not empty", held);
    else
        report(t, CHECK_OK, "capabilities", "none in any set (bounding and ambient included)");
    bool nnp = status_field("NoNewPrivs", value, sizeof value) && strcmp(value, "1") == 0;
    report(t, nnp ? CHECK_OK : CHECK_FAILED, "no_new_privs", nnp ? "set" : "not set");
    bool filtered = status_field("Seccomp", value, sizeof value) && strcmp(value, "2") == 0;
    report(t, filtered ? CHECK_OK : CHECK_FAILED, "seccomp", filtered ? "filter loaded" : "no filter");
    errno = 0;
    int r = unshare(CLONE_NEWUSER);
    report(t, r < 0 ? CHECK_OK : CHECK_FAILED, "new user namespace", r < 0 ? "refused (%s)" : "ALLOWED%s",
           r < 0 ? strerror(errno) : "");
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Connects to addr:port; returns 0 if it connected, else the errno. */
static int try_connect(const char *addr, int port, double *ms)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, addr, &sin.sin_addr);
    autoclose int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int r = connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ? errno : 0;
    *ms = elapsed_ms(&start);
    return r;
}

/* A UDP datagram is the firewall's unambiguous witness: refused, send() or
 * the next receive fails at once (EPERM, EHOSTUNREACH); let through, nothing
 * comes back from an offline or silent host, or a remote "port unreachable"
 * (ECONNREFUSED).  TCP cannot tell: the firewall's reset looks like a
 * server's.  Returns the firewall's errno, or 0 if it let the datagram go. */
static int firewall_refusal(const char *addr, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, addr, &sin.sin_addr);
    autoclose int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
        return errno;
    if (send(fd, "clbox", 5, 0) < 0)
        return errno == ECONNREFUSED ? 0 : errno;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 300) <= 0)
        return 0;
    char byte;
    if (recv(fd, &byte, 1, MSG_DONTWAIT) >= 0 || errno == ECONNREFUSED || errno == EAGAIN)
        return 0;
    return errno;
}

static void check_refused_connection(struct tally *t, const char *what, const char *addr, int port)
{
    int refusal = firewall_refusal(addr, port);
    double ms;
    int err = try_connect(addr, port, &ms);
    if (!refusal)
        report(t, CHECK_FAILED, what, "%s:%d: a datagram got past the firewall", addr, port);
    else if (err == 0)
        report(t, CHECK_FAILED, what, "%s:%d CONNECTED", addr, port);
    else if (ms > 500)
        report(t, CHECK_FAILED, what, "%s:%d refused only after %.0f ms (%s)", addr, port, ms, strerror(err));
    else
        report(t, CHECK_OK, what, "%s:%d refused by the firewall (%s; TCP in %.1f ms)", addr, port,
               strerror(refusal), ms);
}

static void check_dns(struct tally *t, const struct selftest_options *o)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int r = getaddrinfo("clbox-check.example", "443", &hints, &res);
    if (res)
        freeaddrinfo(res);
    double ms = elapsed_ms(&start);
    if (r == EAI_NONAME)
        report(t, CHECK_OK, "name not on the allowlist", "refused by the gate in %.1f ms, never sent upstream", ms);
    else
        report(t, CHECK_FAILED, "name not on the allowlist", "expected NXDOMAIN, got: %s", gai_strerror(r));
    if (!o->allowed_name) {
        report(t, CHECK_SKIPPED, "allowlisted name", "no name is allowlisted");
        return;
    }
    r = getaddrinfo(o->allowed_name, o->allowed_port, &hints, &res);
    if (r != 0) {
        report(t, CHECK_SKIPPED, "allowlisted name", "%s did not resolve (%s): is the host offline?", o->allowed_name,
               gai_strerror(r));
        return;
    }
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr, sizeof addr);
    freeaddrinfo(res);
    int port = (int)strtol(o->allowed_port, NULL, 10);
    int refusal = firewall_refusal(addr, port);
    if (refusal) {
        report(t, CHECK_FAILED, "allowlisted name", "%s (%s) resolved but the firewall refused it: %s",
               o->allowed_name, addr, strerror(refusal));
        return;
    }
    double connect_ms;
    int err = try_connect(addr, port, &connect_ms);
    if (err == 0)
        report(t, CHECK_OK, "allowlisted name", "%s (%s) reached on port %d", o->allowed_name, addr, port);
    else if (err == ECONNREFUSED)
        report(t, CHECK_OK, "allowlisted name", "%s (%s) let through the firewall (nothing listens on TCP port %d)",
               o->allowed_name, addr, port);
    else
        report(t, CHECK_SKIPPED, "allowlisted name", "%s (%s) let through, but did not answer (%s): is the host "
               "offline?", o->allowed_name, addr, strerror(err));
}

int selftest_run_inside(const struct selftest_options *o)
{
    struct tally t = {0};
    printf("clbox check (inside the sandbox, as uid %u)\n", (unsigned)getuid());
    check_process(&t);
    if (o->filtered) {
        check_dns(&t, o);
        check_refused_connection(&t, "address not on the allowlist", "192.0.2.1", 443);
        check_refused_connection(&t, "host loopback", SLIRP_HOST_ADDR, 22);
        check_refused_connection(&t, "slirp4netns's DNS forwarder", "10.0.2.3", 53);
    } else {
        report(&t, CHECK_SKIPPED, "network filter", "the network is not filtered (--net %s)", o->net_name);
    }
    printf("%d checks: %d ok, %d failed, %d skipped\n", t.ok + t.failed + t.skipped, t.ok, t.failed, t.skipped);
    return t.failed ? 1 : 0;
}
