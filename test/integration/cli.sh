#!/usr/bin/env bash
# sgwctl against a running sgwd: every show command in human and JSON form,
# exit codes for bad requests, the socket's mode, concurrent clients, an
# over-long request line, and a clean shutdown through the CLI.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

sgw_init
sgw_topology_create
sgw_config_write "$SGW_TMP/sgwd.yaml" \
	routes='{to: "2001:db8:77::/48", via: "2001:db8:5::2", port: server}'
sgw_start "$SGW_TMP/sgwd.yaml"

# Something for "show neighbours" to list.
sgw_cl ping -n -q -c 2 -w 5 203.0.113.2 >/dev/null || sgw_fail "IPv4 forwarding does not work"

# expect_rc RC DESCRIPTION SGWCTL-ARGS...
expect_rc() {
	local want=$1 what=$2 rc=0
	shift 2
	sgw_say "checking: $what (sgwctl $*) exits $want"
	sgw_ctl "$@" >"$SGW_TMP/out" 2>"$SGW_TMP/err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		cat "$SGW_TMP/out" "$SGW_TMP/err" >&2
		sgw_bad "$what: sgwctl $* exited $rc, expected $want"
		return 1
	fi
}

# The fields each --json reply must carry (from the CLI contract).
check_json_py='
import json, sys
cmd, path, sgwd_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(path))
DROPS = ["runt", "l2_other_host", "unsupported_ethertype", "ipv4_bad_header",
         "ipv4_bad_checksum", "ipv4_martian", "ipv6_bad_header", "ipv6_martian",
         "ttl_exceeded", "no_route", "mtu_exceeded", "fragmentation_failed",
         "punt_ring_full", "tx_full", "no_mbuf"]
def need(obj, keys, where):
    if not isinstance(obj, dict):
        sys.exit("%s: %s is not an object" % (cmd, where))
    missing = [k for k in keys if k not in obj]
    if missing:
        sys.exit("%s: %s lacks %s" % (cmd, where, ", ".join(missing)))
def need_list(obj, key):
    need(obj, [key], "reply")
    if not isinstance(obj[key], list):
        sys.exit("%s: %s is not a list" % (cmd, key))
    return obj[key]
if cmd == "status":
    need(doc, ["version", "uptime_s", "role", "config", "pid", "lcores"], "reply")
    if doc["pid"] != sgwd_pid:
        sys.exit("status: pid %r, sgwd runs as %d" % (doc["pid"], sgwd_pid))
    if doc["role"] != "standalone":
        sys.exit("status: role %r" % doc["role"])
    for l in need_list(doc, "lcores"):
        need(l, ["lcore", "cpu", "role"], "lcore")
elif cmd == "ports":
    ports = need_list(doc, "ports")
    names = sorted(p.get("name") for p in ports)
    if names != ["client", "server"]:
        sys.exit("ports: names %r" % names)
    for p in ports:
        need(p, ["name", "index", "device", "mac", "link", "mtu", "addresses",
                 "rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_missed",
                 "rx_errors", "tx_errors", "drops"], "port " + p["name"])
        need(p["drops"], DROPS, "drops of " + p["name"])
        mac = {"client": "02:00:00:00:0c:01", "server": "02:00:00:00:05:01"}[p["name"]]
        if p["mac"].lower() != mac:
            sys.exit("ports: %s has mac %r, expected %s" % (p["name"], p["mac"], mac))
        want = {"client": "198.51.100.1/24", "server": "203.0.113.1/24"}[p["name"]]
        if want not in p["addresses"]:
            sys.exit("ports: %s addresses %r lack %s" % (p["name"], p["addresses"], want))
elif cmd == "routes":
    routes = need_list(doc, "routes")
    # "local" (docs/architecture.md: routes to the gateway addresses) goes beyond
    # the connected|static of the contract; accepted for exactly those.
    # Port addresses, and the EUI-64 link-local addresses of the port MACs.
    own = {"198.51.100.1/32", "2001:db8:c::1/128", "203.0.113.1/32", "2001:db8:5::1/128",
           "fe80::ff:fe00:c01/128", "fe80::ff:fe00:501/128"}
    for r in routes:
        need(r, ["to", "via", "port", "type"], "route")
        if r["type"] == "local" and r["to"] not in own:
            sys.exit("routes: local route to %r, which is no gateway address" % r["to"])
        if r["type"] not in ("connected", "static", "local"):
            sys.exit("routes: type %r" % r["type"])
        if r["via"] is not None and not isinstance(r["via"], str):
            sys.exit("routes: via %r" % r["via"])
    have = {(r["to"], r["type"]) for r in routes}
    for want in [("198.51.100.0/24", "connected"), ("203.0.113.0/24", "connected"),
                 ("2001:db8:c::/64", "connected"), ("2001:db8:5::/64", "connected"),
                 ("2001:db8:77::/48", "static")]:
        if want not in have:
            sys.exit("routes: no %s route to %s in %r" % (want[1], want[0], sorted(have)))
elif cmd == "neighbours":
    ns = need_list(doc, "neighbours")
    for n in ns:
        need(n, ["address", "mac", "port", "state"], "neighbour")
    if not any(n["address"] == "198.51.100.2" and n["mac"].lower() == "02:00:00:00:0c:02"
               and n["port"] == "client" for n in ns):
        sys.exit("neighbours: 198.51.100.2 (02:00:00:00:0c:02 on client) missing: %r" % ns)
