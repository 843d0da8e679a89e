/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound ESP: replay pre-check, decrypt and verify the ICV, only then
 * update the replay window (RFC 4303 3.4.3), then check the trailer and
 * strip everything around the inner packet.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include "esp.h"
#include "replay.h"

/* Constant time: the attacker controls the ICV and may time the compare. */
static bool icv_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, SGW_ICV_LEN);
	memcpy(y, b, SGW_ICV_LEN);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

static bool open_(const struct sgw_sa *sa, const uint8_t *esp, uint8_t *ct,
		  unsigned len, uint64_t seq)
{
	struct gcm_context_data ctx;
	struct sgw_gcm_in g;
	uint8_t tag[SGW_ICV_LEN] __rte_aligned(16);
	uint64_t iv;
	uint32_t spi_be;
	unsigned aad_len;

	memcpy(&spi_be, esp, 4);
	memcpy(&iv, esp + SGW_ESP_HLEN, 8);
	aad_len = sgw_gcm_in_set(&g, sa, iv, spi_be, seq);
	sa->h.dec(&sa->key, &ctx, ct, ct, len, (const uint8_t *)&g.nonce,
		  (const uint8_t *)&g.aad, aad_len, tag, SGW_ICV_LEN);
	return icv_equal(tag, ct + len);
}

/* Counts a drop on the SA and passes its reason on. */
static unsigned count_in(uint64_t *c, unsigned why)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
	return why;
}

/* Transport mode: move the IP header up to the payload and fix it. */
static void strip_transport(struct rte_mbuf *m, unsigned l3_hlen, unsigned cut,
			    uint8_t nh)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(ip + cut, ip, l3_hlen);
	ip = (uint8_t *)rte_pktmbuf_adj(m, (uint16_t)cut);
	if ((ip[0] >> 4) == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->next_proto_id = nh;
		h->total_length = rte_cpu_to_be_16((uint16_t)rte_pktmbuf_pkt_len(m));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->proto = nh;
		h->payload_len = rte_cpu_to_be_16((uint16_t)(rte_pktmbuf_pkt_len(m) - l3_hlen));
	}
}

