/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outbound ESP: allocate a sequence number, pad, encrypt in place, and put
 * the outer (or, in transport mode, the original) IP header in front.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "esp.h"

/* The next sequence number, or 0 when the SA may send no more. A CAS loop,
 * not a fetch-add: a counter that is allowed to pass its limit would come
 * back around to 1 with ESN and reuse nonces. */
static uint64_t seq_next(struct sgw_sa *sa)
{
	uint64_t s = __atomic_load_n(&sa->out.seq, __ATOMIC_RELAXED), n;

	do {
		if (unlikely(s == 0 || s > sa->h.seq_limit))
			return 0;
		n = s == UINT64_MAX ? 0 : s + 1;
	} while (!__atomic_compare_exchange_n(&sa->out.seq, &s, n, 1,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return s;
}

/* Encrypts [pt, pt + len) in place and writes the ICV after it. iv is
 * the IV as the packet carries it (the sequence number, big-endian). */
static void seal(const struct sgw_sa *sa, uint8_t *pt, unsigned len, uint64_t seq,
		 uint64_t iv)
{
	struct gcm_context_data ctx;
	struct sgw_gcm_in g;
	const unsigned aad_len = sgw_gcm_in_set(&g, sa, iv, sa->h.spi_be, seq);

	sa->h.enc(&sa->key, &ctx, pt, pt, len, (const uint8_t *)&g.nonce,
		  (const uint8_t *)&g.aad, aad_len, pt + len, SGW_ICV_LEN);
}

/* The ESP header: SPI, low 32 bits of the sequence number, IV = the whole
 * sequence number (RFC 4106 3.1 allows any unique IV; a counter is the
 * usual one). Returns the IV as written. */
static uint64_t esp_hdr(const struct sgw_sa *sa, uint8_t *esp, uint64_t seq)
{
	const uint64_t iv = rte_cpu_to_be_64(seq);
	const uint64_t w = sa->h.spi_be | (uint64_t)rte_cpu_to_be_32((uint32_t)seq) << 32;

	memcpy(esp, &w, 8);
	memcpy(esp + 8, &iv, 8);
	return iv;
}

static uint8_t inner_tos(const uint8_t *ip)
{
	return (ip[0] >> 4) == 4 ? ip[1] : (uint8_t)((ip[0] << 4) | (ip[1] >> 4));
}

static bool inner_df(const uint8_t *ip)
{
	/* IPv6 is never fragmented on the path: the outer header says so too. */
	return (ip[0] >> 4) == 6 || (ip[6] & 0x40);
}

/* The header checksum from the template's precomputed sum plus the fields
 * set per packet, all from registers: reading the just-written header back
 * stalls on store forwarding (the template is one wide store, TOS a byte). */
static uint16_t outer_csum4(const struct sgw_sa_outer_rt *o, uint8_t tos,
			    rte_be16_t len, rte_be16_t id, rte_be16_t frag)
{
	const uint8_t vt[2] = { 0, tos };    /* version/IHL is in csum_base */
	uint32_t sum = o->csum_base;
	uint16_t w;

	memcpy(&w, vt, 2);
	sum += w + len + id + frag;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Completes the outer IP (+UDP) header at hdr for a datagram of total bytes. */
static void outer_fill(const struct sgw_sa_outer_rt *o, uint8_t *hdr,
		       unsigned total, uint8_t tos, bool df, uint16_t *ip_id)
{
	struct rte_udp_hdr *udp = NULL;
	unsigned l3;

	/* Constant sizes: copied inline, not through a libc call. */
	switch (o->hdr_len) {
	case 20:
		memcpy(hdr, o->hdr, 20);
		break;
	case 28:
		memcpy(hdr, o->hdr, 28);
		break;
	case 40:
		memcpy(hdr, o->hdr, 40);
		break;
	default:
		memcpy(hdr, o->hdr, 48);
		break;
	}
	if (o->o.family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)hdr;

		const rte_be16_t len = rte_cpu_to_be_16((uint16_t)total);
		const rte_be16_t id = rte_cpu_to_be_16((*ip_id)++);
		const rte_be16_t frag = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;

		l3 = sizeof(*ip);
		ip->type_of_service = tos;
		ip->total_length = len;
		ip->packet_id = id;
		ip->fragment_offset = frag;
		ip->hdr_checksum = outer_csum4(o, tos, len, id, frag);
		if (o->o.udp_encap) {
			udp = (struct rte_udp_hdr *)(hdr + l3);
			udp->dgram_len = rte_cpu_to_be_16((uint16_t)(total - l3));
			udp->dgram_cksum = 0;        /* RFC 3948 2.1 */
		}
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)hdr;

		l3 = sizeof(*ip);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(total - l3));
		if (o->o.udp_encap) {
			/* IPv6 needs a real UDP checksum (RFC 8200 8.1). */
			udp = (struct rte_udp_hdr *)(hdr + l3);
			udp->dgram_len = ip->payload_len;
			udp->dgram_cksum = 0;
			udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
		}
	}
}

static unsigned encap_tunnel(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
			     struct rte_mbuf *m, uint64_t seq, uint16_t *ip_id)
{
	const unsigned len = rte_pktmbuf_pkt_len(m);
	const unsigned pad = (4 - ((len + 2) & 3)) & 3;
	const uint8_t *inner = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t tos = inner_tos(inner);
	const bool df = inner_df(inner);
	const uint8_t nh = (inner[0] >> 4) == 4 ? SGW_ESP_NH_IPV4 : SGW_ESP_NH_IPV6;
	uint8_t *tail, *hdr, *esp;
	uint64_t iv;
	unsigned i;

