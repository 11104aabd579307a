/* Unit tests for the shared helpers: what clbox prints of a name a sandbox
 * chose must never reach the terminal as a control. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/util.h"

static const struct {
    const char *in, *want;
} printable_cases[] = {
    {"", ""},
    {"pre-commit", "pre-commit"},
    {"caf\xc3\xa9", "caf\xc3\xa9"},             /* é stays */
    {"\xe2\x82\xac", "\xe2\x82\xac"},           /* € stays */
    {"\xf0\x9f\x90\x8d", "\xf0\x9f\x90\x8d"},   /* a four-byte character stays */
    {"a\x1b[2Jb", "a\\x1b[2Jb"},                /* C0: ESC */
    {"a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"},
    {"\x7f", "\\x7f"},                          /* DEL */
    {"x\x9b" "31m", "x\\x9b31m"},               /* raw C1 CSI, invalid UTF-8 */
    {"\xc2\x9b" "31m", "\\xc2\\x9b31m"},        /* U+009B CSI in UTF-8 */
    {"\xc2\x80", "\\xc2\\x80"},                 /* U+0080 */
    {"\xc2\x9f", "\\xc2\\x9f"},                 /* U+009F */
    {"\xc2\xa0", "\xc2\xa0"},                   /* U+00A0 is printable */
    {"\xe2\x80\xae" "cod", "\\xe2\\x80\\xaecod"}, /* right-to-left override */
    {"\xe2\x81\xa6", "\\xe2\\x81\\xa6"},         /* left-to-right isolate */
    {"\xc0\x9b", "\\xc0\\x9b"},                 /* overlong ESC */
    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},        /* a surrogate */
    {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
    {"\xe2\x82", "\\xe2\\x82"},                 /* cut short */
    {"back\\slash", "back\\\\slash"},
};

static void test_printable_escapes_controls(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof printable_cases / sizeof printable_cases[0]; i++) {
        char buf[128];
        assert_string_equal(str_printable(printable_cases[i].in, buf, sizeof buf), printable_cases[i].want);
    }
}

/* A buffer too small for the whole name ends at a whole character or a
 * whole escape, never inside one. */
static void test_printable_cuts_whole(void **state)
{
    (void)state;
    char buf[6];
    assert_string_equal(str_printable("abcdefgh", buf, sizeof buf), "abcde");
    assert_string_equal(str_printable("ab\x1b" "cd", buf, sizeof buf), "ab");
    assert_string_equal(str_printable("abc\xe2\x82\xac", buf, sizeof buf), "abc");
    assert_string_equal(str_printable("abcd\\", buf, sizeof buf), "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable_escapes_controls),
        cmocka_unit_test(test_printable_cuts_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
