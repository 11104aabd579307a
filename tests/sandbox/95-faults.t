#!/bin/bash
# Faults: slirp4netns or the DNS gate killed while a filtered sandbox runs,
# the launcher killed, slirp4netns missing, failing or too slow to start,
# and a full disk under the config dir.  The sandbox must never get more
# network than it had, clbox must say what happened, and nothing may be
# left behind.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/procs.sh"
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
plan 42

now_ms() { echo $(($(date +%s%N) / 1000000)); }


mark="clboxfault$$x$RANDOM"
if ! no_stack; then
    diag "a network stack already runs in this session: $(stacks_shown)"
fi

# --- SIGKILL of slirp4netns while the command tries a refused address
m="${mark}s"
base=$(user_pids)
rm -f sl-ready sl-stop sl-count
T_TIMEOUT=40 spawn "$CLBOX" run -- bash -c '
    (exec -a "$1" sleep 60) &
    i=0
    while [ "$i" -lt 100 ] && [ "$SECONDS" -lt 30 ] && [ ! -e sl-stop ]; do
        i=$((i + 1))
        if curl -s -o /dev/null --connect-timeout 1 -m 2 http://203.0.113.9/; then
            echo "attempt $i: CONNECTED"
        else
            echo "attempt $i: failed ($?)"
        fi
        echo "$i" > sl-count
        echo > sl-ready
        sleep 0.2
    done
    echo "finished after $i attempts"' bash "$m"
slirp=
if wait_for 10 test -e sl-ready; then
    has_slirp_child() { pgrep -P "$BG_PID" -x slirp4netns >/dev/null; }
    wait_for 2 has_slirp_child
    slirp=$(pgrep -P "$BG_PID" -x slirp4netns)
fi
is "$(wc -w <<<"$slirp")" "1" "(sanity) the filtered sandbox runs, with one slirp4netns as a child of the launcher"
n0=$(cat sl-count 2>/dev/null || echo 0)
[ -n "$slirp" ] && kill -9 $slirp
count_reached() { [ "$(cat sl-count 2>/dev/null || echo 0)" -ge "$1" ]; }
wait_for 15 count_reached $((n0 + 5))
n1=$(cat sl-count 2>/dev/null || echo 0)
touch sl-stop
reap
diag "curl's results: $(grep '^attempt' <<<"$OUT" | sed 's/^attempt [0-9]*: //' | sort | uniq -c | tr -s ' \n' ' ')"
like "$ERR" 'clbox: blocked connection to 203\.0\.113\.9' "(sanity) before the kill the address is refused and reported"
ok "after SIGKILL of slirp4netns the command goes on trying ($n0 attempts before, $n1 when stopped)" \
    test "$n1" -ge $((n0 + 5))
like_line "$OUT" '^attempt [0-9]+: failed' "every attempt fails ..."
unlike_line "$OUT" 'CONNECTED' "... none ever gets a connection, before or after the kill"
like_line "$ERR" '^clbox: slirp4netns was killed by signal 9: ' "clbox reports 'slirp4netns was killed by signal 9: ...'"
ok "the command can still finish: exit 0, 'finished' printed" test "$RC" = 0 -a -n "$(grep '^finished after' <<<"$OUT")"
nothing_left "after it: nothing is left (no slirp4netns, no sandbox process)" 2 "$base" "$m" $slirp

# --- SIGKILL of the DNS gate while the command runs
m="${mark}g"
base=$(user_pids)
rm -f gate-ready gate-go
T_TIMEOUT=40 spawn "$CLBOX" run -- bash -c '
    (exec -a "$1" sleep 60) &
    getent hosts example.com >/dev/null; echo "before: example.com=$?"
    echo > gate-ready
    for i in $(seq 200); do [ -e gate-go ] && break; sleep 0.05; done
    timeout 10 getent hosts example.com; echo "after: example.com=$?"
    timeout 10 getent hosts api.anthropic.com; echo "after: api.anthropic.com=$?"
    timeout 10 getent hosts localhost >/dev/null; echo "after: localhost=$?"
    if curl -s -o /dev/null --connect-timeout 2 -m 3 http://203.0.113.9/; then echo "after: curl CONNECTED"; else echo "after: curl=$?"; fi
    echo finished' bash "$m"
gate= slirp=
if wait_for 10 test -e gate-ready; then
    gate=$(gate_of "$BG_PID")
    slirp=$(pgrep -P "$BG_PID" -x slirp4netns)
