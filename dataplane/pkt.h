/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of received frames: every length is checked before any field
 * is used (STYLE.md practice 1). Pure function of the bytes; no EAL needed,
 * so it is unit-tested and fuzzed alone (test/fuzz/fuzz_pkt.c).
 */
#ifndef SGW_PKT_H
#define SGW_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include "drop.h"

#define SGW_ETH_HLEN 14

enum sgw_pkt_class {
	SGW_PKT_DROP = 0,
	SGW_PKT_ARP,
	SGW_PKT_IP4,
	SGW_PKT_IP6,
};

/* Eight bytes, written in one store: the worker reads it back right away,
 * and a wide load over several narrow stores would wait for them. */
struct sgw_pkt {
	uint8_t cls;        /* enum sgw_pkt_class */
	uint8_t drop;       /* enum sgw_drop, when cls == SGW_PKT_DROP */
	uint8_t proto;      /* IPv4 protocol / IPv6 first next header */
	bool l3_mcast;      /* multicast or limited-broadcast destination */
	uint16_t l3_len;    /* bytes of IP datagram; the frame may be padded */
	uint16_t pad;
};

/* Classifies and validates one frame received on a port whose MAC is mac. */
struct sgw_pkt sgw_pkt_parse(const uint8_t *frame, uint32_t len, const uint8_t mac[6]);
/* Validates an IP packet of family (AF_INET, AF_INET6) at l3 with len
 * bytes behind it, as sgw_pkt_parse() does past the Ethernet header: for
 * what comes out of a tunnel. */
struct sgw_pkt sgw_pkt_parse_ip(const uint8_t *l3, uint32_t len, int family);

#endif
