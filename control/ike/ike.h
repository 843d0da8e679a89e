/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 daemon (RFC 7296) on the control core.
 *
 * It knows nothing of DPDK: datagrams come in through sgw_ike_input(), and
 * everything it needs from the gateway (sending a datagram, SPIs from the SA
 * table, installing ESP SAs with their policies, the clock) goes through the
 * host operations given to sgw_ike_init(). sgwd's host is control/ctl_ike.c;
 * the unit tests and the state-machine fuzzer bring their own.
 *
 * Concurrency: single-threaded, everything runs on the control lcore.
 */
#ifndef SGW_IKE_H
#define SGW_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ike_payload.h"

#define SGW_IKE_PORT      500
#define SGW_IKE_NATT_PORT 4500

/* An address and UDP port, address in network order (IPv4 in a[0..3]). */
struct sgw_ike_addr {
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t a[16];
	uint16_t port;               /* host order */
};

/* One direction of an ESP SA (AES-GCM-16) with the traffic it carries,
 * for the dataplane. Keys are wiped by the daemon after the call. */
struct sgw_ike_esp {
	char name[SGW_NAME_MAX];     /* unique: "ike<id>.<child>.<in|out><n>" */
	uint32_t spi;                /* host order */
	bool inbound;
	bool transport;
	bool esn;
	unsigned key_len;            /* 16 or 32 */
	uint8_t key[32];
	uint8_t salt[4];
	struct sgw_ike_addr local, remote;  /* outer; ports matter with udp_encap */
	bool udp_encap;
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets; /* 0 = none */
	const struct sgw_ike_ts_pld *ts_local, *ts_remote;
	uint64_t before;             /* outbound rekey: handle of the SA whose
	                              * policies the new ones go in front of */
};

/* What the gateway does for the daemon. */
struct sgw_ike_host {
	void *ctx;
	/* One IKE datagram (the message, without the non-ESP marker: the host
	 * adds it when either port is 4500). */
	void (*send)(void *ctx, const struct sgw_ike_addr *local,
		     const struct sgw_ike_addr *remote, const uint8_t *msg, size_t len);
	int (*spi_alloc)(void *ctx, uint32_t *spi);       /* an inbound SPI */
	void (*spi_release)(void *ctx, uint32_t spi);     /* unused after all */
	/* Installs the SA and its policies (inbound: in-policies remote ->
	 * local bound to it; outbound: out-policies local -> remote). */
	int (*esp_add)(void *ctx, const struct sgw_ike_esp *e, uint64_t *handle);
	void (*esp_del)(void *ctx, uint64_t handle);
	/* Live counters of an installed SA: 0 or -ENOENT. */
	int (*esp_counts)(void *ctx, uint64_t handle, uint64_t *packets, uint64_t *bytes);
	uint64_t (*now_ms)(void *ctx);                    /* monotonic */
	/* Our address towards remote (initiating): 0 or negative errno. */
	int (*source)(void *ctx, int family, const uint8_t *remote, uint8_t *local);
};

/* Errors and events by reason, for `sgwctl show stats`. */
#define SGW_IKE_COUNTERS(X)                                  \
	X(RX, "ike_rx")                                      \
	X(TX, "ike_tx")                                      \
	X(MALFORMED, "ike_malformed")                        \
	X(BAD_VERSION, "ike_bad_version")                    \
	X(UNKNOWN_SPI, "ike_unknown_spi")                    \
	X(OUT_OF_WINDOW, "ike_out_of_window")                \
	X(RETRANSMIT_REPLIED, "ike_duplicates_answered")     \
	X(RETRANSMITS, "ike_retransmits")                    \
	X(TIMEOUTS, "ike_timeouts")                          \
	X(DECRYPT_FAILED, "ike_integrity_failed")            \
	X(NO_PROPOSAL, "ike_no_proposal_chosen")             \
	X(INVALID_KE, "ike_invalid_ke_sent")                 \
	X(COOKIE_SENT, "ike_cookies_sent")                   \
	X(COOKIE_BAD, "ike_cookie_invalid")                  \
	X(HALF_OPEN_LIMIT, "ike_half_open_limit")            \
	X(TABLE_FULL, "ike_table_full")                      \
	X(NO_PEER, "ike_no_matching_peer")                   \
	X(AUTH_FAILED, "ike_authentication_failed")          \
	X(TS_UNACCEPTABLE, "ike_ts_unacceptable")            \
	X(NO_ADDRESS, "ike_internal_address_failure")        \
	X(CRITICAL, "ike_unsupported_critical")              \
	X(CHILD_FAILED, "ike_child_install_failed")          \
	X(FRAG_DROPPED, "ike_fragments_dropped")             \
	X(IKE_UP, "ike_sas_established")                     \
	X(IKE_DOWN, "ike_sas_deleted")                       \
	X(CHILD_UP, "child_sas_installed")                   \
	X(CHILD_DOWN, "child_sas_deleted")

enum sgw_ike_counter {
#define SGW_IKE_ENUM(id, name) SGW_IKE_C_##id,
	SGW_IKE_COUNTERS(SGW_IKE_ENUM)
#undef SGW_IKE_ENUM
	SGW_IKE_C_MAX
};
extern const char *const sgw_ike_counter_names[SGW_IKE_C_MAX];
const uint64_t *sgw_ike_counters(void);

/* Where the daemon logs (syslog levels); unset, it is silent. */
extern void (*sgw_ike_log_hook)(int level, const char *msg);

/* Life cycle. c must outlive the daemon (a reload will hand over). */
int sgw_ike_init(const struct sgw_conf *c, const struct sgw_ike_host *h);
void sgw_ike_fini(void);

/* A datagram for one of our addresses on port 500, or on 4500 with the
 * non-ESP marker already removed. */
void sgw_ike_input(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		   const uint8_t *msg, size_t len);
/* Timers: retransmissions, liveness, rekeying, half-open expiry. Call
 * often (every 100 ms is plenty). */
void sgw_ike_tick(void);

/* The dataplane says an SA reached a lifetime or sequence limit. */
enum sgw_ike_esp_event { SGW_IKE_ESP_SOFT, SGW_IKE_ESP_HARD, SGW_IKE_ESP_SEQ };
void sgw_ike_esp_event(uint64_t handle, enum sgw_ike_esp_event ev);

/* For the CLI: a snapshot of one IKE SA. */
struct sgw_ike_sa_info {
	uint32_t id;
	char peer[SGW_NAME_MAX];
	char state[16];
	bool initiator;
	uint64_t ispi, rspi;
	struct sgw_ike_addr local, remote;
	char local_id[128], remote_id[128];
	char algs[96];
	bool nat_local, nat_remote;
	uint64_t age_ms, rekey_in_ms;
	unsigned n_children;
	struct {
		char name[SGW_NAME_MAX];
		uint32_t spi_in, spi_out;
		char algs[64];
		char ts_local[128], ts_remote[128];
		uint64_t age_ms, rekey_in_ms;
		uint8_t vip[16];
		int vip_family;
	} child[8];
};
/* Iterates IKE SAs: *iter = 0 to start; false at the end. */
bool sgw_ike_sa_next(uint32_t *iter, struct sgw_ike_sa_info *out);
bool sgw_ike_sa_get(uint32_t id, struct sgw_ike_sa_info *out);
int sgw_ike_terminate(uint32_t id);
int sgw_ike_initiate(const char *peer);

#endif
