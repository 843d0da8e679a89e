/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame validation, table-driven: each case is a frame and its verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ip.h>

#include "pkt.h"

static const uint8_t MAC[6] = {0x02, 0, 0, 0, 0x0c, 0x01};

struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void eth(struct frame *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, (uint8_t[]){0x02, 0, 0, 0, 0x0c, 0x02}, 6);
	f->b[12] = (uint8_t)(type >> 8);
	f->b[13] = (uint8_t)type;
	f->len = 14;
}

static struct rte_ipv4_hdr *ip4(struct frame *f, uint32_t src, uint32_t dst,
				unsigned payload)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + 14);

	eth(f, MAC, 0x0800);
	memset(ip, 0, sizeof(*ip) + payload);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + payload));
	ip->time_to_live = 64;
	ip->next_proto_id = 17;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	f->len += 20 + payload;
	return ip;
}

static struct rte_ipv6_hdr *ip6(struct frame *f, const uint8_t *dmac,
				uint8_t src0, uint8_t dst0, unsigned payload)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f->b + 14);

	eth(f, dmac, 0x86dd);
	memset(ip, 0, sizeof(*ip) + payload);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)payload);
	ip->proto = 58;
	ip->hop_limits = 64;
	ip->src_addr[0] = src0;
	ip->src_addr[1] = 0x0d;
	ip->src_addr[15] = 2;
	ip->dst_addr[0] = dst0;
	ip->dst_addr[1] = 0x0d;
	ip->dst_addr[15] = 1;
	f->len += 40 + payload;
	return ip;
}

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define GOOD4 ip4(f, A(198, 51, 100, 2), A(203, 0, 113, 2), 8)

static void check(struct frame *f, enum sgw_pkt_class cls, enum sgw_drop why)
{
	struct sgw_pkt p;

	p = sgw_pkt_parse(f->b, f->len, MAC);
	assert_int_equal(p.cls, cls);
	if (cls == SGW_PKT_DROP)
		assert_string_equal(sgw_drop_names[p.drop], sgw_drop_names[why]);
}

static void test_ethernet(void **s)
{
	struct frame fr, *f = &fr;
	(void)s;

	f->len = 13;
	check(f, SGW_PKT_DROP, SGW_DROP_RUNT);
	GOOD4;
	f->b[0] = 0x02; f->b[5] = 0x99;             /* another host's MAC */
	check(f, SGW_PKT_DROP, SGW_DROP_L2_OTHER_HOST);
	eth(f, MAC, 0x8100);                        /* VLAN tag: not supported */
	f->len = 60;
	check(f, SGW_PKT_DROP, SGW_DROP_ETHERTYPE);
}

static void test_arp(void **s)
{
	static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct frame fr, *f = &fr;
	(void)s;

	eth(f, bc, 0x0806);
	memset(f->b + 14, 0, 28);
	memcpy(f->b + 14, (uint8_t[]){0, 1, 8, 0, 6, 4, 0, 1}, 8);
	f->len = 14 + 28;
	check(f, SGW_PKT_ARP, 0);
	f->len = 14 + 27;                            /* truncated */
	check(f, SGW_PKT_DROP, SGW_DROP_ARP_BAD);
	f->len = 14 + 28;
	f->b[14 + 4] = 8;                            /* hlen 8: not Ethernet */
	check(f, SGW_PKT_DROP, SGW_DROP_ARP_BAD);
}

static void test_ipv4(void **s)
{
	struct frame fr, *f = &fr;
	struct rte_ipv4_hdr *ip;
	struct sgw_pkt p;
	(void)s;

	GOOD4;
	check(f, SGW_PKT_IP4, 0);
	f->len += 18;                                 /* Ethernet padding */
	p = sgw_pkt_parse(f->b, f->len, MAC);
	assert_int_equal(p.cls, SGW_PKT_IP4);
	assert_int_equal(p.l3_len, 28);

	GOOD4;
	f->len = 14 + 19;                             /* cut inside the header */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->version_ihl = 0x44;                       /* IHL < 5 */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->version_ihl = 0x4f;                       /* IHL beyond the frame */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->total_length = rte_cpu_to_be_16(29);      /* claims more than sent */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->total_length = rte_cpu_to_be_16(19);      /* less than its header */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->version_ihl = 0x65;                       /* version 6 in an IPv4 frame */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_HDR);
	ip = GOOD4;
	ip->hdr_checksum ^= 1;
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_CSUM);
	ip4(f, A(224, 0, 0, 1), A(203, 0, 113, 2), 8); /* multicast source */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_MARTIAN);
	ip4(f, A(127, 0, 0, 1), A(203, 0, 113, 2), 8); /* loopback source */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_MARTIAN);
	ip4(f, A(198, 51, 100, 2), A(127, 0, 0, 1), 8); /* loopback destination */
	check(f, SGW_PKT_DROP, SGW_DROP_IP4_MARTIAN);
	ip4(f, A(198, 51, 100, 2), A(239, 1, 1, 1), 8);
	p = sgw_pkt_parse(f->b, f->len, MAC);
	assert_int_equal(p.cls, SGW_PKT_IP4);
	assert_true(p.l3_mcast);
	GOOD4;
	f->b[0] = 0x01;                               /* group MAC, unicast IP */
	check(f, SGW_PKT_DROP, SGW_DROP_L2_OTHER_HOST);
}

static void test_ipv6(void **s)
{
	static const uint8_t mc[6] = {0x33, 0x33, 0xff, 0, 0, 1};
	struct frame fr, *f = &fr;
	struct rte_ipv6_hdr *ip;
	(void)s;

	ip6(f, MAC, 0x20, 0x20, 8);
	check(f, SGW_PKT_IP6, 0);
	ip6(f, MAC, 0x20, 0x20, 8);
	f->len = 14 + 39;
	check(f, SGW_PKT_DROP, SGW_DROP_IP6_HDR);
	ip = ip6(f, MAC, 0x20, 0x20, 8);
	ip->payload_len = rte_cpu_to_be_16(9);        /* beyond the frame */
	check(f, SGW_PKT_DROP, SGW_DROP_IP6_HDR);
	ip = ip6(f, MAC, 0x20, 0x20, 8);
	ip->payload_len = 0;                           /* jumbogram */
	check(f, SGW_PKT_DROP, SGW_DROP_IP6_HDR);
	ip6(f, MAC, 0xff, 0x20, 8);                    /* multicast source */
	check(f, SGW_PKT_DROP, SGW_DROP_IP6_MARTIAN);
	ip6(f, mc, 0x20, 0xff, 8);                     /* ND on multicast */
	check(f, SGW_PKT_IP6, 0);
	ip6(f, MAC, 0x20, 0xff, 8);                    /* multicast IP, unicast MAC */
	check(f, SGW_PKT_DROP, SGW_DROP_L2_OTHER_HOST);
	ip = ip6(f, MAC, 0x20, 0x20, 8);
	memset(ip->src_addr, 0, 16);                   /* :: to a unicast address */
	check(f, SGW_PKT_DROP, SGW_DROP_IP6_MARTIAN);
}

static void test_drop_names(void **s)
{
	(void)s;
	for (unsigned i = 0; i < SGW_DROP_MAX; i++) {
		assert_non_null(sgw_drop_names[i]);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sgw_drop_names[i], sgw_drop_names[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_drop_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
