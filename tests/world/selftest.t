#!/bin/bash
# tests/world/selftest.t - checks the fake internet of tests/world/run-in-world.
#
# A TAP script, for an unprivileged user.  It starts run-in-world a few times:
# once with a command that probes everything from inside (its findings come
# back as "check NAME ok|fail DETAIL" lines, turned into TAP here), then to
# check --hosts/--ttl, the exit status, and that nothing survives a world, even
# one ended by SIGTERM.  Everything is bounded by timeout(1).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIW=$HERE/run-in-world
T=${T_TIMEOUT:-30}
. "${SRCDIR:-$HERE/../..}/tests/lib/tap.sh"
require_unprivileged
tap_on_exit

# dns_query NAME TYPE PROTO: asks the world's DNS directly, over "tcp" or
# "udp", with bash's /dev/tcp, /dev/udp and dd (so no dig is needed); prints
# "rcode=R tc=T ancount=A ttl=TTL" (TTL of the first answer record).
dns_query() {
    local name=$1 type=$2 proto=$3 label q='' len hex i qend
    local -a labels
    IFS=. read -ra labels <<<"$name"
    for label in "${labels[@]}"; do
        q+=$(printf '\\x%02x%s' "${#label}" "$label")
    done
    q+=$(printf '\\x00\\x00\\x%02x\\x00\\x01' "$type")
    len=$((12 + ${#name} + 2 + 4))
    q='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'$q
    if [ "$proto" = tcp ]; then
        exec 3<>/dev/tcp/198.51.100.53/53 || return 1
        # shellcheck disable=SC2059 # the format is the query, written as \x escapes
        printf "$(printf '\\x%02x\\x%02x' $((len >> 8)) $((len & 255)))$q" >&3
        hex=$(timeout 2 dd bs=2 count=1 iflag=fullblock status=none <&3 | od -An -v -tu1)
        read -r i len <<<"$hex"
        len=$((i * 256 + len))
        hex=$(timeout 2 dd bs="$len" count=1 iflag=fullblock status=none <&3 | od -An -v -tu1)
    else
        exec 3<>/dev/udp/198.51.100.53/53 || return 1
        # shellcheck disable=SC2059 # the format is the query, written as \x escapes
        printf "$q" >&3
        hex=$(timeout 2 dd bs=4096 count=1 status=none <&3 | od -An -v -tu1)
    fi
    exec 3<&-
    local -a b
    read -ra b <<<"$(tr '\n' ' ' <<<"$hex")"
    [ ${#b[@]} -ge 12 ] || { echo "short answer (${#b[@]} bytes)"; return 1; }
    qend=$((12 + ${#name} + 2 + 4))
    local ttl=none
    if [ ${#b[@]} -ge $((qend + 12)) ]; then
        i=$((qend + 6))
        ttl=$(((b[i] << 24) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3]))
    fi
    echo "rcode=$((b[3] & 15)) tc=$(((b[2] >> 1) & 1)) ancount=$((b[6] * 256 + b[7])) ttl=$ttl"
}

# ----------------------------------------------- the probe run inside a world
inner() {
    set -u
    check() { printf 'check %s %s %s\n' "$1" "$2" "${3//$'\n'/ | }"; }
    is() { # NAME GOT WANT
        if [ "$2" = "$3" ]; then check "$1" ok ""; else check "$1" fail "got '$2', wanted '$3'"; fi
    }
    fetch() { # ADDR PORT: the body of an HTTP answer, by bash's /dev/tcp
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\r\n\r\n" >&3 &&
            sed -n "/^\r\{0,1\}$/,\$p" <&3 | sed 1d' bash "$1" "$2"
    }
    echo "worlddir $WORLD_DIR"
    echo "userns $(readlink /proc/self/ns/user)"

    local caps
    caps=$(grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status | awk '{print $2}' | sort -u)
    is caps "$caps" 0000000000000000
    is uid "$(id -u):$(id -g)" "$MY_IDS"
    is uid_map "$(awk '{print $1, $2, $3}' /proc/self/uid_map)" "${MY_IDS%:*} ${MY_IDS%:*} 1"
    is resolv.conf "$(cat /etc/resolv.conf)" "nameserver 198.51.100.53"
    is links "$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')" "lo world0 "
    is default-route "$(ip route show default)" "default via 198.51.100.1 dev world0 "

    is getent-allowed "$(timeout 3 getent ahostsv4 allowed.test | awk '{print $1}' | sort -u)" 203.0.113.10
    is getent-www "$(timeout 3 getent ahostsv4 www.allowed.test | awk '{print $1}' | sort -u)" 203.0.113.10
    is getent-cname "$(timeout 3 getent ahostsv4 alias.test | awk '{print $1}' | sort -u)" 203.0.113.10
    local rc
    timeout 3 getent hosts nosuchname.test >/dev/null; rc=$?
    timeout 3 getent hosts example.com >/dev/null
    is nxdomain "$rc:$?" "2:2"
    local ans
    ans=$(dns_query example.com 1 tcp)
    is nxdomain-rcode "${ans%% *}" rcode=3
    if command -v curl >/dev/null; then
        is curl-by-name "$(timeout 5 curl -s -m 3 http://allowed.test/)" "server 203.0.113.10:80"
    else
        is curl-by-name "$(fetch 203.0.113.10 80)" "server 203.0.113.10:80"
    fi
    local ep got all=
    for ep in 203.0.113.11/80 203.0.113.12/80 203.0.113.12/8443 198.51.100.53/443 \
        198.51.100.53/853 169.254.169.254/80 10.0.0.7/80; do
        got=$(fetch "${ep%/*}" "${ep#*/}")
        [ "$got" = "server ${ep%/*}:${ep#*/}" ] || all+="$ep: '$got'; "
    done
    is world-servers "$all" ""
    if [ -e /proc/sys/net/ipv6 ]; then
        is ipv6-server "$(fetch 2001:db8:2::10 80)" "server [2001:db8:2::10]:80"
    else
        is ipv6-server skipped skipped
    fi
    is host-loopback-8123 "$(fetch 127.0.0.1 8123)" "server 127.0.0.1:8123"
    is host-loopback-8124 "$(fetch 127.0.0.1 8124)" "server 127.0.0.1:8124"

    local i logged=no
    for ((i = 0; i < 50; i++)); do
        grep -q 'query\[A\] allowed\.test from 198\.51\.100\.2' "$WORLD_DNS_LOG" && { logged=yes; break; }
        sleep 0.02
    done
    is dns-log "$logged" yes

    # big.test: 60 addresses do not fit in 512 bytes of UDP: truncated there,
    # complete over TCP, and the C library's resolver gets all of them.
    ans=$(dns_query big.test 1 udp)
    [[ $ans == *tc=1* ]] && check big-udp-truncated ok "" || check big-udp-truncated fail "$ans"
    ans=$(dns_query big.test 1 tcp)
    [[ $ans == "rcode=0 tc=0 ancount=60 "* ]] && check big-tcp ok "" || check big-tcp fail "$ans"
    is big-getent "$(timeout 3 getent ahostsv4 big.test | awk '{print $1}' | sort -u | wc -l)" 60
    ans=$(dns_query allowed.test 1 tcp)
    is ttl "${ans##* }" "ttl=$WORLD_TTL"

    local t0 t1 out
    t0=$EPOCHREALTIME
    out=$(world-set-host other.test 203.0.113.12 2>&1); rc=$?
    t1=$EPOCHREALTIME
    is set-host-rc "$rc:$out" "0:"
    local ms=$(((${t1/./} - ${t0/./}) / 1000))
    [ $ms -lt 1000 ] && check set-host-fast ok "" || check set-host-fast fail "${ms} ms"
    is set-host-getent "$(timeout 3 getent ahostsv4 other.test | awk '{print $1}' | sort -u)" 203.0.113.12
    is set-host-fetch "$(timeout 5 curl -s -m 3 http://other.test/)" "server 203.0.113.12:80"
    world-set-host other.test >/dev/null 2>&1
    timeout 3 getent hosts other.test >/dev/null
    is set-host-remove "$?" 2
    world-set-host fresh.test 203.0.113.10 2001:db8:2::10 >/dev/null 2>&1
    is set-host-new "$(timeout 3 getent ahosts fresh.test | awk '{print $1}' | sort -u | tr '\n' ' ')" \
        "2001:db8:2::10 203.0.113.10 "
}

# Processes left in a world's user namespace (named "user:[INODE]"), zombies
# aside (a killed run-in-world's unshare waits, dead, for the machine's init
# to reap it).
# A namespace's inode number is free again once the namespace is gone, and
# a test running beside this one may get it for its own: a process that
# started after the world had ended is not the world's.  Times in clock
# ticks since boot, the unit of /proc/PID/stat's start time.
now_ticks() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", $1 * hz }' /proc/uptime; }
start_ticks() {
    local stat fields
    stat=$(cat 2>/dev/null "/proc/$1/stat") || return 1
    read -ra fields <<<"${stat##*) }"
    echo "${fields[19]}" # field 22 of stat, the 20th after the name
}
# left_in USERNS [ENDED]: the live processes in the user namespace USERNS
# (that started by ENDED, in ticks, when given).
left_in() {
    local p stat
    # shellcheck disable=SC2010,SC2012 # ls -l shows the targets: "user:[N]"
    ls -l /proc/[0-9]*/ns/user 2>/dev/null | grep -F -- "-> $1" |
        sed 's|.* /proc/\([0-9]*\)/ns/user .*|\1|' | while read -r p; do
        stat=$(cat 2>/dev/null "/proc/$p/stat") || continue
        stat=${stat##*) }
        [ "${stat%% *}" = Z ] && continue
        [ -z "${2:-}" ] || [ "$(start_ticks "$p")" -le "$2" ] || continue
        echo "$p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
    done
}

started=$EPOCHREALTIME
out=$(MY_IDS="$(id -u):$(id -g)" timeout "$T" "$RIW" -- \
    bash -c "$(declare -f inner dns_query); inner" 2>&1)
rc=$?
ended=$(now_ticks)
took=$(((${EPOCHREALTIME/./} - ${started/./}) / 1000))
ok "run-in-world with the probe exits 0 (took $took ms)" test "$rc" = 0 || diag "rc=$rc; output: $out"

for name in caps uid uid_map resolv.conf links default-route getent-allowed getent-www \
    getent-cname nxdomain nxdomain-rcode curl-by-name world-servers ipv6-server \
    host-loopback-8123 host-loopback-8124 dns-log big-udp-truncated big-tcp big-getent ttl \
    set-host-rc set-host-fast set-host-getent set-host-fetch set-host-remove set-host-new; do
    line=$(grep -m1 "^check $name " <<<"$out")
    read -r _ _ status detail <<<"$line"
    case $name in
    caps) what="no capability in any set" ;;
    uid) what="uid and gid are the caller's" ;;
    uid_map) what="the uid is mapped to itself, alone" ;;
    resolv.conf) what="/etc/resolv.conf names the world's DNS" ;;
    links) what="the client has only lo and the veth" ;;
    default-route) what="the default route leads into the world" ;;
    getent-allowed) what="allowed.test resolves to 203.0.113.10" ;;
    getent-www) what="www.allowed.test resolves to 203.0.113.10" ;;
    getent-cname) what="alias.test (CNAME) resolves to 203.0.113.10" ;;
    nxdomain) what="unknown names (.test and others) are not found" ;;
    nxdomain-rcode) what="example.com is NXDOMAIN (not forwarded)" ;;
    curl-by-name) what="http://allowed.test/ answers 'server 203.0.113.10:80'" ;;
    world-servers) what="every world server answers with its name" ;;
    ipv6-server) what="the IPv6 server [2001:db8:2::10]:80 answers" ;;
    host-loopback-8123) what="the host-loopback service 127.0.0.1:8123 answers" ;;
    host-loopback-8124) what="the host-loopback service 127.0.0.1:8124 answers" ;;
    dns-log) what="the DNS log records the query for allowed.test" ;;
    big-udp-truncated) what="big.test over UDP is truncated (TC)" ;;
    big-tcp) what="big.test over TCP has all 60 addresses" ;;
    big-getent) what="getent gets all 60 addresses of big.test (TCP retry)" ;;
    ttl) what="answers carry the default TTL" ;;
    set-host-rc) what="world-set-host succeeds" ;;
    set-host-fast) what="world-set-host takes effect within a second" ;;
    set-host-getent) what="other.test now resolves to 203.0.113.12" ;;
    set-host-fetch) what="http://other.test/ now reaches 203.0.113.12" ;;
    set-host-remove) what="world-set-host NAME alone removes the name" ;;
    set-host-new) what="world-set-host adds a new dual-stack name" ;;
    esac
    if [ -z "$line" ]; then
        fail "$what" "no result for '$name'; output: $out"
    else
        ok "$what" test "$status" = ok || diag "$detail"
    fi
