/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: receive a burst per port, validate, route, resolve the
 * next hop, rewrite, transmit. Anything unusual (ARP/ND, traffic for the
 * gateway, ICMP errors, unresolved next hops, fragmentation) is punted to
 * the control core with a reason. No locks, no heap, no syscalls and no
 * logging per packet; the only syscall is one eventfd write per burst that
 * punted something while control sleeps.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane.h"
#include "esp.h"
#include "neigh.h"
#include "pkt.h"
#include "route.h"
#include "sa.h"
#include "spd.h"
#include "worker.h"

#define IDLE_POLLS 16      /* empty passes before a worker naps */

enum verdict {
	V_TX, V_PUNT, V_DROP,
	V_ROUTE,    /* no policy decided */
	V_STAGED,   /* moved on to a later stage of the burst */
};

/* A burst goes through the worker in passes: every frame is validated,
 * then the IP packets' routes are looked up at once (one bulk lookup per
 * family: the table reads of one packet overlap the next), then each is
 * forwarded. What ESP decrypted is a second stage that goes through the
 * same: the inner packets' routes at once, then forwarding. */
struct stage {
	unsigned n;
	struct rte_mbuf *m[SGW_BURST];
	struct sgw_pkt pk[SGW_BURST];
	const struct sgw_sa *from[SGW_BURST];   /* the SA it came out of */
	uint32_t nhi[SGW_BURST];
};

struct burst {
	unsigned n_tx[SGW_MAX_PORTS];
	struct rte_mbuf *tx[SGW_MAX_PORTS][SGW_BURST];
	unsigned n_punt;
	struct rte_mbuf *punt[SGW_BURST];
	struct stage plain, dec;   /* as received; out of ESP */
};

static enum verdict drop(struct sgw_worker *w, unsigned port, enum sgw_drop why)
{
	sgw_cnt_add(&w->cnt[port].drops[why], 1);
	return V_DROP;
}

static enum verdict punt(struct rte_mbuf *m, enum sgw_punt_reason why,
			 unsigned out_port, uint32_t nh)
{
	struct sgw_punt_meta *pm = sgw_punt_meta(m);

	pm->reason = (uint8_t)why;
	pm->mtu = 0;
	pm->out_port = (uint8_t)out_port;
	pm->nh = nh;
	return V_PUNT;
}

/* A dropped packet that deserves an ICMP error is counted, then punted so
 * that control can send the error (rate-limited there). */
static enum verdict drop_icmp(struct sgw_worker *w, struct rte_mbuf *m,
			      unsigned in, enum sgw_drop why,
			      enum sgw_punt_reason icmp, unsigned out)
{
	drop(w, in, why);
	return punt(m, icmp, out, 0);
}

static void rewrite_l2(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		       const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
}

static bool ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Fixed-size compares; a libc memcmp call costs more than the lookup saved. */
static bool addr_eq(const uint8_t *a, const uint8_t *b, int family)
{
	uint64_t x[2], y[2];
	uint32_t u, v;

	if (family == AF_INET) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* Most packets of a burst go to the same next hop: one hash lookup then.
 * The cache holds a copy of the MAC, reset with every burst, so a changed
 * or deleted neighbour is noticed one burst later at most. */
static bool resolve(struct sgw_worker *w, unsigned port, int family,
		    const uint8_t *addr, struct rte_ether_addr *mac)
{
	const unsigned len = family == AF_INET ? 4 : 16;

	if (w->ncache.valid && w->ncache.port == port && w->ncache.family == family &&
	    addr_eq(w->ncache.addr, addr, family)) {
		*mac = w->ncache.mac;
		return true;
	}
	if (!sgw_neigh_resolve(port, family, addr, mac))
		return false;
	w->ncache.valid = true;
	w->ncache.port = (uint8_t)port;
	w->ncache.family = (uint8_t)family;
	memcpy(w->ncache.addr, addr, len);
	w->ncache.mac = *mac;
	return true;
}

static uint8_t *l3_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, SGW_ETH_HLEN);
}

static unsigned l3_hlen(const uint8_t *ip)
{
	return (ip[0] >> 4) == 4 ? (ip[0] & 0xfu) * 4 : sizeof(struct rte_ipv6_hdr);
}

/* TTL or hop limit minus one; IPv4 with the incremental checksum update
 * of RFC 1624. */
static void ttl_dec(uint8_t *ip)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
	uint32_t c;

	if ((ip[0] >> 4) != 4) {
		ip[7]--;
		return;
	}
	h->time_to_live--;
	c = h->hdr_checksum + rte_cpu_to_be_16(0x0100);
	h->hdr_checksum = (uint16_t)(c + (c >= 0xffff));
}

