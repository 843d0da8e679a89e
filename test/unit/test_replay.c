/* SPDX-License-Identifier: BSD-3-Clause */
/* Anti-replay window (RFC 4303 3.4.3) and ESN inference (Appendix A), as
 * tables per window size, and workers racing on one window. No EAL: the
 * window is plain memory and the 128-bit CAS is an inline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <pthread.h>
#include <cmocka.h>

#include "replay.h"

#define OK      SGW_REPLAY_OK
#define SEEN    SGW_REPLAY_SEEN
#define TOO_OLD SGW_REPLAY_TOO_OLD
#define P32     (UINT64_C(1) << 32)

static const unsigned windows[] = { 64, 1024, 4096 };

struct win {
	uint64_t top;
	uint32_t w, mask;
	rte_int128_t *ring;
	bool esn;
};

static void win_init(struct win *x, unsigned w, uint64_t top, bool esn)
{
	unsigned n = sgw_replay_words(w);

	/* The ring must outlive the window by a block (replay.h). */
	assert_true(n * 64 >= w + 64);
	assert_int_equal(n & (n - 1), 0);
	x->ring = aligned_alloc(16, n * sizeof(rte_int128_t));
	assert_non_null(x->ring);
	memset(x->ring, 0, n * sizeof(rte_int128_t));
	x->top = top;
	x->w = w;
	x->mask = n - 1;
	x->esn = esn;
}

/* What esp_in.c does: check before decryption, update after the ICV. */
static enum sgw_replay_verdict recv_seq(struct win *x, uint64_t seq)
{
	enum sgw_replay_verdict v = sgw_replay_check(&x->top, x->ring, x->mask, x->w, seq);

	return v == OK ? sgw_replay_update(&x->top, x->ring, x->mask, seq) : v;
}

struct step {
	uint64_t seq;
	enum sgw_replay_verdict want;
};

static const char *vname(enum sgw_replay_verdict v)
{
	return v == OK ? "OK" : v == SEEN ? "SEEN" : v == TOO_OLD ? "TOO_OLD" : "?";
}

static void run(struct win *x, const char *table, const struct step *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		enum sgw_replay_verdict got = recv_seq(x, s[i].seq);

		if (got != s[i].want)
			fail_msg("%s, window %u, step %u: seq %" PRIu64 " gave %s, want %s",
				 table, x->w, i, s[i].seq, vname(got), vname(s[i].want));
	}
}

static void accept_range(struct win *x, uint64_t from, uint64_t to)
{
	for (uint64_t q = from; q <= to; q++)
		if (recv_seq(x, q) != OK)
			fail_msg("window %u: seq %" PRIu64 " not accepted", x->w, q);
}

static void test_in_order(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		struct win x;

		win_init(&x, w, 0, false);
		accept_range(&x, 1, w + 10);
		assert_int_equal(x.top, w + 10);
		const struct step s[] = {
			{ w + 10, SEEN }, { 11, SEEN },     /* the whole window remembers */
			{ 10, TOO_OLD }, { 1, TOO_OLD },
			{ 0, TOO_OLD },                     /* never valid */
			{ w + 11, OK }, { w + 11, SEEN },
		};
		run(&x, "in order", s, RTE_DIM(s));
		free(x.ring);
	}
}

static void test_out_of_order(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		struct win x;

		win_init(&x, w, 0, false);
		const struct step s[] = {
			{ 0, TOO_OLD },                     /* never valid, even first */
			{ 10, OK }, { 0, TOO_OLD },
			{ 5, OK }, { 7, OK }, { 5, SEEN }, { 6, OK },
			{ 10, SEEN }, { 9, OK }, { 7, SEEN },
			{ w, OK }, { 1, OK },               /* top - w + 1: the left edge */
			{ 1, SEEN }, { 2, OK },
			{ w + 1, OK }, { 1, TOO_OLD },     /* the edge moved past 1 */
			{ 2, SEEN }, { 3, OK }, { 4, OK }, { 4, SEEN },
			{ w - 1, OK }, { w - 1, SEEN }, { w / 2 + 3, OK },
			{ 0, TOO_OLD },
		};
		run(&x, "out of order", s, RTE_DIM(s));
		free(x.ring);
	}
}

