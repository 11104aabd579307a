#!/bin/bash
# shellcheck disable=SC2088 # descriptions name ~/ paths as the user writes them
# The file system inside: project read-write, home empty, system read-only,
# private /tmp, the config dir, protected project files, extra mounts and
# the refusals of dangerous mounts.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

EROFS_RE='[Rr]ead-only file system'

# --- project: read-write, persists, owned by the user
sbx -- sh -c 'echo written-inside > out.txt'
is "$RC:$(cat out.txt 2>/dev/null)" "0:written-inside" "a file written in the project persists after the run"
is "$(stat -c %u:%g out.txt 2>/dev/null)" "$MY_UID:$MY_GID" "that file is owned by the user outside"
echo from-host >host.txt
sbx -- cat host.txt
is "$OUT" "from-host" "a project file written outside is readable inside"
sbx -- rm host.txt
refute "a project file deleted inside is gone outside" test -e host.txt
mkdir -p a/b
sbx -- sh -c 'mv out.txt a/b/moved.txt && mkdir -p c/d && echo x > c/d/new'
ok "renames and new directories in the project persist" test -f a/b/moved.txt -a -f c/d/new -a ! -e out.txt

# --- home: empty, the real one invisible, writes vanish
mkdir -p "$HOME/.ssh" "$HOME/.config/gh" "$HOME/.aws"
echo 'PRIVATE-KEY-MATERIAL-1234' >"$HOME/.ssh/id_rsa"
chmod 600 "$HOME/.ssh/id_rsa"
echo 'export FROM_REAL_BASHRC=1' >"$HOME/.bashrc"
echo 'oauth_token: gho_secret' >"$HOME/.config/gh/hosts.yml"
echo '[default]' >"$HOME/.aws/credentials"
bashrc_sha=$(sha "$HOME/.bashrc")

sbx -- cat "$HOME/.ssh/id_rsa"
ok "~/.ssh/id_rsa cannot be read inside" test "$RC" -ne 0
unlike "$OUT$ERR" 'PRIVATE-KEY-MATERIAL' "the content of ~/.ssh/id_rsa does not appear inside"
sbx -- sh -c 'for f in .ssh .ssh/id_rsa .bashrc .config/gh/hosts.yml .aws/credentials; do test -e "$HOME/$f" && echo "$f"; done; true'
is "$OUT" "" "nothing of the real home exists inside (.ssh, .bashrc, .config, .aws)"
sbx -- sh -c 'ls -A "$HOME"'
unlike "$OUT" '(^|[[:space:]])(\.ssh|\.bashrc|\.aws)($|[[:space:]])' "listing \$HOME inside shows none of the real home's files"
sbx -- sh -c 'echo x >> "$HOME/.bashrc"; echo pwned > "$HOME/.profile"; mkdir -p "$HOME/.ssh" && echo key >> "$HOME/.ssh/authorized_keys"'
is "$(sha "$HOME/.bashrc")" "$bashrc_sha" "~/.bashrc unchanged after 'echo x >> ~/.bashrc' inside"
refute "~/.profile written inside does not appear outside" test -e "$HOME/.profile"
refute "~/.ssh/authorized_keys written inside does not appear outside" test -e "$HOME/.ssh/authorized_keys"
sbx -- sh -c 'echo one > "$HOME/scratch-file"'
sbx -- sh -c 'cat "$HOME/scratch-file" 2>/dev/null || echo absent'
is "$OUT" "absent" "a file written in \$HOME inside is gone at the next run"

# --- /tmp and /var/tmp are private
host_tmp=$(mktemp /tmp/clbox-host-visible.XXXXXX)
T_HOST_TMP_FILES+=("$host_tmp")
echo host-tmp-content >"$host_tmp"
sbx -- sh -c 'test -e "$1" && echo visible || echo invisible' sh "$host_tmp"
is "$OUT" "invisible" "a file in the host's /tmp is not visible inside"
inside_name="/tmp/clbox-inside-$$-$RANDOM"
T_HOST_TMP_FILES+=("$inside_name")
sbx -- sh -c 'echo inside > "$1" && cat "$1"' sh "$inside_name"
is "$OUT" "inside" "/tmp is writable inside"
refute "a file written in /tmp inside is not visible outside" test -e "$inside_name"
inside_vt="/var/tmp/clbox-inside-$$-$RANDOM"
T_HOST_TMP_FILES+=("$inside_vt")
sbx -- sh -c 'echo inside > "$1" && cat "$1"' sh "$inside_vt"
is "$OUT" "inside" "/var/tmp is writable inside"
refute "a file written in /var/tmp inside is not visible outside" test -e "$inside_vt"