static uint16_t get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return rte_be_to_cpu_16(v);
}

/* IPv6 neighbour discovery (RFC 4861, types 133..137) never meets the SPD:
 * a policy on ICMPv6 between two neighbours would otherwise encrypt or drop
 * the very messages that find the neighbour (RFC 4301 has ICMP type
 * selectors for this; we have no type selectors, so ND is always bypass). */
static bool is_nd(const uint8_t *ip, const struct sgw_pkt *pk)
{
	return pk->cls == SGW_PKT_IP6 && pk->proto == IPPROTO_ICMPV6 &&
	       pk->l3_len > 40 && ip[40] >= 133 && ip[40] <= 137;
}

/* The inner-packet selector key (RFC 4301 4.4.1.1). Ports only for the
 * first fragment of TCP, UDP and SCTP; IPv6 extension headers are not
 * walked, so a packet with them matches only port-less policies. */
static __rte_always_inline void spd_key(const uint8_t *ip, const struct sgw_pkt *pk,
					struct sgw_spd_key *k)
{
	unsigned hl = l3_hlen(ip);
	bool first = true;

	k->proto = pk->proto;
	if ((ip[0] >> 4) == 4) {
		uint32_t s4, d4;

		/* Whole words from registers: the lookups read the key back
		 * as 64-bit words, which a 4-byte store into a zeroed word
		 * would make wait for the store buffer. */
		memcpy(&s4, ip + 12, 4);
		memcpy(&d4, ip + 16, 4);
		k->family = AF_INET;
		k->src[0] = sgw_addr4_word(s4);
		k->dst[0] = sgw_addr4_word(d4);
		k->src[1] = k->dst[1] = 0;
		first = (get_be16(ip + 6) & RTE_IPV4_HDR_OFFSET_MASK) == 0;
	} else {
		k->family = AF_INET6;
		memcpy(k->src, ip + 8, 16);
		memcpy(k->dst, ip + 24, 16);
	}
	k->has_ports = first && pk->l3_len >= hl + 4 &&
		       (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
			k->proto == IPPROTO_SCTP);
	k->sport = k->has_ports ? get_be16(ip + hl) : 0;
	k->dport = k->has_ports ? get_be16(ip + hl + 2) : 0;
}

static void raise_sa_events(struct sgw_sa *sa, unsigned ev)
{
	struct sgw_dp_event e = { .spi = rte_be_to_cpu_32(sa->h.spi_be),
				  .slot = sa->cold.slot, .gen = sa->h.gen };

	if (ev & SGW_ESP_EV_SOFT) {
		e.type = SGW_EV_SA_SOFT;
		sgw_dp_event_raise(&e);
	}
	if (ev & SGW_ESP_EV_HARD) {
		e.type = SGW_EV_SA_HARD;
		sgw_dp_event_raise(&e);
	}
	if (ev & SGW_ESP_EV_SEQ_DONE) {
		e.type = SGW_EV_SA_SEQ_DONE;
		sgw_dp_event_raise(&e);
	}
}

static void stage_add(struct stage *st, struct rte_mbuf *m, const struct sgw_pkt *pk,
		      const struct sgw_sa *from)
{
	st->m[st->n] = m;
	st->pk[st->n] = *pk;
	st->from[st->n] = from;
	st->n++;
}

/* Shared counters (SA packets and bytes, policy matches) are atomics that
 * every worker hits: they are added once per run of packets on the same SA
 * or policy, and at the end of each burst, not per packet. */
static void hits_flush(struct sgw_worker *w)
{
	if (w->hit.n)
		sgw_spd_count_match(w->hit.e, w->hit.n);
	w->hit.e = NULL;
	w->hit.n = 0;
}

static void hit(struct sgw_worker *w, const struct sgw_spd_entry *e)
{
	if (w->hit.e != e) {
		hits_flush(w);
		w->hit.e = e;
	}
	w->hit.n++;
}

static void acc_flush(struct sgw_esp_acc *a)
{
	unsigned ev;

	if (!a->sa)
		return;
	ev = sgw_esp_account(a->sa, a->pkts, a->bytes, a->n, a->len);
	if (unlikely(ev))
		raise_sa_events(a->sa, ev);
	a->sa = NULL;
	a->n = a->len = 0;
}

static void account(struct sgw_esp_acc *a, struct sgw_sa *sa, uint64_t *pkts,
		    uint64_t *bytes, unsigned len)
{
	if (a->sa != sa) {
		acc_flush(a);
		a->sa = sa;
		a->pkts = pkts;
		a->bytes = bytes;
	}
	if (unlikely(sgw_esp_acc_add(a, len)))
		acc_flush(a);           /* a lifetime limit: its event now */
}

