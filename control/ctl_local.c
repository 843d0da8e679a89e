/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What workers punt to the control core: ARP and IPv6 neighbour discovery,
 * ICMP echo for the gateway's own addresses, the ICMP errors a router must
 * send (RFC 1812, RFC 4443), packets held while their next hop is resolved,
 * and IPv4 fragmentation. Every punted frame arrives validated by
 * dataplane/pkt.c (lengths, checksums), single-segment and trimmed; what is
 * read beyond the IP header is checked here before use.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_random.h>

#include "ctl.h"
#include "dataplane.h"
#include "neigh.h"
#include "route.h"

#define ETH_HLEN 14
#define ICMP4_QUOTE_MAX (576 - 20 - 8)   /* RFC 1812 4.3.2.3 */
#define ICMP6_QUOTE_MAX (1280 - 40 - 8)  /* RFC 4443 2.4 (c) */
#define ICMP_RATE 200                    /* errors per second, token bucket */
#define ICMP_BURST 100
#define NEIGH_RETRANS_S 1
#define NEIGH_MAX_PROBES 3
#define NEIGH_REACHABLE_S 30
#define ND_HOP_LIMIT 255
#define MAX_FRAGS 64

/* ICMPv6 types (RFC 4443, RFC 4861). */
enum {
	ICMP6_DST_UNREACH = 1, ICMP6_PKT_TOO_BIG = 2, ICMP6_TIME_EXCEEDED = 3,
	ICMP6_ECHO_REQUEST = 128, ICMP6_ECHO_REPLY = 129,
	ND_ROUTER_SOLICIT = 133, ND_ROUTER_ADVERT = 134,
	ND_NEIGHBOR_SOLICIT = 135, ND_NEIGHBOR_ADVERT = 136, ND_REDIRECT = 137,
};
#define ND_OPT_SOURCE_LLA 1
#define ND_OPT_TARGET_LLA 2
#define NA_FLAG_ROUTER    0x80000000u
#define NA_FLAG_SOLICITED 0x40000000u
#define NA_FLAG_OVERRIDE  0x20000000u

/* Neighbour solicitation/advertisement body after the 4-byte ICMPv6 header. */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t flags;      /* NA flags; reserved in NS */
	uint8_t target[16];
} __rte_packed;
_Static_assert(sizeof(struct nd_msg) == 24, "RFC 4861 4.3/4.4 layout");

struct nd_lla_opt {
	uint8_t type;
	uint8_t len;           /* in units of 8 bytes */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __rte_packed;
_Static_assert(sizeof(struct nd_lla_opt) == 8, "RFC 4861 4.6.1 layout");

static struct {
	uint64_t tokens;        /* ICMP error budget, in 1/hz units of a token */
	uint64_t last_tsc;
} rl;

/* ---------------------------------------------------------------- helpers */

static const struct sgw_conf_port *cport(unsigned p)
{
	return sgw_dp_port(p)->conf;
}

static unsigned alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool port_owns(unsigned p, int family, const uint8_t *a)
{
	const struct sgw_conf_port *cp = cport(p);

	for (unsigned i = 0; i < cp->n_addrs; i++)
		if (cp->addrs[i].family == family &&
		    memcmp(cp->addrs[i].addr, a, alen(family)) == 0)
			return true;
	return false;
}

static void link_local(unsigned p, uint8_t *a)
{
	const uint8_t *m = sgw_dp_port(p)->mac.addr_bytes;
	const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0] ^ 2, m[1], m[2],
				 0xff, 0xfe, m[3], m[4], m[5] };

	memcpy(a, ll, 16);
}

static bool port_owns6(unsigned p, const uint8_t *a)
{
	uint8_t ll[16];

	link_local(p, ll);
	return port_owns(p, AF_INET6, a) || memcmp(ll, a, 16) == 0;
}

/* The port's address on the subnet of peer, else its first of the family;
 * IPv6 falls back to the link-local address. */
static bool port_src(unsigned p, int family, const uint8_t *peer, uint8_t *out)
{
	const struct sgw_conf_port *cp = cport(p);
	const struct sgw_prefix *first = NULL;

	for (unsigned i = 0; i < cp->n_addrs; i++) {
		if (cp->addrs[i].family != family)
			continue;
		if (!first)
			first = &cp->addrs[i];
		if (peer && sgw_prefix_contains(&cp->addrs[i], peer, family)) {
			first = &cp->addrs[i];
			break;
		}
	}
	if (first) {
		memcpy(out, first->addr, alen(family));
		return true;
	}
	if (family == AF_INET6) {
		link_local(p, out);
		return true;
	}
	return false;
}

