#!/bin/bash
# tests/net/80-lifecycle.t - the processes of --net filtered: while a command
# runs there is a network stack and a DNS gate, confined (no_new_privs, a
# seccomp filter, not dumpable); when clbox ends (normally, by
# SIGTERM, or killed outright) none of them is left; and when the gate dies
# while the command runs, lookups fail from then on but the network never
# opens up (unlisted addresses stay refused).
#
# The script runs itself inside the fake internet of tests/world/run-in-world,
# whose own PID namespace holds only this script's processes.  Every wait is
# bounded (wait_for, loops of at most 100 rounds, curl -m 5).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"

# leftovers: network stack and clbox processes (the gate and the sandbox's
# init are clbox processes too) of this world.
no_leftovers() { [ -z "$(leftovers)" ]; }
# children_of PID: "PID COMM NS" for each child of PID, NS being how many PID
# namespaces deep it is seen (1: ours; 2: it is the init of a new one).
children_of() {
    local c
    for c in $(pgrep -P "$1"); do
        printf '%s %s %s\n' "$c" "$(cat "/proc/$c/comm" 2>/dev/null)" \
            "$(awk '/^NSpid:/ {print NF - 1}' "/proc/$c/status" 2>/dev/null)"
    done
}
# gate_of PID: the child of clbox PID that is the DNS gate: a clbox process
# in our own PID namespace (the sandbox's init is in a new one).
gate_of() { children_of "$1" | awk '$2 == "clbox" && $3 == 1 {print $1}'; }
stack_of() { children_of "$1" | awk -v re="^($NET_STACK_COMMS)\$" '$2 ~ re {print $1}'; }

SYNC=$PROJECT/.sync
mkdir -p "$SYNC"

# -------------------------------------------- after a normal run: nothing left
sbx --allow allowed.test -- curl -sS -m 5 http://allowed.test/
is "$RC:$OUT" "0:server 203.0.113.10:80" "a normal run reaches allowed.test"
ok "after it, no $NET_STACK or clbox process is left" wait_for 2 no_leftovers

# ---------------------------------------------------- while a command runs
spawn "$CLBOX" run --allow allowed.test -- bash -c ': >"$1/started"; sleep 15' bash "$SYNC"
wait_for 10 test -e "$SYNC/started"
stack=$(stack_of "$BG_PID")
gate=$(gate_of "$BG_PID")
ok "while a command runs: clbox has a $NET_STACK child ($stack)" test -n "$stack"
ok "... and a DNS gate child ($gate)" test -n "$gate"
# The gate parses what the command sends: it runs confined, seen from here.
# It confines itself first thing after the fork; allow it a moment.
gate_confined() { grep -q '^Seccomp:[[:space:]]*2$' "/proc/${gate:-0}/status"; }
wait_for 2 gate_confined
gate_status=$(cat "/proc/${gate:-0}/status" 2>&1)
like_line "$gate_status" '^NoNewPrivs:[[:space:]]+1$' "the gate has NoNewPrivs 1"
like_line "$gate_status" '^Seccomp:[[:space:]]+2$' "the gate runs under a seccomp filter (Seccomp 2)"
can_list() { ls "$1" >/dev/null 2>&1; }
ok "(control) the same user can list the launcher's /proc/PID/fd" can_list "/proc/$BG_PID/fd"
refute "the gate is not dumpable: the same user cannot list its /proc/PID/fd" can_list "/proc/${gate:-0}/fd"
kill -TERM "$BG_PID"
reap
ok "clbox ended by SIGTERM exits (status $RC)" test "$RC" -ne 0 -a "$RC" -ne 124
ok "... and leaves no $NET_STACK or clbox process" wait_for 2 no_leftovers
left=$(leftovers)
[ -n "$left" ] && diag "left: $left"
rm -f "$SYNC/started"

spawn "$CLBOX" run --allow allowed.test -- bash -c ': >"$1/started"; sleep 15' bash "$SYNC"
wait_for 10 test -e "$SYNC/started"
stack=$(stack_of "$BG_PID")
gate=$(gate_of "$BG_PID")
kill -KILL "$BG_PID"
reap
ok "clbox killed by SIGKILL: its $NET_STACK ($stack) ends too" \
    wait_for 3 test -n "$stack" -a ! -e "/proc/${stack:-0}"
ok "... and its gate ($gate) ends too" wait_for 3 test -n "$gate" -a ! -e "/proc/${gate:-0}"
ok "... and nothing of it is left (the command included)" \
    wait_for 3 test -z "$(leftovers; pgrep -x sleep)"
left=$(leftovers; pgrep -a -x sleep)
[ -n "$left" ] && diag "left: $left"
rm -f "$SYNC/started"

# ----------------------------------------------- the gate dies mid-session
# Inside: fetch allowed.test, say so, wait (bounded) to be told the gate is
# gone, then try lookups and connections, each bounded.
cat >"$SYNC/after-gate.sh" <<'SH'
printf 'before %s\n' "$(curl -sS -m 5 http://allowed.test/ 2>&1)"
: >"$1/fetched"
for ((i = 0; i < 100; i++)); do [ -e "$1/gate-killed" ] && break; sleep 0.1; done
a=$EPOCHREALTIME
timeout 12 getent hosts allowed.test >/dev/null
printf 'lookup rc=%s ms=%s\n' "$?" $(((${EPOCHREALTIME//[.,]/} - ${a//[.,]/}) / 1000))
timeout 12 getent hosts other.test >/dev/null
printf 'lookup-other rc=%s\n' "$?"
curl -s -m 5 http://203.0.113.11/ >/dev/null
printf 'raw-other rc=%s\n' "$?"
curl -s -m 5 http://203.0.113.12:8443/ >/dev/null
printf 'raw-sub rc=%s\n' "$?"
curl -s -m 5 http://198.51.100.53:443/ >/dev/null
printf 'raw-dns rc=%s\n' "$?"
curl -s -m 5 http://10.0.2.2:8123/ >/dev/null
printf 'host rc=%s\n' "$?"
exit 7
SH
T_TIMEOUT=40 spawn "$CLBOX" run --allow allowed.test -- bash "$SYNC/after-gate.sh" "$SYNC"
gate=
if wait_for 10 test -e "$SYNC/fetched"; then
    gate=$(gate_of "$BG_PID")
    [ -n "$gate" ] && kill -KILL "$gate"
fi
ok "the gate of a running session was found and killed ($gate)" \
    wait_for 3 test -n "$gate" -a ! -e "/proc/${gate:-0}"
: >"$SYNC/gate-killed"
reap
field() { sed -n "s/^$1 //p" <<<"$OUT"; }
is "$(field before)" "server 203.0.113.10:80" "before the gate died, allowed.test was reached"
like "$(field lookup)" '^rc=[^0]' "after the gate died, a lookup fails ($(field lookup))"
like "$(field lookup)" '^rc=[0-9]+ ms=([0-9]{1,3}|[0-9]{4})$' "... within 10 s, not hanging ($(field lookup))"
is "$(field lookup-other)" "rc=2" "... a lookup of an unlisted name fails"
is "$(field raw-other)" "rc=7" "... an unlisted address (203.0.113.11) is still refused"
is "$(field raw-sub)" "rc=7" "... 203.0.113.12:8443 is still refused"
is "$(field raw-dns)" "rc=7" "... the DNS server's 198.51.100.53:443 is still refused"
is "$(field host)" "rc=7" "... the host's loopback is still refused"
is "$RC" 7 "the command ran to its end, its exit status kept"
like_line "$ERR" '^clbox: .*gate' "clbox said on stderr that the gate is gone"
done_testing
