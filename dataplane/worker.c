/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: receive a burst per port, validate, route, resolve the
 * next hop, rewrite, transmit. Anything unusual (ARP/ND, traffic for the
 * gateway, ICMP errors, unresolved next hops, fragmentation) is punted to
 * the control core with a reason. No locks, no heap, no syscalls and no
 * logging per packet; the only syscall is one eventfd write per burst that
 * punted something while control sleeps.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane.h"
#include "neigh.h"
#include "pkt.h"
#include "route.h"
#include "worker.h"

#define IDLE_POLLS 16      /* empty passes before a worker naps */

enum verdict { V_TX, V_PUNT, V_DROP };

struct burst {
	unsigned n_tx[SGW_MAX_PORTS];
	struct rte_mbuf *tx[SGW_MAX_PORTS][SGW_BURST];
	unsigned n_punt;
	struct rte_mbuf *punt[SGW_BURST];
};

static enum verdict drop(struct sgw_worker *w, unsigned port, enum sgw_drop why)
{
	sgw_cnt_add(&w->cnt[port].drops[why], 1);
	return V_DROP;
}

static enum verdict punt(struct rte_mbuf *m, enum sgw_punt_reason why,
			 unsigned out_port, uint32_t nh)
{
	struct sgw_punt_meta *pm = sgw_punt_meta(m);

	pm->reason = (uint8_t)why;
	pm->out_port = (uint8_t)out_port;
	pm->nh = nh;
	return V_PUNT;
}

/* A dropped packet that deserves an ICMP error is counted, then punted so
 * that control can send the error (rate-limited there). */
static enum verdict drop_icmp(struct sgw_worker *w, struct rte_mbuf *m,
			      unsigned in, enum sgw_drop why,
			      enum sgw_punt_reason icmp, unsigned out)
{
	drop(w, in, why);
	return punt(m, icmp, out, 0);
}

static void rewrite_l2(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		       const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
}

static enum verdict fwd4(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			 const struct sgw_pkt *pk, unsigned *out_port)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  SGW_ETH_HLEN);
	struct rte_ether_addr mac;
	const struct sgw_nh *nh;
	uint32_t nhi, c;
	unsigned out;

	if (unlikely(pk->l3_mcast))
		return drop(w, in, SGW_DROP_MCAST);
	nhi = sgw_route_lookup4(ip->dst_addr);
	nh = sgw_route_nh(nhi);
	if (nh->type == SGW_NH_LOCAL)
		return punt(m, SGW_PUNT_LOCAL, in, nhi);
	if (unlikely(nhi == SGW_NH_NONE))
		return drop_icmp(w, m, in, SGW_DROP_NO_ROUTE, SGW_PUNT_ICMP_NO_ROUTE, in);
	if (unlikely(ip->time_to_live <= 1))
		return drop_icmp(w, m, in, SGW_DROP_TTL_EXCEEDED, SGW_PUNT_ICMP_TTL, in);
	out = nh->port;
	if (unlikely(pk->l3_len > w->ports[out].mtu)) {
		if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
			return drop_icmp(w, m, in, SGW_DROP_MTU_EXCEEDED,
					 SGW_PUNT_ICMP_TOO_BIG, out);
		return punt(m, SGW_PUNT_FRAGMENT, out, nhi);
	}
	if (unlikely(!sgw_neigh_resolve(out, AF_INET, nh->type == SGW_NH_VIA ?
					nh->gw : (const uint8_t *)&ip->dst_addr, &mac)))
		return punt(m, SGW_PUNT_NEIGH_MISS, out, nhi);
	/* TTL decrement with the incremental checksum update of RFC 1624. */
	ip->time_to_live--;
	c = ip->hdr_checksum + rte_cpu_to_be_16(0x0100);
	ip->hdr_checksum = (uint16_t)(c + (c >= 0xffff));
	rewrite_l2(m, &mac, &w->ports[out].mac);
	*out_port = out;
	return V_TX;
}

