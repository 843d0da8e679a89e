#!/usr/bin/env bash
# sgwd's ESP against an independent implementation. The client namespace
# plays a road warrior whose ESP is scapy's (test/integration/esp_peer.py):
#   1. ESP-protected echo requests to the server for every tunnel combination
#      (IPv4/IPv6 inside IPv4/IPv6 outer, each raw and in UDP/4500), AES-GCM
#      128 and 256, ESN off and on with sequence numbers crossing 2^32 both
#      ways; the gateway's ESP replies are decrypted by scapy and every
#      header is checked;
#   2. 4 MB of TCP (and 1 MB over IPv6) through a TUN device whose packets a
#      scapy endpoint carries in ESP-in-UDP, sha256 compared;
#   3. tampered, replayed, stale, unknown, unprotected and dummy packets,
#      each raising its own drop counter by exactly what was sent and no
#      other; valid traffic flows afterwards;
#   4. sequence number exhaustion and hard packet lifetimes;
#   5. transport mode to the gateway itself (IPv4 and IPv6, raw and in
#      UDP/4500): scapy's ESP echo requests to the gateway's address are
#      answered by the gateway in ESP through its outbound transport SA;
#      plaintext from that address is refused;
#   6. tshark decrypts everything the gateway sent on the client wire, and
#      each SA's sequence numbers only go up.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

PEER_PY=$SGW_SRC/test/integration/esp_peer.py
# The road warrior's inner addresses: only inside the namespaces and inside
# the tunnel, never routed by the root namespace.
SGW_PREFIXES+=(10.10.0.0/24)

for t in tcpdump tshark; do
	command -v "$t" >/dev/null || sgw_fail "$t is missing (scripts/deps installs it)"
done
"$SGW_PY" -c 'import scapy.layers.ipsec, cryptography.hazmat.primitives.ciphers.aead' \
	2>/dev/null || sgw_fail "$SGW_PY cannot import scapy's IPsec (apt install python3-scapy)"

sgw_init
sgw_topology_create

# --- the SAs -------------------------------------------------------------------
#
# One sgwd run carries every SA pair. Pair k has the gateway's outbound SA
# 0x1000+k and inbound SA 0x2000+k. A tunnel pair's policies select the
# pair's own inner client addresses (to and from the server's networks), so
# the pairs do not overlap. A transport pair protects ICMP (IPv4) or ICMPv6
# between the client's address on the link and the gateway's: its policies
# are host-to-host and protocol-bound, disjoint from the tunnels' (whose
# gateway-side ends are the server's networks), and ARP is not IP.
# Neighbour discovery is ICMPv6, though, and sgwd's selectors cannot tell it
# from echo (no ICMP type/code selectors): under the IPv6 pair's policies
# the gateway's neighbour advertisements to 2001:db8:c::2 leave in ESP and
# that address's advertisements and unicast solicitations to the gateway
# are dropped as policy_unprotected, so neither side can resolve the other.
# The two are therefore static neighbours of each other (a route with 'mac'
# on the gateway, a permanent entry on the client), and IPv4 keeps ARP.
#   name mode outer encap aead esn out_seq out_hard in_hard inner4 inner6
PAIRS=(
	"m1   tunnel    4 udp  128 false -          - - 10.10.0.11 2001:db8:10::11"
	"m2   tunnel    4 none 256 true  4294967293 - - 10.10.0.12 2001:db8:10::12"
	"m3   tunnel    6 udp  128 true  4294967293 - - 10.10.0.13 2001:db8:10::13"
	"m4   tunnel    6 none 256 false -          - - 10.10.0.14 2001:db8:10::14"
	"tcp  tunnel    4 udp  128 false -          - - 10.10.0.2  2001:db8:10::2"
	"neg  tunnel    4 udp  128 false -          - - 10.10.0.3  2001:db8:10::3"
	"seqx tunnel    4 udp  256 false 4294967294 - - 10.10.0.17 2001:db8:10::17"
	"life tunnel    6 none 128 false -          3 4 10.10.0.18 2001:db8:10::18"
	"t4   transport 4 none 128 false -          - - 198.51.100.2 -"
	"t6   transport 6 udp  256 false -          - - - 2001:db8:c::2"
)
declare -A MODE OUT_SPI IN_SPI AEAD ESN ENCAP OUTER

