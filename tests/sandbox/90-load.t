#!/bin/bash
# Load: many sandboxes in a row and at once, a command with hundreds of
# children, a flood of output, and a command that ignores the request to
# end (the second request kills the sandbox).  Nothing may be left behind:
# no process of the user, no slirp4netns, no descriptor of the test shell.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/procs.sh"
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

# shellcheck disable=SC2012 # the names in /proc/PID/fd are numbers
fd_count() { ls "/proc/$$/fd" | wc -l; }

# leftovers DESC BEFORE [MARK]: passes when, within 2 s, no new process of
# the user (and none carrying MARK) is alive and no network stack runs.
leftovers() {
    local desc=$1 before=$2 mark=${3:-}
    if wait_for 2 no_new_pids "$before" && no_stack && { [ -z "$mark" ] || marked_none "$mark"; }; then
        pass "$desc"
    else
        fail "$desc" "left: $(new_pids "$before")" "network stacks: $(stacks_shown)" \
            "${mark:+marked: $(pgrep -a -u "$MY_UID" -f "^$mark")}"
        [ -n "$mark" ] && pkill -9 -u "$MY_UID" -f "^$mark"
    fi
}

mark="clboxload$$x$RANDOM"

# A network stack already in this session would make the checks below wrong.
if ! no_stack; then
    diag "a network stack already runs in this session: $(stacks_shown)"
fi

# --- 200 sandboxes back to back: 150 with --net none, 50 filtered
base_pids=$(user_pids)
base_n=$(grep -c . <<<"$base_pids")
base_fds=$(fd_count)
bad=() done_n=0 t0=$(now_ms)
for i in $(seq 200); do
    # Bounded in time as well as in count: 150 s for all of them.
    [ $(($(now_ms) - t0)) -gt 150000 ] && break
    net=(--net none)
    [ "$i" -gt 150 ] && net=()
    o=$(timeout -k 5 20 "$CLBOX" run "${net[@]}" -- sh -c 'echo "run $1"' sh "$i" </dev/null 2>"$T_ROOT/b2b.err")
    rc=$?
    done_n=$i
    if [ "$rc" -ne 0 ] || [ "$o" != "run $i" ]; then
        bad+=("#$i ${net[*]:-filtered}: rc=$rc out='$o' err='$(head -c 300 "$T_ROOT/b2b.err")'")
    fi
done
elapsed=$(($(now_ms) - t0))
diag "200 sandboxes back to back: $done_n run in $elapsed ms"
is "$done_n" "200" "200 sandboxes back to back all ran within the time bound (150 s)"
is "${bad[*]:-}" "" "200 sandboxes back to back (150 --net none, 50 filtered): every one exits 0 with its output"
leftovers "after 200 sandboxes: no process of the user is left (before: $base_n) and no slirp4netns" "$base_pids"
after_n=$(grep -c . <<<"$(user_pids)")
ok "after 200 sandboxes: the count of the user's processes (in this session, not the test's own) did not grow ($base_n before, $after_n after)" \
    test "$after_n" -le "$base_n"
# A process substitution's descriptor stays open until bash reaps its
# child: give it up to 1 s (10 rounds of 0.1 s) before counting.
for _ in $(seq 10); do
    [ "$(fd_count)" = "$base_fds" ] && break
    sleep 0.1
done
is "$(fd_count)" "$base_fds" "after 200 sandboxes: the test shell has as many open descriptors as before"

# --- 20 at once: 10 with --net none, 10 filtered
base_pids=$(user_pids)
pids=()
for i in $(seq 20); do
    net=(--net none)
    [ "$i" -gt 10 ] && net=()
    timeout -k 5 40 "$CLBOX" run "${net[@]}" -- sh -c 'sleep 1; echo "at once $1"' sh "$i" \
        </dev/null >"$T_ROOT/par.$i.out" 2>"$T_ROOT/par.$i.err" &
    pids+=($!)
done
bad=()
for i in $(seq 20); do
    wait "${pids[$((i - 1))]}"
    rc=$?
    o=$(cat "$T_ROOT/par.$i.out")
    if [ "$rc" -ne 0 ] || [ "$o" != "at once $i" ]; then
        bad+=("#$i: rc=$rc out='$o' err='$(head -c 300 "$T_ROOT/par.$i.err")'")
    fi