static void test_edges(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		const uint64_t t = 3 * w + 7;
		struct win x;

		win_init(&x, w, 0, false);
		const struct step s[] = {
			{ t, OK },
			{ t - w + 1, OK },                  /* exactly the left edge */
			{ t - w, TOO_OLD },                 /* one left of it */
			{ t - w + 1, SEEN }, { t, SEEN },
			{ t - 1, OK }, { t - 1, SEEN },
			{ t + 1, OK },                      /* the window slides by one */
			{ t - w + 1, TOO_OLD }, { t - w + 2, OK }, { t - w + 2, SEEN },
			{ t + 100, OK },                    /* a later block */
			{ t + 100, SEEN }, { t + 101 - w, OK }, { t + 100 - w, TOO_OLD },
		};
		run(&x, "edges", s, RTE_DIM(s));
		free(x.ring);
	}
}

/* A jump by more than the window but less than the ring (2w): the blocks
 * that fell out must not make new numbers look seen, nor let old ones in. */
static void test_jump_window(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		struct win x;

		win_init(&x, w, 0, false);
		accept_range(&x, 1, w);             /* every bit of blocks 0..w/64 */
		const struct step s[] = {
			{ 2 * w + 10, OK },                 /* window now [w + 11, 2w + 10] */
			{ w + 65, OK }, { w + 65, SEEN },
			{ w + 11, OK }, { w + 10, TOO_OLD },
			{ w, TOO_OLD }, { w - 1, TOO_OLD }, { 1, TOO_OLD },
			{ 2 * w + 9, OK }, { 2 * w + 10, SEEN },
		};
		run(&x, "jump > window", s, RTE_DIM(s));
		free(x.ring);
	}
}

/* A jump by more than the whole ring: every word holds a stale block whose
 * bits sit exactly where new numbers' bits go. */
static void test_jump_ring(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		const unsigned ring = sgw_replay_words(w) * 64;
		struct win x;

		win_init(&x, w, 0, false);
		accept_range(&x, 1, w + 63);        /* blocks 0..w/64 full */
		const uint64_t t = 2 * ring + w + 40; /* window [2 ring + 41, t] */
		const struct step s[] = {
			{ t, OK },
			/* Same word and bit as seq 69, which was accepted. */
			{ 2 * ring + 69, OK }, { 2 * ring + 69, SEEN },
			{ 2 * ring + 64, OK },      /* bit 0 of block 1's word */
			{ 2 * ring + w + 7, OK },   /* seq w + 7's word and bit */
			{ 2 * ring + 41, OK }, { 2 * ring + 40, TOO_OLD },
			{ 69, TOO_OLD }, { w, TOO_OLD },   /* seen long ago */
			{ w + 70, TOO_OLD }, { ring + 70, TOO_OLD }, /* never seen, too old */
			{ 2 * ring + 45, OK }, { t, SEEN }, { 0, TOO_OLD },
		};
		run(&x, "jump > ring", s, RTE_DIM(s));
		free(x.ring);
	}
}

struct infer_case {
	uint64_t top;
	uint32_t seql, w;
	uint64_t want;
};

