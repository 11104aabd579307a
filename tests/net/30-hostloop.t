#!/bin/bash
# tests/net/30-hostloop.t - the host's loopback services seen from a --net filtered
# sandbox: closed (10.0.2.2 reaches nothing), and --allow-host-port PORT opens
# exactly the host's 127.0.0.1:PORT as 10.0.2.2:PORT, whatever else is allowed.
#
# The script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (curl -m 5, an alarm in the DNS
# client).
export SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${WORLD_DIR:-}" ] || exec "$SRCDIR/tests/world/run-in-world" -- bash "$0" "$@"
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup
command -v perl >/dev/null || bail_out "perl is needed for the DNS probes"
plan 16

# --------------------------------------------------------------- helpers
# Two small programs for inside the sandbox, written into the project (which
# the sandbox shows at its own path):
#
#   perl $DNSQ SERVER[:PORT] udp|tcp NAME [A|AAAA]
#     one DNS query (perl, core modules only), without EDNS so a UDP answer
#     is limited to 512 bytes; prints "rcode=R tc=T an=N a=ADDR,... aaaa=N
#     took=MS" or "error=WHY took=MS" (MS: from the socket to the answer);
#     bounded by an alarm of 4 s.
#   bash $STEPS STEP...
#     runs each STEP: "http URL" (curl, 5 s at most), "dns ARGS" ($DNSQ) or
#     "getent NAME" (the sorted IPv4 addresses, each followed by a space),
#     and prints "STEP => rc=RC ms=MS RESULT" for each.
mkdir -p "$PROJECT/.t"
DNSQ=$PROJECT/.t/dnsq.pl
STEPS=$PROJECT/.t/steps.sh
cp "$SRCDIR/tests/lib/dnsq.pl" "$DNSQ"
cp "$SRCDIR/tests/lib/steps.sh" "$STEPS"

# steps CLBOX-ARG... -- STEP...: one sandbox session running the steps.
steps() {
    local args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
    sbx "${args[@]}" -- bash "$STEPS" "$@"
}

# step STEP: the result of STEP in the last session: S_RC, S_MS, S_OUT
# (all empty when the step did not run).
step() {
    local line
    line=$(awk -v p="$1 => " 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }' <<<"$OUT")
    S_RC= S_MS= S_OUT=
    [[ $line =~ ^rc=([0-9]+)\ ms=([0-9]+)\ ?(.*)$ ]] || return 0
    S_RC=${BASH_REMATCH[1]} S_MS=${BASH_REMATCH[2]} S_OUT=${BASH_REMATCH[3]}
}

# fast MS LIMIT: MS is a number below LIMIT.
fast() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -lt "$2" ]; }

# logged NAME: the world's DNS server was asked about NAME (any type).
logged() { grep -qF "] $1 from " "$WORLD_DNS_LOG"; }
log_count() { grep -cF "] $1 from " "$WORLD_DNS_LOG"; }

# host_tcp_opens: TCP connections opened so far from the network clbox runs
# in (the host side of the sandbox, where the gate asks upstream).
host_tcp_opens() { awk '/^Tcp:/ && $6 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp; }

GATE=127.0.0.53

# refused STEP DESC: STEP (an http step of the last session) failed with
# "connection refused" (curl exit 7) in well under a second.
refused() {
    step "$1"
    if [ "$S_RC" = 7 ] && fast "$S_MS" 1000; then
        pass "$2"
    else
        fail "$2" "wanted curl exit 7 within 1000 ms; got exit '${S_RC}' after '${S_MS}' ms: ${S_OUT}"
    fi
}
# reached STEP BODY DESC: STEP (an http step) answered with BODY.
reached() {
    step "$1"
    is "$S_RC:$S_OUT" "0:$2" "$3"
}

# -------------------------------------------------- closed by default
steps -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/" "http http://127.0.0.1:8123/"
refused "http http://10.0.2.2:8123/" "no --allow-host-port: 10.0.2.2:8123 (the host's 127.0.0.1:8123) is refused at once"
refused "http http://10.0.2.2:8124/" "no --allow-host-port: 10.0.2.2:8124 is refused at once"
like_line "$ERR" '^clbox: blocked connection to 10\.0\.2\.2:8123 ' "the attempt on 10.0.2.2:8123 is reported"
refused "http http://127.0.0.1:8123/" "127.0.0.1:8123 inside is the sandbox's own loopback, not the host's"

# ------------------------------------------ --allow-host-port opens one port
steps --allow-host-port 8123 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/" \
    "http http://127.0.0.1:8123/"
reached "http http://10.0.2.2:8123/" "server 127.0.0.1:8123" "--allow-host-port 8123: 10.0.2.2:8123 reaches the host's 127.0.0.1:8123"
refused "http http://10.0.2.2:8124/" "--allow-host-port 8123: 10.0.2.2:8124 is still refused at once"
like_line "$ERR" '^clbox: blocked connection to 10\.0\.2\.2:8124 ' "... and reported"
refused "http http://127.0.0.1:8123/" "--allow-host-port 8123: the sandbox's own 127.0.0.1:8123 is still not the host's"

steps --allow-host-port 8123 --allow-host-port 8124 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/"
reached "http http://10.0.2.2:8123/" "server 127.0.0.1:8123" "two --allow-host-port: 8123 is reached"
reached "http http://10.0.2.2:8124/" "server 127.0.0.1:8124" "two --allow-host-port: 8124 is reached"

# ------------------- allowing 10.0.2.2 as an address does not open the host
steps --allow 10.0.2.2 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow 10.0.2.2 (no host port): 10.0.2.2:8123 stays refused"
steps --allow-host-port 8124 --allow 10.0.2.2 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.2.2: 10.0.2.2:8123 stays refused"
reached "http http://10.0.2.2:8124/" "server 127.0.0.1:8124" "... while 8124 is reached"
steps --allow-host-port 8124 --allow 10.0.2.0/24 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.2.0/24: 10.0.2.2:8123 stays refused"
steps --allow-host-port 8124 --allow 10.0.0.0/8 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.0.0/8 (a private range): 10.0.2.2:8123 stays refused"

# ------------------------- the host port is TCP to 10.0.2.2 only, not a name
world-set-host hostport.test 10.0.2.2 >/dev/null 2>&1 || diag "world-set-host hostport.test failed"
steps --allow-host-port 8123 --allow hostport.test -- "getent hostport.test"
step "getent hostport.test"
is "$S_RC:$S_OUT" "2:" "--allow-host-port 8123: a name resolving to 10.0.2.2 still resolves to nothing"