hexkey() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Writes the sas/policies YAML appended to the harness's config, and the
# pairs file esp_peer.py reads (the same keys).
write_ipsec() { # YAML PAIRS-FILE
	local yaml=$1 tsv=$2 k=0 line name mode outer encap bits esn oseq ohard ihard in4 in6
	local loc rem ospi ispi okey ikey oopt iopt ipp sas="" pols=""
	: >"$tsv"
	for line in "${PAIRS[@]}"; do
		read -r name mode outer encap bits esn oseq ohard ihard in4 in6 <<<"$line"
		k=$((k + 1))
		ospi=$(printf '0x%04x' $((0x1000 + k)))
		ispi=$(printf '0x%04x' $((0x2000 + k)))
		okey=$(hexkey $((bits / 8 + 4)))
		ikey=$(hexkey $((bits / 8 + 4)))
		if [ "$outer" = 4 ]; then
			loc=198.51.100.1 rem=198.51.100.2
		else
			loc='"2001:db8:c::1"' rem='"2001:db8:c::2"'
		fi
		oopt="" iopt=""
		[ "$oseq" = - ] || oopt+=", seq: $oseq"
		[ "$ohard" = - ] || oopt+=", lifetime: {hard_packets: $ohard}"
		[ "$ihard" = - ] || iopt+=", lifetime: {hard_packets: $ihard}"
		sas+="  - {name: $name-out, spi: $ospi, direction: out, mode: $mode, aead: aes-gcm-$bits, key: \"0x$okey\", esn: $esn, local: $loc, remote: $rem, encap: $encap$oopt}"$'\n'
		sas+="  - {name: $name-in, spi: $ispi, direction: in, mode: $mode, aead: aes-gcm-$bits, key: \"0x$ikey\", esn: $esn, replay_window: 64, local: $loc, remote: $rem, encap: $encap$iopt}"$'\n'
		if [ "$mode" = transport ]; then
			# The client's own address and the gateway's, ICMP only.
			ipp=icmp
			[ "$outer" = 4 ] || ipp=icmpv6
			pols+="  - {name: $name-out$outer, direction: out, src: $loc, dst: $rem, proto: $ipp, action: protect, sa: $name-out}"$'\n'
			pols+="  - {name: $name-in$outer, direction: in, src: $rem, dst: $loc, proto: $ipp, action: protect, sa: $name-in}"$'\n'
		else
			pols+="  - {name: $name-out4, direction: out, src: 203.0.113.0/24, dst: $in4/32, action: protect, sa: $name-out}"$'\n'
			pols+="  - {name: $name-out6, direction: out, src: \"2001:db8:5::/64\", dst: \"$in6/128\", action: protect, sa: $name-out}"$'\n'
			pols+="  - {name: $name-in4, direction: in, src: $in4/32, dst: 203.0.113.0/24, action: protect, sa: $name-in}"$'\n'
			pols+="  - {name: $name-in6, direction: in, src: \"$in6/128\", dst: \"2001:db8:5::/64\", action: protect, sa: $name-in}"$'\n'
			sgw_cl ip addr add "$in4/32" dev lo
			sgw_cl ip -6 addr add "$in6/128" dev lo
		fi
		echo "$name $outer $encap $esn $ospi $okey $ispi $ikey $in4 $in6 ${oseq/#-/1} $mode" >>"$tsv"
		MODE[$name]=$mode OUT_SPI[$name]=$ospi IN_SPI[$name]=$ispi AEAD[$name]=aes-gcm-$bits
		ESN[$name]=$esn ENCAP[$name]=$encap OUTER[$name]=$outer
	done
	printf 'sas:\n%spolicies:\n%s' "$sas" "$pols" >"$yaml"
}

PAIRS_FILE=$SGW_TMP/esp-pairs
STATE_FILE=$SGW_TMP/esp-state.json
write_ipsec "$SGW_TMP/ipsec.yaml" "$PAIRS_FILE"
sgw_config_write "$SGW_TMP/sgwd.yaml" extra="$SGW_TMP/ipsec.yaml" \
	routes=$'{to: 10.10.0.0/24, via: 198.51.100.2}\n{to: "2001:db8:10::/64", via: "2001:db8:c::2", mac: "'"$SGW_MAC_CL"$'"}'
