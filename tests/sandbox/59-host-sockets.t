#!/bin/bash
# A pathname socket is reached by its path whatever the namespaces, so a
# host program listening on one in a view (the project, the config dir, a
# --rw or --ro path) would answer a command inside.  Those that exist at
# start are covered with an empty read-only file, which connect() refuses;
# the walk that finds them is bounded (4 levels, 4096 directories, 100,000
# entries, never through a link) and -v says where it stopped.  A socket a
# host program creates after the start stays reachable (a documented
# limit), and the --ssh-agent socket is the one meant to be reached.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# listen_on PATH: a host program listening on the unix socket PATH; it
# answers each connection with "host-answered" and ends within 60 s.
listen_on() {
    mkdir -p "$(dirname "$1")"
    perl -MIO::Socket::UNIX -e '
        alarm 60;
        my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 8)
            or die "cannot listen on $ARGV[0]: $!\n";
        while (my $c = $s->accept) { print $c "host-answered\n"; close $c }' "$1" </dev/null >/dev/null 2>&1 &
    _tap_bg_pids+=("$!")
    wait_for 5 test -S "$1" || bail_out "the host listener on $1 did not start"
}
# What connecting to each PATH gives: "PATH: host-answered", or
# "PATH: unreachable (REASON)".
CONNECT_PL='
use IO::Socket::UNIX;
for my $p (@ARGV) {
    my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $p);
    my $line = $c ? <$c> : "unreachable ($!)\n";
    print "$p: $line";
}'
# reach_inside CLBOX-ARG... -- PATH...: connects to each PATH from inside.
reach_inside() {
    local args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
    sbx --net none "${args[@]}" -- perl -e "$CONNECT_PL" "$@"
}
unreachable() { like_line "$OUT" "^$1: unreachable" "$2"; }

project_sock=$PROJECT/run/host.sock
top_sock=$PROJECT/top.sock
deep_sock=$PROJECT/a/b/c/d/deep.sock
too_deep_sock=$PROJECT/a/b/c/d/e/too-deep.sock
config_sock=$CONFIG_DIR_DEFAULT/host.sock
rw_sock=$T_ROOT/rw/x/host.sock
ro_sock=$T_ROOT/ro/host.sock
git_sock=$PROJECT/.git/fsmonitor--daemon.ipc # git's own daemon listens there
for s in "$project_sock" "$top_sock" "$deep_sock" "$too_deep_sock" "$config_sock" "$rw_sock" "$ro_sock" "$git_sock"; do
    listen_on "$s"
done
RUN_STDIN=/dev/null run perl -e "$CONNECT_PL" "$project_sock"
like_line "$OUT" "host-answered" "on the host, the listener in the project answers"

reach_inside --rw "$T_ROOT/rw" --ro "$T_ROOT/ro" -- "$project_sock" "$top_sock" "$deep_sock" "$config_sock" \
    "$rw_sock" "$ro_sock" "$git_sock"
is "$RC" 0 "the sandbox starts with host sockets in its views"
unlike_line "$OUT" "host-answered" "no host socket that existed at start answers inside"
unreachable "$project_sock" "a socket in a directory of the project: unreachable"
unreachable "$top_sock" "a socket at the project's top: unreachable"
unreachable "$deep_sock" "a socket 4 levels down: unreachable"
unreachable "$config_sock" "a socket in the config dir: unreachable"
unreachable "$rw_sock" "a socket in a --rw path: unreachable"
unreachable "$ro_sock" "a socket in a --ro path: unreachable (connect needs no write access)"
unreachable "$git_sock" "a socket in the project's .git (pinned, a view of its own): unreachable"

sbx --net none -- sh -c 'test -S "$1" && echo socket; rm -f "$1" 2>&1; true' sh "$project_sock"
unlike_line "$OUT" '^socket$' "inside, the socket's path is no socket"
like_line "$OUT" 'busy|Read-only' "... the cover cannot be removed"
ok "... and on the host the socket is still there" test -S "$project_sock"
[ -S "$project_sock" ] || listen_on "$project_sock"
sbx --net none -- sh -c 'mv run run.moved && perl -e "$2" "$1"' sh "$PROJECT/run.moved/host.sock" "$CONNECT_PL"
like_line "$OUT$ERR" "run.moved/host.sock: unreachable|Device or resource busy" \
    "the cover moves with its directory: still unreachable after mv"
