/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "route.h"

#define TBL8_GROUPS 1024

RTE_LOG_REGISTER_SUFFIX(route_logtype, route, INFO);
#define LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, route_logtype, "route: %s: " fmt "\n", __func__, ##__VA_ARGS__)

struct sgw_nh sgw_route_nhs[SGW_MAX_NH];

static struct {
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	unsigned max_routes;
	unsigned n_nh;               /* index 0 is SGW_NH_NONE */
	unsigned n_routes;
	struct sgw_route *routes;    /* control-only list for `show routes` */
} rt;

int sgw_route_init(unsigned max_routes)
{
	struct rte_fib_conf c4 = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = SGW_NH_NONE,
		.max_routes = (int)max_routes,
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_2B, .num_tbl8 = TBL8_GROUPS },
	};
	struct rte_fib6_conf c6 = {
		.type = RTE_FIB6_TRIE,
		.default_nh = SGW_NH_NONE,
		.max_routes = (int)max_routes,
		.trie = { .nh_sz = RTE_FIB6_TRIE_2B, .num_tbl8 = TBL8_GROUPS },
	};

	memset(&rt, 0, sizeof(rt));
	memset(sgw_route_nhs, 0, sizeof(sgw_route_nhs));
	rt.max_routes = max_routes;
	rt.n_nh = 1;
	rt.routes = rte_zmalloc("sgw_routes", 2 * max_routes * sizeof(*rt.routes), 0);
	rt.fib4 = rte_fib_create("sgw_fib4", SOCKET_ID_ANY, &c4);
	rt.fib6 = rte_fib6_create("sgw_fib6", SOCKET_ID_ANY, &c6);
	if (!rt.routes || !rt.fib4 || !rt.fib6) {
		LOG(ERR, "cannot allocate route tables for %u routes", max_routes);
		sgw_route_fini();
		return -ENOMEM;
	}
	return 0;
}

void sgw_route_fini(void)
{
	rte_fib_free(rt.fib4);
	rte_fib6_free(rt.fib6);
	rte_free(rt.routes);
	memset(&rt, 0, sizeof(rt));
}

/* Next hops are shared by the routes that use them. */
static int nh_get(enum sgw_nh_type type, unsigned port,
		  const struct sgw_prefix *via, uint32_t *idx)
{
	struct sgw_nh n = { .type = type, .port = (uint8_t)port };
	unsigned i;

	if (via) {
		n.family = (uint8_t)via->family;
		memcpy(n.gw, via->addr, sizeof(n.gw));
	}
	for (i = 1; i < rt.n_nh; i++) {
		if (memcmp(&sgw_route_nhs[i], &n, sizeof(n)) == 0) {
			*idx = i;
			return 0;
		}
	}
	if (rt.n_nh == SGW_MAX_NH)
		return -ENOSPC;
	sgw_route_nhs[rt.n_nh] = n;
	*idx = rt.n_nh++;
	return 0;
}

static bool route_exists(const struct sgw_prefix *to)
{
	for (unsigned i = 0; i < rt.n_routes; i++)
		if (memcmp(&rt.routes[i].to, to, sizeof(*to)) == 0)
			return true;
	return false;
}

int sgw_route_add(const struct sgw_prefix *to, enum sgw_nh_type type,
		  unsigned port, const struct sgw_prefix *via, const char *origin)
{
	uint32_t nh;
	int ret;

	if (route_exists(to))
		return -EEXIST;
	if (rt.n_routes == 2 * rt.max_routes)
		return -ENOSPC;
	ret = nh_get(type, port, via, &nh);
	if (ret < 0)
		return ret;
	if (to->family == AF_INET) {
		uint32_t a;
		memcpy(&a, to->addr, 4);
		ret = rte_fib_add(rt.fib4, rte_be_to_cpu_32(a), to->len, nh);
	} else {
		ret = rte_fib6_add(rt.fib6, to->addr, to->len, nh);
	}
	if (ret < 0) {
		LOG(ERR, "fib add failed: %s", strerror(-ret));
		return ret;
	}
	rt.routes[rt.n_routes++] = (struct sgw_route){ .to = *to, .nh = nh, .origin = origin };
	return 0;
}

uint32_t sgw_route_lookup4(uint32_t dst_be)
{
	uint32_t ip = rte_be_to_cpu_32(dst_be);
	uint64_t nh;

	rte_fib_lookup_bulk(rt.fib4, &ip, &nh, 1);
	return (uint32_t)nh;
}

uint32_t sgw_route_lookup6(const uint8_t dst[16])
{
	uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh;

	memcpy(ip[0], dst, 16);
	rte_fib6_lookup_bulk(rt.fib6, ip, &nh, 1);
	return (uint32_t)nh;
}

void sgw_route_lookup4_bulk(uint32_t *dst_host, uint64_t *nh, unsigned n)
{
	rte_fib_lookup_bulk(rt.fib4, dst_host, nh, (int)n);
}

void sgw_route_lookup6_bulk(uint8_t (*dst)[16], uint64_t *nh, unsigned n)
{
	rte_fib6_lookup_bulk(rt.fib6, dst, nh, (int)n);
}


unsigned sgw_route_count(void)
{
	return rt.n_routes;
}

const struct sgw_route *sgw_route_get(unsigned i)
{
	return i < rt.n_routes ? &rt.routes[i] : NULL;
}
