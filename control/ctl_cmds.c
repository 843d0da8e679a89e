/* SPDX-License-Identifier: BSD-3-Clause */
/* The sgwctl commands: one handler each, human table or --json. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "ctl.h"
#include "dataplane.h"
#include "neigh.h"
#include "route.h"

/* Lower case, as `ip link` prints it (rte_ether_format_addr uses upper). */
static void mac_str(char *buf, size_t size, const struct rte_ether_addr *m)
{
	const uint8_t *b = m->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5]);
}

static unsigned worker_cpu(unsigned w)
{
	const struct sgw_conf *c = sgw_ctl.conf;

	return c->workers.n_cpus ? c->workers.cpus[w] : c->eal.control_cpu;
}

static void show_status(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	const struct sgw_conf *c = sgw_ctl.conf;
	long up = (long)(time(NULL) - sgw_ctl.started);
	struct sgw_json j;

	RTE_SET_USED(ctx);
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_str(&j, "version", SGW_VERSION);
		sgw_json_u64(&j, "uptime_s", (uint64_t)up);
		sgw_json_str(&j, "role", "standalone");
		sgw_json_str(&j, "config", c->file);
		sgw_json_u64(&j, "pid", (uint64_t)getpid());
		sgw_json_arr_open(&j, "lcores");
		sgw_json_obj_open(&j, NULL);
		sgw_json_u64(&j, "lcore", rte_get_main_lcore());
		sgw_json_u64(&j, "cpu", c->eal.control_cpu);
		sgw_json_str(&j, "role", "control");
		sgw_json_obj_close(&j);
		for (unsigned w = 0; w < sgw_dp_n_workers(); w++) {
			sgw_json_obj_open(&j, NULL);
			sgw_json_u64(&j, "lcore", sgw_dp_worker_lcore(w));
			sgw_json_u64(&j, "cpu", worker_cpu(w));
			sgw_json_str(&j, "role", "worker");
			sgw_json_u64(&j, "worker", w);
			sgw_json_obj_close(&j);
		}
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
		return;
	}
	sgw_cli_printf(r, "sgwd %s  role standalone  pid %d  up %ldd %02ld:%02ld:%02ld\n",
		       SGW_VERSION, (int)getpid(), up / 86400, up / 3600 % 24,
		       up / 60 % 60, up % 60);
	sgw_cli_printf(r, "config   %s\n", c->file);
	sgw_cli_printf(r, "%-6s %-4s %s\n", "lcore", "cpu", "role");
	sgw_cli_printf(r, "%-6u %-4u control, cli (ha: not configured)\n",
		       rte_get_main_lcore(), c->eal.control_cpu);
	for (unsigned w = 0; w < sgw_dp_n_workers(); w++)
		sgw_cli_printf(r, "%-6u %-4u worker %u\n", sgw_dp_worker_lcore(w),
			       worker_cpu(w), w);
}

static const char *link_state(uint16_t port_id)
{
	struct rte_eth_link l;

	if (rte_eth_link_get_nowait(port_id, &l) < 0)
		return "unknown";
	return l.link_status ? "up" : "down";
}

static void port_json(struct sgw_json *j, unsigned i)
{
	const struct sgw_port_info *p = sgw_dp_port(i);
	struct sgw_dp_port_counters pc;
	struct rte_eth_stats st = {0};
	char buf[64];

	rte_eth_stats_get(p->port_id, &st);
	sgw_dp_port_counters(i, &pc);
	sgw_json_obj_open(j, NULL);
	sgw_json_str(j, "name", p->name);
	sgw_json_u64(j, "index", i);
	sgw_json_str(j, "device", p->device);
	mac_str(buf, sizeof(buf), &p->mac);
	sgw_json_str(j, "mac", buf);
	sgw_json_str(j, "link", link_state(p->port_id));
	sgw_json_u64(j, "mtu", p->mtu);
	sgw_json_arr_open(j, "addresses");
	for (unsigned a = 0; a < p->conf->n_addrs; a++)
		sgw_json_str(j, NULL, sgw_prefix_str(&p->conf->addrs[a], true, buf, sizeof(buf)));
	sgw_json_arr_close(j);
	sgw_json_u64(j, "rx_packets", st.ipackets);
	sgw_json_u64(j, "rx_bytes", st.ibytes);
	sgw_json_u64(j, "tx_packets", st.opackets);
	sgw_json_u64(j, "tx_bytes", st.obytes);
	sgw_json_u64(j, "rx_missed", st.imissed);
	sgw_json_u64(j, "rx_errors", st.ierrors);
	sgw_json_u64(j, "tx_errors", st.oerrors);
	sgw_json_u64(j, "punted", pc.punted);
	sgw_json_obj_open(j, "drops");
	for (unsigned d = 0; d < SGW_DROP_MAX; d++)
		sgw_json_u64(j, sgw_drop_names[d], pc.drops[d]);
	sgw_json_obj_close(j);
	sgw_json_obj_close(j);
}

