# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# strongSwan's charon as a real IKEv2 peer in the namespaces of
# scripts/lib/netns.sh: source this after netns.sh (it uses SGW_TMP,
# SGW_PY, sgw_track_pid, sgw__alive, sgw_wait_exit, sgw_say, sgw_fail).
# Teardown needs nothing more: each charon is a tracked PID, its tmpfs
# goes with its mount namespace and its TUN device with the namespace.
#
# Each instance has a NAME, a directory $SGW_TMP/charon-NAME holding its
# strongswan.conf, log, vici socket and swanctl.conf, and runs in one
# namespace with a private tmpfs on /run (charon's pid file path is fixed,
# so two instances must not share /run). "ip netns exec" runs its command in
# a new mount namespace whose mounts do not propagate back (it makes / a
# slave), so the tmpfs is seen by that charon alone and vanishes with it.
# The userspace ESP (kernel-libipsec) creates the TUN device ipsec0 in the
# namespace and carries ESP in UDP/4500 only (strongSwan 5.9.8).
#
# Functions (all prefixed sgw_charon_; the sgw__charon_ ones are internal):
#   sgw_charon_start NAME NS [FILE]
#                             write the instance's strongswan.conf (FILE, if
#                             given, is raw strongswan.conf text appended
#                             inside "charon { }": retransmission, options
#                             of a later case), start charon in namespace NS,
#                             wait up to 10 s for its vici socket.
#   sgw_charon_dir NAME       the instance's directory.
#   sgw_charon_log NAME       its log file (levels: default 1, ike 2, cfg 2,
#                             chd 4: chd 4 logs every Child SA's keys).
#   sgw_charon_swanctl NAME CMD [ARGS...]
#                             swanctl CMD --uri <its socket> ARGS....
#   sgw_charon_load NAME FILE load a swanctl.conf (--load-all): connections,
#                             pools, secrets. FILE is copied to
#                             <dir>/swanctl.conf: swanctl reads credentials
#                             from <dir>/x509, <dir>/private ...; output in
#                             <dir>/load.out.
#   sgw_charon_initiate NAME CHILD [SECS [CONN]]
#                             swanctl --initiate --child CHILD [--ike CONN]
#                             --timeout SECS (default 15); output in
#                             <dir>/initiate.out; returns swanctl's status
#                             (non-zero when charon gave up).
#   sgw_charon_terminate NAME --ike|--child SANAME [SECS]
#                             swanctl --terminate; output in
#                             <dir>/terminate.out.
#   sgw_charon_sas NAME       the SAs, one line each, tab separated:
#                               ike   IKE-NAME ID STATE LOCAL REMOTE
#                                     LOCAL-ID REMOTE-ID VIPS PROPOSAL
#                                     SPI-I SPI-R
#                               child IKE-NAME CHILD-NAME ID STATE MODE
#                                     PROTOCOL ENCAP SPI-IN SPI-OUT BYTES-IN
#                                     BYTES-OUT PACKETS-IN PACKETS-OUT
#                                     LOCAL-TS REMOTE-TS PROPOSAL
#                             (Child SA SPIs as 8 hex digits, IKE SPIs as
#                             16, lists comma separated,
#                             "-" for an empty field, proposals as
#                             AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519);
#                             parsed from "swanctl --list-sas --pretty".
#   sgw_charon_sa_field NAME IKE-NAME [CHILD-NAME] FIELD
#                             one field of one SA from sgw_charon_sas (names
#                             as in the header above, lower case: state,
#                             vips, spi-in, bytes-out ...); status 1 if the
#                             SA does not exist. Of several Child SAs of
#                             one name (rekeying), the INSTALLED one.
#   sgw_charon_wait_sa NAME IKE-NAME CHILD-NAME SECS
#                             wait until the IKE SA is ESTABLISHED and the
#                             Child SA INSTALLED; status 1 on timeout.
#   sgw_charon_keys NAME      the keys of every Child SA charon logged, one
#                             line per direction: "CHILD ID in|out SPI SRC
#                             DST ENCR 0xKEY INTEG 0xKEY|-" (SPI 8 hex
#                             digits as in the ESP header, SRC and DST the
#                             outer addresses, algorithms as strongSwan
#                             names them, an AEAD key with its salt).
#   sgw_charon_tshark_opts NAME
#                             the keys as tshark options, one per line
#                             (-o and uat:esp_sa:... alternately): read them
#                             with mapfile.
#   sgw_charon_stop NAME      SIGTERM, up to 5 s, then SIGKILL (status 1).
#   sgw_charon_log_tail NAME [N]
#                             the last N lines of its log on stderr.
#
# Environment: SGW_CHARON (default /usr/lib/ipsec/charon), SGW_SWANCTL
# (default swanctl).

