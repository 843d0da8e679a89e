/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SA table (see sa.h for the concurrency rules). Records are allocated
 * from the DPDK heap on add and freed after an RCU grace period through our
 * own defer queue, like the neighbour table. Key schedules are expanded once
 * here, on the control core, with intel-ipsec-mb.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "replay.h"
#include "sa.h"

#define LOG(l, ...) rte_log(RTE_LOG_##l, RTE_LOGTYPE_USER1, "sa: " __VA_ARGS__)

struct sgw_sa_table_rt sgw_sa_rt;

/* What waits in the defer queue: a record (slot set) or an outer block. */
struct dq_elem {
	void *p;
	uint32_t slot;               /* SGW_SA_NONE for an outer block */
	int32_t hash_pos;            /* inbound hash key slot, or -1 */
};

/* Control-only per-slot state. */
struct slot_meta {
	uint32_t gen;
	uint32_t reserved_spi;       /* sgw_sa_spi_alloc(), 0 = none */
};

static struct {
	IMB_MGR *mb;                 /* for key expansion only */
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *dq;
	struct rte_hash *names;      /* name -> slot, control only */
	struct slot_meta *meta;
	uint32_t *free;              /* stack of free slots */
	uint32_t *free_pos;          /* slot -> its index in free, or NONE */
	uint32_t n_free;
	unsigned count;
	unsigned slot_bits;
} t;

static void slot_push(uint32_t slot)
{
	t.free_pos[slot] = t.n_free;
	t.free[t.n_free++] = slot;
}

/* Takes a given slot off the free stack, if it is there. */
static bool slot_take(uint32_t slot)
{
	uint32_t pos = t.free_pos[slot], last;

	if (pos == SGW_SA_NONE)
		return false;
	last = t.free[--t.n_free];
	t.free[pos] = last;
	t.free_pos[last] = pos;
	t.free_pos[slot] = SGW_SA_NONE;
	return true;
}

static void reclaim(void *p, void *e, unsigned n)
{
	const struct dq_elem *d = e;

	RTE_SET_USED(p);
	for (unsigned i = 0; i < n; i++) {
		if (d[i].slot == SGW_SA_NONE) {
			rte_free(d[i].p);
			continue;
		}
		struct sgw_sa *sa = d[i].p;

		rte_free(sa->h.outer);
		explicit_bzero(&sa->key, sizeof(sa->key));
		explicit_bzero(sa->h.salt, sizeof(sa->h.salt));
		rte_free(sa);
		if (d[i].hash_pos >= 0)
			rte_hash_free_key_with_position(sgw_sa_rt.in_hash, d[i].hash_pos);
		slot_push(d[i].slot);
	}
}

/* Frees after a grace period; if the queue is full, waits for one. */
static void defer(void *p, uint32_t slot, int32_t hash_pos)
{
	struct dq_elem d = { .p = p, .slot = slot, .hash_pos = hash_pos };

	if (rte_rcu_qsbr_dq_enqueue(t.dq, &d) == 0)
		return;
	rte_rcu_qsbr_synchronize(t.rcu, RTE_QSBR_THRID_INVALID);
	reclaim(NULL, &d, 1);
}

