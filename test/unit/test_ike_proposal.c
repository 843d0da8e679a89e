/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposal choice (RFC 7296 2.7, 3.3, 3.3.6), table-driven: strongSwan's
 * default proposals against our offers, KE group steering, AEAD and
 * integrity, unknown transform types, ESN and PFS for Child SAs, SPI sizes;
 * the initiator's check of a reply; and our SA payloads sent through the
 * real codec (sgw_ike_enc_sa, sgw_ike_msg_parse, sgw_ike_dec_sa) to check
 * that what goes on the wire is what we meant.
 *
 * Proposals and offers are written in the tables with strongSwan's keywords:
 * "aes128 sha256 prfsha256 x25519" is AES-CBC-128, HMAC-SHA2-256-128,
 * PRF-HMAC-SHA2-256 and Curve25519; "t6:36" is a transform of type 6
 * (RFC 9370's ADDKE1) that this code does not know.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ike_proposal.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

#define IKE IKEV2_PROTO_IKE
#define ESP IKEV2_PROTO_ESP
#define AH  IKEV2_PROTO_AH
#define IGNORE_DH SGW_IKE_PROP_IGNORE_DH

/* ------------------------------------------------------- the keywords */

static const struct keyword {
	const char *s;
	uint8_t type;
	uint16_t id, keylen;
	const char *iana;       /* what sgw_ike_choice_str() prints */
} keywords[] = {
	{ "aes128",           IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 128, "AES_CBC" },
	{ "aes192",           IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 192, "AES_CBC" },
	{ "aes256",           IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 256, "AES_CBC" },
	{ "aes128gcm16",      IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 128, "AES_GCM_16" },
	{ "aes192gcm16",      IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 192, "AES_GCM_16" },
	{ "aes256gcm16",      IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256, "AES_GCM_16" },
	{ "aes128ccm16",      IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CCM_16, 128, NULL },
	{ "aes256ccm16",      IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CCM_16, 256, NULL },
	{ "chacha20poly1305", IKEV2_XFORM_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0, NULL },
	{ "camellia128",      IKEV2_XFORM_ENCR, 23, 128, NULL },   /* ENCR_CAMELLIA_CBC */
	{ "camellia192",      IKEV2_XFORM_ENCR, 23, 192, NULL },
	{ "camellia256",      IKEV2_XFORM_ENCR, 23, 256, NULL },
	{ "3des",             IKEV2_XFORM_ENCR, IKEV2_ENCR_3DES, 0, NULL },
	{ "integnone",        IKEV2_XFORM_INTEG, IKEV2_INTEG_NONE, 0, NULL },
	{ "md5",              IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_MD5_96, 0, NULL },
	{ "sha1",             IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA1_96, 0, NULL },
	{ "aesxcbc",          IKEV2_XFORM_INTEG, IKEV2_INTEG_AES_XCBC_96, 0, NULL },
	{ "aescmac",          IKEV2_XFORM_INTEG, IKEV2_INTEG_AES_CMAC_96, 0, NULL },
	{ "sha256",           IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0, "HMAC_SHA2_256_128" },
	{ "sha384",           IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0, "HMAC_SHA2_384_192" },
	{ "sha512",           IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0, "HMAC_SHA2_512_256" },
	{ "prfmd5",           IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_MD5, 0, NULL },
	{ "prfsha1",          IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA1, 0, NULL },
	{ "prfaesxcbc",       IKEV2_XFORM_PRF, IKEV2_PRF_AES128_XCBC, 0, NULL },
	{ "prfaescmac",       IKEV2_XFORM_PRF, IKEV2_PRF_AES128_CMAC, 0, NULL },
	{ "prfsha256",        IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, "PRF_HMAC_SHA2_256" },
	{ "prfsha384",        IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_384, 0, "PRF_HMAC_SHA2_384" },
	{ "prfsha512",        IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_512, 0, "PRF_HMAC_SHA2_512" },
	{ "dhnone",           IKEV2_XFORM_DH, IKEV2_DH_NONE, 0, NULL },
	{ "modp1024",         IKEV2_XFORM_DH, IKEV2_DH_MODP_1024, 0, NULL },
	{ "modp2048",         IKEV2_XFORM_DH, IKEV2_DH_MODP_2048, 0, "MODP_2048" },
	{ "modp3072",         IKEV2_XFORM_DH, IKEV2_DH_MODP_3072, 0, "MODP_3072" },
	{ "modp4096",         IKEV2_XFORM_DH, IKEV2_DH_MODP_4096, 0, NULL },
	{ "modp6144",         IKEV2_XFORM_DH, IKEV2_DH_MODP_6144, 0, NULL },
	{ "modp8192",         IKEV2_XFORM_DH, IKEV2_DH_MODP_8192, 0, NULL },
	{ "ecp256",           IKEV2_XFORM_DH, IKEV2_DH_ECP_256, 0, "ECP_256" },
	{ "ecp384",           IKEV2_XFORM_DH, IKEV2_DH_ECP_384, 0, "ECP_384" },
	{ "ecp521",           IKEV2_XFORM_DH, IKEV2_DH_ECP_521, 0, NULL },
	{ "ecp256bp",         IKEV2_XFORM_DH, 28, 0, NULL },   /* RFC 6954 */
	{ "ecp384bp",         IKEV2_XFORM_DH, 29, 0, NULL },
	{ "ecp512bp",         IKEV2_XFORM_DH, 30, 0, NULL },
	{ "x25519",           IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0, "CURVE_25519" },
	{ "x448",             IKEV2_XFORM_DH, IKEV2_DH_CURVE448, 0, NULL },
	{ "noesn",            IKEV2_XFORM_ESN, IKEV2_ESN_NONE, 0, NULL },
	{ "esn",              IKEV2_XFORM_ESN, IKEV2_ESN_ESN, 0, NULL },
};

static struct sgw_ike_xform keyword(const char *s)
{
	unsigned type, id;

	for (unsigned i = 0; i < DIM(keywords); i++)
		if (!strcmp(keywords[i].s, s))
			return (struct sgw_ike_xform){ keywords[i].type, keywords[i].id,
						       keywords[i].keylen };
	if (sscanf(s, "t%u:%u", &type, &id) == 2)
		return (struct sgw_ike_xform){ (uint8_t)type, (uint16_t)id, 0 };
	fail_msg("unknown keyword in table: '%s'", s);
	return (struct sgw_ike_xform){ 0, 0, 0 };
}

static const char *keyword_name(uint8_t type, uint16_t id, uint16_t keylen)
{
	for (unsigned i = 0; i < DIM(keywords); i++)
		if (keywords[i].type == type && keywords[i].id == id &&
		    keywords[i].keylen == keylen)
			return keywords[i].s;
	return "?";
}

/* The SPI a peer's proposal carries in these tables, by size and number. */
static uint64_t spi_of(uint8_t size, uint8_t num)
{
	return size == 4 ? 0xc0de0000u + num : size == 8 ? 0x1122334455667700u + num : 0;
}

/* "[#n] proto[/spisize]: keywords, ..." to an SA payload. Proposals are
 * numbered 1, 2, ... unless "#n" says otherwise. */
static struct sgw_ike_sa_pld sa(const char *spec)
{
	struct sgw_ike_sa_pld out;
	char *copy = strdup(spec), *save = NULL, *p;

	assert_non_null(copy);
	memset(&out, 0, sizeof(out));
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct sgw_ike_prop *pr = &out.prop[out.n_prop];
		char proto[8], *colon, *save2 = NULL, *t;
		unsigned num = out.n_prop + 1u, size = 99;

		assert_true(out.n_prop < SGW_IKE_MAX_PROPS);
		while (*p == ' ')
			p++;
		if (*p == '#')
			num = (unsigned)strtoul(p + 1, &p, 10);
		colon = strchr(p, ':');
		assert_non_null(colon);
		*colon = 0;
		if (sscanf(p, " %7[a-z]/%u", proto, &size) < 1)
			fail_msg("bad proposal in table: '%s'", spec);
		memset(pr, 0, sizeof(*pr));
		pr->num = (uint8_t)num;
		pr->proto = !strcmp(proto, "ike") ? IKE : !strcmp(proto, "esp") ? ESP :
			    !strcmp(proto, "ah") ? AH : 0;
		assert_int_not_equal(pr->proto, 0);
		pr->spi_size = (uint8_t)(size != 99 ? size : pr->proto == IKE ? 0 : 4);
		pr->spi = spi_of(pr->spi_size, pr->num);
		for (t = strtok_r(colon + 1, " -", &save2); t; t = strtok_r(NULL, " -", &save2)) {
			assert_true(pr->n_xform < SGW_IKE_MAX_XFORMS);
			pr->xform[pr->n_xform++] = keyword(t);
		}
		out.n_prop++;
	}
	free(copy);
	return out;
}

