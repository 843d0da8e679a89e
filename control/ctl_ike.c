/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE daemon's host in sgwd: IKE datagrams punted by workers go to
 * control/ike/, what it sends leaves as UDP through worker 0 (past the SPD,
 * RFC 4301 5.1), and the ESP SAs it negotiates go into the SA table with
 * their policies. Control lcore only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include <arpa/inet.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "dataplane.h"
#include "ike.h"
#include "ike_ts.h"
#include "sa.h"
#include "spd.h"

#define ETH_HLEN 14
#define NON_ESP_MARKER 4
#define MAX_POL 64                 /* policies of one ESP SA */
#define PREFIXES_PER_TS 8

/* An installed ESP SA and the policies that go with it. */
struct esp_rec {
	bool used;
	uint32_t slot, gen;
	unsigned n_pol;              /* named "<sa>.0" .. "<sa>.<n_pol - 1>" */
	char sa[SGW_NAME_MAX];
};

static struct {
	bool up;
	struct esp_rec *rec;
	unsigned free_hint;          /* no free record below it */
	unsigned n_rec;
} g;

/* ------------------------------------------------------------- sending */

static void send_dgram(void *ctx, const struct sgw_ike_addr *local,
		       const struct sgw_ike_addr *remote, const uint8_t *msg, size_t len)
{
	const bool v4 = local->family == AF_INET;
	const unsigned ipl = v4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	const unsigned mk = (local->port == SGW_IKE_NATT_PORT ||
			     remote->port == SGW_IKE_NATT_PORT) ? NON_ESP_MARKER : 0;
	const unsigned ulen = (unsigned)(sizeof(struct rte_udp_hdr) + mk + len);
	struct rte_mbuf *m;
	struct rte_udp_hdr *udp;
	uint8_t *p;

	RTE_SET_USED(ctx);
	if (ETH_HLEN + ipl + ulen >
	    (unsigned)(rte_pktmbuf_data_room_size(sgw_dp_pool()) - RTE_PKTMBUF_HEADROOM)) {
		CTL_LOG(WARNING, "IKE message of %zu bytes does not fit an mbuf", len);
		return;
	}
	m = rte_pktmbuf_alloc(sgw_dp_pool());
	if (!m || !(p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ETH_HLEN + ipl + ulen)))) {
		rte_pktmbuf_free(m);
		CTL_COUNT(NO_MBUF);
		return;
	}
	memset(p, 0, ETH_HLEN + ipl + sizeof(*udp) + mk);
	((struct rte_ether_hdr *)p)->ether_type =
		rte_cpu_to_be_16(v4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	udp = (struct rte_udp_hdr *)(p + ETH_HLEN + ipl);
	udp->src_port = rte_cpu_to_be_16(local->port);
	udp->dst_port = rte_cpu_to_be_16(remote->port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
	memcpy((uint8_t *)(udp + 1) + mk, msg, len);
	if (v4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + ETH_HLEN);

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(ipl + ulen));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, local->a, 4);
		memcpy(&ip->dst_addr, remote->a, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + ETH_HLEN);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)ulen);
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, local->a, 16);
		memcpy(ip->dst_addr, remote->a, 16);
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	}
	sgw_local_output(m, local->family, remote->a, SGW_PUNT_IKE);
}

/* ------------------------------------------------------------ receiving */

void sgw_ctl_ike_input(struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const unsigned len = rte_pktmbuf_pkt_len(m);
	struct sgw_ike_addr local = { 0 }, remote = { 0 };
	const struct rte_udp_hdr *udp;
	unsigned hl, ulen;
	const uint8_t *pl;

	if (!g.up) {
		CTL_COUNT(IKE_UNHANDLED);
		goto out;
	}
	/* The worker checked the IP header and that the UDP length fits. */
	if (rte_be_to_cpu_16(((const struct rte_ether_hdr *)f)->ether_type) == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(f + ETH_HLEN);

		hl = rte_ipv4_hdr_len(ip);
		local.family = remote.family = AF_INET;
		memcpy(local.a, &ip->dst_addr, 4);
		memcpy(remote.a, &ip->src_addr, 4);
	} else {
		const struct rte_ipv6_hdr *ip = (const void *)(f + ETH_HLEN);

		hl = sizeof(*ip);
		local.family = remote.family = AF_INET6;
		memcpy(local.a, ip->dst_addr, 16);
		memcpy(remote.a, ip->src_addr, 16);
	}
	if (len < ETH_HLEN + hl + sizeof(*udp))
		goto out;
	udp = (const struct rte_udp_hdr *)(f + ETH_HLEN + hl);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ETH_HLEN + hl + ulen > len)
		goto out;
	local.port = rte_be_to_cpu_16(udp->dst_port);
	remote.port = rte_be_to_cpu_16(udp->src_port);
	pl = (const uint8_t *)(udp + 1);
	ulen -= sizeof(*udp);
	if (local.port == SGW_IKE_NATT_PORT) {   /* the worker saw the marker */
		if (ulen < NON_ESP_MARKER)
			goto out;
		pl += NON_ESP_MARKER;
		ulen -= NON_ESP_MARKER;
	}
	sgw_ike_input(&local, &remote, pl, ulen);
