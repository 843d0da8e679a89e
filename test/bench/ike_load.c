/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 load generator: sets up IKE SAs, each with its first Child SA, as
 * fast as a responder answers (or at a fixed rate), with the project's own
 * initiator (control/ike/, the sgwike library, no DPDK), and reports how
 * many came up per second. scripts/bench-ike points it at sgwd and at
 * strongSwan's charon in turn (BENCHMARKS.md).
 *
 * The configuration is an sgwd YAML file (conf/conf.h, sgw_conf_load) with
 * one peer: its remote address is the responder, its local address ours,
 * its local_id, PSK (ike.secrets), proposals and first child what every
 * setup offers. Its ports: section only has to validate (sgw_conf_validate
 * wants one port holding the peer's local address); nothing here uses it.
 *
 * The daemon's host here:
 *   send       UDP from port 500 of the peer's local address, or 4500 with
 *              the non-ESP marker once NAT-T moved the SA there (charon with
 *              kernel-libipsec claims a NAT so that ESP goes in UDP);
 *   spi_alloc  a counter;
 *   esp_add    counts and timestamps; the outbound SA of a setup's child
 *              (installed after its inbound one) completes that setup;
 *   now_ms     CLOCK_MONOTONIC.
 * Each setup is an sgw_ike_initiate() of the peer: a new IKE SA with fresh
 * SPIs, nonces and key exchange, all with the same identity (the
 * responder must not enforce unique identities: charon's unique = never;
 * sgwd has no such rule). The daemon keeps one IKE SA per peer entry that
 * it initiates (sgw_ike_initiate() says -EALREADY while that one lives),
 * and a configuration holds at most 4096 peers; so after each initiation
 * this program reads the new IKE SA's id from the daemon's per-peer record
 * and clears the record (ike.peer_state[], control/ike/ike_int.h: an
 * internal of the library, used here and nowhere else outside it), which
 * lets the next call start another IKE SA. A setup is known by that id,
 * which its ESP SAs' names begin with ("ike<id>."). Every tick the pending
 * setups are looked up: one the daemon no longer holds has failed, one
 * ESTABLISHED without its outbound ESP SA came up without its Child SA.
 * (The daemon's log cannot serve: it rate-limits its info lines to 50 a
 * second.) Why setups failed shows in the daemon's counters, printed at
 * the end ("ike_load counters ...").
 *
 * Load: at most W setups in flight (-w), optionally no more than R new
 * ones per second (-r); -n setups in all, or for -d seconds. A setup not
 * complete after --timeout seconds counts as failed (the daemon's own
 * retransmissions run meanwhile and are counted). sgw_ike_tick() runs every
 * 100 ms.
 *
 * Output: "progress" lines every --progress setups, and one result line
 *   ike_load peer=P ... started=N established=E failed=F timeouts=T ... \
 *     rate=... rate_mid=... lat_ms_p50=... lat_ms_p90=... lat_ms_p99=... \
 *     lat_ms_max=... cpu_s=... cpu_share=...
 * Latency: initiation to the outbound ESP SA of the first child.
 * rate: established setups over the time from the first initiation to the
 * last completion; rate_mid: the middle 80 % of completions over the time
 * they took (no ramp-up, no tail); cpu_share: this process's CPU time over
 * the elapsed time; near 1.0 the load generator itself was the limit.
 *
 * With --resp-pid PID (the responder, on the same machine) the CPU time is
 * accounted over the same window, first initiation to last completion:
 *   resp_cpu_s   the responder's, all threads (schedstat, nanoseconds);
 *   win_cpu_s    ours;
 *   foreign0/1   the busy share of CPU 0 and CPU 1 (/proc/stat, clock ticks)
 *                that is neither ours (on CPU 0) nor the responder's (on
 *                CPU 1), in % of the window: someone else's load. Softirq
 *                time counts as ours (the veths deliver our datagrams in
 *                it), steal time as someone else's.
 * (scripts/bench-ike pins us to CPU 0 and the responder to CPU 1.) Exit
 * status: 0 when every setup came up, 3 when some did not, 1 on errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ike.h"
#include "ike_int.h"       /* ike.peer_state: see above */

