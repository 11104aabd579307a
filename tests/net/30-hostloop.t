#!/bin/bash
# tests/net/30-hostloop.t - the host's loopback services seen from a --net filtered
# sandbox: closed (10.0.2.2 reaches nothing), and --allow-host-port PORT opens
# exactly the host's 127.0.0.1:PORT as 10.0.2.2:PORT, whatever else is allowed.
#
# The script runs itself inside the fake internet of tests/world/run-in-world;
# every probe inside the sandbox is bounded (curl -m 5, an alarm in the DNS
# client).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/networld.sh"
. "$SRCDIR/tests/lib/netsteps.sh"

# -------------------------------------------------- closed by default
steps -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/" "http http://127.0.0.1:8123/"
refused "http http://10.0.2.2:8123/" "no --allow-host-port: 10.0.2.2:8123 (the host's 127.0.0.1:8123) is refused at once"
refused "http http://10.0.2.2:8124/" "no --allow-host-port: 10.0.2.2:8124 is refused at once"
like_line "$ERR" '^clbox: blocked connection to 10\.0\.2\.2:8123 ' "the attempt on 10.0.2.2:8123 is reported"
refused "http http://127.0.0.1:8123/" "127.0.0.1:8123 inside is the sandbox's own loopback, not the host's"

# ------------------------------------------ --allow-host-port opens one port
steps --allow-host-port 8123 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/" \
    "http http://127.0.0.1:8123/"
reached "http http://10.0.2.2:8123/" "server 127.0.0.1:8123" "--allow-host-port 8123: 10.0.2.2:8123 reaches the host's 127.0.0.1:8123"
refused "http http://10.0.2.2:8124/" "--allow-host-port 8123: 10.0.2.2:8124 is still refused at once"
like_line "$ERR" '^clbox: blocked connection to 10\.0\.2\.2:8124 ' "... and reported"
refused "http http://127.0.0.1:8123/" "--allow-host-port 8123: the sandbox's own 127.0.0.1:8123 is still not the host's"

steps --allow-host-port 8123 --allow-host-port 8124 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/"
reached "http http://10.0.2.2:8123/" "server 127.0.0.1:8123" "two --allow-host-port: 8123 is reached"
reached "http http://10.0.2.2:8124/" "server 127.0.0.1:8124" "two --allow-host-port: 8124 is reached"

# ------------------- allowing 10.0.2.2 as an address does not open the host
steps --allow 10.0.2.2 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow 10.0.2.2 (no host port): 10.0.2.2:8123 stays refused"
steps --allow-host-port 8124 --allow 10.0.2.2 -- "http http://10.0.2.2:8123/" "http http://10.0.2.2:8124/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.2.2: 10.0.2.2:8123 stays refused"
reached "http http://10.0.2.2:8124/" "server 127.0.0.1:8124" "... while 8124 is reached"
steps --allow-host-port 8124 --allow 10.0.2.0/24 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.2.0/24: 10.0.2.2:8123 stays refused"
steps --allow-host-port 8124 --allow 10.0.0.0/8 -- "http http://10.0.2.2:8123/"
refused "http http://10.0.2.2:8123/" "--allow-host-port 8124 --allow 10.0.0.0/8 (a private range): 10.0.2.2:8123 stays refused"

# ------------------------- the host port is TCP to 10.0.2.2 only, not a name
world-set-host hostport.test 10.0.2.2 >/dev/null 2>&1 || diag "world-set-host hostport.test failed"
steps --allow-host-port 8123 --allow hostport.test -- "getent hostport.test"
step "getent hostport.test"
is "$S_RC:$S_OUT" "2:" "--allow-host-port 8123: a name resolving to 10.0.2.2 still resolves to nothing"
done_testing