if ! out=$("$SGWD" --check-config "$SGW_TMP/sgwd.yaml" 2>&1); then
	printf '%s\n' "$out" >&2
	sgw_fail "sgwd --check-config rejects the ESP configuration ($SGW_TMP/sgwd.yaml)"
fi

# The client's static neighbour entry for the gateway (see the SA table).
sgw_cl ip -6 neigh replace 2001:db8:c::1 lladdr "$SGW_MAC_GW_C" dev veth0 nud permanent

# The server reaches the road warrior's inner addresses through the gateway.
sgw_sv ip route add 10.10.0.0/24 via 203.0.113.1
sgw_sv ip -6 route add 2001:db8:10::/64 via 2001:db8:5::1

# Everything on the client wire, for tshark at the end.
# (ip netns exec, not sgw_cl: a function in the background is a subshell, and
# its PID is not tcpdump's.)
ip netns exec "$SGW_NS_CL" tcpdump -i veth0 -n -U --immediate-mode -s 0 -w "$SGW_TMP/wire.pcap" \
	2>"$SGW_TMP/tcpdump.err" &
TCPDUMP_PID=$!
sgw_track_pid "$TCPDUMP_PID"
for _ in $(seq 50); do
	grep -q 'listening on' "$SGW_TMP/tcpdump.err" && break
	sleep 0.1
done
grep -q 'listening on' "$SGW_TMP/tcpdump.err" || sgw_fail "tcpdump did not start: $(cat "$SGW_TMP/tcpdump.err")"

sgw_start "$SGW_TMP/sgwd.yaml"

sgw_say "warming up: plaintext pings resolve the gateway's neighbours"
sgw_cl ping -n -q -c 2 -w 5 203.0.113.2 >/dev/null || sgw_fail "IPv4 forwarding does not work"
sgw_cl ping -n -q -c 2 -w 5 2001:db8:5::2 >/dev/null || sgw_fail "IPv6 forwarding does not work"

# --- helpers -----------------------------------------------------------------

peer() { sgw_cl "$SGW_PY" "$PEER_PY" --pairs "$PAIRS_FILE" --state "$STATE_FILE" "$@"; }
peer_get() { peer get --pair "$1" "$2"; }

# Counters are published by the worker; give it a moment after the traffic.
settle() { sleep 0.5; }

ports_json() { # FILE
	sgw_ctl --json show ports >"$1" 2>&1 || {
		sgw_check_alive
		sgw_fail "sgwctl --json show ports failed: $(cat "$1")"
	}
}

# Compares two "show ports" snapshots with the expected growth of drop
# counters ("port.reason=N ..."); every other ESP, NAT-T, policy and SA
# drop counter of every port must stay where it was. Prints what grew;
# exits 1 on a mismatch.
sgw__delta_py='
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
want = {}
for kv in sys.argv[3:]:
    k, v = kv.split("=")
    want[k] = int(v)
def drops(doc):
    return {"%s.%s" % (p["name"], r): v for p in doc["ports"] for r, v in p["drops"].items()}
da, db = drops(a), drops(b)
for k in want:
    if k not in db:
        print("%s: no such counter in sgwctl --json show ports" % k)
        sys.exit(1)
grew = {k: db[k] - da.get(k, 0) for k in db if db[k] != da.get(k, 0)}
watched = ("esp_", "natt_", "policy_", "sa_")
bad = False
for k in sorted(set(want) | set(grew)):
    d = grew.get(k, 0)
    if k in want or k.split(".", 1)[1].startswith(watched):
        mark = "" if d == want.get(k, 0) else "   <-- expected +%d" % want.get(k, 0)
        bad |= bool(mark)
    else:
        mark = "   (not checked)"
    print("%s +%d%s" % (k, d, mark))
if not grew and not want:
    print("no drop counter moved")
sys.exit(1 if bad else 0)
'

