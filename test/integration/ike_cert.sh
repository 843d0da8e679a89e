#!/usr/bin/env bash
# sgwd's IKEv2 certificate authentication (RFC 7296 2.15, 3.6, 3.7; RFC
# 7427 digital signatures; RFC 7383 fragmentation) against strongSwan's
# charon, a road warrior in the client namespace (scripts/lib/charon.sh).
# Every run makes its own PKI with the openssl CLI in its temp dir (no key
# is ever committed); sgwd's configuration holds one peer per gateway
# identity, and charon one connection per case:
#   ecdsa      (interop 2) an EC P-256 CA; sgwd's certificate P-256 with
#              subjectAltName DNS:gw.sgw.test, the client's P-384 with
#              email:client@sgw.test and a DN subject. sgwd's peer 'ec'
#              takes "*@sgw.test":
#              1. the client initiates with identity client@sgw.test;
#                 charon's log shows sgwd's CERTREQ naming the EC CA,
#                 sgwd's certificate, and sgwd's signature verified with
#                 ECDSA P-256/SHA-256 (charon signed with P-384/SHA-384);
#                 a virtual IP from pool rw4 on ipsec0;
#              2. sgwd lists the IKE SA on peer 'ec' with the identities,
#                 the Child SA and the virtual IP;
#              3. ping both ways and 2 MB of TCP through the tunnel;
#              4. the same client with its DN "C=CH, O=sgw test,
#                 CN=client" as identity reaches sgwd's peer 'ecdn'
#                 (remote_id that DN), and pings through the tunnel.
#   rsa_chain  (interop 3) RSA-2048 root -> RSA-4096 intermediate -> the
#              gateway's and the client's RSA-2048 certificates. sgwd's
#              cert file holds its certificate and the intermediate,
#              charon sends its intermediate too: IKE_AUTH is some 3 kB
#              each way. On the client wire IKE_AUTH goes as several SKF
#              (Encrypted Fragment, payload 53) datagrams both ways,
#              numbered 1..N of N, none over 1280 bytes, and no IP
#              fragment at all; charon reassembles sgwd's fragments and
#              sees the intermediate; ping and 1 MB of TCP through it.
#   negative   each must fail, and leave no IKE SA in sgwd:
#              untrusted  a client certificate from a CA sgwd does not
#                         trust: sgwd answers AUTHENTICATION_FAILED (charon
#                         logs it), ike_authentication_failed grows by 1,
#                         sgwd logs "not trusted";
#              misnamed   the client claims "*@sgw.test", which charon's
#                         wildcard matching accepts for its certificate
#                         (email client@sgw.test) but no subjectAltName
#                         carries (charon does not send an identity its
#                         certificate does not confirm otherwise): sgwd
#                         logs that the certificate does not name it;
#              expired    a client certificate valid in January 2020 only
#                         (openssl ca -startdate/-enddate): sgwd logs
#                         "certificate has expired";
#              wrongca    sgwd's peer 'rogue' shows a certificate from a
#                         CA charon does not have: charon rejects it
#                         (its log says no trusted public key was found)
#                         and tells sgwd with AUTHENTICATION_FAILED in an
#                         INFORMATIONAL request; sgwd must drop the SA.
# At the end tshark decrypts all ESP on the client wire with the keys the
# client's charon logged (every ICV good, the tunnels' SPIs carried
# ICMP/TCP between the pool and the server) and nothing of the pool
# crossed the wire in clear.
#
# Environment: SGW_IKE_CERT_CASES (default "ecdsa rsa_chain negative")
# runs the named cases in that order; SGW_KEEP_TMP=1 keeps the logs, the
# PKI and the capture.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
# shellcheck disable=SC2317 # case_ functions are called by name
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/charon.sh
. "$SGW_SRC/scripts/lib/charon.sh"

CASES=${SGW_IKE_CERT_CASES:-ecdsa rsa_chain negative}

# The road warriors' virtual IPs: only inside the namespaces and tunnels.
POOL4=10.10.1.0/24
SGW_PREFIXES+=("$POOL4")

GW_ADDR=198.51.100.1
CL_ADDR=198.51.100.2
SERVER=203.0.113.2
SERVER_NET=203.0.113.0/24
PROPOSAL=aes128gcm16-prfsha256-x25519
CLIENT_DN="C=CH, O=sgw test, CN=client"
FRAG_SIZE=1280

for t in tcpdump tshark openssl; do
	command -v "$t" >/dev/null || sgw_fail "$t is missing (scripts/deps installs it)"
done

sgw_init
sgw_topology_create

# --- the PKI -------------------------------------------------------------------------

PKI=$SGW_TMP/pki
mkdir -p "$PKI/newcerts"
chmod 700 "$PKI"

pki_run() { # CMD... (openssl, quiet unless it fails)
	local out
	out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; sgw_fail "PKI: $* failed"; }
}

pki_key() { # NAME ec256|ec384|rsaBITS
	local alg
	case $2 in
	ec256) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
	ec384) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384) ;;
	rsa*) alg=(-algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}") ;;
	esac
	(umask 077 && pki_run openssl genpkey "${alg[@]}" -out "$PKI/$1.key")
	chmod 600 "$PKI/$1.key"
}

