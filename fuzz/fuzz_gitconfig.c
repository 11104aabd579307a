/* libFuzzer target: the git config reader of the exit audit.  It reads
 * configs the sandbox wrote, so any bytes must end in a parse or a refusal,
 * never a crash, and a refusal must name a line within the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/gitconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(const struct gitconfig_entry *e, void *ctx)
{
    (void)ctx;
    /* Every name has a section and a key: the classifier relies on it. */
    if (!strchr(e->name, '.') || e->line < 1)
        abort();
    (void)gitconfig_runs_command(e->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Not NUL-terminated: the reader must keep to the length it is given. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    int bad_line = 0;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    if (gitconfig_parse(text, size, check_entry, NULL, &bad_line) < 0 && (bad_line < 0 || (size_t)bad_line > lines))
        abort();
    struct gitconfig_findings found;
    gitconfig_find_commands(text, size, &found);
    char shown[1024];
    (void)gitconfig_describe(&found, shown, sizeof shown);
    free(text);
    return 0;
}
