#!/bin/bash
# Write now, run later, through git's pointers: a file the sandbox writes
# can send a later host-side git to a directory of its choosing (commondir,
# the .git file of a linked worktree, commondir in a worktree's or a
# submodule's git dir), turn on a config git reads only when an extension
# asks for it (config.worktree), or make a plain directory a repository
# (HEAD, objects/, refs/, config).  Each is run here with the real git on the
# host side after the session, as the user would: the command the sandbox
# planted must not run (it would leave a marker file).  clbox reports each,
# sets it aside under NAME.clbox-disarmed and says how to undo that.  Last, the
# config dir: what the host's Claude Code obeys there is reported.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

G=(git -c user.name=t -c user.email=t@t)
"${G[@]}" -C "$PROJECT" commit -q --allow-empty -m init || bail_out "cannot commit in $PROJECT"
git init -q "$PROJECT/old" || bail_out "git init $PROJECT/old"
mkdir -p "$PROJECT/.git/modules" && git init -q --separate-git-dir="$PROJECT/.git/modules/sm" "$PROJECT/sm" || bail_out "cannot make a submodule git dir"
"${G[@]}" -C "$PROJECT" worktree add -q "$T_ROOT/wt" || bail_out "cannot add a linked worktree"
CFG=$CONFIG_DIR_DEFAULT
mkdir -p "$CFG" && chmod 700 "$CFG"
sleep 0.05 # the session's changes must come later than these, by the clock

# evil DIR MARK: the shell code, run inside, that makes DIR a git dir whose
# config runs "touch MARK" on the next git status there.
evil() {
    printf 'mkdir -p %s/objects %s/refs %s/hooks && echo "ref: refs/heads/main" > %s/HEAD && ' "$1" "$1" "$1" "$1"
    printf 'printf "[core]\\n\\tfsmonitor = \\"touch %s; false\\"\\n" > %s/config' "$2" "$1"
}
# during_session INSIDE HOST: runs the shell code INSIDE in a sandbox and,
# while that session lasts, HOST on the host side; sets RC, OUT and ERR.
during_session() {
    spawn "$CLBOX" run --net none --rw "$T_ROOT/flags" -- sh -c "$1 && echo > $T_ROOT/flags/ready &&
      while [ ! -e $T_ROOT/flags/go ]; do sleep 0.05; done"
    wait_for 10 test -e "$T_ROOT/flags/ready" || diag "the session did not get ready"
    sh -c "$2"
    touch "$T_ROOT/flags/go" && reap
    rm -f "$T_ROOT/flags/ready" "$T_ROOT/flags/go"
}
mkdir -p "$T_ROOT/flags"
# host_git DIR ARG...: the user's git, on the host, after the session.
host_git() { (cd "$1" && shift && GIT_SSH=false timeout 10 git "$@" >/dev/null 2>&1); }

# --- commondir in the project's own git dir, naming a dir in the config dir
m1=$T_ROOT/m1
sbx --net none -- sh -c "$(evil "$CFG/e1" "$m1") && echo '$CFG/e1' > .git/commondir"
is "$RC" 0 "the command that plants .git/commondir succeeds"
host_git "$PROJECT" status
refute "git status on the host does not run the config that .git/commondir named" test -e "$m1"
like_line "$ERR" "^clbox: the sandbox wrote $PROJECT/\.git/commondir, which points git at another directory" \
    "the planted commondir is reported"
ok "... it is set aside as commondir.clbox-disarmed" test -f .git/commondir.clbox-disarmed -a ! -e .git/commondir
like_line "$ERR" "mv $PROJECT/\.git/commondir\.clbox-disarmed $PROJECT/\.git/commondir" "... and the report says how to undo it"
like_line "$ERR" "$CFG/e1/config" "the config of the directory it named is audited too"
ok "(sanity) git works in the project afterwards" host_git "$PROJECT" status
rm -f .git/commondir .git/commondir.clbox-disarmed # each case on its own

# --- a planted commondir naming one of the user's own repositories, in which
# the user made a hook on the host during the session: the pointer is set
# aside, and nothing of the user's there is touched.
git init -q "$T_ROOT/mine" || bail_out "git init $T_ROOT/mine"
rm -f ready go
spawn "$CLBOX" run --net none -- sh -c "echo '$T_ROOT/mine/.git' > .git/commondir && echo > ready &&
  while [ ! -e go ]; do sleep 0.05; done"
