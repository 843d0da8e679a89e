/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 codec, table-driven: a strongSwan IKE_SA_INIT request built byte
 * by byte from the RFC 7296 layouts, each validation rule broken once (the
 * check that fired is named by sgw_ike_why()), and round trips through the
 * encoder. Every input is copied into a buffer of exactly its size, so a
 * read past the end is an ASan error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ike_payload.h"

/* ------------------------------------------------------------ helpers */

/* "0a 0b ff*3" -> 0a 0b ff ff ff; returns the byte count. */
static size_t hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		char *end;
		unsigned long v, rep = 1;

		if (*s == ' ') {
			s++;
			continue;
		}
		v = strtoul(s, &end, 16);
		assert_true(end == s + 2 && v <= 0xff);
		s = end;
		if (*s == '*') {
			rep = strtoul(s + 1, &end, 10);
			s = end;
		}
		while (rep--) {
			assert_true(n < cap);
			out[n++] = (uint8_t)v;
		}
	}
	return n;
}

/* A heap copy of exactly len bytes (+1 so that 0 bytes is a real pointer
 * that ASan still guards). */
static uint8_t *exact(const uint8_t *b, size_t len)
{
	uint8_t *p = malloc(len + 1);

	assert_non_null(p);
	if (len)
		memcpy(p, b, len);
	return p;
}

union decoded {
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_id_pld id;
	struct sgw_ike_cert_pld cert;
	struct sgw_ike_auth_pld auth;
	struct sgw_ike_nonce_pld nonce;
	struct sgw_ike_notify_pld notify;
	struct sgw_ike_delete_pld del;
	struct sgw_ike_ts_pld ts;
	struct sgw_ike_cp_pld cp;
	struct sgw_ike_skf_pld skf;
};

static int decode(const struct sgw_ike_pld *p, union decoded *d)
{
	switch (p->type) {
	case IKEV2_PLD_SA:      return sgw_ike_dec_sa(p, &d->sa);
	case IKEV2_PLD_KE:      return sgw_ike_dec_ke(p, &d->ke);
	case IKEV2_PLD_IDI:
	case IKEV2_PLD_IDR:     return sgw_ike_dec_id(p, &d->id);
	case IKEV2_PLD_CERT:
	case IKEV2_PLD_CERTREQ: return sgw_ike_dec_cert(p, &d->cert);
	case IKEV2_PLD_AUTH:    return sgw_ike_dec_auth(p, &d->auth);
	case IKEV2_PLD_NONCE:   return sgw_ike_dec_nonce(p, &d->nonce);
	case IKEV2_PLD_NOTIFY:  return sgw_ike_dec_notify(p, &d->notify);
	case IKEV2_PLD_DELETE:  return sgw_ike_dec_delete(p, &d->del);
	case IKEV2_PLD_TSI:
	case IKEV2_PLD_TSR:     return sgw_ike_dec_ts(p, &d->ts);
	case IKEV2_PLD_CP:      return sgw_ike_dec_cp(p, &d->cp);
	case IKEV2_PLD_SKF:     return sgw_ike_dec_skf(p, &d->skf);
	default:                fail_msg("no decoder for type %u", p->type);
	}
	return 0;
}

static void expect(int ret, int err, const char *why, const char *name)
{
	if (ret != err)
		fail_msg("%s: returned %d, expected %d (%s)", name, ret, err,
			 sgw_ike_why());
	if (err && strncmp(sgw_ike_why(), why, strlen(why)) != 0)
		fail_msg("%s: rejected for \"%s\", expected \"%s\"", name,
			 sgw_ike_why(), why);
}

/* ------------------------------------------ a strongSwan IKE_SA_INIT request */

#define OFF_SA    28
#define OFF_KE    164
#define OFF_NONCE 204
#define OFF_N1    240   /* NAT_DETECTION_SOURCE_IP */
#define OFF_N4    304   /* SIGNATURE_HASH_ALGORITHMS */
#define OFF_N5    320   /* REDIRECT_SUPPORTED, the last payload */

/* As strongSwan 5.9 sends it with a default IKE proposal set: RFC 7296
 * layouts (3.1 header, 3.3 SA, 3.4 KE, 3.9 Nonce, 3.10 Notify). */
static const uint8_t SA_INIT[] = {
	/* header: SPIs, next SA, version 2.0, IKE_SA_INIT, Initiator,
	 * message ID 0, length 328 */
	0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	33, 0x20, 34, 0x08,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x48,
	/* 28: SA, next KE, 136 octets */
	34, 0x00, 0x00, 136,
	/* proposal 1 of 3 (more), 64 octets, IKE, no SPI, 6 transforms */
	2, 0, 0, 64, 1, 1, 0, 6,
	3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 0x01, 0x00, /* ENCR AES-CBC-256 */
	3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 0x00, 0x80, /* ENCR AES-CBC-128 */
	3, 0, 0, 8, 3, 0, 0, 12,                        /* INTEG SHA2-256-128 */
	3, 0, 0, 8, 2, 0, 0, 5,                         /* PRF SHA2-256 */
	3, 0, 0, 8, 4, 0, 0, 31,                        /* DH Curve25519 */
	0, 0, 0, 8, 4, 0, 0, 19,                        /* DH ECP-256, last */
	/* proposal 2, 36 octets, 3 transforms */
	2, 0, 0, 36, 2, 1, 0, 3,
	3, 0, 0, 12, 1, 0, 0, 20, 0x80, 14, 0x01, 0x00, /* ENCR AES-GCM-16-256 */
	3, 0, 0, 8, 2, 0, 0, 5,                         /* PRF SHA2-256 */
	0, 0, 0, 8, 4, 0, 0, 31,                        /* DH Curve25519 */
	/* proposal 3 (last), 32 octets, 3 transforms */
	0, 0, 0, 32, 3, 1, 0, 3,
	3, 0, 0, 8, 1, 0, 0, 28,                        /* ENCR ChaCha20-Poly1305 */
	3, 0, 0, 8, 2, 0, 0, 7,                         /* PRF SHA2-512 */
	0, 0, 0, 8, 4, 0, 0, 31,                        /* DH Curve25519 */
	/* 164: KE, next Nonce, 40 octets, group 31, 32 octets of X25519 */
	40, 0x00, 0x00, 40, 0x00, 31, 0x00, 0x00,
	0x8e, 0x52, 0x02, 0x70, 0x51, 0x83, 0xbd, 0x3a,
	0x20, 0xa2, 0x9e, 0x22, 0x44, 0x99, 0xb0, 0xf7,
	0x7a, 0x82, 0x73, 0xee, 0x33, 0xcd, 0x93, 0xcc,
	0xa7, 0x10, 0x43, 0xc5, 0x7a, 0xd4, 0xbd, 0xfc,
	/* 204: Nonce, next Notify, 36 octets */
	41, 0x00, 0x00, 36,
	0x78, 0x37, 0x7b, 0x52, 0x57, 0x57, 0xb4, 0x94,
	0x42, 0x7f, 0x89, 0x01, 0x4f, 0x97, 0xd7, 0x99,
	0x28, 0xf3, 0x93, 0x8d, 0x14, 0xeb, 0x51, 0xe2,
	0x0f, 0xb5, 0xde, 0xc9, 0x83, 0x4e, 0xb3, 0x04,
	/* 240: N(NAT_DETECTION_SOURCE_IP), 28 octets: no SPI, SHA-1 */
	41, 0x00, 0x00, 28, 0x00, 0x00, 0x40, 0x04,
	0x35, 0x66, 0x80, 0xcc, 0x8b, 0x7a, 0x43, 0x4d,
	0x00, 0x7d, 0x9b, 0xbd, 0x91, 0xbf, 0x0b, 0xeb,
	0x72, 0xa9, 0x50, 0x27,
	/* 268: N(NAT_DETECTION_DESTINATION_IP) */
	41, 0x00, 0x00, 28, 0x00, 0x00, 0x40, 0x05,
	0x5d, 0x7d, 0x42, 0x6b, 0x6c, 0x98, 0xb0, 0x02,
	0xca, 0x9d, 0xd9, 0xd8, 0xdd, 0xdb, 0x17, 0x0b,
	0x79, 0x4d, 0x39, 0x32,
	/* 296: N(IKEV2_FRAGMENTATION_SUPPORTED) */
	41, 0x00, 0x00, 8, 0x00, 0x00, 0x40, 0x2e,
	/* 304: N(SIGNATURE_HASH_ALGORITHMS): SHA2-256, -384, -512, identity */
	41, 0x00, 0x00, 16, 0x00, 0x00, 0x40, 0x2f,
	0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05,
	/* 320: N(REDIRECT_SUPPORTED), RFC 5685, last */
	0, 0x00, 0x00, 8, 0x00, 0x00, 0x40, 0x16,
};
_Static_assert(sizeof(SA_INIT) == 328, "length field says 328");

static int parse(const uint8_t *b, size_t len, struct sgw_ike_msg *m)
{
	uint8_t *p = exact(b, len);
	int ret = sgw_ike_msg_parse(p, len, m);

	/* Callers look at offsets and types only: the bodies go with p. */
	free(p);
	return ret;
}

static void check_xform(const struct sgw_ike_xform *x, uint8_t type,
			uint16_t id, uint16_t keylen)
{
	assert_int_equal(x->type, type);
	assert_int_equal(x->id, id);
	assert_int_equal(x->keylen, keylen);
}