static struct rte_mbuf *frame_new(unsigned len, uint16_t ether_type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sgw_dp_pool());
	char *d;

	if (!m || !(d = rte_pktmbuf_append(m, (uint16_t)len))) {
		rte_pktmbuf_free(m);
		CTL_COUNT(NO_MBUF);
		return NULL;
	}
	memset(d, 0, len);
	((struct rte_ether_hdr *)d)->ether_type = rte_cpu_to_be_16(ether_type);
	sgw_punt_meta(m)->reason = 0;
	return m;
}

static void eth_fill(struct rte_mbuf *m, unsigned port,
		     const struct rte_ether_addr *dst, uint16_t type)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&sgw_dp_port(port)->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(type);
}

static void tx(unsigned port, struct rte_mbuf *m)
{
	if (sgw_dp_tx(port, m) < 0)
		CTL_COUNT(TX_RING_FULL);
}

/* ICMPv6 fields sit at odd offsets in the frame: store through memcpy. */
static void put_be32(uint8_t *p, uint32_t v)
{
	rte_be32_t be = rte_cpu_to_be_32(v);

	memcpy(p, &be, sizeof(be));
}

static void put_sum(uint8_t *p, uint16_t sum)  /* already in wire order */
{
	memcpy(p, &sum, sizeof(sum));
}

static void *l3(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, void *, ETH_HLEN);
}

/* ------------------------------------------------- solicitations and ARP */

static void arp_send(unsigned port, uint16_t op, const struct rte_ether_addr *dmac,
		     const uint8_t *sip, const struct rte_ether_addr *tha,
		     const uint8_t *tip)
{
	struct rte_mbuf *m = frame_new(ETH_HLEN + sizeof(struct rte_arp_hdr), RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a;

	if (!m)
		return;
	eth_fill(m, port, dmac, RTE_ETHER_TYPE_ARP);
	a = l3(m);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&sgw_dp_port(port)->mac, &a->arp_data.arp_sha);
	memcpy(&a->arp_data.arp_sip, sip, 4);
	rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	memcpy(&a->arp_data.arp_tip, tip, 4);
	tx(port, m);
}

static void nd_send(unsigned port, uint8_t type, const uint8_t *src,
		    const uint8_t *dst, const struct rte_ether_addr *dmac,
		    const uint8_t *target, uint32_t flags)
{
	unsigned len = sizeof(struct rte_ipv6_hdr) + sizeof(struct nd_msg) +
		       sizeof(struct nd_lla_opt);
	struct rte_mbuf *m = frame_new(ETH_HLEN + len, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip;
	struct nd_msg *nd;
	struct nd_lla_opt *o;

	if (!m)
		return;
	eth_fill(m, port, dmac, RTE_ETHER_TYPE_IPV6);
	ip = l3(m);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = ND_HOP_LIMIT;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	nd = (struct nd_msg *)(ip + 1);
	nd->type = type;
	nd->flags = rte_cpu_to_be_32(flags);
	memcpy(nd->target, target, 16);
	o = (struct nd_lla_opt *)(nd + 1);
	o->type = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLA : ND_OPT_TARGET_LLA;
	o->len = 1;
	memcpy(o->mac, sgw_dp_port(port)->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd->cksum = rte_ipv6_udptcp_cksum(ip, nd);
	tx(port, m);
}

/* Broadcast/multicast while resolving, unicast when re-confirming (PROBE). */
static void solicit(struct sgw_neigh *n)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;
	struct rte_ether_addr dmac;
	uint8_t src[16], dst[16];

	n->probes++;
	n->next_probe_tsc = rte_get_tsc_cycles() + NEIGH_RETRANS_S * rte_get_tsc_hz();
	if (!port_src(n->port, n->family, n->addr, src)) {
		CTL_COUNT(NO_SOURCE_ADDR);
		return;
	}
	if (n->state == SGW_NEIGH_PROBE)
		sgw_neigh_mac(n, &dmac);
	if (n->family == AF_INET) {
		arp_send(n->port, RTE_ARP_OP_REQUEST,
			 n->state == SGW_NEIGH_PROBE ? &dmac : &bcast, src, &zero, n->addr);
		CTL_COUNT(ARP_REQUEST_OUT);
		return;
	}
	memcpy(dst, n->addr, 16);
	if (n->state != SGW_NEIGH_PROBE) {
		/* Solicited-node multicast ff02::1:ffXX:XXXX (RFC 4291 2.7.1). */
		static const uint8_t sn[13] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
		memcpy(dst, sn, 13);
		memcpy(&dmac, (const uint8_t[]){ 0x33, 0x33, 0xff, n->addr[13],
						 n->addr[14], n->addr[15] }, 6);
	}
	nd_send(n->port, ND_NEIGHBOR_SOLICIT, src, dst, &dmac, n->addr, 0);
	CTL_COUNT(ND_NS_OUT);
}

/* ------------------------------------------------------ the output path */

/* Held transit packets had their TTL left alone by the worker. */
static void finish_and_tx(struct rte_mbuf *m, unsigned port,
			  const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	/* The worker left forwarding's TTL decrement to us; packets it built
	 * itself (ESP) carry a fresh TTL. */
	if (sgw_punt_meta(m)->reason == SGW_PUNT_NEIGH_MISS) {
		if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
			struct rte_ipv4_hdr *ip = l3(m);
			ip->time_to_live--;
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		} else {
			((struct rte_ipv6_hdr *)l3(m))->hop_limits--;
		}
	}
	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(&sgw_dp_port(port)->mac, &eth->src_addr);
	tx(port, m);
}

