#!/bin/bash
# Process life: exit statuses, stdio and the terminal, signals forwarded to
# the command, nothing left behind when the launcher dies, zombies reaped,
# and clbox's own errors (125, 126, 127).
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

# --- exit statuses
sbx -- true
is "$RC" "0" "exit status 0 passes"
sbx -- sh -c 'exit 42'
is "$RC" "42" "exit status 42 passes"
sbx -- sh -c 'exit 255'
is "$RC" "255" "exit status 255 passes"
sbx -- sh -c 'kill -9 $$'
is "$RC" "137" "a command killed by SIGKILL: exit 137 (128+9)"
sbx -- sh -c 'kill -TERM $$'
is "$RC" "143" "a command killed by SIGTERM: exit 143 (128+15)"
sbx -- sh -c 'kill -SEGV $$'
is "$RC" "139" "a command killed by SIGSEGV: exit 139 (128+11)"

# --- stdio
printf abc >"$T_ROOT/stdin-abc"
RUN_STDIN="$T_ROOT/stdin-abc" sbx -- cat
is "$RC:$OUT" "0:abc" "stdin passes: printf abc | clbox run -- cat prints abc"
head -c 1048576 /dev/urandom >"$T_ROOT/big.in"
timeout -k 5 "$T_TIMEOUT" "$CLBOX" run -- cat <"$T_ROOT/big.in" >"$T_ROOT/big.out" 2>/dev/null
is "$(sha "$T_ROOT/big.out")" "$(sha "$T_ROOT/big.in")" "1 MiB of binary stdin comes back byte for byte on stdout"
sbx -- sh -c 'echo to-stdout; echo to-stderr >&2'
is "$OUT" "to-stdout" "stdout carries only the command's stdout"
like_line "$ERR" '^to-stderr$' "stderr carries the command's stderr"
unlike "$ERR" 'to-stdout' "stdout does not leak into stderr"
sbx -- sh -c 'exec 3>&1; echo x >&3'
is "$OUT" "x" "descriptors 0-2 are usable and dup works (sanity for shells)"
sbx -- sh -c 'test -t 0 && echo tty || echo notty'
is "$OUT" "notty" "with stdin from /dev/null the command sees no terminal"

# --- the terminal (under a pseudo-terminal made by script)
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'test -t 0 && echo in-tty; test -t 1 && echo out-tty; tty')"
like_line "$OUT" '^in-tty$' "under a terminal: test -t 0 is true inside"
like_line "$OUT" '^out-tty$' "under a terminal: test -t 1 is true inside"
like_line "$OUT" '^/dev/pts/0$' "under a terminal: tty names the command's pty, /dev/pts/0"
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'read pid comm state ppid pgrp sid ttynr tpgid rest </proc/self/stat; echo "ttynr=$ttynr"; [ "$pgrp" = "$tpgid" ] && echo foreground || echo "background pgrp=$pgrp tpgid=$tpgid"')"
unlike_line "$OUT" '^ttynr=0$' "under a terminal: the command has its pty as its controlling terminal"
like_line "$OUT" '^foreground$' "under a terminal: the command is in the terminal's foreground process group"

# --- signals sent to the clbox process reach the command
# The command traps SIG, writes "got SIG" in the project and exits CODE.
signal_case() {
    local sig=$1 code=$2
    rm -f sig-ready sig-marker
    spawn "$CLBOX" run -- bash -c '
        sig=$1 code=$2
        trap "echo got-$sig > sig-marker; exit $code" "$sig"
        echo ready > sig-ready
        while :; do sleep 0.05; done' bash "$sig" "$code"
    if ! wait_for 10 test -e sig-ready; then
        kill -9 "$BG_PID" 2>/dev/null
        reap
        fail "SIG$sig sent to clbox reaches the command" "the command never became ready"
        return
    fi
    kill -s "$sig" "$BG_PID"
    reap
    if [ "$RC" = "$code" ] && [ "$(cat sig-marker 2>/dev/null)" = "got-$sig" ]; then
        pass "SIG$sig sent to clbox reaches the command (its trap ran, exit $code)"
    else
        fail "SIG$sig sent to clbox reaches the command (its trap ran, exit $code)" \
            "exit status $RC, marker: '$(cat sig-marker 2>/dev/null)'"
    fi
}
signal_case TERM 3
signal_case USR1 4
signal_case INT 5
signal_case HUP 6
signal_case QUIT 7
signal_case USR2 8
signal_case WINCH 9

# A command without a trap dies of the forwarded signal: 128+N.
untrapped_case() {
    local sig=$1 want=$2
    rm -f sig-ready
    spawn "$CLBOX" run -- sh -c 'echo > sig-ready; exec sleep 30'
    if wait_for 10 test -e sig-ready; then
        sleep 0.1
        kill -s "$sig" "$BG_PID"
    fi
    reap
    is "$RC" "$want" "SIG$sig to clbox, command without a trap: exit $want"
}
untrapped_case TERM 143
untrapped_case INT 130
untrapped_case HUP 129

# Two signals in a row both arrive, in order.
rm -f sig-ready sig-log
spawn "$CLBOX" run -- bash -c '
    trap "echo usr1 >> sig-log" USR1
    trap "echo term >> sig-log; exit 0" TERM
    echo > sig-ready
    while :; do sleep 0.05; done'
if wait_for 10 test -e sig-ready; then
    kill -USR1 "$BG_PID"
    wait_for 5 test -s sig-log
    kill -TERM "$BG_PID"
