/* Unit tests for plan building: paths, project detection, environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../launcher/plan.h"

static void test_normalize(void **state)
{
    (void)state;
    struct { const char *in, *base, *out; } cases[] = {
        {"/a/b/../c", "/", "/a/c"}, {"x/./y//z", "/base", "/base/x/y/z"}, {"/../..", "/", "/"},
        {"..", "/one", "/"},        {"/", "/x", "/"},                   {"a/", "/b", "/b/a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = path_normalize(cases[i].in, cases[i].base);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
