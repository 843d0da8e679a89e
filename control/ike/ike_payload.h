/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 message codec (RFC 7296 section 3, RFC 7383 for fragments).
 *
 * Decoding is two steps, each validating every length before it reads:
 *   sgw_ike_msg_parse()   header and generic payload chain of a datagram;
 *   sgw_ike_chain_parse() the same for the plaintext of an SK payload;
 *   sgw_ike_dec_*()       one payload body into a plain struct.
 * Decoded structs point into the caller's buffer: no copies, no heap. A
 * failure returns -EINVAL (malformed) or -E2BIG (over one of the bounds
 * below), and sgw_ike_why() says which check failed, for the caller's log
 * line and its choice of notify.
 *
 * Encoding appends payloads to a caller-supplied buffer (struct sgw_ike_buf)
 * from the same structs, chaining the Next Payload fields itself. Errors are
 * sticky in buf->err and nothing is ever written past buf->cap. Encoders
 * refuse what the decoders would reject, so whatever is built parses.
 *
 * Pure functions of their arguments; no EAL, so unit-tested and fuzzed
 * alone (test/unit/test_ike_payload.c, test/fuzz/fuzz_ike.c).
 */
#ifndef SGW_IKE_PAYLOAD_H
#define SGW_IKE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_wire.h"

#define SGW_IKE_MSG_MIN      28     /* the header alone */
#define SGW_IKE_MSG_MAX      65535  /* larger datagrams are not ours */
#define SGW_IKE_MAX_PLD      48     /* payloads in one chain */
#define SGW_IKE_MAX_PROPS    16     /* proposals in one SA payload */
#define SGW_IKE_MAX_XFORMS   64     /* transforms in one proposal */
#define SGW_IKE_MAX_TS       16     /* selectors in one TS payload */
#define SGW_IKE_MAX_CP_ATTRS 32     /* attributes in one CP payload */

/* ----------------------------------------------------------------- messages */

/* The fixed header, host order. */
struct sgw_ike_hdr {
	uint64_t ispi, rspi;
	uint8_t next;           /* first payload type */
	uint8_t version;        /* major << 4 | minor */
	uint8_t exchange;       /* IKEV2_EXCH_* */
	uint8_t flags;          /* IKEV2_FLAG_* */
	uint32_t msgid;
	uint32_t length;
};

/* One payload of a chain. */
struct sgw_ike_pld {
	uint8_t type;           /* IKEV2_PLD_*, or a type we do not know */
	bool critical;          /* the sender's critical bit */
	uint8_t next;           /* its Next Payload field; for SK/SKF the first inner type */
	uint16_t len;           /* body length, generic header excluded */
	uint32_t off;           /* offset of its generic header in the parsed buffer */
	const uint8_t *body;
};

struct sgw_ike_msg {
	struct sgw_ike_hdr hdr;
	unsigned n;             /* payloads in pld[] */
	struct sgw_ike_pld pld[SGW_IKE_MAX_PLD];
};

/*
 * Validates a received datagram and fills m. 0 on success; -EINVAL if
 * malformed; -E2BIG if longer than SGW_IKE_MSG_MAX or with more than
 * SGW_IKE_MAX_PLD payloads; -EPROTONOSUPPORT for a major version above 2,
 * with m->hdr filled so that the caller can answer INVALID_MAJOR_VERSION
 * (RFC 7296 2.5). An SK or SKF payload ends the outer chain.
 */
int sgw_ike_msg_parse(const uint8_t *buf, size_t len, struct sgw_ike_msg *m);

/*
 * Walks a decrypted inner chain (the plaintext of SK, or reassembled SKF
 * fragments) whose first payload type is first. Replaces m->n and m->pld;
 * offsets are relative to body; m->hdr is left alone. Same errors as above.
 */
int sgw_ike_chain_parse(uint8_t first, const uint8_t *body, size_t len,
			struct sgw_ike_msg *m);

/* The type of the first payload with the critical bit set whose type this
 * codec does not know, or 0: the caller answers UNSUPPORTED_CRITICAL_PAYLOAD
 * with it (RFC 7296 2.5). */
uint8_t sgw_ike_msg_unknown_critical(const struct sgw_ike_msg *m);

/* What the last failed parse, decode or encode on this thread rejected. */
const char *sgw_ike_why(void);

/* ------------------------------------------------------- payload contents */

struct sgw_ike_xform {
	uint8_t type;           /* IKEV2_XFORM_* (unknown types are kept: 3.3.6) */
	uint16_t id;            /* IKEV2_ENCR_*, IKEV2_PRF_*, ... */
	uint16_t keylen;        /* Key Length attribute in bits; 0 if absent */
};