static void test_strongswan_sa_init(void **s)
{
	static const uint8_t types[] = {
		IKEV2_PLD_SA, IKEV2_PLD_KE, IKEV2_PLD_NONCE, IKEV2_PLD_NOTIFY,
		IKEV2_PLD_NOTIFY, IKEV2_PLD_NOTIFY, IKEV2_PLD_NOTIFY,
		IKEV2_PLD_NOTIFY,
	};
	static const uint16_t ntypes[] = {
		IKEV2_N_NAT_DETECTION_SOURCE_IP, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
		IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED,
		IKEV2_N_SIGNATURE_HASH_ALGORITHMS, 16406,
	};
	static const uint16_t offs[] = {28, 164, 204, 240, 268, 296, 304, 320};
	uint8_t *buf = exact(SA_INIT, sizeof(SA_INIT));
	struct sgw_ike_msg m;
	union decoded d;
	const struct sgw_ike_prop *pr;
	(void)s;

	assert_int_equal(sgw_ike_msg_parse(buf, sizeof(SA_INIT), &m), 0);
	assert_true(m.hdr.ispi == 0x1a2b3c4d5e6f7081ull);
	assert_true(m.hdr.rspi == 0);
	assert_int_equal(m.hdr.next, IKEV2_PLD_SA);
	assert_int_equal(m.hdr.version, 0x20);
	assert_int_equal(m.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKEV2_FLAG_INITIATOR);
	assert_int_equal(m.hdr.msgid, 0);
	assert_int_equal(m.hdr.length, 328);
	assert_int_equal(m.n, 8);
	for (unsigned i = 0; i < m.n; i++) {
		assert_int_equal(m.pld[i].type, types[i]);
		assert_int_equal(m.pld[i].off, offs[i]);
		assert_ptr_equal(m.pld[i].body, buf + offs[i] + 4);
		assert_int_equal(m.pld[i].next, i + 1 < m.n ? types[i + 1] : 0);
		assert_false(m.pld[i].critical);
	}
	assert_int_equal(m.pld[0].len, 132);
	assert_int_equal(sgw_ike_msg_unknown_critical(&m), 0);

	assert_int_equal(sgw_ike_dec_sa(&m.pld[0], &d.sa), 0);
	assert_int_equal(d.sa.n_prop, 3);
	pr = &d.sa.prop[0];
	assert_int_equal(pr->num, 1);
	assert_int_equal(pr->proto, IKEV2_PROTO_IKE);
	assert_int_equal(pr->spi_size, 0);
	assert_int_equal(pr->n_xform, 6);
	check_xform(&pr->xform[0], IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 256);
	check_xform(&pr->xform[1], IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 128);
	check_xform(&pr->xform[2], IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0);
	check_xform(&pr->xform[3], IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0);
	check_xform(&pr->xform[4], IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0);
	check_xform(&pr->xform[5], IKEV2_XFORM_DH, IKEV2_DH_ECP_256, 0);
	pr = &d.sa.prop[1];
	assert_int_equal(pr->num, 2);
	assert_int_equal(pr->n_xform, 3);
	check_xform(&pr->xform[0], IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256);
	check_xform(&pr->xform[1], IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0);
	check_xform(&pr->xform[2], IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0);
	pr = &d.sa.prop[2];
	assert_int_equal(pr->num, 3);
	assert_int_equal(pr->n_xform, 3);
	check_xform(&pr->xform[0], IKEV2_XFORM_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0);
	check_xform(&pr->xform[1], IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_512, 0);
	check_xform(&pr->xform[2], IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0);

	assert_int_equal(sgw_ike_dec_ke(&m.pld[1], &d.ke), 0);
	assert_int_equal(d.ke.group, IKEV2_DH_CURVE25519);
	assert_int_equal(d.ke.len, 32);
	assert_ptr_equal(d.ke.data, buf + OFF_KE + 8);

	assert_int_equal(sgw_ike_dec_nonce(&m.pld[2], &d.nonce), 0);
	assert_int_equal(d.nonce.len, 32);
	assert_ptr_equal(d.nonce.data, buf + OFF_NONCE + 4);

	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(sgw_ike_dec_notify(&m.pld[3 + i], &d.notify), 0);
		assert_int_equal(d.notify.type, ntypes[i]);
		assert_int_equal(d.notify.proto, 0);
		assert_int_equal(d.notify.spi_size, 0);
		assert_true(d.notify.spi == 0);
		assert_int_equal(d.notify.len, i < 2 ? 20 : i == 3 ? 8 : 0);
		assert_ptr_equal(d.notify.data, buf + offs[3 + i] + 8);
		if (ntypes[i] == IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
			assert_memory_equal(d.notify.data,
					    ((uint8_t[]){0, 2, 0, 3, 0, 4, 0, 5}), 8);
	}
	free(buf);
}

/* --------------------------------------------- message-level rules, a table */

struct msg_case {
	const char *name;
	size_t len;             /* datagram length; 0: all of SA_INIT */
	unsigned n_poke;
	struct { unsigned off; uint8_t val; } poke[3];
	int err;
	const char *why;        /* start of sgw_ike_why() */
};

#define WHOLE sizeof(SA_INIT)

static const struct msg_case msg_cases[] = {
	{"valid", 0, 0, {{0, 0}}, 0, NULL},
	{"shorter than the header", 27, 0, {{0, 0}}, -EINVAL, "header: truncated"},
	{"length field one more", 0, 1, {{27, 0x49}}, -EINVAL, "header: length field"},
	{"length field one less", 0, 1, {{27, 0x47}}, -EINVAL, "header: length field"},
	{"datagram one longer", WHOLE + 1, 0, {{0, 0}}, -EINVAL, "header: length field"},
	{"datagram cut short", WHOLE - 1, 0, {{0, 0}}, -EINVAL, "header: length field"},
	{"length field high octet", 0, 1, {{24, 0xff}}, -EINVAL, "header: length field"},
	{"major version 3", 0, 1, {{17, 0x30}}, -EPROTONOSUPPORT, "header: major version above"},
	{"major version 1 (IKEv1)", 0, 1, {{17, 0x10}}, -EINVAL, "header: major version below"},
	{"minor version 1 is ignored", 0, 1, {{17, 0x21}}, 0, NULL},
	{"reserved flags are ignored", 0, 1, {{19, 0xc8}}, 0, NULL},
	{"critical bit on a known type", 0, 1, {{OFF_KE + 1, 0x80}}, 0, NULL},
	{"payload length 3", 0, 1, {{OFF_KE + 3, 3}}, -EINVAL, "chain: payload length below its header"},
	{"payload length 0", 0, 1, {{OFF_KE + 3, 0}}, -EINVAL, "chain: payload length below its header"},
	{"last payload overruns", 0, 1, {{OFF_N5 + 3, 9}}, -EINVAL, "chain: payload overruns"},
	{"first payload overruns", 0, 2, {{OFF_SA + 2, 1}, {OFF_SA + 3, 0x2d}}, -EINVAL, "chain: payload overruns"},
	{"chain goes on past the end", 0, 1, {{OFF_N5, 41}}, -EINVAL, "chain: payload header truncated"},
	{"chain ends early", 0, 1, {{OFF_N4, 0}}, -EINVAL, "chain: bytes after the last payload"},
	{"header names no payload", 0, 1, {{16, 0}}, -EINVAL, "chain: bytes after the last payload"},
	{"trailing bytes", WHOLE + 4, 1, {{27, 0x4c}}, -EINVAL, "chain: bytes after the last payload"},
	{"2 bytes after the last payload", WHOLE + 2, 1, {{27, 0x4a}}, -EINVAL, "chain: bytes after the last payload"},
};

static void test_msg_table(void **s)
{
	static uint8_t b[WHOLE + 8];
	struct sgw_ike_msg m;
	(void)s;

	for (size_t i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++) {
		const struct msg_case *c = &msg_cases[i];
		size_t len = c->len ? c->len : WHOLE;

		memset(b, 0, sizeof(b));
		memcpy(b, SA_INIT, WHOLE);
		for (unsigned k = 0; k < c->n_poke; k++)
			b[c->poke[k].off] = c->poke[k].val;
		expect(parse(b, len, &m), c->err, c->why, c->name);
		if (c->err && c->err != -EPROTONOSUPPORT)
			assert_int_equal(m.n, 0);
	}
}

static void test_msg_bounds(void **s)
{
	static uint8_t b[SGW_IKE_MSG_MAX + 1];
	struct sgw_ike_msg m;
	(void)s;

	/* The header of a higher major version is reported for the answer. */
	memcpy(b, SA_INIT, WHOLE);
	b[17] = 0x30;
	assert_int_equal(parse(b, WHOLE, &m), -EPROTONOSUPPORT);
	assert_true(m.hdr.ispi == 0x1a2b3c4d5e6f7081ull);
	assert_int_equal(m.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(m.hdr.version, 0x30);

	expect(parse(b, 0, &m), -EINVAL, "header: truncated", "empty");

	/* The longest message: one 65507-octet vendor ID; one more is too long. */
	memset(b, 0, sizeof(b));
	memcpy(b, SA_INIT, 28);
	b[16] = IKEV2_PLD_VENDOR;
	b[26] = 0xff, b[27] = 0xff;
	b[28 + 2] = (SGW_IKE_MSG_MAX - 28) >> 8;
	b[28 + 3] = (SGW_IKE_MSG_MAX - 28) & 0xff;
	expect(parse(b, SGW_IKE_MSG_MAX, &m), 0, NULL, "65535 octets");
	assert_int_equal(m.pld[0].len, SGW_IKE_MSG_MAX - 32);
	b[25] = 1, b[26] = 0, b[27] = 0;
	expect(parse(b, SGW_IKE_MSG_MAX + 1, &m), -E2BIG, "header: message too long",
	       "65536 octets");
}

/* A message of n empty vendor ID payloads. */
static size_t vendor_ids(uint8_t *b, unsigned n)
{
	size_t len = 28 + 4 * (size_t)n;

	memcpy(b, SA_INIT, 28);
	b[16] = n ? IKEV2_PLD_VENDOR : 0;
	b[24] = b[25] = 0;
	b[26] = (uint8_t)(len >> 8);
	b[27] = (uint8_t)len;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *g = b + 28 + 4 * i;

		g[0] = i + 1 < n ? IKEV2_PLD_VENDOR : 0;
		g[1] = 0;
		g[2] = 0;
		g[3] = 4;
	}
	return len;
}

static void test_too_many_payloads(void **s)
{
	uint8_t b[28 + 4 * 64];
	struct sgw_ike_msg m;
	size_t len;
	(void)s;

	len = vendor_ids(b, SGW_IKE_MAX_PLD);
	expect(parse(b, len, &m), 0, NULL, "48 payloads");
	assert_int_equal(m.n, SGW_IKE_MAX_PLD);
	len = vendor_ids(b, SGW_IKE_MAX_PLD + 1);
	expect(parse(b, len, &m), -E2BIG, "chain: too many payloads", "49 payloads");
	len = vendor_ids(b, 0);
	expect(parse(b, len, &m), 0, NULL, "no payloads");
	assert_int_equal(m.n, 0);
	expect(sgw_ike_chain_parse(IKEV2_PLD_VENDOR, b + 28, 4 * 49, &m), -E2BIG,
	       "chain: too many payloads", "49 inner payloads");
}

