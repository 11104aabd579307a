#!/bin/bash
# Profiles against the fake internet: the default profile reaches the
# Anthropic hosts Claude Code uses and nothing else; -p bedrock with
# AWS_REGION reaches exactly that region's Bedrock hosts and shows ~/.aws
# read-only; --ssh-agent forwards the agent's socket and nothing of ~/.ssh.
# The hosts' names are pointed at a world server that listens on 443.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"

HTTPS_HOST=198.51.100.53 # the world's server on port 443 (plain HTTP there)
for name in api.anthropic.com claude.ai statsig.anthropic.com o123.ingest.us.sentry.io \
    bedrock-runtime.eu-west-1.amazonaws.com bedrock-runtime.us-east-1.amazonaws.com; do
    world-set-host "$name" "$HTTPS_HOST" >/dev/null || bail_out "world-set-host $name failed"
done
# fetch NAME...: a shell snippet printing "NAME reached" or "NAME refused" each.
fetch() {
    local n
    for n; do printf 'curl -s -m 5 http://%s:443/ | grep -q "^server %s:443" && echo "%s reached" || echo "%s refused";' "$n" "$HTTPS_HOST" "$n" "$n"; done
}

sbx -- sh -c "$(fetch api.anthropic.com claude.ai statsig.anthropic.com o123.ingest.us.sentry.io)"
like_line "$OUT" "^api.anthropic.com reached\$" "default profile: api.anthropic.com is reached"
is "$(grep -c " reached$" <<<"$OUT")" 4 "default profile: the login, telemetry and error-report hosts too"
sbx -- sh -c "curl -sS -m 5 http://allowed.test/ 2>&1; curl -sS -m 5 http://api.anthropic.com:80/ 2>&1; true"
like "$ERR" "blocked DNS lookup of allowed.test" "default profile: any other name is refused"
unlike "$OUT" "server 203.0.113.10" "default profile: nothing else was reached"
like "$ERR" "blocked connection to $HTTPS_HOST:80" "default profile: Anthropic hosts on port 443 only"
is "$(grep -c 'query\[A\] allowed.test' "$WORLD_DNS_LOG")" 0 "default profile: the refused name never reached the DNS server"

mkdir -p "$HOME/.aws" && echo "[default]" >"$HOME/.aws/config"
AWS_REGION=eu-west-1 sbx -p bedrock -- sh -c "$(fetch bedrock-runtime.eu-west-1.amazonaws.com bedrock-runtime.us-east-1.amazonaws.com api.anthropic.com) cat ~/.aws/config; echo x >> ~/.aws/config; echo \"\$CLAUDE_CODE_USE_BEDROCK\""
like_line "$OUT" "^bedrock-runtime.eu-west-1.amazonaws.com reached\$" "bedrock: the region's runtime host is reached"
is "$(grep -c " reached$" <<<"$OUT")" 1 "bedrock: another region's host and the Anthropic API are not"
like_line "$OUT" '^\[default\]$' "bedrock: ~/.aws is shown"
like "$ERR" "Read-only file system" "bedrock: ~/.aws is read-only"
like_line "$OUT" '^1$' "bedrock: CLAUDE_CODE_USE_BEDROCK=1 is set"
env -u AWS_REGION "$CLBOX" run -p bedrock -- true >/dev/null 2>"$T_ROOT/err"
RC=$?
is "$RC" 125 "bedrock without AWS_REGION: clbox stops"
like "$(cat "$T_ROOT/err")" 'bedrock:[0-9]+: \$\{AWS_REGION\} is not set' "... saying FILE:LINE and what is missing"

mkdir -p "$HOME/.ssh" && echo "PRIVATE KEY" >"$HOME/.ssh/id_ed25519"
eval "$(ssh-agent -s)" >/dev/null
sbx --ssh-agent -- sh -c 'test -S "$SSH_AUTH_SOCK" && echo socket; ssh-add -l >/dev/null 2>&1; echo "agent=$?"; ls ~/.ssh 2>&1'
kill "$SSH_AGENT_PID" 2>/dev/null
like_line "$OUT" '^socket$' "--ssh-agent: the agent's socket is there"
like_line "$OUT" '^agent=1$' "--ssh-agent: the agent answers (no identities loaded)"
unlike "$OUT" "id_ed25519" "--ssh-agent: nothing else of ~/.ssh"
done_testing
