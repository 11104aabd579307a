#!/bin/bash
# tests/net/50-reports.t - what --net filtered reports about blocked lookups
# and connections: one line each on stderr, in the documented words,
# de-duplicated, rate-limited, silenced by -q, and appended with a timestamp
# to the file of --log FILE (with or without -q).
#
# The script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (curl -m 5, timeout).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"

# in_sbx CLBOX-ARG... -- SHELL-CODE: runs SHELL-CODE with bash in a sandbox.
in_sbx() {
    local args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    sbx "${args[@]}" -- bash -c "$2"
}
# count_lines TEXT REGEX: how many lines of TEXT match the extended REGEX.
count_lines() { grep -cE -- "$2" <<<"$1"; }

# The actions of most sessions below: two identical blocked connections, one
# on another port, two identical blocked lookups, one UDP datagram to an
# unlisted address and one to the DNS server, and one allowlisted name whose
# answer loses a private address.
ACTIONS='
curl -s -m 5 http://203.0.113.11/ >/dev/null
curl -s -m 5 http://203.0.113.11/ >/dev/null
curl -s -m 5 http://203.0.113.11:8443/ >/dev/null
getent hosts other.test >/dev/null
getent hosts other.test >/dev/null
{ echo x >/dev/udp/203.0.113.12/9999; } 2>/dev/null
{ echo x >/dev/udp/198.51.100.53/53; } 2>/dev/null
getent hosts private.test >/dev/null
curl -s -m 5 http://allowed.test/'
L_CONN='blocked connection to 203\.0\.113\.11:80 \(no allowlisted name resolved to it\)$'
L_PORT='blocked connection to 203\.0\.113\.11:8443 \(no allowlisted name resolved to it\)$'
L_DNS='blocked DNS lookup of other\.test \(not allowlisted; add --allow other\.test\)$'
L_UDP='blocked connection to 203\.0\.113\.12:9999/udp \(no allowlisted name resolved to it\)$'
L_UDP53="blocked connection to 198\.51\.100\.53:53/udp \(DNS goes only through clbox's gate\)$"
L_RM='removed 10\.0\.0\.7 from the answer for private\.test \(.+\)$'

# ------------------------------------------------------- the lines on stderr
in_sbx --allow allowed.test --allow private.test -- "$ACTIONS"
is "$RC:$OUT" "0:server 203.0.113.10:80" "the session runs its actions (the allowlisted fetch works)"
is "$(count_lines "$ERR" "^clbox: $L_CONN")" 1 "two identical blocked connections: one line"
is "$(count_lines "$ERR" "^clbox: $L_PORT")" 1 "the same address on another port: a line of its own"
is "$(count_lines "$ERR" "^clbox: $L_DNS")" 1 "two identical blocked lookups: one line"
is "$(count_lines "$ERR" "^clbox: $L_UDP")" 1 "a blocked UDP datagram: one line, ADDR:PORT/udp"
is "$(count_lines "$ERR" "^clbox: $L_UDP53")" 1 "a UDP query to another DNS server: the line says DNS goes through the gate"
is "$(count_lines "$ERR" "^clbox: $L_RM")" 1 "the private address removed from an answer: one line"
unlike_line "$ERR" '203\.0\.113\.10|allowed\.test' "nothing is reported about the allowlisted name"
is "$(grep -v '^clbox: ' <<<"$ERR")" "" "every line on stderr starts with 'clbox: '"

# With -v, the gate's lines say that the gate speaks.
in_sbx -v --allow allowed.test -- 'getent hosts other.test >/dev/null'
is "$(count_lines "$ERR" "^clbox\\[gate\\]: $L_DNS")" 1 "-v: the gate's report starts 'clbox[gate]: '"

# A new session starts with a fresh memory of what it reported.
in_sbx -- 'curl -s -m 5 http://203.0.113.11/ >/dev/null'
is "$(count_lines "$ERR" "^clbox: $L_CONN")" 1 "a new session reports the same blocked connection again"

# -------------------------------------------------------------------- -q
in_sbx -q --allow allowed.test --allow private.test -- "$ACTIONS"
is "$RC:$OUT" "0:server 203.0.113.10:80" "-q: the session runs as before"
unlike_line "$ERR" 'blocked|removed' "-q: no report on stderr"
in_sbx --quiet -- 'getent hosts other.test >/dev/null; exit 3'
is "$RC" 3 "--quiet: the command's exit status is kept"
unlike_line "$ERR" 'blocked' "--quiet: no report on stderr"

# ------------------------------------------------------------------ --log
LOG=$T_ROOT/reports.log
echo "an older line" >"$LOG"
in_sbx --log "$LOG" --allow allowed.test --allow private.test -- "$ACTIONS"
is "$RC:$OUT" "0:server 203.0.113.10:80" "--log FILE: the session runs as before"
is "$(count_lines "$ERR" "^clbox: $L_CONN")" 1 "--log FILE: the lines still go to stderr"
log=$(cat "$LOG")
is "$(head -n 1 <<<"$log")" "an older line" "--log FILE: appends (what was in FILE is kept)"
TS='^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}'
is "$(count_lines "$log" "$TS.* $L_CONN")" 1 "--log FILE: the blocked connection, with a timestamp, once"
is "$(count_lines "$log" "$TS.* $L_DNS")" 1 "--log FILE: the blocked lookup, with a timestamp, once"
is "$(count_lines "$log" "$TS.* $L_UDP")" 1 "--log FILE: the blocked UDP datagram, with a timestamp"
is "$(count_lines "$log" "$TS.* $L_RM")" 1 "--log FILE: the removed address, with a timestamp"
lines_before=$(wc -l <"$LOG")
in_sbx -q --log "$LOG" -- 'getent hosts other.test >/dev/null'
unlike_line "$ERR" 'blocked' "-q --log FILE: nothing on stderr"
is "$(tail -n +$((lines_before + 1)) "$LOG" | grep -cE "$TS.* $L_DNS")" 1 "-q --log FILE: the line still goes to FILE"

# ------------------------------------------------------------- rate limit
# 40 different blocked connections as fast as they go (each is refused at
# once): the reports are rate-limited, so fewer than 40 lines, but some.
in_sbx -- 'for ((p = 20001; p <= 20040; p++)); do { exec 3<>"/dev/tcp/203.0.113.11/$p"; } 2>/dev/null; exec 3>&-; done; echo done'
n=$(count_lines "$ERR" '^clbox: blocked connection to 203\.0\.113\.11:200[0-9][0-9] ')
is "$OUT" "done" "40 blocked connections in a row are all attempted"
ok "... and reported rate-limited: $n lines, more than 0 and fewer than 40" test "$n" -gt 0 -a "$n" -lt 40

# -------------------------------------------------------- a log file that cannot be opened
in_sbx --log "$T_ROOT/no/such/dir/x.log" -- 'echo ran'
ok "--log in a missing directory: exit 125 with a message, the command does not run (rc $RC)" \
    test "$RC" = 125 -a -z "$OUT" -a -n "$(grep '^clbox: .*x\.log' <<<"$ERR")"
done_testing
