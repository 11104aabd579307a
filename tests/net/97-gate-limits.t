#!/bin/bash
# tests/net/97-gate-limits.t - the DNS gate's limits: a TCP client that
# trickles its query is dropped after a whole-query deadline, and however
# many do so at once the gate keeps answering everyone else at once; for
# allowlisted names only the query types that clients need are forwarded
# (the others, TXT, MX, NULL, ANY and the like, are the usual channels of a
# DNS tunnel under an allowlisted zone), while names not on the allowlist get
# the same NXDOMAIN as before, whatever their type.
#
# The script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (alarms in the DNS client, curl -m).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# ---------------------------------------- trickling TCP clients, many at once
# Inside: 20 connections each sending its query a byte every 500 ms (each
# byte well within any per-read timeout), then, while they trickle, one
# lookup over UDP and one over TCP.
TRICKLERS=20
cat >"$PROJECT/.t/trickle.sh" <<'SH'
perl "$1" 127.0.0.53 tcp allowed.test trickle=500 conns="$2" >"$3" &
sleep 1
printf 'udp %s\n' "$(perl "$1" 127.0.0.53 udp allowed.test)"
printf 'tcp %s\n' "$(perl "$1" 127.0.0.53 tcp allowed.test)"
wait
cat "$3"
SH
sbx --allow allowed.test -- bash "$PROJECT/.t/trickle.sh" "$DNSQ" "$TRICKLERS" "$PROJECT/.t/trickle.out"
udp=$(sed -n 's/^udp //p' <<<"$OUT")
tcp=$(sed -n 's/^tcp //p' <<<"$OUT")
trickled=$(grep '^trickled ' <<<"$OUT")
like "$udp" '^rcode=0 .*a=203\.0\.113\.10 ' "a UDP lookup while $TRICKLERS TCP clients trickle is answered"
took=$(sed -n 's/.* took=\([0-9]*\)$/\1/p' <<<"$udp")
ok "... at once (${took:-?} ms < 500), not after the trickling clients" fast "$took" 500
like "$tcp" '^rcode=0 .*a=203\.0\.113\.10 ' "a TCP lookup that sends its query at once is answered meanwhile"
took=$(sed -n 's/.* took=\([0-9]*\)$/\1/p' <<<"$tcp")
ok "... at once too (${took:-?} ms < 500)" fast "$took" 500
like "$trickled" "^trickled n=$TRICKLERS answered=0 closed=$TRICKLERS open=0 " \
    "every trickling client was closed by the gate before its query was complete"
ms=$(sed -n 's/.* ms=\([0-9,]*\) .*/\1/p' <<<"$trickled" | tr , ' ')
longest=0 held=0 early=0
for t in $ms; do
    [ "$t" -gt "$longest" ] && longest=$t
    [ "$t" -ge 2500 ] && held=$((held + 1))
    [ "$t" -lt 2000 ] && early=$((early + 1))
done
ok "none was kept past the whole-query deadline of 3 s (longest: $longest ms < 3900)" test "$longest" -lt 3900
ok "a client within the bound is given the whole deadline ($held held for 2.5 s or more)" test "$held" -ge 1
ok "at most 16 TCP clients are held at once ($held of $TRICKLERS held to the deadline)" test "$held" -le 16
ok "past the bound the oldest unfinished ones were closed early ($early closed within 2 s, at least 4)" \
    test "$early" -ge 4
like_line "$ERR" '^clbox: closed a TCP DNS connection that sent no complete query within 3 seconds$' \
    "the deadline is reported"
like_line "$ERR" '^clbox: closed the oldest unfinished TCP DNS connection: 16 are open at once at most$' \
    "closing the oldest past the bound is reported"

# One slow client alone: closed at the deadline, whatever its pace.
steps --allow allowed.test -- "dns $GATE tcp allowed.test trickle=200" "dns $GATE udp allowed.test"
step "dns $GATE tcp allowed.test trickle=200"
like "$S_OUT" '^trickled n=1 answered=0 closed=1 open=0 ms=(2[5-9]|3[0-8])[0-9][0-9] ' \
    "a client sending a byte every 200 ms is closed 3 s after it connected"
step "dns $GATE udp allowed.test"
like "$S_OUT" '^rcode=0 ' "... and the gate answers the next lookup"

# A client that hangs up right after its query: the gate's answer meets a
# closed connection, which must cost the gate nothing (no SIGPIPE).
steps --allow allowed.test -- "dns $GATE tcp allowed.test hangup" "dns $GATE tcp ALLOWED.test hangup" \
    "getent allowed.test"
step "getent allowed.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "after two TCP clients hung up before their answers, the gate still answers"
unlike_line "$ERR" 'DNS gate was killed' "... it was not killed"

# ------------------------------------------------------------- query types
# Lines the world's DNS server logs from here on.
log_mark=$(wc -l <"$WORLD_DNS_LOG")
new_queries() { tail -n +"$((log_mark + 1))" "$WORLD_DNS_LOG" | grep -o 'query\[[^]]*\] [^ ]*' | sort -u; }

