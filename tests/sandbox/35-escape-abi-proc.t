#!/bin/bash
# More of the escape battery, with the raw-syscall probe: foreign syscall
# ABIs end the process (SIGSYS from seccomp, never a quiet return), init's
# memory cannot be read, and /proc and the mount table show nothing of the
# host: no old root, no shared propagation, kcore empty, sysrq read-only.
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup
probe_setup

outside=$("$PROBE_IN" abi-x32 abi-i386 2>&1)
sbx --net none "${PROBE_ARGS[@]}" -- "$PROBE_IN" abi-x32 abi-i386 process_vm_readv-init
like_line "$OUT" '^abi-x32: SIGSYS$' "x32 system calls kill the process (seccomp's bad-arch action)"
if has_line "$outside" "abi-i386: SIGSEGV"; then
    # This kernel has no i386 emulation: int 0x80 faults even outside.
    like_line "$OUT" '^abi-i386: (SIGSYS|SIGSEGV)$' "i386 system calls end the process (this kernel lacks i386 emulation)"
else
    like_line "$OUT" '^abi-i386: SIGSYS$' "i386 system calls kill the process (seccomp's bad-arch action)"
fi
like_line "$OUT" '^process_vm_readv-init: EPERM$' "init's memory cannot be read with process_vm_readv"

sbx --net none -- sh -c 'cat /proc/self/mountinfo'
unlike "$OUT" 'shared:' "no mount inside propagates to or from the host (no shared peer groups)"
unlike "$OUT" 'oldroot|newroot' "no trace of the host's old root in the mount table"
is "$(awk '$5 == "/" {print $9}' <<<"$OUT")" "tmpfs" "the root is clbox's tmpfs"
# Some kernels have no kcore or sysrq at all; where they exist they are masked.
sbx --net none -- sh -c 'if [ -e /proc/kcore ]; then head -c 16 /proc/kcore | wc -c; else echo absent; fi'
like "$OUT" '^(0|absent)$' "/proc/kcore gives nothing"
sbx --net none -- sh -c 'echo h > /proc/sysrq-trigger'
is "$RC" 2 "/proc/sysrq-trigger cannot be written"
diag "$ERR"
sbx --net none -- sh -c 'readlink /proc/1/exe; ls /proc/1/root/ 2>&1 | head -1'
like "$OUT" "Permission denied" "init's exe and root cannot be followed"
done_testing
