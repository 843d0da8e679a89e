/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP (RFC 4303) with AES-GCM-16 (RFC 4106), tunnel and transport mode,
 * optionally inside UDP (RFC 3948). Runs on workers: no locks, no heap.
 * The SA's cipher functions were chosen once when it was added (sa.h).
 *
 * IV: the 64-bit sequence number, so the nonce (salt || IV) is unique for
 * as long as sequence numbers are, which the outbound counter guarantees
 * (it stops at its limit and never wraps).
 */
#ifndef SGW_ESP_H
#define SGW_ESP_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "drop.h"
#include "sa.h"

#define SGW_ESP_HLEN      8     /* SPI + sequence number */
#define SGW_ESP_NH_IPV4   4     /* IP-in-IP, RFC 4303 tunnel mode */
#define SGW_ESP_NH_IPV6   41
#define SGW_ESP_NH_DUMMY  59    /* "no next header": a dummy packet */
#define SGW_NATT_PORT     4500  /* RFC 3948 */
#define SGW_IKE_PORT      500

/* ESP + IV + worst-case padding, trailer and ICV added to an inner packet,
 * for the tunnel MTU. */
static inline unsigned sgw_esp_overhead(const struct sgw_sa_outer_rt *o)
{
	return o->hdr_len + SGW_ESP_HLEN + SGW_IV_LEN + 3 + 2 + SGW_ICV_LEN;
}

/* Largest inner packet that fits a port MTU once encapsulated. */
static inline unsigned sgw_esp_tunnel_mtu(const struct sgw_sa_outer_rt *o,
					  unsigned port_mtu)
{
	unsigned room = port_mtu - o->hdr_len - SGW_ESP_HLEN - SGW_IV_LEN - SGW_ICV_LEN;

	return (room & ~3u) - 2;
}

/* Events a packet raised on its SA (sgw_esp_*() out-parameter). */
#define SGW_ESP_EV_SOFT      1u
#define SGW_ESP_EV_HARD      2u
#define SGW_ESP_EV_SEQ_DONE  4u

/* Unaligned big-endian access to header fields. */
static inline uint32_t sgw_get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static inline void sgw_put_be32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
}

/* The AES-GCM nonce (salt || IV) and AAD (SPI, sequence number: RFC 4106
 * 5) of one packet, each written as one 16-byte store from registers.
 * The cipher reads both right away; built piecewise (a 4-byte salt, an
 * 8-byte IV) they would make its wider loads wait for the store buffer
 * instead of forwarding from it. seq_lo_be is the low 32 bits as on the
 * wire; the AAD is 12 bytes with ESN, 8 without. intel-ipsec-mb exists
 * for little-endian CPUs only (x86-64, arm64), so this assumes one. */
#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "sgw's ESP assumes a little-endian CPU"
#endif
typedef uint64_t sgw_u64x2 __attribute__((vector_size(16), aligned(16)));

struct sgw_gcm_in {
	sgw_u64x2 nonce, aad;
};

static inline unsigned sgw_gcm_in_set(struct sgw_gcm_in *g, const struct sgw_sa *sa,
				      uint64_t iv, uint32_t spi_be, uint64_t seq)
{
	uint32_t salt;
	const uint64_t lo = rte_cpu_to_be_32((uint32_t)seq);

	memcpy(&salt, sa->h.salt, 4);
	g->nonce = (sgw_u64x2){ salt | iv << 32, iv >> 32 };
	if (sa->h.esn) {
		g->aad = (sgw_u64x2){ spi_be | (uint64_t)rte_cpu_to_be_32((uint32_t)(seq >> 32)) << 32,
				      lo };
		return 12;
	}
	g->aad = (sgw_u64x2){ spi_be | lo << 32, 0 };
	return 8;
}

/* Lifetime accounting after n packets of len bytes in all on the counters
 * of either direction; returns the events it raised (each at most once per
 * SA). */