# run_case DESCRIPTION "port.reason=N ..." PEER-ARGS...: runs esp_peer.py,
# which checks the replies; then the drop counters must have grown by
# exactly the given amounts (and no other ESP-related one).
run_case() {
	local what=$1 want=$2 rc=0 ok=1 delta
	shift 2
	sgw_say "checking: $what${want:+ (expect $want)}"
	ports_json "$SGW_TMP/before.json"
	peer "$@" || rc=$?
	settle
	ports_json "$SGW_TMP/after.json"
	case $rc in
	0) ;;
	1) ok=0; sgw_bad "$what: esp_peer.py found errors (above)" ;;
	*) ok=0; sgw_bad "$what: esp_peer.py failed with status $rc" ;;
	esac
	# shellcheck disable=SC2086 # want is a list
	if delta=$("$SGW_PY" -c "$sgw__delta_py" "$SGW_TMP/before.json" "$SGW_TMP/after.json" $want); then
		printf '%s\n' "$delta" | sed 's/^/  drops: /'
	else
		ok=0
		printf '%s\n' "$delta" | sed 's/^/  drops: /' >&2
		sgw_bad "$what: drop counters did not move as expected: $(printf '%s' "$delta" | grep -- '<--' | tr '\n' ';')"
	fi
	[ "$ok" = 0 ] || sgw_ok "$what"
}

# Per-SA state from "sgwctl --json show sa NAME". Checked if sgwctl has the
# command; if it has not, that is one failure, reported once.
SHOW_SA=unknown
sgw__sa_py='
import json, sys
doc = json.load(sys.stdin)
name = sys.argv[1]
sas = [s for s in doc.get("sas", []) if s.get("name") == name]
if len(sas) != 1:
    print("%d entries named %s in show sa" % (len(sas), name)); sys.exit(1)
sa, bad, shown = sas[0], [], []
for cond in sys.argv[2:]:
    if ">=" in cond:
        k, v = cond.split(">="); op = ">="
    else:
        k, v = cond.split("=", 1); op = "="
    if k not in sa:
        bad.append("no field %s" % k); continue
    got = sa[k]
    if op == ">=":
        ok = isinstance(got, int) and got >= int(v, 0)
    else:
        alts = v.split("|")
        if isinstance(got, bool):
            ok = str(got).lower() in alts
        elif isinstance(got, int):
            ok = any(got == int(a, 0) for a in alts)
        else:
            ok = str(got) in alts
    shown.append("%s=%s" % (k, json.dumps(got)))
    if not ok:
        bad.append("%s is %s, expected %s%s" % (k, json.dumps(got), "" if op == "=" else ">=", v))
print(" ".join(shown))
if bad:
    print("; ".join(bad)); sys.exit(1)
'
sa_check() { # NAME FIELD=VALUE|FIELD>=VALUE ...
	local name=$1 json out
	shift
	if [ "$SHOW_SA" = unknown ]; then
		if sgw_ctl --json show sa >/dev/null 2>&1; then
			SHOW_SA=yes
		else
			SHOW_SA=no
			sgw_bad "sgwctl --json show sa fails ($(sgw_ctl --json show sa 2>&1 | head -1)): per-SA counters NOT checked"
		fi
	fi
	[ "$SHOW_SA" = yes ] || return 0
	sgw_say "checking: show sa $name: $*"
	if ! json=$(sgw_ctl --json show sa "$name" 2>&1); then
		sgw_bad "sgwctl --json show sa $name failed: $json"
		return 0
	fi
	if out=$(printf '%s\n' "$json" | "$SGW_PY" -c "$sgw__sa_py" "$name" "$@" 2>&1); then
		sgw_ok "show sa $name: $out"
	else
		sgw_bad "show sa $name: $(printf '%s' "$out" | tr '\n' ' ')"
	fi
}

# The fields every SA shows, as configured.
sa_check_config() { # PAIR
	local p=$1 enc=${ENCAP[$1]} loc=198.51.100.1 rem=198.51.100.2
	[ "${OUTER[$p]}" = 4 ] || loc=2001:db8:c::1 rem=2001:db8:c::2
	local ports=()
	[ "$enc" = none ] || ports=(local_port=4500 remote_port=4500)
	sa_check "$p-out" spi="${OUT_SPI[$p]}" direction=out mode="${MODE[$p]}" aead="${AEAD[$p]}" \
		esn="${ESN[$p]}" encap="$enc" local=$loc remote=$rem "${ports[@]}"
	sa_check "$p-in" spi="${IN_SPI[$p]}" direction=in mode="${MODE[$p]}" aead="${AEAD[$p]}" \
		esn="${ESN[$p]}" encap="$enc" replay_window=64 local=$loc remote=$rem "${ports[@]}"
}