out:
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ ESP SAs */

static int spi_alloc(void *ctx, uint32_t *spi)
{
	RTE_SET_USED(ctx);
	return sgw_sa_spi_alloc(spi);
}

static void spi_release(void *ctx, uint32_t spi)
{
	RTE_SET_USED(ctx);
	sgw_sa_spi_release(spi);
}

static uint64_t now_ms(void *ctx)
{
	struct timespec ts;

	RTE_SET_USED(ctx);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int source(void *ctx, int family, const uint8_t *remote, uint8_t *local)
{
	RTE_SET_USED(ctx);
	return sgw_local_source(family, remote, local);
}

/* The n-th policy of an SA's record, by the name policies() gave it. */
static void pol_name(const char *sa, unsigned n, char *out)
{
	char buf[48] = { 0 };        /* room for any: cut to a name's size */

	snprintf(buf, sizeof(buf), "%.26s.%u", sa, n);
	memcpy(out, buf, SGW_NAME_MAX - 1);
	out[SGW_NAME_MAX - 1] = 0;
}

static struct esp_rec *rec_new(uint64_t *handle)
{
	struct esp_rec *r;
	unsigned i;

	for (i = g.free_hint; i < g.n_rec && g.rec[i].used; i++)
		;
	if (i == g.n_rec) {
		unsigned n = g.n_rec ? 2 * g.n_rec : 64;

		r = realloc(g.rec, n * sizeof(*r));
		if (!r)
			return NULL;
		memset(r + g.n_rec, 0, (n - g.n_rec) * sizeof(*r));
		g.rec = r;
		g.n_rec = n;
	}
	r = &g.rec[i];
	memset(r, 0, sizeof(*r));
	r->used = true;
	g.free_hint = i + 1;
	*handle = i + 1;
	return r;
}

static struct esp_rec *rec_of(uint64_t handle)
{
	if (!handle || handle > g.n_rec || !g.rec[handle - 1].used)
		return NULL;
	return &g.rec[handle - 1];
}

static void rec_undo(struct esp_rec *r)
{
	char name[SGW_NAME_MAX];

	while (r->n_pol) {
		pol_name(r->sa, --r->n_pol, name);
		sgw_spd_del(name);
	}
	if (r->slot != SGW_SA_NONE)
		sgw_sa_del(r->slot);
	r->used = false;
	if ((unsigned)(r - g.rec) < g.free_hint)
		g.free_hint = (unsigned)(r - g.rec);
}

/* The first policy of record before, so that a rekeyed SA's policies go
 * in front of it; NULL (the end) if none. */
static const char *first_policy(uint64_t before, char name[SGW_NAME_MAX])
{
	const struct esp_rec *o = rec_of(before);

	if (!o || !o->n_pol)
		return NULL;
	pol_name(o->sa, 0, name);
	return name;
}

/* Policies for every pair of (local, remote) selector prefixes. */
static int policies(const struct sgw_ike_esp *e, struct esp_rec *r)
{
	char first[SGW_NAME_MAX];
	const char *before = e->inbound ? NULL : first_policy(e->before, first);

	uint8_t la[PREFIXES_PER_TS][16], ra[PREFIXES_PER_TS][16], ll[PREFIXES_PER_TS],
		rl[PREFIXES_PER_TS];

	for (unsigned i = 0; i < e->ts_local->n_ts; i++) {
		const struct sgw_ike_ts_sel *ls = &e->ts_local->ts[i];
		int nl = sgw_ike_ts_prefixes(ls, la, ll, PREFIXES_PER_TS);

		for (unsigned j = 0; nl > 0 && j < e->ts_remote->n_ts; j++) {
			const struct sgw_ike_ts_sel *rs = &e->ts_remote->ts[j];
			int nr = sgw_ike_ts_prefixes(rs, ra, rl, PREFIXES_PER_TS);

			if (rs->type != ls->type || (ls->proto && rs->proto && ls->proto != rs->proto))
				continue;
			for (int a = 0; a < nl; a++)
				for (int b = 0; b < nr; b++) {
					struct sgw_conf_policy p = { 0 };
					const int fam = ls->type == IKEV2_TS_IPV4_ADDR_RANGE ?
							AF_INET : AF_INET6;
					struct sgw_prefix lp = { .family = fam, .len = ll[a] },
							  rp = { .family = fam, .len = rl[b] };
					int ret;

					if (r->n_pol == MAX_POL)
						return -E2BIG;
					memcpy(lp.addr, la[a], 16);
					memcpy(rp.addr, ra[b], 16);
					pol_name(e->name, r->n_pol, p.name);
					p.inbound = e->inbound;
					p.sel.family = fam;
					p.sel.has_src = p.sel.has_dst = true;
					p.sel.src = e->inbound ? rp : lp;
					p.sel.dst = e->inbound ? lp : rp;
					p.sel.proto = ls->proto ? ls->proto : rs->proto ? rs->proto : -1;
					p.sel.sport_lo = e->inbound ? rs->start_port : ls->start_port;
					p.sel.sport_hi = e->inbound ? rs->end_port : ls->end_port;
					p.sel.dport_lo = e->inbound ? ls->start_port : rs->start_port;
					p.sel.dport_hi = e->inbound ? ls->end_port : rs->end_port;
					p.action = SGW_POLICY_PROTECT;
					snprintf(p.sa, sizeof(p.sa), "%s", e->name);
					ret = sgw_spd_add_before(&p, before);
					if (ret)
						return ret;
					r->n_pol++;
				}
		}
	}
	return r->n_pol ? 0 : -EINVAL;
}

static int esp_add(void *ctx, const struct sgw_ike_esp *e, uint64_t *handle)
{
	struct sgw_sa_params p = { 0 };
	struct esp_rec *r;
	int ret;

	RTE_SET_USED(ctx);
	r = rec_new(handle);
	if (!r)
		return -ENOMEM;
	r->slot = SGW_SA_NONE;
	snprintf(r->sa, sizeof(r->sa), "%s", e->name);
	snprintf(p.name, sizeof(p.name), "%s", e->name);
	p.spi = e->spi;
	p.dir = e->inbound ? SGW_SA_IN : SGW_SA_OUT;
	p.mode = e->transport ? SGW_SA_TRANSPORT : SGW_SA_TUNNEL;
	p.key_len = e->key_len;
	memcpy(p.key, e->key, e->key_len);
	memcpy(p.salt, e->salt, sizeof(p.salt));
	p.esn = e->esn;
	p.replay_window = e->inbound ? 1024 : 0;
	p.seq = e->inbound ? 0 : 1;
	p.outer.family = e->local.family;
	memcpy(p.outer.local, e->local.a, 16);
	memcpy(p.outer.remote, e->remote.a, 16);
	p.outer.udp_encap = e->udp_encap;
	p.outer.local_port = e->udp_encap ? e->local.port : 0;
	p.outer.remote_port = e->udp_encap ? e->remote.port : 0;
	p.soft_bytes = e->soft_bytes;
	p.hard_bytes = e->hard_bytes;
	p.soft_packets = e->soft_packets;
	p.hard_packets = e->hard_packets;
	p.owner = SGW_SA_OWNER_IKE;
	ret = sgw_sa_add(&p, &r->slot);
	OPENSSL_cleanse(&p, sizeof(p));
	if (ret) {
		r->slot = SGW_SA_NONE;
		rec_undo(r);
		CTL_LOG(WARNING, "SA %s: cannot install: %s", e->name, strerror(-ret));
		return ret;
	}
	{
		struct sgw_sa_info i;

		if (!sgw_sa_info(r->slot, &i))
			r->gen = i.gen;
	}
	ret = policies(e, r);
	if (ret) {
		CTL_LOG(WARNING, "SA %s: cannot install its policies: %s", e->name, strerror(-ret));
		rec_undo(r);
	}
	return ret;
}

static void esp_del(void *ctx, uint64_t handle)
{
	struct esp_rec *r = rec_of(handle);

	RTE_SET_USED(ctx);
	if (r)
		rec_undo(r);
}

static int esp_counts(void *ctx, uint64_t handle, uint64_t *packets, uint64_t *bytes)
{
	struct esp_rec *r = rec_of(handle);
	struct sgw_sa_info i;

	RTE_SET_USED(ctx);
	if (!r || sgw_sa_info(r->slot, &i))
		return -ENOENT;
	*packets = i.packets;
	*bytes = i.bytes;
	return 0;
}

/* A dataplane limit on one of the daemon's SAs: it rekeys or retires it. */
void sgw_ctl_ike_sa_event(const struct sgw_dp_event *e)
{
	enum sgw_ike_esp_event ev;

	if (!g.up || e->slot == SGW_SA_NONE)
		return;
	switch (e->type) {
	case SGW_EV_SA_SOFT:
		ev = SGW_IKE_ESP_SOFT;
		break;
	case SGW_EV_SA_HARD:
		ev = SGW_IKE_ESP_HARD;
		break;
	case SGW_EV_SA_SEQ_DONE:
		ev = SGW_IKE_ESP_SEQ;
		break;
	default:
		return;
	}
	for (unsigned i = 0; i < g.n_rec; i++)
		if (g.rec[i].used && g.rec[i].slot == e->slot && g.rec[i].gen == e->gen) {
			sgw_ike_esp_event(i + 1, ev);
			return;
		}
}

static void log_hook(int level, const char *msg)
{
	rte_log((uint32_t)level + 1, sgw_ctl_logtype, "ike: %s\n", msg);
}

int sgw_ctl_ike_init(const struct sgw_conf *c)
{
	const struct sgw_ike_host h = {
		.send = send_dgram, .spi_alloc = spi_alloc, .spi_release = spi_release,
		.esp_add = esp_add, .esp_del = esp_del, .esp_counts = esp_counts,
		.now_ms = now_ms, .source = source,
	};
	int ret;

	sgw_ike_log_hook = log_hook;
	ret = sgw_ike_init(c, &h);
	if (ret) {
		CTL_LOG(ERR, "IKE: cannot start: %s", strerror(-ret));
		return ret;
	}
	g.up = true;
	return 0;
}

void sgw_ctl_ike_fini(void)
{
	if (!g.up)
		return;
	sgw_ike_fini();
	free(g.rec);
	memset(&g, 0, sizeof(g));
}

void sgw_ctl_ike_tick(void)
{
	if (g.up)
		sgw_ike_tick();
}

/* ------------------------------------------------------------------ CLI */

static const char *ike_addr_fmt(const struct sgw_ike_addr *a, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN];

	if (!a->family) {
		snprintf(buf, n, "-");
		return buf;
	}
	inet_ntop(a->family, a->a, s, sizeof(s));
	snprintf(buf, n, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, a->port);
	return buf;
}