/* Encrypted payloads end the chain: IKE_AUTH shape, header + N + SK. */
static const uint8_t AUTH_SHAPE[] = {
	0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	41, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 56,
	/* 28: N(INITIAL_CONTACT), next SK */
	46, 0, 0, 8, 0, 0, 0x40, 0x00,
	/* 36: SK, first inner payload IDi, 20 octets of IV/ciphertext/ICV */
	35, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static void test_encrypted_last(void **s)
{
	uint8_t b[sizeof(AUTH_SHAPE) + 8];
	struct sgw_ike_msg m;
	(void)s;

	expect(parse(AUTH_SHAPE, sizeof(AUTH_SHAPE), &m), 0, NULL, "SK last");
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pld[1].type, IKEV2_PLD_SK);
	assert_int_equal(m.pld[1].next, IKEV2_PLD_IDI);   /* kept for the inner chain */
	assert_int_equal(m.pld[1].len, 16);
	assert_int_equal(m.pld[1].off, 36);

	/* A payload after SK: SK's length stops short of the end. */
	memcpy(b, AUTH_SHAPE, sizeof(AUTH_SHAPE));
	memcpy(b + sizeof(AUTH_SHAPE), (uint8_t[]){0, 0, 0, 8, 0, 0, 0x40, 0}, 8);
	b[27] = sizeof(AUTH_SHAPE) + 8;
	expect(parse(b, sizeof(b), &m), -EINVAL, "chain: encrypted payload not last",
	       "N after SK");

	/* The same with SKF (RFC 7383 2.5). */
	b[28] = IKEV2_PLD_SKF;
	expect(parse(b, sizeof(b), &m), -EINVAL, "chain: encrypted payload not last",
	       "N after SKF");
	b[27] = sizeof(AUTH_SHAPE);
	expect(parse(b, sizeof(AUTH_SHAPE), &m), 0, NULL, "SKF last");
	assert_int_equal(m.pld[1].type, IKEV2_PLD_SKF);

	/* SK's length reaching past the message is an overrun, not "last". */
	memcpy(b, AUTH_SHAPE, sizeof(AUTH_SHAPE));
	b[36 + 3] = 21;
	expect(parse(b, sizeof(AUTH_SHAPE), &m), -EINVAL, "chain: payload overruns",
	       "SK overruns");

	/* No SK inside SK. */
	expect(sgw_ike_chain_parse(IKEV2_PLD_SK, AUTH_SHAPE + 36, 20, &m), -EINVAL,
	       "chain: encrypted payload inside SK", "SK in SK");
	expect(sgw_ike_chain_parse(IKEV2_PLD_SKF, AUTH_SHAPE + 36, 20, &m), -EINVAL,
	       "chain: encrypted payload inside SK", "SKF in SK");
}

static void test_inner_chain(void **s)
{
	/* IDi, AUTH(PSK), N(INITIAL_CONTACT): what an SK payload decrypts to. */
	static const uint8_t inner[] = {
		39, 0, 0, 16, 2, 0, 0, 0, 'v', 'p', 'n', '.', 't', 'e', 's', 't',
		41, 0, 0, 12, 2, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd,
		0, 0, 0, 8, 0, 0, 0x40, 0x00,
	};
	uint8_t *b = exact(inner, sizeof(inner));
	struct sgw_ike_msg m;
	union decoded d;
	(void)s;

	m.hdr.msgid = 77; /* left alone */
	assert_int_equal(sgw_ike_chain_parse(IKEV2_PLD_IDI, b, sizeof(inner), &m), 0);
	assert_int_equal(m.hdr.msgid, 77);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.pld[0].type, IKEV2_PLD_IDI);
	assert_int_equal(m.pld[0].off, 0);
	assert_int_equal(m.pld[1].type, IKEV2_PLD_AUTH);
	assert_int_equal(m.pld[1].off, 16);
	assert_int_equal(m.pld[2].type, IKEV2_PLD_NOTIFY);
	assert_int_equal(sgw_ike_dec_id(&m.pld[0], &d.id), 0);
	assert_int_equal(d.id.type, IKEV2_ID_FQDN);
	assert_int_equal(d.id.len, 8);
	assert_memory_equal(d.id.data, "vpn.test", 8);
	assert_int_equal(sgw_ike_dec_auth(&m.pld[1], &d.auth), 0);
	assert_int_equal(d.auth.method, IKEV2_AUTH_SHARED_KEY_MIC);
	assert_int_equal(d.auth.len, 4);

	expect(sgw_ike_chain_parse(IKEV2_PLD_IDI, b, sizeof(inner) - 1, &m), -EINVAL,
	       "chain: payload overruns", "cut inner chain");
	expect(sgw_ike_chain_parse(IKEV2_PLD_NONE, b, 0, &m), 0, NULL, "empty inner chain");
	assert_int_equal(m.n, 0);
	expect(sgw_ike_chain_parse(IKEV2_PLD_NONE, b, 4, &m), -EINVAL,
	       "chain: bytes after the last payload", "no first type");
	free(b);
}

static void test_unknown_critical(void **s)
{
	/* header, V (next 60), unknown type 60 (critical when asked), N. */
	uint8_t b[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
		43, 0x20, 37, 0x08, 0, 0, 0, 2, 0, 0, 0, 48,
		60, 0, 0, 6, 'x', 'y',
		41, 0x00, 0, 6, 0xde, 0xad,
		0, 0x80, 0, 8, 0, 0, 0x40, 0,
	};
	struct sgw_ike_msg m;
	(void)s;

	assert_int_equal(sizeof(b), 48);
	assert_int_equal(parse(b, sizeof(b), &m), 0);
	assert_int_equal(m.pld[1].type, 60);
	assert_false(m.pld[1].critical);
	assert_int_equal(sgw_ike_msg_unknown_critical(&m), 0); /* skipped: not critical */
	b[35] = 0x80;
	assert_int_equal(parse(b, sizeof(b), &m), 0);
	assert_true(m.pld[1].critical);
	assert_int_equal(sgw_ike_msg_unknown_critical(&m), 60);
	b[35] = 0x01; /* a reserved bit, not the critical one */
	assert_int_equal(parse(b, sizeof(b), &m), 0);
	assert_int_equal(sgw_ike_msg_unknown_critical(&m), 0);
	/* The critical Notify is known: nothing to answer. */
	assert_true(m.pld[2].critical);
}

/* ---------------------------------------------- payload bodies, a table */

struct body_case {
	const char *name;
	uint8_t type, next;
	const char *hex;
	int err;
	const char *why;
};

/* ESP proposal, SPI 11223344, ENCR AES-GCM-16-128 and ESN none. */
#define ESP_PROP "00 00 00 20 01 03 04 02 11 22 33 44 " \
	"03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00"
#define TS4 "07 00 00 10 00 00 ff ff c6 33 64 00 c6 33 64 ff"
#define TS6 "08 11 00 28 00 35 00 35 20 01 0d b8 00*12 20 01 0d b8 00*11 ff"
#define SIG_ALG "0f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00"

