/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet port set-up from the config, private to the dataplane module. */
#ifndef SGW_PORT_H
#define SGW_PORT_H

#include <rte_mempool.h>

#include "conf.h"

/* The DPDK name of a configured device: the vdev name before its first
 * ',' or the PCI address. */
void sgw_port_dpdk_name(const struct sgw_conf_port *cp, char *buf, size_t size);
/* Finds the DPDK port and configures n_queues RX/TX queue pairs and the MTU.
 * Returns 0 and *port_id, or -errno (logged). */
int sgw_port_setup(const struct sgw_conf_port *cp, unsigned n_queues,
		   struct rte_mempool *pool, uint16_t *port_id);

#endif
