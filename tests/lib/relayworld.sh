# shellcheck shell=bash disable=SC2034 # what it sets is for the scripts that source it
# tests/lib/relayworld.sh - clbox's TCP relay on its own, for the relay tests
# (tests/net/*-relay-*.t; source it after networld.sh).
#
#   relay_start [HARNESS-OPTION...]   the relay harness (tests/relay/relay-harness.c):
#       a "sandbox" user+network namespace whose only link is a veth pair
#       inside it (10.0.2.100/24 and fd00::100/64, default routes via
#       10.0.2.2 and fd00::2, as under slirp4netns), with every TCP
#       connection it makes redirected by nft to port $RELAY_PORT, where the
#       relay (in this, the world's client namespace) serves.  Sets SBX_PID,
#       RELAY_PID, RELAY_OUT and RELAY_ERR (the harness's stdout, stderr).
#       RELAY_SETUP_EXTRA: more shell commands for the sandbox's setup.
#   relay_stop                        ends the harness (bounded)
#   IN CMD...                         CMD in the sandbox's network namespace
#   client ADDR PORT MODE [ARG]       tcptool.py's client, in the sandbox: sets CL
#   serve PORT MODE [ARG] [OPT...]    tcptool.py's server here on $WORLD_CLIENT_IP
#                                     (SERVE_ADDR overrides): SRV_LOG is its log
[ -n "${RELAY_HARNESS:-}" ] && [ -x "$RELAY_HARNESS" ] ||
    bail_out "RELAY_HARNESS='${RELAY_HARNESS:-}' is not the relay harness (run through make check)"
command -v python3 >/dev/null || bail_out "python3 is needed for tests/relay/tcptool.py"
command -v nsenter >/dev/null || bail_out "nsenter (util-linux) is needed"
export PATH=$PATH:/usr/sbin:/sbin
RELAY_PORT=15001
TCPTOOL=$SRCDIR/tests/relay/tcptool.py
RELAY_SETUP_EXTRA=${RELAY_SETUP_EXTRA:-}
_relay_n=0

relay_sandbox_net() {
    cat <<SETUP
PATH=/usr/sbin:/usr/bin:/sbin:/bin
ip link set lo up
ip link add sbx0 type veth peer name sbx1
ip link set sbx1 up
ip link set sbx0 up
ip addr add 10.0.2.100/24 dev sbx0
ip route add default via 10.0.2.2 dev sbx0
ip -6 addr add fd00::100/64 dev sbx0 nodad
ip -6 route add default via fd00::2 dev sbx0
nft 'add table inet relaytest; add chain inet relaytest out { type nat hook output priority -100; }; add rule inet relaytest out meta l4proto tcp redirect to :$RELAY_PORT'
$RELAY_SETUP_EXTRA
SETUP
}

relay_ready() { grep -q '^ready ' "$RELAY_OUT"; }

relay_start() {
    _relay_n=$((_relay_n + 1))
    local fifo=$T_ROOT/relay-$_relay_n.ctl
    RELAY_OUT=$T_ROOT/relay-$_relay_n.out RELAY_ERR=$T_ROOT/relay-$_relay_n.err
    mkfifo "$fifo" || bail_out "mkfifo $fifo failed"
    "$RELAY_HARNESS" --lifetime 120 --setup "$(relay_sandbox_net)" "$@" <"$fifo" >"$RELAY_OUT" 2>"$RELAY_ERR" &
    RELAY_HARNESS_PID=$!
    _tap_bg_pids+=("$RELAY_HARNESS_PID")
    exec {RELAY_CTL}>"$fifo"
    SBX_PID='' RELAY_PID=''
    if wait_for 10 relay_ready; then
        SBX_PID=$(sed -n 's/^ready sandbox=\([0-9]*\) .*/\1/p' "$RELAY_OUT")
        RELAY_PID=$(sed -n 's/^ready .* relay=\([0-9]*\)$/\1/p' "$RELAY_OUT")
    fi
}

harness_gone() { ! kill -0 "$RELAY_HARNESS_PID" 2>/dev/null; }
relay_stop() {
    exec {RELAY_CTL}>&-
    wait_for 5 harness_gone || kill -9 "$RELAY_HARNESS_PID" 2>/dev/null
    wait "$RELAY_HARNESS_PID" 2>/dev/null
}

IN() { timeout -k 2 "$T_TIMEOUT" nsenter -t "${SBX_PID:-0}" -U -n --preserve-credentials -- "$@"; }

client() { CL=$(IN python3 "$TCPTOOL" client "$@" 2>&1); }

_srv_n=0
srv_listening() { grep -q '^listening$' "$SRV_LOG" 2>/dev/null; }
serve() {
    local port=$1
    shift
    _srv_n=$((_srv_n + 1))
    SRV_LOG=$T_ROOT/srv-$_srv_n.log
    python3 "$TCPTOOL" serve "${SERVE_ADDR:-$WORLD_CLIENT_IP}" "$port" "$@" --log "$SRV_LOG" --lifetime 60 \
        </dev/null >/dev/null 2>>"$SRV_LOG.err" &
    _tap_bg_pids+=("$!")
    wait_for 5 srv_listening || diag "the test server on port $port did not start: $(cat "$SRV_LOG.err")"
}
# srv_line: the log's lines but "listening" (one per connection served).
srv_lines() { grep -v '^listening$' "$SRV_LOG" 2>/dev/null; }
srv_has() { wait_for "${2:-5}" grep -q -- "$1" "$SRV_LOG"; }
