/* The user's terminal, held by the launcher alone while it relays the
 * command's pty (pty_relay.c). */
#ifndef CLBOX_USER_TTY_H
#define CLBOX_USER_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "common/error.h"

struct user_tty {
    int keyboard;           /* 0 when stdin is the terminal, else -1: nothing is read */
    int screen;             /* where the pty's output goes: 1, 2, or 0 */
    int modes_fd;           /* the first standard stream that is the terminal */
    struct termios saved;   /* its modes when clbox started */
    bool have_saved, raw;
};

/* `streams`: bit N set when fd N is a terminal.  Reads the modes to
 * restore.  -1 with a reason in err. */
int user_tty_open(struct user_tty *t, unsigned streams, struct error *err);
/* Gives the pty behind `master` the terminal's modes and window size. */
void user_tty_copy_to(const struct user_tty *t, int master);
void user_tty_sync_size(const struct user_tty *t, int master);
/* Raw mode, when clbox reads the keyboard; die() restores it from then on. */
void user_tty_raw(struct user_tty *t);
/* Back to the saved modes (a stop, the end); user_tty_raw() again after. */
void user_tty_restore(struct user_tty *t);
/* The end: restored, and die() has nothing more to undo. */
void user_tty_close(struct user_tty *t);

#endif
