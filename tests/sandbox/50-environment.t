#!/bin/bash
# The environment: a clean allow-list, --env/--unsetenv, CLAUDE_CONFIG_DIR and
# PWD set by clbox, and the --dry-run plan with secrets masked.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

# Values the host environment gets for this test.
export SSH_AUTH_SOCK="$T_ROOT/agent.sock"
export DISPLAY=":97"
export WAYLAND_DISPLAY="wayland-97"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$T_ROOT/bus"
export XDG_RUNTIME_DIR="$T_ROOT/run-user"
export FOO_CLBOX_RANDOM="random-$RANDOM"
export GITHUB_TOKEN="ghp_clboxtestvalue"
export LD_PRELOAD=""
export BASH_ENV="$T_ROOT/bash_env"
export KUBECONFIG="$T_ROOT/kubeconfig"

export TERM="xterm-clbox-test"
export COLORTERM="truecolor"
export LANG="C.UTF-8"
export LANGUAGE="en_US:en"
export LC_ALL="C.UTF-8"
export LC_CTYPE="C.UTF-8"
export TZ="Europe/Paris"
export EDITOR="vi-clbox"
export VISUAL="vim-clbox"
export NO_COLOR="1"
export FORCE_COLOR="2"
export ANTHROPIC_API_KEY="sk-ant-clbox-test-0123456789"
export ANTHROPIC_BASE_URL="https://example.invalid/v1"
export CLAUDE_X="claude-x-value"
export CLAUDE_CODE_USE_BEDROCK="1"
export AWS_REGION="eu-west-3"
export GOOGLE_CLOUD_PROJECT="gcp-project"
export CLOUD_ML_REGION="us-east5"
export DISABLE_TELEMETRY="1"
export SHELL="/bin/bash"
export USER="${USER:-$(id -un)}"
export LOGNAME="${LOGNAME:-$(id -un)}"

: >"$BASH_ENV"
sbx -- env
inside=$OUT

# --- dropped
for name in SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR FOO_CLBOX_RANDOM \
    GITHUB_TOKEN LD_PRELOAD BASH_ENV KUBECONFIG; do
    unlike_line "$inside" "^$name=" "$name is dropped"
done

# --- passed, with the host value
for name in TERM COLORTERM LANG LANGUAGE LC_ALL LC_CTYPE TZ EDITOR VISUAL NO_COLOR FORCE_COLOR \
    ANTHROPIC_API_KEY ANTHROPIC_BASE_URL CLAUDE_X CLAUDE_CODE_USE_BEDROCK AWS_REGION \
    GOOGLE_CLOUD_PROJECT CLOUD_ML_REGION DISABLE_TELEMETRY HOME USER LOGNAME SHELL PATH; do
    if has_line "$inside" "$name=${!name}"; then
        pass "$name passes with its value"
    else
        fail "$name passes with its value" "inside: '$(grep "^$name=" <<<"$inside")', host: '$name=${!name}'"
    fi
done

# --- set by clbox
is "$(grep '^CLAUDE_CONFIG_DIR=' <<<"$inside")" "CLAUDE_CONFIG_DIR=$CONFIG_DIR_DEFAULT" "CLAUDE_CONFIG_DIR is the config dir"
CLAUDE_CONFIG_DIR="$T_ROOT/host-claude" sbx -- printenv CLAUDE_CONFIG_DIR
is "$OUT" "$CONFIG_DIR_DEFAULT" "a host CLAUDE_CONFIG_DIR does not override the sandbox's config dir"
mkdir -p sub
cd sub || bail_out "cd sub"
sbx -- printenv PWD
is "$OUT" "$PROJECT/sub" "PWD is the working directory"
cd "$PROJECT" || bail_out "cd project"

# --- --env and --unsetenv
export FOO="host-foo"
sbx --env FOO -- printenv FOO
is "$RC:$OUT" "0:host-foo" "--env FOO passes the host value of FOO"
sbx --env FOO=bar -- printenv FOO
is "$OUT" "bar" "--env FOO=bar sets FOO to bar (over the host value)"
sbx --env NEWVAR=new -- printenv NEWVAR
is "$OUT" "new" "--env NAME=VALUE sets a variable the host does not have"
sbx --env SSH_AUTH_SOCK -- printenv SSH_AUTH_SOCK
is "$OUT" "$SSH_AUTH_SOCK" "--env SSH_AUTH_SOCK lets a dropped variable in"
sbx --env 'MULTI=a  b=c é' -- printenv MULTI
is "$OUT" "a  b=c é" "--env NAME=VALUE keeps spaces, '=' and UTF-8 in VALUE"
# A newline in VALUE: passed intact, or refused as clbox's error; never mangled.
sbx --env 'MULTI=a
b' -- printenv MULTI
if [ "$RC" -eq 0 ] && [ "$OUT" = "a"$'\n'"b" ]; then
    pass "--env with a newline in VALUE: passed intact"
