/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SPD (see spd.h): first match by tuple space search.
 *
 * Every policy has a priority, a number that orders the list with gaps
 * between neighbours. Policies with the same (family, source prefix length,
 * destination prefix length) form a group; within a group a packet can only
 * match the policies whose prefixes equal its addresses under the group's
 * masks, so one hash lookup per group finds a bucket of candidates, kept in
 * priority order (protocol and ports are checked there). The lowest
 * priority over all groups wins. Groups are visited in order of the lowest
 * priority they hold, which ends the walk at the first group that cannot
 * beat the match in hand. A road-warrior gateway has one or two groups
 * however many tunnels it carries.
 *
 * Policies with the same selector shadow each other: only the first can
 * match. A bucket holds only that first one per selector; the others wait
 * in a chain behind it (control's own), so a thousand Child SAs with the
 * same traffic selectors cost a bucket of one. The inbound check of what
 * came out of an SA does not search at all: each SA slot has the (few)
 * inbound policies bound to it.
 *
 * A direction with few policies is also published as a plain list, scanned
 * first to last: at that size cheaper than a hash lookup.
 *
 * Workers read buckets (through an rte_hash in lock-free mode) and a view
 * per direction (the groups, and the plain list). Both are immutable: a
 * change builds a copy, publishes it with one store, and frees the old one
 * after an RCU grace period through a defer queue.
 *
 * When no gap is left where a policy must go, the direction is renumbered.
 * Entries carry two numberings; workers compare the one their view names.
 * A renumbering writes the other one into every entry, then publishes a
 * view naming it: a lookup never mixes numberings, whichever buckets it
 * sees. Then it waits for a grace period, so that no reader holds a view
 * naming the old one when later entries come with only the new one: the
 * one control operation that waits for workers, and a rare one (2^24
 * spacing: 24 insertions at one place, or 2^40 at the end).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "sa.h"
#include "spd.h"

#define LOG(l, ...) rte_log(RTE_LOG_##l, RTE_LOGTYPE_USER1, "spd: " __VA_ARGS__)

#define NONE        UINT32_MAX
#define MAX_GROUPS  64             /* prefix-length pairs per direction */
#define SMALL       16             /* plain-list directions, at most */
#define STEP_SHIFT  24             /* 2^40 appends, 24 halvings */

struct bkey {                      /* a bucket: group and masked prefixes */
	uint32_t group;                /* dir << 8 | group slot */
	uint32_t pad;
	uint64_t src[2], dst[2];
};

struct bucket {                    /* also an SA slot's inbound policies */
	unsigned n;
	struct sgw_spd_entry e[];      /* by priority */
};

struct vgroup {                    /* a group as workers see it */
	uint64_t min_prio;             /* no member goes before this */
	uint64_t smask[2], dmask[2];
	uint32_t id;                   /* bkey.group */
	uint8_t family;                /* 0 = both */
};

struct sgw_spd_view {
	unsigned n;                    /* policies in the direction */
	unsigned n_groups;
	unsigned n_small;              /* n when small[] is the list, else 0 */
	const struct sgw_spd_entry *small;
	unsigned h;                    /* the entries' numbering to compare */
	struct vgroup g[];             /* by min_prio */
};

struct group {                     /* control's own copy */
	uint8_t family, slen, dlen;
	unsigned n;                    /* members; 0 = a free slot */
	uint64_t min_prio;
};

struct pol {
	struct sgw_conf_policy c;
	struct sgw_spd_entry e;        /* compiled; e.policy is the pol's id */
	uint32_t prev, next;           /* the direction's order */
	uint32_t dprev, dnext;         /* same bucket and selector, by priority */
	uint32_t dtail;                /* on a chain's first: its last */
	uint32_t sa_prev, sa_next;     /* protect policies naming the same SA */
	uint8_t group;
	bool used;
};

struct dq_elem {                   /* freed once no worker can see it */
	void *p;                       /* a bucket or a view (malloc) */
	int32_t key_pos;               /* a bucket's hash position, or -1 */
	uint32_t id;                   /* a policy id to recycle, or NONE */
};

struct dir {
	uint32_t head, tail;
	unsigned n;
	unsigned h;                    /* the current numbering (view's h) */
	unsigned renumbers;
	struct group g[MAX_GROUPS];
	struct sgw_spd_view *view;             /* atomic, read by workers */
};

static struct {
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *dq;
	struct rte_hash *buckets;      /* bkey -> bucket, read by workers */
	struct rte_hash *names;        /* policy name -> id */
	struct rte_hash *sa_names;     /* SA name -> first policy naming it */
	struct bucket **by_sa;         /* SA slot -> inbound policies bound to it */
	unsigned n_by_sa;
	unsigned max;
	struct pol *pol;               /* 2 * max, by id */
	uint64_t *hits;                /* by id, written by workers (relaxed) */
	uint32_t *free_ids;
	unsigned n_free_ids;
	struct dir d[2];               /* [inbound] */
	unsigned small;
	uint64_t step;
	struct { unsigned dir, n; uint32_t id; } cur;  /* sgw_spd_get's place */
} s;

/* A policy's priority in its direction's current numbering. */
static uint64_t prio_of(uint32_t id)
{
	return s.pol[id].e.prio[s.d[s.pol[id].c.inbound].h];
}

static void reclaim(void *p, void *e, unsigned n)
{
	const struct dq_elem *d = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		free(d[i].p);
		if (d[i].key_pos >= 0)
			rte_hash_free_key_with_position(s.buckets, d[i].key_pos);
		if (d[i].id != NONE)
			s.free_ids[s.n_free_ids++] = d[i].id;
	}
}

