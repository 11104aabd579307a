#include "tests/relay/harness_policy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns/relay/relay_dst.h"

int harness_policy_add(struct harness_policy *hp, const char *spec)
{
    if (hp->n_rules >= MAX_RULES)
        return -1;
    struct rule r = {0};
    unsigned long amount = 0;
    if (sscanf(spec, "refuse:%u", &r.port) == 1)
        r.kind = RULE_REFUSE;
    else if (sscanf(spec, "stream:%u:%lu", &r.port, &amount) == 2)
        r.kind = RULE_STREAM;
    else if (sscanf(spec, "peek:%u:%lu:%u", &r.port, &amount, &r.timeout_ms) == 3)
        r.kind = RULE_PEEK;
    else if (sscanf(spec, "host:%u", &r.port) == 1)
        r.kind = RULE_HOST_PORT;
    else if (sscanf(spec, "forbidden:%u", &r.port) == 1)
        r.kind = RULE_FORBIDDEN_SYSCALL;
    else
        return -1;
    r.amount = amount;
    hp->rules[hp->n_rules++] = r;
    return 0;
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return 0;
}

/* One line in one write: no stdio stream, whose set-up would lseek (not
 * allowed by the relay's seccomp filter). */
static void say_peeked(size_t n, bool ended)
{
    char line[128];
    int len = snprintf(line, sizeof line, "relay-harness: peeked %zu bytes%s\n", n,
                       ended ? " (the client stopped or the deadline passed)" : "");
    if (len > 0)
        (void)!write(STDERR_FILENO, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

static void decide(void *opaque, const struct relay_conn_info *info, struct relay_decision *out)
{
    struct harness_policy *hp = opaque;
    unsigned port = port_of(&info->destination);
    out->verdict = RELAY_SPLICE;
    for (size_t i = 0; i < hp->n_rules; i++) {
        const struct rule *r = &hp->rules[i];
        if (r->port != port)
            continue;
        switch (r->kind) {
        case RULE_REFUSE:
            out->verdict = RELAY_REFUSE;
            snprintf(out->message, sizeof out->message, "port %u is refused by the harness's policy", port);
            return;
        case RULE_STREAM:
            out->verdict = RELAY_STREAM;
            return;
        case RULE_PEEK:
            if (!info->peeked) {
                *out = (struct relay_decision){.verdict = RELAY_PEEK, .peek_bytes = r->amount,
                                               .peek_timeout_ms = r->timeout_ms};
                return;
            }
            /* Seen: "REFUSE..." is refused, anything else spliced. */
            if (info->n_peeked >= 6 && memcmp(info->peeked, "REFUSE", 6) == 0) {
                out->verdict = RELAY_REFUSE;
                snprintf(out->message, sizeof out->message, "peeked %zu bytes starting REFUSE", info->n_peeked);
                return;
            }
            say_peeked(info->n_peeked, info->peek_ended);
            break;
        case RULE_HOST_PORT:
            out->host_port = true;
            break;
        case RULE_FORBIDDEN_SYSCALL:
            /* Outside what the relay's seccomp filter allows: kills it. */
            close(open("/", O_RDONLY | O_CLOEXEC));
            break;
        }
    }
}

struct stream_state {
    size_t left; /* bytes the filter still lets through */
};

static void *stream_open(void *opaque, const struct relay_conn_info *info)
{
    struct harness_policy *hp = opaque;
    unsigned port = port_of(&info->destination);
    for (size_t i = 0; i < hp->n_rules; i++) {
        if (hp->rules[i].kind == RULE_STREAM && hp->rules[i].port == port) {
            struct stream_state *s = malloc(sizeof *s);
            if (s)
                s->left = hp->rules[i].amount;
            return s;
        }
    }
    return NULL;
}

static ssize_t stream_filter(void *stream, const uint8_t *held, size_t n_held, size_t n_new, bool eof,
                             struct error *why)
{
    (void)held, (void)n_new, (void)eof;
    struct stream_state *s = stream;
    if (s->left == 0 && n_held > 0) {
        return error_set(why, "the stream filter's limit is reached: cut");
    }
    size_t allowed = n_held < s->left ? n_held : s->left;
    s->left -= allowed;
    return (ssize_t)allowed;
}

static void stream_close(void *stream) { free(stream); }

/* One line per report, in one write. */
static void report(void *opaque, const struct relay_conn_info *info, const char *message)
{
    (void)opaque;
    char from[64] = "-", to[64] = "-", line[512];
    if (info) {
        relay_format_addr(&info->client, from, sizeof from);
        relay_format_addr(&info->destination, to, sizeof to);
    }
    int n = snprintf(line, sizeof line, "relay-harness: refused %s -> %s: %s\n", from, to, message);
    if (n > 0)
        (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

struct relay_policy harness_policy_callbacks(struct harness_policy *hp)
{
    return (struct relay_policy){
        .opaque = hp,
        .decide = decide,
        .stream_open = stream_open,
        .stream_filter = stream_filter,
        .stream_close = stream_close,
        .report = report,
    };
}
