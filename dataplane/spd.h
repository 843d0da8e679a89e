/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security policy database (RFC 4301 4.4.1): one ordered list per direction
 * of inner-packet selectors with an action. Outbound, the first match says
 * protect (with an SA slot), bypass or discard; no match means bypass (the
 * gateway routes what no policy names). Inbound, plaintext that matches a
 * protect policy is dropped (it should have come through ESP), and a packet
 * that came out of an SA must match an inbound protect policy of that SA.
 *
 * First match without a first-to-last scan: each policy carries a priority
 * (its place in the list) and lives in a group of policies with the same
 * family and prefix lengths; one hash lookup per group finds the candidates
 * (spd.c). Adding or deleting a policy costs the same with ten or a hundred
 * thousand others in the list.
 *
 * Concurrency: the control core is the only writer. What workers read is
 * immutable once published and replaced with one atomic store; old copies
 * are freed after an RCU grace period, and no control operation waits for
 * the workers. A policy names its SA; its compiled entry binds the name to
 * the SA's slot and generation at add time and again when told that the SA
 * came or went (sgw_spd_rebind_sa), so a reused slot never matches.
 */
#ifndef SGW_SPD_H
#define SGW_SPD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_rcu_qsbr.h>

#include "conf.h"

/* What workers compare a packet against (addresses in network order). */
struct sgw_spd_key {
	uint64_t src[2], dst[2];     /* IPv4 in the first 4 bytes, the rest zero */
	uint8_t family;
	uint8_t proto;
	uint16_t sport, dport;       /* host order; 0 when not TCP/UDP/SCTP */
	bool has_ports;
};

/* The 64-bit word whose first 4 bytes in memory are the IPv4 address a
 * (network order, as read from the header) and the rest zero. */
static inline uint64_t sgw_addr4_word(uint32_t a)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return a;
#else
	return (uint64_t)a << 32;
#endif
}

struct sgw_spd_entry {
	uint8_t family;              /* 0 = both */
	uint8_t action;              /* enum sgw_policy_action */
	int16_t proto;               /* -1 = any */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	bool ports;                  /* port ranges narrower than 0-65535 */
	uint64_t src[2], src_mask[2];  /* address & mask == src: a match */
	uint64_t dst[2], dst_mask[2];
	uint32_t sa_slot;            /* SGW_SA_NONE when unbound */
	uint32_t sa_gen;
	uint32_t policy;             /* the policy's match counter (stable id) */
	uint64_t prio[2];            /* its place in the list: lower goes first,
				      * in the numbering the view names */
};

int sgw_spd_init(unsigned max_per_dir, struct rte_rcu_qsbr *rcu);
void sgw_spd_fini(void);

/* Control core. Policies keep their order of addition unless pos is given
 * (0 = first). Names are unique across both directions. */
int sgw_spd_add(const struct sgw_conf_policy *p, int pos);
/* In front of the policy named before (of the same direction), or at the
 * end when before is NULL; -ENOENT when there is no such policy. */
int sgw_spd_add_before(const struct sgw_conf_policy *p, const char *before);
int sgw_spd_del(const char *name);
/* After the SA named sa was added or deleted: rebinds the policies naming
 * it. sgw_spd_rebind() rebinds every policy. */
int sgw_spd_rebind_sa(const char *sa);
int sgw_spd_rebind(void);
unsigned sgw_spd_count(bool inbound);
/* The n-th policy of a direction, with how many packets matched it.
 * Walking n = 0, 1, 2... costs O(1) per step. */
const struct sgw_conf_policy *sgw_spd_get(bool inbound, unsigned n,
					  uint64_t *matches, bool *bound);

/* Workers: the first matching entry, or NULL. */
const struct sgw_spd_entry *sgw_spd_lookup(bool inbound, const struct sgw_spd_key *k);
/* The same in two steps: a direction's policies as published now (NULL
 * when it has none), valid until the worker's next quiescent state, so a
 * worker takes it once per burst; then lookups in it. */
struct sgw_spd_view;
const struct sgw_spd_view *sgw_spd_view(bool inbound);
const struct sgw_spd_entry *sgw_spd_lookup_view(const struct sgw_spd_view *v,
						const struct sgw_spd_key *k);
/* Inbound: the first policy bound to SA slot/gen that a packet it
 * decrypted matches, or NULL (not counted: the caller counts). */
const struct sgw_spd_entry *sgw_spd_check_sa(const struct sgw_spd_key *k,
					     uint32_t slot, uint32_t gen);
/* True when the direction has no policies (sgw_spd_view() is NULL). */
bool sgw_spd_empty(bool inbound);
/* Adds n packets to the entry's policy counter (workers batch them: one
 * atomic per run of packets on one policy, see worker.c). */
void sgw_spd_count_match(const struct sgw_spd_entry *e, unsigned n);

/* Tests only, right after sgw_spd_init: directions of up to small policies
 * are scanned as a list (0: always the hash path), and priorities are
 * spaced 2^step_shift apart (small values force renumbering early). */
void sgw_spd_tune(unsigned small, unsigned step_shift);
/* Tests: an entry's priority in the numbering in use now, and how many
 * times a direction was renumbered. */
uint64_t sgw_spd_prio(const struct sgw_spd_entry *e);
unsigned sgw_spd_renumbers(bool inbound);

#endif