/* Linux-like: when the queue is full the oldest packet makes room. */
static void hold(struct sgw_neigh *n, struct rte_mbuf *m)
{
	if (n->n_held == SGW_NEIGH_HOLD) {
		rte_pktmbuf_free(n->held[0]);
		memmove(&n->held[0], &n->held[1], (SGW_NEIGH_HOLD - 1) * sizeof(m));
		n->n_held--;
		CTL_COUNT(NEIGH_HOLD_OVERFLOW);
	}
	n->held[n->n_held++] = m;
	CTL_COUNT(NEIGH_HELD);
}

static void resolve_and_send(struct rte_mbuf *m, unsigned port, int family,
			     const uint8_t *nbr)
{
	struct rte_ether_addr mac;
	struct sgw_neigh *n;

	if (sgw_neigh_resolve(port, family, nbr, &mac)) {
		finish_and_tx(m, port, &mac);
		return;
	}
	n = sgw_neigh_find(port, family, nbr);
	if (!n) {
		n = sgw_neigh_add(port, family, nbr);
		if (!n) {
			CTL_COUNT(NEIGH_TABLE_FULL);
			rte_pktmbuf_free(m);
			return;
		}
		solicit(n);
	}
	hold(n, m);
}

static void output_routed(struct rte_mbuf *m, int family, const uint8_t *dst)
{
	uint32_t a4, nhi;
	const struct sgw_nh *nh;

	memcpy(&a4, dst, 4);
	nhi = family == AF_INET ? sgw_route_lookup4(a4) : sgw_route_lookup6(dst);
	nh = sgw_route_nh(nhi);
	if (nhi == SGW_NH_NONE || nh->type == SGW_NH_LOCAL) {
		CTL_COUNT(NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	resolve_and_send(m, nh->port, family, nh->type == SGW_NH_VIA ? nh->gw : dst);
}

static void learn(unsigned port, int family, const uint8_t *addr,
		  const struct rte_ether_addr *mac, bool create)
{
	struct sgw_neigh *n = sgw_neigh_find(port, family, addr);

	if (!n && create)
		n = sgw_neigh_add(port, family, addr);
	if (!n || n->state == SGW_NEIGH_STATIC)
		return;
	sgw_neigh_set_mac(n, mac);
	for (unsigned i = 0; i < n->n_held; i++)
		finish_and_tx(n->held[i], port, mac);
	n->n_held = 0;
}

/* ------------------------------------------------------------ ICMP errors */

static bool icmp_budget(void)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();
	uint64_t cap = (uint64_t)ICMP_BURST * hz;

	rl.tokens += (now - rl.last_tsc) * ICMP_RATE;
	if (rl.tokens > cap || rl.last_tsc == 0)
		rl.tokens = cap;
	rl.last_tsc = now;
	if (rl.tokens < hz)
		return false;
	rl.tokens -= hz;
	return true;
}

/* RFC 1812 4.3.2.7: no error about an ICMP error or a non-first fragment. */
static bool icmp4_suppress(const struct rte_ipv4_hdr *ip, unsigned l3_len)
{
	unsigned hlen = rte_ipv4_hdr_len(ip);

	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
		return true;
	if (ip->next_proto_id == IPPROTO_ICMP && l3_len > hlen) {
		uint8_t t = ((const uint8_t *)ip)[hlen];
		return t != RTE_IP_ICMP_ECHO_REQUEST && t != RTE_IP_ICMP_ECHO_REPLY &&
		       t != 13 && t != 14;
	}
	return false;
}

static void icmp4_error(struct rte_mbuf *orig, unsigned in, uint8_t type,
			uint8_t code, uint32_t rest)
{
	const struct rte_ipv4_hdr *oip = l3(orig);
	unsigned l3_len = rte_pktmbuf_pkt_len(orig) - ETH_HLEN;
	unsigned quote = RTE_MIN(l3_len, (unsigned)ICMP4_QUOTE_MAX);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *m = NULL;
	uint8_t src[4];

	if (icmp4_suppress(oip, l3_len))
		CTL_COUNT(ICMP_ERR_SUPPRESSED);
	else if (!port_src(in, AF_INET, (const uint8_t *)&oip->src_addr, src))
		CTL_COUNT(NO_SOURCE_ADDR);
	else if (!icmp_budget())
		CTL_COUNT(ICMP_ERR_RATELIMITED);
	else
		m = frame_new(ETH_HLEN + sizeof(*ip) + sizeof(*ic) + quote,
			      RTE_ETHER_TYPE_IPV4);
	if (!m) {
		rte_pktmbuf_free(orig);
		return;
	}
	ip = l3(m);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ic) + quote));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src, 4);
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = type;
	ic->icmp_code = code;
	ic->icmp_ident = rte_cpu_to_be_16((uint16_t)(rest >> 16));
	ic->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)rest);
	memcpy(ic + 1, oip, quote);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, sizeof(*ic) + quote);
	rte_pktmbuf_free(orig);
	CTL_COUNT(ICMP_ERR_OUT);
	output_routed(m, AF_INET, (const uint8_t *)&ip->dst_addr);
}

