/* The relay harness's policy: a verdict per destination port, from the
 * command line, standing in for the one clbox will plug in. */
#ifndef CLBOX_TESTS_RELAY_HARNESS_POLICY_H
#define CLBOX_TESTS_RELAY_HARNESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "netns/relay/relay.h"

enum rule_kind { RULE_REFUSE, RULE_STREAM, RULE_PEEK, RULE_HOST_PORT, RULE_FORBIDDEN_SYSCALL };

struct rule {
    enum rule_kind kind;
    unsigned port;
    size_t amount;       /* STREAM: bytes let through before the cut; PEEK: bytes to look at */
    unsigned timeout_ms; /* PEEK */
};

enum { MAX_RULES = 16 };

struct harness_policy {
    struct rule rules[MAX_RULES];
    size_t n_rules;
};

/* "refuse:PORT", "stream:PORT:BYTES", "peek:PORT:BYTES:MS", "host:PORT",
 * "forbidden:PORT".  0, or -1 when it is none of these. */
int harness_policy_add(struct harness_policy *hp, const char *spec);
/* The relay's callbacks over hp. */
struct relay_policy harness_policy_callbacks(struct harness_policy *hp);

#endif
