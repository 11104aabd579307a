#!/bin/bash
# tests/net/10-dns.t - the DNS gate of --net filtered, against the fake
# internet of tests/world/run-in-world: allowlisted names resolve and are
# reachable, every other name is NXDOMAIN at once and never leaves the
# machine, wildcards and CNAMEs, AAAA removal, TCP and large answers, and an
# address that changes while the sandbox runs.
#
# The script runs itself inside a world (with a 2 s DNS TTL, for the address
# change); every probe inside the sandbox is bounded (curl -m, perl alarm).
WORLD_OPTS=(--ttl 2)
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# ------------------------------------------------- the sandbox's resolver
run "$CLBOX" run -- cat /etc/resolv.conf
like "$OUT" '(^|'$'\n'')nameserver 127\.0\.0\.53($|'$'\n'')' "resolv.conf inside names the gate 127.0.0.53"
is "$(grep '^nameserver' <<<"$OUT" | grep -vx 'nameserver 127\.0\.0\.53')" "" "resolv.conf inside names no other server"

# ----------------------------------------- 1. an allowlisted name is reachable
steps --allow allowed.test -- "getent allowed.test" "http http://allowed.test/"
step "getent allowed.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "allowed.test resolves to 203.0.113.10 inside"
step "http http://allowed.test/"
is "$S_RC:$S_OUT" "0:server 203.0.113.10:80" "http://allowed.test/ is reached (body 'server 203.0.113.10:80')"
unlike_line "$ERR" 'blocked' "reaching an allowlisted name reports nothing blocked"

# ------------------------------- 2. an unlisted name: NXDOMAIN, never forwarded
n_allowed=$(log_count www.allowed.test)
steps --allow www.allowed.test -- "dns $GATE udp other.test" "dns $GATE tcp other.test" \
    "getent other.test" "http http://other.test/" "getent www.allowed.test"
step "dns $GATE udp other.test"
like "$S_OUT" '^rcode=3 ' "other.test (not allowlisted, exists upstream): NXDOMAIN over UDP"
took=$(sed -n 's/.* took=\([0-9]*\)$/\1/p' <<<"$S_OUT")
ok "... answered well under a second (${took:-?} ms < 300)" fast "$took" 300
step "dns $GATE tcp other.test"
like "$S_OUT" '^rcode=3 ' "other.test: NXDOMAIN over TCP too"
step "getent other.test"
is "$S_RC:$S_OUT" "2:" "getent other.test: not found (exit 2)"
ok "... at once (${S_MS:-?} ms < 1000)" fast "$S_MS" 1000
step "http http://other.test/"
is "$S_RC" 6 "curl http://other.test/: could not resolve (exit 6)"
step "getent www.allowed.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "in the same session the allowlisted www.allowed.test resolves"
# The allowlisted name of that session reached the log; the refused one,
# asked before it, never did.
if wait_for 3 test "$(log_count www.allowed.test)" -gt "$n_allowed"; then
    refute "other.test never reached the DNS server (absent from its log)" logged other.test
else
    fail "other.test never reached the DNS server (absent from its log)" \
        "the control query for www.allowed.test is not in $WORLD_DNS_LOG either"
fi
like_line "$ERR" '^clbox: blocked DNS lookup of other\.test \(not allowlisted; add --allow other\.test\)$' \
    "the refusal is reported on stderr"

# ------------------------- 3. unlisted name under an allowlisted parent refused
n_allowed=$(log_count allowed.test)
steps --allow allowed.test -- "dns $GATE udp sub.allowed.test" "getent sub.allowed.test" "getent allowed.test"
step "dns $GATE udp sub.allowed.test"
like "$S_OUT" '^rcode=3 ' "--allow allowed.test: sub.allowed.test is NXDOMAIN"
step "getent sub.allowed.test"
is "$S_RC:$S_OUT" "2:" "--allow allowed.test: getent sub.allowed.test finds nothing"
if wait_for 3 test "$(log_count allowed.test)" -gt "$n_allowed"; then
    refute "sub.allowed.test never reached the DNS server" logged sub.allowed.test
