/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the daemon's files: ike_sa.c (the IKE SA store),
 * ike_msg.c (protected messages: SK, fragments, retransmission) and
 * ike_exch.c (the exchanges). Not for use outside control/ike/.
 */
#ifndef SGW_IKE_INT_H
#define SGW_IKE_INT_H

#include <stdarg.h>
#include <syslog.h>

#include <openssl/x509.h>

#include "ike.h"
#include "ike_crypto.h"
#include "ike_proposal.h"
#include "ike_ts.h"

#define IKE_NONCE_LEN     32
#define IKE_MSG_BUF       65535
#define IKE_FRAG_MAX      64       /* fragments of one message we accept */
#define IKE_ID_MAX        255      /* bytes of an identity we keep (a DN's DER) */

/* ------------------------------------------------- the compiled configuration
 * ike_cfg.c turns the YAML peers (conf.h) into these once, at start-up:
 * proposals as offers, selectors as ranges, identities in wire form. */

#define IKE_MAX_OFFERS   16
#define IKE_MAX_CHILDREN 8
#define IKE_MAX_CFG_TS   16

struct ike_id {
	bool any;                    /* %any */
	bool suffix;                 /* "*@example.net": data is the suffix */
	uint8_t type;                /* IKEV2_ID_* */
	uint16_t len;
	uint8_t data[255];
};

struct ike_cfg_ts {
	bool dynamic;                /* the outer (or virtual) address */
	struct sgw_ike_ts_sel sel;   /* else this range */
};

struct ike_pool {
	char name[SGW_NAME_MAX];
	int family;
	uint8_t first[16], last[16]; /* host addresses handed out */
	unsigned n_dns;
	struct { int family; uint8_t a[16]; } dns[4];
	uint32_t size;               /* addresses in [first, last], at most 2^20 */
	uint8_t *used;               /* one byte per address: 0 free, 1 leased, 2 remembered */
	struct ike_lease *leases;    /* by identity, kept across reconnects */
};

struct ike_child_cfg {
	char name[SGW_NAME_MAX];
	unsigned n_local, n_remote;
	struct ike_cfg_ts local[IKE_MAX_CFG_TS], remote[IKE_MAX_CFG_TS];
	bool transport;
	bool start;                  /* initiate with the IKE SA */
	unsigned n_esp;
	struct sgw_ike_offer esp[IKE_MAX_OFFERS];
};

enum ike_auth { IKE_AUTH_PSK, IKE_AUTH_PUBKEY };

#define IKE_MAX_CA 8

/* Certificates and keys of one peer entry (ike_cert.c). */
struct ike_creds {
	X509 *cert;                  /* ours, when auth is pubkey */
	STACK_OF(X509) *chain;       /* its intermediates, sent after it */
	EVP_PKEY *key;
	X509_STORE *cas;             /* remote_auth pubkey: the trust anchors */
	unsigned n_ca;
	uint8_t ca_hash[IKE_MAX_CA][20];  /* SHA-1 of their public keys, for CERTREQ */
};

struct ike_peer {
	const struct sgw_conf_peer *conf;
	char name[SGW_NAME_MAX];
	bool remote_any;
	struct sgw_prefix remote;    /* address or prefix when not any */
	uint16_t remote_port;
	bool has_local;
	int local_family;
	uint8_t local[16];
	bool initiate;
	struct ike_id lid, rid;
	enum ike_auth auth, remote_auth;
	unsigned n_ike;
	struct sgw_ike_offer ike[IKE_MAX_OFFERS];
	uint64_t ike_lifetime_ms, child_lifetime_ms;
	uint64_t child_bytes, child_packets;
	uint64_t dpd_ms;
	bool force_encap, fragmentation;
	struct ike_pool *pool4, *pool6;
	struct ike_creds creds;
	unsigned n_children;
	struct ike_child_cfg child[IKE_MAX_CHILDREN];
};

