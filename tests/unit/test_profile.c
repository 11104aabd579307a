/* Unit tests for profiles: every directive, expansion, includes, cycles,
 * lookup, the user config file, and every error with its FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "options/profile.h"

static char root[256];
static char xdg_env[300], var_env[64], empty_env[64];
static char *environ_for_tests[] = {xdg_env, var_env, empty_env, NULL};
static struct profile_context ctx = {.environ = environ_for_tests, .home = "/home/u"};

static void write_profile(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/clbox/profiles/%s", root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/clbox-profile-test-XXXXXX");
    assert_non_null(mkdtemp(root));
    char dir[512];
    snprintf(dir, sizeof dir, "%s/clbox", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/clbox/profiles", root);
    mkdir(dir, 0755);
    snprintf(xdg_env, sizeof xdg_env, "XDG_CONFIG_HOME=%s", root);
    snprintf(var_env, sizeof var_env, "AWS_REGION=eu-west-1");
    snprintf(empty_env, sizeof empty_env, "EMPTY=");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_expansion(void **state)
{
    (void)state;
    struct error err = {0};
    struct {
        const char *in, *out;
    } ok[] = {
        {"~", "/home/u"},
        {"~/.aws", "/home/u/.aws"},
        {"a~b", "a~b"},
        {"bedrock.${AWS_REGION}.amazonaws.com", "bedrock.eu-west-1.amazonaws.com"},
        {"${MISSING:-us-east5}-x", "us-east5-x"},
        {"${EMPTY:-fallback}", "fallback"},
        {"[${EMPTY}]", "[]"},
        {"$$HOME", "$HOME"},
        {"${AWS_REGION:-x}", "eu-west-1"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char *got = profile_expand(ok[i].in, &ctx, &err);
        if (!got)
            fail_msg("%s: %s", ok[i].in, err.text);
        assert_string_equal(got, ok[i].out);
        free(got);
    }
    struct {
        const char *in, *needle;
    } bad[] = {
        {"${MISSING}", "${MISSING} is not set"},
        {"${", "unterminated"},
        {"${1X}", "is not ${NAME}"},
        {"${A B}", "is not ${NAME}"},
        {"cost $5", "lone '$'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.text[0] = '\0';
        char *got = profile_expand(bad[i].in, &ctx, &err);
        if (got)
            fail_msg("'%s' expanded to '%s'", bad[i].in, got);
        if (!strstr(err.text, bad[i].needle))
            fail_msg("'%s': error '%s' lacks '%s'", bad[i].in, err.text, bad[i].needle);
    }
}

static void test_every_directive(void **state)
{
    (void)state;
    write_profile("all", "summary every directive\n"
                         "# a comment\n"
                         "   \n"
                         "allow api.example.com:443   # trailing comment\n"
                         "deny evil.example.com\n"
                         "allow-host-port 5432\n"
                         "ro ~/.gitconfig\n"
                         "rw /srv/data\n"
                         "hide ~/.aws/credentials\n"
                         "tmpfs /scratch\n"
                         "env CLAUDE_CODE_USE_BEDROCK=1\n"
                         "env AWS_PROFILE\n"
                         "unsetenv TERM\n"
                         "net none\n"
                         "config-dir ~/.claude\n");
    struct options o;
    options_init(&o);
    struct error err = {0};
    if (profile_apply(&o, "all", &ctx, &err) < 0)
        fail_msg("%s", err.text);
    assert_int_equal(o.allow.len, 1);
    assert_string_equal(o.allow.items[0], "api.example.com:443");
    assert_string_equal(o.deny.items[0], "evil.example.com");
    assert_int_equal(o.n_host_ports, 1);
    assert_int_equal(o.host_ports[0], 5432);
    assert_int_equal(o.n_mounts, 4);
    assert_string_equal(o.mounts[0].path, "/home/u/.gitconfig");
    assert_true(o.mounts[0].optional); /* a profile's paths may be absent */
    assert_int_equal(o.mounts[1].kind, REQ_RW);
    assert_int_equal(o.mounts[2].kind, REQ_HIDE);
    assert_int_equal(o.mounts[3].kind, REQ_TMPFS);
    assert_int_equal(o.env_rules.len, 3);
    assert_string_equal(o.env_rules.items[2], "-TERM");
    assert_int_equal(o.net, NET_NONE);
    assert_string_equal(o.config_dir, "/home/u/.claude");
    options_free(&o);
}

static void expect_error(const char *name, const char *text, const char *needle)
{
    write_profile(name, text);
    struct options o;
    options_init(&o);
    struct error err = {0};
    assert_int_equal(profile_apply(&o, name, &ctx, &err), -1);
    if (!strstr(err.text, needle))
        fail_msg("profile %s: error '%s' lacks '%s'", name, err.text, needle);
    options_free(&o);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    char where[512];
    snprintf(where, sizeof where, "%s/clbox/profiles/bad1:3: unknown directive 'alow'", root);
    expect_error("bad1", "summary x\nallow a.example.com\nalow b.example.com\n", where);
    expect_error("bad2", "allow *\n", "bad2:1: --allow *: '*' would allow every name");
    expect_error("bad3", "net sideways\n", "bad3:1: --net sideways: unknown network mode");
    expect_error("bad4", "\n\nro relative/path\n", "bad4:3: ro relative/path: the path must be absolute");
    expect_error("bad5", "allow bedrock.${NOPE}.example.com\n", "bad5:1: ${NOPE} is not set");
    expect_error("bad6", "include missing-one\n", "bad6:1: include missing-one: no profile named 'missing-one'");
    expect_error("bad7", "profile npm\n", "bad7:1: 'profile' belongs in the user config file");
    expect_error("bad8", "if wayland allow x.example.com\n", "bad8:1: unknown condition 'wayland'");
    expect_error("bad9", "allow-host-port\n", "bad9:1: allow-host-port needs a value");
    expect_error("bad10", "dry-run yes\n", "bad10:1: unknown directive 'dry-run'");
    expect_error("bad11", "allow-project-config x\n", "unknown directive 'allow-project-config'");
    expect_error("bad12", "include bad name!\n", "not a profile name");
    /* A relative path is read from the including profile's directory. */
    char missing[600];
    snprintf(missing, sizeof missing, "cannot read the profile %s/clbox/profiles/../nowhere/x", root);
    expect_error("bad13", "include ../nowhere/x\n", missing);
}