/* Per-burst state: caches valid for one burst, counters flushed at its end
 * (before the worker reports quiescent, so the SAs and entries they point
 * to are still there). */
static void burst_begin(struct sgw_worker *w)
{
	w->ncache.valid = false;
	w->ocache.o = NULL;
	w->pcache.e = NULL;
	w->spd[0] = sgw_spd_view(false);
	w->spd[1] = sgw_spd_view(true);
}

static void burst_end(struct sgw_worker *w)
{
	acc_flush(&w->acc_in);
	acc_flush(&w->acc_out);
	hits_flush(w);
}

/* Puts an Ethernet header in front of an IP packet at the data start. */
static void eth_push(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		     const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)
		rte_pktmbuf_prepend(m, SGW_ETH_HLEN);
	const uint8_t v = *(const uint8_t *)(eth + 1) >> 4;

	eth->ether_type = rte_cpu_to_be_16(v == 4 ? RTE_ETHER_TYPE_IPV4 :
					   RTE_ETHER_TYPE_IPV6);
	rewrite_l2(m, dst, src);
}

static void unknown_spi_event(struct sgw_worker *w, unsigned in, const uint8_t *ip,
			      uint32_t spi_be)
{
	uint64_t now = rte_get_tsc_cycles();
	struct sgw_dp_event e = { .type = SGW_EV_UNKNOWN_SPI, .port = (uint16_t)in,
				  .spi = rte_be_to_cpu_32(spi_be), .slot = SGW_SA_NONE };

	if (now - w->spi_event_tsc < w->spi_event_gap)
		return;
	w->spi_event_tsc = now;
	e.family = (ip[0] >> 4) == 4 ? AF_INET : AF_INET6;
	memcpy(e.src, e.family == AF_INET ? ip + 12 : ip + 8, e.family == AF_INET ? 4 : 16);
	sgw_dp_event_raise(&e);
}

/* ESP addressed to us, raw or in UDP: decapsulate, and stage the inner
 * packet to be checked against the SA's policies and forwarded as if it
 * had arrived on the same port (dec_fwd()). */
static enum verdict esp_in(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			   unsigned hl, unsigned esp_off, struct stage *dec)
{
	const uint8_t *ip;
	struct sgw_pkt ipk;
	struct sgw_sa *sa;
	uint32_t spi_be, frame_len, len;
	unsigned why;
	int fam;

	ip = (const uint8_t *)rte_pktmbuf_adj(m, SGW_ETH_HLEN);
	if (unlikely(rte_pktmbuf_pkt_len(m) < esp_off + SGW_ESP_HLEN))
		return drop(w, in, SGW_DROP_ESP_TRUNC);
	memcpy(&spi_be, ip + esp_off, 4);
	sa = sgw_sa_lookup_in(spi_be);
	if (unlikely(!sa)) {
		unknown_spi_event(w, in, ip, spi_be);
		return drop(w, in, SGW_DROP_ESP_NO_SA);
	}
	why = sgw_esp_open(sa, m, hl, esp_off, &fam, &len);
	if (len != SGW_ESP_UNAUTH)
		account(&w->acc_in, sa, &sa->in.packets, &sa->in.bytes, len);
	if (unlikely(why != SGW_DROP_MAX))
		return drop(w, in, (enum sgw_drop)why);
	/* The inner packet is validated like a received one. */
	ipk = sgw_pkt_parse_ip(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, fam);
	if (unlikely(ipk.cls != SGW_PKT_IP4 && ipk.cls != SGW_PKT_IP6))
		return drop(w, in, (enum sgw_drop)ipk.drop);
	frame_len = SGW_ETH_HLEN + ipk.l3_len;  /* drops TFC padding */
	eth_push(m, &w->ports[in].mac, &w->ports[in].mac);
	if (m->pkt_len > frame_len)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - frame_len));
	stage_add(dec, m, &ipk, sa);
	return V_STAGED;
}

static enum verdict punt_ike(struct sgw_worker *w, struct rte_mbuf *m, unsigned in)
{
	/* Handshakes are shed when their queue is half full, so a flood of
	 * them cannot crowd out ARP, ND and the rest (WireGuard does the same). */
	if (rte_ring_count(w->punt) > rte_ring_get_capacity(w->punt) / 2)
		return drop(w, in, SGW_DROP_IKE_SHED);
	return punt(m, SGW_PUNT_IKE, in, 0);
}

/* Plaintext for the gateway itself: the inbound SPD applies to it too
 * (RFC 4301 5.2), e.g. a host-to-gateway transport-mode SA. */
