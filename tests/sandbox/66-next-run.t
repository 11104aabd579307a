#!/bin/bash
# What one sandbox may leave for the next run must not widen it: a link
# planted where a --config-dir, --ro or --rw path inside the project used to
# be is refused (CVE-2024-42472 class), a profile kept in the project cannot
# be rewritten from inside, and names the sandbox chose are printed without
# their control bytes.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

outside=$T_ROOT/outside
mkdir -p "$outside/cfg" && echo "secret" >"$outside/cfg/key"
# What a sandbox can do in the project: move a directory away and leave a
# link in its place (done here on the host, as the sandbox would have).
mkdir -p state && ln -s "$outside" state-link && mv state state.old && mv state-link state
sbx --net none --config-dir "$PROJECT/state/newcfg" -- true
is "$RC" 125 "--config-dir through a link planted in the project: refused"
like "$ERR" "state is a symbolic link inside the project" "... naming the link"
refute "... and nothing was created through it" test -e "$outside/newcfg"
sbx --net none --ro "$PROJECT/state/cfg" -- cat "$outside/cfg/key"
is "$RC" 125 "--ro through a link planted in the project: refused"
sbx --net none --rw "$PROJECT/state" -- true
is "$RC" 125 "--rw of a planted link in the project: refused"

mkdir -p tools
printf 'summary the team profile\nnet none\n' >tools/team.profile
sbx -p ./tools/team.profile -- sh -c 'echo "rw $HOME" >> tools/team.profile; mv tools tools.old'
like "$ERR" "Read-only file system" "a profile kept in the project is read-only inside"
like "$ERR" "Device or resource busy" "... and its directory cannot be moved away"
is "$(cat tools/team.profile)" $'summary the team profile\nnet none' "... so the next run applies what the user wrote"

fresh=$T_ROOT/fresh
mkdir -p "$fresh" && cd "$fresh" || bail_out "cd $fresh"
sbx --net none -- sh -c 'git init -q . && printf "#!/bin/sh\n" > ".git/hooks/x$(printf "\033")[31mred" && chmod +x .git/hooks/*'
unlike "$ERR" $'\033' "a hook name's control bytes never reach the terminal"
like "$ERR" 'hooks/x\\x1b\[31mred' "... they are shown escaped, as \\x1b"
# C1 controls: U+009B (CSI) in UTF-8, and the raw byte 0x9b.
c1=$T_ROOT/c1
mkdir -p "$c1" && cd "$c1" || bail_out "cd $c1"
sbx --net none -- sh -c 'git init -q . && printf "#!/bin/sh\n" > ".git/hooks/u$(printf "\302\233")31m" && printf "#!/bin/sh\n" > ".git/hooks/r$(printf "\233")31m" && chmod +x .git/hooks/*'
is "$(LC_ALL=C tr -dc '\200-\237' <<<"$ERR" | wc -c)" 0 "a hook name's C1 controls never reach the terminal"
like "$ERR" 'hooks/u\\xc2\\x9b31m' "... U+009B in UTF-8 is shown escaped"
like "$ERR" 'hooks/r\\x9b31m' "... and so is the raw byte 0x9b"
done_testing