static const struct body_case body_cases[] = {
	/* SA (RFC 7296 3.3) */
	{"sa: ESP proposal", IKEV2_PLD_SA, 0, ESP_PROP, 0, NULL},
	{"sa: empty", IKEV2_PLD_SA, 0, "", -EINVAL, "sa: no proposal"},
	{"sa: marked more, none follows", IKEV2_PLD_SA, 0,
	 "02 00 00 20 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: last proposal marked as followed by more"},
	{"sa: bytes after the last proposal", IKEV2_PLD_SA, 0, ESP_PROP " 00 00 00 08",
	 -EINVAL, "sa: bytes after the last proposal"},
	{"sa: proposal marker 1", IKEV2_PLD_SA, 0,
	 "01 00 00 20 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: proposal last-substructure marker"},
	{"sa: proposal marker 3 (a transform's)", IKEV2_PLD_SA, 0,
	 "03 00 00 20 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: proposal last-substructure marker"},
	{"sa: transform count says 3, 2 present", IKEV2_PLD_SA, 0,
	 "00 00 00 20 01 03 04 03 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: fewer transforms than announced"},
	{"sa: transform count says 1, 2 present", IKEV2_PLD_SA, 0,
	 "00 00 00 20 01 03 04 01 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: more transforms than announced"},
	{"sa: last transform marked more", IKEV2_PLD_SA, 0,
	 "00 00 00 20 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 03 00 00 08 05 00 00 00",
	 -EINVAL, "sa: more transforms than announced"},
	{"sa: first transform marked last", IKEV2_PLD_SA, 0,
	 "00 00 00 20 01 03 04 02 11 22 33 44 00 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: fewer transforms than announced"},
	{"sa: transform marker 2 (a proposal's)", IKEV2_PLD_SA, 0,
	 "00 00 00 20 01 03 04 02 11 22 33 44 02 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: transform last-substructure marker"},
	{"sa: bytes after the last transform", IKEV2_PLD_SA, 0,
	 "00 00 00 24 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00 00 00 00 00",
	 -EINVAL, "sa: bytes after the last transform"},
	{"sa: proposal length 7", IKEV2_PLD_SA, 0, "00 00 00 07 01 03 04 02 11 22 33 44",
	 -EINVAL, "sa: proposal length"},
	{"sa: proposal length past the payload", IKEV2_PLD_SA, 0,
	 "00 00 00 21 01 03 04 02 11 22 33 44 03 00 00 0c 01 00 00 14 80 0e 00 80 00 00 00 08 05 00 00 00",
	 -EINVAL, "sa: proposal length"},
	{"sa: proposal truncated", IKEV2_PLD_SA, 0, "00 00 00 20 01 03 04",
	 -EINVAL, "sa: proposal truncated"},
	{"sa: proposal shorter than its SPI", IKEV2_PLD_SA, 0, "00 00 00 0a 01 03 04 01 11 22",
	 -EINVAL, "sa: proposal shorter than its SPI"},
	{"sa: transform length 7", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 03 04 01 11 22 33 44 00 00 00 07 01 00 00 14",
	 -EINVAL, "sa: transform length"},
	{"sa: transform length past the proposal", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 03 04 01 11 22 33 44 00 00 00 0c 01 00 00 14 00 00 00 00",
	 -EINVAL, "sa: transform length"},
	{"sa: transform truncated", IKEV2_PLD_SA, 0,
	 "00 00 00 12 01 03 04 01 11 22 33 44 00 00 00 08 01 00",
	 -EINVAL, "sa: transform truncated"},
	{"sa: no transforms", IKEV2_PLD_SA, 0, "00 00 00 0c 01 03 04 00 11 22 33 44",
	 -EINVAL, "sa: proposal without transforms"},
	{"sa: 65 transforms", IKEV2_PLD_SA, 0, "00 00 00 0c 01 03 04 41 11 22 33 44",
	 -E2BIG, "sa: too many transforms"},
	{"sa: key length in TLV form", IKEV2_PLD_SA, 0,
	 "00 00 00 1a 01 03 04 01 11 22 33 44 00 00 00 0e 01 00 00 14 00 0e 00 02 00 80",
	 -EINVAL, "sa: key length in TLV form"},
	{"sa: unknown TV attribute", IKEV2_PLD_SA, 0,
	 "00 00 00 18 01 03 04 01 11 22 33 44 00 00 00 0c 01 00 00 14 80 0f 00 80",
	 -EINVAL, "sa: unknown transform attribute"},
	{"sa: unknown TLV attribute", IKEV2_PLD_SA, 0,
	 "00 00 00 18 01 03 04 01 11 22 33 44 00 00 00 0c 01 00 00 14 00 01 00 00",
	 -EINVAL, "sa: unknown transform attribute"},
	{"sa: key length twice", IKEV2_PLD_SA, 0,
	 "00 00 00 1c 01 03 04 01 11 22 33 44 00 00 00 10 01 00 00 14 80 0e 00 80 80 0e 00 80",
	 -EINVAL, "sa: key length given twice"},
	{"sa: key length 0", IKEV2_PLD_SA, 0,
	 "00 00 00 18 01 03 04 01 11 22 33 44 00 00 00 0c 01 00 00 14 80 0e 00 00",
	 -EINVAL, "sa: key length 0"},
	{"sa: attribute truncated", IKEV2_PLD_SA, 0,
	 "00 00 00 16 01 03 04 01 11 22 33 44 00 00 00 0a 01 00 00 14 80 0e",
	 -EINVAL, "sa: transform attribute truncated"},
	{"sa: ESP with an 8-octet SPI", IKEV2_PLD_SA, 0,
	 "00 00 00 18 01 03 08 01 11 22 33 44 55 66 77 88 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: SPI size does not fit the protocol"},
	{"sa: ESP without SPI", IKEV2_PLD_SA, 0, "00 00 00 10 01 03 00 01 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: SPI size does not fit the protocol"},
	{"sa: IKE with a 4-octet SPI", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 01 04 01 11 22 33 44 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: SPI size does not fit the protocol"},
	{"sa: IKE rekey, 8-octet SPI", IKEV2_PLD_SA, 0,
	 "00 00 00 18 01 01 08 01 11 22 33 44 55 66 77 88 00 00 00 08 01 00 00 14", 0, NULL},
	{"sa: AH is parsed", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 02 04 01 11 22 33 44 00 00 00 08 03 00 00 0c", 0, NULL},
	{"sa: protocol 4", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 04 04 01 11 22 33 44 00 00 00 08 03 00 00 0c",
	 -EINVAL, "sa: unknown protocol ID"},
	{"sa: unknown transform type is kept", IKEV2_PLD_SA, 0,
	 "00 00 00 14 01 03 04 01 11 22 33 44 00 00 00 08 09 00 00 01", 0, NULL},
	{"sa: reply with proposal 5 alone", IKEV2_PLD_SA, 0,
	 "00 00 00 14 05 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14", 0, NULL},
	{"sa: proposal number 0", IKEV2_PLD_SA, 0,
	 "00 00 00 14 00 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: proposal numbers"},
	{"sa: proposals 1, 2", IKEV2_PLD_SA, 0,
	 "02 00 00 14 01 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14 "
	 "00 00 00 14 02 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14", 0, NULL},
	{"sa: proposals 1, 3", IKEV2_PLD_SA, 0,
	 "02 00 00 14 01 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14 "
	 "00 00 00 14 03 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: proposal numbers"},
	{"sa: proposals 2, 3", IKEV2_PLD_SA, 0,
	 "02 00 00 14 02 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14 "
	 "00 00 00 14 03 03 04 01 11 22 33 44 00 00 00 08 01 00 00 14",
	 -EINVAL, "sa: proposal numbers"},

	/* KE (3.4) */
	{"ke: X25519", IKEV2_PLD_KE, 0, "00 1f 00 00 42*32", 0, NULL},
	{"ke: X25519 with 31 octets", IKEV2_PLD_KE, 0, "00 1f 00 00 42*31",
	 -EINVAL, "ke: data length does not fit the group"},
	{"ke: ECP-256 with 65 octets", IKEV2_PLD_KE, 0, "00 13 00 00 04*65",
	 -EINVAL, "ke: data length does not fit the group"},
	{"ke: unknown group decodes", IKEV2_PLD_KE, 0, "03 e7 00 00 01 02 03", 0, NULL},
	{"ke: no data", IKEV2_PLD_KE, 0, "00 1f 00 00", -EINVAL, "ke: no key exchange data"},
	{"ke: truncated", IKEV2_PLD_KE, 0, "00 1f 00", -EINVAL, "ke: truncated"},

	/* ID (3.5) */
	{"id: IPv4", IKEV2_PLD_IDI, 0, "01 00 00 00 c6 33 64 01", 0, NULL},
	{"id: IPv4 of 5 octets", IKEV2_PLD_IDI, 0, "01 00 00 00 c6 33 64 01 00",
	 -EINVAL, "id: IPv4 address not 4 octets"},
	{"id: IPv6 of 15 octets", IKEV2_PLD_IDR, 0, "05 00 00 00 20*15",
	 -EINVAL, "id: IPv6 address not 16 octets"},
	{"id: IPv6", IKEV2_PLD_IDR, 0, "05 00 00 00 20*16", 0, NULL},
	{"id: empty FQDN", IKEV2_PLD_IDR, 0, "02 00 00 00", -EINVAL, "id: empty identity"},
	{"id: ID_NULL", IKEV2_PLD_IDI, 0, "0d 00 00 00", 0, NULL},
	{"id: truncated", IKEV2_PLD_IDI, 0, "02 00 00", -EINVAL, "id: truncated"},

	/* CERT, CERTREQ (3.6, 3.7) */
	{"cert: X.509", IKEV2_PLD_CERT, 0, "04 30 82 01 00", 0, NULL},
	{"cert: empty", IKEV2_PLD_CERT, 0, "04", -EINVAL, "cert: no certificate data"},
	{"cert: no encoding", IKEV2_PLD_CERT, 0, "", -EINVAL, "cert: truncated"},
	{"certreq: empty list", IKEV2_PLD_CERTREQ, 0, "04", 0, NULL},
	{"certreq: no encoding", IKEV2_PLD_CERTREQ, 0, "", -EINVAL, "cert: truncated"},

	/* AUTH (3.8, RFC 7427) */
	{"auth: PSK", IKEV2_PLD_AUTH, 0, "02 00 00 00 ab*32", 0, NULL},
	{"auth: no data", IKEV2_PLD_AUTH, 0, "02 00 00 00", -EINVAL, "auth: no authentication data"},
	{"auth: truncated", IKEV2_PLD_AUTH, 0, "0e 00", -EINVAL, "auth: truncated"},
	{"auth: RFC 7427", IKEV2_PLD_AUTH, 0, "0e 00 00 00 " SIG_ALG " 5a*64", 0, NULL},
	{"auth: RFC 7427 without signature", IKEV2_PLD_AUTH, 0, "0e 00 00 00 " SIG_ALG,
	 -EINVAL, "auth: AlgorithmIdentifier overruns"},
	{"auth: RFC 7427 length past the data", IKEV2_PLD_AUTH, 0, "0e 00 00 00 10 30 0d",
	 -EINVAL, "auth: AlgorithmIdentifier overruns"},
	{"auth: RFC 7427 empty AlgorithmIdentifier", IKEV2_PLD_AUTH, 0, "0e 00 00 00 00 5a 5a",
	 -EINVAL, "auth: AlgorithmIdentifier overruns"},

	/* Nonce (3.9) */
	{"nonce: 15 octets", IKEV2_PLD_NONCE, 0, "11*15", -EINVAL, "nonce: not 16 to 256"},
	{"nonce: 16 octets", IKEV2_PLD_NONCE, 0, "11*16", 0, NULL},
	{"nonce: 256 octets", IKEV2_PLD_NONCE, 0, "11*256", 0, NULL},
	{"nonce: 257 octets", IKEV2_PLD_NONCE, 0, "11*257", -EINVAL, "nonce: not 16 to 256"},
	{"nonce: empty", IKEV2_PLD_NONCE, 0, "", -EINVAL, "nonce: not 16 to 256"},

	/* Notify (3.10) */
	{"notify: SPI size 3", IKEV2_PLD_NOTIFY, 0, "03 03 40 09 11 22 33",
	 -EINVAL, "notify: SPI size not 0, 4 or 8"},
	{"notify: REKEY_SA with ESP SPI", IKEV2_PLD_NOTIFY, 0, "03 04 40 09 11 22 33 44", 0, NULL},
	{"notify: 8-octet SPI", IKEV2_PLD_NOTIFY, 0, "01 08 00 04 11*8 aa", 0, NULL},
	{"notify: SPI past the payload", IKEV2_PLD_NOTIFY, 0, "03 08 40 09 11 22 33 44",
	 -EINVAL, "notify: SPI overruns"},
	{"notify: truncated", IKEV2_PLD_NOTIFY, 0, "00 00 40", -EINVAL, "notify: truncated"},

	/* Delete (3.11) */
	{"delete: IKE SA", IKEV2_PLD_DELETE, 0, "01 00 00 00", 0, NULL},
	{"delete: IKE SA with a count", IKEV2_PLD_DELETE, 0, "01 00 00 01",
	 -EINVAL, "delete: IKE delete with SPIs"},
	{"delete: IKE SA with an SPI size", IKEV2_PLD_DELETE, 0, "01 08 00 00",
	 -EINVAL, "delete: IKE delete with SPIs"},
	{"delete: two ESP SPIs", IKEV2_PLD_DELETE, 0, "03 04 00 02 11 22 33 44 55 66 77 88", 0, NULL},
	{"delete: count 3, two SPIs", IKEV2_PLD_DELETE, 0, "03 04 00 03 11 22 33 44 55 66 77 88",
	 -EINVAL, "delete: SPI count does not match"},
	{"delete: count 1, two SPIs", IKEV2_PLD_DELETE, 0, "03 04 00 01 11 22 33 44 55 66 77 88",
	 -EINVAL, "delete: SPI count does not match"},
	{"delete: half an SPI left over", IKEV2_PLD_DELETE, 0, "03 04 00 01 11 22 33 44 55 66",
	 -EINVAL, "delete: SPI count does not match"},
	{"delete: ESP with 8-octet SPIs", IKEV2_PLD_DELETE, 0, "03 08 00 01 11*8",
	 -EINVAL, "delete: SPI size does not fit"},
	{"delete: protocol 7", IKEV2_PLD_DELETE, 0, "07 04 00 01 11 22 33 44",
	 -EINVAL, "delete: unknown protocol ID"},
	{"delete: truncated", IKEV2_PLD_DELETE, 0, "03 04 00", -EINVAL, "delete: truncated"},

	/* TS (3.13) */
	{"ts: IPv4 range", IKEV2_PLD_TSI, 0, "01 00 00 00 " TS4, 0, NULL},
	{"ts: IPv4 and IPv6", IKEV2_PLD_TSR, 0, "02 00 00 00 " TS4 " " TS6, 0, NULL},
	{"ts: start above end", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 07 00 00 10 00 00 ff ff c6 33 64 01 c6 33 64 00",
	 -EINVAL, "ts: start address above end address"},
	{"ts: IPv6 start above end", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 08 00 00 28 00 00 ff ff 20*16 20*15 1f",
	 -EINVAL, "ts: start address above end address"},
	{"ts: IPv4 selector of 17 octets", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 07 00 00 11 00 00 ff ff c6 33 64 00 c6 33 64 ff 00",
	 -EINVAL, "ts: selector length does not fit its type"},
	{"ts: IPv6 selector with IPv4 length", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 08 00 00 10 00 00 ff ff c6 33 64 00 c6 33 64 ff",
	 -EINVAL, "ts: selector length does not fit its type"},
	{"ts: selector past the payload", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 07 00 00 10 00 00 ff ff c6 33 64 00 c6 33 64",
	 -EINVAL, "ts: selector overruns"},
	{"ts: unknown type", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 0a 00 00 10 00 00 ff ff c6 33 64 00 c6 33 64 ff",
	 -EINVAL, "ts: unknown selector type"},
	{"ts: count 2, one selector", IKEV2_PLD_TSI, 0, "02 00 00 00 " TS4,
	 -EINVAL, "ts: selector truncated"},
	{"ts: count 1, two selectors", IKEV2_PLD_TSI, 0, "01 00 00 00 " TS4 " " TS4,
	 -EINVAL, "ts: bytes after the last selector"},
	{"ts: count 0", IKEV2_PLD_TSI, 0, "00 00 00 00", -EINVAL, "ts: no selectors"},
	{"ts: 17 selectors", IKEV2_PLD_TSI, 0, "11 00 00 00 " TS4, -E2BIG, "ts: too many selectors"},
	{"ts: start port above end port", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 07 06 00 10 01 bb 00 50 c6 33 64 00 c6 33 64 ff",
	 -EINVAL, "ts: start port above end port"},
	{"ts: OPAQUE ports", IKEV2_PLD_TSI, 0,
	 "01 00 00 00 07 06 00 10 ff ff 00 00 c6 33 64 00 c6 33 64 ff", 0, NULL},
	{"ts: truncated", IKEV2_PLD_TSI, 0, "01 00 00", -EINVAL, "ts: truncated"},

	/* CP (3.15) */
	{"cp: request with empty attributes", IKEV2_PLD_CP, 0,
	 "01 00 00 00 00 01 00 00 00 03 00 00 00 08 00 00 00 0a 00 00", 0, NULL},
	{"cp: reply", IKEV2_PLD_CP, 0,
	 "02 00 00 00 00 01 00 04 0a 00 00 02 00 02 00 04 ff ff ff 00 "
	 "00 08 00 11 fd 00*14 02 40 00 0a 00 10 20 01 0d b8 00*11 35 "
	 "00 07 00 03 61 62 63", 0, NULL},
	{"cp: IPv4 address of 3 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 01 00 03 0a 00 00",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: IPv4 netmask of 5 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 02 00 05 ff*5",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: IPv4 DNS of 8 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 03 00 08 08*8",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: IPv6 address of 16 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 08 00 10 fd*16",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: IPv6 DNS of 17 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 0a 00 11 fd*17",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: IPv4 subnet of 4 octets", IKEV2_PLD_CP, 0, "02 00 00 00 00 0d 00 04 0a*4",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: odd SUPPORTED_ATTRIBUTES", IKEV2_PLD_CP, 0, "02 00 00 00 00 0e 00 03 00 01 00",
	 -EINVAL, "cp: attribute length does not fit its type"},
	{"cp: reserved bit of the type is ignored", IKEV2_PLD_CP, 0,
	 "02 00 00 00 80 01 00 04 0a 00 00 02", 0, NULL},
	{"cp: attribute past the payload", IKEV2_PLD_CP, 0, "02 00 00 00 00 07 00 05 61 62",
	 -EINVAL, "cp: attribute overruns"},
	{"cp: attribute truncated", IKEV2_PLD_CP, 0, "01 00 00 00 00 01 00",
	 -EINVAL, "cp: attribute truncated"},
	{"cp: type 0", IKEV2_PLD_CP, 0, "00 00 00 00", -EINVAL, "cp: unknown configuration type"},
	{"cp: type 5", IKEV2_PLD_CP, 0, "05 00 00 00", -EINVAL, "cp: unknown configuration type"},
	{"cp: truncated", IKEV2_PLD_CP, 0, "01 00", -EINVAL, "cp: truncated"},

	/* SKF (RFC 7383 2.5) */
	{"skf: 1 of 2", IKEV2_PLD_SKF, IKEV2_PLD_IDI, "00 01 00 02 99*16", 0, NULL},
	{"skf: 2 of 2", IKEV2_PLD_SKF, 0, "00 02 00 02 99*16", 0, NULL},
	{"skf: 1 of 1", IKEV2_PLD_SKF, IKEV2_PLD_IDI, "00 01 00 01", 0, NULL},
	{"skf: number 0", IKEV2_PLD_SKF, 0, "00 00 00 02 99*16",
	 -EINVAL, "skf: fragment number outside 1..total"},
	{"skf: 3 of 2", IKEV2_PLD_SKF, 0, "00 03 00 02 99*16",
	 -EINVAL, "skf: fragment number outside 1..total"},
	{"skf: total 0", IKEV2_PLD_SKF, 0, "00 01 00 00 99*16",
	 -EINVAL, "skf: fragment number outside 1..total"},
	{"skf: 2 of 2 names a payload", IKEV2_PLD_SKF, IKEV2_PLD_IDI, "00 02 00 02 99*16",
	 -EINVAL, "skf: next payload set in a later fragment"},
	{"skf: truncated", IKEV2_PLD_SKF, 0, "00 01 00", -EINVAL, "skf: truncated"},
};

static void test_body_table(void **s)
{
	static uint8_t raw[1024];
	union decoded d;
	(void)s;

	for (size_t i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *c = &body_cases[i];
		size_t len = hex(c->hex, raw, sizeof(raw));
		uint8_t *b = exact(raw, len);
		struct sgw_ike_pld p = {
			.type = c->type, .next = c->next, .len = (uint16_t)len, .body = b,
		};

		expect(decode(&p, &d), c->err, c->why, c->name);
		free(b);
	}
}

/* Details the table does not look at. */
static void test_body_fields(void **s)
{
	static uint8_t raw[256];
	struct sgw_ike_pld p = {0};
	union decoded d;
	size_t len;
	(void)s;

	p.body = raw;
	len = hex("03 04 00 02 11 22 33 44 55 66 77 88", raw, sizeof(raw));
	p.type = IKEV2_PLD_DELETE, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_delete(&p, &d.del), 0);
	assert_int_equal(d.del.n_spi, 2);
	assert_true(sgw_ike_delete_spi(&d.del, 0) == 0x11223344u);
	assert_true(sgw_ike_delete_spi(&d.del, 1) == 0x55667788u);

	len = hex("01 08 00 04 01 02 03 04 05 06 07 08 aa bb", raw, sizeof(raw));
	p.type = IKEV2_PLD_NOTIFY, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_notify(&p, &d.notify), 0);
	assert_true(d.notify.spi == 0x0102030405060708ull);
	assert_int_equal(d.notify.type, IKEV2_N_INVALID_IKE_SPI);
	assert_int_equal(d.notify.len, 2);
	assert_ptr_equal(d.notify.data, raw + 12);

	len = hex(ESP_PROP, raw, sizeof(raw));
	p.type = IKEV2_PLD_SA, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_sa(&p, &d.sa), 0);
	assert_true(d.sa.prop[0].spi == 0x11223344u);
	assert_int_equal(d.sa.prop[0].proto, IKEV2_PROTO_ESP);
	check_xform(&d.sa.prop[0].xform[0], IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 128);
	check_xform(&d.sa.prop[0].xform[1], IKEV2_XFORM_ESN, IKEV2_ESN_NONE, 0);

	len = hex("02 00 00 00 " TS4 " " TS6, raw, sizeof(raw));
	p.type = IKEV2_PLD_TSR, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_ts(&p, &d.ts), 0);
	assert_int_equal(d.ts.n_ts, 2);
	assert_int_equal(d.ts.ts[0].type, IKEV2_TS_IPV4_ADDR_RANGE);
	assert_int_equal(d.ts.ts[0].start_port, 0);
	assert_int_equal(d.ts.ts[0].end_port, 65535);
	assert_memory_equal(d.ts.ts[0].start, ((uint8_t[]){198, 51, 100, 0}), 4);
	assert_memory_equal(d.ts.ts[0].end, ((uint8_t[]){198, 51, 100, 255}), 4);
	assert_int_equal(d.ts.ts[1].type, IKEV2_TS_IPV6_ADDR_RANGE);
	assert_int_equal(d.ts.ts[1].proto, 17);
	assert_int_equal(d.ts.ts[1].start_port, 53);
	assert_int_equal(d.ts.ts[1].end[15], 0xff);
	assert_int_equal(d.ts.ts[1].end[14], 0);

	len = hex("02 00 00 00 80 01 00 04 0a 00 00 02 00 07 00 00", raw, sizeof(raw));
	p.type = IKEV2_PLD_CP, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_cp(&p, &d.cp), 0);
	assert_int_equal(d.cp.type, IKEV2_CFG_REPLY);
	assert_int_equal(d.cp.n_attr, 2);
	assert_int_equal(d.cp.attr[0].type, IKEV2_CFG_INTERNAL_IP4_ADDRESS);
	assert_int_equal(d.cp.attr[0].len, 4);
	assert_ptr_equal(d.cp.attr[0].value, raw + 8);
	assert_int_equal(d.cp.attr[1].type, IKEV2_CFG_APPLICATION_VERSION);
	assert_int_equal(d.cp.attr[1].len, 0);

	len = hex("0e 00 00 00 " SIG_ALG " 5a*64", raw, sizeof(raw));
	p.type = IKEV2_PLD_AUTH, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_auth(&p, &d.auth), 0);
	assert_int_equal(d.auth.len, 16 + 64);
	assert_int_equal(d.auth.alg_len, 15);
	assert_ptr_equal(d.auth.alg, raw + 5);
	assert_int_equal(d.auth.sig_len, 64);
	assert_ptr_equal(d.auth.sig, raw + 20);

	len = hex("00 01 00 03 99*16", raw, sizeof(raw));
	p.type = IKEV2_PLD_SKF, p.next = IKEV2_PLD_IDI, p.len = (uint16_t)len;
	assert_int_equal(sgw_ike_dec_skf(&p, &d.skf), 0);
	assert_int_equal(d.skf.num, 1);
	assert_int_equal(d.skf.total, 3);
	assert_int_equal(d.skf.next, IKEV2_PLD_IDI);
	assert_int_equal(d.skf.len, 16);
	assert_ptr_equal(d.skf.data, raw + 4);
}