done

# Nothing of that world is left.
wdir=$(sed -n 's/^worlddir //p' <<<"$out")
uns=$(sed -n 's/^userns //p' <<<"$out")
left=
[ -n "$uns" ] && left=$(left_in "$uns" "$ended")
ok "no process is left in the world's namespaces" eval '[ -n "$uns" ] && [ -z "$left" ]' || diag "$left"
ok "the world's directory is removed" eval '[ -n "$wdir" ] && [ ! -e "$wdir" ]' || diag "$wdir"
left=$(pgrep -u "$(id -u)" -af "$wdir" 2>/dev/null)
ok "no process names the world's directory" eval '[ -n "$wdir" ] && [ -z "$left" ]' || diag "$left"

# --hosts and --ttl.
hosts=$(mktemp)
T_HOST_TMP_FILES+=("$hosts")
echo "203.0.113.11 custom.test" >"$hosts"
chmod 644 "$hosts"
out=$(timeout "$T" "$RIW" --hosts "$hosts" --ttl 7 -- \
    bash -c "$(declare -f dns_query)"'
        getent ahostsv4 custom.test | awk "{print \$1}" | sort -u
        getent hosts allowed.test >/dev/null; echo "allowed=$?"
        dns_query custom.test 1 tcp' 2>&1)
ok "--hosts: a name of the given file resolves" test "$(sed -n 1p <<<"$out")" = 203.0.113.11 || diag "$out"
ok "--hosts: the default names are gone" grep -qx allowed=2 <<<"$out" || diag "$out"
ok "--ttl 7: answers carry TTL 7" grep -q 'ttl=7$' <<<"$out" || diag "$out"

# The exit status is the command's.
timeout "$T" "$RIW" -- sh -c 'exit 7' >/dev/null 2>&1
rc=$?
ok "run-in-world exits with the command's status (7)" test "$rc" = 7 || diag "rc=$rc"

# Ended by SIGTERM (as by timeout): it exits at once and leaves nothing.
out=$(timeout -s TERM 2 "$RIW" -- bash -c 'echo "userns $(readlink /proc/self/ns/user)"; echo "worlddir $WORLD_DIR"; sleep 20' 2>&1)
rc=$?
ended=$(now_ticks)
uns=$(sed -n 's/^userns //p' <<<"$out")
wdir=$(sed -n 's/^worlddir //p' <<<"$out")
# Its processes may take a moment to be reaped, and its directory to be
# removed, on a loaded machine: up to 2 s (40 rounds of 0.05 s).
left=
for _ in $(seq 40); do
    [ -n "$uns" ] && left=$(left_in "$uns" "$ended")
    [ -z "$left" ] && [ -n "$wdir" ] && [ ! -e "$wdir" ] && break
    sleep 0.05
done
ok "a world ended by SIGTERM leaves no process (within 2 s)" eval '[ $rc = 124 ] && [ -n "$uns" ] && [ -z "$left" ]' ||
    diag "rc=$rc; $out; left: $left"
ok "a world ended by SIGTERM removes its directory (within 2 s)" eval '[ -n "$wdir" ] && [ ! -e "$wdir" ]' || diag "$wdir"

# A signal to run-in-world's own pid (not its process group): SIGTERM ends
# it promptly with status 143; after SIGKILL, too, nothing stays behind.
for sig in TERM KILL; do
    : >"$hosts"
    "$RIW" -- bash -c 'echo "$(readlink /proc/self/ns/user) $WORLD_DIR" >"$1"; sleep 20' bash "$hosts" \
        >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 250; i++)); do
        [ -s "$hosts" ] && break
        sleep 0.02
    done
    read -r uns wdir <"$hosts"
    t0=$EPOCHREALTIME
    {
        kill -"$sig" "$pid"
        for ((i = 0; i < 150; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.02
        done
        wait "$pid"
        rc=$?
    } 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        left=$(left_in "${uns:-none}")
        [ -z "$left" ] && [ ! -e "${wdir:-/nonexistent}" ] && break
        sleep 0.02
    done
    ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
    want=143
    [ $sig = KILL ] && want=137
    ok "SIG$sig to run-in-world's pid: gone in $ms ms with all its processes and files" \
        eval '[ -n "$uns" ] && [ $rc = $want ] && [ -z "$left" ] && [ ! -e "$wdir" ] && [ $ms -lt 3000 ]' ||
        diag "rc=$rc (want $want); userns=$uns; left: $left; dir: $(ls -d "$wdir" 2>&1)"
done

# Usage errors.
"$RIW" >/dev/null 2>&1
rc1=$?
"$RIW" --ttl x -- true >/dev/null 2>&1
rc2=$?
ok "usage errors exit 125" test "$rc1:$rc2" = 125:125 || diag "$rc1:$rc2"

done_testing