#define TICK_NS      100000000ull   /* sgw_ike_tick() every 100 ms */
#define RX_BURST     256            /* datagrams read per socket per pass */
#define SOCK_BUF     (8 << 20)
#define MARKER_LEN   4              /* non-ESP marker on port 4500 */

enum setup_state { S_NONE = 0, S_PENDING, S_DONE, S_FAILED };

struct setup {
	uint64_t start_ns, done_ns;
	uint8_t state;
};

static struct {
	/* options */
	const char *conf_path, *peer;
	unsigned long count;             /* setups to start, 0 = until -d */
	unsigned window;
	double rate;                     /* new setups per second, 0 = window only */
	double duration;                 /* seconds, 0 = until -n */
	double timeout;                  /* seconds per setup */
	unsigned long progress;
	int verbose;

	/* state */
	struct sgw_conf *conf;
	int fd500, fd4500;
	struct sgw_ike_addr local;       /* our address (port 500) */
	uint32_t next_spi;
	uint64_t next_handle;
	struct setup *s;                 /* by IKE SA id */
	size_t n_s;
	uint32_t last_id;                /* the newest setup's IKE SA id */
	unsigned long started, done, failed, timeouts, child_failed, init_errors;
	unsigned long esp_in, esp_out, esp_del, send_errors;
	unsigned long rx, rx_esp;
	uint32_t oldest;                 /* lowest id that may still be pending */
	uint64_t t0_ns, first_ns, last_done_ns;
	uint64_t *done_at;               /* completion times, in order */
	size_t n_done_at, cap_done_at;
	volatile sig_atomic_t stop;
	int resp_pid;                    /* 0: no accounting of the responder */
} L = {
	.peer = NULL, .window = 32, .timeout = 30, .next_spi = 0x1000, .fd500 = -1,
	.fd4500 = -1,
};