/* "aes256gcm16-prfsha384-ecp384-x25519, aes128-sha256-..." to our offers. */
static unsigned offers(const char *spec, struct sgw_ike_offer *o, unsigned cap)
{
	char *copy = strdup(spec), *save = NULL, *p;
	unsigned n = 0;

	assert_non_null(copy);
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save), n++) {
		char *save2 = NULL, *t;

		assert_true(n < cap);
		memset(&o[n], 0, sizeof(o[n]));
		for (t = strtok_r(p, " -", &save2); t; t = strtok_r(NULL, " -", &save2)) {
			const struct sgw_ike_xform x = keyword(t);

			switch (x.type) {
			case IKEV2_XFORM_ENCR:
				assert_true(o[n].n_encr < SGW_IKE_OFFER_ALTS);
				o[n].encr[o[n].n_encr].id = x.id;
				o[n].encr[o[n].n_encr++].key_bits = x.keylen;
				break;
			case IKEV2_XFORM_INTEG:
				assert_true(o[n].n_integ < SGW_IKE_OFFER_ALTS);
				o[n].integ[o[n].n_integ++] = x.id;
				break;
			case IKEV2_XFORM_PRF:
				assert_true(o[n].n_prf < SGW_IKE_OFFER_ALTS);
				o[n].prf[o[n].n_prf++] = x.id;
				break;
			case IKEV2_XFORM_DH:
				assert_true(o[n].n_dh < SGW_IKE_OFFER_ALTS);
				o[n].dh[o[n].n_dh++] = x.id;
				break;
			case IKEV2_XFORM_ESN:
				assert_true(o[n].n_esn < 2);
				o[n].esn[o[n].n_esn++] = x.id;
				break;
			default:
				fail_msg("no such transform type in an offer: '%s'", t);
			}
		}
	}
	free(copy);
	return n;
}

/* "#2 aes256gcm16 prfsha384 x25519 [esn|noesn]" to the choice it names. */
static struct sgw_ike_choice choice(const char *spec, uint8_t proto, uint64_t spi)
{
	struct sgw_ike_choice c;
	char *copy = strdup(spec), *save = NULL, *t, *p = copy;

	assert_non_null(copy);
	memset(&c, 0, sizeof(c));
	c.proto = proto;
	c.spi = spi;
	c.num = 1;
	if (*p == '#')
		c.num = (uint8_t)strtoul(p + 1, &p, 10);
	for (t = strtok_r(p, " -", &save); t; t = strtok_r(NULL, " -", &save)) {
		const struct sgw_ike_xform x = keyword(t);

		switch (x.type) {
		case IKEV2_XFORM_ENCR: c.encr = x.id; c.key_bits = x.keylen; break;
		case IKEV2_XFORM_INTEG: c.integ = x.id; break;
		case IKEV2_XFORM_PRF: c.prf = x.id; break;
		case IKEV2_XFORM_DH: c.dh = x.id; break;
		case IKEV2_XFORM_ESN: c.esn = x.id == IKEV2_ESN_ESN; break;
		default: fail_msg("bad choice in table: '%s'", spec);
		}
	}
	free(copy);
	return c;
}

static const char *show_choice(const struct sgw_ike_choice *c, char *buf, size_t size)
{
	snprintf(buf, size, "#%u proto %u spi %#llx %s %s %s %s %s", c->num, c->proto,
		 (unsigned long long)c->spi,
		 keyword_name(IKEV2_XFORM_ENCR, c->encr, c->key_bits),
		 c->integ ? keyword_name(IKEV2_XFORM_INTEG, c->integ, 0) : "-",
		 c->prf ? keyword_name(IKEV2_XFORM_PRF, c->prf, 0) : "-",
		 c->dh ? keyword_name(IKEV2_XFORM_DH, c->dh, 0) : "-",
		 c->esn ? "esn" : "noesn");
	return buf;
}

static void expect_choice(const char *what, const struct sgw_ike_choice *got,
			  const struct sgw_ike_choice *want)
{
	char g[160], w[160];

	if (got->num != want->num || got->proto != want->proto || got->spi != want->spi ||
	    got->encr != want->encr || got->key_bits != want->key_bits ||
	    got->integ != want->integ || got->prf != want->prf || got->dh != want->dh ||
	    got->esn != want->esn)
		fail_msg("%s: chose %s, want %s", what, show_choice(got, g, sizeof(g)),
			 show_choice(want, w, sizeof(w)));
}

/* The proposal numbered num in s, for the SPI a choice must carry. */
static const struct sgw_ike_prop *prop_num(const struct sgw_ike_sa_pld *s, uint8_t num)
{
	for (unsigned i = 0; i < s->n_prop; i++)
		if (s->prop[i].num == num)
			return &s->prop[i];
	return NULL;
}

