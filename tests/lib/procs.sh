# shellcheck shell=bash
# tests/lib/procs.sh - finding what a sandbox leaves behind (bash).  Source
# it first, before tap.sh: it makes the script the leader of a session of
# its own.
#
# Processes are looked for in the test's session: clbox does not call
# setsid, so whatever a sandbox leaves behind (or a network stack that
# outlives its launcher) keeps it, while other tests (make -j runs them
# side by side, in make's session) and other users' work do not share it.
# "timeout" makes process groups, so groups would not do.
read -r _st <"/proc/$$/stat"
_st=${_st##*) }
read -r _ _ _ MY_SID _ <<<"$_st"
if [ "$MY_SID" != "$$" ]; then
    exec setsid --wait bash "$0" "$@"
fi

# (STACK_COMMS, the stacks' process names, comes from tap.sh.)

# Processes that still run: a zombie has ended, and one whose parent (a
# launcher killed by the test) is gone waits for the machine's init to reap
# it, which may take its time; it holds nothing but its pid.
LIVE_STATES=R,S,D,T,t,W,P,I

# ppid_of PID: the parent's pid, or nothing when PID is gone.
ppid_of() {
    local st
    read -r st 2>/dev/null <"/proc/$1/stat" || return 1
    st=${st##*) }
    read -r _ st _ <<<"$st"
    echo "$st"
}

# is_ours PID: true when PID is the test shell or runs below it.
is_ours() {
    local p=$1 n=0
    while [ -n "$p" ] && [ "$p" -gt 1 ] && [ "$n" -lt 64 ]; do
        [ "$p" = "$$" ] && return 0
        p=$(ppid_of "$p")
        n=$((n + 1))
    done
    return 1
}

# user_pids: the user's processes in this session, one pid a line, without
# the test shell and what runs below it.
user_pids() {
    local all p
    # shellcheck disable=SC2153 # sandbox_setup (tap.sh) sets MY_UID
    all=$(pgrep -r "$LIVE_STATES" -u "$MY_UID" -s "$MY_SID")
    for p in $all; do
        is_ours "$p" || echo "$p"
    done
}

# new_pids BEFORE: the processes of user_pids alive now that were not in
# BEFORE (an earlier output of user_pids), each as "pid command line".
new_pids() {
    local before=$1 p now
    now=$(user_pids)
    for p in $now; do
        has_line "$before" "$p" && continue
        { printf '%s %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline")"; } 2>/dev/null
    done
}
no_new_pids() { [ -z "$(new_pids "$1")" ]; }

# The network stacks running in this session, and whether there are none.
stack_count() { pgrep -c -r "$LIVE_STATES" -u "$MY_UID" -s "$MY_SID" -x "$STACK_COMMS"; }
stacks_shown() { pgrep -a -r "$LIVE_STATES" -u "$MY_UID" -s "$MY_SID" -x "$STACK_COMMS"; }
no_stack() { [ "$(stack_count)" -eq 0 ]; }
# stack_of LAUNCHER: the launcher's child that is a network stack.
stack_of() { pgrep -P "$1" -x "$STACK_COMMS"; }

marked_count() { pgrep -c -u "$MY_UID" -f "^$1"; }
marked_none() { [ "$(marked_count "$1")" -eq 0 ]; }
marked_at_least() { [ "$(marked_count "$1")" -ge "$2" ]; }

# dead PID...: true when every PID is gone (or a zombie).
dead() {
    local p st
    for p in "$@"; do
        read -r st 2>/dev/null <"/proc/$p/stat" || continue
        st=${st##*) }
        [ "${st%% *}" = Z ] || return 1
    done
}

# nothing_left DESC SECONDS BEFORE MARK [PID...]: passes when, within
# SECONDS, no new process of the session, none carrying MARK, no network
# stack and none of the PIDs is alive.
nothing_left() {
    local desc=$1 secs=$2 before=$3 mark=$4
    shift 4
    _all_gone() { no_new_pids "$before" && no_stack && marked_none "$mark" && dead "$@"; }
    if wait_for "$secs" _all_gone "$@"; then
        pass "$desc"
    else
        fail "$desc" "left: $(new_pids "$before")" "network stacks: $(stacks_shown)" \
            "marked: $(pgrep -a -u "$MY_UID" -f "^$mark")" "of pids $*: $(ps -o pid=,stat=,args= -p "$*" 2>/dev/null)"
        pkill -9 -u "$MY_UID" -f "^$mark"
    fi
}

# gate_of LAUNCHER: the DNS gate, the launcher's child that is clbox and
# not the sandbox's init.  (Both are non-dumpable, so /proc/PID/exe and
# ns/pid are unreadable; NSpid in status tells them apart: the init has a
# second pid, the one in its own pid namespace.)
gate_of() {
    local c comm nspid
    for c in $(pgrep -P "$1"); do
        comm=$(cat "/proc/$c/comm" 2>/dev/null)
        nspid=$(grep '^NSpid:' "/proc/$c/status" 2>/dev/null | wc -w)
        [ "$comm" = clbox ] && [ "$nspid" -eq 2 ] && echo "$c"
    done
}
