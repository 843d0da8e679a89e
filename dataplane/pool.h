/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet buffer pool. With hugepages it is DPDK's usual pool. Without
 * them (--no-huge: VMs, test machines) DPDK's memory is a shared memfd in
 * 4 KiB pages, which the kernel never backs with huge pages; every mbuf
 * then sits on a page of its own in the TLB, and a NIC ring's worth of
 * mbufs in flight misses it on every packet. So without hugepages the pool
 * lives in anonymous memory of its own, 2 MiB aligned, for which the
 * kernel is asked for transparent huge pages (granted where THP is
 * "madvise" or "always"; otherwise it is what it was: 4 KiB pages).
 */
#ifndef SGW_POOL_H
#define SGW_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

struct rte_mempool *sgw_pool_create(const char *name, unsigned n, unsigned cache,
				    uint16_t data_room);
void sgw_pool_free(struct rte_mempool *mp);
/* Whether the pool lives on memory of its own (the no-hugepage case), and
 * how many of its bytes the kernel backs with huge pages now. */
bool sgw_pool_own_memory(void);
uint64_t sgw_pool_huge_bytes(void);

#endif