int sgw_sa_table_init(unsigned capacity, struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters hp = {
		.name = "sgw_sa_spi",
		.entries = capacity,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		/* Extendable buckets here and for names: without them
		 * cuckoo placement can fail before the table holds
		 * capacity SAs. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_parameters np = {
		.name = "sgw_sa_names",
		.entries = capacity,
		.key_len = SGW_NAME_MAX,
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = "sgw_sa_dq",
		.size = 2 * capacity,   /* records and outer blocks in flight */
		.esize = sizeof(struct dq_elem),
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = 1024,
		.free_fn = reclaim,
		.v = rcu,
	};
	uint32_t i;

	if (capacity < 64 || capacity > SGW_SA_MAX_CAPACITY)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	memset(&sgw_sa_rt, 0, sizeof(sgw_sa_rt));
	sgw_sa_rt.capacity = capacity;
	t.rcu = rcu;
	while ((1u << t.slot_bits) < capacity)
		t.slot_bits++;
	sgw_sa_rt.slot_mask = (1u << t.slot_bits) - 1;
	sgw_sa_rt.slots = rte_zmalloc("sgw_sa_slots", capacity * sizeof(void *),
				      RTE_CACHE_LINE_SIZE);
	sgw_sa_rt.in_hash = rte_hash_create(&hp);
	t.names = rte_hash_create(&np);
	t.meta = rte_zmalloc("sgw_sa_meta", capacity * sizeof(*t.meta), 0);
	t.free = rte_malloc("sgw_sa_free", capacity * sizeof(*t.free), 0);
	t.free_pos = rte_malloc("sgw_sa_fpos", capacity * sizeof(*t.free_pos), 0);
	t.dq = rte_rcu_qsbr_dq_create(&dp);
	t.mb = alloc_mb_mgr(0);
	if (!sgw_sa_rt.slots || !sgw_sa_rt.in_hash || !t.names || !t.meta ||
	    !t.free || !t.free_pos || !t.dq || !t.mb) {
		LOG(ERR, "%s: cannot allocate an SA table of %u entries\n",
		    __func__, capacity);
		sgw_sa_table_fini();
		return -ENOMEM;
	}
	init_mb_mgr_auto(t.mb, NULL);
	if (imb_get_errno(t.mb)) {
		LOG(ERR, "%s: intel-ipsec-mb: %s\n", __func__,
		    imb_get_strerror(imb_get_errno(t.mb)));
		sgw_sa_table_fini();
		return -ENOTSUP;
	}
	for (i = 0; i < capacity; i++)
		slot_push(capacity - 1 - i);
	return 0;
}

void sgw_sa_table_fini(void)
{
	uint32_t i;

	for (i = 0; sgw_sa_rt.slots && i < sgw_sa_rt.capacity; i++)
		if (sgw_sa_rt.slots[i])
			sgw_sa_del(i);
	if (t.dq) {
		/* Workers are gone by now: everything can go. */
		rte_rcu_qsbr_dq_delete(t.dq);
	}
	rte_hash_free(sgw_sa_rt.in_hash);
	rte_hash_free(t.names);
	rte_free(sgw_sa_rt.slots);
	rte_free(t.meta);
	rte_free(t.free);
	rte_free(t.free_pos);
	if (t.mb)
		free_mb_mgr(t.mb);
	memset(&t, 0, sizeof(t));
	memset(&sgw_sa_rt, 0, sizeof(sgw_sa_rt));
}

struct sgw_sa *sgw_sa_lookup_hash(uint32_t spi)
{
	struct sgw_sa *sa;
	void *data;

	if (rte_hash_lookup_data(sgw_sa_rt.in_hash, &spi, &data) < 0)
		return NULL;
	sa = sgw_sa_at((uint32_t)(uintptr_t)data);
	if (sa && sa->h.spi_be == rte_cpu_to_be_32(spi) && sa->h.dir == SGW_SA_IN)
		return sa;
	return NULL;
}

int sgw_sa_find_in(uint32_t spi, uint32_t *slot)
{
	struct sgw_sa *sa = sgw_sa_lookup_in(rte_cpu_to_be_32(spi));

	if (!sa)
		return -ENOENT;
	*slot = sa->cold.slot;
	return 0;
}

int sgw_sa_find_name(const char *name, uint32_t *slot)
{
	char key[SGW_NAME_MAX] = { 0 };
	void *data;

	if (!name[0] || strlen(name) >= SGW_NAME_MAX)
		return -ENOENT;
	memcpy(key, name, strlen(name));
	if (rte_hash_lookup_data(t.names, key, &data) < 0)
		return -ENOENT;
	*slot = (uint32_t)(uintptr_t)data;
	return 0;
}

/* With no slot free but deletions waiting for readers, waits for a grace
 * period as defer() does: the table is not full, only slow to recycle. */