# --- system directories are read-only
sbx -- touch /etc/clbox-test-file
ok "/etc is read-only: creating a file fails" test "$RC" -ne 0
like "$ERR" "$EROFS_RE" "/etc: the error is 'Read-only file system'"
sbx -- touch /usr/clbox-test-file
ok "/usr is read-only: creating a file fails" test "$RC" -ne 0
like "$ERR" "$EROFS_RE" "/usr: the error is 'Read-only file system'"
sbx -- sh -c 'test -x /usr/bin/env && test -r /etc/passwd && echo ok'
is "$OUT" "ok" "/usr and /etc are readable inside (the command can run tools)"
sbx -- touch /clbox-root-file
ok "creating a file at / fails or stays in the sandbox" test "$RC" -ne 0 -o ! -e /clbox-root-file

# --- config dir
rm -rf "$HOME/.local"   # earlier runs created it: start without one
sbx -- sh -c 'printf %s "$CLAUDE_CONFIG_DIR"'
is "$OUT" "$CONFIG_DIR_DEFAULT" "CLAUDE_CONFIG_DIR is \${XDG_DATA_HOME:-~/.local/share}/clbox/claude by default"
ok "the missing default config dir is created on the host" test -d "$CONFIG_DIR_DEFAULT"
sbx -- sh -c 'echo remembered > "$CLAUDE_CONFIG_DIR/state.json"'
sbx -- sh -c 'cat "$CLAUDE_CONFIG_DIR/state.json"'
is "$RC:$OUT" "0:remembered" "a file written in the config dir is there at the next run"
is "$(cat "$CONFIG_DIR_DEFAULT/state.json" 2>/dev/null)" "remembered" "and on the host, at the same path"
is "$(stat -c %u "$CONFIG_DIR_DEFAULT/state.json" 2>/dev/null)" "$MY_UID" "and owned by the user"
export XDG_DATA_HOME="$T_ROOT/xdg-data"
sbx -- sh -c 'printf %s "$CLAUDE_CONFIG_DIR"'
is "$OUT" "$XDG_DATA_HOME/clbox/claude" "with XDG_DATA_HOME set the config dir is \$XDG_DATA_HOME/clbox/claude"
ok "and it is created" test -d "$XDG_DATA_HOME/clbox/claude"
unset XDG_DATA_HOME
custom_cfg="$T_ROOT/custom config"
sbx --config-dir "$custom_cfg" -- sh -c 'printf %s "$CLAUDE_CONFIG_DIR"; echo saved > "$CLAUDE_CONFIG_DIR/f"'
is "$OUT" "$custom_cfg" "--config-dir DIR is exported as CLAUDE_CONFIG_DIR"
is "$(cat "$custom_cfg/f" 2>/dev/null)" "saved" "--config-dir DIR is created and read-write"

# --- protected project files
config_sha=$(sha .git/config)
sbx -- sh -c 'printf "#!/bin/sh\necho pwned\n" > .git/hooks/pre-commit'
ok "writing .git/hooks/pre-commit inside fails" test "$RC" -ne 0
like "$ERR" "$EROFS_RE" ".git/hooks: the error is 'Read-only file system'"
refute ".git/hooks/pre-commit does not exist on the host afterwards" test -e .git/hooks/pre-commit
sbx -- sh -c 'printf "[core]\n\tfsmonitor = touch /tmp/pwned\n" >> .git/config'
ok "appending to .git/config inside fails" test "$RC" -ne 0
like "$ERR" "$EROFS_RE" ".git/config: the error is 'Read-only file system'"
is "$(sha .git/config)" "$config_sha" ".git/config is unchanged on the host"
sbx -- git config core.hooksPath /tmp/hooks
ok "git config (atomic rename of .git/config) inside fails" test "$RC" -ne 0
is "$(sha .git/config)" "$config_sha" ".git/config is still unchanged"
sbx -- sh -c 'echo x > .git/info-written-inside && cat .git/HEAD'
ok "the rest of .git stays writable (git can work)" test "$RC" -eq 0 -a -f .git/info-written-inside

# A protected directory must not be replaceable by moving its parent away.
sbx -- sh -c 'mv .git .git-moved && mkdir -p .git/hooks && printf "#!/bin/sh\necho pwned\n" > .git/hooks/post-checkout && cp .git-moved/config .git/config && echo "[alias] x = !evil" >> .git/config'
refute "moving .git away inside cannot plant .git/hooks/post-checkout on the host" test -e .git/hooks/post-checkout
is "$(sha .git/config)" "$config_sha" "moving .git away inside cannot change .git/config on the host"
if [ -d .git-moved ]; then rm -rf .git && mv .git-moved .git; fi   # repair for the next tests