/* Transform by transform, in order; SPIs too when check_spi. */
static void expect_sa(const char *what, const struct sgw_ike_sa_pld *got,
		      const struct sgw_ike_sa_pld *want, bool check_spi)
{
	if (got->n_prop != want->n_prop)
		fail_msg("%s: %u proposals, want %u", what, got->n_prop, want->n_prop);
	for (unsigned i = 0; i < want->n_prop; i++) {
		const struct sgw_ike_prop *g = &got->prop[i], *w = &want->prop[i];

		if (g->num != w->num || g->proto != w->proto || g->spi_size != w->spi_size)
			fail_msg("%s: proposal %u is #%u proto %u SPI size %u, want #%u %u %u",
				 what, i, g->num, g->proto, g->spi_size, w->num, w->proto,
				 w->spi_size);
		if (check_spi && g->spi != w->spi)
			fail_msg("%s: proposal %u SPI %#llx, want %#llx", what, i,
				 (unsigned long long)g->spi, (unsigned long long)w->spi);
		for (unsigned k = 0; k < g->n_xform || k < w->n_xform; k++) {
			const struct sgw_ike_xform *gx = k < g->n_xform ? &g->xform[k] : NULL;
			const struct sgw_ike_xform *wx = k < w->n_xform ? &w->xform[k] : NULL;

			if (!gx || !wx || gx->type != wx->type || gx->id != wx->id ||
			    gx->keylen != wx->keylen)
				fail_msg("%s: proposal %u transform %u is %s, want %s", what, i, k,
					 gx ? keyword_name(gx->type, gx->id, gx->keylen) : "(none)",
					 wx ? keyword_name(wx->type, wx->id, wx->keylen) : "(none)");
		}
	}
}

/* Through the wire: a message holding just this SA payload, encoded, then
 * parsed and decoded as a received one would be. */
static void wire(const struct sgw_ike_sa_pld *in, struct sgw_ike_sa_pld *out)
{
	static uint8_t buf[32768];
	const struct sgw_ike_hdr h = {
		.ispi = 0x0102030405060708u, .exchange = IKEV2_EXCH_IKE_SA_INIT,
		.flags = IKEV2_FLAG_INITIATOR,
	};
	struct sgw_ike_msg *m = malloc(sizeof(*m));
	struct sgw_ike_buf b;
	int rc;

	assert_non_null(m);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_header(&b, &h);
	sgw_ike_enc_sa(&b, in);
	rc = sgw_ike_enc_finish(&b);
	if (rc)
		fail_msg("encoding the SA payload: %d (%s)", rc, sgw_ike_why());
	rc = sgw_ike_msg_parse(buf, b.len, m);
	if (rc)
		fail_msg("parsing our message: %d (%s)", rc, sgw_ike_why());
	assert_int_equal(m->n, 1);
	assert_int_equal(m->pld[0].type, IKEV2_PLD_SA);
	rc = sgw_ike_dec_sa(&m->pld[0], out);
	if (rc)
		fail_msg("decoding our SA payload: %d (%s)", rc, sgw_ike_why());
	free(m);
}

/* ------------------------------------------- strongSwan's defaults */

/* strongSwan 5.9's default proposals as its log prints them: one without
 * and one with AEAD ciphers, each listing every group it supports. */
#define SS_GROUPS "x25519 ecp256 ecp384 ecp521 ecp256bp ecp384bp ecp512bp x448 " \
	"modp3072 modp4096 modp6144 modp8192 modp2048"
#define SS_PRFS "prfsha256 prfsha384 prfsha512 prfaesxcbc prfaescmac prfsha1"
#define SS_IKE \
	"ike: aes128 aes192 aes256 camellia128 camellia192 camellia256 " \
	"sha256 sha384 sha512 sha1 aesxcbc aescmac " SS_PRFS " " SS_GROUPS ", " \
	"ike: aes128gcm16 aes192gcm16 aes256gcm16 chacha20poly1305 aes128ccm16 " \
	"aes256ccm16 " SS_PRFS " " SS_GROUPS
#define SS_ESP \
	"esp: aes128gcm16 aes192gcm16 aes256gcm16 chacha20poly1305 aes128ccm16 " \
	"aes256ccm16 noesn, " \
	"esp: aes128 aes192 aes256 camellia128 camellia256 sha256 sha384 sha512 sha1 " \
	"aesxcbc aescmac noesn"

/* Our two IKE offers: AEAD preferred, then CBC with HMAC. */
#define OUR_IKE "aes256gcm16-aes128gcm16-prfsha384-prfsha256-ecp384-x25519, " \
	"aes256-aes128-sha256-sha512-prfsha256-x25519-ecp256-modp2048"

/* ---------------------------------------------------- responder: choose */

struct choose_case {
	const char *name;
	const char *peer;       /* their SA payload */
	uint8_t proto;
	const char *ours;       /* our offers */
	uint16_t ke;            /* their KE payload's group, 0 for none */
	unsigned flags;
	const char *want;       /* NULL: -ENOENT */
};

