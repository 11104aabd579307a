/* --dry-run: the plan as a person reads it. */
#include "plan/plan_print.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#include "common/message.h"
#include "common/util.h"

static const char *kind_name(enum mount_kind kind)
{
    switch (kind) {
    case MOUNT_TMPFS: return "tmpfs";
    case MOUNT_BIND_RO: return "ro";
    case MOUNT_BIND_RW: return "rw";
    case MOUNT_PROTECT: return "ro-protect";
    case MOUNT_HIDE: return "hide";
    case MOUNT_DEV: return "dev";
    case MOUNT_PROC: return "proc";
    case MOUNT_SYSFS: return "sysfs";
    case MOUNT_SYMLINK: return "symlink";
    case MOUNT_FILE: return "file";
    }
    return "?";
}

/* The carve-outs that an exact --allow lifts (fixed = false), or the
 * others, under `title`. */
static void print_carveouts(const struct plan *plan, FILE *out, bool fixed, const char *title)
{
    for (size_t i = 0; i < plan->carveouts.n; i++) {
        const struct carveout *c = &plan->carveouts.items[i];
        if (c->fixed != fixed)
            continue;
        char text[INET6_ADDRSTRLEN + 8];
        carveout_format(c, text, sizeof text);
        fprintf(out, "%s  %s (%s)\n", title, text, c->why);
        title = "";
    }
}

/* "filtered (slirp4netns; only the allowlist below)" and the like. */
static void format_net(const struct plan *plan, char *text, size_t len)
{
    const char *stack = net_backend_name(plan->net_backend);
    switch (plan->net) {
    case NET_FILTERED: snprintf(text, len, "filtered (%s; only the allowlist below)", stack); return;
    case NET_NONE: snprintf(text, len, "none (loopback only)"); return;
    case NET_OPEN: snprintf(text, len, "open (%s; NOT filtered)", stack); return;
    }
    snprintf(text, len, "?");
}

static void print_network(const struct plan *plan, FILE *out)
{
    if (plan->net != NET_FILTERED)
        return;
    char text[ALLOW_NAME_MAX + 64];
    fprintf(out, "allow:%s\n", plan->allowlist.n_allow ? "" : " (nothing: every name and address is refused)");
    for (size_t i = 0; i < plan->allowlist.n_allow; i++) {
        allow_rule_format(&plan->allowlist.allow[i], text, sizeof text);
        fprintf(out, "  %s\n", text);
    }
    if (plan->allowlist.n_deny)
        fprintf(out, "deny:\n");
    for (size_t i = 0; i < plan->allowlist.n_deny; i++) {
        allow_rule_format(&plan->allowlist.deny[i], text, sizeof text);
        fprintf(out, "  %s\n", text);
    }
    fprintf(out, "host ports (as 10.0.2.2):");
    for (size_t i = 0; i < plan->n_host_ports; i++)
        fprintf(out, " %u", plan->host_ports[i]);
    fprintf(out, "%s\n", plan->n_host_ports ? "" : " none");
    print_carveouts(plan, out, false, "left out of allowed address ranges (allow an address exactly to open it):\n");
    print_carveouts(plan, out, true, "never opened by --allow (--allow-host-port opens this machine's loopback "
                                     "ports):\n");
}

/* Ends a list of carve-outs cut from one rule. */
static void tell_one_rule(const struct allow_rule *rule, const char *list, size_t more, bool exact_lifts,
                          bool fixed)
{
    char text[ALLOW_NAME_MAX + 64], tail[32] = "";
    allow_rule_format(rule, text, sizeof text);
    if (more)
        snprintf(tail, sizeof tail, " and %zu more", more);
    warnx_clbox("--allow %s leaves out the addresses that reach this machine: %s%s (%s%s%s)", text, list, tail,
                exact_lifts ? "allow an address exactly to open it" : "", exact_lifts && fixed ? "; " : "",
                fixed ? "--allow-host-port opens this machine's loopback ports" : "");
}

void plan_tell_carveouts(const struct plan *plan)
{
    enum { SHOWN = 6 };
    if (plan->verbosity == VERBOSITY_QUIET)
        return;
    for (size_t i = 0; i < plan->allowlist.n_allow; i++) {
        const struct allow_rule *rule = &plan->allowlist.allow[i];
        char list[SHOWN * (INET6_ADDRSTRLEN + 8)] = "";
        size_t cut = 0, len = 0;
        bool exact_lifts = false, fixed = false;
        for (size_t j = 0; j < plan->carveouts.n; j++) {
            const struct carveout *c = &plan->carveouts.items[j];
            if (!carveout_cuts(c, rule))
                continue;
            exact_lifts |= !c->fixed;
            fixed |= c->fixed;
            if (cut++ >= SHOWN)
                continue;
            char one[INET6_ADDRSTRLEN + 8];
            carveout_format(c, one, sizeof one);
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", one);
        }
        if (cut)
            tell_one_rule(rule, list, cut > SHOWN ? cut - SHOWN : 0, exact_lifts, fixed);
    }
}

/* Values of variables that look like credentials are not printed: a plan is
 * something people paste into bug reports. */
static bool looks_secret(const char *entry)
{
    static const char *const words[] = {"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"};
    size_t name_len = strcspn(entry, "=");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const char *hit = memmem(entry, name_len, words[i], strlen(words[i]));
        if (hit)
            return true;
    }
    return false;
}

void plan_print(const struct plan *plan, FILE *out)
{
    fprintf(out, "command:");
    for (char **a = plan->argv; *a; a++)
        fprintf(out, " %s", *a);
    fprintf(out, "\nprofiles:  ");
    for (size_t i = 0; i < plan->profiles.len; i++)
        fprintf(out, " %s", plan->profiles.items[i]);
    if (plan->profiles.len == 0)
        fprintf(out, " (none)");
    char net[96];
    format_net(plan, net, sizeof net);
    fprintf(out, "\nproject:    %s\ncwd:        %s\nconfig dir: %s\nnet:        %s\nuid/gid:    %u/%u\n",
            plan->project, plan->cwd, plan->config_dir, net, (unsigned)plan->uid,
            (unsigned)plan->gid);
    print_network(plan, out);
    fprintf(out, "mounts (in order):\n");
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct mount_entry *m = &plan->mounts[i];
        char shown[4 * PATH_MAX + 1]; /* a path may hold names a sandbox chose (a socket's) */
        fprintf(out, "  %-10s %s", kind_name(m->kind), str_printable(m->path, shown, sizeof shown));
        if (m->kind == MOUNT_FILE)
            fprintf(out, " (written by clbox)");
        else if (m->kind == MOUNT_SYMLINK)
            fprintf(out, " -> %s", m->source);
        else if (m->source && strcmp(m->source, m->path) != 0)
            fprintf(out, " (from %s)", m->source);
        fprintf(out, "  [%s]\n", m->why);
    }
    fprintf(out, "environment:\n");
    for (size_t i = 0; i < plan->env.len; i++) {
        const char *e = plan->env.items[i];
        if (looks_secret(e))
            fprintf(out, "  %.*s=<set, %zu bytes, not shown>\n", (int)strcspn(e, "="), e, strlen(strchr(e, '=') + 1));
        else
            fprintf(out, "  %s\n", e);
    }
}
