#!/bin/bash
# clbox doctor: on a machine where clbox works, every check says ok and it
# exits 0 without changing anything; the failures that can be provoked
# without root give FIX lines that name the cause, and exit 1.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# doctor's scratch project goes to $TMPDIR: a directory of the test's own,
# to see that nothing is left there.
export TMPDIR="$T_ROOT/tmp"
mkdir "$TMPDIR"

run "$CLBOX" doctor
is "$RC" 0 "a working machine: exit 0"
like_line "$OUT" "^  ok    user namespaces: " "user namespaces: ok"
like_line "$OUT" "^  ok    /dev/net/tun: " "/dev/net/tun: ok"
like_line "$OUT" "^  ok    slirp4netns: .*with every option clbox uses" "slirp4netns: ok, with its options"
like_line "$OUT" "^  ok    nftables in a user namespace: " "nftables in a user namespace: ok"
like_line "$OUT" "^  ok    sandbox starts, --net none: " "a sandbox starts without a network"
like_line "$OUT" "^  ok    sandbox starts, --net filtered: " "a sandbox starts with the filtered network"
like_line "$OUT" "^summary: [0-9]+ ok, 0 to fix, [0-9]+ notes? — clbox can run here$" "the summary line"
unlike_line "$OUT" "^  FIX " "nothing to fix"
odd=$(grep -vE '^(  (ok   |FIX  |note ) [^:]+: .+|summary: .+|clbox .+ doctor, as uid [0-9]+)$' <<<"$OUT")
is "$odd" "" "every line is the heading, a check line or the summary"
like_line "$OUT" "^  ok    config dir: $CONFIG_DIR_DEFAULT will be created" "the missing config dir is announced"
ok "doctor created no config dir" test ! -e "$HOME/.local"
ok "doctor left nothing in \$TMPDIR" test -z "$(ls -A "$TMPDIR")"

# slirp4netns missing: its own FIX line, and the filtered sandbox's failure
# in clbox's words.
CLBOX_SLIRP4NETNS=/nonexistent run "$CLBOX" doctor
is "$RC" 1 "slirp4netns missing: exit 1"
like_line "$OUT" "^  FIX   slirp4netns: CLBOX_SLIRP4NETNS=/nonexistent is not an executable file — " \
    "slirp4netns missing: a FIX line that names the cause"
like_line "$OUT" "^summary: [0-9]+ ok, [1-9][0-9]* to fix" "slirp4netns missing: the summary counts it"

# User namespaces refused, for real, without root: inside a user namespace
# of the test's own where user.max_user_namespaces is 0 (see 60-host-settings.t).
run unshare --user --map-root-user sh -c \
    'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" doctor' "$CLBOX"
is "$RC" 1 "user namespaces refused: exit 1"
like_line "$OUT" "^  FIX   user namespaces: refused when creating one \(No space left on device\)" \
    "user namespaces refused: a FIX line says so"
like_line "$OUT" "^  FIX   user\.max_user_namespaces: 0 .*sysctl -w user\.max_user_namespaces=" \
    "user namespaces refused: a FIX line names user.max_user_namespaces and its fix"
done_testing
