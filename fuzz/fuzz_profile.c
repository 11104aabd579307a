/* libFuzzer target: the profile parser.  A profile can come from a
 * repository a team shares, so its bytes are not to be trusted: any input
 * must end in success or a FILE:LINE error, never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "options/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *environ_for_fuzz[] = {"AWS_REGION=eu-west-1", "HOME=/home/fuzz", "EMPTY=", NULL};
    static const struct profile_context ctx = {.environ = environ_for_fuzz, .home = "/home/fuzz"};
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct options opts;
    options_init(&opts);
    opts.ssh_agent = size > 0 && (data[0] & 1);
    struct error err = {0};
    if (profile_apply_text(&opts, "fuzz", text, &ctx, &err) < 0 && strncmp(err.text, "fuzz:", 5) != 0 &&
        !strstr(err.text, "include"))
        abort(); /* every error names where it was found */
    options_free(&opts);
    free(text);
    return 0;
}
