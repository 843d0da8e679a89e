/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcore state, private to the dataplane module.
 *
 * Concurrency: a struct sgw_worker is written only by its own worker; the
 * control core reads the counters with relaxed atomic loads (a counter may
 * be a few packets stale, never torn).
 */
#ifndef SGW_WORKER_H
#define SGW_WORKER_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include "conf.h"
#include "drop.h"
#include "esp.h"
#include "spd.h"

#define SGW_BURST 32

struct sgw_port_counters {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t punted;
	uint64_t drops[SGW_DROP_MAX];
};

/* What a worker needs about a port, copied before its loop starts. */
struct sgw_wport {
	uint16_t port_id;
	uint16_t mtu;
	struct rte_ether_addr mac;
	struct rte_ring *ctl_tx;     /* control -> this port; drained by worker 0 */
};

struct sgw_worker {
	unsigned id;
	unsigned lcore;
	unsigned n_ports;
	unsigned idle_sleep_us;
	struct sgw_wport ports[SGW_MAX_PORTS];
	struct rte_ring *punt;
	struct rte_rcu_qsbr *rcu;
	volatile int *quit;
	uint16_t ip_id;              /* IPv4 ID of outer headers we build */
	/* The last neighbour resolved, reused within one burst only (an
	 * entry may be reclaimed once the worker reports quiescent). */
	struct {
		bool valid;
		uint8_t port, family;
		uint8_t addr[16];
		struct rte_ether_addr mac;
	} ncache;
	/* The outer route and next hop of the last SA a packet was sent
	 * on, for one burst only, like ncache. */
	struct {
		const struct sgw_sa_outer_rt *o;   /* NULL: empty */
		const struct sgw_nh *nh;
		uint32_t nhi;
		unsigned out;
		bool have_mac;
		struct rte_ether_addr mac;
	} ocache;
	/* Counters added in one step per run of packets (esp.h, spd.h),
	 * flushed at the end of every burst. */
	struct sgw_esp_acc acc_in, acc_out;
	struct {
		const struct sgw_spd_entry *e;
		unsigned n;
	} hit;
	/* The SA and outer block of the last protect policy a packet
	 * matched, for one burst only, like ncache. */
	struct {
		const struct sgw_spd_entry *e;     /* NULL: empty */
		struct sgw_sa *sa;
		const struct sgw_sa_outer_rt *o;
	} pcache;
	/* Per burst: the policies [out, in] (NULL: none), see spd.h. */
	const struct sgw_spd_view *spd[2];
	uint64_t spi_event_tsc;      /* unknown-SPI event rate limit */
	uint64_t spi_event_gap;      /* TSC cycles between two such events */
	struct sgw_port_counters cnt[SGW_MAX_PORTS] __rte_cache_aligned;
} __rte_cache_aligned;

/* Hooks into dataplane.c for the control wake-up. */
void sgw_dp_wake_control(void);

int sgw_worker_main(void *arg);  /* lcore entry point; arg is struct sgw_worker */

static inline void sgw_cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

#endif
