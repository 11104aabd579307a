#!/bin/bash
# Faults: slirp4netns or the DNS gate killed while a filtered sandbox runs,
# the launcher killed, slirp4netns missing, failing or too slow to start,
# and a full disk under the config dir.  The sandbox must never get more
# network than it had, clbox must say what happened, and nothing may be
# left behind.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/procs.sh"
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/stackfaults.sh"

mark="clboxfault$$x$RANDOM"
if ! no_stack; then
    diag "a network stack already runs in this session: $(stacks_shown)"
fi

# --- SIGKILL of slirp4netns while the command tries a refused address
stack_killed_case "${mark}s" slirp4netns

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
gate='' slirp=''
if wait_for 10 test -e gate-ready; then
    gate=$(gate_of "$BG_PID")
    slirp=$(stack_of "$BG_PID")
fi
is "$(wc -w <<<"$gate")" "1" "(sanity) one DNS gate found: a clbox child of the launcher outside the sandbox's pid namespace"
# shellcheck disable=SC2086 # each holds no pid, one or several
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
# shellcheck disable=SC2086 # each holds no pid, one or several
nothing_left "after it: nothing is left (gate, slirp4netns, sandbox processes)" 2 "$base" "$m" $gate $slirp

# --- SIGKILL of the launcher of a filtered sandbox
launcher_killed_case "${mark}k" slirp4netns

# --- slirp4netns missing, failing, too slow
stack_start_faults "$mark" slirp4netns CLBOX_SLIRP4NETNS

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
done_testing