static void drops_text(struct sgw_cli_reply *r, const uint64_t *drops)
{
	bool any = false;

	sgw_cli_printf(r, "  drops:");
	for (unsigned d = 0; d < SGW_DROP_MAX; d++) {
		if (!drops[d])
			continue;
		sgw_cli_printf(r, "%s %s %lu", any ? "," : "", sgw_drop_names[d],
			       (unsigned long)drops[d]);
		any = true;
	}
	sgw_cli_printf(r, "%s\n", any ? "" : " none");
}

static void port_text(struct sgw_cli_reply *r, unsigned i)
{
	const struct sgw_port_info *p = sgw_dp_port(i);
	struct sgw_dp_port_counters pc;
	struct rte_eth_stats st = {0};
	char buf[64];

	rte_eth_stats_get(p->port_id, &st);
	sgw_dp_port_counters(i, &pc);
	mac_str(buf, sizeof(buf), &p->mac);
	sgw_cli_printf(r, "%s  %s  link %s  mac %s  mtu %u\n", p->name, p->device,
		       link_state(p->port_id), buf, p->mtu);
	sgw_cli_printf(r, "  addresses:");
	for (unsigned a = 0; a < p->conf->n_addrs; a++)
		sgw_cli_printf(r, " %s", sgw_prefix_str(&p->conf->addrs[a], true, buf, sizeof(buf)));
	sgw_cli_printf(r, "%s\n", p->conf->n_addrs ? "" : " none");
	sgw_cli_printf(r, "  rx %lu packets %lu bytes, missed %lu, errors %lu, punted %lu\n",
		       (unsigned long)st.ipackets, (unsigned long)st.ibytes,
		       (unsigned long)st.imissed, (unsigned long)st.ierrors,
		       (unsigned long)pc.punted);
	sgw_cli_printf(r, "  tx %lu packets %lu bytes, errors %lu\n",
		       (unsigned long)st.opackets, (unsigned long)st.obytes,
		       (unsigned long)st.oerrors);
	drops_text(r, pc.drops);
}

static void show_ports(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	unsigned first = 0, last = sgw_dp_n_ports();
	struct sgw_json j;

	RTE_SET_USED(ctx);
	if (a->argc == 1) {
		int p = sgw_dp_port_by_name(a->argv[0]);
		if (p < 0) {
			sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no port named '%s'", a->argv[0]);
			return;
		}
		first = (unsigned)p;
		last = first + 1;
	}
	if (!a->json) {
		for (unsigned i = first; i < last; i++)
			port_text(r, i);
		return;
	}
	sgw_json_begin(&j, r);
	sgw_json_arr_open(&j, "ports");
	for (unsigned i = first; i < last; i++)
		port_json(&j, i);
	sgw_json_arr_close(&j);
	sgw_json_end(&j);
}

