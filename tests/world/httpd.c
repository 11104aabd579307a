/* tests/world/httpd.c - the fake internet's tiny web server (test helper).
 *
 *   httpd [-t SECONDS] [-n CONNECTIONS] ADDR PORT [ADDR PORT ...]
 *
 * Listens on every ADDR PORT pair (IPv4 or IPv6 literals) in one process and
 * answers any connection with
 *
 *   HTTP/1.0 200 OK ... "server ADDR:PORT\n"      ([ADDR]:PORT for IPv6)
 *
 * naming the listener that took it.  The request is read until its blank line,
 * EOF, or 300 ms of silence (so a client that only reads, like a "database"
 * probe over /dev/tcp, gets the answer too).  Everything is bounded: the
 * process exits after SECONDS (default 3600) or CONNECTIONS accepted
 * connections (default 100000), whichever comes first.  Prints "ready" on
 * stdout once every socket listens.  Single-threaded, no dependencies. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTEN 64

static int listen_on(const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
            return -1;
        len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
            return -1;
        len = sizeof *s4;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads the request: until "\r\n\r\n" or "\n\n", EOF, 300 ms of silence,
 * 2 s in all, or 64 KiB. */
static void drain_request(int fd)
{
    char buf[4096], tail[4] = {0};
    size_t total = 0;
    int rounds = 0;

    while (total < 65536 && rounds++ < 7) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n, i;

        if (poll(&p, 1, 300) <= 0)
            return;
        n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return;
        total += (size_t)n;
        for (i = 0; i < n; i++) {
            memmove(tail, tail + 1, 3);
            tail[3] = buf[i];
            if (!memcmp(tail, "\r\n\r\n", 4) || !memcmp(tail + 2, "\n\n", 2))
                return;
        }
    }
}

int main(int argc, char **argv)
{
    struct pollfd pfd[MAX_LISTEN];
    char name[MAX_LISTEN][80];
    long seconds = 3600, max_conn = 100000, conns = 0;
    int n = 0, i, opt;
    time_t end;

    while ((opt = getopt(argc, argv, "t:n:")) != -1) {
        if (opt == 't')
            seconds = atol(optarg);
        else if (opt == 'n')
            max_conn = atol(optarg);
        else
            return 2;
    }
    if (optind >= argc || (argc - optind) % 2 || (argc - optind) / 2 > MAX_LISTEN) {
        fprintf(stderr, "usage: httpd [-t SECONDS] [-n CONNECTIONS] ADDR PORT...\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (i = optind; i < argc; i += 2, n++) {
        int port = atoi(argv[i + 1]);

        pfd[n].fd = listen_on(argv[i], port);
        pfd[n].events = POLLIN;
        if (pfd[n].fd < 0) {
            fprintf(stderr, "httpd: cannot listen on %s port %s: %m\n", argv[i], argv[i + 1]);
            return 1;
        }
        snprintf(name[n], sizeof name[n], strchr(argv[i], ':') ? "[%s]:%d" : "%s:%d",
                 argv[i], port);
    }
    printf("ready\n");
    fflush(stdout);
    end = time(NULL) + seconds;
    while (conns < max_conn && time(NULL) < end) {
        if (poll(pfd, n, 1000) <= 0)
            continue;
        for (i = 0; i < n; i++) {
            char resp[256], body[100];
            int c, blen;

            if (!(pfd[i].revents & POLLIN))
                continue;
            c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            conns++;
            drain_request(c);
            blen = snprintf(body, sizeof body, "server %s\n", name[i]);
            snprintf(resp, sizeof resp,
                     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
            if (send(c, resp, strlen(resp), MSG_NOSIGNAL) < 0) {
                /* the client went away; nothing to do */
            }
            close(c);
        }
    }
    return 0;
}
