#!/bin/bash
# Bad input: every option of 'clbox run' that takes a value, given a
# missing, empty, overlong (64 KiB), non-UTF-8, control-character or
# hostile value, ends in a clear error (exit 125, one "clbox: " line) or a
# documented meaning (exit 0): never a crash, never a hang.  And the values
# that would widen the sandbox are refused.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

mapfile -t valued < <("$CLBOX" run --help | sed -n 's/^ *\(-., \)\?\(--[a-z-]*\) [A-Z].*/\2/p')
ok "the help lists options that take a value (${#valued[@]})" test "${#valued[@]}" -ge 12
# Every help fits an 80-column terminal.
wide=
for sub in "" run audit profile check doctor; do
    wide+=$("$CLBOX" ${sub:+"$sub"} --help 2>&1 | awk -v s="clbox $sub --help" 'length > 80 { print s ": " $0 }')
done
is "$wide" "" "every --help line fits 80 columns"
# A mistyped option names the one it most likely meant.
run "$CLBOX" run --alow example.com -- true
is "$RC:$ERR" "125:clbox: unknown option --alow: did you mean --allow? (see clbox run --help)" \
    "--alow: exit 125, and the message suggests --allow"

long=$(head -c 65536 /dev/zero | tr '\0' a)
bad_values=("" "$long" $'\xff\xfe\xfd' $'a\nb' $'tab\there' '..' '../../..' '/' '*' '-' '--' '%s%n%x' '${HOME}')
crashes=() unclear=() hangs=()
for opt in "${valued[@]}"; do
    for v in "${bad_values[@]}"; do
        timeout 10 "$CLBOX" run --dry-run "$opt" "$v" -- true >/dev/null 2>"$T_ROOT/err"
        rc=$?
        label="$opt '${v:0:20}'"
        if [ "$rc" -eq 124 ]; then hangs+=("$label")
        elif [ "$rc" -ge 126 ]; then crashes+=("$label rc=$rc")
        elif [ "$rc" -eq 125 ] && ! head -c 7 "$T_ROOT/err" | grep -q '^clbox: '; then unclear+=("$label")
        elif [ "$rc" -ne 0 ] && [ "$rc" -ne 125 ]; then unclear+=("$label rc=$rc")
        fi
    done
    timeout 10 "$CLBOX" run "$opt" >/dev/null 2>"$T_ROOT/err"
    [ $? -eq 125 ] && grep -q "needs a value" "$T_ROOT/err" || unclear+=("$opt (missing)")
done
is "${crashes[*]:-}" "" "no bad value crashes clbox (exit >= 126)"
is "${hangs[*]:-}" "" "no bad value hangs clbox"
is "${unclear[*]:-}" "" "every refusal is exit 125 with a 'clbox: ' message; a missing value says it needs one"

refuses "--allow '*' is refused" --allow '*'
refuses "--allow '' is refused" --allow ''
refuses "--project / is refused" --project /
refuses "--config-dir /etc is refused" --config-dir /etc
refuses "--rw / is refused" --rw /
refuses "--rw of the whole home is refused" --rw "$HOME"
refuses "--ro of the whole home is refused" --ro "$HOME"
run "$CLBOX" run --rw "$PROJECT/../../../etc" -- true
is "$RC" 125 "a path with .. that lands on /etc is judged where it lands: refused"
done_testing