static void ike_json(struct sgw_json *j, const struct sgw_ike_sa_info *i)
{
	char buf[128];

	sgw_json_obj_open(j, NULL);
	sgw_json_u64(j, "id", i->id);
	sgw_json_str(j, "peer", i->peer);
	sgw_json_str(j, "state", i->state);
	sgw_json_str(j, "role", i->initiator ? "initiator" : "responder");
	snprintf(buf, sizeof(buf), "%016lx", (unsigned long)i->ispi);
	sgw_json_str(j, "spi_i", buf);
	snprintf(buf, sizeof(buf), "%016lx", (unsigned long)i->rspi);
	sgw_json_str(j, "spi_r", buf);
	sgw_json_str(j, "local", ike_addr_fmt(&i->local, buf, sizeof(buf)));
	sgw_json_str(j, "remote", ike_addr_fmt(&i->remote, buf, sizeof(buf)));
	sgw_json_str(j, "local_id", i->local_id);
	sgw_json_str(j, "remote_id", i->remote_id);
	sgw_json_str(j, "algorithms", i->algs);
	sgw_json_bool(j, "nat_local", i->nat_local);
	sgw_json_bool(j, "nat_remote", i->nat_remote);
	sgw_json_u64(j, "age_s", i->age_ms / 1000);
	sgw_json_u64(j, "rekey_in_s", i->rekey_in_ms / 1000);
	sgw_json_arr_open(j, "children");
	for (unsigned k = 0; k < i->n_children && k < RTE_DIM(i->child); k++) {
		sgw_json_obj_open(j, NULL);
		sgw_json_str(j, "name", i->child[k].name);
		sgw_json_u64(j, "spi_in", i->child[k].spi_in);
		sgw_json_u64(j, "spi_out", i->child[k].spi_out);
		sgw_json_str(j, "algorithms", i->child[k].algs);
		sgw_json_str(j, "local_ts", i->child[k].ts_local);
		sgw_json_str(j, "remote_ts", i->child[k].ts_remote);
		sgw_json_u64(j, "age_s", i->child[k].age_ms / 1000);
		sgw_json_u64(j, "rekey_in_s", i->child[k].rekey_in_ms / 1000);
		if (i->child[k].vip_family) {
			inet_ntop(i->child[k].vip_family, i->child[k].vip, buf, sizeof(buf));
			sgw_json_str(j, "virtual_ip", buf);
		}
		sgw_json_obj_close(j);
	}
	sgw_json_arr_close(j);
	sgw_json_obj_close(j);
}