struct sgw_ike_prop {
	uint8_t num;            /* Proposal Num */
	uint8_t proto;          /* IKEV2_PROTO_* */
	uint8_t spi_size;       /* 0 or 8 (IKE), 4 (AH, ESP) */
	uint8_t n_xform;
	uint64_t spi;           /* host order; 0 when spi_size is 0 */
	struct sgw_ike_xform xform[SGW_IKE_MAX_XFORMS];
};

struct sgw_ike_sa_pld {
	uint8_t n_prop;
	struct sgw_ike_prop prop[SGW_IKE_MAX_PROPS];
};

struct sgw_ike_ke_pld {
	uint16_t group;         /* IKEV2_DH_* */
	uint16_t len;
	const uint8_t *data;
};

/* IDi and IDr */
struct sgw_ike_id_pld {
	uint8_t type;           /* IKEV2_ID_* */
	uint16_t len;
	const uint8_t *data;
};

/* CERT and CERTREQ */
struct sgw_ike_cert_pld {
	uint8_t encoding;       /* IKEV2_CERT_* */
	uint16_t len;
	const uint8_t *data;
};

struct sgw_ike_auth_pld {
	uint8_t method;         /* IKEV2_AUTH_* */
	uint16_t len;
	const uint8_t *data;    /* the whole authentication data (what is encoded) */
	/* IKEV2_AUTH_DIGITAL_SIGNATURE only (RFC 7427 3), inside data: */
	uint8_t alg_len;
	const uint8_t *alg;     /* DER AlgorithmIdentifier */
	uint16_t sig_len;
	const uint8_t *sig;     /* the signature */
};

struct sgw_ike_nonce_pld {
	uint16_t len;           /* IKEV2_NONCE_MIN .. IKEV2_NONCE_MAX */
	const uint8_t *data;
};

struct sgw_ike_notify_pld {
	uint8_t proto;          /* IKEV2_PROTO_* of spi */
	uint8_t spi_size;       /* 0, 4 or 8 */
	uint16_t type;          /* IKEV2_N_* */
	uint64_t spi;           /* host order; 0 when spi_size is 0 */
	uint16_t len;
	const uint8_t *data;
};

struct sgw_ike_delete_pld {
	uint8_t proto;          /* IKEV2_PROTO_* */
	uint8_t spi_size;       /* 0 (IKE) or 4 */
	uint16_t n_spi;
	const uint8_t *spis;    /* n_spi big-endian SPIs of spi_size octets */
};

struct sgw_ike_ts_sel {
	uint8_t type;           /* IKEV2_TS_IPV4_ADDR_RANGE or _IPV6_ */
	uint8_t proto;          /* IP protocol, 0 for any */
	uint16_t start_port, end_port;
	uint8_t start[16];      /* network order, the first 4 octets for IPv4 */
	uint8_t end[16];
};

/* TSi and TSr */
struct sgw_ike_ts_pld {
	uint8_t n_ts;
	struct sgw_ike_ts_sel ts[SGW_IKE_MAX_TS];
};

struct sgw_ike_cp_attr {
	uint16_t type;          /* IKEV2_CFG_INTERNAL_* (15 bits) */
	uint16_t len;
	const uint8_t *value;
};

struct sgw_ike_cp_pld {
	uint8_t type;           /* IKEV2_CFG_REQUEST .. _ACK */
	uint8_t n_attr;
	struct sgw_ike_cp_attr attr[SGW_IKE_MAX_CP_ATTRS];
};

struct sgw_ike_skf_pld {
	uint16_t num, total;    /* 1 <= num <= total */
	uint8_t next;           /* first inner type, in fragment 1 only */
	uint16_t len;
	const uint8_t *data;    /* IV, encrypted fragment, ICV */
};

/* Each validates one payload body (p from a parsed chain) and fills the
 * struct: 0, -EINVAL or -E2BIG. Vendor ID and EAP bodies are opaque. */
int sgw_ike_dec_sa(const struct sgw_ike_pld *p, struct sgw_ike_sa_pld *sa);
int sgw_ike_dec_ke(const struct sgw_ike_pld *p, struct sgw_ike_ke_pld *ke);
int sgw_ike_dec_id(const struct sgw_ike_pld *p, struct sgw_ike_id_pld *id);
int sgw_ike_dec_cert(const struct sgw_ike_pld *p, struct sgw_ike_cert_pld *c);
int sgw_ike_dec_auth(const struct sgw_ike_pld *p, struct sgw_ike_auth_pld *a);
int sgw_ike_dec_nonce(const struct sgw_ike_pld *p, struct sgw_ike_nonce_pld *n);
int sgw_ike_dec_notify(const struct sgw_ike_pld *p, struct sgw_ike_notify_pld *n);
int sgw_ike_dec_delete(const struct sgw_ike_pld *p, struct sgw_ike_delete_pld *d);
int sgw_ike_dec_ts(const struct sgw_ike_pld *p, struct sgw_ike_ts_pld *ts);
int sgw_ike_dec_cp(const struct sgw_ike_pld *p, struct sgw_ike_cp_pld *cp);
int sgw_ike_dec_skf(const struct sgw_ike_pld *p, struct sgw_ike_skf_pld *f);

