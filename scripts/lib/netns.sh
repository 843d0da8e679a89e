# shellcheck shell=bash disable=SC2119
# SPDX-License-Identifier: BSD-3-Clause
#
# Network-namespace harness for sgw: the demo and the integration tests source
# this file. It builds a three-namespace topology around sgwd, runs sgwd in the
# gateway namespace, and removes everything it created on every exit path.
#
#   client ns (CL)             gateway ns (GW)               server ns (SV)
#   veth0 02:00:00:00:0c:02 -- sgw-c 02:00:00:00:0c:01
#   198.51.100.2/24            [sgwd: net_af_packet0 "client"]
#   2001:db8:c::2/64           [sgwd: net_af_packet1 "server"]
#                              sgw-s 02:00:00:00:05:01 -- veth0 02:00:00:00:05:02
#                                                         203.0.113.2/24
#                                                         2001:db8:5::2/64
#
# The gateway-side veths carry no kernel addresses and have IPv6 disabled, so
# the kernel stays silent on them and sgwd alone answers for .1 / ::1.
#
# Functions (all prefixed sgw_; the sgw__ ones are internal):
#   sgw_init                  root check, overlap check, temp dir, traps.
#                             Sets SGW_TMP, SGW_NS_GW, SGW_NS_CL, SGW_NS_SV.
#   sgw_check_overlap [PREFIX...]
#                             exit 1 if a prefix (default: $SGW_PREFIXES)
#                             overlaps a route of this (root) namespace.
#   sgw_topology_create       the namespaces and veths above.
#   sgw_topology_delete       kill what runs in them, delete them.
#   sgw_config_write FILE [key=value...]
#                             a test config for sgwd with a unique
#                             eal.file_prefix and cli.socket under $SGW_TMP;
#                             sets SGW_SOCK. Keys: client_addrs, server_addrs
#                             (comma separated), client_device, server_device,
#                             routes (YAML list items, one per line:
#                             '{to: "..", via: "..", port: ..}'), log_level,
#                             worker_cpu, file_prefix, socket, extra (a file
#                             of raw YAML appended as it is: sas, policies).
#   sgw_start [CONF]          sgwd in GW (-c CONF, or the embedded default when
#                             CONF is empty); sets SGW_PID, SGW_LOG; waits up to
#                             15 s for "sgwctl show status" on $SGW_SOCK.
#   sgw_stop                  SIGTERM, up to 5 s, then SIGKILL; returns sgwd's
#                             exit status (SIGKILL reported on stderr).
#   sgw_wait_exit PID SECS    waits for a child to exit; sets SGW_EXIT_STATUS;
#                             returns 1 on timeout.
#   sgw_teardown              sgw_stop, tracked PIDs, namespaces, temp dir.
#                             Installed on EXIT by sgw_init; idempotent.
#   sgw_track_pid PID         kill PID at teardown (background helpers).
#   sgw_on_teardown CMD...    run CMD at the end of teardown (extra clean-up).
#   sgw_cl|sgw_sv|sgw_gw CMD  run CMD in the client/server/gateway namespace.
#   sgw_ctl ARGS...           "$SGWCTL" -s "$SGW_SOCK" ARGS...
#   sgw_port_stat PORT KEY    a value from "show ports --json" (KEY may be
#                             dotted: drops.no_route).
#   sgw_tcp_transfer FAMILY BYTES [SRC]
#                             python3 TCP transfer client -> server (4 or 6),
#                             sha256 compared on both ends; from address SRC
#                             of the client (a virtual IP) if given.
#   sgw_log_tail [N]          last N lines of the current sgwd log.
#   sgw_say MSG / sgw_ok MSG / sgw_fail MSG
#                             progress, pass and failure (exit 1) messages.
#   sgw_bad MSG               a failed check that does not stop the test
#                             (unless sgwd has died: then it fails at once).
#   sgw_check_alive           fail (with the log) if sgwd has died.
#   sgw_finish                stops sgwd (SIGTERM: exit 0 within 1 s, socket
#                             removed), then prints PASS and exits 0, or lists
#                             every sgw_bad and exits 1.
#
# Environment: SGWD, SGWCTL (default build/control/sgwd and sgwctl under the
# repository root), SGW_SRC (repository root), SGW_PY (python with scapy,
# default /usr/bin/python3), SGW_KEEP_TMP=1 keeps the temp dir (logs),
# SGW_TMP_NAME names it (default sgw-test: /tmp/sgw-test.XXXXXX).
#
# Safety: only 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 are used, only
# inside namespaces created here; processes are killed by recorded PID (or, as
# a last resort, by the PID list of a namespace this file created).

