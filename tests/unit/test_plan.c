/* Unit tests for plan building: paths, project detection, environment,
 * mount order, refusals and the command's install tree.  Each test that
 * needs a filesystem builds a small one under a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/message.h"
#include "common/util.h"
#include "plan/host.h"
#include "plan/paths.h"
#include "plan/plan.h"
#include "plan/plan_core.h"
#include "plan/plan_log.h"
#include "plan/plan_net.h"
#include "plan/plan_realise.h"
#include "plan/plan_sockets.h"

static char tmp_root[256];

static void make_dirs(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp_root, rel);
    for (char *p = path + strlen(tmp_root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    mkdir(path, 0755);
}

static void write_file(const char *rel, const char *content, mode_t mode)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp_root, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
}

static char *at(const char *rel) { return xasprintf("%s/%s", tmp_root, rel); }

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof tmp_root, "/tmp/clbox-unit-XXXXXX");
    assert_non_null(mkdtemp(tmp_root));
    char *real = realpath(tmp_root, NULL);
    snprintf(tmp_root, sizeof tmp_root, "%s", real);
    free(real);
    return 0;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_normalize(void **state)
{
    (void)state;
    struct {
        const char *in, *base, *out;
    } cases[] = {
        {"/a/b/../c", "/", "/a/c"}, {"x/./y//z", "/base", "/base/x/y/z"}, {"/../..", "/", "/"},
        {"..", "/one", "/"},        {"/", "/x", "/"},                     {"a/", "/b", "/b/a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = path_normalize(cases[i].in, cases[i].base);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static void test_path_is_within(void **state)
{
    (void)state;
    assert_true(path_is_within("/a/b", "/a"));
    assert_true(path_is_within("/a", "/a"));
    assert_false(path_is_within("/ab", "/a"));
    assert_true(path_is_within("/anything", "/"));
    assert_false(path_is_within("/a", "/a/b"));
}

static void test_find_project(void **state)
{
    (void)state;
    make_dirs("home/u/repo/.git");
    make_dirs("home/u/repo/src/deep");
    make_dirs("home/u/plain/sub");
    make_dirs("home/u/.git"); /* a dotfiles repository at $HOME */
    char *home = at("home/u");
    char *deep = at("home/u/repo/src/deep");
    char *repo = at("home/u/repo");
    char *plain = at("home/u/plain/sub");
    char *project = NULL;

    assert_int_equal(plan_find_project(deep, home, &project), 1);
    assert_string_equal(project, repo);
    free(project);
    /* Walking up from a non-repository reaches the home's .git: not taken. */
    assert_int_equal(plan_find_project(plain, home, &project), 0);
    assert_string_equal(project, plain);
    free(project);
    free(home), free(deep), free(repo), free(plain);
}

static void test_install_tree(void **state)
{
    (void)state;
    struct {
        const char *file, *tree;
    } cases[] = {
        {"/h/.local/share/claude/versions/2.1.5", "/h/.local/share/claude/versions"},
        {"/h/.npm-global/lib/node_modules/@anthropic-ai/claude-code/cli.js",
         "/h/.npm-global/lib/node_modules/@anthropic-ai/claude-code"},
        {"/h/.nvm/versions/node/v20/lib/node_modules/pkg/bin/x.js", "/h/.nvm/versions/node/v20/lib/node_modules/pkg"},
        {"/h/.nvm/versions/node/v20/bin/node", "/h/.nvm/versions/node/v20/bin"},
        {"/h/script", "/h/script"}, /* alone in $HOME: only the file */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = install_tree_of(cases[i].file, "/h");
        assert_string_equal(got, cases[i].tree);
        free(got);
    }
}

