#ifndef CLBOX_PATHS_H
#define CLBOX_PATHS_H

/* The absolute, lexically normalised form of path (relative to base). */
char *path_normalize(const char *path, const char *base);
/* The project that holds cwd (a git work tree's top, else cwd itself). */
int plan_find_project(const char *cwd, const char *home, char **project);
char *path_dirname(const char *path);
char *install_tree_of(const char *file, const char *home);
char *search_path(const char *name, const char *path_list, const char *cwd);
char *env_command_name(const char *arg);
char *read_interpreter(const char *file, char **env_name);

#endif
