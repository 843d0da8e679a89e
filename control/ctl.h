/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control core's shared state, private to control/. Everything here is
 * touched by the control lcore only (CLI, punted packets, timers).
 */
#ifndef SGW_CTL_H
#define SGW_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_log.h>
#include <rte_mbuf.h>

#include "cli.h"
#include "conf.h"

extern int sgw_ctl_logtype;
#define CTL_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, sgw_ctl_logtype, "control: %s: " fmt "\n", __func__, ##__VA_ARGS__)

/* What the control core did with punted packets, and what it dropped. */
#define SGW_CTL_COUNTERS(X)                          \
	X(ARP_REQUEST_IN, "arp_requests_in")         \
	X(ARP_REPLY_OUT, "arp_replies_out")          \
	X(ARP_REPLY_IN, "arp_replies_in")            \
	X(ARP_REQUEST_OUT, "arp_requests_out")       \
	X(ARP_NOT_FOR_US, "arp_not_for_us")          \
	X(ND_NS_IN, "nd_solicitations_in")           \
	X(ND_NA_OUT, "nd_advertisements_out")        \
	X(ND_NA_IN, "nd_advertisements_in")          \
	X(ND_NS_OUT, "nd_solicitations_out")         \
	X(ND_BAD, "nd_malformed")                    \
	X(ND_IGNORED, "nd_ignored")                  \
	X(ECHO_REPLY_OUT, "echo_replies_out")        \
	X(ICMP_ERR_OUT, "icmp_errors_out")           \
	X(ICMP_ERR_RATELIMITED, "icmp_errors_rate_limited") \
	X(ICMP_ERR_SUPPRESSED, "icmp_errors_suppressed") \
	X(ICMP_BAD, "icmp_malformed")                \
	X(LOCAL_UNHANDLED, "local_unhandled")        \
	X(LOCAL_FRAGMENT, "local_fragment")          \
	X(NEIGH_HELD, "neigh_packets_held")          \
	X(NEIGH_HOLD_OVERFLOW, "neigh_hold_overflow") \
	X(NEIGH_FAILED, "neigh_resolution_failed")   \
	X(NEIGH_TABLE_FULL, "neigh_table_full")      \
	X(NO_SOURCE_ADDR, "no_source_address")       \
	X(NO_ROUTE, "no_route")                      \
	X(FRAGMENTS_OUT, "fragments_out")            \
	X(FRAG_FAILED, "fragmentation_failed")       \
	X(NO_MBUF, "no_mbuf")                        \
	X(TX_RING_FULL, "tx_ring_full")              \
	X(IKE_UNHANDLED, "ike_unhandled")            /* no IKE daemon yet */ \
	X(EV_SA_SOFT, "sa_soft_expired")             \
	X(EV_SA_HARD, "sa_hard_expired")             \
	X(EV_SA_SEQ_DONE, "sa_seq_exhausted")        \
	X(EV_UNKNOWN_SPI, "unknown_spi_events")

enum sgw_ctl_counter {
#define SGW_CTL_ENUM(id, name) SGW_CTL_##id,
	SGW_CTL_COUNTERS(SGW_CTL_ENUM)
#undef SGW_CTL_ENUM
	SGW_CTL_MAX
};
extern uint64_t sgw_ctl_cnt[SGW_CTL_MAX];
extern const char *const sgw_ctl_cnt_names[SGW_CTL_MAX];
#define CTL_COUNT(id) (sgw_ctl_cnt[SGW_CTL_##id]++)

struct sgw_ctl {
	struct sgw_conf *conf;
	time_t started;
	bool quit;
};
extern struct sgw_ctl sgw_ctl;

/* eal_args.c: the EAL command line for a config; argv is malloc'd. */
int sgw_eal_args(const struct sgw_conf *c, const char *prog, int *argc,
		 char ***argv);
void sgw_eal_args_free(int argc, char **argv);

/* ctl_local.c: packets punted by workers, and neighbour timers. */
void sgw_local_input(struct rte_mbuf *m);
void sgw_local_tick(void);
void sgw_local_announce(void);

/* ctl_local.c: a packet control built as its source, routed and sent. */
void sgw_local_output(struct rte_mbuf *m, int family, const uint8_t *dst,
		      uint8_t reason);
int sgw_local_source(int family, const uint8_t *dst, uint8_t *out);

/* ctl_ike.c: the IKE daemon's host. */
int sgw_ctl_ike_init(const struct sgw_conf *c);
void sgw_ctl_ike_fini(void);
void sgw_ctl_ike_tick(void);
void sgw_ctl_ike_input(struct rte_mbuf *m);
struct sgw_dp_event;
void sgw_ctl_ike_sa_event(const struct sgw_dp_event *e);
struct sgw_json;
void sgw_ctl_ike_stats(struct sgw_json *j, struct sgw_cli_reply *r);

/* ctl_ipsec.c: worker events (SA limits, unknown SPIs). */
void sgw_ipsec_events(void);
#define SGW_CMD(name) \
	void sgw_cmd_##name(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
SGW_CMD(show_sa);
SGW_CMD(show_policies);
SGW_CMD(sa_add);
SGW_CMD(sa_del);
SGW_CMD(policy_add);
SGW_CMD(policy_del);
SGW_CMD(show_ike);
SGW_CMD(ike_terminate);
SGW_CMD(ike_initiate);

/* ctl_loop.c */
int sgw_ctl_run(void);

/* ctl_cmds.c */
extern const struct sgw_cli_cmd sgw_ctl_cmds[];
extern const size_t sgw_ctl_n_cmds;

#endif