static void test_interpreter(void **state)
{
    (void)state;
    make_dirs("bin");
    write_file("bin/envnode", "#!/usr/bin/env node\nconsole.log(1)\n", 0755);
    write_file("bin/envS", "#!/usr/bin/env -S node --flag\n", 0755);
    write_file("bin/direct", "#!/opt/py/bin/python3 -u\n", 0755);
    write_file("bin/elf", "\177ELF....", 0755);
    char *env_name = NULL, *interp;
    char *p = at("bin/envnode");
    interp = read_interpreter(p, &env_name);
    assert_string_equal(interp, "/usr/bin/env");
    assert_string_equal(env_name, "node");
    free(interp), free(env_name), free(p);
    p = at("bin/envS");
    interp = read_interpreter(p, &env_name);
    assert_string_equal(env_name, "node");
    free(interp), free(env_name), free(p);
    p = at("bin/direct");
    interp = read_interpreter(p, &env_name);
    assert_string_equal(interp, "/opt/py/bin/python3");
    assert_null(env_name);
    free(interp), free(p);
    p = at("bin/elf");
    assert_null(read_interpreter(p, &env_name));
    free(p);
}

static struct host_facts fake_host(char **environ)
{
    struct host_facts h = {.home = at("home/u"), .cwd = at("home/u/repo/src"), .user = xstrdup("u"),
                           .uid = getuid(), .gid = getgid(), .environ = environ};
    make_dirs("home/u/repo/.git/hooks");
    make_dirs("home/u/repo/src");
    write_file("home/u/repo/.git/config", "[core]\n", 0644);
    return h;
}

static struct options parse_opts(char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    struct options o;
    struct error err = {0};
    assert_int_equal(cli_parse_run(argc, argv, &o, &err), 0);
    return o;
}

static const char *env_get(const struct plan *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->env.len; i++)
        if (strncmp(p->env.items[i], name, n) == 0 && p->env.items[i][n] == '=')
            return p->env.items[i] + n + 1;
    return NULL;
}

/* --net-backend, else CLBOX_NET_BACKEND, else slirp4netns; a bad
 * CLBOX_NET_BACKEND is an error, an empty one is as if unset. */
static void test_net_backend(void **state)
{
    (void)state;
    static const struct {
        char *env;
        char *option;
        int result;
        enum net_backend backend;
    } cases[] = {
        {NULL, NULL, 0, NET_BACKEND_SLIRP4NETNS},
        {"CLBOX_NET_BACKEND=pasta", NULL, 0, NET_BACKEND_PASTA},
        {"CLBOX_NET_BACKEND=slirp4netns", NULL, 0, NET_BACKEND_SLIRP4NETNS},
        {"CLBOX_NET_BACKEND=", NULL, 0, NET_BACKEND_SLIRP4NETNS},
        {"CLBOX_NET_BACKEND=pasta", "slirp4netns", 0, NET_BACKEND_SLIRP4NETNS},
        {NULL, "pasta", 0, NET_BACKEND_PASTA},
        {"CLBOX_NET_BACKEND=vde", NULL, -1, NET_BACKEND_SLIRP4NETNS},
        {"CLBOX_NET_BACKEND=vde", "pasta", 0, NET_BACKEND_PASTA},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *env[] = {cases[i].env, NULL};
        struct host_facts h = {.environ = env};
        char *with[] = {"run", "--net-backend", cases[i].option, "--", "true", NULL};
        char *without[] = {"run", "--", "true", NULL};
        struct options o = parse_opts(cases[i].option ? with : without);
        struct plan p = {0};
        struct error err = {0};
        assert_int_equal(plan_choose_backend(&o, &h, &p, &err), cases[i].result);
        if (cases[i].result == 0)
            assert_int_equal(p.net_backend, cases[i].backend);
        else
            assert_string_equal(err.text,
                                "CLBOX_NET_BACKEND=vde: unknown network stack (slirp4netns or pasta; or unset it)");
        options_free(&o);
    }
}

