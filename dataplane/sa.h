/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SA table: one record per SA, indexed by slot. Inbound lookup is by SPI
 * alone: SPIs allocated here encode the slot (an array access and a check);
 * any other SPI (manual keys, SAs handed over by a peer) goes through a
 * lock-free hash. Outbound SAs are reached by slot from the SPD.
 *
 * Concurrency: the control core (later also the ha core, one writer at a
 * time) adds, deletes and replaces; workers read without locks. A slot holds
 * an atomic pointer to its record; the outer addresses hang off the record
 * as their own atomic pointer so they can be replaced while workers update
 * the record's sequence number, replay window and counters. Replaced or
 * deleted records and outer blocks are freed, and their slots reused, only
 * after an rte_rcu_qsbr grace period (workers report quiescent states once
 * per loop). Counters and sequence state are atomics shared by workers.
 */
#ifndef SGW_SA_H
#define SGW_SA_H

#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_atomic.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "conf.h"

#define SGW_SA_NONE          UINT32_MAX
#define SGW_SA_MAX_CAPACITY  (1u << 22)  /* leaves >= 10 random bits in local SPIs */
#define SGW_ICV_LEN          16          /* AES-GCM-16 (RFC 4106) */
#define SGW_IV_LEN           8
#define SGW_REPLAY_MIN       64
#define SGW_REPLAY_MAX       4096

enum sgw_sa_dir { SGW_SA_IN = 0, SGW_SA_OUT = 1 };
enum sgw_sa_mode { SGW_SA_TUNNEL = 0, SGW_SA_TRANSPORT = 1 };

/* Who installed an SA; later issues add IKE, HA and cryptonode owners. */
enum sgw_sa_owner { SGW_SA_OWNER_STATIC = 0, SGW_SA_OWNER_CLI, SGW_SA_OWNER_IKE };

/* Outer addresses and NAT-T ports: replaced as one block. */
struct sgw_sa_outer {
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t local[16], remote[16];
	bool udp_encap;              /* RFC 3948 */
	uint16_t local_port, remote_port; /* host order */
};

/* Everything a writer gives to sgw_sa_add(). */
struct sgw_sa_params {
	char name[SGW_NAME_MAX];     /* "" allowed; unique when set */
	uint32_t spi;                /* host order, >= 256 */
	enum sgw_sa_dir dir;
	enum sgw_sa_mode mode;
	unsigned key_len;            /* 16 or 32 */
	uint8_t key[SGW_KEY_MAX];
	uint8_t salt[SGW_SALT_LEN];
	bool esn;
	unsigned replay_window;      /* inbound: power of two, 64..4096 */
	uint64_t seq;                /* out: next to send (>= 1); in: highest seen (0 = none) */
	struct sgw_sa_outer outer;
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets; /* 0 = none */
	enum sgw_sa_owner owner;
};

/* State bits in sgw_sa.flags (atomic; set once, never cleared). */
#define SGW_SA_F_SOFT      1u  /* soft lifetime reached, event raised */
#define SGW_SA_F_HARD      2u  /* hard lifetime reached: SA stops */
#define SGW_SA_F_SEQ_DONE  4u  /* outbound sequence space exhausted */

/* Outer header template for outbound; inbound keeps it for show/mobility. */
struct sgw_sa_outer_rt {
	struct sgw_sa_outer o;
	uint8_t hdr_len;             /* 20/40 + 8 with UDP */
	uint32_t csum_base;          /* IPv4: one's-complement sum of the constant fields */
	uint8_t hdr[48] __rte_aligned(8); /* IP (+UDP) header, lengths zero */
};

typedef void (*sgw_gcm_fn)(const struct gcm_key_data *, struct gcm_context_data *,
			   uint8_t *, const uint8_t *, uint64_t, const uint8_t *,
			   const uint8_t *, uint64_t, uint8_t *, uint64_t);

/* Hot, read-mostly: what every packet of either direction reads. */
struct sgw_sa_hot {
	uint32_t spi_be;             /* network order, as on the wire */
	uint32_t gen;                /* slot generation, for stale references */
	uint8_t dir, mode, esn, pad0;
	uint8_t salt[SGW_SALT_LEN];
	uint32_t window;             /* inbound replay window (packets) */
	uint32_t win_mask;           /* words in the window - 1 */
	struct sgw_sa_outer_rt *outer; /* atomic pointer, RCU */
	sgw_gcm_fn enc, dec;         /* chosen once per SA: 128 or 256 */
	uint64_t seq_limit;          /* out: 2^32 - 1, or 2^64 - 1 with ESN */
} __rte_cache_aligned;

/* Lifetime limits and state: read per packet, written once or twice in
 * the SA's life, so they share no line with the counters. */
struct sgw_sa_life {
	uint32_t flags;              /* SGW_SA_F_*, atomic */
	uint64_t soft_bytes, hard_bytes;     /* UINT64_MAX = none */
	uint64_t soft_packets, hard_packets;
} __rte_cache_aligned;

/* Inbound runtime state, written by workers. */
struct sgw_sa_in_rt {
	uint64_t top;                /* highest authenticated sequence number */
	uint64_t packets, bytes;     /* accepted (inner bytes) */
	uint64_t replayed, too_old, icv_failed, other_errors;
} __rte_cache_aligned;

