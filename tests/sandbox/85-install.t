#!/bin/bash
# What 'make install' puts where: the binary, the shipped profiles, both man
# pages and the shell completions; and that the installed binary runs a
# sandbox.  Installed into a scratch DESTDIR from the build tree the tests
# run from.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

[ -n "${BUILDDIR:-}" ] || bail_out "BUILDDIR is not set (run through make check)"
dest=$T_ROOT/dest
prefix=$(sed -n 's/^prefix = //p' "$BUILDDIR/Makefile")
run make -s -C "$BUILDDIR" install DESTDIR="$dest"
is "$RC" 0 "make install DESTDIR=... succeeds as an unprivileged user"
root=$dest$prefix
ok "the binary: bin/clbox" test -x "$root/bin/clbox"
for p in base claude bedrock vertex npm pypi github go cargo; do
    test -f "$root/share/clbox/profiles/$p" || missing="$missing $p"
done
is "${missing:-}" "" "every shipped profile in share/clbox/profiles"
ok "clbox(1) in share/man/man1" test -f "$root/share/man/man1/clbox.1"
ok "clbox-profile(5) in share/man/man5" test -f "$root/share/man/man5/clbox-profile.5"
ok "bash completion in share/bash-completion/completions/clbox" \
    test -f "$root/share/bash-completion/completions/clbox"
ok "zsh completion in share/zsh/site-functions/_clbox" test -f "$root/share/zsh/site-functions/_clbox"
cmp -s "$root/share/clbox/profiles/claude" "$SRCDIR/profiles/claude"
is "$?" 0 "the installed claude profile is the shipped one"
run "$root/bin/clbox" run --net none -- id -u
is "$RC:$OUT" "0:$MY_UID" "the installed binary runs a sandbox"
run make -s -C "$BUILDDIR" install-apparmor DESTDIR="$dest" APPARMOR_DIR=/etc/apparmor.d
like "$(cat "$dest/etc/apparmor.d/clbox" 2>/dev/null)" "profile clbox $prefix/bin/clbox" \
    "make install-apparmor writes a profile naming the installed binary"
run make -s -C "$BUILDDIR" uninstall DESTDIR="$dest"
is "$(find "$root" -type f | wc -l)" 0 "make uninstall removes every installed file"
done_testing
