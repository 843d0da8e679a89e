#!/usr/bin/env bash
# Packets too big for an ESP tunnel (docs/ipsec.md, "MTU"). The tunnel MTU is
# the largest inner packet whose ESP packet fits the out port's MTU (1500):
#   room = 1500 - outer (20 IPv4, 40 IPv6; +8 with UDP) - 8 (ESP) - 8 (IV) - 16 (ICV)
#   tunnel MTU = (room & ~3) - 2        -> 1446, 1438, 1426, 1418
# Four outbound tunnel SAs from the server's networks to the client's inner
# addresses (IPv4/IPv6 outer, raw and in UDP/4500). For each:
#   1. ping -M do from the server, one byte over the tunnel MTU: ICMP
#      "fragmentation needed" (3/4) from 203.0.113.1 with next-hop MTU = the
#      tunnel MTU, mtu_exceeded +1 on port server; at the tunnel MTU the
#      echo leaves in one ESP packet of exactly 1500 bytes (outer DF set);
#   2. IPv6 inside: the same with ICMPv6 Packet Too Big from 2001:db8:5::1;
#   3. a 1500-byte IPv4/UDP packet with DF clear: the ESP packet is
#      fragmented by the gateway (IPv4 fragments, or IPv6 fragment headers
#      for an IPv6 outer), each fragment <= 1500; scapy reassembles them,
#      decrypts, and the inner packet is byte for byte what the server sent
#      (TTL one less).
# The client is scapy and tcpdump only: it decrypts, never answers.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

MTU_PY=$SGW_SRC/test/integration/esp_mtu.py
# The road warrior's inner addresses: only inside the namespaces and inside
# the tunnel, never routed by the root namespace.
SGW_PREFIXES+=(10.10.0.0/24)

command -v tcpdump >/dev/null || sgw_fail "tcpdump is missing (scripts/deps installs it)"
"$SGW_PY" -c 'import scapy.layers.ipsec, cryptography.hazmat.primitives.ciphers.aead' \
	2>/dev/null || sgw_fail "$SGW_PY cannot import scapy's IPsec (apt install python3-scapy)"

sgw_init
sgw_topology_create

#   name  outer encap inner4      inner6
PAIRS=(
	"v4raw 4 none 10.10.0.21 2001:db8:10::21"
	"v4udp 4 udp  10.10.0.22 2001:db8:10::22"
	"v6raw 6 none 10.10.0.23 2001:db8:10::23"
	"v6udp 6 udp  10.10.0.24 2001:db8:10::24"
)
PORT_MTU=1500

tunnel_mtu() { # OUTER ENCAP
	local hdr=20 room
	[ "$1" = 4 ] || hdr=40
	[ "$2" = none ] || hdr=$((hdr + 8))
	room=$((PORT_MTU - hdr - 8 - 8 - 16))
	echo $(((room & ~3) - 2))
}

hexkey() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Outbound SAs and policies only: nothing comes back through these tunnels.
# The pairs file is esp_peer.py's format (its inbound fields unused).
PAIRS_FILE=$SGW_TMP/mtu-pairs
write_ipsec() { # YAML
	local k=0 line name outer encap in4 in6 loc rem spi key sas="" pols=""
	: >"$PAIRS_FILE"
	for line in "${PAIRS[@]}"; do
		read -r name outer encap in4 in6 <<<"$line"
		k=$((k + 1))
		spi=$(printf '0x%04x' $((0x1100 + k)))
		key=$(hexkey 20)
		if [ "$outer" = 4 ]; then
			loc=198.51.100.1 rem=198.51.100.2
		else
			loc='"2001:db8:c::1"' rem='"2001:db8:c::2"'
		fi
		sas+="  - {name: $name, spi: $spi, direction: out, mode: tunnel, aead: aes-gcm-128, key: \"0x$key\", esn: false, local: $loc, remote: $rem, encap: $encap}"$'\n'
		pols+="  - {name: $name-4, direction: out, src: 203.0.113.0/24, dst: $in4/32, action: protect, sa: $name}"$'\n'
		pols+="  - {name: $name-6, direction: out, src: \"2001:db8:5::/64\", dst: \"$in6/128\", action: protect, sa: $name}"$'\n'
		echo "$name $outer $encap false $spi $key 0x$((2200 + k)) $key $in4 $in6 1 tunnel" >>"$PAIRS_FILE"
	done
	printf 'sas:\n%spolicies:\n%s' "$sas" "$pols" >"$1"
}
write_ipsec "$SGW_TMP/ipsec.yaml"
sgw_config_write "$SGW_TMP/sgwd.yaml" extra="$SGW_TMP/ipsec.yaml"
if ! out=$("$SGWD" --check-config "$SGW_TMP/sgwd.yaml" 2>&1); then
	printf '%s\n' "$out" >&2
	sgw_fail "sgwd --check-config rejects the configuration ($SGW_TMP/sgwd.yaml)"
