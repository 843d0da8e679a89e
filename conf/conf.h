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

/* IKEv2 (RFC 7296) ------------------------------------------------------------
 *
 * What the control core needs to negotiate: global IKE settings, address
 * pools for remote-access clients, peers (connections) with their Child
 * SAs, and pre-shared keys from a separate secrets file. Algorithms and
 * identity types are stored as IANA numbers, identities in their IKE wire
 * form, so the IKE code compares and sends them without converting. */

/* Transform IDs (IANA "IKEv2 Parameters"), only those a file can name. */
enum {                                 /* Transform Type 1: encryption */
	SGW_ENCR_AES_CBC = 12,             /* RFC 3602 */
	SGW_ENCR_AES_GCM_16 = 20,          /* RFC 4106 (ESP), RFC 5282 (IKE); 16-byte ICV */
};
enum {                                 /* Transform Type 2: pseudorandom function */
	SGW_PRF_HMAC_SHA2_256 = 5,         /* RFC 4868 */
	SGW_PRF_HMAC_SHA2_384 = 6,         /* RFC 4868 */
	SGW_PRF_HMAC_SHA2_512 = 7,         /* RFC 4868 */
};
enum {                                 /* Transform Type 3: integrity */
	SGW_AUTH_HMAC_SHA2_256_128 = 12,   /* RFC 4868 */
	SGW_AUTH_HMAC_SHA2_384_192 = 13,   /* RFC 4868 */
	SGW_AUTH_HMAC_SHA2_512_256 = 14,   /* RFC 4868 */
};
enum {                                 /* Transform Type 4: key exchange */
	SGW_DH_MODP_2048 = 14,             /* RFC 3526 */
	SGW_DH_MODP_3072 = 15,             /* RFC 3526 */
	SGW_DH_ECP_256 = 19,               /* RFC 5903 */
	SGW_DH_ECP_384 = 20,               /* RFC 5903 */
	SGW_DH_CURVE25519 = 31,            /* RFC 8031 */
};

/* Identification types (RFC 7296 3.5), the numbers IKE sends. */
enum sgw_id_type {
	SGW_ID_ANY = 0,          /* not sent: remote_id "%any"; local_id not
				  * given and no 'local': our address in use */
	SGW_ID_IPV4_ADDR = 1,    /* 4 bytes */
	SGW_ID_FQDN = 2,         /* ASCII, no '@' prefix, no NUL */
	SGW_ID_RFC822_ADDR = 3,  /* ASCII email address */
	SGW_ID_IPV6_ADDR = 5,    /* 16 bytes */
	SGW_ID_DER_ASN1_DN = 9,  /* DER Name: SEQUENCE OF SET OF SEQUENCE {OID, string} */
};

#define SGW_ID_MAX         255  /* bytes of an identity (a DN's DER) */
#define SGW_PSK_MIN        16   /* bytes; RFC 7296 2.15: a PSK is a key */
#define SGW_PSK_MAX        256
#define SGW_FILE_MAX       512  /* a stored file path, incl. NUL */
#define SGW_MAX_PROPOSALS  8    /* per ike_proposals / esp_proposals list */
#define SGW_MAX_TS         16   /* per local_ts / remote_ts list */
#define SGW_MAX_CHILDREN   16   /* per peer */
#define SGW_MAX_CACERTS    4
#define SGW_MAX_DNS        4    /* per pool */
#define SGW_MAX_PEER_POOLS 2    /* one IPv4 and one IPv6 pool */
#define SGW_MAX_SECRET_IDS 4

/* An identity. DNs are DER as OpenSSL writes a certificate's subject:
 * C as PrintableString, emailAddress as IA5String, the rest UTF8String.
 * strongSwan encodes printable values as PrintableString and compares DNs
 * attribute by attribute ignoring the string type; the IKE code must do
 * the same when a DN arrives from a peer, not compare bytes. */
struct sgw_conf_id {
	uint8_t type;                /* enum sgw_id_type */
	bool wildcard;               /* remote_id "*@example.net", "*.example.net":
				      * data is the suffix after the '*' */
	uint16_t len;
	uint8_t data[SGW_ID_MAX];
};

