/* git's config syntax, read the way git's own config.c reads it, so that
 * what git obeys is what clbox sees.  Where git would refuse the file the
 * parse fails; the audit then treats the file as hostile. */
#include "audit/gitconfig.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* A name or value longer than this is refused: git's own are far shorter,
 * and the audit must stay bounded whatever the file holds. */
enum { NAME_MAX_LEN = 1024, VALUE_MAX_LEN = 65536 };

struct cursor {
    const char *text;
    size_t len, at;
    int line;
    bool eof;
};

/* git's isspace: no vertical tab, no form feed. */
static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_key_char(int c) { return is_alpha(c) || (c >= '0' && c <= '9') || c == '-'; }
static char lower(int c) { return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }

/* The next byte, with "\r\n" read as "\n" and the end read as "\n" (as git
 * does), and the line counted. */
static int next_char(struct cursor *c)
{
    if (c->at >= c->len) {
        c->eof = true;
        return '\n';
    }
    int ch = (unsigned char)c->text[c->at++];
    if (ch == '\r' && c->at < c->len && c->text[c->at] == '\n')
        ch = (unsigned char)c->text[c->at++];
    if (ch == '\n')
        c->line++;
    return ch;
}

struct buf {
    char *data;
    size_t len, cap, max;
};

static bool buf_add(struct buf *b, char ch)
{
    if (b->len + 1 >= b->max)
        return false;
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->data = xrealloc(b->data, b->cap);
    }
    b->data[b->len++] = ch;
    b->data[b->len] = '\0';
    return true;
}

static void skip_line(struct cursor *c)
{
    while (!c->eof && next_char(c) != '\n')
        ;
}

/* After `[section` and a space: ` "subsection"]`.  Returns 0 or -1. */
static int read_subsection(struct cursor *c, struct buf *name)
{
    int ch;
    do
        ch = next_char(c);
    while (ch == ' ' || ch == '\t');
    if (ch != '"' || !buf_add(name, '.'))
        return -1;
    for (;;) {
        ch = next_char(c);
        if (ch == '\n')
            return -1;
        if (ch == '"')
            break;
        if (ch == '\\') {
            ch = next_char(c);
            if (ch == '\n')
                return -1;
        }
        if (!buf_add(name, (char)ch))
            return -1;
    }
    return next_char(c) == ']' ? 0 : -1;
}

/* After '[': the section header, into name ("section" or "section.sub").
 * The old form [section.sub] is lower-cased whole, as git does. */
static int read_section(struct cursor *c, struct buf *name)
{
    name->len = 0;
    for (;;) {
        int ch = next_char(c);
        if (c->eof)
            return -1;
        if (ch == ']')
            return name->len ? 0 : -1;
        if (is_space(ch))
            return name->len ? read_subsection(c, name) : -1;
        if ((!is_key_char(ch) && ch != '.') || !buf_add(name, lower(ch)))
            return -1;
    }
}

/* After '=': the value, unquoted and unescaped, up to the end of the line,
 * a continuation line included, a trailing comment and spaces left out. */
static int read_value(struct cursor *c, struct buf *value)
{
    bool quoted = false;
    size_t spaces = 0;
    value->len = 0;
    if (!buf_add(value, 'x')) /* so that an empty value is "", not NULL */
        return -1;
    value->len = 0;
    value->data[0] = '\0';
    for (;;) {
        int ch = next_char(c);
        if (ch == '\n')
            return quoted ? -1 : 0;
        if (!quoted && (ch == ';' || ch == '#')) {
            skip_line(c);
            return 0;
        }
        if (!quoted && is_space(ch)) {
            if (value->len)
                spaces++;
            continue;
        }
        for (; spaces; spaces--)
            if (!buf_add(value, ' '))
                return -1;
        if (ch == '"') {
            quoted = !quoted;
            continue;
        }
        if (ch == '\\') {
            ch = next_char(c);
            if (ch == '\n' && !c->eof)
                continue; /* a continuation line */
            static const char from[] = "tbn\\\"", to[] = "\t\b\n\\\"";
            const char *e = ch == '\n' ? NULL : strchr(from, ch);
            if (!e)
                return -1;
            ch = (unsigned char)to[e - from];
        }
        if (!buf_add(value, (char)ch))
            return -1;
    }
}