/* The i-th SPI of a decoded Delete payload (i < n_spi, spi_size 4). */
static inline uint32_t sgw_ike_delete_spi(const struct sgw_ike_delete_pld *d,
					  unsigned i)
{
	const uint8_t *s = d->spis + 4 * (size_t)i;

	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
	       (uint32_t)s[2] << 8 | s[3];
}

/* ----------------------------------------------------------------- encoding */

struct sgw_ike_buf {
	uint8_t *p;
	size_t len;             /* bytes written */
	size_t cap;
	int err;                /* 0, or the first failure (-ENOBUFS, -EINVAL, -E2BIG) */
	size_t next_off;        /* Next Payload byte the next payload patches */
	uint8_t first;          /* type of the first payload (SK plaintext chains) */
	bool hdr;               /* begins with an IKE header */
	bool sealed;            /* SK/SKF begun: no payload may follow */
};

/* An empty buffer over p[0..cap). Without sgw_ike_enc_header() it builds a
 * bare chain, such as the plaintext of an SK payload: buf->first then names
 * its first payload type for sgw_ike_enc_sk_begin(). */
void sgw_ike_buf_init(struct sgw_ike_buf *b, uint8_t *p, size_t cap);

/* The IKE header, first: SPIs, exchange, flags and message ID from h;
 * version 2.0; next payload and length are filled in later. */
void sgw_ike_enc_header(struct sgw_ike_buf *b, const struct sgw_ike_hdr *h);

/* One payload each, appended and chained. type picks IDi/IDr, CERT/CERTREQ,
 * TSi/TSr; sgw_ike_enc_raw() writes any opaque body (Vendor ID, EAP). */
void sgw_ike_enc_sa(struct sgw_ike_buf *b, const struct sgw_ike_sa_pld *sa);
void sgw_ike_enc_ke(struct sgw_ike_buf *b, const struct sgw_ike_ke_pld *ke);
void sgw_ike_enc_id(struct sgw_ike_buf *b, uint8_t type,
		    const struct sgw_ike_id_pld *id);
void sgw_ike_enc_cert(struct sgw_ike_buf *b, uint8_t type,
		      const struct sgw_ike_cert_pld *c);
void sgw_ike_enc_auth(struct sgw_ike_buf *b, const struct sgw_ike_auth_pld *a);
void sgw_ike_enc_nonce(struct sgw_ike_buf *b, const struct sgw_ike_nonce_pld *n);
void sgw_ike_enc_notify(struct sgw_ike_buf *b, const struct sgw_ike_notify_pld *n);
void sgw_ike_enc_delete(struct sgw_ike_buf *b, const struct sgw_ike_delete_pld *d);
void sgw_ike_enc_ts(struct sgw_ike_buf *b, uint8_t type,
		    const struct sgw_ike_ts_pld *ts);
void sgw_ike_enc_cp(struct sgw_ike_buf *b, const struct sgw_ike_cp_pld *cp);
void sgw_ike_enc_raw(struct sgw_ike_buf *b, uint8_t type, const uint8_t *body,
		     size_t len);

/*
 * The generic header of an SK payload (or of an SKF payload with its
 * fragment numbers) whose first inner payload is inner; it must be the last
 * payload. Returns its offset. The caller appends IV, ciphertext and ICV with
 * sgw_ike_enc_reserve(), sets the payload length with sgw_ike_enc_patch_len(),
 * calls sgw_ike_enc_finish(), and only then computes the ICV over it all.
 */
size_t sgw_ike_enc_sk_begin(struct sgw_ike_buf *b, uint8_t inner);
size_t sgw_ike_enc_skf_begin(struct sgw_ike_buf *b, uint8_t inner,
			     uint16_t num, uint16_t total);

/* n bytes appended for the caller to fill, or NULL (and err) if they do not fit. */
uint8_t *sgw_ike_enc_reserve(struct sgw_ike_buf *b, size_t n);

/* Sets the length of the payload at off so that it reaches the current end. */
void sgw_ike_enc_patch_len(struct sgw_ike_buf *b, size_t off);

/* Writes the message length into the header; returns buf->err. */
int sgw_ike_enc_finish(struct sgw_ike_buf *b);

#endif
