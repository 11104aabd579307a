#!/bin/bash
# The terminal and the process group belong to the user: with a terminal,
# the command runs in a session of its own on a pseudo-terminal that clbox
# relays, so nothing inside can signal clbox or the user's shell, take the
# user's terminal, or leave it changed.  Driven through an interactive bash
# on a pty of the test's own (tests/lib/ptyshell.py), as a user would.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

export CLBOX PY=/usr/bin/python3
PTYSHELL="$SRCDIR/tests/lib/ptyshell.py"
# shell STEPS: runs the Python STEPS against the interactive shell; OUT
# holds what they said (key=value lines).
shell() {
    OUT=$(PTYSHELL_TIMEOUT=60 timeout -k 5 90 "$PY" "$PTYSHELL" <<<"$1" 2>&1)
    RC=$?
    diag "$OUT"
}
val() { sed -n "s/^$1=//p" <<<"$OUT" | head -n1; }
# The programs run inside, kept in the project (visible at the same path).
mkdir -p "$PROJECT/t"
prog() { cat >"$PROJECT/t/$1.py"; }

prog kill0 <<'EOF'
import os, subprocess
subprocess.run(["git", "init", "-q", "sub"], check=True)
open("sub/.git/hooks/post-checkout", "w").write("#!/bin/sh\n")
os.kill(0, 9)
EOF
prog stop0 <<'EOF'
import os, signal
print("stop" + "ping", flush=True)
os.kill(0, signal.SIGSTOP)
print("re" + "sumed", flush=True)
EOF
prog takefg <<'EOF'
import os, signal, time
child = os.fork()
if child == 0:
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.setpgid(0, 0)
    os.tcsetpgrp(0, os.getpgrp())
    print("took", flush=True)
    time.sleep(1)
    os._exit(0)
os.waitpid(child, 0)
EOF
prog killout <<'EOF'
import os, sys
for target in (-int(sys.argv[1]), -1):
    try:
        os.kill(target, 0)
        print("kill", target, "reached")
    except OSError as e:
        print("kill", "pgid" if target != -1 else "-1", e.errno)
print("own-pgrp", os.getpgrp() == os.getpid(), "sid", os.getsid(0))
EOF
prog mangle <<'EOF'
import fcntl, struct, sys, termios, tty
sys.stdout = open("t/mangle.out", "w")
tty.setraw(0)
a = termios.tcgetattr(0)
a[4] = a[5] = termios.B50
termios.tcsetattr(0, termios.TCSANOW, a)
for disc in (27, 13, 15, 2, 5, 7):
    try:
        fcntl.ioctl(0, termios.TIOCSETD, struct.pack("i", disc))
        print("setd", disc)
        break
    except OSError:
        pass
fcntl.ioctl(0, termios.TIOCEXCL)
print("changed", flush=True)
EOF
prog winsize <<'EOF'
import os, signal, time
# The handler only notes the signal: printing from it could re-enter a
# print it interrupted.  Each new size is printed once, the first at once.
winched = [True]
signal.signal(signal.SIGWINCH, lambda *_: winched.append(True))
shown = []
# Until a second size has been seen (a loaded machine may be slow to send
# the resize), at most 15 s.
deadline = time.monotonic() + 15
while len(shown) < 2 and time.monotonic() < deadline:
    if winched:
        winched.clear()
        size = os.get_terminal_size(0)
        if not shown or size != shown[-1]:
            print("size", size.lines, size.columns, flush=True)
            shown.append(size)
    time.sleep(0.05)
EOF
prog ticks <<'EOF'
import signal, time
# Noted in the handler, printed by the loop (a print must not re-enter one).
winched = []
signal.signal(signal.SIGWINCH, lambda *_: winched.append(True))
for i in range(300):
    if winched:
        winched.clear()
        print("re" + "draw", flush=True)
    print("tick", i, flush=True)
    time.sleep(0.1)
EOF
prog noterm <<'EOF'
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(30)
EOF
prog hup <<'EOF'
import signal, time
def hup(*_):
    open("t/hup-marker", "w").write("hup")
    raise SystemExit(0)
signal.signal(signal.SIGHUP, hup)
print("ready", flush=True)
time.sleep(30)
EOF

# --- kill(0, SIGKILL) inside reaches the sandbox's process group only
shell '
send("\"$CLBOX\" run -- $PY t/kill0.py; echo rc=$?\n")
m = expect(r"rc=(\d+)", 20)
say("rc", m.group(1).decode())
say("seen", repr(seen))
'
is "$(val rc)" 137 "kill(0, SIGKILL) inside: clbox exits 137, the command's death"
like "$(val seen)" 'killed by signal 9' "... and clbox says the command was killed"
like "$(val seen)" 'sandbox wrote .*sub/.git/hooks/post-checkout' "... and the exit audit ran (it names the planted hook)"
rm -rf sub

