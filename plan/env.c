/* The command's environment: a short list of variables that describe the
 * terminal, the locale and the agent's own settings passes through; every
 * other variable (agent sockets, display servers, tokens of unrelated
 * tools) stays outside unless --env lets it in. */
#include "plan/env.h"

#include <string.h>

#include "common/message.h"
#include "common/util.h"
#include "plan/host.h"

/* A trailing '*' matches any suffix. */
static const char *const passed_names[] = {
    "TERM", "COLORTERM", "LANG", "LANGUAGE", "LC_*", "TZ", "PATH", "HOME", "USER", "LOGNAME", "SHELL",
    "EDITOR", "VISUAL", "NO_COLOR", "FORCE_COLOR",
    /* The agent and its model providers. */
    "ANTHROPIC_*", "CLAUDE_*", "AWS_*", "GOOGLE_*", "CLOUD_ML_*",
    /* Claude Code's switches for telemetry, error reports and the updater. */
    "DISABLE_*",
};

static bool name_matches(const char *pattern, const char *name, size_t name_len)
{
    size_t plen = strlen(pattern);
    if (plen > 0 && pattern[plen - 1] == '*')
        return name_len >= plen - 1 && strncmp(pattern, name, plen - 1) == 0;
    return plen == name_len && strncmp(pattern, name, name_len) == 0;
}

static bool is_passed(const char *name, size_t name_len)
{
    for (size_t i = 0; i < sizeof passed_names / sizeof passed_names[0]; i++)
        if (name_matches(passed_names[i], name, name_len))
            return true;
    return false;
}

static size_t name_length(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* Remove NAME from env, if present. */
static void env_remove(struct strv *env, const char *name, size_t name_len)
{
    size_t out = 0;
    for (size_t i = 0; i < env->len; i++) {
        char *e = env->items[i];
        if (name_length(e) == name_len && strncmp(e, name, name_len) == 0)
            free(e);
        else
            env->items[out++] = e;
    }
    env->len = out;
    if (env->items)
        env->items[out] = NULL;
}

static void env_set(struct strv *env, const char *name, const char *value)
{
    env_remove(env, name, strlen(name));
    strv_push(env, xasprintf("%s=%s", name, value));
}

static const char *host_value(char **environ, const char *name, size_t name_len)
{
    for (char **e = environ; e && *e; e++)
        if (name_length(*e) == name_len && strncmp(*e, name, name_len) == 0 && (*e)[name_len] == '=')
            return *e + name_len + 1;
    return NULL;
}

/* Apply one --env / --unsetenv rule (see struct options.env_rules). */
static void apply_rule(struct strv *env, char **host_environ, const char *rule)
{
    if (rule[0] == '-') {
        env_remove(env, rule + 1, strlen(rule + 1));
        return;
    }
    size_t len = name_length(rule);
    env_remove(env, rule, len);
    if (rule[len] == '=') {
        strv_push_dup(env, rule);
        return;
    }
    const char *value = host_value(host_environ, rule, len);
    if (value)
        strv_push(env, xasprintf("%.*s=%s", (int)len, rule, value));
    else
        verbose("--env %s: not set on the host; left unset", rule);
}

void plan_build_env(const struct options *opts, const struct host_facts *host, const char *config_dir,
                    const char *cwd, struct strv *env)
{
    *env = (struct strv){0};
    for (char **e = host->environ; e && *e; e++)
        if (strchr(*e, '=') && is_passed(*e, name_length(*e)))
            strv_push_dup(env, *e);

    /* A sandbox that the agent may read must not point it back at the
     * host's own config, and needs sane values where the host had none. */
    env_set(env, "CLAUDE_CONFIG_DIR", config_dir);
    env_set(env, "HOME", host->home);
    env_set(env, "PWD", cwd);
    if (!host_value(env->items, "USER", 4))
        env_set(env, "USER", host->user);
    if (!host_value(env->items, "PATH", 4))
        env_set(env, "PATH", "/usr/local/bin:/usr/bin:/bin");

    if (opts->ssh_agent)
        apply_rule(env, host->environ, "SSH_AUTH_SOCK");
    for (size_t i = 0; i < opts->env_rules.len; i++)
        apply_rule(env, host->environ, opts->env_rules.items[i]);
}
