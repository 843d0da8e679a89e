/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sgw configuration: plain structs filled from one YAML file.
 *
 * Three steps, kept apart so that a reload can later diff against the running
 * state: parse (YAML to these structs; no libyaml type escapes this module),
 * validate (semantics and cross references), apply (owned by the dataplane and
 * control modules). This module depends on nothing else of ours and on no DPDK
 * symbol, so sgwd can check a file before it touches the EAL.
 */
#ifndef SGW_CONF_H
#define SGW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SGW_MAX_PORTS      8
#define SGW_MAX_WORKERS    16
#define SGW_MAX_PORT_ADDRS 8
#define SGW_MAX_EAL_ARGS   16
#define SGW_NAME_MAX       32   /* port names, group names, incl. NUL */
#define SGW_DEVICE_MAX     256  /* DPDK device string, incl. NUL */
#define SGW_PATH_MAX       108  /* sun_path size, incl. NUL */

/* Where a value came from, for error messages: file:line:col (1-based). */
struct sgw_conf_loc {
	unsigned line;
	unsigned col;
};

/* An IPv4 or IPv6 address with a prefix length; addr in network order,
 * IPv4 in the first 4 bytes, the rest zero. */
struct sgw_prefix {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t len;         /* 0..32 or 0..128 */
	uint8_t addr[16];
};

enum sgw_role {
	SGW_ROLE_STANDALONE = 0,
};

enum sgw_log_target {
	SGW_LOG_STDERR = 0,
	SGW_LOG_SYSLOG,
};

struct sgw_conf_port {
	char name[SGW_NAME_MAX];
	char device[SGW_DEVICE_MAX]; /* "net_xxx[,args]" (vdev) or "dddd:bb:dd.f" (PCI) */
	bool is_pci;                 /* set by the parser from the device string */
	uint16_t mtu;                /* IP MTU, default 1500, 576..9000 */
	uint16_t rx_desc;            /* default 512 */
	uint16_t tx_desc;            /* default 512 */
	unsigned n_addrs;
	struct sgw_prefix addrs[SGW_MAX_PORT_ADDRS]; /* host address + subnet length */
	struct sgw_conf_loc loc;     /* of the list item */
	struct sgw_conf_loc addr_loc[SGW_MAX_PORT_ADDRS];
	struct sgw_conf_loc name_loc;
	struct sgw_conf_loc device_loc; /* so apply can blame a device it cannot probe */
};

struct sgw_conf_route {
	struct sgw_prefix to;        /* destination prefix, host bits must be zero */
	bool has_via;
	struct sgw_prefix via;       /* next hop (len = 32/128), same family as to */
	char port[SGW_NAME_MAX];     /* optional in YAML: "" means "infer from via" */
	unsigned port_idx;           /* resolved by sgw_conf_validate() */
	bool has_mac;                /* a static neighbour entry for via */
	uint8_t mac[6];
	struct sgw_conf_loc loc;     /* of the list item */
	struct sgw_conf_loc mac_loc;
	struct sgw_conf_loc to_loc;
	struct sgw_conf_loc via_loc;
	struct sgw_conf_loc port_loc;
};

/* Inner-packet selector of a policy (RFC 4301 4.4.1). An absent prefix
 * matches any address of the policy's family; family 0 (no prefix given)
 * matches both families. Ports apply to TCP, UDP and SCTP only; for other
 * protocols a policy with a port range never matches. */
struct sgw_conf_sel {
	int family;                  /* 0, AF_INET or AF_INET6 */
	bool has_src, has_dst;
	struct sgw_prefix src, dst;  /* host bits zero */
	int proto;                   /* -1 = any, else 0..255 */
	uint16_t sport_lo, sport_hi; /* 0-65535 when absent */
	uint16_t dport_lo, dport_hi;
};

#define SGW_KEY_MAX  32          /* AES-256 */
#define SGW_SALT_LEN 4           /* RFC 4106 salt */

/* A manually keyed SA (RFC 4301 4.5): one direction, AES-GCM-16. What does
 * not apply to it reads 0: replay_window on an outbound SA, seq on an inbound
 * one, the ports without udp_encap. */
