#!/bin/bash
# Hardening: no capabilities, no_new_privs, a seccomp filter that refuses
# new user namespaces, terminal injection, mounts and other kernel attack
# surface; a pid namespace with few processes; a minimal /dev.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup
probe_setup

# --- capabilities, no_new_privs, seccomp (of the command and of a grandchild)
sbx -- sh -c 'cat /proc/self/status'
status=$OUT
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
    like_line "$status" "^$cap:[[:space:]]+0+$" "$cap is all zero"
done
like_line "$status" '^NoNewPrivs:[[:space:]]+1$' "NoNewPrivs is 1"
like_line "$status" '^Seccomp:[[:space:]]+2$' "Seccomp is 2 (filter mode)"
sbx -- sh -c 'sh -c "grep -E \"^(CapEff|CapBnd|NoNewPrivs|Seccomp):\" /proc/self/status" | tr -s "\t " " "'
is "$OUT" "CapEff: 0000000000000000"$'\n'"CapBnd: 0000000000000000"$'\n'"NoNewPrivs: 1"$'\n'"Seccomp: 2" \
    "a grandchild process has the same: no caps, NoNewPrivs 1, Seccomp 2"

# --- user namespaces refused
host_unshare=$(timeout 10 unshare -U true 2>&1 && echo works || echo refused)
diag "outside the sandbox 'unshare -U true' $host_unshare"
sbx -- unshare -U true
ok "'unshare -U true' fails inside" test "$RC" -ne 0 -a "$RC" -ne 124
sbx -- unshare -Ur true
ok "'unshare -Ur true' fails inside" test "$RC" -ne 0 -a "$RC" -ne 124
sbx -- unshare -Ur id -u
unlike "$OUT" '^0$' "'unshare -Ur id -u' does not make the command root"

# --- terminal injection, under a pseudo-terminal
# The same probe on the same terminal, first outside, then inside.  Outside
# the tty driver answers: TIOCSTI injects (or EIO where the kernel forbids it
# to all), TIOCLINUX is a console request that a pseudo-terminal does not
# know (ENOTTY).  Inside the seccomp filter answers first, with EPERM: an
# EPERM inside and another answer outside show that the refusal is the
# filter's, also for the requests with the high 32 bits set.
tty_names="tiocsti tiocsti-high tioclinux tioclinux-high"
under_tty "$(printf 'stty -echo; %q %s | sed "s/^/outside /"; %q run %q %q -- %q %s | sed "s/^/inside /"' \
    "$PROBE_IN" "$tty_names" "$CLBOX" "${PROBE_ARGS[@]}" "$PROBE_IN" "$tty_names")"
tty_out=$OUT
diag "$tty_out"
for name in $tty_names; do
    outside=$(sed -n "s/^outside $name: //p" <<<"$tty_out")
    like_line "$tty_out" "^inside $name: EPERM$" "ioctl $name on the terminal is refused with the filter's EPERM"
    like "$outside" '^(ok|E[A-Z0-9]+)$' "... where outside, on the same terminal, the tty driver answers ($outside)"
    isnt "$outside" "EPERM" "... not with EPERM, so the refusal inside is the filter's ($name)"
done
under_tty "$(printf '%q run -- sh -c %q' "$CLBOX" 'test -t 0 && echo stdin-is-a-tty')"
like "$OUT" 'stdin-is-a-tty' "(sanity) the probe's stdin inside is the terminal, so TIOCSTI was really tried"
# a second route: python, when the system has it, pushing into the terminal
if [ -x /usr/bin/python3 ]; then
    under_tty "$(printf '%q run -- /usr/bin/python3 -c %q' "$CLBOX" 'import fcntl, termios
try:
    fcntl.ioctl(0, termios.TIOCSTI, b"x"); print("injected")
except OSError as e:
    print("refused", e.errno)')"
    like "$OUT" 'refused' "TIOCSTI from python3 inside is refused"
else
    skip "TIOCSTI from python3 inside is refused" "no /usr/bin/python3"
fi

# --- the rest of the kernel attack surface, via the raw-syscall probe
sbx "${PROBE_ARGS[@]}" -- "$PROBE_IN" userns-unshare userns-clone clone3 io_uring mount keyctl bpf perf \
    userfaultfd setns ptrace-init mknod
probe_out=$OUT
for name in userns-unshare userns-clone clone3 mount keyctl bpf perf userfaultfd setns ptrace-init mknod; do
    like_line "$probe_out" "^$name: E[A-Z0-9]+$" "$name is refused"
done
like_line "$probe_out" '^io_uring: ENOSYS$' "io_uring_setup fails with ENOSYS"

