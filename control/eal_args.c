/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL command line is derived from the config, so an operator never
 * writes one: lcore placement, memory, file prefix (several gateways on one
 * machine), devices.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define MAX_ARGS (32 + 2 * SGW_MAX_PORTS + SGW_MAX_EAL_ARGS)

static bool wants_telemetry(const struct sgw_conf *c)
{
	for (unsigned i = 0; i < c->eal.n_args; i++)
		if (!strcmp(c->eal.args[i], "--telemetry"))
			return true;
	return false;
}

static int push(int *argc, char **argv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int push(int *argc, char **argv, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (*argc >= MAX_ARGS)
		return -E2BIG;
	va_start(ap, fmt);
	ret = vasprintf(&argv[*argc], fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	(*argc)++;
	return 0;
}

/* lcore 0 is control on control_cpu; lcore 1+w is worker w on its CPU. */
static int lcores_arg(const struct sgw_conf *c, char *buf, size_t size)
{
	size_t off = (size_t)snprintf(buf, size, "--lcores=0@%u", c->eal.control_cpu);

	for (unsigned w = 0; w < c->workers.count && off < size; w++) {
		unsigned cpu = c->workers.n_cpus ? c->workers.cpus[w] : c->eal.control_cpu;
		off += (size_t)snprintf(buf + off, size - off, ",%u@%u", w + 1, cpu);
	}
	return off < size ? 0 : -E2BIG;
}

/* net_af_packet gives one queue pair unless asked; each worker needs one. */
static bool needs_qpairs(const struct sgw_conf_port *p, unsigned workers)
{
	return workers > 1 && strncmp(p->device, "net_af_packet", 13) == 0 &&
	       !strstr(p->device, "qpairs=");
}

int sgw_eal_args(const struct sgw_conf *c, const char *prog, int *argc,
		 char ***argvp)
{
	char **argv = calloc(MAX_ARGS + 1, sizeof(*argv));
	char lc[512];
	bool any_pci = false;
	int ret;

	if (!argv)
		return -ENOMEM;
	*argc = 0;
	ret = lcores_arg(c, lc, sizeof(lc));
	if (ret == 0)
		ret = push(argc, argv, "%s", prog);
	if (ret == 0)
		ret = push(argc, argv, "%s", lc);
	if (ret == 0)
		ret = push(argc, argv, "--file-prefix=%s", c->eal.file_prefix);
	if (ret == 0)
		ret = push(argc, argv, "-m%u", c->eal.memory_mb);
	if (ret == 0 && c->eal.no_huge)
		ret = push(argc, argv, "--no-huge");
	/* Telemetry would open another socket per gateway; sgwctl covers it.
	 * "--telemetry" in eal.args asks for it (the benchmark reads it). */
	if (ret == 0 && !wants_telemetry(c))
		ret = push(argc, argv, "--no-telemetry");
	for (unsigned i = 0; ret == 0 && i < c->n_ports; i++) {
		const struct sgw_conf_port *p = &c->ports[i];

		any_pci |= p->is_pci;
		if (p->is_pci)
			ret = push(argc, argv, "-a%s", p->device);
		else if (needs_qpairs(p, c->workers.count))
			ret = push(argc, argv, "--vdev=%s,qpairs=%u", p->device,
				   c->workers.count);
		else
			ret = push(argc, argv, "--vdev=%s", p->device);
	}
	if (ret == 0 && !any_pci)
		ret = push(argc, argv, "--no-pci");
	for (unsigned i = 0; ret == 0 && i < c->eal.n_args; i++)
		ret = push(argc, argv, "%s", c->eal.args[i]);
	if (ret < 0) {
		sgw_eal_args_free(*argc, argv);
		return ret;
	}
	*argvp = argv;
	return 0;
}

void sgw_eal_args_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}
