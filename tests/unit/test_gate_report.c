/* Unit tests for the gate's reports: what reaches the terminal and --log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns/gate/gate_report.h"

/* Runs gate_report with stderr and the log file each on a temporary file,
 * and returns what each received. */
struct captured {
    char terminal[4096], log[4096];
};

static void read_back(FILE *f, char *out, size_t len)
{
    fflush(f);
    rewind(f);
    size_t n = fread(out, 1, len - 1, f);
    out[n] = '\0';
}

static void report(struct captured *c, bool quiet, const char *key, const char *name)
{
    FILE *term = tmpfile(), *log = tmpfile();
    assert_non_null(term);
    assert_non_null(log);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(term), STDERR_FILENO);
    struct gate_reporter r = {.quiet = quiet, .log_file_fd = fileno(log)};
    gate_report(&r, key, "blocked DNS lookup of %s (not allowlisted)", name);
    dup2(saved, STDERR_FILENO);
    close(saved);
    read_back(term, c->terminal, sizeof c->terminal);
    read_back(log, c->log, sizeof c->log);
    fclose(term);
    fclose(log);
}

/* The log line starts with a timestamp "YYYY-MM-DDTHH:MM:SS ". */
static const char *after_stamp(const char *line)
{
    assert_true(strlen(line) > 20 && line[4] == '-' && line[10] == 'T' && line[19] == ' ');
    return line + 20;
}

static void test_controls_escaped(void **state)
{
    (void)state;
    struct captured c;
    /* ESC, a raw C1 CSI, a UTF-8 encoded C1 CSI, a bidi override, BEL, a
     * newline and a backslash: none may reach a terminal as it is. */
    report(&c, false, "k1", "a\x1b[2Jb\x9b" "1mc\xc2\x9b" "1md\xe2\x80\xae" "e\af\ng\\h");
    const char *want = "blocked DNS lookup of a\\x1b[2Jb\\x9b1mc\\xc2\\x9b1md\\xe2\\x80\\xaee\\x07f\\x0ag\\\\h "
                       "(not allowlisted)\n";
    char line[4096];
    snprintf(line, sizeof line, "clbox: %s", want);
    assert_string_equal(c.terminal, line);
    assert_string_equal(after_stamp(c.log), want);
}

static void test_plain_unchanged(void **state)
{
    (void)state;
    struct captured c;
    report(&c, false, "k2", "evil.example");
    assert_string_equal(c.terminal, "clbox: blocked DNS lookup of evil.example (not allowlisted)\n");
    assert_string_equal(after_stamp(c.log), "blocked DNS lookup of evil.example (not allowlisted)\n");
    /* UTF-8 text that is not a control stays as it is. */
    report(&c, false, "k3", "caf\xc3\xa9");
    assert_string_equal(c.terminal, "clbox: blocked DNS lookup of caf\xc3\xa9 (not allowlisted)\n");
}

static void test_quiet_still_logs(void **state)
{
    (void)state;
    struct captured c;
    report(&c, true, "k4", "x\x1by");
    assert_string_equal(c.terminal, "");
    assert_string_equal(after_stamp(c.log), "blocked DNS lookup of x\\x1by (not allowlisted)\n");
}

static void test_long_line_cut_whole(void **state)
{
    (void)state;
    struct captured c;
    char name[1200];
    memset(name, '\x1b', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    report(&c, false, "k5", name);
    size_t n = strlen(c.terminal);
    assert_true(n > 100 && c.terminal[n - 1] == '\n');
    assert_null(strchr(c.terminal, '\x1b'));
    /* Cut between escapes, never inside one. */
    assert_true(c.terminal[n - 5] == '\\' && c.terminal[n - 4] == 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_escaped),
        cmocka_unit_test(test_plain_unchanged),
        cmocka_unit_test(test_quiet_still_logs),
        cmocka_unit_test(test_long_line_cut_whole),
    };
    return cmocka_run_group_tests_name("gate_report", tests, NULL, NULL);
}