static uint32_t slot_pop(void)
{
	unsigned pending = 0;

	if (t.n_free == 0)
		rte_rcu_qsbr_dq_reclaim(t.dq, UINT32_MAX, NULL, &pending, NULL);
	if (t.n_free == 0 && pending) {
		rte_rcu_qsbr_synchronize(t.rcu, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(t.dq, UINT32_MAX, NULL, NULL, NULL);
	}
	if (!t.n_free)
		return SGW_SA_NONE;
	t.free_pos[t.free[t.n_free - 1]] = SGW_SA_NONE;
	return t.free[--t.n_free];
}

/* Local SPIs are random above the slot bits, so they are not guessable and
 * a lookup is one array access; never below 256 (RFC 4303 2.1 reserves
 * 1..255). */
int sgw_sa_spi_alloc(uint32_t *spi)
{
	uint32_t slot, s, tries;

	slot = slot_pop();
	if (slot == SGW_SA_NONE)
		return -ENOSPC;
	for (tries = 0; tries < 64; tries++) {
		s = (uint32_t)(rte_rand() << t.slot_bits) | slot;
		/* Few slot bits leave a small random part: keep >= 256. */
		if (s >> t.slot_bits == 0 || s < 256 || sgw_sa_lookup_hash(s))
			continue;
		t.meta[slot].reserved_spi = s;
		*spi = s;
		return 0;
	}
	slot_push(slot);
	return -EAGAIN;
}

static uint32_t reserved_slot(uint32_t spi)
{
	uint32_t slot = spi & sgw_sa_rt.slot_mask;

	if (slot < sgw_sa_rt.capacity && t.meta[slot].reserved_spi == spi &&
	    !sgw_sa_rt.slots[slot])
		return slot;
	return SGW_SA_NONE;
}

void sgw_sa_spi_release(uint32_t spi)
{
	uint32_t slot = reserved_slot(spi);

	if (slot == SGW_SA_NONE)
		return;
	t.meta[slot].reserved_spi = 0;
	slot_push(slot);
}

static int params_check(const struct sgw_sa_params *p)
{
	const struct sgw_sa_outer *o = &p->outer;
	unsigned w = p->replay_window;

	if (p->key_len != 16 && p->key_len != 32)
		return -EINVAL;
	if (p->spi < 256 || (p->dir != SGW_SA_IN && p->dir != SGW_SA_OUT) ||
	    (p->mode != SGW_SA_TUNNEL && p->mode != SGW_SA_TRANSPORT))
		return -EINVAL;
	if (o->family != AF_INET && o->family != AF_INET6)
		return -EINVAL;
	if (o->udp_encap && (!o->local_port || !o->remote_port))
		return -EINVAL;
	if (p->dir == SGW_SA_IN && w &&
	    (w < SGW_REPLAY_MIN || w > SGW_REPLAY_MAX || (w & (w - 1))))
		return -EINVAL;
	if (p->dir == SGW_SA_OUT &&
	    (p->seq == 0 || (!p->esn && p->seq > UINT32_MAX)))
		return -EINVAL;
	if (p->dir == SGW_SA_IN && !p->esn && p->seq > UINT32_MAX)
		return -EINVAL;
	if (strnlen(p->name, SGW_NAME_MAX) >= SGW_NAME_MAX)
		return -EINVAL;
	return 0;
}

/* The outer header template: everything but lengths, checksums and ID. */
static struct sgw_sa_outer_rt *outer_build(const struct sgw_sa_outer *o)
{
	struct sgw_sa_outer_rt *r = rte_zmalloc("sgw_sa_outer", sizeof(*r), 0);
	struct rte_udp_hdr *udp;
	unsigned l3;

	if (!r)
		return NULL;
	r->o = *o;
	if (o->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)r->hdr;

		ip->version_ihl = 0x45;
		ip->time_to_live = 64;
		ip->next_proto_id = o->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
		memcpy(&ip->src_addr, o->local, 4);
		memcpy(&ip->dst_addr, o->remote, 4);
		l3 = sizeof(*ip);
		/* Lengths, ID, TOS and DF are zero here: the worker adds them. */
		r->csum_base = rte_raw_cksum(ip, sizeof(*ip));
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)r->hdr;

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->hop_limits = 64;
		ip->proto = o->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
		memcpy(ip->src_addr, o->local, 16);
		memcpy(ip->dst_addr, o->remote, 16);
		l3 = sizeof(*ip);
	}
	r->hdr_len = (uint8_t)l3;
	if (o->udp_encap) {
		udp = (struct rte_udp_hdr *)(r->hdr + l3);
		udp->src_port = rte_cpu_to_be_16(o->local_port);
		udp->dst_port = rte_cpu_to_be_16(o->remote_port);
		r->hdr_len += sizeof(*udp);
	}
	return r;
}

