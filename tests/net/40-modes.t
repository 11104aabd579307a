#!/bin/bash
# tests/net/40-modes.t - the other network modes: --net none (loopback only: no tap0,
# nothing reachable, no lookup leaves) and --net open (slirp4netns without a
# filter, slirp's DNS, and a warning); and filtered as the default.
#
# The script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (curl -m 5, an alarm in the DNS
# client).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# ------------------------------------------------------ filtered by default
run "$CLBOX" run -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
is "$RC:$OUT" "0:lo tap0 " "default mode: lo and tap0"
steps -- "http http://203.0.113.11/"
refused "http http://203.0.113.11/" "default mode: an unlisted address is refused at once (filtered)"

# ----------------------------------------------------------------- none
run "$CLBOX" run --net none -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
is "$RC:$OUT" "0:lo " "--net none: only lo, no tap0"
run "$CLBOX" run --net none -- cat /proc/net/route
is "$RC:$(tail -n +2 <<<"$OUT")" "0:" "--net none: no IPv4 route"
steps --net none -- "http http://203.0.113.10/" "http http://10.0.2.2:8123/" "dns 198.51.100.53 udp none-udp.test" \
    "dns 198.51.100.53 tcp none-tcp.test" "getent none-getent.test"
step "http http://203.0.113.10/"
ok "--net none: 203.0.113.10 cannot be reached, at once (curl exit ${S_RC:-?}, ${S_MS:-?} ms)" \
    test "${S_RC:-0}" -ne 0 -a "${S_RC:-0}" -ne 28 -a "${S_MS:-9999}" -lt 1000
step "http http://10.0.2.2:8123/"
ok "--net none: 10.0.2.2:8123 cannot be reached (curl exit ${S_RC:-?})" test "${S_RC:-0}" -ne 0
step "dns 198.51.100.53 udp none-udp.test"
like "$S_OUT" '^error=' "--net none: a UDP DNS query to 198.51.100.53 fails"
step "dns 198.51.100.53 tcp none-tcp.test"
like "$S_OUT" '^error=' "--net none: a TCP DNS query to 198.51.100.53 fails"
step "getent none-getent.test"
is "$S_RC:$S_OUT" "2:" "--net none: a name lookup finds nothing"
ok "--net none: no lookup reached the DNS server" \
    test -z "$(grep -E '\] none-(udp|tcp|getent)\.test from' "$WORLD_DNS_LOG")"
steps --net none --allow allowed.test -- "http http://allowed.test/"
step "http http://allowed.test/"
ok "--net none --allow allowed.test: allowed.test is not reached (curl exit ${S_RC:-?})" \
    test "${S_RC:-0}" -ne 0

# ----------------------------------------------------------------- open
steps --net open -- "http http://other.test/" "http http://203.0.113.12:8443/" "getent metadata.test"
like_line "$ERR" '^clbox: --net open: ' "--net open: a warning 'clbox: --net open: ...' on stderr"
reached "http http://other.test/" "server 203.0.113.11:80" "--net open: other.test (listed nowhere) is reached"
reached "http http://203.0.113.12:8443/" "server 203.0.113.12:8443" "--net open: any address and port is reached"
step "getent metadata.test"
is "$S_RC:$S_OUT" "0:169.254.169.254 " "--net open: answers are not filtered"
unlike_line "$ERR" 'blocked' "--net open: nothing is reported blocked"
run "$CLBOX" run --net open -- cat /etc/resolv.conf
like_line "$OUT" '^nameserver 10\.0\.2\.3$' "--net open: the sandbox uses slirp4netns's DNS 10.0.2.3"
run "$CLBOX" run --net open -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
is "$RC:$OUT" "0:lo tap0 " "--net open: lo and tap0"
done_testing