/* At the first letter of a key: "key", "key = value" or "key=value". */
static int read_setting(struct cursor *c, int first, const struct buf *section, gitconfig_visit visit, void *ctx)
{
    struct buf name = {.max = NAME_MAX_LEN}, value = {.max = VALUE_MAX_LEN};
    int line = c->line + 1, rc = -1, ch = first;
    bool ok = section->len && section->len < NAME_MAX_LEN - 2;
    for (size_t i = 0; ok && i < section->len; i++)
        ok = buf_add(&name, section->data[i]);
    ok = ok && buf_add(&name, '.');
    while (ok && is_key_char(ch)) {
        ok = buf_add(&name, lower(ch));
        ch = next_char(c);
    }
    while (ch == ' ' || ch == '\t')
        ch = next_char(c);
    if (ok && ch == '\n') {
        visit(&(struct gitconfig_entry){.name = name.data, .value = NULL, .line = line}, ctx);
        rc = 0;
    } else if (ok && ch == '=' && read_value(c, &value) == 0) {
        visit(&(struct gitconfig_entry){.name = name.data, .value = value.data, .line = line}, ctx);
        rc = 0;
    }
    free(name.data);
    free(value.data);
    return rc;
}

int gitconfig_parse(const char *text, size_t len, gitconfig_visit visit, void *ctx, int *bad_line)
{
    struct cursor c = {.text = text, .len = len};
    struct buf section = {.max = NAME_MAX_LEN};
    int rc = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.at = 3;
    while (rc == 0) {
        int ch = next_char(&c);
        if (c.eof)
            break;
        if (is_space(ch))
            continue;
        if (ch == '#' || ch == ';')
            skip_line(&c);
        else if (ch == '[')
            rc = read_section(&c, &section);
        else if (is_alpha(ch))
            rc = read_setting(&c, ch, &section, visit, ctx);
        else
            rc = -1;
    }
    if (rc < 0 && bad_line)
        *bad_line = c.line + (c.eof ? 0 : 1);
    free(section.data);
    return rc;
}

/* The last part of a name, and whether it has a subsection. */
static const char *key_of(const char *name) { return strrchr(name, '.') + 1; }

static bool section_is(const char *name, const char *section)
{
    size_t n = strlen(section);
    return strncmp(name, section, n) == 0 && name[n] == '.';
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool gitconfig_runs_command(const char *name)
{
    /* Keys git runs as a command whatever their section: core.editor,
     * core.pager, sequence.editor, credential.helper, gpg.program,
     * mergetool.X.cmd, diff.X.command, gpg.ssh.defaultKeyCommand... */
    static const char *const suffixes[] = {"cmd", "command", "program", "helper", "editor", "pager"};
    /* And these, by their own name: core.fsmonitor (a hook), core.hooksPath
     * (a directory of hooks), filter drivers, diff.external, textconv and
     * merge drivers, remote helpers run for fetch and push, the hook
     * upload-pack runs, the filter of `add -p`, sendemail's server when it
     * is a program. */
    static const char *const keys[] = {"fsmonitor",  "hookspath",       "askpass",    "gitproxy",   "clean",
                                       "smudge",     "process",         "textconv",   "driver",     "external",
                                       "uploadpack", "receivepack",     "difffilter", "smtpserver", "packobjectshook",
                                       "update"};
    const char *key = key_of(name);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (ends_with(key, suffixes[i]))
            return true;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    /* Every alias (a '!' one is a shell command, any other may pass -c
     * with one of the keys above), every pager.CMD, every include, and the
     * paths of external tools. */
    if (section_is(name, "alias") || section_is(name, "pager") || section_is(name, "include") ||
        section_is(name, "includeif") || section_is(name, "hook"))
        return true;
    return strcmp(key, "path") == 0 && (section_is(name, "mergetool") || section_is(name, "difftool") ||
                                        section_is(name, "browser") || section_is(name, "man"));
}

static void note_command(const struct gitconfig_entry *entry, void *ctx)
{
    struct gitconfig_findings *found = ctx;
    if (!gitconfig_runs_command(entry->name))
        return;
    if (found->n_commands < GITCONFIG_SHOWN_MAX)
        str_printable(entry->name, found->shown[found->n_commands], sizeof found->shown[0]);
    found->n_commands++;
}

void gitconfig_find_commands(const char *text, size_t len, struct gitconfig_findings *found)
{
    *found = (struct gitconfig_findings){0};
    found->unreadable = gitconfig_parse(text, len, note_command, found, &found->bad_line) < 0;
}

const char *gitconfig_describe(const struct gitconfig_findings *found, char *buf, size_t len)
{
    size_t shown = found->n_commands < GITCONFIG_SHOWN_MAX ? found->n_commands : GITCONFIG_SHOWN_MAX;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < shown && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", found->shown[i]);
    if (found->n_commands > shown && used < len)
        snprintf(buf + used, len - used, " and %zu more", found->n_commands - shown);
    return buf;
}
