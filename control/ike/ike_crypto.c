/* SPDX-License-Identifier: BSD-3-Clause */
/* IKEv2 cryptography: see ike_crypto.h for what each part implements. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "ike_crypto.h"

/* --- logging ------------------------------------------------------------- */

static sgw_ike_crypto_log_fn log_fn;
static void *log_arg;

void sgw_ike_crypto_set_log(sgw_ike_crypto_log_fn fn, void *arg)
{
	log_fn = fn;
	log_arg = arg;
}

/* Logs "func: message" and returns err. OpenSSL's error queue is always
 * emptied: a peer's bad point leaves entries there that would otherwise be
 * blamed on whatever runs next. With ossl, the first entry is appended. */
static int __attribute__((format(printf, 5, 6)))
fail(int err, int level, bool ossl, const char *func, const char *fmt, ...)
{
	char msg[320], why[160] = "";
	unsigned long e = ossl ? ERR_peek_error() : 0;
	va_list ap;
	int n;

	if (e != 0)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	if (log_fn == NULL)
		return err;
	n = snprintf(msg, sizeof(msg), "%s: ", func);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (why[0] != '\0') {
		size_t used = strlen(msg);
		snprintf(msg + used, sizeof(msg) - used, ": %s", why);
	}
	log_fn(log_arg, level, msg);
	return err;
}

/* A peer sent something unusable: worth a line, not an alarm. */
#define bad_input(err, ...) fail(err, LOG_INFO, false, __func__, __VA_ARGS__)
/* The caller broke the API's contract. */
#define bad_call(err, ...) fail(err, LOG_ERR, false, __func__, __VA_ARGS__)
/* OpenSSL failed where it should not. */
#define ossl_fail(what) fail(-EIO, LOG_ERR, true, __func__, "%s failed", what)

int sgw_ike_random(void *buf, size_t len)
{
	if (len > INT_MAX)
		return bad_call(-EINVAL, "%zu bytes asked", len);
	if (RAND_bytes(buf, (int)len) != 1)
		return ossl_fail("RAND_bytes");
	return 0;
}

/* --- PRF ----------------------------------------------------------------- */

/* A message part: the PRF, prf+ and HMAC integrity all take their input as
 * a list of these, so nothing is concatenated into temporary buffers. */
struct part {
	const uint8_t *p;
	size_t n;
};

static const char *prf_md(uint16_t prf)
{
	switch (prf) {
	case SGW_IKE_PRF_HMAC_SHA2_256: return "SHA256";
	case SGW_IKE_PRF_HMAC_SHA2_384: return "SHA384";
	case SGW_IKE_PRF_HMAC_SHA2_512: return "SHA512";
	default: return NULL;
	}
}

size_t sgw_ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case SGW_IKE_PRF_HMAC_SHA2_256: return 32;
	case SGW_IKE_PRF_HMAC_SHA2_384: return 48;
	case SGW_IKE_PRF_HMAC_SHA2_512: return 64;
	default: return 0;
	}
}

/* An HMAC context keyed with key, ready for updates; NULL on failure
 * (logged). EVP_MAC_init treats a NULL key as "keep the old one", so an
 * empty key is passed as a valid pointer with length 0. */
static EVP_MAC_CTX *hmac_new(const char *md, const uint8_t *key, size_t klen)
{
	static const uint8_t empty[1];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL) {
		ossl_fail("EVP_MAC_fetch(HMAC)");
		return NULL;
	}
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (ctx == NULL) {
		ossl_fail("EVP_MAC_CTX_new");
		return NULL;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, klen ? key : empty, klen, params) != 1) {
		ossl_fail("EVP_MAC_init");
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int hmac_update(EVP_MAC_CTX *ctx, const struct part *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].n && EVP_MAC_update(ctx, v[i].p, v[i].n) != 1)
			return ossl_fail("EVP_MAC_update");
	return 0;
}

/* out (the full HMAC output, outlen bytes) = HMAC-md(key, v[0] | ... ). */
static int hmac_v(const char *md, const uint8_t *key, size_t klen,
		  const struct part *v, size_t n, uint8_t *out, size_t outlen)
{
	EVP_MAC_CTX *ctx = hmac_new(md, key, klen);
	size_t got = 0;
	int rc;

	if (ctx == NULL)
		return -EIO;
	rc = hmac_update(ctx, v, n);
	if (rc == 0 && EVP_MAC_final(ctx, out, &got, outlen) != 1)
		rc = ossl_fail("EVP_MAC_final");
	if (rc == 0 && got != outlen)
		rc = bad_call(-EIO, "HMAC gave %zu bytes, not %zu", got, outlen);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

static int prf_v(uint16_t prf, const uint8_t *key, size_t klen,
		 const struct part *v, size_t n, uint8_t *out)
{
	const char *md = prf_md(prf);

	if (md == NULL)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	return hmac_v(md, key, klen, v, n, out, sgw_ike_prf_len(prf));
}

int sgw_ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
		const uint8_t *data, size_t dlen, uint8_t *out)
{
	struct part v = { data, dlen };

	return prf_v(prf, key, klen, &v, 1, out);
}

/* prf+ (RFC 7296 2.13) over a seed given in parts. The keyed HMAC state is
 * set up once and copied for each block. */