struct sgw_conf_sa {
	char name[SGW_NAME_MAX];
	uint32_t spi;                /* 256..0xffffffff, host order */
	bool inbound;                /* direction: in | out */
	bool transport;              /* mode: tunnel (default) | transport */
	unsigned key_len;            /* 16 (aes-gcm-128) or 32 (aes-gcm-256) */
	uint8_t key[SGW_KEY_MAX];
	uint8_t salt[SGW_SALT_LEN];
	bool esn;                    /* default false */
	unsigned replay_window;      /* inbound, power of two 64..4096, default 1024 */
	uint64_t seq;                /* outbound: first sequence number sent, default 1 */
	struct sgw_prefix local;     /* outer addresses, len 32/128, same family */
	struct sgw_prefix remote;
	bool udp_encap;              /* encap: udp (RFC 3948) | none (default) */
	uint16_t local_port;         /* default 4500 when udp_encap */
	uint16_t remote_port;        /* default 4500 when udp_encap */
	uint64_t soft_bytes, hard_bytes;     /* lifetime; 0 = none */
	uint64_t soft_packets, hard_packets;
	struct sgw_conf_loc loc;     /* of the list item */
	struct sgw_conf_loc name_loc, spi_loc, key_loc, local_loc, remote_loc;
	struct sgw_conf_loc window_loc, seq_loc, lifetime_loc;
	struct sgw_conf_loc local_port_loc, remote_port_loc;
};

enum sgw_policy_action {
	SGW_POLICY_PROTECT = 0,
	SGW_POLICY_BYPASS,
	SGW_POLICY_DISCARD,
};

/* An SPD entry; the list order in the file is the lookup order. */
struct sgw_conf_policy {
	char name[SGW_NAME_MAX];
	bool inbound;                /* direction: in | out */
	struct sgw_conf_sel sel;
	enum sgw_policy_action action;
	char sa[SGW_NAME_MAX];       /* protect only: an SA of the same direction */
	unsigned sa_idx;             /* resolved by sgw_conf_validate() */
	struct sgw_conf_loc loc;
	struct sgw_conf_loc name_loc, sel_loc, action_loc, sa_loc;
	struct sgw_conf_loc src_loc, dst_loc, sport_loc, dport_loc;
	/* sel_loc is src_loc, else dst_loc, else loc */
};

struct sgw_conf {
	char file[4096];             /* path, or "<embedded default>" */
	enum sgw_role role;

	struct {
		bool no_huge;            /* default true */
		unsigned memory_mb;      /* default 256 */
		char file_prefix[64];    /* default "sgw" */
		unsigned control_cpu;    /* default 0 */
		unsigned n_args;         /* extra EAL arguments, passed verbatim */
		char args[SGW_MAX_EAL_ARGS][128];
		struct sgw_conf_loc file_prefix_loc;
	} eal;

	struct {
		unsigned count;          /* default 1, 1..SGW_MAX_WORKERS */
		unsigned n_cpus;         /* 0: all workers on eal.control_cpu */
		unsigned cpus[SGW_MAX_WORKERS];
		unsigned idle_sleep_us;  /* default 100; 0 = busy poll */
		struct sgw_conf_loc cpus_loc;
		struct sgw_conf_loc idle_sleep_loc;
	} workers;

	unsigned n_ports;
	struct sgw_conf_port ports[SGW_MAX_PORTS];

	unsigned n_routes;
	struct sgw_conf_route *routes; /* malloc'd, n_routes entries */

	struct {
		char socket[SGW_PATH_MAX]; /* default "/run/sgw/sgwd.sock" */
		unsigned mode;             /* default 0660 */
		char group[SGW_NAME_MAX];  /* "" = process group */
		struct sgw_conf_loc socket_loc;
		struct sgw_conf_loc mode_loc;
	} cli;

	struct {
		int level;                 /* syslog-style 0 (emerg) .. 7 (debug), default 6 (info) */
		enum sgw_log_target target;
	} logging;

	unsigned n_sas;
	struct sgw_conf_sa *sas;       /* malloc'd, n_sas entries */
	unsigned n_policies;
	struct sgw_conf_policy *policies; /* malloc'd, in file order */