# What the peer counted must be what the gateway counted.
sa_check_traffic() { # PAIR
	local p=$1 top sent
	top=$(peer_get "$p" rx_top)
	sent=$(peer_get "$p" sent_max)
	sa_check "$p-out" packets="$(peer_get "$p" replies)" "bytes>=1" \
		"seq=$top|$((top + 1))" seq_exhausted=0 expired=0 errors=0
	sa_check "$p-in" packets="$(peer_get "$p" accepted)" "bytes>=1" seq="$sent" \
		replayed=0 left_of_window=0 icv_failed=0 errors=0
}

# --- 1. the tunnel matrix ----------------------------------------------------

for p in m1 m2 m3 m4; do
	ofam=${OUTER[$p]} enc=${ENCAP[$p]}
	label="$p (outer IPv${OUTER[$p]}, encap ${ENCAP[$p]}, ${AEAD[$p]}, esn ${ESN[$p]})"
	for fam in 4 6; do
		run_case "$label: IPv$fam in IPv$ofam echo through the tunnel" "" \
			ping --pair "$p" --inner "$fam" --count 3
	done
	# Either encapsulation is accepted on any SA; the reply keeps the SA's.
	other=udp
	[ "$enc" = udp ] && other=raw
	for fam in 4 6; do
		run_case "$label: IPv$fam in IPv$ofam sent as ${other/raw/raw ESP}, answered as the SA says" "" \
			ping --pair "$p" --inner "$fam" --count 2 --encap "$other"
	done
	if [ "${ESN[$p]}" = true ]; then
		run_case "$label: our sequence numbers cross 2^32 (the gateway's started at 2^32-3)" "" \
			ping --pair "$p" --inner 4 --esn-cross
	fi
done
for p in m1 m2 m3 m4; do
	sa_check_config "$p"
	sa_check_traffic "$p"
done

# --- 2. TCP through a scapy ESP endpoint -------------------------------------

sgw_say "starting the userspace ESP endpoint: TUN esptun0 <-> ESP-in-UDP, pair tcp (10.10.0.2)"
rm -f "$SGW_TMP/tun.ready"
ip netns exec "$SGW_NS_CL" "$SGW_PY" "$PEER_PY" --pairs "$PAIRS_FILE" --state "$STATE_FILE" \
	tun --pair tcp --ready "$SGW_TMP/tun.ready" >"$SGW_TMP/tun.log" 2>&1 &
TUN_PID=$!
sgw_track_pid "$TUN_PID"
for _ in $(seq 50); do
	[ -e "$SGW_TMP/tun.ready" ] && break
	sgw__alive "$TUN_PID" || break
	sleep 0.1
done
[ -e "$SGW_TMP/tun.ready" ] || sgw_fail "the ESP endpoint did not start: $(cat "$SGW_TMP/tun.log")"
sgw_cl ip link set esptun0 mtu 1400 up
sgw_cl ethtool -K esptun0 tx off tso off gso off >/dev/null 2>&1 || true
sgw_cl ip route add 203.0.113.2/32 dev esptun0 src 10.10.0.2
sgw_cl ip -6 route add 2001:db8:5::2/128 dev esptun0 src 2001:db8:10::2

sgw_say "checking: ping 10.10.0.2 -> 203.0.113.2 and 2001:db8:10::2 -> 2001:db8:5::2 through the endpoint"
if out=$(sgw_cl ping -n -c 3 -i 0.2 -w 5 203.0.113.2 2>&1) &&
	out6=$(sgw_cl ping -n -c 3 -i 0.2 -w 5 2001:db8:5::2 2>&1); then
	sgw_ok "pings through the ESP endpoint"
else
	printf '%s\n%s\n' "$out" "${out6:-}" >&2
	sgw_bad "ping through the ESP endpoint fails"