done
is "${bad[*]:-}" "" "20 sandboxes at once (10 --net none, 10 filtered): every one exits 0 with its output"
leftovers "after 20 sandboxes at once: nothing of theirs is left, no slirp4netns" "$base_pids"

# --- a command with 500 children
base_pids=$(user_pids)
t0=$(now_ms)
sbx --net none -- bash -c 'for i in $(seq 500); do (exec -a "$1" sleep 0.2) & done; wait; echo waited' bash "${mark}w"
elapsed=$(($(now_ms) - t0))
is "$RC:$OUT" "0:waited" "a command that forks 500 children and waits for them: exit 0"
ok "... and clbox returns promptly (${elapsed} ms <= 15 s)" test "$elapsed" -le 15000
leftovers "... and nothing is left after it" "$base_pids" "${mark}w"

# The same children, left running when the command exits: the sandbox ends
# them all.
base_pids=$(user_pids)
t0=$(now_ms)
sbx --net none -- bash -c 'for i in $(seq 500); do (exec -a "$1" sleep 30) & done; echo started; exit 4' bash "${mark}o"
elapsed=$(($(now_ms) - t0))
is "$RC:$OUT" "4:started" "a command that leaves 500 children running: clbox exits with the command's status (4)"
ok "... promptly (${elapsed} ms <= 15 s), not when the children would have ended" test "$elapsed" -le 15000
leftovers "... and none of the 500 is left" "$base_pids" "${mark}o"

# --- 1 GiB on stdout to a consumer outside
base_pids=$(user_pids)
t0=$(now_ms)
n=$({
    timeout -k 5 90 "$CLBOX" run --net none -- sh -c 'head -c 1G /dev/zero; exit 3' </dev/null 2>"$T_ROOT/flood.err"
    echo $? >"$T_ROOT/flood.rc"
} | wc -c)
elapsed=$(($(now_ms) - t0))
diag "1 GiB through stdout in $elapsed ms"
is "$n" "1073741824" "1 GiB on stdout reaches a consumer outside whole (wc -c = 1073741824)"
is "$(cat "$T_ROOT/flood.rc")" "3" "... and clbox exits with the command's status afterwards (3)"
is "$(cat "$T_ROOT/flood.err")" "" "... with nothing on stderr"
leftovers "... and nothing is left" "$base_pids"

# --- a command that ignores the request to end: the second request kills
# the whole sandbox (SIGKILL, exit 137).
# ignoring_case SIG: the command ignores SIG and has a marked child.
ignoring_case() {
    local sig=$1 m="${mark}i$1" t0 elapsed base
    base=$(user_pids)
    rm -f ign-ready
    T_TIMEOUT=15 spawn "$CLBOX" run --net none -- bash -c '
        trap "" "$2"
        (exec -a "$1" sleep 30) &
        echo > ign-ready
        wait
        sleep 30' bash "$m" "$sig"
    if ! wait_for 10 test -e ign-ready; then
        kill -9 "$BG_PID" 2>/dev/null
        reap
        fail "SIG$sig twice: the command never became ready"
        skip "SIG$sig twice: (the rest)" "not ready"
        skip "SIG$sig twice: (the rest)" "not ready"
        skip "SIG$sig twice: (the rest)" "not ready"
        return
    fi
    sleep 0.2
    kill -s "$sig" "$BG_PID"
    sleep 1
    if kill -0 "$BG_PID" 2>/dev/null && [ "$(marked_count "$m")" -eq 1 ]; then
        pass "a command that ignores SIG$sig: the first SIG$sig (kill -$sig) to clbox does not end it (still running 1 s later)"
    else
        fail "a command that ignores SIG$sig: the first SIG$sig (kill -$sig) to clbox does not end it (still running 1 s later)" \
            "clbox alive: $(kill -0 "$BG_PID" 2>/dev/null && echo yes || echo no), marked: $(marked_count "$m")"
    fi
    t0=$(now_ms)
    kill -s "$sig" "$BG_PID" 2>/dev/null
    { reap; } 2>/dev/null
    elapsed=$(($(now_ms) - t0))
    is "$RC" "137" "... a second SIG$sig makes clbox kill the sandbox: exit 137 (128+SIGKILL)"
    ok "... within the grace period (${elapsed} ms <= 5 s)" test "$elapsed" -le 5000
    leftovers "... and nothing of the sandbox is left" "$base" "$m"
}
ignoring_case TERM
ignoring_case INT
done_testing
