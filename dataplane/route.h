/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Longest-prefix-match routes for IPv4 (rte_fib DIR24_8) and IPv6 (rte_fib6
 * trie). A lookup yields a next-hop index into a small array; 0 = no route.
 *
 * Concurrency: control is the only writer; routes are installed before the
 * workers start (runtime changes will go through RCU like the SA table).
 * Workers only call the lookups and sgw_route_nh().
 */
#ifndef SGW_ROUTE_H
#define SGW_ROUTE_H

#include <stdint.h>

#include "conf.h"

#define SGW_NH_NONE 0

enum sgw_nh_type {
	SGW_NH_LOCAL = 1,    /* one of the gateway's own addresses: punt */
	SGW_NH_CONNECTED,    /* on-link: the destination is the neighbour */
	SGW_NH_VIA,          /* through a gateway on a port */
};

struct sgw_nh {
	uint8_t type;        /* enum sgw_nh_type */
	uint8_t port;        /* port index */
	uint8_t family;      /* of gw */
	uint8_t gw[16];      /* SGW_NH_VIA only, network order */
};

/* What `show routes` lists. */
struct sgw_route {
	struct sgw_prefix to;
	uint32_t nh;
	const char *origin;  /* "connected", "static", "local" */
};

int sgw_route_init(unsigned max_routes);
void sgw_route_fini(void);
/* Adds a route; via may be NULL. Returns 0 or -errno (-EEXIST, -ENOSPC). */
int sgw_route_add(const struct sgw_prefix *to, enum sgw_nh_type type,
		  unsigned port, const struct sgw_prefix *via, const char *origin);

/* Lookups; addresses in network order. */
uint32_t sgw_route_lookup4(uint32_t dst_be);
uint32_t sgw_route_lookup6(const uint8_t dst[16]);
/* n lookups at once (workers look up a whole burst: the table reads of
 * one overlap the next): IPv4 addresses in host order here, next-hop
 * indexes out. */
void sgw_route_lookup4_bulk(uint32_t *dst_host, uint64_t *nh, unsigned n);
void sgw_route_lookup6_bulk(uint8_t (*dst)[16], uint64_t *nh, unsigned n);
/* The next hops, by the index a lookup returns (workers inline this). */
#define SGW_MAX_NH 4096
extern struct sgw_nh sgw_route_nhs[SGW_MAX_NH];

static inline const struct sgw_nh *sgw_route_nh(uint32_t idx)
{
	return &sgw_route_nhs[idx < SGW_MAX_NH ? idx : SGW_NH_NONE];
}

unsigned sgw_route_count(void);
const struct sgw_route *sgw_route_get(unsigned i);

#endif