static bool ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static enum verdict fwd6(struct sgw_worker *w, struct rte_mbuf *m, unsigned in,
			 const struct sgw_pkt *pk, unsigned *out_port)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
							  SGW_ETH_HLEN);
	struct rte_ether_addr mac;
	const struct sgw_nh *nh;
	uint32_t nhi;
	unsigned out;

	/* Neighbour discovery lives on multicast; nothing else multicast is ours. */
	if (unlikely(pk->l3_mcast))
		return pk->proto == IPPROTO_ICMPV6 ? punt(m, SGW_PUNT_LOCAL, in, 0) :
						     drop(w, in, SGW_DROP_MCAST);
	nhi = sgw_route_lookup6(ip->dst_addr);
	nh = sgw_route_nh(nhi);
	if (nh->type == SGW_NH_LOCAL)
		return punt(m, SGW_PUNT_LOCAL, in, nhi);
	/* Link-local addresses never leave their link (RFC 4291 2.5.6). */
	if (unlikely(ip6_link_local(ip->src_addr) || ip6_link_local(ip->dst_addr)))
		return drop(w, in, SGW_DROP_IP6_MARTIAN);
	if (unlikely(nhi == SGW_NH_NONE))
		return drop_icmp(w, m, in, SGW_DROP_NO_ROUTE, SGW_PUNT_ICMP_NO_ROUTE, in);
	if (unlikely(ip->hop_limits <= 1))
		return drop_icmp(w, m, in, SGW_DROP_TTL_EXCEEDED, SGW_PUNT_ICMP_TTL, in);
	out = nh->port;
	if (unlikely(pk->l3_len > w->ports[out].mtu))
		return drop_icmp(w, m, in, SGW_DROP_MTU_EXCEEDED, SGW_PUNT_ICMP_TOO_BIG, out);
	if (unlikely(!sgw_neigh_resolve(out, AF_INET6, nh->type == SGW_NH_VIA ?
					nh->gw : ip->dst_addr, &mac)))
		return punt(m, SGW_PUNT_NEIGH_MISS, out, nhi);
	ip->hop_limits--;
	rewrite_l2(m, &mac, &w->ports[out].mac);
	*out_port = out;
	return V_TX;
}

static enum verdict classify(struct sgw_worker *w, struct rte_mbuf *m,
			     unsigned in, unsigned *out_port)
{
	struct sgw_pkt pk;
	uint32_t frame_len;

	if (unlikely(m->nb_segs != 1))
		return drop(w, in, SGW_DROP_MULTI_SEG);
	sgw_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
		      w->ports[in].mac.addr_bytes, &pk);
	switch (pk.cls) {
	case SGW_PKT_ARP:
		return punt(m, SGW_PUNT_LOCAL, in, 0);
	case SGW_PKT_IP4:
	case SGW_PKT_IP6:
		/* Drop Ethernet padding so lengths below are the datagram's. */
		frame_len = SGW_ETH_HLEN + pk.l3_len;
		if (m->pkt_len > frame_len)
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - frame_len));
		return pk.cls == SGW_PKT_IP4 ? fwd4(w, m, in, &pk, out_port) :
					       fwd6(w, m, in, &pk, out_port);
	default:
		return drop(w, in, (enum sgw_drop)pk.drop);
	}
}

static void flush_tx(struct sgw_worker *w, struct burst *b)
{
	for (unsigned p = 0; p < w->n_ports; p++) {
		unsigned n = b->n_tx[p], sent;

		if (!n)
			continue;
		sent = rte_eth_tx_burst(w->ports[p].port_id, (uint16_t)w->id,
					b->tx[p], (uint16_t)n);
		sgw_cnt_add(&w->cnt[p].tx_packets, sent);
		if (unlikely(sent < n)) {
			sgw_cnt_add(&w->cnt[p].drops[SGW_DROP_TX_FULL], n - sent);
			rte_pktmbuf_free_bulk(&b->tx[p][sent], n - sent);
		}
		b->n_tx[p] = 0;
	}
}

