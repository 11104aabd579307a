/* Unit tests for the git config reader of the exit audit: whatever the
 * spacing, case, padding, quoting or continuation lines, a key git would
 * obey is found, and what git would refuse is said to be unreadable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/gitconfig.h"
#include "common/util.h"

struct collected {
    char text[4096];
};

static void collect(const struct gitconfig_entry *e, void *ctx)
{
    struct collected *c = ctx;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s=%s|", e->name, e->value ? e->value : "(null)");
}

/* Every setting of text, as "name=value|" one after the other. */
static const char *parse(const char *text, int *rc)
{
    static struct collected c;
    memset(&c, 0, sizeof c);
    int bad = 0;
    *rc = gitconfig_parse(text, strlen(text), collect, &c, &bad);
    return c.text;
}

static const struct {
    const char *in, *want;
} parse_cases[] = {
    {"[core]\n\tfsmonitor = touch x\n", "core.fsmonitor=touch x|"},
    {"[core]\nfsmonitor=touch x", "core.fsmonitor=touch x|"},                     /* no spaces, no final newline */
    {"[CoRe]\n  FsMonitor   =   a  b  \n", "core.fsmonitor=a  b|"},               /* case, inner spaces kept */
    {"[core] editor = vi", "core.editor=vi|"},                                    /* a key on the header's line */
    {"[core]\nbare\n", "core.bare=(null)|"},                                      /* a key with no value */
    {"[core]\neditor = \"vi # not a comment\" # a comment\n", "core.editor=vi # not a comment|"},
    {"[core]\neditor = vi ; comment\n", "core.editor=vi|"},
    {"[core]\neditor = a\\\nb\n", "core.editor=ab|"},                             /* a continuation line */
    {"[core]\neditor = \"a\\tb\\n\\\\\\\"\"\n", "core.editor=a\tb\n\\\"|"},       /* escapes */
    {"[core]\r\neditor = vi\r\n", "core.editor=vi|"},                             /* CRLF */
    {"\xef\xbb\xbf[core]\neditor = vi\n", "core.editor=vi|"},                     /* a BOM */
    {"[filter \"Lfs\"]\n\tclean = x\n", "filter.Lfs.clean=x|"},                   /* subsection keeps its case */
    {"[filter \"a\\\"b\"]\n\tsmudge = x\n", "filter.a\"b.smudge=x|"},
    {"[Filter.LFS]\n\tprocess = x\n", "filter.lfs.process=x|"},                   /* the old form */
    {"# c\n; c\n\n[alias]\n\tst = !sh\n", "alias.st=!sh|"},
    {"[a]\nx = 1\n[b \"c\"]\ny = 2\n", "a.x=1|b.c.y=2|"},
    {"[core]\neditor =\n", "core.editor=|"},
};

static void test_parse_reads_what_git_reads(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        int rc;
        const char *got = parse(parse_cases[i].in, &rc);
        if (rc != 0 || strcmp(got, parse_cases[i].want) != 0)
            fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc, got, parse_cases[i].want);
    }
}

/* Files git itself refuses ("bad config line"), and two it reads that
 * clbox refuses all the same (what it cannot name, it cannot vouch for). */
static const char *const refused[] = {
    "editor = vi\n",              /* no section: git reads it as "editor" */
    "[core\neditor = vi\n",       /* header not closed */
    "[co re]\n",                  /* a subsection must be quoted */
    "[core \"x]\n",               /* quote not closed */
    "[core]\neditor = \"vi\n",    /* quote not closed in a value */
    "[core]\neditor = \\q\n",     /* an unknown escape */
    "[core]\n1editor = vi\n",     /* a key starts with a letter */
    "[core]\neditor vi\n",        /* no '=' */
    "[]\nx = 1\n",
    "[core]\neditor = a\\",       /* a backslash at the very end: git drops it */
};

static void test_parse_refuses_what_git_refuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int rc;
        (void)parse(refused[i], &rc);
        if (rc != -1)
            fail_msg("case %zu ('%s') was read, git refuses it", i, refused[i]);
    }
}

static void test_padding_does_not_hide_a_key(void **state)
{
    (void)state;
    size_t pad = 100000;
    const char *tail = "[core]\n\tfsmonitor = touch x\n";
    char *text = malloc(pad + strlen(tail) + 1);
    assert_non_null(text);
    for (size_t i = 0; i < pad; i += 50)
        memcpy(text + i, "# padding padding padding padding padding padding\n", 50);
    strcpy(text + pad, tail);
    struct gitconfig_findings found;
    gitconfig_find_commands(text, strlen(text), &found);
    assert_int_equal(found.n_commands, 1);
    assert_string_equal(found.shown[0], "core.fsmonitor");
    free(text);
}

static void test_a_nul_byte_does_not_end_the_file(void **state)
{
    (void)state;
    static const char text[] = "[user]\nname = a\0b\n[core]\nhooksPath = h\n";
    struct gitconfig_findings found;
    gitconfig_find_commands(text, sizeof text - 1, &found);
    assert_int_equal(found.n_commands, 1);
    assert_string_equal(found.shown[0], "core.hookspath");
}

static const char *const command_names[] = {
    "core.fsmonitor", "core.hookspath", "core.pager", "core.sshcommand", "core.editor", "core.askpass",
    "core.gitproxy", "diff.external", "diff.x.textconv", "diff.x.command", "filter.x.clean", "filter.x.smudge",
    "filter.x.process", "credential.helper", "credential.https://h.helper", "include.path", "includeif.gitdir:/x.path",
    "alias.st", "sequence.editor", "gpg.program", "gpg.ssh.program", "gpg.ssh.defaultkeycommand", "merge.x.driver",
    "mergetool.x.cmd", "mergetool.x.path", "difftool.x.cmd", "pager.log", "remote.o.uploadpack",
    "remote.o.receivepack", "uploadpack.packobjectshook", "sendemail.sendmailcmd", "sendemail.smtpserver",
    "submodule.x.update", "interactive.difffilter", "browser.x.cmd", "man.x.path", "hook.x.command",
};
static const char *const harmless_names[] = {
    "core.bare", "core.repositoryformatversion", "remote.origin.url", "branch.main.merge", "user.name",
    "extensions.worktreeconfig", "core.filemode",
};

static void test_command_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++)
        if (!gitconfig_runs_command(command_names[i]))
            fail_msg("%s runs a command, but is not found", command_names[i]);
    for (size_t i = 0; i < sizeof harmless_names / sizeof harmless_names[0]; i++)
        if (gitconfig_runs_command(harmless_names[i]))
            fail_msg("%s runs nothing, but is found", harmless_names[i]);
}

static void test_findings_are_printable_and_counted(void **state)
{
    (void)state;
    const char *text = "[alias \"\x1b[31m\"]\nx = y\n[alias]\na=1\nb=2\nc=3\nd=4\n";
    struct gitconfig_findings found;
    gitconfig_find_commands(text, strlen(text), &found);
    assert_int_equal(found.n_commands, 5);
    assert_null(strchr(found.shown[0], '\x1b'));
    char buf[1024];
    assert_non_null(strstr(gitconfig_describe(&found, buf, sizeof buf), "and 1 more"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reads_what_git_reads),
        cmocka_unit_test(test_parse_refuses_what_git_refuses),
        cmocka_unit_test(test_padding_does_not_hide_a_key),
        cmocka_unit_test(test_a_nul_byte_does_not_end_the_file),
        cmocka_unit_test(test_command_keys),
        cmocka_unit_test(test_findings_are_printable_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