static inline unsigned sgw_esp_account(struct sgw_sa *sa, uint64_t *pkts,
				       uint64_t *bytes, uint64_t n, uint64_t len)
{
	uint64_t p = __atomic_add_fetch(pkts, n, __ATOMIC_RELAXED);
	uint64_t b = __atomic_add_fetch(bytes, len, __ATOMIC_RELAXED);
	unsigned ev = 0;

	if (unlikely(b >= sa->life.soft_bytes || p >= sa->life.soft_packets) &&
	    sgw_sa_flag_once(sa, SGW_SA_F_SOFT))
		ev |= SGW_ESP_EV_SOFT;
	if (unlikely(b >= sa->life.hard_bytes || p >= sa->life.hard_packets) &&
	    sgw_sa_flag_once(sa, SGW_SA_F_HARD))
		ev |= SGW_ESP_EV_HARD;
	return ev;
}

/* A worker's not yet added counts of consecutive packets on one SA and
 * direction: the SA's shared counters take them in one step, two atomics
 * per run of packets instead of per packet.
 * Owner: one worker. It flushes (sgw_esp_account) when the next packet is
 * on another SA, before it reports quiescent (sa stays valid until then),
 * and when sgw_esp_acc_add() says the packet reached a lifetime limit: so
 * limits fire on the same packet as with per-packet accounting whenever
 * one worker carries the SA. */
struct sgw_esp_acc {
	struct sgw_sa *sa;           /* NULL: empty */
	uint64_t *pkts, *bytes;      /* the SA's counters of this direction */
	uint64_t n, len;
};

/* Counts one packet of len bytes on a->sa; true when it reaches a limit
 * and the caller must flush now. */
static inline bool sgw_esp_acc_add(struct sgw_esp_acc *a, unsigned len)
{
	const struct sgw_sa *sa = a->sa;
	const uint64_t p = __atomic_load_n(a->pkts, __ATOMIC_RELAXED) + ++a->n;
	const uint64_t b = __atomic_load_n(a->bytes, __ATOMIC_RELAXED) + (a->len += len);

	if (likely(p < sa->life.hard_packets && b < sa->life.hard_bytes &&
		   ((p < sa->life.soft_packets && b < sa->life.soft_bytes) ||
		    (__atomic_load_n(&sa->life.flags, __ATOMIC_RELAXED) & SGW_SA_F_SOFT))))
		return false;
	return true;
}

/* Outbound. m's data starts at the IP packet to protect (whole mbuf).
 * On success the data starts at the outer IP header (tunnel) or the
 * original IP header now carrying ESP (transport), and SGW_DROP_MAX is
 * returned; otherwise the drop reason, m untouched but for its length.
 * ip_id feeds the IPv4 identification of outer headers. sgw_esp_seal()
 * leaves the packet and byte counters to the caller (the inner packet's
 * length, on success); sgw_esp_encap() counts them itself. */
unsigned sgw_esp_seal(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
		      struct rte_mbuf *m, uint16_t *ip_id, unsigned *events);
unsigned sgw_esp_encap(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
		       struct rte_mbuf *m, uint16_t *ip_id, unsigned *events);

/* Inbound. m's data starts at the outer IP header (l3_hlen bytes, options
 * or not) and holds exactly the datagram; the ESP header is at esp_off.
 * On success returns SGW_DROP_MAX with the data at the inner IP packet
 * (tunnel) or at the rebuilt IP header (transport) and *inner_family set;
 * the packet is as long as the inner IP packet claims plus any TFC padding,
 * which the caller's IP validation trims. sgw_esp_open() sets *auth_len to
 * the inner byte count of an authenticated packet, which the caller counts
 * on the SA whatever the verdict, or to SGW_ESP_UNAUTH; sgw_esp_decap()
 * counts it itself and returns the events. */
#define SGW_ESP_UNAUTH UINT32_MAX
unsigned sgw_esp_open(struct sgw_sa *sa, struct rte_mbuf *m, unsigned l3_hlen,
		      unsigned esp_off, int *inner_family, uint32_t *auth_len);
unsigned sgw_esp_decap(struct sgw_sa *sa, struct rte_mbuf *m, unsigned l3_hlen,
		       unsigned esp_off, int *inner_family, unsigned *events);

#endif