static void test_esn_infer(void **st)
{
	static const struct infer_case c[] = {
		/* RFC 4303 A.2.1 case A: window within one subspace. */
		{ P32 - 10, 5, 64, P32 + 5 },              /* wraps into the next */
		{ P32 - 10, 0xfffffff0, 64, P32 - 16 },
		{ P32 - 10, 0xffffffb7, 64, P32 - 73 },    /* left edge: top - w + 1 */
		{ P32 - 10, 0xffffffb6, 64, 2 * P32 - 74 }, /* below it: next subspace */
		{ 5 * P32 + 1000, 937, 64, 5 * P32 + 937 },
		{ 5 * P32 + 1000, 936, 64, 6 * P32 + 936 },
		{ 5 * P32 + 1000, 0xffffffff, 64, 6 * P32 - 1 },
		{ P32 + 63, 0, 64, P32 },                  /* tl == w - 1, low 0 valid */
		/* Case B: the window spans two subspaces. */
		{ P32 + 5, 0xfffffff0, 64, 0xfffffff0 },   /* previous subspace */
		{ P32 + 5, 0xffffffc6, 64, 0xffffffc6 },   /* left edge */
		{ P32 + 5, 0xffffffc5, 64, P32 + 0xffffffc5 },
		{ P32 + 5, 5, 64, P32 + 5 }, { P32 + 5, 6, 64, P32 + 6 },
		{ P32 + 5, 0, 64, P32 },
		{ P32 + 62, 0xffffffff, 64, P32 - 1 },     /* tl == w - 2 */
		{ P32 + 5, 0xfffff010, 4096, 0xfffff010 },
		{ P32 + 5, 0xfffff006, 4096, 0xfffff006 }, /* left edge, 4096 */
		{ P32 + 5, 0xfffff005, 4096, P32 + 0xfffff005 },
		{ P32 - 10, 5, 4096, P32 + 5 },
		{ 7 * P32 + 100, 0xfffffd00, 1024, 6 * P32 + 0xfffffd00 },
		{ 7 * P32 + 100, 0xfffffc65, 1024, 6 * P32 + 0xfffffc65 }, /* edge */
		/* Left of the window reads as a jump into the next subspace:
		 * only the ICV can tell, and it will fail for a replay. */
		{ 7 * P32 + 100, 0xfffffc64, 1024, 7 * P32 + 0xfffffc64 },
		{ 0, 1, 64, 1 },
		{ UINT64_MAX - 1, 0xffffffff, 64, UINT64_MAX },
	};
	(void)st;

	for (unsigned i = 0; i < RTE_DIM(c); i++) {
		uint64_t got = sgw_replay_infer(c[i].top, c[i].seql, c[i].w, true);

		if (got != c[i].want)
			fail_msg("case %u: top %#" PRIx64 " low %#x w %u: %#" PRIx64
				 ", want %#" PRIx64, i, c[i].top, c[i].seql, c[i].w,
				 got, c[i].want);
	}
	/* Without ESN the low half is the sequence number. */
	assert_int_equal(sgw_replay_infer(0xfffffff0, 5, 64, false), 5);
	assert_int_equal(sgw_replay_infer(10, 0xfffffff0, 64, false), 0xfffffff0);
}

struct esn_step {
	uint32_t seql;
	uint64_t seq;                /* inferred */
	enum sgw_replay_verdict want;
};

/* A window that spans the 2^32 boundary, fed low halves as on the wire. */
static void test_esn_window(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		const uint32_t lo = (uint32_t)(P32 - w / 2);
		struct win x;

		win_init(&x, w, P32 - 30 - w, true);
		const struct esn_step s[] = {
			{ 0xffffffec, P32 - 20, OK },
			{ 0xfffffff6, P32 - 10, OK },
			{ 5, P32 + 5, OK },                 /* crosses into subspace 1 */
			{ 0xfffffff6, P32 - 10, SEEN },     /* previous subspace, seen */
			{ 0xfffffff0, P32 - 16, OK },
			{ 0xffffffec, P32 - 20, SEEN },
			{ 0, P32, OK },                     /* low half 0 is a valid number */
			{ 0, P32, SEEN },
			{ (uint32_t)(5 - w + 1), P32 + 5 - w + 1, OK }, /* left edge */
			{ (uint32_t)(5 - w + 1), P32 + 5 - w + 1, SEEN },
			{ lo, P32 - w / 2, OK },
			{ 6, P32 + 6, OK },                 /* the edge moves by one */
			{ (uint32_t)(6 - w + 1), P32 + 6 - w + 1, OK },
			{ (uint32_t)(6 - w + 1), P32 + 6 - w + 1, SEEN },
			{ 5, P32 + 5, SEEN },
		};
		for (unsigned i = 0; i < RTE_DIM(s); i++) {
			uint64_t seq = sgw_replay_infer(x.top, s[i].seql, w, true);
			enum sgw_replay_verdict v;

			if (seq != s[i].seq)
				fail_msg("window %u step %u: low %#x inferred %#" PRIx64
					 ", want %#" PRIx64, w, i, s[i].seql, seq, s[i].seq);
			v = recv_seq(&x, seq);
			if (v != s[i].want)
				fail_msg("window %u step %u: seq %#" PRIx64 " gave %s, want %s",
					 w, i, seq, vname(v), vname(s[i].want));
		}
		free(x.ring);
	}
}

/* The update is the authoritative step: two workers can pass the check
 * for the same number, only one may be accepted. */
