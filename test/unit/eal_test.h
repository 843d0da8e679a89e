/* SPDX-License-Identifier: BSD-3-Clause */
/* A small EAL for unit tests: no hugepages, no PCI, no shared files. */
#ifndef SGW_EAL_TEST_H
#define SGW_EAL_TEST_H

#include <rte_common.h>
#include <rte_eal.h>

static inline int eal_test_init(const char *vdev)
{
	char *argv[] = { "test", "--no-huge", "--no-pci", "--no-shconf", "-m", "256",
			 "--no-telemetry", "--lcores=0@0,1@1", "--log-level=error",
			 (char *)vdev, NULL };
	int argc = (int)RTE_DIM(argv) - (vdev ? 1 : 2);

	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

#endif