static void show_routes(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	const struct sgw_route *rt;
	char to[64], via[64];
	struct sgw_json j;

	RTE_SET_USED(ctx);
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "routes");
	} else {
		sgw_cli_printf(r, "%-44s %-40s %-10s %s\n", "to", "via", "port", "type");
	}
	for (unsigned i = 0; (rt = sgw_route_get(i)); i++) {
		const struct sgw_nh *nh = sgw_route_nh(rt->nh);
		struct sgw_prefix g = { .family = nh->family, .len = nh->family == AF_INET ? 32 : 128 };
		const char *port = sgw_dp_port(nh->port)->name;

		memcpy(g.addr, nh->gw, sizeof(g.addr));
		sgw_prefix_str(&rt->to, true, to, sizeof(to));
		if (nh->type == SGW_NH_VIA)
			sgw_prefix_str(&g, false, via, sizeof(via));
		if (!a->json) {
			sgw_cli_printf(r, "%-44s %-40s %-10s %s\n", to,
				       nh->type == SGW_NH_VIA ? via : "-", port, rt->origin);
			continue;
		}
		sgw_json_obj_open(&j, NULL);
		sgw_json_str(&j, "to", to);
		if (nh->type == SGW_NH_VIA)
			sgw_json_str(&j, "via", via);
		else
			sgw_json_null(&j, "via");
		sgw_json_str(&j, "port", port);
		sgw_json_str(&j, "type", rt->origin);
		sgw_json_obj_close(&j);
	}
	if (a->json) {
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
	}
}

static void show_neighbours(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	struct sgw_neigh *n;
	struct rte_ether_addr mac;
	char addr[64], macs[32];
	struct sgw_json j;
	unsigned it = 0;

	RTE_SET_USED(ctx);
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "neighbours");
	} else {
		sgw_cli_printf(r, "%-40s %-18s %-10s %-11s %s\n", "address", "mac",
			       "port", "state", "held");
	}
	while ((n = sgw_neigh_next(&it))) {
		struct sgw_prefix p = { .family = n->family, .len = n->family == AF_INET ? 32 : 128 };

		memcpy(p.addr, n->addr, sizeof(p.addr));
		sgw_prefix_str(&p, false, addr, sizeof(addr));
		sgw_neigh_mac(n, &mac);
		if (n->mac_word & SGW_NEIGH_VALID)
			mac_str(macs, sizeof(macs), &mac);
		else
			strcpy(macs, "-");
		if (!a->json) {
			sgw_cli_printf(r, "%-40s %-18s %-10s %-11s %u\n", addr, macs,
				       sgw_dp_port(n->port)->name,
				       sgw_neigh_state_name(n), n->n_held);
			continue;
		}
		sgw_json_obj_open(&j, NULL);
		sgw_json_str(&j, "address", addr);
		if (n->mac_word & SGW_NEIGH_VALID)
			sgw_json_str(&j, "mac", macs);
		else
			sgw_json_null(&j, "mac");
		sgw_json_str(&j, "port", sgw_dp_port(n->port)->name);
		sgw_json_str(&j, "state", sgw_neigh_state_name(n));
		sgw_json_u64(&j, "held", n->n_held);
		sgw_json_obj_close(&j);
	}
	if (a->json) {
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
	}
}

static void stats_json(struct sgw_cli_reply *r)
{
	struct sgw_dp_port_counters wc;
	struct sgw_json j;

	sgw_json_begin(&j, r);
	sgw_json_arr_open(&j, "workers");
	for (unsigned w = 0; w < sgw_dp_n_workers(); w++) {
		sgw_dp_worker_counters(w, &wc);
		sgw_json_obj_open(&j, NULL);
		sgw_json_u64(&j, "worker", w);
		sgw_json_u64(&j, "lcore", sgw_dp_worker_lcore(w));
		sgw_json_u64(&j, "rx_packets", wc.rx_packets);
		sgw_json_u64(&j, "tx_packets", wc.tx_packets);
		sgw_json_u64(&j, "punted", wc.punted);
		sgw_json_obj_open(&j, "drops");
		for (unsigned d = 0; d < SGW_DROP_MAX; d++)
			sgw_json_u64(&j, sgw_drop_names[d], wc.drops[d]);
		sgw_json_obj_close(&j);
		sgw_json_obj_close(&j);
	}
	sgw_json_arr_close(&j);
	sgw_json_obj_open(&j, "control");
	for (unsigned c = 0; c < SGW_CTL_MAX; c++)
		sgw_json_u64(&j, sgw_ctl_cnt_names[c], sgw_ctl_cnt[c]);
	sgw_json_obj_close(&j);
	sgw_json_obj_open(&j, "ike");
	sgw_ctl_ike_stats(&j, r);
	sgw_json_obj_close(&j);
	sgw_json_end(&j);
}