/* RFC 4443 2.4 (e): not about an error, not to a multicast destination
 * (Packet Too Big excepted), not to an unspecified or multicast source. */
static bool icmp6_suppress(const struct rte_ipv6_hdr *ip, unsigned l3_len,
			   uint8_t type)
{
	static const uint8_t zero[16];

	if (ip->src_addr[0] == 0xff || memcmp(ip->src_addr, zero, 16) == 0)
		return true;
	if (ip->dst_addr[0] == 0xff && type != ICMP6_PKT_TOO_BIG)
		return true;
	return ip->proto == IPPROTO_ICMPV6 && l3_len > sizeof(*ip) &&
	       ((const uint8_t *)(ip + 1))[0] < 128;
}

static void icmp6_error(struct rte_mbuf *orig, unsigned in, uint8_t type,
			uint8_t code, uint32_t rest)
{
	const struct rte_ipv6_hdr *oip = l3(orig);
	unsigned l3_len = rte_pktmbuf_pkt_len(orig) - ETH_HLEN;
	unsigned quote = RTE_MIN(l3_len, (unsigned)ICMP6_QUOTE_MAX);
	struct rte_ipv6_hdr *ip;
	uint8_t *ic, src[16];
	struct rte_mbuf *m = NULL;

	if (icmp6_suppress(oip, l3_len, type))
		CTL_COUNT(ICMP_ERR_SUPPRESSED);
	else if (!icmp_budget())
		CTL_COUNT(ICMP_ERR_RATELIMITED);
	else
		m = frame_new(ETH_HLEN + sizeof(*ip) + 8 + quote, RTE_ETHER_TYPE_IPV6);
	if (!m) {
		rte_pktmbuf_free(orig);
		return;
	}
	port_src(in, AF_INET6, oip->src_addr, src);
	ip = l3(m);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, oip->src_addr, 16);
	ic = (uint8_t *)(ip + 1);
	ic[0] = type;
	ic[1] = code;
	put_be32(ic + 4, rest);
	memcpy(ic + 8, oip, quote);
	put_sum(ic + 2, rte_ipv6_udptcp_cksum(ip, ic));
	rte_pktmbuf_free(orig);
	CTL_COUNT(ICMP_ERR_OUT);
	output_routed(m, AF_INET6, ip->dst_addr);
}

static void icmp_error(struct rte_mbuf *m, unsigned in, bool v4, uint8_t t4,
		       uint8_t c4, uint8_t t6, uint8_t c6, uint32_t rest)
{
	if (v4)
		icmp4_error(m, in, t4, c4, rest);
	else
		icmp6_error(m, in, t6, c6, rest);
}

/* ----------------------------------------------------------- ARP input */

