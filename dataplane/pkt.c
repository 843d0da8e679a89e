/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "pkt.h"

/* Every parser returns its result by value (in a register), so the
 * caller's copy is one store. */
static struct sgw_pkt dropped(enum sgw_drop why)
{
	return (struct sgw_pkt){ .cls = SGW_PKT_DROP, .drop = (uint8_t)why };
}

static bool is_bcast(const uint8_t *m)
{
	static const uint8_t ff[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	return memcmp(m, ff, 6) == 0;
}

/* ARP for IPv4 over Ethernet only (RFC 826); anything else is not ours. */
static struct sgw_pkt parse_arp(const uint8_t *l3, uint32_t left)
{
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)l3;

	if (unlikely(left < sizeof(*a)))
		return dropped(SGW_DROP_ARP_BAD);
	if (unlikely(a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
		     a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		     a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4))
		return dropped(SGW_DROP_ARP_BAD);
	return (struct sgw_pkt){ .cls = SGW_PKT_ARP, .l3_len = sizeof(*a) };
}

static bool ip4_src_martian(uint32_t a)
{
	uint8_t top = a >> 24;
	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4 reserved
	 * and limited broadcast (RFC 1812 5.3.7): never a valid source. */
	return top == 0 || top == 127 || top >= 224;
}

/* The one's-complement sum of an IPv4 header (RFC 1071): 0xffff when its
 * checksum is right. The 20-byte header without options, nearly every
 * packet, is five 32-bit words from registers. */
static uint16_t ip4_hdr_sum(const uint8_t *ip, uint32_t hlen)
{
	uint32_t w[5];
	uint64_t sum;

	if (unlikely(hlen != 20))
		return rte_raw_cksum(ip, hlen);
	memcpy(w, ip, 20);
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static struct sgw_pkt parse_ip4(const uint8_t *l3, uint32_t left)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
	uint32_t hlen, tlen, src, dst;

	if (unlikely(left < sizeof(*ip)))
		return dropped(SGW_DROP_IP4_HDR);
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tlen = rte_be_to_cpu_16(ip->total_length);
	/* Peer lies about lengths: header inside the datagram, datagram inside
	 * the frame. Longer frames are Ethernet padding and get trimmed. */
	if (unlikely((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
		     hlen > left || tlen < hlen || tlen > left))
		return dropped(SGW_DROP_IP4_HDR);
	if (unlikely(ip4_hdr_sum(l3, hlen) != 0xffff))
		return dropped(SGW_DROP_IP4_CSUM);
	src = rte_be_to_cpu_32(ip->src_addr);
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (unlikely(ip4_src_martian(src) || (dst >> 24) == 0 || (dst >> 24) == 127))
		return dropped(SGW_DROP_IP4_MARTIAN);
	return (struct sgw_pkt){ .cls = SGW_PKT_IP4, .proto = ip->next_proto_id,
				 .l3_len = (uint16_t)tlen,
				 .l3_mcast = (dst >> 28) == 0xe || dst == 0xffffffffu };
}

static bool ip6_loopback_or_unspec(const uint8_t *a)
{
	static const uint8_t zero[15];
	return memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1);
}

static struct sgw_pkt parse_ip6(const uint8_t *l3, uint32_t left)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
	uint32_t plen;

	if (unlikely(left < sizeof(*ip)))
		return dropped(SGW_DROP_IP6_HDR);
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* payload_len 0 would mean a jumbogram (RFC 2675): not on Ethernet. */
	if (unlikely((l3[0] >> 4) != 6 || plen == 0 ||
		     sizeof(*ip) + plen > left))
		return dropped(SGW_DROP_IP6_HDR);
	/* A multicast or loopback source is never valid; the unspecified
	 * source is allowed only for duplicate address detection, which is
	 * multicast and handled locally. */
	if (unlikely(ip->src_addr[0] == 0xff || ip6_loopback_or_unspec(ip->dst_addr) ||
		     (ip6_loopback_or_unspec(ip->src_addr) &&
		      (ip->src_addr[15] == 1 || ip->dst_addr[0] != 0xff))))
		return dropped(SGW_DROP_IP6_MARTIAN);
	return (struct sgw_pkt){ .cls = SGW_PKT_IP6, .proto = ip->proto,
				 .l3_len = (uint16_t)(sizeof(*ip) + plen),
				 .l3_mcast = ip->dst_addr[0] == 0xff };
}

struct sgw_pkt sgw_pkt_parse(const uint8_t *f, uint32_t len, const uint8_t mac[6])
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)f;
	const uint8_t *dmac = eth->dst_addr.addr_bytes;
	struct sgw_pkt r;

	if (unlikely(len < SGW_ETH_HLEN))
		return dropped(SGW_DROP_RUNT);
	/* Unicast to another host (af_packet and promiscuous NICs show us
	 * those) is not ours to route. Group addresses are checked per type. */
	if (unlikely(!(dmac[0] & 1) && memcmp(dmac, mac, 6) != 0))
		return dropped(SGW_DROP_L2_OTHER_HOST);

	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		return parse_arp(f + SGW_ETH_HLEN, len - SGW_ETH_HLEN);
	case RTE_ETHER_TYPE_IPV4:
		r = parse_ip4(f + SGW_ETH_HLEN, len - SGW_ETH_HLEN);
		if (r.cls == SGW_PKT_IP4 && (dmac[0] & 1) && !r.l3_mcast)
			return dropped(SGW_DROP_L2_OTHER_HOST);
		return r;
	case RTE_ETHER_TYPE_IPV6:
		r = parse_ip6(f + SGW_ETH_HLEN, len - SGW_ETH_HLEN);
		if (r.cls == SGW_PKT_IP6 && ((dmac[0] & 1) != r.l3_mcast || is_bcast(dmac)))
			return dropped(SGW_DROP_L2_OTHER_HOST);
		return r;
	default:
		return dropped(SGW_DROP_ETHERTYPE);
	}
}

struct sgw_pkt sgw_pkt_parse_ip(const uint8_t *l3, uint32_t len, int family)
{
	return family == AF_INET ? parse_ip4(l3, len) : parse_ip6(l3, len);
}
