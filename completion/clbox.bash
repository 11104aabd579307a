# bash completion for clbox                                  -*- shell-script -*-
#
# Installed as $(datadir)/bash-completion/completions/clbox; bash-completion
# loads it on first use.  It can also be sourced directly.
#
# The option names come from the clbox binary itself ("clbox --list-options"),
# and which options take a value (and what kind) from "clbox run --help", so
# the completion follows the binary it completes for.  The built-in lists
# below are used only when the binary cannot be asked.
#
# Works without bash-completion; uses its _command_offset, when loaded, to
# complete the sandboxed command's own arguments.

# Used when "clbox --list-options" fails.
_clbox_builtin_options=(
    --profile --project --config-dir --net --allow --deny --allow-host-port
    --ssh-agent --log --ro --rw --hide --tmpfs --env --unsetenv
    --allow-project-config --dry-run --verbose --quiet --help
)
# Used when "clbox run --help" cannot be read: option=METAVAR for the
# options that take a value, short=long for the short aliases.
_clbox_builtin_values=(
    --profile=NAME --project=DIR --config-dir=DIR --net=MODE --allow=NAME
    --deny=NAME --allow-host-port=PORT --log=FILE --ro=PATH --rw=PATH
    --hide=PATH --tmpfs=PATH --env=NAME --unsetenv=NAME
)
_clbox_builtin_shorts=(-p=--profile -v=--verbose -q=--quiet -h=--help)

# _clbox_ask BIN ARG...: runs the clbox binary, bounded, with no input.
_clbox_ask() {
    local bin=$1
    shift
    if type -P timeout >/dev/null 2>&1; then
        timeout 3 "$bin" "$@" </dev/null 2>/dev/null
    else
        "$bin" "$@" </dev/null 2>/dev/null
    fi
}