static int key_expand(struct sgw_sa *sa, const struct sgw_sa_params *p)
{
	if (p->key_len == 16) {
		IMB_AES128_GCM_PRE(t.mb, p->key, &sa->key);
		sa->h.enc = t.mb->gcm128_enc;
		sa->h.dec = t.mb->gcm128_dec;
	} else {
		IMB_AES256_GCM_PRE(t.mb, p->key, &sa->key);
		sa->h.enc = t.mb->gcm256_enc;
		sa->h.dec = t.mb->gcm256_dec;
	}
	return imb_get_errno(t.mb) ? -EINVAL : 0;
}

static uint64_t limit_or_none(uint64_t v)
{
	return v ? v : UINT64_MAX;
}

static struct sgw_sa *record_new(const struct sgw_sa_params *p, uint32_t slot)
{
	unsigned words = p->dir == SGW_SA_IN && p->replay_window ?
			 sgw_replay_words(p->replay_window) : 0;
	struct sgw_sa *sa;

	sa = rte_zmalloc("sgw_sa", sizeof(*sa) + words * sizeof(rte_int128_t),
			 RTE_CACHE_LINE_SIZE);
	if (!sa)
		return NULL;
	sa->h.spi_be = rte_cpu_to_be_32(p->spi);
	sa->h.gen = ++t.meta[slot].gen;
	sa->h.dir = (uint8_t)p->dir;
	sa->h.mode = (uint8_t)p->mode;
	sa->h.esn = p->esn;
	memcpy(sa->h.salt, p->salt, SGW_SALT_LEN);
	sa->h.window = p->replay_window;
	sa->h.win_mask = words ? words - 1 : 0;
	sa->life.soft_bytes = limit_or_none(p->soft_bytes);
	sa->life.hard_bytes = limit_or_none(p->hard_bytes);
	sa->life.soft_packets = limit_or_none(p->soft_packets);
	if (p->dir == SGW_SA_IN) {
		sa->in.top = p->seq;
		sa->life.hard_packets = limit_or_none(p->hard_packets);
	} else {
		sa->out.seq = p->seq;
		sa->h.seq_limit = p->esn ? UINT64_MAX : UINT32_MAX;
		sa->life.hard_packets = limit_or_none(p->hard_packets);
	}
	memcpy(sa->cold.name, p->name, strnlen(p->name, SGW_NAME_MAX - 1));
	sa->cold.spi = p->spi;
	sa->cold.key_len = p->key_len;
	sa->cold.owner = p->owner;
	sa->cold.created_tsc = rte_get_tsc_cycles();
	sa->cold.soft_bytes_cfg = p->soft_bytes;
	sa->cold.hard_bytes_cfg = p->hard_bytes;
	sa->cold.soft_packets_cfg = p->soft_packets;
	sa->cold.hard_packets_cfg = p->hard_packets;
	sa->cold.hash_pos = -1;
	sa->cold.slot = slot;
	sa->h.outer = outer_build(&p->outer);
	if (!sa->h.outer || key_expand(sa, p) < 0) {
		rte_free(sa->h.outer);
		explicit_bzero(&sa->key, sizeof(sa->key));
		rte_free(sa);
		return NULL;
	}
	return sa;
}

static int name_add(const char *name, uint32_t slot)
{
	char key[SGW_NAME_MAX] = { 0 };

	if (!name[0])
		return 0;
	memcpy(key, name, strnlen(name, SGW_NAME_MAX - 1));
	return rte_hash_add_key_data(t.names, key, (void *)(uintptr_t)slot);
}

static void name_del(const char *name)
{
	char key[SGW_NAME_MAX] = { 0 };

	if (!name[0])
		return;
	memcpy(key, name, strnlen(name, SGW_NAME_MAX - 1));
	rte_hash_del_key(t.names, key);
}

