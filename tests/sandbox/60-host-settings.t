#!/bin/bash
# When the host refuses user namespaces, clbox stops with exit 125 and names
# the setting to change.  The refusal is made real, without root, inside a
# user namespace of the test's own where user.max_user_namespaces is 0.
# Only that namespace's root may write the limit, so clbox runs as its root
# here: no sandbox is ever built in this test, only the refusal is seen.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

run unshare --user --map-root-user sh -c \
    'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" run -- true' "$CLBOX"
is "$RC" 125 "user namespaces refused: exit 125"
like_line "$ERR" "^clbox: cannot create the sandbox's namespaces" "the message says what could not be done"
like "$ERR" "user\.max_user_namespaces is 0" "the message names the setting"
like "$ERR" "sysctl -w user\.max_user_namespaces=" "the message says how to fix it"
done_testing
