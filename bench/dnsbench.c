/* bench/dnsbench.c - a tiny UDP DNS load generator for bench/run.
 *
 *   dnsbench [-s SERVER] [-p PORT] [-n COUNT] [-c INFLIGHT] [-t SECONDS] NAME
 *
 * Sends COUNT queries (type A, recursion desired) for NAME to SERVER (default:
 * the first "nameserver" line of /etc/resolv.conf; IPv4 only), keeping up to
 * INFLIGHT of them outstanding (default 1: one after the other).  Prints on
 * stdout the latency of each answered query in microseconds, one per line, and
 * on stderr one summary line:
 *
 *   sent N answered N errors N lost N seconds S qps Q
 *
 * "errors" are answers with an rcode other than NOERROR or without any answer
 * record; "lost" are queries not answered within a second (each is sent again
 * under a new id).  The run stops after COUNT answers (errors included) or
 * SECONDS seconds (default 10), whichever comes first.  Exit status 0 when at
 * least one query was answered without error, 1 otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_INFLIGHT = 256, MAX_COUNT = 1000000, QUERY_TIMEOUT_NS = 1000000000 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void usage(void)
{
    fprintf(stderr, "usage: dnsbench [-s SERVER] [-p PORT] [-n COUNT] [-c INFLIGHT] [-t SECONDS] NAME\n");
    exit(2);
}

/* First IPv4 nameserver of /etc/resolv.conf into *addr; 0 on success. */
static int resolv_server(struct in_addr *addr)
{
    FILE *f = fopen("/etc/resolv.conf", "r");
    char line[512], server[128];
    int found = -1;
    if (!f)
        return -1;
    while (found != 0 && fgets(line, sizeof line, f))
        if (sscanf(line, " nameserver %127s", server) == 1 && inet_pton(AF_INET, server, addr) == 1)
            found = 0;
    fclose(f);
    return found;
}

/* The query (header with id 0, question NAME A IN) into buf; its length. */
static size_t build_query(const char *name, unsigned char *buf, size_t cap)
{
    size_t n = 12;
    memset(buf, 0, 12);
    buf[2] = 0x01; /* RD */
    buf[5] = 1;    /* QDCOUNT */
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || len > 63 || n + len + 1 + 5 > cap)
            return 0;
        buf[n++] = (unsigned char)len;
        memcpy(buf + n, p, len);
        n += len;
        p += len;
        if (*p == '.')
            p++;
    }
    buf[n++] = 0;
    buf[n++] = 0, buf[n++] = 1; /* A */
    buf[n++] = 0, buf[n++] = 1; /* IN */
    return n;
}

struct slot {
    int busy;
    uint16_t id;
    double sent;
};

int main(int argc, char **argv)
{
    const char *server = NULL;
    long port = 53, count = 1000, inflight = 1;
    double seconds = 10;
    int opt;
    while ((opt = getopt(argc, argv, "s:p:n:c:t:")) != -1) {
        switch (opt) {
        case 's': server = optarg; break;
        case 'p': port = strtol(optarg, NULL, 10); break;
        case 'n': count = strtol(optarg, NULL, 10); break;
        case 'c': inflight = strtol(optarg, NULL, 10); break;
        case 't': seconds = strtod(optarg, NULL); break;
        default: usage();
        }
    }
    if (optind + 1 != argc || port < 1 || port > 65535 || count < 1 || count > MAX_COUNT || inflight < 1 ||
        inflight > MAX_INFLIGHT || !(seconds > 0 && seconds <= 600))
        usage();

    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (server ? inet_pton(AF_INET, server, &to.sin_addr) != 1 : resolv_server(&to.sin_addr) != 0) {
        fprintf(stderr, "dnsbench: no IPv4 server (give -s ADDR)\n");
        return 2;
    }
    unsigned char query[300];
    size_t qlen = build_query(argv[optind], query, sizeof query);
    if (!qlen) {
        fprintf(stderr, "dnsbench: bad name %s\n", argv[optind]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("dnsbench: socket");
        return 1;
    }

    static struct slot slots[MAX_INFLIGHT];
    long sent = 0, answered = 0, errors = 0, lost = 0;
    uint16_t next_id = (uint16_t)(getpid() * 7919u);
    double start = now_ns(), deadline = start + seconds * 1e9;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    for (;;) {
        double t = now_ns();
        if (answered >= count || t >= deadline)
            break;
        /* Fill the window; re-send what timed out. */
        long busy = 0;
        for (long i = 0; i < inflight; i++) {
            struct slot *s = &slots[i];
            if (s->busy && t - s->sent > QUERY_TIMEOUT_NS) {
                s->busy = 0;
                lost++;
            }
            if (!s->busy && answered + busy < count) {
                s->id = next_id++;
                query[0] = (unsigned char)(s->id >> 8);
                query[1] = (unsigned char)s->id;
                s->sent = now_ns();
                if (send(fd, query, qlen, 0) == (ssize_t)qlen) {
                    s->busy = 1;
                    sent++;
                } else if (errno != EINTR && errno != EAGAIN && errno != ECONNREFUSED) {
                    perror("dnsbench: send");
                    goto done;
                }
            }
            busy += s->busy;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, 50);
        if (r <= 0)
            continue;
        unsigned char ans[4096];
        ssize_t n = recv(fd, ans, sizeof ans, MSG_DONTWAIT);
        double got = now_ns();
        if (n < 12)
            continue;
        uint16_t id = (uint16_t)(ans[0] << 8 | ans[1]);
        for (long i = 0; i < inflight; i++) {
            struct slot *s = &slots[i];
            if (!s->busy || s->id != id)
                continue;
            s->busy = 0;
            answered++;
            int rcode = ans[3] & 0x0f, ancount = ans[6] << 8 | ans[7];
            if (!(ans[2] & 0x80) || rcode != 0 || ancount == 0)
                errors++;
            else
                printf("%.1f\n", (got - s->sent) / 1e3);
            break;
        }
    }
done:;
    double elapsed = (now_ns() - start) / 1e9;
    fflush(stdout);
    fprintf(stderr, "sent %ld answered %ld errors %ld lost %ld seconds %.3f qps %.0f\n", sent, answered, errors, lost,
            elapsed, elapsed > 0 ? (double)(answered - errors) / elapsed : 0.0);
    return answered > errors ? 0 : 1;
}
