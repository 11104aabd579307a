# shellcheck shell=bash
# tests/lib/stackfaults.sh - the faults of a filtered sandbox's network
# stack, the same for slirp4netns (tests/sandbox/95-faults.t) and pasta
# (tests/sandbox/96-pasta.t).  Source it after procs.sh and tap.sh, from the
# project directory.  Each function makes a fixed number of assertions,
# given with it.

# stack_killed_case MARK STACK [CLBOX-ARG...]: SIGKILL of the network stack
# while the command keeps trying an address the filter refuses.  The command
# must go on without network, never connect, and finish; clbox must name
# the dead stack; nothing may be left.  8 assertions.
stack_killed_case() {
    local m=$1 name=$2 base stack n0 n1
    shift 2
    base=$(user_pids)
    rm -f sk-ready sk-stop sk-count
    T_TIMEOUT=40 spawn "$CLBOX" run "$@" -- bash -c '
        (exec -a "$1" sleep 60) &
        i=0
        while [ "$i" -lt 100 ] && [ "$SECONDS" -lt 30 ] && [ ! -e sk-stop ]; do
            i=$((i + 1))
            if curl -s -o /dev/null --connect-timeout 1 -m 2 http://203.0.113.9/; then
                echo "attempt $i: CONNECTED"
            else
                echo "attempt $i: failed ($?)"
            fi
            echo "$i" > sk-count
            echo > sk-ready
            sleep 0.2
        done
        echo "finished after $i attempts"' bash "$m"
    stack=
    if wait_for 10 test -e sk-ready; then
        wait_for 2 stack_of "$BG_PID" >/dev/null
        stack=$(stack_of "$BG_PID")
    fi
    is "$(wc -w <<<"$stack")" "1" "(sanity) the filtered sandbox runs, with one $name as a child of the launcher"
    n0=$(cat sk-count 2>/dev/null || echo 0)
    # shellcheck disable=SC2086 # it holds no pid, one or several
    [ -n "$stack" ] && kill -9 $stack
    _count_reached() { [ "$(cat sk-count 2>/dev/null || echo 0)" -ge "$1" ]; }
    wait_for 15 _count_reached $((n0 + 5))
    n1=$(cat sk-count 2>/dev/null || echo 0)
    touch sk-stop
    reap
    diag "curl's results: $(grep '^attempt' <<<"$OUT" | sed 's/^attempt [0-9]*: //' | sort | uniq -c | tr -s ' \n' ' ')"
    like "$ERR" 'clbox: blocked connection to 203\.0\.113\.9' "(sanity) before the kill the address is refused and reported"
    ok "after SIGKILL of $name the command goes on trying ($n0 attempts before, $n1 when stopped)" \
        test "$n1" -ge $((n0 + 5))
    like_line "$OUT" '^attempt [0-9]+: failed' "every attempt fails ..."
    unlike_line "$OUT" 'CONNECTED' "... none ever gets a connection, before or after the kill"
    like_line "$ERR" "^clbox: $name was killed by signal 9: " "clbox reports '$name was killed by signal 9: ...'"
    ok "the command can still finish: exit 0, 'finished' printed" test "$RC" = 0 -a -n "$(grep '^finished after' <<<"$OUT")"
    # shellcheck disable=SC2086 # it holds no pid, one or several
    nothing_left "after it: nothing is left (no $name, no sandbox process)" 2 "$base" "$m" $stack
}

# launcher_killed_case MARK STACK [CLBOX-ARG...]: SIGKILL of the launcher of
# a filtered sandbox: within 1 s nothing of it is left.  3 assertions.
launcher_killed_case() {
    local m=$1 name=$2 base gate stack
    shift 2
    base=$(user_pids)
    rm -f lk-ready
    spawn "$CLBOX" run "$@" -- bash -c '
        (exec -a "$1" sleep 60) &
        bash -c "exec -a $1 sleep 61" &
        echo > lk-ready
        wait' bash "$m"
    gate='' stack=''
    if wait_for 10 test -e lk-ready; then
        wait_for 5 marked_at_least "$m" 2
        gate=$(gate_of "$BG_PID")
        stack=$(stack_of "$BG_PID")
    fi
    ok "(sanity) the sandbox runs its two marked processes, with a gate and a $name ($gate, $stack)" \
        test "$(marked_count "$m")" -eq 2 -a -n "$gate" -a -n "$stack"
    { kill -9 "$BG_PID"; reap; } 2>/dev/null
    is "$RC" "137" "(sanity) the launcher died of SIGKILL"
    # shellcheck disable=SC2086 # each holds no pid, one or several
    nothing_left "SIGKILL of the launcher: within 1 s nothing is left (sandbox processes, gate, $name)" \
        1 "$base" "$m" $gate $stack
}

# _start_case MARK STACK VAR WHAT VALUE BOUND_MS [CLBOX-ARG...]: clbox run
# with VAR=VALUE must end in exit 125 with a message naming STACK, within
# BOUND_MS, without running the command and without leaving anything.
# Sets ERR for more checks.  5 assertions.
_start_case() {
    local m=$1 name=$2 var=$3 what=$4 value=$5 bound=$6 t0 elapsed base
    shift 6
    base=$(user_pids)
    rm -f ran-marker
    t0=$(now_ms)
    run env "$var=$value" "$CLBOX" run "$@" -- bash -c '(exec -a "$1" sleep 60) & echo > ran-marker; wait' bash "$m"
    elapsed=$(($(now_ms) - t0))
    is "$RC" "125" "$name $what: exit 125"
    like_line "$ERR" "^clbox: .*$name" "$name $what: a 'clbox: ' message that names $name"
    ok "$name $what: clbox gives up within the bound (${elapsed} ms <= $bound ms)" test "$elapsed" -le "$bound"
    ok "$name $what: the command is not run" test ! -e ran-marker
    nothing_left "$name $what: nothing is left" 2 "$base" "$m"
}

# stack_start_faults MARK STACK VAR [CLBOX-ARG...]: the stack (named by
# the variable VAR) missing, failing at once, and too slow to become ready.
# 18 assertions.
stack_start_faults() {
    local m=$1 name=$2 var=$3
    shift 3
    _start_case "${m}c" "$name" "$var" "missing ($var=/nonexistent)" /nonexistent 3000 "$@"
    like "$ERR" "$var=/nonexistent is not an executable file" "$name missing: the message names the path $var gave"

    printf '#!/bin/sh\necho "fake %s: refusing on purpose" >&2\nexit 1\n' "$name" >"$T_ROOT/stack-fails"
    chmod 755 "$T_ROOT/stack-fails"
    _start_case "${m}c" "$name" "$var" "failing at once (a script that exits 1)" "$T_ROOT/stack-fails" 3000 "$@"
    like "$ERR" 'refusing on purpose' "$name failing: the message passes on what $name said"

    printf '#!/bin/bash\nexec -a %q sleep 30\n' "${m}slow" >"$T_ROOT/stack-slow"
    chmod 755 "$T_ROOT/stack-slow"
    _start_case "${m}c" "$name" "$var" "slow to become ready (a script that sleeps 30 s)" "$T_ROOT/stack-slow" 8000 "$@"
    if wait_for 2 marked_none "${m}slow"; then
        pass "$name slow: the stalled $name is killed, not left behind"
    else
        fail "$name slow: the stalled $name is killed, not left behind" "left: $(pgrep -a -f "^${m}slow")"
        pkill -9 -u "$MY_UID" -f "^${m}slow"
    fi
}
