/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SPD (see spd.h). Lookup is a first-match scan of a compiled array:
 * what the tests and static configurations need. Thousands of
 * IKE policies will want a classifier (rte_acl) behind the same lookup.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "sa.h"
#include "spd.h"

#define LOG(l, ...) rte_log(RTE_LOG_##l, RTE_LOGTYPE_USER1, "spd: " __VA_ARGS__)

struct snap {
	unsigned n;
	struct sgw_spd_entry e[];
};

struct pol {
	struct sgw_conf_policy c;
	uint32_t id;                 /* index into hits[] */
};

static struct {
	struct rte_rcu_qsbr *rcu;
	unsigned max;
	struct pol *list[2];         /* [inbound] control copies, in order */
	unsigned n[2];
	struct snap *cur[2];         /* atomic pointers, read by workers */
	uint64_t *hits;              /* 2 * max, written by workers (relaxed) */
	uint32_t *free_ids;
	unsigned n_free_ids;
} s;

int sgw_spd_init(unsigned max, struct rte_rcu_qsbr *rcu)
{
	memset(&s, 0, sizeof(s));
	s.rcu = rcu;
	s.max = max;
	s.list[0] = rte_zmalloc("sgw_spd_out", max * sizeof(struct pol), 0);
	s.list[1] = rte_zmalloc("sgw_spd_in", max * sizeof(struct pol), 0);
	s.hits = rte_zmalloc("sgw_spd_hits", 2 * max * sizeof(uint64_t),
			     RTE_CACHE_LINE_SIZE);
	s.free_ids = rte_malloc("sgw_spd_ids", 2 * max * sizeof(uint32_t), 0);
	if (!s.list[0] || !s.list[1] || !s.hits || !s.free_ids) {
		sgw_spd_fini();
		return -ENOMEM;
	}
	for (unsigned i = 0; i < 2 * max; i++)
		s.free_ids[s.n_free_ids++] = 2 * max - 1 - i;
	return 0;
}

void sgw_spd_fini(void)
{
	rte_free(s.cur[0]);
	rte_free(s.cur[1]);
	rte_free(s.list[0]);
	rte_free(s.list[1]);
	rte_free(s.hits);
	rte_free(s.free_ids);
	memset(&s, 0, sizeof(s));
}

