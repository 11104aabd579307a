# shellcheck shell=bash disable=SC2034 # what it sets is for the scripts that source it
# tests/lib/tap.sh - shared helpers for the sandbox test scripts (bash).
#
# Source it, call sandbox_setup, then the assertions, then done_testing:
#
#   . "$SRCDIR/tests/lib/tap.sh"
#   sandbox_setup           # unprivileged check, fresh HOME with a git project, cd there
#   sbx -- id -u            # runs "$CLBOX run -- id -u" bounded: sets RC, OUT, ERR
#   is "$OUT" "$(id -u)" "uid is the same inside"
#   done_testing            # prints the plan: the number of assertions run
#
# The scripts speak TAP (automake's tap-driver reads them).  Every command is
# bounded by timeout ($T_TIMEOUT seconds); everything a script creates lives
# below one mktemp directory that is removed at exit.  A script exits non-zero
# when an assertion failed, or it stopped before done_testing (then it has
# printed no plan either, and the TAP driver reports it as an error).

T_TIMEOUT=${T_TIMEOUT:-20}

# The process names of pasta, which may re-execute itself as a build for
# this CPU (Debian: passt.avx2), and of either network stack.
PASTA_COMMS='pasta|passt|passt.avx2|pasta.avx2'
STACK_COMMS="slirp4netns|$PASTA_COMMS"
# The network stack clbox runs with (tests/net-pasta/ set CLBOX_NET_BACKEND
# to pasta): its name, the variable that overrides its path, and its
# process names.
NET_STACK=${CLBOX_NET_BACKEND:-slirp4netns}
if [ "$NET_STACK" = pasta ]; then
    NET_STACK_VAR=CLBOX_PASTA NET_STACK_COMMS=$PASTA_COMMS
else
    NET_STACK_VAR=CLBOX_SLIRP4NETNS NET_STACK_COMMS=slirp4netns
fi

_tap_n=0
_tap_failed=0
_tap_planned=
_tap_done=          # set by done_testing: the script ran to its end
_tap_last=          # description of the last run command, for diagnostics
_tap_bg_pids=()     # background processes to end at exit
T_HOST_TMP_FILES=() # files a script makes outside T_ROOT (e.g. in /tmp): removed at exit

# ---------------------------------------------------------------- TAP output

plan() {
    _tap_planned=$1
    printf '1..%d\n' "$1"
}

# done_testing: the end of the assertions.  Prints the plan, the number that
# ran; a script that stops before it fails at exit (see _tap_cleanup).
done_testing() {
    [ -z "$_tap_planned" ] || bail_out "done_testing after plan $_tap_planned: a script uses one of them"
    _tap_planned=$_tap_n
    _tap_done=1
    printf '1..%d\n' "$_tap_n"
}

# skip_all REASON: the whole script cannot run here: says why and exits 0.
skip_all() {
    _tap_planned=0
    printf '1..0 # SKIP %s\n' "$1"
    exit 0
}

# tap_on_exit: checks at exit what was run against the plan; sandbox_setup
# calls it, and a script that needs no sandbox calls it first.
tap_on_exit() {
    trap _tap_cleanup EXIT
}

bail_out() {
    printf 'Bail out! %s\n' "$*"
    exit 1
}

# diag TEXT...: prints TEXT as TAP comment lines.
diag() {
    local line
    while IFS= read -r line; do
        printf '# %s\n' "$line"
    done <<<"$*"
}