/* Bounds that need more than a line of hex. */
static void test_body_bounds(void **s)
{
	static uint8_t raw[2048];
	struct sgw_ike_pld p = {.body = raw};
	union decoded d;
	size_t len = 0;
	(void)s;

	/* 16 proposals fit, 17 do not. */
	for (unsigned i = 0; i < SGW_IKE_MAX_PROPS + 1; i++)
		len += hex("02 00 00 10 00 01 00 01 00 00 00 08 01 00 00 14",
			   raw + len, sizeof(raw) - len);
	for (unsigned i = 0; i < SGW_IKE_MAX_PROPS + 1; i++)
		raw[16 * i + 4] = (uint8_t)(i + 1);
	p.type = IKEV2_PLD_SA;
	raw[16 * 15] = 0;
	p.len = 16 * 16;
	expect(sgw_ike_dec_sa(&p, &d.sa), 0, NULL, "16 proposals");
	assert_int_equal(d.sa.n_prop, 16);
	assert_int_equal(d.sa.prop[15].num, 16);
	raw[16 * 15] = 2;
	raw[16 * 16] = 0;
	p.len = 16 * 17;
	expect(sgw_ike_dec_sa(&p, &d.sa), -E2BIG, "sa: too many proposals", "17 proposals");

	/* 64 transforms fit. */
	len = hex("00 00 02 08 01 01 00 40", raw, sizeof(raw));
	for (unsigned i = 0; i < SGW_IKE_MAX_XFORMS; i++)
		len += hex(i + 1 < SGW_IKE_MAX_XFORMS ? "03 00 00 08 01 00 00 14" :
			   "00 00 00 08 01 00 00 14", raw + len, sizeof(raw) - len);
	p.len = (uint16_t)len;
	expect(sgw_ike_dec_sa(&p, &d.sa), 0, NULL, "64 transforms");
	assert_int_equal(d.sa.prop[0].n_xform, 64);

	/* 16 selectors fit (17: the table). */
	len = hex("10 00 00 00", raw, sizeof(raw));
	for (unsigned i = 0; i < SGW_IKE_MAX_TS; i++)
		len += hex(TS4, raw + len, sizeof(raw) - len);
	p.type = IKEV2_PLD_TSI, p.len = (uint16_t)len;
	expect(sgw_ike_dec_ts(&p, &d.ts), 0, NULL, "16 selectors");
	assert_int_equal(d.ts.n_ts, 16);

	/* 32 CP attributes fit, 33 do not. */
	len = hex("01 00 00 00", raw, sizeof(raw));
	for (unsigned i = 0; i < SGW_IKE_MAX_CP_ATTRS; i++)
		len += hex("00 03 00 00", raw + len, sizeof(raw) - len);
	p.type = IKEV2_PLD_CP, p.len = (uint16_t)len;
	expect(sgw_ike_dec_cp(&p, &d.cp), 0, NULL, "32 attributes");
	assert_int_equal(d.cp.n_attr, 32);
	len += hex("00 03 00 00", raw + len, sizeof(raw) - len);
	p.len = (uint16_t)len;
	expect(sgw_ike_dec_cp(&p, &d.cp), -E2BIG, "cp: too many attributes", "33 attributes");
}