static void show_stats(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	struct sgw_dp_port_counters wc;

	RTE_SET_USED(ctx);
	if (a->json) {
		stats_json(r);
		return;
	}
	for (unsigned w = 0; w < sgw_dp_n_workers(); w++) {
		sgw_dp_worker_counters(w, &wc);
		sgw_cli_printf(r, "worker %u (lcore %u): rx %lu, tx %lu, punted %lu\n", w,
			       sgw_dp_worker_lcore(w), (unsigned long)wc.rx_packets,
			       (unsigned long)wc.tx_packets, (unsigned long)wc.punted);
		drops_text(r, wc.drops);
	}
	sgw_cli_printf(r, "control:\n");
	for (unsigned c = 0; c < SGW_CTL_MAX; c++)
		if (sgw_ctl_cnt[c])
			sgw_cli_printf(r, "  %-28s %lu\n", sgw_ctl_cnt_names[c],
				       (unsigned long)sgw_ctl_cnt[c]);
	sgw_cli_printf(r, "ike:\n");
	sgw_ctl_ike_stats(NULL, r);
}

static void log_level(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	int lvl = sgw_log_level_parse(a->argv[0]);

	RTE_SET_USED(ctx);
	if (lvl < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "unknown log level '%s' (emerg alert "
			     "crit err warning notice info debug)", a->argv[0]);
		return;
	}
	/* DPDK levels are syslog's plus one. */
	rte_log_set_global_level((uint32_t)lvl + 1);
	rte_log_set_level_pattern("sgw.*", (uint32_t)lvl + 1);
	sgw_ctl.conf->logging.level = lvl;
	CTL_LOG(NOTICE, "log level set to %s", sgw_log_level_name(lvl));
	sgw_cli_printf(r, "log level %s\n", sgw_log_level_name(lvl));
}

static void shutdown_cmd(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	RTE_SET_USED(a);
	RTE_SET_USED(ctx);
	CTL_LOG(NOTICE, "shutdown requested over the CLI");
	sgw_ctl.quit = true;
	sgw_cli_printf(r, "shutting down\n");
}

const struct sgw_cli_cmd sgw_ctl_cmds[] = {
	{ "show status", 0, 0, "", "version, uptime, role, lcores, config file", show_status },
	{ "show ports", 0, 1, "[PORT]", "link, addresses, counters, drops by reason", show_ports },
	{ "show routes", 0, 0, "", "the IPv4 and IPv6 routing table", show_routes },
	{ "show neighbours", 0, 0, "", "ARP and IPv6 neighbour entries", show_neighbours },
	{ "show stats", 0, 0, "", "per-worker and control-core counters", show_stats },
	{ "show sa", 0, 2, "[NAME | SPI | in SPI | out SPI]",
	  "SAs: packets, bytes, sequence number, replay and ICV drops, lifetime", sgw_cmd_show_sa },
	{ "show policies", 0, 0, "", "the SPD, both directions, in lookup order",
	  sgw_cmd_show_policies },
	{ "sa add", 1, SGW_CLI_MAX_ARGS, "KEY=VALUE...",
	  "add an SA; keys as in the config's sas: list (key=- reads it from stdin)",
	  sgw_cmd_sa_add },
	{ "sa del", 1, 2, "NAME | SPI | in SPI | out SPI", "delete an SA", sgw_cmd_sa_del },
	{ "policy add", 1, SGW_CLI_MAX_ARGS, "KEY=VALUE... [position=N]",
	  "add a policy; keys as in the config's policies: list", sgw_cmd_policy_add },
	{ "policy del", 1, 1, "NAME", "delete a policy", sgw_cmd_policy_del },
	{ "show ike", 0, 1, "[ID]",
	  "IKE SAs: peer, identities, state, algorithms, NAT, lifetimes, child SAs",
	  sgw_cmd_show_ike },
	{ "ike terminate", 1, 1, "ID", "delete an IKE SA and its child SAs", sgw_cmd_ike_terminate },
	{ "ike initiate", 1, 1, "PEER", "bring up the IKE SA of a configured peer",
	  sgw_cmd_ike_initiate },
	{ "log level", 1, 1, "LEVEL", "set the log level (emerg..debug)", log_level },
	{ "shutdown", 0, 0, "", "stop sgwd", shutdown_cmd },
};
const size_t sgw_ctl_n_cmds = RTE_DIM(sgw_ctl_cmds);
