/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * X.509 for IKE authentication (RFC 7296 2.15, 3.6, 3.7; RFC 7427): our
 * certificate chain and key, the trust anchors a peer's chain must lead
 * to, CERTREQ hashes, and the check that a peer's certificate carries the
 * identity it claims. OpenSSL does the path validation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike_int.h"

static int load_pem_certs(const char *path, STACK_OF(X509) *out)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	int n = 0;

	if (!f)
		return -errno;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			break;
		}
		n++;
	}
	ERR_clear_error();
	fclose(f);
	return n ? 0 : -EINVAL;
}

/* CERTREQ's content for one anchor: SHA-1 of its SubjectPublicKeyInfo (3.7). */
static void spki_hash(X509 *x, uint8_t out[20])
{
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);

	memset(out, 0, 20);
	if (len > 0)
		SHA1(der, (size_t)len, out);
	OPENSSL_free(der);
}

int ike_creds_load(const struct sgw_conf_peer *pc, struct ike_creds *cr)
{
	STACK_OF(X509) *ours = NULL;
	int ret = 0;

	memset(cr, 0, sizeof(*cr));
	if (pc->auth == SGW_AUTH_PUBKEY && pc->cert[0]) {
		FILE *f;

		ours = sk_X509_new_null();
		if (!ours)
			return -ENOMEM;
		ret = load_pem_certs(pc->cert, ours);
		if (ret) {
			ike_log(LOG_ERR, NULL, "peer %s: cannot read a certificate from %s",
				pc->name, pc->cert);
			goto out;
		}
		cr->cert = sk_X509_shift(ours);     /* the first is ours, the rest its chain */
		cr->chain = ours;
		ours = NULL;
		f = fopen(pc->key, "r");
		cr->key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (!cr->key || X509_check_private_key(cr->cert, cr->key) != 1) {
			ike_log(LOG_ERR, NULL, "peer %s: %s is not the private key of %s",
				pc->name, pc->key, pc->cert);
			ERR_clear_error();
			ret = -EINVAL;
			goto out;
		}
	}
	if (pc->remote_auth == SGW_AUTH_PUBKEY) {
		cr->cas = X509_STORE_new();
		if (!cr->cas) {
			ret = -ENOMEM;
			goto out;
		}
		for (unsigned i = 0; i < pc->n_cacerts; i++) {
			STACK_OF(X509) *s = sk_X509_new_null();
			X509 *x;

			if (!s || load_pem_certs(pc->cacerts[i], s)) {
				sk_X509_pop_free(s, X509_free);
				ike_log(LOG_ERR, NULL, "peer %s: cannot read a CA certificate from %s",
					pc->name, pc->cacerts[i]);
				ret = -EINVAL;
				goto out;
			}
			while ((x = sk_X509_shift(s))) {
				X509_STORE_add_cert(cr->cas, x);
				if (cr->n_ca < IKE_MAX_CA)
					spki_hash(x, cr->ca_hash[cr->n_ca++]);
				X509_free(x);
			}
			sk_X509_free(s);
		}
	}
out:
	sk_X509_pop_free(ours, X509_free);
	if (ret)
		ike_creds_free(cr);
	return ret;
}

void ike_creds_free(struct ike_creds *cr)
{
	X509_free(cr->cert);
	sk_X509_pop_free(cr->chain, X509_free);
	EVP_PKEY_free(cr->key);
	X509_STORE_free(cr->cas);
	memset(cr, 0, sizeof(*cr));
}

/* Our identity when none is configured: the certificate's subject DN. */
int ike_cert_subject(const struct ike_creds *cr, uint8_t *out, size_t cap, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(cr->cert), &der);

	if (n <= 0 || (size_t)n > cap) {
		OPENSSL_free(der);
		return -EINVAL;
	}
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	return 0;
}

int ike_cert_der(X509 *x, uint8_t **der, size_t *len)
{
	int n = i2d_X509(x, der);

	if (n <= 0)
		return -EINVAL;
	*len = (size_t)n;
	return 0;
}

/* Does the certificate name the identity? DN: the subject (compared as
 * names, not bytes, so string types may differ); others: a subjectAltName
 * of the same kind. */
static bool names(X509 *x, uint8_t type, const uint8_t *id, size_t len)
{
	GENERAL_NAMES *alt;
	bool ok = false;

	if (type == IKEV2_ID_DER_ASN1_DN) {
		const unsigned char *p = id;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);

		ok = n && p == id + len && !X509_NAME_cmp(n, X509_get_subject_name(x));
		X509_NAME_free(n);
		return ok;
	}
	alt = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; alt && !ok && i < sk_GENERAL_NAME_num(alt); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(alt, i);
		const ASN1_STRING *s = NULL;

		if (type == IKEV2_ID_FQDN && g->type == GEN_DNS)
			s = g->d.dNSName;
		else if (type == IKEV2_ID_RFC822_ADDR && g->type == GEN_EMAIL)
			s = g->d.rfc822Name;
		else if ((type == IKEV2_ID_IPV4_ADDR || type == IKEV2_ID_IPV6_ADDR) &&
			 g->type == GEN_IPADD)
			s = g->d.iPAddress;
		if (!s || (size_t)ASN1_STRING_length(s) != len)
			continue;
		if (type == IKEV2_ID_FQDN || type == IKEV2_ID_RFC822_ADDR)
			ok = !strncasecmp((const char *)ASN1_STRING_get0_data(s), (const char *)id, len);
		else
			ok = !memcmp(ASN1_STRING_get0_data(s), id, len);
	}
	GENERAL_NAMES_free(alt);
	return ok;
}

int ike_cert_verify(const struct ike_creds *cr, const uint8_t *const *der,
		    const size_t *len, unsigned n, uint8_t id_type, const uint8_t *id,
		    size_t idlen, EVP_PKEY **pub)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *ee = NULL;
	int ret = -EBADMSG;

	*pub = NULL;
	if (!chain || !ctx || !cr->cas || !n) {
		ret = n ? -ENOMEM : -EACCES;
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = d2i_X509(NULL, &p, (long)len[i]);

		if (!x || p != der[i] + len[i]) {
			X509_free(x);
			ike_log(LOG_INFO, NULL, "a CERT payload is not one DER certificate");
			goto out;
		}
		if (!ee)
			ee = x;             /* the first is the peer's own (3.6) */
		else if (!sk_X509_push(chain, x))
			X509_free(x);
	}
	if (!X509_STORE_CTX_init(ctx, cr->cas, ee, chain) || X509_verify_cert(ctx) != 1) {
		ike_log(LOG_INFO, NULL, "peer certificate not trusted: %s",
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		ret = -EACCES;
		goto out;
	}
	if (!names(ee, id_type, id, idlen)) {
		ike_log(LOG_INFO, NULL, "the peer's certificate does not name its identity");
		ret = -EACCES;
		goto out;
	}
	*pub = X509_get_pubkey(ee);
	ret = *pub ? 0 : -EINVAL;
out:
	ERR_clear_error();
	X509_free(ee);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	return ret;
}

/* The signature scheme for our key: what strongSwan accepts by default. */
enum sgw_ike_sig_alg ike_cert_scheme(const struct ike_creds *cr)
{
	if (EVP_PKEY_is_a(cr->key, "RSA"))
		return SGW_IKE_SIG_RSA_SHA256;
	if (EVP_PKEY_get_bits(cr->key) > 256)
		return SGW_IKE_SIG_ECDSA_P384_SHA384;
	return SGW_IKE_SIG_ECDSA_P256_SHA256;
}