static enum verdict to_control(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			       const struct sgw_pkt *pk, uint32_t nhi)
{
	const struct sgw_spd_entry *e;
	struct sgw_spd_key key;

	if (w->spd[1] && !is_nd(l3_of(m), pk)) {
		spd_key(l3_of(m), pk, &key);
		e = sgw_spd_lookup_view(w->spd[1], &key);
		if (e && e->action != SGW_POLICY_BYPASS) {
			hit(w, e);
			return drop(w, in, e->action == SGW_POLICY_PROTECT ?
				    SGW_DROP_POLICY_UNPROTECTED : SGW_DROP_POLICY_DISCARD);
		}
	}
	return punt(m, SGW_PUNT_LOCAL, in, nhi);
}

/* IP for one of our addresses: ESP, NAT-T, IKE, or the control core's. */
static enum verdict local_in(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			     const struct sgw_pkt *pk, struct stage *dec, uint32_t nhi)
{
	const uint8_t *ip = l3_of(m), *udp, *pl;
	unsigned hl = l3_hlen(ip), ulen, dport;
	static const uint8_t marker[4];

	if (pk->proto == IPPROTO_ESP)
		return esp_in(w, m, in, hl, hl, dec);
	if (pk->proto != IPPROTO_UDP)
		return to_control(w, m, in, pk, nhi);
	if (unlikely(pk->l3_len < hl + 8))
		return drop(w, in, SGW_DROP_UDP_BAD);
	udp = ip + hl;
	ulen = get_be16(udp + 4);
	if (unlikely(ulen < 8 || ulen > pk->l3_len - hl))
		return drop(w, in, SGW_DROP_UDP_BAD);
	dport = get_be16(udp + 2);
	if (dport == SGW_IKE_PORT)
		return punt_ike(w, m, in);
	if (dport != SGW_NATT_PORT)
		return to_control(w, m, in, pk, nhi);
	pl = udp + 8;
	if (ulen == 9 && pl[0] == 0xff)           /* RFC 3948 2.3 */
		return drop(w, in, SGW_DROP_NATT_KEEPALIVE);
	if (ulen >= 12 && !memcmp(pl, marker, 4)) /* RFC 3948 2.2 */
		return punt_ike(w, m, in);
	/* ESP in UDP: bytes after the UDP datagram are not ours. */
	if (m->pkt_len > SGW_ETH_HLEN + hl + ulen)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - SGW_ETH_HLEN - hl - ulen));
	return esp_in(w, m, in, hl, hl + 8, dec);
}

/* The route to an SA's peer, from the per-burst cache when the previous
 * packet went to the same outer block. False: no route (or a local one). */
static bool outer_route(struct sgw_worker *w, const struct sgw_sa_outer_rt *o)
{
	const struct sgw_nh *nh;
	uint32_t nhi, a4;

	if (w->ocache.o == o)
		return true;
	memcpy(&a4, o->o.remote, 4);
	nhi = o->o.family == AF_INET ? sgw_route_lookup4(a4) :
				       sgw_route_lookup6(o->o.remote);
	nh = sgw_route_nh(nhi);
	if (unlikely(nhi == SGW_NH_NONE || nh->type == SGW_NH_LOCAL))
		return false;
	w->ocache.o = o;
	w->ocache.nh = nh;
	w->ocache.nhi = nhi;
	w->ocache.out = nh->port;
	w->ocache.have_mac = false;
	return true;
}