static int prf_plus_v(uint16_t prf, const uint8_t *key, size_t klen,
		      const struct part *seed, size_t n, uint8_t *out,
		      size_t outlen)
{
	const char *md = prf_md(prf);
	size_t hlen = sgw_ike_prf_len(prf);
	uint8_t t[SGW_IKE_PRF_MAX];
	EVP_MAC_CTX *keyed, *ctx;
	size_t done = 0, got;
	int rc = 0;

	if (md == NULL)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	/* The counter is one octet: 255 blocks at most. */
	if (outlen > 255 * hlen)
		return bad_call(-EINVAL, "%zu bytes is more than 255 blocks",
				outlen);
	keyed = hmac_new(md, key, klen);
	if (keyed == NULL)
		return -EIO;
	for (unsigned i = 1; done < outlen; i++) {
		uint8_t cnt = (uint8_t)i;
		size_t take = outlen - done < hlen ? outlen - done : hlen;

		ctx = EVP_MAC_CTX_dup(keyed);
		if (ctx == NULL) {
			rc = ossl_fail("EVP_MAC_CTX_dup");
			break;
		}
		/* Tn = prf(K, Tn-1 | S | n); T0 is empty. */
		if (i > 1 && EVP_MAC_update(ctx, t, hlen) != 1)
			rc = ossl_fail("EVP_MAC_update");
		if (rc == 0)
			rc = hmac_update(ctx, seed, n);
		if (rc == 0 && EVP_MAC_update(ctx, &cnt, 1) != 1)
			rc = ossl_fail("EVP_MAC_update");
		if (rc == 0 && (EVP_MAC_final(ctx, t, &got, sizeof(t)) != 1 ||
				got != hlen))
			rc = ossl_fail("EVP_MAC_final");
		EVP_MAC_CTX_free(ctx);
		if (rc != 0)
			break;
		memcpy(out + done, t, take);
		done += take;
	}
	EVP_MAC_CTX_free(keyed);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

int sgw_ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		     const uint8_t *seed, size_t slen, uint8_t *out,
		     size_t outlen)
{
	struct part v = { seed, slen };

	return prf_plus_v(prf, key, klen, &v, 1, out, outlen);
}

/* --- Diffie-Hellman ------------------------------------------------------ */

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

static const struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	const char *name;      /* OpenSSL group or algorithm name */
	int nid;               /* ECP curve */
	size_t ke_len;         /* KE payload data */
	size_t secret_len;     /* g^ir */
} dh_groups[] = {
	/* RFC 3526: g^x and g^xy are as long as the prime (RFC 7296 3.4). */
	{ SGW_IKE_DH_MODP_2048, DH_MODP, "modp_2048", 0, 256, 256 },
	{ SGW_IKE_DH_MODP_3072, DH_MODP, "modp_3072", 0, 384, 384 },
	/* RFC 5903 7: KE is x | y; the shared secret is x alone. */
	{ SGW_IKE_DH_ECP_256, DH_ECP, "P-256", NID_X9_62_prime256v1, 64, 32 },
	{ SGW_IKE_DH_ECP_384, DH_ECP, "P-384", NID_secp384r1, 96, 48 },
	/* RFC 8031 2: the 32-byte u-coordinate both ways. */
	{ SGW_IKE_DH_CURVE25519, DH_X25519, "X25519", 0, 32, 32 },
};

struct sgw_ike_dh {
	const struct dh_group *g;
	EVP_PKEY *key;
};

static const struct dh_group *dh_group(uint16_t id)
{
	for (size_t i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

int sgw_ike_dh_supported(uint16_t group)
{
	return dh_group(group) != NULL;
}

size_t sgw_ike_dh_len(uint16_t group)
{
	const struct dh_group *g = dh_group(group);

	return g ? g->ke_len : 0;
}

static int dh_wrap(const struct dh_group *g, EVP_PKEY *key,
		   struct sgw_ike_dh **out)
{
	struct sgw_ike_dh *dh = calloc(1, sizeof(*dh));

	if (dh == NULL) {
		EVP_PKEY_free(key);
		return bad_call(-ENOMEM, "out of memory");
	}
	dh->g = g;
	dh->key = key;
	*out = dh;
	return 0;
}

/* A key of a named group from parameters; sel is EVP_PKEY_PUBLIC_KEY,
 * EVP_PKEY_KEYPAIR or EVP_PKEY_KEY_PARAMETERS. NULL on failure, with the
 * OpenSSL error left for the caller to judge (a peer's point off the curve
 * fails here). */
static EVP_PKEY *key_fromdata(const char *alg, int sel, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *key = NULL;

	if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &key, sel, params) != 1)
			key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static EVP_PKEY *modp_keygen(const struct dh_group *g)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM params[2];
	EVP_PKEY *key = NULL;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)g->name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

int sgw_ike_dh_new(uint16_t group, struct sgw_ike_dh **out)
{
	const struct dh_group *g = dh_group(group);
	EVP_PKEY *key;

	*out = NULL;
	if (g == NULL)
		return bad_call(-ENOTSUP, "DH group %u", group);
	switch (g->kind) {
	case DH_MODP:
		key = modp_keygen(g);
		break;
	case DH_ECP:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
		break;
	default:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		break;
	}
	if (key == NULL)
		return ossl_fail("key generation");
	return dh_wrap(g, key, out);
}

/* MODP from a given exponent: g^x mod p with the group's own p and g. */
static EVP_PKEY *modp_from_private(const struct dh_group *g, BIGNUM *x)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *gen = NULL, *y = BN_new();
	BN_CTX *bn = BN_CTX_new();
	OSSL_PARAM gp[2], *params = NULL;
	EVP_PKEY *grp, *key = NULL;

	gp[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						 (char *)g->name, 0);
	gp[1] = OSSL_PARAM_construct_end();
	grp = key_fromdata("DH", EVP_PKEY_KEY_PARAMETERS, gp);
	if (grp == NULL || bld == NULL || y == NULL || bn == NULL ||
	    EVP_PKEY_get_bn_param(grp, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    EVP_PKEY_get_bn_param(grp, OSSL_PKEY_PARAM_FFC_G, &gen) != 1 ||
	    BN_mod_exp(y, gen, x, p, bn) != 1 ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->name, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	key = key_fromdata("DH", EVP_PKEY_KEYPAIR, params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_free(grp);
	BN_free(p);
	BN_free(gen);
	BN_free(y);
	BN_CTX_free(bn);
	return key;
}

/* ECP from a given scalar: the public point is d*G. */
static EVP_PKEY *ecp_from_private(const struct dh_group *g, BIGNUM *d)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EC_POINT *q = grp ? EC_POINT_new(grp) : NULL;
	uint8_t pub[1 + 2 * 48];
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;
	size_t plen;

	if (q == NULL || bld == NULL ||
	    EC_POINT_mul(grp, q, d, NULL, NULL, NULL) != 1)
		goto out;
	plen = EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pub,
				  sizeof(pub), NULL);
	if (plen != 1 + g->ke_len ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->name, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     plen) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	key = key_fromdata("EC", EVP_PKEY_KEYPAIR, params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	return key;
}

int sgw_ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len,
			   struct sgw_ike_dh **out)
{
	const struct dh_group *g = dh_group(group);
	EVP_PKEY *key;
	BIGNUM *x;