unsigned sgw_esp_open(struct sgw_sa *sa, struct rte_mbuf *m, unsigned l3_hlen,
		      unsigned esp_off, int *inner_family, uint32_t *auth_len)
{
	uint8_t *esp = rte_pktmbuf_mtod_offset(m, uint8_t *, esp_off);
	const unsigned esp_len = rte_pktmbuf_pkt_len(m) - esp_off;
	unsigned ct_len, pad, i, trailer;
	uint8_t *ct, nh;
	uint64_t seq;

	*auth_len = SGW_ESP_UNAUTH;
	/* Header, IV, at least pad length and next header, ICV. */
	if (unlikely(esp_len < SGW_ESP_HLEN + SGW_IV_LEN + 2 + SGW_ICV_LEN))
		return count_in(&sa->in.other_errors, SGW_DROP_ESP_TRUNC);
	if (unlikely(__atomic_load_n(&sa->life.flags, __ATOMIC_RELAXED) & SGW_SA_F_HARD))
		return count_in(&sa->in.other_errors, SGW_DROP_SA_EXPIRED);
	/* Without anti-replay (window 0, manual keys only) ESN is still
	 * inferred, around the highest number seen. */
	seq = sgw_replay_infer(__atomic_load_n(&sa->in.top, __ATOMIC_ACQUIRE),
			       sgw_get_be32(esp + 4), sa->h.window ? sa->h.window : SGW_REPLAY_MAX,
			       sa->h.esn);
	if (!sa->h.window) {
		if (unlikely(seq == 0 && !sa->h.esn))
			return count_in(&sa->in.too_old, SGW_DROP_ESP_TOO_OLD);
	} else switch (sgw_replay_check(&sa->in.top, sa->win, sa->h.win_mask, sa->h.window, seq)) {
	case SGW_REPLAY_SEEN:
		return count_in(&sa->in.replayed, SGW_DROP_ESP_REPLAYED);
	case SGW_REPLAY_TOO_OLD:
		return count_in(&sa->in.too_old, SGW_DROP_ESP_TOO_OLD);
	default:
		break;
	}
	ct = esp + SGW_ESP_HLEN + SGW_IV_LEN;
	ct_len = esp_len - SGW_ESP_HLEN - SGW_IV_LEN - SGW_ICV_LEN;
	if (unlikely(!open_(sa, esp, ct, ct_len, seq)))
		return count_in(&sa->in.icv_failed, SGW_DROP_ESP_ICV);
	/* Authenticated: now, and only now, the window moves. */
	if (!sa->h.window)
		sgw_replay_top(&sa->in.top, seq);
	else switch (sgw_replay_update(&sa->in.top, sa->win, sa->h.win_mask, seq)) {
	case SGW_REPLAY_SEEN:   /* another worker accepted it meanwhile */
		return count_in(&sa->in.replayed, SGW_DROP_ESP_REPLAYED);
	case SGW_REPLAY_TOO_OLD:
		return count_in(&sa->in.too_old, SGW_DROP_ESP_TOO_OLD);
	default:
		break;
	}
	pad = ct[ct_len - 2];
	nh = ct[ct_len - 1];
	/* Bytes of the inner packet, as outbound counts them. */
	*auth_len = pad + 2 <= ct_len ? ct_len - pad - 2 : 0;
	if (unlikely(pad + 2 > ct_len))
		return count_in(&sa->in.other_errors, SGW_DROP_ESP_PAD);
	for (i = 0; i < pad; i++)
		if (unlikely(ct[ct_len - 2 - pad + i] != i + 1))
			return count_in(&sa->in.other_errors, SGW_DROP_ESP_PAD);
	if (nh == SGW_ESP_NH_DUMMY)
		return SGW_DROP_ESP_DUMMY;
	trailer = pad + 2 + SGW_ICV_LEN;
	if (sa->h.mode == SGW_SA_TRANSPORT) {
		if (unlikely(ct_len - pad - 2 == 0))
			return count_in(&sa->in.other_errors, SGW_DROP_ESP_TRUNC);
		rte_pktmbuf_trim(m, (uint16_t)trailer);
		strip_transport(m, l3_hlen, esp_off - l3_hlen + SGW_ESP_HLEN + SGW_IV_LEN, nh);
		*inner_family = (rte_pktmbuf_mtod(m, uint8_t *)[0] >> 4) == 4 ? AF_INET : AF_INET6;
		return SGW_DROP_MAX;
	}
	if (unlikely(nh != SGW_ESP_NH_IPV4 && nh != SGW_ESP_NH_IPV6))
		return count_in(&sa->in.other_errors, SGW_DROP_ESP_NEXT_HDR);
	if (unlikely(ct_len - pad - 2 == 0))      /* no inner packet at all */
		return count_in(&sa->in.other_errors, SGW_DROP_ESP_TRUNC);
	rte_pktmbuf_trim(m, (uint16_t)trailer);
	rte_pktmbuf_adj(m, (uint16_t)(esp_off + SGW_ESP_HLEN + SGW_IV_LEN));
	*inner_family = nh == SGW_ESP_NH_IPV4 ? AF_INET : AF_INET6;
	return SGW_DROP_MAX;
}

unsigned sgw_esp_decap(struct sgw_sa *sa, struct rte_mbuf *m, unsigned l3_hlen,
		       unsigned esp_off, int *inner_family, unsigned *events)
{
	uint32_t len;
	unsigned why = sgw_esp_open(sa, m, l3_hlen, esp_off, inner_family, &len);

	*events = len == SGW_ESP_UNAUTH ? 0 :
		  sgw_esp_account(sa, &sa->in.packets, &sa->in.bytes, 1, len);
	return why;
}