/* Everything queued is freed now: waits for the workers once. */
static void reclaim_all(void)
{
	unsigned pending = 0;

	rte_rcu_qsbr_dq_reclaim(s.dq, UINT32_MAX, NULL, &pending, NULL);
	if (pending) {
		rte_rcu_qsbr_synchronize(s.rcu, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(s.dq, UINT32_MAX, NULL, NULL, NULL);
	}
}

static void defer(void *p, int32_t key_pos, uint32_t id)
{
	struct dq_elem d = { .p = p, .key_pos = key_pos, .id = id };

	if (!p && key_pos < 0 && id == NONE)
		return;
	if (rte_rcu_qsbr_dq_enqueue(s.dq, &d) == 0)
		return;
	rte_rcu_qsbr_synchronize(s.rcu, RTE_QSBR_THRID_INVALID);
	reclaim(NULL, &d, 1);
}

void sgw_spd_fini(void)
{
	for (unsigned dir = 0; dir < 2; dir++)
		free(s.d[dir].view);
	if (s.buckets) {
		const void *k;
		void *data;
		uint32_t it = 0;

		while (rte_hash_iterate(s.buckets, &k, &data, &it) >= 0)
			free(data);
	}
	for (unsigned i = 0; s.by_sa && i < s.n_by_sa; i++)
		free(s.by_sa[i]);
	rte_free(s.by_sa);
	if (s.dq)
		rte_rcu_qsbr_dq_delete(s.dq);  /* workers are gone: frees all */
	rte_hash_free(s.buckets);
	rte_hash_free(s.names);
	rte_hash_free(s.sa_names);
	rte_free(s.pol);
	rte_free(s.hits);
	rte_free(s.free_ids);
	memset(&s, 0, sizeof(s));
}

int sgw_spd_init(unsigned max, struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters bp = {
		.name = "sgw_spd_buckets",
		.entries = 2 * max + 64,   /* + positions waiting for readers */
		.key_len = sizeof(struct bkey),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_parameters np = {
		.name = "sgw_spd_names",
		.entries = 2 * max,
		.key_len = SGW_NAME_MAX,
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_parameters sp = np;
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = "sgw_spd_dq",
		.size = 4 * max + 64,
		.esize = sizeof(struct dq_elem),
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = 1024,
		.free_fn = reclaim,
		.v = rcu,
	};

	memset(&s, 0, sizeof(s));
	sp.name = "sgw_spd_sa_names";
	s.rcu = rcu;
	s.max = max;
	s.small = SMALL;
	s.step = UINT64_C(1) << STEP_SHIFT;
	for (unsigned dir = 0; dir < 2; dir++)
		s.d[dir].head = s.d[dir].tail = NONE;
	s.buckets = rte_hash_create(&bp);
	s.names = rte_hash_create(&np);
	s.sa_names = rte_hash_create(&sp);
	s.dq = rte_rcu_qsbr_dq_create(&dp);
	s.pol = rte_zmalloc("sgw_spd_pol", 2 * max * sizeof(struct pol), 0);
	s.hits = rte_zmalloc("sgw_spd_hits", 2 * max * sizeof(uint64_t),
			     RTE_CACHE_LINE_SIZE);
	s.free_ids = rte_malloc("sgw_spd_ids", 2 * max * sizeof(uint32_t), 0);
	s.n_by_sa = sgw_sa_capacity();
	s.by_sa = rte_zmalloc("sgw_spd_by_sa", (s.n_by_sa + 1) * sizeof(*s.by_sa), 0);
	if (!s.buckets || !s.names || !s.sa_names || !s.dq || !s.pol || !s.hits ||
	    !s.free_ids || !s.by_sa) {
		LOG(ERR, "cannot allocate an SPD of %u policies per direction\n", max);
		sgw_spd_fini();
		return -ENOMEM;
	}
	for (unsigned i = 0; i < 2 * max; i++)
		s.free_ids[s.n_free_ids++] = 2 * max - 1 - i;
	s.cur.id = NONE;
	return 0;
}

uint64_t sgw_spd_prio(const struct sgw_spd_entry *e)
{
	return e->prio[s.d[s.pol[e->policy].c.inbound].h];
}

unsigned sgw_spd_renumbers(bool inbound)
{
	return s.d[inbound].renumbers;
}

void sgw_spd_tune(unsigned small, unsigned step_shift)
{
	s.small = small;
	s.step = UINT64_C(1) << step_shift;
}

/* ---- compiling ---------------------------------------------------------- */

static void mask_of(unsigned len, uint64_t mask[2])
{
	uint8_t m[16] = { 0 };

	for (unsigned b = 0; b < len; b++)
		m[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	memcpy(mask, m, 16);
}

/* A prefix as two 64-bit words and their mask, in memory (network) order. */
static void prefix_compile(const struct sgw_prefix *p, uint64_t net[2], uint64_t mask[2])
{
	mask_of(p->len, mask);
	memcpy(net, p->addr, 16);
	net[0] &= mask[0];
	net[1] &= mask[1];
}

/* Binds a protect policy to its SA's slot and generation, if there is such
 * an SA of the policy's direction. */
static void bind_sa(struct sgw_spd_entry *e, const struct sgw_conf_policy *c)
{
	uint32_t slot;
	struct sgw_sa *sa;

	e->sa_slot = SGW_SA_NONE;
	e->sa_gen = 0;
	if (c->action == SGW_POLICY_PROTECT &&
	    sgw_sa_find_name(c->sa, &slot) == 0 && (sa = sgw_sa_at(slot)) &&
	    sa->h.dir == (c->inbound ? SGW_SA_IN : SGW_SA_OUT)) {
		e->sa_slot = slot;
		e->sa_gen = sa->h.gen;
	}
}

static void entry_compile(struct sgw_spd_entry *e, const struct sgw_conf_policy *c,
			  uint32_t id)
{
	const struct sgw_conf_sel *sel = &c->sel;

	memset(e, 0, sizeof(*e));
	e->family = (uint8_t)sel->family;
	e->action = (uint8_t)c->action;
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
	e->policy = id;
	bind_sa(e, c);
}

static unsigned slen_of(const struct sgw_conf_policy *c)
{
	return c->sel.has_src ? c->sel.src.len : 0;
}

static unsigned dlen_of(const struct sgw_conf_policy *c)
{
	return c->sel.has_dst ? c->sel.dst.len : 0;
}

static void bkey_of(const struct pol *p, struct bkey *k)
{
	memset(k, 0, sizeof(*k));
	k->group = (uint32_t)p->c.inbound << 8 | p->group;
	k->pad = 1;    /* never all zeros: rte_hash (22.11) mistakes such a key
			* for its own empty one and can end up holding it twice */
	memcpy(k->src, p->e.src, sizeof(k->src));
	memcpy(k->dst, p->e.dst, sizeof(k->dst));
}

/* ---- what workers read -------------------------------------------------- */

static struct bucket *bucket_at(const struct bkey *k)
{
	void *data;

	return rte_hash_lookup_data(s.buckets, k, &data) < 0 ? NULL : data;
}

/* A copy of old without policy drop (NONE: none) and with add (NULL: none)
 * in its place by priority; *out is NULL when nothing is left. Priorities
 * are compared as they are now (a renumbering leaves old copies behind). */
static int edit(const struct bucket *old, uint32_t drop, const struct sgw_spd_entry *add,
		struct bucket **out)
{
	const unsigned on = old ? old->n : 0;
	bool placed = !add;
	struct bucket *nb;
	unsigned n = 0;

	*out = NULL;
	if (on + !!add == 0 || (on == 1 && !add && old->e[0].policy == drop))
		return 0;
	nb = malloc(sizeof(*nb) + (on + 1) * sizeof(nb->e[0]));
	if (!nb)
		return -ENOMEM;
	for (unsigned i = 0; i < on; i++) {
		if (old->e[i].policy == drop)
			continue;
		if (!placed && prio_of(old->e[i].policy) > prio_of(add->policy)) {
			nb->e[n++] = *add;
			placed = true;
		}
		nb->e[n++] = old->e[i];
	}
	if (!placed)
		nb->e[n++] = *add;
	nb->n = n;
	*out = nb;
	return 0;
}

/* Publishes bucket k as old edited (see edit()). */
static int bucket_edit(const struct bkey *k, struct bucket *old, uint32_t drop,
		       const struct sgw_spd_entry *add)
{
	struct bucket *nb;
	int ret = edit(old, drop, add, &nb);

	if (ret)
		return ret;
	if (!nb) {
		if (old)
			defer(old, rte_hash_del_key(s.buckets, k), NONE);
		return 0;
	}
	ret = rte_hash_add_key_data(s.buckets, k, nb);
	if (ret == -ENOSPC) {          /* positions still held by readers */
		reclaim_all();
		ret = rte_hash_add_key_data(s.buckets, k, nb);
	}
	if (ret < 0) {
		free(nb);
		return ret;
	}
	defer(old, -1, NONE);
	return 0;
}

static bool same_sel(const struct sgw_spd_entry *a, const struct sgw_spd_entry *b)
{
	return a->family == b->family && a->proto == b->proto && a->ports == b->ports &&
	       a->sport_lo == b->sport_lo && a->sport_hi == b->sport_hi &&
	       a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi;
}

/* The first policy of e's selector in bucket b (the one workers see), or
 * NONE. Prefixes are the bucket's own. */
static uint32_t first_of(const struct bucket *b, const struct sgw_spd_entry *e)
{
	for (unsigned i = 0; b && i < b->n; i++)
		if (same_sel(&b->e[i], e))
			return b->e[i].policy;
	return NONE;
}

static bool same_chain(const struct pol *a, const struct pol *b)
{
	return a->c.inbound == b->c.inbound && a->group == b->group &&
	       !memcmp(a->e.src, b->e.src, sizeof(a->e.src)) &&
	       !memcmp(a->e.dst, b->e.dst, sizeof(a->e.dst)) && same_sel(&a->e, &b->e);
}

/* Puts policy id in its bucket's chain (in front of before when before is
 * in the same chain: a rekey's place, found at once), and publishes the
 * bucket when it becomes the first of its selector. */
static int member_add(uint32_t id, uint32_t before)
{
	struct pol *p = &s.pol[id];
	struct bucket *b;
	struct bkey k;
	uint32_t h, at;
	int ret;

	bkey_of(p, &k);
	b = bucket_at(&k);
	p->dprev = p->dnext = NONE;
	p->dtail = id;
	h = first_of(b, &p->e);
	if (h == NONE)
		return bucket_edit(&k, b, NONE, &p->e);
	if (before != NONE && same_chain(&s.pol[before], p)) {
		at = before;
	} else {
		at = NONE;
		for (uint32_t x = s.pol[h].dtail; x != NONE && prio_of(x) > prio_of(id);
		     x = s.pol[x].dprev)
			at = x;
	}
	if (at == h) {
		ret = bucket_edit(&k, b, h, &p->e);
		if (ret)
			return ret;
		p->dnext = h;
		p->dtail = s.pol[h].dtail;
		s.pol[h].dprev = id;
		return 0;
	}
	p->dnext = at;
	p->dprev = at == NONE ? s.pol[h].dtail : s.pol[at].dprev;
	s.pol[p->dprev].dnext = id;
	if (at == NONE)
		s.pol[h].dtail = id;
	else
		s.pol[at].dprev = id;
	return 0;
}

static int member_del(uint32_t id)
{
	struct pol *p = &s.pol[id];
	struct bucket *b;
	struct bkey k;
	uint32_t n = p->dnext;
	int ret;

	bkey_of(p, &k);
	b = bucket_at(&k);
	if (p->dprev == NONE) {        /* the one workers see: the next takes over */
		ret = bucket_edit(&k, b, id, n == NONE ? NULL : &s.pol[n].e);
		if (ret)
			return ret;
		if (n != NONE) {
			s.pol[n].dprev = NONE;
			s.pol[n].dtail = p->dtail;
		}
		return 0;
	}
	s.pol[p->dprev].dnext = n;
	if (n != NONE)
		s.pol[n].dprev = p->dprev;
	else
		s.pol[first_of(b, &p->e)].dtail = p->dprev;
	return 0;
}

/* After p's entry changed (binding, priority): republishes it if workers
 * see it. */
static int member_refresh(uint32_t id)
{
	struct pol *p = &s.pol[id];
	struct bkey k;

	if (p->dprev != NONE)
		return 0;
	bkey_of(p, &k);
	return bucket_edit(&k, bucket_at(&k), id, &p->e);
}

static bool indexed(const struct sgw_spd_entry *e, const struct pol *p)
{
	return p->c.inbound && e->sa_slot < s.n_by_sa;
}

/* The inbound policies bound to a slot, edited as in edit(). */
static int by_sa_edit(uint32_t slot, uint32_t drop, const struct sgw_spd_entry *add)
{
	struct bucket *old = s.by_sa[slot], *nb;
	int ret = edit(old, drop, add, &nb);

	if (ret)
		return ret;
	__atomic_store_n(&s.by_sa[slot], nb, __ATOMIC_RELEASE);
	defer(old, -1, NONE);
	return 0;
}

/* Publishes the direction's groups (and its plain list when it is small). */
static int view_build(unsigned dir)
{
	struct dir *d = &s.d[dir];
	unsigned ng = 0, ns = d->n <= s.small ? d->n : 0;
	struct sgw_spd_entry *small;
	struct sgw_spd_view *v, *old;

	for (unsigned i = 0; i < MAX_GROUPS; i++)
		ng += d->g[i].n > 0;
	v = malloc(sizeof(*v) + ng * sizeof(v->g[0]) + ns * sizeof(*small));
	if (!v)
		return -ENOMEM;
	small = (struct sgw_spd_entry *)&v->g[ng];
	v->n = d->n;
	v->n_groups = 0;
	v->n_small = ns;
	v->small = small;
	v->h = d->h;
	for (unsigned i = 0; i < MAX_GROUPS; i++) {
		const struct group *g = &d->g[i];
		struct vgroup vg;
		unsigned j;

		if (!g->n)
			continue;
		vg.min_prio = g->min_prio;
		mask_of(g->slen, vg.smask);
		mask_of(g->dlen, vg.dmask);
		vg.id = dir << 8 | i;
		vg.family = g->family;
		for (j = v->n_groups++; j && v->g[j - 1].min_prio > vg.min_prio; j--)
			v->g[j] = v->g[j - 1];
		v->g[j] = vg;
	}
	for (uint32_t id = d->head, i = 0; i < ns; id = s.pol[id].next)
		small[i++] = s.pol[id].e;
	old = __atomic_exchange_n(&d->view, v, __ATOMIC_RELEASE);
	defer(old, -1, NONE);
	return 0;
}

/* ---- order -------------------------------------------------------------- */

/* Gives every policy of the direction fresh, evenly spaced priorities in
 * the other numbering, then switches to it (see the top of the file). */
static int renumber(unsigned dir)
{
	struct dir *d = &s.d[dir];
	const unsigned nh = !d->h;
	uint64_t step = s.step, next;
	uint32_t id;
	int ret;

	if (step > (UINT64_MAX - 1) / (d->n + 2))
		step = (UINT64_MAX - 1) / (d->n + 2);
	next = step;
	for (id = d->head; id != NONE; id = s.pol[id].next, next += step) {
		s.pol[id].e.prio[nh] = next;
		ret = member_refresh(id);  /* the order by d->h is unchanged */
		if (ret)
			return ret;
	}
	d->h = nh;
	d->renumbers++;
	for (unsigned g = 0; g < MAX_GROUPS; g++)
		d->g[g].min_prio = UINT64_MAX;
	for (id = d->head; id != NONE; id = s.pol[id].next) {
		struct group *g = &d->g[s.pol[id].group];

		if (prio_of(id) < g->min_prio)
			g->min_prio = prio_of(id);
	}
	LOG(DEBUG, "%s: %u priorities renumbered\n", dir ? "in" : "out", d->n);
	ret = view_build(dir);
	rte_rcu_qsbr_synchronize(s.rcu, RTE_QSBR_THRID_INVALID);
	return ret;
}

/* A priority between the policy before and before's predecessor (the last
 * policy when before is NONE), never 0 or UINT64_MAX; 0 when there is no
 * room. */
static uint64_t prio_between(const struct dir *d, uint32_t before)
{
	const uint32_t prev = before == NONE ? d->tail : s.pol[before].prev;
	const uint64_t lo = prev == NONE ? 0 : prio_of(prev);

	if (before == NONE)
		return lo >= UINT64_MAX - s.step ? 0 : lo + s.step;
	if (prio_of(before) - lo < 2)
		return 0;
	return lo + (prio_of(before) - lo) / 2;
}

static void link_order(struct dir *d, struct pol *p, uint32_t id, uint32_t before)
{
	p->next = before;
	p->prev = before == NONE ? d->tail : s.pol[before].prev;
	if (p->prev == NONE)
		d->head = id;
	else
		s.pol[p->prev].next = id;
	if (before == NONE)
		d->tail = id;
	else
		s.pol[before].prev = id;
}

static void unlink_order(struct dir *d, const struct pol *p)
{
	if (p->prev == NONE)
		d->head = p->next;
	else
		s.pol[p->prev].next = p->next;
	if (p->next == NONE)
		d->tail = p->prev;
	else
		s.pol[p->next].prev = p->prev;
}

/* ---- names -------------------------------------------------------------- */

static void name_key(const char *name, char key[SGW_NAME_MAX])
{
	memset(key, 0, SGW_NAME_MAX);
	memcpy(key, name, strnlen(name, SGW_NAME_MAX - 1));
}

static uint32_t id_of(const char *name)
{
	char key[SGW_NAME_MAX];
	void *data;

	if (!name[0] || strlen(name) >= SGW_NAME_MAX)
		return NONE;
	name_key(name, key);
	return rte_hash_lookup_data(s.names, key, &data) < 0 ? NONE :
	       (uint32_t)(uintptr_t)data;
}

static bool names_sa(const struct pol *p)
{
	return p->c.action == SGW_POLICY_PROTECT && p->c.sa[0];
}

static uint32_t sa_head(const char *sa)
{
	char key[SGW_NAME_MAX];
	void *data;

	name_key(sa, key);
	return rte_hash_lookup_data(s.sa_names, key, &data) < 0 ? NONE :
	       (uint32_t)(uintptr_t)data;
}

static void sa_head_set(const char *sa, uint32_t id)
{
	char key[SGW_NAME_MAX];

	name_key(sa, key);
	if (id == NONE)
		rte_hash_del_key(s.sa_names, key);
	else
		rte_hash_add_key_data(s.sa_names, key, (void *)(uintptr_t)id);
}

/* ---- control ------------------------------------------------------------ */

/* The group of c's prefix lengths, or a free slot made ready for it (it
 * stays free until a member is counted in). */
static int group_slot(struct dir *d, const struct sgw_conf_policy *c)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_GROUPS; i++) {
		const struct group *g = &d->g[i];

		if (!g->n) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (g->family == c->sel.family && g->slen == slen_of(c) &&
		    g->dlen == dlen_of(c))
			return i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	d->g[free_slot].family = (uint8_t)c->sel.family;
	d->g[free_slot].slen = (uint8_t)slen_of(c);
	d->g[free_slot].dlen = (uint8_t)dlen_of(c);
	d->g[free_slot].min_prio = UINT64_MAX;
	return free_slot;
}

static uint32_t id_pop(void)
{
	if (!s.n_free_ids)
		reclaim_all();
	return s.n_free_ids ? s.free_ids[--s.n_free_ids] : NONE;
}

static int add_at(const struct sgw_conf_policy *c, uint32_t before)
{
	const unsigned dir = c->inbound;
	struct dir *d = &s.d[dir];
	const bool was_small = d->n <= s.small;
	char key[SGW_NAME_MAX];
	struct pol *p;
	uint64_t prio;
	uint32_t id, h;
	int g, ret;

	if (!c->name[0] || strlen(c->name) >= SGW_NAME_MAX || id_of(c->name) != NONE)
		return -EEXIST;
	if (d->n >= s.max)
		return -ENOSPC;
	g = group_slot(d, c);
	if (g < 0) {
		LOG(WARNING, "%s: more than %u distinct prefix-length pairs in one direction\n",
		    c->name, MAX_GROUPS);
		return g;
	}
	prio = prio_between(d, before);
	if (!prio) {
		ret = renumber(dir);
		prio = prio_between(d, before);
		if (ret || !prio)
			return ret ? ret : -ENOSPC;
	}
	id = id_pop();
	if (id == NONE)
		return -ENOSPC;
	name_key(c->name, key);
	ret = rte_hash_add_key_data(s.names, key, (void *)(uintptr_t)id);
	if (ret < 0)
		goto undo_id;
	p = &s.pol[id];
	memset(p, 0, sizeof(*p));
	p->c = *c;
	p->group = (uint8_t)g;
	entry_compile(&p->e, c, id);
	p->e.prio[d->h] = prio;
	__atomic_store_n(&s.hits[id], 0, __ATOMIC_RELAXED);
	ret = member_add(id, before);
	if (ret < 0)
		goto undo_name;
	if (indexed(&p->e, p) && by_sa_edit(p->e.sa_slot, NONE, &p->e) < 0) {
		member_del(id);
		ret = -ENOMEM;
		goto undo_name;
	}
	p->used = true;
	link_order(d, p, id, before);
	p->sa_prev = p->sa_next = NONE;
	if (names_sa(p)) {
		h = sa_head(c->sa);
		p->sa_next = h;
		if (h != NONE)
			s.pol[h].sa_prev = id;
		sa_head_set(c->sa, id);
	}
	d->n++;
	d->g[g].n++;
	s.cur.id = NONE;
	if (prio < d->g[g].min_prio || was_small || d->n <= s.small) {
		if (prio < d->g[g].min_prio)
			d->g[g].min_prio = prio;
		return view_build(dir);
	}
	return 0;

undo_name:
	rte_hash_del_key(s.names, key);
undo_id:
	s.free_ids[s.n_free_ids++] = id;
	return ret;
}

/* The id of the pos-th policy of a direction, NONE past the end. */
static uint32_t nth(unsigned dir, unsigned pos)
{
	uint32_t id = s.d[dir].head;

	while (id != NONE && pos--)
		id = s.pol[id].next;
	return id;
}

int sgw_spd_add(const struct sgw_conf_policy *p, int pos)
{
	return add_at(p, pos < 0 ? NONE : nth(p->inbound, (unsigned)pos));
}

int sgw_spd_add_before(const struct sgw_conf_policy *p, const char *before)
{
	uint32_t id = before ? id_of(before) : NONE;

	if (before && (id == NONE || s.pol[id].c.inbound != p->inbound))
		return -ENOENT;
	return add_at(p, id);
}

int sgw_spd_del(const char *name)
{
	const uint32_t id = id_of(name);
	struct pol *p;
	struct dir *d;
	struct group *g;
	char key[SGW_NAME_MAX];
	bool was_small;
	int ret;

	if (id == NONE)
		return -ENOENT;
	p = &s.pol[id];
	d = &s.d[p->c.inbound];
	g = &d->g[p->group];
	was_small = d->n <= s.small;
	ret = member_del(id);
	if (ret)
		return ret;
	if (indexed(&p->e, p))
		by_sa_edit(p->e.sa_slot, id, NULL);
	unlink_order(d, p);
	if (names_sa(p)) {
		if (p->sa_prev == NONE)
			sa_head_set(p->c.sa, p->sa_next);
		else
			s.pol[p->sa_prev].sa_next = p->sa_next;
		if (p->sa_next != NONE)
			s.pol[p->sa_next].sa_prev = p->sa_prev;
	}
	name_key(name, key);
	rte_hash_del_key(s.names, key);
	p->used = false;
	d->n--;
	s.cur.id = NONE;
	defer(NULL, -1, id);  /* its hit counter may still be added to */
	if (--g->n == 0 || was_small)
		return view_build(p->c.inbound);
	return 0;
}

/* Rebinds one policy; true when its binding changed (and was published). */
static bool rebind_one(uint32_t id, int *ret)
{
	struct pol *p = &s.pol[id];
	struct sgw_spd_entry e = p->e;
	const uint32_t old_slot = p->e.sa_slot;

	bind_sa(&e, &p->c);
	if (e.sa_slot == p->e.sa_slot && e.sa_gen == p->e.sa_gen)
		return false;
	if (indexed(&p->e, p) && by_sa_edit(old_slot, id, NULL) < 0)
		*ret = -ENOMEM;
	p->e = e;
	if (indexed(&p->e, p) && by_sa_edit(p->e.sa_slot, NONE, &p->e) < 0)
		*ret = -ENOMEM;
	if (member_refresh(id) < 0)
		*ret = -ENOMEM;
	return true;
}

int sgw_spd_rebind_sa(const char *sa)
{
	bool changed[2] = { false, false };
	int ret = 0;

	for (uint32_t id = sa_head(sa); id != NONE; id = s.pol[id].sa_next)
		if (rebind_one(id, &ret))
			changed[s.pol[id].c.inbound] = true;
	for (unsigned dir = 0; dir < 2; dir++)
		if (changed[dir] && s.d[dir].n <= s.small && view_build(dir) < 0)
			ret = -ENOMEM;
	return ret;
}

int sgw_spd_rebind(void)
{
	int ret = 0;

	for (unsigned dir = 0; dir < 2; dir++) {
		bool changed = false;

		for (uint32_t id = s.d[dir].head; id != NONE; id = s.pol[id].next)
			changed |= rebind_one(id, &ret);
		if (changed && s.d[dir].n <= s.small && view_build(dir) < 0)
			ret = -ENOMEM;
	}
	return ret;
}

unsigned sgw_spd_count(bool inbound)
{
	return s.d[inbound].n;
}

const struct sgw_conf_policy *sgw_spd_get(bool inbound, unsigned n,
					  uint64_t *matches, bool *bound)
{
	uint32_t id;

	if (n >= s.d[inbound].n)
		return NULL;
	if (s.cur.id != NONE && s.cur.dir == inbound && s.cur.n == n)
		id = s.cur.id;
	else if (s.cur.id != NONE && s.cur.dir == inbound && s.cur.n + 1 == n)
		id = s.pol[s.cur.id].next;
	else
		id = nth(inbound, n);
	s.cur.dir = inbound;
	s.cur.n = n;
	s.cur.id = id;
	*matches = __atomic_load_n(&s.hits[id], __ATOMIC_RELAXED);
	*bound = s.pol[id].e.sa_slot != SGW_SA_NONE;
	return &s.pol[id].c;
}

/* ---- workers ------------------------------------------------------------ */

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

const struct sgw_spd_view *sgw_spd_view(bool inbound)
{
	const struct sgw_spd_view *v = __atomic_load_n(&s.d[inbound].view, __ATOMIC_ACQUIRE);

	return v && v->n ? v : NULL;
}

const struct sgw_spd_entry *sgw_spd_lookup(bool inbound, const struct sgw_spd_key *k)
{
	return sgw_spd_lookup_view(sgw_spd_view(inbound), k);
}

const struct sgw_spd_entry *sgw_spd_lookup_view(const struct sgw_spd_view *v,
						const struct sgw_spd_key *k)
{
	const struct sgw_spd_entry *best = NULL;
	uint64_t best_prio = UINT64_MAX;
	struct bkey bk;
	unsigned h;

	if (!v)
		return NULL;
	if (v->n_small || !v->n) {
		for (unsigned i = 0; i < v->n_small; i++)
			if (entry_match(&v->small[i], k))
				return &v->small[i];
		return NULL;
	}
	bk.pad = 1;
	h = v->h;
	for (unsigned i = 0; i < v->n_groups; i++) {
		const struct vgroup *g = &v->g[i];
		const struct bucket *b;
		void *data;

		if (g->min_prio >= best_prio)
			break;
		if (g->family && g->family != k->family)
			continue;
		bk.group = g->id;
		bk.src[0] = k->src[0] & g->smask[0];
		bk.src[1] = k->src[1] & g->smask[1];
		bk.dst[0] = k->dst[0] & g->dmask[0];
		bk.dst[1] = k->dst[1] & g->dmask[1];
		if (rte_hash_lookup_data(s.buckets, &bk, &data) < 0)
			continue;
		b = data;
		for (unsigned j = 0; j < b->n && b->e[j].prio[h] < best_prio; j++)
			if (entry_match(&b->e[j], k)) {
				best = &b->e[j];
				best_prio = best->prio[h];
				break;
			}
	}
	return best;
}

const struct sgw_spd_entry *sgw_spd_check_sa(const struct sgw_spd_key *k,
					     uint32_t slot, uint32_t gen)
{
	const struct bucket *b;

	if (slot >= s.n_by_sa)
		return NULL;
	b = __atomic_load_n(&s.by_sa[slot], __ATOMIC_ACQUIRE);
	for (unsigned i = 0; b && i < b->n; i++)
		if (b->e[i].sa_gen == gen && entry_match(&b->e[i], k))
			return &b->e[i];
	return NULL;
}

bool sgw_spd_empty(bool inbound)
{
	return sgw_spd_view(inbound) == NULL;
}

void sgw_spd_count_match(const struct sgw_spd_entry *e, unsigned n)
{
	__atomic_fetch_add(&s.hits[e->policy], n, __ATOMIC_RELAXED);
}