else
    fail "sub.allowed.test never reached the DNS server" "the control query for allowed.test is not in the log"
fi

# ------------------------------- 4. a wildcard allows subdomains, not the apex
steps --allow '*.allowed.test' -- "http http://sub.allowed.test/" "getent www.allowed.test" \
    "dns $GATE udp allowed.test" "http http://allowed.test/"
step "http http://sub.allowed.test/"
is "$S_RC:$S_OUT" "0:server 203.0.113.12:80" "--allow '*.allowed.test': sub.allowed.test is reached"
step "getent www.allowed.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "--allow '*.allowed.test': www.allowed.test resolves"
step "dns $GATE udp allowed.test"
like "$S_OUT" '^rcode=3 ' "--allow '*.allowed.test': the apex allowed.test is NXDOMAIN"
step "http http://allowed.test/"
is "$S_RC" 6 "--allow '*.allowed.test': curl http://allowed.test/ cannot resolve it"

# ---------------------------------------------------------- 10. CNAMEs
steps --allow alias.test -- "getent alias.test" "http http://alias.test/" "dns $GATE udp alias.test"
step "getent alias.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "--allow alias.test (CNAME to allowed.test) resolves to 203.0.113.10"
step "http http://alias.test/"
is "$S_RC:$S_OUT" "0:server 203.0.113.10:80" "http://alias.test/ reaches the CNAME's target"
step "dns $GATE udp alias.test"
like "$S_OUT" '^rcode=0 tc=0 an=2 a=203\.0\.113\.10 ' "the answer keeps the CNAME and the address"

# --------------------------------------------------------- AAAA is removed
steps --allow dual.test --allow v6.allowed.test -- "dns $GATE udp dual.test AAAA" "dns $GATE udp dual.test" \
    "dns $GATE tcp v6.allowed.test AAAA" "getent dual.test" "http http://dual.test/"
step "dns $GATE udp dual.test AAAA"
like "$S_OUT" '^rcode=0 .* aaaa=0 ' "AAAA query of dual.test: no AAAA record in the answer"
step "dns $GATE tcp v6.allowed.test AAAA"
like "$S_OUT" '^rcode=0 .* aaaa=0 ' "AAAA query of v6.allowed.test over TCP: no AAAA record either"
step "dns $GATE udp dual.test"
like "$S_OUT" '^rcode=0 tc=0 an=1 a=203\.0\.113\.10 ' "A query of dual.test: its IPv4 address"
step "http http://dual.test/"
is "$S_RC:$S_OUT" "0:server 203.0.113.10:80" "http://dual.test/ is reached over IPv4"
ok "... without waiting for IPv6 first (${S_MS:-?} ms < 1000)" fast "$S_MS" 1000

# ---------------------------------- 13. TCP DNS and answers too big for UDP
before=$(host_tcp_opens)
steps --allow big.test -- "dns $GATE udp big.test"
after=$(host_tcp_opens)
step "dns $GATE udp big.test"
like "$S_OUT" '^rcode=0 tc=1 ' "big.test over UDP (no EDNS) from the gate: truncated (TC set)"
ok "... and the gate fetched the full answer upstream over TCP (TCP opens on the host side: $before -> $after)" \
    test "${after:-0}" -gt "${before:-0}"
steps --allow big.test -- "dns $GATE tcp big.test" "getent big.test"
step "dns $GATE tcp big.test"
like "$S_OUT" '^rcode=0 tc=0 an=60 ' "big.test over TCP from the gate: all 60 addresses"
step "getent big.test"
is "$(wc -w <<<"$S_OUT")" 60 "getent ahostsv4 big.test inside: 60 addresses"

