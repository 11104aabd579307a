#ifndef CLBOX_ENV_H
#define CLBOX_ENV_H

#include "common/util.h"
#include "options/cli.h"
#include "plan/host.h"

/* The command's whole environment (NAME=VALUE) in env. */
void plan_build_env(const struct options *opts, const struct host_facts *host, const char *config_dir,
                    const char *cwd, struct strv *env);

#endif