wait_for 10 test -e ready
printf '#!/bin/sh\n' >"$T_ROOT/mine/.git/hooks/pre-commit" && chmod +x "$T_ROOT/mine/.git/hooks/pre-commit"
touch go && reap
ok "a planted commondir naming the user's own repository: the user's new hook there stays executable" \
    test -x "$T_ROOT/mine/.git/hooks/pre-commit"
like_line "$ERR" "commondir, which points git at another directory \($T_ROOT/mine/\.git\)" "... the pointer is reported"
ok "... and set aside" test -f .git/commondir.clbox-disarmed
rm -f .git/commondir.clbox-disarmed ready go

# --- commondir in a nested repository that existed before
m2=$T_ROOT/m2
sbx --net none -- sh -c "$(evil "$CFG/e2" "$m2") && echo '$CFG/e2' > old/.git/commondir"
host_git "$PROJECT/old" status
refute "commondir added to a nested repository: host git does not run what it names" test -e "$m2"
like_line "$ERR" "$PROJECT/old/\.git/commondir" "... and it is reported"
rm -f old/.git/commondir

# --- commondir in .git/modules/NAME
m3=$T_ROOT/m3
sbx --net none -- sh -c "$(evil "$CFG/e3" "$m3") && echo '$CFG/e3' > .git/modules/sm/commondir"
host_git "$PROJECT/sm" status
refute "commondir added to .git/modules/sm: host git in the submodule does not run what it names" test -e "$m3"
like_line "$ERR" "$PROJECT/\.git/modules/sm/commondir" "... and it is reported"
rm -f .git/modules/sm/commondir

# --- config.worktree, read because extensions.worktreeConfig is set
git -C "$PROJECT" config extensions.worktreeConfig true
sleep 0.05
m4=$T_ROOT/m4
sbx --net none -- sh -c "printf '[core]\n\tfsmonitor = \"touch $m4; false\"\n' > .git/config.worktree"
host_git "$PROJECT" status
refute "a new .git/config.worktree: host git does not run its fsmonitor" test -e "$m4"
like_line "$ERR" "$PROJECT/\.git/config\.worktree" "... it is reported"
like_line "$ERR" "core\.fsmonitor" "... naming the key that runs a command"
ok "... and set aside" test -f .git/config.worktree.clbox-disarmed
git -C "$PROJECT" config --unset extensions.worktreeConfig
rm -f .git/config.worktree .git/config.worktree.clbox-disarmed

# --- a bare-repository look-alike in a subdirectory
m5=$T_ROOT/m5
sbx --net none -- sh -c "mkdir -p look/objects look/refs && echo 'ref: refs/heads/main' > look/HEAD &&
  printf '[core]\n\tsshCommand = \"touch $m5; false\"\n[remote \"origin\"]\n\turl = ssh://h.invalid/r\n' > look/config"
host_git "$PROJECT/look" fetch origin
refute "a bare-repository look-alike: host git fetch in it does not run its core.sshCommand" test -e "$m5"
like_line "$ERR" "^clbox: the sandbox made $PROJECT/look a git repository" "... it is reported"
ok "... and its HEAD is set aside, so git no longer takes it for a repository" test -f look/HEAD.clbox-disarmed -a ! -e look/HEAD

# --- a look-alike with no store of its own: HEAD, and a commondir naming one
m10=$T_ROOT/m10
sbx --net none -- sh -c "mkdir -p $CFG/e10/objects $CFG/e10/refs half && echo 'ref: refs/heads/main' > half/HEAD &&
  printf '[core]\n\tsshCommand = \"touch $m10; false\"\n[remote \"origin\"]\n\turl = ssh://h.invalid/r\n' > $CFG/e10/config &&
  echo '$CFG/e10' > half/commondir"
host_git "$PROJECT/half" fetch origin
refute "HEAD and a commondir make a repository too: host git there does not run what it names" test -e "$m10"
like_line "$ERR" "$PROJECT/half/commondir, which points git at another directory" "... the commondir is reported"

# --- a bare-repository look-alike at the root of a project with no .git
bare=$T_ROOT/bare
mkdir -p "$bare" && cd "$bare" || bail_out "cd $bare"
m6=$T_ROOT/m6
sbx --net none -- sh -c "mkdir -p objects refs && echo 'ref: refs/heads/main' > HEAD &&
  printf '[core]\n\tsshCommand = \"touch $m6; false\"\n[remote \"origin\"]\n\turl = ssh://h.invalid/r\n' > config"
