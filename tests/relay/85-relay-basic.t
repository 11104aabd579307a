#!/bin/bash
# tests/relay/85-relay-basic.t - clbox's TCP relay on its own (the relay
# harness, tests/lib/relayworld.sh): a sandbox network namespace whose TCP
# the firewall redirects to the relay, which reaches the fake internet from
# the namespace it runs in.  Bytes arrive intact both ways (large transfers
# checked by SHA-256, at once in both directions), each half-close passes
# while the other direction goes on, IPv4 and IPv6 keep their original
# destination, the policy can peek without consuming, host ports are mapped
# only when allowed, and a direct connection to the relay's own port is
# refused.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/relayworld.sh"

BIG=$((64 * 1024 * 1024))
relay_start --rule peek:7003:16:2000 --rule peek:7004:16:300 --rule host:8123
ok "the harness started the sandbox ($SBX_PID) and the relay ($RELAY_PID)" test -n "$SBX_PID" -a -n "$RELAY_PID"

# ------------------------------------------------ the original destination
OUT=$(IN curl -sS -m 5 http://203.0.113.10/ 2>&1)
is "$OUT" "server 203.0.113.10:80" "IPv4: the relay connects where the sandbox meant to (203.0.113.10:80)"
OUT=$(IN curl -sS -m 5 http://203.0.113.11/ 2>&1)
is "$OUT" "server 203.0.113.11:80" "... and to another address, another one (203.0.113.11:80)"
OUT=$(IN curl -sS -m 5 'http://[2001:db8:2::10]/' 2>&1)
is "$OUT" "server [2001:db8:2::10]:80" "IPv6: the same through the relay's IPv6 listener"

# ---------------------------------------------------- large transfers, intact
serve 7001 sink
client "$WORLD_CLIENT_IP" 7001 send "$BIG"
want=$(python3 "$TCPTOOL" pattern-sha 2 "$BIG")
like "$CL" "^result sent=$BIG sha=$want answer=got $BIG $want " \
    "64 MiB sandbox -> server: the server got every byte (SHA-256), and its answer came after the client's FIN"

serve 7002 source "$BIG"
client "$WORLD_CLIENT_IP" 7002 recv
want=$(python3 "$TCPTOOL" pattern-sha 1 "$BIG")
like "$CL" "^result recv bytes=$BIG sha=$want " "64 MiB server -> sandbox: every byte (SHA-256), then the server's FIN"
ok "the server's half-close left the other direction open: it read what the client sent after the FIN" \
    srv_has "^source sent=$BIG then-read=5 data=b'late\\\\n'"

serve 7005 echo
client "$WORLD_CLIENT_IP" 7005 echo $((16 * 1024 * 1024))
like "$CL" "^result echo sent=16777216 got=16777216 same=yes " "16 MiB both ways at once (an echo): intact, no deadlock"

SERVE_ADDR=2001:db8:1::2 serve 7006 sink
client 2001:db8:1::2 7006 send $((16 * 1024 * 1024))
want=$(python3 "$TCPTOOL" pattern-sha 2 $((16 * 1024 * 1024)))
like "$CL" "^result sent=16777216 sha=$want answer=got 16777216 $want " "16 MiB over IPv6, intact"

# --------------------------------------------------------------- peeking
serve 7003 echo
client "$WORLD_CLIENT_IP" 7003 hello "peeked, not consumed"
is "${CL% ms=*}" "result hello answer=b'peeked, not consumed\\n'" \
    "after the policy peeked, the server still gets every byte (nothing consumed)"
like_line "$(cat "$RELAY_ERR")" "^relay-harness: peeked 16 bytes$" "... and the policy saw the 16 bytes it asked for"
serve 7003 record
client "$WORLD_CLIENT_IP" 7003 hello "REFUSE this one"
like "$CL" "^result (hello answer=b''|error=ECONNRESET) " "what the policy sees in the first bytes can refuse the connection"
like "$(cat "$RELAY_ERR")" "refused 10\\.0\\.2\\.100:[0-9]+ -> $WORLD_CLIENT_IP:7003: peeked 16 bytes starting REFUSE" \
    "... reported with the policy's message"
sleep 0.3
is "$(srv_lines)" "" "... and the server never saw it"
serve 7004 echo
client "$WORLD_CLIENT_IP" 7004 slow "abcde"
is "${CL% ms=*}" "result slow answer=b'abcde and more\\n'" \
    "a client slower than the peek's deadline: decided on what came, then relayed whole"
like "$(cat "$RELAY_ERR")" "peeked 5 bytes \\(the client stopped or the deadline passed\\)" \
    "... the policy was shown the 5 bytes that came before the deadline"

# ------------------------------------------------------------ host ports
OUT=$(IN curl -sS -m 5 http://10.0.2.2:8123/ 2>&1)
is "$OUT" "server 127.0.0.1:8123" "an allowed host port: 10.0.2.2:8123 is connected as 127.0.0.1:8123"
# A reset, told apart from a refused connect (ECONNREFUSED: nothing listens,
# the relay is gone) and from a timeout.
client 10.0.2.2 8124 hello "not allowed"
like "$CL" "^result error=(ECONNRESET|EPIPE) " "a host port not allowed (8124) is reset"
like "$(cat "$RELAY_ERR")" "-> 10\\.0\\.2\\.2:8124: 10\\.0\\.2\\.2 is the user's machine" "... with the reason reported"
client 127.0.0.1 8123 hello "loopback"
like "$CL" "^result error=(ECONNRESET|EPIPE) " "a loopback destination is reset, even on an allowed host port"
like "$(cat "$RELAY_ERR")" "-> 127\\.0\\.0\\.1:8123: a loopback or unspecified address" \
    "... the relay never connects to a loopback address of its own side"

# ------------------------------------------------- the relay's own listener
client 127.0.0.1 "$RELAY_PORT" hello "to the relay itself"
like "$CL" "^result error=(ECONNRESET|EPIPE) " "a connection straight to the relay's port is reset"
like "$(cat "$RELAY_ERR")" "-> 127\\.0\\.0\\.1:$RELAY_PORT: the connection was made to the relay's own listener" \
    "... as one to the relay's own listener, not relayed"
client 10.0.2.100 "$RELAY_PORT" hello "to the relay at the sandbox's address"
like "$CL" "^result error=(ECONNRESET|EPIPE) ms=[0-9]{1,3}$" \
    "the relay's port at the sandbox's own address is reset at once, not connected to from the relay's side"
like "$(cat "$RELAY_ERR")" "-> 10\\.0\\.2\\.100:$RELAY_PORT: the connection was made to the relay's own listener" \
    "... reported as one to the relay's own listener"
unlike "$(cat "$RELAY_OUT")" "relay ended" "the relay lives on after every refusal"
ok "... its process is still there" kill -0 "$RELAY_PID"

relay_stop
no_harness() { ! pgrep -x relay-harness >/dev/null; }
ok "when the harness ends, neither the relay nor the sandbox is left" wait_for 3 no_harness
done_testing
