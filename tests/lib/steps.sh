# shellcheck shell=bash
# tests/lib/steps.sh STEP...: runs each STEP inside a sandbox and prints
# "STEP => rc=RC ms=MS RESULT".  A STEP is "http URL" (curl, 5 s at most),
# "dns ARGS" (dnsq.pl beside this file) or "getent NAME" (the sorted IPv4
# addresses, each followed by a space).
set -o pipefail
dnsq=$(dirname "$0")/dnsq.pl
for step; do
    a=$EPOCHREALTIME
    # shellcheck disable=SC2086 # the arguments of dnsq.pl, split into words
    case $step in
    "http "*) r=$(curl -sS -m 5 -g "${step#http }" 2>&1) ;;
    "dns "*) r=$(perl "$dnsq" ${step#dns }) ;;
    "getent "*) r=$(getent ahostsv4 "${step#getent }" | awk '{print $1}' | sort -u | tr '\n' ' ') ;;
    *) r="unknown step" ;;
    esac
    rc=$?
    z=$EPOCHREALTIME
    printf '%s => rc=%s ms=%s %s\n' "$step" "$rc" $(((${z//[.,]/} - ${a//[.,]/}) / 1000)) "${r//$'\n'/ }"
done
