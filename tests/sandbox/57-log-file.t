#!/bin/bash
# --log FILE is opened by clbox on the host, with the user's rights, so a
# sandbox must not be able to turn it into a write somewhere else: no link
# is followed as its last component, nor on the way where a sandbox can
# write (the project, the config dir, a --rw path); there, only a plain
# file the user made beforehand is taken (regular, one link, the user's);
# a FIFO or a device is refused without waiting; a new file is created
# mode 0600.  Every refusal is exit 125 with a message, before the command
# runs.  (The links below are made on the host, as an earlier sandbox
# would have made them.)
. "$SRCDIR/tests/lib/tap.sh"
sandbox_setup

outside=$T_ROOT/outside
mkdir -p "$outside"
victim=$outside/victim
echo "the user's file" >"$victim"
victim_sha=$(sha "$victim")
# A blocked lookup: the DNS gate reports it, so it goes to the log.
LOOKUP='getent hosts blocked.test >/dev/null; echo ran'
L_DNS='blocked DNS lookup of blocked\.test'

# refused_log DESC REGEX ARG...: `clbox run ARG... -- LOOKUP` ends with exit
# 125 and a "clbox: " message matching REGEX, and the command did not run.
refused_log() {
    local desc=$1 regex=$2
    shift 2
    sbx "$@" -- sh -c "$LOOKUP"
    if [ "$RC" = 125 ] && [ -z "$OUT" ] && grep -qE -- "^clbox: .*$regex" <<<"$ERR"; then
        pass "$desc"
    else
        fail "$desc" "expected exit 125, no output and a message matching /$regex/"
    fi
}

# ------------------------------------------------- links in writable views
ln -s "$victim" "$PROJECT/session.log"
refused_log "a link planted in the project as the log file: refused" "symbolic link" --log "$PROJECT/session.log"
is "$(sha "$victim")" "$victim_sha" "... and the file it points to is unchanged"

ln -s "$outside" "$PROJECT/logs"
refused_log "a link planted in the project on the way to the log: refused" "logs is a symbolic link" \
    --log "$PROJECT/logs/x.log"
refute "... and nothing was created through it" test -e "$outside/x.log"

ln -s "$PROJECT" "$T_ROOT/project-link"
refused_log "the same, reached through a link of the host's own: refused" "logs is a symbolic link" \
    --log "$T_ROOT/project-link/logs/x.log"
refute "... and nothing was created through it" test -e "$outside/x.log"

mkdir -p "$CONFIG_DIR_DEFAULT"
ln -s "$outside" "$CONFIG_DIR_DEFAULT/logs"
refused_log "a link planted in the config dir on the way to the log: refused" "symbolic link" \
    --log "$CONFIG_DIR_DEFAULT/logs/x.log"
refute "... and nothing was created through it" test -e "$outside/x.log"

shared=$T_ROOT/shared
mkdir -p "$shared"
ln -s "$outside" "$shared/logs"
refused_log "a link planted in a --rw path on the way to the log: refused" "symbolic link" \
    --rw "$shared" --log "$shared/logs/x.log"
refute "... and nothing was created through it" test -e "$outside/x.log"

ln -s "$victim" "$T_ROOT/log-link"
refused_log "a link as the last component, outside every view: refused (O_NOFOLLOW)" "symbolic link" \
    --log "$T_ROOT/log-link"
is "$(sha "$victim")" "$victim_sha" "... and the file it points to is unchanged"

# ------------------------------------- files in writable views: the user's only
ln "$victim" "$PROJECT/hard.log"
refused_log "a hard link in the project to a file outside: refused" "hard link" --log "$PROJECT/hard.log"
is "$(sha "$victim")" "$victim_sha" "... and the linked file is unchanged"

refused_log "a log file missing in the project: refused" "create it first|outside the project" \
    --log "$PROJECT/new.log"
refute "... and it was not created" test -e "$PROJECT/new.log"
refused_log "a log file missing in the config dir: refused" "create it first" --log "$CONFIG_DIR_DEFAULT/new.log"
refute "... and it was not created" test -e "$CONFIG_DIR_DEFAULT/new.log"
refused_log "a log file missing in a --rw path: refused" "create it first" --rw "$shared" --log "$shared/new.log"
refute "... and it was not created" test -e "$shared/new.log"
refused_log "--dry-run: a log file missing in the project is refused too" "create it first" --dry-run \
    --log "$PROJECT/new.log"

rm "$PROJECT/session.log"
: >"$PROJECT/session.log"
sbx --log "$PROJECT/session.log" -- sh -c "$LOOKUP"
is "$RC:$OUT" "0:ran" "a log file the user made in the project beforehand: taken"
like_line "$(cat "$PROJECT/session.log")" "$L_DNS" "... and the report is appended to it"

# ----------------------------------------------------- FIFOs, devices, dirs
mkfifo "$PROJECT/fifo.log"
refused_log "a FIFO in the project as the log: refused at once" "not a regular file" --log "$PROJECT/fifo.log"
mkfifo "$T_ROOT/fifo.log"
refused_log "a FIFO outside the views as the log: refused at once" "not a regular file" --log "$T_ROOT/fifo.log"
# With a reader on the FIFO, opening it for writing no longer fails by itself.
exec 4<>"$T_ROOT/fifo.log"
refused_log "a FIFO with a reader: refused" "not a regular file" --log "$T_ROOT/fifo.log"
exec 4>&-
refused_log "a device as the log: refused" "not a regular file" --log /dev/null
refused_log "a directory as the log: refused" "directory" --log "$T_ROOT"
refused_log "a log in a missing directory: refused" "x\.log" --log "$T_ROOT/no/such/dir/x.log"

# ---------------------------------------------------- outside every view
log=$T_ROOT/reports.log
(umask 022 && sbx --log "$log" -- sh -c "$LOOKUP")
sbx --log "$log" -- sh -c "$LOOKUP"
is "$RC:$OUT" "0:ran" "a new log file outside the views: the command runs"
is "$(stat -c %a "$log" 2>/dev/null)" 600 "... the file is created mode 0600 (umask 022)"
is "$(grep -cE "$L_DNS" "$log")" 2 "... and each run appends its report"
sbx --dry-run --log "$T_ROOT/dry.log" -- true
is "$RC" 0 "--dry-run with a new log file outside the views: accepted"
refute "... and the file is not created (a dry run changes nothing)" test -e "$T_ROOT/dry.log"

# The command inside never holds the log open: it could write there.
sbx --log "$PROJECT/session.log" -- sh -c 'for f in /proc/self/fd/*; do readlink "$f"; done'
unlike_line "$OUT" 'session\.log' "the log file is not open in the command"

# Names from the host's file system are printed as text.
mkdir -p "$PROJECT/$(printf 'd\033[31m')"
ln -s "$outside" "$PROJECT/$(printf 'd\033[31m')/l"
sbx --log "$PROJECT/$(printf 'd\033[31m')/l/x.log" -- true
is "$RC" 125 "a link in a directory with a control byte in its name: refused"
unlike "$ERR" $'\033' "... and the control byte never reaches the terminal"
done_testing
