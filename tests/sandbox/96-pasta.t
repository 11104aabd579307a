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
    skip_all "pasta is not installed (Debian: passt)"
fi

. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/stackfaults.sh"
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
stack_killed_case "${mark}s" pasta --net-backend pasta

# --- SIGKILL of the launcher
launcher_killed_case "${mark}k" pasta --net-backend pasta

# --- pasta missing, failing, too slow; and not needed without a network
stack_start_faults "$mark" pasta CLBOX_PASTA --net-backend pasta
sbx --net none --net-backend pasta -- true
is "$RC" 0 "--net none with --net-backend pasta: no stack is started, the command runs"
done_testing