int sgw_sa_add(const struct sgw_sa_params *p, uint32_t *slot_out)
{
	uint32_t slot = SGW_SA_NONE, dummy, want;
	struct sgw_sa *sa;
	bool local = false, direct = false;
	int ret;

	ret = params_check(p);
	if (ret < 0)
		return ret;
	if (p->name[0] && sgw_sa_find_name(p->name, &dummy) == 0)
		return -EEXIST;
	if (p->dir == SGW_SA_IN) {
		slot = reserved_slot(p->spi);
		local = slot != SGW_SA_NONE;
		if (!local && sgw_sa_find_in(p->spi, &dummy) == 0)
			return -EEXIST;
		/* An SPI chosen elsewhere still gets the direct path when the
		 * slot its low bits name is free (and not reserved). */
		want = p->spi & sgw_sa_rt.slot_mask;
		if (!local && want < sgw_sa_rt.capacity && !t.meta[want].reserved_spi &&
		    slot_take(want)) {
			slot = want;
			direct = true;
		}
	}
	if (!local && !direct)
		slot = slot_pop();
	if (slot == SGW_SA_NONE)
		return -ENOSPC;
	sa = record_new(p, slot);
	ret = sa ? 0 : -ENOMEM;
	if (!ret && p->dir == SGW_SA_IN && !local && !direct) {
		uint32_t spi = p->spi;

		ret = rte_hash_add_key_data(sgw_sa_rt.in_hash, &spi,
					    (void *)(uintptr_t)slot);
		sa->cold.hash_pos = ret < 0 ? -1 : rte_hash_lookup(sgw_sa_rt.in_hash, &spi);
		ret = ret < 0 ? -ENOSPC : 0;
	}
	if (!ret && name_add(p->name, slot) < 0)
		ret = -ENOSPC;
	if (ret) {
		if (sa && sa->cold.hash_pos >= 0) {
			uint32_t spi = p->spi;
			int32_t pos = rte_hash_del_key(sgw_sa_rt.in_hash, &spi);

			rte_hash_free_key_with_position(sgw_sa_rt.in_hash, pos);
		}
		if (sa) {
			rte_free(sa->h.outer);
			explicit_bzero(&sa->key, sizeof(sa->key));
			rte_free(sa);
		}
		if (!local)
			slot_push(slot);
		return ret;
	}
	t.meta[slot].reserved_spi = 0;
	__atomic_store_n(&sgw_sa_rt.slots[slot], sa, __ATOMIC_RELEASE);
	t.count++;
	if (slot_out)
		*slot_out = slot;
	return 0;
}

int sgw_sa_del(uint32_t slot)
{
	struct sgw_sa *sa;
	int32_t pos = -1;

	if (slot >= sgw_sa_rt.capacity || !(sa = sgw_sa_rt.slots[slot]))
		return -ENOENT;
	__atomic_store_n(&sgw_sa_rt.slots[slot], NULL, __ATOMIC_RELEASE);
	if (sa->cold.hash_pos >= 0) {
		uint32_t spi = sa->cold.spi;

		pos = rte_hash_del_key(sgw_sa_rt.in_hash, &spi);
	}
	name_del(sa->cold.name);
	t.count--;
	defer(sa, slot, pos);
	return 0;
}

int sgw_sa_set_outer(uint32_t slot, const struct sgw_sa_outer *o)
{
	struct sgw_sa_outer_rt *n, *old;
	struct sgw_sa *sa;

	if (slot >= sgw_sa_rt.capacity || !(sa = sgw_sa_rt.slots[slot]))
		return -ENOENT;
	if ((o->family != AF_INET && o->family != AF_INET6) ||
	    (o->udp_encap && (!o->local_port || !o->remote_port)))
		return -EINVAL;
	n = outer_build(o);
	if (!n)
		return -ENOMEM;
	old = __atomic_exchange_n(&sa->h.outer, n, __ATOMIC_ACQ_REL);
	defer(old, SGW_SA_NONE, -1);
	return 0;
}

uint32_t sgw_sa_next(uint32_t *iter)
{
	while (*iter < sgw_sa_rt.capacity) {
		uint32_t s = (*iter)++;

		if (sgw_sa_rt.slots[s])
			return s;
	}
	return SGW_SA_NONE;
}

unsigned sgw_sa_count(void)
{
	return t.count;
}

