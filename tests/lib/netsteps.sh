# shellcheck shell=bash disable=SC2034 # what it sets is for the scripts that source it
# tests/lib/netsteps.sh - what the network tests use to run steps inside a
# filtered sandbox and read their results (bash; source it after
# sandbox_setup, inside a world of tests/world/run-in-world).
command -v perl >/dev/null || bail_out "perl is needed for the DNS probes"

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
    S_RC='' S_MS='' S_OUT=''
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