/* CPU accounting over the measured window (--resp-pid). */
struct acct {
	uint64_t resp_ns;                /* the responder's threads, schedstat */
	double self_s;                   /* our CPU time */
	uint64_t total[2], busy[2], soft[2]; /* cpu0, cpu1: /proc/stat ticks */
};

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void acct_take(struct acct *a)
{
	char path[64], line[512];
	FILE *f;

	memset(a, 0, sizeof(*a));
	a->self_s = self_cpu();
	f = fopen("/proc/stat", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = { 0 };
		int cpu;

		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9 || cpu < 0 || cpu > 1)
			continue;
		for (int i = 0; i < 8; i++)
			a->total[cpu] += v[i];
		a->busy[cpu] = a->total[cpu] - v[3] - v[4];   /* not idle, not iowait */
		a->soft[cpu] = v[6];
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/task", L.resp_pid);
	{
		DIR *d = opendir(path);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			unsigned long long ns;
			char sp[sizeof(path) + sizeof(e->d_name) + 16];

			if (e->d_name[0] == '.')
				continue;
			snprintf(sp, sizeof(sp), "%s/%s/schedstat", path, e->d_name);
			f = fopen(sp, "r");
			if (f && fscanf(f, "%llu", &ns) == 1)
				a->resp_ns += ns;
			if (f)
				fclose(f);
		}
		if (d)
			closedir(d);
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ike_load: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct setup *setup_of(uint32_t id, bool grow)
{
	if (id >= L.n_s) {
		size_t n = L.n_s ? L.n_s : 4096;
		struct setup *p;

		if (!grow)
			return NULL;
		while (n <= id)
			n *= 2;
		p = realloc(L.s, n * sizeof(*p));
		if (!p)
			die("out of memory");
		memset(p + L.n_s, 0, (n - L.n_s) * sizeof(*p));
		L.s = p;
		L.n_s = n;
	}
	return &L.s[id];
}

static void setup_failed(struct setup *st)
{
	st->state = S_FAILED;
	L.failed++;
}

static void setup_done(uint32_t id, struct setup *st)
{
	uint64_t now = mono_ns();

	st->state = S_DONE;
	st->done_ns = now;
	L.done++;
	L.last_done_ns = now;
	if (L.n_done_at == L.cap_done_at) {
		size_t n = L.cap_done_at ? 2 * L.cap_done_at : 4096;
		uint64_t *p = realloc(L.done_at, n * sizeof(*p));

		if (!p)
			die("out of memory");
		L.done_at = p;
		L.cap_done_at = n;
	}
	L.done_at[L.n_done_at++] = now;
	if (L.progress && L.done % L.progress == 0) {
		static uint64_t prev_ns;
		static unsigned long prev_done;
		const uint64_t from = prev_ns ? prev_ns : L.first_ns;

		printf("progress established=%lu t_s=%.3f block_rate=%.1f id=%u\n", L.done,
		       (double)(now - L.first_ns) / 1e9,
		       (double)(L.done - prev_done) * 1e9 / (double)(now - from), id);
		fflush(stdout);
		prev_ns = now;
		prev_done = L.done;
	}
}

/* ------------------------------------------------------------- the host */

static void h_send(void *ctx, const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		   const uint8_t *msg, size_t len)
{
	static uint8_t buf[65536];
	const bool natt = local->port == SGW_IKE_NATT_PORT || remote->port == SGW_IKE_NATT_PORT;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(remote->port) };
	const uint8_t *p = msg;
	size_t n = len;

	(void)ctx;
	if (remote->family != AF_INET)
		return;
	memcpy(&to.sin_addr, remote->a, 4);
	if (natt) {
		if (len + MARKER_LEN > sizeof(buf))
			return;
		memset(buf, 0, MARKER_LEN);
		memcpy(buf + MARKER_LEN, msg, len);
		p = buf;
		n = len + MARKER_LEN;
	}
	if (sendto(natt ? L.fd4500 : L.fd500, p, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		L.send_errors++;
}

static int h_spi_alloc(void *ctx, uint32_t *spi)
{
	(void)ctx;
	*spi = L.next_spi++;
	return 0;
}

static void h_spi_release(void *ctx, uint32_t spi)
{
	(void)ctx;
	(void)spi;
}

static int h_esp_add(void *ctx, const struct sgw_ike_esp *e, uint64_t *handle)
{
	unsigned id;
	struct setup *st;

	(void)ctx;
	*handle = ++L.next_handle;
	if (e->inbound) {
		L.esp_in++;
		return 0;
	}
	L.esp_out++;
	/* "ike<id>.<child>.out": the outbound SA completes the setup. */
	if (sscanf(e->name, "ike%u.", &id) == 1 && (st = setup_of(id, false)) &&
	    st->state == S_PENDING)
		setup_done(id, st);
	return 0;
}

static void h_esp_del(void *ctx, uint64_t handle)
{
	(void)ctx;
	(void)handle;
	L.esp_del++;
}

static int h_esp_counts(void *ctx, uint64_t handle, uint64_t *packets, uint64_t *bytes)
{
	(void)ctx;
	(void)handle;
	*packets = *bytes = 0;
	return 0;
}

static uint64_t h_now_ms(void *ctx)
{
	(void)ctx;
	return mono_ns() / 1000000;
}

static int h_source(void *ctx, int family, const uint8_t *remote, uint8_t *local)
{
	(void)ctx;
	(void)remote;
	if (family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(local, L.local.a, 4);
	return 0;
}

/* The daemon's log, for -v. */
static void log_hook(int level, const char *msg)
{
	if (L.verbose > 1 || (L.verbose && level <= LOG_NOTICE))
		fprintf(stderr, "ike: %s\n", msg);
}

/* ------------------------------------------------------------ sockets */

static int udp_socket(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, sz = SOCK_BUF;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	memcpy(&a.sin_addr, L.local.a, 4);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* As root past rmem_max/wmem_max; else as much as allowed. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		char s[INET_ADDRSTRLEN];

		die("bind %s:%u: %s", inet_ntop(AF_INET, L.local.a, s, sizeof(s)), port,
		    strerror(errno));
	}
	return fd;
}

static void drain(int fd, uint16_t port)
{
	static uint8_t buf[65536];
	struct sgw_ike_addr local = L.local, remote = { .family = AF_INET };
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;

	local.port = port;
	for (unsigned i = 0; i < RX_BURST; i++) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sin_family != AF_INET)
			continue;
		L.rx++;
		memcpy(remote.a, &from.sin_addr, 4);
		remote.port = ntohs(from.sin_port);
		if (port == SGW_IKE_NATT_PORT) {
			static const uint8_t zero[MARKER_LEN];

			if (n < MARKER_LEN || memcmp(buf, zero, MARKER_LEN)) {
				L.rx_esp++;      /* ESP in UDP: nothing to do with it */
				continue;
			}
			sgw_ike_input(&local, &remote, buf + MARKER_LEN, (size_t)n - MARKER_LEN);
		} else {
			sgw_ike_input(&local, &remote, buf, (size_t)n);
		}
	}
}

