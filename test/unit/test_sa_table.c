/* SPDX-License-Identifier: BSD-3-Clause */
/* SA table: adds, lookups by SPI, slot and name, local SPIs, limits, the
 * show snapshot, and readers that must never see a half-written or freed
 * record while the control core churns the table under RCU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "eal_test.h"
#include "sa.h"

static struct rte_rcu_qsbr *rcu;

/* Bytes that appear nowhere else in these tests. */
static const uint8_t KEY[32] = {
	0x8e, 0x73, 0xb0, 0xf7, 0xda, 0x0e, 0x64, 0x52, 0xc8, 0x10, 0xf3, 0x2b,
	0x80, 0x90, 0x79, 0xe5, 0x62, 0xf8, 0xea, 0xd2, 0x52, 0x2c, 0x6b, 0x7b,
	0x61, 0x7b, 0x3c, 0x1d, 0x9e, 0x47, 0xa6, 0x2f,
};
static const uint8_t SALT[4] = { 0xc3, 0x5e, 0x19, 0xa7 };

#define READERS 3

static int setup(void **st)
{
	unsigned cap = *st ? *(unsigned *)*st : 64;

	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(READERS), RTE_CACHE_LINE_SIZE);
	assert_non_null(rcu);
	assert_int_equal(rte_rcu_qsbr_init(rcu, READERS), 0);
	return sgw_sa_table_init(cap, rcu);
}

static pthread_t ch_th[READERS];
static unsigned ch_started;
static volatile int ch_stop;

static void ch_join(void)
{
	ch_stop = 1;                 /* a failed assertion must not leave readers running */
	for (unsigned r = 0; r < ch_started; r++)
		pthread_join(ch_th[r], NULL);
	ch_started = 0;
}

static int teardown(void **st)
{
	(void)st;
	ch_join();
	sgw_sa_table_fini();
	rte_free(rcu);
	return 0;
}

static void params(struct sgw_sa_params *p, const char *name, uint32_t spi,
		   enum sgw_sa_dir dir)
{
	static const uint8_t l[4] = { 192, 0, 2, 1 }, r[4] = { 198, 51, 100, 7 };

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->spi = spi;
	p->dir = dir;
	p->mode = SGW_SA_TUNNEL;
	p->key_len = 16;
	memcpy(p->key, KEY, sizeof(KEY));
	memcpy(p->salt, SALT, sizeof(SALT));
	p->replay_window = dir == SGW_SA_IN ? 64 : 0;
	p->seq = dir == SGW_SA_OUT ? 1 : 0;
	p->outer.family = AF_INET;
	memcpy(p->outer.local, l, 4);
	memcpy(p->outer.remote, r, 4);
}

static int add(const char *name, uint32_t spi, enum sgw_sa_dir dir, uint32_t *slot)
{
	struct sgw_sa_params p;

	params(&p, name, spi, dir);
	return sgw_sa_add(&p, slot);
}

static bool in_hash(uint32_t spi)
{
	return rte_hash_lookup(sgw_sa_rt.in_hash, &spi) >= 0;
}