/* ------------------------------------------------------------ encoding */

static const uint8_t KE_DATA[32] = {
	0x8e, 0x52, 0x02, 0x70, 0x51, 0x83, 0xbd, 0x3a,
	0x20, 0xa2, 0x9e, 0x22, 0x44, 0x99, 0xb0, 0xf7,
	0x7a, 0x82, 0x73, 0xee, 0x33, 0xcd, 0x93, 0xcc,
	0xa7, 0x10, 0x43, 0xc5, 0x7a, 0xd4, 0xbd, 0xfc,
};

/* SA_INIT again, this time from structs through the encoder. */
static void build_sa_init(struct sgw_ike_buf *b)
{
	static struct sgw_ike_sa_pld sa = {
		.n_prop = 3,
		.prop = {
			{.num = 1, .proto = IKEV2_PROTO_IKE, .n_xform = 6, .xform = {
				{IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 256},
				{IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 128},
				{IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0},
				{IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0},
				{IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0},
				{IKEV2_XFORM_DH, IKEV2_DH_ECP_256, 0}}},
			{.num = 2, .proto = IKEV2_PROTO_IKE, .n_xform = 3, .xform = {
				{IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256},
				{IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0},
				{IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0}}},
			{.num = 3, .proto = IKEV2_PROTO_IKE, .n_xform = 3, .xform = {
				{IKEV2_XFORM_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0},
				{IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_512, 0},
				{IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0}}},
		},
	};
	const struct sgw_ike_hdr h = {
		.ispi = 0x1a2b3c4d5e6f7081ull, .exchange = IKEV2_EXCH_IKE_SA_INIT,
		.flags = IKEV2_FLAG_INITIATOR,
		.next = 99, .version = 0x77, .length = 5, /* all three ignored */
	};
	const struct sgw_ike_ke_pld ke = {IKEV2_DH_CURVE25519, 32, KE_DATA};
	const struct sgw_ike_nonce_pld nonce = {32, SA_INIT + OFF_NONCE + 4};
	struct sgw_ike_notify_pld n = {0};

	sgw_ike_enc_header(b, &h);
	sgw_ike_enc_sa(b, &sa);
	sgw_ike_enc_ke(b, &ke);
	sgw_ike_enc_nonce(b, &nonce);
	n.type = IKEV2_N_NAT_DETECTION_SOURCE_IP;
	n.data = SA_INIT + OFF_N1 + 8;
	n.len = 20;
	sgw_ike_enc_notify(b, &n);
	n.type = IKEV2_N_NAT_DETECTION_DESTINATION_IP;
	n.data = SA_INIT + OFF_N1 + 28 + 8;
	sgw_ike_enc_notify(b, &n);
	n.type = IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED;
	n.data = NULL;
	n.len = 0;
	sgw_ike_enc_notify(b, &n);
	n.type = IKEV2_N_SIGNATURE_HASH_ALGORITHMS;
	n.data = (const uint8_t[]){0, 2, 0, 3, 0, 4, 0, 5};
	n.len = 8;
	sgw_ike_enc_notify(b, &n);
	n.type = 16406;
	n.data = NULL;
	n.len = 0;
	sgw_ike_enc_notify(b, &n);
}

static void test_encode_sa_init(void **s)
{
	uint8_t out[512];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	(void)s;

	sgw_ike_buf_init(&b, out, sizeof(out));
	build_sa_init(&b);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	assert_int_equal(b.len, WHOLE);
	assert_memory_equal(out, SA_INIT, WHOLE);   /* byte for byte */
	assert_int_equal(parse(out, b.len, &m), 0);
	assert_int_equal(m.n, 8);
}

/* Every cap below the message's size: -ENOBUFS, nothing past cap. */
static void test_encode_overflow(void **s)
{
	enum { CANARY = 64 };
	static uint8_t out[WHOLE + CANARY];
	struct sgw_ike_buf b;
	(void)s;

	for (size_t cap = 0; cap <= WHOLE; cap++) {
		memset(out, 0xa5, sizeof(out));
		sgw_ike_buf_init(&b, out, cap);
		build_sa_init(&b);
		if (cap < WHOLE) {
			assert_int_equal(sgw_ike_enc_finish(&b), -ENOBUFS);
			assert_string_equal(sgw_ike_why(), "enc: buffer full");
		} else {
			assert_int_equal(sgw_ike_enc_finish(&b), 0);
		}
		assert_true(b.len <= cap);
		for (size_t i = cap; i < sizeof(out); i++)
			if (out[i] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, i);
		/* Sticky: nothing more is appended once full. */
		if (cap < WHOLE) {
			size_t len = b.len;

			sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, NULL, 0);
			assert_null(sgw_ike_enc_reserve(&b, 0));
			assert_int_equal(b.len, len);
		}
	}
}

/* Encodes one payload into a bare chain, parses the chain, decodes it. */
static void round_trip(struct sgw_ike_buf *b, uint8_t *out, size_t cap,
		       struct sgw_ike_msg *m, uint8_t type, union decoded *d)
{
	assert_int_equal(b->err, 0);
	assert_int_equal(b->first, type);
	assert_int_equal(sgw_ike_chain_parse(b->first, out, b->len, m), 0);
	assert_int_equal(m->n, 1);
	assert_int_equal(m->pld[0].type, type);
	assert_int_equal(decode(&m->pld[0], d), 0);
	sgw_ike_buf_init(b, out, cap);
}