# A name with 150 addresses: more than any answer of the world's defaults.
addrs=()
for ((i = 20; i < 170; i++)); do addrs+=("203.0.113.$i"); done
world-set-host huge.test "${addrs[@]}" >/dev/null 2>&1 || diag "world-set-host huge.test failed"
steps --allow huge.test --allow allowed.test -- "dns $GATE tcp huge.test" "getent huge.test" \
    "getent allowed.test"
step "dns $GATE tcp huge.test"
like "$S_OUT" '^rcode=0 tc=0 an=[1-9]' "huge.test (150 addresses) over TCP: answered with addresses"
step "getent huge.test"
ok "getent ahostsv4 huge.test inside finds addresses ($(wc -w <<<"$S_OUT"))" test "$(wc -w <<<"$S_OUT")" -gt 0
step "getent allowed.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "after the 150-address answer the gate still answers (allowed.test)"
unlike_line "$ERR" 'gate (was killed|exited)' "the gate survives a 150-address answer"

# --------------------------- 12. an address that changes during the session
# Inside: fetch, say so, wait (bounded) until the name was moved, let the 2 s
# TTL pass, look the name up again and fetch.
world_sync=$PROJECT/.sync
mkdir -p "$world_sync"
cat >"$world_sync/inner.sh" <<'SH'
printf 'first %s\n' "$(curl -sS -m 5 http://allowed.test/)"
: >"$1/fetched"
for ((i = 0; i < 100; i++)); do [ -e "$1/moved" ] && break; sleep 0.1; done
sleep 3
printf 'lookup %s\n' "$(getent ahostsv4 allowed.test | awk '{print $1}' | sort -u | tr '\n' ' ')"
printf 'second %s\n' "$(curl -sS -m 5 http://allowed.test/)"
SH
spawn "$CLBOX" run --allow allowed.test -- bash "$world_sync/inner.sh" "$world_sync"
if wait_for 10 test -e "$world_sync/fetched"; then
    world-set-host allowed.test 203.0.113.11 >/dev/null 2>&1 || diag "world-set-host allowed.test failed"
fi
: >"$world_sync/moved"
reap
is "$(sed -n 's/^first //p' <<<"$OUT")" "server 203.0.113.10:80" "address change: the first fetch reaches 203.0.113.10"
is "$(sed -n 's/^lookup //p' <<<"$OUT")" "203.0.113.11 " \
    "after world-set-host and the 2 s TTL, the same session resolves 203.0.113.11"
is "$(sed -n 's/^second //p' <<<"$OUT")" "server 203.0.113.11:80" "... and a new fetch reaches the new address"
world-set-host allowed.test 203.0.113.10 >/dev/null 2>&1

# ----------------- names are matched without regard to case or a final dot
steps --allow Allowed.Test -- "getent ALLOWED.test" "getent allowed.test." "dns $GATE udp aLLowed.TEST"
step "getent ALLOWED.test"
is "$S_RC:$S_OUT" "0:203.0.113.10 " "--allow Allowed.Test: ALLOWED.test resolves (case-insensitive)"
step "getent allowed.test."
is "$S_RC:$S_OUT" "0:203.0.113.10 " "... and so does allowed.test. (final dot)"
step "dns $GATE udp aLLowed.TEST"
like "$S_OUT" '^rcode=0 tc=0 an=1 a=203\.0\.113\.10 ' "... and the raw query aLLowed.TEST"

# ------------------------------------- a name that is allowlisted but absent
steps --allow nosuch.allowed.test -- "dns $GATE udp nosuch.allowed.test"
step "dns $GATE udp nosuch.allowed.test"
like "$S_OUT" '^rcode=3 ' "an allowlisted name the world does not know: the world's NXDOMAIN is relayed"
ok "the allowlisted name was forwarded (it is in the DNS server's log)" wait_for 3 logged nosuch.allowed.test

# ------------------------------- a refused name whose parent is refused too
steps -- "dns $GATE udp example.com"
step "dns $GATE udp example.com"
like "$S_OUT" '^rcode=3 ' "with no --allow at all: example.com is NXDOMAIN"
refute "example.com never reached the DNS server" logged example.com
done_testing
