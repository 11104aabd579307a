#!/bin/bash
# The real Claude Code CLI's interactive screen through clbox's pty relay,
# as a user starts it from a shell on a terminal (tests/lib/ptyshell.py):
# it draws its screen on the command's pty, its exit status is its own,
# and the user's terminal is as before once it ends.  There is no network
# (--net none), so the CLI stops at its "Unable to connect" screen.
# Needs the CLI, as 81-claude-real.t does (CLBOX_TEST_CLAUDE_NPM).
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
require_claude_cli
T_TIMEOUT=90
export CLBOX PROJECT

steps='
before = outer_modes()
send("cd \"$PROJECT\" && TERM=xterm-256color \"$CLBOX\" run -q --net none -- claude --dangerously-skip-permissions; echo rc=$?\n")
m = expect(r"rc=(\d+)", 60)
say("rc", m.group(1).decode())
text = re.sub(rb"\x1b\[[0-9;?<>=]*[a-zA-Z~]", b"", seen).decode("utf-8", "replace")
say("welcome", "yes" if re.search(r"Welcome\s*to\s*Claude\s*Code", text) else "no")
say("connect", "yes" if re.search(r"Unable\s*to\s*connect", text) else "no")
say("same", "yes" if outer_modes() == before else "no")
'
OUT=$(PTYSHELL_TIMEOUT=80 timeout -k 5 90 python3 "$SRCDIR/tests/lib/ptyshell.py" <<<"$steps" 2>&1)
RC=$?
diag "$OUT"
val() { sed -n "s/^$1=//p" <<<"$OUT" | head -n1; }
is "$(val welcome)" yes "the CLI draws its welcome screen through the relay"
is "$(val connect)" yes "... and, with no network, says it cannot connect"
is "$(val rc)" 1 "its exit status is its own (1)"
is "$(val same)" yes "the user's terminal modes are as before once it has ended"
is "$RC" 0 "(sanity) the pty harness ran to its end"
done_testing