SGW_CHARON=${SGW_CHARON:-/usr/lib/ipsec/charon}
SGW_SWANCTL=${SGW_SWANCTL:-swanctl}

declare -gA SGW_CHARON_PIDS=()

# kernel-libipsec must come before kernel-netlink, and both are needed
# (PEERS.md). x509 pem pkcs1 pkcs8 pubkey revocation constraints are for the
# certificate cases; openssl provides X25519, AES-GCM and the PRFs.
SGW_CHARON_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation \
constraints gcm aes sha1 sha2 hmac kdf curve25519 kernel-libipsec kernel-netlink \
socket-default vici"

sgw_charon_dir() { printf '%s/charon-%s' "$SGW_TMP" "$1"; }
sgw_charon_log() { printf '%s/charon.log' "$(sgw_charon_dir "$1")"; }
sgw__charon_uri() { printf 'unix://%s/charon.vici' "$(sgw_charon_dir "$1")"; }

sgw_charon_start() { # NAME NS [FILE]
	local name=$1 ns=$2 extra=${3:-} d pid i
	[ -x "$SGW_CHARON" ] || sgw_fail "charon not found at $SGW_CHARON (scripts/deps installs strongswan-charon)"
	command -v "$SGW_SWANCTL" >/dev/null || sgw_fail "swanctl missing (scripts/deps installs strongswan-swanctl)"
	[ -z "${SGW_CHARON_PIDS[$name]:-}" ] || sgw_fail "sgw_charon_start: $name is already running"
	d=$(sgw_charon_dir "$name")
	mkdir -p "$d"
	chmod 700 "$d"
	# The vici socket path must fit in sun_path.
	[ ${#d} -lt 90 ] || sgw_fail "sgw_charon_start: $d is too long for a unix socket path"
	{
		cat <<-EOF
		# Written by scripts/lib/charon.sh for one test run.
		charon {
		  load = $SGW_CHARON_PLUGINS
		  # A lost exchange on a veth is a bug, not congestion: give up
		  # after 1 + 1.5 + 2.25 + 3.4 s (defaults: 5 tries over 165 s).
		  retransmit_timeout = 1.0
		  retransmit_base = 1.5
		  retransmit_tries = 3
		  filelog {
		    main {
		      path = $d/charon.log
		      time_format = %F %T
		      time_add_ms = yes
		      ike_name = yes
		      flush_line = yes
		      append = no
		      default = 1
		      ike = 2
		      cfg = 2
		      # Child SA keys, for tshark. Never outside a test.
		      chd = 4
		    }
		  }
		  syslog {
		    daemon {
		      default = -1
		    }
		  }
		  plugins {
		    vici {
		      socket = unix://$d/charon.vici
		    }
		  }
		EOF
		if [ -n "$extra" ]; then
			cat "$extra" || sgw_fail "sgw_charon_start: cannot read $extra"
		fi
		echo "}"
	} >"$d/strongswan.conf"
	rm -f "$d/charon.vici" "$d/charon.log"
	# ip netns exec execs sh, sh execs env, env execs charon: $! is charon.
	# The tmpfs lives in the mount namespace ip netns exec made for it.
	# shellcheck disable=SC2016 # $1 and $2 are sh's
	ip netns exec "$ns" sh -c 'mount -t tmpfs -o mode=755,size=4m tmpfs /run &&
		exec env STRONGSWAN_CONF="$1" "$2" --use-syslog' sh \
		"$d/strongswan.conf" "$SGW_CHARON" >"$d/charon.out" 2>&1 &
	pid=$!
	sgw_track_pid "$pid"
	SGW_CHARON_PIDS[$name]=$pid
	for ((i = 0; i < 100; i++)); do
		if ! sgw__alive "$pid"; then
			sgw_wait_exit "$pid" 1 || true
			SGW_CHARON_PIDS[$name]=
			cat "$d/charon.out" >&2
			sgw_charon_log_tail "$name"
			sgw_fail "charon $name exited during start-up with status $SGW_EXIT_STATUS"
		fi
		if [ -S "$d/charon.vici" ] &&
			sgw_charon_swanctl "$name" --stats >/dev/null 2>&1; then
			sgw_say "charon $name (pid $pid) runs in $ns; log $d/charon.log"
			return 0
		fi
		sleep 0.1
	done
	sgw_charon_log_tail "$name"
	sgw_fail "charon $name (pid $pid) did not open its vici socket within 10 s"
}

sgw_charon_swanctl() { # NAME CMD [ARGS...]
	local name=$1 cmd=$2 d
	shift 2
	d=$(sgw_charon_dir "$name")
	# --uri must follow the command word.
	STRONGSWAN_CONF=$d/strongswan.conf "$SGW_SWANCTL" "$cmd" --uri "$(sgw__charon_uri "$name")" "$@"
}

sgw_charon_load() { # NAME FILE
	local name=$1 file=$2 d sub
	d=$(sgw_charon_dir "$name")
	# swanctl looks for credentials in directories beside the file it
	# loads: keep them in the instance's directory, and let them exist.
	[ "$file" -ef "$d/swanctl.conf" ] || cp "$file" "$d/swanctl.conf"
	for sub in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa \
		ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$d/$sub"
	done
	if ! sgw_charon_swanctl "$name" --load-all --file "$d/swanctl.conf" >"$d/load.out" 2>&1; then
		cat "$d/load.out" >&2
		return 1
	fi
	# swanctl reports some failures and still exits 0.
	if grep -Eqi 'fail|error|invalid|unknown' "$d/load.out"; then
		cat "$d/load.out" >&2
		return 1
	fi
}

sgw_charon_initiate() { # NAME CHILD [SECS [CONN]]
	local name=$1 child=$2 secs=${3:-15} conn=${4:-} d rc=0
	d=$(sgw_charon_dir "$name")
	sgw_charon_swanctl "$name" --initiate --child "$child" ${conn:+--ike "$conn"} \
		--timeout "$secs" >"$d/initiate.out" 2>&1 || rc=$?
	return "$rc"
}

sgw_charon_terminate() { # NAME --ike|--child SANAME [SECS]
	local name=$1 kind=$2 sa=$3 secs=${4:-10} d rc=0
	d=$(sgw_charon_dir "$name")
	sgw_charon_swanctl "$name" --terminate "$kind" "$sa" --timeout "$secs" \
		>"$d/terminate.out" 2>&1 || rc=$?
	return "$rc"
}

# "swanctl --list-sas --pretty" prints one key per line, nested sections
# as "name {" ... "}", lists as "key = [" ... "]": values may contain
# spaces (distinguished names), which --raw would make ambiguous.
sgw__charon_sas_py='
import re, signal, sys
# Readers (awk in sgw_charon_sa_field) may stop at the line they want.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
KV = re.compile(r"^([A-Za-z0-9_.-]+) = (.*)$")
root, stack, key_list = {}, [], None
cur = root
for line in sys.stdin:
    s = line.strip()
    if not s:
        continue
    if key_list is not None:
        if s == "]":
            key_list = None
        else:
            cur[key_list].append(s)
        continue
    kv = KV.match(s)
    if kv:
        if kv.group(2) == "[":
            cur[kv.group(1)] = []; key_list = kv.group(1)
        else:
            cur[kv.group(1)] = kv.group(2)
    elif s.endswith(" {"):
        name = s[:-2]
        stack.append(cur)
        # The messages ("list-sa event {", one per IKE SA, and the final
        # "list-sas reply {") all hold IKE SAs at their top level.
        if len(stack) == 1 and (name.endswith(" event") or name.endswith(" reply")):
            continue
        cur[name] = cur = {}
    elif s == "}":
        cur = stack.pop()
    else:
        sys.exit("cannot parse swanctl output: " + s)
def f(v):
    if isinstance(v, list):
        return ",".join(v) if v else "-"
    return v if v not in (None, "") else "-"
def proposal(sa, dh):
    # As strongSwan writes proposals: AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519
    p = [sa.get("encr-alg", "?") + ("_" + sa["encr-keysize"] if "encr-keysize" in sa else "")]
    p += [sa[k] for k in ("integ-alg", "prf-alg", dh) if k in sa]
    return "/".join(p)
for ike, sa in root.items():
    if not isinstance(sa, dict):
        continue
    print("\t".join(["ike", ike, f(sa.get("uniqueid")), f(sa.get("state")),
                     f(sa.get("local-host")), f(sa.get("remote-host")),
                     f(sa.get("local-id")), f(sa.get("remote-id")),
                     f(sa.get("local-vips", [])), proposal(sa, "dh-group"),
                     f(sa.get("initiator-spi")), f(sa.get("responder-spi"))]))
    for cname, c in sa.get("child-sas", {}).items():
        print("\t".join(["child", ike, f(c.get("name", cname)), f(c.get("uniqueid")),
                         f(c.get("state")), f(c.get("mode")), f(c.get("protocol")),
                         f(c.get("encap", "no")), f(c.get("spi-in")), f(c.get("spi-out")),
                         f(c.get("bytes-in")), f(c.get("bytes-out")),
                         f(c.get("packets-in")), f(c.get("packets-out")),
                         f(c.get("local-ts")), f(c.get("remote-ts")),
                         proposal(c, "dh-group")]))
'

# The columns of sgw_charon_sas, for sgw_charon_sa_field.
SGW_CHARON_IKE_COLS="kind ike id state local remote local-id remote-id vips proposal \
spi-i spi-r"
SGW_CHARON_CHILD_COLS="kind ike child id state mode protocol encap spi-in spi-out bytes-in \
bytes-out packets-in packets-out local-ts remote-ts proposal"

sgw_charon_sas() { # NAME
	local out
	out=$(sgw_charon_swanctl "$1" --list-sas --pretty 2>&1) || {
		printf '%s\n' "$out" >&2
		return 1
	}
	printf '%s\n' "$out" | "$SGW_PY" -c "$sgw__charon_sas_py"
}

sgw_charon_sa_field() { # NAME IKE [CHILD] FIELD
	local name=$1 ike=$2 child='' field
	if [ $# -eq 4 ]; then
		child=$3 field=$4
	else
		field=$3
	fi
	sgw_charon_sas "$name" | awk -F'\t' -v ike="$ike" -v child="$child" -v field="$field" \
		-v ike_cols="$SGW_CHARON_IKE_COLS" -v child_cols="$SGW_CHARON_CHILD_COLS" '
		BEGIN {
			n = split(ike_cols, ih, " ")
			for (i = 1; i <= n; i++) icol[ih[i]] = i
			n = split(child_cols, ch, " ")
			for (i = 1; i <= n; i++) ccol[ch[i]] = i
			rc = 1
		}
		child == "" && $1 == "ike" && $2 == ike && (field in icol) { print $icol[field]; rc = 0; exit }
		# Of the Child SAs of one name (an old one lingers after a
		# rekey), the INSTALLED one; else the first.
		child != "" && $1 == "child" && $2 == ike && $3 == child && (field in ccol) {
			if ($5 == "INSTALLED") { print $ccol[field]; rc = 0; exit }
			if (first == "") first = $ccol[field]
			found = 1
		}
		END {
			if (rc && found) { print first; rc = 0 }
			exit rc
		}'
}

sgw_charon_wait_sa() { # NAME IKE CHILD SECS
	local name=$1 ike=$2 child=$3 end st cst
	end=$(($(date +%s) + $4))
	while :; do
		st=$(sgw_charon_sa_field "$name" "$ike" state 2>/dev/null) || st=
		cst=$(sgw_charon_sa_field "$name" "$ike" "$child" state 2>/dev/null) || cst=
		[ "$st" = ESTABLISHED ] && [ "$cst" = INSTALLED ] && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# With chd = 4 charon logs, for each Child SA it installs, the key
# material in hex dump lines, then each direction's SPI and addresses
# (strongSwan 5.9.8; "<sgw|1>" is the IKE SA's name and unique id):
#   09[IKE] <sgw|1> establishing CHILD_SA net{1}        (initiator only)
#   10[CHD] <sgw|1> CHILD_SA net{1} state change: CREATED => INSTALLING
#   10[CHD] <sgw|1>   using AES_GCM_16 for encryption
#   10[CHD] <sgw|1> encryption initiator key => 20 bytes @ 0x7fc044038f30
#   10[CHD] <sgw|1>    0: 49 43 AB DF 2D A2 52 B5 30 0D BA C5 8A 65 93 3F  IC..-.R.0....e.?
#   10[CHD] <sgw|1>   16: 30 BF C5 E0                                      0...
#   10[CHD] <sgw|1> encryption responder key => 20 bytes @ 0x7fc0440392a0
#   ...
#   10[CHD] <sgw|1> adding inbound ESP SA
#   10[CHD] <sgw|1>   SPI 0xb3581546, src 198.51.100.1 dst 198.51.100.2
#   10[CHD] <sgw|1> adding outbound ESP SA
#   10[CHD] <sgw|1>   SPI 0x8d00677a, src 198.51.100.2 dst 198.51.100.1
#   10[IKE] <sgw|1> CHILD_SA net{1} established with SPIs b3581546_i 8d00677a_o and TS ...
# (each line after the time stamp). A rekeyed Child SA's outbound SA waits
# for the old one to go: charon then logs "registering outbound ESP SA"
# (with its SPI and addresses) and "inbound CHILD_SA net{2} established
# with SPIs ...", later "adding outbound ESP SA" and "outbound CHILD_SA
# net{2} established ...", which add nothing new. Keys are "initiator" and "responder"
# by the role in the exchange that made the Child SA: its initiator (the one
# that logged "establishing") sends with the initiator key and receives
# with the responder key (RFC 7296 2.17). The key includes the 4-byte salt
# of AES-GCM (RFC 4106 8.1). Lines of different IKE SAs may interleave, so
# the state is kept per IKE SA.
sgw__charon_keys_py='
import re, sys
LINE = re.compile(r"^(?:\S+ \S+ )?\d+\[(\w+)\] (?:<([^>]*)> )?(.*)$")
STATE = re.compile(r"^CHILD_SA (\S+)\{(\d+)\} state change: \w+ => INSTALLING$")
ESTABLISHING = re.compile(r"^establishing CHILD_SA (\S+)\{(\d+)\}")
USING = re.compile(r"^using (\S+) for (encryption|integrity)$")
KEY = re.compile(r"^(encryption|integrity) (initiator|responder) key => (\d+) bytes @ \S+$")
DUMP = re.compile(r"^(\d+): (.*)$")
ADDING = re.compile(r"^(?:adding|registering) (inbound|outbound) (ESP|AH) SA$")
SPI = re.compile(r"^SPI 0x([0-9a-f]{8}), src (\S+) dst (\S+)$")
DONE = re.compile(r"^(?:inbound )?CHILD_SA (\S+)\{(\d+)\} established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o")
sas = {}              # IKE SA tag -> state of the Child SA being installed
initiated = set()     # (tag, child unique id) this charon initiated
for raw in open(sys.argv[1], errors="replace"):
    m = LINE.match(raw.rstrip("\n"))
    if not m:
        continue
    grp, tag, msg = m.group(1), m.group(2) or "", m.group(3)
    body = msg.strip()
    st = sas.get(tag)
    if grp == "IKE":
        e = ESTABLISHING.match(body)
        if e:
            initiated.add((tag, e.group(2)))
            continue
        d = DONE.match(body)
        if d and st and st["id"] == d.group(2):
            init = (tag, st["id"]) in initiated
            key = {"in": "responder" if init else "initiator",
                   "out": "initiator" if init else "responder"}
            for direction, spi in (("in", d.group(3)), ("out", d.group(4))):
                sa = st.get(direction)
                if not sa or sa[0] != spi:
                    sys.exit("%s{%s}: no addresses logged for SPI %s" % (d.group(1), st["id"], spi))
                enc = st["keys"].get(("encryption", key[direction]))
                integ = st["keys"].get(("integrity", key[direction]), b"")
                if not enc or len(enc) != st["len"][("encryption", key[direction])]:
                    sys.exit("%s{%s}: incomplete encryption key in the log" % (d.group(1), st["id"]))
                print(" ".join([d.group(1), st["id"], direction, spi, sa[1], sa[2],
                                st["alg"].get("encryption", "-"), "0x" + enc.hex(),
                                st["alg"].get("integrity", "-"),
                                "0x" + integ.hex() if integ else "-"]))
            del sas[tag]
        continue
    if grp != "CHD":
        continue
    s = STATE.match(body)
    if s:
        sas[tag] = st = {"name": s.group(1), "id": s.group(2), "alg": {}, "keys": {},
                         "len": {}, "cur": None, "dir": None}
        continue
    if st is None:
        continue
    u = USING.match(body)
    if u:
        st["alg"][u.group(2)] = u.group(1); continue
    k = KEY.match(body)
    if k:
        st["cur"] = (k.group(1), k.group(2))
        st["keys"][st["cur"]] = b""
        st["len"][st["cur"]] = int(k.group(3))
        continue
    h = DUMP.match(body)
    if h and st["cur"]:
        # "16: 30 BF C5 E0   0...": as many bytes as the header announced
        # are left, at most 16; the ASCII column follows.
        cur = st["cur"]
        n = min(16, st["len"][cur] - len(st["keys"][cur]))
        st["keys"][cur] += bytes.fromhex("".join(h.group(2).split()[:n]))
        continue
    st["cur"] = None          # any other line ends a dump
    a = ADDING.match(body)
    if a:
        st["dir"] = "in" if a.group(1) == "inbound" else "out"; continue
    p = SPI.match(body)
    if p and st["dir"]:
        st[st["dir"]] = (p.group(1), p.group(2), p.group(3))
        st["dir"] = None
'

# Prints one line per direction of each Child SA found in the log:
#   CHILD ID in|out SPI SRC DST ENCR 0xKEY INTEG 0xKEY|-
# e.g. "net 1 out 8d00677a 198.51.100.2 198.51.100.1 AES_GCM_16 0x49...e0 - -"
# (SPI as in the ESP header, SRC and DST the outer addresses, ENCR and
# INTEG strongSwan's names; an AEAD has no integrity key).
sgw_charon_keys() { # NAME
	"$SGW_PY" -c "$sgw__charon_keys_py" "$(sgw_charon_log "$1")"
}

# The keys as tshark options for the ESP dissector, one per line ("-o",
# then "uat:esp_sa:..."), each Child SA direction once; status 1 (with a
# message) for an algorithm this does not translate.
sgw_charon_tshark_opts() { # NAME
	local keys name id dir spi src dst enc key integ fam alg
	keys=$(sgw_charon_keys "$1") || return 1
	[ -n "$keys" ] || { echo "no Child SA keys in $(sgw_charon_log "$1")" >&2; return 1; }
	while read -r name id dir spi src dst enc key integ _; do
		fam=IPv4
		[[ $src == *:* ]] && fam=IPv6
		case $enc/$integ in
		AES_GCM_16/-) alg="AES-GCM with 16 octet ICV [RFC4106]" ;;
		AES_GCM_12/-) alg="AES-GCM with 12 octet ICV [RFC4106]" ;;
		AES_GCM_8/-) alg="AES-GCM with 8 octet ICV [RFC4106]" ;;
		*)
			echo "$name{$id} $dir: no tshark name for $enc/$integ" >&2
			return 1
			;;
		esac
		printf '%s\n' -o "uat:esp_sa:\"$fam\",\"$src\",\"$dst\",\"0x$spi\",\"$alg\",\"$key\",\"NULL\",\"\""
	done <<<"$keys"
}

sgw_charon_stop() { # NAME
	local name=$1 pid
	pid=${SGW_CHARON_PIDS[$name]:-}
	[ -n "$pid" ] || return 0
	SGW_CHARON_PIDS[$name]=
	kill -TERM "$pid" 2>/dev/null || true
	if ! sgw_wait_exit "$pid" 5; then
		echo "$SGW_NAME: charon $name (pid $pid) ignored SIGTERM for 5 s; sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
		sgw_wait_exit "$pid" 5 || true
		return 1
	fi
}

sgw_charon_log_tail() { # NAME [N]
	local log
	log=$(sgw_charon_log "$1")
	[ -f "$log" ] || return 0
	echo "--- last lines of $log ---" >&2
	tail -n "${2:-30}" "$log" >&2
	echo "---" >&2
}