enum ike_state {
	IKE_S_INIT_SENT,            /* initiator: IKE_SA_INIT request out */
	IKE_S_INIT_DONE,            /* responder: IKE_SA_INIT answered, no AUTH yet */
	IKE_S_AUTH_SENT,            /* initiator: IKE_AUTH request out */
	IKE_S_ESTABLISHED,
	IKE_S_DELETING,             /* our Delete is out */
	IKE_S_DEAD,                 /* to be freed at the next tick */
};

struct ike_child {
	struct ike_child *next;
	char name[SGW_NAME_MAX];
	const struct ike_child_cfg *cfg;
	uint32_t spi_in, spi_out;    /* ours (SA table) and the peer's */
	struct sgw_ike_choice prop;
	struct sgw_ike_ts_pld ts_local, ts_remote;
	uint64_t h_in, h_out;        /* host handles, 0 = not installed */
	uint64_t born_ms, rekey_ms;
	bool transport;
	uint8_t km_in[36], km_out[36];  /* KEYMAT until installed, then wiped */
	uint64_t rekey_retry_ms;
	uint32_t gen;                /* names its dataplane SAs apart from others' */
	/* Made by the peer's rekey while ours of the same SA was in flight
	 * (RFC 7296 2.8.1): that exchange's nonces decide which stays. */
	bool collided;
	uint8_t x_ni[IKEV2_NONCE_MAX], x_nr[IKE_NONCE_LEN];
	size_t x_ni_len;
	bool out_pending;            /* rekeyed by the peer: outbound waits for
	                              * the Delete of the SA it replaces */
	struct ike_child *replaces;  /* that SA */
	bool rekeyed;                /* superseded, deleted soon */
	uint64_t rekeyed_ms;
};

/* Our outstanding request (one at a time: window size 1). */
struct ike_req {
	bool active;
	uint32_t msgid;
	uint8_t exch;
	unsigned tries;
	uint64_t next_ms, give_up_ms;
	unsigned n;                  /* datagrams (fragments) */
	uint8_t *dgram[IKE_FRAG_MAX];
	size_t len[IKE_FRAG_MAX];
	int kind;                    /* what the answer completes (ike_exch.c) */
};

/* The last response we sent, for a retransmitted request (2.1). */
struct ike_resp {
	bool valid;
	uint32_t msgid;
	unsigned n;
	uint8_t *dgram[IKE_FRAG_MAX];
	size_t len[IKE_FRAG_MAX];
};

/* Fragments of one incoming message (RFC 7383 2.6), bounded. */
struct ike_frags {
	uint32_t msgid;
	uint16_t total, have;
	size_t bytes;
	uint8_t first;               /* first inner payload type */
	uint8_t *part[IKE_FRAG_MAX + 1];
	size_t len[IKE_FRAG_MAX + 1];
};

/* Half-open IKE SAs from one address (ike_sa.c), for the per-source
 * limit: only addresses with one or more, so at most max_sas of them. */
struct ike_src {
	struct ike_src *next;        /* hash chain */
	int family;
	uint8_t a[16];
	unsigned n;
};

