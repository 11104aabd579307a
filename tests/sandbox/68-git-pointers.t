#!/bin/bash
# The files through which git finds its git dir, its config and its hooks
# are input from an earlier sandbox.  At start, a .git file or a commondir
# may only send clbox to a real git dir, never to the home, the root, a
# system directory or above the project; and every such pointer that exists
# at start (the .git file, commondir, gitdir, worktrees/*, modules/*, a bare
# repository's config and hooks, in the project and in repositories nested
# in it) is read-only inside, so that a host-side git never obeys a config
# or runs a hook that the sandbox chose.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

echo "home secret" >"$HOME/secret.txt"
CFG=$CONFIG_DIR_DEFAULT
marker=$T_ROOT/planted-ran
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t

# ------------------------------------------------ A: where a .git file points
mkdir -p "$HOME/wt-home" && cd "$HOME/wt-home" || bail_out "cd wt-home"
echo "gitdir: $HOME" >.git
sbx --net none -- cat "$HOME/secret.txt"
is "$RC" 125 "a .git file saying 'gitdir: \$HOME': refused"
like "$ERR" "$HOME/wt-home/.git points to $HOME" "... naming the file and where it points"
unlike "$OUT" "home secret" "... and the home stays hidden"
echo "gitdir: /" >.git
sbx --net none -- true
is "$RC" 125 "a .git file saying 'gitdir: /': refused"
mkdir -p "$T_ROOT/plain" && echo "gitdir: $T_ROOT/plain" >.git
sbx --net none -- true
is "$RC" 125 "a .git file pointing to a directory that is no git dir: refused"
like "$ERR" "not a git dir" "... saying why"

# A linked worktree whose commondir was rewritten to the home.
git init -q "$HOME/main" && git -C "$HOME/main" commit -q --allow-empty -m init || bail_out "main repo"
git -C "$HOME/main" worktree add -q "$HOME/wt2" 2>/dev/null || bail_out "worktree add"
cd "$HOME/wt2" || bail_out "cd wt2"
sbx --net none -- git status --short
is "$RC" 0 "a real linked worktree still works"
echo "$HOME" >"$HOME/main/.git/worktrees/wt2/commondir"
sbx --net none -- cat "$HOME/secret.txt"
is "$RC" 125 "a worktree's commondir saying \$HOME: refused"
like "$ERR" "commondir" "... naming the commondir file"
unlike "$OUT" "home secret" "... and the home stays hidden"
echo "../.." >"$HOME/main/.git/worktrees/wt2/commondir"

# A git dir above the project: only when the user named it.
mkdir -p "$T_ROOT/above/proj/objects" "$T_ROOT/above/refs" "$T_ROOT/above/objects" && echo "ref: refs/heads/x" >"$T_ROOT/above/HEAD"
cd "$T_ROOT/above/proj" || bail_out "cd above/proj"
echo "gitdir: $T_ROOT/above" >.git
sbx --net none -- true
is "$RC" 125 "a .git file pointing above the project: refused"
like "$ERR" "above the project" "... saying why"
sbx --net none --rw "$T_ROOT/above" -- true
is "$RC" 0 "... unless the user named it with --rw"

# ------------------------------- D: host-side git must not obey what was planted
# A fake git dir in the persistent config dir whose config runs a command.
evil_git='git init -q --bare "$1" && git -C "$1" config core.bare false && git -C "$1" config core.fsmonitor "touch '$marker'; false"'
host_git_ran() { # DIR: runs the host's git there, as the user will; true if the planted command ran
    rm -f "$marker"
    (cd "$1" && timeout 10 git status --short >/dev/null 2>&1)
    test -e "$marker"
}
git -C "$HOME/main" worktree add -q "$HOME/wt3" 2>/dev/null || bail_out "worktree add wt3"
cd "$HOME/wt3" || bail_out "cd wt3"
refute "(control) the host's git in the linked worktree runs nothing planted" host_git_ran "$HOME/wt3"
sbx --net none -- sh -c "set -- '$CFG/evil1'; $evil_git; echo 'gitdir: $CFG/evil1' > .git"
like "$ERR" "Device or resource busy|Read-only file system" "a linked worktree's .git file is read-only inside"
refute "... so the host's git does not run a command planted through it" host_git_ran "$HOME/wt3"
sbx --net none -- sh -c "set -- '$CFG/evil2'; $evil_git; echo '$CFG/evil2' > '$HOME/main/.git/worktrees/wt3/commondir'"
like "$ERR" "Read-only file system" "a linked worktree's commondir is read-only inside"
refute "... so the host's git does not take config from the planted common dir" host_git_ran "$HOME/wt3"

# The project is the main repository: its linked worktrees' pointers.
git -C "$HOME/main" worktree add -q "$T_ROOT/wt-out" 2>/dev/null || bail_out "worktree add wt-out"
cd "$HOME/main" || bail_out "cd main"
sbx --net none -- sh -c "set -- '$CFG/evil3'; $evil_git; echo '$CFG/evil3' > .git/worktrees/wt-out/commondir"
like "$ERR" "Read-only file system" "the commondir of the project's linked worktree is read-only inside"
refute "... so git in that worktree does not obey the sandbox" host_git_ran "$T_ROOT/wt-out"

# A worktree nested in the project: its .git file.
git -C "$PROJECT" commit -q --allow-empty -m init && git -C "$PROJECT" worktree add -q "$PROJECT/a/nested" 2>/dev/null ||
    bail_out "nested worktree"
cd "$PROJECT" || bail_out "cd project"
sbx --net none -- sh -c "set -- '$CFG/evil4'; $evil_git; echo 'gitdir: $CFG/evil4' > a/nested/.git"
like "$ERR" "Read-only file system|Device or resource busy" "a nested worktree's .git file is read-only inside"
refute "... so git there does not obey the sandbox" host_git_ran "$PROJECT/a/nested"
sbx --net none -- sh -c "mv a a.old && mkdir -p a/nested && set -- '$CFG/evil5'; $evil_git; echo 'gitdir: $CFG/evil5' > a/nested/.git"
like "$ERR" "Device or resource busy" "... and the directories above it cannot be moved away"
refute "... so no planted .git file takes its place" host_git_ran "$PROJECT/a/nested"

# A bare-repository look-alike in the project, and the project itself as one.
git init -q --bare "$PROJECT/la" || bail_out "bare la"
plant_la='printf "[core]\n\tbare = false\n\tworktree = %s\n\tfsmonitor = \"touch %s; false\"\n" "$1" "'$marker'" >> "$1/config"'
sbx --net none -- sh -c "set -- '$PROJECT/la'; $plant_la"
like "$ERR" "Read-only file system" "a bare repository's config in the project is read-only inside"
refute "... so git there does not obey the sandbox" host_git_ran "$PROJECT/la"
bare=$T_ROOT/bareproj
git init -q --bare "$bare" && cd "$bare" || bail_out "bare project"
sbx --net none -- sh -c "set -- '$bare'; $plant_la"
like "$ERR" "Read-only file system" "a project that is itself a bare repository: its config is read-only inside"
refute "... so git there does not obey the sandbox" host_git_ran "$bare"
done_testing