# The extensions of a certificate of kind ca, im (intermediate CA) or ee
# (end entity, subjectAltName SAN) in section "ext" of a file of its own.
pki_ext() { # FILE KIND [SAN]
	{
		echo "[ ext ]"
		case $2 in
		ca) printf '%s\n' "basicConstraints = critical, CA:TRUE" \
			"keyUsage = critical, keyCertSign, cRLSign" ;;
		im) printf '%s\n' "basicConstraints = critical, CA:TRUE, pathlen:0" \
			"keyUsage = critical, keyCertSign, cRLSign" ;;
		ee) printf '%s\n' "basicConstraints = CA:FALSE" \
			"keyUsage = critical, digitalSignature" \
			"extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.5.5.7.3.17" \
			"subjectAltName = $3" ;;
		esac
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid:always"
	} >"$1"
}

cat >"$PKI/req.cnf" <<'EOF'
[ req ]
distinguished_name = dn
[ dn ]
EOF

pki_root() { # NAME ALG SUBJECT
	pki_key "$1" "$2"
	pki_ext "$PKI/$1.ext" ca
	# openssl req takes the extensions from its -config only.
	cat "$PKI/req.cnf" "$PKI/$1.ext" >"$PKI/$1.cnf"
	pki_run openssl req -new -x509 -config "$PKI/$1.cnf" -key "$PKI/$1.key" -subj "$3" \
		-days 30 -sha256 -extensions ext -out "$PKI/$1.pem"
}

pki_cert() { # NAME ALG SUBJECT ISSUER KIND [SAN]
	pki_key "$1" "$2"
	pki_ext "$PKI/$1.ext" "$5" "${6:-}"
	pki_run openssl req -new -config "$PKI/req.cnf" -key "$PKI/$1.key" -subj "$3" \
		-out "$PKI/$1.csr"
	pki_run openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$4.pem" -CAkey "$PKI/$4.key" \
		-set_serial "0x$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')" -days 30 -sha256 \
		-extfile "$PKI/$1.ext" -extensions ext -out "$PKI/$1.pem"
}

# A certificate that expired long ago: openssl ca takes explicit dates,
# whatever the clock says.
pki_expired() { # NAME ALG SUBJECT ISSUER SAN
	pki_key "$1" "$2"
	pki_ext "$PKI/$1.ext" ee "$5"
	: >"$PKI/index.txt"
	od -An -tx1 -N8 /dev/urandom | tr -d ' \n' >"$PKI/serial"
	cat >"$PKI/ca.cnf" <<-EOF
	[ ca ]
	default_ca = old
	[ old ]
	database = $PKI/index.txt
	new_certs_dir = $PKI/newcerts
	serial = $PKI/serial
	default_md = sha256
	policy = any
	unique_subject = no
	[ any ]
	countryName = optional
	organizationName = optional
	commonName = supplied
	EOF
	pki_run openssl req -new -config "$PKI/req.cnf" -key "$PKI/$1.key" -subj "$3" \
		-out "$PKI/$1.csr"
	pki_run openssl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/$4.pem" -keyfile "$PKI/$4.key" \
		-in "$PKI/$1.csr" -out "$PKI/$1.pem" -notext -preserveDN \
		-startdate 20200101000000Z -enddate 20200201000000Z \
		-extfile "$PKI/$1.ext" -extensions ext
}

sgw_say "making the PKI in $PKI"
t0=$(date +%s%N)
# EC: the gateway P-256, the client P-384.
pki_root ca-ec ec256 "/C=CH/O=sgw test/CN=sgw test EC CA"
pki_cert gw-ec ec256 "/C=CH/O=sgw test/CN=gw.sgw.test" ca-ec ee "DNS:gw.sgw.test"
pki_cert client-ec ec384 "/C=CH/O=sgw test/CN=client" ca-ec ee "email:client@sgw.test"
pki_expired client-expired ec256 "/C=CH/O=sgw test/CN=expired" ca-ec "email:expired@sgw.test"
# RSA: a root, a 4096-bit intermediate, the gateway and the client.
pki_root rsa-root rsa2048 "/C=CH/O=sgw test/CN=sgw test RSA Root CA"
pki_cert rsa-im rsa4096 "/C=CH/O=sgw test/CN=sgw test RSA Intermediate CA" rsa-root im
pki_cert gw-rsa rsa2048 "/C=CH/O=sgw test/CN=gw-rsa.sgw.test" rsa-im ee "DNS:gw-rsa.sgw.test"
pki_cert client-rsa rsa2048 "/C=CH/O=sgw test/CN=client-rsa" rsa-im ee "email:client@rsa.sgw.test"
cat "$PKI/gw-rsa.pem" "$PKI/rsa-im.pem" >"$PKI/gw-rsa-chain.pem"
# A CA nobody trusts, for a client and for a gateway certificate.
pki_root ca-rogue ec256 "/C=CH/O=rogue/CN=rogue CA"
pki_cert client-rogue ec256 "/C=CH/O=rogue/CN=evil" ca-rogue ee "email:evil@sgw.test"
pki_cert gw-rogue ec256 "/C=CH/O=rogue/CN=gw-rogue.sgw.test" ca-rogue ee "DNS:gw-rogue.sgw.test"
sgw_say "PKI made in $((($(date +%s%N) - t0) / 1000000)) ms"
if openssl verify -CAfile "$PKI/ca-ec.pem" "$PKI/client-expired.pem" >/dev/null 2>&1; then
	sgw_fail "PKI: openssl verify accepts client-expired.pem"
fi
openssl verify -CAfile "$PKI/rsa-root.pem" -untrusted "$PKI/rsa-im.pem" "$PKI/client-rsa.pem" \
	"$PKI/gw-rsa.pem" >/dev/null || sgw_fail "PKI: the RSA chain does not verify"