	*out = NULL;
	if (g == NULL)
		return bad_call(-ENOTSUP, "DH group %u", group);
	if (len == 0 || len > g->ke_len)
		return bad_call(-EINVAL, "%zu-byte private key", len);
	if (g->kind == DH_X25519) {
		if (len != 32)
			return bad_call(-EINVAL, "%zu-byte X25519 key", len);
		key = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
						      priv, len);
	} else {
		x = BN_secure_new();
		if (x == NULL || BN_bin2bn(priv, (int)len, x) == NULL) {
			BN_clear_free(x);
			return ossl_fail("BN_bin2bn");
		}
		key = g->kind == DH_MODP ? modp_from_private(g, x)
					 : ecp_from_private(g, x);
		BN_clear_free(x);
	}
	if (key == NULL)
		return ossl_fail("private key import");
	return dh_wrap(g, key, out);
}

void sgw_ike_dh_free(struct sgw_ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}

int sgw_ike_dh_public(const struct sgw_ike_dh *dh, uint8_t *out, size_t cap,
		      size_t *len)
{
	const struct dh_group *g = dh->g;
	uint8_t pt[1 + 2 * 48];
	BIGNUM *y = NULL;
	size_t n = 0;

	if (cap < g->ke_len)
		return bad_call(-ENOSPC, "%zu bytes for a %zu-byte value", cap,
				g->ke_len);
	switch (g->kind) {
	case DH_MODP:
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
					  &y) != 1)
			return ossl_fail("EVP_PKEY_get_bn_param(pub)");
		/* Leading zero bytes are part of the value (RFC 7296 3.4). */
		n = BN_bn2binpad(y, out, (int)g->ke_len) < 0 ? 0 : g->ke_len;
		BN_free(y);
		break;
	case DH_ECP:
		/* Uncompressed point 0x04 | x | y, each padded to the field
		 * size; IKEv2 drops the 0x04 (RFC 5903 7). */
		if (EVP_PKEY_get_octet_string_param(dh->key,
				OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
				&n) != 1)
			return ossl_fail("EVP_PKEY_get_octet_string_param(pub)");
		if (n != 1 + g->ke_len || pt[0] != POINT_CONVERSION_UNCOMPRESSED)
			return bad_call(-EIO, "public point in a %zu-byte form",
					n);
		memcpy(out, pt + 1, g->ke_len);
		n = g->ke_len;
		break;
	default:
		n = cap;
		if (EVP_PKEY_get_raw_public_key(dh->key, out, &n) != 1)
			return ossl_fail("EVP_PKEY_get_raw_public_key");
		break;
	}
	if (n != g->ke_len)
		return bad_call(-EIO, "public value of %zu bytes", n);
	*len = n;
	return 0;
}

/* The peer's MODP value as a key, after 1 < y < p-1 (RFC 7296 does not say
 * it, but 1 and p-1 would make g^ir 1 or +-1: a peer could fix the secret). */
static int modp_peer(const struct dh_group *g, EVP_PKEY *ours,
		     const uint8_t *peer, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *y = BN_bin2bn(peer, (int)g->ke_len, NULL);
	OSSL_PARAM *params = NULL;
	int rc = -EIO;

	if (bld == NULL || y == NULL ||
	    EVP_PKEY_get_bn_param(ours, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    BN_sub_word(p, 1) != 1) {
		rc = ossl_fail("MODP parameters");
		goto out;
	}
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, p) >= 0) {
		rc = bad_input(-EINVAL, "MODP %u peer value out of range",
			       g->id);
		goto out;
	}
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->name, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		rc = ossl_fail("OSSL_PARAM_BLD");
		goto out;
	}
	*out = key_fromdata("DH", EVP_PKEY_PUBLIC_KEY, params);
	rc = *out ? 0 : ossl_fail("peer key import");
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(y);
	return rc;
}

static int ecp_peer(const struct dh_group *g, const uint8_t *peer,
		    EVP_PKEY **out)
{
	uint8_t pt[1 + 2 * 48];
	OSSL_PARAM params[3];

	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pt + 1, peer, g->ke_len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)g->name, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      pt, 1 + g->ke_len);
	params[2] = OSSL_PARAM_construct_end();
	/* The import decodes the point and refuses one off the curve; the
	 * derive step then runs the full public key check as well. */
	*out = key_fromdata("EC", EVP_PKEY_PUBLIC_KEY, params);
	if (*out == NULL)
		return bad_input(-EINVAL, "ECP %u peer point not on the curve",
				 g->id);
	return 0;
}

