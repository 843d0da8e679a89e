/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "pool.h"

RTE_LOG_REGISTER_SUFFIX(pool_logtype, pool, INFO);
#define LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, pool_logtype, "pool: " fmt "\n", ##__VA_ARGS__)
#define HUGE_SZ (2u << 20)

/* The one pool on memory of its own: its mapping, for munmap. */
static struct {
	struct rte_mempool *mp;
	void *map;
	size_t map_len;
	char *base;
	size_t len;
} own;

static struct rte_mempool *own_pool(const char *name, unsigned n, unsigned cache,
				    uint16_t data_room)
{
	struct rte_pktmbuf_pool_private priv = { .mbuf_data_room_size = data_room };
	const unsigned elt = sizeof(struct rte_mbuf) + data_room;
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp;
	size_t per_page, len;
	char *base;
	void *map;
	int ret;

	if (rte_mempool_calc_obj_size(elt, 0, &sz) == 0 || sz.total_size > HUGE_SZ)
		return NULL;
	per_page = HUGE_SZ / sz.total_size;
	len = ((n + per_page - 1) / per_page) * (size_t)HUGE_SZ;
	/* One huge page more than needed, to align the start. */
	map = mmap(NULL, len + HUGE_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		rte_errno = errno;
		return NULL;
	}
	base = RTE_PTR_ALIGN_CEIL((char *)map, HUGE_SZ);
	/* Before the first touch: pages faulted in later come as huge ones. */
	if (madvise(base, len, MADV_HUGEPAGE) != 0)
		LOG(INFO, "no transparent huge pages for the mbuf pool (%s)",
		    strerror(errno));
	/* IOVA = VA (the caller checked the mode): an object may straddle a
	 * page boundary without a gap in its IOVA range. */
	mp = rte_mempool_create_empty(name, n, elt, cache, sizeof(priv), SOCKET_ID_ANY,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (!mp)
		goto fail;
	ret = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (ret != 0) {
		rte_errno = -ret;
		goto fail;
	}
	rte_pktmbuf_pool_init(mp, &priv);
	ret = rte_mempool_populate_iova(mp, base, (rte_iova_t)(uintptr_t)base, len, NULL, NULL);
	if (ret < 0 || mp->populated_size != n) {
		rte_errno = ret < 0 ? -ret : ENOMEM;
		goto fail;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	own.mp = mp;
	own.map = map;
	own.map_len = len + HUGE_SZ;
	own.base = base;
	own.len = len;
	return mp;
fail:
	rte_mempool_free(mp);
	munmap(map, len + HUGE_SZ);
	return NULL;
}

struct rte_mempool *sgw_pool_create(const char *name, unsigned n, unsigned cache,
				    uint16_t data_room)
{
	struct rte_mempool *mp;

	/* Devices that DMA by physical address need DPDK's memory. */
	if (rte_eal_has_hugepages() || rte_eal_iova_mode() != RTE_IOVA_VA || own.mp)
		return rte_pktmbuf_pool_create(name, n, cache, 0, data_room, SOCKET_ID_ANY);
	mp = own_pool(name, n, cache, data_room);
	if (!mp) {
		LOG(WARNING, "mbuf pool on memory of its own failed (%s); using DPDK's",
		    rte_strerror(rte_errno));
		return rte_pktmbuf_pool_create(name, n, cache, 0, data_room, SOCKET_ID_ANY);
	}
	LOG(INFO, "%u mbufs on %zu MiB of their own, %" PRIu64 " MiB in huge pages",
	    n, own.len >> 20, sgw_pool_huge_bytes() >> 20);
	return mp;
}

void sgw_pool_free(struct rte_mempool *mp)
{
	if (!mp)
		return;
	rte_mempool_free(mp);
	if (mp == own.mp) {
		munmap(own.map, own.map_len);
		memset(&own, 0, sizeof(own));
	}
}

bool sgw_pool_own_memory(void)
{
	return own.mp != NULL;
}

/* AnonHugePages of the pool's mapping, from /proc/self/smaps. */
uint64_t sgw_pool_huge_bytes(void)
{
	char line[256];
	unsigned long lo, hi, kb;
	bool in = false;
	uint64_t total = 0;
	FILE *f;

	if (!own.mp || !(f = fopen("/proc/self/smaps", "r")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = lo < (uintptr_t)own.base + own.len && hi > (uintptr_t)own.base;
		else if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			total += (uint64_t)kb * 1024;
	}
	fclose(f);
	return total;
}
