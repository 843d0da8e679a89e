/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every packet the dataplane drops is counted under one of these reasons
 * (STYLE.md practice 6). One list, turned into an enum and a name table.
 * Counters live per worker and per input port (dataplane/worker.h); the
 * control core keeps its own list (control/ctl_stats.h) for what it drops.
 */
#ifndef SGW_DROP_H
#define SGW_DROP_H

#define SGW_DROP_REASONS(X)                                                  \
	X(RUNT, "runt")                 /* shorter than an Ethernet header */ \
	X(MULTI_SEG, "multi_segment")   /* frame larger than one mbuf */      \
	X(L2_OTHER_HOST, "l2_other_host") /* unicast MAC not ours */          \
	X(ETHERTYPE, "unsupported_ethertype")                                 \
	X(ARP_BAD, "arp_malformed")                                           \
	X(IP4_HDR, "ipv4_bad_header")   /* version, IHL, lengths */           \
	X(IP4_CSUM, "ipv4_bad_checksum")                                      \
	X(IP4_MARTIAN, "ipv4_martian")  /* bad source or destination */       \
	X(IP6_HDR, "ipv6_bad_header")                                         \
	X(IP6_MARTIAN, "ipv6_martian")                                        \
	X(MCAST, "multicast_not_routed")                                      \
	X(TTL_EXCEEDED, "ttl_exceeded")                                       \
	X(NO_ROUTE, "no_route")                                               \
	X(MTU_EXCEEDED, "mtu_exceeded")                                       \
	X(FRAG_FAILED, "fragmentation_failed")                                \
	X(PUNT_RING_FULL, "punt_ring_full")                                   \
	X(TX_FULL, "tx_full")                                                 \
	X(NO_MBUF, "no_mbuf")                                                 \
	X(UDP_BAD, "udp_bad_header")    /* to us, length wrong */             \
	X(IKE_SHED, "ike_shed")         /* punt ring over half full */        \
	X(NATT_KEEPALIVE, "natt_keepalive") /* RFC 3948 2.3, absorbed */      \
	X(ESP_TRUNC, "esp_truncated")   /* shorter than header, IV, ICV */    \
	X(ESP_NO_SA, "esp_unknown_spi")                                       \
	X(ESP_REPLAYED, "esp_replayed") /* in the window, seen before */      \
	X(ESP_TOO_OLD, "esp_left_of_window")                                  \
	X(ESP_ICV, "esp_icv_failed")    /* authentication failed */           \
	X(ESP_PAD, "esp_bad_padding")   /* pad length or pad bytes */         \
	X(ESP_NEXT_HDR, "esp_bad_next_header")                                \
	X(ESP_DUMMY, "esp_dummy")       /* next header 59, RFC 4303 2.6 */    \
	X(ESP_POLICY, "esp_policy_mismatch") /* inner not in SA selectors */  \
	X(ESP_NO_ROOM, "esp_no_room")   /* no head/tailroom to encapsulate */ \
	X(SA_EXPIRED, "sa_expired")     /* hard lifetime reached */           \
	X(SEQ_EXHAUSTED, "sa_seq_exhausted")                                  \
	X(POLICY_DISCARD, "policy_discard")                                   \
	X(POLICY_UNPROTECTED, "policy_unprotected") /* plaintext, protect policy */ \
	X(POLICY_NO_SA, "policy_no_sa") /* protect policy without its SA */

enum sgw_drop {
#define SGW_DROP_ENUM(id, name) SGW_DROP_##id,
	SGW_DROP_REASONS(SGW_DROP_ENUM)
#undef SGW_DROP_ENUM
	SGW_DROP_MAX
};

extern const char *const sgw_drop_names[SGW_DROP_MAX];

#endif
