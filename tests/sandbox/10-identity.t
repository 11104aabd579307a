#!/bin/bash
# Identity inside the sandbox: same uid/gid as outside (never root), the
# working directory kept, fresh namespaces, loopback-only network.
. "${SRCDIR:-$(dirname "$0")/../..}/tests/lib/tap.sh"
sandbox_setup

# --- uid and gid
sbx -- id -u
is "$RC:$OUT" "0:$MY_UID" "id -u inside prints the user's own uid ($MY_UID)"
sbx -- id -g
is "$RC:$OUT" "0:$MY_GID" "id -g inside prints the user's own gid ($MY_GID)"
# The command's user namespace is nested in one where the user is root: its
# map names exactly one id, the user's own, onto that outer root (0).
sbx -- cat /proc/self/uid_map
like "$OUT" "^ *$MY_UID +0 +1$" "uid_map maps only the user's uid (to the outer namespace's root, the user)"
sbx -- cat /proc/self/gid_map
like "$OUT" "^ *$MY_GID +0 +1$" "gid_map maps only the user's gid (to the outer namespace's root, the user)"
sbx -- sh -c 'ls -ln "$1" | awk "{print \$3\":\"\$4}"' sh "$PROJECT/.git/HEAD"
is "$OUT" "$MY_UID:$MY_GID" "a project file shows the user's uid:gid as owner inside"

# --- working directory
sbx -- pwd
is "$RC:$OUT" "0:$PROJECT" "pwd inside is the directory clbox was started in"
sbx -- printenv PWD
is "$OUT" "$PROJECT" "PWD inside is that directory"

# --- namespaces: each differs from the one clbox was started in
for ns in user mnt pid net ipc uts cgroup; do
    host_ns=$(readlink "/proc/self/ns/$ns")
    sbx -- readlink "/proc/self/ns/$ns"
    if [ "$RC" -ne 0 ] || [ -z "$OUT" ]; then
        fail "$ns namespace is new" "could not read /proc/self/ns/$ns inside"
    else
        isnt "$OUT" "$host_ns" "$ns namespace is new (outside: $host_ns)"
    fi
done

# --- hostname (uts namespace): readable, and setting it is refused
sbx -- hostname
ok "hostname inside works and prints a name" test "$RC" -eq 0 -a -n "$OUT"
sbx -- sh -c 'hostname evil-name 2>&1; hostname'
isnt "$(tail -n1 <<<"$OUT")" "evil-name" "the command cannot change the hostname"

# --- network: loopback only
sbx -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
is "$RC:$OUT" "0:lo tap0 " "default --net filtered: loopback and slirp4netns's tap0, nothing of the host's"
sbx --net none -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
is "$RC:$OUT" "0:lo" "--net none: only the loopback interface exists"
sbx --net none -- sh -c 'grep -v "^ *sl" /proc/net/tcp /proc/net/tcp6 2>/dev/null | wc -l'
is "$OUT" "0" "no TCP sockets of the host are visible"
sbx --net none -- cat /proc/net/route
is "$(tail -n +2 <<<"$OUT")" "" "--net none: no IPv4 routes, nothing leaves the sandbox"
sbx --net bogus -- true
is "$RC" "125" "--net bogus is refused with exit 125"
like_line "$ERR" '^clbox: ' "--net bogus: the message starts with 'clbox: '"

# --- the user name and home are the user's
sbx -- sh -c 'echo "$HOME"; id -un'
is "$OUT" "$HOME"$'\n'"$(id -un)" "HOME and the user name inside are the user's"
done_testing
