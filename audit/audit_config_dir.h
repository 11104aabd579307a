#ifndef CLBOX_AUDIT_CONFIG_DIR_H
#define CLBOX_AUDIT_CONFIG_DIR_H

#include <time.h>

/* The same for the config dir: the settings, hooks, commands and agents
 * that the host's Claude Code obeys when run with this config dir. */
void audit_config_dir(const char *config_dir, const struct timespec *since);

#endif
