#!/bin/bash
# tests/net/20-filter.t - the firewall of --net filtered, against the fake
# internet of tests/world/run-in-world: raw addresses are refused at once
# unless allowed literally, answers lose addresses that point inside
# (loopback, link-local, private, this machine...), port-restricted entries,
# --deny, IPv6, and no DNS server but clbox's gate.
#
# The script runs itself inside a world; every probe inside the sandbox is
# bounded (curl -m 5, an alarm in the DNS client).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# ------------------------------------------ 5. raw addresses of unlisted hosts
steps --allow allowed.test -- "http http://203.0.113.11/" "http http://203.0.113.12:8443/" \
    "http http://203.0.113.10/" "getent allowed.test" "http http://203.0.113.10/#2"
refused "http http://203.0.113.11/" "203.0.113.11 (no allowlisted name for it) is refused at once"
like_line "$ERR" '^clbox: blocked connection to 203\.0\.113\.11:80 \(no allowlisted name resolved to it\)$' \
    "... and reported on stderr"
refused "http http://203.0.113.12:8443/" "203.0.113.12:8443 is refused at once"
refused "http http://203.0.113.10/" "allowed.test's address is closed before the name was looked up"
reached "http http://203.0.113.10/#2" "server 203.0.113.10:80" "... and open once the gate answered for allowed.test"

steps --allow 203.0.113.11 -- "http http://203.0.113.11/" "http http://203.0.113.11:8443/" "http http://203.0.113.12/"
reached "http http://203.0.113.11/" "server 203.0.113.11:80" "--allow 203.0.113.11: that address is reached"
refused "http http://203.0.113.12/" "--allow 203.0.113.11: 203.0.113.12 stays refused"
unlike_line "$ERR" '203\.0\.113\.11:80' "--allow 203.0.113.11: no blocked line for it"

steps --allow 203.0.113.8/30 -- "http http://203.0.113.10/" "http http://203.0.113.11/" "http http://203.0.113.12/"
reached "http http://203.0.113.10/" "server 203.0.113.10:80" "--allow 203.0.113.8/30: 203.0.113.10 is reached"
reached "http http://203.0.113.11/" "server 203.0.113.11:80" "--allow 203.0.113.8/30: 203.0.113.11 is reached"
refused "http http://203.0.113.12/" "--allow 203.0.113.8/30: 203.0.113.12 (outside it) is refused"

# ------------------ 6. answers pointing inside lose those addresses
steps --allow metadata.test --allow private.test --allow loopback.test -- \
    "getent metadata.test" "http http://metadata.test/" "http http://169.254.169.254/" \
    "getent private.test" "http http://private.test/" "http http://10.0.0.7/" \
    "getent loopback.test"
step "getent metadata.test"
is "$S_RC:$S_OUT" "2:" "metadata.test (169.254.169.254) resolves to nothing inside"
step "http http://metadata.test/"
is "$S_RC" 6 "http://metadata.test/ cannot be reached through the name"
refused "http http://169.254.169.254/" "169.254.169.254 is refused at once"
like_line "$ERR" '^clbox: removed 169\.254\.169\.254 from the answer for metadata\.test \(.+\)$' \
    "'removed 169.254.169.254 from the answer for metadata.test' is reported"
step "getent private.test"
is "$S_RC:$S_OUT" "2:" "private.test (10.0.0.7) resolves to nothing inside"
step "http http://private.test/"
is "$S_RC" 6 "http://private.test/ cannot be reached through the name"
refused "http http://10.0.0.7/" "10.0.0.7 is refused at once"
like_line "$ERR" '^clbox: removed 10\.0\.0\.7 from the answer for private\.test \(.+\)$' \
    "'removed 10.0.0.7 from the answer for private.test' is reported"
step "getent loopback.test"
is "$S_RC:$S_OUT" "2:" "loopback.test (127.0.0.1) resolves to nothing inside"
like_line "$ERR" '^clbox: removed 127\.0\.0\.1 from the answer for loopback\.test \(.+\)$' \
    "'removed 127.0.0.1 from the answer for loopback.test' is reported"

steps --allow private.test --allow 10.0.0.0/8 -- "getent private.test" "http http://private.test/"
step "getent private.test"
is "$S_RC:$S_OUT" "0:10.0.0.7 " "--allow 10.0.0.0/8: private.test resolves to 10.0.0.7"
reached "http http://private.test/" "server 10.0.0.7:80" "--allow 10.0.0.0/8: http://private.test/ is reached"
steps --allow private.test --allow 10.0.0.7 -- "http http://private.test/"
reached "http http://private.test/" "server 10.0.0.7:80" "--allow 10.0.0.7: http://private.test/ is reached"
steps --allow private.test --allow 10.0.0.8 -- "getent private.test"
step "getent private.test"
is "$S_RC:$S_OUT" "2:" "--allow 10.0.0.8 (another address) does not let private.test's 10.0.0.7 through"

