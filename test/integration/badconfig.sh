#!/usr/bin/env bash
# Bad configuration is refused with file:line:col before anything starts:
# every fixture in $SGW_FIXTURES/bad/EXPECTED fails --check-config with its
# expected message, every good fixture passes, and sgwd started on a bad file
# (or on a valid file whose port cannot be opened) exits non-zero quickly and
# leaves no process and no socket behind.
# shellcheck disable=SC2119 # sgw_log_tail and sgw_start take optional arguments
set -euo pipefail
SGW_SRC=${SGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SGW_FIXTURES=${SGW_FIXTURES:-$SGW_SRC/test/fixtures}
# shellcheck source=scripts/lib/netns.sh
. "$SGW_SRC/scripts/lib/netns.sh"

BAD=$SGW_FIXTURES/bad
[ -f "$BAD/EXPECTED" ] || sgw_fail "no $BAD/EXPECTED"
[ -x "$SGWD" ] || sgw_fail "sgwd not found at $SGWD (build first, or set SGWD)"

sgw_init
sgw_topology_create

# sgwd only ever runs inside the gateway namespace, even to check a file.
n_bad=0
first_bad=
while IFS=$'\t' read -r file expected || [ -n "$file" ]; do
	case $file in '' | '#'*) continue ;; esac
	[ -n "$expected" ] || sgw_fail "EXPECTED: no tab-separated message for $file"
	path=$BAD/$file
	[ -f "$path" ] || sgw_fail "EXPECTED names $file, which does not exist"
	want="$path:$expected"
	sgw_say "checking: --check-config bad/$file exits 1 with '$file:$expected'"
	rc=0
	sgw_gw "$SGWD" --check-config "$path" >"$SGW_TMP/out" 2>"$SGW_TMP/err" || rc=$?
	n_bad=$((n_bad + 1))
	if [ "$rc" -ne 1 ]; then
		cat "$SGW_TMP/out" "$SGW_TMP/err" >&2
		sgw_bad "--check-config bad/$file exited $rc, expected 1"
	elif ! grep -qF -- "$want" "$SGW_TMP/err"; then
		echo "stderr was:" >&2
		cat "$SGW_TMP/err" >&2
		sgw_bad "--check-config bad/$file: stderr lacks '$want'"
	fi
	first_bad=${first_bad:-$path}
done <"$BAD/EXPECTED"
[ "$n_bad" -gt 0 ] || sgw_fail "$BAD/EXPECTED lists no fixtures"
sgw_say "  $n_bad bad fixtures checked"

n_good=0
for path in "$SGW_FIXTURES"/good/*.yaml; do
	[ -e "$path" ] || continue
	sgw_say "checking: --check-config good/${path##*/} exits 0"
	rc=0
	sgw_gw "$SGWD" --check-config "$path" >"$SGW_TMP/out" 2>&1 || rc=$?
	n_good=$((n_good + 1))
	if [ "$rc" -ne 0 ]; then
		cat "$SGW_TMP/out" >&2
		sgw_bad "--check-config good/${path##*/} exited $rc"
	elif ! grep -qF -- "$path: ok" "$SGW_TMP/out"; then
		cat "$SGW_TMP/out" >&2
		sgw_bad "--check-config good/${path##*/} did not print '$path: ok'"
	fi
done
sgw_say "  $n_good good fixtures checked"

# run_fails DESCRIPTION CONF SOCKET: sgwd -c CONF must exit non-zero within
# 5 s, and leave neither its process nor SOCKET.
run_fails() {
	local what=$1 conf=$2 sock=$3 pid log=$SGW_TMP/run.$RANDOM.log existed=0
	[ ! -e "$sock" ] || existed=1
	sgw_say "checking: sgwd -c $what exits non-zero within 5 s, no process or socket left"
	ip netns exec "$SGW_NS_GW" "$SGWD" -c "$conf" >"$log" 2>&1 &
	pid=$!
	sgw_track_pid "$pid"
	if ! sgw_wait_exit "$pid" 5; then
		kill -KILL "$pid" 2>/dev/null || true
		tail -n 20 "$log" >&2
		sgw_fail "sgwd -c $what still running after 5 s"
	fi
	[ "$SGW_EXIT_STATUS" -ne 0 ] || { tail -n 20 "$log" >&2; sgw_bad "sgwd -c $what exited 0"; }
	[ ! -e "/proc/$pid" ] || sgw_bad "sgwd -c $what: pid $pid still exists"
	if [ "$existed" -eq 1 ]; then
		sgw_say "  ($sock existed before; not checked)"
	elif [ -e "$sock" ]; then
		sgw_bad "sgwd -c $what left $sock behind"
	fi
	sgw_say "  exit status $SGW_EXIT_STATUS: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1)"
}

# The socket a bad fixture would have used, if it names one.
sock=$(sed -n 's/^[[:space:]]*socket:[[:space:]]*"\{0,1\}\([^"#[:space:]]*\).*/\1/p' "$first_bad" | head -n 1)
run_fails "${first_bad#"$SGW_FIXTURES"/}" "$first_bad" "${sock:-/run/sgw/sgwd.sock}"

# Valid file, but the client port's interface does not exist: start-up fails
# after the configuration was accepted, which must clean up just as well.
sgw_config_write "$SGW_TMP/noport.yaml" client_device="net_af_packet0,iface=sgw-nosuch"
run_fails "<config with a missing interface>" "$SGW_TMP/noport.yaml" "$SGW_SOCK"
sgw_finish
