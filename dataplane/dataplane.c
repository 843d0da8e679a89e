/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane set-up and the control core's window on it. Owns the mbuf pool,
 * the punt ring, the per-port control TX rings, the RCU variable and the
 * worker structs; installs the config's addresses and routes.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "dataplane.h"
#include "neigh.h"
#include "pool.h"
#include "port.h"
#include "route.h"
#include "sa.h"
#include "spd.h"
#include "worker.h"

RTE_LOG_REGISTER_SUFFIX(dp_logtype, dataplane, INFO);
#define LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, dp_logtype, "dataplane: %s: " fmt "\n", __func__, ##__VA_ARGS__)

#define PUNT_RING_SIZE 1024
#define EVENT_RING_SIZE 4096
#define UNKNOWN_SPI_EVENTS_PER_S 100   /* per worker */
#define CTL_TX_RING_SIZE 512
#define MBUF_CACHE 128

int sgw_punt_dynfield_off = -1;

static struct {
	const struct sgw_conf *conf;
	unsigned n_ports, n_workers;
	struct sgw_port_info ports[SGW_MAX_PORTS];
	struct rte_ring *ctl_tx[SGW_MAX_PORTS];
	struct sgw_worker *workers[SGW_MAX_WORKERS];
	struct rte_mempool *pool;
	struct rte_ring *punt;
	struct rte_ring *events;     /* struct sgw_dp_event, MP/SC */
	uint64_t events_lost;        /* atomic */
	struct rte_rcu_qsbr *rcu;
	int efd;
	int quit;
	int ctl_sleeping;   /* control is (about to be) blocked in epoll */
	bool started;
} dp = { .efd = -1 };

static int register_dynfield(void)
{
	static const struct rte_mbuf_dynfield f = {
		.name = "sgw_punt_meta",
		.size = sizeof(struct sgw_punt_meta),
		.align = __alignof__(struct sgw_punt_meta),
	};

	sgw_punt_dynfield_off = rte_mbuf_dynfield_register(&f);
	return sgw_punt_dynfield_off < 0 ? -rte_errno : 0;
}

/* Enough mbufs for every RX and TX ring, the rings between lcores and the
 * per-lcore caches, plus headroom for held and in-flight packets. */
static unsigned pool_size(const struct sgw_conf *c)
{
	unsigned n = PUNT_RING_SIZE + 1024 + MBUF_CACHE * (c->workers.count + 1);

	if (c->limits.mbufs)
		return c->limits.mbufs;
	for (unsigned i = 0; i < c->n_ports; i++)
		n += c->workers.count * (c->ports[i].rx_desc + c->ports[i].tx_desc) +
		     CTL_TX_RING_SIZE;
	return n;
}

/* One segment per frame: the data room fits the largest port MTU. */
static uint16_t data_room(const struct sgw_conf *c)
{
	unsigned mtu = 1500;

	for (unsigned i = 0; i < c->n_ports; i++)
		mtu = RTE_MAX(mtu, c->ports[i].mtu);
	return (uint16_t)RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
				 RTE_PKTMBUF_HEADROOM + mtu + RTE_ETHER_HDR_LEN + 64);
}