/* The packet is to be protected by the SA a policy names. */
static enum verdict esp_out(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			    const struct sgw_pkt *pk, const struct sgw_spd_entry *e,
			    unsigned *out_port)
{
	struct sgw_sa *sa;
	const struct sgw_sa_outer_rt *o;
	uint8_t *ip = l3_of(m);
	const uint8_t *dst;
	unsigned out, mtu, why, ev, len;

	if (w->pcache.e == e) {
		sa = w->pcache.sa;
		o = w->pcache.o;
	} else {
		sa = sgw_sa_at(e->sa_slot);
		if (unlikely(!sa || sa->h.gen != e->sa_gen))
			return drop(w, in, SGW_DROP_POLICY_NO_SA);
		o = __atomic_load_n(&sa->h.outer, __ATOMIC_ACQUIRE);
		w->pcache.e = e;
		w->pcache.sa = sa;
		w->pcache.o = o;
	}
	if (unlikely(!outer_route(w, o)))
		return drop(w, in, SGW_DROP_NO_ROUTE);
	out = w->ocache.out;
	mtu = w->ports[out].mtu;
	if (sa->h.mode == SGW_SA_TUNNEL) {
		unsigned tmtu = sgw_esp_tunnel_mtu(o, mtu);

		if (unlikely(pk->l3_len > tmtu) &&
		    ((ip[0] >> 4) == 6 || (ip[6] & 0x40))) {
			drop(w, in, SGW_DROP_MTU_EXCEEDED);
			punt(m, SGW_PUNT_ICMP_TOO_BIG, out, 0);
			sgw_punt_meta(m)->mtu = (uint16_t)tmtu;
			return V_PUNT;
		}
		/* Routing the inner packet into the tunnel is a hop. */
		ttl_dec(ip);
	}
	rte_pktmbuf_adj(m, SGW_ETH_HLEN);
	len = rte_pktmbuf_pkt_len(m);
	why = sgw_esp_seal(sa, o, m, &w->ip_id, &ev);
	if (unlikely(ev))
		raise_sa_events(sa, ev);
	if (unlikely(why != SGW_DROP_MAX))
		return drop(w, in, (enum sgw_drop)why);
	account(&w->acc_out, sa, &sa->out.packets, &sa->out.bytes, len);
	/* Control gets what it must fragment or hold as a frame too. */
	if (unlikely(rte_pktmbuf_pkt_len(m) > mtu)) {
		eth_push(m, &w->ports[out].mac, &w->ports[out].mac);
		return punt(m, SGW_PUNT_FRAGMENT_OWN, out, w->ocache.nhi);
	}
	if (unlikely(!w->ocache.have_mac)) {
		dst = w->ocache.nh->type == SGW_NH_VIA ? w->ocache.nh->gw : o->o.remote;
		if (unlikely(!resolve(w, out, o->o.family, dst, &w->ocache.mac))) {
			eth_push(m, &w->ports[out].mac, &w->ports[out].mac);
			return punt(m, SGW_PUNT_NEIGH_MISS_OWN, out, w->ocache.nhi);
		}
		w->ocache.have_mac = true;
	}
	eth_push(m, &w->ocache.mac, &w->ports[out].mac);
	*out_port = out;
	return V_TX;
}

/* RFC 4301 5.1 and 5.2: plaintext that a protect policy covers must have
 * come through ESP; outbound, the first matching policy decides. key is
 * the packet's selector key if the caller has it, or NULL. */
static enum verdict spd(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			const struct sgw_pkt *pk, unsigned *out_port,
			const struct sgw_sa *from, const struct sgw_spd_key *key)
{
	const struct sgw_spd_entry *e;
	struct sgw_spd_key k;

	if (!key) {
		spd_key(l3_of(m), pk, &k);
		key = &k;
	}
	if (!from && (e = sgw_spd_lookup_view(w->spd[1], key))) {
		hit(w, e);
		if (e->action == SGW_POLICY_PROTECT)
			return drop(w, in, SGW_DROP_POLICY_UNPROTECTED);
		if (e->action == SGW_POLICY_DISCARD)
			return drop(w, in, SGW_DROP_POLICY_DISCARD);
	}
	if (!(e = sgw_spd_lookup_view(w->spd[0], key)))
		return V_ROUTE;
	hit(w, e);
	if (e->action == SGW_POLICY_DISCARD)
		return drop(w, in, SGW_DROP_POLICY_DISCARD);
	if (e->action == SGW_POLICY_PROTECT)
		return esp_out(w, m, in, pk, e, out_port);
	return V_ROUTE;
}

/* Routes an IP packet whose route lookup gave nhi: to control if it is
 * ours (ESP for us goes to the dec stage), into a tunnel if a policy says
 * so, else to its next hop. from is the SA it came out of (then dec is
 * unused), or NULL for plaintext; key its selector key, or NULL. */
static enum verdict ip_fwd(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			   const struct sgw_pkt *pk, uint32_t nhi, unsigned *out_port,
			   const struct sgw_sa *from, const struct sgw_spd_key *key,
			   struct stage *dec)
{
	uint8_t *ip = l3_of(m);
	const bool v4 = pk->cls == SGW_PKT_IP4;
	const uint8_t *dst = v4 ? ip + 16 : ip + 24;
	struct rte_ether_addr mac;
	const struct sgw_nh *nh;
	enum verdict v;
	unsigned out;

