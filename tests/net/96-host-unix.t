#!/bin/bash
# The host's abstract Unix sockets (no file: a name in the network
# namespace, as X11's, D-Bus's or an editor's listeners use) cannot be
# reached from inside in any --net mode: each mode gives the sandbox its own
# network namespace.  The controls show that the listener answers from this
# namespace, and from a new user, mount and PID namespace that shares it.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
command -v perl >/dev/null || bail_out "perl is needed for the Unix socket probes"

name="clbox-test-$$-host"
mkdir -p "$PROJECT/.t"
# uconnect.pl NAME: connects to the abstract socket NAME and prints
# "connected: LINE" (the listener's greeting) or "error: WHY".
cat >"$PROJECT/.t/uconnect.pl" <<'PL'
use strict;
use Socket;
alarm 4;
socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
if (connect($s, pack_sockaddr_un("\0$ARGV[0]"))) {
    my $line = <$s> // '';
    chomp $line;
    print "connected: $line\n";
} else {
    print "error: $!\n";
}
PL
# The listener greets each client, for at most T_TIMEOUT seconds (spawn's
# watchdog) and 50 clients; it says it listens by creating a file.
spawn perl -MSocket -e '
    socket(my $l, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
    bind($l, pack_sockaddr_un("\0$ARGV[0]")) or die "bind: $!";
    listen($l, 8) or die "listen: $!";
    open my $ready, ">", $ARGV[1] or die; close $ready;
    for (1 .. 50) { accept(my $c, $l) or last; syswrite $c, "host-secret\n"; close $c }' "$name" "$T_ROOT/listening"
wait_for 5 test -e "$T_ROOT/listening" || bail_out "the abstract listener did not start: $(cat "$T_ROOT/bg.err")"

run perl "$PROJECT/.t/uconnect.pl" "$name"
is "$OUT" "connected: host-secret" "(control) from this network namespace the abstract socket answers"
run unshare -Urmpf --mount-proc perl "$PROJECT/.t/uconnect.pl" "$name"
is "$OUT" "connected: host-secret" "(control) ... and from new user, mount and PID namespaces sharing it"
for mode in filtered none open; do
    sbx --net "$mode" -- perl "$PROJECT/.t/uconnect.pl" "$name"
    is "$OUT" "error: Connection refused" "--net $mode: the host's abstract socket cannot be reached from inside"
done
done_testing