# Every other class the gate must remove, with names made for it; and an
# answer with a public and a private address keeps only the public one.
classes=(zero.test=0.0.0.0 mcast.test=224.0.0.1 slirp.test=10.0.2.2 self.test=198.51.100.2
    cgnat.test=100.64.0.1 p172.test=172.16.0.1 p192.test=192.168.1.1)
args=() probes=()
for c in "${classes[@]}"; do
    world-set-host "${c%%=*}" "${c#*=}" >/dev/null 2>&1 || diag "world-set-host ${c%%=*} failed"
    args+=(--allow "${c%%=*}")
    probes+=("getent ${c%%=*}")
done
world-set-host mixed.test 203.0.113.11 10.0.0.7 >/dev/null 2>&1 || diag "world-set-host mixed.test failed"
steps "${args[@]}" --allow mixed.test -- "${probes[@]}" "getent mixed.test" "http http://mixed.test/"
for c in "${classes[@]}"; do
    name=${c%%=*} addr=${c#*=}
    step "getent $name"
    got="$S_RC:$S_OUT"
    if [ "$got" = "2:" ] && grep -qE "^clbox: removed ${addr//./\\.} from the answer for ${name//./\\.} \(.+\)$" <<<"$ERR"; then
        pass "$name ($addr) resolves to nothing, and the removal is reported"
    else
        fail "$name ($addr) resolves to nothing, and the removal is reported" "getent: '$got'"
    fi
done
step "getent mixed.test"
is "$S_RC:$S_OUT" "0:203.0.113.11 " "mixed.test (203.0.113.11 and 10.0.0.7): only 203.0.113.11 is left"
reached "http http://mixed.test/" "server 203.0.113.11:80" "http://mixed.test/ reaches the public address"

# ------------------------------------------------- 7. port-restricted entries
steps --allow sub.allowed.test:8443 -- "http http://sub.allowed.test:8443/" "http http://sub.allowed.test/"
reached "http http://sub.allowed.test:8443/" "server 203.0.113.12:8443" "--allow sub.allowed.test:8443: port 8443 is reached"
refused "http http://sub.allowed.test/" "--allow sub.allowed.test:8443: port 80 of the same address is refused"
like_line "$ERR" '^clbox: blocked connection to 203\.0\.113\.12:80 ' "... and reported"

steps --allow sub.allowed.test:8443 --allow sub.allowed.test:80 -- \
    "http http://sub.allowed.test:8443/" "http http://sub.allowed.test/"
reached "http http://sub.allowed.test:8443/" "server 203.0.113.12:8443" "two ports for one name: 8443 is reached"
reached "http http://sub.allowed.test/" "server 203.0.113.12:80" "two ports for one name: 80 is reached"

# A port-restricted name with many addresses: each address and port is its
# own firewall entry (60 addresses x 2 ports).
steps --allow big.test:80 --allow big.test:443 -- "getent big.test" "getent big.test"
step "getent big.test"
is "$(wc -w <<<"$S_OUT")" 60 "--allow big.test:80 --allow big.test:443: big.test resolves to its 60 addresses"
unlike_line "$ERR" 'gate (was killed|exited)' "... and the gate survives it"

# ------------------------------------------------- 15. --deny wins
steps --allow '*.allowed.test' --deny www.allowed.test -- "dns $GATE udp www.allowed.test" \
    "http http://www.allowed.test/" "http http://sub.allowed.test/" "dns $GATE udp WWW.Allowed.TEST"
step "dns $GATE udp www.allowed.test"
like "$S_OUT" '^rcode=3 ' "--allow '*.allowed.test' --deny www.allowed.test: www.allowed.test is NXDOMAIN"
refute "... and never reached the DNS server" logged www.allowed.test
step "dns $GATE udp WWW.Allowed.TEST"
like "$S_OUT" '^rcode=3 ' "... also when asked as WWW.Allowed.TEST"
reached "http http://sub.allowed.test/" "server 203.0.113.12:80" "... while sub.allowed.test is still reached"
like_line "$ERR" '^clbox: blocked DNS lookup of www\.allowed\.test \(denied by --deny\)$' \
    "'blocked DNS lookup of www.allowed.test (denied by --deny)' is reported"

steps --allow other.test --deny other.test -- "getent other.test"
step "getent other.test"
is "$S_RC:$S_OUT" "2:" "--allow other.test --deny other.test: other.test is refused"

# --------------------------------------------- 8. no DNS server but the gate
steps --allow ns.world.test -- "dns 198.51.100.53 udp direct-udp.test" "dns 198.51.100.53 tcp direct-tcp.test" \
    "dns 10.0.2.3 udp slirp-udp.test" "dns 10.0.2.3 tcp slirp-tcp.test" \
    "http http://198.51.100.53:853/" "dns $GATE udp ns.world.test" "http http://198.51.100.53:443/"
for q in "198.51.100.53 udp direct-udp.test" "198.51.100.53 tcp direct-tcp.test" \
    "10.0.2.3 udp slirp-udp.test" "10.0.2.3 tcp slirp-tcp.test"; do
    step "dns $q"
    took=$(sed -n 's/.* took=\([0-9]*\)$/\1/p' <<<"$S_OUT")
    if [[ $S_OUT == error=* ]] && fast "$took" 1000; then
        pass "a DNS query to ${q% *} fails at once (${S_OUT})"
    else
        fail "a DNS query to ${q% *} fails at once" "result: '$S_OUT'"
    fi
done
refused "http http://198.51.100.53:853/" "the DNS server's port 853 (DNS over TLS) is refused"
like_line "$ERR" "^clbox: blocked connection to 198\.51\.100\.53:853 \(DNS goes only through clbox's gate\)$" \
    "... reported as DNS going only through the gate"
like_line "$ERR" "^clbox: blocked connection to 10\.0\.2\.3:53(/udp)? \(DNS goes only through clbox's gate\)$" \
    "the attempt on slirp4netns's forwarder 10.0.2.3:53 is reported so"
for name in direct-udp.test direct-tcp.test slirp-udp.test slirp-tcp.test; do
    refute "$name (asked directly) never reached the DNS server" logged "$name"
done
step "dns $GATE udp ns.world.test"
like "$S_OUT" '^rcode=0 .*a=198\.51\.100\.53 ' "--allow ns.world.test: the gate answers 198.51.100.53"

steps -- "http http://198.51.100.53:443/"
refused "http http://198.51.100.53:443/" "with no --allow, the DNS server's port 443 (DNS over HTTPS) is refused"

# Once the DNS server's address is open (a name that resolves to it, or the
# address itself, is allowed), DNS to it must still go only through the gate.
steps --allow ns.world.test -- "getent ns.world.test" "dns 198.51.100.53 udp via-name-udp.test" \
    "dns 198.51.100.53 tcp via-name-tcp.test" "http http://198.51.100.53:853/"
step "getent ns.world.test"
is "$S_RC:$S_OUT" "0:198.51.100.53 " "--allow ns.world.test: it resolves to the DNS server 198.51.100.53 (now open)"
step "dns 198.51.100.53 udp via-name-udp.test"
like "$S_OUT" '^error=' "... yet a UDP query sent to it directly fails"
step "dns 198.51.100.53 tcp via-name-tcp.test"
like "$S_OUT" '^error=' "... and a TCP query sent to it directly fails"
refused "http http://198.51.100.53:853/" "... and its port 853 is refused"
ok "... and neither direct query reached the DNS server" \
    test -z "$(grep -E '\] via-name-(udp|tcp)\.test from' "$WORLD_DNS_LOG")"
steps --allow 198.51.100.53 -- "dns 198.51.100.53 udp via-addr-udp.test" "dns 198.51.100.53 tcp via-addr-tcp.test"
step "dns 198.51.100.53 udp via-addr-udp.test"
like "$S_OUT" '^error=' "--allow 198.51.100.53: a UDP query sent to it directly fails"
step "dns 198.51.100.53 tcp via-addr-tcp.test"
like "$S_OUT" '^error=' "--allow 198.51.100.53: a TCP query sent to it directly fails"

# ------------------------------------------------------------- IPv6
steps --allow dual.test -- "http http://[2001:db8:2::10]/" "http http://dual.test/"
refused "http http://[2001:db8:2::10]/" "an IPv6 connection fails at once"
reached "http http://dual.test/" "server 203.0.113.10:80" "dual.test (A and AAAA) is reached over IPv4"
# (The kernel's own "unreachable" entries on lo are not routes out.)
run "$CLBOX" run -- sh -c 'awk "\$2 == \"00\" && \$10 != \"lo\"" /proc/net/ipv6_route; awk "\$4 == \"00\"" /proc/net/if_inet6'
is "$RC:$OUT" "0:" "no IPv6 default route and no global IPv6 address inside"
done_testing