unsigned sgw_sa_capacity(void)
{
	return sgw_sa_rt.capacity;
}

size_t sgw_sa_bytes(unsigned replay_window)
{
	size_t rec = sizeof(struct sgw_sa) + sizeof(struct sgw_sa_outer_rt);

	if (replay_window)
		rec += sgw_replay_words(replay_window) * sizeof(rte_int128_t);
	/* Heap element headers round to cache lines; slot, meta, free stack,
	 * hash key and bucket share per SA. */
	return RTE_ALIGN_CEIL(rec, RTE_CACHE_LINE_SIZE) + 2 * RTE_CACHE_LINE_SIZE +
	       sizeof(void *) + sizeof(struct slot_meta) + sizeof(uint32_t) + 32;
}

static uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int sgw_sa_info(uint32_t slot, struct sgw_sa_info *i)
{
	struct sgw_sa *sa;

	if (slot >= sgw_sa_rt.capacity || !(sa = sgw_sa_rt.slots[slot]))
		return -ENOENT;
	memset(i, 0, sizeof(*i));
	memcpy(i->name, sa->cold.name, sizeof(i->name));
	i->spi = sa->cold.spi;
	i->slot = slot;
	i->gen = sa->h.gen;
	i->dir = sa->h.dir;
	i->mode = sa->h.mode;
	i->owner = sa->cold.owner;
	i->key_len = sa->cold.key_len;
	i->esn = sa->h.esn;
	i->replay_window = sa->h.window;
	i->outer = __atomic_load_n(&sa->h.outer, __ATOMIC_ACQUIRE)->o;
	if (sa->h.dir == SGW_SA_IN) {
		i->packets = rd(&sa->in.packets);
		i->bytes = rd(&sa->in.bytes);
		i->seq = rd(&sa->in.top);
		i->replayed = rd(&sa->in.replayed);
		i->too_old = rd(&sa->in.too_old);
		i->icv_failed = rd(&sa->in.icv_failed);
		i->other_errors = rd(&sa->in.other_errors);
	} else {
		uint64_t next = rd(&sa->out.seq);

		i->packets = rd(&sa->out.packets);
		i->bytes = rd(&sa->out.bytes);
		i->seq = next == 0 ? sa->h.seq_limit : next - 1;
		if (i->seq > sa->h.seq_limit)
			i->seq = sa->h.seq_limit;
		i->seq_exhausted = rd(&sa->out.seq_exhausted);
		i->expired = rd(&sa->out.expired);
		i->other_errors = rd(&sa->out.other_errors);
	}
	i->soft_bytes = sa->cold.soft_bytes_cfg;
	i->hard_bytes = sa->cold.hard_bytes_cfg;
	i->soft_packets = sa->cold.soft_packets_cfg;
	i->hard_packets = sa->cold.hard_packets_cfg;
	i->flags = __atomic_load_n(&sa->life.flags, __ATOMIC_RELAXED);
	return 0;
}

void sgw_sa_params_from_conf(const struct sgw_conf_sa *c, struct sgw_sa_params *p,
			     enum sgw_sa_owner owner)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->name, c->name, sizeof(p->name));
	p->spi = c->spi;
	p->dir = c->inbound ? SGW_SA_IN : SGW_SA_OUT;
	p->mode = c->transport ? SGW_SA_TRANSPORT : SGW_SA_TUNNEL;
	p->key_len = c->key_len;
	memcpy(p->key, c->key, sizeof(p->key));
	memcpy(p->salt, c->salt, sizeof(p->salt));
	p->esn = c->esn;
	p->replay_window = c->inbound ? c->replay_window : 0;
	p->seq = c->inbound ? 0 : c->seq;
	p->outer.family = c->local.family;
	memcpy(p->outer.local, c->local.addr, 16);
	memcpy(p->outer.remote, c->remote.addr, 16);
	p->outer.udp_encap = c->udp_encap;
	p->outer.local_port = c->local_port;
	p->outer.remote_port = c->remote_port;
	p->soft_bytes = c->soft_bytes;
	p->hard_bytes = c->hard_bytes;
	p->soft_packets = c->soft_packets;
	p->hard_packets = c->hard_packets;
	p->owner = owner;
}