refused_types=(TXT MX NULL ANY SRV PTR NS SOA CAA TYPE99)
probes=()
for t in "${refused_types[@]}"; do probes+=("dns $GATE udp allowed.test $t"); done
steps --allow allowed.test --allow '*.allowed.test' -- "${probes[@]}" "dns $GATE tcp allowed.test TXT" \
    "dns $GATE udp c2VjcmV0LWRhdGE.allowed.test TXT" "dns $GATE udp other.test TXT" "dns $GATE udp other.test MX"
bad=
for t in "${refused_types[@]}"; do
    step "dns $GATE udp allowed.test $t"
    [[ $S_OUT =~ ^rcode=5\  ]] || bad+=" $t:${S_OUT:-no result}"
done
is "$bad" "" "allowlisted allowed.test: ${refused_types[*]} are answered REFUSED"
step "dns $GATE tcp allowed.test TXT"
like "$S_OUT" '^rcode=5 ' "... over TCP too"
step "dns $GATE udp c2VjcmV0LWRhdGE.allowed.test TXT"
like "$S_OUT" '^rcode=5 ' "a TXT query under the allowlisted wildcard *.allowed.test is REFUSED"
step "dns $GATE udp other.test TXT"
like "$S_OUT" '^rcode=3 ' "a TXT query of other.test (not allowlisted): NXDOMAIN, as before"
step "dns $GATE udp other.test MX"
like "$S_OUT" '^rcode=3 ' "an MX query of other.test: NXDOMAIN, as before"
like_line "$ERR" '^clbox: refused a TXT query for allowed\.test \(only A, AAAA, CNAME, HTTPS and SVCB queries are forwarded\)$' \
    "the refused type is reported"
like_line "$ERR" '^clbox: refused a TYPE99 query for allowed\.test ' "... a type without a name by its number"
sleep 0.2
is "$(new_queries)" "" "none of the refused queries reached the DNS server"

log_mark=$(wc -l <"$WORLD_DNS_LOG")
forwarded_types=(A AAAA CNAME HTTPS SVCB)
probes=()
for t in "${forwarded_types[@]}"; do probes+=("dns $GATE udp allowed.test $t"); done
steps --allow allowed.test -- "${probes[@]}" "dns $GATE tcp allowed.test HTTPS"
bad=
for t in "${forwarded_types[@]}"; do
    step "dns $GATE udp allowed.test $t"
    [[ $S_OUT =~ ^rcode=0\  ]] || bad+=" $t:${S_OUT:-no result}"
done
is "$bad" "" "allowlisted allowed.test: ${forwarded_types[*]} are forwarded and answered (NOERROR)"
step "dns $GATE tcp allowed.test HTTPS"
like "$S_OUT" '^rcode=0 ' "... HTTPS over TCP too"
sleep 0.2
seen=$(new_queries)
for t in "${forwarded_types[@]}"; do
    case $t in SVCB) alt='type=64' ;; HTTPS) alt='type=65' ;; *) alt=$t ;; esac
    ok "the $t query reached the DNS server" grep -qE "^query\[($t|$alt)\] allowed\.test$" <<<"$seen"
done
unlike_line "$ERR" 'refused a' "no forwarded type is reported as refused"

# --------------------------- what the clients in the sandbox ask still works
# glibc's getaddrinfo (getent, curl, wget, git and Node.js's dns.lookup and
# fetch all use it) asks A and AAAA.
log_mark=$(wc -l <"$WORLD_DNS_LOG")
sbx --allow allowed.test -- bash -c '
  getent ahosts allowed.test >/dev/null; echo "getent=$?"
  curl -sS -m 5 http://allowed.test/ >/dev/null; echo "curl=$?"
  wget -q -O /dev/null -T 5 http://allowed.test/; echo "wget=$?"
  git ls-remote http://allowed.test/x.git 2>&1 | grep -q "Could not resolve"; echo "git-unresolved=$?"
  command -v node >/dev/null || { echo "node=absent"; exit 0; }
  timeout 10 node -e "require(\"dns\").lookup(\"allowed.test\", (e, a) => console.log(\"node-lookup=\" + (e ? e.code : a)))"
  timeout 10 node -e "fetch(\"http://allowed.test/\").then(r => r.text()).then(t => console.log(\"node-fetch=\" + t.trim()),
    e => console.log(\"node-fetch=\" + (e.cause ? e.cause.code : e)))"'
like_line "$OUT" '^getent=0$' "getent ahosts (glibc getaddrinfo) resolves allowed.test"
like_line "$OUT" '^curl=0$' "curl fetches http://allowed.test/"
like_line "$OUT" '^wget=0$' "wget fetches http://allowed.test/"
like_line "$OUT" '^git-unresolved=1$' "git resolves allowed.test (no 'Could not resolve host')"
if grep -q '^node=absent' <<<"$OUT"; then
    skip "Node.js dns.lookup resolves allowed.test" "node is not installed"
    skip "Node.js fetch reaches http://allowed.test/" "node is not installed"
else
    like_line "$OUT" '^node-lookup=203\.0\.113\.10$' "Node.js dns.lookup resolves allowed.test"
    like_line "$OUT" '^node-fetch=server 203\.0\.113\.10:80$' "Node.js fetch reaches http://allowed.test/"
fi
sleep 0.2
is "$(new_queries | grep -vE '^query\[(A|AAAA)\] ')" "" "those clients asked only A and AAAA"
unlike_line "$ERR" 'refused a' "... and nothing they asked was refused"
done_testing
