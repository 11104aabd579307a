#!/bin/bash
# What the gate sends upstream is its own rebuilt query: the question alone,
# in lower case.  The sandbox chooses the letters' case of the names it
# asks for (and could pad or add EDNS options); none of that may reach the
# servers of an allowlisted domain as a channel out.
export SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${WORLD_DIR:-}" ] || exec "$SRCDIR/tests/world/run-in-world" -- bash "$0" "$@"
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup
command -v perl >/dev/null || bail_out "perl is needed for the DNS probes"
plan 4

mkdir -p "$PROJECT/.t"
cp "$SRCDIR/tests/lib/dnsq.pl" "$PROJECT/.t/dnsq.pl"

sbx --allow allowed.test -- perl "$PROJECT/.t/dnsq.pl" 127.0.0.53 udp AlLoWeD.TeSt
like "$OUT" '^rcode=0 .*a=203\.0\.113\.10 ' "a mixed-case query for an allowlisted name is answered"
has_upper=$(grep -c 'query\[A\] AlLoWeD' "$WORLD_DNS_LOG")
is "$has_upper" 0 "the sandbox's letter case never reaches the upstream server"
like "$(cat "$WORLD_DNS_LOG")" 'query\[A\] allowed\.test from' "the upstream server saw the name in lower case"
sbx --allow allowed.test -- perl "$PROJECT/.t/dnsq.pl" 127.0.0.53 tcp ALLOWED.TEST
like "$OUT" '^rcode=0 .*a=203\.0\.113\.10 ' "the same over TCP"