static void test_update_alone(void **st)
{
	(void)st;
	for (unsigned k = 0; k < RTE_DIM(windows); k++) {
		const unsigned w = windows[k];
		struct win x;

		win_init(&x, w, 0, false);
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, 5), OK);
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, 5), SEEN);
		assert_int_equal(x.top, 5);
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, 3), OK);
		assert_int_equal(x.top, 5);              /* top only grows */
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, 3), SEEN);
		/* A word recycled for a newer block: the older number is
		 * out, even if top has not caught up yet. */
		const uint64_t newer = 5 + sgw_replay_words(w) * 64;
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, newer), OK);
		x.top = 10;                              /* its top CAS still pending */
		assert_int_equal(sgw_replay_check(&x.top, x.ring, x.mask, w, 6), TOO_OLD);
		assert_int_equal(sgw_replay_update(&x.top, x.ring, x.mask, 6), TOO_OLD);
		free(x.ring);
	}
}

/* A window near the top of the 64-bit space. */
static void test_esn_top(void **st)
{
	struct win x;
	(void)st;

	win_init(&x, 64, UINT64_MAX - 100, true);
	const struct step s[] = {
		{ UINT64_MAX, OK }, { UINT64_MAX, SEEN }, { UINT64_MAX - 63, OK },
		{ UINT64_MAX - 64, TOO_OLD }, { UINT64_MAX - 1, OK }, { 0, TOO_OLD },
	};
	run(&x, "esn top", s, RTE_DIM(s));
	free(x.ring);
}

/* Workers racing on one window: every number accepted exactly once. */
#define RACE_THREADS 4
#define RACE_N       200000u
#define RACE_BLOCK   16u         /* reordering distance, well inside the window */

static struct win race_win;
static uint32_t race_ok[RACE_N + 1], race_seen[RACE_N + 1], race_old[RACE_N + 1];
static pthread_barrier_t race_start;

static void race_one(uint64_t q)
{
	enum sgw_replay_verdict v = sgw_replay_check(&race_win.top, race_win.ring,
						     race_win.mask, race_win.w, q);
	uint32_t *c;

	if (v == OK) {
		/* Decryption takes a while: others pass their checks meanwhile. */
		for (volatile unsigned spin = 0; spin < 50; spin++)
			;
		v = sgw_replay_update(&race_win.top, race_win.ring, race_win.mask, q);
	}
	if (v != OK && v != SEEN && v != TOO_OLD)
		abort();
	c = v == OK ? race_ok : v == SEEN ? race_seen : race_old;
	__atomic_fetch_add(&c[q], 1, __ATOMIC_RELAXED);
}

static void *race_thread(void *arg)
{
	const unsigned id = (unsigned)(uintptr_t)arg;

	pthread_barrier_wait(&race_start);
	for (uint64_t b = 0; b < RACE_N; b += RACE_BLOCK) {
		/* Each thread its own order inside a block, then the block
		 * again: duplicates while others may still be on it. */
		for (unsigned rep = 0; rep < 2; rep++)
			for (unsigned j = 0; j < RACE_BLOCK; j++) {
				unsigned o = (j * (2 * id + 1) + id * 5 + rep * 3) % RACE_BLOCK;

				race_one(b + o + 1);
			}
	}
	return NULL;
}

static void race(unsigned w)
{
	pthread_t th[RACE_THREADS];
	unsigned bad = 0;

	memset(race_ok, 0, sizeof(race_ok));
	memset(race_seen, 0, sizeof(race_seen));
	memset(race_old, 0, sizeof(race_old));
	win_init(&race_win, w, 0, false);
	assert_int_equal(pthread_barrier_init(&race_start, NULL, RACE_THREADS), 0);
	for (unsigned i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, race_thread,
						(void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&race_start);
	for (unsigned q = 1; q <= RACE_N; q++) {
		if (race_ok[q] != 1 ||
		    race_ok[q] + race_seen[q] + race_old[q] != 2 * RACE_THREADS) {
			if (bad++ < 5)
				print_error("window %u seq %u: ok %u seen %u too old %u\n",
					    w, q, race_ok[q], race_seen[q], race_old[q]);
		}
	}
	assert_int_equal(bad, 0);
	assert_int_equal(race_win.top, RACE_N);
	free(race_win.ring);
}

static void test_concurrent(void **st)
{
	(void)st;
	race(64);
	race(1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_jump_window),
		cmocka_unit_test(test_jump_ring),
		cmocka_unit_test(test_esn_infer),
		cmocka_unit_test(test_esn_window),
		cmocka_unit_test(test_esn_top),
		cmocka_unit_test(test_update_alone),
		cmocka_unit_test(test_concurrent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
