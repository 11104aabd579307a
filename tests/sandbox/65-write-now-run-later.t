#!/bin/bash
# Write now, run later: a project with no .git when clbox starts gets one
# inside (git init), with a hook and a config that runs commands, and the
# other files that run code when the user works there (.envrc, the agent's
# settings, an MCP list, editor tasks) appear.  On exit clbox reports each
# and leaves the hooks not executable; a run that plants nothing says
# nothing; --allow-project-config lets it all be.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

fresh=$T_ROOT/fresh
mkdir -p "$fresh" && cd "$fresh" || bail_out "cannot make $fresh"
plant='git init -q . && printf "#!/bin/sh\necho planted\n" > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit &&
  git config core.fsmonitor "touch /tmp/planted" && echo "echo hi" > .envrc && mkdir -p .claude .vscode &&
  echo "{}" > .claude/settings.json && echo "{}" > .mcp.json && echo "{}" > .vscode/tasks.json'
sbx --net none -- sh -c "$plant"
is "$RC" 0 "the command itself succeeds"
refute "the new pre-commit hook is left not executable" test -x .git/hooks/pre-commit
like "$(cat .git/hooks/pre-commit)" "planted" "... and left in place, for the user to read"
like_line "$ERR" "^clbox: the sandbox wrote the git hook $fresh/.git/hooks/pre-commit: it is left not executable" \
    "the hook is reported"
like_line "$ERR" "^clbox: the sandbox created $fresh/.git/config, which runs code" "the new git config is reported"
like_line "$ERR" "fsmonitor" "... with the setting in it that git would run"
for f in .envrc .claude/settings.json .mcp.json .vscode/tasks.json; do
    has_line "$ERR" "clbox: the sandbox created $fresh/$f, which runs code outside the sandbox when you work there: read it before you trust it" ||
        missing="$missing $f"
done
is "${missing:-}" "" "every planted file is reported (.envrc, agent settings, MCP list, editor tasks)"

# A run that plants nothing says nothing, in this project and in a git one.
sbx --net none -- sh -c 'echo work > notes.txt'
is "$RC:$ERR" "0:" "a run that plants nothing reports nothing"
cd "$PROJECT" || bail_out "cd $PROJECT"
sbx --net none -- sh -c 'git status --short >/dev/null; echo more >> notes.txt'
is "$RC:$ERR" "0:" "nor in a git project whose hooks were protected from the start"

# With --allow-project-config the user has said yes: nothing is disarmed.
other=$T_ROOT/other
mkdir -p "$other" && cd "$other" || bail_out "cd $other"
sbx --net none --allow-project-config -- sh -c "$plant"
ok "--allow-project-config: the new hook stays executable" test -x .git/hooks/pre-commit
is "$ERR" "" "--allow-project-config: no report"

# A hook that is a link is reported, never followed.
linked=$T_ROOT/linked
mkdir -p "$linked" && cd "$linked" || bail_out "cd $linked"
echo "#!/bin/sh" >"$T_ROOT/outside-hook" && chmod +x "$T_ROOT/outside-hook"
sbx --net none --ro "$T_ROOT/outside-hook" -- sh -c "git init -q . && ln -s '$T_ROOT/outside-hook' .git/hooks/post-checkout"
like_line "$ERR" "post-checkout a symbolic link: remove it unless you meant it" "a hook that is a link is reported"
ok "... and the file it points to is left as it was" test -x "$T_ROOT/outside-hook"
done_testing
