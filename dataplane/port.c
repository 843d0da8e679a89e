/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "port.h"

RTE_LOG_REGISTER_SUFFIX(port_logtype, port, INFO);
#define LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, port_logtype, "port: %s: " fmt "\n", __func__, ##__VA_ARGS__)

void sgw_port_dpdk_name(const struct sgw_conf_port *cp, char *buf, size_t size)
{
	size_t n = strcspn(cp->device, ",");

	if (n >= size)
		n = size - 1;
	memcpy(buf, cp->device, n);
	buf[n] = '\0';
}

static int find_port(const struct sgw_conf_port *cp, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	sgw_port_dpdk_name(cp, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	LOG(ERR, "port %s: no DPDK device '%s' (did the driver fail to probe? "
	    "for net_af_packet, does the interface exist in this namespace?)",
	    cp->name, name);
	return -ENODEV;
}

static int check_queues(const struct sgw_conf_port *cp,
			const struct rte_eth_dev_info *di, unsigned n_queues)
{
	if (di->max_rx_queues >= n_queues && di->max_tx_queues >= n_queues)
		return 0;
	LOG(ERR, "port %s: device has %u RX / %u TX queues, %u workers need one "
	    "pair each (net_af_packet: qpairs=N)", cp->name, di->max_rx_queues,
	    di->max_tx_queues, n_queues);
	return -EINVAL;
}

/* Not every virtual device can change its MTU (net_null, net_ring): then the
 * configured MTU is still enforced by the workers. */
static void set_mtu(const struct sgw_conf_port *cp, uint16_t port_id)
{
	int ret = rte_eth_dev_set_mtu(port_id, cp->mtu);

	if (ret < 0)
		LOG(WARNING, "port %s: device keeps its MTU (%s); sgw enforces %u",
		    cp->name, strerror(-ret), cp->mtu);
}

int sgw_port_setup(const struct sgw_conf_port *cp, unsigned n_queues,
		   struct rte_mempool *pool, uint16_t *port_id)
{
	struct rte_eth_conf ec;
	struct rte_eth_dev_info di;
	uint16_t q, nrx = cp->rx_desc, ntx = cp->tx_desc;
	int ret;

	ret = find_port(cp, port_id);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_info_get(*port_id, &di);
	if (ret < 0)
		return ret;
	ret = check_queues(cp, &di, n_queues);
	if (ret < 0)
		return ret;
	memset(&ec, 0, sizeof(ec));
	ret = rte_eth_dev_configure(*port_id, (uint16_t)n_queues, (uint16_t)n_queues, &ec);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(*port_id, &nrx, &ntx);
	for (q = 0; ret == 0 && q < n_queues; q++) {
		ret = rte_eth_rx_queue_setup(*port_id, q, nrx,
					     rte_eth_dev_socket_id(*port_id), NULL, pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(*port_id, q, ntx,
						     rte_eth_dev_socket_id(*port_id), NULL);
	}
	if (ret < 0) {
		LOG(ERR, "port %s: set-up failed: %s", cp->name, strerror(-ret));
		return ret;
	}
	set_mtu(cp, *port_id);
	return 0;
}