/* One proposal: alternatives per transform type, in the file's order
 * (our preference). An IKE proposal has encr, prf (filled in from integ
 * when not given, as strongSwan does), integ unless encr is AES-GCM, and
 * dh. An ESP proposal has AES-GCM encr, optional dh (PFS on rekeying) and
 * esn/noesn (noesn alone when neither was given; when both are, offer
 * noesn first, as strongSwan's default does). */
struct sgw_conf_proposal {
	uint8_t n_encr;
	struct {
		uint16_t id;             /* SGW_ENCR_* */
		uint16_t key_bits;       /* 128 or 256 (Key Length attribute) */
	} encr[4];
	uint8_t n_integ;
	uint16_t integ[4];           /* SGW_AUTH_* */
	uint8_t n_prf;
	uint16_t prf[4];             /* SGW_PRF_* */
	uint8_t n_dh;
	uint16_t dh[8];              /* SGW_DH_* */
	bool esn, noesn;
};

/* A traffic selector of a Child SA (RFC 7296 2.9). */
struct sgw_conf_ts {
	bool dynamic;                /* the IKE SA's outer address (ours, or the
				      * peer's), or the peer's virtual address
				      * when it has one from a pool */
	struct sgw_prefix net;       /* !dynamic: host bits zero */
	uint8_t proto;               /* IP protocol, 0 = any (as in the TS payload) */
	uint16_t port_lo, port_hi;   /* 0-65535 when not given */
	struct sgw_conf_loc loc;
};

struct sgw_conf_child {
	char name[SGW_NAME_MAX];     /* unique within its peer */
	unsigned n_local_ts, n_remote_ts;
	struct sgw_conf_ts local_ts[SGW_MAX_TS];   /* default 0.0.0.0/0, ::/0 */
	struct sgw_conf_ts remote_ts[SGW_MAX_TS];  /* default dynamic */
	bool transport;              /* mode: tunnel (default) | transport */
	bool start;                  /* start_action: start | none; default
				      * start when the peer initiates */
	unsigned n_esp;
	struct sgw_conf_proposal esp[SGW_MAX_PROPOSALS]; /* the peer's unless given */
	struct sgw_conf_loc loc, name_loc, mode_loc, start_loc, esp_loc;
	struct sgw_conf_loc local_ts_loc, remote_ts_loc;
};

/* Virtual addresses for remote-access clients (RFC 7296 3.15). */
struct sgw_conf_pool {
	char name[SGW_NAME_MAX];
	int family;                  /* AF_INET or AF_INET6 */
	bool is_range;               /* "a-b"; else a prefix */
	struct sgw_prefix prefix;    /* the prefix form (len 32/128 for a range) */
	uint8_t first[16], last[16]; /* the addresses handed out, inclusive: a
				      * prefix without its network address and,
				      * IPv4 up to /30, its broadcast address */
	unsigned n_dns;
	struct sgw_prefix dns[SGW_MAX_DNS]; /* INTERNAL_IP4/6_DNS, len 32/128 */
	struct sgw_conf_loc loc, name_loc, addrs_loc;
	struct sgw_conf_loc dns_loc[SGW_MAX_DNS];
};

enum sgw_auth {
	SGW_AUTH_PUBKEY = 0,         /* X.509 certificate, RSA or ECDSA (default) */
	SGW_AUTH_PSK,                /* pre-shared key from the secrets file */
};

/* An IKE peer (a connection). Files are resolved paths, checked to exist;
 * the control module loads them. */