struct ike_sa {
	struct ike_sa *next, *prev;  /* all SAs, by id */
	struct ike_sa *hnext;        /* hash chain by our SPI */
	struct ike_sa *dnext;        /* on ike.dead once killed */
	struct ike_sa *inext;        /* hash chain by id */
	/* A responder's hash chain by the initiator's SPI and address (for
	 * retransmitted IKE_SA_INITs), once ike_sa_set_ispi told the SPI. */
	struct ike_sa *rnext;
	unsigned rbucket;            /* where it is filed, valid when rfiled */
	bool rfiled;
	struct ike_src *src;         /* counts it while half-open */
	uint32_t id;
	enum ike_state state;
	bool initiator;              /* we are the original initiator */
	uint64_t ispi, rspi;
	const struct ike_peer *peer;
	struct sgw_ike_addr local, remote;
	bool natt;                   /* moved to port 4500 */
	bool nat_local, nat_remote;  /* we / the peer are behind a NAT */
	bool frag_ok;                /* peer supports RFC 7383 */
	struct sgw_ike_choice prop;
	struct sgw_ike_dh *dh;
	uint16_t dh_group;
	uint8_t ni[IKEV2_NONCE_MAX], nr[IKEV2_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_i, *init_r;    /* the IKE_SA_INIT messages, for AUTH */
	size_t init_i_len, init_r_len;
	struct sgw_ike_keys keys;
	struct sgw_ike_sk *sk_rx, *sk_tx;
	uint64_t tx_count;           /* messages encrypted under sk_tx */
	uint32_t rx_mid;             /* next request ID we expect */
	uint32_t tx_mid;             /* next request ID we send */
	struct ike_req req;
	struct ike_resp resp;
	struct ike_frags frags;
	uint8_t rid_type, lid_type;
	uint8_t rid[IKE_ID_MAX], lid[IKE_ID_MAX];
	size_t rid_len, lid_len;
	struct ike_child *children;
	/* Our CREATE_CHILD_SA in flight: the child it makes, our nonce and
	 * key exchange; and the child our Delete in flight removes. */
	struct ike_child *cx_child, *del_child;
	uint32_t cx_ike;             /* our IKE SA rekey in flight: the successor's id */
	uint8_t cx_ni[IKE_NONCE_LEN];
	struct sgw_ike_dh *cx_dh;
	uint16_t cx_group;
	uint64_t superseded_ms;      /* rekeyed away: the peer deletes it soon */
	int vip_family;
	uint8_t vip[16];             /* leased address, when a pool gave one */
	bool vip_leased;
	uint64_t born_ms, last_rx_ms, rekey_ms, half_open_until_ms;
};

/* Daemon-wide settings (conf's ike: section). */
struct ike_settings {
	unsigned cookie_threshold, half_open_per_source;
	uint64_t half_open_timeout_ms, retransmit_timeout_ms;
	double retransmit_base;
	unsigned retransmit_tries;
	unsigned fragment_size;
	unsigned max_sas;
};

/* Per peer: when to try again to bring up an initiate: true peer. */
struct ike_peer_state {
	uint64_t next_try_ms;
	uint32_t sa_id;              /* the IKE SA we keep up, 0 = none */
};

struct ike_globals {
	const struct sgw_conf *conf;
	struct ike_settings set;
	unsigned n_peers, n_pools;
	struct ike_peer *peers;
	struct ike_pool *pools;
	struct ike_peer_state *peer_state;
	struct sgw_ike_host host;
	struct ike_sa *all, *last;
	struct ike_sa **hash;        /* by our SPI */
	struct ike_sa **ihash;       /* by id */
	struct ike_sa **rhash;       /* responders by initiator's SPI and address */
	struct ike_src **shash;      /* half-open counts by address */
	uint64_t hash_seed;          /* for the keys peers choose */
	unsigned hash_mask;          /* of all four */
	unsigned n_sas, n_half_open;
	struct ike_sa *dead;         /* killed, not yet reaped */
	uint32_t next_id;
	uint32_t child_gen;
	uint64_t cnt[SGW_IKE_C_MAX];
	uint8_t cookie_secret[32];
	uint64_t cookie_secret_ms;
	uint8_t *buf;                /* scratch for one message */
};
extern struct ike_globals ike;

#define IKE_COUNT(c) (ike.cnt[SGW_IKE_C_##c]++)

/* Logging through syslog-style levels: sgwd maps them to rte_log. */
void ike_log(int level, const struct ike_sa *sa, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline uint64_t ike_now(void)
{
	return ike.host.now_ms(ike.host.ctx);
}

/* ike_cfg.c */
int ike_cfg_load(const struct sgw_conf *c);
void ike_cfg_free(void);
/* The shared secret for an identity (wire form), or NULL. */
const uint8_t *ike_cfg_psk(uint8_t type, const uint8_t *id, size_t len, size_t *klen);
bool ike_id_match(const struct ike_id *want, uint8_t type, const uint8_t *d, size_t len);

/* ike_cert.c */
int ike_creds_load(const struct sgw_conf_peer *pc, struct ike_creds *cr);
void ike_creds_free(struct ike_creds *cr);
int ike_cert_subject(const struct ike_creds *cr, uint8_t *out, size_t cap, size_t *len);
int ike_cert_der(X509 *x, uint8_t **der, size_t *len);
/* Validates the peer's chain (first: its own certificate) against the
 * anchors and that it names the identity; *pub is its key (to free). */
int ike_cert_verify(const struct ike_creds *cr, const uint8_t *const *der,
		    const size_t *len, unsigned n, uint8_t id_type, const uint8_t *id,
		    size_t idlen, EVP_PKEY **pub);
enum sgw_ike_sig_alg ike_cert_scheme(const struct ike_creds *cr);

/* ike_pool.c: leases by identity, kept across reconnects. */
int ike_pool_lease(struct ike_pool *p, const uint8_t *id, size_t idlen, uint8_t *addr);
void ike_pool_release(struct ike_pool *p, const uint8_t *addr);
void ike_pool_free(struct ike_pool *p);

/* ike_sa.c */
struct ike_sa *ike_sa_new(bool initiator, const struct sgw_ike_addr *local,
			  const struct sgw_ike_addr *remote);
struct ike_sa *ike_sa_find(uint64_t our_spi);
struct ike_sa *ike_sa_by_id(uint32_t id);       /* live ones only */
void ike_sa_set_ispi(struct ike_sa *sa, uint64_t ispi);  /* responders */
void ike_sa_moved(struct ike_sa *sa, const struct sgw_ike_addr *local,
		  const struct sgw_ike_addr *remote);
/* The SA we answered the IKE_SA_INIT of (any state but dead). A
 * responder's ispi is set right after ike_sa_new and never changes; its
 * remote changes only in ike_exch_input, for the SA the message is for. */
struct ike_sa *ike_sa_find_responder(uint64_t ispi, const struct sgw_ike_addr *remote);
/* Live half-open SAs (either role) with remote's address, any port. */
unsigned ike_half_open_from(const struct sgw_ike_addr *remote);
void ike_sa_established(struct ike_sa *sa);
void ike_sa_kill(struct ike_sa *sa, const char *why);
void ike_sa_reap(void);
void ike_child_free(struct ike_sa *sa, struct ike_child *c);
static inline uint64_t ike_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->ispi : sa->rspi;
}
bool ike_addr_eq(const struct sgw_ike_addr *a, const struct sgw_ike_addr *b);
const char *ike_addr_str(const struct sgw_ike_addr *a, char *buf, size_t n);

/* ike_msg.c */
/* Sends a finished unprotected message (IKE_SA_INIT) as it is. */
void ike_send_plain(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		    const uint8_t *msg, size_t len);
/* Sends our IKE_SA_INIT request and keeps it for retransmission. */
int ike_send_plain_request(struct ike_sa *sa, const uint8_t *msg, size_t len, int kind);
/* Protects the inner chain in b (built with sgw_ike_buf_init, no header)
 * under sa's keys as a request or response of exch with msgid; fragments
 * when needed; sends it; keeps it for retransmission (requests) or for
 * answering duplicates (responses). 0 or negative errno. */
int ike_send_protected(struct ike_sa *sa, uint8_t exch, bool response, uint32_t msgid,
		       const struct sgw_ike_buf *inner, int kind);
/* Opens a received protected message: verifies and decrypts SK (or
 * collects SKF fragments: returns -EAGAIN until complete) and parses the
 * inner chain into m (pointing into ike.buf). 0 or negative errno. */
int ike_open(struct ike_sa *sa, const uint8_t *msg, size_t len, struct sgw_ike_msg *m);
/* Checks the integrity of a protected message (or of one fragment of it)
 * without keeping anything: 0 or negative errno. */
int ike_verify(const struct ike_sa *sa, const uint8_t *msg, const struct sgw_ike_msg *m);
void ike_resp_clear(struct ike_resp *r);
void ike_req_clear(struct ike_req *r);
void ike_frags_clear(struct ike_frags *f);
void ike_retransmit_tick(struct ike_sa *sa, uint64_t now);

/* ike_exch.c */
void ike_exch_input(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		    const uint8_t *msg, size_t len);
void ike_exch_timeout(struct ike_sa *sa);
void ike_exch_keep_up(void);

#endif