static int rings_create(const struct sgw_conf *c)
{
	size_t sz = rte_rcu_qsbr_get_memsize(c->workers.count);
	char name[RTE_RING_NAMESIZE];

	dp.pool = sgw_pool_create("sgw_mbufs", pool_size(c), MBUF_CACHE, data_room(c));
	dp.punt = rte_ring_create("sgw_punt", PUNT_RING_SIZE, SOCKET_ID_ANY,
				  RING_F_SC_DEQ);
	dp.events = rte_ring_create_elem("sgw_events", sizeof(struct sgw_dp_event),
					 EVENT_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp.rcu = rte_zmalloc("sgw_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!dp.pool || !dp.punt || !dp.events || !dp.rcu)
		return -ENOMEM;
	rte_rcu_qsbr_init(dp.rcu, c->workers.count);
	for (unsigned i = 0; i < c->n_ports; i++) {
		snprintf(name, sizeof(name), "sgw_ctltx%u", i);
		dp.ctl_tx[i] = rte_ring_create(name, CTL_TX_RING_SIZE, SOCKET_ID_ANY,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!dp.ctl_tx[i])
			return -ENOMEM;
	}
	dp.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return dp.efd < 0 ? -errno : 0;
}

static int ports_setup(const struct sgw_conf *c)
{
	for (unsigned i = 0; i < c->n_ports; i++) {
		struct sgw_port_info *pi = &dp.ports[i];
		int ret = sgw_port_setup(&c->ports[i], c->workers.count, dp.pool,
					 &pi->port_id);
		if (ret < 0)
			return ret;
		pi->name = c->ports[i].name;
		pi->device = c->ports[i].device;
		pi->mtu = c->ports[i].mtu;
		pi->conf = &c->ports[i];
		rte_eth_macaddr_get(pi->port_id, &pi->mac);
		dp.n_ports++;
	}
	return 0;
}

static void prefix_mask(struct sgw_prefix *p)
{
	unsigned bits = p->family == AF_INET ? 32 : 128;

	for (unsigned b = p->len; b < bits; b++)
		p->addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

/* fe80::/64 with the modified EUI-64 of the port's MAC (RFC 4291 2.5.1). */
static void link_local(const struct rte_ether_addr *mac, struct sgw_prefix *p)
{
	const uint8_t *m = mac->addr_bytes;

	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->len = 128;
	p->addr[0] = 0xfe;
	p->addr[1] = 0x80;
	p->addr[8] = m[0] ^ 0x02;
	p->addr[9] = m[1];
	p->addr[10] = m[2];
	p->addr[11] = 0xff;
	p->addr[12] = 0xfe;
	p->addr[13] = m[3];
	p->addr[14] = m[4];
	p->addr[15] = m[5];
}

static int add_route(const struct sgw_prefix *to, enum sgw_nh_type t,
		     unsigned port, const struct sgw_prefix *via, const char *origin)
{
	int ret = sgw_route_add(to, t, port, via, origin);
	char buf[64];

	/* Two ports on one subnet, or a static route equal to a connected one,
	 * were refused by validation; EEXIST here is a host route repeated. */
	if (ret < 0 && ret != -EEXIST) {
		LOG(ERR, "route %s: %s", sgw_prefix_str(to, true, buf, sizeof(buf)),
		    strerror(-ret));
		return ret;
	}
	return 0;
}

/* A next hop that cannot or should not be resolved (a link without ARP). */
static int static_neighbour(const struct sgw_conf_route *cr)
{
	struct rte_ether_addr mac;
	struct sgw_neigh *n;

	n = sgw_neigh_find(cr->port_idx, cr->via.family, cr->via.addr);
	if (!n)
		n = sgw_neigh_add(cr->port_idx, cr->via.family, cr->via.addr);
	if (!n) {
		LOG(ERR, "no room for a static neighbour (limits.neighbours)");
		return -ENOSPC;
	}
	memcpy(mac.addr_bytes, cr->mac, 6);
	sgw_neigh_set_mac(n, &mac);
	n->state = SGW_NEIGH_STATIC;
	return 0;
}

static int routes_apply(const struct sgw_conf *c)
{
	struct sgw_prefix p;
	int ret = 0;

	for (unsigned i = 0; i < dp.n_ports && ret == 0; i++) {
		const struct sgw_conf_port *cp = &c->ports[i];

		for (unsigned a = 0; a < cp->n_addrs && ret == 0; a++) {
			p = cp->addrs[a];
			p.len = p.family == AF_INET ? 32 : 128;
			ret = add_route(&p, SGW_NH_LOCAL, i, NULL, "local");
			p = cp->addrs[a];
			prefix_mask(&p);
			if (ret == 0)
				ret = add_route(&p, SGW_NH_CONNECTED, i, NULL, "connected");
		}
		link_local(&dp.ports[i].mac, &p);
		if (ret == 0)
			ret = add_route(&p, SGW_NH_LOCAL, i, NULL, "local");
	}
	for (unsigned r = 0; r < c->n_routes && ret == 0; r++) {
		const struct sgw_conf_route *cr = &c->routes[r];

		ret = add_route(&cr->to, cr->has_via ? SGW_NH_VIA : SGW_NH_CONNECTED,
				cr->port_idx, cr->has_via ? &cr->via : NULL, "static");
		if (ret == 0 && cr->has_mac)
			ret = static_neighbour(cr);
	}
	return ret;
}

static int workers_create(const struct sgw_conf *c)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);

	for (unsigned w = 0; w < c->workers.count; w++) {
		struct sgw_worker *wk;

		if (lcore >= RTE_MAX_LCORE) {
			LOG(ERR, "EAL has no lcore for worker %u", w);
			return -EINVAL;
		}
		wk = rte_zmalloc("sgw_worker", sizeof(*wk), RTE_CACHE_LINE_SIZE);
		if (!wk)
			return -ENOMEM;
		wk->id = w;
		wk->lcore = lcore;
		wk->n_ports = dp.n_ports;
		wk->idle_sleep_us = c->workers.idle_sleep_us;
		wk->punt = dp.punt;
		wk->rcu = dp.rcu;
		wk->quit = &dp.quit;
		wk->spi_event_gap = rte_get_tsc_hz() / UNKNOWN_SPI_EVENTS_PER_S;
		for (unsigned p = 0; p < dp.n_ports; p++) {
			wk->ports[p].port_id = dp.ports[p].port_id;
			wk->ports[p].mtu = dp.ports[p].mtu;
			wk->ports[p].mac = dp.ports[p].mac;
			wk->ports[p].ctl_tx = dp.ctl_tx[p];
		}
		dp.workers[w] = wk;
		dp.n_workers++;
		lcore = rte_get_next_lcore(lcore, 1, 0);
	}
	return 0;
}

/* Manually keyed SAs and the policies of the config. */
static int ipsec_apply(const struct sgw_conf *c)
{
	struct sgw_sa_params p;
	int ret = 0;

	for (unsigned i = 0; i < c->n_sas && ret == 0; i++) {
		sgw_sa_params_from_conf(&c->sas[i], &p, SGW_SA_OWNER_STATIC);
		ret = sgw_sa_add(&p, NULL);
		explicit_bzero(&p, sizeof(p));
		if (ret < 0)
			LOG(ERR, "SA %s: %s", c->sas[i].name, strerror(-ret));
	}
	for (unsigned i = 0; i < c->n_policies && ret == 0; i++) {
		ret = sgw_spd_add(&c->policies[i], -1);
		if (ret < 0)
			LOG(ERR, "policy %s: %s", c->policies[i].name, strerror(-ret));
	}
	return ret;
}

int sgw_dp_init(const struct sgw_conf *c)
{
	int ret;

	dp.conf = c;
	ret = register_dynfield();
	if (ret == 0)
		ret = rings_create(c);
	if (ret == 0)
		ret = sgw_route_init(c->limits.routes);
	if (ret == 0)
		ret = sgw_neigh_init(c->limits.neighbours, dp.rcu);
	if (ret == 0)
		ret = sgw_sa_table_init(c->limits.sas, dp.rcu);
	if (ret == 0)
		ret = sgw_spd_init(c->limits.policies, dp.rcu);
	if (ret == 0)
		ret = ipsec_apply(c);
	if (ret == 0)
		ret = ports_setup(c);
	if (ret == 0)
		ret = routes_apply(c);
	if (ret == 0)
		ret = workers_create(c);
	if (ret < 0) {
		LOG(ERR, "dataplane set-up failed: %s", strerror(-ret));
		sgw_dp_fini();
	}
	return ret;
}

int sgw_dp_start(void)
{
	for (unsigned i = 0; i < dp.n_ports; i++) {
		int ret = rte_eth_dev_start(dp.ports[i].port_id);
		if (ret < 0) {
			LOG(ERR, "port %s: start failed: %s", dp.ports[i].name,
			    strerror(-ret));
			return ret;
		}
	}
	for (unsigned w = 0; w < dp.n_workers; w++) {
		int ret = rte_eal_remote_launch(sgw_worker_main, dp.workers[w],
						dp.workers[w]->lcore);
		if (ret < 0) {
			LOG(ERR, "worker %u: launch failed", w);
			return ret;
		}
	}
	dp.started = true;
	return 0;
}

void sgw_dp_stop(void)
{
	__atomic_store_n(&dp.quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; dp.started && i < dp.n_ports; i++)
		rte_eth_dev_stop(dp.ports[i].port_id);
	dp.started = false;
}

void sgw_dp_fini(void)
{
	struct rte_mbuf *m;

	for (unsigned i = 0; i < dp.n_ports; i++)
		rte_eth_dev_close(dp.ports[i].port_id);
	for (unsigned w = 0; w < dp.n_workers; w++)
		rte_free(dp.workers[w]);
	sgw_spd_fini();
	sgw_sa_table_fini();
	sgw_neigh_fini();
	sgw_route_fini();
	for (unsigned i = 0; i < SGW_MAX_PORTS; i++) {
		while (dp.ctl_tx[i] && rte_ring_dequeue(dp.ctl_tx[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp.ctl_tx[i]);
	}
	while (dp.punt && rte_ring_dequeue(dp.punt, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(dp.punt);
	rte_ring_free(dp.events);
	rte_free(dp.rcu);
	sgw_pool_free(dp.pool);
	if (dp.efd >= 0)
		close(dp.efd);
	memset(&dp, 0, sizeof(dp));
	dp.efd = -1;
}

unsigned sgw_dp_n_ports(void) { return dp.n_ports; }
unsigned sgw_dp_n_workers(void) { return dp.n_workers; }
unsigned sgw_dp_worker_lcore(unsigned w) { return dp.workers[w]->lcore; }
struct rte_mempool *sgw_dp_pool(void) { return dp.pool; }
int sgw_dp_wakeup_fd(void) { return dp.efd; }

const struct sgw_port_info *sgw_dp_port(unsigned idx)
{
	return idx < dp.n_ports ? &dp.ports[idx] : NULL;
}

int sgw_dp_port_by_name(const char *name)
{
	for (unsigned i = 0; i < dp.n_ports; i++)
		if (strcmp(dp.ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

unsigned sgw_dp_punt_dequeue(struct rte_mbuf **m, unsigned n)
{
	return rte_ring_dequeue_burst(dp.punt, (void **)m, n, NULL);
}

/* Dekker-style hand-shake: control announces it will sleep and then looks
 * at the ring once more; a worker enqueues and then looks at the flag. With
 * full barriers on both sides one of them always sees the other. */
bool sgw_dp_ctl_may_sleep(void)
{
	__atomic_store_n(&dp.ctl_sleeping, 1, __ATOMIC_SEQ_CST);
	if (rte_ring_count(dp.punt) == 0 && rte_ring_count(dp.events) == 0)
		return true;
	__atomic_store_n(&dp.ctl_sleeping, 0, __ATOMIC_SEQ_CST);
	return false;
}

void sgw_dp_ctl_awake(void)
{
	uint64_t v;

	__atomic_store_n(&dp.ctl_sleeping, 0, __ATOMIC_SEQ_CST);
	while (read(dp.efd, &v, sizeof(v)) > 0)
		;
}

void sgw_dp_wake_control(void)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&dp.ctl_sleeping, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&dp.ctl_sleeping, 0, __ATOMIC_SEQ_CST)) {
		if (write(dp.efd, &one, sizeof(one)) < 0) {
			/* eventfd full cannot happen with this hand-shake; the
			 * control loop's timeout is the fallback anyway. */
		}
	}
}

int sgw_dp_tx(unsigned port_idx, struct rte_mbuf *m)
{
	if (port_idx >= dp.n_ports || rte_ring_enqueue(dp.ctl_tx[port_idx], m) < 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static void add_counters(struct sgw_dp_port_counters *o,
			 const struct sgw_port_counters *c)
{
	o->rx_packets += __atomic_load_n(&c->rx_packets, __ATOMIC_RELAXED);
	o->tx_packets += __atomic_load_n(&c->tx_packets, __ATOMIC_RELAXED);
	o->punted += __atomic_load_n(&c->punted, __ATOMIC_RELAXED);
	for (unsigned d = 0; d < SGW_DROP_MAX; d++)
		o->drops[d] += __atomic_load_n(&c->drops[d], __ATOMIC_RELAXED);
}

/* Drops that control counts for a port (not a worker) live here. */
static struct sgw_port_counters ctl_cnt[SGW_MAX_PORTS];

void sgw_dp_count_drop(unsigned port_idx, enum sgw_drop reason)
{
	if (port_idx < SGW_MAX_PORTS)
		sgw_cnt_add(&ctl_cnt[port_idx].drops[reason], 1);
}

void sgw_dp_port_counters(unsigned port_idx, struct sgw_dp_port_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < dp.n_workers; w++)
		add_counters(out, &dp.workers[w]->cnt[port_idx]);
	add_counters(out, &ctl_cnt[port_idx]);
}

void sgw_dp_worker_counters(unsigned w, struct sgw_dp_port_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned p = 0; w < dp.n_workers && p < dp.n_ports; p++)
		add_counters(out, &dp.workers[w]->cnt[p]);
}

bool sgw_dp_event_raise(const struct sgw_dp_event *ev)
{
	if (rte_ring_mp_enqueue_elem(dp.events, (void *)(uintptr_t)ev,
				     sizeof(*ev)) == 0) {
		sgw_dp_wake_control();
		return true;
	}
	__atomic_fetch_add(&dp.events_lost, 1, __ATOMIC_RELAXED);
	return false;
}

unsigned sgw_dp_event_dequeue(struct sgw_dp_event *ev, unsigned n)
{
	return rte_ring_sc_dequeue_burst_elem(dp.events, ev, sizeof(*ev), n, NULL);
}

uint64_t sgw_dp_events_lost(void)
{
	return __atomic_load_n(&dp.events_lost, __ATOMIC_RELAXED);
}
