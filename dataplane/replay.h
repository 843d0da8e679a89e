/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anti-replay window (RFC 4303 3.4.3) and ESN inference (Appendix A),
 * lock-free so that several workers can receive on one SA.
 *
 * The window is a ring of 128-bit words {block, bits}: block is seq / 64 of
 * the 64 sequence numbers the bits stand for. A bit is set with a 128-bit
 * compare-and-swap, so two workers accepting the same sequence number race
 * on one CAS and exactly one wins; a word that still holds an older block is
 * overwritten, one holding a newer block means the sequence number fell out
 * of the window meanwhile. The ring has at least window / 64 + 1 words so a
 * block is only recycled once all its numbers are left of the window. `top`
 * (the highest accepted number) only grows, by CAS.
 *
 * Order of use (RFC 4303 3.4.3): sgw_replay_check() before decryption,
 * sgw_replay_update() only after the ICV verified.
 */
#ifndef SGW_REPLAY_H
#define SGW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>

enum sgw_replay_verdict {
	SGW_REPLAY_OK = 0,
	SGW_REPLAY_SEEN,           /* inside the window, already accepted */
	SGW_REPLAY_TOO_OLD,        /* left of the window (or sequence number 0) */
};

/* Words for a window of w packets (a power of two, 64..4096). */
static inline unsigned sgw_replay_words(unsigned w)
{
	unsigned n = 1;

	while (n < w / 64 + 1)
		n <<= 1;
	return n;
}

/* The full 64-bit sequence number for a received low half (RFC 4303 A.2).
 * Without ESN it is the low half itself. */
static inline uint64_t sgw_replay_infer(uint64_t top, uint32_t seql, uint32_t w,
					bool esn)
{
	uint32_t tl = (uint32_t)top, th = (uint32_t)(top >> 32), seqh;

	if (!esn)
		return seql;
	if (tl >= w - 1)                        /* window within one subspace */
		seqh = seql >= tl - w + 1 ? th : th + 1;
	else                                    /* window spans two subspaces */
		seqh = seql >= tl - w + 1 ? th - 1 : th;
	return (uint64_t)seqh << 32 | seql;
}

static inline enum sgw_replay_verdict
sgw_replay_check(const uint64_t *top_p, const rte_int128_t *win, uint32_t mask,
		 uint32_t w, uint64_t seq)
{
	uint64_t top = __atomic_load_n(top_p, __ATOMIC_ACQUIRE);
	uint64_t blk = seq >> 6;
	const rte_int128_t *word = &win[blk & mask];
	uint64_t tag, bits;

	if (seq == 0 || (top >= w && seq <= top - w))
		return SGW_REPLAY_TOO_OLD;
	if (seq > top)
		return SGW_REPLAY_OK;
	tag = __atomic_load_n(&word->val[0], __ATOMIC_ACQUIRE);
	bits = __atomic_load_n(&word->val[1], __ATOMIC_ACQUIRE);
	if (tag > blk)
		return SGW_REPLAY_TOO_OLD;
	if (tag == blk && (bits >> (seq & 63) & 1))
		return SGW_REPLAY_SEEN;
	return SGW_REPLAY_OK;
}

/* top = max(top, seq), by CAS. */
static inline void sgw_replay_top(uint64_t *top_p, uint64_t seq)
{
	uint64_t top = __atomic_load_n(top_p, __ATOMIC_RELAXED);

	while (seq > top && !__atomic_compare_exchange_n(top_p, &top, seq, 1,
			__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

static inline enum sgw_replay_verdict
sgw_replay_update(uint64_t *top_p, rte_int128_t *win, uint32_t mask, uint64_t seq)
{
	uint64_t blk = seq >> 6, bit = 1ull << (seq & 63);
	rte_int128_t *word = &win[blk & mask];
	rte_int128_t old, new;

	/* A torn read only makes the first CAS fail, which reloads old. */
	old.val[0] = __atomic_load_n(&word->val[0], __ATOMIC_RELAXED);
	old.val[1] = __atomic_load_n(&word->val[1], __ATOMIC_RELAXED);
	do {
		if (old.val[0] > blk)
			return SGW_REPLAY_TOO_OLD;
		if (old.val[0] == blk && (old.val[1] & bit))
			return SGW_REPLAY_SEEN;
		new.val[0] = blk;
		new.val[1] = old.val[0] == blk ? old.val[1] | bit : bit;
	} while (!rte_atomic128_cmp_exchange(word, &old, &new, 0,
					     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	sgw_replay_top(top_p, seq);
	return SGW_REPLAY_OK;
}

#endif
