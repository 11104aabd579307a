# shellcheck shell=bash
# tests/lib/networld.sh - the start of every network test (tests/net/*.t):
# the script runs again inside a fake internet of tests/world/run-in-world
# (with the options in the array WORLD_OPTS, when the script sets it), and
# there sources tap.sh and makes its sandbox (sandbox_setup).  Source it
# first, as
#
#   . "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
export SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${WORLD_DIR:-}" ] ||
    exec "$SRCDIR/tests/world/run-in-world" ${WORLD_OPTS[@]+"${WORLD_OPTS[@]}"} -- bash "$0" "$@"
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# leftovers: the processes of a network stack or of clbox still running.
leftovers() { pgrep -a -x "$NET_STACK_COMMS|clbox" 2>/dev/null; }
