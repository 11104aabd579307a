#!/bin/bash
# A directory that other programs share (/tmp, /var/tmp, /dev/shm, /run,
# /run/user/UID, or one above them) is never a view: from /tmp the sandbox
# could connect to other programs' sockets (a tmux server listens in
# /tmp/tmux-UID, and through it a command inside could run commands
# outside).  Refused as --project, as the project found from the current
# directory, as --config-dir, --rw and --ro; a directory inside one stays
# allowed.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# refused_shared DESC ARG...: `clbox run ARG... -- echo ran` ends with exit
# 125, a message that says why a shared directory is refused, and the
# command did not run.
refused_shared() {
    local desc=$1
    shift
    run "$CLBOX" run "$@" -- echo ran
    if [ "$RC" = 125 ] && [ -z "$OUT" ] && grep -qE '^clbox: .*shared.*sockets' <<<"$ERR"; then
        pass "$desc"
    else
        fail "$desc" "expected exit 125, no output and a message about a shared directory's sockets"
    fi
}

for dir in /tmp /var/tmp /dev/shm /run /var /dev; do
    refused_shared "--project $dir: refused" --net none --project "$dir"
done
like "$ERR" "tmux" "... the message says what a sandbox could reach there"
refused_shared "--project /: refused" --net none --project /

run_uid_dir=/run/user/$MY_UID
if [ -d "$run_uid_dir" ]; then
    refused_shared "--project $run_uid_dir: refused" --net none --project "$run_uid_dir"
else
    skip "--project $run_uid_dir: refused" "$run_uid_dir does not exist here"
fi
if [ -d /run/user ]; then
    refused_shared "--project /run/user (above $run_uid_dir): refused" --net none --project /run/user
else
    skip "--project /run/user: refused" "/run/user does not exist here"
fi

# The project found from the current directory (no .git above it).
for dir in /tmp /var/tmp /dev/shm; do
    cd "$dir" || bail_out "cd $dir"
    refused_shared "run from $dir without --project: refused"
done
like "$ERR" "cd into a project, or pass --project DIR" "... and the message says how to name a project"
cd "$PROJECT" || bail_out "cd $PROJECT"

ln -s /tmp "$HOME/tmp-link"
refused_shared "--project through a link to /tmp: refused" --net none --project "$HOME/tmp-link"
refused_shared "--rw /tmp: refused" --net none --rw /tmp
refused_shared "--rw /dev/shm: refused" --net none --rw /dev/shm
refused_shared "--ro /tmp: refused (sockets answer through a read-only view too)" --net none --ro /tmp
refused_shared "--ro /run: refused" --net none --ro /run
refused_shared "--config-dir /var/tmp: refused" --net none --config-dir /var/tmp
refused_shared "--dry-run --project /tmp: refused too" --dry-run --project /tmp

# A directory inside a shared one is a project like any other.
inside=$T_ROOT/inside-tmp
mkdir -p "$inside"
run "$CLBOX" run --net none --project "$inside" -- sh -c 'cd "$1" && echo ok >f && cat f' sh "$inside"
is "$RC:$OUT" "0:ok" "a project inside /tmp (not /tmp itself) runs"
done_testing