	struct {
		unsigned neighbours;       /* default 1024 */
		unsigned routes;           /* per family, default 1024 */
		unsigned mbufs;            /* 0 = computed from ports and workers */
		unsigned sas;              /* SA table capacity, default 16384, 64..4194304 */
		unsigned policies;         /* per direction, default 1024, 16..65536 */
	} limits;
};

/* "file:line:col: what was expected", or "file: message" without a place. */
struct sgw_conf_err {
	char msg[512];
};

/* The demo's configuration, compiled into sgwd (conf/default.yaml). */
extern const char sgw_conf_default_yaml[];
extern const size_t sgw_conf_default_yaml_len;
#define SGW_CONF_DEFAULT_NAME "<embedded default>"

/* Parse: YAML text to a new struct sgw_conf with defaults filled in.
 * Returns 0, or -EINVAL (-ENOMEM when out of memory) with *err set and *out
 * untouched. err may be NULL. */
int sgw_conf_parse(const char *name, const char *text, size_t len,
		   struct sgw_conf **out, struct sgw_conf_err *err);
/* Reads the file and parses it; -errno with *err set on failure. */
int sgw_conf_parse_file(const char *path, struct sgw_conf **out,
			struct sgw_conf_err *err);
/* Validate: cross references and semantics; resolves route ports.
 * Returns 0 or -EINVAL (-ENOMEM when out of memory) with *err set. */
int sgw_conf_validate(struct sgw_conf *c, struct sgw_conf_err *err);
/* parse_file (or the embedded default when path is NULL) + validate. */
int sgw_conf_load(const char *path, struct sgw_conf **out,
		  struct sgw_conf_err *err);
void sgw_conf_free(struct sgw_conf *c);

/* One item of the sas: or policies: list given as a YAML flow mapping
 * ("{name: x, spi: 0x100, ...}", the CLI's sa add / policy add), with the
 * checks that need nothing else of the config. Cross references (ports,
 * other SAs) are the caller's. Returns 0 or -EINVAL with *err set; *out
 * holds key material on success: the caller wipes it. */
int sgw_conf_parse_sa_item(const char *text, size_t len, struct sgw_conf_sa *out,
			   struct sgw_conf_err *err);
int sgw_conf_parse_policy_item(const char *text, size_t len,
			       struct sgw_conf_policy *out, struct sgw_conf_err *err);
/* The checks of one item that need no other part of the config (c gives
 * the name for messages; with no ports, local addresses are not checked). */
int sgw_conf_check_sa_alone(const struct sgw_conf *c, const struct sgw_conf_sa *sa,
			    struct sgw_conf_err *err);
int sgw_conf_check_policy_alone(const struct sgw_conf *c,
				const struct sgw_conf_policy *pol,
				struct sgw_conf_err *err);

/* Formats "file:line:col: message" (or "file: message" when loc.line is 0,
 * i.e. the value did not come from the file) into err, which may be NULL.
 * Returns -EINVAL so callers can write "return sgw_conf_error(...)". Shared
 * with the apply step, which blames the node it cannot apply (device_loc). */
int sgw_conf_error(struct sgw_conf_err *err, const char *file,
		   struct sgw_conf_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Helpers shared with the CLI and dataplane. */
/* "addr/len" or, unless need_len, "addr" (len becomes 32 or 128). Returns 0,
 * -EINVAL when the address is not IPv4/IPv6, -ERANGE when the prefix length
 * is malformed or too long for the family, -ENOENT when need_len and "/len"
 * is missing. *p is written only on success. */
int sgw_prefix_parse(const char *s, struct sgw_prefix *p, bool need_len);
/* "198.51.100.1/24" (with_len) or "198.51.100.1"; buf >= 50 bytes. */
const char *sgw_prefix_str(const struct sgw_prefix *p, bool with_len,
			   char *buf, size_t size);
bool sgw_prefix_contains(const struct sgw_prefix *net, const uint8_t *addr,
			 int family);
const char *sgw_log_level_name(int level);
int sgw_log_level_parse(const char *s); /* -1 when unknown */

#endif