static void test_environment(void **state)
{
    (void)state;
    char *host_env[] = {"TERM=xterm", "SSH_AUTH_SOCK=/run/x", "DISPLAY=:0", "ANTHROPIC_API_KEY=k", "LC_ALL=C",
                        "FOO=1", "BAR=2", "CLAUDE_CONFIG_DIR=/host/.claude", "PATH=/usr/bin", NULL};
    struct host_facts h = fake_host(host_env);
    char *argv[] = {"run", "--env", "FOO", "--env", "NEW=v", "--unsetenv", "TERM", "--", "true", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), 0);
    assert_null(env_get(&p, "SSH_AUTH_SOCK"));
    assert_null(env_get(&p, "DISPLAY"));
    assert_null(env_get(&p, "BAR"));
    assert_null(env_get(&p, "TERM"));
    assert_string_equal(env_get(&p, "FOO"), "1");
    assert_string_equal(env_get(&p, "NEW"), "v");
    assert_string_equal(env_get(&p, "ANTHROPIC_API_KEY"), "k");
    assert_string_equal(env_get(&p, "LC_ALL"), "C");
    assert_string_equal(env_get(&p, "CLAUDE_CONFIG_DIR"), p.config_dir);
    assert_string_equal(env_get(&p, "HOME"), h.home);
    assert_string_equal(env_get(&p, "PWD"), h.cwd);
    assert_string_equal(env_get(&p, "USER"), "u");
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
}

static const struct mount_entry *find_mount(const struct plan *p, const char *path, size_t *index)
{
    for (size_t i = 0; i < p->n_mounts; i++)
        if (strcmp(p->mounts[i].path, path) == 0) {
            if (index)
                *index = i;
            return &p->mounts[i];
        }
    return NULL;
}

static void test_mounts_and_order(void **state)
{
    (void)state;
    char *host_env[] = {"PATH=/usr/bin", NULL};
    struct host_facts h = fake_host(host_env);
    make_dirs("home/u/other/inner");
    char *other = at("home/u/other"), *inner = at("home/u/other/inner");
    char *argv[] = {"run", "--ro", inner, "--rw", other, "--tmpfs", "/scratch", "true", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), 0);
    size_t i_root, i_home, i_other, i_inner, i_project, i_hooks;
    assert_non_null(find_mount(&p, "/", &i_root));
    assert_int_equal(find_mount(&p, h.home, &i_home)->kind, MOUNT_TMPFS);
    assert_int_equal(find_mount(&p, other, &i_other)->kind, MOUNT_BIND_RW);
    assert_int_equal(find_mount(&p, inner, &i_inner)->kind, MOUNT_BIND_RO);
    char *project = at("home/u/repo"), *hooks = at("home/u/repo/.git/hooks");
    assert_int_equal(find_mount(&p, project, &i_project)->kind, MOUNT_BIND_RW);
    assert_int_equal(find_mount(&p, hooks, &i_hooks)->kind, MOUNT_PROTECT);
    assert_int_equal(find_mount(&p, "/scratch", NULL)->kind, MOUNT_TMPFS);
    /* Parents before children, whatever order the options came in. */
    assert_true(i_root == 0);
    assert_true(i_home < i_other && i_other < i_inner);
    assert_true(i_home < i_project && i_project < i_hooks);
    assert_string_equal(p.project, project);
    assert_string_equal(p.cwd, h.cwd);
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
    free(other), free(inner), free(project), free(hooks);
}

static void expect_env_command(const char *arg, const char *expected)
{
    char *name = env_command_name(arg);
    if (expected == NULL && name != NULL)
        fail_msg("env '%s': expected no program, got '%s'", arg, name);
    if (expected != NULL && (name == NULL || strcmp(name, expected) != 0))
        fail_msg("env '%s': expected '%s', got '%s'", arg, expected, name ? name : "(none)");
    free(name);
}

/* "#!/usr/bin/env ARG": the kernel passes ARG as one word; env reads its
 * options as GNU env does. */