static void test_add_find_del(void **st)
{
	uint32_t in, out, out2, out3, slot, it = 0;
	struct sgw_sa_info i;
	(void)st;

	assert_int_equal(add("in", 0x1000, SGW_SA_IN, &in), 0);
	assert_int_equal(sgw_sa_find_in(0x1000, &slot), 0);
	assert_int_equal(slot, in);
	assert_int_equal(sgw_sa_find_name("in", &slot), 0);
	assert_int_equal(slot, in);
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(0x1000)), sgw_sa_at(in));
	/* A manual SPI whose low bits name a free slot takes that slot: the
	 * direct path, no hash entry. */
	assert_false(in_hash(0x1000));
	assert_int_equal(in, 0x1000 & sgw_sa_rt.slot_mask);
	assert_int_equal(sgw_sa_at(in)->cold.hash_pos, -1);
	/* Same low bits, slot taken: through the hash. */
	assert_int_equal(add("in2", 0x2000, SGW_SA_IN, &slot), 0);
	assert_int_not_equal(slot, in);
	assert_true(in_hash(0x2000));
	assert_true(sgw_sa_at(slot)->cold.hash_pos >= 0);
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(0x2000)), sgw_sa_at(slot));
	assert_int_equal(sgw_sa_del(slot), 0);
	assert_false(in_hash(0x2000));

	/* The same SPI outbound is another SA; two outbound may share one. */
	assert_int_equal(add("out", 0x1000, SGW_SA_OUT, &out), 0);
	assert_int_equal(add("out2", 0x1000, SGW_SA_OUT, &out2), 0);
	assert_int_not_equal(out, in);
	assert_int_not_equal(out2, out);
	assert_int_equal(sgw_sa_find_in(0x1000, &slot), 0);
	assert_int_equal(slot, in);
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(0x1000)), sgw_sa_at(in));
	assert_int_equal(sgw_sa_count(), 3);
	assert_int_equal(sgw_sa_capacity(), 64);

	/* Inbound SPIs and names are unique. */
	assert_int_equal(add("in-b", 0x1000, SGW_SA_IN, NULL), -EEXIST);
	assert_int_equal(add("in", 0x1001, SGW_SA_IN, NULL), -EEXIST);
	assert_int_equal(add("out", 0x1002, SGW_SA_OUT, NULL), -EEXIST);
	assert_int_equal(add("", 0x1003, SGW_SA_OUT, &out3), 0);  /* unnamed is fine */
	assert_int_equal(add("", 0x1004, SGW_SA_OUT, NULL), 0);
	assert_int_equal(sgw_sa_count(), 5);

	assert_int_equal(sgw_sa_info(in, &i), 0);
	assert_string_equal(i.name, "in");
	assert_int_equal(i.spi, 0x1000);
	assert_int_equal(i.slot, in);
	assert_int_equal(i.dir, SGW_SA_IN);
	assert_int_equal(i.mode, SGW_SA_TUNNEL);
	assert_int_equal(i.key_len, 16);
	assert_int_equal(i.replay_window, 64);
	assert_int_equal(i.outer.family, AF_INET);
	assert_int_equal(i.outer.remote[3], 7);
	assert_int_equal(sgw_sa_info(out, &i), 0);
	assert_int_equal(i.dir, SGW_SA_OUT);
	assert_int_equal(i.seq, 0);             /* next is 1: none sent */

	/* Iteration sees each SA once. */
	unsigned n = 0;
	for (uint32_t s; (s = sgw_sa_next(&it)) != SGW_SA_NONE; n++)
		assert_non_null(sgw_sa_at(s));
	assert_int_equal(n, 5);

	assert_int_equal(sgw_sa_del(in), 0);
	assert_int_equal(sgw_sa_del(in), -ENOENT);
	assert_int_equal(sgw_sa_info(in, &i), -ENOENT);
	assert_null(sgw_sa_at(in));
	assert_null(sgw_sa_lookup_in(rte_cpu_to_be_32(0x1000)));
	assert_int_equal(sgw_sa_find_in(0x1000, &slot), -ENOENT);
	assert_int_equal(sgw_sa_find_name("in", &slot), -ENOENT);
	assert_false(in_hash(0x1000));
	assert_int_equal(sgw_sa_count(), 4);
	assert_int_equal(sgw_sa_del(64), -ENOENT);
	assert_int_equal(sgw_sa_del(SGW_SA_NONE), -ENOENT);
	/* Name and SPI are free again. */
	assert_int_equal(add("in", 0x1000, SGW_SA_IN, &in), 0);
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(0x1000)), sgw_sa_at(in));
	/* An outbound SA is not found by an inbound lookup. */
	assert_null(sgw_sa_lookup_in(rte_cpu_to_be_32(0x1003)));
	assert_int_equal(sgw_sa_find_in(0x1003, &slot), -ENOENT);

	/* A hash entry pointing at the wrong record (as a racing reader
	 * could see one) is not trusted: the record must agree. */
	uint32_t bogus = 0x1003;                 /* outbound SA's SPI and slot */
	int32_t pos;
	assert_true(rte_hash_add_key_data(sgw_sa_rt.in_hash, &bogus,
					  (void *)(uintptr_t)out3) == 0);
	assert_null(sgw_sa_lookup_in(rte_cpu_to_be_32(bogus)));
	pos = rte_hash_del_key(sgw_sa_rt.in_hash, &bogus);
	assert_true(pos >= 0);
	rte_hash_free_key_with_position(sgw_sa_rt.in_hash, pos);
	bogus = 0x0badf00d;                      /* another SPI's slot */
	assert_true(rte_hash_add_key_data(sgw_sa_rt.in_hash, &bogus,
					  (void *)(uintptr_t)in) == 0);
	assert_null(sgw_sa_lookup_in(rte_cpu_to_be_32(bogus)));
	pos = rte_hash_del_key(sgw_sa_rt.in_hash, &bogus);
	rte_hash_free_key_with_position(sgw_sa_rt.in_hash, pos);
}