	/* Neighbour discovery lives on multicast; nothing else multicast is ours. */
	if (unlikely(pk->l3_mcast))
		return !v4 && pk->proto == IPPROTO_ICMPV6 && !from ?
			punt(m, SGW_PUNT_LOCAL, in, 0) : drop(w, in, SGW_DROP_MCAST);
	nh = sgw_route_nh(nhi);
	if (nh->type == SGW_NH_LOCAL)
		return from ? punt(m, SGW_PUNT_LOCAL, in, nhi) :
			      local_in(w, m, in, pk, dec, nhi);
	/* Link-local addresses never leave their link (RFC 4291 2.5.6). */
	if (unlikely(!v4 && (ip6_link_local(ip + 8) || ip6_link_local(ip + 24))))
		return drop(w, in, SGW_DROP_IP6_MARTIAN);
	if (unlikely((v4 ? ip[8] : ip[7]) <= 1))
		return drop_icmp(w, m, in, SGW_DROP_TTL_EXCEEDED, SGW_PUNT_ICMP_TTL, in);
	/* Policies first: a tunnel needs no route for what it carries. */
	if (w->spd[0] || (!from && w->spd[1])) {
		v = spd(w, m, in, pk, out_port, from, key);
		if (v != V_ROUTE)
			return v;
	}
	if (unlikely(nhi == SGW_NH_NONE))
		return drop_icmp(w, m, in, SGW_DROP_NO_ROUTE, SGW_PUNT_ICMP_NO_ROUTE, in);
	out = nh->port;
	if (unlikely(pk->l3_len > w->ports[out].mtu)) {
		if (!v4 || (ip[6] & 0x40))
			return drop_icmp(w, m, in, SGW_DROP_MTU_EXCEEDED,
					 SGW_PUNT_ICMP_TOO_BIG, out);
		return punt(m, SGW_PUNT_FRAGMENT, out, nhi);
	}
	if (unlikely(!resolve(w, out, v4 ? AF_INET : AF_INET6,
					nh->type == SGW_NH_VIA ? nh->gw : dst, &mac)))
		return punt(m, SGW_PUNT_NEIGH_MISS, out, nhi);
	ttl_dec(ip);
	rewrite_l2(m, &mac, &w->ports[out].mac);
	*out_port = out;
	return V_TX;
}

/* The first pass: validates a frame and stages the IP packets. */
static enum verdict validate(struct sgw_worker *w, struct rte_mbuf *m,
			     unsigned in, struct stage *st)
{
	struct sgw_pkt pk;
	uint32_t frame_len;

	if (unlikely(m->nb_segs != 1))
		return drop(w, in, SGW_DROP_MULTI_SEG);
	pk = sgw_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			    w->ports[in].mac.addr_bytes);
	switch (pk.cls) {
	case SGW_PKT_ARP:
		return punt(m, SGW_PUNT_LOCAL, in, 0);
	case SGW_PKT_IP4:
	case SGW_PKT_IP6:
		/* Drop Ethernet padding so lengths below are the datagram's. */
		frame_len = SGW_ETH_HLEN + pk.l3_len;
		if (m->pkt_len > frame_len)
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - frame_len));
		stage_add(st, m, &pk, NULL);
		return V_STAGED;
	default:
		return drop(w, in, (enum sgw_drop)pk.drop);
	}
}

static void flush_tx(struct sgw_worker *w, struct burst *b)
{
	for (unsigned p = 0; p < w->n_ports; p++) {
		unsigned n = b->n_tx[p], sent;

		if (!n)
			continue;
		sent = rte_eth_tx_burst(w->ports[p].port_id, (uint16_t)w->id,
					b->tx[p], (uint16_t)n);
		sgw_cnt_add(&w->cnt[p].tx_packets, sent);
		if (unlikely(sent < n)) {
			sgw_cnt_add(&w->cnt[p].drops[SGW_DROP_TX_FULL], n - sent);
			rte_pktmbuf_free_bulk(&b->tx[p][sent], n - sent);
		}
		b->n_tx[p] = 0;
	}
}

static void flush_punt(struct sgw_worker *w, struct burst *b, unsigned in)
{
	unsigned n = b->n_punt, q;

	if (!n)
		return;
	q = rte_ring_enqueue_burst(w->punt, (void **)b->punt, n, NULL);
	sgw_cnt_add(&w->cnt[in].punted, q);
	if (unlikely(q < n)) {
		sgw_cnt_add(&w->cnt[in].drops[SGW_DROP_PUNT_RING_FULL], n - q);
		rte_pktmbuf_free_bulk(&b->punt[q], n - q);
	}
	b->n_punt = 0;
	sgw_dp_wake_control();
}

/* Where a packet goes once its verdict is known. */
static void emit(struct burst *b, struct rte_mbuf *m, enum verdict v, unsigned in,
		 unsigned out)
{
	switch (v) {
	case V_TX:
		b->tx[out][b->n_tx[out]++] = m;
		break;
	case V_PUNT:
		sgw_punt_meta(m)->in_port = (uint8_t)in;
		b->punt[b->n_punt++] = m;
		break;
	case V_STAGED:
		break;
	case V_DROP:
	case V_ROUTE:
		rte_pktmbuf_free(m);
		break;
	}
}

