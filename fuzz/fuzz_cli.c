/* libFuzzer target: the option parser and the allowlist entry parser.
 * The input is split on NUL bytes into an argument vector, as a shell alias
 * or a profile could hand clbox any bytes at all. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "netns/codec/allowlist.h"
#include "options/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[65];
    int argc = 0;
    argv[argc++] = "run";
    for (char *p = copy; p <= copy + size && argc < 64; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;

    struct options opts;
    struct error err = {0};
    if (cli_parse_run(argc, argv, &opts, &err) == 0) {
        for (size_t i = 0; i < opts.allow.len; i++) {
            struct allow_rule rule;
            if (allow_rule_parse(opts.allow.items[i], false, &rule, &err) == 0) {
                char text[512];
                allow_rule_format(&rule, text, sizeof text);
                struct allow_rule again;
                /* What is printed parses back to the same rule. */
                if (allow_rule_parse(text, false, &again, &err) != 0 ||
                    again.kind != rule.kind || again.port != rule.port || strcmp(again.name, rule.name) != 0)
                    abort();
            }
        }
        for (size_t i = 0; i < opts.deny.len; i++) {
            struct allow_rule rule;
            (void)allow_rule_parse(opts.deny.items[i], true, &rule, &err);
        }
    }
    options_free(&opts);
    free(copy);
    return 0;
}
