/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour table: states, lookups, deletion under RCU, and readers that
 * must never see a torn MAC while the control core rewrites it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "eal_test.h"
#include "neigh.h"

#define MAX 16

static struct rte_rcu_qsbr *rcu;
static const struct rte_ether_addr MAC_A = {{0x02, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}};
static const struct rte_ether_addr MAC_B = {{0x02, 0x55, 0x55, 0x55, 0x55, 0x55}};
static const uint8_t IP1[4] = {198, 51, 100, 2};
static const uint8_t IP6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xc, [15] = 2};

static int setup(void **s)
{
	(void)s;
	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	assert_non_null(rcu);
	rte_rcu_qsbr_init(rcu, 1);
	return sgw_neigh_init(MAX, rcu);
}

static volatile int stop;
static volatile uint64_t reads, torn;

static int teardown(void **s)
{
	(void)s;
	stop = 1;                 /* a failed assertion must not leave the reader running */
	rte_eal_mp_wait_lcore();
	sgw_neigh_fini();
	rte_free(rcu);
	return 0;
}

static void test_states(void **s)
{
	struct rte_ether_addr mac;
	struct sgw_neigh *n;
	unsigned it = 0;
	(void)s;

	assert_false(sgw_neigh_resolve(0, AF_INET, IP1, &mac));
	n = sgw_neigh_add(0, AF_INET, IP1);
	assert_non_null(n);
	assert_string_equal(sgw_neigh_state_name(n), "incomplete");
	assert_false(sgw_neigh_resolve(0, AF_INET, IP1, &mac));   /* not yet */
	sgw_neigh_set_mac(n, &MAC_A);
	assert_true(sgw_neigh_resolve(0, AF_INET, IP1, &mac));
	assert_memory_equal(&mac, &MAC_A, 6);
	assert_string_equal(sgw_neigh_state_name(n), "reachable");
	/* The key includes the port and the family. */
	assert_false(sgw_neigh_resolve(1, AF_INET, IP1, &mac));
	assert_null(sgw_neigh_find(0, AF_INET6, IP6));
	assert_ptr_equal(sgw_neigh_find(0, AF_INET, IP1), n);
	assert_ptr_equal(sgw_neigh_next(&it), n);
	assert_null(sgw_neigh_next(&it));
	sgw_neigh_del(n);
	assert_false(sgw_neigh_resolve(0, AF_INET, IP1, &mac));
	assert_null(sgw_neigh_find(0, AF_INET, IP1));
}

static void test_full_and_reuse(void **s)
{
	uint8_t a[4] = {198, 51, 100, 0};
	struct sgw_neigh *n[MAX];
	(void)s;

	for (unsigned i = 0; i < MAX; i++) {
		a[3] = (uint8_t)(10 + i);
		n[i] = sgw_neigh_add(0, AF_INET, a);
		assert_non_null(n[i]);
	}
	a[3] = 200;
	assert_null(sgw_neigh_add(0, AF_INET, a));    /* full */
	for (unsigned i = 0; i < MAX; i++)
		sgw_neigh_del(n[i]);
	/* No reader is registered, so the grace period is over at once and
	 * every slot comes back through the RCU reclaim. */
	for (unsigned i = 0; i < MAX; i++) {
		a[3] = (uint8_t)(100 + i);
		assert_non_null(sgw_neigh_add(0, AF_INET, a));
	}
}

static int reader(void *arg)
{
	struct rte_ether_addr mac;
	(void)arg;

	rte_rcu_qsbr_thread_register(rcu, 0);
	rte_rcu_qsbr_thread_online(rcu, 0);
	while (!stop) {
		if (sgw_neigh_resolve(0, AF_INET6, IP6, &mac)) {
			if (memcmp(&mac, &MAC_A, 6) && memcmp(&mac, &MAC_B, 6))
				torn++;
			reads++;
		}
		rte_rcu_qsbr_quiescent(rcu, 0);
	}
	rte_rcu_qsbr_thread_offline(rcu, 0);
	rte_rcu_qsbr_thread_unregister(rcu, 0);
	return 0;
}

static void test_concurrent_reader(void **s)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	struct sgw_neigh *n = sgw_neigh_add(0, AF_INET6, IP6);
	(void)s;

	assert_non_null(n);
	sgw_neigh_set_mac(n, &MAC_A);
	stop = 0;
	assert_int_equal(rte_eal_remote_launch(reader, NULL, lcore), 0);
	for (unsigned i = 0; i < 200000 || reads < 1000; i++) {
		sgw_neigh_set_mac(n, i & 1 ? &MAC_A : &MAC_B);
		if ((i & 1023) == 0) {
			/* Delete and re-add under the reader's feet. */
			sgw_neigh_del(n);
			/* A slot comes back only once the reader has moved on. */
			for (int t = 0; !(n = sgw_neigh_add(0, AF_INET6, IP6)) && t < 10000; t++)
				usleep(10);
			assert_non_null(n);
			sgw_neigh_set_mac(n, &MAC_A);
		}
	}
	stop = 1;
	rte_eal_wait_lcore(lcore);
	assert_true(reads > 0);
	assert_int_equal(torn, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_reader, setup, teardown),
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
