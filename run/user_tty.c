/* The user's terminal while clbox relays the command's pty: its modes
 * saved once, raw while the command runs (when clbox reads the keyboard),
 * and restored from that copy on every way out: the end of the sandbox, a
 * stop, die().  Only clbox ever holds this terminal; the command has the
 * pty, so nothing it does can change the terminal's line discipline,
 * exclusive mode or modes. */
#include "run/user_tty.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/error.h"
#include "common/message.h"
#include "common/util.h"

static struct user_tty *restore_on_die;

static void restore_for_die(void)
{
    if (restore_on_die)
        user_tty_restore(restore_on_die);
}

int user_tty_open(struct user_tty *t, unsigned streams, struct error *err)
{
    *t = (struct user_tty){.keyboard = (streams & 1u) ? 0 : -1, .modes_fd = -1, .screen = -1};
    for (int fd = 0; fd <= 2 && t->modes_fd < 0; fd++)
        if (streams & (1u << fd))
            t->modes_fd = fd;
    /* The pty's output (the command's, and the echo of what is typed) goes
     * where the user sees it: stdout, else stderr, else the keyboard's own
     * terminal. */
    t->screen = (streams & 2u) ? 1 : (streams & 4u) ? 2 : 0;
    if (t->modes_fd < 0)
        return error_set(err, "no standard stream is a terminal");
    if (tcgetattr(t->modes_fd, &t->saved) < 0)
        return error_errno(err, errno, "cannot read your terminal's modes: %m");
    t->have_saved = true;
    return 0;
}

void user_tty_copy_to(const struct user_tty *t, int master)
{
    /* Set through the master, these are the pty's own modes and size: the
     * command starts with what the user's terminal had. */
    tcsetattr(master, TCSANOW, &t->saved);
    user_tty_sync_size(t, master);
}

void user_tty_sync_size(const struct user_tty *t, int master)
{
    struct winsize size;
    if (ioctl(t->modes_fd, TIOCGWINSZ, &size) == 0)
        ioctl(master, TIOCSWINSZ, &size);
}

void user_tty_raw(struct user_tty *t)
{
    if (t->keyboard < 0 || t->raw)
        return;
    /* Every key goes to the pty as typed: ^C, ^Z and ^\ become signals
     * there, by the pty's own modes, for the command's foreground group. */
    struct termios raw = t->saved;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    restore_on_die = t;
    clbox_before_die = restore_for_die;
    /* From the background this stops clbox (SIGTTOU) until `fg`. */
    while (tcsetattr(t->modes_fd, TCSADRAIN, &raw) < 0)
        if (errno != EINTR) {
            warnx_clbox("cannot put your terminal in raw mode, keys reach the command as lines: %m");
            return;
        }
    t->raw = true;
}

void user_tty_restore(struct user_tty *t)
{
    if (!t->have_saved || !t->raw)
        return;
    while (tcsetattr(t->modes_fd, TCSADRAIN, &t->saved) < 0 && errno == EINTR)
        ;
    t->raw = false;
}

void user_tty_close(struct user_tty *t)
{
    user_tty_restore(t);
    if (restore_on_die == t) {
        restore_on_die = NULL;
        clbox_before_die = NULL;
    }
}