openssl verify -CAfile "$PKI/ca-ec.pem" "$PKI/gw-ec.pem" "$PKI/client-ec.pem" >/dev/null ||
	sgw_fail "PKI: the EC certificates do not verify"

# --- sgwd ------------------------------------------------------------------------------

gw_peer() { # NAME CERT KEY CA LOCAL-ID REMOTE-ID
	cat <<-EOF
	  - name: $1
	    remote: any
	    auth: pubkey
	    cert: $PKI/$2
	    key: $PKI/$3
	    cacerts: [$PKI/$4]
	    local_id: "$5"
	    remote_id: "$6"
	    ike_proposals: [$PROPOSAL]
	    esp_proposals: [aes128gcm16]
	    pools: [rw4]
	    children:
	      - {name: net, local_ts: [$SERVER_NET], remote_ts: [dynamic]}
	EOF
}

gw_start_sgwd() {
	local ike=$SGW_TMP/ike.yaml out
	# sgwd picks the first peer whose identities match what the client
	# sends (IDi against remote_id, IDr against local_id): the gateway
	# identities tell them apart.
	{
		printf 'ike:\n  fragment_size: %s\n' "$FRAG_SIZE"
		printf 'pools:\n  - {name: rw4, addrs: %s}\npeers:\n' "$POOL4"
		gw_peer ec gw-ec.pem gw-ec.key ca-ec.pem gw.sgw.test "*@sgw.test"
		gw_peer ecdn gw-ec.pem gw-ec.key ca-ec.pem gw.sgw.test "$CLIENT_DN"
		gw_peer rsa gw-rsa-chain.pem gw-rsa.key rsa-root.pem gw-rsa.sgw.test "*@rsa.sgw.test"
		gw_peer rogue gw-rogue.pem gw-rogue.key ca-ec.pem gw-rogue.sgw.test "*@sgw.test"
	} >"$ike"
	sgw_config_write "$SGW_TMP/sgwd.yaml" extra="$ike" log_level=debug
	if ! out=$("$SGWD" --check-config "$SGW_TMP/sgwd.yaml" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		sgw_fail "sgwd --check-config rejects the certificate peers"
	fi
	sgw_start "$SGW_TMP/sgwd.yaml"
	sgw_say "sgwd (pid $SGW_PID) runs; log $SGW_LOG"
}

# sgwd's IKE daemon counters as "name=value" lines.
gw_counters() { # FILE
	sgw_ctl --json show stats 2>&1 | "$SGW_PY" -c '
import json, sys
doc = json.load(sys.stdin)
for k, v in sorted(doc.get("ike", {}).items()):
    print("%s=%s" % (k, v))
' >"$1" || sgw_fail "sgwctl --json show stats: $(cat "$1")"
}
gw_delta() { # BEFORE AFTER NAME
	local a b
	a=$(sed -n "s/^$3=//p" "$1")
	b=$(sed -n "s/^$3=//p" "$2")
	echo $((${b:-0} - ${a:-0}))
}
gw_moved() { # BEFORE AFTER
	join -t= "$1" "$2" | awk -F= '$3 != $2 { printf "%s+%d ", $1, $3 - $2 }'
}

# sgwd's IKE SAs: "ID PEER STATE LOCAL-ID REMOTE-ID SPI-I SPI-R VIPS" lines.
gw_ikes() {
	sgw_ctl --json show ike 2>/dev/null | "$SGW_PY" -c '
import json, sys
for s in json.load(sys.stdin).get("ike_sas", []):
    vips = ",".join(c.get("virtual_ip") or "-" for c in s.get("children", [])) or "-"
    print("\t".join(str(x) for x in (s.get("id"), s.get("peer"), s.get("state"), s.get("local_id"),
          s.get("remote_id"), s.get("spi_i"), s.get("spi_r"), vips)))
'
}
gw_ike_count() { gw_ikes | grep -c . || true; }
# sgwd's ESP SAs (both directions).
gw_sa_count() {
	sgw_ctl --json show sa 2>/dev/null | "$SGW_PY" -c '
import json, sys
print(len(json.load(sys.stdin).get("sas", [])))' || echo "?"
}

# sgwd's log lines since line FROM that match RE.
gw_log_since() { # FROM RE
	tail -n +"$1" "$SGW_LOG" | grep -E "$2" || true
}

# --- the client ----------------------------------------------------------------------

client_conn() { # CONN CERT LOCAL-ID GW-ID [LOCAL-CA] (LOCAL-ID empty: none)
	local idl="" cal=""
	[ -z "$3" ] || idl="id = \"$3\""
	# strongSwan 5.9.8 builds (and sends) the chain of its own certificate
	# only up to a CA named in local.cacerts; without one it sends its
	# end entity certificate alone.
	[ -z "${5:-}" ] || cal="cacerts = $5"
	cat <<-EOF
	  $1 {
	    version = 2
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    encap = yes
	    proposals = $PROPOSAL
	    local { auth = pubkey
	            certs = $2
	            $cal
	            $idl }
	    remote { auth = pubkey
	             id = "$4" }
	    children {
	      net { remote_ts = $SERVER_NET
	            esp_proposals = aes128gcm16
	            start_action = none }
	    }
	  }
	EOF
}

client_setup() {
	local d conf
	d=$(sgw_charon_dir client)
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	# charon trusts the EC CA and the RSA root; never the rogue CA. The
	# RSA intermediate goes with the end entity certificates in x509/
	# (charon sends it, see client_conn; sgwd must send its own).
	cp "$PKI/ca-ec.pem" "$PKI/rsa-root.pem" "$d/x509ca/"
	cp "$PKI/client-ec.pem" "$PKI/client-rsa.pem" "$PKI/client-rogue.pem" \
		"$PKI/client-expired.pem" "$PKI/rsa-im.pem" "$d/x509/"
	(umask 077 && cp "$PKI/client-ec.key" "$PKI/client-rsa.key" "$PKI/client-rogue.key" \
		"$PKI/client-expired.key" "$d/private/")
	chmod 600 "$d"/private/*
	conf=$SGW_TMP/client.conf
	{
		echo "connections {"
		client_conn ec client-ec.pem client@sgw.test gw.sgw.test
		client_conn ecdn client-ec.pem "$CLIENT_DN" gw.sgw.test
		# Without an id charon sends the certificate's subject as the
		# certificate encodes it (a diagnostic for ecdn only).
		client_conn ecsubj client-ec.pem "" gw.sgw.test
		client_conn rsa client-rsa.pem client@rsa.sgw.test gw-rsa.sgw.test rsa-root.pem
		client_conn untrusted client-rogue.pem evil@sgw.test gw.sgw.test
		client_conn misnamed client-ec.pem "*@sgw.test" gw.sgw.test
		client_conn expired client-expired.pem expired@sgw.test gw.sgw.test
		client_conn wrongca client-ec.pem client@sgw.test gw-rogue.sgw.test
		echo "}"
	} >"$conf"
	sgw_charon_load client "$conf" || sgw_fail "the client's charon refuses $conf"
	sgw_say "the client's charon loaded $(grep -c 'loaded certificate' "$d/load.out") certificates, $(grep -ci 'loaded .*key' "$d/load.out") keys, $(grep -c 'successfully loaded' "$d/load.out" || true) connection set(s)"
}

client_log_lines() { wc -l <"$(sgw_charon_log client)"; }
# Lines of the client's log since FROM (of IKE SA CONN) matching RE,
# without the time stamp and thread.
client_log() { # FROM CONN RE
	tail -n +"$1" "$(sgw_charon_log client)" | grep -E "<$2\\|[0-9]+> ($3)" |
		sed -E 's/^.*\] <[^>]*> //' || true
}

ike_diagnose() { # CONN FROM
	local log
	log=$(tail -n +"$2" "$(sgw_charon_log client)" | grep -E "<$1\\|" | sed -E 's/^.*\] <[^>]*> //')
	printf 'charon: %s; sgwd: %s' \
		"$(grep -E 'notify error|giving up|failed|no trusted|not found|constraint' <<<"$log" | tail -3 | tr '\n' ';')" \
		"$(gw_log_since "$GW_LOG_FROM" 'not trusted|does not|signature|no peer|AUTH|authentic' | tail -3 | tr '\n' ';')"
}

GW_LOG_FROM=1
mark() { # sets FROM (client log) and GW_LOG_FROM (sgwd log)
	FROM=$(($(client_log_lines) + 1))
	GW_LOG_FROM=$(($(wc -l <"$SGW_LOG") + 1))
}

ike_up() { # CONN; status 1 (with the reason) if it does not come up
	local conn=$1 t0 ms
	sgw_say "checking: the client initiates $conn/net"
	t0=$(date +%s%N)
	if ! sgw_charon_initiate client net 20 "$conn"; then
		sed 's/^/  swanctl: /' "$(sgw_charon_dir client)/initiate.out" | tail -15 >&2
		sgw_bad "$conn did not come up: $(ike_diagnose "$conn" "$FROM")"
		return 1
	fi
	ms=$((($(date +%s%N) - t0) / 1000000))
	if ! sgw_charon_wait_sa client "$conn" net 5; then
		sgw_bad "swanctl reports success but $conn/net is not ESTABLISHED/INSTALLED"
		return 1
	fi
	sgw_ok "$conn/net is up after $ms ms"
}

# A line of the client's log since FROM must match RE; shown when it does.
expect_client_log() { # CONN RE WHAT
	local l
	l=$(client_log "$FROM" "$1" "$2" | head -1)
	if [ -n "$l" ]; then
		sgw_ok "$3: charon: $l"
	else
		sgw_bad "$3: charon's log has no line like '$2' for $1"
	fi
}

# The SAs both ends hold for CONN: sgwd's IKE SA with the client's SPIs
# on PEER, the identities, and the virtual IP.
check_gw_sa() { # CONN PEER LOCAL-ID REMOTE-ID
	local conn=$1 spi_i spi_r vip line
	spi_i=$(sgw_charon_sa_field client "$conn" spi-i)
	spi_r=$(sgw_charon_sa_field client "$conn" spi-r)
	vip=$(sgw_charon_sa_field client "$conn" vips)
	line=$(gw_ikes | awk -F'\t' -v i="$spi_i" -v r="$spi_r" '$6 == i && $7 == r')
	if [ -z "$line" ]; then
		sgw_bad "$conn: sgwd lists no IKE SA ${spi_i}_i ${spi_r}_r: $(gw_ikes | tr '\t\n' ' ;')"
		return 0
	fi
	IFS=$'\t' read -r _ p st lid rid _ _ vips <<<"$line"
	# shellcheck disable=SC2053 # REMOTE-ID may be a pattern
	if [ "$p" = "$2" ] && [ "$st" = ESTABLISHED ] && [ "$lid" = "$3" ] &&
		[[ $rid == $4 ]] && [ "$vips" = "$vip" ]; then
		sgw_ok "$conn: sgwd's IKE SA on peer $p ($st), $lid <-> $rid, virtual IP $vips"
	else
		sgw_bad "$conn: sgwd's IKE SA is peer=$p state=$st ids '$lid' <-> '$rid' vip=$vips; expected peer=$2 ESTABLISHED '$3' <-> '$4' vip=$vip"
	fi
}

check_vip() { # CONN
	local vip
	vip=$(sgw_charon_sa_field client "$1" vips)
	if ! "$SGW_PY" -c 'import ipaddress, sys
a, n = ipaddress.ip_address(sys.argv[1]), ipaddress.ip_network(sys.argv[2])
sys.exit(a not in n or a in (n.network_address, n.broadcast_address))' "$vip" "$POOL4" 2>/dev/null; then
		sgw_bad "$1: the client's virtual IP is '$vip', not a host of $POOL4"
		return 1
	fi
	sgw_cl ip -4 addr show dev ipsec0 | grep -q "inet $vip/" ||
		sgw_bad "$1: the virtual IP $vip is not on the client's ipsec0"
	echo "$vip"
}

traffic() { # CONN BYTES (0: ping only)
	local vip out
	vip=$(sgw_charon_sa_field client "$1" vips)
	if out=$(sgw_cl ping -n -c 5 -i 0.2 -w 10 -I "$vip" "$SERVER" 2>&1); then
		sgw_ok "$1: ping $vip -> $SERVER: $(grep 'packets transmitted' <<<"$out")"
	else
		printf '%s\n' "$out" >&2
		sgw_bad "$1: ping from the virtual IP $vip to $SERVER through the tunnel"
	fi
	if out=$(sgw_sv ping -n -c 3 -i 0.2 -w 10 "$vip" 2>&1); then
		sgw_ok "$1: ping $SERVER -> $vip: $(grep 'packets transmitted' <<<"$out")"
	else
		printf '%s\n' "$out" >&2
		sgw_bad "$1: ping from $SERVER to the virtual IP $vip through the tunnel"
	fi
	[ "$2" -gt 0 ] || return 0
	if sgw_tcp_transfer 4 "$2" "$vip"; then
		sgw_ok "$1: $(($2 >> 10)) kB of TCP from $vip to $SERVER, sha256 equal"
	else
		sgw_bad "$1: TCP $(($2 >> 10)) kB from the virtual IP through the tunnel"
	fi
}

# The tunnels whose ESP the wire check must find: "CONN SPI-IN SPI-OUT".
TUNNELS=()
record_tunnel() { # CONN
	TUNNELS+=("$1 $(sgw_charon_sa_field client "$1" net spi-in) $(sgw_charon_sa_field client "$1" net spi-out)")
}

ike_down() { # CONN
	local i
	sgw_charon_terminate client --ike "$1" 10 || sgw_bad "terminating $1 did not complete"
	for ((i = 0; i < 25; i++)); do
		[ "$(gw_ike_count)" = 0 ] && [ "$(gw_sa_count)" = 0 ] && return 0
		sleep 0.2
	done
	sgw_bad "sgwd still holds $(gw_sa_count) ESP SA(s) and these IKE SAs after the client deleted $1: $(gw_ikes | tr '\t\n' ' ;')"
}

# --- ecdsa ---------------------------------------------------------------------------------

case_ecdsa() {
	local b=$SGW_TMP/ec.before a=$SGW_TMP/ec.after scheme
	mark
	gw_counters "$b"
	if ike_up ec; then
		sgw_say "checking: what charon saw of sgwd's certificate authentication"
		expect_client_log ec 'received cert request for "C=CH, O=sgw test, CN=sgw test EC CA"' \
			"sgwd's CERTREQ names the EC CA (SHA-1 of its public key)"
		expect_client_log ec 'received end entity cert "C=CH, O=sgw test, CN=gw.sgw.test"' \
			"sgwd sent its certificate"
		scheme=$(client_log "$FROM" ec "authentication of 'gw.sgw.test' with .* successful" | head -1)
		if [[ $scheme == *ECDSA*256* ]]; then
			sgw_ok "sgwd signed with ECDSA P-256/SHA-256 (RFC 7427): charon: $scheme"
		else
			sgw_bad "charon's verdict on sgwd's AUTH: '${scheme:-none}', expected ECDSA with SHA-256"
		fi
		scheme=$(client_log "$FROM" ec "authentication of 'client@sgw.test' \\(myself\\) with .* successful" | head -1)
		[[ $scheme == *ECDSA*384* ]] ||
			sgw_bad "charon signed with '${scheme:-?}', expected ECDSA with SHA-384 (P-384 key)"
		[ "$(sgw_charon_sa_field client ec remote-id)" = gw.sgw.test ] ||
			sgw_bad "the gateway authenticated as '$(sgw_charon_sa_field client ec remote-id)'"
		check_vip ec >/dev/null || true
		check_gw_sa ec ec gw.sgw.test client@sgw.test
		traffic ec $((2 << 20))
		gw_counters "$a"
		[ "$(gw_delta "$b" "$a" ike_authentication_failed)" = 0 ] ||
			sgw_bad "ike_authentication_failed grew on a good certificate"
		record_tunnel ec
		ike_down ec
	fi

	sgw_say "checking: the client's DN '$CLIENT_DN' as its identity (sgwd's peer ecdn)"
	mark
	if ike_up ecdn; then
		[ "$(sgw_charon_sa_field client ecdn local-id)" = "$CLIENT_DN" ] ||
			sgw_bad "ecdn: charon's identity is '$(sgw_charon_sa_field client ecdn local-id)'"
		check_vip ecdn >/dev/null || true
		check_gw_sa ecdn ecdn gw.sgw.test "$CLIENT_DN"
		traffic ecdn 0
		record_tunnel ecdn
		ike_down ecdn
	else
		sgw_say "sgwd's log for ecdn: $(gw_log_since "$GW_LOG_FROM" 'IKE_AUTH|peer|ident|cert|authentic' | tail -5 | tr '\n' ';')"
		# Diagnostic: the same DN as the certificate encodes it.
		sgw_say "diagnostic: the same client without an id (charon sends the certificate's subject DER as it is)"
		mark
		if sgw_charon_initiate client net 20 ecsubj && sgw_charon_wait_sa client ecsubj net 5; then
			sgw_say "diagnostic: ecsubj (the subject as the certificate encodes it) comes up on sgwd's peer $(gw_ikes | cut -f2 | head -1): the DN was refused for its encoding, not its value"
			sgw_charon_terminate client --ike ecsubj 10 || true
		else
			sgw_say "diagnostic: ecsubj fails as well: $(ike_diagnose ecsubj "$FROM")"
		fi
	fi
}

# --- rsa_chain ----------------------------------------------------------------------------

# The IKE datagrams of one IKE SA on the client wire: "FRAME SRC DST
# EXCH IP-LEN MF FRAG-OFFSET FIRST-PAYLOAD FRAG-NUMBER FRAG-TOTAL".
wire_ike() { # SPI-I
	tshark -r "$SGW_TMP/wire.pcap" -n -Y "isakmp.ispi == ${1//\"/}" -T fields \
		-E occurrence=f -e frame.number -e ip.src -e ip.dst -e isakmp.exchangetype \
		-e ip.len -e ip.flags.mf -e ip.frag_offset -e isakmp.nextpayload \
		-e isakmp.frag.number -e isakmp.frag.total 2>/dev/null
}

case_rsa_chain() {
	local spi out n bad
	mark
	ike_up rsa || return 0
	expect_client_log rsa 'sending end entity cert "C=CH, O=sgw test, CN=client-rsa"' \
		"charon sent its certificate"
	expect_client_log rsa 'sending issuer cert "C=CH, O=sgw test, CN=sgw test RSA Intermediate CA"' \
		"charon sent its intermediate"
	expect_client_log rsa 'splitting IKE message .* into [0-9]+ fragments' \
		"charon fragmented its IKE_AUTH request"
	expect_client_log rsa 'received fragment #[0-9]+ of [0-9]+, reassembled fragmented IKE message' \
		"charon reassembled sgwd's IKE_AUTH response"
	expect_client_log rsa 'received end entity cert "C=CH, O=sgw test, CN=gw-rsa.sgw.test"' \
		"sgwd sent its certificate"
	expect_client_log rsa 'received issuer cert "C=CH, O=sgw test, CN=sgw test RSA Intermediate CA"' \
		"sgwd sent the intermediate of its cert file"
	out=$(client_log "$FROM" rsa "authentication of 'gw-rsa.sgw.test' with .* successful" | head -1)
	if [[ $out == *RSA* ]]; then
		sgw_ok "sgwd's RSA signature verified: charon: $out"
	else
		sgw_bad "charon's verdict on sgwd's AUTH: '${out:-none}', expected an RSA signature"
	fi
	# sgwd answers IKE_SA_INIT before it knows which of its peers the
	# client is: its CERTREQ names the anchors of the first peer that
	# takes the client's address ('ec'), not the RSA root.
	sgw_say "(charon: $(client_log "$FROM" rsa 'received cert request for .*' | head -1))"
	check_vip rsa >/dev/null || true
	check_gw_sa rsa rsa gw-rsa.sgw.test client@rsa.sgw.test
	traffic rsa $((1 << 20))
	record_tunnel rsa
	spi=$(sgw_charon_sa_field client rsa spi-i)

	sgw_say "checking: on the wire, IKE_AUTH of IKE SA ${spi}_i went as SKF fragments both ways, no IP fragments"
	# tcpdump writes as it goes (-U): what went so far is in the file.
	sleep 0.3
	out=$(wire_ike "$spi")
	printf '%s\n' "$out" | awk -F'\t' '$4 == 35 { print "  frame " $1 ": " $2 " -> " $3 " IKE_AUTH, IP length " $5 ", first payload " $8 ", fragment " $9 "/" $10 }'
	printf '%s\n' "$out" >"$SGW_TMP/ike_auth.txt"
	if bad=$("$SGW_PY" - "$SGW_TMP/ike_auth.txt" "$CL_ADDR" "$GW_ADDR" "$FRAG_SIZE" <<'PY' 2>&1
import sys
cl, gw, limit = sys.argv[2], sys.argv[3], int(sys.argv[4])
bad, frags = [], {cl: [], gw: []}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 10 or not f[0]:
        continue
    num, src, dst, exch, iplen, mf, off, first, fnum, ftot = f[:10]
    if mf in ("1", "True") or (off and int(off) != 0):
        bad.append("frame %s is an IP fragment" % num)
    if exch != "35":
        continue
    if int(iplen) > limit:
        bad.append("frame %s: IKE_AUTH datagram of %s bytes (limit %d)" % (num, iplen, limit))
    if first != "53":
        bad.append("frame %s: IKE_AUTH with first payload %s, not SKF (53)" % (num, first))
        continue
    frags.setdefault(src, []).append((int(fnum), int(ftot)))
for who, name in ((cl, "client -> sgwd"), (gw, "sgwd -> client")):
    fr = frags.get(who, [])
    nums = sorted(set(n for n, _ in fr))
    tot = set(t for _, t in fr)
    if len(nums) < 2 or len(tot) != 1 or nums != list(range(1, max(tot) + 1)):
        bad.append("%s: IKE_AUTH fragments %s (totals %s): expected 1..N of N, N >= 2" % (name, nums, sorted(tot)))
    else:
        print("%s: %d SKF fragments (%d datagrams)" % (name, max(tot), len(fr)))
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
	); then
		sgw_ok "IKE_AUTH fragmented by RFC 7383 both ways: $(tr '\n' ';' <<<"$bad")"
	else
		sgw_bad "IKE_AUTH on the wire: $(tr '\n' ';' <<<"$bad")"
	fi
	n=$(tshark -r "$SGW_TMP/wire.pcap" -n -Y "ip.flags.mf == 1 || ip.frag_offset > 0" 2>/dev/null | grep -c . || true)
	[ "$n" = 0 ] || sgw_bad "$n IP fragments on the client wire"
	ike_down rsa
}

# --- negative -------------------------------------------------------------------------------

# CONN must fail; sgwd refuses it with a log line matching GW-RE (empty:
# charon refuses, sgwd counts nothing); charon's log must match CL-RE.
expect_refused() { # CONN GW-RE CL-RE WHAT
	local conn=$1 b=$SGW_TMP/neg.before a=$SGW_TMP/neg.after l n i
	sgw_say "checking: $conn ($4) is refused"
	mark
	gw_counters "$b"
	if sgw_charon_initiate client net 15 "$conn"; then
		sgw_bad "$conn: the client got a tunnel ($4)"
		sgw_charon_terminate client --ike "$conn" 10 || true
		return 0
	fi
	l=$(client_log "$FROM" "$conn" "$3" | head -1)
	if [ -n "$l" ]; then
		sgw_ok "$conn: charon: $l"
	else
		sgw_bad "$conn: charon's log has no line like '$3'; its last words: $(ike_diagnose "$conn" "$FROM")"
	fi
	# charon's AUTHENTICATION_FAILED, when it refuses sgwd, arrives after
	# swanctl returned: give sgwd a moment.
	for ((i = 0; i < 15; i++)); do
		[ "$(gw_ike_count)" = 0 ] && break
		sleep 0.2
	done
	gw_counters "$a"
	if [ -n "$2" ]; then
		l=$(gw_log_since "$GW_LOG_FROM" "$2" | head -1)
		if [ -n "$l" ]; then
			sgw_ok "$conn: sgwd: ${l#*] }"
		else
			sgw_bad "$conn: sgwd's log has no line like '$2': $(gw_log_since "$GW_LOG_FROM" 'IKE_AUTH|cert|auth|peer' | tail -4 | tr '\n' ';')"
		fi
		n=$(gw_delta "$b" "$a" ike_authentication_failed)
		[ "$n" = 1 ] || sgw_bad "$conn: ike_authentication_failed grew by $n, expected 1"
	fi
	n=$(gw_ike_count)
	[ "$n" = 0 ] || sgw_bad "$conn: sgwd still holds $n IKE SA(s) 3 s later: $(gw_ikes | tr '\t\n' ' ;')"
	n=$(gw_sa_count)
	[ "$n" = 0 ] || sgw_bad "$conn: sgwd still holds $n ESP SA(s)"
	sgw_say "$conn: sgwd's counters that moved: $(gw_moved "$b" "$a")"
}

case_negative() {
	expect_refused untrusted 'not trusted' \
		'received AUTHENTICATION_FAILED notify error' "a certificate from a CA sgwd does not trust"
	expect_refused misnamed 'does not name' \
		'received AUTHENTICATION_FAILED notify error' "an identity the certificate does not carry"
	expect_refused expired 'expired' \
		'received AUTHENTICATION_FAILED notify error' "an expired certificate"
	expect_refused wrongca '' \
		"no trusted .* public key found for 'gw-rogue.sgw.test'" "sgwd's certificate from a CA charon does not trust"
}

# --- the wire: ESP decrypted ------------------------------------------------------------------

check_wire() {
	local uat=() out keys
	sgw_say "stopping the capture"
	kill -INT "$TCPDUMP_PID" 2>/dev/null || true
	sgw_wait_exit "$TCPDUMP_PID" 5 || { kill -KILL "$TCPDUMP_PID" 2>/dev/null || true; }
	grep -q '^0 packets dropped by kernel' "$SGW_TMP/tcpdump.err" ||
		sgw_bad "tcpdump lost packets: $(tr '\n' ' ' <"$SGW_TMP/tcpdump.err")"
	[ ${#TUNNELS[@]} -gt 0 ] || { sgw_say "no tunnel came up: no ESP to check"; return 0; }
	if ! out=$(sgw_charon_tshark_opts client 2>&1); then
		sgw_bad "no keys for tshark from charon's log: $out"
		return 0
	fi
	mapfile -t uat <<<"$out"
	keys=$(sgw_charon_keys client)
	sgw_say "checking: tshark decrypts all ESP on the client wire with the $(grep -c . <<<"$keys") SA directions charon logged"
	if ! tshark -r "$SGW_TMP/wire.pcap" -n -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE "${uat[@]}" -Y esp \
		-T fields -E occurrence=a -E aggregator=, -e frame.number -e frame.protocols \
		-e ip.src -e ip.dst -e esp.spi -e esp.sequence -e esp.icv_good \
		>"$SGW_TMP/tshark.txt" 2>"$SGW_TMP/tshark.err"; then
		cat "$SGW_TMP/tshark.err" >&2
		sgw_bad "tshark failed on $SGW_TMP/wire.pcap"
		return 0
	fi
	# shellcheck disable=SC2016 # python
	if out=$("$SGW_PY" - "$SGW_TMP/tshark.txt" "$POOL4" "$SERVER" "${TUNNELS[@]}" <<'PY' 2>&1
import ipaddress, re, sys
pool, server = ipaddress.ip_network(sys.argv[2]), sys.argv[3]
want = {}
for t in sys.argv[4:]:
    conn, spi_in, spi_out = t.split()
    want[int(spi_in, 16)] = (conn, "in")
    want[int(spi_out, 16)] = (conn, "out")
INNER = re.compile(r":esp:ip:(icmp|tcp)(:|$)")
seen, bad = {}, []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 7:
        continue
    num, protos, srcs, dsts, spi, seq, good = f[:7]
    srcs, dsts = srcs.split(","), dsts.split(",")
    spi = int(spi, 16) if spi.startswith("0x") else int(spi)
    s = seen.setdefault(spi, {"n": 0, "last": 0, "good": 0, "inner": set()})
    s["n"] += 1
    m = INNER.search(protos)
    if not m or len(srcs) < 2:
        bad.append("frame %s: SPI %#010x not decrypted to ICMP/TCP: %s" % (num, spi, protos))
    else:
        a, b = ipaddress.ip_address(srcs[1]), ipaddress.ip_address(dsts[1])
        if not ((a in pool and str(b) == server) or (str(a) == server and b in pool)):
            bad.append("frame %s: SPI %#010x carries %s -> %s" % (num, spi, a, b))
        s["inner"].add(m.group(1))
    if int(seq) <= s["last"]:
        bad.append("frame %s: SPI %#010x sequence number %s after %d" % (num, spi, seq, s["last"]))
    s["last"] = int(seq)
    if good in ("1", "True"):
        s["good"] += 1
    else:
        bad.append("frame %s: SPI %#010x: ICV not verified (%r)" % (num, spi, good))
for spi, (conn, d) in sorted(want.items(), key=lambda kv: kv[1]):
    s = seen.get(spi)
    if not s:
        bad.append("%s %s SPI %#010x: no packet on the wire" % (conn, d, spi)); continue
    print("%s %s SPI %#010x: %d packets, inner %s, ICV good %d" % (conn, d, spi, s["n"],
          ",".join(sorted(s["inner"])), s["good"]))
for spi in seen:
    if spi not in want:
        bad.append("SPI %#010x: ESP of no tunnel of this test" % spi)
for b in bad[:20]:
    print("ERROR: " + b)
sys.exit(1 if bad else 0)
PY
	); then
		printf '%s\n' "$out" | sed 's/^/  /'
		sgw_ok "tshark decrypts every ESP packet on the client wire, ICVs good"
	else
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		sgw_bad "tshark's view of the tunnels (above)"
	fi
	out=$(tshark -r "$SGW_TMP/wire.pcap" -n -Y "ip.addr == $POOL4" -T fields -e frame.number 2>/dev/null | grep -c . || true)
	[ "$out" = 0 ] || sgw_bad "$out frames to or from $POOL4 in clear on the client wire"
}

# --- the run ------------------------------------------------------------------------------------

for c in $CASES; do
	declare -F "case_$c" >/dev/null || sgw_fail "no case '$c' (cases: ecdsa rsa_chain negative)"
done

sgw_sv ip route add "$POOL4" via 203.0.113.1
ip netns exec "$SGW_NS_CL" tcpdump -i veth0 -n -U -s 0 -w "$SGW_TMP/wire.pcap" \
	2>"$SGW_TMP/tcpdump.err" &
TCPDUMP_PID=$!
sgw_track_pid "$TCPDUMP_PID"
for _ in $(seq 50); do
	grep -qs 'listening on' "$SGW_TMP/tcpdump.err" && break
	sleep 0.1
done
grep -q 'listening on' "$SGW_TMP/tcpdump.err" || sgw_fail "tcpdump did not start: $(cat "$SGW_TMP/tcpdump.err")"

gw_start_sgwd
sgw_cl ping -n -q -c 2 -w 5 "$SERVER" >/dev/null || sgw_fail "sgwd does not forward IPv4"
sgw_charon_start client "$SGW_NS_CL"
client_setup

for c in $CASES; do
	sgw_say "=== case $c"
	"case_$c"
	sgw_check_alive
done

check_wire
sgw_say "stopping the client's charon"
sgw_charon_stop client || sgw_bad "the client's charon ignored SIGTERM"
b=$(sgw_ctl --json show stats 2>/dev/null | "$SGW_PY" -c 'import json, sys
print(" ".join("%s=%s" % kv for kv in sorted(json.load(sys.stdin).get("ike", {}).items()) if kv[1]))' || true)
sgw_say "sgwd's IKE counters at the end: $b"
sgw_check_alive
sgw_finish