static void test_round_trip_payloads(void **s)
{
	static uint8_t out[4096];
	static struct sgw_ike_sa_pld sa = {
		.n_prop = 2,
		.prop = {
			{.num = 1, .proto = IKEV2_PROTO_ESP, .spi_size = 4, .spi = 0xc0ffee01,
			 .n_xform = 3, .xform = {
				{IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256},
				{IKEV2_XFORM_ESN, IKEV2_ESN_ESN, 0},
				{IKEV2_XFORM_ESN, IKEV2_ESN_NONE, 0}}},
			{.num = 2, .proto = IKEV2_PROTO_IKE, .spi_size = 8,
			 .spi = 0x0102030405060708ull, .n_xform = 1, .xform = {
				{IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_384, 0}}},
		},
	};
	static const uint8_t blob[300] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint8_t sig[] = {15, 0x30, 13, 6, 9, 0x2a, 0x86, 0x48, 0x86,
				      0xf7, 13, 1, 1, 11, 5, 0, 0xee, 0xee};
	struct sgw_ike_ts_pld ts = {.n_ts = 2};
	struct sgw_ike_cp_pld cp = {.type = IKEV2_CFG_REPLY, .n_attr = 3};
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	union decoded d;
	(void)s;

	sgw_ike_buf_init(&b, out, sizeof(out));

	sgw_ike_enc_sa(&b, &sa);
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_SA, &d);
	assert_int_equal(d.sa.n_prop, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct sgw_ike_prop *a = &sa.prop[i], *z = &d.sa.prop[i];

		assert_int_equal(z->num, a->num);
		assert_int_equal(z->proto, a->proto);
		assert_int_equal(z->spi_size, a->spi_size);
		assert_true(z->spi == a->spi);
		assert_int_equal(z->n_xform, a->n_xform);
		for (unsigned j = 0; j < a->n_xform; j++)
			check_xform(&z->xform[j], a->xform[j].type, a->xform[j].id,
				    a->xform[j].keylen);
	}

	sgw_ike_enc_ke(&b, &(struct sgw_ike_ke_pld){IKEV2_DH_MODP_2048, 256, blob});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_KE, &d);
	assert_int_equal(d.ke.group, IKEV2_DH_MODP_2048);
	assert_int_equal(d.ke.len, 256);
	assert_memory_equal(d.ke.data, blob, 256);

	sgw_ike_enc_id(&b, IKEV2_PLD_IDR,
		       &(struct sgw_ike_id_pld){IKEV2_ID_RFC822_ADDR, 9, (const uint8_t *)"a@b.test"});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_IDR, &d);
	assert_int_equal(d.id.type, IKEV2_ID_RFC822_ADDR);
	assert_int_equal(d.id.len, 9);
	assert_memory_equal(d.id.data, "a@b.test", 9);

	sgw_ike_enc_cert(&b, IKEV2_PLD_CERTREQ,
			 &(struct sgw_ike_cert_pld){IKEV2_CERT_X509_SIG, 40, blob});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_CERTREQ, &d);
	assert_int_equal(d.cert.encoding, IKEV2_CERT_X509_SIG);
	assert_int_equal(d.cert.len, 40);
	assert_memory_equal(d.cert.data, blob, 40);

	sgw_ike_enc_auth(&b, &(struct sgw_ike_auth_pld){
		.method = IKEV2_AUTH_DIGITAL_SIGNATURE, .len = sizeof(sig), .data = sig});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_AUTH, &d);
	assert_int_equal(d.auth.method, IKEV2_AUTH_DIGITAL_SIGNATURE);
	assert_int_equal(d.auth.len, sizeof(sig));
	assert_memory_equal(d.auth.data, sig, sizeof(sig));
	assert_int_equal(d.auth.alg_len, 15);
	assert_int_equal(d.auth.sig_len, 2);

	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){256, blob});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_NONCE, &d);
	assert_int_equal(d.nonce.len, 256);
	assert_memory_equal(d.nonce.data, blob, 256);

	sgw_ike_enc_notify(&b, &(struct sgw_ike_notify_pld){
		.proto = IKEV2_PROTO_ESP, .spi_size = 4, .type = IKEV2_N_REKEY_SA,
		.spi = 0xdeadbeef});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_NOTIFY, &d);
	assert_int_equal(d.notify.proto, IKEV2_PROTO_ESP);
	assert_int_equal(d.notify.spi_size, 4);
	assert_int_equal(d.notify.type, IKEV2_N_REKEY_SA);
	assert_true(d.notify.spi == 0xdeadbeef);
	assert_int_equal(d.notify.len, 0);

	sgw_ike_enc_delete(&b, &(struct sgw_ike_delete_pld){
		IKEV2_PROTO_ESP, 4, 3, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"});
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_DELETE, &d);
	assert_int_equal(d.del.proto, IKEV2_PROTO_ESP);
	assert_int_equal(d.del.n_spi, 3);
	assert_true(sgw_ike_delete_spi(&d.del, 2) == 0x090a0b0cu);

	ts.ts[0] = (struct sgw_ike_ts_sel){IKEV2_TS_IPV4_ADDR_RANGE, 6, 1000, 2000,
					   {10, 0, 0, 0}, {10, 0, 255, 255}};
	ts.ts[1] = (struct sgw_ike_ts_sel){IKEV2_TS_IPV6_ADDR_RANGE, 0, 0, 65535,
					   {0x20, 1, 0xd, 0xb8}, {0x20, 1, 0xd, 0xb8, 0xff}};
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &ts);
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_TSI, &d);
	assert_int_equal(d.ts.n_ts, 2);
	assert_memory_equal(&d.ts.ts[0], &ts.ts[0], sizeof(ts.ts[0]));
	assert_memory_equal(&d.ts.ts[1], &ts.ts[1], sizeof(ts.ts[1]));

	cp.attr[0] = (struct sgw_ike_cp_attr){IKEV2_CFG_INTERNAL_IP4_ADDRESS, 4, blob};
	cp.attr[1] = (struct sgw_ike_cp_attr){IKEV2_CFG_INTERNAL_IP6_ADDRESS, 17, blob};
	cp.attr[2] = (struct sgw_ike_cp_attr){IKEV2_CFG_INTERNAL_IP6_DNS, 0, NULL};
	sgw_ike_enc_cp(&b, &cp);
	round_trip(&b, out, sizeof(out), &m, IKEV2_PLD_CP, &d);
	assert_int_equal(d.cp.type, IKEV2_CFG_REPLY);
	assert_int_equal(d.cp.n_attr, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(d.cp.attr[i].type, cp.attr[i].type);
		assert_int_equal(d.cp.attr[i].len, cp.attr[i].len);
		if (cp.attr[i].len)
			assert_memory_equal(d.cp.attr[i].value, blob, cp.attr[i].len);
	}

	sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, blob, 16);
	assert_int_equal(b.err, 0);
	assert_int_equal(sgw_ike_chain_parse(b.first, out, b.len, &m), 0);
	assert_int_equal(m.pld[0].type, IKEV2_PLD_VENDOR);
	assert_int_equal(m.pld[0].len, 16);
	assert_memory_equal(m.pld[0].body, blob, 16);
}

/* IKE_AUTH: header + SK over an inner chain, the way the crypto layer will
 * build it, and both levels parsed back. */
static void test_encode_sk(void **s)
{
	static uint8_t inner[512], out[1024];
	struct sgw_ike_buf in, b;
	struct sgw_ike_msg m, im;
	struct sgw_ike_ts_pld ts = {.n_ts = 1, .ts = {{IKEV2_TS_IPV4_ADDR_RANGE, 0, 0,
		65535, {0, 0, 0, 0}, {255, 255, 255, 255}}}};
	union decoded d;
	uint8_t *q;
	size_t off;
	(void)s;

	sgw_ike_buf_init(&in, inner, sizeof(inner));
	sgw_ike_enc_id(&in, IKEV2_PLD_IDI,
		       &(struct sgw_ike_id_pld){IKEV2_ID_FQDN, 4, (const uint8_t *)"peer"});
	sgw_ike_enc_auth(&in, &(struct sgw_ike_auth_pld){
		.method = IKEV2_AUTH_SHARED_KEY_MIC, .len = 4, .data = (const uint8_t *)"ABCD"});
	sgw_ike_enc_ts(&in, IKEV2_PLD_TSI, &ts);
	sgw_ike_enc_ts(&in, IKEV2_PLD_TSR, &ts);
	assert_int_equal(sgw_ike_enc_finish(&in), 0);   /* no header: nothing to patch */
	assert_int_equal(in.first, IKEV2_PLD_IDI);

	sgw_ike_buf_init(&b, out, sizeof(out));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){.ispi = 1, .rspi = 2,
		.exchange = IKEV2_EXCH_IKE_AUTH, .flags = IKEV2_FLAG_INITIATOR, .msgid = 1});
	sgw_ike_enc_notify(&b, &(struct sgw_ike_notify_pld){.type = IKEV2_N_INITIAL_CONTACT});
	off = sgw_ike_enc_sk_begin(&b, in.first);
	assert_int_equal(off, 36);
	q = sgw_ike_enc_reserve(&b, 16 + in.len + 16);   /* IV, "ciphertext", ICV */
	assert_non_null(q);
	memset(q, 0x11, 16);
	memcpy(q + 16, inner, in.len);
	memset(q + 16 + in.len, 0x22, 16);
	sgw_ike_enc_patch_len(&b, off);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);

	/* Nothing may follow SK. */
	sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, NULL, 0);
	assert_int_equal(b.err, -EINVAL);
	assert_string_equal(sgw_ike_why(), "enc: payload after SK");

	assert_int_equal(parse(out, 36 + 4 + 32 + in.len, &m), 0);
	assert_int_equal(m.hdr.length, 36 + 4 + 32 + in.len);
	assert_true(m.hdr.rspi == 2);
	assert_int_equal(m.hdr.msgid, 1);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pld[0].type, IKEV2_PLD_NOTIFY);
	assert_int_equal(m.pld[0].next, IKEV2_PLD_SK);
	assert_int_equal(m.pld[1].type, IKEV2_PLD_SK);
	assert_int_equal(m.pld[1].next, IKEV2_PLD_IDI);
	assert_int_equal(m.pld[1].len, 32 + in.len);
	assert_int_equal(sgw_ike_chain_parse(m.pld[1].next, out + off + 4 + 16, in.len,
					     &im), 0);
	assert_int_equal(im.n, 4);
	assert_int_equal(im.pld[3].type, IKEV2_PLD_TSR);
	assert_int_equal(decode(&im.pld[3], &d), 0);
	assert_memory_equal(&d.ts.ts[0], &ts.ts[0], sizeof(ts.ts[0]));

	/* SKF: fragment 2 of 3 names no inner payload. */
	sgw_ike_buf_init(&b, out, sizeof(out));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){.exchange = IKEV2_EXCH_IKE_AUTH});
	off = sgw_ike_enc_skf_begin(&b, IKEV2_PLD_NONE, 2, 3);
	memset(sgw_ike_enc_reserve(&b, 20), 0x33, 20);
	sgw_ike_enc_patch_len(&b, off);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	assert_int_equal(sgw_ike_msg_parse(out, b.len, &m), 0);
	assert_int_equal(m.hdr.next, IKEV2_PLD_SKF);
	assert_int_equal(sgw_ike_dec_skf(&m.pld[0], &d.skf), 0);
	assert_int_equal(d.skf.num, 2);
	assert_int_equal(d.skf.total, 3);
	assert_int_equal(d.skf.len, 20);
}