[ -d "$PROJECT/run.moved" ] && mv "$PROJECT/run.moved" "$PROJECT/run"

# A linked worktree as the project: the main repository's git dir, shown
# read-write from outside the project, is looked through too.
git -C "$PROJECT" -c user.name=t -c user.email=t@t commit -q --allow-empty -m init
git -C "$PROJECT" worktree add -q "$T_ROOT/wt" 2>/dev/null
cd "$T_ROOT/wt" || bail_out "cd $T_ROOT/wt"
reach_inside -- "$git_sock"
unreachable "$git_sock" "from a linked worktree, a socket in the main repository's git dir: unreachable"
cd "$PROJECT" || bail_out "cd $PROJECT"

# The documented limit of the walk: deeper than 4 levels, a socket is not
# looked for; -v says so.
reach_inside -v -- "$too_deep_sock"
like_line "$OUT" "^$too_deep_sock: host-answered" "a socket 5 levels down stays reachable (the walk's documented bound)"
like_line "$ERR" "sockets.*4 levels" "... and -v says how deep clbox looked"

# The plan shows what is covered.
sbx --net none --dry-run -- true
like_line "$OUT" "^  hide +$project_sock .*host socket" "--dry-run lists the covered socket"

# --ssh-agent: the agent's socket is the one meant to be reached, inside the
# project or not.
agent_sock=$T_ROOT/agent/agent.sock
listen_on "$agent_sock"
export SSH_AUTH_SOCK=$agent_sock
reach_inside --ssh-agent -- "$agent_sock"
like_line "$OUT" "^$agent_sock: host-answered" "the --ssh-agent socket answers inside"
project_agent=$PROJECT/agent.sock
listen_on "$project_agent"
export SSH_AUTH_SOCK=$project_agent
reach_inside --ssh-agent -- "$project_agent" "$project_sock"
like_line "$OUT" "^$project_agent: host-answered" "... also when it lies in the project"
unreachable "$project_sock" "... while the project's other sockets stay covered"
unset SSH_AUTH_SOCK
rm -f "$project_agent"

# The documented limit: a socket a host program makes after the start is
# reachable.  The sandbox waits (bounded) for it to appear.
late_sock=$PROJECT/late.sock
spawn "$CLBOX" run --net none -- sh -c 'touch started; i=0
    while [ ! -S "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    perl -e "$2" "$1"' sh "$late_sock" "$CONNECT_PL"
wait_for 10 test -e "$PROJECT/started" || diag "the sandbox did not start"
listen_on "$late_sock"
reap
rm -f "$PROJECT/started"
like_line "$OUT" "^$late_sock: host-answered" "a socket a host program creates after the start is reachable (documented)"

# The count bound: more stale sockets than clbox covers is refused.
perl -MIO::Socket::UNIX -e 'for my $i (1 .. 1025) { IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => "$ARGV[0]/s$i") or die "$!\n" }' \
    "$(mkdir -p many && cd many && pwd)"
sbx --net none -- echo ran
is "$RC:$OUT" "125:" "more than 1024 sockets in the views: refused, the command does not run"
like "$ERR" "^clbox: .*1024 sockets" "... with a message that says so"
rm -rf many

# The directory bound: beyond 4096 directories the walk stops; -v says so.
mkdir -p wide && (cd wide && mkdir $(seq 1 4200))
sbx --net none -v -- true
is "$RC" 0 "a project of 4200 directories starts"
like_line "$ERR" "sockets.*4096 directories" "... and -v says where the walk stopped"
rm -rf wide

RUN_STDIN=/dev/null run perl -e "$CONNECT_PL" "$project_sock"
like_line "$OUT" "host-answered" "on the host, the listener in the project still answers after all this"
done_testing
