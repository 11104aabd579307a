/* Host-side path logic: lexical normalisation, finding the project, and
 * finding what the command needs from the home directory to run. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "plan/paths.h"

#include "common/util.h"

char *path_normalize(const char *path, const char *base)
{
    autofree char *joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", base, path);
    char *out = xmalloc(strlen(joined) + 2);
    size_t len = 0;
    const char *p = joined;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* skip */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* drop the slash too */
        } else {
            out[len++] = '/';
            memcpy(out + len, p, n);
            len += n;
        }
        p = end;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

static bool lexists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int plan_find_project(const char *cwd, const char *home, char **project)
{
    autofree char *dir = xstrdup(cwd);
    for (;;) {
        autofree char *dotgit = xasprintf("%s/.git", strcmp(dir, "/") == 0 ? "" : dir);
        /* A repository at $HOME or / (a dotfiles repo) is no project: it
         * would share the whole home read-write. */
        if (lexists(dotgit) && strcmp(dir, home) != 0 && strcmp(dir, "/") != 0) {
            *project = steal_ptr(&dir);
            return 1;
        }
        if (strcmp(dir, "/") == 0)
            break;
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    *project = xstrdup(cwd);
    return 0;
}

char *path_dirname(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        strcpy(dir, "/");
    else
        *slash = '\0';
    return dir;
}

/* The smallest directory that holds what an installed program needs:
 * an npm package's own root (its dependencies are nested inside it), or
 * else the directory of the file; a file directly in $HOME stands alone. */
char *install_tree_of(const char *file, const char *home)
{
    const char *nm = strstr(file, "/node_modules/");
    if (nm) {
        const char *pkg = nm + strlen("/node_modules/");
        const char *end = strchr(pkg, '/');
        if (end && pkg[0] == '@')
            end = strchr(end + 1, '/');
        if (end)
            return strndup(file, (size_t)(end - file));
    }
    char *dir = path_dirname(file);
    if (strcmp(dir, home) == 0 || strcmp(dir, "/") == 0) {
        free(dir);
        return xstrdup(file);
    }
    return dir;
}

/* Look NAME up in a PATH-style list the way execvp does. */
char *search_path(const char *name, const char *path_list, const char *cwd)
{
    if (strchr(name, '/'))
        return path_normalize(name, cwd);
    const char *p = path_list ? path_list : "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *end = strchrnul(p, ':');
        autofree char *dir = end == p ? xstrdup(".") : strndup(p, (size_t)(end - p));
        autofree char *candidate = xasprintf("%s/%s", dir, name);
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
            return path_normalize(candidate, cwd);
        p = *end ? end + 1 : end;
    }
    return NULL;
}

/* Splits env -S's string as env does: blanks separate words, '...' is
 * literal, "..." and a backslash outside quotes take \\ \" \' \_ \t \n
 * \v \f \r \# \$, a word starting with # begins a comment, \c ends it
 * all.  A ${VAR} (expanded by env from the environment it runs in) or
 * anything else clbox cannot read for certain fails: -1. */
static int split_env_string(const char *s, struct strv *words)
{
    autofree char *word = xmalloc(strlen(s) + 1);
    size_t len = 0;
    bool in_word = false;
    char quote = 0;
    for (const char *p = s;; p++) {
        char c = *p;
        if (c == '\0' || (!quote && (c == ' ' || c == '\t' || c == '\n'))) {
            if (quote)
                return -1; /* env refuses an unterminated quote */
            if (in_word)
                strv_push(words, strndup(word, len));
            len = 0;
            in_word = false;
            if (c == '\0')
                return 0;
            continue;
        }
        if (c == '#' && !in_word && !quote)
            return 0;
        if (c == '$' && quote != '\'')
            return -1;
        if ((c == '\'' || c == '"') && (!quote || quote == c)) {
            quote = (char)(quote ? 0 : c);
            in_word = true;
            continue;
        }
        if (c == '\\' && quote != '\'') {
            static const char from[] = "\\\"'_tnvfr#$", to[] = "\\\"' \t\n\v\f\r#$";
            const char *esc = p[1] ? strchr(from, p[1]) : NULL;
            if (p[1] == 'c' && !quote)
                break;
            if (!esc || (p[1] == '_' && quote))
                return -1;
            c = to[esc - from];
            p++;
        }
        word[len++] = c;
        in_word = true;
    }
    if (in_word)
        strv_push(words, strndup(word, len));
    return 0;
}

/* Puts -S's words in place of the word they came from, after args[i]. */
static int splice_split_string(const char *value, struct strv *args, size_t i)
{
    struct strv words = {0};
    if (split_env_string(value, &words) < 0) {
        strv_free(&words);
        return -1;
    }
    struct strv spliced = {0};
    for (size_t k = 0; k < args->len; k++) {
        strv_push_dup(&spliced, args->items[k]);
        for (size_t w = 0; k == i && w < words.len; w++)
            strv_push_dup(&spliced, words.items[w]);
    }
    strv_free(&words);
    strv_free(args);
    *args = spliced;
    return 0;
}