SGW_SRC=${SGW_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SGWD=${SGWD:-$SGW_SRC/build/control/sgwd}
SGWCTL=${SGWCTL:-$SGW_SRC/build/control/sgwctl}
SGW_PY=${SGW_PY:-/usr/bin/python3}

# Every prefix the harness may put inside its namespaces. A test that uses
# more (the ESP test's inner-only 10.10.0.0/24) appends them before sgw_init.
SGW_PREFIXES=(198.51.100.0/24 203.0.113.0/24 2001:db8::/32)

SGW_MAC_GW_C=02:00:00:00:0c:01
SGW_MAC_CL=02:00:00:00:0c:02
SGW_MAC_GW_S=02:00:00:00:05:01
SGW_MAC_SV=02:00:00:00:05:02

SGW_NAME=$(basename "$0")
SGW_TMP=
SGW_NS_GW=
SGW_NS_CL=
SGW_NS_SV=
SGW_NS_CREATED=()
SGW_PID=
SGW_LOG=
SGW_SOCK=
SGW_FILE_PREFIX=
SGW_EXIT_STATUS=
SGW_STOP_MS=0
SGW_TRACKED_PIDS=()
SGW_TEARDOWN_CMDS=()
SGW_DPDK_PREFIXES=()
SGW_START_COUNT=0
SGW_TORN_DOWN=0

sgw_say() { printf '%s: %s\n' "$SGW_NAME" "$*"; }
sgw_ok() { printf '%s: ok: %s\n' "$SGW_NAME" "$*"; }
sgw_fail() {
	printf '%s: FAIL: %s\n' "$SGW_NAME" "$*" >&2
	sgw__list_failures
	exit 1
}
SGW_FAILURES=()
sgw_bad() {
	printf '%s: FAIL: %s\n' "$SGW_NAME" "$*" >&2
	SGW_FAILURES+=("$*")
	sgw_check_alive
}
# Once sgwd is gone, later checks only repeat that: stop with its log.
sgw_check_alive() {
	local pid=$SGW_PID
	[ -n "$pid" ] && ! sgw__alive "$pid" || return 0
	SGW_PID=
	sgw_wait_exit "$pid" 1 || true
	sgw_log_tail 40
	sgw_fail "sgwd (pid $pid) died with status $SGW_EXIT_STATUS$(sgw__signame "$SGW_EXIT_STATUS")"
}
sgw__signame() {
	[ "${1:-0}" -gt 128 ] 2>/dev/null || return 0
	printf ' (signal %s)' "$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
}
sgw__list_failures() {
	[ ${#SGW_FAILURES[@]} -gt 0 ] || return 0
	printf '%s: %d earlier failed check(s):\n' "$SGW_NAME" ${#SGW_FAILURES[@]} >&2
	printf '  - %s\n' "${SGW_FAILURES[@]}" >&2
}
sgw_finish() {
	local rc=0
	if [ -n "$SGW_PID" ]; then
		sgw_say "checking: SIGTERM stops sgwd with status 0 within 1 s and removes $SGW_SOCK"
		sgw_stop || rc=$?
		if [ "$rc" -ne 0 ]; then
			sgw_log_tail
			sgw_bad "sgwd exited with status $rc on SIGTERM (expected 0)"
		fi
		[ "$SGW_STOP_MS" -le 1000 ] || sgw_bad "sgwd took $SGW_STOP_MS ms to exit on SIGTERM (limit 1000)"
		[ ! -e "$SGW_SOCK" ] || sgw_bad "sgwd left $SGW_SOCK behind after SIGTERM"
	fi
	if [ ${#SGW_FAILURES[@]} -gt 0 ]; then
		printf '%s: FAILED: %d check(s):\n' "$SGW_NAME" ${#SGW_FAILURES[@]} >&2
		printf '  - %s\n' "${SGW_FAILURES[@]}" >&2
		exit 1
	fi
	sgw_say "PASS"
	exit 0
}

sgw_cl() { ip netns exec "$SGW_NS_CL" "$@"; }
sgw_sv() { ip netns exec "$SGW_NS_SV" "$@"; }
sgw_gw() { ip netns exec "$SGW_NS_GW" "$@"; }
sgw_ctl() { "$SGWCTL" -s "$SGW_SOCK" "$@"; }

sgw_track_pid() { SGW_TRACKED_PIDS+=("$1"); }
sgw_on_teardown() { SGW_TEARDOWN_CMDS+=("$(printf '%q ' "$@")"); }

# --- overlap check -----------------------------------------------------------

# Prints the routing tables the check reads (a function, so that a self-test
# can substitute fake routes).
sgw_root_routes() {
	ip -4 route show table all
	ip -6 route show table all
}

# Reads `ip route show table all` output on stdin; prints one line per
# overlap and exits 1 if there is any, 2 if a line cannot be understood (the
# check must not pass on output it does not understand).
sgw__overlap_py='
import ipaddress, sys
ours = [ipaddress.ip_network(p) for p in sys.argv[1:]]
TYPES = {"unicast", "local", "broadcast", "multicast", "anycast", "unreachable",
         "prohibit", "blackhole", "throw", "nat"}
LINK_LOCAL6 = ipaddress.ip_network("fe80::/64")
found = bad = 0
for line in sys.stdin:
    if not line.strip() or line[0].isspace():
        continue            # blank, or a "nexthop" line of a multipath route
    tok = line.split()
    kind = tok.pop(0) if tok[0] in TYPES else "unicast"
    if not tok:
        print("cannot parse route: " + line.strip()); bad = 1; continue
    dst = tok[0]
    dev = tok[tok.index("dev") + 1] if "dev" in tok[:-1] else ""
    if dst == "default" or kind == "multicast":
        continue
    if kind in ("local", "broadcast") and dev == "lo":
        continue
    try:
        net = ipaddress.ip_network(dst, strict=False)
    except ValueError:
        print("cannot parse route: " + line.strip()); bad = 1; continue
    if net.prefixlen == 0 or net.is_multicast or net == LINK_LOCAL6:
        continue
    for p in ours:
        if p.version == net.version and p.overlaps(net):
            print("%s overlaps root route: %s" % (p, line.strip()))
            found = 1
sys.exit(1 if found else 2 if bad else 0)
'

# shellcheck disable=SC2120 # arguments are optional
sgw_check_overlap() {
	local prefixes=("$@") out rc=0
	[ ${#prefixes[@]} -gt 0 ] || prefixes=("${SGW_PREFIXES[@]}")
	out=$(sgw_root_routes | "$SGW_PY" -c "$sgw__overlap_py" "${prefixes[@]}") || rc=$?
	case $rc in
	0) return 0 ;;
	1) printf '%s: refusing to start: the root namespace routes a test range\n%s\n' \
		"$SGW_NAME" "$out" >&2 ;;
	*) printf '%s: refusing to start: cannot check the root routing table\n%s\n' \
		"$SGW_NAME" "$out" >&2 ;;
	esac
	exit 1
}

# --- set-up and teardown -----------------------------------------------------

sgw__on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	sgw_teardown
	exit "$rc"
}

sgw_init() {
	[ "$(id -u)" -eq 0 ] || { echo "$SGW_NAME: must run as root" >&2; exit 1; }
	local t
	for t in ip ethtool sysctl "$SGW_PY"; do
		command -v "$t" >/dev/null || { echo "$SGW_NAME: missing $t" >&2; exit 1; }
	done
	# Refuse before creating anything.
	sgw_check_overlap
	SGW_TMP=$(mktemp -d "/tmp/${SGW_TMP_NAME:-sgw-test}.XXXXXX")
	SGW_NS_GW=sgw-gw-$$
	SGW_NS_CL=sgw-cl-$$
	SGW_NS_SV=sgw-sv-$$
	trap sgw__on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

sgw__ns_add() {
	ip netns add "$1"
	SGW_NS_CREATED+=("$1")
	ip -n "$1" link set lo up
}

# Sysctls for an end host namespace; set before its veth exists so that the
# "default" values apply to it from birth (no DAD, no RS, no autoconf).
sgw__host_sysctls() {
	ip netns exec "$1" sysctl -qw \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.promote_secondaries=1 \
		net.ipv4.conf.default.promote_secondaries=1 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.router_solicitations=0 \
		net.ipv6.conf.default.router_solicitations=0 >/dev/null
}

sgw__host_addrs() { # NS v4/len v6/len gw4 gw6
	local ns=$1
	ip netns exec "$ns" ethtool -K veth0 tx off tso off gso off >/dev/null
	ip -n "$ns" link set veth0 mtu 1500 up
	ip -n "$ns" addr add "$2" dev veth0
	ip -n "$ns" -6 addr add "$3" dev veth0 nodad
	ip -n "$ns" route add default via "$4" dev veth0
	ip -n "$ns" -6 route add default via "$5" dev veth0
}

sgw_topology_create() {
	[ -n "$SGW_TMP" ] || sgw_fail "sgw_init was not called"
	sgw__ns_add "$SGW_NS_GW"
	sgw__ns_add "$SGW_NS_CL"
	sgw__ns_add "$SGW_NS_SV"
	ip netns exec "$SGW_NS_GW" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.ip_forward=0 >/dev/null
	sgw__host_sysctls "$SGW_NS_CL"
	sgw__host_sysctls "$SGW_NS_SV"

	ip -n "$SGW_NS_GW" link add sgw-c address "$SGW_MAC_GW_C" type veth \
		peer name veth0 netns "$SGW_NS_CL" address "$SGW_MAC_CL"
	ip -n "$SGW_NS_GW" link add sgw-s address "$SGW_MAC_GW_S" type veth \
		peer name veth0 netns "$SGW_NS_SV" address "$SGW_MAC_SV"

	local i
	for i in sgw-c sgw-s; do
		ip netns exec "$SGW_NS_GW" sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" >/dev/null
		ip netns exec "$SGW_NS_GW" ethtool -K "$i" tx off tso off gso off gro off >/dev/null
		ip -n "$SGW_NS_GW" link set "$i" mtu 1500 up
	done
	sgw__host_addrs "$SGW_NS_CL" 198.51.100.2/24 2001:db8:c::2/64 198.51.100.1 2001:db8:c::1
	sgw__host_addrs "$SGW_NS_SV" 203.0.113.2/24 2001:db8:5::2/64 203.0.113.1 2001:db8:5::1
}

# Kills every process still inside NS: by the PID list of a namespace this
# file created, so nothing outside it can be hit.
sgw__ns_kill() {
	local ns=$1 pids sig
	for sig in TERM KILL; do
		pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -s "$sig" $pids 2>/dev/null || true
		sleep 0.3
	done
}

sgw_topology_delete() {
	local ns
	for ns in "${SGW_NS_CREATED[@]}"; do
		sgw__ns_kill "$ns"
		ip netns delete "$ns" 2>/dev/null || true
	done
	SGW_NS_CREATED=()
}

sgw_teardown() {
	[ "$SGW_TORN_DOWN" -eq 0 ] || return 0
	SGW_TORN_DOWN=1
	local had_e=0
	case $- in *e*) had_e=1 ;; esac
	set +e
	if [ -n "$SGW_PID" ]; then
		sgw_stop >/dev/null
	fi
	local p
	for p in "${SGW_TRACKED_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	sgw_topology_delete
	for p in "${SGW_DPDK_PREFIXES[@]}"; do
		# DPDK's runtime dir for a prefix this run chose.
		[ -n "$p" ] && rm -rf "/var/run/dpdk/$p"
	done
	if [ -n "$SGW_TMP" ] && [ -d "$SGW_TMP" ]; then
		if [ "${SGW_KEEP_TMP:-0}" = 1 ]; then
			echo "$SGW_NAME: logs kept in $SGW_TMP" >&2
		else
			rm -rf "$SGW_TMP"
		fi
	fi
	for p in "${SGW_TEARDOWN_CMDS[@]}"; do
		eval "$p"
	done
	[ "$had_e" -eq 0 ] || set -e
}

# --- sgwd ----------------------------------------------------------------------

# "a, b" -> "\"a\", \"b\"": IPv6 addresses must be quoted in YAML flow lists.
sgw__yaml_list() {
	local IFS=, out="" a
	for a in $1; do
		a=${a// /}
		[ -n "$a" ] && out+="${out:+, }\"$a\""
	done
	printf '%s' "$out"
}

sgw_config_write() {
	local file=$1 kv
	shift
	local client_addrs="198.51.100.1/24, 2001:db8:c::1/64"
	local server_addrs="203.0.113.1/24, 2001:db8:5::1/64"
	local client_device="net_af_packet0,iface=sgw-c"
	local server_device="net_af_packet1,iface=sgw-s"
	local routes="" log_level=info worker_cpu=1 extra=""
	local file_prefix=sgw-t$$-$((SGW_START_COUNT + ${#SGW_DPDK_PREFIXES[@]}))
	local socket=$SGW_TMP/sgwd.sock
	[ "$(nproc)" -ge 2 ] || worker_cpu=0
	for kv in "$@"; do
		case ${kv%%=*} in
		client_addrs) client_addrs=${kv#*=} ;;
		server_addrs) server_addrs=${kv#*=} ;;
		client_device) client_device=${kv#*=} ;;
		server_device) server_device=${kv#*=} ;;
		routes) routes=${kv#*=} ;;
		log_level) log_level=${kv#*=} ;;
		worker_cpu) worker_cpu=${kv#*=} ;;
		file_prefix) file_prefix=${kv#*=} ;;
		socket) socket=${kv#*=} ;;
		extra) extra=${kv#*=} ;;
		*) sgw_fail "sgw_config_write: unknown key ${kv%%=*}" ;;
		esac
	done
	{
		cat <<-EOF
		# Written by scripts/lib/netns.sh for one test run.
		role: standalone
		eal:
		  no_huge: true
		  memory_mb: 256
		  file_prefix: $file_prefix
		  control_cpu: 0
		workers:
		  count: 1
		  cpus: [$worker_cpu]
		  idle_sleep_us: 100
		ports:
		  - name: client
		    device: "$client_device"
		    mtu: 1500
		    addresses: [$(sgw__yaml_list "$client_addrs")]
		  - name: server
		    device: "$server_device"
		    mtu: 1500
		    addresses: [$(sgw__yaml_list "$server_addrs")]
		EOF
		if [ -n "$routes" ]; then
			echo "routes:"
			printf '%s\n' "$routes" | sed 's/^/  - /'
		fi
		cat <<-EOF
		cli:
		  socket: $socket
		  mode: "0660"
		logging:
		  level: $log_level
		  target: stderr
		EOF
		if [ -n "$extra" ]; then
			cat "$extra" || sgw_fail "sgw_config_write: cannot read $extra"
		fi
	} >"$file"
	SGW_SOCK=$socket
	# shellcheck disable=SC2034 # for callers
	SGW_FILE_PREFIX=$file_prefix
	SGW_DPDK_PREFIXES+=("$file_prefix")
}

# shellcheck disable=SC2120 # arguments are optional
sgw_log_tail() {
	[ -n "$SGW_LOG" ] && [ -f "$SGW_LOG" ] || return 0
	echo "--- last lines of $SGW_LOG ---" >&2
	tail -n "${1:-30}" "$SGW_LOG" >&2
	echo "---" >&2
}

# True while PID is a live process (a zombie counts as gone).
sgw__alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

sgw_wait_exit() { # PID SECONDS
	local pid=$1 end=$(($(date +%s%N) / 1000000 + $2 * 1000))
	SGW_EXIT_STATUS=
SGW_STOP_MS=0
	while sgw__alive "$pid"; do
		[ $(($(date +%s%N) / 1000000)) -lt "$end" ] || return 1
		sleep 0.05
	done
	SGW_EXIT_STATUS=0
	wait "$pid" 2>/dev/null || SGW_EXIT_STATUS=$?
	return 0
}

sgw_start() {
	local conf=${1:-} i
	[ -x "$SGWD" ] || sgw_fail "sgwd not found at $SGWD (build first, or set SGWD)"
	[ -x "$SGWCTL" ] || sgw_fail "sgwctl not found at $SGWCTL (build first, or set SGWCTL)"
	[ -n "$SGW_SOCK" ] || sgw_fail "sgw_start: SGW_SOCK is not set"
	SGW_START_COUNT=$((SGW_START_COUNT + 1))
	SGW_LOG=$SGW_TMP/sgwd.$SGW_START_COUNT.log
	if [ -n "$conf" ]; then
		ip netns exec "$SGW_NS_GW" "$SGWD" -c "$conf" >"$SGW_LOG" 2>&1 &
	else
		ip netns exec "$SGW_NS_GW" "$SGWD" >"$SGW_LOG" 2>&1 &
	fi
	SGW_PID=$!
	for ((i = 0; i < 75; i++)); do
		if ! sgw__alive "$SGW_PID"; then
			sgw_wait_exit "$SGW_PID" 1 || true
			SGW_PID=
			sgw_log_tail
			sgw_fail "sgwd exited during start-up with status $SGW_EXIT_STATUS"
		fi
		if "$SGWCTL" -s "$SGW_SOCK" show status >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	sgw_log_tail
	sgw_fail "sgwd (pid $SGW_PID) did not answer 'show status' on $SGW_SOCK within 15 s"
}

sgw_stop() {
	local pid=$SGW_PID t0
	[ -n "$pid" ] || return 0
	SGW_PID=
	t0=$(date +%s%N)
	kill -TERM "$pid" 2>/dev/null || true
	if ! sgw_wait_exit "$pid" 5; then
		echo "$SGW_NAME: sgwd (pid $pid) ignored SIGTERM for 5 s; sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
		sgw_wait_exit "$pid" 5 || true
		SGW_STOP_MS=$((($(date +%s%N) - t0) / 1000000))
		return 137
	fi
	SGW_STOP_MS=$((($(date +%s%N) - t0) / 1000000))
	echo "$SGW_NAME: sgwd (pid $pid) exited with status $SGW_EXIT_STATUS after $SGW_STOP_MS ms"
	return "$SGW_EXIT_STATUS"
}

# --- measurements ------------------------------------------------------------

sgw_port_stat() { # PORT KEY
	local json
	json=$(sgw_ctl --json show ports) || return 1
	printf '%s\n' "$json" | "$SGW_PY" -c '
import json, sys
port, key = sys.argv[1], sys.argv[2]
for p in json.load(sys.stdin)["ports"]:
    if p["name"] == port:
        v = p
        for k in key.split("."):
            v = v[k]
        print(v)
        sys.exit(0)
sys.exit("no port " + port)
' "$1" "$2"
}

sgw__xfer_py='
import hashlib, os, socket, sys, time
mode = sys.argv[1]
if mode == "recv":
    fam = socket.AF_INET6 if sys.argv[2] == "6" else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[3])))
    s.listen(1)
    s.settimeout(30)
    open(sys.argv[4], "w").close()          # ready
    c, peer = s.accept()
    c.settimeout(30)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b); n += len(b)
    c.sendall(h.hexdigest().encode())      # lets the sender wait for the end
    c.close()
    print(n, h.hexdigest())
else:
    host, port, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = os.urandom(size)
    t = time.time()
    src = (sys.argv[5], 0) if len(sys.argv) > 5 else None
    c = socket.create_connection((host, port), timeout=30, source_address=src)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    reply = c.recv(128).decode()
    c.close()
    dt = time.time() - t
    sys.stderr.write("%d bytes in %.2f s (%.1f Mbit/s)\n" % (size, dt, size * 8 / dt / 1e6))
    print(size, hashlib.sha256(data).hexdigest())
'

sgw_tcp_transfer() { # FAMILY BYTES [SRC]; returns 1 (with a message) on failure
	local fam=$1 size=$2 src=${3:-} port=5201 dst=203.0.113.2 rpid i sent got
	[ "$fam" = 6 ] && dst=2001:db8:5::2
	rm -f "$SGW_TMP/xfer.ready"
	ip netns exec "$SGW_NS_SV" "$SGW_PY" -c "$sgw__xfer_py" recv "$fam" "$port" \
		"$SGW_TMP/xfer.ready" >"$SGW_TMP/xfer.recv" 2>&1 &
	rpid=$!
	sgw_track_pid "$rpid"
	for ((i = 0; i < 50; i++)); do
		[ -e "$SGW_TMP/xfer.ready" ] && break
		sleep 0.1
	done
	if [ ! -e "$SGW_TMP/xfer.ready" ]; then
		echo "$SGW_NAME: TCP receiver did not start" >&2
		kill "$rpid" 2>/dev/null || true
		return 1
	fi
	if ! sent=$(ip netns exec "$SGW_NS_CL" "$SGW_PY" -c "$sgw__xfer_py" send "$dst" \
		"$port" "$size" ${src:+"$src"} 2>"$SGW_TMP/xfer.send.err"); then
		cat "$SGW_TMP/xfer.send.err" >&2
		kill "$rpid" 2>/dev/null || true
		sgw_wait_exit "$rpid" 2 || true
		echo "$SGW_NAME: TCP sender to [$dst]:$port failed" >&2
		return 1
	fi
	if ! sgw_wait_exit "$rpid" 10; then
		kill "$rpid" 2>/dev/null || true
		echo "$SGW_NAME: TCP receiver did not finish" >&2
		return 1
	fi
	got=$(cat "$SGW_TMP/xfer.recv")
	sgw_say "  sent $sent; received $got; $(cat "$SGW_TMP/xfer.send.err")"
	if [ "$sent" != "$got" ]; then
		echo "$SGW_NAME: TCP to $dst: sent '$sent' but received '$got'" >&2
		return 1
	fi
}