fi

# The server reaches the inner addresses through the gateway.
sgw_sv ip route add 10.10.0.0/24 via 203.0.113.1
sgw_sv ip -6 route add 2001:db8:10::/64 via 2001:db8:5::1

# Captures: everything the gateway sends the client, and the ICMP errors
# the server gets. (ip netns exec, not sgw_cl: $! must be tcpdump's PID.)
start_tcpdump() { # NS NAME FILTER
	ip netns exec "$1" tcpdump -i veth0 -n -U --immediate-mode -s 0 -w "$SGW_TMP/$2.pcap" "$3" \
		2>"$SGW_TMP/$2.err" &
	TCPDUMP_PIDS+=($!)
	sgw_track_pid "$!"
	for _ in $(seq 50); do
		grep -q 'listening on' "$SGW_TMP/$2.err" && return 0
		sleep 0.1
	done
	sgw_fail "tcpdump ($2) did not start: $(cat "$SGW_TMP/$2.err")"
}
TCPDUMP_PIDS=()
start_tcpdump "$SGW_NS_CL" client "not ether src $SGW_MAC_CL"
start_tcpdump "$SGW_NS_SV" server "icmp or icmp6"

# The client kernel must stay silent about ESP it has no SA for.
ip netns exec "$SGW_NS_CL" "$SGW_PY" "$MTU_PY" absorb --ready "$SGW_TMP/absorb.ready" \
	>"$SGW_TMP/absorb.log" 2>&1 &
ABSORB_PID=$!
sgw_track_pid "$ABSORB_PID"
for _ in $(seq 50); do
	[ -e "$SGW_TMP/absorb.ready" ] && break
	sleep 0.1
done
[ -e "$SGW_TMP/absorb.ready" ] || sgw_fail "the ESP absorber did not start: $(cat "$SGW_TMP/absorb.log")"

sgw_start "$SGW_TMP/sgwd.yaml"

sgw_say "warming up: plaintext pings resolve the gateway's neighbours"
sgw_cl ping -n -q -c 2 -w 5 203.0.113.2 >/dev/null || sgw_fail "IPv4 forwarding does not work"
sgw_cl ping -n -q -c 2 -w 5 2001:db8:5::2 >/dev/null || sgw_fail "IPv6 forwarding does not work"

# --- helpers -----------------------------------------------------------------

stat_json() { sgw_ctl --json show stats; }
ctl_stat() { # KEY: a control-core counter
	stat_json | "$SGW_PY" -c 'import json,sys; print(json.load(sys.stdin)["control"][sys.argv[1]])' "$1"
}
# Counters are published by the worker; wait (up to 2 s) until KEY of PORT
# reaches WANT, then print it (more than WANT is reported by the caller).
port_stat_wait() { # PORT KEY WANT
	local v
	for _ in $(seq 20); do
		v=$(sgw_port_stat "$1" "$2")
		[ "$v" -ge "$3" ] && break
		sleep 0.1
	done
	sleep 0.2
	sgw_port_stat "$1" "$2"
}
ctl_stat_wait() { # KEY WANT
	local v
	for _ in $(seq 20); do
		v=$(ctl_stat "$1")
		[ "$v" -ge "$2" ] && break
		sleep 0.1
	done
	sleep 0.2
	ctl_stat "$1"
}

