#!/bin/bash
# tests/net/60-failures.t - how --net filtered fails: without its network
# stack (slirp4netns; pasta in tests/net-pasta/), with one that does not
# work, without a usable /dev/net/tun, and on bad network options - exit
# 125 with a message naming the fix, at once, and nothing left running;
# --net none still works in each of those cases.
#
# The script runs itself inside the fake internet of tests/world/run-in-world
# (so nothing it does can leave the machine).  An unusable /dev/net/tun is
# made, without root, in a user and mount namespace of the test's own with a
# file of mode 000 bound over it, and every capability dropped before clbox
# runs.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"

# timed_run CMD...: run, plus MS (how long it took, in milliseconds).
timed_run() {
    local a=$EPOCHREALTIME z
    run "$@"
    z=$EPOCHREALTIME
    MS=$(((${z//[.,]/} - ${a//[.,]/}) / 1000))
}
# leftovers: processes of this world that clbox may have left (the network
# stack, clbox itself: the gate and the sandbox's init are clbox processes
# too).
# none_left DESC: passes when no such process is left within a second (a
# child killed by its parent-death signal may take a moment to go).
none_left() {
    if wait_for 1 test -z "$(leftovers)"; then pass "$1"; else fail "$1" "left: $(leftovers)"; fi
}

# --------------------------------------------- the network stack missing
mkdir -p "$T_ROOT/empty-bin"
timed_run env PATH="$T_ROOT/empty-bin" "$CLBOX" run -- /bin/echo ran
is "$RC:$OUT" "125:" "$NET_STACK missing: exit 125, the command does not run"
like_line "$ERR" "^clbox: $NET_STACK not found" "... with the message 'clbox: $NET_STACK not found ...'"
like_line "$ERR" '--net none' "... which names --net none as a way out"
ok "... at once ($MS ms < 1000)" test "$MS" -lt 1000
none_left "... and leaves no process behind"
timed_run env PATH="$T_ROOT/empty-bin" "$CLBOX" check
ok "$NET_STACK missing: clbox check fails too, with the message (rc $RC)" \
    test "$RC" -ne 0 -a -n "$(grep "^clbox: $NET_STACK not found" <<<"$ERR")"
timed_run env "$NET_STACK_VAR=/nonexistent/$NET_STACK" "$CLBOX" run -- echo ran
like_line "$ERR" "^clbox: $NET_STACK_VAR=/nonexistent/$NET_STACK is not an executable file" \
    "a $NET_STACK_VAR that is not there is named as such"
run env "$NET_STACK_VAR=/nonexistent/$NET_STACK" "$CLBOX" run --net none -- echo ran
is "$RC:$OUT" "0:ran" "$NET_STACK missing: --net none still runs the command"

# ------------------------------------- a network stack that does not work
timed_run env "$NET_STACK_VAR=/bin/false" "$CLBOX" run -- echo ran
is "$RC:$OUT" "125:" "a $NET_STACK that exits at once (/bin/false): exit 125, the command does not run"
like_line "$ERR" "^clbox: $NET_STACK" "... with a message about $NET_STACK"
ok "... at once ($MS ms < 1000)" test "$MS" -lt 1000
none_left "... and leaves no process behind"

# ------------------------------------------------------ /dev/net/tun unusable
# in_own_ns SETUP CMD...: runs the shell code SETUP, then CMD with no
# capability, in a new user and mount namespace of the test's own.
in_own_ns() {
    local setup=$1
    shift
    timed_run unshare --user --map-current-user --mount --keep-caps -- bash -c "$setup"'
        exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- "$@"' bash "$@"
}
blocker=$T_ROOT/tun-blocker
: >"$blocker"
chmod 000 "$blocker"
BIND="mount --bind '$blocker' /dev/net/tun || exit 99"

in_own_ns "$BIND" bash -c '{ exec 3<>/dev/net/tun; } 2>/dev/null && echo usable || echo unusable'
is "$RC:$OUT" "0:unusable" "the test's setup makes /dev/net/tun unusable (mode 000, no capability)"
in_own_ns "$BIND" "$CLBOX" run -- echo ran
is "$RC:$OUT" "125:" "/dev/net/tun unusable: exit 125, the command does not run"
like_line "$ERR" '^clbox: cannot open /dev/net/tun: Permission denied' \
    "... with the message 'clbox: cannot open /dev/net/tun: Permission denied ...'"
like_line "$ERR" 'chmod 0?666 /dev/net/tun' "... which names the fix (chmod 0666 /dev/net/tun)"
like_line "$ERR" '--net none' "... and --net none"
ok "... at once ($MS ms < 1000)" test "$MS" -lt 1000
none_left "... and leaves no process behind"
in_own_ns "$BIND" "$CLBOX" run --net none -- echo ran
is "$RC:$OUT" "0:ran" "/dev/net/tun unusable: --net none still runs the command"

# /dev/net/tun absent (no tun module): an empty tmpfs over /dev/net.
EMPTY="mount -t tmpfs -o mode=755 none /dev/net || exit 99"
in_own_ns "$EMPTY" "$CLBOX" run -- echo ran
is "$RC:$OUT" "125:" "/dev/net/tun absent: exit 125, the command does not run"
like_line "$ERR" '^clbox: cannot open /dev/net/tun: No such file or directory' \
    "... with the message 'clbox: cannot open /dev/net/tun: No such file or directory ...'"
like_line "$ERR" 'modprobe tun' "... which names the fix (modprobe tun)"
ok "... at once ($MS ms < 1000)" test "$MS" -lt 1000

# ----------------------------------------------------- bad network options
for bad in "--allow-host-port 0" "--allow-host-port 65536" "--allow-host-port http" \
    "--allow bad!name" "--allow 10.0.0.0/33"; do
    # shellcheck disable=SC2086
    timed_run "$CLBOX" run $bad -- echo ran
    if [ "$RC:$OUT" = "125:" ] && grep -q '^clbox: ' <<<"$ERR" && [ "$MS" -lt 1000 ]; then
        pass "$bad: exit 125 with a message, at once"
    else
        fail "$bad: exit 125 with a message, at once" "took $MS ms"
    fi
done
done_testing