/* Takes the value of an option that needs one: the rest of the cluster, or
 * the next word. */
static const char *option_value(const char *rest, struct strv *args, size_t *i)
{
    if (*rest)
        return rest;
    return *i + 1 < args->len ? args->items[++*i] : NULL;
}

/* One word of env's options, from args->items[*i]: 1 when it was one, 0
 * when the command starts there, -1 when clbox cannot tell. */
static int env_option(struct strv *args, size_t *i, bool *chdir_given)
{
    static const char *const long_flags[] = {"--ignore-environment", "--null", "--debug", "--list-signal-handling",
                                             "--block-signal", "--default-signal", "--ignore-signal"};
    const char *a = args->items[*i];
    if (strcmp(a, "-") == 0)
        return 1; /* like -i */
    if (a[0] != '-')
        return 0;
    if (a[1] == '-') {
        for (size_t k = 0; k < sizeof long_flags / sizeof long_flags[0]; k++)
            if (strcmp(a, long_flags[k]) == 0 || (k >= 4 && str_has_prefix(a, long_flags[k]) &&
                                                   a[strlen(long_flags[k])] == '='))
                return 1;
        const char *value = NULL;
        if (strcmp(a, "--unset") == 0 || strcmp(a, "--chdir") == 0 || strcmp(a, "--split-string") == 0)
            value = option_value("", args, i);
        else if (str_has_prefix(a, "--unset=") || str_has_prefix(a, "--chdir=") || str_has_prefix(a, "--split-string="))
            value = strchr(a, '=') + 1;
        else
            return -1;
        if (!value)
            return -1;
        *chdir_given |= str_has_prefix(a, "--chdir");
        if (str_has_prefix(a, "--split-string") && splice_split_string(value, args, *i) < 0)
            return -1;
        return 1;
    }
    for (const char *c = a + 1; *c; c++) {
        if (*c == 'i' || *c == '0' || *c == 'v')
            continue;
        if (*c != 'u' && *c != 'C' && *c != 'S')
            return -1;
        const char *value = option_value(c + 1, args, i);
        if (!value)
            return -1;
        *chdir_given |= *c == 'C';
        if (*c == 'S' && splice_split_string(value, args, *i) < 0)
            return -1;
        return 1;
    }
    return 1;
}

/* The program "#!/usr/bin/env ARG" runs, ARG being the rest of the line as
 * the kernel passes it (one word).  Options are read as GNU env reads them
 * (-u and -C take a value, -S splits its value into more words), then
 * NAME=VALUE assignments are skipped.  NULL when there is no program, or
 * when clbox cannot be sure which it is (a PATH assignment, a relative
 * name after -C, an option it does not know). */
char *env_command_name(const char *arg)
{
    struct strv args = {0};
    strv_push_dup(&args, arg);
    size_t i = 0;
    bool chdir_given = false;
    char *name = NULL;
    for (; i < args.len; i++) {
        if (strcmp(args.items[i], "--") == 0) {
            i++;
            break;
        }
        int r = env_option(&args, &i, &chdir_given);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
    }
    for (; i < args.len && strchr(args.items[i], '='); i++)
        if (str_has_prefix(args.items[i], "PATH="))
            goto out;
    if (i < args.len && args.items[i][0] && !(chdir_given && strchr(args.items[i], '/') && args.items[i][0] != '/'))
        name = xstrdup(args.items[i]);
out:
    strv_free(&args);
    return name;
}

/* Reads "#!/interp arg" from the file, the way the kernel does (the
 * interpreter, then the rest of the line as one argument).  Returns the
 * program the kernel will run as interpreter, and follows
 * "/usr/bin/env ARG" to the program env runs. */
char *read_interpreter(const char *file, char **env_name)
{
    *env_name = NULL;
    autofree char *head = read_small_file(file, 256);
    if (!head || head[0] != '#' || head[1] != '!')
        return NULL;
    char *line = head + 2;
    line[strcspn(line, "\n")] = '\0';
    line += strspn(line, " \t");
    char *arg = line + strcspn(line, " \t");
    if (*arg)
        *arg++ = '\0';
    arg += strspn(arg, " \t");
    for (size_t n = strlen(arg); n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'); n--)
        arg[n - 1] = '\0';
    if (!*line)
        return NULL;
    const char *base = strrchr(line, '/');
    if (base && strcmp(base + 1, "env") == 0 && *arg)
        *env_name = env_command_name(arg);
    return xstrdup(line);
}