struct sgw_conf_peer {
	char name[SGW_NAME_MAX];
	bool remote_any;             /* remote: any (the default) */
	struct sgw_prefix remote;    /* !remote_any: one address (len 32/128) or a prefix */
	uint16_t remote_port;        /* default 500 */
	bool has_local;
	struct sgw_prefix local;     /* one of our port addresses, len 32/128 */
	bool initiate;               /* we initiate and keep the IKE SA up */
	struct sgw_conf_id local_id; /* default: 'local' as an IP identity, else ANY */
	struct sgw_conf_id remote_id;/* default ANY (%any) */
	enum sgw_auth auth;          /* ours, default pubkey */
	enum sgw_auth remote_auth;   /* the peer's, default 'auth' */
	char cert[SGW_FILE_MAX];     /* auth pubkey: PEM certificate */
	char key[SGW_FILE_MAX];      /* auth pubkey: PEM private key */
	unsigned n_cacerts;          /* remote_auth pubkey: trust anchors, >= 1 */
	char cacerts[SGW_MAX_CACERTS][SGW_FILE_MAX];
	unsigned n_ike, n_esp;       /* defaults when not given (site.yaml) */
	struct sgw_conf_proposal ike[SGW_MAX_PROPOSALS];
	struct sgw_conf_proposal esp[SGW_MAX_PROPOSALS];
	uint32_t ike_lifetime;       /* seconds until rekeying, 0 = never; default 4h */
	uint32_t child_lifetime;     /* default 1h */
	uint64_t child_lifetime_bytes, child_lifetime_packets; /* 0 = none */
	uint32_t dpd;                /* seconds without traffic, 0 = off; default 30 */
	bool encap_force;            /* encap: auto (default) | force */
	bool fragmentation;          /* RFC 7383, default true */
	unsigned n_pools;
	char pools[SGW_MAX_PEER_POOLS][SGW_NAME_MAX];
	unsigned pool_idx[SGW_MAX_PEER_POOLS]; /* resolved by sgw_conf_validate() */
	unsigned n_children;
	struct sgw_conf_child *children; /* malloc'd, >= 1 */
	struct sgw_conf_loc loc, name_loc, remote_loc, local_loc, initiate_loc;
	struct sgw_conf_loc local_id_loc, remote_id_loc, auth_loc, remote_auth_loc;
	struct sgw_conf_loc cert_loc, key_loc, cacerts_loc, pools_loc, children_loc;
	struct sgw_conf_loc ike_loc, esp_loc;
	struct sgw_conf_loc pool_loc[SGW_MAX_PEER_POOLS];
};

/* A pre-shared key and the identities it is for. */
struct sgw_conf_secret {
	unsigned n_ids;
	struct sgw_conf_id ids[SGW_MAX_SECRET_IDS];
	unsigned len;
	uint8_t secret[SGW_PSK_MAX];
	struct sgw_conf_loc loc;     /* in the secrets file */
	struct sgw_conf_loc id_loc[SGW_MAX_SECRET_IDS];
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

	/* IKE's UDP ports are fixed: 500, and 4500 after NAT detection. */
	struct {
		char secrets[SGW_FILE_MAX];  /* resolved path, "" = none */
		unsigned cookie_threshold;   /* half-open SAs before COOKIEs, default
					      * 256; 0 = always (RFC 7296 2.6) */
		unsigned half_open_per_source; /* default 16 */
		uint32_t half_open_timeout;  /* seconds, default 30 */
		uint32_t retransmit_timeout; /* seconds, default 2 */
		double retransmit_base;      /* back-off factor 1.0..4.0, default 1.8 */
		unsigned retransmit_tries;   /* default 5 */
		unsigned fragment_size;      /* RFC 7383, default 1280, 576..9000 */
		struct sgw_conf_loc secrets_loc, cookie_loc, per_source_loc;
	} ike;

	unsigned n_pools;
	struct sgw_conf_pool *pools;   /* malloc'd */
	unsigned n_peers;
	struct sgw_conf_peer *peers;   /* malloc'd, each with its children */
	unsigned n_secrets;
	struct sgw_conf_secret *secrets; /* malloc'd, from ike.secrets; wiped on free */

	struct {
		unsigned neighbours;       /* default 1024 */
		unsigned routes;           /* per family, default 1024 */
		unsigned mbufs;            /* 0 = computed from ports and workers */
		unsigned sas;              /* SA table capacity, default 16384, 64..4194304 */
		unsigned policies;         /* per direction, default 1024, 16..65536 */
		unsigned ike_sas;          /* default 16384, 16..1048576 */
		unsigned half_open;        /* default 4096, 16..1048576 */
		struct sgw_conf_loc ike_sas_loc, half_open_loc;
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

/* The peer of that name, or NULL. */
const struct sgw_conf_peer *sgw_conf_find_peer(const struct sgw_conf *c,
					       const char *name);
/* The secret listing exactly this identity (type and wire-form bytes, a DN
 * as its DER), or NULL. Wildcards are patterns of remote_id, never of a
 * secret. */
const struct sgw_conf_secret *sgw_conf_find_psk(const struct sgw_conf *c,
						int id_type, const uint8_t *id,
						size_t len);

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