static const struct choose_case choose_cases[] = {
	/* --- strongSwan's default IKE proposals */
	{ "our preference, not theirs", SS_IKE, IKE, OUR_IKE, IKEV2_DH_CURVE25519, 0,
	  "#2 aes256gcm16 prfsha384 x25519" },
	{ "their KE group wins over our first group", SS_IKE, IKE,
	  "aes128gcm16-prfsha256-ecp256-x25519", IKEV2_DH_CURVE25519, 0,
	  "#2 aes128gcm16 prfsha256 x25519" },
	{ "their KE group not ours: our first common one (INVALID_KE_PAYLOAD)", SS_IKE, IKE,
	  OUR_IKE, IKEV2_DH_ECP_256, 0, "#2 aes256gcm16 prfsha384 ecp384" },
	{ "their KE group ours but in another offer: still our first offer", SS_IKE, IKE,
	  OUR_IKE, IKEV2_DH_MODP_2048, 0, "#2 aes256gcm16 prfsha384 ecp384" },
	{ "their KE group ours but not in their proposal", "ike: aes256gcm16 prfsha384 x25519",
	  IKE, OUR_IKE, IKEV2_DH_ECP_384, 0, "#1 aes256gcm16 prfsha384 x25519" },
	{ "no KE group given: our first common one", SS_IKE, IKE, OUR_IKE, 0, 0,
	  "#2 aes256gcm16 prfsha384 ecp384" },
	{ "CBC offer: our order in each type", SS_IKE, IKE,
	  "aes256-aes128-sha512-sha256-prfsha512-prfsha256-modp2048-ecp256",
	  IKEV2_DH_CURVE25519, 0, "#1 aes256 sha512 prfsha512 modp2048" },
	{ "CBC offer, their KE group acceptable", SS_IKE, IKE,
	  "aes256-aes128-sha512-sha256-prfsha512-prfsha256-modp2048-ecp256",
	  IKEV2_DH_ECP_256, 0, "#1 aes256 sha512 prfsha512 ecp256" },
	{ "first offer fails, second taken", SS_IKE, IKE,
	  "aes256gcm16-prfsha256-modp1024, aes128-sha256-prfsha256-ecp256",
	  IKEV2_DH_CURVE25519, 0, "#1 aes128 sha256 prfsha256 ecp256" },
	{ "key length must match", "ike: aes128gcm16 prfsha256 x25519", IKE,
	  "aes256gcm16-prfsha256-x25519", IKEV2_DH_CURVE25519, 0, NULL },
	{ "no common group", SS_IKE, IKE, "aes256gcm16-prfsha256-modp1024",
	  IKEV2_DH_CURVE25519, 0, NULL },
	{ "no common PRF", SS_IKE, IKE, "aes256gcm16-prfmd5-x25519", IKEV2_DH_CURVE25519, 0,
	  NULL },
	{ "no common cipher", SS_IKE, IKE, "3des-sha256-prfsha256-x25519",
	  IKEV2_DH_CURVE25519, 0, NULL },
	{ "no common integrity", SS_IKE, IKE, "aes128-md5-prfsha256-x25519",
	  IKEV2_DH_CURVE25519, 0, NULL },
	{ "IKE proposals are not ESP ones", SS_IKE, ESP, "aes128gcm16", 0, IGNORE_DH, NULL },
	/* --- AEAD and integrity */
	{ "AEAD with INTEG NONE", "ike: aes256gcm16 integnone prfsha256 x25519", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, "#1 aes256gcm16 prfsha256 x25519" },
	{ "AEAD with real integrity", "ike: aes256gcm16 sha256 prfsha256 x25519", IKE,
	  "aes256gcm16-prfsha256-x25519", IKEV2_DH_CURVE25519, 0, NULL },
	{ "AEAD with real integrity, then a clean one",
	  "ike: aes256gcm16 sha256 prfsha256 x25519, ike: aes128gcm16 prfsha256 x25519", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, "#2 aes128gcm16 prfsha256 x25519" },
	{ "CBC without integrity", "ike: aes256 prfsha256 x25519", IKE,
	  "aes256-sha256-prfsha256-x25519", IKEV2_DH_CURVE25519, 0, NULL },
	{ "CBC with INTEG NONE", "ike: aes256 integnone prfsha256 x25519", IKE,
	  "aes256-sha256-prfsha256-x25519", IKEV2_DH_CURVE25519, 0, NULL },
	/* --- RFC 7296 3.3.6: unknown transform types, missing mandatory ones */
	{ "unknown transform type: that proposal skipped",
	  "ike: aes256gcm16 prfsha384 x25519 t6:36, ike: aes128 sha256 prfsha256 x25519", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, "#2 aes128 sha256 prfsha256 x25519" },
	{ "unknown transform type alone", "ike: aes256gcm16 prfsha384 x25519 t6:36", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, NULL },
	{ "transform type 0", "ike: aes256gcm16 prfsha384 x25519 t0:1", IKE, OUR_IKE,
	  IKEV2_DH_CURVE25519, 0, NULL },
	{ "unknown IDs of known types do not matter",
	  "ike: camellia256 aes256gcm16 t1:1000 prfsha384 t2:999 x448 x25519", IKE, OUR_IKE,
	  IKEV2_DH_CURVE25519, 0, "#1 aes256gcm16 prfsha384 x25519" },
	{ "IKE without a group", "ike: aes256gcm16 prfsha384", IKE, OUR_IKE, 0, 0, NULL },
	{ "IKE with group NONE only", "ike: aes256gcm16 prfsha384 dhnone", IKE, OUR_IKE, 0, 0,
	  NULL },
	{ "IKE without a PRF", "ike: aes256gcm16 x25519", IKE, OUR_IKE, IKEV2_DH_CURVE25519, 0,
	  NULL },
	{ "IKE with an ESN transform", "ike: aes256gcm16 prfsha384 x25519 noesn", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, NULL },
	{ "our offer without a group", SS_IKE, IKE, "aes256gcm16-prfsha384", 0, 0, NULL },
	{ "neither side with a group", "ike: aes256gcm16 prfsha384", IKE,
	  "aes256gcm16-prfsha384", 0, 0, NULL },
	{ "neither side with a real group", "ike: aes256gcm16 prfsha384 dhnone", IKE,
	  "aes256gcm16-prfsha384", 0, 0, NULL },
	/* RFC 7296 3.3.5: AES needs its Key Length attribute. */
	{ "AES-GCM without a key length", "ike: t1:20 prfsha384 x25519", IKE, OUR_IKE,
	  IKEV2_DH_CURVE25519, 0, NULL },
	{ "AES-CBC without a key length", "ike: t1:12 sha256 prfsha256 x25519", IKE, OUR_IKE,
	  IKEV2_DH_CURVE25519, 0, NULL },
	/* --- SPI sizes */
	{ "IKE SPI of 8 (rekey)", "ike/8: aes256gcm16 prfsha384 x25519", IKE, OUR_IKE,
	  IKEV2_DH_CURVE25519, 0, "#1 aes256gcm16 prfsha384 x25519" },
	{ "IKE SPI of 4 skipped",
	  "ike/4: aes256gcm16 prfsha384 x25519, ike: aes128gcm16 prfsha256 x25519", IKE,
	  OUR_IKE, IKEV2_DH_CURVE25519, 0, "#2 aes128gcm16 prfsha256 x25519" },
	{ "ESP SPI of 8 skipped",
	  "esp/8: aes256gcm16 noesn, esp/0: aes256gcm16 noesn, esp: aes128gcm16 noesn", ESP,
	  "aes256gcm16-aes128gcm16", 0, IGNORE_DH, "#3 aes128gcm16 noesn" },
	{ "only bad SPI sizes", "esp/8: aes256gcm16 noesn, esp/0: aes256gcm16 noesn", ESP,
	  "aes256gcm16", 0, IGNORE_DH, NULL },
	{ "AH proposals skipped", "ah: aes256gcm16 noesn, esp: aes128gcm16 noesn", ESP,
	  "aes256gcm16-aes128gcm16", 0, IGNORE_DH, "#2 aes128gcm16 noesn" },
	/* --- strongSwan's default ESP proposals, in IKE_AUTH */
	{ "ESP, AEAD", SS_ESP, ESP, "aes256gcm16", 0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESP, CBC: our order", SS_ESP, ESP, "aes128-aes256-sha512-sha256", 0, IGNORE_DH,
	  "#2 aes128 sha512 noesn" },
	{ "ESP, CBC preferred over AEAD", SS_ESP, ESP,
	  "aes256-sha384, aes128gcm16", 0, IGNORE_DH, "#2 aes256 sha384 noesn" },
	{ "ESP, CBC without integrity", "esp: aes256 noesn", ESP, "aes256-sha256", 0, IGNORE_DH,
	  NULL },
	{ "ESP, AEAD with real integrity", "esp: aes256gcm16 sha256 noesn", ESP,
	  "aes256gcm16", 0, IGNORE_DH, NULL },
	{ "ESP, AEAD with INTEG NONE", "esp: aes256gcm16 integnone noesn", ESP,
	  "aes256gcm16", 0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESP with a PRF", "esp: aes256gcm16 prfsha256 noesn", ESP, "aes256gcm16", 0,
	  IGNORE_DH, NULL },
	{ "ESP, unknown transform type", "esp: aes256gcm16 noesn t6:36, esp: aes128gcm16 noesn",
	  ESP, "aes256gcm16-aes128gcm16", 0, IGNORE_DH, "#2 aes128gcm16 noesn" },
	{ "ESP proposals are not IKE ones", SS_ESP, IKE, OUR_IKE, 0, 0, NULL },
	/* --- ESN: our preference */
	{ "ESN: ours first, ESN", "esp: aes256gcm16 noesn esn", ESP, "aes256gcm16-esn-noesn",
	  0, IGNORE_DH, "#1 aes256gcm16 esn" },
	{ "ESN: ours first, none", "esp: aes256gcm16 esn noesn", ESP, "aes256gcm16-noesn-esn",
	  0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESN: we list none, so no ESN", "esp: aes256gcm16 esn noesn", ESP, "aes256gcm16", 0,
	  IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESN: they want it, we cannot", "esp: aes256gcm16 esn", ESP, "aes256gcm16", 0,
	  IGNORE_DH, NULL },
	{ "ESN: we want it, they cannot", "esp: aes256gcm16 noesn", ESP, "aes256gcm16-esn", 0,
	  IGNORE_DH, NULL },
	{ "ESN: no transform from them means none", "esp: aes256gcm16", ESP,
	  "aes256gcm16-esn-noesn", 0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESN: no transform from them, we insist", "esp: aes256gcm16", ESP, "aes256gcm16-esn",
	  0, IGNORE_DH, NULL },
	/* --- DH for Child SAs */
	{ "IKE_AUTH: their groups ignored", "esp: aes256gcm16 ecp256 noesn", ESP, "aes256gcm16",
	  0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "IKE_AUTH: our PFS group ignored", "esp: aes256gcm16 noesn", ESP,
	  "aes256gcm16-x25519", 0, IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "CREATE_CHILD_SA: PFS", "esp: aes256gcm16 ecp256 x25519 noesn", ESP,
	  "aes256gcm16-x25519-ecp256", IKEV2_DH_ECP_256, 0, "#1 aes256gcm16 ecp256 noesn" },
	{ "CREATE_CHILD_SA: PFS, their KE group not ours", "esp: aes256gcm16 ecp256 x25519 noesn",
	  ESP, "aes256gcm16-x25519", IKEV2_DH_ECP_256, 0, "#1 aes256gcm16 x25519 noesn" },
	{ "CREATE_CHILD_SA: they want PFS, we have none", "esp: aes256gcm16 ecp256 noesn", ESP,
	  "aes256gcm16", IKEV2_DH_ECP_256, 0, NULL },
	{ "CREATE_CHILD_SA: they allow NONE too", "esp: aes256gcm16 ecp256 dhnone noesn", ESP,
	  "aes256gcm16", IKEV2_DH_ECP_256, 0, "#1 aes256gcm16 noesn" },
	{ "CREATE_CHILD_SA: neither wants PFS", "esp: aes256gcm16 noesn", ESP, "aes256gcm16", 0,
	  0, "#1 aes256gcm16 noesn" },
	{ "CREATE_CHILD_SA: we want PFS, they have none", "esp: aes256gcm16 noesn", ESP,
	  "aes256gcm16-x25519", 0, 0, NULL },
	{ "CREATE_CHILD_SA: we want PFS, they only NONE", "esp: aes256gcm16 dhnone noesn", ESP,
	  "aes256gcm16-x25519", 0, 0, NULL },
	{ "IKE rekey: the group matters", "ike/8: aes256gcm16 prfsha384 ecp256", IKE,
	  "aes256gcm16-prfsha384-x25519", IKEV2_DH_ECP_256, IGNORE_DH, NULL },
	{ "nothing offered by us", SS_IKE, IKE, "", 0, 0, NULL },
};