static void flush_punt(struct sgw_worker *w, struct burst *b, unsigned in)
{
	unsigned n = b->n_punt, q;

	if (!n)
		return;
	q = rte_ring_enqueue_burst(w->punt, (void **)b->punt, n, NULL);
	sgw_cnt_add(&w->cnt[in].punted, q);
	if (unlikely(q < n)) {
		sgw_cnt_add(&w->cnt[in].drops[SGW_DROP_PUNT_RING_FULL], n - q);
		rte_pktmbuf_free_bulk(&b->punt[q], n - q);
	}
	b->n_punt = 0;
	sgw_dp_wake_control();
}

static unsigned poll_port(struct sgw_worker *w, unsigned in, struct burst *b)
{
	struct rte_mbuf *rx[SGW_BURST];
	unsigned n, i, out = 0;

	n = rte_eth_rx_burst(w->ports[in].port_id, (uint16_t)w->id, rx, SGW_BURST);
	if (!n)
		return 0;
	sgw_cnt_add(&w->cnt[in].rx_packets, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rx[i];

		switch (classify(w, m, in, &out)) {
		case V_TX:
			b->tx[out][b->n_tx[out]++] = m;
			break;
		case V_PUNT:
			sgw_punt_meta(m)->in_port = (uint8_t)in;
			b->punt[b->n_punt++] = m;
			break;
		case V_DROP:
			rte_pktmbuf_free(m);
			break;
		}
	}
	flush_tx(w, b);
	flush_punt(w, b, in);
	return n;
}

/* Frames that control built (ARP, ND, ICMP, held packets) leave through
 * worker 0's TX queue, so no queue is shared between lcores. */
static unsigned drain_ctl_tx(struct sgw_worker *w)
{
	struct rte_mbuf *m[SGW_BURST];
	unsigned p, n, sent, total = 0;

	for (p = 0; p < w->n_ports; p++) {
		n = rte_ring_dequeue_burst(w->ports[p].ctl_tx, (void **)m, SGW_BURST, NULL);
		if (!n)
			continue;
		sent = rte_eth_tx_burst(w->ports[p].port_id, 0, m, (uint16_t)n);
		sgw_cnt_add(&w->cnt[p].tx_packets, sent);
		if (unlikely(sent < n)) {
			sgw_cnt_add(&w->cnt[p].drops[SGW_DROP_TX_FULL], n - sent);
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
		}
		total += n;
	}
	return total;
}

int sgw_worker_main(void *arg)
{
	struct sgw_worker *w = arg;
	struct burst b;
	unsigned idle = 0, got, p;

	memset(&b, 0, sizeof(b));
	rte_rcu_qsbr_thread_register(w->rcu, w->id);
	rte_rcu_qsbr_thread_online(w->rcu, w->id);
	while (!__atomic_load_n(w->quit, __ATOMIC_RELAXED)) {
		got = 0;
		for (p = 0; p < w->n_ports; p++)
			got += poll_port(w, p, &b);
		if (w->id == 0)
			got += drain_ctl_tx(w);
		rte_rcu_qsbr_quiescent(w->rcu, w->id);
		if (got) {
			idle = 0;
			continue;
		}
		/* Several gateways and peers share two cores in tests: an idle
		 * worker naps, offline for RCU so it never stalls a writer. */
		if (w->idle_sleep_us && ++idle >= IDLE_POLLS) {
			rte_rcu_qsbr_thread_offline(w->rcu, w->id);
			rte_delay_us_sleep(w->idle_sleep_us);
			rte_rcu_qsbr_thread_online(w->rcu, w->id);
		}
	}
	rte_rcu_qsbr_thread_offline(w->rcu, w->id);
	rte_rcu_qsbr_thread_unregister(w->rcu, w->id);
	return 0;
}