# --- kill(0, SIGSTOP) inside stops the command only; SIGCONT to clbox resumes it
shell '
send("\"$CLBOX\" run -- $PY t/stop0.py; echo rc=$?\n")
expect(r"stopping", 20)
job = job_pid()
drain(1.0)
say("state", pid_state(job))
say("prompt", "yes" if b"Stopped" in seen else "no")
say("told", "yes" if re.search(rb"stopped by SIGSTOP.*kill -CONT %d" % job, seen) else "no")
os.kill(job, signal.SIGCONT)
expect(r"resumed", 10)
m = expect(r"rc=(\d+)", 10)
say("rc", m.group(1).decode())
'
like "$(val state)" "^[RS]$" "kill(0, SIGSTOP) inside: clbox is not stopped (state $(val state))"
is "$(val prompt)" no "... the user's shell does not take the terminal back"
is "$(val told)" yes "... and clbox says how to continue the command (kill -CONT and its pid)"
is "$(val rc)" 0 "... and SIGCONT sent to clbox resumes the command, which ends normally"

# --- tcsetpgrp inside changes the pty's foreground, never the user's terminal's
shell '
send("\"$CLBOX\" run -- $PY t/takefg.py; echo rc=$?\n")
expect(r"took", 20)
job = job_pid()
fg, mine = outer_foreground(), os.getpgid(job)
say("fg_is_clbox", "yes" if fg == mine else "no:%d/%d" % (fg, mine))
expect(r"rc=(\d+)", 10)
'
is "$(val fg_is_clbox)" yes "tcsetpgrp inside: the user's terminal's foreground stays clbox's process group"

