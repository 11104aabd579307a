#include "netns/gate/gate_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "common/message.h"

enum { REMEMBERED = 128, REPEAT_AFTER_S = 60, LINES_PER_SECOND = 10 };

static struct {
    char key[128];
    time_t at;
} recent[REMEMBERED];
static size_t next_slot;
static time_t window_start;
static int lines_in_window;

static bool seen_recently(const char *key, time_t now)
{
    for (size_t i = 0; i < REMEMBERED; i++)
        if (recent[i].at && now - recent[i].at < REPEAT_AFTER_S && strcmp(recent[i].key, key) == 0)
            return true;
    snprintf(recent[next_slot].key, sizeof recent[next_slot].key, "%s", key);
    recent[next_slot].at = now;
    next_slot = (next_slot + 1) % REMEMBERED;
    return false;
}

static bool over_rate(time_t now)
{
    if (now != window_start) {
        window_start = now;
        lines_in_window = 0;
    }
    return ++lines_in_window > LINES_PER_SECOND;
}

/* The whole line is escaped, not just the names in it: whatever a caller
 * passes (a name from a query or an answer, an address), no byte the
 * sandbox chose can steer the user's terminal or a viewer of --log. */
void gate_report(struct gate_reporter *r, const char *key, const char *fmt, ...)
{
    time_t now = time(NULL);
    if (seen_recently(key, now) || over_rate(now))
        return;
    char raw[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* One write per line: lines from the gate and the launcher never mix. */
    char line[32 + 4 * sizeof raw + 1];
    size_t prefix_len = message_prefix(line, 32);
    char *message = line + prefix_len;
    str_printable(raw, message, sizeof line - prefix_len - 1);
    size_t len = strlen(message);
    message[len++] = '\n';
    if (!r->quiet)
        (void)write_all(STDERR_FILENO, line, len + prefix_len);
    if (r->log_file_fd >= 0) {
        char stamp[32];
        struct tm tm;
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S ", localtime_r(&now, &tm));
        (void)write_all(r->log_file_fd, stamp, strlen(stamp));
        (void)write_all(r->log_file_fd, message, len);
    }
}