static void test_env_options(void **state)
{
    (void)state;
    expect_env_command("node", "node");
    expect_env_command("-S node --flag", "node");
    expect_env_command("-S -u /home/u/.ssh/ sh", "sh");
    expect_env_command("-S -u HOME -i sh -e", "sh");
    expect_env_command("-S -uHOME sh", "sh");
    expect_env_command("-S -iu HOME sh", "sh");
    expect_env_command("-S --unset=HOME --unset HOME2 sh", "sh");
    expect_env_command("-S -C /tmp sh", "sh");
    expect_env_command("-S -C /tmp ./x", NULL);
    expect_env_command("-S -0 -v A=1 B=2 python3 -u", "python3");
    expect_env_command("-S -- prog", "prog");
    expect_env_command("-S - prog", "prog");
    expect_env_command("-S --split-string='node --x'", "node");
    expect_env_command("-S 'my prog' arg", "my prog");
    expect_env_command("-S a\\_b c", "a b");
    expect_env_command("-S \"a\\\"b\" c", "a\"b");
    expect_env_command("-S #comment", NULL);
    expect_env_command("-S PATH=/home/u/.ssh sh", NULL);
    expect_env_command("-S ${TOOL} x", NULL);
    expect_env_command("-S 'unterminated", NULL);
    expect_env_command("-S -u", NULL);
    expect_env_command("-S -X prog", NULL);
    expect_env_command("-S --no-such prog", NULL);
    expect_env_command("-S \\c prog", NULL);
    expect_env_command("-i", NULL);
    expect_env_command("-S -S 'a b' c", "a");
}

static void test_interpreter_line(void **state)
{
    (void)state;
    make_dirs("bin");
    write_file("bin/spaced", "#!  /usr/bin/env   -S -u X  tool  \n", 0755);
    char *env_name = NULL;
    char *p = at("bin/spaced");
    char *interp = read_interpreter(p, &env_name);
    assert_string_equal(interp, "/usr/bin/env");
    assert_string_equal(env_name, "tool");
    free(interp), free(env_name), free(p);
}

/* A terminal on a standard stream gives the command the sandbox's own
 * pty, named /dev/console too; the user's terminal device is never in
 * the plan. */
static void test_terminal(void **state)
{
    (void)state;
    char *host_env[] = {"PATH=/usr/bin", NULL};
    char *argv[] = {"run", "true", NULL};
    for (unsigned streams = 0; streams < 8; streams++) {
        struct host_facts h = fake_host(host_env);
        h.terminal_streams = streams;
        struct options o = parse_opts(argv);
        struct plan p;
        struct error err = {0};
        assert_int_equal(plan_build(&o, &h, &p, &err), 0);
        assert_int_equal(p.terminal_streams, streams);
        const struct mount_entry *console = find_mount(&p, "/dev/console", NULL);
        if (streams) {
            assert_non_null(console);
            assert_int_equal(console->kind, MOUNT_SYMLINK);
            assert_string_equal(console->source, "pts/0");
        } else {
            assert_null(console);
        }
        for (size_t i = 0; i < p.n_mounts; i++)
            if (p.mounts[i].source && str_has_prefix(p.mounts[i].source, "/dev/pts"))
                fail_msg("a host terminal is in the plan: %s", p.mounts[i].source);
        plan_free(&p);
        options_free(&o);
        host_facts_free(&h);
    }
}

static void test_allow_project_config(void **state)
{
    (void)state;
    char *host_env[] = {NULL};
    struct host_facts h = fake_host(host_env);
    char *argv[] = {"run", "--allow-project-config", "true", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), 0);
    char *hooks = at("home/u/repo/.git/hooks");
    assert_null(find_mount(&p, hooks, NULL));
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
    free(hooks);
}

static void expect_refusal(const char *needle, char **argv)
{
    char *host_env[] = {NULL};
    struct host_facts h = fake_host(host_env);
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), -1);
    if (!strstr(err.text, needle))
        fail_msg("error '%s' does not mention '%s'", err.text, needle);
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
}

