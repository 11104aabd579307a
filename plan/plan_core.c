#include "plan/plan_core.h"

#include <string.h>
#include <unistd.h>

#include "common/util.h"

/* Adds a mount; an earlier one at the same path is replaced, so the later,
 * more specific wish wins (the command line over built-in defaults). */
void plan_add(struct plan *plan, enum mount_kind kind, const char *path, const char *source, mode_t mode,
                     const char *why)
{
    for (size_t i = 0; i < plan->n_mounts; i++) {
        if (strcmp(plan->mounts[i].path, path) == 0) {
            free(plan->mounts[i].path);
            free(plan->mounts[i].source);
            memmove(&plan->mounts[i], &plan->mounts[i + 1], (plan->n_mounts - i - 1) * sizeof *plan->mounts);
            plan->n_mounts--;
            break;
        }
    }
    plan->mounts = xrealloc(plan->mounts, (plan->n_mounts + 1) * sizeof *plan->mounts);
    plan->mounts[plan->n_mounts++] = (struct mount_entry){
        .kind = kind, .path = xstrdup(path), .source = source ? xstrdup(source) : NULL, .mode = mode, .why = why};
}

bool plan_has_mount_at(const struct plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (strcmp(plan->mounts[i].path, path) == 0)
            return true;
    return false;
}

const char *plan_env_value(const struct plan *plan, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < plan->env.len; i++)
        if (strncmp(plan->env.items[i], name, len) == 0 && plan->env.items[i][len] == '=')
            return plan->env.items[i] + len + 1;
    return NULL;
}

void plan_free(struct plan *plan)
{
    free(plan->project);
    free(plan->cwd);
    free(plan->config_dir);
    free(plan->config_dir_to_create);
    free(plan->home);
    free(plan->hostname);
    for (size_t i = 0; i < plan->n_mounts; i++) {
        free(plan->mounts[i].path);
        free(plan->mounts[i].source);
    }
    free(plan->mounts);
    strv_free(&plan->env);
    strv_free(&plan->profiles);
    allowlist_free(&plan->allowlist);
    carveouts_free(&plan->carveouts);
    free(plan->host_ports);
    if (plan->log_file && plan->log_fd >= 0)
        close(plan->log_fd);
    free(plan->log_file);
    free(plan->stack_binary);
    free(plan->stack_override);
    *plan = (struct plan){0};
}
