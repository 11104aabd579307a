#!/bin/bash
# tests/net/70-check.t - "clbox check" in the fake internet: its checklist
# passes with and without an allowlisted name (the allowlisted-name check is
# "ok" with one, "skip" without), its summary agrees with its lines, and an
# allowlisted name that cannot be reached is never reported "ok".
#
# The script runs itself inside the fake internet of tests/world/run-in-world.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"

# summary_agrees: the last line of OUT is "N checks: A ok, B failed, C
# skipped" and the lines above count A "ok", B "FAIL" and C "skip".
summary_agrees() {
    local last n a b c
    last=$(tail -n 1 <<<"$OUT")
    [[ $last =~ ^([0-9]+)\ checks:\ ([0-9]+)\ ok,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]] || return 1
    n=${BASH_REMATCH[1]} a=${BASH_REMATCH[2]} b=${BASH_REMATCH[3]} c=${BASH_REMATCH[4]}
    [ "$n" -eq $((a + b + c)) ] &&
        [ "$a" -eq "$(grep -c '^  ok  ' <<<"$OUT")" ] &&
        [ "$b" -eq "$(grep -c '^  FAIL  ' <<<"$OUT")" ] &&
        [ "$c" -eq "$(grep -c '^  skip  ' <<<"$OUT")" ]
}

# ----------------------------------------------------------- no allowlist
run "$CLBOX" check
is "$RC" 0 "clbox check (no --allow) exits 0"
like "$(tail -n 1 <<<"$OUT")" '^[0-9]+ checks: [0-9]+ ok, 0 failed, [0-9]+ skipped$' "... and its summary says 0 failed"
ok "... and the summary agrees with the lines" summary_agrees
unlike_line "$OUT" '^  FAIL  ' "... no FAIL line"
like_line "$OUT" '^  skip +allowlisted name' "... the allowlisted-name check is 'skip'"
like_line "$OUT" '^  ok +name not on the allowlist' "... the gate refused a name not on the allowlist"
like_line "$OUT" '^  ok +.*10\.0\.2\.3' "... slirp4netns's DNS forwarder 10.0.2.3 was refused"
like_line "$OUT" '^  ok +.*10\.0\.2\.2' "... the host's loopback (10.0.2.2) was refused"
# The check's own probe name never reached the DNS server.
names=$(grep -oE '\] [^ ]+ from ' "$WORLD_DNS_LOG" | awk '{print $2}' | sort -u | tr '\n' ' ')
unlike "$names" 'clbox-check|\.example ' "... and its probe name never reached the DNS server (asked: $names)"

# ------------------------------------------------------ an allowlisted name
run "$CLBOX" check --allow allowed.test:80
is "$RC" 0 "clbox check --allow allowed.test:80 exits 0"
like "$(tail -n 1 <<<"$OUT")" '^[0-9]+ checks: [0-9]+ ok, 0 failed, [0-9]+ skipped$' "... and its summary says 0 failed"
ok "... and the summary agrees with the lines" summary_agrees
like_line "$OUT" '^  ok +allowlisted name: allowed\.test .*reached' "... the allowlisted name allowed.test is 'ok', reached"
ok "... it was really asked upstream (allowed.test is in the DNS server's log)" \
    grep -qF '] allowed.test from ' "$WORLD_DNS_LOG"

# ------------------------------------- an allowlisted name that cannot work
# A name the world does not have: the check cannot claim it was reached.
run "$CLBOX" check --allow nosuch.allowed.test:80
like_line "$OUT" '^  (skip|FAIL) +allowlisted name: nosuch\.allowed\.test' \
    "clbox check --allow nosuch.allowed.test:80: the allowlisted-name check is not 'ok'"
unlike_line "$OUT" '^  ok +allowlisted name' "... no 'ok' line for it"
ok "... and the summary agrees with the lines" summary_agrees
done_testing