# --- kill(-pgid of clbox) and kill(-1) inside reach nothing outside
shell '
send("sh -c '"'"'exec \"$CLBOX\" run -- $PY t/killout.py $$'"'"'; echo rc=$?\n")
expect(r"rc=(\d+)", 20)
say("seen", repr(seen))
'
like "$(val seen)" 'kill pgid 3' "kill(-pgid of clbox, 0) inside: ESRCH"
like "$(val seen)" 'own-pgrp True sid 1' "the command leads its own process group, in the session of the sandbox's init"

# --- nothing done to the terminal inside survives clbox
shell '
before = outer_modes()
send("stty -g; \"$CLBOX\" run -- $PY t/mangle.py; echo rc=$?; stty -g\n")
m = expect(r"rc=(\d+)", 20)
say("rc", m.group(1).decode())
expect(r"\$ $", 5)
after = outer_modes()
say("same", "yes" if before == after else "no")
say("before", before)
say("after", after)
say("seen", repr(seen))
'
diag "inside: $(cat t/mangle.out)"
like "$(cat t/mangle.out)" 'changed' "raw mode, B50, TIOCSETD and TIOCEXCL inside: the command ran to its end"
is "$(val same)" yes "... and the outer terminal's termios, line discipline and exclusive mode are as before"
stty_lines=$(grep -oE "[0-9a-f]+(:[0-9a-f]+){20,}" <<<"$(val seen)")
ok "... stty -g outside is byte for byte the same ($(head -n1 <<<"$stty_lines"))" \
    test "$(wc -l <<<"$stty_lines")" = 2 -a "$(sort -u <<<"$stty_lines" | wc -l)" = 1

# --- window size: the outer one inside, and it follows a resize
shell '
send("\"$CLBOX\" run -- $PY t/winsize.py; echo rc=$?\n")
m = expect(r"size (\d+) (\d+)", 20)
say("first", "%s %s" % (m.group(1).decode(), m.group(2).decode()))
resize(30, 100)
m = expect(r"size (\d+) (\d+)", 10)
say("second", "%s %s" % (m.group(1).decode(), m.group(2).decode()))
expect(r"rc=", 10)
'
is "$(val first)" "24 80" "window size inside is the outer terminal's (24x80)"
is "$(val second)" "30 100" "... and follows a resize (30x100)"

# --- Ctrl-Z stops the command and clbox; fg resumes both
shell '
send("\"$CLBOX\" run -- $PY t/ticks.py; echo rc=$?\n")
expect(r"tick 3", 20)
job = job_pid()
running = outer_modes()
send("\x1a")
expect(r"Stopped", 10)
expect(r"\$ $", 5)
say("state", pid_state(job))
say("restored", "yes" if outer_modes() != running else "no")
send("jobs\n")
expect(r"\[1\]\+\s+Stopped", 5)
say("jobs", "stopped")
expect(r"\$ $", 5)
send("fg; echo rc=$?\n")
say("redraw", "yes" if expect(r"redraw|tick 2\d\d", 10).group(0) == b"redraw" else "no")
expect(r"tick (\d+)", 10)
m = expect(r"tick (\d+)", 10)
say("after_fg", m.group(1).decode())
say("raw_again", "yes" if outer_modes() == running else "no")
send("\x03")
m = expect(r"rc=(\d+)", 10)
say("rc", m.group(1).decode())
'
is "$(val state)" T "Ctrl-Z: clbox stops"
is "$(val jobs)" stopped "... and the user's shell sees the job stopped"
is "$(val restored)" yes "... with the terminal back in the shell's modes (no longer raw)"
ok "fg: the command resumes (tick $(val after_fg))" test -n "$(val after_fg)"
is "$(val redraw)" yes "... and gets a SIGWINCH to redraw"
is "$(val raw_again)" yes "... with the terminal raw again"
is "$(val rc)" 130 "Ctrl-C then ends it: 130"

# --- Ctrl-C ends a command that does not catch it, with 130
shell '
send("\"$CLBOX\" run -- sh -c \"echo re\"\"ady; exec sleep 30\"; echo rc=$?\n")
expect(r"ready", 20)
drain(0.3)
send("\x03")
m = expect(r"rc=(\d+)", 10)
say("rc", m.group(1).decode())
'
is "$(val rc)" 130 "Ctrl-C: a command that does not catch SIGINT ends with 130"

# --- clbox ended from outside (SIGTERM twice): the terminal is restored
shell '
before = outer_modes()
send("\"$CLBOX\" run -- $PY t/noterm.py; echo rc=$?\n")
expect(r"ready", 20)
job = job_pid()
drain(0.3)
os.kill(job, signal.SIGTERM)
time.sleep(0.3)
os.kill(job, signal.SIGTERM)
m = expect(r"rc=(\d+)", 10)
say("rc", m.group(1).decode())
expect(r"\$ $", 5)
say("same", "yes" if outer_modes() == before else "no")
say("seen", repr(seen))
'
is "$(val rc)" 137 "SIGTERM twice to clbox while the command ignores it: the sandbox is killed (137)"
is "$(val same)" yes "... and the outer terminal's modes are restored"
like "$(val seen)" 'killing the sandbox\\r\\n' "... and clbox's message, written while the terminal was raw, ends its line with CR LF"

# --- the terminal hangs up: the command gets SIGHUP
shell '
send("\"$CLBOX\" run -- $PY t/hup.py\n")
expect(r"ready", 20)
job = job_pid()
drain(0.3)
os.close(master)
end = time.monotonic() + 10
while pid_state(job) not in ("gone", "Z") and time.monotonic() < end:
    time.sleep(0.05)
say("clbox", pid_state(job))
'
is "$(cat t/hup-marker 2>/dev/null)" hup "the user's terminal hangs up: the command gets SIGHUP"
like "$(val clbox)" '^(gone|Z)$' "... and clbox ends"

# --- output, streams and status under a terminal (script(1))
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'seq 1 20000; printf last-line-without-newline')"
is "$(grep -c '^[0-9][0-9]*$' <<<"$OUT")" 20000 "all 20000 lines written just before exit arrive"
like "$OUT" 'last-line-without-newline$' "... up to the last bytes"
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'exit 42')"
is "$RC" 42 "under a terminal the command's own status passes (42)"
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'kill -TERM $$')"
is "$RC" 143 "... and 128+N when killed by signal N (143)"
under_tty "$(printf '%q run -- sh -c %q </dev/null' "$CLBOX" 'test -t 0 && echo in-tty || echo in-notty; test -t 1 && echo out-tty; readlink /proc/self/fd/0')"
like_line "$OUT" '^in-notty$' "stdin from /dev/null, stdout a terminal: stdin inside is not a terminal"
like_line "$OUT" '^out-tty$' "... while stdout is one"
like_line "$OUT" '^/dev/null$' "... and stdin is the very /dev/null clbox got"
under_tty "$(printf 'echo from-pipe | %q run -- sh -c %q' "$CLBOX" 'cat; test -t 1 && echo out-tty')"
like_line "$OUT" '^from-pipe$' "a pipe on stdin passes through under a terminal"
under_tty "$(printf '%q run -- sh -c %q | cat' "$CLBOX" 'test -t 0 && echo in-tty; test -t 1 && echo out-tty || echo out-notty; readlink /proc/self/fd/1')"
like_line "$OUT" '^in-tty$' "stdout a pipe, stdin a terminal: stdin inside is a terminal"
like_line "$OUT" '^out-notty$' "... and stdout is not"
like_line "$OUT" '^pipe:' "... but the pipe itself"
under_tty "$(printf '%q run -- sh -c %q </dev/null >%q 2>&1; cat %q' "$CLBOX" 'if (exec 3<>/dev/tty) 2>/dev/null; then echo opened-dev-tty; else echo no-dev-tty; fi' "$T_ROOT/devtty.out" "$T_ROOT/devtty.out")"
like_line "$OUT" '^no-dev-tty$' "no stream a terminal, clbox run from one: /dev/tty inside does not open the user's terminal"
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'tty; ls /dev/pts; (exec 3<>/dev/tty) && echo dev-tty-opens')"
like_line "$OUT" '^/dev/pts/0$' "tty names the pty inside"
like_line "$OUT" '^dev-tty-opens$' "... and /dev/tty opens it"
unlike "$OUT" '(^|[^/])[1-9][0-9]*$' "... and no other terminal is in the sandbox's /dev/pts"
done_testing
