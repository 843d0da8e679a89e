/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table (ARP / IPv6 ND results), keyed by (port, address).
 *
 * Concurrency: the control core is the only writer. Workers look entries up
 * without locks (rte_hash lock-free reader mode) and read the MAC as one
 * 64-bit atomic word, so they see the old or the new MAC, never a mix.
 * Deleted entries are reused only after an RCU grace period (workers report
 * quiescent states once per loop).
 */
#ifndef SGW_NEIGH_H
#define SGW_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#define SGW_NEIGH_HOLD 4          /* packets held per unresolved next hop */

enum sgw_neigh_state {
	SGW_NEIGH_INCOMPLETE = 0,     /* solicited, no answer yet */
	SGW_NEIGH_REACHABLE,          /* confirmed recently */
	SGW_NEIGH_PROBE,              /* old; re-solicited, MAC still used */
	SGW_NEIGH_STATIC,             /* from the config: never probed, never learnt over */
};

#define SGW_NEIGH_VALID (1ull << 63)

struct sgw_neigh {
	uint64_t mac_word;            /* workers: SGW_NEIGH_VALID | MAC (48 bit) */
	/* control only from here on */
	uint8_t port;
	uint8_t family;
	uint8_t addr[16];
	uint8_t state;                /* enum sgw_neigh_state */
	uint8_t probes;               /* solicitations sent in this state */
	bool in_use;
	uint64_t changed_tsc;         /* last confirmation or state change */
	uint64_t next_probe_tsc;
	unsigned n_held;
	struct rte_mbuf *held[SGW_NEIGH_HOLD];
};

int sgw_neigh_init(unsigned max, struct rte_rcu_qsbr *rcu);
void sgw_neigh_fini(void);

/* Worker side: true and *mac set when the neighbour is resolved. */
bool sgw_neigh_resolve(unsigned port, int family, const uint8_t *addr,
		       struct rte_ether_addr *mac);

/* Control side. */
struct sgw_neigh *sgw_neigh_find(unsigned port, int family, const uint8_t *addr);
struct sgw_neigh *sgw_neigh_add(unsigned port, int family, const uint8_t *addr);
void sgw_neigh_set_mac(struct sgw_neigh *n, const struct rte_ether_addr *mac);
void sgw_neigh_del(struct sgw_neigh *n);  /* caller disposes of held packets */
/* Iterates entries in use: start with *iter = 0; NULL at the end. */
struct sgw_neigh *sgw_neigh_next(unsigned *iter);
void sgw_neigh_mac(const struct sgw_neigh *n, struct rte_ether_addr *mac);
const char *sgw_neigh_state_name(const struct sgw_neigh *n);

#endif
