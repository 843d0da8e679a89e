/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 cryptography on the control core: the PRF and prf+ (RFC 7296 2.13),
 * Diffie-Hellman (2.14; RFC 3526, RFC 5903, RFC 8031), SKEYSEED and the SK_*
 * keys (2.14, 2.18), Child SA KEYMAT (2.17), the Encrypted payload (3.14;
 * RFC 5282 for AES-GCM), AUTH with a shared secret (2.15) and digital
 * signatures (RFC 7427). OpenSSL 3 does the arithmetic; this module does the
 * IKE framing around it and checks every length a peer controls.
 *
 * Every function returns 0 or a negative errno and logs the failure once
 * through the hook set with sgw_ike_crypto_set_log():
 *   -EINVAL      a length or value is out of range (a peer's KE data, a
 *                nonce, a caller's buffer arrangement)
 *   -ENOTSUP     a transform, group or algorithm this module does not do
 *   -ENOSPC      the output buffer is too small
 *   -EBADMSG     integrity or signature check failed, or authenticated data
 *                is malformed
 *   -EKEYREJECTED  a signature's algorithm does not fit the key
 *   -ENOMEM, -EIO  allocation or OpenSSL failed (internal, not the peer)
 * Secrets that pass through internal buffers are wiped before returning.
 *
 * Concurrency: no shared state except the log hook, which is set once
 * before use; everything else may be called from any thread.
 */
#ifndef SGW_IKE_CRYPTO_H
#define SGW_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* IANA IKEv2 Transform Type 1, Encryption Algorithm Transform IDs. */
enum {
	SGW_IKE_ENCR_AES_CBC = 12,         /* RFC 3602; Key Length 128/256 */
	SGW_IKE_ENCR_AES_GCM_16 = 20,      /* RFC 4106, RFC 5282; 16-byte ICV */
};

/* IANA IKEv2 Transform Type 2, Pseudorandom Function Transform IDs. */
enum {
	SGW_IKE_PRF_HMAC_SHA2_256 = 5,     /* RFC 4868 */
	SGW_IKE_PRF_HMAC_SHA2_384 = 6,     /* RFC 4868 */
	SGW_IKE_PRF_HMAC_SHA2_512 = 7,     /* RFC 4868 */
};

/* IANA IKEv2 Transform Type 3, Integrity Algorithm Transform IDs. */
enum {
	SGW_IKE_AUTH_NONE = 0,             /* RFC 7296; with AES-GCM only */
	SGW_IKE_AUTH_HMAC_SHA2_256_128 = 12, /* RFC 4868 */
	SGW_IKE_AUTH_HMAC_SHA2_384_192 = 13, /* RFC 4868 */
	SGW_IKE_AUTH_HMAC_SHA2_512_256 = 14, /* RFC 4868 */
};

/* IANA IKEv2 Transform Type 4, Key Exchange Method Transform IDs. */
enum {
	SGW_IKE_DH_MODP_2048 = 14,         /* RFC 3526 section 3 */
	SGW_IKE_DH_MODP_3072 = 15,         /* RFC 3526 section 4 */
	SGW_IKE_DH_ECP_256 = 19,           /* RFC 5903 */
	SGW_IKE_DH_ECP_384 = 20,           /* RFC 5903 */
	SGW_IKE_DH_CURVE25519 = 31,        /* RFC 8031 */
};

/* IANA IKEv2 Hash Algorithms, for SIGNATURE_HASH_ALGORITHMS (RFC 7427 4). */
enum {
	SGW_IKE_HASH_SHA2_256 = 2,
	SGW_IKE_HASH_SHA2_384 = 3,
	SGW_IKE_HASH_SHA2_512 = 4,
};

/* The signature schemes of AUTH method 14, Digital Signature (RFC 7427 3),
 * each with one fixed AlgorithmIdentifier encoding. */
enum sgw_ike_sig_alg {
	SGW_IKE_SIG_RSA_SHA256 = 1,        /* RSASSA-PKCS1-v1_5 */
	SGW_IKE_SIG_RSA_SHA384,
	SGW_IKE_SIG_RSA_SHA512,
	SGW_IKE_SIG_RSA_PSS_SHA256,        /* MGF1-SHA-256, 32-byte salt */
	SGW_IKE_SIG_ECDSA_P256_SHA256,
	SGW_IKE_SIG_ECDSA_P384_SHA384,
};

#define SGW_IKE_PRF_MAX 64         /* longest PRF output: HMAC-SHA2-512 */
#define SGW_IKE_KEY_MAX 64         /* longest SK_*: SHA2-512 PRF and integrity */
#define SGW_IKE_DH_MAX 384         /* longest KE data / g^ir: MODP-3072 */
#define SGW_IKE_NONCE_MIN 16       /* RFC 7296 3.9 */
#define SGW_IKE_NONCE_MAX 256      /* RFC 7296 3.9 */
#define SGW_IKE_SPI_LEN 8          /* IKE SA SPI, RFC 7296 3.1 */

/* Where failures are reported; level is a syslog priority (LOG_ERR for
 * internal failures, LOG_INFO for bad peer input). Unset, the module is
 * silent. Set once, before any other call. */
typedef void (*sgw_ike_crypto_log_fn)(void *arg, int level, const char *msg);
void sgw_ike_crypto_set_log(sgw_ike_crypto_log_fn fn, void *arg);

/* Nonces, SPIs, IVs: len bytes from OpenSSL's CSPRNG. */
int sgw_ike_random(void *buf, size_t len);

/* --- PRF (RFC 7296 2.13) ------------------------------------------------ */

/* Output length of prf in bytes, 0 if prf is not supported. */
size_t sgw_ike_prf_len(uint16_t prf);
/* out (sgw_ike_prf_len bytes) = prf(key, data). */
int sgw_ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
		const uint8_t *data, size_t dlen, uint8_t *out);
