/* SPDX-License-Identifier: BSD-3-Clause */
/* The mbuf pool without hugepages (pool.c): its own memory, every mbuf in
 * it and usable, huge pages where the kernel gives them, freed whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "eal_test.h"
#include "pool.h"

#define N_MBUF 3000
#define ROOM   (RTE_PKTMBUF_HEADROOM + 2048)

/* THP on request: "always" or "madvise" selected in the kernel's setting. */
static bool thp_on_request(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, "[always]") || strstr(buf, "[madvise]");
}

static void test_pool_own_memory(void **state)
{
	static struct rte_mbuf *m[N_MBUF];
	struct rte_mempool *mp;
	struct rte_mbuf *extra;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)state;
	mp = sgw_pool_create("test_pool", N_MBUF, 0, ROOM);
	assert_non_null(mp);
	/* Without hugepages (the EAL here has none) it is memory of its own. */
	assert_true(sgw_pool_own_memory());
	assert_int_equal(rte_mempool_avail_count(mp), N_MBUF);
	for (unsigned i = 0; i < N_MBUF; i++) {
		m[i] = rte_pktmbuf_alloc(mp);
		assert_non_null(m[i]);
		/* A whole data room, writable end to end, IOVA = VA. */
		assert_int_equal(m[i]->buf_len, ROOM);
		assert_int_equal(rte_pktmbuf_tailroom(m[i]), ROOM - RTE_PKTMBUF_HEADROOM);
		assert_int_equal(m[i]->buf_iova, (rte_iova_t)(uintptr_t)m[i]->buf_addr);
		memset(m[i]->buf_addr, (int)i, m[i]->buf_len);
		lo = RTE_MIN(lo, (uintptr_t)m[i]);
		hi = RTE_MAX(hi, (uintptr_t)m[i]->buf_addr + m[i]->buf_len);
	}
	assert_null(rte_pktmbuf_alloc(mp));
	/* No two mbufs overlap: each still holds its own pattern. */
	for (unsigned i = 0; i < N_MBUF; i++)
		for (unsigned j = 0; j < m[i]->buf_len; j += 97)
			assert_int_equal(((uint8_t *)m[i]->buf_addr)[j], (uint8_t)i);
	/* 2 MiB aligned; with THP on request, backed by huge pages. */
	/* The first mbuf follows its object header at a 2 MiB boundary. */
	assert_true((lo & ((2u << 20) - 1)) <= 2 * RTE_CACHE_LINE_SIZE);
	if (thp_on_request())
		assert_true(sgw_pool_huge_bytes() > 0);
	else
		print_message("THP is off here: huge pages not checked\n");
	assert_true(hi - lo <= (size_t)N_MBUF * 4096);
	rte_pktmbuf_free_bulk(m, N_MBUF);
	assert_int_equal(rte_mempool_avail_count(mp), N_MBUF);
	/* A second pool goes to DPDK's memory: there is one of our own. */
	extra = NULL;
	{
		struct rte_mempool *mp2 = sgw_pool_create("test_pool2", 64, 0, ROOM);

		assert_non_null(mp2);
		extra = rte_pktmbuf_alloc(mp2);
		assert_non_null(extra);
		assert_true((uintptr_t)extra < lo || (uintptr_t)extra >= hi);
		rte_pktmbuf_free(extra);
		sgw_pool_free(mp2);
		assert_true(sgw_pool_own_memory());
	}
	sgw_pool_free(mp);
	assert_false(sgw_pool_own_memory());
	assert_int_equal(sgw_pool_huge_bytes(), 0);
	/* And after a free, a new pool gets memory of its own again. */
	mp = sgw_pool_create("test_pool3", 100, 0, ROOM);
	assert_non_null(mp);
	assert_true(sgw_pool_own_memory());
	sgw_pool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_own_memory),
	};

	if (eal_test_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
