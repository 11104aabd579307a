/* Unit tests for the option parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/error.h"
#include "common/message.h"
#include "options/cli.h"

/* opts.command points into argv, so argv must outlive the call. */
static char *argv_storage[64];

static int parse(struct options *o, struct error *err, ...)
{
    char **argv = argv_storage;
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return cli_parse_run(argc, argv, o, err);
}

static void test_command_after_double_dash(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "--", "ls", "-la", NULL), 0);
    assert_int_equal(o.command_argc, 2);
    assert_string_equal(o.command[0], "ls");
    assert_string_equal(o.command[1], "-la");
    options_free(&o);
}

static void test_options_stop_at_first_word(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "-v", "ls", "--ro", "/x", NULL), 0);
    assert_int_equal(o.verbosity, VERBOSITY_VERBOSE);
    assert_int_equal(o.n_mounts, 0);
    assert_int_equal(o.command_argc, 3);
    assert_string_equal(o.command[1], "--ro");
    options_free(&o);
}

static void test_value_forms(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "--project=/p", "--config-dir", "/c", "--ro", "/a",
                           "--rw=/b", "--hide", "/h", "--tmpfs", "/t", "true", NULL),
                     0);
    assert_string_equal(o.project, "/p");
    assert_string_equal(o.config_dir, "/c");
    assert_int_equal(o.n_mounts, 4);
    assert_int_equal(o.mounts[0].kind, REQ_RO);
    assert_string_equal(o.mounts[0].path, "/a");
    assert_int_equal(o.mounts[1].kind, REQ_RW);
    assert_int_equal(o.mounts[2].kind, REQ_HIDE);
    assert_int_equal(o.mounts[3].kind, REQ_TMPFS);
    options_free(&o);
}

static void test_last_value_wins(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "--project", "/a", "--project", "/b", "x", NULL), 0);
    assert_string_equal(o.project, "/b");
    options_free(&o);
}

static void test_flags_and_clusters(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "--dry-run", "--allow-project-config", "-vq", "x", NULL), 0);
    assert_true(o.dry_run);
    assert_true(o.allow_project_config);
    assert_int_equal(o.verbosity, VERBOSITY_QUIET);
    options_free(&o);
}

static void test_env_rules(void **state)
{
    (void)state;
    struct options o;
    struct error err = {0};
    assert_int_equal(parse(&o, &err, "run", "--env", "FOO=bar=baz", "--env", "BAR", "--unsetenv", "TERM",
                           "x", NULL),
                     0);
    assert_int_equal(o.env_rules.len, 3);
    assert_string_equal(o.env_rules.items[0], "FOO=bar=baz");
    assert_string_equal(o.env_rules.items[1], "BAR");
    assert_string_equal(o.env_rules.items[2], "-TERM");
    options_free(&o);
}

static void expect_error(const char *needle, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, needle);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 15;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    struct options o;
    struct error err = {0};
    assert_int_equal(cli_parse_run(argc, argv, &o, &err), -1);
    if (!strstr(err.text, needle))
        fail_msg("error '%s' does not mention '%s'", err.text, needle);
    options_free(&o);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("no command given", "run", NULL);
    expect_error("no command given", "run", "--", NULL);
    expect_error("unknown option --bogus (see", "run", "--bogus", "x", NULL);
    /* A near miss names the option it most likely meant. */
    expect_error("unknown option --alow: did you mean --allow?", "run", "--alow", "x", NULL);
    expect_error("did you mean --dry-run?", "run", "--dryrun", "x", NULL);
    expect_error("did you mean --profile?", "run", "--porfile=x", "x", NULL);
    expect_error("did you mean --allow-host-port?", "run", "--allow-hostport", "1", "x", NULL);
    expect_error("did you mean --net?", "run", "--nett", "x", NULL);
    expect_error("unknown option --xyzzy (see", "run", "--xyzzy", "x", NULL);
    expect_error("unknown option -Z", "run", "-Z", "x", NULL);
    expect_error("needs a value", "run", "--ro", NULL);
    expect_error("non-empty", "run", "--ro", "", "x", NULL);
    expect_error("control character", "run", "--rw", "/a\nb", "x", NULL);
    expect_error("takes no value", "run", "--dry-run=yes", "x", NULL);
    expect_error("not a valid variable name", "run", "--env", "1X=y", "x", NULL);
    expect_error("not a valid variable name", "run", "--env", "=y", "x", NULL);
    expect_error("not a valid variable name", "run", "--unsetenv", "A-B", "x", NULL);
    expect_error("unknown network mode", "run", "--net", "wide", "x", NULL);
    expect_error("--net-backend vde: unknown network stack (slirp4netns or pasta)", "run", "--net-backend", "vde",
                 "x", NULL);
    expect_error("unknown network stack", "run", "--net-backend", "Pasta", "x", NULL);
    expect_error("command name is empty", "run", "--", "", NULL);
}

static void test_overlong_value(void **state)
{
    (void)state;
    char *big = malloc(CLI_MAX_VALUE + 2);
    memset(big, 'a', CLI_MAX_VALUE + 1);
    big[0] = '/';
    big[CLI_MAX_VALUE + 1] = '\0';
    expect_error("the limit is", "run", "--ro", big, "x", NULL);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_after_double_dash), cmocka_unit_test(test_options_stop_at_first_word),
        cmocka_unit_test(test_value_forms),              cmocka_unit_test(test_last_value_wins),
        cmocka_unit_test(test_flags_and_clusters),       cmocka_unit_test(test_env_rules),
        cmocka_unit_test(test_errors),                   cmocka_unit_test(test_overlong_value),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
