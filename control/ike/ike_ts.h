/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors (RFC 7296 2.9, 3.13.1): narrowing what a peer proposes
 * to what policy allows, and turning the ranges into the prefixes the SPD
 * matches on. Pure functions; no EAL.
 */
#ifndef SGW_IKE_TS_H
#define SGW_IKE_TS_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_payload.h"

/* A selector for one whole prefix (len bits of addr, network order) with an
 * IP protocol (0 = any) and a port range. */
void sgw_ike_ts_prefix(struct sgw_ike_ts_sel *s, int family, const uint8_t *addr,
		       unsigned len, uint8_t proto, uint16_t lo, uint16_t hi);

/* The intersection of a and b in out; false when it is empty (different
 * families, protocols or disjoint ranges). */
bool sgw_ike_ts_intersect(const struct sgw_ike_ts_sel *a,
			  const struct sgw_ike_ts_sel *b, struct sgw_ike_ts_sel *out);

/* Narrowing: every non-empty intersection of one of the peer's selectors
 * with one of ours, in the peer's order, without duplicates. 0, or -ENOENT
 * when nothing is left (the responder answers TS_UNACCEPTABLE), -E2BIG if
 * more than SGW_IKE_MAX_TS would result (the first ones are kept). */
int sgw_ike_ts_narrow(const struct sgw_ike_ts_pld *peer,
		      const struct sgw_ike_ts_sel *ours, unsigned n_ours,
		      struct sgw_ike_ts_pld *out);

/* True when every selector of sub lies inside one of sup's (an initiator
 * checks that the responder only narrowed). */
bool sgw_ike_ts_within(const struct sgw_ike_ts_pld *sub,
		       const struct sgw_ike_ts_pld *sup);

/* The address range of s as CIDR prefixes, at most max of them: returns
 * how many were written to addr[]/len[], or -E2BIG when they do not fit. */
int sgw_ike_ts_prefixes(const struct sgw_ike_ts_sel *s, uint8_t (*addr)[16],
			uint8_t *len, unsigned max);

/* "10.0.0.0/24[6/80-90]" or "10.0.0.1-10.0.0.9" for logs and show. */
const char *sgw_ike_ts_str(const struct sgw_ike_ts_sel *s, char *buf, unsigned size);

#endif
