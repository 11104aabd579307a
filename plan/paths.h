#ifndef CLBOX_PATHS_H
#define CLBOX_PATHS_H

#include "plan/plan.h"

char *path_dirname(const char *path);
char *install_tree_of(const char *file, const char *home);
char *search_path(const char *name, const char *path_list, const char *cwd);
char *env_command_name(const char *arg);
char *read_interpreter(const char *file, char **env_name);

#endif
