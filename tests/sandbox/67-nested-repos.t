#!/bin/bash
# Write now, run later, one level down: git runs the hooks and the config of
# a repository inside the project (project/sub/.git) when the user works in
# sub.  Such nested git dirs are writable inside, so on exit clbox reports
# what the session wrote to them (hooks, core.hooksPath, core.fsmonitor, a
# .git file pointing elsewhere), leaves new or changed hooks not executable,
# and never follows a link.  What was there before the session is left alone
# and not reported.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

# An existing nested repository with an executable hook, made before.
git init -q "$PROJECT/old" && printf '#!/bin/sh\n' >"$PROJECT/old/.git/hooks/pre-commit" &&
    chmod +x "$PROJECT/old/.git/hooks/pre-commit" || bail_out "cannot make $PROJECT/old"
sleep 0.05 # the session's changes must come later than these, by the clock

plant='git init -q sub && printf "#!/bin/sh\necho planted\n" > sub/.git/hooks/post-checkout &&
  chmod +x sub/.git/hooks/post-checkout && git -C sub config core.hooksPath .githooks &&
  mkdir -p a/b/c && git init -q a/b/c/deep && git -C a/b/c/deep config core.fsmonitor "touch /tmp/x" &&
  printf "#!/bin/sh\n" > old/.git/hooks/pre-push && chmod +x old/.git/hooks/pre-push &&
  echo "gitdir: ../.hidden" > linked && mkdir -p w && mv linked w/.git'
sbx --net none -- sh -c "$plant"
is "$RC" 0 "the command itself succeeds"
refute "a hook written in a nested repository made inside is left not executable" test -x sub/.git/hooks/post-checkout
like "$(cat sub/.git/hooks/post-checkout)" "planted" "... and left in place, for the user to read"
like_line "$ERR" "^clbox: the sandbox wrote the git hook $PROJECT/sub/.git/hooks/post-checkout: it is left not executable" \
    "... and reported"
like_line "$ERR" "^clbox: the sandbox (wrote|created) $PROJECT/sub/.git/config, which runs code" "the nested repository's new config is reported"
like_line "$ERR" "hookspath" "... with core.hooksPath named"
like_line "$ERR" "^clbox: the sandbox (wrote|created) $PROJECT/a/b/c/deep/.git/config" "a nested repository four levels down is found"
like_line "$ERR" "fsmonitor" "... with core.fsmonitor named"
refute "a hook added inside to a repository that existed before is disarmed" test -x old/.git/hooks/pre-push
ok "... while its hook from before the session stays executable" test -x old/.git/hooks/pre-commit
unlike "$ERR" "old/.git/hooks/pre-commit" "... and is not reported"
like_line "$ERR" "^clbox: the sandbox wrote $PROJECT/w/.git, which points git at another directory" \
    "a .git file written inside is reported"

# A hook that is a link is reported, never followed.
echo "#!/bin/sh" >"$T_ROOT/outside-hook" && chmod +x "$T_ROOT/outside-hook"
sbx --net none --ro "$T_ROOT/outside-hook" -- sh -c "ln -s '$T_ROOT/outside-hook' sub/.git/hooks/pre-commit"
like_line "$ERR" "^clbox: the sandbox made $PROJECT/sub/.git/hooks/pre-commit a symbolic link" "a nested hook that is a link is reported"
ok "... and the file it points to is left as it was" test -x "$T_ROOT/outside-hook"
done_testing
