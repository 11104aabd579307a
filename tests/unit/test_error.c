/* Unit tests for the error type: the errno at the failure is kept, %m is
 * its reason wherever the format puts it, context goes in front, a long
 * message is cut at a whole character, and errno is left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/message.h"

static void test_set_has_no_errno(void **state)
{
    (void)state;
    struct error err = {.errnum = EIO};
    assert_int_equal(error_set(&err, "bad value %s at line %d", "x", 3), -1);
    assert_int_equal(err.errnum, 0);
    assert_string_equal(err.text, "bad value x at line 3");
}

static void test_errno_kept_and_rendered(void **state)
{
    (void)state;
    struct error err = {0};
    assert_int_equal(error_errno(&err, ENOENT, "cannot open %s: %m (create it first)", "/a"), -1);
    assert_int_equal(err.errnum, ENOENT);
    assert_string_equal(err.text, "cannot open /a: No such file or directory (create it first)");
}

static void test_errno_restored(void **state)
{
    (void)state;
    struct error err = {0};
    errno = EAGAIN;
    error_errno(&err, EACCES, "x: %m");
    assert_int_equal(errno, EAGAIN);
    error_set(&err, "y");
    assert_int_equal(errno, EAGAIN);
    error_wrap(&err, "z");
    assert_int_equal(errno, EAGAIN);
}

static void test_wrap_prefixes_and_keeps_errno(void **state)
{
    (void)state;
    struct error err = {0};
    error_errno(&err, EROFS, "cannot write %s: %m", "f");
    assert_int_equal(error_wrap(&err, "profile %s line %d", "p", 7), -1);
    assert_int_equal(err.errnum, EROFS);
    assert_string_equal(err.text, "profile p line 7: cannot write f: Read-only file system");
    error_wrap(&err, "again (%m)");
    assert_string_equal(err.text, "again (Read-only file system): profile p line 7: cannot write f: Read-only file system");
}

static void test_append_keeps_errno(void **state)
{
    (void)state;
    struct error err = {0};
    error_errno(&err, ENOENT, "cannot open %s", "d");
    assert_int_equal(error_append(&err, " [%s] (%m)", "d/pending"), -1);
    assert_int_equal(err.errnum, ENOENT);
    assert_string_equal(err.text, "cannot open d [d/pending] (No such file or directory)");
}

/* A message of n ASCII bytes followed by `tail`, cut by the buffer. */
static void fill_to_end(struct error *err, size_t ascii, const char *tail)
{
    char long_text[ERROR_TEXT_MAX + 8];
    memset(long_text, 'a', ascii);
    strcpy(long_text + ascii, tail);
    error_set(err, "%s", long_text);
}

static void test_truncation_at_whole_character(void **state)
{
    (void)state;
    struct error err = {0};
    size_t room = ERROR_TEXT_MAX - 1;
    fill_to_end(&err, room - 1, "\xe2\x82\xac"); /* a three-byte character across the end */
    assert_int_equal(strlen(err.text), room - 1);
    fill_to_end(&err, room - 2, "\xe2\x82\xac");
    assert_int_equal(strlen(err.text), room - 2);
    fill_to_end(&err, room - 3, "\xe2\x82\xac"); /* fits exactly */
    assert_int_equal(strlen(err.text), room);
    assert_memory_equal(err.text + room - 3, "\xe2\x82\xac", 3);
    fill_to_end(&err, room - 1, "\xf0\x9f\x90\x8d"); /* four bytes, one fits */
    assert_int_equal(strlen(err.text), room - 1);
    fill_to_end(&err, room, "bcd");
    assert_int_equal(strlen(err.text), room);
}

static void test_append_truncates_whole(void **state)
{
    (void)state;
    struct error err;
    fill_to_end(&err, ERROR_TEXT_MAX - 3, "");
    error_append(&err, "\xe2\x82\xac");
    assert_int_equal(strlen(err.text), ERROR_TEXT_MAX - 3);
    error_append(&err, "b");
    assert_int_equal(strlen(err.text), ERROR_TEXT_MAX - 2);
}

static void test_wrap_truncates_whole(void **state)
{
    (void)state;
    struct error err = {0};
    fill_to_end(&err, ERROR_TEXT_MAX - 8, "\xc3\xa9");
    error_wrap(&err, "ctx");
    size_t len = strlen(err.text);
    assert_true(len < ERROR_TEXT_MAX);
    assert_true(len == 0 || ((unsigned char)err.text[len - 1] & 0xC0) != 0xC0);
    assert_memory_equal(err.text, "ctx: aaa", 8);
}

/* die_errno and die_error print one line and exit 125: run them in a child. */
static void expect_death(void (*dies)(void), const char *want)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        dies();
    }
    close(fds[1]);
    char got[512] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    got[n > 0 ? n : 0] = '\0';
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), EXIT_CLBOX_ERROR);
    assert_string_equal(got, want);
}

static void dies_errno(void)
{
    errno = 0;
    die_errno(ENOENT, "cannot open %s: %m (create it)", "/x");
}

static void dies_error(void)
{
    struct error err = {0};
    error_errno(&err, EPERM, "cannot mount: %m");
    error_wrap(&err, "while building %s", "/");
    die_error(&err);
}

static void test_die_errno_renders(void **state)
{
    (void)state;
    expect_death(dies_errno, "clbox: cannot open /x: No such file or directory (create it)\n");
}

static void test_die_error_tells_text(void **state)
{
    (void)state;
    expect_death(dies_error, "clbox: while building /: cannot mount: Operation not permitted\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_has_no_errno),
        cmocka_unit_test(test_errno_kept_and_rendered),
        cmocka_unit_test(test_errno_restored),
        cmocka_unit_test(test_wrap_prefixes_and_keeps_errno),
        cmocka_unit_test(test_append_keeps_errno),
        cmocka_unit_test(test_truncation_at_whole_character),
        cmocka_unit_test(test_append_truncates_whole),
        cmocka_unit_test(test_wrap_truncates_whole),
        cmocka_unit_test(test_die_errno_renders),
        cmocka_unit_test(test_die_error_tells_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