# --- mount refused by the tools too
sbx -- sh -c 'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m 2>&1; grep -c " /tmp/m " /proc/self/mounts'
like_line "$OUT" '^0$' "'mount -t tmpfs' inside mounts nothing"
sbx -- sh -c 'umount /proc 2>&1; umount -l /tmp 2>&1; test -r /proc/self/status && echo proc-still-there'
like "$OUT" 'proc-still-there' "umount of /proc inside fails"

# --- pid namespace: only the sandbox's processes
host_pids=$(find /proc -mindepth 1 -maxdepth 1 -name '[0-9]*' | wc -l)
sbx -- sh -c 'ls /proc | grep -c "^[0-9]"'
diag "processes visible: $OUT inside, $host_pids outside"
ok "few processes are visible inside (<= 5)" test "$RC" -eq 0 -a -n "$OUT" -a "${OUT:-99}" -le 5
sbx -- sh -c 'echo $$; grep "^Uid:" /proc/1/status | cut -f2; grep "^PPid:" /proc/$$/status | cut -f2'
pid=$(sed -n 1p <<<"$OUT")
uid1=$(sed -n 2p <<<"$OUT")
ppid=$(sed -n 3p <<<"$OUT")
ok "the command's pid is small (new pid namespace): ${pid:-none}" test -n "$pid" -a "${pid:-99}" -le 5
is "$uid1" "$MY_UID" "pid 1 inside runs as the user: it is the sandbox's init, not the host's"
is "$ppid" "1" "the command's parent is pid 1 (the sandbox's init)"
sbx -- sh -c 'kill -9 1; echo "kill status $?"'
ok "the command cannot kill the sandbox init (exit 0, output printed)" test "$RC" -eq 0 -a -n "$(grep 'kill status' <<<"$OUT")"
sbx -- sh -c 'for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr "\0" " "; echo; done'
unlike "$OUT" '30-hardening|systemd|sshd|agetty' "no host process (not even this test script) is visible in /proc"

# --- no way back to the host through /proc or inherited descriptors
touch "$T_ROOT/host-root-marker"
sbx -- sh -c '
    for p in /proc/[0-9]*; do
        for l in $p/root $p/cwd $p/fd/*; do
            test -e "$l$0" && echo "host reachable via $l"
        done
    done; true' "$T_ROOT/host-root-marker"
is "$OUT" "" "no /proc/PID/root, cwd or fd inside leads to the host's root"
# Each descriptor is looked at by number from the shell itself: a listing
# through a pipeline would also show the pipeline's own descriptors.
sbx -- sh -c 'for fd in 0 1 2 3 4 5 6 7 8 9 10 11 12; do [ -e /proc/$$/fd/$fd ] && printf "%s " $fd; done; true' 7<"$T_ROOT" 8>"$T_ROOT/fd8"
OUT=${OUT% }
is "$OUT" "0 1 2" "the command gets only descriptors 0, 1 and 2 (nothing of the launcher's, no inherited directory)"
diag "host /run has: $(find /run -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)"
sbx -- ls -A /run
is "$OUT" "" "/run inside is empty: nothing of the host's /run"

# --- /dev: minimal
sbx -- sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d && echo $d; done'
is "$OUT" "null"$'\n'"zero"$'\n'"full"$'\n'"random"$'\n'"urandom"$'\n'"tty" "/dev has null zero full random urandom tty as character devices"
sbx -- sh -c 'find /dev -type b 2>/dev/null; for d in mem kmem port kmsg sda vda nvme0 fuse net/tun loop0 loop-control; do test -e /dev/$d && echo /dev/$d; done; true'
is "$OUT" "" "/dev has no block devices, no mem/kmem/port/kmsg/tun/fuse/loop"
sbx -- sh -c 'test -d /dev/pts && test -d /dev/shm && echo x > /dev/shm/f && cat /dev/shm/f'
is "$OUT" "x" "/dev/pts exists and /dev/shm is writable"
sbx -- sh -c 'head -c 4 /dev/urandom | wc -c; echo hi > /dev/null && echo null-ok'
is "$OUT" "4"$'\n'"null-ok" "/dev/urandom and /dev/null work"

# --- setuid binaries give nothing (no_new_privs)
su_bin=$(command -v su || true)
if [ -n "$su_bin" ] && [ -u "$su_bin" ]; then
    sbx -- sh -c "$su_bin -c 'id -u' root </dev/null 2>&1; id -u"
    unlike_line "$OUT" '^0$' "a setuid su inside does not give uid 0"
else
    skip "a setuid su inside does not give uid 0" "no setuid su"
fi

# --- /sys and /proc/sys cannot be written
sbx -- sh -c 'echo 1 > /proc/sys/kernel/sysrq'
ok "/proc/sys is not writable" test "$RC" -ne 0
sbx -- touch /sys/clbox-test
ok "/sys is not writable" test "$RC" -ne 0
done_testing
