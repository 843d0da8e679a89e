/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "neigh.h"

RTE_LOG_REGISTER_SUFFIX(neigh_logtype, neigh, INFO);
#define LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, neigh_logtype, "neigh: %s: " fmt "\n", __func__, ##__VA_ARGS__)

struct neigh_key {
	uint8_t port;
	uint8_t family;
	uint8_t pad[2];
	uint8_t addr[16];
};

/* What waits in the defer queue for readers to move on. */
struct dq_elem {
	int32_t key_pos;              /* the key's slot in the hash */
	uint32_t entry;               /* index into e */
};

static struct {
	struct rte_hash *h;
	struct rte_rcu_qsbr_dq *dq;
	struct sgw_neigh *e;          /* max entries */
	unsigned max;
	unsigned *free;               /* stack of free entry indices */
	unsigned n_free;
} nt;

static void key_make(struct neigh_key *k, unsigned port, int family,
		     const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->port = (uint8_t)port;
	k->family = (uint8_t)family;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
}

/* Runs on the control core once no worker can still see these entries.
 * rte_hash's own RCU mode is not used: in DPDK 22.11 it cannot be asked to
 * reclaim on demand, and a full table must be able to. */
static void entry_reclaim(void *p, void *e, unsigned n)
{
	const struct dq_elem *d = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		rte_hash_free_key_with_position(nt.h, d[i].key_pos);
		nt.free[nt.n_free++] = d[i].entry;
	}
}

int sgw_neigh_init(unsigned max, struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters hp = {
		.name = "sgw_neigh",
		.entries = max,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = "sgw_neigh_dq",
		.size = max,
		.esize = sizeof(struct dq_elem),
		.trigger_reclaim_limit = 1,
		.max_reclaim_size = max,
		.free_fn = entry_reclaim,
		.v = rcu,
	};
	unsigned i;

	memset(&nt, 0, sizeof(nt));
	nt.max = max;
	nt.h = rte_hash_create(&hp);
	nt.e = rte_zmalloc("sgw_neigh_e", max * sizeof(*nt.e), RTE_CACHE_LINE_SIZE);
	nt.free = rte_malloc("sgw_neigh_f", max * sizeof(*nt.free), 0);
	nt.dq = rte_rcu_qsbr_dq_create(&dp);
	if (!nt.h || !nt.e || !nt.free || !nt.dq) {
		LOG(ERR, "cannot allocate a neighbour table of %u entries", max);
		sgw_neigh_fini();
		return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		nt.free[i] = max - 1 - i;
	nt.n_free = max;
	return 0;
}

void sgw_neigh_fini(void)
{
	unsigned i;

	for (i = 0; nt.e && i < nt.max; i++)
		while (nt.e[i].n_held)
			rte_pktmbuf_free(nt.e[i].held[--nt.e[i].n_held]);
	if (nt.dq)
		rte_rcu_qsbr_dq_delete(nt.dq);
	rte_hash_free(nt.h);
	rte_free(nt.e);
	rte_free(nt.free);
	memset(&nt, 0, sizeof(nt));
}

bool sgw_neigh_resolve(unsigned port, int family, const uint8_t *addr,
		       struct rte_ether_addr *mac)
{
	struct neigh_key k;
	struct sgw_neigh *n;
	uint64_t w;

	key_make(&k, port, family, addr);
	if (rte_hash_lookup_data(nt.h, &k, (void **)&n) < 0)
		return false;
	w = __atomic_load_n(&n->mac_word, __ATOMIC_ACQUIRE);
	if (!(w & SGW_NEIGH_VALID))
		return false;
	for (int i = 5; i >= 0; i--, w >>= 8)
		mac->addr_bytes[i] = (uint8_t)w;
	return true;
}

struct sgw_neigh *sgw_neigh_find(unsigned port, int family, const uint8_t *addr)
{
	struct neigh_key k;
	void *n;

	key_make(&k, port, family, addr);
	return rte_hash_lookup_data(nt.h, &k, &n) < 0 ? NULL : n;
}

struct sgw_neigh *sgw_neigh_add(unsigned port, int family, const uint8_t *addr)
{
	struct neigh_key k;
	struct sgw_neigh *n;
	int ret;

	if (nt.n_free == 0)
		rte_rcu_qsbr_dq_reclaim(nt.dq, nt.max, NULL, NULL, NULL);
	if (nt.n_free == 0)
		return NULL;
	n = &nt.e[nt.free[nt.n_free - 1]];
	memset(n, 0, sizeof(*n));
	n->port = (uint8_t)port;
	n->family = (uint8_t)family;
	memcpy(n->addr, addr, family == AF_INET ? 4 : 16);
	n->in_use = true;
	n->changed_tsc = rte_get_tsc_cycles();
	key_make(&k, port, family, addr);
	ret = rte_hash_add_key_data(nt.h, &k, n);
	if (ret < 0) {
		n->in_use = false;
		return NULL;
	}
	nt.n_free--;
	return n;
}

void sgw_neigh_set_mac(struct sgw_neigh *n, const struct rte_ether_addr *mac)
{
	uint64_t w = 0;

	for (int i = 0; i < 6; i++)
		w = (w << 8) | mac->addr_bytes[i];
	__atomic_store_n(&n->mac_word, SGW_NEIGH_VALID | w, __ATOMIC_RELEASE);
	n->state = SGW_NEIGH_REACHABLE;
	n->probes = 0;
	n->changed_tsc = rte_get_tsc_cycles();
}

void sgw_neigh_del(struct sgw_neigh *n)
{
	struct neigh_key k;
	struct dq_elem d = { .entry = (uint32_t)(n - nt.e) };

	key_make(&k, n->port, n->family, n->addr);
	n->in_use = false;
	/* The key slot and the entry come back in entry_reclaim(), after the
	 * grace period, so a worker holding the pointer still reads valid memory. */
	d.key_pos = rte_hash_del_key(nt.h, &k);
	if (d.key_pos < 0 || rte_rcu_qsbr_dq_enqueue(nt.dq, &d) < 0)
		LOG(ERR, "cannot defer freeing entry %u", d.entry);
}

struct sgw_neigh *sgw_neigh_next(unsigned *iter)
{
	while (*iter < nt.max) {
		struct sgw_neigh *n = &nt.e[(*iter)++];
		if (n->in_use)
			return n;
	}
	return NULL;
}

void sgw_neigh_mac(const struct sgw_neigh *n, struct rte_ether_addr *mac)
{
	uint64_t w = __atomic_load_n(&n->mac_word, __ATOMIC_RELAXED);

	for (int i = 5; i >= 0; i--, w >>= 8)
		mac->addr_bytes[i] = (uint8_t)w;
}

const char *sgw_neigh_state_name(const struct sgw_neigh *n)
{
	static const char *const names[] = {
		[SGW_NEIGH_INCOMPLETE] = "incomplete",
		[SGW_NEIGH_REACHABLE] = "reachable",
		[SGW_NEIGH_PROBE] = "probe",
		[SGW_NEIGH_STATIC] = "static",
	};
	return n->state < RTE_DIM(names) ? names[n->state] : "?";
}
