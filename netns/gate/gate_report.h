/* What the sandbox was refused, told once per thing per minute, at most a
 * few lines a second: a looping client must not flood the terminal. */
#ifndef CLBOX_NETNS_GATE_REPORT_H
#define CLBOX_NETNS_GATE_REPORT_H

#include <stdbool.h>

struct gate_reporter {
    bool quiet;
    int log_file_fd;
};

/* `key` identifies the refused thing (for de-duplication); the message is
 * the line without "clbox: ".  The formatted line goes through
 * str_printable() before it is written, on stderr and to --log alike. */
void gate_report(struct gate_reporter *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
