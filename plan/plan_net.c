/* The network part of the plan: mode, allowlist, host ports, and the
 * resolv.conf the sandbox sees. */
#include "plan/plan_net.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "netns/kernel/nft.h"
#include "plan/host.h"
#include "plan/paths.h"
#include "plan/plan_core.h"
#include "plan/plan_log.h"

static int add_rules(const struct strv *values, bool is_deny, struct allowlist *list, struct error *err)
{
    for (size_t i = 0; i < values->len; i++) {
        struct allow_rule rule;
        if (allow_rule_parse(values->items[i], is_deny, &rule, err) < 0)
            return error_wrap(err, "--%s %s", is_deny ? "deny" : "allow", values->items[i]);
        if (is_deny && rule.port)
            return error_set(err, "--deny %s: a denied name is denied on every port; drop the :PORT",
                             values->items[i]);
        allowlist_add(list, &rule, is_deny);
    }
    return 0;
}

/* Where the host's /etc/resolv.conf really lives: often a link into /run
 * (systemd-resolved, resolvconf), which inside is a fresh tmpfs. */
static char *resolv_conf_path(void)
{
    autofree char *current = xstrdup("/etc/resolv.conf");
    for (int hops = 0; hops < 40; hops++) {
        char target[PATH_MAX];
        ssize_t n = readlink(current, target, sizeof target - 1);
        if (n <= 0)
            break;
        target[n] = '\0';
        autofree char *dir = path_dirname(current);
        free(current);
        current = path_normalize(target, dir);
    }
    return steal_ptr(&current);
}

static int add_resolv_conf(struct plan *plan, struct error *err)
{
    autofree char *path = resolv_conf_path();
    struct stat st;
    bool on_fresh_tmpfs = path_is_within(path, "/run") || path_is_within(path, "/tmp");
    if (!on_fresh_tmpfs && lstat(path, &st) < 0)
        return error_set(err, "the host has no %s to replace with the sandbox's resolver; create an empty one "
                         "or run with --net none", path);
    const char *content = plan->net == NET_FILTERED ? "nameserver " NFT_GATE_ADDR "\noptions edns0\n"
                                                    : "nameserver 10.0.2.3\n";
    plan_add(plan, MOUNT_FILE, path, content, 0644,
             plan->net == NET_FILTERED ? "DNS through clbox's gate" : "the network stack's DNS forwarder");
    return 0;
}

int plan_choose_backend(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err)
{
    plan->net_backend = opts->net_backend;
    if (opts->net_backend_set)
        return 0;
    plan->net_backend = NET_BACKEND_SLIRP4NETNS;
    const char *named = host_env(host, "CLBOX_NET_BACKEND");
    if (named && *named && net_backend_parse(named, &plan->net_backend) < 0)
        return error_set(err, "CLBOX_NET_BACKEND=%s: unknown network stack (slirp4netns or pasta; or unset it)",
                         named);
    return 0;
}

char *plan_find_stack_binary(const struct host_facts *host, enum net_backend backend, const char **override)
{
    *override = host_env(host, net_backend_override_var(backend));
    if (*override && !**override)
        *override = NULL;
    if (*override)
        return access(*override, X_OK) == 0 ? xstrdup(*override) : NULL;
    const char *path = host_env(host, "PATH");
    autofree char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        autofree char *candidate = xasprintf("%s/%s", dir, net_backend_name(backend));
        if (access(candidate, X_OK) == 0)
            return steal_ptr(&candidate);
    }
    return NULL;
}

/* Found now, from the host facts; started (or its absence told) once the
 * sandbox's namespaces exist. */
static void choose_stack_binary(const struct host_facts *host, struct plan *plan)
{
    const char *override = NULL;
    plan->stack_binary = plan_find_stack_binary(host, plan->net_backend, &override);
    plan->stack_override = override ? xstrdup(override) : NULL;
}

int plan_build_network(const struct options *opts, const struct host_facts *host, struct plan *plan, struct error *err)
{
    plan->net = opts->net;
    if (add_rules(&opts->allow, false, &plan->allowlist, err) < 0 ||
        add_rules(&opts->deny, true, &plan->allowlist, err) < 0)
        return -1;
    if (opts->n_host_ports) {
        plan->host_ports = xcalloc(opts->n_host_ports, sizeof *plan->host_ports);
        memcpy(plan->host_ports, opts->host_ports, opts->n_host_ports * sizeof *plan->host_ports);
        plan->n_host_ports = opts->n_host_ports;
    }
    if (opts->log_file)
        plan->log_file = path_normalize(opts->log_file, host->cwd);
    /* Checked now, and opened by plan_realise(), only where a gate writes it. */
    if (opts->log_file && plan->net == NET_FILTERED && plan_open_log(plan, true, err) < 0)
        return -1;
    if (plan->net == NET_NONE)
        return 0;
    choose_stack_binary(host, plan);
    if (plan->net == NET_FILTERED) {
        carveouts_add_fixed(&plan->carveouts);
        if (carveouts_add_interfaces(&plan->carveouts, err) < 0)
            return -1;
    }
    return add_resolv_conf(plan, err);
}