/* A prefix as two 64-bit words and their mask, in memory (network) order. */
static void prefix_compile(const struct sgw_prefix *p, uint64_t net[2], uint64_t mask[2])
{
	uint8_t m[16] = { 0 };

	for (unsigned b = 0; b < p->len; b++)
		m[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	memcpy(mask, m, 16);
	memcpy(net, p->addr, 16);
	net[0] &= mask[0];
	net[1] &= mask[1];
}

static void entry_compile(struct sgw_spd_entry *e, const struct pol *p)
{
	const struct sgw_conf_sel *sel = &p->c.sel;
	uint32_t slot;
	struct sgw_sa *sa;

	memset(e, 0, sizeof(*e));
	e->family = (uint8_t)sel->family;
	e->action = (uint8_t)p->c.action;
	e->proto = (int16_t)sel->proto;
	e->sport_lo = sel->sport_lo;
	e->sport_hi = sel->sport_hi;
	e->dport_lo = sel->dport_lo;
	e->dport_hi = sel->dport_hi;
	e->ports = sel->sport_lo || sel->sport_hi != 65535 ||
		   sel->dport_lo || sel->dport_hi != 65535;
	if (sel->has_src)
		prefix_compile(&sel->src, e->src, e->src_mask);
	if (sel->has_dst)
		prefix_compile(&sel->dst, e->dst, e->dst_mask);
	e->policy = p->id;
	e->sa_slot = SGW_SA_NONE;
	if (p->c.action == SGW_POLICY_PROTECT &&
	    sgw_sa_find_name(p->c.sa, &slot) == 0 && (sa = sgw_sa_at(slot)) &&
	    sa->h.dir == (p->c.inbound ? SGW_SA_IN : SGW_SA_OUT)) {
		e->sa_slot = slot;
		e->sa_gen = sa->h.gen;
	}
}

static struct snap *compile(unsigned dir)
{
	struct snap *n = rte_zmalloc("sgw_spd_snap", sizeof(*n) +
				     s.n[dir] * sizeof(struct sgw_spd_entry),
				     RTE_CACHE_LINE_SIZE);

	if (!n)
		return NULL;
	n->n = s.n[dir];
	for (unsigned i = 0; i < n->n; i++)
		entry_compile(&n->e[i], &s.list[dir][i]);
	return n;
}

static int publish(unsigned dir)
{
	struct snap *n = compile(dir), *old;

	if (!n)
		return -ENOMEM;
	old = __atomic_exchange_n(&s.cur[dir], n, __ATOMIC_ACQ_REL);
	if (old) {
		rte_rcu_qsbr_synchronize(s.rcu, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
	return 0;
}

static int find(const char *name, unsigned *dir, unsigned *idx)
{
	for (unsigned d = 0; d < 2; d++)
		for (unsigned i = 0; i < s.n[d]; i++)
			if (!strcmp(s.list[d][i].c.name, name)) {
				*dir = d;
				*idx = i;
				return 0;
			}
	return -ENOENT;
}

int sgw_spd_add(const struct sgw_conf_policy *p, int pos)
{
	unsigned dir = p->inbound, d, i;
	struct pol *l = s.list[dir];
	int ret;

	if (!p->name[0] || find(p->name, &d, &i) == 0)
		return -EEXIST;
	if (s.n[dir] >= s.max || !s.n_free_ids)
		return -ENOSPC;
	if (pos < 0 || (unsigned)pos > s.n[dir])
		pos = (int)s.n[dir];
	memmove(&l[pos + 1], &l[pos], (s.n[dir] - (unsigned)pos) * sizeof(*l));
	l[pos].c = *p;
	l[pos].id = s.free_ids[--s.n_free_ids];
	__atomic_store_n(&s.hits[l[pos].id], 0, __ATOMIC_RELAXED);
	s.n[dir]++;
	ret = publish(dir);
	if (ret < 0) {
		s.free_ids[s.n_free_ids++] = l[pos].id;
		memmove(&l[pos], &l[pos + 1], (--s.n[dir] - (unsigned)pos) * sizeof(*l));
	}
	return ret;
}

int sgw_spd_del(const char *name)
{
	unsigned dir, i;
	uint32_t id;
	int ret;

	if (find(name, &dir, &i) < 0)
		return -ENOENT;
	id = s.list[dir][i].id;
	memmove(&s.list[dir][i], &s.list[dir][i + 1],
		(s.n[dir] - i - 1) * sizeof(struct pol));
	s.n[dir]--;
	ret = publish(dir);  /* waits for readers, so the id is free to reuse */
	s.free_ids[s.n_free_ids++] = id;
	return ret;
}

/* Recompiles only the directions whose bindings changed. */
int sgw_spd_rebind(void)
{
	for (unsigned dir = 0; dir < 2; dir++) {
		const struct snap *c = s.cur[dir];
		struct sgw_spd_entry e;
		bool changed = false;

		for (unsigned i = 0; c && i < c->n && !changed; i++) {
			entry_compile(&e, &s.list[dir][i]);
			changed = e.sa_slot != c->e[i].sa_slot || e.sa_gen != c->e[i].sa_gen;
		}
		if (changed && publish(dir) < 0)
			return -ENOMEM;
	}
	return 0;
}

unsigned sgw_spd_count(bool inbound)
{
	return s.n[inbound];
}

const struct sgw_conf_policy *sgw_spd_get(bool inbound, unsigned n,
					  uint64_t *matches, bool *bound)
{
	const struct snap *c = s.cur[inbound];

	if (n >= s.n[inbound])
		return NULL;
	*matches = __atomic_load_n(&s.hits[s.list[inbound][n].id], __ATOMIC_RELAXED);
	*bound = c && n < c->n && c->e[n].sa_slot != SGW_SA_NONE;
	return &s.list[inbound][n].c;
}

static bool prefix_match(const uint64_t net[2], const uint64_t mask[2],
			 const uint64_t a[2])
{
	return ((a[0] & mask[0]) ^ net[0]) == 0 && ((a[1] & mask[1]) ^ net[1]) == 0;
}

static bool entry_match(const struct sgw_spd_entry *e, const struct sgw_spd_key *k)
{
	if (e->family && e->family != k->family)
		return false;
	if (e->proto >= 0 && e->proto != k->proto)
		return false;
	if (e->ports && (!k->has_ports ||
			 k->sport < e->sport_lo || k->sport > e->sport_hi ||
			 k->dport < e->dport_lo || k->dport > e->dport_hi))
		return false;
	return prefix_match(e->src, e->src_mask, k->src) &&
	       prefix_match(e->dst, e->dst_mask, k->dst);
}

const struct sgw_spd_entry *sgw_spd_lookup(bool inbound, const struct sgw_spd_key *k)
{
	const struct snap *c = __atomic_load_n(&s.cur[inbound], __ATOMIC_ACQUIRE);

	for (unsigned i = 0; c && i < c->n; i++)
		if (entry_match(&c->e[i], k))
			return &c->e[i];
	return NULL;
}

const struct sgw_spd_entry *sgw_spd_check_sa(const struct sgw_spd_key *k,
					     uint32_t slot, uint32_t gen)
{
	const struct snap *c = __atomic_load_n(&s.cur[1], __ATOMIC_ACQUIRE);

	for (unsigned i = 0; c && i < c->n; i++) {
		const struct sgw_spd_entry *e = &c->e[i];

		if (e->sa_slot == slot && e->sa_gen == gen && entry_match(e, k))
			return e;
	}
	return NULL;
}

bool sgw_spd_empty(bool inbound)
{
	const struct snap *c = __atomic_load_n(&s.cur[inbound], __ATOMIC_RELAXED);

	return !c || !c->n;
}

void sgw_spd_count_match(const struct sgw_spd_entry *e, unsigned n)
{
	__atomic_fetch_add(&s.hits[e->policy], n, __ATOMIC_RELAXED);
}