fi
reap
is "$RC:$(tr '\n' ' ' <sig-log 2>/dev/null)" "0:usr1 term " "SIGUSR1 then SIGTERM: both reach the command, in order"

# --- SIGKILL of the launcher: nothing is left inside
# Processes whose command line starts with MARKER (evaluated at each poll).
marked_count() { pgrep -c -f "^$1" 2>/dev/null; }
marked_at_least() { [ "$(marked_count "$1")" -ge "$2" ]; }
marked_none() { [ "$(marked_count "$1")" -eq 0 ]; }
mark="clboxmark$$x$RANDOM"
rm -f sig-ready
# argv[0] of both sleepers is the marker; clbox's own command line only
# holds the pieces ("clboxmark" and the number), never the whole marker.
spawn "$CLBOX" run -- bash -c '
    (exec -a "clboxmark$1" sleep 60) &
    bash -c "exec -a clboxmark$1 sleep 61" &
    echo > sig-ready
    wait' bash "${mark#clboxmark}"
wait_for 10 test -e sig-ready
wait_for 5 marked_at_least "$mark" 2
before=$(marked_count "$mark")
is "$before" "2" "(sanity) the two marked sandbox processes are visible with pgrep before the kill"
{ kill -9 "$BG_PID"; reap; } 2>/dev/null   # no "Killed" job notice on stderr
is "$RC" "137" "(sanity) the launcher died of SIGKILL"
if wait_for 2 marked_none "$mark"; then
    pass "SIGKILL of the launcher: no sandbox process is left after <= 2 s"
else
    fail "SIGKILL of the launcher: no sandbox process is left after <= 2 s" "left: $(pgrep -a -f "^$mark")"
    pkill -9 -f "^$mark"
fi

# Ending the launcher with SIGTERM ends a command that ignores nothing, too.
rm -f sig-ready
spawn "$CLBOX" run -- bash -c '(exec -a "clboxmark$1" sleep 60) & echo > sig-ready; wait' bash "${mark#clboxmark}t"
wait_for 10 test -e sig-ready
wait_for 5 marked_at_least "${mark}t" 1
kill -TERM "$BG_PID"
reap
if wait_for 2 marked_none "${mark}t"; then
    pass "after SIGTERM ends the command, its background children are gone too"
else
    fail "after SIGTERM ends the command, its background children are gone too" "left: $(pgrep -a -f "^${mark}t")"
    pkill -9 -f "^${mark}t"
fi

# --- zombies are reaped by the sandbox's init
sbx -- sh -c '
    (sleep 0.3 & echo $! > /tmp/orphan)
    o=$(cat /tmp/orphan)
    echo "parent=$(grep "^PPid:" /proc/$o/status | cut -f2)"
    sleep 1
    if test -e /proc/$o; then echo "not reaped: $(grep "^State:" /proc/$o/status)"; else echo reaped; fi
    for s in /proc/[0-9]*/stat; do read p c st rest < $s; [ "$st" = Z ] && echo "zombie $p $c"; done; true'
like_line "$OUT" '^parent=1$' "an orphan is adopted by pid 1, the sandbox's init"
like_line "$OUT" '^reaped$' "the orphan is reaped after it exits"
unlike_line "$OUT" '^zombie' "no zombie process remains"
sbx -- sh -c 'for i in 1 2 3 4 5 6 7 8; do (sleep 0.1 &) ; done; sleep 0.6; n=0; for s in /proc/[0-9]*/stat; do read p c st rest < $s; [ "$st" = Z ] && n=$((n+1)); done; echo zombies=$n'
is "$OUT" "zombies=0" "eight orphans that exit leave no zombie"
sbx -- sh -c '(sleep 0.5 &); exit 7'
is "$RC" "7" "the command's exit status is kept when it leaves a running orphan behind"

# --- clbox's own errors
sbx -- no-such-command-clbox-test
is "$RC" "127" "a command that does not exist: exit 127"
like_line "$ERR" '^clbox: .*not found' "a command that does not exist: a 'clbox: ... not found' message"
is "$(grep -c . <<<"$ERR")" "1" "a command that does not exist: the message is one line"
# With -v, a line says which of clbox's processes spoke (here the sandbox's init).
sbx -v -- no-such-command-clbox-test
like_line "$ERR" '^clbox\[init\]: no-such-command-clbox-test: command not found' \
    "-v: the sandbox's init's message starts 'clbox[init]: '"
sbx -- /nonexistent/dir/cmd
is "$RC" "127" "a command path that does not exist: exit 127"
printf '#!/bin/sh\necho should-not-run\n' >noexec.sh
chmod 644 noexec.sh
sbx -- ./noexec.sh
is "$RC" "126" "a file without execute permission: exit 126"
ok "a file without execute permission: one 'clbox: ' line, nothing run" \
    test -n "$(grep '^clbox: ' <<<"$ERR")" -a -z "$OUT" -a "$(grep -c . <<<"$ERR")" = 1
sbx -- /usr/bin
is "$RC" "126" "a directory as the command: exit 126"
rm -f ran-marker
sbx --no-such-option -- touch ran-marker
is "$RC" "125" "an unknown option: exit 125"
ok "an unknown option: a 'clbox: ' message and nothing run" test -n "$(grep '^clbox: ' <<<"$ERR")" -a ! -e ran-marker
sbx
is "$RC" "125" "clbox run without a command: exit 125"
like_line "$ERR" '^clbox: ' "clbox run without a command: a 'clbox: ' message"
sbx --
is "$RC" "125" "clbox run -- without a command: exit 125"
sbx --project -- true
is "$RC" "125" "--project with no directory after it: exit 125"
done_testing