int sgw_ike_dh_derive(const struct sgw_ike_dh *dh, const uint8_t *peer,
		      size_t plen, uint8_t *secret, size_t cap, size_t *slen)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = 0;
	int rc;

	/* RFC 7296 3.4: the KE data has the group's exact length; a peer
	 * that sends fewer or more bytes gets nothing computed. */
	if (plen != g->ke_len)
		return bad_input(-EINVAL, "group %u KE data of %zu bytes, not %zu",
				 g->id, plen, g->ke_len);
	if (cap < g->secret_len)
		return bad_call(-ENOSPC, "%zu bytes for a %zu-byte secret", cap,
				g->secret_len);
	switch (g->kind) {
	case DH_MODP:
		rc = modp_peer(g, dh->key, peer, &pk);
		break;
	case DH_ECP:
		rc = ecp_peer(g, peer, &pk);
		break;
	default:
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer,
						    plen);
		rc = pk ? 0 : ossl_fail("X25519 peer key import");
		break;
	}
	if (rc != 0)
		return rc;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
	    (g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)) {
		rc = ossl_fail("EVP_PKEY_derive_init");
		goto out;
	}
	/* validate = 1: the full public key check. MODP: 1 < y < p-1 and
	 * y^q = 1, which every honest g^x passes (g = 2 is a quadratic
	 * residue of these safe primes). ECP: on the curve, not the point at
	 * infinity, of the group's order. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, 1) != 1) {
		rc = fail(-EINVAL, LOG_INFO, true, __func__,
			  "group %u peer value rejected", g->id);
		goto out;
	}
	n = cap;
	if (EVP_PKEY_derive(ctx, secret, &n) != 1) {
		/* OpenSSL's X25519 refuses an all-zero result itself. */
		rc = g->kind == DH_X25519
		     ? fail(-EINVAL, LOG_INFO, true, __func__,
			    "X25519 peer value gives no secret")
		     : ossl_fail("EVP_PKEY_derive");
		goto out;
	}
	if (n != g->secret_len) {
		rc = bad_call(-EIO, "secret of %zu bytes, not %zu", n,
			      g->secret_len);
		goto out;
	}
	if (g->kind == DH_X25519) {
		/* RFC 8031 2.1: a low-order point gives all zeros; checked
		 * here too in case the library ever stops refusing it. */
		uint8_t acc = 0;

		for (size_t i = 0; i < n; i++)
			acc |= secret[i];
		if (acc == 0) {
			rc = bad_input(-EINVAL, "X25519 shared secret is zero");
			goto out;
		}
	}
	*slen = n;
	rc = 0;
out:
	if (rc != 0 && n)
		OPENSSL_cleanse(secret, n < cap ? n : cap);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

/* --- keys ---------------------------------------------------------------- */