host_git "$bare" fetch origin
refute "the project root made a look-alike: host git fetch there does not run its core.sshCommand" test -e "$m6"
like_line "$ERR" "^clbox: the sandbox made $bare a git repository" "... it is reported"
cd "$PROJECT" || bail_out "cd $PROJECT"

# --- a new nested repository whose config hides its key past 16 KiB of padding
m7=$T_ROOT/m7
sbx --net none -- sh -c "git init -q pad && for i in \$(seq 400); do echo '# padding padding padding padding padding padding' >> pad/.git/config; done &&
  printf '[CoRe]\n  FSMONITOR=\"touch $m7; false\"\n' >> pad/.git/config"
host_git "$PROJECT/pad" status
refute "a padded config with a key in odd case: host git does not run it" test -e "$m7"
like_line "$ERR" "$PROJECT/pad/\.git/config.*core\.fsmonitor" "... the key is found and named"
ok "... and the config is set aside" test -f pad/.git/config.clbox-disarmed
like_line "$ERR" "mv $PROJECT/pad/\.git/config\.clbox-disarmed $PROJECT/pad/\.git/config" "... with the way to undo it"

# --- a nested config that runs nothing is reported, and left where it is
sbx --net none -- sh -c "git init -q plain && git -C plain config user.name someone"
ok "a new nested config with no command in it stays in place" test -f plain/.git/config
unlike "$ERR" "plain/\.git/config\.clbox-disarmed" "... and is not said to be set aside"

# --- the linked worktree's own .git file, rewritten.  It existed at start,
# so it is read-only inside; the audit is shown on its own by the same
# write made on the host side while a session runs, as if that protection
# were missing.
cd "$T_ROOT/wt" || bail_out "cd $T_ROOT/wt"
m8=$T_ROOT/m8
sbx --net none -- sh -c "$(evil "$CFG/e8" "$m8") && echo 'gitdir: $CFG/e8' > .git"
like "$ERR" "cannot create \.git: Read-only file system" "a linked worktree's .git file is read-only inside"
during_session "$(evil "$CFG/e8" "$m8")" "echo 'gitdir: $CFG/e8' > .git"
host_git "$T_ROOT/wt" status
refute "the rewritten .git file of a linked worktree: host git does not run what it names" test -e "$m8"
like_line "$ERR" "$T_ROOT/wt/\.git, which points git at another directory" "... it is reported"
ok "... and set aside as .git.clbox-disarmed" test -f .git.clbox-disarmed
mv .git.clbox-disarmed .git 2>/dev/null
printf 'gitdir: %s\n' "$PROJECT/.git/worktrees/wt" >.git # as git wrote it
sleep 0.05

# --- commondir in the main repository's worktrees/NAME, written from the
# worktree: read-only inside too, and audited on its own as above.
m9=$T_ROOT/m9
sbx --net none -- sh -c "$(evil "$CFG/e9" "$m9") && echo '$CFG/e9' > '$PROJECT/.git/worktrees/wt/commondir'"
like "$ERR" "worktrees/wt/commondir: Read-only file system" "the worktree's commondir in the main repository is read-only inside"
during_session "$(evil "$CFG/e9" "$m9")" "echo '$CFG/e9' > '$PROJECT/.git/worktrees/wt/commondir'"
host_git "$T_ROOT/wt" status
refute "commondir in worktrees/wt: host git in the worktree does not run what it names" test -e "$m9"
like_line "$ERR" "$PROJECT/\.git/worktrees/wt/commondir" "... it is reported"
ok "(sanity) git works in the worktree afterwards" host_git "$T_ROOT/wt" status

# --- the config dir: the host's Claude Code obeys its settings and hooks
cd "$PROJECT" || bail_out "cd $PROJECT"
sbx --net none -- sh -c 'echo "{\"hooks\":{}}" > "$CLAUDE_CONFIG_DIR/settings.json" &&
  mkdir -p "$CLAUDE_CONFIG_DIR/hooks" "$CLAUDE_CONFIG_DIR/commands" && echo x > "$CLAUDE_CONFIG_DIR/hooks/h.sh" &&
  echo y > "$CLAUDE_CONFIG_DIR/commands/c.md"'
like_line "$ERR" "^clbox: the sandbox (created|wrote) $CFG/settings\.json" "a settings.json written in the config dir is reported"
like_line "$ERR" "$CFG/hooks/h\.sh" "... so is a file in its hooks/"
like_line "$ERR" "$CFG/commands/c\.md" "... and in its commands/"
sbx --net none -- true
is "$ERR" "" "a run that writes nothing there reports nothing"
done_testing