static void test_bad_params(void **st)
{
	struct sgw_sa_params p;
	(void)st;

#define BAD(stmt) do { params(&p, "x", 0x5000, SGW_SA_IN); stmt; \
		assert_int_equal(sgw_sa_add(&p, NULL), -EINVAL); } while (0)
	BAD(p.key_len = 24);
	BAD(p.key_len = 0);
	BAD(p.spi = 255);
	BAD(p.spi = 0);
	BAD(p.replay_window = 32);
	BAD(p.replay_window = 8192);
	BAD(p.replay_window = 100);
	BAD(p.outer.family = 0);
	BAD(p.outer.udp_encap = true);           /* ports missing */
	BAD(p.seq = UINT64_C(1) << 32);          /* beyond 32 bits without ESN */
	BAD(p.dir = 2);
	BAD(p.mode = 2);
	BAD(memset(p.name, 'a', sizeof(p.name)));
	BAD((p.dir = SGW_SA_OUT, p.seq = 0));
	BAD((p.dir = SGW_SA_OUT, p.seq = UINT64_C(1) << 32));
#undef BAD
	params(&p, "x", 0x5000, SGW_SA_OUT);
	p.esn = true;
	p.seq = UINT64_MAX;
	assert_int_equal(sgw_sa_add(&p, NULL), 0);
	params(&p, "y", 256, SGW_SA_IN);
	p.replay_window = 4096;
	p.esn = true;
	p.seq = UINT64_C(1) << 40;
	assert_int_equal(sgw_sa_add(&p, NULL), 0);
	assert_int_equal(sgw_sa_count(), 2);
}

static void test_spi_alloc(void **st)
{
	uint32_t spi, spi2, slot, s2;
	struct sgw_sa_params p;
	(void)st;

	assert_int_equal(sgw_sa_spi_alloc(&spi), 0);
	assert_true(spi >= 256);
	params(&p, "local", spi, SGW_SA_IN);
	assert_int_equal(sgw_sa_add(&p, &slot), 0);
	/* The SPI names its slot: found without the hash. */
	assert_int_equal(slot, spi & sgw_sa_rt.slot_mask);
	assert_false(in_hash(spi));
	assert_int_equal(sgw_sa_at(slot)->cold.hash_pos, -1);
	assert_null(sgw_sa_lookup_hash(spi));
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(spi)), sgw_sa_at(slot));
	assert_int_equal(sgw_sa_find_in(spi, &s2), 0);
	assert_int_equal(s2, slot);
	/* Same slot bits, other SPI: not that SA. */
	assert_null(sgw_sa_lookup_in(rte_cpu_to_be_32(spi ^ 0x80000000u)));
	assert_int_equal(add("dup", spi, SGW_SA_IN, NULL), -EEXIST);

	/* A released reservation gives the slot back; its SPI is then just
	 * a manual one, which finds its slot free: direct again. */
	assert_int_equal(sgw_sa_spi_alloc(&spi2), 0);
	assert_int_not_equal(spi2 & sgw_sa_rt.slot_mask, slot);
	sgw_sa_spi_release(spi2);
	sgw_sa_spi_release(spi2);               /* twice: no-op */
	sgw_sa_spi_release(0x12345678);         /* never reserved: no-op */
	assert_int_equal(add("manual", spi2, SGW_SA_IN, &s2), 0);
	assert_false(in_hash(spi2));
	assert_int_equal(s2, spi2 & sgw_sa_rt.slot_mask);
	assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(spi2)), sgw_sa_at(s2));

	/* Reservations hold slots: 62 more fit, then the table is full. */
	uint32_t r[64];
	unsigned n = 0;
	while (sgw_sa_spi_alloc(&r[n]) == 0)
		n++;
	assert_int_equal(n, 62);
	assert_int_equal(add("full", 0x7000, SGW_SA_OUT, NULL), -ENOSPC);
	for (unsigned k = 0; k < n; k++)
		sgw_sa_spi_release(r[k]);
	for (unsigned k = 0; k < n; k++) {
		char name[16];

		snprintf(name, sizeof(name), "o%u", k);
		assert_int_equal(add(name, 0x7000, SGW_SA_OUT, NULL), 0);
	}
	assert_int_equal(sgw_sa_count(), 64);
}

