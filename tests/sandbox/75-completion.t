#!/bin/bash
# Shell completion: the bash function in completion/clbox.bash, called the
# way bash calls it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT), and a
# syntax check of the zsh function completion/_clbox.  No sandbox is built.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

# "clbox" on PATH is the binary under test.
mkdir -p "$T_ROOT/bin"
ln -s "$CLBOX" "$T_ROOT/bin/clbox"
export PATH="$T_ROOT/bin:$PATH"

# Stand-ins for clbox, to see where the completion takes its lists from:
# "new" knows an option the built-in list does not, "broken" answers
# nothing and fails.
mkdir -p "$T_ROOT/new" "$T_ROOT/broken"
cat >"$T_ROOT/new/clbox" <<'EOF'
#!/bin/sh
case "$1 $2" in
"--list-options "*) printf '%s\n' --profile --net --zz-cache --zz-flag --help ;;
"run --help")
    printf '%s\n' 'Options:' \
        '  -p, --profile NAME     apply a profile' \
        '      --net MODE         network' \
        '      --zz-cache DIR     a directory option the completion cannot know' \
        '      --zz-flag          a flag' \
        '  -h, --help             show this help' ;;
"profile list") printf '%s\n' 'alpha    the first' '' 'beta     the second' ;;
*) exit 125 ;;
esac
EOF
printf '#!/bin/sh\nexit 125\n' >"$T_ROOT/broken/clbox"
chmod +x "$T_ROOT/new/clbox" "$T_ROOT/broken/clbox"

# Files and directories to complete.
D="$T_ROOT/c"
mkdir -p "$D/subdir" "$D/prof"
: >"$D/subfile"
: >"$D/prof/fprofile"

# shellcheck source=/dev/null
. "$SRCDIR/completion/clbox.bash"

# comp LINE: completes at the end of LINE as bash would, and sets REPLY to
# the candidates, one per line.  The words are split the way bash splits
# them: at blanks, and around runs of "=" and ":" (from COMP_WORDBREAKS).
comp() {
    local line=$1 tok
    COMP_WORDS=()
    for tok in $line; do
        while [[ $tok =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
            [ -n "${BASH_REMATCH[1]}" ] && COMP_WORDS+=("${BASH_REMATCH[1]}")
            COMP_WORDS+=("${BASH_REMATCH[2]}")
            tok=${BASH_REMATCH[3]}
        done
        [ -n "$tok" ] && COMP_WORDS+=("$tok")
    done
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _tap_last="completion of '$line'"
    _clbox
    RC=$?
    REPLY=$(printf '%s\n' "${COMPREPLY[@]}")
    OUT=$REPLY
    ERR= # read by fail() in tap.sh
}

# has LINE... : true when every LINE is a candidate.
has() {
    local w
    for w in "$@"; do
        has_line "$REPLY" "$w" || return 1
    done
}
# lacks LINE...: true when no LINE is a candidate.
lacks() {
    local w
    for w in "$@"; do
        has_line "$REPLY" "$w" && return 1
    done
    return 0
}
# all_start PREFIX: true when every candidate starts with PREFIX.
all_start() { ! grep -qv -- "^$1" <<<"$REPLY"; }

like "$(complete -p clbox 2>&1)" "-F _clbox( |$)" "sourcing the file registers _clbox for clbox"

comp "clbox "
ok "clbox <TAB>: the subcommands" has run check profile doctor audit

comp "clbox -"
ok "clbox -<TAB>: --help and --version" has --help --version

comp "clbox run --al"
ok "clbox run --al<TAB>: --allow, --allow-host-port, --allow-project-config" \
    has --allow --allow-host-port --allow-project-config
ok "clbox run --al<TAB>: nothing that does not start with --al" all_start --al

comp "clbox run --ssh"
is "$REPLY" "--ssh-agent" "clbox run --ssh<TAB>: --ssh-agent"

comp "clbox run --net "
is "$REPLY" $'filtered\nnone\nopen' "clbox run --net <TAB>: filtered none open"

comp "clbox run --net=o"
is "$REPLY" "open" "clbox run --net=o<TAB>: open, the value alone (bash keeps --net=)"

comp "clbox run --project $D/sub"
is "$REPLY" "$D/subdir" "--project completes directories only"

comp "clbox run --ro $D/sub"
ok "--ro completes files and directories" has "$D/subdir" "$D/subfile"

comp "clbox run -q --log=$D/subf"
is "$REPLY" "$D/subfile" "--log=FILE completes files after the ="

comp "clbox run --env FOO=bar --dry-run --al"
ok "a value with = in it does not end the options" has --allow

comp "clbox run --net none bas"
ok "the first word that is not an option completes as a command" has bash

comp "clbox run --net none ls --al"
ok "after the command, its arguments are not clbox's options" lacks --allow

comp "clbox run --allow example.com:443 -- bas"
ok "after --, commands" has bash

comp "clbox check "
ok "clbox check <TAB>: options, as check takes no command" has --net --profile
ok "clbox check <TAB>: no commands" lacks bash

comp "clbox profile "
is "$REPLY" $'list\nshow' "clbox profile <TAB>: list show"

# The lists come from the binary being completed for.
comp "$T_ROOT/new/clbox run --zz"
is "$REPLY" $'--zz-cache\n--zz-flag' "options come from clbox --list-options"

comp "$T_ROOT/new/clbox run --zz-cache $D/sub"
is "$REPLY" "$D/subdir" "an option unknown to the script completes by its metavar (DIR)"

comp "$T_ROOT/new/clbox run -p "
is "$REPLY" $'alpha\nbeta' "--profile/-p: the first column of clbox profile list"

comp "$T_ROOT/broken/clbox run --allow-h"
is "$REPLY" "--allow-host-port" "when the binary cannot list its options, the built-in list"

cd "$D/prof" || bail_out "cannot cd to $D/prof"
comp "$T_ROOT/broken/clbox profile show f"
cd "$PROJECT" || bail_out "cannot cd to $PROJECT"
is "$REPLY" "fprofile" "when clbox profile list fails, profile names complete as files"

# The same with the real binary: names when it has "profile list", files
# when it has not (a binary from before profiles).
run "$CLBOX" profile list
if [ "$RC" -eq 0 ]; then
    want=$(awk 'NF && $1 !~ /^#/ { print $1 }' <<<"$OUT")
    comp "clbox run --profile "
    is "$REPLY" "$want" "clbox run --profile <TAB>: the names clbox profile list prints"
else
    cd "$D/prof" || bail_out "cannot cd to $D/prof"
    comp "clbox run --profile f"
    cd "$PROJECT" || bail_out "cannot cd to $PROJECT"
    is "$REPLY" "fprofile" "clbox run --profile <TAB>: files, as this clbox has no profile list"
fi

if command -v zsh >/dev/null 2>&1; then
    run zsh -n "$SRCDIR/completion/_clbox"
    is "$RC" 0 "zsh -n completion/_clbox: the zsh function parses"
else
    skip "zsh -n completion/_clbox: the zsh function parses" "zsh not installed"
fi
done_testing