#define NOT_SAME 0xff
_Static_assert(SGW_BURST < NOT_SAME, "packet indexes fit a byte");

/* The routes of a stage's packets: one bulk lookup per family. Multicast
 * needs none (ip_fwd decides before it looks). */
static void route_stage(struct stage *st)
{
	uint32_t a4[SGW_BURST];
	uint8_t a6[SGW_BURST][16];
	uint64_t nh4[SGW_BURST], nh6[SGW_BURST];
	uint8_t i4[SGW_BURST], i6[SGW_BURST], same[SGW_BURST];
	unsigned i, n4 = 0, n6 = 0, n = st->n;

	for (i = 0; i < st->n; i++) {
		const uint8_t *ip = l3_of(st->m[i]);

		st->nhi[i] = SGW_NH_NONE;
		same[i] = NOT_SAME;
		if (st->pk[i].l3_mcast)
			continue;
		if (st->pk[i].cls == SGW_PKT_IP4) {
			const uint32_t a = sgw_get_be32(ip + 16);

			/* A run of packets to one destination (a flow's burst,
			 * a tunnel to one host) is looked up once. */
			if (n4 && a4[n4 - 1] == a) {
				same[i] = i4[n4 - 1];
				continue;
			}
			a4[n4] = a;
			i4[n4++] = (uint8_t)i;
		} else {
			memcpy(a6[n6], ip + 24, 16);
			i6[n6++] = (uint8_t)i;
		}
	}
	if (n4) {
		sgw_route_lookup4_bulk(a4, nh4, n4);
		for (i = 0; i < n4; i++)
			st->nhi[i4[i]] = (uint32_t)nh4[i];
		if (n4 < n)
			for (i = 0; i < n; i++)
				if (same[i] != NOT_SAME)
					st->nhi[i] = st->nhi[same[i]];
	}
	if (n6) {
		sgw_route_lookup6_bulk(a6, nh6, n6);
		for (i = 0; i < n6; i++)
			st->nhi[i6[i]] = (uint32_t)nh6[i];
	}
}

/* A packet out of ESP must match an inbound policy of its SA (RFC 4301
 * 5.2: the post-decryption check); then it is forwarded like a received
 * one, with the same selector key. */
static enum verdict dec_fwd(struct sgw_worker *w, struct stage *st, unsigned i,
			    unsigned in, unsigned *out)
{
	struct rte_mbuf *m = st->m[i];
	const struct sgw_sa *sa = st->from[i];
	const struct sgw_spd_entry *e;
	struct sgw_spd_key key;

	spd_key(l3_of(m), &st->pk[i], &key);
	e = sgw_spd_check_sa(&key, sa->cold.slot, sa->h.gen);
	if (unlikely(!e))
		return drop(w, in, SGW_DROP_ESP_POLICY);
	hit(w, e);
	return ip_fwd(w, m, in, &st->pk[i], st->nhi[i], out, sa, &key, NULL);
}

/* Routes and forwards a stage; ESP for us moves on to dec. */
static void forward(struct sgw_worker *w, struct burst *b, struct stage *st,
		    unsigned in, struct stage *dec)
{
	unsigned i, out = 0;
	enum verdict v;

	route_stage(st);
	for (i = 0; i < st->n; i++) {
		v = st->from[i] ? dec_fwd(w, st, i, in, &out) :
			ip_fwd(w, st->m[i], in, &st->pk[i], st->nhi[i], &out, NULL, NULL, dec);
		emit(b, st->m[i], v, in, out);
	}
	st->n = 0;
}

static unsigned poll_port(struct sgw_worker *w, unsigned in, struct burst *b)
{
	struct rte_mbuf *rx[SGW_BURST];
	unsigned n, i;

	n = rte_eth_rx_burst(w->ports[in].port_id, (uint16_t)w->id, rx, SGW_BURST);
	if (!n)
		return 0;
	burst_begin(w);
	sgw_cnt_add(&w->cnt[in].rx_packets, n);
	for (i = 0; i < n; i++)
		emit(b, rx[i], validate(w, rx[i], in, &b->plain), in, 0);
	forward(w, b, &b->plain, in, &b->dec);
	forward(w, b, &b->dec, in, NULL);
	burst_end(w);
	flush_tx(w, b);
	flush_punt(w, b, in);
	return n;
}

/* Frames that met the SPD before control held or fragmented them, and IKE
 * (RFC 4301 5.1: IKE bypasses the SPD), go out as they are. */