elif [ "$RC" -eq 125 ] && grep -q '^clbox: ' <<<"$ERR" && [ -z "$OUT" ]; then
    pass "--env with a newline in VALUE: refused (exit 125, 'clbox: ' message)"
else
    fail "--env with a newline in VALUE: passed intact or refused with 125"
fi
sbx --env EMPTY= -- sh -c 'test "${EMPTY+set}" = set && echo "set:[$EMPTY]"'
is "$OUT" "set:[]" "--env EMPTY= sets an empty variable"
unset NOT_ON_HOST
sbx --env NOT_ON_HOST -- sh -c 'echo "${NOT_ON_HOST-unset}"'
is "$RC:$OUT" "0:unset" "--env NAME of a variable the host does not have leaves it unset"
sbx --unsetenv TERM -- sh -c 'echo "${TERM-unset}"'
is "$OUT" "unset" "--unsetenv TERM removes TERM"
sbx --unsetenv ANTHROPIC_API_KEY -- sh -c 'echo "${ANTHROPIC_API_KEY-unset}"'
is "$OUT" "unset" "--unsetenv ANTHROPIC_API_KEY removes an allowed secret"
sbx --env FOO --unsetenv FOO -- sh -c 'echo "${FOO-unset}"'
is "$OUT" "unset" "--env FOO --unsetenv FOO: FOO is not set"

# --- --dry-run
rm -f dry-ran
export DB_PASSWORD="hunter2-clbox"
export MY_SECRET_THING="s3cr3t-clbox"
sbx --dry-run --env GITHUB_TOKEN --env DB_PASSWORD --env MY_SECRET_THING --env OTHER=visible-value \
    --env STRIPE_KEY=literal-key-value -- touch dry-ran
plan_out=$OUT
all_out="$OUT$ERR"
is "$RC" "0" "--dry-run exits 0"
refute "--dry-run runs nothing" test -e dry-ran
like_line "$plan_out" '^mounts \(in order\):$' "--dry-run prints 'mounts (in order):'"
like_line "$plan_out" "^  rw +$PROJECT +\[project\]$" "--dry-run shows the project read-write at its path"
like_line "$plan_out" '^environment:$' "--dry-run prints 'environment:'"
project_line=$(grep -n "\[project\]" <<<"$plan_out" | head -1 | cut -d: -f1)
hooks_line=$(grep -n "$PROJECT/.git/hooks " <<<"$plan_out" | head -1 | cut -d: -f1)
root_line=$(grep -nE '^  tmpfs +/ ' <<<"$plan_out" | head -1 | cut -d: -f1)
home_line=$(grep -nE "^  tmpfs +$HOME " <<<"$plan_out" | head -1 | cut -d: -f1)
ok "--dry-run order: root tmpfs, then the empty home, then the project, then its protected .git/hooks" \
    test -n "$root_line" -a -n "$home_line" -a -n "$project_line" -a -n "$hooks_line" -a \
    "${root_line:-0}" -lt "${home_line:-0}" -a "${home_line:-0}" -lt "${project_line:-0}" -a "${project_line:-0}" -lt "${hooks_line:-0}"
like_line "$plan_out" "^  ANTHROPIC_API_KEY=<set, ${#ANTHROPIC_API_KEY} bytes, not shown>$" "--dry-run masks ANTHROPIC_API_KEY as <set, ${#ANTHROPIC_API_KEY} bytes, not shown>"
unlike "$all_out" "$ANTHROPIC_API_KEY" "--dry-run never prints the ANTHROPIC_API_KEY value"
like_line "$plan_out" "^  GITHUB_TOKEN=<set, ${#GITHUB_TOKEN} bytes, not shown>$" "--dry-run masks a *TOKEN* variable"
like_line "$plan_out" "^  DB_PASSWORD=<set, ${#DB_PASSWORD} bytes, not shown>$" "--dry-run masks a *PASSWORD* variable"
like_line "$plan_out" "^  MY_SECRET_THING=<set, ${#MY_SECRET_THING} bytes, not shown>$" "--dry-run masks a *SECRET* variable"
like_line "$plan_out" "^  STRIPE_KEY=<set, 17 bytes, not shown>$" "--dry-run masks a *KEY* variable given as --env NAME=VALUE"
unlike "$all_out" "$GITHUB_TOKEN|$DB_PASSWORD|$MY_SECRET_THING|literal-key-value" "--dry-run never prints those values"
like_line "$plan_out" '^  OTHER=visible-value$' "--dry-run shows an ordinary --env value"
unlike_line "$plan_out" '^  (SSH_AUTH_SOCK|DISPLAY|FOO_CLBOX_RANDOM)=' "--dry-run lists no dropped variable"
done_testing