	if (unlikely(rte_pktmbuf_tailroom(m) < pad + 2 + SGW_ICV_LEN ||
		     rte_pktmbuf_headroom(m) < o->hdr_len + SGW_ESP_HLEN + SGW_IV_LEN))
		return SGW_DROP_ESP_NO_ROOM;
	tail = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(pad + 2 + SGW_ICV_LEN));
	for (i = 0; i < pad; i++)              /* RFC 4303 2.4: 1, 2, 3, ... */
		tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = nh;
	hdr = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(o->hdr_len + SGW_ESP_HLEN +
							   SGW_IV_LEN));
	esp = hdr + o->hdr_len;
	iv = esp_hdr(sa, esp, seq);
	seal(sa, esp + SGW_ESP_HLEN + SGW_IV_LEN, len + pad + 2, seq, iv);
	outer_fill(o, hdr, rte_pktmbuf_pkt_len(m), tos, df, ip_id);
	return SGW_DROP_MAX;
}

/* Transport mode: ESP goes between the IP header and its payload. IPv6
 * extension headers are not walked: ESP follows the fixed header. */
static unsigned encap_transport(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
				struct rte_mbuf *m, uint64_t seq)
{
	const unsigned len = rte_pktmbuf_pkt_len(m);
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);
	const bool v4 = (ip[0] >> 4) == 4;
	const unsigned hl = v4 ? (ip[0] & 0xf) * 4u : sizeof(struct rte_ipv6_hdr);
	const unsigned udp = o->o.udp_encap ? sizeof(struct rte_udp_hdr) : 0;
	const unsigned ins = udp + SGW_ESP_HLEN + SGW_IV_LEN;
	const unsigned plen = len - hl;
	const unsigned pad = (4 - ((plen + 2) & 3)) & 3;
	uint8_t nh, *tail, *esp, *nip;
	unsigned i, total;

	if (unlikely(rte_pktmbuf_tailroom(m) < pad + 2 + SGW_ICV_LEN ||
		     rte_pktmbuf_headroom(m) < ins))
		return SGW_DROP_ESP_NO_ROOM;
	nh = v4 ? ip[9] : ip[6];
	tail = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(pad + 2 + SGW_ICV_LEN));
	for (i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = nh;
	nip = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)ins);
	memmove(nip, ip, hl);
	esp = nip + hl + udp;
	seal(sa, esp + SGW_ESP_HLEN + SGW_IV_LEN, plen + pad + 2, seq, esp_hdr(sa, esp, seq));
	total = rte_pktmbuf_pkt_len(m);
	if (udp) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(nip + hl);

		u->src_port = rte_cpu_to_be_16(o->o.local_port);
		u->dst_port = rte_cpu_to_be_16(o->o.remote_port);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(total - hl));
		u->dgram_cksum = 0;
	}
	if (v4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)nip;

		h->next_proto_id = udp ? IPPROTO_UDP : IPPROTO_ESP;
		h->total_length = rte_cpu_to_be_16((uint16_t)total);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)nip;

		h->proto = udp ? IPPROTO_UDP : IPPROTO_ESP;
		h->payload_len = rte_cpu_to_be_16((uint16_t)(total - hl));
		if (udp) {
			struct rte_udp_hdr *u = (struct rte_udp_hdr *)(nip + hl);

			u->dgram_cksum = rte_ipv6_udptcp_cksum(h, u);
		}
	}
	return SGW_DROP_MAX;
}

unsigned sgw_esp_seal(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
		      struct rte_mbuf *m, uint16_t *ip_id, unsigned *events)
{
	uint64_t seq;
	unsigned ret;

	*events = 0;
	if (unlikely(__atomic_load_n(&sa->life.flags, __ATOMIC_RELAXED) & SGW_SA_F_HARD)) {
		__atomic_fetch_add(&sa->out.expired, 1, __ATOMIC_RELAXED);
		return SGW_DROP_SA_EXPIRED;
	}
	seq = seq_next(sa);
	if (unlikely(!seq)) {
		__atomic_fetch_add(&sa->out.seq_exhausted, 1, __ATOMIC_RELAXED);
		if (sgw_sa_flag_once(sa, SGW_SA_F_SEQ_DONE))
			*events |= SGW_ESP_EV_SEQ_DONE;
		return SGW_DROP_SEQ_EXHAUSTED;
	}
	ret = sa->h.mode == SGW_SA_TUNNEL ? encap_tunnel(sa, o, m, seq, ip_id) :
					    encap_transport(sa, o, m, seq);
	if (unlikely(ret != SGW_DROP_MAX)) {
		__atomic_fetch_add(&sa->out.other_errors, 1, __ATOMIC_RELAXED);
		return ret;
	}
	return SGW_DROP_MAX;
}

unsigned sgw_esp_encap(struct sgw_sa *sa, const struct sgw_sa_outer_rt *o,
		       struct rte_mbuf *m, uint16_t *ip_id, unsigned *events)
{
	const unsigned len = rte_pktmbuf_pkt_len(m);
	unsigned why = sgw_esp_seal(sa, o, m, ip_id, events);

	if (why == SGW_DROP_MAX)
		*events |= sgw_esp_account(sa, &sa->out.packets, &sa->out.bytes, 1, len);
	return why;
}
