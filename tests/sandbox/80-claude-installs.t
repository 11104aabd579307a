#!/bin/bash
# The claude command runs wherever it was installed: the native installer
# (~/.local/bin/claude -> ~/.local/share/claude/versions/X), an npm prefix
# in the home (~/.npm-global), and nvm (~/.nvm/versions/node/V).  Stand-ins
# take the real program's place; each prints where it runs, as whom, and its
# arguments.  Only the install tree is shown, read-only; nothing else of the
# home; --dangerously-skip-permissions reaches a command that is not root.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# stand_in FILE LABEL: a script that reports itself, or, given "probe CMD"
# (as an interpreter: after the script's path), runs CMD in the sandbox that
# was built for it, where its install tree is shown.
stand_in() {
    mkdir -p "$(dirname "$1")"
    printf '#!/bin/sh\n[ "$1" = probe ] && { eval "$2"; exit; }\n[ "$2" = probe ] && { eval "$3"; exit; }\necho "%s uid=$(id -u) args=$*"\n' "$2" >"$1"
    chmod 755 "$1"
}
echo secret >"$HOME/.bashrc"
mkdir -p "$HOME/.local/share/other-app" && echo private >"$HOME/.local/share/other-app/data"

# Native installer.
stand_in "$HOME/.local/share/claude/versions/2.1.5" native
mkdir -p "$HOME/.local/bin"
ln -s "$HOME/.local/share/claude/versions/2.1.5" "$HOME/.local/bin/claude"
PATH="$HOME/.local/bin:$PATH" sbx -- claude --dangerously-skip-permissions -p hi
is "$RC:$OUT" "0:native uid=$MY_UID args=--dangerously-skip-permissions -p hi" \
    "native install: runs, as the user's own uid, with its arguments"
PATH="$HOME/.local/bin:$PATH" sbx -- claude probe 'readlink ~/.local/bin/claude; touch ~/.local/share/claude/versions/new 2>&1; cat ~/.bashrc 2>&1; ls ~/.local/share'
like_line "$OUT" "^$HOME/.local/share/claude/versions/2.1.5\$" "native install: the link is there, pointing where it did"
like "$OUT" "Read-only file system" "native install: its versions directory is read-only"
like "$OUT" "No such file" "native install: the rest of the home (~/.bashrc) is not there"
unlike "$OUT" "other-app" "native install: nothing else of ~/.local/share is shown"
PATH="$HOME/.local/bin:$PATH" sbx --dry-run -- claude
like "$OUT" "ro +$HOME/.local/share/claude/versions +\[command install tree\]" "--dry-run names the install tree"

# npm with a prefix in the home; its #! asks env for node, from nvm below.
pkg="$HOME/.npm-global/lib/node_modules/@anthropic-ai/claude-code"
mkdir -p "$pkg/node_modules/dep" "$HOME/.npm-global/bin"
echo "dependency" >"$pkg/node_modules/dep/index.js"
printf '#!/usr/bin/env node\n' >"$pkg/cli.js"
chmod 755 "$pkg/cli.js"
ln -s ../lib/node_modules/@anthropic-ai/claude-code/cli.js "$HOME/.npm-global/bin/claude"
echo "other package" >"$HOME/.npm-global/lib/node_modules/other.js"
nvm_bin="$HOME/.nvm/versions/node/v20.11.0/bin"
stand_in "$nvm_bin/node" node
echo "npm cache" >"$HOME/.nvm/cache-file"
export_path="$HOME/.npm-global/bin:$nvm_bin:$PATH"
PATH=$export_path sbx -- claude --dangerously-skip-permissions
# The kernel hands the interpreter the path as invoked: the link in bin/.
is "$RC:$OUT" "0:node uid=$MY_UID args=$HOME/.npm-global/bin/claude --dangerously-skip-permissions" \
    "npm prefix: cli.js runs through env's node"
# node (the stand-in) is the program that runs: probe through it.
PATH=$export_path sbx -- claude probe "cat '$pkg/node_modules/dep/index.js'; ls '$HOME/.npm-global/lib/node_modules'; cat '$HOME/.nvm/cache-file' 2>&1; touch '$pkg/x' 2>&1"
like_line "$OUT" "^dependency\$" "npm prefix: the package's own dependencies are there"
unlike "$OUT" "other\.js" "npm prefix: other packages of the prefix are not"
like "$OUT" "cache-file: No such file" "nvm: nothing of ~/.nvm beyond node's bin directory"
like "$OUT" "Read-only file system" "npm prefix: the package is read-only"

# nvm: claude installed into nvm's own prefix.
nvm_pkg="$HOME/.nvm/versions/node/v20.11.0/lib/node_modules/@anthropic-ai/claude-code"
mkdir -p "$nvm_pkg"
printf '#!/usr/bin/env node\n' >"$nvm_pkg/cli.js"
chmod 755 "$nvm_pkg/cli.js"
ln -s ../lib/node_modules/@anthropic-ai/claude-code/cli.js "$nvm_bin/claude"
PATH="$nvm_bin:$PATH" sbx -- claude --version
is "$RC:$OUT" "0:node uid=$MY_UID args=$nvm_bin/claude --version" "nvm: claude from nvm's prefix runs"
PATH="$nvm_bin:$PATH" sbx -- claude probe "touch '$nvm_bin/x' 2>&1; test -e '$HOME/.npm-global' && echo npm-visible || echo npm-hidden"
like "$OUT" "Read-only file system" "nvm: node's bin directory is read-only"
like_line "$OUT" "^npm-hidden\$" "nvm: an unrelated prefix of the home is not shown"

# A system-wide install needs nothing from the home.
sysbin=$T_ROOT/sys/bin
stand_in "$sysbin/claude" system
PATH="$sysbin:$PATH" sbx --dry-run -- claude
like "$OUT" "ro +$sysbin +\[command install tree\]" "an install outside the home is shown read-only too"
PATH="$sysbin:$PATH" sbx -- claude --dangerously-skip-permissions
is "$RC:$OUT" "0:system uid=$MY_UID args=--dangerously-skip-permissions" "system-wide install: runs"

# Persistence through CLAUDE_CONFIG_DIR: what one run writes, the next finds.
sbx -- sh -c 'mkdir -p "$CLAUDE_CONFIG_DIR/projects" && echo "{\"session\": 1}" > "$CLAUDE_CONFIG_DIR/.claude.json" && echo "$PWD" > "$CLAUDE_CONFIG_DIR/projects/last"'
sbx -- sh -c 'cat "$CLAUDE_CONFIG_DIR/.claude.json" "$CLAUDE_CONFIG_DIR/projects/last"'
like_line "$OUT" '^\{"session": 1\}$' "the config dir keeps the login between runs"
like_line "$OUT" "^$PROJECT\$" "the project path recorded in one run is the same in the next"
is "$(stat -c %u "$CONFIG_DIR_DEFAULT/.claude.json")" "$MY_UID" "files in the config dir belong to the user on the host"
done_testing