# ping from the server; its output (it gets no echo reply in any case).
sv_ping() { # FAMILY SIZE DST
	local fam=$1
	shift
	sgw_sv ping "-$fam" -n -c 1 -W 1 -M "do" -p 5a -s "$@" 2>&1 || true
}

# A DF ping one byte over the tunnel MTU, then one at it.
df_case() { # NAME FAMILY DST TUNNEL-MTU
	local name=$1 fam=$2 dst=$3 tmtu=$4 hl=28 b a a2 out want what
	[ "$fam" = 4 ] || hl=48
	if [ "$fam" = 4 ]; then
		want="Frag needed and DF set (mtu = $tmtu)" what="ICMP fragmentation needed"
	else
		want="Packet too big: mtu=$tmtu" what="ICMPv6 Packet Too Big"
	fi
	sgw_say "checking: $name: IPv$fam ping -M do of $((tmtu + 1)) bytes to $dst gets $what with MTU $tmtu"
	b=$(sgw_port_stat server drops.mtu_exceeded)
	out=$(sv_ping "$fam" $((tmtu + 1 - hl)) "$dst")
	printf '%s\n' "$out" | grep -E 'From|error|too long' | sed 's/^/  ping: /' || true
	a=$(port_stat_wait server drops.mtu_exceeded $((b + 1)))
	if printf '%s\n' "$out" | grep -qF "$want"; then
		sgw_ok "$name: ping reports '$want'"
	else
		printf '%s\n' "$out" | sed 's/^/  ping: /' >&2
		sgw_bad "$name: IPv$fam ping of $((tmtu + 1)) bytes: no '$want' from the gateway"
	fi
	if [ $((a - b)) -eq 1 ]; then
		sgw_ok "$name: server mtu_exceeded +1"
	else
		sgw_bad "$name: IPv$fam packet of $((tmtu + 1)) bytes: server mtu_exceeded +$((a - b)), expected +1"
	fi
	out=$(sgw_sv ip "-$fam" route get "$dst" 2>&1 || true)
	sgw_say "  server's route to $dst: $(printf '%s' "$out" | tr '\n' ' ' | tr -s ' ')"
	if ! printf '%s\n' "$out" | grep -qw "mtu $tmtu"; then
		sgw_bad "$name: the server's kernel did not learn path MTU $tmtu for $dst (ip route get: $out)"
	fi

	sgw_say "checking: $name: IPv$fam ping -M do of $tmtu bytes (the tunnel MTU) to $dst goes through"
	out=$(sv_ping "$fam" $((tmtu - hl)) "$dst")
	a2=$(port_stat_wait server drops.mtu_exceeded $((a + 1)))
	if printf '%s\n' "$out" | grep -qE 'From|local error|too long'; then
		printf '%s\n' "$out" | sed 's/^/  ping: /' >&2
		sgw_bad "$name: IPv$fam ping of $tmtu bytes (the tunnel MTU) was refused"
	elif [ "$a2" != "$a" ]; then
		sgw_bad "$name: IPv$fam packet of $tmtu bytes: server mtu_exceeded +$((a2 - a)), expected +0"
	else
		sgw_ok "$name: $tmtu bytes accepted (the ESP packet is checked at the end)"
	fi
	ICMP_EXPECT+=("$dst=$tmtu")
	ESP_EXPECT+=("$name:echo$fam:$tmtu")
}

