#!/bin/bash
# The real Claude Code CLI, as its users run it.  .ci/run installs it from
# the npm registry into an npm prefix and names that prefix in
# CLBOX_TEST_CLAUDE_NPM (by hand: npm install -g --prefix DIR
# @anthropic-ai/claude-code, then CLBOX_TEST_CLAUDE_NPM=DIR).  The test
# itself uses no network: --net none, and the CLI stops at "not logged in".
#
# It checks that the CLI is found and runs inside; that
# --dangerously-skip-permissions is not refused (the uid inside is the
# user's own), where the same command as uid 0 of a user namespace is; that
# what the CLI writes lands in the persistent config dir, keyed by the
# project's unchanged path, and survives to the next run; and that nothing
# of it reaches the host's home.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
require_claude_cli
CONFIG="$HOME/.local/share/clbox/claude"
T_TIMEOUT=60

sbx -q --net none -- claude --version
like "$RC:$OUT" '^0:[0-9]+\.[0-9]+\.[0-9]+ \(Claude Code\)$' "claude --version runs inside and prints its version"
diag "$OUT"

# The control runs outside clbox: without network (--net), and with a home
# and a TMPDIR of its own (the CLI keeps state in $TMPDIR/claude-UID, and
# uid 0's directory there may belong to another user of the machine).
mkdir -p "$T_ROOT/control-home" "$T_ROOT/control-tmp"
run env HOME="$T_ROOT/control-home" TMPDIR="$T_ROOT/control-tmp" unshare --user --map-root-user --net -- claude --dangerously-skip-permissions -p 'say hi'
like "$OUT$ERR" 'cannot be used with root' \
    "(control) as uid 0 of a user namespace, --dangerously-skip-permissions is refused"

sbx -q --net none -- claude --dangerously-skip-permissions -p 'say hi'
unlike "$OUT$ERR" 'root' "inside clbox, --dangerously-skip-permissions is not refused for root"
like "$OUT$ERR" '[Nn]ot logged in|/login|API key' "... the CLI goes on to ask for a login (there is none here)"
diag "$OUT$ERR"

ok "the CLI wrote its state into the persistent config dir ($CONFIG/.claude.json)" test -s "$CONFIG/.claude.json"
key=$(printf '%s' "$PROJECT" | tr '/.' '--')
ok "its per-project state is keyed by the project's own path (projects/$key)" test -d "$CONFIG/projects/$key"
first=$(grep -o '"firstStartTime": *"[^"]*"' "$CONFIG/.claude.json")
sbx -q --net none -- claude --dangerously-skip-permissions -p 'say hi again'
ok "a second run finds the same state (firstStartTime unchanged: $first)" \
    test -n "$first" -a "$first" = "$(grep -o '"firstStartTime": *"[^"]*"' "$CONFIG/.claude.json")"
ok "nothing was written to the host's ~/.claude or ~/.claude.json" test ! -e "$HOME/.claude" -a ! -e "$HOME/.claude.json"
tree=$CLAUDE_PREFIX/lib/node_modules/@anthropic-ai/claude-code
sbx --net none --dry-run -- claude --version
like_line "$OUT" "^  ro +$tree  \[command install tree\]$" "the CLI's install tree is mounted read-only (--dry-run)"
done_testing