/* Local SPIs must be >= 256 (RFC 4303 2.1) even when few slot bits leave
 * the random part small: drive rte_rand() to the draw that gives a random
 * part of 1..3 above 6 slot bits, i.e. an SPI below 256. */
static void test_spi_alloc_small(void **st)
{
	const uint64_t seed = 0x5eed;
	uint64_t n = 0, limit = UINT64_C(400000000);
	uint32_t spi, slot;
	struct sgw_sa_params p;
	(void)st;

	rte_srand(seed);
	for (; n < limit; n++) {
		uint32_t hi = (uint32_t)(rte_rand() << 6) >> 6;

		if (hi >= 1 && hi <= 3)
			break;
	}
	if (n == limit)
		skip();
	rte_srand(seed);
	for (uint64_t k = 0; k < n; k++)
		(void)rte_rand();
	assert_int_equal(sgw_sa_spi_alloc(&spi), 0);
	assert_true(spi >= 256);
	params(&p, "small", spi, SGW_SA_IN);
	assert_int_equal(sgw_sa_add(&p, &slot), 0);
	assert_int_equal(slot, spi & sgw_sa_rt.slot_mask);
	rte_srand(rte_rdtsc());
}

static void test_full_reuse(void **st)
{
	uint32_t slots[64], slot;
	char name[16];
	(void)st;

	/* Manual inbound SPIs: the table and its hash hold capacity SAs. */
	for (unsigned k = 0; k < 64; k++) {
		snprintf(name, sizeof(name), "in%u", k);
		assert_int_equal(add(name, 0x10000 + k * 7919, SGW_SA_IN, &slots[k]), 0);
	}
	assert_int_equal(add("one-more", 0x9000, SGW_SA_OUT, NULL), -ENOSPC);
	assert_int_equal(add("one-more", 0x9000, SGW_SA_IN, NULL), -ENOSPC);
	assert_int_equal(sgw_sa_spi_alloc(&slot), -ENOSPC);
	/* Nothing half-added stays behind. */
	assert_int_equal(sgw_sa_find_name("one-more", &slot), -ENOENT);
	assert_int_equal(sgw_sa_find_in(0x9000, &slot), -ENOENT);
	for (unsigned k = 0; k < 64; k++)
		assert_int_equal(sgw_sa_del(slots[k]), 0);
	assert_int_equal(sgw_sa_count(), 0);
	/* No reader is registered: the grace period is over at once and the
	 * slots and hash positions come back through the reclaim. Twice. */
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned k = 0; k < 64; k++) {
			int ret;

			snprintf(name, sizeof(name), "again%u", k);
			ret = add(name, 0x20000 + k * 7919 + round, SGW_SA_IN, &slots[k]);
			if (ret)
				fail_msg("round %u: SA %u of 64: %d", round, k, ret);
		}
		assert_int_equal(add("x", 0x9000, SGW_SA_IN, NULL), -ENOSPC);
		for (unsigned k = 0; k < 64; k++) {
			assert_non_null(sgw_sa_lookup_in(rte_cpu_to_be_32(0x20000 + k * 7919 + round)));
			assert_int_equal(sgw_sa_del(slots[k]), 0);
		}
	}
}