sbx --allow-project-config -- sh -c 'printf "#!/bin/sh\n" > .git/hooks/pre-commit && echo "[clbox] test = 1" >> .git/config'
is "$RC" "0" "--allow-project-config: writing .git/hooks and .git/config succeeds"
ok "--allow-project-config: the hook persists on the host" test -f .git/hooks/pre-commit
isnt "$(sha .git/config)" "$config_sha" "--allow-project-config: the .git/config change persists"
rm -f .git/hooks/pre-commit
git config --unset clbox.test

mkdir -p .claude .vscode
for f in .claude/settings.json .claude/settings.local.json .mcp.json .envrc .vscode/tasks.json .vscode/settings.json; do
    echo '{"original": true}' >"$f"
done
for f in .claude/settings.json .claude/settings.local.json .mcp.json .envrc .vscode/tasks.json .vscode/settings.json; do
    before=$(sha "$f")
    sbx -- sh -c 'echo "{\"hooks\": \"evil\"}" > "$1"' sh "$f"
    if [ "$RC" -ne 0 ] && [[ $ERR =~ $EROFS_RE ]] && [ "$(sha "$f")" = "$before" ]; then
        pass "$f is read-only inside (EROFS) and unchanged"
    else
        fail "$f is read-only inside (EROFS) and unchanged" "sha before $before, after $(sha "$f")"
    fi
