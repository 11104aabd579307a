#!/bin/bash
# tests/net/98-range-carveouts.t - an address range given to --allow never
# opens what reaches this machine: its own addresses (the network stack
# connects from this machine's network namespace, so a connection to one of
# them reaches this machine's services), loopback, and the network stack's
# 10.0.2.0/24 (10.0.2.2 is this machine's loopback, 10.0.2.3 a DNS
# forwarder), unless the exact address is named; what is left out is said at
# start and in --dry-run.
#
# In the world this network namespace is "this machine": 198.51.100.2 is its
# address, and a service listens on every address of it at port 8125.  The
# script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (curl -m 5, alarms).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# This machine's service on 0.0.0.0:8125, for at most 150 seconds (the
# watchdog of spawn) and 100 clients; it says it listens by creating a file.
T_TIMEOUT=150 spawn perl -MIO::Socket::INET -e '
    my $l = IO::Socket::INET->new(Listen => 16, LocalAddr => "0.0.0.0:8125", ReuseAddr => 1) or die "listen: $!";
    open my $ready, ">", $ARGV[0] or die; close $ready;
    for (1 .. 100) {
        my $c = $l->accept or last;
        eval { local $SIG{ALRM} = sub { die }; alarm 2; while (<$c>) { last if /^\r?$/ } alarm 0 };
        print $c "HTTP/1.0 200 OK\r\nContent-Length: 17\r\n\r\nserver host:8125\n";
        close $c;
    }' "$T_ROOT/listening"
wait_for 5 test -e "$T_ROOT/listening" || bail_out "the host's service did not start: $(cat "$T_ROOT/bg.err")"

run curl -sS -m 5 http://198.51.100.2:8125/
is "$OUT" "server host:8125" "(control) outside, this machine's service answers at 198.51.100.2:8125"

# ------------------------------------------- a range holding this machine's address
steps --allow 198.51.100.0/24 -- "http http://198.51.100.2:8125/" "http http://198.51.100.53:443/"
refused "http http://198.51.100.2:8125/" "--allow 198.51.100.0/24: this machine's 198.51.100.2:8125 is refused at once"
reached "http http://198.51.100.53:443/" "server 198.51.100.53:443" "... while 198.51.100.53, in the same range, is reached"
like_line "$ERR" '^clbox: --allow 198\.51\.100\.0/24 leaves out the addresses that reach this machine: 198\.51\.100\.2 ' \
    "what the range leaves out is said at start"
steps -q --allow 198.51.100.0/24 -- "http http://198.51.100.53:443/"
unlike_line "$ERR" 'leaves out' "... but not with -q"

# ---------------------------------------------- the exact address keeps its meaning
steps --allow 198.51.100.2 -- "http http://198.51.100.2:8125/"
reached "http http://198.51.100.2:8125/" "server host:8125" "--allow 198.51.100.2 (the exact address): it is reached"
unlike_line "$ERR" 'leaves out' "... and nothing is said to be left out"
steps --allow 198.51.100.2:8125 --allow 198.51.100.0/24 -- "http http://198.51.100.2:8125/"
reached "http http://198.51.100.2:8125/" "server host:8125" \
    "--allow 198.51.100.2:8125 with the range: the named address and port are reached"

# --------------------------------------------- every address, in two halves
steps --allow 0.0.0.0/1 --allow 128.0.0.0/1 -- "http http://198.51.100.2:8125/" "http http://203.0.113.10/" \
    "http http://10.0.0.7/" "http http://10.0.2.2:8123/" "dns 10.0.2.3 udp slirp.test" "http http://10.0.2.3/"
refused "http http://198.51.100.2:8125/" "--allow 0.0.0.0/1 --allow 128.0.0.0/1: this machine's 198.51.100.2:8125 is refused"
reached "http http://203.0.113.10/" "server 203.0.113.10:80" "... while 203.0.113.10 is reached"
reached "http http://10.0.0.7/" "server 10.0.0.7:80" "... and the private 10.0.0.7 too"
refused "http http://10.0.2.2:8123/" "... and 10.0.2.2:8123 (this machine's 127.0.0.1:8123) is refused"
refused "http http://10.0.2.3/" "... and 10.0.2.3 is refused"
step "dns 10.0.2.3 udp slirp.test"
like "$S_OUT" '^error=' "... and a DNS query to 10.0.2.3 fails"
like_line "$ERR" '^clbox: --allow 0\.0\.0\.0/1 leaves out the addresses that reach this machine: .*10\.0\.2\.0/24' \
    "the start message names 10.0.2.0/24 for 0.0.0.0/1"
like_line "$ERR" '^clbox: --allow 0\.0\.0\.0/1 leaves out the addresses that reach this machine: .*127\.0\.0\.0/8' \
    "... and loopback"
like_line "$ERR" '^clbox: --allow 128\.0\.0\.0/1 leaves out the addresses that reach this machine: .*198\.51\.100\.2' \
    "... and this machine's address for 128.0.0.0/1"

# ------------------------------------------ host ports stay the way to 10.0.2.2
steps --allow-host-port 8123 --allow 0.0.0.0/1 --allow 128.0.0.0/1 -- "http http://10.0.2.2:8123/" \
    "http http://10.0.2.2:8124/" "http http://198.51.100.2:8125/"
reached "http http://10.0.2.2:8123/" "server 127.0.0.1:8123" "--allow-host-port 8123 with every address: 10.0.2.2:8123 is reached"
refused "http http://10.0.2.2:8124/" "... 10.0.2.2:8124 is not"
refused "http http://198.51.100.2:8125/" "... nor 198.51.100.2:8125"

steps --allow 10.0.0.0/8 -- "http http://10.0.0.7/" "http http://10.0.2.2:8123/"
reached "http http://10.0.0.7/" "server 10.0.0.7:80" "--allow 10.0.0.0/8: 10.0.0.7 is reached"
refused "http http://10.0.2.2:8123/" "--allow 10.0.0.0/8: 10.0.2.2:8123 is refused"

# ------------------------------------------------------------------ --dry-run
run "$CLBOX" run --dry-run --allow 10.0.0.0/8 --allow 198.51.100.0/24 --allow 2001:db8::/32 -- true
for line in '  198\.51\.100\.2 \(an address of this machine\)' '  2001:db8:1::2 \(an address of this machine\)' \
    '  127\.0\.0\.0/8 \(loopback\)' '  10\.0\.2\.0/24 \(.*\)'; do
    like_line "$OUT" "^$line\$" "--dry-run lists what allowed ranges leave out: /$line/"
done

sbx --allow allowed.test --allow 203.0.113.0/24 -- true
unlike_line "$ERR" 'leaves out' "a range holding nothing of this machine is not said to leave anything out"
done_testing
