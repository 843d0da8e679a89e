/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sgwd: load and validate the whole config before touching DPDK, derive the
 * EAL command line from it, set up the dataplane, run the control loop on
 * the main lcore until SIGINT/SIGTERM or `sgwctl shutdown`, then undo it all.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "ctl.h"
#include "dataplane.h"

RTE_LOG_REGISTER_SUFFIX(sgw_ctl_logtype, control, INFO);

static void usage(FILE *f)
{
	fprintf(f, "usage: sgwd [-c FILE]          run (default: the embedded demo config)\n"
		   "       sgwd --check-config FILE validate FILE and exit 0 or 1\n"
		   "       sgwd -V | -h\n");
}

static ssize_t syslog_write(void *c, const char *buf, size_t size)
{
	int lvl = (int)rte_log_cur_msg_loglevel() - 1;

	RTE_SET_USED(c);
	syslog(lvl < LOG_EMERG ? LOG_INFO : lvl, "%.*s", (int)size, buf);
	return (ssize_t)size;
}

/* Before rte_eal_init, so EAL's own messages go the same way. */
static void log_setup(const struct sgw_conf *c)
{
	static cookie_io_functions_t fns = { .write = syslog_write };
	FILE *f = stderr;

	if (c->logging.target == SGW_LOG_SYSLOG) {
		openlog("sgwd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		f = fopencookie(NULL, "w", fns);
		if (f)
			setvbuf(f, NULL, _IOLBF, 0);
		else
			f = stderr;
	}
	rte_openlog_stream(f);
	rte_log_set_global_level((uint32_t)c->logging.level + 1);
	rte_log_set_level_pattern("sgw.*", (uint32_t)c->logging.level + 1);
}

/* Signals are read from a signalfd by the control loop; block them before
 * EAL creates its threads so that every thread inherits the mask. */
static void signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run(struct sgw_conf *c)
{
	char **eargv;
	int eargc, ret;

	ret = sgw_eal_args(c, "sgwd", &eargc, &eargv);
	if (ret < 0) {
		fprintf(stderr, "sgwd: cannot build the EAL arguments: %s\n", strerror(-ret));
		return 1;
	}
	log_setup(c);
	signals_block();
	/* rte_eal_init permutes argv; keep our own copy to free afterwards. */
	char **copy = calloc((size_t)eargc + 1, sizeof(*copy));
	if (!copy) {
		sgw_eal_args_free(eargc, eargv);
		return 1;
	}
	memcpy(copy, eargv, (size_t)eargc * sizeof(*copy));
	if (rte_eal_init(eargc, copy) < 0) {
		fprintf(stderr, "sgwd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		free(copy);
		sgw_eal_args_free(eargc, eargv);
		return 1;
	}
	sgw_ctl.conf = c;
	sgw_ctl.started = time(NULL);
	ret = sgw_dp_init(c);
	if (ret == 0) {
		ret = sgw_dp_start();
		if (ret == 0)
			ret = sgw_ctl_ike_init(c);
		if (ret == 0) {
			CTL_LOG(NOTICE, "sgwd %s running, config %s", SGW_VERSION, c->file);
			ret = sgw_ctl_run();
		}
		sgw_ctl_ike_fini();
		sgw_dp_stop();
		sgw_dp_fini();
	}
	rte_eal_cleanup();
	free(copy);
	sgw_eal_args_free(eargc, eargv);
	return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	struct sgw_conf_err err;
	struct sgw_conf *c;
	bool check = false;
	int o, ret;

	while ((o = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 'k': path = optarg; check = true; break;
		case 'V': printf("sgwd %s\n", SGW_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sgw_conf_load(path, &c, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", c->file);
		sgw_conf_free(c);
		return 0;
	}
	ret = run(c);
	sgw_conf_free(c);
	return ret;
}