static void arp_input(struct rte_mbuf *m, unsigned in)
{
	struct rte_arp_hdr *a = l3(m);
	struct rte_arp_ipv4 *d = &a->arp_data;
	uint16_t op = rte_be_to_cpu_16(a->arp_opcode);
	const struct rte_ether_addr sha = d->arp_sha;
	uint8_t sip[4], tip[4];
	bool for_us, on_link = false;

	memcpy(sip, &d->arp_sip, 4);
	memcpy(tip, &d->arp_tip, 4);
	for_us = port_owns(in, AF_INET, tip);
	for (unsigned i = 0; i < cport(in)->n_addrs; i++)
		on_link |= sgw_prefix_contains(&cport(in)->addrs[i], sip, AF_INET);
	/* Only on-link senders are learnt: anyone else on the segment could
	 * otherwise fill the table with made-up addresses. */
	if (on_link && !rte_is_zero_ether_addr(&sha) && !rte_is_multicast_ether_addr(&sha))
		learn(in, AF_INET, sip, &sha, for_us && op == RTE_ARP_OP_REQUEST);
	if (!for_us) {
		CTL_COUNT(ARP_NOT_FOR_US);
	} else if (op == RTE_ARP_OP_REQUEST) {
		CTL_COUNT(ARP_REQUEST_IN);
		arp_send(in, RTE_ARP_OP_REPLY, &sha, tip, &sha, sip);
		CTL_COUNT(ARP_REPLY_OUT);
	} else if (op == RTE_ARP_OP_REPLY) {
		CTL_COUNT(ARP_REPLY_IN);
	}
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------- IPv4 input */

static void echo4(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, unsigned l4_len)
{
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	rte_be32_t a = ip->src_addr;

	if (l4_len < sizeof(*ic) || rte_raw_cksum(ic, l4_len) != 0xffff) {
		CTL_COUNT(ICMP_BAD);
		rte_pktmbuf_free(m);
		return;
	}
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		CTL_COUNT(LOCAL_UNHANDLED);
		rte_pktmbuf_free(m);
		return;
	}
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4_len);
	sgw_punt_meta(m)->reason = 0;
	CTL_COUNT(ECHO_REPLY_OUT);
	output_routed(m, AF_INET, (const uint8_t *)&ip->dst_addr);
}

static void local4(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = l3(m);
	unsigned hlen = rte_ipv4_hdr_len(ip);

	/* The gateway does not reassemble what is addressed to it. */
	if (rte_ipv4_frag_pkt_is_fragmented(ip)) {
		CTL_COUNT(LOCAL_FRAGMENT);
		rte_pktmbuf_free(m);
	} else if (ip->next_proto_id == IPPROTO_ICMP) {
		echo4(m, ip, rte_be_to_cpu_16(ip->total_length) - hlen);
	} else {
		CTL_COUNT(LOCAL_UNHANDLED);
		rte_pktmbuf_free(m);
	}
}

/* Sends fragments built from an IP packet without its Ethernet header. */
static void fragments_out(struct rte_mbuf **frags, int n, int family,
			  const uint8_t *dst, uint8_t reason)
{
	if (n < 0) {
		CTL_COUNT(FRAG_FAILED);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (family == AF_INET) {
			struct rte_ipv4_hdr *f = rte_pktmbuf_mtod(frags[i],
								  struct rte_ipv4_hdr *);

			f->hdr_checksum = 0;
			f->hdr_checksum = rte_ipv4_cksum(f);
		}
		if (!rte_pktmbuf_prepend(frags[i], ETH_HLEN)) {
			CTL_COUNT(FRAG_FAILED);
			rte_pktmbuf_free(frags[i]);
			continue;
		}
		rte_pktmbuf_mtod(frags[i], struct rte_ether_hdr *)->ether_type =
			rte_cpu_to_be_16(family == AF_INET ? RTE_ETHER_TYPE_IPV4 :
							     RTE_ETHER_TYPE_IPV6);
		sgw_punt_meta(frags[i])->reason = reason;
		CTL_COUNT(FRAGMENTS_OUT);
		output_routed(frags[i], family, dst);
	}
}

/* IPv4 without DF, larger than the out port's MTU (RFC 791, RFC 1812 5.2.6). */
static void fragment4(struct rte_mbuf *m, unsigned out)
{
	struct rte_mbuf *frags[MAX_FRAGS];
	struct rte_ipv4_hdr *ip = l3(m);
	rte_be32_t dst = ip->dst_addr;
	int n;

	ip->time_to_live--;
	rte_pktmbuf_adj(m, ETH_HLEN);
	n = rte_ipv4_fragment_packet(m, frags, MAX_FRAGS, sgw_dp_port(out)->mtu,
				     sgw_dp_pool(), sgw_dp_pool());
	rte_pktmbuf_free(m);
	fragments_out(frags, n, AF_INET, (const uint8_t *)&dst, 0);
}