fi
is "$(wc -w <<<"$gate")" "1" "(sanity) one DNS gate found: a clbox child of the launcher outside the sandbox's pid namespace"
[ -n "$gate" ] && kill -9 $gate
sleep 0.3
touch gate-go
reap
like "$ERR" 'clbox: blocked DNS lookup of example\.com' "(sanity) before the kill the gate answers: a lookup of example.com is refused and reported"
like_line "$ERR" '^clbox: the DNS gate was killed by signal 9' "clbox reports 'the DNS gate was killed by signal 9'"
like_line "$OUT" '^after: example\.com=([1-9]|[1-9][0-9]|1[01][0-9]|12[0-35-9])$' \
    "after the kill a lookup of example.com fails (and does not hang for 10 s)"
like_line "$OUT" '^after: api\.anthropic\.com=([1-9]|[1-9][0-9]|1[01][0-9]|12[0-35-9])$' \
    "after the kill a lookup of an allowlisted name fails too (and does not hang)"
like_line "$OUT" '^after: curl=[1-9][0-9]*$' "after the kill a connection to a raw IP (203.0.113.9) is still refused"
ok "the command can still finish: exit 0, 'finished' printed" test "$RC" = 0 -a -n "$(grep '^finished$' <<<"$OUT")"
nothing_left "after it: nothing is left (gate, slirp4netns, sandbox processes)" 2 "$base" "$m" $gate $slirp

# --- SIGKILL of the launcher of a filtered sandbox
m="${mark}k"
base=$(user_pids)
rm -f lk-ready
spawn "$CLBOX" run -- bash -c '
    (exec -a "$1" sleep 60) &
    bash -c "exec -a $1 sleep 61" &
    echo > lk-ready
    wait' bash "$m"
gate= slirp=
if wait_for 10 test -e lk-ready; then
    wait_for 5 marked_at_least "$m" 2
    gate=$(gate_of "$BG_PID")
    slirp=$(pgrep -P "$BG_PID" -x slirp4netns)
fi
ok "(sanity) the sandbox runs its two marked processes, with a gate and a slirp4netns ($gate, $slirp)" \
    test "$(marked_count "$m")" -eq 2 -a -n "$gate" -a -n "$slirp"
{ kill -9 "$BG_PID"; reap; } 2>/dev/null
is "$RC" "137" "(sanity) the launcher died of SIGKILL"
nothing_left "SIGKILL of the launcher: within 1 s nothing is left (sandbox processes, gate, slirp4netns)" \
    1 "$base" "$m" $gate $slirp

# --- slirp4netns missing, failing, too slow
# slirp_case WHAT VALUE BOUND_MS: clbox run with CLBOX_SLIRP4NETNS=VALUE must
# end in exit 125 with a clear message, within BOUND_MS, without running the
# command and without leaving anything.  Sets ERR for more checks.
slirp_case() {
    local what=$1 value=$2 bound=$3 t0 elapsed base
    base=$(user_pids)
    rm -f ran-marker
    t0=$(now_ms)
    run env CLBOX_SLIRP4NETNS="$value" "$CLBOX" run -- bash -c '(exec -a "$1" sleep 60) & echo > ran-marker; wait' bash "${mark}c"
    elapsed=$(($(now_ms) - t0))
    is "$RC" "125" "slirp4netns $what: exit 125"
    like_line "$ERR" '^clbox: .*slirp4netns' "slirp4netns $what: a 'clbox: ' message that names slirp4netns"
    ok "slirp4netns $what: clbox gives up within the bound (${elapsed} ms <= $bound ms)" test "$elapsed" -le "$bound"
    ok "slirp4netns $what: the command is not run" test ! -e ran-marker
    nothing_left "slirp4netns $what: nothing is left" 2 "$base" "${mark}c"
}

slirp_case "missing (CLBOX_SLIRP4NETNS=/nonexistent)" /nonexistent 3000
like "$ERR" '/nonexistent' "slirp4netns missing: the message names the path CLBOX_SLIRP4NETNS gave (/nonexistent)"

printf '#!/bin/sh\necho "fake slirp4netns: refusing on purpose" >&2\nexit 1\n' >"$T_ROOT/slirp-fails"
chmod 755 "$T_ROOT/slirp-fails"
slirp_case "failing at once (a script that exits 1)" "$T_ROOT/slirp-fails" 3000
like "$ERR" 'refusing on purpose' "slirp4netns failing: the message passes on what slirp4netns said"

printf '#!/bin/bash\nexec -a %q sleep 30\n' "${mark}slow" >"$T_ROOT/slirp-slow"
chmod 755 "$T_ROOT/slirp-slow"
slirp_case "slow to become ready (a script that sleeps 30 s)" "$T_ROOT/slirp-slow" 8000
if wait_for 2 marked_none "${mark}slow"; then
    pass "slirp4netns slow: the stalled slirp4netns is killed, not left behind"