elif cmd == "stats":
    for w in need_list(doc, "workers"):
        need(w, ["worker", "lcore", "rx_packets", "tx_packets", "punted", "drops"], "worker")
    need(doc, ["control"], "reply")
    if not isinstance(doc["control"], dict):
        sys.exit("stats: control is not an object")
'

for c in status ports routes neighbours stats; do
	if expect_rc 0 "show $c, human" show "$c"; then
		[ -s "$SGW_TMP/out" ] || sgw_bad "show $c printed nothing"
	fi
	if expect_rc 0 "show $c, JSON" --json show "$c"; then
		if why=$("$SGW_PY" -c "$check_json_py" "$c" "$SGW_TMP/out" "$SGW_PID" 2>&1); then
			sgw_ok "show $c"
		else
			cat "$SGW_TMP/out" >&2
			sgw_bad "show $c --json: ${why##*$'\n'}"
		fi
	fi
done
if expect_rc 0 "show ports client" --json show ports client; then
	"$SGW_PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert [p["name"] for p in d["ports"]] == ["client"], d' "$SGW_TMP/out" ||
		sgw_bad "show ports client: reply is not exactly port client"
fi
expect_rc 0 "help" help || true

expect_rc 2 "unknown command" frobnicate || true
expect_rc 2 "unknown show subcommand" show nosuchthing || true
expect_rc 1 "unknown port" show ports nosuchport || true
expect_rc 0 "log level debug" log level debug || true
expect_rc 0 "log level info" log level info || true
rc=0
sgw_ctl log level bogus >"$SGW_TMP/out" 2>"$SGW_TMP/err" || rc=$?
if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
	sgw_bad "log level bogus exited $rc, expected 1 or 2"
elif [ ! -s "$SGW_TMP/err" ]; then
	sgw_bad "log level bogus exited $rc but printed no error on stderr"
else
	sgw_ok "log level bogus: exit $rc: $(head -n1 "$SGW_TMP/err")"
fi

# sgwctl may refuse a bad level itself; sgwd must refuse it too.
# raw_request LINE: the first reply line sgwd sends for LINE.
raw_request() {
	"$SGW_PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
try:
    while b"\n" not in buf:
        b = s.recv(4096)
        if not b:
            break
        buf += b
except (socket.timeout, ConnectionResetError) as e:
    sys.stderr.write("while reading: %r\n" % e)
print(buf.split(b"\n")[0].decode(errors="replace"))
' "$SGW_SOCK" "$1"
}
sgw_say "checking: sgwd itself answers 'log level bogus' with an 8xxx/9xxx error"
reply=$(raw_request "log level bogus")
case $reply in
[89][0-9][0-9][0-9]" "*) sgw_ok "reply: $reply" ;;
*) sgw_bad "raw 'log level bogus' got '$reply', expected a final 8xxx or 9xxx line" ;;
esac

sgw_say "checking: the socket's mode is 0660"
mode=$(stat -c '%A' "$SGW_SOCK")
if [ "$mode" = "srw-rw----" ]; then
	sgw_ok "socket mode $mode"
else
	sgw_bad "socket $SGW_SOCK has mode $mode, expected srw-rw----"
fi

sgw_say "checking: 5 concurrent sgwctl all succeed"
pids=()
for i in 1 2 3 4 5; do
	sgw_ctl --json show ports >"$SGW_TMP/conc.$i" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4 5; do
	rc=0
	wait "${pids[$((i - 1))]}" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$SGW_TMP/conc.$i" >&2
		sgw_bad "concurrent sgwctl #$i exited $rc"
	elif ! why=$("$SGW_PY" -c "$check_json_py" ports "$SGW_TMP/conc.$i" "$SGW_PID" 2>&1); then
		sgw_bad "concurrent sgwctl #$i: ${why##*$'\n'}"
	fi
done
sgw_say "  5 concurrent clients done"

sgw_say "checking: a 2000-byte request line is answered with 9002"
long=$(head -c 1995 /dev/zero | tr '\0' x)
reply=$(raw_request "show $long")
case $reply in
9002*) sgw_ok "reply: $reply" ;;
*) sgw_bad "2000-byte request got '$reply', expected a line starting 9002" ;;
esac
sgw_ctl show status >/dev/null || sgw_fail "sgwd stopped answering after the long request"

sgw_say "checking: sgwctl shutdown stops sgwd with status 0 within 2 s and removes the socket"
pid=$SGW_PID
rc=0
sgw_ctl shutdown >"$SGW_TMP/out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$SGW_TMP/out" >&2; sgw_bad "sgwctl shutdown exited $rc"; }
sgw_wait_exit "$pid" 2 || sgw_fail "sgwd (pid $pid) still running 2 s after sgwctl shutdown"
SGW_PID=
if [ "$SGW_EXIT_STATUS" -ne 0 ]; then
	sgw_log_tail
	sgw_bad "sgwd exited with status $SGW_EXIT_STATUS after shutdown"
fi
if [ -e "$SGW_SOCK" ]; then
	sgw_bad "socket $SGW_SOCK still exists after shutdown"
else
	sgw_ok "sgwd exited $SGW_EXIT_STATUS, socket removed"
fi
expect_rc 3 "no sgwd listening" show status || true
sgw_finish
