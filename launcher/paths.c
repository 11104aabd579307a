/* Host-side path logic: lexical normalisation, finding the project, and
 * finding what the command needs from the home directory to run. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"

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

/* Reads "#!/interp arg" from the file.  Returns the program the kernel
 * will run as interpreter, following "/usr/bin/env NAME" to NAME. */
char *read_interpreter(const char *file, char **env_name)
{
    *env_name = NULL;
    autofree char *head = read_small_file(file, 256);
    if (!head || head[0] != '#' || head[1] != '!')
        return NULL;
    char *line = head + 2;
    line[strcspn(line, "\n")] = '\0';
    char *save = NULL;
    char *interp = strtok_r(line, " \t", &save);
    if (!interp)
        return NULL;
    const char *base = strrchr(interp, '/');
    if (base && strcmp(base + 1, "env") == 0) {
        char *arg = strtok_r(NULL, " \t", &save);
        while (arg && arg[0] == '-') /* env -S, -i: the program follows */
            arg = strtok_r(NULL, " \t", &save);
        if (arg)
            *env_name = xstrdup(arg);
    }
    return xstrdup(interp);
}
