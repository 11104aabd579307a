#!/bin/bash
# What clbox reads at start from a place an earlier sandbox could write
# (the project, the config dir, a --rw path) must not widen the next run:
# no mount is derived from a #! line or a link there, a profile or user
# config kept there is read-only (and its directories pinned), and the
# config dir's settings and hooks, which the host's Claude Code obeys, are
# read-only inside where they exist.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

mkdir -p "$HOME/.ssh" && echo "ssh secret" >"$HOME/.ssh/id" && printf '#!/bin/sh\nexec /bin/sh "$@"\n' >"$HOME/.ssh/tool" &&
    chmod +x "$HOME/.ssh/tool" || bail_out "cannot make ~/.ssh"

# First run: the config dir is created, and the message says what the
# alternative opts into.
sbx --net none -- true
like "$ERR" "--config-dir ~/.claude.*settings.*(obeys|runs)" "the first-run message says what --config-dir ~/.claude opts into"
CFG=$CONFIG_DIR_DEFAULT

# -------------------------------------------------- B: the command's #! chain
printf '#!/usr/bin/env -S -u %s/.ssh/ sh\ncat %s/.ssh/id\n' "$HOME" "$HOME" >envs.sh && chmod +x envs.sh
sbx --net none -- ./envs.sh
unlike "$OUT" "ssh secret" "#!/usr/bin/env -S -u ~/.ssh/ in a project script mounts nothing"
run "$CLBOX" run --dry-run --net none -- ./envs.sh
unlike "$OUT" "$HOME/.ssh" "... not even read-only (dry run)"
printf '#!%s/.ssh/tool\ncat %s/.ssh/id\n' "$HOME" "$HOME" >direct.sh && chmod +x direct.sh
run "$CLBOX" run --dry-run --net none -- ./direct.sh
unlike "$OUT" "$HOME/.ssh" "#!~/.ssh/tool in a project script mounts nothing"
ln -s "$HOME/.ssh/tool" linked-tool
run "$CLBOX" run --dry-run --net none -- ./linked-tool
unlike "$OUT" "$HOME/.ssh" "a link in the project to ~/.ssh/tool mounts nothing"
mkdir -p "$CFG/bin" && ln -s "$HOME/.ssh/tool" "$CFG/bin/cfg-tool"
run "$CLBOX" run --dry-run --net none -- "$CFG/bin/cfg-tool"
unlike "$OUT" "$HOME/.ssh" "nor one in the config dir"
mkdir -p "$T_ROOT/shared" && printf '#!%s/.ssh/tool\n' "$HOME" >"$T_ROOT/shared/rw.sh" && chmod +x "$T_ROOT/shared/rw.sh"
run "$CLBOX" run --dry-run --net none --rw "$T_ROOT/shared" -- "$T_ROOT/shared/rw.sh"
unlike "$OUT" "$HOME/.ssh" "nor a #! line in a --rw path"

# The user's own script, outside every writable view: env's options parsed.
mkdir -p "$HOME/opt/mt/bin" "$T_ROOT/tools" &&
    printf '#!/bin/sh\necho "mytool ran: $*"\n' >"$HOME/opt/mt/bin/mytool" && chmod +x "$HOME/opt/mt/bin/mytool" &&
    printf '#!/usr/bin/env -S -u FOO -C / mytool --flag\n' >"$T_ROOT/tools/run" && chmod +x "$T_ROOT/tools/run"
PATH="$HOME/opt/mt/bin:$PATH" sbx --net none --ro "$T_ROOT/tools" -- "$T_ROOT/tools/run"
like "$OUT" "mytool ran: --flag" "a trusted script's 'env -S -u NAME -C DIR prog' finds prog's install tree"

# -------------------------------------------- C: profiles and the user config
mkdir -p tools/sub lib && printf 'summary team\ninclude %s/lib/base.profile\n' "$PROJECT" >tools/sub/team.profile &&
    printf 'summary base\nnet none\n' >lib/base.profile
sbx -p ./tools/sub/team.profile -- sh -c "mv tools tools.old && mkdir -p tools/sub && echo 'rw $HOME' > tools/sub/team.profile"
like "$ERR" "Device or resource busy" "a profile in the project: no directory above it can be moved away"
like "$(cat tools/sub/team.profile)" "^summary team" "... so the next run applies what the user wrote"
sbx -p ./tools/sub/team.profile -- sh -c "echo 'rw $HOME' >> lib/base.profile"
like "$ERR" "Read-only file system" "a profile it includes is read-only inside"
sbx -p ./tools/sub/team.profile -- sh -c "mv lib lib.old"
like "$ERR" "Device or resource busy" "... and its directory pinned"

printf 'summary in config dir\nnet none\n' >"$CFG/cfg.profile"
sbx -p "$CFG/cfg.profile" -- sh -c "echo 'rw $HOME' >> '$CFG/cfg.profile'"
like "$ERR" "Read-only file system" "a profile kept in the config dir is read-only inside"
printf 'summary shared\nnet none\n' >"$T_ROOT/shared/s.profile"
sbx --rw "$T_ROOT/shared" -p "$T_ROOT/shared/s.profile" -- sh -c "echo 'rw $HOME' >> '$T_ROOT/shared/s.profile'"
like "$ERR" "Read-only file system" "a profile kept in a --rw path is read-only inside"
mkdir -p "$PROJECT/.cfg/clbox" && printf 'net none\n' >"$PROJECT/.cfg/clbox/config"
XDG_CONFIG_HOME="$PROJECT/.cfg" sbx -- sh -c "echo 'rw $HOME' >> .cfg/clbox/config"
like "$ERR" "Read-only file system" "the user config, kept in the project, is read-only inside"
is "$(cat "$PROJECT/.cfg/clbox/config")" "net none" "... so the next run applies what the user wrote"

# ------------------------------------- E: what the host's Claude Code obeys
mkdir -p "$CFG/hooks" "$CFG/commands" "$CFG/agents" && echo '{}' >"$CFG/settings.json" && echo '{}' >"$CFG/settings.local.json"
hook='{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"touch /tmp/x"}]}]}}'
sbx --net none -- sh -c "echo '$hook' > '$CFG/settings.json'"
like "$ERR" "Read-only file system" "the config dir's settings.json is read-only inside"
is "$(cat "$CFG/settings.json")" "{}" "... and unchanged"
sbx --net none -- sh -c "echo '$hook' > '$CFG/settings.local.json'"
like "$ERR" "Read-only file system" "... and settings.local.json"
for d in hooks commands agents; do
    sbx --net none -- sh -c "echo x > '$CFG/$d/planted'"
    like "$ERR" "Read-only file system" "the config dir's $d/ is read-only inside"
done
sbx --net none -- sh -c "echo '{}' > '$CFG/.claude.json.test' && rm '$CFG/.claude.json.test'"
is "$RC:$ERR" "0:" "the rest of the config dir stays writable"
done_testing
