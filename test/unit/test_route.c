/* SPDX-License-Identifier: BSD-3-Clause */
/* Longest-prefix match over rte_fib/rte_fib6 and the next-hop table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "eal_test.h"
#include "route.h"

static struct sgw_prefix P(const char *s)
{
	struct sgw_prefix p;

	assert_int_equal(sgw_prefix_parse(s, &p, true), 0);
	return p;
}

static uint32_t look4(const char *a)
{
	struct sgw_prefix p;
	uint32_t be;

	assert_int_equal(sgw_prefix_parse(a, &p, false), 0);
	memcpy(&be, p.addr, 4);
	return sgw_route_lookup4(be);
}

static uint32_t look6(const char *a)
{
	struct sgw_prefix p;

	assert_int_equal(sgw_prefix_parse(a, &p, false), 0);
	return sgw_route_lookup6(p.addr);
}

static int setup(void **s)
{
	(void)s;
	return sgw_route_init(64);
}

static int teardown(void **s)
{
	(void)s;
	sgw_route_fini();
	return 0;
}

static void test_lpm4(void **s)
{
	struct sgw_prefix to, via = P("198.51.100.254/32");
	uint32_t conn, vianh, local;
	(void)s;

	to = P("198.51.100.0/24");
	assert_int_equal(sgw_route_add(&to, SGW_NH_CONNECTED, 0, NULL, "connected"), 0);
	to = P("198.51.100.1/32");
	assert_int_equal(sgw_route_add(&to, SGW_NH_LOCAL, 0, NULL, "local"), 0);
	to = P("203.0.113.0/24");
	assert_int_equal(sgw_route_add(&to, SGW_NH_VIA, 1, &via, "static"), 0);
	to = P("203.0.113.128/25");
	assert_int_equal(sgw_route_add(&to, SGW_NH_CONNECTED, 1, NULL, "static"), 0);

	conn = look4("198.51.100.7");
	local = look4("198.51.100.1");
	vianh = look4("203.0.113.5");
	assert_int_equal(sgw_route_nh(conn)->type, SGW_NH_CONNECTED);
	assert_int_equal(sgw_route_nh(local)->type, SGW_NH_LOCAL);
	assert_int_equal(sgw_route_nh(vianh)->type, SGW_NH_VIA);
	assert_int_equal(sgw_route_nh(vianh)->port, 1);
	assert_memory_equal(sgw_route_nh(vianh)->gw, via.addr, 4);
	/* The /25 is longer than the /24 and wins for its half. */
	assert_int_equal(sgw_route_nh(look4("203.0.113.200"))->type, SGW_NH_CONNECTED);
	assert_int_equal(look4("192.0.2.1"), SGW_NH_NONE);
	assert_int_equal(sgw_route_nh(SGW_NH_NONE)->type, 0);
	/* A default route catches the rest. */
	to = P("0.0.0.0/0");
	assert_int_equal(sgw_route_add(&to, SGW_NH_VIA, 1, &via, "static"), 0);
	assert_int_equal(look4("192.0.2.1"), vianh);  /* next hop shared */
	assert_int_equal(sgw_route_count(), 5);
	assert_string_equal(sgw_route_get(4)->origin, "static");
	assert_null(sgw_route_get(5));
}

static void test_lpm6(void **s)
{
	struct sgw_prefix to, via = P("2001:db8:5::fe/128");
	(void)s;

	to = P("2001:db8:c::/64");
	assert_int_equal(sgw_route_add(&to, SGW_NH_CONNECTED, 0, NULL, "connected"), 0);
	to = P("2001:db8:c::1/128");
	assert_int_equal(sgw_route_add(&to, SGW_NH_LOCAL, 0, NULL, "local"), 0);
	to = P("2001:db8::/32");
	assert_int_equal(sgw_route_add(&to, SGW_NH_VIA, 1, &via, "static"), 0);
	assert_int_equal(sgw_route_nh(look6("2001:db8:c::1"))->type, SGW_NH_LOCAL);
	assert_int_equal(sgw_route_nh(look6("2001:db8:c::99"))->type, SGW_NH_CONNECTED);
	assert_int_equal(sgw_route_nh(look6("2001:db8:77::1"))->type, SGW_NH_VIA);
	assert_int_equal(look6("2001:db9::1"), SGW_NH_NONE);
}

static void test_duplicate(void **s)
{
	struct sgw_prefix to = P("198.51.100.0/24");
	(void)s;

	assert_int_equal(sgw_route_add(&to, SGW_NH_CONNECTED, 0, NULL, "connected"), 0);
	assert_int_equal(sgw_route_add(&to, SGW_NH_CONNECTED, 1, NULL, "connected"), -EEXIST);
	assert_int_equal(sgw_route_count(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lpm4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpm6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