static void test_refusals(void **state)
{
    (void)state;
    char *home = at("home/u");
    char *parent = at("home");
    expect_refusal("whole home", (char *[]){"run", "--rw", home, "true", NULL});
    expect_refusal("whole home", (char *[]){"run", "--ro", home, "true", NULL});
    expect_refusal("shared with other programs", (char *[]){"run", "--rw", "/", "true", NULL});
    expect_refusal("and more", (char *[]){"run", "--project", parent, "true", NULL});
    expect_refusal("system directory", (char *[]){"run", "--rw", "/etc", "true", NULL});
    expect_refusal("system directory", (char *[]){"run", "--config-dir", "/usr/share", "true", NULL});
    expect_refusal("must exist", (char *[]){"run", "--ro", "/nonexistent/clbox", "true", NULL});
    expect_refusal("root cannot", (char *[]){"run", "--tmpfs", "/", "true", NULL});
    expect_refusal("shared with other programs", (char *[]){"run", "--project", "/tmp", "true", NULL});
    expect_refusal("shared with other programs", (char *[]){"run", "--ro", "/run", "true", NULL});
    expect_refusal("shared with other programs", (char *[]){"run", "--config-dir", "/var/tmp", "true", NULL});
    free(home), free(parent);
}

static void test_refuses_home_as_project(void **state)
{
    (void)state;
    char *host_env[] = {NULL};
    struct host_facts h = fake_host(host_env);
    free(h.cwd);
    h.cwd = xstrdup(h.home);
    char *argv[] = {"run", "true", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), -1);
    assert_non_null(strstr(err.text, "cd into a project"));
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
}

/* A file in a writable view is taken only when it is the user's, regular,
 * with one link; the fd is for appending, close-on-exec, blocking. */
static void test_log_in_view(void **state)
{
    (void)state;
    make_dirs("logview");
    write_file("logview/mine.log", "", 0600);
    char *view = at("logview");
    struct plan p = {.uid = getuid(), .log_fd = -1};
    plan_add(&p, MOUNT_BIND_RW, view, view, 0, "project");
    p.log_file = at("logview/mine.log");
    struct error err = {0};
    assert_int_equal(plan_open_log(&p, false, &err), 0);
    assert_true(p.log_fd >= 0);
    int flags = fcntl(p.log_fd, F_GETFL);
    assert_int_equal(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_WRONLY | O_APPEND);
    assert_true(fcntl(p.log_fd, F_GETFD) & FD_CLOEXEC);
    close(p.log_fd);
    p.uid = getuid() + 1;
    assert_int_equal(plan_open_log(&p, false, &err), -1);
    if (!strstr(err.text, "belongs to uid"))
        fail_msg("error '%s' does not say whose the file is", err.text);
    assert_int_equal(p.log_fd, -1);
    plan_free(&p);
    free(view);
}