static void test_includes_and_cycles(void **state)
{
    (void)state;
    write_profile("inner", "allow inner.example.com\n");
    write_profile("outer", "include inner\nallow outer.example.com\n");
    struct options o;
    options_init(&o);
    struct error err = {0};
    if (profile_apply(&o, "outer", &ctx, &err) < 0)
        fail_msg("%s", err.text);
    assert_int_equal(o.allow.len, 2);
    assert_string_equal(o.allow.items[0], "inner.example.com"); /* included first, in place */
    assert_string_equal(o.allow.items[1], "outer.example.com");
    options_free(&o);

    write_profile("by-path", "include ./inner\n");
    options_init(&o);
    if (profile_apply(&o, "by-path", &ctx, &err) < 0)
        fail_msg("%s", err.text);
    assert_string_equal(o.allow.items[0], "inner.example.com");
    options_free(&o);

    write_profile("loop-a", "include loop-b\n");
    write_profile("loop-b", "allow b.example.com\ninclude loop-a\n");
    expect_error("loop-a", "include loop-b\n", "include cycle");
}

static void test_if_ssh_agent(void **state)
{
    (void)state;
    write_profile("gh", "allow github.com:443\nif ssh-agent allow github.com:22\n");
    struct options o;
    options_init(&o);
    struct error err = {0};
    assert_int_equal(profile_apply(&o, "gh", &ctx, &err), 0);
    assert_int_equal(o.allow.len, 1);
    options_free(&o);
    options_init(&o);
    o.ssh_agent = true;
    assert_int_equal(profile_apply(&o, "gh", &ctx, &err), 0);
    assert_int_equal(o.allow.len, 2);
    assert_string_equal(o.allow.items[1], "github.com:22");
    options_free(&o);
}

static void test_user_config_and_command_line(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/clbox/config", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("profile inner\nnet none\nconfig-dir /home/u/cfg\n", f);
    fclose(f);
    char *argv[] = {"run", "--net", "filtered", "--allow", "cli.example.com", "--", "true", NULL};
    struct options o;
    struct error err = {0};
    if (profile_build_options(7, argv, &ctx, &o, &err) < 0)
        fail_msg("%s", err.text);
    /* The config's profile replaces the default one; the command line wins. */
    assert_int_equal(o.profiles.len, 1);
    assert_string_equal(o.profiles.items[0], "inner");
    assert_int_equal(o.net, NET_FILTERED);
    assert_string_equal(o.config_dir, "/home/u/cfg");
    assert_int_equal(o.allow.len, 2);
    assert_string_equal(o.allow.items[0], "inner.example.com");
    assert_string_equal(o.allow.items[1], "cli.example.com");
    assert_string_equal(o.command[0], "true");
    options_free(&o);
    unlink(path);
}

static void test_default_profile_is_built_in(void **state)
{
    (void)state;
    char *argv[] = {"run", "true", NULL};
    struct options o;
    struct error err = {0};
    if (profile_build_options(2, argv, &ctx, &o, &err) < 0)
        fail_msg("%s", err.text);
    assert_int_equal(o.profiles.len, 1);
    assert_string_equal(o.profiles.items[0], PROFILE_DEFAULT);
    bool api = false;
    for (size_t i = 0; i < o.allow.len; i++)
        api |= strncmp(o.allow.items[i], "api.anthropic.com", strlen("api.anthropic.com")) == 0;
    assert_true(api);
    options_free(&o);
}

static void test_list_and_show(void **state)
{
    (void)state;
    write_profile("listed", "summary one line about it\nallow listed.example.com\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(profile_list(out, &ctx), 0);
    fclose(out);
    assert_non_null(strstr(buf, "listed "));
    assert_non_null(strstr(buf, "one line about it"));
    assert_non_null(strstr(buf, "claude "));
    free(buf);
    out = open_memstream(&buf, &len);
    struct error err = {0};
    assert_int_equal(profile_show(out, "outer", &ctx, &err), 0);
    fclose(out);
    assert_non_null(strstr(buf, "outer:1: include inner"));
    assert_non_null(strstr(buf, "inner:1: allow inner.example.com"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expansion),
        cmocka_unit_test(test_every_directive),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_includes_and_cycles),
        cmocka_unit_test(test_if_ssh_agent),
        cmocka_unit_test(test_user_config_and_command_line),
        cmocka_unit_test(test_default_profile_is_built_in),
        cmocka_unit_test(test_list_and_show),
    };
    return cmocka_run_group_tests_name("profile", tests, setup, teardown);
}
