#include "netns/codec/allowlist.h"

#include "common/error.h"
#include "common/util.h"
#include "netns/codec/addrclass.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Letters, digits, '-' and '_' in labels of 1..63 bytes; no empty label;
 * a single trailing dot is dropped. */
bool allow_name_normalize(const char *in, char *out, size_t outlen)
{
    size_t len = strlen(in);
    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len >= outlen || len > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return label > 0;
}

static int parse_port(const char *text, uint16_t *port, struct error *err)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || v == 0 || v > 65535 || text[0] == '+' || text[0] == '-')
        return error_set(err, "'%s' is not a port (1-65535)", text);
    *port = (uint16_t)v;
    return 0;
}

static int parse_address(const char *text, struct allow_rule *rule, struct error *err)
{
    if (addr_parse_cidr(text, &rule->family, rule->addr, &rule->prefix_len) < 0)
        return error_set(err, "'%s' is not an IP address or range (prefix length: 0-32, IPv6 0-128)", text);
    if (rule->prefix_len == 0)
        return error_set(err, "'%s' would allow every address; use --net open for an unfiltered network", text);
    rule->kind = ALLOW_ADDRESS;
    return 0;
}

static bool looks_like_ipv4(const char *s)
{
    return strspn(s, "0123456789./") == strlen(s) && strchr(s, '.');
}

int allow_rule_parse(const char *text, bool is_deny, struct allow_rule *rule, struct error *err)
{
    *rule = (struct allow_rule){0};
    char buf[ALLOW_NAME_MAX + 16];
    if (!*text)
        return error_set(err, "an empty name allows nothing");
    if (strlen(text) >= sizeof buf)
        return error_set(err, "'%.40s...' is too long for a DNS name", text);
    strcpy(buf, text);
    if (buf[0] == '[') { /* [IPv6]:port */
        char *close = strchr(buf, ']');
        if (!close || (close[1] && close[1] != ':'))
            return error_set(err, "'%s': write an IPv6 address with a port as [ADDR]:PORT", text);
        if (close[1] == ':' && parse_port(close + 2, &rule->port, err) < 0)
            return -1;
        *close = '\0';
        return is_deny ? error_set(err, "--deny takes names; to keep an address out, do not allow it")
                       : parse_address(buf + 1, rule, err);
    }
    if (strchr(buf, ':') && strchr(buf, ':') != strrchr(buf, ':')) /* bare IPv6 */
        return is_deny ? error_set(err, "--deny takes names") : parse_address(buf, rule, err);
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        if (parse_port(colon + 1, &rule->port, err) < 0)
            return -1;
    }
    if (looks_like_ipv4(buf))
        return is_deny ? error_set(err, "--deny takes names") : parse_address(buf, rule, err);
    const char *name = buf;
    rule->kind = ALLOW_NAME;
    if (strcmp(buf, "*") == 0 || strcmp(buf, "*.") == 0)
        return error_set(err, "'*' would allow every name; use --net open for an unfiltered network");
    if (buf[0] == '*') {
        if (buf[1] != '.')
            return error_set(err, "'%s': a wildcard is written *.example.com", text);
        rule->kind = ALLOW_SUFFIX;
        name = buf + 2;
    }
    if (!allow_name_normalize(name, rule->name, sizeof rule->name))
        return error_set(err, "'%s' is not a DNS name (letters, digits, '-' and '_' in dot-separated labels)",
                         text);
    /* Checked on the normalised name: "*.com." is as wide as "*.com". */
    if (rule->kind == ALLOW_SUFFIX && !strchr(rule->name, '.'))
        return error_set(err, "'%s' would allow a whole top-level domain; name a domain below it", text);
    return 0;
}

static void push(struct allow_rule **items, size_t *n, const struct allow_rule *rule)
{
    *items = xrealloc(*items, (*n + 1) * sizeof **items);
    (*items)[(*n)++] = *rule;
}

void allowlist_add(struct allowlist *list, const struct allow_rule *rule, bool is_deny)
{
    if (is_deny)
        push(&list->deny, &list->n_deny, rule);
    else
        push(&list->allow, &list->n_allow, rule);
}

void allowlist_free(struct allowlist *list)
{
    free(list->allow);
    free(list->deny);
    *list = (struct allowlist){0};
}

static bool rule_matches(const struct allow_rule *rule, const char *name)
{
    if (rule->kind == ALLOW_NAME)
        return strcmp(rule->name, name) == 0;
    if (rule->kind != ALLOW_SUFFIX)
        return false;
    size_t n = strlen(name), s = strlen(rule->name);
    return n > s + 1 && name[n - s - 1] == '.' && strcmp(name + n - s, rule->name) == 0;
}

void allowlist_check(const struct allowlist *list, const char *name, struct allow_verdict *verdict)
{
    *verdict = (struct allow_verdict){0};
    for (size_t i = 0; i < list->n_deny; i++)
        if (rule_matches(&list->deny[i], name)) {
            verdict->denied = true;
            return;
        }
    for (size_t i = 0; i < list->n_allow; i++) {
        const struct allow_rule *rule = &list->allow[i];
        if (!rule_matches(rule, name))
            continue;
        verdict->allowed = true;
        if (rule->port == 0)
            verdict->any_port = true;
        else if (verdict->n_ports < ALLOW_MAX_PORTS)
            verdict->ports[verdict->n_ports++] = rule->port;
    }
}

void allow_rule_format(const struct allow_rule *rule, char *out, size_t outlen)
{
    char host[INET6_ADDRSTRLEN + 8];
    if (rule->kind == ALLOW_ADDRESS) {
        char addr[INET6_ADDRSTRLEN];
        inet_ntop(rule->family, rule->addr, addr, sizeof addr);
        unsigned max = rule->family == AF_INET ? 32 : 128;
        if (rule->prefix_len == max)
            snprintf(host, sizeof host, "%s", addr);
        else
            snprintf(host, sizeof host, "%s/%u", addr, rule->prefix_len);
        if (rule->port && rule->family == AF_INET6)
            snprintf(out, outlen, "[%s]:%u", host, rule->port);
        else if (rule->port)
            snprintf(out, outlen, "%s:%u", host, rule->port);
        else
            snprintf(out, outlen, "%s", host);
        return;
    }
    const char *prefix = rule->kind == ALLOW_SUFFIX ? "*." : "";
    if (rule->port)
        snprintf(out, outlen, "%s%s:%u", prefix, rule->name, rule->port);
    else
        snprintf(out, outlen, "%s%s", prefix, rule->name);
}