static void test_set_outer(void **st)
{
	struct sgw_sa_outer o = { .family = AF_INET6, .udp_encap = true,
				  .local_port = 4500, .remote_port = 4501 };
	const struct sgw_sa_outer_rt *rt;
	struct sgw_sa_info i;
	uint32_t slot;
	(void)st;

	o.local[0] = 0x20; o.local[1] = 0x01; o.local[15] = 1;
	o.remote[0] = 0x20; o.remote[1] = 0x01; o.remote[15] = 2;
	assert_int_equal(add("sa", 0x3000, SGW_SA_OUT, &slot), 0);
	rt = sgw_sa_at(slot)->h.outer;
	assert_int_equal(rt->hdr_len, 20);
	assert_int_equal(rt->hdr[9], IPPROTO_ESP);
	assert_int_equal(sgw_sa_set_outer(slot, &o), 0);
	rt = sgw_sa_at(slot)->h.outer;
	assert_int_equal(rt->hdr_len, 48);
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)rt->hdr;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(rt->hdr + 40);
	assert_int_equal(ip6->proto, IPPROTO_UDP);
	assert_memory_equal(ip6->src_addr, o.local, 16);
	assert_memory_equal(ip6->dst_addr, o.remote, 16);
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), 4500);
	assert_int_equal(rte_be_to_cpu_16(udp->dst_port), 4501);
	assert_int_equal(sgw_sa_info(slot, &i), 0);
	assert_memory_equal(&i.outer, &o, sizeof(o));

	o.family = AF_INET;
	o.udp_encap = false;
	assert_int_equal(sgw_sa_set_outer(slot, &o), 0);
	assert_int_equal(sgw_sa_at(slot)->h.outer->hdr_len, 20);
	o.family = 0;
	assert_int_equal(sgw_sa_set_outer(slot, &o), -EINVAL);
	o.family = AF_INET;
	o.udp_encap = true;
	o.remote_port = 0;
	assert_int_equal(sgw_sa_set_outer(slot, &o), -EINVAL);
	assert_int_equal(sgw_sa_at(slot)->h.outer->hdr_len, 20);   /* unchanged */
	assert_int_equal(sgw_sa_set_outer(slot + 1, &o), -ENOENT);
	assert_int_equal(sgw_sa_set_outer(1000, &o), -ENOENT);
}

/* No 4-byte run of key or salt anywhere in buf. */
static void assert_no_secret(const void *buf, size_t len, const char *what)
{
	const uint8_t *b = buf;

	for (size_t off = 0; off + 4 <= len; off++) {
		for (size_t k = 0; k + 4 <= sizeof(KEY); k++)
			if (!memcmp(b + off, KEY + k, 4))
				fail_msg("%s holds key bytes %zu.. at offset %zu", what, k, off);
		if (!memcmp(b + off, SALT, 4))
			fail_msg("%s holds the salt at offset %zu", what, off);
	}
}

static void test_info_no_key(void **st)
{
	struct sgw_sa_params p;
	struct sgw_sa_info i;
	uint32_t in, out;
	(void)st;

	params(&p, "secret-in", 0x4000, SGW_SA_IN);
	p.key_len = 32;
	assert_int_equal(sgw_sa_add(&p, &in), 0);
	params(&p, "secret-out", 0x4001, SGW_SA_OUT);
	assert_int_equal(sgw_sa_add(&p, &out), 0);
	/* The scan itself must be able to see the key where it is. */
	assert_int_equal(memcmp(&sgw_sa_at(in)->key, KEY, 16), 0);

	memset(&i, 0xee, sizeof(i));
	assert_int_equal(sgw_sa_info(in, &i), 0);
	assert_int_equal(i.key_len, 32);
	assert_no_secret(&i, sizeof(i), "info (in)");
	assert_int_equal(sgw_sa_info(out, &i), 0);
	assert_no_secret(&i, sizeof(i), "info (out)");
	assert_no_secret(&sgw_sa_at(in)->cold, sizeof(struct sgw_sa_cold), "cold part");
}