# _tap_fmt LABEL VALUE: formats a possibly long value for diagnostics.
_tap_fmt() {
    local label=$1 value=$2
    if [ ${#value} -gt 1500 ]; then
        value="${value:0:1500}... (${#value} bytes in all)"
    fi
    if [[ $value == *$'\n'* ]]; then
        printf '%s:\n' "$label"
        # shellcheck disable=SC2001 # indents every line, which ${//} cannot
        sed 's/^/    /' <<<"$value"
    else
        printf "%s: '%s'\n" "$label" "$value"
    fi
}

_tap_show() { diag "$(_tap_fmt "$@")"; }

_tap_result() {
    local status=$1 desc=$2
    _tap_n=$((_tap_n + 1))
    desc=${desc//$'\n'/ }
    desc=${desc//\#/\\#}
    if [ "$status" -eq 0 ]; then
        printf 'ok %d - %s\n' "$_tap_n" "$desc"
    else
        printf 'not ok %d - %s\n' "$_tap_n" "$desc"
        _tap_failed=$((_tap_failed + 1))
    fi
    return "$status"
}

# pass DESC: records a passing assertion.
pass() { _tap_result 0 "$1"; }

# skip DESC REASON: records an assertion that could not be made here.
skip() {
    _tap_n=$((_tap_n + 1))
    printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "${1//\#/\\#}" "$2"
}

# fail DESC [DIAG...]: records a failing assertion, with each DIAG as a
# comment, and the last run command and what it printed, so a failure log
# explains itself.
fail() {
    local desc=$1 line
    shift
    _tap_result 1 "$desc"
    for line in "$@"; do diag "$line"; done
    if [ -n "$_tap_last" ]; then
        diag "last command: $_tap_last"
        diag "exit status: ${RC-}"
        _tap_show "stdout" "${OUT-}"
        _tap_show "stderr" "${ERR-}"
    fi
    return 1
}

# ok DESC CMD [ARG...]: passes when CMD exits 0.
ok() {
    local desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc" "check failed: $*"; fi
}

# refute DESC CMD [ARG...]: passes when CMD exits non-zero.
refute() {
    local desc=$1
    shift
    if "$@"; then fail "$desc" "check unexpectedly succeeded: $*"; else pass "$desc"; fi
}

# is ACTUAL EXPECTED DESC
is() {
    if [ "$1" == "$2" ]; then
        pass "$3"
    else
        fail "$3" "$(_tap_fmt "     got" "$1"; _tap_fmt "expected" "$2")"
    fi
}

# isnt ACTUAL UNEXPECTED DESC
isnt() {
    if [ "$1" != "$2" ]; then
        pass "$3"
    else
        fail "$3" "$(_tap_fmt "got (should differ)" "$1")"
    fi
}

# like TEXT REGEX DESC: passes when TEXT matches the extended REGEX (bash =~;
# ^ and $ anchor at the ends of the whole text, not at lines).
like() {
    if [[ $1 =~ $2 ]]; then
        pass "$3"
    else
        fail "$3" "$(_tap_fmt "text" "$1"; echo "does not match: /$2/")"
    fi
}

# unlike TEXT REGEX DESC
unlike() {
    if [[ $1 =~ $2 ]]; then
        fail "$3" "$(_tap_fmt "text" "$1"; echo "matches, but must not: /$2/")"
    else
        pass "$3"
    fi
}

# like_line TEXT REGEX DESC: passes when some line of TEXT matches the
# extended REGEX (grep -E).
like_line() {
    if grep -qE -- "$2" <<<"$1"; then
        pass "$3"
    else
        fail "$3" "$(_tap_fmt "text" "$1"; echo "no line matches: /$2/")"
    fi
}

# unlike_line TEXT REGEX DESC: passes when no line of TEXT matches.
unlike_line() {
    if grep -qE -- "$2" <<<"$1"; then
        fail "$3" "$(_tap_fmt "text" "$1"; echo "a line matches, but none may: /$2/")"
    else
        pass "$3"
    fi
}

# has_line TEXT LINE: true when TEXT has LINE as one whole line.
has_line() { grep -qxF -- "$2" <<<"$1"; }

# --------------------------------------------------------- running commands

# run CMD [ARG...]: runs CMD bounded by $T_TIMEOUT seconds, with stdin from
# $RUN_STDIN (default /dev/null).  Sets RC (124 = timed out), OUT and ERR
# (command substitution style: trailing newlines dropped).
run() {
    local o="$T_ROOT/run.out" e="$T_ROOT/run.err"
    _tap_last=$(printf '%q ' "$@")
    timeout -k 5 "$T_TIMEOUT" "$@" <"${RUN_STDIN:-/dev/null}" >"$o" 2>"$e"
    RC=$?
    OUT=$(cat "$o")
    ERR=$(cat "$e")
    [ "$RC" -eq 124 ] && ERR+="${ERR:+$'\n'}(timed out after $T_TIMEOUT s)"
    return 0
}

# sbx ARG...: run "$CLBOX" run ARG...
sbx() { run "$CLBOX" run "$@"; }

# refuses DESC ARG...: `clbox run ARG... -- touch MARKER` must be refused
# as clbox refuses what it cannot build: exit 125, a message that begins
# "clbox: ", and the command never run (no MARKER in the project).
refuses() {
    local desc=$1 marker="$PROJECT/.clbox-test-ran"
    shift
    rm -f "$marker"
    sbx "$@" -- touch "$marker"
    local ran=no
    [ -e "$marker" ] && ran=yes
    rm -f "$marker"
    if [ "$RC" -eq 125 ] && [[ $ERR == clbox:* ]] && [ "$ran" = no ]; then
        pass "$desc"
    else
        fail "$desc" "wanted exit 125, a 'clbox: ' message and nothing run; got exit $RC, command ran: $ran, stderr: $ERR"
    fi
}

# under_tty CMDLINE: runs the shell command line CMDLINE under a fresh
# pseudo-terminal made by script(1) (it becomes the controlling terminal of
# a new session).  Sets RC, OUT (carriage returns removed) and ERR.
# script's stdin stays open while CMDLINE runs: at its end script would
# type an end of file, which a terminal clbox holds raw reads as a NUL.
under_tty() {
    local keep sleeper
    exec {keep}< <(exec sleep "$T_TIMEOUT")
    sleeper=$!
    RUN_STDIN=/dev/fd/$keep run script -qec "$1" /dev/null
    kill "$sleeper" 2>/dev/null
    exec {keep}<&-
    OUT=${OUT//$'\r'/}
}

# spawn CMD [ARG...]: starts CMD in the background with all signals at their
# default disposition (bash would otherwise start it with SIGINT and SIGQUIT
# ignored), stdin from /dev/null, output to $T_ROOT/bg.out and bg.err.
# Sets BG_PID (the pid of CMD itself).  A watchdog kills it after $T_TIMEOUT s.
spawn() {
    _tap_last=$(printf '%q ' "$@")
    env --default-signal "$@" </dev/null >"$T_ROOT/bg.out" 2>"$T_ROOT/bg.err" &
    BG_PID=$!
    _tap_bg_pids+=("$BG_PID")
    (
        sleep "$T_TIMEOUT"
        kill -9 "$BG_PID" 2>/dev/null
    ) </dev/null >/dev/null 2>&1 &
    _BG_WATCHDOG=$!
    _tap_bg_pids+=("$_BG_WATCHDOG")
}

# reap: waits for the spawned process (bounded by its watchdog), ends the
# watchdog, and sets RC, OUT and ERR like run.
reap() {
    wait "$BG_PID" 2>/dev/null
    RC=$?
    pkill -9 -P "$_BG_WATCHDOG" 2>/dev/null
    kill -9 "$_BG_WATCHDOG" 2>/dev/null
    wait "$_BG_WATCHDOG" 2>/dev/null
    OUT=$(cat "$T_ROOT/bg.out")
    ERR=$(cat "$T_ROOT/bg.err")
}

# now_ms: the time, in milliseconds, for measuring how long a step took.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for SECONDS CMD [ARG...]: polls CMD every 50 ms until it succeeds;
# false when SECONDS passed first.
wait_for() {
    local tries=$(($1 * 20))
    shift
    while ! "$@"; do
        tries=$((tries - 1))
        [ "$tries" -le 0 ] && return 1
        sleep 0.05
    done
}

# ------------------------------------------------------------- environment

require_unprivileged() {
    if [ "$(id -u)" = 0 ]; then
        bail_out "sandbox tests must run as an unprivileged user (see .ci/run)"
    fi
}

_tap_cleanup() {
    local status=$? pid
    # A second signal must not cut the clean-up short.
    trap - EXIT
    trap '' HUP INT TERM
    for pid in "${_tap_bg_pids[@]}"; do
        pkill -9 -P "$pid" 2>/dev/null
        kill -9 "$pid" 2>/dev/null
    done
    cd / || true
    if [ -n "${T_ROOT:-}" ] && [ -d "$T_ROOT" ]; then
        chmod -R u+rwX "$T_ROOT" 2>/dev/null
        rm -rf "$T_ROOT"
    fi
    if [ ${#T_HOST_TMP_FILES[@]} -gt 0 ]; then
        rm -f "${T_HOST_TMP_FILES[@]}"
    fi
    if [ "$status" -eq 0 ] && [ -z "$_tap_planned" ]; then
        diag "the script stopped after $_tap_n assertions, before done_testing"
        status=1
    elif [ "$status" -eq 0 ]; then
        if [ "$_tap_n" -ne "$_tap_planned" ]; then
            diag "planned $_tap_planned assertions but ran $_tap_n"
            status=1
        elif [ "$_tap_failed" -gt 0 ]; then
            diag "failed $_tap_failed of $_tap_n assertions"
            status=1
        fi
    fi
    exit "$status"
}

# sandbox_setup: refuses to run as root, checks $CLBOX, and makes a private
# world for the script: T_ROOT (scratch, removed at exit), HOME=$T_ROOT/home
# (a fresh, otherwise empty home) and PROJECT=$HOME/project (git init), and
# cds into PROJECT.  The XDG base variables are unset so defaults apply.
sandbox_setup() {
    require_unprivileged
    [ -n "${CLBOX:-}" ] || bail_out "CLBOX is not set (run through make check, or set CLBOX=/path/to/clbox)"
    # The binary may be in the middle of a rebuild: give it a few seconds.
    wait_for 10 test -x "$CLBOX" || bail_out "CLBOX=$CLBOX is not an executable file"

    T_ROOT=$(mktemp -d /tmp/clbox-test.XXXXXX) || bail_out "mktemp failed"
    tap_on_exit
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM

    unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME CLAUDE_CONFIG_DIR
    export HOME="$T_ROOT/home"
    mkdir -m 700 "$HOME" || bail_out "cannot create $HOME"
    PROJECT="$HOME/project"
    if ! mkdir "$PROJECT" || ! git init -q "$PROJECT"; then
        bail_out "git init $PROJECT failed"
    fi
    cd "$PROJECT" || bail_out "cannot cd to $PROJECT"
    MY_UID=$(id -u)
    MY_GID=$(id -g)
    CONFIG_DIR_DEFAULT="$HOME/.local/share/clbox/claude"
}

# require_claude_cli: puts the real Claude Code CLI on PATH, from the npm
# prefix that CLBOX_TEST_CLAUDE_NPM names (.ci/run installs it there; by
# hand: npm install -g --prefix DIR @anthropic-ai/claude-code), or skips the
# whole script, saying why, when it is not installed.
require_claude_cli() {
    local prefix=${CLBOX_TEST_CLAUDE_NPM:-}
    if [ -z "$prefix" ] || [ ! -x "$prefix/bin/claude" ]; then
        skip_all "the real Claude Code CLI is not installed (set CLBOX_TEST_CLAUDE_NPM to an npm prefix with bin/claude)"
    fi
    CLAUDE_PREFIX=$prefix
    export PATH="$prefix/bin:$PATH"
}

# probe_setup: copies the syscall probe ($PROBE) to $T_ROOT/bin, which the
# sandbox sees with "--ro $T_ROOT/bin" (PROBE_ARGS) as $PROBE_IN.  When
# $PROBE is missing the probe tests then fail on its absent output.
probe_setup() {
    mkdir -p "$T_ROOT/bin"
    PROBE_IN="$T_ROOT/bin/probe"
    PROBE_ARGS=(--ro "$T_ROOT/bin")
    if [ -n "${PROBE:-}" ] && [ -x "$PROBE" ]; then
        cp "$PROBE" "$PROBE_IN"
    else
        diag "PROBE='${PROBE:-}' is not an executable file: the probe assertions will fail"
    fi
}

# sha FILE: prints the SHA-256 of FILE, or "absent".
sha() {
    if [ -e "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo absent; fi
}