else
    fail "slirp4netns slow: the stalled slirp4netns is killed, not left behind" "left: $(pgrep -a -f "^${mark}slow")"
    pkill -9 -u "$MY_UID" -f "^${mark}slow"
fi

# --- a full disk under the config dir
# A 256 KiB tmpfs on the config dir, mounted without root in a user and
# mount namespace; clbox runs there with no capabilities left.
CFG="$T_ROOT/cfg"
mkdir -p "$CFG"
can_mount=no
if unshare --help 2>&1 | grep -q -- '--map-current-user' &&
    setpriv --help 2>&1 | grep -q -- '--ambient-caps' &&
    unshare --user --map-current-user --mount --keep-caps sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$CFG" 2>/dev/null; then
    can_mount=yes
fi
cat >"$T_ROOT/diskfull.sh" <<'EOF'
# Runs in the new namespaces: $1 config dir, $2 results dir, $3 clbox,
# $4 "full" to fill the disk before clbox starts.
cfg=$1 res=$2 clbox=$3
mount -t tmpfs -o size=256k,mode=700 tmpfs "$cfg" || exit 90
head -c 3000 /dev/urandom | od -An -tx1 >"$cfg/precious" || exit 91
sha256sum <"$cfg/precious" >"$res/sha.before"
if [ "$4" = full ]; then
    head -c 1M /dev/zero >"$cfg/filler" 2>/dev/null
    setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all \
        "$clbox" run --net none --config-dir "$cfg" -- sh -c 'echo ran' >"$res/out" 2>"$res/err"
else
    setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all \
        "$clbox" run --net none --config-dir "$cfg" -- sh -c '
            i=0
            while [ "$i" -lt 100 ]; do
                i=$((i + 1))
                if ! head -c 65536 /dev/zero >"$1/fill.$i"; then echo "full at $i"; exit 7; fi
            done
            echo "never full"; exit 8' sh "$cfg" >"$res/out" 2>"$res/err"
fi
echo $? >"$res/rc"
sha256sum <"$cfg/precious" >"$res/sha.after"
EOF
if [ "$can_mount" = yes ]; then
    mkdir -p "$T_ROOT/df1" "$T_ROOT/df2"
    run unshare --user --map-current-user --mount --keep-caps sh "$T_ROOT/diskfull.sh" "$CFG" "$T_ROOT/df1" "$CLBOX" fill
    df_err=$(cat "$T_ROOT/df1/err" 2>/dev/null)
    df_out=$(cat "$T_ROOT/df1/out" 2>/dev/null)
    like "$df_err" 'No space left on device' "config dir full: the command's write sees 'No space left on device'"
    like "$(cat "$T_ROOT/df1/rc" 2>/dev/null):$df_out" '^7:full at [0-9]+$' \
        "config dir full: clbox exits with the command's status (7), after the command ran to its end"
    ok "config dir full: the file that was there before is intact (same SHA-256)" \
        test -s "$T_ROOT/df1/sha.before" -a "$(cat "$T_ROOT/df1/sha.before")" = "$(cat "$T_ROOT/df1/sha.after" 2>/dev/null)"

    run unshare --user --map-current-user --mount --keep-caps sh "$T_ROOT/diskfull.sh" "$CFG" "$T_ROOT/df2" "$CLBOX" full
    rc=$(cat "$T_ROOT/df2/rc" 2>/dev/null)
    df_err=$(cat "$T_ROOT/df2/err" 2>/dev/null)
    if { [ "$rc" = 0 ] && [ "$(cat "$T_ROOT/df2/out")" = ran ]; } || { [ "$rc" = 125 ] && [[ $df_err == clbox:* ]]; }; then
        pass "config dir full before clbox starts: the command runs, or a clear clbox error (125)"
    else
        fail "config dir full before clbox starts: the command runs, or a clear clbox error (125)" \
            "rc=$rc" "stdout: $(cat "$T_ROOT/df2/out" 2>/dev/null)" "stderr: $df_err"
    fi
    ok "config dir full before clbox starts: the file that was there is intact" \
        test -s "$T_ROOT/df2/sha.before" -a "$(cat "$T_ROOT/df2/sha.before")" = "$(cat "$T_ROOT/df2/sha.after" 2>/dev/null)"
else
    for d in "the command's write sees ENOSPC" "clbox exits with the command's status" "the file is intact" \
        "full before start: runs or 125" "full before start: the file is intact"; do
        skip "config dir full: $d" "cannot mount a tmpfs in a user namespace here (unshare/setpriv)"
    done
fi
