#!/bin/bash
# The README's two Quick start commands work one after the other in one
# checkout: the first builds clbox in the checkout itself, and the second
# (.ci/run) must then test a copy of the source alone, since configure
# refuses a build directory beside an already configured source tree.
# This checks the copy step, .ci/copy-tree, on a checkout made here.
. "$SRCDIR/tests/lib/tap.sh"

T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/clbox-test.XXXXXX") || bail_out "mktemp"
tap_on_exit
src=$T_ROOT/src
mkdir -p "$src/launcher" "$src/tests/unit" && cd "$src" || bail_out "cd $src"
git init -q . && git config user.email t@example.invalid && git config user.name t
printf 'config.status\nMakefile\n*.o\n/clbox\n' >.gitignore
echo 'AC_INIT' >configure.ac && echo 'int main(void) { return 0; }' >launcher/main.c
git add -A && git commit -qm init
# What the README's first command leaves in the checkout.
touch config.status Makefile launcher/main.o clbox
# A file the user added and has not committed yet.
echo 'new' >tests/unit/test_new.c

run bash "$SRCDIR/.ci/copy-tree" "$src" "$T_ROOT/copy"
is "$RC" 0 "copy-tree exits 0"
ok "a tracked file is copied" test -f "$T_ROOT/copy/launcher/main.c"
ok "... and the ignore list" test -f "$T_ROOT/copy/.gitignore"
ok "an untracked file git does not ignore is copied" test -f "$T_ROOT/copy/tests/unit/test_new.c"
refute "the in-tree build's config.status is not (configure would refuse the copy)" test -e "$T_ROOT/copy/config.status"
refute "... nor its Makefile, objects or binary" test -e "$T_ROOT/copy/Makefile" -o -e "$T_ROOT/copy/launcher/main.o" -o -e "$T_ROOT/copy/clbox"
refute "... nor the git dir" test -e "$T_ROOT/copy/.git"

rm -rf "$src/.git" "$T_ROOT/copy"
run bash "$SRCDIR/.ci/copy-tree" "$src" "$T_ROOT/copy"
ok "outside a git checkout (a release tarball), the tree is copied whole" test "$RC" -eq 0 -a -f "$T_ROOT/copy/launcher/main.c"
done_testing