static void ike_text(struct sgw_cli_reply *r, const struct sgw_ike_sa_info *i)
{
	char l[64], rm[64];

	sgw_cli_printf(r, "ike %u  %s  %s  %s  %s -> %s\n", i->id, i->peer, i->state,
		       i->initiator ? "initiator" : "responder",
		       ike_addr_fmt(&i->local, l, sizeof(l)), ike_addr_fmt(&i->remote, rm, sizeof(rm)));
	sgw_cli_printf(r, "  ids %s <-> %s\n", i->local_id, i->remote_id);
	sgw_cli_printf(r, "  spis %016lx_i %016lx_r  %s%s%s\n", (unsigned long)i->ispi,
		       (unsigned long)i->rspi, i->algs, i->nat_remote ? "  peer behind NAT" : "",
		       i->nat_local ? "  we are behind NAT" : "");
	sgw_cli_printf(r, "  up %lus, rekey in %lus\n", (unsigned long)(i->age_ms / 1000),
		       (unsigned long)(i->rekey_in_ms / 1000));
	for (unsigned k = 0; k < i->n_children && k < RTE_DIM(i->child); k++)
		sgw_cli_printf(r, "  child %s  in 0x%08x out 0x%08x  %s  %s <-> %s\n",
			       i->child[k].name, i->child[k].spi_in, i->child[k].spi_out,
			       i->child[k].algs, i->child[k].ts_local, i->child[k].ts_remote);
}