/* out = the first outlen bytes of prf+(key, seed) = T1 | T2 | ... with
 * Tn = prf(key, Tn-1 | seed | n); -EINVAL past 255 blocks. */
int sgw_ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		     const uint8_t *seed, size_t slen, uint8_t *out,
		     size_t outlen);

/* --- Diffie-Hellman (RFC 7296 2.14, 3.4) --------------------------------- */

struct sgw_ike_dh;

int sgw_ike_dh_supported(uint16_t group);        /* 1 or 0 */
/* Length of the KE payload's data for group, 0 if unsupported. g^ir is as
 * long except for ECP, where it is the x coordinate alone (half). */
size_t sgw_ike_dh_len(uint16_t group);
/* A new private key for group. */
int sgw_ike_dh_new(uint16_t group, struct sgw_ike_dh **out);
/* A given private key, for known-answer tests only: MODP and ECP take the
 * big-endian exponent or scalar, Curve25519 the 32-byte RFC 7748 scalar. */
int sgw_ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len,
			   struct sgw_ike_dh **out);
void sgw_ike_dh_free(struct sgw_ike_dh *dh);
/* Our KE data (sgw_ike_dh_len bytes): MODP g^x zero-padded to the prime's
 * length; ECP x | y, each padded to the field size, no 0x04 (RFC 5903 7);
 * Curve25519 the u-coordinate (RFC 8031 2). */
int sgw_ike_dh_public(const struct sgw_ike_dh *dh, uint8_t *out, size_t cap,
		      size_t *len);
/* g^ir from the peer's KE data, zero-padded to its full length (at most
 * SGW_IKE_DH_MAX). The peer's value must be exactly sgw_ike_dh_len bytes
 * and a proper group element: MODP 1 < y < p-1 and in the prime-order
 * subgroup, ECP a point on the curve and not infinity; Curve25519 refuses
 * an all-zero result (RFC 8031 2.1). All of these are -EINVAL. */
int sgw_ike_dh_derive(const struct sgw_ike_dh *dh, const uint8_t *peer,
		      size_t plen, uint8_t *secret, size_t cap, size_t *slen);

/* --- Keys (RFC 7296 2.14, 2.17, 2.18) ----------------------------------- */

/* A negotiated IKE SA suite. key_bits is the Key Length attribute (128 or
 * 256); integ is SGW_IKE_AUTH_NONE with AES-GCM and required with AES-CBC. */
struct sgw_ike_suite {
	uint16_t encr;
	uint16_t key_bits;
	uint16_t integ;
	uint16_t prf;
};
/* 0 if the suite is one this module can run, else -ENOTSUP/-EINVAL. */
int sgw_ike_suite_check(const struct sgw_ike_suite *s);

struct sgw_ike_key {
	uint8_t len;
	uint8_t b[SGW_IKE_KEY_MAX];
};
/* The seven IKE SA keys. For AES-GCM, ei/er are the key followed by the
 * 4-byte salt (RFC 5282 7.1) and ai/ar are empty. */
struct sgw_ike_keys {
	struct sgw_ike_key d, ai, ar, ei, er, pi, pr;
};
/* Wipes every key (OPENSSL_cleanse); call when the IKE SA goes. */
void sgw_ike_keys_clear(struct sgw_ike_keys *k);

/* SKEYSEED = prf(Ni | Nr, g^ir), sgw_ike_prf_len(prf) bytes. */
int sgw_ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen,
		     const uint8_t *nr, size_t nrlen, const uint8_t *g_ir,
		     size_t glen, uint8_t *out);
/* IKE SA rekey (2.18): SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr), with
 * the old IKE SA's prf and the CREATE_CHILD_SA exchange's nonces. */
int sgw_ike_skeyseed_rekey(uint16_t old_prf, const struct sgw_ike_key *old_sk_d,
			   const uint8_t *g_ir, size_t glen,
			   const uint8_t *ni, size_t nilen,
			   const uint8_t *nr, size_t nrlen, uint8_t *out);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), lengths from s. SPIs are the
 * 8 bytes as they stand in the IKE header. */
int sgw_ike_derive_keys(const struct sgw_ike_suite *s, const uint8_t *skeyseed,
			const uint8_t *ni, size_t nilen,
			const uint8_t *nr, size_t nrlen,
			const uint8_t spi_i[SGW_IKE_SPI_LEN],
			const uint8_t spi_r[SGW_IKE_SPI_LEN],
			struct sgw_ike_keys *out);
