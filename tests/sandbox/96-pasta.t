#!/bin/bash
# pasta as the network stack (--net-backend pasta, or CLBOX_NET_BACKEND):
# how it is chosen and refused, the sandbox it gives (the same tap0 as
# slirp4netns, nothing bound on the sandbox's loopback), and its lifetime:
# it ends with the launcher, even one killed by SIGKILL, and its own death
# leaves the sandbox without network, never with more.  The filter itself
# is tested with pasta by tests/net-pasta/, the network tests run again.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/procs.sh"
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
if ! command -v pasta >/dev/null; then
    echo "1..0 # SKIP pasta is not installed (Debian: passt)"
    exit 0
fi
plan 27

now_ms() { echo $(($(date +%s%N) / 1000000)); }
mark="clboxpasta$$x$RANDOM"

# --- every network test runs with pasta too
# (A link in the repository; a copy in a release tarball, whose tar
# follows links.)
missing=
for t in "$SRCDIR"/tests/net/*.t; do
    twin=$SRCDIR/tests/net-pasta/${t##*/}
    [ "$(readlink "$twin")" = ../lib/with-pasta ] || cmp -s "$twin" "$SRCDIR/tests/lib/with-pasta" ||
        missing+=" ${t##*/}"
done
is "$missing" "" "every tests/net/NAME.t has its twin tests/net-pasta/NAME.t, running it with pasta (tests/lib/with-pasta)"

# --- choosing it
sbx --dry-run --net-backend pasta -- true
like_line "$OUT" '^net: +filtered \(pasta; only the allowlist below\)$' "--net-backend pasta: --dry-run names it"
run env CLBOX_NET_BACKEND=pasta "$CLBOX" run --dry-run -- true
like_line "$OUT" '^net: +filtered \(pasta; ' "CLBOX_NET_BACKEND=pasta chooses it when no option does"
run env CLBOX_NET_BACKEND=pasta "$CLBOX" run --dry-run --net-backend slirp4netns --net open -- true
like_line "$OUT" '^net: +open \(slirp4netns; NOT filtered\)$' "--net-backend wins over CLBOX_NET_BACKEND"
run env CLBOX_NET_BACKEND=vde "$CLBOX" run -- true
is "$RC:$ERR" "125:clbox: CLBOX_NET_BACKEND=vde: unknown network stack (slirp4netns or pasta; or unset it)" \
    "CLBOX_NET_BACKEND=vde: exit 125 and what to do"
sbx --net-backend vde -- true
is "$RC:$ERR" "125:clbox: --net-backend vde: unknown network stack (slirp4netns or pasta)" \
    "--net-backend vde: exit 125 and the choices"

# --- the sandbox it gives
# A listener on the host's loopback: pasta's default would forward its port
# into the sandbox's own loopback, where the firewall lets everything by.
perl -MIO::Socket::INET -e '
    my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die;
    open(my $f, ">", $ARGV[0]) or die; print $f $s->sockport, "\n"; close $f;
    sleep 30' "$T_ROOT/host-port" &
T_BG_OTHER=$!
_tap_bg_pids+=("$T_BG_OTHER")
wait_for 5 test -s "$T_ROOT/host-port"
host_port=$(cat "$T_ROOT/host-port")
sbx --net-backend pasta -- sh -c 'ip -4 -o addr show dev tap0; ip route; ls /sys/class/net | tr "\n" " "; echo
    awk "FNR > 1 && \$2 !~ /:0035\$/ {print \"bound:\", \$2}" /proc/net/tcp /proc/net/udp'
is "$RC" 0 "--net-backend pasta: the command runs"
like_line "$OUT" 'tap0 +inet 10\.0\.2\.100/24 ' "tap0 is 10.0.2.100/24, as with slirp4netns"
like_line "$OUT" '^default via 10\.0\.2\.2 dev tap0' "the default route goes through 10.0.2.2"
like_line "$OUT" '^lo tap0 $' "only lo and tap0"
unlike "$OUT" 'bound:' "nothing listens in the sandbox but the DNS gate's port 53 (pasta forwards no host port, \
not the host's 127.0.0.1:$host_port, into it)"
kill "$T_BG_OTHER" 2>/dev/null
diag "$OUT"

# --- a normal run leaves nothing
base=$(user_pids)
sbx --net-backend pasta -- true
is "$RC" 0 "(sanity) a filtered run with pasta exits 0"
nothing_left "after a normal run: no pasta is left" 2 "$base" "$mark-none"