/* DPDK leaves the fragment header's Identification at 0; RFC 8200 4.5 wants
 * one per packet, different from recent ones to the same destination, or a
 * receiver may join fragments of different packets. A random start makes
 * them hard to predict (RFC 7739). */
static void frag6_ident(struct rte_mbuf **frags, int n)
{
	static uint32_t next;
	uint32_t id;

	if (!next)
		next = (uint32_t)rte_rand() | 1;
	id = rte_cpu_to_be_32(next++);
	for (int i = 0; i < n; i++) {
		struct rte_ipv6_fragment_ext *fh = rte_pktmbuf_mtod_offset(frags[i],
			struct rte_ipv6_fragment_ext *, sizeof(struct rte_ipv6_hdr));

		if (rte_pktmbuf_mtod(frags[i], struct rte_ipv6_hdr *)->proto ==
		    IPPROTO_FRAGMENT)
			memcpy(&fh->id, &id, sizeof(id));
	}
}

/* A packet we built that exceeds the out port's MTU: ESP whose inner packet
 * allowed fragmentation, fragmented after encryption (RFC 4301 8.1), or an
 * IKE datagram. We are its source, so IPv6 may be fragmented here. The
 * fragments keep their mark: both kinds are past the SPD. */
static void fragment_own(struct rte_mbuf *m, unsigned out, uint8_t reason)
{
	struct rte_mbuf *frags[MAX_FRAGS];
	uint16_t type = rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type);
	uint8_t dst[16];
	int n;

	rte_pktmbuf_adj(m, ETH_HLEN);
	if (type == RTE_ETHER_TYPE_IPV4) {
		memcpy(dst, &rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->dst_addr, 4);
		n = rte_ipv4_fragment_packet(m, frags, MAX_FRAGS, sgw_dp_port(out)->mtu,
					     sgw_dp_pool(), sgw_dp_pool());
	} else {
		memcpy(dst, rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *)->dst_addr, 16);
		n = rte_ipv6_fragment_packet(m, frags, MAX_FRAGS, sgw_dp_port(out)->mtu,
					     sgw_dp_pool(), sgw_dp_pool());
		frag6_ident(frags, n);
	}
	rte_pktmbuf_free(m);
	fragments_out(frags, n, type == RTE_ETHER_TYPE_IPV4 ? AF_INET : AF_INET6, dst,
		      reason);
}

/* ---------------------------------------------------------- IPv6 input */

/* Walks ND options; copies the link-layer address of the wanted type and
 * returns true if there is one. *bad is set when an option is malformed
 * (RFC 4861 4.6: length 0, or beyond the message). */
static bool nd_lla(const uint8_t *opt, unsigned left, uint8_t want,
		   struct rte_ether_addr *lla, bool *bad)
{
	bool found = false;

	while (left >= 2) {
		unsigned olen = opt[1] * 8u;
		if (olen == 0 || olen > left) {
			*bad = true;
			return false;
		}
		if (opt[0] == want && olen >= sizeof(struct nd_lla_opt)) {
			memcpy(lla->addr_bytes, opt + 2, RTE_ETHER_ADDR_LEN);
			found = true;
		}
		opt += olen;
		left -= olen;
	}
	return found;
}

static void nd_input(struct rte_mbuf *m, unsigned in, struct rte_ipv6_hdr *ip,
		     unsigned l4_len)
{
	static const uint8_t zero[16];
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	static const struct rte_ether_addr all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};
	const struct nd_msg *nd = (const struct nd_msg *)(ip + 1);
	struct rte_ether_addr lla;
	bool has_lla, bad = false, unspec = memcmp(ip->src_addr, zero, 16) == 0;
	uint8_t target[16], peer[16];
	struct rte_ether_addr dmac;

	/* RFC 4861 7.1: hop limit 255 proves the sender is on-link. */
	if (l4_len < sizeof(*nd) || ip->hop_limits != ND_HOP_LIMIT || nd->code != 0 ||
	    nd->target[0] == 0xff) {
		CTL_COUNT(ND_BAD);
		goto out;
	}
	has_lla = nd_lla((const uint8_t *)(nd + 1), l4_len - sizeof(*nd),
			 nd->type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLA :
			 ND_OPT_TARGET_LLA, &lla, &bad);
	if (bad || (unspec && has_lla)) {
		CTL_COUNT(ND_BAD);
		goto out;
	}
	memcpy(target, nd->target, 16);
	memcpy(peer, ip->src_addr, 16);
	if (nd->type == ND_NEIGHBOR_ADVERT) {
		CTL_COUNT(ND_NA_IN);
		if (has_lla)
			learn(in, AF_INET6, target, &lla, false);
		goto out;
	}
	CTL_COUNT(ND_NS_IN);
	if (!port_owns6(in, target)) {
		CTL_COUNT(ND_IGNORED);
		goto out;
	}
	if (has_lla && !unspec)
		learn(in, AF_INET6, peer, &lla, true);
	dmac = has_lla ? lla : rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	nd_send(in, ND_NEIGHBOR_ADVERT, target, unspec ? all_nodes : peer,
		unspec ? &all_nodes_mac : &dmac, target,
		NA_FLAG_ROUTER | NA_FLAG_OVERRIDE | (unspec ? 0 : NA_FLAG_SOLICITED));
	CTL_COUNT(ND_NA_OUT);
