/* Unit tests for the prefix of clbox's lines: "clbox: " whoever speaks,
 * and with -v "clbox[NAME]: " for the sandbox's init and the DNS gate;
 * and for the reader of a child's messages, which takes either prefix off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/message.h"
#include "diag/child.h"

static void reset(void)
{
    message_set_speaker(NULL);
    message_set_verbosity(VERBOSITY_NORMAL);
}

static void test_launcher_prefix(void **state)
{
    (void)state;
    char buf[32];
    reset();
    message_set_verbosity(VERBOSITY_VERBOSE);
    assert_int_equal(message_prefix(buf, sizeof buf), 7);
    assert_string_equal(buf, "clbox: ");
}

static void test_speaker_only_with_verbose(void **state)
{
    (void)state;
    char buf[32];
    reset();
    message_set_speaker("gate");
    assert_int_equal(message_prefix(buf, sizeof buf), 7);
    assert_string_equal(buf, "clbox: ");
    message_set_verbosity(VERBOSITY_QUIET);
    message_prefix(buf, sizeof buf);
    assert_string_equal(buf, "clbox: ");
    message_set_verbosity(VERBOSITY_VERBOSE);
    assert_int_equal(message_prefix(buf, sizeof buf), strlen("clbox[gate]: "));
    assert_string_equal(buf, "clbox[gate]: ");
    reset();
}

static void test_prefix_bounded(void **state)
{
    (void)state;
    char buf[8];
    reset();
    message_set_speaker("init");
    message_set_verbosity(VERBOSITY_VERBOSE);
    size_t n = message_prefix(buf, sizeof buf);
    assert_int_equal(n, sizeof buf - 1);
    assert_int_equal(strlen(buf), n);
    reset();
}

static void test_child_output_drops_prefixes(void **state)
{
    (void)state;
    char out[128];
    child_output_line("clbox: one\nclbox[init]: two\nclbox[gate]: three\n", out, sizeof out);
    assert_string_equal(out, "one; two; three");
    /* Only a whole "clbox[NAME]: " is a prefix. */
    child_output_line("clbox[init] no colon\nclbox[init]:x\nclbox[", out, sizeof out);
    assert_string_equal(out, "clbox[init] no colon; clbox[init]:x; clbox[");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_launcher_prefix),
        cmocka_unit_test(test_speaker_only_with_verbose),
        cmocka_unit_test(test_prefix_bounded),
        cmocka_unit_test(test_child_output_drops_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
