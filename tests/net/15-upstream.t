#!/bin/bash
# What the gate sends upstream is its own rebuilt query: the question alone,
# in lower case.  The sandbox chooses the letters' case of the names it
# asks for (and could pad or add EDNS options); none of that may reach the
# servers of an allowlisted domain as a channel out.  Nor may its choice of
# the query id and of the header's spare bits, nor an EDNS record with its
# options and padding: the world's DNS server dumps each query as it
# arrived, and the query the gate sent must be its own.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
command -v perl >/dev/null || bail_out "perl is needed for the DNS probes"

mkdir -p "$PROJECT/.t"
cp "$SRCDIR/tests/lib/dnsq.pl" "$PROJECT/.t/dnsq.pl"

sbx --allow allowed.test -- perl "$PROJECT/.t/dnsq.pl" 127.0.0.53 udp AlLoWeD.TeSt
like "$OUT" '^rcode=0 .*a=203\.0\.113\.10 ' "a mixed-case query for an allowlisted name is answered"
has_upper=$(grep -c 'query\[A\] AlLoWeD' "$WORLD_DNS_LOG")
is "$has_upper" 0 "the sandbox's letter case never reaches the upstream server"
like "$(cat "$WORLD_DNS_LOG")" 'query\[A\] allowed\.test from' "the upstream server saw the name in lower case"
sbx --allow allowed.test -- perl "$PROJECT/.t/dnsq.pl" 127.0.0.53 tcp ALLOWED.TEST
like "$OUT" '^rcode=0 .*a=203\.0\.113\.10 ' "the same over TCP"

# A query with a chosen id, odd header bits (Z and AD besides RD and CD) and
# an EDNS record carrying a private option and padding.  First, as a control,
# straight to the world's server from outside: the dump shows all of it.
# shellcheck disable=SC2153 # run-in-world sets WORLD_DNS
perl "$SRCDIR/tests/lib/dnsq.pl" "$WORLD_DNS" udp other.test A id=0x4242 flags=0x0170 edns >/dev/null
direct=$(perl "$SRCDIR/tests/lib/dnsdump.pl" "$WORLD_DNS_DUMP" | grep ' name=other\.test$')
diag "the server received, sent directly: $direct"
like "$direct" '^id=16962 flags=0x0170 qd=1 an=0 ns=0 ar=1 len=97 ' \
    "(control) sent directly, the query arrives with its id, flags, OPT record, option and padding"
# Then from inside, through the gate.  (The gate's id is random: one run in
# 65536 it may equal the sandbox's.)
sbx --allow www.allowed.test -- perl "$PROJECT/.t/dnsq.pl" 127.0.0.53 udp www.allowed.test A id=0x4242 flags=0x0170 edns
like "$OUT" '^rcode=0 .*a=203\.0\.113\.10 .* id=16962 ' \
    "a query with id 16962, odd flags and EDNS options is answered, under its own id"
up=$(perl "$SRCDIR/tests/lib/dnsdump.pl" "$WORLD_DNS_DUMP" | grep ' name=www\.allowed\.test$')
diag "the server received, through the gate: $up"
is "$(grep -c . <<<"$up")" 1 "the upstream server received that query once"
unlike "$up" '^id=16962 ' "... under another id than the sandbox chose"
like "$up" ' flags=0x0110 ' "... with RD and CD alone of the header's flags (Z and AD dropped)"
like "$up" ' qd=1 an=0 ns=0 ar=0 ' "... with no additional record: the OPT record is gone"
like "$up" ' len=34 ' "... 34 bytes long: the header and the question, no option or padding"
done_testing