static void test_choose(void **st)
{
	(void)st;
	for (unsigned i = 0; i < DIM(choose_cases); i++) {
		const struct choose_case *c = &choose_cases[i];
		const struct sgw_ike_sa_pld peer = sa(c->peer);
		struct sgw_ike_offer o[SGW_IKE_MAX_PROPS];
		const unsigned n = offers(c->ours, o, DIM(o));
		struct sgw_ike_choice got, want;
		int rc;

		memset(&got, 0x5a, sizeof(got));
		rc = sgw_ike_choose(&peer, c->proto, o, n, c->ke, c->flags, &got);
		if (!c->want) {
			if (rc != -ENOENT)
				fail_msg("%s: returned %d, want -ENOENT", c->name, rc);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: returned %d", c->name, rc);
		want = choice(c->want, c->proto, 0);
		assert_non_null(prop_num(&peer, want.num));
		want.spi = prop_num(&peer, want.num)->spi;   /* their SPI */
		expect_choice(c->name, &got, &want);
	}
}

/* ------------------------------------------------ initiator: the reply */

struct reply_case {
	const char *name;
	const char *reply;
	uint8_t proto;
	const char *ours;
	unsigned flags;
	const char *want;       /* NULL: -EINVAL */
};

#define OUR_ESP "aes256gcm16-esn-noesn, aes256-aes128-sha256"
#define OUR_PFS "aes256gcm16-x25519-ecp256-noesn"

static const struct reply_case reply_cases[] = {
	{ "AEAD from the first offer", "#1 ike: aes128gcm16 prfsha256 x25519", IKE, OUR_IKE, 0,
	  "#1 aes128gcm16 prfsha256 x25519" },
	{ "CBC from the second offer", "#2 ike: aes256 sha512 prfsha256 modp2048", IKE, OUR_IKE,
	  0, "#2 aes256 sha512 prfsha256 modp2048" },
	{ "AEAD with INTEG NONE", "#1 ike: aes256gcm16 integnone prfsha384 ecp384", IKE,
	  OUR_IKE, 0, "#1 aes256gcm16 prfsha384 ecp384" },
	{ "SPI of 8 (rekey)", "#1 ike/8: aes256gcm16 prfsha384 ecp384", IKE, OUR_IKE, 0,
	  "#1 aes256gcm16 prfsha384 ecp384" },
	{ "two proposals", "ike: aes128gcm16 prfsha256 x25519, ike: aes256 sha256 prfsha256 x25519",
	  IKE, OUR_IKE, 0, NULL },
	{ "two ciphers", "#1 ike: aes128gcm16 aes256gcm16 prfsha256 x25519", IKE, OUR_IKE, 0,
	  NULL },
	{ "two integrity algorithms", "#2 ike: aes256 sha256 sha512 prfsha256 x25519", IKE,
	  OUR_IKE, 0, NULL },
	{ "two PRFs", "#1 ike: aes128gcm16 prfsha256 prfsha384 x25519", IKE, OUR_IKE, 0, NULL },
	{ "two groups", "#1 ike: aes128gcm16 prfsha256 x25519 ecp384", IKE, OUR_IKE, 0, NULL },
	{ "same group twice", "#1 ike: aes128gcm16 prfsha256 x25519 x25519", IKE, OUR_IKE, 0,
	  NULL },
	{ "proposal number 0", "#0 ike: aes128gcm16 prfsha256 x25519", IKE, OUR_IKE, 0, NULL },
	{ "proposal number past our offers", "#3 ike: aes128gcm16 prfsha256 x25519", IKE,
	  OUR_IKE, 0, NULL },
	{ "cipher of the other offer", "#1 ike: aes256 sha256 prfsha256 x25519", IKE, OUR_IKE, 0,
	  NULL },
	{ "cipher of the other offer, the other way", "#2 ike: aes128gcm16 prfsha256 x25519",
	  IKE, OUR_IKE, 0, NULL },
	{ "integrity not offered", "#2 ike: aes256 sha384 prfsha256 x25519", IKE, OUR_IKE, 0,
	  NULL },
	{ "PRF not in that offer", "#2 ike: aes256 sha256 prfsha384 x25519", IKE, OUR_IKE, 0,
	  NULL },
	{ "group not in that offer", "#1 ike: aes256gcm16 prfsha384 ecp256", IKE, OUR_IKE, 0,
	  NULL },
	{ "key length not offered", "#1 ike: aes192gcm16 prfsha384 ecp384", IKE, OUR_IKE, 0,
	  NULL },
	{ "no group", "#1 ike: aes256gcm16 prfsha384", IKE, OUR_IKE, 0, NULL },
	{ "no PRF", "#1 ike: aes256gcm16 ecp384", IKE, OUR_IKE, 0, NULL },
	{ "no cipher", "#2 ike: sha256 prfsha256 x25519", IKE, OUR_IKE, 0, NULL },
	{ "CBC without integrity", "#2 ike: aes256 prfsha256 x25519", IKE, OUR_IKE, 0, NULL },
	{ "AEAD with integrity", "#1 ike: aes256gcm16 sha256 prfsha384 ecp384", IKE, OUR_IKE, 0,
	  NULL },
	{ "an ESN transform in IKE", "#1 ike: aes256gcm16 prfsha384 ecp384 noesn", IKE, OUR_IKE,
	  0, NULL },
	{ "unknown transform type", "#1 ike: aes256gcm16 prfsha384 ecp384 t6:36", IKE, OUR_IKE,
	  0, NULL },
	{ "ESP for IKE", "#1 esp: aes256gcm16 prfsha384 ecp384", IKE, OUR_IKE, 0, NULL },
	{ "IKE SPI of 4", "#1 ike/4: aes256gcm16 prfsha384 ecp384", IKE, OUR_IKE, 0, NULL },
	/* --- ESP in IKE_AUTH */
	{ "ESP with ESN", "#1 esp: aes256gcm16 esn", ESP, OUR_ESP, IGNORE_DH,
	  "#1 aes256gcm16 esn" },
	{ "ESP without ESN", "#1 esp: aes256gcm16 noesn", ESP, OUR_ESP, IGNORE_DH,
	  "#1 aes256gcm16 noesn" },
	{ "ESP, CBC", "#2 esp: aes128 sha256 noesn", ESP, OUR_ESP, IGNORE_DH,
	  "#2 aes128 sha256 noesn" },
	{ "ESP, ESN we did not offer", "#2 esp: aes128 sha256 esn", ESP, OUR_ESP, IGNORE_DH,
	  NULL },
	{ "ESP, two ESN transforms", "#1 esp: aes256gcm16 esn noesn", ESP, OUR_ESP, IGNORE_DH,
	  NULL },
	{ "ESP, a group we did not offer in IKE_AUTH", "#1 esp: aes256gcm16 ecp256 noesn", ESP,
	  OUR_ESP, IGNORE_DH, NULL },
	{ "ESP, group NONE in IKE_AUTH", "#1 esp: aes256gcm16 dhnone noesn", ESP, OUR_ESP,
	  IGNORE_DH, "#1 aes256gcm16 noesn" },
	{ "ESP with a PRF", "#1 esp: aes256gcm16 prfsha256 noesn", ESP, OUR_ESP, IGNORE_DH,
	  NULL },
	{ "ESP SPI of 8", "#1 esp/8: aes256gcm16 noesn", ESP, OUR_ESP, IGNORE_DH, NULL },
	{ "AH for ESP", "#1 ah: aes256gcm16 noesn", ESP, OUR_ESP, IGNORE_DH, NULL },
	{ "ESP SPI of 0", "#1 esp/0: aes256gcm16 noesn", ESP, OUR_ESP, IGNORE_DH, NULL },
	/* --- ESP in CREATE_CHILD_SA with PFS */
	{ "PFS", "#1 esp: aes256gcm16 ecp256 noesn", ESP, OUR_PFS, 0,
	  "#1 aes256gcm16 ecp256 noesn" },
	{ "PFS dropped", "#1 esp: aes256gcm16 noesn", ESP, OUR_PFS, 0, NULL },
	{ "PFS NONE", "#1 esp: aes256gcm16 dhnone noesn", ESP, OUR_PFS, 0, NULL },
	{ "PFS group not offered", "#1 esp: aes256gcm16 modp2048 noesn", ESP, OUR_PFS, 0, NULL },
	{ "no PFS asked, none given", "#1 esp: aes256gcm16 noesn", ESP, "aes256gcm16", 0,
	  "#1 aes256gcm16 noesn" },
	{ "no PFS asked, a group given", "#1 esp: aes256gcm16 ecp256 noesn", ESP, "aes256gcm16",
	  0, NULL },
};

static void test_accept_reply(void **st)
{
	(void)st;
	for (unsigned i = 0; i < DIM(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];
		const struct sgw_ike_sa_pld reply = sa(c->reply);
		struct sgw_ike_offer o[SGW_IKE_MAX_PROPS];
		const unsigned n = offers(c->ours, o, DIM(o));
		struct sgw_ike_choice got, want;
		int rc = sgw_ike_accept_reply(&reply, c->proto, o, n, c->flags, &got);

		if (!c->want) {
			if (rc != -EINVAL)
				fail_msg("%s: returned %d, want -EINVAL", c->name, rc);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: returned %d", c->name, rc);
		want = choice(c->want, c->proto, reply.prop[0].spi);
		expect_choice(c->name, &got, &want);
	}
}

/* A reply with no proposal at all, and one from an empty offer list. */
static void test_accept_reply_empty(void **st)
{
	struct sgw_ike_sa_pld reply = sa("#1 ike: aes128gcm16 prfsha256 x25519");
	struct sgw_ike_offer o[2];
	const unsigned n = offers(OUR_IKE, o, DIM(o));
	struct sgw_ike_choice c;
	(void)st;

	assert_int_equal(sgw_ike_accept_reply(&reply, IKE, o, 0, 0, &c), -EINVAL);
	reply.n_prop = 0;
	assert_int_equal(sgw_ike_accept_reply(&reply, IKE, o, n, 0, &c), -EINVAL);
}

/* ----------------------------------------------- what we send: offers */

struct offer_case {
	const char *name;
	const char *ours;
	uint8_t proto;
	uint64_t spi;
	uint8_t spi_size;
	unsigned flags;
	const char *want;       /* the SA payload, transform by transform */
	uint16_t ke;            /* for the next: our own KE group */
	const char *self;       /* what we choose if a peer sends us this */
};

static const struct offer_case offer_cases[] = {
	{ "IKE_SA_INIT", OUR_IKE, IKE, 0, 0, 0,
	  "ike: aes256gcm16 aes128gcm16 prfsha384 prfsha256 ecp384 x25519, "
	  "ike: aes256 aes128 sha256 sha512 prfsha256 x25519 ecp256 modp2048",
	  IKEV2_DH_ECP_384, "#1 aes256gcm16 prfsha384 ecp384" },
	{ "IKE rekey", "aes128-sha256-prfsha256-modp3072-ecp256", IKE, 0x0102030405060708u, 8,
	  0, "ike/8: aes128 sha256 prfsha256 modp3072 ecp256",
	  IKEV2_DH_ECP_256, "#1 aes128 sha256 prfsha256 ecp256" },
	{ "IKE never carries ESN", "aes256gcm16-prfsha256-x25519-esn", IKE, 0, 0, 0,
	  "ike: aes256gcm16 prfsha256 x25519", IKEV2_DH_CURVE25519,
	  "#1 aes256gcm16 prfsha256 x25519" },
	{ "ESP in IKE_AUTH: no groups", "aes256gcm16-x25519-esn-noesn, aes128-sha256-x25519", ESP,
	  0xc0ffee01u, 4, IGNORE_DH, "esp: aes256gcm16 esn noesn, esp: aes128 sha256 noesn",
	  0, "#1 aes256gcm16 esn" },
	{ "ESP in CREATE_CHILD_SA: PFS groups",
	  "aes256gcm16-x25519-esn-noesn, aes128-sha256-x25519", ESP, 0xc0ffee01u, 4, 0,
	  "esp: aes256gcm16 x25519 esn noesn, esp: aes128 sha256 x25519 noesn",
	  IKEV2_DH_CURVE25519, "#1 aes256gcm16 x25519 esn" },
	{ "ESP, no ESN configured: NONE sent", "aes128gcm16", ESP, 0x1u, 4, IGNORE_DH,
	  "esp: aes128gcm16 noesn", 0, "#1 aes128gcm16 noesn" },
	{ "ESP, PRFs never sent", "aes128gcm16-prfsha256", ESP, 0xffffffffu, 4, IGNORE_DH,
	  "esp: aes128gcm16 noesn", 0, "#1 aes128gcm16 noesn" },
};

static void test_offer_payload(void **st)
{
	(void)st;
	for (unsigned i = 0; i < DIM(offer_cases); i++) {
		const struct offer_case *c = &offer_cases[i];
		struct sgw_ike_offer o[SGW_IKE_MAX_PROPS];
		const unsigned n = offers(c->ours, o, DIM(o));
		struct sgw_ike_sa_pld *out = malloc(sizeof(*out)), *got = malloc(sizeof(*got));
		struct sgw_ike_sa_pld want = sa(c->want);
		struct sgw_ike_choice self, wself;

		assert_non_null(out);
		assert_non_null(got);
		assert_int_equal(sgw_ike_offer_payload(o, n, c->proto, c->spi, c->spi_size,
						       c->flags, out), 0);
		expect_sa(c->name, out, &want, false);
		wire(out, got);
		expect_sa(c->name, got, &want, false);
		for (unsigned k = 0; k < got->n_prop; k++)
			if (got->prop[k].spi != c->spi)
				fail_msg("%s: proposal %u SPI %#llx on the wire", c->name, k,
					 (unsigned long long)got->prop[k].spi);
		/* Another sgw with the same configuration picks our favourites. */
		assert_int_equal(sgw_ike_choose(got, c->proto, o, n, c->ke, c->flags, &self), 0);
		wself = choice(c->self, c->proto, c->spi);
		expect_choice(c->name, &self, &wself);
		free(out);
		free(got);
	}
}

static void test_offer_payload_bounds(void **st)
{
	struct sgw_ike_offer o[SGW_IKE_MAX_PROPS + 1];
	struct sgw_ike_sa_pld *out = malloc(sizeof(*out)), *got = malloc(sizeof(*got));
	static const char full[] =
		"aes128-aes192-aes256-aes128gcm16-aes192gcm16-aes256gcm16-aes128ccm16-"
		"aes256ccm16-sha256-sha384-sha512-sha1-aesxcbc-aescmac-md5-integnone-"
		"prfsha256-prfsha384-prfsha512-prfsha1-prfaesxcbc-prfaescmac-prfmd5-t2:9-"
		"x25519-ecp256-ecp384-ecp521-modp2048-modp3072-modp4096-x448-esn-noesn";
	char spec[(sizeof(full) + 2) * (SGW_IKE_MAX_PROPS + 1)] = "";
	(void)st;

	assert_non_null(out);
	assert_non_null(got);
	/* 16 offers, each as full as an offer gets: all fit, and survive the wire. */
	for (unsigned k = 0; k < SGW_IKE_MAX_PROPS + 1; k++) {
		if (k)
			strcat(spec, ", ");
		strcat(spec, full);
	}
	assert_int_equal(offers(spec, o, DIM(o)), SGW_IKE_MAX_PROPS + 1);
	for (unsigned p = 0; p < 2; p++) {
		const uint8_t proto = p ? ESP : IKE;

		assert_int_equal(sgw_ike_offer_payload(o, SGW_IKE_MAX_PROPS, proto, 7,
						       proto == IKE ? 8 : 4, 0, out), 0);
		assert_int_equal(out->n_prop, SGW_IKE_MAX_PROPS);
		wire(out, got);
		expect_sa("16 full offers", got, out, true);
		assert_int_equal(sgw_ike_offer_payload(o, SGW_IKE_MAX_PROPS + 1, proto, 7,
						       proto == IKE ? 8 : 4, 0, out), -E2BIG);
	}
	free(out);
	free(got);
}

/* ------------------------------------------- what we send: the answer */

struct answer_case {
	const char *name;
	uint8_t proto;
	const char *theirs;     /* the initiator's offers */
	uint8_t their_spi_size;
	const char *ours;       /* the responder's */
	uint16_t ke;
	unsigned flags;
	uint8_t spi_size;       /* of our answer */
	const char *want;       /* our SA payload */
};

static const struct answer_case answer_cases[] = {
	{ "IKE_SA_INIT, their second proposal", IKE,
	  "aes128-sha256-prfsha256-ecp256-x25519, aes256gcm16-prfsha384-x25519", 0,
	  "aes256gcm16-prfsha384-prfsha256-x25519, aes128-sha256-prfsha256-ecp256",
	  IKEV2_DH_ECP_256, 0, 0, "#2 ike: aes256gcm16 prfsha384 x25519" },
	{ "IKE_SA_INIT, CBC", IKE, "aes256-aes128-sha512-sha256-prfsha256-ecp256-x25519", 0,
	  "aes128-sha256-sha512-prfsha256-x25519", IKEV2_DH_ECP_256, 0, 0,
	  "#1 ike: aes128 sha256 prfsha256 x25519" },
	{ "IKE rekey", IKE, "aes256gcm16-prfsha256-x25519", 8, "aes256gcm16-prfsha256-x25519",
	  IKEV2_DH_CURVE25519, 0, 8, "#1 ike/8: aes256gcm16 prfsha256 x25519" },
	{ "ESP in IKE_AUTH", ESP, "aes128gcm16-esn-noesn, aes128-sha256", 4,
	  "aes256gcm16-aes128gcm16-esn", 0, IGNORE_DH, 4, "#1 esp: aes128gcm16 esn" },
	{ "ESP in IKE_AUTH, CBC", ESP, "aes256gcm16, aes256-sha384-sha256", 4,
	  "aes256-sha256", 0, IGNORE_DH, 4, "#2 esp: aes256 sha256 noesn" },
	{ "ESP in CREATE_CHILD_SA with PFS", ESP, "aes128-sha256-sha512-ecp256-x25519-noesn", 4,
	  "aes128-sha512-x25519-ecp256", IKEV2_DH_ECP_256, 0, 4,
	  "#1 esp: aes128 sha512 ecp256 noesn" },
};

/* Initiator offers, responder chooses and answers, initiator accepts: all
 * through the codec, and both ends must agree. */
static void test_choice_payload(void **st)
{
	(void)st;
	for (unsigned i = 0; i < DIM(answer_cases); i++) {
		const struct answer_case *c = &answer_cases[i];
		struct sgw_ike_offer theirs[SGW_IKE_MAX_PROPS], ours[SGW_IKE_MAX_PROPS];
		const unsigned nt = offers(c->theirs, theirs, DIM(theirs));
		const unsigned no = offers(c->ours, ours, DIM(ours));
		const uint64_t their_spi = spi_of(c->their_spi_size, 0x40);
		const uint64_t our_spi = spi_of(c->spi_size, 0x80);
		struct sgw_ike_sa_pld *offer = malloc(sizeof(*offer)), *rx = malloc(sizeof(*rx));
		struct sgw_ike_sa_pld *answer = malloc(sizeof(*answer)), want = sa(c->want);
		struct sgw_ike_choice chosen, accepted, w;

		assert_non_null(offer);
		assert_non_null(rx);
		assert_non_null(answer);
		assert_int_equal(sgw_ike_offer_payload(theirs, nt, c->proto, their_spi,
						       c->their_spi_size, c->flags, offer), 0);
		wire(offer, rx);
		if (sgw_ike_choose(rx, c->proto, ours, no, c->ke, c->flags, &chosen))
			fail_msg("%s: nothing chosen", c->name);
		assert_true(chosen.spi == their_spi);
		memset(answer, 0x5a, sizeof(*answer));
		sgw_ike_choice_payload(&chosen, our_spi, c->spi_size, answer);
		want.prop[0].spi = our_spi;
		expect_sa(c->name, answer, &want, true);
		wire(answer, rx);
		expect_sa(c->name, rx, &want, true);
		if (sgw_ike_accept_reply(rx, c->proto, theirs, nt, c->flags, &accepted))
			fail_msg("%s: our answer not accepted", c->name);
		w = chosen;
		w.spi = our_spi;
		expect_choice(c->name, &accepted, &w);
		free(offer);
		free(rx);
		free(answer);
	}
}

/* ------------------------------------------------------------- string */

struct str_case {
	const char *choice;
	uint8_t proto;
	const char *want;
};

static void test_choice_str(void **st)
{
	static const struct str_case c[] = {
		{ "aes128gcm16 prfsha256 x25519", IKE,
		  "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519" },
		{ "aes256gcm16 prfsha384 ecp384", IKE, "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
		{ "aes256 sha256 prfsha256 ecp256", IKE,
		  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256" },
		{ "aes128 sha384 prfsha512 modp3072", IKE,
		  "AES_CBC_128/HMAC_SHA2_384_192/PRF_HMAC_SHA2_512/MODP_3072" },
		{ "aes256gcm16 noesn", ESP, "AES_GCM_16_256/NO_EXT_SEQ" },
		{ "aes128gcm16 esn", ESP, "AES_GCM_16_128/ESN" },
		{ "aes128 sha512 modp2048 esn", ESP, "AES_CBC_128/HMAC_SHA2_512_256/MODP_2048/ESN" },
		{ "aes256gcm16 ecp384 noesn", ESP, "AES_GCM_16_256/ECP_384/NO_EXT_SEQ" },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		const struct sgw_ike_choice ch = choice(c[i].choice, c[i].proto, 0);
		const size_t full = strlen(c[i].want);
		char buf[160];

		if (strcmp(sgw_ike_choice_str(&ch, buf, sizeof(buf)), c[i].want))
			fail_msg("%s: \"%s\", want \"%s\"", c[i].choice, buf, c[i].want);
		/* Shorter buffers: a terminated prefix, nothing written past them. */
		for (size_t size = 1; size <= full + 1; size++) {
			char *b = malloc(size);

			assert_non_null(b);
			assert_ptr_equal(sgw_ike_choice_str(&ch, b, (unsigned)size), b);
			if (strlen(b) != size - 1 || strncmp(b, c[i].want, size - 1))
				fail_msg("%s in %zu bytes: \"%s\"", c[i].choice, size, b);
			free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_accept_reply),
		cmocka_unit_test(test_accept_reply_empty),
		cmocka_unit_test(test_offer_payload),
		cmocka_unit_test(test_offer_payload_bounds),
		cmocka_unit_test(test_choice_payload),
		cmocka_unit_test(test_choice_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