done
# A protected file must not be replaceable by moving its directory away.
for f in .claude/settings.json .vscode/tasks.json; do
    d=${f%%/*}
    before=$(sha "$f")
    sbx -- sh -c 'mv "$1" "$1-moved" && mkdir "$1" && echo "{\"planted\": \"by-rename\"}" > "$2"' sh "$d" "$f"
    is "$(sha "$f")" "$before" "moving $d away inside cannot replace $f on the host"
    if [ -d "$d-moved" ]; then rm -rf "$d" && mv "$d-moved" "$d"; fi   # repair
done
sbx -- sh -c 'echo "{}" > .claude/other.json'
ok "other files in .claude stay writable" test "$RC" -eq 0 -a -f .claude/other.json
sbx --allow-project-config -- sh -c 'echo "{\"changed\": 1}" > .claude/settings.json'
is "$RC:$(cat .claude/settings.json)" '0:{"changed": 1}' "--allow-project-config: .claude/settings.json is writable"

# A protected path that is a symbolic link: refuse to start.
symproj="$T_ROOT/symproj"
mkdir -p "$symproj" "$T_ROOT/elsewhere-hooks" && git init -q "$symproj"
rm -rf "$symproj/.git/hooks"
ln -s "$T_ROOT/elsewhere-hooks" "$symproj/.git/hooks"
sbx --project "$symproj" -- touch "$PROJECT/symlink-ran"
is "$RC" "125" "a symlinked .git/hooks: clbox refuses with exit 125"
like "$ERR" 'symbolic link' "a symlinked .git/hooks: the message mentions 'symbolic link'"
refute "a symlinked .git/hooks: the command did not run" test -e "$PROJECT/symlink-ran"
symproj2="$T_ROOT/symproj2"
mkdir -p "$symproj2/.claude" && git init -q "$symproj2"
echo '{}' >"$T_ROOT/real-settings.json"
ln -s "$T_ROOT/real-settings.json" "$symproj2/.claude/settings.json"
sbx --project "$symproj2" -- true
ok "a symlinked .claude/settings.json: exit 125 and 'symbolic link'" test "$RC" -eq 125 -a -n "$(grep 'symbolic link' <<<"$ERR")"
symproj3="$T_ROOT/symproj3"
mkdir -p "$symproj3" && git init -q "$symproj3"
ln -s "$T_ROOT/real-settings.json" "$symproj3/.envrc"
sbx --project "$symproj3" -- true
ok "a symlinked .envrc: exit 125 and 'symbolic link'" test "$RC" -eq 125 -a -n "$(grep 'symbolic link' <<<"$ERR")"
# A symlinked directory on the way to a protected file: whatever clbox does
# (refuse, or protect the target), the file behind the link stays unchanged.
symproj4="$T_ROOT/symproj4"
mkdir -p "$symproj4" "$T_ROOT/real-claude" && git init -q "$symproj4"
echo '{"real": 1}' >"$T_ROOT/real-claude/settings.json"
ln -s "$T_ROOT/real-claude" "$symproj4/.claude"
before=$(sha "$T_ROOT/real-claude/settings.json")
sbx --project "$symproj4" -- sh -c 'echo "{\"planted\": 1}" > .claude/settings.json' 
diag "symlinked .claude directory: exit $RC ${ERR:+($ERR)}"
is "$(sha "$T_ROOT/real-claude/settings.json")" "$before" "a symlinked .claude directory: the settings.json behind it is unchanged"
symproj5="$T_ROOT/symproj5"
mkdir -p "$symproj5" && git init -q "$T_ROOT/realgit-wt" && mv "$T_ROOT/realgit-wt/.git" "$T_ROOT/realgit"
ln -s "$T_ROOT/realgit" "$symproj5/.git"
sbx --project "$symproj5" -- sh -c 'echo "#!/bin/sh" > .git/hooks/pre-commit; echo "[core] hooksPath = /tmp" >> .git/config'
diag "symlinked .git directory: exit $RC ${ERR:+($ERR)}"
ok "a symlinked .git directory: the hooks and config behind it are unchanged" \
    test ! -e "$T_ROOT/realgit/hooks/pre-commit" -a -z "$(grep hooksPath "$T_ROOT/realgit/config")"

# --- unusual project paths
odd="$HOME/my project ü日本"
mkdir -p "$odd" && git init -q "$odd"
cd "$odd" || bail_out "cd $odd"
sbx -- sh -c 'pwd; echo ok > "fichier é.txt"'
is "$RC:$OUT" "0:$odd" "a project path with spaces and non-ASCII: pwd inside is the same"
is "$(cat "$odd/fichier é.txt" 2>/dev/null)" "ok" "a project path with spaces and non-ASCII: writes persist"
sbx -- touch .git/hooks/pre-push
refute "a project path with spaces and non-ASCII: .git/hooks is still protected" test -e "$odd/.git/hooks/pre-push"

ln -s "$PROJECT" "$HOME/link-to-project"
cd "$HOME/link-to-project" || bail_out "cd link"
sbx -- sh -c 'pwd -P; echo via-link > via-link.txt'
is "$RC:$OUT" "0:$PROJECT" "a project reached through a symlinked directory: the command runs in the real project"
is "$(cat "$PROJECT/via-link.txt" 2>/dev/null)" "via-link" "through the symlink: writes land in the real project"
sbx -- touch .git/hooks/pre-rebase
ok "through the symlink: .git/hooks is still protected" test "$RC" -ne 0 -a ! -e "$PROJECT/.git/hooks/pre-rebase"

mkdir -p "$PROJECT/src/deep dir"
cd "$PROJECT/src/deep dir" || bail_out "cd subdir"
sbx -- sh -c 'pwd; echo top > "$0"' "$PROJECT/top-written.txt"
is "$RC:$OUT" "0:$PROJECT/src/deep dir" "started in a subdirectory: pwd inside is that subdirectory"
is "$(cat "$PROJECT/top-written.txt" 2>/dev/null)" "top" "started in a subdirectory: the whole git work tree is read-write"
sbx -- touch ../../.git/hooks/applypatch-msg
refute "started in a subdirectory: the root's .git/hooks is protected" test -e "$PROJECT/.git/hooks/applypatch-msg"
cd "$PROJECT" || bail_out "cd project"

other="$T_ROOT/other-project"
mkdir -p "$other"
sbx --project "$other" -- sh -c 'echo o > "$0"; pwd' "$other/o.txt"
is "$(cat "$other/o.txt" 2>/dev/null)" "o" "--project DIR: DIR is read-write"
sbx --project "$other" -- sh -c 'echo p > "$0"' "$PROJECT/not-project.txt"
refute "--project DIR: the directory clbox was started in is not the project then" test -e "$PROJECT/not-project.txt"
nogit="$T_ROOT/nogit/sub"
mkdir -p "$nogit"
cd "$nogit" || bail_out "cd nogit"
sbx -- sh -c 'echo n > n.txt; echo up > ../up.txt'
ok "outside any git work tree the project is \$PWD" test -f "$nogit/n.txt" -a ! -e "$T_ROOT/nogit/up.txt"
cd "$PROJECT" || bail_out "cd project"

# --- --ro, --rw, --hide, --tmpfs
mkdir -p "$T_ROOT/data-ro" "$T_ROOT/data-rw" "$HOME/notes"
echo ro-content >"$T_ROOT/data-ro/file"
echo home-notes >"$HOME/notes/n.txt"
sbx --ro "$T_ROOT/data-ro" -- sh -c 'cat "$0/file"; echo x > "$0/new"' "$T_ROOT/data-ro"
is "$OUT" "ro-content" "--ro PATH: PATH is readable inside"
ok "--ro PATH: writing fails with 'Read-only file system' and leaves nothing" test ! -e "$T_ROOT/data-ro/new" -a -n "$(grep -E "$EROFS_RE" <<<"$ERR")"
echo '[user] name = me' >"$HOME/.gitconfig"
gitconfig_sha=$(sha "$HOME/.gitconfig")
sbx --ro "$HOME/.gitconfig" -- sh -c 'cat "$HOME/.gitconfig"; echo x >> "$HOME/.gitconfig"'
is "$OUT" "[user] name = me" "--ro of a single file shows it at the same path"
ok "--ro of a single file: it cannot be changed" test "$RC" -ne 0 -a "$(sha "$HOME/.gitconfig")" = "$gitconfig_sha"
sbx --ro "$HOME/notes" -- cat "$HOME/notes/n.txt"
is "$OUT" "home-notes" "--ro of a directory inside \$HOME shows it at the same path"
sbx --rw "$T_ROOT/data-rw" -- sh -c 'echo rw > "$0/new"' "$T_ROOT/data-rw"
is "$(cat "$T_ROOT/data-rw/new" 2>/dev/null)" "rw" "--rw PATH: writes persist on the host"
sbx -- sh -c 'test -e "$0" && echo visible || echo invisible' "$T_ROOT/data-rw"
is "$OUT" "invisible" "without --rw/--ro a directory outside the project is not visible"

mkdir -p secrets
echo 'DB_PASSWORD=hunter2' >secrets/prod.env
echo 'API_TOKEN=abc' >.env
env_sha=$(sha .env)
sbx --hide "$PROJECT/.env" --hide "$PROJECT/secrets" -- sh -c 'cat .env; ls -A secrets; cat secrets/prod.env'
unlike "$OUT" 'API_TOKEN|hunter2|prod\.env' "--hide: the hidden file's content and the hidden directory's entries are not visible"
sbx --hide "$PROJECT/.env" -- sh -c 'echo overwritten > .env'
ok "--hide: the stand-in is read-only" test "$RC" -ne 0
is "$(sha .env)" "$env_sha" "--hide: the hidden file is unchanged on the host"

mkdir -p build && echo old >build/old.o
sbx --tmpfs "$PROJECT/build" -- sh -c 'ls -A build; echo new > build/new.o && echo wrote'
is "$OUT" "wrote" "--tmpfs PATH: PATH is empty and writable inside"
ok "--tmpfs PATH: the host directory is untouched afterwards" test -f build/old.o -a ! -e build/new.o

# --- refused mounts: exit 125, a clbox: message, the command does not run
refuses "--rw / is refused" --rw /
refuses "--ro / is refused" --ro /
refuses "--rw \$HOME is refused" --rw "$HOME"
refuses "--ro \$HOME is refused" --ro "$HOME"
refuses "--rw of an ancestor of \$HOME is refused" --rw "$T_ROOT"
refuses "--rw \$HOME/ is refused" --rw "$HOME/"
refuses "--project / is refused" --project /
refuses "--project \$HOME is refused" --project "$HOME"
refuses "--rw /etc is refused" --rw /etc
refuses "--rw /usr/lib is refused" --rw /usr/lib
refuses "--rw /proc is refused" --rw /proc
refuses "--rw /sys is refused" --rw /sys
refuses "--rw /dev is refused" --rw /dev
refuses "--ro of a nonexistent path is refused" --ro "$T_ROOT/does-not-exist"
refuses "--rw of a nonexistent path is refused" --rw "$T_ROOT/does-not-exist"
ln -s / "$T_ROOT/root-link"
refuses "--rw of a symlink to / is refused" --rw "$T_ROOT/root-link"
refuses "--rw of /etc spelled with .. is refused" --rw "$PROJECT/../../../../../../../etc"
refuses "--rw /bin (a link into /usr) is refused" --rw /bin
refuses "--project of an ancestor of \$HOME is refused" --project "$T_ROOT"
refuses "--ro of an ancestor of \$HOME is refused" --ro "$T_ROOT"
sbx --config-dir "$HOME" -- cat "$HOME/.ssh/id_rsa"
diag "--config-dir \$HOME: exit $RC"
unlike "$OUT" 'PRIVATE-KEY-MATERIAL' "--config-dir \$HOME does not expose ~/.ssh/id_rsa (refused or hidden)"
done_testing