# --- SIGKILL of pasta while the command tries a refused address
m="${mark}s"
base=$(user_pids)
rm -f pa-ready pa-stop pa-count
T_TIMEOUT=40 spawn "$CLBOX" run --net-backend pasta -- bash -c '
    (exec -a "$1" sleep 60) &
    i=0
    while [ "$i" -lt 100 ] && [ "$SECONDS" -lt 30 ] && [ ! -e pa-stop ]; do
        i=$((i + 1))
        if curl -s -o /dev/null --connect-timeout 1 -m 2 http://203.0.113.9/; then
            echo "attempt $i: CONNECTED"
        else
            echo "attempt $i: failed ($?)"
        fi
        echo "$i" > pa-count
        echo > pa-ready
        sleep 0.2
    done
    echo "finished after $i attempts"' bash "$m"
stack=
if wait_for 10 test -e pa-ready; then
    wait_for 2 stack_of "$BG_PID" >/dev/null
    stack=$(stack_of "$BG_PID")
fi
is "$(wc -w <<<"$stack")" "1" "(sanity) one pasta runs, a child of the launcher"
n0=$(cat pa-count 2>/dev/null || echo 0)
[ -n "$stack" ] && kill -9 $stack
count_reached() { [ "$(cat pa-count 2>/dev/null || echo 0)" -ge "$1" ]; }
wait_for 15 count_reached $((n0 + 5))
n1=$(cat pa-count 2>/dev/null || echo 0)
touch pa-stop
reap
ok "after SIGKILL of pasta the command goes on trying ($n0 attempts before, $n1 when stopped)" test "$n1" -ge $((n0 + 5))
unlike_line "$OUT" 'CONNECTED' "no attempt gets a connection, before or after the kill"
like_line "$ERR" '^clbox: pasta was killed by signal 9: ' "clbox reports 'pasta was killed by signal 9: ...'"
nothing_left "after it: nothing is left (no pasta, no sandbox process)" 2 "$base" "$m" $stack

# --- SIGKILL of the launcher
m="${mark}k"
base=$(user_pids)
rm -f lk-ready
spawn "$CLBOX" run --net-backend pasta -- bash -c '
    (exec -a "$1" sleep 60) &
    echo > lk-ready
    wait' bash "$m"
stack=
if wait_for 10 test -e lk-ready; then
    wait_for 5 marked_at_least "$m" 1
    stack=$(stack_of "$BG_PID")
fi
ok "(sanity) the sandbox runs, with pasta ($stack)" test -n "$stack"
{ kill -9 "$BG_PID"; reap; } 2>/dev/null
nothing_left "SIGKILL of the launcher: within 1 s pasta and the sandbox are gone" 1 "$base" "$m" $stack

# --- pasta missing, failing, too slow
# pasta_case WHAT VALUE BOUND_MS: CLBOX_PASTA=VALUE must end in exit 125
# with a message naming pasta, within BOUND_MS, without running the command.
pasta_case() {
    local what=$1 value=$2 bound=$3 t0 elapsed
    rm -f ran-marker
    t0=$(now_ms)
    run env CLBOX_PASTA="$value" "$CLBOX" run --net-backend pasta -- sh -c 'echo > ran-marker'
    elapsed=$(($(now_ms) - t0))
    ok "pasta $what: exit 125, a 'clbox: ' message naming pasta, in ${elapsed} ms <= $bound ms, command not run" \
        test "$RC" = 125 -a "$elapsed" -le "$bound" -a ! -e ran-marker -a -n "$(grep '^clbox: .*pasta' <<<"$ERR")"
}
pasta_case "missing (CLBOX_PASTA=/nonexistent)" /nonexistent 3000
like "$ERR" 'CLBOX_PASTA=/nonexistent is not an executable file' "pasta missing: the message names CLBOX_PASTA's value"
printf '#!/bin/sh\necho "fake pasta: refusing on purpose" >&2\nexit 1\n' >"$T_ROOT/pasta-fails"
chmod 755 "$T_ROOT/pasta-fails"
pasta_case "failing at once" "$T_ROOT/pasta-fails" 3000
like "$ERR" 'refusing on purpose' "pasta failing: the message passes on what pasta said"
printf '#!/bin/bash\nexec -a %q sleep 30\n' "${mark}slow" >"$T_ROOT/pasta-slow"
chmod 755 "$T_ROOT/pasta-slow"
pasta_case "slow to become ready" "$T_ROOT/pasta-slow" 8000
if wait_for 2 marked_none "${mark}slow"; then
    pass "pasta slow: the stalled pasta is killed, not left behind"
else
    fail "pasta slow: the stalled pasta is killed, not left behind" "left: $(pgrep -a -f "^${mark}slow")"
    pkill -9 -u "$MY_UID" -f "^${mark}slow"
fi
sbx --net none --net-backend pasta -- true
is "$RC" 0 "--net none with --net-backend pasta: no stack is started, the command runs"