static bool past_spd(uint8_t reason)
{
	return reason == SGW_PUNT_IKE || reason == SGW_PUNT_FRAGMENT_OWN ||
	       reason == SGW_PUNT_NEIGH_MISS || reason == SGW_PUNT_NEIGH_MISS_OWN;
}

/* A frame control built for port p: straight out, unless the outbound SPD
 * wants it protected (the gateway's own ICMP, echo replies: with transport
 * mode that is how a host-to-gateway SA answers). */
static enum verdict ctl_frame(struct sgw_worker *w, struct rte_mbuf *m, unsigned p,
			      unsigned *out)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *ip = l3_of(m);
	const struct sgw_spd_entry *e;
	struct sgw_spd_key key;
	struct sgw_pkt pk = { 0 };

	*out = p;
	if (past_spd(sgw_punt_meta(m)->reason))
		return V_TX;
	if (!w->spd[0] || m->pkt_len < SGW_ETH_HLEN + 40)
		return V_TX;
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) && (ip[0] >> 4) == 4) {
		pk.cls = SGW_PKT_IP4;
		pk.proto = ip[9];
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) &&
		   (ip[0] >> 4) == 6) {
		pk.cls = SGW_PKT_IP6;
		pk.proto = ip[6];
	} else {
		return V_TX;
	}
	pk.l3_len = (uint16_t)(m->pkt_len - SGW_ETH_HLEN);
	if (is_nd(ip, &pk))
		return V_TX;
	spd_key(ip, &pk, &key);
	e = sgw_spd_lookup_view(w->spd[0], &key);
	if (!e || e->action == SGW_POLICY_BYPASS)
		return V_TX;
	hit(w, e);
	if (e->action == SGW_POLICY_DISCARD)
		return drop(w, p, SGW_DROP_POLICY_DISCARD);
	return esp_out(w, m, p, &pk, e, out);
}

/* Frames that control built (ARP, ND, ICMP, held packets) leave through
 * worker 0's TX queue, so no queue is shared between lcores. */
static unsigned drain_ctl_tx(struct sgw_worker *w, struct burst *b)
{
	struct rte_mbuf *m[SGW_BURST];
	unsigned p, n, i, out, total = 0;

	for (p = 0; p < w->n_ports; p++) {
		n = rte_ring_dequeue_burst(w->ports[p].ctl_tx, (void **)m, SGW_BURST, NULL);
		if (!n)
			continue;
		burst_begin(w);
		for (i = 0; i < n; i++) {
			switch (ctl_frame(w, m[i], p, &out)) {
			case V_TX:
				b->tx[out][b->n_tx[out]++] = m[i];
				break;
			case V_PUNT:
				sgw_punt_meta(m[i])->in_port = (uint8_t)p;
				b->punt[b->n_punt++] = m[i];
				break;
			default:
				rte_pktmbuf_free(m[i]);
				break;
			}
		}
		burst_end(w);
		flush_tx(w, b);
		flush_punt(w, b, p);
		total += n;
	}
	return total;
}

int sgw_worker_main(void *arg)
{
	struct sgw_worker *w = arg;
	struct burst b;
	unsigned idle = 0, got, p;

	memset(&b, 0, sizeof(b));
	rte_rcu_qsbr_thread_register(w->rcu, w->id);
	rte_rcu_qsbr_thread_online(w->rcu, w->id);
	while (!__atomic_load_n(w->quit, __ATOMIC_RELAXED)) {
		got = 0;
		for (p = 0; p < w->n_ports; p++)
			got += poll_port(w, p, &b);
		if (w->id == 0)
			got += drain_ctl_tx(w, &b);
		rte_rcu_qsbr_quiescent(w->rcu, w->id);
		/* Several gateways and peers share two cores in tests (and a
		 * small box runs control beside its worker): an idle worker
		 * naps, offline for RCU so it never stalls a writer. Light
		 * traffic (bursts far from full) leaves a napping worker
		 * napping between polls: IDLE_POLLS empty polls per packet
		 * would take the shared core from control. Half-full bursts
		 * mean load: then it polls without napping. */
		if (got) {
			if (got >= SGW_BURST / 2)
				idle = 0;
			continue;
		}
		if (w->idle_sleep_us && ++idle >= IDLE_POLLS) {
			rte_rcu_qsbr_thread_offline(w->rcu, w->id);
			rte_delay_us_sleep(w->idle_sleep_us);
			rte_rcu_qsbr_thread_online(w->rcu, w->id);
		}
	}
	rte_rcu_qsbr_thread_offline(w->rcu, w->id);
	rte_rcu_qsbr_thread_unregister(w->rcu, w->id);
	return 0;
}
