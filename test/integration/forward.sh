#!/usr/bin/env bash
# sgwd forwards IPv4 and IPv6 between the client and server namespaces,
# answers pings to its own addresses, sends ICMP time-exceeded, and carries
# TCP and large packets intact.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

sgw_init
sgw_topology_create
sgw_config_write "$SGW_TMP/sgwd.yaml"
sgw_start "$SGW_TMP/sgwd.yaml"

# ping_ok NS-FUNCTION DESCRIPTION PING-ARGS...: three replies within 5 s
# (more requests may go out while neighbours are being resolved).
ping_ok() {
	local ns=$1 what=$2 out
	shift 2
	sgw_say "checking: $what"
	if ! out=$("$ns" ping -n -c 3 -i 0.2 -w 5 "$@" 2>&1); then
		printf '%s\n' "$out" >&2
		sgw_bad "$what: ping $* did not get 3 replies"
		return 0
	fi
	sgw_ok "$what: $(printf '%s\n' "$out" | grep -E 'packets transmitted')"
}

# expect_icmp NS-FUNCTION DESCRIPTION PATTERN PING-ARGS...: the ping fails and
# its output has a line matching PATTERN (an ICMP error from the gateway).
expect_icmp() {
	local ns=$1 what=$2 pat=$3 out
	shift 3
	sgw_say "checking: $what"
	out=$("$ns" ping -n -c 2 -i 0.3 -W 1 "$@" 2>&1) || true
	if ! printf '%s\n' "$out" | grep -Eq "$pat"; then
		printf '%s\n' "$out" >&2
		sgw_bad "$what: no line matching '$pat' in ping $*"
		return 0
	fi
	sgw_ok "$what: $(printf '%s\n' "$out" | grep -Em1 "$pat")"
}

ping_ok sgw_cl "client -> server IPv4" 203.0.113.2
ping_ok sgw_cl "client -> server IPv6" -6 2001:db8:5::2
ping_ok sgw_sv "server -> client IPv4" 198.51.100.2
ping_ok sgw_sv "server -> client IPv6" -6 2001:db8:c::2

for a in 198.51.100.1 2001:db8:c::1 203.0.113.1 2001:db8:5::1; do
	ping_ok sgw_cl "client -> gateway address $a" "$a"
	ping_ok sgw_sv "server -> gateway address $a" "$a"
done

expect_icmp sgw_cl "IPv4 TTL 1 gets Time to live exceeded from 198.51.100.1" \
	'^From 198\.51\.100\.1 .*Time to live exceeded' -t 1 203.0.113.2
expect_icmp sgw_cl "IPv6 hop limit 1 gets Time exceeded from 2001:db8:c::1" \
	'^From 2001:db8:c::1 .*Time exceeded' -6 -t 1 2001:db8:5::2

for fam in 4 6; do
	sgw_say "checking: TCP 8 MB client -> server over IPv$fam, sha256 compared"
	if sgw_tcp_transfer "$fam" $((8 << 20)); then
		sgw_ok "TCP over IPv$fam"
	else
		sgw_bad "TCP 8 MB over IPv$fam"
	fi
done

ping_ok sgw_cl "1400-byte payload, IPv4, DF set" -s 1400 -M "do" 203.0.113.2
ping_ok sgw_cl "1400-byte payload, IPv6" -6 -s 1400 2001:db8:5::2

# Bursts that mix destinations (the worker routes a burst at once and a run
# of packets to one destination with one lookup): nothing goes astray.
sgw_say "checking: bursts mixing IPv4, IPv6 and gateway-bound packets"
mix=$SGW_SRC/test/integration/burst_mix.py
sgw_sv "$SGW_PY" "$mix" sniff veth0 10 "$SGW_TMP/mix.json" "$SGW_TMP/mix.ready" &
mix_pid=$!
sgw_track_pid "$mix_pid"
for _ in $(seq 50); do [ -e "$SGW_TMP/mix.ready" ] && break; sleep 0.1; done
[ -e "$SGW_TMP/mix.ready" ] || sgw_fail "the sniffer in the server namespace did not start"
read -r n4 n6 ng < <(sgw_cl "$SGW_PY" "$mix" send 203.0.113.2 2001:db8:5::2 198.51.100.1 1200)
wait "$mix_pid" || true
if out=$("$SGW_PY" "$mix" check "$SGW_TMP/mix.json" "$n4" "$n6"); then
	sgw_ok "mixed bursts ($ng for the gateway): $out"
else
	sgw_bad "mixed bursts: $out"
fi

sgw_say "checking: sgwd still running"
sgw_ctl show status >/dev/null || sgw_fail "sgwctl show status failed at the end"
sgw_finish