static size_t integ_key_len(uint16_t integ)
{
	/* RFC 4868 2.1.1: the key is as long as the hash output. */
	switch (integ) {
	case SGW_IKE_AUTH_HMAC_SHA2_256_128: return 32;
	case SGW_IKE_AUTH_HMAC_SHA2_384_192: return 48;
	case SGW_IKE_AUTH_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

static size_t integ_icv_len(uint16_t integ)
{
	/* RFC 4868 2.3: the output truncated to half. */
	return integ_key_len(integ) / 2;
}

static const char *integ_md(uint16_t integ)
{
	switch (integ) {
	case SGW_IKE_AUTH_HMAC_SHA2_256_128: return "SHA256";
	case SGW_IKE_AUTH_HMAC_SHA2_384_192: return "SHA384";
	case SGW_IKE_AUTH_HMAC_SHA2_512_256: return "SHA512";
	default: return NULL;
	}
}

#define GCM_SALT_LEN 4             /* RFC 5282 7.1 */
#define GCM_IV_LEN 8               /* RFC 5282 3.1 */
#define GCM_ICV_LEN 16             /* ENCR_AES_GCM_16 */
#define CBC_BLOCK 16               /* RFC 3602 */

int sgw_ike_suite_check(const struct sgw_ike_suite *s)
{
	if (sgw_ike_prf_len(s->prf) == 0)
		return bad_call(-ENOTSUP, "PRF %u", s->prf);
	if (s->encr != SGW_IKE_ENCR_AES_GCM_16 && s->encr != SGW_IKE_ENCR_AES_CBC)
		return bad_call(-ENOTSUP, "encryption %u", s->encr);
	if (s->key_bits != 128 && s->key_bits != 256)
		return bad_call(-ENOTSUP, "key length %u", s->key_bits);
	if (s->encr == SGW_IKE_ENCR_AES_GCM_16 && s->integ != SGW_IKE_AUTH_NONE)
		return bad_call(-EINVAL, "AES-GCM with integrity %u", s->integ);
	if (s->encr == SGW_IKE_ENCR_AES_CBC && integ_key_len(s->integ) == 0)
		return bad_call(-ENOTSUP, "integrity %u", s->integ);
	return 0;
}

static size_t encr_key_len(const struct sgw_ike_suite *s)
{
	return s->key_bits / 8u +
	       (s->encr == SGW_IKE_ENCR_AES_GCM_16 ? GCM_SALT_LEN : 0);
}

void sgw_ike_keys_clear(struct sgw_ike_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* RFC 7296 2.10: nonces of 16 to 256 bytes, and at least half the PRF's
 * key size (HMAC-SHA2: its output size, RFC 4868 2.1.2). */
static int check_nonces(const char *func, uint16_t prf, size_t nilen,
			size_t nrlen)
{
	size_t min = sgw_ike_prf_len(prf) / 2;

	if (min < SGW_IKE_NONCE_MIN)
		min = SGW_IKE_NONCE_MIN;
	if (nilen < min || nilen > SGW_IKE_NONCE_MAX ||
	    nrlen < min || nrlen > SGW_IKE_NONCE_MAX)
		return fail(-EINVAL, LOG_INFO, false, func,
			    "nonces of %zu and %zu bytes", nilen, nrlen);
	return 0;
}

static int check_secret(const char *func, size_t glen)
{
	if (glen == 0 || glen > SGW_IKE_DH_MAX)
		return fail(-EINVAL, LOG_ERR, false, func,
			    "g^ir of %zu bytes", glen);
	return 0;
}

int sgw_ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen,
		     const uint8_t *nr, size_t nrlen, const uint8_t *g_ir,
		     size_t glen, uint8_t *out)
{
	uint8_t key[2 * SGW_IKE_NONCE_MAX];
	struct part v = { g_ir, glen };
	int rc;

	if (sgw_ike_prf_len(prf) == 0)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	rc = check_nonces(__func__, prf, nilen, nrlen);
	if (rc == 0)
		rc = check_secret(__func__, glen);
	if (rc != 0)
		return rc;
	/* The HMAC key is Ni | Nr whole; only fixed-key-size PRFs (not
	 * offered here) take half of each (RFC 7296 2.14). */
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	rc = prf_v(prf, key, nilen + nrlen, &v, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int sgw_ike_skeyseed_rekey(uint16_t old_prf, const struct sgw_ike_key *old_sk_d,
			   const uint8_t *g_ir, size_t glen,
			   const uint8_t *ni, size_t nilen,
			   const uint8_t *nr, size_t nrlen, uint8_t *out)
{
	struct part v[3] = { { g_ir, glen }, { ni, nilen }, { nr, nrlen } };
	int rc;

	if (sgw_ike_prf_len(old_prf) == 0)
		return bad_call(-ENOTSUP, "PRF %u", old_prf);
	if (old_sk_d->len != sgw_ike_prf_len(old_prf))
		return bad_call(-EINVAL, "SK_d of %u bytes", old_sk_d->len);
	rc = check_nonces(__func__, old_prf, nilen, nrlen);
	if (rc == 0)
		rc = check_secret(__func__, glen);
	if (rc != 0)
		return rc;
	return prf_v(old_prf, old_sk_d->b, old_sk_d->len, v, 3, out);
}

static uint8_t *take(struct sgw_ike_key *k, uint8_t *from, size_t n)
{
	k->len = (uint8_t)n;
	memcpy(k->b, from, n);
	return from + n;
}

int sgw_ike_derive_keys(const struct sgw_ike_suite *s, const uint8_t *skeyseed,
			const uint8_t *ni, size_t nilen,
			const uint8_t *nr, size_t nrlen,
			const uint8_t spi_i[SGW_IKE_SPI_LEN],
			const uint8_t spi_r[SGW_IKE_SPI_LEN],
			struct sgw_ike_keys *out)
{
	struct part seed[4] = {
		{ ni, nilen }, { nr, nrlen },
		{ spi_i, SGW_IKE_SPI_LEN }, { spi_r, SGW_IKE_SPI_LEN },
	};
	uint8_t km[3 * SGW_IKE_KEY_MAX + 2 * SGW_IKE_KEY_MAX +
		   2 * (32 + GCM_SALT_LEN)];
	size_t pl, il, el;
	uint8_t *p = km;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sgw_ike_suite_check(s);
	if (rc == 0)
		rc = check_nonces(__func__, s->prf, nilen, nrlen);
	if (rc != 0)
		return rc;
	pl = sgw_ike_prf_len(s->prf);
	il = integ_key_len(s->integ);
	el = encr_key_len(s);
	rc = prf_plus_v(s->prf, skeyseed, pl, seed, 4, km,
			3 * pl + 2 * il + 2 * el);
	if (rc != 0)
		return rc;
	/* RFC 7296 2.14: in this order. */
	p = take(&out->d, p, pl);
	p = take(&out->ai, p, il);
	p = take(&out->ar, p, il);
	p = take(&out->ei, p, el);
	p = take(&out->er, p, el);
	p = take(&out->pi, p, pl);
	take(&out->pr, p, pl);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

int sgw_ike_child_keymat(uint16_t prf, const struct sgw_ike_key *sk_d,
			 const uint8_t *g_ir, size_t glen,
			 const uint8_t *ni, size_t nilen,
			 const uint8_t *nr, size_t nrlen,
			 uint8_t *out, size_t len)
{
	struct part seed[3] = { { g_ir, glen }, { ni, nilen }, { nr, nrlen } };
	int rc;

	if (sgw_ike_prf_len(prf) == 0)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	if (sk_d->len != sgw_ike_prf_len(prf))
		return bad_call(-EINVAL, "SK_d of %u bytes", sk_d->len);
	rc = check_nonces(__func__, prf, nilen, nrlen);
	if (rc == 0 && g_ir != NULL)
		rc = check_secret(__func__, glen);
	if (rc != 0)
		return rc;
	/* Without a KE in the exchange the seed is Ni | Nr alone. */
	if (g_ir == NULL)
		return prf_plus_v(prf, sk_d->b, sk_d->len, seed + 1, 2, out,
				  len);
	return prf_plus_v(prf, sk_d->b, sk_d->len, seed, 3, out, len);
}

/* --- Encrypted payload --------------------------------------------------- */

/* The IKE header (RFC 7296 3.1) and a generic payload header (3.2): the
 * least any AAD can be. */
#define SK_AAD_MIN (28 + 4)

struct sgw_ike_sk {
	bool gcm;
	EVP_CIPHER *cipher;
	uint8_t key[32];
	size_t key_len;
	uint8_t salt[GCM_SALT_LEN];
	const char *md;            /* AES-CBC: the HMAC's hash */
	uint8_t ikey[SGW_IKE_KEY_MAX];
	size_t ikey_len;
	size_t icv_len;
	size_t iv_len;
	bool used;                 /* last_seq is meaningful */
	uint64_t last_seq;         /* highest iv_seq taken by encrypt */
};

int sgw_ike_sk_new(const struct sgw_ike_suite *s, const struct sgw_ike_key *encr,
		   const struct sgw_ike_key *integ, struct sgw_ike_sk **out)
{
	struct sgw_ike_sk *sk;
	const char *name;
	int rc;

	*out = NULL;
	rc = sgw_ike_suite_check(s);
	if (rc != 0)
		return rc;
	if (encr->len != encr_key_len(s))
		return bad_call(-EINVAL, "encryption key of %u bytes", encr->len);
	if (s->encr == SGW_IKE_ENCR_AES_CBC &&
	    (integ == NULL || integ->len != integ_key_len(s->integ)))
		return bad_call(-EINVAL, "integrity key missing or wrong size");
	sk = calloc(1, sizeof(*sk));
	if (sk == NULL)
		return bad_call(-ENOMEM, "out of memory");
	sk->gcm = s->encr == SGW_IKE_ENCR_AES_GCM_16;
	sk->key_len = s->key_bits / 8u;
	memcpy(sk->key, encr->b, sk->key_len);
	if (sk->gcm) {
		memcpy(sk->salt, encr->b + sk->key_len, GCM_SALT_LEN);
		sk->icv_len = GCM_ICV_LEN;
		sk->iv_len = GCM_IV_LEN;
		name = s->key_bits == 128 ? "AES-128-GCM" : "AES-256-GCM";
	} else {
		sk->md = integ_md(s->integ);
		sk->ikey_len = integ->len;
		memcpy(sk->ikey, integ->b, integ->len);
		sk->icv_len = integ_icv_len(s->integ);
		sk->iv_len = CBC_BLOCK;
		name = s->key_bits == 128 ? "AES-128-CBC" : "AES-256-CBC";
	}
	sk->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (sk->cipher == NULL) {
		sgw_ike_sk_free(sk);
		return ossl_fail("EVP_CIPHER_fetch");
	}
	*out = sk;
	return 0;
}

void sgw_ike_sk_free(struct sgw_ike_sk *sk)
{
	if (sk == NULL)
		return;
	EVP_CIPHER_free(sk->cipher);
	OPENSSL_cleanse(sk, sizeof(*sk));
	free(sk);
}

/* Padding so that payloads | padding | Pad Length fill whole blocks. GCM
 * is a stream mode (block size 1, RFC 5282 3): no padding, the Pad Length
 * octet alone. */
static size_t pad_len(const struct sgw_ike_sk *sk, size_t plen)
{
	if (sk->gcm)
		return 0;
	return (CBC_BLOCK - (plen + 1) % CBC_BLOCK) % CBC_BLOCK;
}

size_t sgw_ike_sk_overhead(const struct sgw_ike_sk *sk, size_t plen)
{
	return sk->iv_len + pad_len(sk, plen) + 1 + sk->icv_len;
}

/* ICV of AES-CBC + HMAC: HMAC over the message from the IKE header to the
 * end of the ciphertext, truncated (RFC 7296 3.14, RFC 4868 2.3). */
static int cbc_icv(const struct sgw_ike_sk *sk, const uint8_t *aad,
		   size_t aadlen, const uint8_t *body, size_t blen,
		   uint8_t *icv)
{
	struct part v[2] = { { aad, aadlen }, { body, blen } };
	uint8_t full[SGW_IKE_PRF_MAX];
	int rc;

	rc = hmac_v(sk->md, sk->ikey, sk->ikey_len, v, 2, full,
		    2 * sk->icv_len);
	memcpy(icv, full, sk->icv_len);
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

/* Runs the cipher over len bytes in place. For GCM, the AAD goes in first
 * and the tag is set (decrypt) or fetched (encrypt) around it; returns 1 on
 * success, 0 when a GCM tag does not match, -1 when OpenSSL fails. */
static int run_cipher(const struct sgw_ike_sk *sk, int enc, const uint8_t *iv,
		      const uint8_t *aad, size_t aadlen, const uint8_t *in,
		      uint8_t *out, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[GCM_SALT_LEN + GCM_IV_LEN];
	int n, ok = -1;

	if (ctx == NULL || len > INT_MAX || aadlen > INT_MAX)
		goto out;
	if (sk->gcm) {
		/* RFC 5282 3.1 (RFC 4106 4): nonce = salt | explicit IV. */
		memcpy(nonce, sk->salt, GCM_SALT_LEN);
		memcpy(nonce + GCM_SALT_LEN, iv, GCM_IV_LEN);
		iv = nonce;
	}
	if (EVP_CipherInit_ex2(ctx, sk->cipher, sk->key, iv, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (sk->gcm && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 || (size_t)n != len)
		goto out;
	if (sk->gcm && !enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, GCM_ICV_LEN,
				tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1) {
		ok = sk->gcm && !enc ? 0 : -1;
		goto out;
	}
	if (sk->gcm && enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, GCM_ICV_LEN,
				tag) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

int sgw_ike_sk_encrypt(struct sgw_ike_sk *sk, uint64_t iv_seq,
		       const uint8_t *aad, size_t aadlen,
		       const uint8_t *plain, size_t plen,
		       uint8_t *out, size_t cap, size_t *olen)
{
	size_t pad = pad_len(sk, plen), ctlen, total;
	uint8_t *iv = out, *ct = out + sk->iv_len;

	if (aadlen < SK_AAD_MIN)
		return bad_call(-EINVAL, "AAD of %zu bytes", aadlen);
	if (plen > 0xffff)   /* far beyond any IKE message (RFC 7296 3.1) */
		return bad_call(-EINVAL, "%zu bytes of payloads", plen);
	/* A repeated GCM IV under one key gives away the key stream and the
	 * authentication key: refuse rather than trust every caller. */
	if (sk->used && iv_seq <= sk->last_seq)
		return bad_call(-EINVAL, "IV counter %llu not above %llu",
				(unsigned long long)iv_seq,
				(unsigned long long)sk->last_seq);
	ctlen = plen + pad + 1;
	total = sgw_ike_sk_overhead(sk, plen) + plen;
	if (cap < total)
		return bad_call(-ENOSPC, "%zu bytes for %zu", cap, total);
	sk->used = true;
	sk->last_seq = iv_seq;
	memmove(ct, plain, plen);
	/* Any padding value is allowed (3.14); zeros give nothing away. */
	memset(ct + plen, 0, pad);
	ct[plen + pad] = (uint8_t)pad;
	if (sk->gcm) {
		for (int i = 0; i < GCM_IV_LEN; i++)
			iv[i] = (uint8_t)(iv_seq >> (56 - 8 * i));
	} else if (RAND_bytes(iv, CBC_BLOCK) != 1) {
		OPENSSL_cleanse(out, total);
		return ossl_fail("RAND_bytes");
	}
	if (run_cipher(sk, 1, iv, aad, aadlen, ct, ct, ctlen, ct + ctlen) != 1) {
		OPENSSL_cleanse(out, total);
		return ossl_fail("encryption");
	}
	if (!sk->gcm && cbc_icv(sk, aad, aadlen, out, sk->iv_len + ctlen,
				ct + ctlen) != 0) {
		OPENSSL_cleanse(out, total);
		return -EIO;
	}
	*olen = total;
	return 0;
}

int sgw_ike_sk_decrypt(const struct sgw_ike_sk *sk,
		       const uint8_t *aad, size_t aadlen,
		       const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t cap, size_t *olen)
{
	uint8_t icv[GCM_ICV_LEN > SGW_IKE_KEY_MAX / 2 ? GCM_ICV_LEN
						       : SGW_IKE_KEY_MAX / 2];
	size_t ctlen, pad;
	const uint8_t *ct;
	int ok;

	if (aadlen < SK_AAD_MIN)
		return bad_call(-EINVAL, "AAD of %zu bytes", aadlen);
	/* Peer controls inlen: room for the IV, the ICV and at least the Pad
	 * Length octet (for CBC, one whole block) before anything is read. */
	if (inlen < sk->iv_len + sk->icv_len + (sk->gcm ? 1 : CBC_BLOCK))
		return bad_input(-EBADMSG, "Encrypted payload of %zu bytes",
				 inlen);
	ctlen = inlen - sk->iv_len - sk->icv_len;
	if (!sk->gcm && ctlen % CBC_BLOCK != 0)
		return bad_input(-EBADMSG, "ciphertext of %zu bytes is not "
				 "whole blocks", ctlen);
	if (cap < ctlen)
		return bad_call(-ENOSPC, "%zu bytes for %zu", cap, ctlen);
	ct = in + sk->iv_len;
	if (!sk->gcm) {
		/* Encrypt-then-MAC: nothing is decrypted before the ICV
		 * matches, compared in constant time. */
		if (cbc_icv(sk, aad, aadlen, in, sk->iv_len + ctlen, icv) != 0)
			return -EIO;
		if (CRYPTO_memcmp(icv, ct + ctlen, sk->icv_len) != 0)
			return bad_input(-EBADMSG, "ICV mismatch");
	} else {
		memcpy(icv, ct + ctlen, GCM_ICV_LEN);
	}
	ok = run_cipher(sk, 0, in, aad, aadlen, ct, out, ctlen, icv);
	if (ok != 1) {
		OPENSSL_cleanse(out, ctlen);
		if (ok == 0)
			return bad_input(-EBADMSG, "ICV mismatch");
		return ossl_fail("decryption");
	}
	/* Authenticated, so a bad Pad Length is the peer's bug, not an
	 * oracle; still, never read or cut past the plaintext. */
	pad = out[ctlen - 1];
	if (pad > ctlen - 1) {
		OPENSSL_cleanse(out, ctlen);
		return bad_input(-EBADMSG, "Pad Length %zu in %zu bytes", pad,
				 ctlen);
	}
	*olen = ctlen - 1 - pad;
	return 0;
}

/* --- AUTH ---------------------------------------------------------------- */

int sgw_ike_signed_octets(const uint8_t *first_message, size_t mlen,
			  const uint8_t *peer_nonce, size_t nlen,
			  uint16_t prf, const struct sgw_ike_key *sk_p,
			  const uint8_t *id, size_t idlen,
			  uint8_t *out, size_t cap, size_t *olen)
{
	size_t pl = sgw_ike_prf_len(prf);

	if (pl == 0)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	if (sk_p->len != pl)
		return bad_call(-EINVAL, "SK_p of %u bytes", sk_p->len);
	/* An ID payload body is at least the ID Type and 3 reserved bytes. */
	if (mlen == 0 || nlen == 0 || idlen < 4)
		return bad_call(-EINVAL, "message %zu, nonce %zu, ID %zu bytes",
				mlen, nlen, idlen);
	if (mlen > cap || nlen > cap - mlen || pl > cap - mlen - nlen)
		return bad_call(-ENOSPC, "%zu bytes for %zu", cap,
				mlen + nlen + pl);
	memcpy(out, first_message, mlen);
	memcpy(out + mlen, peer_nonce, nlen);
	*olen = mlen + nlen + pl;
	return sgw_ike_prf(prf, sk_p->b, sk_p->len, id, idlen, out + mlen + nlen);
}

int sgw_ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psklen,
		     const uint8_t *octets, size_t len, uint8_t *out)
{
	/* RFC 7296 2.15: the 17 ASCII bytes, no terminating NUL. */
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t inner[SGW_IKE_PRF_MAX];
	int rc;

	if (sgw_ike_prf_len(prf) == 0)
		return bad_call(-ENOTSUP, "PRF %u", prf);
	if (psklen == 0)
		return bad_call(-EINVAL, "empty shared secret");
	rc = sgw_ike_prf(prf, psk, psklen, (const uint8_t *)pad,
			 sizeof(pad) - 1, inner);
	if (rc == 0)
		rc = sgw_ike_prf(prf, inner, sgw_ike_prf_len(prf), octets, len,
				 out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

/* RFC 7427 appendix A: the DER AlgorithmIdentifiers. Hash parameters are
 * NULL as in PKCS #1; ECDSA has none (RFC 5758 3.2). */
static const uint8_t der_rsa_sha256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0b, 0x05, 0x00,
};
static const uint8_t der_rsa_sha384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0c, 0x05, 0x00,
};
static const uint8_t der_rsa_sha512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0d, 0x05, 0x00,
};
/* RSASSA-PSS: hashAlgorithm SHA-256, maskGenAlgorithm MGF1 with SHA-256,
 * saltLength 32, trailerField omitted as DER requires for its DEFAULT (what
 * strongSwan sends unless rsa_pss_trailerfield is set). */
static const uint8_t der_rsa_pss_sha256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
};
/* The same with trailerField 1 written out, as in RFC 7427 A.4.3 and from
 * strongSwan with rsa_pss_trailerfield = yes: accepted, never sent. */
static const uint8_t der_rsa_pss_sha256_tf[] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0a, 0x30, 0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
static const uint8_t der_ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};
static const uint8_t der_ecdsa_sha384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
};

static const struct sig_scheme {
	enum sgw_ike_sig_alg alg;
	const char *md;
	bool pss;
	int curve;                 /* 0: RSA; else the ECDSA key's curve */
	const uint8_t *der;
	size_t der_len;
} sig_schemes[] = {
	/* The first entry of each alg is what sign writes. */
#define S(a, md, pss, curve, der) { a, md, pss, curve, der, sizeof(der) }
	S(SGW_IKE_SIG_RSA_SHA256, "SHA256", false, 0, der_rsa_sha256),
	S(SGW_IKE_SIG_RSA_SHA384, "SHA384", false, 0, der_rsa_sha384),
	S(SGW_IKE_SIG_RSA_SHA512, "SHA512", false, 0, der_rsa_sha512),
	S(SGW_IKE_SIG_RSA_PSS_SHA256, "SHA256", true, 0, der_rsa_pss_sha256),
	S(SGW_IKE_SIG_RSA_PSS_SHA256, "SHA256", true, 0, der_rsa_pss_sha256_tf),
	S(SGW_IKE_SIG_ECDSA_P256_SHA256, "SHA256", false, NID_X9_62_prime256v1,
	  der_ecdsa_sha256),
	S(SGW_IKE_SIG_ECDSA_P384_SHA384, "SHA384", false, NID_secp384r1,
	  der_ecdsa_sha384),
#undef S
};

#define PSS_SALT_LEN 32            /* the hash's length, as strongSwan uses */
#define RSA_MIN_BITS 2048          /* RFC 8247 4.1: smaller is not safe */

/* Does key fit scheme s? An RSA scheme needs an RSA key of at least
 * RSA_MIN_BITS; ECDSA the named curve the scheme pairs with its hash. */
static bool key_fits(EVP_PKEY *key, const struct sig_scheme *s)
{
	char name[64];
	size_t n;

	if (s->curve == 0)
		return EVP_PKEY_is_a(key, "RSA") &&
		       EVP_PKEY_get_bits(key) >= RSA_MIN_BITS;
	if (!EVP_PKEY_is_a(key, "EC") ||
	    EVP_PKEY_get_group_name(key, name, sizeof(name), &n) != 1)
		return false;
	return OBJ_txt2nid(name) == s->curve ||
	       EC_curve_nist2nid(name) == s->curve;
}

/* The digest sign/verify context for s, with RSA padding set. */
static EVP_MD_CTX *sig_ctx(EVP_PKEY *key, const struct sig_scheme *s,
			   bool sign)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (md == NULL)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(md, &pctx, s->md, NULL, NULL, key,
					  NULL)
		  : EVP_DigestVerifyInit_ex(md, &pctx, s->md, NULL, NULL, key,
					    NULL);
	if (ok == 1 && s->curve == 0)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, s->pss ?
				RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
	/* Parameters from our table, never from the peer's encoding. */
	if (ok == 1 && s->pss)
		ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, s->md, NULL) == 1;
	if (ok != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

int sgw_ike_sig_sign(EVP_PKEY *key, enum sgw_ike_sig_alg alg,
		     const uint8_t *octets, size_t len,
		     uint8_t *out, size_t cap, size_t *olen)
{
	const struct sig_scheme *s = NULL;
	EVP_MD_CTX *md;
	size_t siglen = 0;
	int rc = 0;

	for (size_t i = 0; i < sizeof(sig_schemes) / sizeof(sig_schemes[0]); i++)
		if (sig_schemes[i].alg == alg) {
			s = &sig_schemes[i];
			break;
		}
	if (s == NULL)
		return bad_call(-ENOTSUP, "signature scheme %d", (int)alg);
	if (!key_fits(key, s))
		return bad_call(-EKEYREJECTED, "key does not fit scheme %d",
				(int)alg);
	md = sig_ctx(key, s, true);
	if (md == NULL)
		return ossl_fail("EVP_DigestSignInit_ex");
	if (EVP_DigestSign(md, NULL, &siglen, octets, len) != 1) {
		rc = ossl_fail("EVP_DigestSign");
		goto out;
	}
	if (cap < 1 + s->der_len || siglen > cap - 1 - s->der_len) {
		rc = bad_call(-ENOSPC, "%zu bytes for %zu", cap,
			      1 + s->der_len + siglen);
		goto out;
	}
	/* RFC 7427 3: ASN.1 Length | AlgorithmIdentifier | Signature. */
	out[0] = (uint8_t)s->der_len;
	memcpy(out + 1, s->der, s->der_len);
	if (EVP_DigestSign(md, out + 1 + s->der_len, &siglen, octets, len) != 1) {
		rc = ossl_fail("EVP_DigestSign");
		goto out;
	}
	*olen = 1 + s->der_len + siglen;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int sgw_ike_sig_verify(EVP_PKEY *pub, const uint8_t *auth, size_t alen,
		       const uint8_t *octets, size_t len,
		       enum sgw_ike_sig_alg *alg)
{
	const struct sig_scheme *s = NULL;
	const uint8_t *sig;
	size_t idlen, siglen;
	EVP_MD_CTX *md;
	int ok;

	/* Peer data: the length byte, then that many bytes of identifier,
	 * then a signature of at least one byte. */
	if (alen < 1 || (idlen = auth[0]) > alen - 1 || alen - 1 - idlen == 0)
		return bad_input(-EBADMSG, "AUTH data of %zu bytes", alen);
	/* Only byte-exact matches of our table: parsing the peer's
	 * parameters would let it pick a weak hash, salt or MGF. */
	for (size_t i = 0; i < sizeof(sig_schemes) / sizeof(sig_schemes[0]); i++)
		if (sig_schemes[i].der_len == idlen &&
		    memcmp(sig_schemes[i].der, auth + 1, idlen) == 0) {
			s = &sig_schemes[i];
			break;
		}
	if (s == NULL)
		return bad_input(-ENOTSUP, "unknown AlgorithmIdentifier of %zu "
				 "bytes", idlen);
	if (!key_fits(pub, s))
		return bad_input(-EKEYREJECTED, "scheme %d does not fit the "
				 "peer's key", (int)s->alg);
	sig = auth + 1 + idlen;
	siglen = alen - 1 - idlen;
	md = sig_ctx(pub, s, false);
	if (md == NULL)
		return ossl_fail("EVP_DigestVerifyInit_ex");
	ok = EVP_DigestVerify(md, sig, siglen, octets, len);
	EVP_MD_CTX_free(md);
	/* 0 is a wrong signature, < 0 one that does not even parse (a bad
	 * ECDSA DER, a wrong RSA length): both the peer's. */
	if (ok != 1)
		return fail(-EBADMSG, LOG_INFO, true, __func__,
			    "signature (scheme %d) does not verify", (int)s->alg);
	if (alg != NULL)
		*alg = s->alg;
	return 0;
}
