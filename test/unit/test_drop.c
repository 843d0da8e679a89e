/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop-counter plumbing end to end: frames go into a net_ring port, a real
 * worker lcore classifies them, and the per-port counters the CLI reads
 * must show each drop under its own name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_ip.h>
#include <rte_ring.h>

#include "dataplane.h"
#include "eal_test.h"

static const char yaml[] =
	"eal: {file_prefix: test-drop}\n"
	"workers: {count: 1, idle_sleep_us: 10}\n"
	"ports:\n"
	"  - name: p0\n"
	"    device: net_ring0\n"
	"    mtu: 1280\n"
	"    addresses: [198.51.100.1/24]\n"
	"routes:\n"
	"  - {to: 203.0.113.0/24, via: 198.51.100.254}\n";

static struct rte_mbuf *frame(const void *bytes, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sgw_dp_pool());

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), bytes, len);
	return m;
}

static struct rte_mbuf *ip4(uint32_t dst, uint8_t ttl, unsigned payload, bool df)
{
	uint8_t b[1600] = {0};
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + 14);

	memcpy(b, sgw_dp_port(0)->mac.addr_bytes, 6);
	b[6] = 0x02;
	b[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + payload));
	ip->time_to_live = ttl;
	ip->next_proto_id = 17;
	ip->fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->src_addr = rte_cpu_to_be_32(0xc6336402);  /* 198.51.100.2 */
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return frame(b, 14 + 20 + payload);
}

static void test_drops_by_reason(void **s)
{
	struct sgw_conf_err err;
	struct sgw_conf *c;
	struct sgw_dp_port_counters pc;
	struct rte_ring *rx;
	struct rte_mbuf *m[8];
	uint8_t runt[10] = {0};
	unsigned n = 0;
	(void)s;

	assert_int_equal(sgw_conf_parse("test", yaml, sizeof(yaml) - 1, &c, &err), 0);
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	assert_int_equal(sgw_dp_init(c), 0);

	m[n++] = frame(runt, sizeof(runt));
	m[n++] = ip4(0xcb007105, 64, 8, false);           /* good, for the mac below */
	memset(rte_pktmbuf_mtod(m[n - 1], uint8_t *), 0x02, 6); /* other host */
	m[n++] = ip4(0xcb007105, 64, 8, false);
	rte_pktmbuf_mtod_offset(m[n - 1], struct rte_ipv4_hdr *, 14)->hdr_checksum ^= 1;
	m[n++] = ip4(0x0a000001, 64, 8, false);           /* 10.0.0.1: no route */
	m[n++] = ip4(0xcb007105, 1, 8, false);            /* TTL 1 */
	m[n++] = ip4(0xcb007105, 64, 1300, true);         /* DF, over MTU 1280 */

	/* net_ring0's RX ring; filled before the worker starts, so the test
	 * is the only producer. */
	rx = rte_ring_lookup("ETH_RXTX0_net_ring0");
	assert_non_null(rx);
	assert_int_equal(rte_ring_enqueue_bulk(rx, (void **)m, n, NULL), n);
	assert_int_equal(sgw_dp_start(), 0);
	for (int i = 0; i < 2000; i++) {
		sgw_dp_port_counters(0, &pc);
		if (pc.rx_packets == n)
			break;
		usleep(1000);
	}
	usleep(10000);
	sgw_dp_stop();
	sgw_dp_port_counters(0, &pc);
	assert_int_equal(pc.rx_packets, n);
	assert_int_equal(pc.drops[SGW_DROP_RUNT], 1);
	assert_int_equal(pc.drops[SGW_DROP_L2_OTHER_HOST], 1);
	assert_int_equal(pc.drops[SGW_DROP_IP4_CSUM], 1);
	assert_int_equal(pc.drops[SGW_DROP_NO_ROUTE], 1);
	assert_int_equal(pc.drops[SGW_DROP_TTL_EXCEEDED], 1);
	assert_int_equal(pc.drops[SGW_DROP_MTU_EXCEEDED], 1);
	/* The three that deserve an ICMP error went to control. */
	assert_int_equal(pc.punted, 3);
	assert_int_equal(pc.drops[SGW_DROP_TX_FULL], 0);
	sgw_dp_worker_counters(0, &pc);
	assert_int_equal(pc.drops[SGW_DROP_RUNT], 1);
	sgw_dp_fini();
	sgw_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_by_reason),
	};
	if (eal_test_init("--vdev=net_ring0") < 0)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
