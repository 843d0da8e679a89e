/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's event loop: epoll over the CLI socket, signals, a
 * 100 ms tick, and the workers' wake-up eventfd; between waits it drains
 * the punt ring. It sleeps when there is nothing to do.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ctl.h"
#include "dataplane.h"

#define PUNT_BURST 64
#define PUNT_PER_PASS 512     /* then look at sockets and timers again */
#define TICK_MS 100
#define MAX_EVENTS 32

struct sgw_ctl sgw_ctl;
uint64_t sgw_ctl_cnt[SGW_CTL_MAX];
const char *const sgw_ctl_cnt_names[SGW_CTL_MAX] = {
#define SGW_CTL_NAME(id, name) [SGW_CTL_##id] = name,
	SGW_CTL_COUNTERS(SGW_CTL_NAME)
#undef SGW_CTL_NAME
};

static void on_signal(struct sgw_cli_ev *ev, uint32_t events)
{
	struct signalfd_siginfo si;

	RTE_SET_USED(events);
	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		CTL_LOG(NOTICE, "signal %u: shutting down", si.ssi_signo);
		sgw_ctl.quit = true;
	}
}

static void on_tick(struct sgw_cli_ev *ev, uint32_t events)
{
	uint64_t n;

	RTE_SET_USED(events);
	if (read(ev->fd, &n, sizeof(n)) == sizeof(n)) {
		sgw_local_tick();
		sgw_ctl_ike_tick();
	}
}

static void on_wakeup(struct sgw_cli_ev *ev, uint32_t events)
{
	RTE_SET_USED(ev);
	RTE_SET_USED(events);
	/* sgw_dp_ctl_awake() already drained the eventfd. */
}

static void cli_log(void *arg, int level, const char *msg)
{
	RTE_SET_USED(arg);
	rte_log((uint32_t)level + 1, sgw_ctl_logtype, "cli: %s\n", msg);
}

static unsigned drain_punts(void)
{
	struct rte_mbuf *m[PUNT_BURST];
	unsigned n, total = 0;

	sgw_ipsec_events();
	do {
		n = sgw_dp_punt_dequeue(m, PUNT_BURST);
		for (unsigned i = 0; i < n; i++)
			sgw_local_input(m[i]);
		total += n;
	} while (n == PUNT_BURST && total < PUNT_PER_PASS);
	return total;
}

static int watch(int epfd, struct sgw_cli_ev *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, ev->fd, &e) < 0 ? -errno : 0;
}

static int open_fds(int epfd, struct sgw_cli_ev *sig, struct sgw_cli_ev *tick,
		    struct sgw_cli_ev *wake)
{
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sig->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	tick->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	wake->fd = sgw_dp_wakeup_fd();
	if (sig->fd < 0 || tick->fd < 0 || timerfd_settime(tick->fd, 0, &its, NULL) < 0)
		return -errno;
	if (watch(epfd, sig) || watch(epfd, tick) || watch(epfd, wake))
		return -errno;
	return 0;
}

int sgw_ctl_run(void)
{
	struct sgw_cli_ev sig = { -1, on_signal }, tick = { -1, on_tick },
			  wake = { -1, on_wakeup };
	struct epoll_event ev[MAX_EVENTS];
	struct sgw_cli_server *cli;
	int epfd, ret, n;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	ret = open_fds(epfd, &sig, &tick, &wake);
	sgw_cli_set_log(cli_log, NULL);
	cli = ret ? NULL : sgw_cli_server_open(sgw_ctl.conf->cli.socket,
					      sgw_ctl.conf->cli.mode,
					      sgw_ctl.conf->cli.group, epfd,
					      sgw_ctl_cmds, sgw_ctl_n_cmds, NULL);
	if (!cli) {
		ret = ret ? ret : -errno;
		CTL_LOG(ERR, "cannot listen on %s: %s", sgw_ctl.conf->cli.socket,
			strerror(-ret));
	}
	if (cli)
		sgw_local_announce();
	while (cli && !sgw_ctl.quit) {
		int timeout = drain_punts() ? 0 : TICK_MS;

		if (timeout && !sgw_dp_ctl_may_sleep())
			timeout = 0;
		n = epoll_wait(epfd, ev, MAX_EVENTS, timeout);
		sgw_dp_ctl_awake();
		for (int i = 0; i < n; i++) {
			struct sgw_cli_ev *e = ev[i].data.ptr;
			e->fn(e, ev[i].events);
		}
	}
	if (cli)
		sgw_cli_server_close(cli);
	if (sig.fd >= 0)
		close(sig.fd);
	if (tick.fd >= 0)
		close(tick.fd);
	close(epfd);
	return ret;
}