SGW_CMD(show_ike)
{
	struct sgw_ike_sa_info *i = malloc(sizeof(*i));
	struct sgw_json j;
	uint32_t it = 0;
	char *end;
	unsigned long id = 0;

	RTE_SET_USED(ctx);
	if (!i) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "out of memory");
		return;
	}
	if (a->argc) {
		id = strtoul(a->argv[0], &end, 10);
		if (*end || !id || id > UINT32_MAX) {
			sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "expected an IKE SA id, got '%s'", a->argv[0]);
			free(i);
			return;
		}
		if (!g.up || !sgw_ike_sa_get((uint32_t)id, i)) {
			sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no IKE SA %lu", id);
			free(i);
			return;
		}
	}
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "ike_sas");
		if (a->argc)
			ike_json(&j, i);
		else
			while (g.up && sgw_ike_sa_next(&it, i))
				ike_json(&j, i);
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
	} else if (a->argc) {
		ike_text(r, i);
	} else {
		while (g.up && sgw_ike_sa_next(&it, i))
			ike_text(r, i);
	}
	free(i);
}

SGW_CMD(ike_terminate)
{
	char *end;
	unsigned long id = strtoul(a->argv[0], &end, 10);

	RTE_SET_USED(ctx);
	if (*end || !id || id > UINT32_MAX) {
		sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "expected an IKE SA id, got '%s'", a->argv[0]);
		return;
	}
	if (!g.up || sgw_ike_terminate((uint32_t)id)) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no IKE SA %lu", id);
		return;
	}
	sgw_cli_printf(r, "IKE SA %lu: deleting\n", id);
}

SGW_CMD(ike_initiate)
{
	int ret;

	RTE_SET_USED(ctx);
	ret = g.up ? sgw_ike_initiate(a->argv[0]) : -ENOTSUP;
	if (ret == -EALREADY) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "peer %s: its IKE SA is already up", a->argv[0]);
		return;
	}
	if (ret) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "peer %s: %s", a->argv[0], strerror(-ret));
		return;
	}
	sgw_cli_printf(r, "peer %s: initiating\n", a->argv[0]);
}

/* The daemon's counters for show stats. */
void sgw_ctl_ike_stats(struct sgw_json *j, struct sgw_cli_reply *r)
{
	const uint64_t *c = sgw_ike_counters();

	for (unsigned k = 0; k < SGW_IKE_C_MAX; k++) {
		if (j)
			sgw_json_u64(j, sgw_ike_counter_names[k], g.up ? c[k] : 0);
		else if (g.up && c[k])
			sgw_cli_printf(r, "  %-28s %lu\n", sgw_ike_counter_names[k],
				       (unsigned long)c[k]);
	}
}
