#!/bin/bash
# The documentation agrees with the binary: every option that
# `clbox --list-options` prints is described in the man page's OPTIONS
# section and in the README's option table, neither documents an option the
# binary lacks, the README's Quick start holds its two commands, and the man
# page formats without groff warnings.
#
# Environment: CLBOX (absolute path of the binary), SRCDIR (absolute path of
# the source tree).  Output: TAP.
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib/tap.sh"
tap_on_exit
CLBOX=${CLBOX:-$SRCDIR/clbox}
MAN=$SRCDIR/man/clbox.1
README=$SRCDIR/README.md

QUICK_BUILD="sudo apt-get install -y build-essential autoconf automake pkg-config libcap-dev libseccomp-dev libnftables-dev libnftnl-dev libmnl-dev libcmocka-dev git slirp4netns && autoreconf -fi && ./configure && make && ./clbox run -- sh -c 'id; pwd'"
QUICK_TEST="sudo bash .ci/run"

[ -x "$CLBOX" ] || bail_out "CLBOX=$CLBOX is not an executable file"
[ -f "$MAN" ] || bail_out "no man page at $MAN"
[ -f "$README" ] || bail_out "no README at $README"

mapfile -t OPTIONS < <("$CLBOX" --list-options)
[ "${#OPTIONS[@]}" -gt 0 ] || bail_out "$CLBOX --list-options printed nothing"
for opt in "${OPTIONS[@]}"; do
    [[ $opt =~ ^--[a-z][a-z0-9-]*$ ]] || bail_out "$CLBOX --list-options printed an odd line: '$opt'"
done

# The man page as plain words: troff's escaped hyphens and font changes
# removed, so "\fB\-\-config\-dir\fR" reads "--config-dir".
man_plain() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
        -e 's/\\[&%]//g' "$MAN"
}

# Lines of the man page's OPTIONS section (up to the next .SH).
man_options_section() {
    man_plain | awk '/^\.SH / { in_section = ($0 ~ /^\.SH "?OPTIONS"?[[:space:]]*$/); next } in_section'
}

# The options named on the .TP tag lines of the OPTIONS section: what the man
# page documents as options.
man_documented_options() {
    man_options_section | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
        grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The lines of a README section whose "## " heading matches $1, up to the
# next heading of the same or a higher level.
readme_section() {
    awk -v want="$1" '
        /^```/ { fence = !fence }
        !fence && /^#+ / {
            level = index($0, " ") - 1
            if (inside && level <= inside_level) inside = 0
            if (level == 2 && tolower($0) ~ tolower(want)) { inside = 1; inside_level = level; next }
        }
        inside' "$README"
}

# The README's option table: the rows of tables in the Options section.
readme_option_rows() {
    readme_section '^## options' | grep '^|'
}

# The options named in the first column of the README's option table: what
# the README documents as options.
readme_documented_options() {
    readme_option_rows | awk -F'|' 'NF > 2 { print $2 }' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# Whether an option name occurs in a text as a whole word ("--ro" is not
# found in "--root").
has_option() {
    grep -qE -- "(^|[^a-zA-Z0-9-])$1([^a-zA-Z0-9-]|\$)"
}

# Fenced code blocks of the Quick start section, one per line of output
# (lines of one block joined by a newline escape).
quick_start_blocks() {
    readme_section '^## quick start' | awk '
        /^```/ { if (fence) { print block; block = ""; n = 0 } fence = !fence; next }
        fence { block = (n++ ? block "\\n" : "") $0 }'
}

man_tagged=$(man_documented_options)
readme_tagged=$(readme_documented_options)

for opt in "${OPTIONS[@]}"; do
    if has_option "$opt" <<<"$man_tagged"; then
        pass "man page OPTIONS describes $opt"
    else
        fail "man page OPTIONS describes $opt" \
            "$opt is in '$CLBOX --list-options' but no .TP entry of the OPTIONS section of $MAN names it" \
            "(written there as ${opt//-/\\-})"
    fi
    if has_option "$opt" <<<"$readme_tagged"; then
        pass "README option table lists $opt"
    else
        fail "README option table lists $opt" \
            "$opt is in '$CLBOX --list-options' but in the first column of no table row in the Options section of $README"
    fi
done

# The reverse: documenting an option the binary lacks (a planned one, say)
# tells users it works.
check_no_extra() {
    local what=$1 documented=$2 extra=() opt known
    for opt in $documented; do
        known=no
        for o in "${OPTIONS[@]}"; do
            [ "$o" = "$opt" ] && known=yes
        done
        [ $known = yes ] || extra+=("$opt")
    done
    if [ ${#extra[@]} -eq 0 ]; then
        pass "$what documents only options the binary has"
    else
        fail "$what documents only options the binary has" \
            "documented but not in '$CLBOX --list-options': ${extra[*]}" \
            "describe planned options in the Roadmap, not among the options"
    fi
}
check_no_extra "man page OPTIONS" "$man_tagged"
check_no_extra "README option table" "$readme_tagged"

# Quick start: a section with exactly two code blocks, the build command and
# the test suite command, each on one line.
if [ -n "$(readme_section '^## quick start')" ]; then
    pass "README has a Quick start section"
else
    fail "README has a Quick start section" "no '## Quick start' heading with content in $README"
fi
mapfile -t blocks < <(quick_start_blocks)
if [ ${#blocks[@]} -eq 2 ]; then
    pass "Quick start has exactly two code blocks"
else
    fail "Quick start has exactly two code blocks" "found ${#blocks[@]}:" "${blocks[@]/#/    }"
fi
if [ "${blocks[0]:-}" = "$QUICK_BUILD" ]; then
    pass "Quick start's first command installs dependencies, builds and runs clbox"
else
    fail "Quick start's first command installs dependencies, builds and runs clbox" \
        "expected: $QUICK_BUILD" "found:    ${blocks[0]:-nothing}"
fi
if [ "${blocks[1]:-}" = "$QUICK_TEST" ]; then
    pass "Quick start's second command runs the whole test suite"
else
    fail "Quick start's second command runs the whole test suite" \
        "expected: $QUICK_TEST" "found:    ${blocks[1]:-nothing}"
fi

# The man page formats cleanly.  Without groff this cannot be checked, and an
# unchecked page must not count as a clean one.
if ! command -v groff >/dev/null 2>&1; then
    fail "man page formats without groff warnings" \
        "groff is not installed, so the man page was not checked" \
        "install it (Debian/Ubuntu: sudo apt-get install groff) and run the test again"
else
    warnings=$(groff -man -Tutf8 -ww "$MAN" 2>&1 >/dev/null)
    if [ -z "$warnings" ]; then
        pass "man page formats without groff warnings"
    else
        mapfile -t lines <<<"$warnings"
        fail "man page formats without groff warnings" "groff -man -Tutf8 -ww $MAN:" "${lines[@]}"
    fi
fi

done_testing
