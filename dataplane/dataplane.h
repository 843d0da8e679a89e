/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane as the control core sees it: set-up from a validated config,
 * start/stop of the worker lcores, the punt ring (workers -> control), the
 * per-port TX rings (control -> worker 0), and read-only views for the CLI.
 *
 * Concurrency: every function here runs on the control lcore. Workers touch
 * only their own struct (worker.c), the route/neighbour tables (read-only,
 * RCU-protected) and the rings.
 */
#ifndef SGW_DATAPLANE_H
#define SGW_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "conf.h"
#include "drop.h"

/* Why a worker handed a packet to control; stored in the mbuf's dynfield. */
enum sgw_punt_reason {
	SGW_PUNT_LOCAL = 1,      /* ARP, or IP addressed to the gateway itself */
	SGW_PUNT_NEIGH_MISS,     /* next hop not resolved: hold and resolve */
	SGW_PUNT_ICMP_NO_ROUTE,  /* already counted as a drop; send an ICMP error */
	SGW_PUNT_ICMP_TTL,
	SGW_PUNT_ICMP_TOO_BIG,
	SGW_PUNT_FRAGMENT,       /* IPv4 without DF larger than the out MTU */
	SGW_PUNT_IKE,            /* UDP/500, or UDP/4500 with the non-ESP marker */
	SGW_PUNT_NEIGH_MISS_OWN, /* like NEIGH_MISS, for a packet we built (ESP) */
	SGW_PUNT_FRAGMENT_OWN,   /* an ESP packet we built, larger than the MTU */
};

struct sgw_punt_meta {
	uint8_t reason;          /* enum sgw_punt_reason */
	uint8_t in_port;         /* port index the frame arrived on */
	uint8_t out_port;        /* port index, for NEIGH_MISS/TOO_BIG/FRAGMENT */
	uint8_t pad;
	uint32_t nh;             /* next-hop index, for NEIGH_MISS */
	uint16_t mtu;            /* ICMP_TOO_BIG: the MTU to report, 0 = the port's */
};

extern int sgw_punt_dynfield_off;
static inline struct sgw_punt_meta *sgw_punt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, sgw_punt_dynfield_off, struct sgw_punt_meta *);
}

/* Per-port facts for the CLI and the control core. */
struct sgw_port_info {
	const char *name;
	const char *device;
	uint16_t port_id;        /* DPDK port id */
	uint16_t mtu;
	struct rte_ether_addr mac;
	const struct sgw_conf_port *conf;
};

/* Life cycle, in order. */
int sgw_dp_init(const struct sgw_conf *c);  /* after rte_eal_init */
int sgw_dp_start(void);                     /* ports up, workers launched */
void sgw_dp_stop(void);                     /* workers joined, ports stopped */
void sgw_dp_fini(void);

unsigned sgw_dp_n_ports(void);
const struct sgw_port_info *sgw_dp_port(unsigned idx);
int sgw_dp_port_by_name(const char *name);  /* index, or -1 */
unsigned sgw_dp_n_workers(void);
unsigned sgw_dp_worker_lcore(unsigned w);
struct rte_mempool *sgw_dp_pool(void);

/* Punt ring: control drains it; workers nudge efd when control sleeps. */
unsigned sgw_dp_punt_dequeue(struct rte_mbuf **m, unsigned n);
int sgw_dp_wakeup_fd(void);
/* Call before blocking; returns false if work arrived meanwhile (don't sleep). */
bool sgw_dp_ctl_may_sleep(void);
void sgw_dp_ctl_awake(void);

/* Control -> port: a complete frame; takes ownership. -ENOBUFS when full. */
int sgw_dp_tx(unsigned port_idx, struct rte_mbuf *m);

/* Events from workers to control (DESIGN.md: SA limits, unknown SPIs). */
enum sgw_dp_event_type {
	SGW_EV_SA_SOFT = 1,      /* soft lifetime reached: rekey */
	SGW_EV_SA_HARD,          /* hard lifetime reached: the SA stopped */
	SGW_EV_SA_SEQ_DONE,      /* outbound sequence numbers exhausted */
	SGW_EV_UNKNOWN_SPI,      /* ESP with an SPI we do not know (rate-limited) */
};

struct sgw_dp_event {
	uint8_t type;            /* enum sgw_dp_event_type */
	uint8_t family;          /* UNKNOWN_SPI: of src */
	uint16_t port;           /* UNKNOWN_SPI: input port index */
	uint32_t spi;            /* host order */
	uint32_t slot;           /* SA slot, or SGW_SA_NONE */
	uint32_t gen;
	uint8_t src[16];         /* UNKNOWN_SPI: outer source address */
};
_Static_assert(sizeof(struct sgw_dp_event) == 32, "event is a ring element");

/* Workers: false (and counted) when the ring is full. */
bool sgw_dp_event_raise(const struct sgw_dp_event *ev);
unsigned sgw_dp_event_dequeue(struct sgw_dp_event *ev, unsigned n);
uint64_t sgw_dp_events_lost(void);

/* Counters summed over workers; port is a port index. */
struct sgw_dp_port_counters {
	uint64_t rx_packets, tx_packets, punted;
	uint64_t drops[SGW_DROP_MAX];
};
void sgw_dp_port_counters(unsigned port_idx, struct sgw_dp_port_counters *out);
void sgw_dp_worker_counters(unsigned w, struct sgw_dp_port_counters *out);
/* Drops counted by the control core on behalf of a port (e.g. no_mbuf). */
void sgw_dp_count_drop(unsigned port_idx, enum sgw_drop reason);

#endif
