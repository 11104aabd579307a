#!/bin/bash
# From inside, the firewall and the network cannot be changed: the command
# holds no capability in the namespace that owns the network.  After the
# attempts, an address that is not allowed is still refused and an allowed
# name still works.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
command -v nft >/dev/null || bail_out "nft (Debian package nftables) is needed for this test"

sbx --allow allowed.test -- sh -c '
  nft flush ruleset 2>&1; echo "flush=$?"
  ip link set tap0 down 2>&1; echo "down=$?"
  ip route del default 2>&1; echo "route=$?"
  curl -s -m 3 -o /dev/null http://203.0.113.11/; echo "raw=$?"
  curl -s -m 3 http://allowed.test/; echo " allowed=$?"'
like_line "$OUT" '^flush=[1-9]' "nft flush ruleset is refused"
like_line "$OUT" '^down=[1-9]' "ip link set tap0 down is refused"
like_line "$OUT" '^route=[1-9]' "the default route cannot be removed"
like "$OUT" "Operation not permitted" "... with EPERM"
like_line "$OUT" '^raw=7$' "afterwards, an address not allowed is still refused at once"
like_line "$OUT" "^ allowed=0$" "afterwards, the allowed name still works"
done_testing