/* Encoder misuse and bad structs, one function each. */
static void r_header_twice(struct sgw_ike_buf *b)
{
	sgw_ike_enc_header(b, &(struct sgw_ike_hdr){0});
	sgw_ike_enc_header(b, &(struct sgw_ike_hdr){0});
}

static void r_notify_spi9(struct sgw_ike_buf *b)
{
	sgw_ike_enc_notify(b, &(struct sgw_ike_notify_pld){.spi_size = 9});
}

static void r_notify_spi3(struct sgw_ike_buf *b)
{
	sgw_ike_enc_notify(b, &(struct sgw_ike_notify_pld){.spi_size = 3});
}

static void r_sa_empty(struct sgw_ike_buf *b)
{
	static const struct sgw_ike_sa_pld sa;

	sgw_ike_enc_sa(b, &sa);
}

static void r_sa_17(struct sgw_ike_buf *b)
{
	static struct sgw_ike_sa_pld sa = {.n_prop = SGW_IKE_MAX_PROPS + 1};

	sgw_ike_enc_sa(b, &sa);
}

static void r_sa_65(struct sgw_ike_buf *b)
{
	static struct sgw_ike_sa_pld sa = {.n_prop = 1, .prop = {{.n_xform = 65}}};

	sgw_ike_enc_sa(b, &sa);
}

static void r_id_type(struct sgw_ike_buf *b)
{
	sgw_ike_enc_id(b, IKEV2_PLD_TSI,
		       &(struct sgw_ike_id_pld){IKEV2_ID_FQDN, 1, (const uint8_t *)"x"});
}

static void r_id_ipv4(struct sgw_ike_buf *b)
{
	sgw_ike_enc_id(b, IKEV2_PLD_IDI,
		       &(struct sgw_ike_id_pld){IKEV2_ID_IPV4_ADDR, 3, (const uint8_t *)"abc"});
}

static void r_ts_order(struct sgw_ike_buf *b)
{
	sgw_ike_enc_ts(b, IKEV2_PLD_TSR, &(struct sgw_ike_ts_pld){1,
		{{IKEV2_TS_IPV4_ADDR_RANGE, 0, 0, 0, {2}, {1}}}});
}

static void r_ts_empty(struct sgw_ike_buf *b)
{
	sgw_ike_enc_ts(b, IKEV2_PLD_TSR, &(struct sgw_ike_ts_pld){0});
}

static void r_ts_17(struct sgw_ike_buf *b)
{
	sgw_ike_enc_ts(b, IKEV2_PLD_TSI, &(struct sgw_ike_ts_pld){.n_ts = 17});
}

static void r_cp_type(struct sgw_ike_buf *b)
{
	sgw_ike_enc_cp(b, &(struct sgw_ike_cp_pld){1, 1, {{0x8001, 0, NULL}}});
}

static void r_cp_len(struct sgw_ike_buf *b)
{
	sgw_ike_enc_cp(b, &(struct sgw_ike_cp_pld){1, 1,
		{{IKEV2_CFG_INTERNAL_IP4_DNS, 2, (const uint8_t *)"ab"}}});
}

static void r_delete_ike_spis(struct sgw_ike_buf *b)
{
	sgw_ike_enc_delete(b, &(struct sgw_ike_delete_pld){IKEV2_PROTO_IKE, 4, 1,
		(const uint8_t *)"abcd"});
}

static void r_raw_sk(struct sgw_ike_buf *b)
{
	sgw_ike_enc_raw(b, IKEV2_PLD_SK, NULL, 0);
}

static void r_raw_none(struct sgw_ike_buf *b)
{
	sgw_ike_enc_raw(b, IKEV2_PLD_NONE, NULL, 0);
}

static void r_raw_big(struct sgw_ike_buf *b)
{
	static const uint8_t big[65532];

	sgw_ike_enc_raw(b, IKEV2_PLD_VENDOR, big, sizeof(big));
}

static void r_skf_0(struct sgw_ike_buf *b)
{
	sgw_ike_enc_skf_begin(b, IKEV2_PLD_NONE, 0, 2);
}

static void r_skf_3of2(struct sgw_ike_buf *b)
{
	sgw_ike_enc_skf_begin(b, IKEV2_PLD_NONE, 3, 2);
}

static void r_skf_next(struct sgw_ike_buf *b)
{
	sgw_ike_enc_skf_begin(b, IKEV2_PLD_IDI, 2, 2);
}

static void r_sk_twice(struct sgw_ike_buf *b)
{
	sgw_ike_enc_sk_begin(b, IKEV2_PLD_NONE);
	sgw_ike_enc_sk_begin(b, IKEV2_PLD_NONE);
}

static void r_patch(struct sgw_ike_buf *b)
{
	sgw_ike_enc_patch_len(b, 1);
}

static const struct {
	const char *name;
	void (*enc)(struct sgw_ike_buf *b);
	int err;
	const char *why;
} refusals[] = {
	{"header twice", r_header_twice, -EINVAL, "enc: header not first"},
	{"notify SPI size 9", r_notify_spi9, -EINVAL, "enc: SPI longer than 8"},
	{"notify SPI size 3", r_notify_spi3, -EINVAL, "notify: SPI size"},
	{"SA without proposals", r_sa_empty, -EINVAL, "sa: no proposal"},
	{"SA with 17 proposals", r_sa_17, -E2BIG, "enc: too many proposals"},
	{"proposal with 65 transforms", r_sa_65, -E2BIG, "enc: too many transforms"},
	{"ID as payload 44", r_id_type, -EINVAL, "enc: ID payload type"},
	{"IPv4 ID of 3 octets", r_id_ipv4, -EINVAL, "id: IPv4 address not 4"},
	{"TS start above end", r_ts_order, -EINVAL, "ts: start address above end"},
	{"TS without selectors", r_ts_empty, -EINVAL, "ts: no selectors"},
	{"TS with 17 selectors", r_ts_17, -E2BIG, "enc: too many selectors"},
	{"CP attribute type of 16 bits", r_cp_type, -EINVAL, "enc: CP attribute type"},
	{"CP IPv4 DNS of 2 octets", r_cp_len, -EINVAL, "cp: attribute length does not fit"},
	{"IKE delete with an SPI", r_delete_ike_spis, -EINVAL, "delete: IKE delete with SPIs"},
	{"raw SK", r_raw_sk, -EINVAL, "enc: raw payload"},
	{"raw type 0", r_raw_none, -EINVAL, "enc: raw payload"},
	{"payload of 65532 octets", r_raw_big, -E2BIG, "enc: payload longer"},
	{"SKF 0 of 2", r_skf_0, -EINVAL, "enc: SKF"},
	{"SKF 3 of 2", r_skf_3of2, -EINVAL, "enc: SKF"},
	{"SKF 2 of 2 naming IDi", r_skf_next, -EINVAL, "enc: SKF"},
	{"SK twice", r_sk_twice, -EINVAL, "enc: payload after SK"},
	{"patch past the end", r_patch, -EINVAL, "enc: no payload at that offset"},
};

/* The encoder refuses what the decoder would reject, and takes it back. */
static void test_encode_refuses(void **s)
{
	static uint8_t out[256];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	size_t len;
	(void)s;

	sgw_ike_buf_init(&b, out, sizeof(out));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){.exchange = IKEV2_EXCH_INFORMATIONAL});
	sgw_ike_enc_notify(&b, &(struct sgw_ike_notify_pld){.type = IKEV2_N_COOKIE,
		.len = 8, .data = (const uint8_t *)"cookie!!"});
	len = b.len;
	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){8, (const uint8_t *)"shortone"});
	assert_int_equal(b.err, -EINVAL);
	assert_string_equal(sgw_ike_why(), "nonce: not 16 to 256 octets");
	assert_int_equal(b.len, len);                  /* taken back */
	assert_int_equal(out[28], IKEV2_PLD_NONE);     /* and not chained */
	/* What was built before is intact. */
	b.err = 0;
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	assert_int_equal(parse(out, b.len, &m), 0);
	assert_int_equal(m.n, 1);

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		static uint8_t big_out[70000];

		sgw_ike_buf_init(&b, big_out, sizeof(big_out));
		refusals[i].enc(&b);
		expect(b.err, refusals[i].err, refusals[i].why, refusals[i].name);
	}
}

static void test_encode_too_long(void **s)
{
	static uint8_t out[70000], body[60000];
	struct sgw_ike_buf b;
	size_t off;
	(void)s;

	/* Two payloads of 60000 octets fit the buffer, not a message. */
	sgw_ike_buf_init(&b, out, sizeof(out));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){0});
	sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, body, 30000);
	sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, body, 30000);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	sgw_ike_enc_raw(&b, IKEV2_PLD_VENDOR, body, 5500);
	assert_int_equal(sgw_ike_enc_finish(&b), -E2BIG);
	assert_string_equal(sgw_ike_why(), "enc: message longer than 65535 octets");

	/* An SK payload grown past 65535 octets. */
	sgw_ike_buf_init(&b, out, sizeof(out));
	off = sgw_ike_enc_sk_begin(&b, IKEV2_PLD_IDI);
	sgw_ike_enc_reserve(&b, 65532);
	sgw_ike_enc_patch_len(&b, off);
	assert_int_equal(b.err, -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongswan_sa_init),
		cmocka_unit_test(test_msg_table),
		cmocka_unit_test(test_msg_bounds),
		cmocka_unit_test(test_too_many_payloads),
		cmocka_unit_test(test_encrypted_last),
		cmocka_unit_test(test_inner_chain),
		cmocka_unit_test(test_unknown_critical),
		cmocka_unit_test(test_body_table),
		cmocka_unit_test(test_body_fields),
		cmocka_unit_test(test_body_bounds),
		cmocka_unit_test(test_encode_sa_init),
		cmocka_unit_test(test_encode_overflow),
		cmocka_unit_test(test_round_trip_payloads),
		cmocka_unit_test(test_encode_sk),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_encode_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