fi
for fam_size in "4 $((4 << 20))" "6 $((1 << 20))"; do
	read -r fam size <<<"$fam_size"
	sgw_say "checking: TCP $((size >> 20)) MB over IPv$fam inside ESP-in-UDP, sha256 compared"
	if sgw_tcp_transfer "$fam" "$size"; then
		sgw_ok "TCP over IPv$fam through the tunnel"
	else
		sgw_bad "TCP $((size >> 20)) MB over IPv$fam through the tunnel"
	fi
done
sgw_cl ip route del 203.0.113.2/32 dev esptun0
sgw_cl ip -6 route del 2001:db8:5::2/128 dev esptun0
kill -TERM "$TUN_PID"
if ! sgw_wait_exit "$TUN_PID" 5; then
	kill -KILL "$TUN_PID" 2>/dev/null || true
	sgw_bad "the ESP endpoint ignored SIGTERM"
fi
sed 's/^/  /' "$SGW_TMP/tun.log"
[ "${SGW_EXIT_STATUS:-1}" = 0 ] || sgw_bad "the ESP endpoint saw bad ESP from the gateway (status ${SGW_EXIT_STATUS:-?}; log above)"
sa_check_config tcp
sa_check_traffic tcp

# --- 3. what must be dropped -------------------------------------------------

sgw_say "negative cases on pair neg (inbound SPI ${IN_SPI[neg]}, replay window 64)"
run_case "valid traffic on pair neg before" "" ping --pair neg --inner 4 --count 2
run_case "one bit flipped in the ciphertext" "client.esp_icv_failed=3" craft --pair neg --case icv-ct --count 3
run_case "one bit flipped in the ICV" "client.esp_icv_failed=3" craft --pair neg --case icv-tag --count 3
run_case "one bit flipped in the SPI" "client.esp_unknown_spi=3" craft --pair neg --case spi-flip --count 3
run_case "the same valid packet twice" "client.esp_replayed=1" craft --pair neg --case replay
run_case "sequence number 100 after 200" "client.esp_left_of_window=1" craft --pair neg --case window
run_case "an unknown SPI, raw and in UDP" "client.esp_unknown_spi=4" craft --pair neg --case unknown-spi --count 4
run_case "NAT-T keepalives" "client.natt_keepalive=3" craft --pair neg --case keepalive --count 3
run_case "plaintext from the inner addresses (IPv4, IPv6)" "client.policy_unprotected=2" craft --pair neg --case plain
run_case "ESP whose inner source is not the SA's (IPv4, IPv6)" "client.esp_policy_mismatch=2" craft --pair neg --case mismatch
run_case "dummy packets (next header 59)" "client.esp_dummy=3" craft --pair neg --case dummy --count 3
run_case "padding not 1, 2, 3, ..." "client.esp_bad_padding=3" craft --pair neg --case badpad --count 3
run_case "ESP cut short" "client.esp_truncated=3" craft --pair neg --case trunc --count 3
run_case "valid IPv4 traffic on pair neg after all that" "" ping --pair neg --inner 4 --count 3
run_case "valid IPv6 traffic on pair neg after all that" "" ping --pair neg --inner 6 --count 3
sa_check neg-in replayed=1 left_of_window=1 icv_failed=6 "errors>=6" \
	seq="$(peer_get neg sent_max)"
sa_check neg-out packets="$(peer_get neg replies)" seq_exhausted=0 expired=0 errors=0

# --- 4. limits ---------------------------------------------------------------

run_case "outbound sequence numbers run out at 2^32-1 without ESN (seq 2^32-2, 2^32-1, then none)" \
	"server.sa_seq_exhausted=2" ping --pair seqx --inner 4 --count 4 --expect 2
sa_check seqx-out packets=2 seq_exhausted=2 "seq=4294967295|4294967296|0"
run_case "hard packet lifetimes: inbound 4, outbound 3" "client.sa_expired=1 server.sa_expired=1" \
	ping --pair life --inner 4 --count 5 --expect 3
sa_check life-out packets=3 expired=1
sa_check life-in packets=4 errors=1

