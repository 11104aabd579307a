/* The launcher's side of the command's pty: the relay between its master
 * and the user's terminal (init_pty.h for the sandbox's side). */
#ifndef CLBOX_PTY_RELAY_H
#define CLBOX_PTY_RELAY_H

#include <stdbool.h>
#include <sys/types.h>

#include "plan/plan_core.h"
#include "run/user_tty.h"

struct relay_buf {
    char data[16384];
    size_t len;
};

struct pty_relay {
    struct user_tty tty;
    int master, channel, sigfd;
    pid_t init;
    int endings; /* requests to end passed on (signals.h) */
    bool channel_open, master_open, keyboard_open, screen_open;
    bool hung_up;         /* the user's terminal is gone; SIGHUP was passed on */
    bool command_stopped; /* init said it stopped; continue it on resume */
    struct relay_buf to_pty, to_screen;
};

/* Takes the pty's master from init over `channel`, gives the pty the
 * user's terminal modes and size, makes the terminal raw, and tells init
 * to start the command.  -1 when init ended first (it said why). */
int pty_relay_start(struct pty_relay *r, const struct plan *plan, int channel, pid_t init);
/* Relays until init exits, drains the pty, restores the user's terminal;
 * returns the sandbox's exit status. */
int pty_relay_run(struct pty_relay *r);

#endif
