#!/usr/bin/env bash
# Port counters and the no_route drop counter follow the traffic that was sent:
# N forwarded pings raise client rx and server tx by N (plus a little ARP/ND
# noise); K pings to an unrouted destination raise drops.no_route by exactly K
# and each gets an ICMP/ICMPv6 destination unreachable from the gateway.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

N=50      # forwarded pings
K=5       # pings per unrouted destination
SLACK=10  # ARP, ND and MLD frames that may share the counters

sgw_init
sgw_topology_create
# A /25 on the server port: 203.0.113.200 has no route. No route covers
# 2001:db8:99::/48 either.
sgw_config_write "$SGW_TMP/sgwd.yaml" server_addrs="203.0.113.1/25, 2001:db8:5::1/64"
sgw_start "$SGW_TMP/sgwd.yaml"

# get VAR PORT KEY: VAR=KEY of PORT from "sgwctl --json show ports".
get() {
	local v
	if ! v=$(sgw_port_stat "$2" "$3"); then
		sgw_check_alive
		sgw_fail "cannot read $3 of port $2 from sgwctl --json show ports"
	fi
	printf -v "$1" '%s' "$v"
}

# Counters are published by the worker; give it a moment after the traffic.
settle() { sleep 0.5; }

sgw_say "warming up: resolve neighbours in both directions"
sgw_cl ping -n -q -c 2 -w 5 203.0.113.2 >/dev/null || sgw_fail "IPv4 forwarding does not work"
sgw_cl ping -n -q -c 2 -w 5 2001:db8:5::2 >/dev/null || sgw_fail "IPv6 forwarding does not work"
settle

sgw_say "checking: $N pings client -> server raise client rx_packets and server tx_packets by $N..$((N + SLACK))"
rx0=0 tx0=0 rx1=0 tx1=0
get rx0 client rx_packets
get tx0 server tx_packets
out=$(sgw_cl ping -n -q -c "$N" -i 0.02 -W 1 203.0.113.2 2>&1) || true
settle
get rx1 client rx_packets
get tx1 server tx_packets
printf '%s\n' "$out" | grep 'packets transmitted'
drx=$((rx1 - rx0))
dtx=$((tx1 - tx0))
if [ "$drx" -lt "$N" ] || [ "$drx" -gt $((N + SLACK)) ]; then
	sgw_bad "client rx_packets grew by $drx ($rx0 -> $rx1), expected $N..$((N + SLACK))"
fi
if [ "$dtx" -lt "$N" ] || [ "$dtx" -gt $((N + SLACK)) ]; then
	sgw_bad "server tx_packets grew by $dtx ($tx0 -> $tx1), expected $N..$((N + SLACK))"
fi
sgw_say "  client rx_packets +$drx, server tx_packets +$dtx"

# no_route DST PATTERN: K pings to DST; the gateway must answer with an ICMP
# error matching PATTERN and count exactly K no_route drops on port client.
no_route() {
	local dst=$1 pat=$2 d0 d1 out
	sgw_say "checking: $K pings to $dst give '$pat' and drops.no_route +$K on port client"
	get d0 client drops.no_route
	out=$(sgw_cl ping -n -c "$K" -i 0.2 -W 1 "$dst" 2>&1) || true
	settle
	get d1 client drops.no_route
	if ! printf '%s\n' "$out" | grep -Eq "$pat"; then
		printf '%s\n' "$out" >&2
		sgw_bad "ping $dst: no line matching '$pat'"
	else
		sgw_ok "$(printf '%s\n' "$out" | grep -Em1 "$pat")"
	fi
	if [ $((d1 - d0)) -eq "$K" ]; then
		sgw_ok "drops.no_route +$K"
	else
		sgw_bad "ping $dst: drops.no_route on client grew by $((d1 - d0)) ($d0 -> $d1), expected exactly $K"
	fi
}

no_route 203.0.113.200 '^From 198\.51\.100\.1 .*Destination Net Unreachable'
no_route 2001:db8:99::1 '^From 2001:db8:c::1 .*Destination unreachable: No route'

sgw_finish