/* Child SA KEYMAT (2.17) = prf+(SK_d, [g^ir(new) |] Ni | Nr); g_ir is NULL
 * without a KE in the exchange. The caller slices it: initiator-to-responder
 * encryption key (with salt for GCM), its integrity key, then the same for
 * the other direction. */
int sgw_ike_child_keymat(uint16_t prf, const struct sgw_ike_key *sk_d,
			 const uint8_t *g_ir, size_t glen,
			 const uint8_t *ni, size_t nilen,
			 const uint8_t *nr, size_t nrlen,
			 uint8_t *out, size_t len);

/* --- Encrypted payload (RFC 7296 3.14, RFC 5282) ------------------------- */

/* One direction's SK payload protection: SK_ei/SK_ai for what the original
 * initiator sends, SK_er/SK_ar for what the responder sends. */
struct sgw_ike_sk;

/* integ is NULL for AES-GCM. The keys are copied. */
int sgw_ike_sk_new(const struct sgw_ike_suite *s, const struct sgw_ike_key *encr,
		   const struct sgw_ike_key *integ, struct sgw_ike_sk **out);
void sgw_ike_sk_free(struct sgw_ike_sk *sk);
/* What encrypt adds to plen bytes of payloads: IV, padding, Pad Length and
 * ICV. The caller needs it to write the lengths in the IKE header and the
 * Encrypted payload header before encrypting, as both are authenticated. */
size_t sgw_ike_sk_overhead(const struct sgw_ike_sk *sk, size_t plen);
/*
 * Encrypts plen bytes of inner payloads into out = IV | ciphertext | ICV
 * (*olen = plen + sgw_ike_sk_overhead). aad is the message from the IKE
 * header to the end of the Encrypted payload's generic header (at least 32
 * bytes), lengths already final. AES-GCM's explicit IV is iv_seq, big-endian:
 * it must never repeat under a key, so the caller passes its count of
 * messages sent under this key (not the Message ID: requests and responses
 * a side sends share SK_e and their Message IDs overlap) and sk refuses a
 * value not above the last one it used (-EINVAL). AES-CBC draws a random IV
 * and checks iv_seq the same way. plain may overlap out.
 */
int sgw_ike_sk_encrypt(struct sgw_ike_sk *sk, uint64_t iv_seq,
		       const uint8_t *aad, size_t aadlen,
		       const uint8_t *plain, size_t plen,
		       uint8_t *out, size_t cap, size_t *olen);
/*
 * Checks and decrypts in = IV | ciphertext | ICV (the Encrypted payload's
 * body) into out, which must not overlap in and must hold the ciphertext
 * (inlen minus IV and ICV). *olen is the length of the inner payloads,
 * padding removed. -EBADMSG for any failed check; nothing is decrypted
 * before the ICV has been verified (AES-CBC), and out is wiped when the
 * tag does not match (AES-GCM).
 */
int sgw_ike_sk_decrypt(const struct sgw_ike_sk *sk,
		       const uint8_t *aad, size_t aadlen,
		       const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t cap, size_t *olen);

/* --- AUTH (RFC 7296 2.15, RFC 7427) -------------------------------------- */

/* <SignedOctets> = RealMessage | NonceOfPeer | prf(SK_px, IDx'), where
 * first_message is this side's first message as sent (IKE_SA_INIT), id the
 * ID payload's body from the ID Type on (no generic header), and sk_p this
 * side's SK_pi or SK_pr. */
int sgw_ike_signed_octets(const uint8_t *first_message, size_t mlen,
			  const uint8_t *peer_nonce, size_t nlen,
			  uint16_t prf, const struct sgw_ike_key *sk_p,
			  const uint8_t *id, size_t idlen,
			  uint8_t *out, size_t cap, size_t *olen);
/* Shared Key Message Integrity Code: out (sgw_ike_prf_len bytes) =
 * prf(prf(psk, "Key Pad for IKEv2"), octets). */
int sgw_ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psklen,
		     const uint8_t *octets, size_t len, uint8_t *out);
/* AUTH data for method 14 (RFC 7427 3): a length byte, the DER
 * AlgorithmIdentifier of alg, the signature of octets with key. alg must
 * fit key (RSA key for RSA schemes, the named curve for ECDSA). */
int sgw_ike_sig_sign(EVP_PKEY *key, enum sgw_ike_sig_alg alg,
		     const uint8_t *octets, size_t len,
		     uint8_t *out, size_t cap, size_t *olen);
/* Verifies AUTH data of method 14 against octets with the peer's public
 * key. The AlgorithmIdentifier must be one of this module's fixed
 * encodings (-ENOTSUP otherwise) and fit the key (-EKEYREJECTED); a bad
 * signature or malformed data is -EBADMSG. *alg (may be NULL) tells which
 * scheme it was. */
int sgw_ike_sig_verify(EVP_PKEY *pub, const uint8_t *auth, size_t alen,
		       const uint8_t *octets, size_t len,
		       enum sgw_ike_sig_alg *alg);

#endif