/* ---------------------------------------------------------------- main */

static void on_signal(int sig)
{
	(void)sig;
	L.stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ike_load -c CONF [-p PEER] [-n COUNT] [-w WINDOW] [-r RATE] [-d SECONDS]\n"
		"                [-t TIMEOUT] [-P PROGRESS] [--resp-pid PID] [-v]\n"
		"  -c  sgwd-style YAML: the peer to initiate to (remote = the responder)\n"
		"  -p  peer name (default: the only/first peer)\n"
		"  -n  setups to start (default 1000; 0 with -d: until the time is up)\n"
		"  -w  setups in flight at most (default 32)\n"
		"  -r  new setups per second at most (default 0: only the window limits)\n"
		"  -d  stop starting new setups after this many seconds\n"
		"  -t  seconds after which a setup counts as failed (default 30)\n"
		"  -P  print a progress line every PROGRESS completed setups\n"
		"  -v  log the daemon's notices (-vv: everything)\n"
		"  --resp-pid  account the responder's CPU time (and others' on CPUs 0, 1)\n"
		"              over the window from the first initiation to the last completion\n");
	exit(2);
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return (double)v[i < n ? i : n - 1] / 1e6;
}

/* The pending setups, oldest first: failed when the daemon no longer holds
 * their IKE SA, or holds it ESTABLISHED without the Child SA (both are
 * settled by the time an input returns), or when the timeout passed. */
