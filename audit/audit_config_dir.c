/* The exit audit of the config dir (CLAUDE_CONFIG_DIR): Claude Code run on
 * the host with the same config dir obeys its settings.json (whose hooks
 * are commands) and its hooks/, commands/ and agents/.  They are writable
 * inside, so what the session created or changed there is reported, never
 * through a link, bounded in depth and count.  Nothing is renamed: Claude
 * Code itself writes its settings during a session, and only the user can
 * tell its writes from a planted hook. */
#include "audit/audit_config_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_steps.h"
#include "common/message.h"
#include "common/util.h"

enum { CONFIG_DIR_MAX_DEPTH = 3, CONFIG_DIR_MAX_ENTRIES = 2000, CONFIG_DIR_MAX_REPORTED = 20 };

static const char *const config_files[] = {"settings.json", "settings.local.json"};
static const char *const config_subdirs[] = {"hooks", "commands", "agents"};

struct config_walk {
    const struct timespec *since;
    int entries_left, reported, unreported;
};

static void report_entry(int dir, const char *name, const char *shown_dir, struct config_walk *w)
{
    char shown[4 * NAME_MAX + 1];
    if (w->reported >= CONFIG_DIR_MAX_REPORTED) {
        w->unreported++;
        return;
    }
    w->reported++;
    warnx_clbox("%s %s %s/%s, which Claude Code obeys when you run it outside clbox with this config dir: "
                "read it before you do", audit_actor(), audit_what_was_done(dir, name, w->since), shown_dir,
                str_printable(name, shown, sizeof shown));
}

static void walk_config_subdir(int dir, const char *shown_dir, int depth, struct config_walk *w)
{
    DIR *d = fdopendir(dup(dir));
    for (struct dirent *e; d && (e = readdir(d)) && w->entries_left-- > 0;) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || !audit_stat_at(dir, e->d_name, &st))
            continue;
        if (!S_ISDIR(st.st_mode)) {
            if (audit_changed(&st, w->since))
                report_entry(dir, e->d_name, shown_dir, w);
            continue;
        }
        char name[4 * NAME_MAX + 1];
        autoclose int sub = depth < CONFIG_DIR_MAX_DEPTH
                                ? openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                : -1;
        autofree char *sub_shown = xasprintf("%s/%s", shown_dir, str_printable(e->d_name, name, sizeof name));
        if (sub >= 0)
            walk_config_subdir(sub, sub_shown, depth + 1, w);
    }
    if (d)
        closedir(d);
}

void audit_config_dir(const char *config_dir, const struct timespec *since)
{
    autoclose int dir = config_dir ? open(config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dir < 0)
        return;
    char shown[4 * PATH_MAX + 1];
    str_printable(config_dir, shown, sizeof shown);
    struct config_walk w = {.since = since, .entries_left = CONFIG_DIR_MAX_ENTRIES};
    for (size_t i = 0; i < sizeof config_files / sizeof config_files[0]; i++) {
        struct stat st;
        if (audit_stat_at(dir, config_files[i], &st) && audit_changed(&st, since))
            report_entry(dir, config_files[i], shown, &w);
    }
    for (size_t i = 0; i < sizeof config_subdirs / sizeof config_subdirs[0]; i++) {
        struct stat st;
        if (!audit_stat_at(dir, config_subdirs[i], &st))
            continue;
        if (!S_ISDIR(st.st_mode)) { /* a link: the host's Claude Code would follow it */
            if (audit_changed(&st, since))
                report_entry(dir, config_subdirs[i], shown, &w);
            continue;
        }
        autoclose int sub = openat(dir, config_subdirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        autofree char *sub_shown = xasprintf("%s/%s", shown, config_subdirs[i]);
        if (sub >= 0)
            walk_config_subdir(sub, sub_shown, 1, &w);
    }
    if (w.unreported)
        warnx_clbox("... and %d more in %s", w.unreported, shown);
}