# A 1500-byte IPv4/UDP packet with DF clear: the ESP packet is fragmented.
frag_case() { # NAME DST OUTER
	local name=$1 dst=$2 outer=$3 b a fb fa hexf=$SGW_TMP/udp-$1.hex
	sgw_say "checking: $name: IPv4/UDP of $PORT_MTU bytes, DF clear, to $dst leaves in IPv$outer fragments"
	b=$(sgw_port_stat server drops.mtu_exceeded)
	fb=$(ctl_stat fragments_out)
	sgw_sv "$SGW_PY" "$MTU_PY" send-udp --dst "$dst" --size "$PORT_MTU" --out "$hexf" ||
		sgw_fail "esp_mtu.py send-udp failed"
	fa=$(ctl_stat_wait fragments_out $((fb + 2)))
	a=$(sgw_port_stat server drops.mtu_exceeded)
	if [ $((fa - fb)) -eq 2 ]; then
		sgw_ok "$name: control fragments_out +2"
	else
		sgw_bad "$name: control fragments_out +$((fa - fb)) for one ESP packet of ~1556 bytes, expected +2"
	fi
	[ "$a" = "$b" ] || sgw_bad "$name: a DF-clear packet raised mtu_exceeded (+$((a - b)))"
	ESP_EXPECT+=("$name:udp:$hexf")
}

# --- the cases ---------------------------------------------------------------

ICMP_EXPECT=()
ESP_EXPECT=()
f0=$(ctl_stat fragmentation_failed)
for line in "${PAIRS[@]}"; do
	read -r name outer encap in4 in6 <<<"$line"
	tmtu=$(tunnel_mtu "$outer" "$encap")
	sgw_say "--- $name: IPv$outer outer, encap $encap: tunnel MTU $tmtu"
	df_case "$name" 4 "$in4" "$tmtu"
	df_case "$name" 6 "$in6" "$tmtu"
	frag_case "$name" "$in4" "$outer"
done
f1=$(ctl_stat fragmentation_failed)
[ "$f1" = "$f0" ] || sgw_bad "control fragmentation_failed +$((f1 - f0))"
sgw_check_alive

# --- what was on the wires ---------------------------------------------------

sleep 0.3
sgw_say "stopping the captures"
for p in "${TCPDUMP_PIDS[@]}"; do
	kill -INT "$p" 2>/dev/null || true
	sgw_wait_exit "$p" 5 || { kill -KILL "$p" 2>/dev/null || true; }
done
kill -TERM "$ABSORB_PID" 2>/dev/null || true
sgw_wait_exit "$ABSORB_PID" 5 || kill -KILL "$ABSORB_PID" 2>/dev/null || true
for f in client server; do
	sed "s/^/  tcpdump $f: /" "$SGW_TMP/$f.err"
	grep -q '^0 packets dropped by kernel' "$SGW_TMP/$f.err" ||
		sgw_bad "tcpdump on the $f side lost packets"
done

sgw_say "checking: the server got exactly one ICMP error per too-big packet, from the gateway, with the tunnel MTU"
if out=$("$SGW_PY" "$MTU_PY" check-icmp --pcap "$SGW_TMP/server.pcap" --expect "${ICMP_EXPECT[@]}" 2>&1); then
	printf '%s\n' "$out"
	sgw_ok "ICMP errors on the server wire"
else
	printf '%s\n' "$out" >&2
	sgw_bad "ICMP errors on the server wire: $(printf '%s\n' "$out" | grep ERROR | tr '\n' ';')"
fi

sgw_say "checking: the client got, per SA, the two echoes at the tunnel MTU in one 1500-byte ESP packet each, and the UDP packet in outer fragments that reassemble, decrypt and match what was sent"
if out=$("$SGW_PY" "$MTU_PY" check-esp --pcap "$SGW_TMP/client.pcap" --pairs "$PAIRS_FILE" \
	--expect "${ESP_EXPECT[@]}" 2>&1); then
	printf '%s\n' "$out"
	sgw_ok "ESP on the client wire"
else
	printf '%s\n' "$out" >&2
	sgw_bad "ESP on the client wire: $(printf '%s\n' "$out" | grep ERROR | tr '\n' ';')"
fi

sgw_check_alive
sgw_finish