# --- 5. transport mode to and from the gateway itself -----------------------
#
# The echo requests are addressed to the gateway: it decrypts them, hands
# them to its control core, and the control core's echo replies must leave
# through the outbound SPD, i.e. in ESP on the pair's outbound SA.

for p in t4 t6; do
	fam=${OUTER[$p]} enc=${ENCAP[$p]}
	label="$p (transport, IPv$fam, encap $enc, ${AEAD[$p]})"
	run_case "$label: ESP echo requests to the gateway's own address are answered in ESP" "" \
		ping --pair "$p" --inner "$fam" --count 3
	other=udp
	[ "$enc" = udp ] && other=raw
	run_case "$label: sent as ${other/raw/raw ESP}, answered as the SA says" "" \
		ping --pair "$p" --inner "$fam" --count 2 --encap "$other"
	# Plaintext for the gateway goes through the inbound SPD too (RFC 4301
	# 5.2): the pair's inbound policy covers it, so it must have come in ESP.
	run_case "$label: a plaintext echo to the gateway from the protected address is dropped" \
		"client.policy_unprotected=1" craft --pair "$p" --case plain
done
sgw_say "the transport policies after the cases:"
out=$(sgw_ctl show policies 2>&1) || true
printf '%s\n' "$out" | grep -E '^ +[0-9]+ +t[46]-' | sed 's/^/  /'
for p in t4 t6; do
	sa_check_config "$p"
	sa_check_traffic "$p"
done

# --- 6. tshark reads the gateway's ESP ---------------------------------------

sgw_say "stopping the capture"
kill -INT "$TCPDUMP_PID" 2>/dev/null || true
sgw_wait_exit "$TCPDUMP_PID" 5 || { kill -KILL "$TCPDUMP_PID" 2>/dev/null || true; }
sed 's/^/  tcpdump: /' "$SGW_TMP/tcpdump.err"
if ! grep -q '^0 packets dropped by kernel' "$SGW_TMP/tcpdump.err"; then
	sgw_bad "tcpdump lost packets: the ESP sequence check below may be off"
fi

uat=()
expect_counts=()
for line in "${PAIRS[@]}"; do
	read -r name _ <<<"$line"
	key=$(awk -v n="$name" '$1 == n { print $6 }' "$PAIRS_FILE")
	if [ "${OUTER[$name]}" = 4 ]; then
		u='"IPv4","198.51.100.1","198.51.100.2"'
	else
		u='"IPv6","2001:db8:c::1","2001:db8:c::2"'
	fi
	spi=$(printf '0x%08x' "${OUT_SPI[$name]}")
	uat+=(-o "uat:esp_sa:$u,\"$spi\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x$key\",\"NULL\",\"\"")
	expect_counts+=("$((OUT_SPI[$name])):${ESN[$name]}:$(peer_get "$name" replies):${MODE[$name]}")
done
sgw_say "checking: tshark decrypts the gateway's ESP on the client wire to ICMP/TCP inside (IP in tunnel mode, ICMP directly in transport mode), ICVs verify (non-ESN SAs), sequence numbers strictly increase per SA"
if ! tshark -r "$SGW_TMP/wire.pcap" -n -o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE "${uat[@]}" -Y esp \
	-T fields -E occurrence=f -e frame.number -e frame.protocols -e ip.src -e ipv6.src \
	-e esp.spi -e esp.sequence -e esp.icv_good >"$SGW_TMP/tshark.txt" 2>"$SGW_TMP/tshark.err"; then
	cat "$SGW_TMP/tshark.err" >&2
	sgw_bad "tshark failed on $SGW_TMP/wire.pcap"
