#!/bin/bash
# The kernel attack surface the seccomp filter closes, call by call, with
# the raw-syscall probe: each call gets the errno the filter was designed to
# give (EPERM; ENOSYS for io_uring_setup and clone3, which libraries probe
# and must then fall back from), and none kills the process with SIGSYS.
#
# The same probe also runs outside, as the same unprivileged user without the
# filter.  Where the kernel itself answers that user differently (the probe
# passes a missing path, a bad descriptor or pointer, or flags any user may
# use), the answer inside can only have come from the filter; these calls are
# listed in distinct below and the script checks that they do differ.  The
# others the kernel refuses with EPERM on its own (its capability check comes
# first); for them the filter is a second lock, and the outside answer is
# shown in the assertion.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup
probe_setup

# name=designed errno
expected=(
    chroot=EPERM pivot_root=EPERM open_tree=EPERM open_tree-plain=EPERM move_mount=EPERM
    fsopen=EPERM fsconfig=EPERM fsmount=EPERM fspick=EPERM mount_setattr=EPERM
    mount=EPERM umount-missing=EPERM
    kexec=EPERM kexec_file_load=EPERM init_module=EPERM finit_module=EPERM
    bpf=EPERM perf=EPERM perf-null=EPERM userfaultfd=EPERM userfaultfd-user=EPERM
    keyctl=EPERM add_key=EPERM request_key=EPERM
    userns-unshare=EPERM userns-clone=EPERM clone3=ENOSYS io_uring=ENOSYS
    setns=EPERM setns-badfd=EPERM open_by_handle_at=EPERM name_to_handle_at=EPERM
    ptrace-init=EPERM
)
# Calls for which an unprivileged user outside gets another answer from the
# kernel (on any Linux that clbox runs on: 5.11 or later, user namespaces on).
distinct="chroot open_tree-plain fsconfig mount_setattr mount umount-missing perf-null userfaultfd-user keyctl add_key
request_key userns-unshare userns-clone clone3 setns-badfd name_to_handle_at"
names=()
for e in "${expected[@]}"; do names+=("${e%%=*}"); done

outside=$("$PROBE_IN" "${names[@]}" 2>&1)
sbx --net none "${PROBE_ARGS[@]}" -- "$PROBE_IN" "${names[@]}"
inside=$OUT
is "$RC" 0 "the probe ran every call inside and exited 0 (no SIGSYS kill)"
is "$(grep -c ': ' <<<"$inside")" "${#names[@]}" "... and printed an answer for each of the ${#names[@]} calls"
answer() { sed -n "s/^$2: //p" <<<"$1"; }
for e in "${expected[@]}"; do
    name=${e%%=*} want=${e#*=}
    is "$(answer "$inside" "$name")" "$want" "$name: $want inside (outside: $(answer "$outside" "$name"))"
done
for name in $distinct; do
    want=$(printf '%s\n' "${expected[@]}" | sed -n "s/^$name=//p")
    isnt "$(answer "$outside" "$name")" "$want" "$name outside gets the kernel's own answer, not the filter's $want"
done
done_testing