out:
	rte_pktmbuf_free(m);
}

static void echo6(struct rte_mbuf *m, struct rte_ipv6_hdr *ip, unsigned l4_len)
{
	uint8_t *ic = (uint8_t *)(ip + 1), a[16];

	if (ip->dst_addr[0] == 0xff) {   /* no answer to multicast echo */
		CTL_COUNT(LOCAL_UNHANDLED);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = 64;
	ic[0] = ICMP6_ECHO_REPLY;
	put_sum(ic + 2, 0);
	put_sum(ic + 2, rte_ipv6_udptcp_cksum(ip, ic));
	RTE_SET_USED(l4_len);
	sgw_punt_meta(m)->reason = 0;
	CTL_COUNT(ECHO_REPLY_OUT);
	output_routed(m, AF_INET6, ip->dst_addr);
}

static void local6(struct rte_mbuf *m, unsigned in)
{
	struct rte_ipv6_hdr *ip = l3(m);
	unsigned l4_len = rte_be_to_cpu_16(ip->payload_len);
	const uint8_t *ic = (const uint8_t *)(ip + 1);

	if (ip->proto != IPPROTO_ICMPV6) {
		CTL_COUNT(LOCAL_UNHANDLED);
		rte_pktmbuf_free(m);
		return;
	}
	if (l4_len < 8 || __rte_ipv6_udptcp_cksum(ip, ic) != 0xffff) {
		CTL_COUNT(ICMP_BAD);
		rte_pktmbuf_free(m);
		return;
	}
	switch (ic[0]) {
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		nd_input(m, in, ip, l4_len);
		return;
	case ICMP6_ECHO_REQUEST:
		echo6(m, ip, l4_len);
		return;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_REDIRECT:
		CTL_COUNT(ND_IGNORED);
		break;
	default:
		CTL_COUNT(LOCAL_UNHANDLED);
	}
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------- dispatch */

void sgw_local_input(struct rte_mbuf *m)
{
	struct sgw_punt_meta *pm = sgw_punt_meta(m);
	uint16_t type = rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type);
	bool v4 = type == RTE_ETHER_TYPE_IPV4;
	const struct sgw_nh *nh;

	switch (pm->reason) {
	case SGW_PUNT_LOCAL:
		if (type == RTE_ETHER_TYPE_ARP)
			arp_input(m, pm->in_port);
		else if (v4)
			local4(m);
		else
			local6(m, pm->in_port);
		return;
	case SGW_PUNT_NEIGH_MISS:
	case SGW_PUNT_NEIGH_MISS_OWN:
		nh = sgw_route_nh(pm->nh);
		resolve_and_send(m, nh->port, v4 ? AF_INET : AF_INET6,
				 nh->type == SGW_NH_VIA ? nh->gw :
				 v4 ? (const uint8_t *)&((struct rte_ipv4_hdr *)l3(m))->dst_addr :
				      ((struct rte_ipv6_hdr *)l3(m))->dst_addr);
		return;
	case SGW_PUNT_ICMP_NO_ROUTE:
		icmp_error(m, pm->in_port, v4, 3, 0, ICMP6_DST_UNREACH, 0, 0);
		return;
	case SGW_PUNT_ICMP_TTL:
		icmp_error(m, pm->in_port, v4, 11, 0, ICMP6_TIME_EXCEEDED, 0, 0);
		return;
	case SGW_PUNT_ICMP_TOO_BIG:
		/* RFC 1191: next-hop MTU in the low 16 bits; RFC 4443: 32 bits. */
		icmp_error(m, pm->in_port, v4, 3, 4, ICMP6_PKT_TOO_BIG, 0,
			   pm->mtu ? pm->mtu : sgw_dp_port(pm->out_port)->mtu);
		return;
	case SGW_PUNT_FRAGMENT:
		fragment4(m, pm->out_port);
		return;
	case SGW_PUNT_FRAGMENT_OWN:
		fragment_own(m, pm->out_port, SGW_PUNT_FRAGMENT_OWN);
		return;
	case SGW_PUNT_IKE:
		sgw_ctl_ike_input(m);
		return;
	default:
		rte_pktmbuf_free(m);
	}
}

/* The address we send from towards dst: the out port's address on dst's
 * subnet, else its first of the family. */
int sgw_local_source(int family, const uint8_t *dst, uint8_t *out)
{
	const struct sgw_nh *nh;
	uint32_t a4, nhi;

	memcpy(&a4, dst, 4);
	nhi = family == AF_INET ? sgw_route_lookup4(a4) : sgw_route_lookup6(dst);
	nh = sgw_route_nh(nhi);
	if (nhi == SGW_NH_NONE || nh->type == SGW_NH_LOCAL)
		return -ENETUNREACH;
	memset(out, 0, 16);
	return port_src(nh->port, family, nh->type == SGW_NH_VIA ? nh->gw : dst, out) ?
	       0 : -EADDRNOTAVAIL;
}

/* A packet control built as the source (IKE): routed, fragmented when larger
 * than the out port's MTU, resolved or held. reason marks it for worker 0
 * (SGW_PUNT_IKE: past the SPD, RFC 4301 5.1's IKE bypass). */
void sgw_local_output(struct rte_mbuf *m, int family, const uint8_t *dst,
		      uint8_t reason)
{
	const struct sgw_nh *nh;
	uint32_t a4, nhi;

	sgw_punt_meta(m)->reason = reason;
	memcpy(&a4, dst, 4);
	nhi = family == AF_INET ? sgw_route_lookup4(a4) : sgw_route_lookup6(dst);
	nh = sgw_route_nh(nhi);
	if (nhi == SGW_NH_NONE || nh->type == SGW_NH_LOCAL) {
		CTL_COUNT(NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	if (rte_pktmbuf_pkt_len(m) - ETH_HLEN > sgw_dp_port(nh->port)->mtu) {
		fragment_own(m, nh->port, reason);
		return;
	}
	resolve_and_send(m, nh->port, family, nh->type == SGW_NH_VIA ? nh->gw : dst);
}

/* ------------------------------------------------------ neighbour timers */

static void neigh_fail(struct sgw_neigh *n)
{
	CTL_COUNT(NEIGH_FAILED);
	for (unsigned i = 0; i < n->n_held; i++) {
		struct rte_mbuf *m = n->held[i];
		struct sgw_punt_meta *pm = sgw_punt_meta(m);

		/* Only transit packets get "host unreachable"; our own ICMP
		 * errors and echo replies are just dropped. */
		if (pm->reason == SGW_PUNT_NEIGH_MISS)
			icmp_error(m, pm->in_port, n->family == AF_INET, 3, 1,
				   ICMP6_DST_UNREACH, 3, 0);
		else
			rte_pktmbuf_free(m);
	}
	n->n_held = 0;
	sgw_neigh_del(n);
}

void sgw_local_tick(void)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();
	struct sgw_neigh *n;
	unsigned it = 0;

	while ((n = sgw_neigh_next(&it))) {
		if (n->state == SGW_NEIGH_STATIC)
			continue;
		if (n->state == SGW_NEIGH_REACHABLE) {
			if (now - n->changed_tsc < NEIGH_REACHABLE_S * hz)
				continue;
			n->state = SGW_NEIGH_PROBE;
			n->probes = 0;
			solicit(n);
		} else if (now >= n->next_probe_tsc) {
			if (n->probes >= NEIGH_MAX_PROBES)
				neigh_fail(n);
			else
				solicit(n);
		}
	}
}

/* Gratuitous ARP and unsolicited NA at start-up, so hosts that cached an
 * older MAC for our addresses (a restart on new hardware) update it. */
void sgw_local_announce(void)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };

	for (unsigned p = 0; p < sgw_dp_n_ports(); p++) {
		const struct sgw_conf_port *cp = cport(p);

		for (unsigned i = 0; i < cp->n_addrs; i++) {
			const uint8_t *a = cp->addrs[i].addr;
			if (cp->addrs[i].family == AF_INET)
				arp_send(p, RTE_ARP_OP_REQUEST, &bcast, a, &bcast, a);
			else
				nd_send(p, ND_NEIGHBOR_ADVERT, a, all_nodes, &all_nodes_mac,
					a, NA_FLAG_ROUTER | NA_FLAG_OVERRIDE);
		}
	}
}
