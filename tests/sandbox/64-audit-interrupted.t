#!/bin/bash
# The exit audit survives a launcher killed before it could run it: clbox
# records a pending audit before the sandbox starts, outside anything the
# sandbox can write, and the next run in that project audits and disarms
# what the unaudited session left before its command starts.  `clbox audit
# DIR` does the same by hand.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

STATE=$HOME/.local/state/clbox
records_left() { compgen -G "$STATE/pending/*" >/dev/null; }

# killed_session: starts a session that plants an executable hook in a new
# nested repository, and SIGKILLs the launcher once it has.
killed_session() {
    rm -f planted
    spawn "$CLBOX" run --net none -- sh -c 'git init -q sub && printf "#!/bin/sh\necho planted\n" > sub/.git/hooks/post-checkout &&
        chmod +x sub/.git/hooks/post-checkout && echo > planted && sleep 60'
    wait_for 10 test -e planted
    { kill -9 "$BG_PID"; reap; } 2>/dev/null
}

killed_session
is "$RC" 137 "(sanity) the launcher died of SIGKILL"
ok "the killed session left its hook executable: it was never audited" test -x sub/.git/hooks/post-checkout
ok "a pending audit is recorded, in the state dir" records_left
is "$(stat -c %a "$STATE")" 700 "... which is private (0700)"

sbx --net none -- sh -c 'test -x sub/.git/hooks/post-checkout && echo armed || echo disarmed'
is "$RC" 0 "the next run succeeds"
like_line "$ERR" "^clbox: the last session in $PROJECT ended before its audit \(clbox was killed\): auditing it now" \
    "the next run says it audits the unaudited session"
like_line "$ERR" "^clbox: the sandbox wrote the git hook $PROJECT/sub/.git/hooks/post-checkout: it is left not executable" \
    "... and disarms its hook"
is "$OUT" "disarmed" "... before its own command starts"
refute "no pending audit is left behind" records_left
sbx --net none -- true
is "$ERR" "" "the run after that has nothing to say"

# By hand: clbox audit DIR, from elsewhere.
rm -rf sub
killed_session
cd / || bail_out "cd /"
run "$CLBOX" audit "$PROJECT"
is "$RC" 0 "clbox audit DIR succeeds"
like_line "$ERR" "^clbox: the last session in $PROJECT ended before its audit" "... names the unaudited session"
refute "... and disarms its hook" test -x "$PROJECT/sub/.git/hooks/post-checkout"
refute "... and removes the record" records_left
cd "$PROJECT" || bail_out "cd $PROJECT"

# --allow-project-config: the run records and audits nothing of its own, but
# a killed session's audit is still made first.
rm -rf sub
killed_session
sbx --net none --allow-project-config -- true
like_line "$ERR" "^clbox: the last session in $PROJECT ended before its audit" \
    "--allow-project-config: a killed session is still audited first"
refute "... and its hook disarmed" test -x sub/.git/hooks/post-checkout

# The record must lie where the sandbox cannot write it.
run env XDG_STATE_HOME="$PROJECT/state" "$CLBOX" run --net none -- true
is "$RC" 125 "a state dir inside the project is refused"
like_line "$ERR" "^clbox: .*state.*inside" "... saying why"
run "$CLBOX" audit --since x "$PROJECT"
is "$RC" 125 "clbox audit --since with a bad value: exit 125"
run "$CLBOX" audit --help
is "$RC:$(head -1 <<<"$OUT")" "0:usage: clbox audit [--since DAYS] [--config-dir DIR] [DIR]" "clbox audit --help: the usage, exit 0"

# With no unaudited session, clbox audit --since DAYS audits what changed
# in the last DAYS days, whoever changed it.
git init -q late && printf '#!/bin/sh\n' >late/.git/hooks/pre-commit && chmod +x late/.git/hooks/pre-commit
run "$CLBOX" audit --since 1
like_line "$ERR" "^clbox: auditing what changed in $PROJECT and in the config dir in the last 1 day " \
    "clbox audit --since 1, in the project: says what it audits"
refute "... and disarms a hook made today" test -x late/.git/hooks/pre-commit

# A run that fails before its command can have run (here clbox inside
# clbox, whose namespaces are refused) leaves no record: the next run has
# nothing to say of it.
mkdir -p "$T_ROOT/bin" && cp "$CLBOX" "$T_ROOT/bin/clbox"
sbx --net none --ro "$T_ROOT/bin" -- sh -c "$T_ROOT/bin/clbox run --net none -- true; echo rc=\$?;
    ls -A \"\$HOME/.local/state/clbox/pending\""
like_line "$OUT" "^rc=125$" "(sanity) a clbox inside clbox cannot create its namespaces"
is "$(grep -v '^rc=' <<<"$OUT")" "" "... and that run, whose command never ran, leaves no pending record"
done_testing