/* Churn: readers check every record they can reach while the control core
 * adds, deletes and re-homes SAs. Everything a record holds is derived from
 * its SPI, and its outer block from (SPI, version), so a torn, stale or
 * recycled record shows up as a mismatch. */
#define CH_N       768
#define CH_CAP     1024
#define CH_SECONDS 2

static uint32_t ch_spi[CH_N];            /* inbound SPIs readers look up; 0 none */
static uint64_t ch_found[READERS], ch_bad[READERS], ch_passes[READERS];

static void outer_for(struct sgw_sa_outer *o, uint32_t spi, uint32_t ver)
{
	uint32_t be_spi = rte_cpu_to_be_32(spi), be_ver = rte_cpu_to_be_32(ver);

	memset(o, 0, sizeof(*o));
	o->family = AF_INET6;
	o->udp_encap = true;
	memcpy(o->local, &be_spi, 4);
	memcpy(o->local + 4, &be_ver, 4);
	for (unsigned k = 8; k < 16; k++)
		o->local[k] = (uint8_t)(spi * 31 + ver * 7 + k);
	for (unsigned k = 0; k < 16; k++)
		o->remote[k] = o->local[k] ^ 0x5a;
	o->local_port = (uint16_t)(ver | 1);
	o->remote_port = (uint16_t)(o->local_port ^ 0x8000);
}

static bool record_ok(const struct sgw_sa *sa, uint32_t slot_hint)
{
	const uint32_t spi = sa->cold.spi;
	const struct sgw_sa_outer_rt *rt = __atomic_load_n(&sa->h.outer, __ATOMIC_ACQUIRE);
	struct sgw_sa_outer want;
	char name[SGW_NAME_MAX];
	uint32_t ver;

	snprintf(name, sizeof(name), "sa-%08x", spi);
	if (sa->h.spi_be != rte_cpu_to_be_32(spi) || strcmp(sa->cold.name, name) ||
	    (slot_hint != SGW_SA_NONE && sa->cold.slot != slot_hint) ||
	    sa->h.gen == 0 || !rt)
		return false;
	if (sa->h.dir == SGW_SA_IN ? sa->h.window != 64 : sa->h.dir != SGW_SA_OUT)
		return false;
	memcpy(&ver, rt->o.local + 4, 4);
	outer_for(&want, spi, rte_be_to_cpu_32(ver));
	if (memcmp(&rt->o, &want, sizeof(want)) || rt->hdr_len != 48)
		return false;
	/* The header template was built from the same block. */
	return !memcmp(rt->hdr + 8, want.local, 16) && !memcmp(rt->hdr + 24, want.remote, 16);
}

static void *ch_reader(void *arg)
{
	const unsigned id = (unsigned)(uintptr_t)arg;

	rte_rcu_qsbr_thread_register(rcu, id);
	rte_rcu_qsbr_thread_online(rcu, id);
	while (!ch_stop) {
		for (unsigned i = 0; i < CH_N; i++) {
			uint32_t spi = __atomic_load_n(&ch_spi[i], __ATOMIC_RELAXED);
			const struct sgw_sa *sa;

			if (spi && (sa = sgw_sa_lookup_in(rte_cpu_to_be_32(spi)))) {
				ch_found[id]++;
				if (sa->cold.spi != spi || sa->h.dir != SGW_SA_IN ||
				    !record_ok(sa, SGW_SA_NONE))
					ch_bad[id]++;
			}
			/* Outbound (and inbound) by slot, as the SPD reaches them. */
			const uint32_t slot = (i * 4 + id) % CH_CAP;
			if ((sa = sgw_sa_at(slot))) {
				ch_found[id]++;
				if (!record_ok(sa, slot))
					ch_bad[id]++;
			}
			rte_rcu_qsbr_quiescent(rcu, id);
		}
		ch_passes[id]++;
	}
	rte_rcu_qsbr_thread_offline(rcu, id);
	rte_rcu_qsbr_thread_unregister(rcu, id);
	return NULL;
}

