#!/bin/bash
# clbox hands the command its own stdin, stdout and stderr: no process of
# clbox's copies between them, so nothing can slow a large pipe.  Shown by
# identity, not by timing: inside, fds 0, 1 and 2 are the very pipes that
# clbox was started with (pipe inode numbers are the same in every
# namespace).
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

lines=$(sleep 2 | { readlink /proc/self/fd/0; timeout 10 "$CLBOX" run -- readlink /proc/self/fd/0; })
like "$(sed -n 1p <<<"$lines")" '^pipe:\[[0-9]+\]$' "stdin outside is a pipe"
is "$(sed -n 2p <<<"$lines")" "$(sed -n 1p <<<"$lines")" "stdin inside is that same pipe"

lines=$({ readlink /proc/self/fd/1; timeout 10 "$CLBOX" run -- readlink /proc/self/fd/1; } | cat)
like "$(sed -n 1p <<<"$lines")" '^pipe:\[[0-9]+\]$' "stdout outside is a pipe"
is "$(sed -n 2p <<<"$lines")" "$(sed -n 1p <<<"$lines")" "stdout inside is that same pipe"

lines=$({ readlink /proc/self/fd/2 >&2; timeout 10 "$CLBOX" run -- sh -c 'readlink /proc/self/fd/2 >&2'; } 2>&1 >/dev/null | cat)
like "$(sed -n 1p <<<"$lines")" '^pipe:\[[0-9]+\]$' "stderr outside is a pipe"
is "$(sed -n 2p <<<"$lines")" "$(sed -n 1p <<<"$lines")" "stderr inside is that same pipe"
done_testing