/* Outbound runtime state, written by workers. */
struct sgw_sa_out_rt {
	uint64_t seq;                /* next to use; 0 = exhausted */
	uint64_t packets, bytes;
	uint64_t seq_exhausted, expired, other_errors;
} __rte_cache_aligned;

/* Control-only part: what show needs, never the key. */
struct sgw_sa_cold {
	char name[SGW_NAME_MAX];
	uint32_t spi;
	unsigned key_len;
	enum sgw_sa_owner owner;
	uint64_t created_tsc;
	uint64_t hard_bytes_cfg, hard_packets_cfg, soft_bytes_cfg, soft_packets_cfg;
	int32_t hash_pos;            /* key slot in the inbound hash, -1 none */
	uint32_t slot;
};

struct sgw_sa {
	struct sgw_sa_hot h;
	union {
		struct sgw_sa_in_rt in;
		struct sgw_sa_out_rt out;
	};
	struct sgw_sa_life life;
	struct gcm_key_data key __rte_aligned(64);
	struct sgw_sa_cold cold;
	rte_int128_t win[] __rte_aligned(16); /* inbound: {block, bits} words */
};

_Static_assert(sizeof(struct sgw_sa_hot) == 64, "SA hot part is one cache line");
_Static_assert(sizeof(struct sgw_sa_in_rt) == 64, "inbound runtime is one cache line");
_Static_assert(sizeof(struct sgw_sa_out_rt) == 64, "outbound runtime is one cache line");
_Static_assert(sizeof(struct sgw_sa_life) == 64, "lifetime state is one cache line");

/* Table life cycle (control core). */
int sgw_sa_table_init(unsigned capacity, struct rte_rcu_qsbr *rcu);
void sgw_sa_table_fini(void);

/* Writers (control core). Return 0 or a negative errno:
 * -EINVAL bad parameters, -EEXIST inbound SPI or name in use, -ENOSPC full,
 * -ENOMEM, -ENOENT no such SA. */
int sgw_sa_spi_alloc(uint32_t *spi);           /* reserves a slot-encoding SPI */
void sgw_sa_spi_release(uint32_t spi);         /* an unused reservation */
int sgw_sa_add(const struct sgw_sa_params *p, uint32_t *slot);
int sgw_sa_del(uint32_t slot);
int sgw_sa_set_outer(uint32_t slot, const struct sgw_sa_outer *o);

/* A configured (or CLI-given) SA as parameters; the caller wipes p->key. */
void sgw_sa_params_from_conf(const struct sgw_conf_sa *c, struct sgw_sa_params *p,
			     enum sgw_sa_owner owner);

/* Control-side lookups. */
int sgw_sa_find_in(uint32_t spi, uint32_t *slot);      /* inbound SPI */
int sgw_sa_find_name(const char *name, uint32_t *slot);
/* Iterates SAs in use: start with *iter = 0; SGW_SA_NONE at the end. */
uint32_t sgw_sa_next(uint32_t *iter);
unsigned sgw_sa_count(void);
unsigned sgw_sa_capacity(void);
/* Bytes one SA costs in the table (record + window + slot + hash share). */
size_t sgw_sa_bytes(unsigned replay_window);

/* A snapshot for show and HA: never the key. */
struct sgw_sa_info {
	char name[SGW_NAME_MAX];
	uint32_t spi, slot, gen;
	enum sgw_sa_dir dir;
	enum sgw_sa_mode mode;
	enum sgw_sa_owner owner;
	unsigned key_len;
	bool esn;
	unsigned replay_window;
	struct sgw_sa_outer outer;
	uint64_t packets, bytes;
	uint64_t seq;                /* out: last sent; in: highest accepted */
	uint64_t replayed, too_old, icv_failed, other_errors; /* in */
	uint64_t seq_exhausted, expired;                      /* out */
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;
	uint32_t flags;
};
int sgw_sa_info(uint32_t slot, struct sgw_sa_info *out);

/* Workers. Both return NULL when there is no such SA. */
struct sgw_sa_table_rt {
	struct sgw_sa **slots;       /* capacity entries, atomic pointers */
	uint32_t capacity;
	uint32_t slot_mask;          /* next power of two above capacity, - 1 */
	struct rte_hash *in_hash;    /* SPI (host order) -> slot, lock-free */
};
extern struct sgw_sa_table_rt sgw_sa_rt;

static inline struct sgw_sa *sgw_sa_at(uint32_t slot)
{
	if (unlikely(slot >= sgw_sa_rt.capacity))
		return NULL;
	return __atomic_load_n(&sgw_sa_rt.slots[slot], __ATOMIC_ACQUIRE);
}

struct sgw_sa *sgw_sa_lookup_hash(uint32_t spi);

static inline struct sgw_sa *sgw_sa_lookup_in(uint32_t spi_be)
{
	uint32_t spi = rte_be_to_cpu_32(spi_be);
	struct sgw_sa *sa = sgw_sa_at(spi & sgw_sa_rt.slot_mask);

	if (likely(sa && sa->h.spi_be == spi_be && sa->h.dir == SGW_SA_IN))
		return sa;
	return sgw_sa_lookup_hash(spi);
}

/* Raise a one-shot flag; true for the caller that raised it. */
static inline bool sgw_sa_flag_once(struct sgw_sa *sa, uint32_t f)
{
	return !(__atomic_fetch_or(&sa->life.flags, f, __ATOMIC_RELAXED) & f);
}

#endif