# _clbox_learn BIN: sets _clbox_opts (long option names), _clbox_meta
# (associative: option -> METAVAR, for the options that take a value) and
# _clbox_short (associative: -x -> --long).
_clbox_learn() {
    local bin=$1 out line item re
    _clbox_opts=()
    _clbox_meta=()
    _clbox_short=()

    if out=$(_clbox_ask "$bin" --list-options); then
        while IFS= read -r line; do
            [[ $line == --?* ]] && _clbox_opts+=("${line%%[[:space:]]*}")
        done <<<"$out"
    fi
    [ ${#_clbox_opts[@]} -gt 0 ] || _clbox_opts=("${_clbox_builtin_options[@]}")

    # Help rows look like "  -p, --profile NAME|PATH   text" or
    # "      --dry-run                text": a metavar follows the name after
    # exactly one space, the description after two or more.
    re='^[[:space:]]+(-([[:alnum:]]),[[:space:]]+)?(--[[:alnum:]][[:alnum:]-]*)( ([^[:space:]]+))?'
    out=$(_clbox_ask "$bin" run --help)
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        [ -n "${BASH_REMATCH[2]}" ] && _clbox_short["-${BASH_REMATCH[2]}"]=${BASH_REMATCH[3]}
        [ -n "${BASH_REMATCH[5]}" ] && _clbox_meta["${BASH_REMATCH[3]}"]=${BASH_REMATCH[5]}
    done <<<"$out"
    if [ ${#_clbox_meta[@]} -eq 0 ] && [ ${#_clbox_short[@]} -eq 0 ]; then
        for item in "${_clbox_builtin_values[@]}"; do
            _clbox_meta["${item%%=*}"]=${item#*=}
        done
        for item in "${_clbox_builtin_shorts[@]}"; do
            _clbox_short["${item%%=*}"]=${item#*=}
        done
    fi
}

# _clbox_words: rebuilds the words up to the cursor the way clbox will see
# them, joining what COMP_WORDBREAKS split apart ("--net=open" arrives as
# "--net" "=" "open").  Sets _clbox_w (the words, the last one cut at the
# cursor), _clbox_wstart (index in COMP_WORDS where each word begins) and
# _clbox_cw (index of the word being completed).
_clbox_words() {
    local line=${COMP_LINE:0:COMP_POINT} pos=0 i piece rest trimmed gap
    local prev_piece='' breaks=${COMP_WORDBREAKS//[[:space:]\"\']/}
    _clbox_w=()
    _clbox_wstart=()
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        piece=${COMP_WORDS[i]}
        rest=${line:pos}
        trimmed=${rest#"${rest%%[![:space:]]*}"}
        gap=$((${#rest} - ${#trimmed}))
        pos=$((pos + gap))
        if [ "$i" -eq "$COMP_CWORD" ]; then
            piece=${line:pos}       # only what is left of the cursor
        fi
        pos=$((pos + ${#piece}))
        # Glue a piece to the word before when nothing separated them and
        # one side is a run of word-break characters (=, :).
        if [ "$i" -gt 0 ] && [ "$gap" -eq 0 ] && [ ${#_clbox_w[@]} -gt 0 ] && [ -n "$breaks" ] &&
            { [[ -n $piece && -z ${piece//["$breaks"]/} ]] ||
                [[ -n $prev_piece && -z ${prev_piece//["$breaks"]/} ]]; }; then
            _clbox_w[${#_clbox_w[@]} - 1]+=$piece
        else
            _clbox_w+=("$piece")
            _clbox_wstart+=("$i")
        fi
        prev_piece=$piece
    done
    # The cursor is after whitespace: a new, empty word.
    if [ "$COMP_CWORD" -ge "${#COMP_WORDS[@]}" ]; then
        _clbox_w+=("")
        _clbox_wstart+=("$COMP_CWORD")
    fi
    _clbox_cw=$((${#_clbox_w[@]} - 1))
}

# _clbox_add WORD...: adds to COMPREPLY the words that start with $cur.
_clbox_add() {
    local w
    for w in "$@"; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
}

# _clbox_gen COMPGEN-ARG...: adds what compgen finds to COMPREPLY, one
# candidate a line.
_clbox_gen() {
    local -a found
    mapfile -t found < <(compgen "$@")
    COMPREPLY+=("${found[@]}")
}

# _clbox_prefix TEXT: puts TEXT before every reply.
_clbox_prefix() {
    local i
    for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=$1${COMPREPLY[i]}
    done
}

_clbox_files() {
    compopt -o filenames 2>/dev/null
    _clbox_gen -f -- "$1"
}

_clbox_dirs() {
    compopt -o filenames 2>/dev/null
    _clbox_gen -d -- "$1"
}

# _clbox_profiles BIN VALUE: profile names from "clbox profile list" (first
# column); a path, or a failing list, completes files instead.
_clbox_profiles() {
    local bin=$1 value=$2 out line
    if [[ $value != */* && $value != .* && $value != "~"* ]] &&
        out=$(_clbox_ask "$bin" profile list); then
        while IFS= read -r line; do
            line=${line#"${line%%[![:space:]]*}"}
            [[ -z $line || $line == \#* ]] && continue
            line=${line%%[[:space:]]*}
            [[ $line == "$value"* ]] && COMPREPLY+=("$line")
        done <<<"$out"
        return
    fi
    _clbox_files "$value"
}

# _clbox_value BIN OPTION VALUE: completes the value of OPTION.
_clbox_value() {
    local bin=$1 opt=$2 value=$3 meta
    meta=${_clbox_meta[$opt]-}
    case $opt in
        --profile) _clbox_profiles "$bin" "$value" ;;
        --net)
            local cur=$value
            _clbox_add filtered none open
            ;;
        --project | --config-dir) _clbox_dirs "$value" ;;
        --ro | --rw | --hide | --tmpfs | --log) _clbox_files "$value" ;;
        --env | --unsetenv) _clbox_gen -e -- "$value" ;;
        *)
            # An option this script does not know: go by its metavar.
            case $meta in
                DIR) _clbox_dirs "$value" ;;
                PATH | FILE | *PATH | *FILE) _clbox_files "$value" ;;
            esac
            ;;
    esac
}

# _clbox_command OFFSET: completes the sandboxed command, whose name is
# COMP_WORDS[OFFSET].
_clbox_command() {
    local offset=$1
    if declare -F _command_offset >/dev/null 2>&1; then
        _command_offset "$offset"
        return
    fi
    if [ "$COMP_CWORD" -eq "$offset" ]; then
        _clbox_gen -c -- "$cur"
    else
        _clbox_files "$cur"
    fi
}

_clbox() {
    COMPREPLY=()
    local bin=${COMP_WORDS[0]-clbox}
    [[ $bin == \~/* ]] && bin=$HOME/${bin#\~/}
    type -P -- "$bin" >/dev/null 2>&1 || bin=clbox

    local -a _clbox_w _clbox_wstart _clbox_opts
    local -A _clbox_meta _clbox_short
    local _clbox_cw
    _clbox_words
    local cur=${_clbox_w[_clbox_cw]} sub=${_clbox_w[1]-}

    if [ "$_clbox_cw" -le 1 ]; then
        if [[ $cur == -* ]]; then
            _clbox_add --help --version
        else
            _clbox_add run check profile doctor audit
        fi
        return 0
    fi

    case $sub in
        profile)
            if [ "$_clbox_cw" -eq 2 ]; then
                _clbox_add list show
            elif [ "$_clbox_cw" -eq 3 ] && [ "${_clbox_w[2]}" = show ]; then
                _clbox_profiles "$bin" "$cur"
            fi
            return 0
            ;;
        run | check) ;;
        *) return 0 ;;
    esac

    _clbox_learn "$bin"

    # Walk the words before the cursor as clbox parses them: options end at
    # "--" or at the first word that is not an option.
    local i w value_of='' c j
    for ((i = 2; i < _clbox_cw; i++)); do
        w=${_clbox_w[i]}
        if [ -n "$value_of" ]; then
            value_of=
            continue
        fi
        if [ "$w" = -- ]; then
            [ "$sub" = run ] && _clbox_command "${_clbox_wstart[i + 1]}"
            return 0
        fi
        if [[ $w != -?* ]]; then
            [ "$sub" = run ] && _clbox_command "${_clbox_wstart[i]}"
            return 0
        fi
        if [[ $w == --* ]]; then
            [[ $w == *=* ]] && continue
            [ -n "${_clbox_meta[$w]-}" ] && value_of=$w
        else
            # A cluster of short options: the first one taking a value takes
            # the rest of the word, or the next word.
            for ((j = 1; j < ${#w}; j++)); do
                c=${_clbox_short[-${w:j:1}]-}
                if [ -n "$c" ] && [ -n "${_clbox_meta[$c]-}" ]; then
                    [ $((j + 1)) -eq ${#w} ] && value_of=$c
                    break
                fi
            done
        fi
    done

    if [ -n "$value_of" ]; then
        _clbox_value "$bin" "$value_of" "$cur"
        return 0
    fi
    case $cur in
        --*=*)
            _clbox_value "$bin" "${cur%%=*}" "${cur#*=}"
            # Bash replaces only the text after the "=" when "=" breaks
            # words (the default); otherwise the whole word.
            [[ $COMP_WORDBREAKS == *=* ]] || _clbox_prefix "${cur%%=*}="
            ;;
        -[!-]?*)
            # "-pNAME": a short option's value in the same word.
            for ((j = 1; j < ${#cur}; j++)); do
                c=${_clbox_short[-${cur:j:1}]-}
                if [ -n "$c" ] && [ -n "${_clbox_meta[$c]-}" ]; then
                    if [ $((j + 1)) -lt ${#cur} ]; then
                        _clbox_value "$bin" "$c" "${cur:j+1}"
                        _clbox_prefix "${cur:0:j+1}"
                        return 0
                    fi
                    break
                fi
            done
            _clbox_add "${_clbox_opts[@]}"
            ;;
        -*)
            _clbox_add "${_clbox_opts[@]}"
            [ "$sub" = run ] && _clbox_add --
            # A complete short option ("-p"): take it as it is.
            [ -n "${_clbox_short[$cur]-}" ] && COMPREPLY+=("$cur")
            ;;
        *)
            if [ "$sub" = run ]; then
                _clbox_command "${_clbox_wstart[_clbox_cw]}"
            else
                _clbox_add "${_clbox_opts[@]}"
            fi
            ;;
    esac
    return 0
}

complete -F _clbox clbox