/* Outside the views a missing log is created, 0600 whatever the umask. */
static void test_log_created_private(void **state)
{
    (void)state;
    struct plan p = {.uid = getuid(), .log_fd = -1};
    p.log_file = at("new.log");
    unlink(p.log_file);
    struct error err = {0};
    mode_t saved = umask(0);
    int r = plan_open_log(&p, false, &err);
    umask(saved);
    assert_int_equal(r, 0);
    struct stat st;
    assert_int_equal(fstat(p.log_fd, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    plan_free(&p);
}

static void make_socket(const char *rel)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char *path = at(rel);
    assert_true(strlen(path) < sizeof addr.sun_path);
    memcpy(addr.sun_path, path, strlen(path) + 1);
    free(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    unlink(addr.sun_path);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    close(fd);
}

/* Sockets in a view are covered down to 4 levels, never through a link;
 * the one clbox binds on purpose is left alone. */
static void test_host_sockets(void **state)
{
    (void)state;
    make_dirs("sockview/a/b/c/d/e");
    make_dirs("elsewhere");
    make_socket("sockview/top.sock");
    make_socket("sockview/a/b/c/d/deep.sock");
    make_socket("sockview/a/b/c/d/e/too-deep.sock");
    make_socket("sockview/agent.sock");
    make_socket("elsewhere/linked.sock");
    char *view = at("sockview"), *link = at("sockview/link"), *elsewhere = at("elsewhere");
    char *agent = at("sockview/agent.sock");
    unlink(link);
    assert_int_equal(symlink(elsewhere, link), 0);
    struct plan p = {.uid = getuid(), .log_fd = -1};
    plan_add(&p, MOUNT_BIND_RW, view, view, 0, "project");
    plan_add(&p, MOUNT_BIND_RO, agent, agent, 0, "--ssh-agent");
    struct error err = {0};
    assert_int_equal(plan_walk_views(&p, false, &err), 0);
    const char *covered[] = {"sockview/top.sock", "sockview/a/b/c/d/deep.sock"};
    const char *left[] = {"sockview/a/b/c/d/e/too-deep.sock", "sockview/link/linked.sock"};
    for (size_t i = 0; i < 2; i++) {
        char *yes = at(covered[i]), *no = at(left[i]);
        const struct mount_entry *m = find_mount(&p, yes, NULL);
        if (!m || m->kind != MOUNT_HIDE)
            fail_msg("%s is not covered", yes);
        if (find_mount(&p, no, NULL))
            fail_msg("%s is covered, past the walk's bound", no);
        free(yes), free(no);
    }
    assert_int_equal(find_mount(&p, agent, NULL)->kind, MOUNT_BIND_RO);
    plan_free(&p);
    free(view), free(link), free(elsewhere), free(agent);
}

static void test_command_install_tree(void **state)
{
    (void)state;
    /* The native installer's layout: ~/.local/bin/claude -> versions/X. */
    make_dirs("home/u/.local/share/claude/versions");
    make_dirs("home/u/.local/bin");
    write_file("home/u/.local/share/claude/versions/2.1.5", "\177ELF", 0755);
    char *link = at("home/u/.local/bin/claude");
    char *target = at("home/u/.local/share/claude/versions/2.1.5");
    unlink(link);
    assert_int_equal(symlink(target, link), 0);
    char *bin = at("home/u/.local/bin");
    char *path_var = xasprintf("PATH=%s:/usr/bin", bin);
    char *host_env[] = {path_var, NULL};
    struct host_facts h = fake_host(host_env);
    char *argv[] = {"run", "claude", "--dangerously-skip-permissions", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), 0);
    const struct mount_entry *m = find_mount(&p, link, NULL);
    assert_non_null(m);
    assert_int_equal(m->kind, MOUNT_SYMLINK);
    assert_string_equal(m->source, target);
    char *versions = at("home/u/.local/share/claude/versions");
    m = find_mount(&p, versions, NULL);
    assert_non_null(m);
    assert_int_equal(m->kind, MOUNT_BIND_RO);
    /* Nothing else of ~/.local is shown. */
    char *share = at("home/u/.local/share");
    assert_null(find_mount(&p, share, NULL));
    assert_null(find_mount(&p, bin, NULL));
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
    free(link), free(target), free(bin), free(path_var), free(versions), free(share);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Two plans alike in everything the sandbox is made from. */
static void assert_same_plan(const struct plan *a, const struct plan *b)
{
    assert_string_equal(a->config_dir, b->config_dir);
    assert_string_equal(a->project, b->project);
    assert_string_equal(a->cwd, b->cwd);
    assert_int_equal(a->n_mounts, b->n_mounts);
    for (size_t i = 0; i < a->n_mounts; i++) {
        assert_int_equal(a->mounts[i].kind, b->mounts[i].kind);
        assert_string_equal(a->mounts[i].path, b->mounts[i].path);
        assert_true((a->mounts[i].source == NULL) == (b->mounts[i].source == NULL));
        if (a->mounts[i].source)
            assert_string_equal(a->mounts[i].source, b->mounts[i].source);
    }
    assert_int_equal(a->env.len, b->env.len);
    for (size_t i = 0; i < a->env.len; i++)
        assert_string_equal(a->env.items[i], b->env.items[i]);
    assert_int_equal(a->log_fd, -1);
    assert_int_equal(b->log_fd, -1);
}

/* Plan building creates nothing on the host and does not look at
 * --dry-run: the same plan twice, with or without it, and the missing
 * config dir and log file are still missing.  plan_realise() makes them. */
static void test_plan_creates_nothing(void **state)
{
    (void)state;
    char *host_env[] = {"PATH=/usr/bin", NULL};
    struct host_facts h = fake_host(host_env);
    make_dirs("outside");
    char *cfg = at("fresh/a/b"), *fresh = at("fresh"), *log = at("outside/new.log");
    char *run_args[] = {"run", "--config-dir", cfg, "--log", log, "--", "true", NULL};
    char *dry_args[] = {"run", "--dry-run", "--config-dir", cfg, "--log", log, "--", "true", NULL};
    struct options run = parse_opts(run_args), dry = parse_opts(dry_args);
    struct plan first, second, dry_plan;
    struct error err = {0};
    assert_int_equal(plan_build(&run, &h, &first, &err), 0);
    assert_int_equal(plan_build(&run, &h, &second, &err), 0);
    assert_int_equal(plan_build(&dry, &h, &dry_plan, &err), 0);
    assert_false(exists(fresh));
    assert_false(exists(log));
    assert_string_equal(first.config_dir, cfg);
    assert_string_equal(first.config_dir_to_create, cfg);
    assert_same_plan(&first, &second);
    assert_same_plan(&first, &dry_plan);

    assert_int_equal(plan_realise(&h, &first, &err), 0);
    struct stat st;
    assert_int_equal(stat(cfg, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_true(first.log_fd >= 0);
    assert_int_equal(stat(log, &st), 0);
    /* Realised again (the dir exists by now): nothing to create, the same path. */
    assert_int_equal(plan_realise(&h, &second, &err), 0);
    assert_true(second.log_fd >= 0);
    plan_free(&first), plan_free(&second), plan_free(&dry_plan);
    options_free(&run), options_free(&dry);
    host_facts_free(&h);
    free(cfg), free(fresh), free(log);
}

/* A missing config dir below a link is planned where it will really be,
 * and a run refuses to start when what it creates is elsewhere. */
static void test_plan_config_dir_below_link(void **state)
{
    (void)state;
    char *host_env[] = {"PATH=/usr/bin", NULL};
    struct host_facts h = fake_host(host_env);
    make_dirs("real");
    make_dirs("other");
    char *real = at("real"), *link = at("link"), *other = at("other");
    unlink(link);
    assert_int_equal(symlink(real, link), 0);
    char *asked = at("link/cfg"), *physical = at("real/cfg");
    char *argv[] = {"run", "--config-dir", asked, "--net", "none", "--", "true", NULL};
    struct options o = parse_opts(argv);
    struct plan p;
    struct error err = {0};
    assert_int_equal(plan_build(&o, &h, &p, &err), 0);
    assert_string_equal(p.config_dir, physical);
    assert_string_equal(p.config_dir_to_create, asked);
    assert_false(exists(physical));
    /* The link moved between planning and the run. */
    unlink(link);
    assert_int_equal(symlink(other, link), 0);
    assert_int_equal(plan_realise(&h, &p, &err), -1);
    assert_non_null(strstr(err.text, "changed while clbox started"));
    plan_free(&p);
    options_free(&o);
    host_facts_free(&h);
    free(real), free(link), free(other), free(asked), free(physical);
}

/* The mount API, the network stack's program and the verbosity come from
 * the options and the host facts given, never from the process's own
 * environment or the message helpers' state. */
static void test_plan_ignores_environment(void **state)
{
    (void)state;
    make_dirs("stackbin");
    make_dirs("nobin");
    write_file("stackbin/slirp4netns", "#!/bin/sh\n", 0755);
    write_file("stackbin/other-slirp", "#!/bin/sh\n", 0755);
    char *stack_dir = at("stackbin"), *empty_dir = at("nobin");
    char *stack_path = xasprintf("PATH=%s", stack_dir), *empty_path = xasprintf("PATH=%s", empty_dir);
    char *override = xasprintf("CLBOX_SLIRP4NETNS=%s/other-slirp", stack_dir);
    /* What the process's own environment says, to be ignored. */
    assert_int_equal(setenv("CLBOX_MOUNT_API", "legacy", 1), 0);
    assert_int_equal(setenv("CLBOX_SLIRP4NETNS", "/bin/sh", 1), 0);
    message_set_verbosity(VERBOSITY_QUIET);
    static char legacy[] = "CLBOX_MOUNT_API=legacy", other_api[] = "CLBOX_MOUNT_API=new",
                missing[] = "CLBOX_SLIRP4NETNS=/nonexistent", verbose_opt[] = "-v", quiet_opt[] = "-q";
    const struct {
        char *env[3];
        char *verbosity_option;
        bool legacy;
        const char *binary_in; /* relative to tmp_root; NULL: none found */
        bool has_override;
    } cases[] = {
        {{empty_path, NULL}, verbose_opt, false, NULL, false},
        {{empty_path, legacy, NULL}, quiet_opt, true, NULL, false},
        {{empty_path, other_api, NULL}, verbose_opt, false, NULL, false},
        {{stack_path, NULL}, verbose_opt, false, "stackbin/slirp4netns", false},
        {{stack_path, override, NULL}, quiet_opt, false, "stackbin/other-slirp", true},
        {{stack_path, missing, NULL}, verbose_opt, false, NULL, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *env[3] = {cases[i].env[0], cases[i].env[1], NULL};
        struct host_facts h = fake_host(env);
        char *argv[] = {"run", cases[i].verbosity_option, "--net", "open", "--", "true", NULL};
        struct options o = parse_opts(argv);
        struct plan p;
        struct error err = {0};
        assert_int_equal(plan_build(&o, &h, &p, &err), 0);
        assert_int_equal(p.legacy_mount_api, cases[i].legacy);
        assert_int_equal(p.verbosity, cases[i].verbosity_option == verbose_opt ? VERBOSITY_VERBOSE : VERBOSITY_QUIET);
        char *expected = cases[i].binary_in ? at(cases[i].binary_in) : NULL;
        if (expected)
            assert_string_equal(p.stack_binary, expected);
        else
            assert_null(p.stack_binary);
        assert_int_equal(p.stack_override != NULL, cases[i].has_override);
        free(expected);
        plan_free(&p);
        options_free(&o);
        host_facts_free(&h);
    }
    message_set_verbosity(VERBOSITY_NORMAL);
    unsetenv("CLBOX_MOUNT_API");
    unsetenv("CLBOX_SLIRP4NETNS");
    free(stack_dir), free(empty_dir), free(stack_path), free(empty_path), free(override);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_path_is_within),
        cmocka_unit_test(test_find_project),
        cmocka_unit_test(test_install_tree),
        cmocka_unit_test(test_interpreter),
        cmocka_unit_test(test_env_options),
        cmocka_unit_test(test_interpreter_line),
        cmocka_unit_test(test_net_backend),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_mounts_and_order),
        cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_allow_project_config),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_refuses_home_as_project),
        cmocka_unit_test(test_command_install_tree),
        cmocka_unit_test(test_log_in_view),
        cmocka_unit_test(test_log_created_private),
        cmocka_unit_test(test_host_sockets),
        cmocka_unit_test(test_plan_creates_nothing),
        cmocka_unit_test(test_plan_config_dir_below_link),
        cmocka_unit_test(test_plan_ignores_environment),
    };
    return cmocka_run_group_tests_name("plan", tests, setup_tmp, teardown_tmp);
}