struct ch_sa {
	bool present;
	uint32_t slot, spi, ver;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_churn(void **st)
{
	static struct ch_sa s[CH_N];
	uint64_t adds = 0, dels = 0, moves = 0, full = 0, found = 0, bad = 0;
	double end;
	(void)st;

	memset(s, 0, sizeof(s));
	memset(ch_spi, 0, sizeof(ch_spi));
	ch_stop = 0;
	for (unsigned r = 0; r < READERS; r++) {
		ch_found[r] = ch_bad[r] = ch_passes[r] = 0;
		assert_int_equal(pthread_create(&ch_th[r], NULL, ch_reader,
						(void *)(uintptr_t)r), 0);
		ch_started++;
	}
	end = now() + CH_SECONDS;
	for (uint64_t op = 0; (op & 255) || now() < end; op++) {
		const unsigned i = (unsigned)(rte_rand() % CH_N);
		struct ch_sa *c = &s[i];
		struct sgw_sa_params p;
		int ret;

		if (!c->present) {
			/* Thirds: manual inbound SPI (hash), local inbound
			 * SPI (slot-encoding), outbound. */
			enum sgw_sa_dir dir = i % 3 == 2 ? SGW_SA_OUT : SGW_SA_IN;
			uint32_t spi = 0x10000 + i;

			if (i % 3 == 1 && (ret = sgw_sa_spi_alloc(&spi)) < 0) {
				full++;
				assert_int_equal(ret, -ENOSPC);
				continue;
			}
			c->ver = (uint32_t)op;
			params(&p, "", spi, dir);
			snprintf(p.name, sizeof(p.name), "sa-%08x", spi);
			outer_for(&p.outer, spi, c->ver);
			ret = sgw_sa_add(&p, &c->slot);
			if (ret == -ENOSPC) {
				full++;
				if (i % 3 == 1)
					sgw_sa_spi_release(spi);
				continue;
			}
			assert_int_equal(ret, 0);
			c->present = true;
			c->spi = spi;
			adds++;
			if (dir == SGW_SA_IN)
				__atomic_store_n(&ch_spi[i], spi, __ATOMIC_RELAXED);
		} else if (rte_rand() % 3 == 0) {
			assert_int_equal(sgw_sa_del(c->slot), 0);
			c->present = false;
			dels++;
			/* Readers may still hold the old SPI: they must
			 * either miss it or find a whole record. */
			if (i % 3 == 1)
				__atomic_store_n(&ch_spi[i], 0, __ATOMIC_RELAXED);
		} else {
			c->ver = (uint32_t)op;
			outer_for(&p.outer, c->spi, c->ver);
			assert_int_equal(sgw_sa_set_outer(c->slot, &p.outer), 0);
			moves++;
		}
	}
	ch_join();
	for (unsigned r = 0; r < READERS; r++) {
		found += ch_found[r];
		bad += ch_bad[r];
		assert_true(ch_passes[r] > 0);
	}
	print_message("churn: %lu adds, %lu deletes, %lu outer changes, %lu full; "
		      "readers checked %lu records\n", (unsigned long)adds,
		      (unsigned long)dels, (unsigned long)moves, (unsigned long)full,
		      (unsigned long)found);
	assert_int_equal(bad, 0);
	/* Never more than CH_N SAs: deletions waiting for a grace period
	 * must not make the table look full. */
	assert_int_equal(full, 0);
	assert_true(found > 1000);
	assert_true(adds > 1000 && dels > 1000 && moves > 1000);
	/* Everything still there is whole and findable. */
	for (unsigned i = 0; i < CH_N; i++) {
		if (!s[i].present)
			continue;
		assert_true(record_ok(sgw_sa_at(s[i].slot), s[i].slot));
		if (i % 3 != 2)
			assert_ptr_equal(sgw_sa_lookup_in(rte_cpu_to_be_32(s[i].spi)),
					 sgw_sa_at(s[i].slot));
	}
}

int main(void)
{
	static unsigned cap_churn = CH_CAP;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_alloc_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_outer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_no_key, setup, teardown),
		cmocka_unit_test_prestate_setup_teardown(test_churn, setup, teardown,
							 &cap_churn),
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	/* The churn overruns the defer queue on purpose (sa_table.c then
	 * waits for a grace period); DPDK logs each overrun. */
	rte_log_set_level_pattern("lib.rcu*", RTE_LOG_CRIT);
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