static void check_pending(uint64_t now)
{
	static struct sgw_ike_sa_info info;
	const uint64_t limit = (uint64_t)(L.timeout * 1e9);
	bool head = true;

	for (uint32_t id = L.oldest; id <= L.last_id; id++) {
		struct setup *st = setup_of(id, false);

		if (!st || st->state != S_PENDING) {
			if (head)
				L.oldest = id + 1;
			continue;
		}
		if (!sgw_ike_sa_get(id, &info)) {
			setup_failed(st);
		} else if (!strcmp(info.state, "ESTABLISHED")) {
			L.child_failed++;
			setup_failed(st);
		} else if (now - st->start_ns >= limit) {
			L.timeouts++;
			setup_failed(st);
		} else {
			head = false;
			continue;
		}
		if (head)
			L.oldest = id + 1;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "progress", required_argument, NULL, 'P' },
		{ "resp-pid", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct sgw_conf_err err;
	const struct sgw_conf_peer *pc;
	struct rusage ru;
	struct acct a0, a1;
	uint64_t now, next_tick, stop_start_ns = 0, end_ns, win_ns;
	unsigned long inflight;
	double cpu;
	unsigned pidx;
	int o, ret;

	L.count = 1000;
	while ((o = getopt_long(argc, argv, "c:p:n:w:r:d:t:P:vR:", lo, NULL)) != -1) {
		switch (o) {
		case 'c': L.conf_path = optarg; break;
		case 'p': L.peer = optarg; break;
		case 'n': L.count = strtoul(optarg, NULL, 10); break;
		case 'w': L.window = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': L.rate = strtod(optarg, NULL); break;
		case 'd': L.duration = strtod(optarg, NULL); break;
		case 't': L.timeout = strtod(optarg, NULL); break;
		case 'P': L.progress = strtoul(optarg, NULL, 10); break;
		case 'v': L.verbose++; break;
		case 'R': L.resp_pid = atoi(optarg); break;
		default: usage();
		}
	}
	if (!L.conf_path || optind != argc || !L.window || L.timeout <= 0 ||
	    (!L.count && L.duration <= 0))
		usage();

	ret = sgw_conf_load(L.conf_path, &L.conf, &err);
	if (ret)
		die("%s", err.msg);
	if (!L.conf->n_peers)
		die("%s: no peers", L.conf_path);
	if (!L.peer)
		L.peer = L.conf->peers[0].name;
	pc = sgw_conf_find_peer(L.conf, L.peer);
	if (!pc)
		die("no peer '%s' in %s", L.peer, L.conf_path);
	if (!pc->has_local || pc->local.family != AF_INET || pc->remote_any ||
	    pc->remote.family != AF_INET)
		die("peer %s: give IPv4 'local' and 'remote' addresses", L.peer);
	L.local.family = AF_INET;
	L.local.port = SGW_IKE_PORT;
	memcpy(L.local.a, pc->local.addr, 4);
	L.fd500 = udp_socket(SGW_IKE_PORT);
	L.fd4500 = udp_socket(SGW_IKE_NATT_PORT);

	{
		const struct sgw_ike_host h = {
			.send = h_send, .spi_alloc = h_spi_alloc, .spi_release = h_spi_release,
			.esp_add = h_esp_add, .esp_del = h_esp_del, .esp_counts = h_esp_counts,
			.now_ms = h_now_ms, .source = h_source,
		};

		sgw_ike_log_hook = log_hook;
		ret = sgw_ike_init(L.conf, &h);
		if (ret)
			die("sgw_ike_init: %s", strerror(-ret));
	}
	for (pidx = 0; pidx < ike.n_peers && strcmp(ike.peers[pidx].name, L.peer); pidx++)
		;
	if (pidx == ike.n_peers)
		die("peer %s: not in the daemon's configuration", L.peer);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (L.resp_pid)
		acct_take(&a0);
	L.t0_ns = now = mono_ns();
	next_tick = now + TICK_NS;
	L.oldest = 1;
	for (;;) {
		struct pollfd pfd[2] = { { L.fd500, POLLIN, 0 }, { L.fd4500, POLLIN, 0 } };
		struct setup *st;
		int timeout_ms;
		bool starting;
		uint32_t id;

		now = mono_ns();
		inflight = L.started - L.done - L.failed;
		starting = !L.stop && (!L.count || L.started < L.count) &&
			   (L.duration <= 0 || !L.started ||
			    now - L.first_ns < (uint64_t)(L.duration * 1e9));
		if (!starting && !stop_start_ns)
			stop_start_ns = now;
		while (starting && inflight < L.window && (!L.count || L.started < L.count)) {
			if (L.rate > 0 && L.started &&
			    now < L.first_ns + (uint64_t)((double)L.started * 1e9 / L.rate))
				break;
			ret = sgw_ike_initiate(L.peer);
			id = ret ? 0 : ike.peer_state[pidx].sa_id;
			ike.peer_state[pidx].sa_id = 0;
			if (!id) {
				L.init_errors++;
				if (L.init_errors > 1000)
					die("sgw_ike_initiate(%s): %s", L.peer,
					    ret ? strerror(-ret) : "no new IKE SA");
				break;
			}
			st = setup_of(id, true);
			st->state = S_PENDING;
			st->start_ns = mono_ns();
			L.last_id = id;
			if (!L.started)
				L.first_ns = st->start_ns;
			L.started++;
			inflight++;
		}
		if (!starting && !inflight)
			break;
		if (L.stop && now - stop_start_ns > 2000000000ull)
			break;           /* interrupted: give what is in flight 2 s */

		timeout_ms = (int)((next_tick > now ? next_tick - now : 0) / 1000000);
		if (starting && inflight < L.window && L.rate > 0) {
			uint64_t at = L.first_ns + (uint64_t)((double)L.started * 1e9 / L.rate);
			int t = at > now ? (int)((at - now) / 1000000) : 0;

			if (t < timeout_ms)
				timeout_ms = t;
		}
		if (poll(pfd, 2, timeout_ms) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (pfd[0].revents & POLLIN)
			drain(L.fd500, SGW_IKE_PORT);
		if (pfd[1].revents & POLLIN)
			drain(L.fd4500, SGW_IKE_NATT_PORT);
		now = mono_ns();
		if (now >= next_tick) {
			sgw_ike_tick();
			check_pending(now);
			next_tick = now + TICK_NS;
		}
	}
	win_ns = mono_ns() - L.t0_ns;
	if (L.resp_pid)
		acct_take(&a1);
	end_ns = L.last_done_ns ? L.last_done_ns : mono_ns();
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;

	{
		const uint64_t *c = sgw_ike_counters();
		const double el = L.first_ns && end_ns > L.first_ns ?
				  (double)(end_ns - L.first_ns) / 1e9 : 0;
		double rate_mid = 0;
		uint64_t *lat = malloc((L.done ? L.done : 1) * sizeof(*lat));
		size_t n = 0;

		if (!lat)
			die("out of memory");
		for (uint32_t id = 1; id < L.n_s && id <= L.last_id; id++)
			if (L.s[id].state == S_DONE)
				lat[n++] = L.s[id].done_ns - L.s[id].start_ns;
		qsort(lat, n, sizeof(*lat), cmp_u64);
		if (L.n_done_at >= 10) {
			size_t a = L.n_done_at / 10, b = L.n_done_at - 1 - L.n_done_at / 10;

			if (L.done_at[b] > L.done_at[a])
				rate_mid = (double)(b - a) * 1e9 / (double)(L.done_at[b] - L.done_at[a]);
		}
		printf("ike_load peer=%s window=%u rate_limit=%.0f started=%lu established=%lu "
		       "failed=%lu timeouts=%lu child_failed=%lu init_errors=%lu "
		       "elapsed_s=%.3f rate=%.1f rate_mid=%.1f "
		       "lat_ms_p50=%.2f lat_ms_p90=%.2f lat_ms_p99=%.2f lat_ms_max=%.2f "
		       "ike_retransmits=%lu ike_tx=%lu ike_rx=%lu send_errors=%lu rx_esp=%lu "
		       "cpu_s=%.3f cpu_share=%.2f\n",
		       L.peer, L.window, L.rate, L.started, L.done, L.failed, L.timeouts,
		       L.child_failed, L.init_errors, el,
		       el > 0 ? (double)L.done / el : 0, rate_mid, pct(lat, n, 50), pct(lat, n, 90),
		       pct(lat, n, 99), pct(lat, n, 100),
		       (unsigned long)c[SGW_IKE_C_RETRANSMITS], (unsigned long)c[SGW_IKE_C_TX],
		       (unsigned long)c[SGW_IKE_C_RX], L.send_errors, L.rx_esp, cpu,
		       (double)(mono_ns() - L.t0_ns) > 0 ? cpu * 1e9 / (double)(mono_ns() - L.t0_ns) : 0);
		if (L.resp_pid) {
			const double hz = (double)sysconf(_SC_CLK_TCK), win = (double)win_ns / 1e9;
			const double resp = (double)(a1.resp_ns - a0.resp_ns) / 1e9;
			const double self = a1.self_s - a0.self_s;
			double f[2];

			for (int k = 0; k < 2; k++) {
				const double busy = (double)((a1.busy[k] - a0.busy[k]) -
							     (a1.soft[k] - a0.soft[k])) / hz;

				f[k] = 100.0 * (busy - (k ? resp : self)) / win;
				if (f[k] < 0)
					f[k] = 0;
			}
			printf("ike_load window_s=%.3f resp_cpu_s=%.4f resp_cpu_share=%.2f "
			       "resp_cpu_ms_per_setup=%.4f win_cpu_s=%.4f win_cpu_share=%.2f "
			       "foreign0=%.1f foreign1=%.1f\n", win, resp, resp / win,
			       L.done ? 1000.0 * resp / (double)L.done : 0, self, self / win, f[0], f[1]);
		}
		/* Why setups failed, in the daemon's words: its counters. */
		printf("ike_load counters");
		for (unsigned k = 0; k < SGW_IKE_C_MAX; k++)
			if (c[k])
				printf(" %s=%lu", sgw_ike_counter_names[k], (unsigned long)c[k]);
		printf("\n");
		free(lat);
	}
	fflush(stdout);
	/* The responder keeps its SAs: nothing is deleted on the wire. */
	sgw_ike_fini();
	sgw_conf_free(L.conf);
	close(L.fd500);
	close(L.fd4500);
	free(L.s);
	free(L.done_at);
	return L.failed || L.done < L.started ? 3 : 0;
}