fi
# shellcheck disable=SC2016 # python
if out=$("$SGW_PY" - "$SGW_TMP/tshark.txt" "${expect_counts[@]}" <<'PY' 2>&1
import re, sys
GW = {"198.51.100.1", "2001:db8:c::1"}
INNER = {"tunnel": re.compile(r":esp:(ip|ipv6):(icmp|icmpv6|tcp|udp)(:|$)"),
         "transport": re.compile(r":esp:()(icmp|icmpv6)(:|$)")}
expect = {}
for e in sys.argv[2:]:
    spi, esn, n, mode = e.split(":")
    expect[int(spi)] = (esn == "true", int(n), mode)
seen, bad = {}, []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 7:
        continue
    num, protos, src4, src6, spi, seq, good = f[:7]
    outer_v6 = protos.startswith("eth:ethertype:ipv6")
    if (src6 if outer_v6 else src4) not in GW:
        continue                      # ours, not the gateway's
    spi = int(spi, 16) if spi.startswith("0x") else int(spi)
    if spi not in expect:
        bad.append("frame %s: ESP with SPI %#x from the gateway" % (num, spi)); continue
    esn, _, mode = expect[spi]
    s = seen.setdefault(spi, {"n": 0, "last": None, "hi": 0, "protos": set(), "good": 0})
    s["n"] += 1
    m = INNER[mode].search(protos)
    if not m:
        bad.append("frame %s (SPI %#x seq %s, %s mode): not decrypted to %s: %s" % (
            num, spi, seq, mode, "ICMP directly" if mode == "transport" else "IP with ICMP/TCP/UDP",
            protos))
    else:
        s["protos"].add(m.group(1) + ":" + m.group(2) if m.group(1) else m.group(2))
    seq = int(seq)
    if esn and s["last"] is not None and seq < (s["last"] & 0xFFFFFFFF) and \
            (s["last"] & 0xFFFFFFFF) - seq > 1 << 31:
        s["hi"] += 1                  # ESN: the low half wrapped
    full = s["hi"] << 32 | seq
    if s["last"] is not None and full <= s["last"]:
        bad.append("frame %s: SPI %#x sequence number %#x after %#x" % (num, spi, full, s["last"]))
    s["last"] = full
    if good in ("1", "True"):
        s["good"] += 1
    elif not esn:
        bad.append("frame %s: SPI %#x seq %#x: tshark finds the ICV wrong (%r)" % (num, spi, full, good))
for spi, (esn, n, mode) in sorted(expect.items()):
    s = seen.get(spi, {"n": 0, "protos": set(), "good": 0, "last": None})
    print("SPI %#x (%s): %d packets (scapy decrypted %d), inner %s, ICV verified by tshark: %s, last seq %s" % (
        spi, mode, s["n"], n, ",".join(sorted(s["protos"])) or "-",
        "n/a (tshark 4.0 has no ESN)" if esn else "%d/%d" % (s["good"], s["n"]),
        "-" if s["last"] is None else "%#x" % s["last"]))
    if s["n"] != n:
        bad.append("SPI %#x: tshark sees %d packets from the gateway, scapy decrypted %d" % (spi, s["n"], n))
for b in bad[:20]:
    print("ERROR: " + b)
sys.exit(1 if bad else 0)
PY
); then
	printf '%s\n' "$out" | sed 's/^/  /'
	sgw_ok "tshark decodes every ESP packet of the gateway"
else
	printf '%s\n' "$out" | sed 's/^/  /' >&2
	sgw_bad "tshark's view of the gateway's ESP (above)"
fi

# Without keys tshark cannot look inside ESP: whatever ICMP it finds from
# the gateway's own addresses was sent in clear.
sgw_say "checking: no ICMP (IPv6: no echo) from the gateway's client-side addresses to the client's in clear on the wire"
if ! out=$(tshark -r "$SGW_TMP/wire.pcap" -n \
	-Y '(ip.src == 198.51.100.1 && ip.dst == 198.51.100.2 && icmp) || (ipv6.src == 2001:db8:c::1 && ipv6.dst == 2001:db8:c::2 && icmpv6.type >= 128 && icmpv6.type <= 129)' \
	-T fields -e frame.number -e _ws.col.Info 2>"$SGW_TMP/tshark.err"); then
	cat "$SGW_TMP/tshark.err" >&2
	sgw_bad "tshark failed on $SGW_TMP/wire.pcap"
elif [ -n "$out" ]; then
	printf '%s\n' "$out" | head -20 | sed 's/^/  /' >&2
	sgw_bad "the gateway sent ICMP in clear that its transport policies protect ($(printf '%s\n' "$out" | wc -l) frames, above)"
else
	sgw_ok "every ICMP echo reply of the gateway to the client went out in ESP"
fi

sgw_check_alive
sgw_finish
