/* Unit tests for the pending-audit record: what clbox writes it reads
 * back, and anything else is refused (the record is read back from disk,
 * as hostile input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_pending.h"

#define GOOD "clbox pending audit 1\npid 42\nstarted 1700000000.000000123\nproject /home/u/p\nconfig /home/u/c\n"

static void test_round_trip(void **state)
{
    (void)state;
    struct pending_record rec = {.pid = 4242, .started = {.tv_sec = 1700000000, .tv_nsec = 5}};
    strcpy(rec.project, "/home/u/project with space");
    strcpy(rec.config_dir, "/home/u/.local/share/clbox/claude");
    char *text = audit_pending_format(&rec);
    struct pending_record back;
    assert_int_equal(audit_pending_parse(text, strlen(text), &back), 0);
    assert_int_equal(back.pid, 4242);
    assert_int_equal(back.started.tv_sec, 1700000000);
    assert_int_equal(back.started.tv_nsec, 5);
    assert_string_equal(back.project, rec.project);
    assert_string_equal(back.config_dir, rec.config_dir);
    free(text);
}

static void test_good_record(void **state)
{
    (void)state;
    struct pending_record rec;
    assert_int_equal(audit_pending_parse(GOOD, strlen(GOOD), &rec), 0);
    assert_int_equal(rec.started.tv_nsec, 123);
}

static const char *const bad[] = {
    "",
    "clbox pending audit 2\npid 42\nstarted 1.000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 0\nstarted 1.000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 042\nstarted 1.000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 99999999999999999999\nstarted 1.000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid -1\nstarted 1.000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.00000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.0000000000\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.00000000x\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject /p\nconfig c\n",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject /p\n",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject /p\nconfig /c",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject /p\nconfig /c\nextra 1\n",
    "clbox pending audit 1\nstarted 1.000000000\npid 42\nproject /p\nconfig /c\n",
    "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject \nconfig /c\n",
};

static void test_bad_records_are_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pending_record rec;
        if (audit_pending_parse(bad[i], strlen(bad[i]), &rec) != -1)
            fail_msg("case %zu was accepted: '%s'", i, bad[i]);
    }
}

static void test_a_nul_in_a_path_is_refused(void **state)
{
    (void)state;
    static const char text[] = "clbox pending audit 1\npid 42\nstarted 1.000000000\nproject /p\0x\nconfig /c\n";
    struct pending_record rec;
    assert_int_equal(audit_pending_parse(text, sizeof text - 1, &rec), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_good_record),
        cmocka_unit_test(test_bad_records_are_refused),
        cmocka_unit_test(test_a_nul_in_a_path_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
