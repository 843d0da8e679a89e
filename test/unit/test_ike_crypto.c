/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 cryptography (control/ike/ike_crypto.c): the PRF against RFC 4231,
 * prf+ and AUTH against values computed independently in Python, the DH
 * groups against RFC 5903, RFC 7748 and RFC 3526 and against bad peer
 * values, the Encrypted payload against Python-made and OpenSSL-made
 * messages and against tampering and truncation, RFC 7427 signatures
 * against OpenSSL and against signatures strongSwan made, and the whole key
 * schedule, IKE_AUTH decryption and AUTH against two strongSwan charons
 * talking to each other (see "charon cross-check" below).
 *
 * Values marked "Python" were produced at development time by a script
 * (kept outside the tree) using Python 3.11's hmac/hashlib, integer
 * arithmetic, and pyca/cryptography 38.0.4 (Debian 12's python3-
 * cryptography) for AES-GCM, AES-CBC, ECDH and X25519.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike_crypto.h"

/* --- helpers ------------------------------------------------------------- */

/* Every failure is logged exactly once: count the lines. */
static int log_lines;

static void log_sink(void *arg, int level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
	log_lines++;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	assert_int_equal(strlen(s) % 2, 0);
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* A heap copy of exactly len bytes, so that AddressSanitizer sees any read
 * past the end of what a peer sent. */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

/* Test-side walk of a payload chain (RFC 7296 3.2) starting at off with
 * first payload type np: the offset of the first payload of type want and
 * its length, or 0. */
static size_t find_payload(const uint8_t *m, size_t len, size_t off,
			   uint8_t np, uint8_t want, size_t *plen)
{
	*plen = 0;
	while (np != 0) {
		size_t l;

		assert_true(off + 4 <= len);
		l = (size_t)m[off + 2] << 8 | m[off + 3];
		assert_true(l >= 4 && off + l <= len);
		if (np == want) {
			*plen = l;
			return off;
		}
		np = m[off];
		off += l;
	}
	return 0;
}

static struct sgw_ike_key key_of(const uint8_t *b, size_t len)
{
	struct sgw_ike_key k = { .len = (uint8_t)len };

	assert_true(len <= sizeof(k.b));
	memcpy(k.b, b, len);
	return k;
}

/* --- PRF: RFC 4231 ------------------------------------------------------- */

/* RFC 4231 section 4, test cases 1-4, 6 and 7 (5 is truncated output, which
 * no IKE PRF does); key and data as in the RFC, outputs as printed there
 * for HMAC-SHA-256, -384 and -512. */
static const struct {
	int tc;
	const char *key, *data;        /* hex */
	const char *out[3];            /* SHA-256, SHA-384, SHA-512 */
} rfc4231[] = {
	{ 1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", {
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
	{ 2, "4a656665", /* "Jefe" */
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f", {
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
	{ 3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd", {
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27",
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" } },
	{ 4, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", {
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb",
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" } },
	{ 6, NULL, /* 131 bytes of 0xaa */
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374", {
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
	{ 7, NULL, /* 131 bytes of 0xaa */
	  "5468697320697320612074657374207573696e672061206c6172676572207468"
	  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
	  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
	  "647320746f20626520686173686564206265666f7265206265696e6720757365"
	  "642062792074686520484d414320616c676f726974686d2e", {
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e",
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" } },
};

static const uint16_t prfs[3] = {
	SGW_IKE_PRF_HMAC_SHA2_256, SGW_IKE_PRF_HMAC_SHA2_384,
	SGW_IKE_PRF_HMAC_SHA2_512,
};

static void test_prf_rfc4231(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		uint8_t key[131], data[160], want[64], out[64];
		size_t klen, dlen;

		if (rfc4231[i].key) {
			klen = unhex(rfc4231[i].key, key, sizeof(key));
		} else {
			memset(key, 0xaa, sizeof(key));
			klen = sizeof(key);
		}
		dlen = unhex(rfc4231[i].data, data, sizeof(data));
		for (int h = 0; h < 3; h++) {
			size_t n = unhex(rfc4231[i].out[h], want, sizeof(want));

			assert_int_equal(sgw_ike_prf_len(prfs[h]), n);
			memset(out, 0, sizeof(out));
			assert_int_equal(sgw_ike_prf(prfs[h], key, klen, data,
						     dlen, out), 0);
			assert_memory_equal(out, want, n);
		}
	}
}

static void test_prf_edges(void **state)
{
	/* HMAC-SHA-256 with an empty key and empty data, a well-known value
	 * (Python: hmac.new(b"", b"", "sha256")): the empty key must not be
	 * confused with "no key" inside OpenSSL. */
	static const char *empty =
		"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
	uint8_t want[32], out[64];

	(void)state;
	unhex(empty, want, sizeof(want));
	assert_int_equal(sgw_ike_prf(SGW_IKE_PRF_HMAC_SHA2_256, NULL, 0, NULL,
				     0, out), 0);
	assert_memory_equal(out, want, 32);

	/* PRF_HMAC_SHA1 (2) and AES128_XCBC (4) are not offered. */
	assert_int_equal(sgw_ike_prf_len(2), 0);
	assert_int_equal(sgw_ike_prf_len(4), 0);
	log_lines = 0;
	assert_int_equal(sgw_ike_prf(2, want, 32, want, 32, out), -ENOTSUP);
	assert_int_equal(log_lines, 1);
}

/* --- prf+ ---------------------------------------------------------------- */

/* Python: prf+ per RFC 7296 2.13 written out with hmac.new() (Tn =
 * prf(K, Tn-1 | S | n)), K = bytes 0x00..0x1f, S = pp_seed. */
static const char pp_seed[] = "sgw prf+ seed: Ni | Nr | SPIi | SPIr";
static const uint8_t pp_sha256_100[100] = {
	0x32, 0xe0, 0x0b, 0x50, 0xaf, 0xe6, 0x22, 0x80, 0x3c, 0x46, 0xd5, 0xcf,
	0x69, 0x83, 0x66, 0xb0, 0x68, 0x3d, 0xcd, 0xa6, 0x95, 0x7c, 0xbe, 0xa3,
	0xe6, 0x2c, 0x07, 0x3d, 0xef, 0xf0, 0x3a, 0x8a, 0x8d, 0x84, 0x46, 0xe6,
	0xcc, 0xdc, 0x64, 0xd7, 0x06, 0x48, 0x87, 0x74, 0x76, 0x8b, 0xd3, 0x66,
	0xbe, 0x29, 0x9e, 0xc0, 0xd3, 0x6b, 0x20, 0x63, 0x9d, 0x92, 0xf3, 0xda,
	0x65, 0x27, 0x93, 0x5f, 0x21, 0xb3, 0x1f, 0x33, 0x8c, 0xaf, 0x8b, 0x1e,
	0xb9, 0x5b, 0xb8, 0x0b, 0xc6, 0x82, 0x2a, 0x75, 0x6f, 0xbb, 0xa5, 0xa7,
	0x62, 0x22, 0xc6, 0xb7, 0x9f, 0x89, 0xa5, 0xc8, 0xcd, 0x33, 0x10, 0x5e,
	0xe1, 0x7d, 0x2f, 0x3f,
};
static const uint8_t pp_sha384_101[101] = {
	0xc8, 0xc4, 0x68, 0xc4, 0x36, 0x76, 0x16, 0x87, 0x25, 0x6d, 0xb8, 0x3e,
	0x2d, 0x8c, 0x38, 0x6b, 0x13, 0x2b, 0x15, 0xb5, 0x0e, 0x0f, 0x05, 0x13,
	0x09, 0x53, 0x83, 0xa1, 0x15, 0x4a, 0x2a, 0xd7, 0x8c, 0x0a, 0xc5, 0x26,
	0xb3, 0xa3, 0x3a, 0x5c, 0xbb, 0x6c, 0xe7, 0x8c, 0x9f, 0x7d, 0xef, 0x59,
	0x02, 0xda, 0x69, 0x0d, 0xd9, 0x25, 0x22, 0xc5, 0x46, 0xdf, 0xb9, 0x9e,
	0xf8, 0x55, 0x4c, 0xc5, 0xda, 0x43, 0x6a, 0xe6, 0x93, 0x21, 0x43, 0x6c,
	0x81, 0x9a, 0xba, 0x63, 0x40, 0xf2, 0x13, 0xee, 0xe0, 0x0f, 0x9f, 0x98,
	0xf2, 0xea, 0x33, 0x8b, 0x48, 0xf0, 0xff, 0x0c, 0x0a, 0xa0, 0xfb, 0xfa,
	0xaf, 0x9a, 0x01, 0x17, 0xc6,
};
static const uint8_t pp_sha512_1[1] = {
	0x02,
};
/* SHA-256 of the whole 255-block (8160-byte) output with PRF-HMAC-SHA2-256,
 * and its last block T255. */
static const uint8_t pp_sha256_255_digest[32] = {
	0xd6, 0x23, 0x73, 0xb6, 0x7d, 0x63, 0x5f, 0x74, 0x47, 0xf4, 0x2d, 0xb9,
	0x25, 0xa1, 0x62, 0x62, 0x01, 0xb5, 0x65, 0x0c, 0x40, 0x99, 0x2d, 0xe9,
	0x0b, 0x1f, 0x83, 0x50, 0xdc, 0x42, 0x52, 0x36,
};
static const uint8_t pp_sha256_t255[32] = {
	0xb9, 0xa8, 0xa0, 0xe1, 0x0c, 0xb6, 0x43, 0x88, 0xb5, 0x22, 0x76, 0x22,
	0xdd, 0x6b, 0x68, 0xde, 0x56, 0x11, 0x82, 0x58, 0xb0, 0x66, 0x8d, 0x31,
	0x6b, 0xcf, 0x34, 0x00, 0x00, 0xea, 0x1b, 0x40,
};

static void test_prf_plus(void **state)
{
	uint8_t key[32], out[101], dig[32], *big;
	unsigned dlen = 0;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* Four blocks, the last one cut short. */
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_256, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), out, 100), 0);
	assert_memory_equal(out, pp_sha256_100, 100);
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_384, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), out, 101), 0);
	assert_memory_equal(out, pp_sha384_101, 101);
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_512, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), out, 1), 0);
	assert_memory_equal(out, pp_sha512_1, 1);

	/* All 255 blocks: the counter octet runs to 0xff... */
	big = malloc(255 * 32 + 1);
	assert_non_null(big);
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_256, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), big, 255 * 32),
			 0);
	assert_int_equal(EVP_Digest(big, 255 * 32, dig, &dlen, EVP_sha256(),
				    NULL), 1);
	assert_memory_equal(dig, pp_sha256_255_digest, 32);
	assert_memory_equal(big + 254 * 32, pp_sha256_t255, 32);
	/* ...and one byte more would need a 256th: refused, logged once. */
	log_lines = 0;
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_256, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), big,
			 255 * 32 + 1), -EINVAL);
	assert_int_equal(log_lines, 1);
	assert_int_equal(sgw_ike_prf_plus(SGW_IKE_PRF_HMAC_SHA2_512, key, 32,
			 (const uint8_t *)pp_seed, strlen(pp_seed), big,
			 255 * 64 + 1), -EINVAL);
	free(big);
}

/* --- Diffie-Hellman ------------------------------------------------------ */

static const uint16_t groups[] = {
	SGW_IKE_DH_MODP_2048, SGW_IKE_DH_MODP_3072, SGW_IKE_DH_ECP_256,
	SGW_IKE_DH_ECP_384, SGW_IKE_DH_CURVE25519,
};

static void test_dh_agree(void **state)
{
	static const size_t ke[] = { 256, 384, 64, 96, 32 };
	static const size_t sec[] = { 256, 384, 32, 48, 32 };

	(void)state;
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		uint8_t pa[SGW_IKE_DH_MAX], pb[SGW_IKE_DH_MAX];
		uint8_t sa[SGW_IKE_DH_MAX], sb[SGW_IKE_DH_MAX];
		size_t la, lb, na, nb;
		struct sgw_ike_dh *a, *b;

		assert_true(sgw_ike_dh_supported(groups[g]));
		assert_int_equal(sgw_ike_dh_len(groups[g]), ke[g]);
		assert_int_equal(sgw_ike_dh_new(groups[g], &a), 0);
		assert_int_equal(sgw_ike_dh_new(groups[g], &b), 0);
		assert_int_equal(sgw_ike_dh_public(a, pa, sizeof(pa), &la), 0);
		assert_int_equal(sgw_ike_dh_public(b, pb, sizeof(pb), &lb), 0);
		assert_int_equal(la, ke[g]);
		assert_int_equal(lb, ke[g]);
		assert_memory_not_equal(pa, pb, la);
		assert_int_equal(sgw_ike_dh_derive(a, pb, lb, sa, sizeof(sa),
						   &na), 0);
		assert_int_equal(sgw_ike_dh_derive(b, pa, la, sb, sizeof(sb),
						   &nb), 0);
		assert_int_equal(na, sec[g]);
		assert_int_equal(nb, sec[g]);
		assert_memory_equal(sa, sb, na);
		/* Too small a buffer is the caller's error, not a crash. */
		assert_int_equal(sgw_ike_dh_public(a, pa, ke[g] - 1, &la),
				 -ENOSPC);
		assert_int_equal(sgw_ike_dh_derive(a, pb, lb, sa, sec[g] - 1,
						   &na), -ENOSPC);
		sgw_ike_dh_free(a);
		sgw_ike_dh_free(b);
	}
	/* MODP-1024 (2), MODP-1536 (5), ECP-521 (21) are not offered. */
	for (uint16_t g = 0; g < 40; g++) {
		bool ours = false;
		struct sgw_ike_dh *d;

		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			ours |= groups[i] == g;
		assert_int_equal(sgw_ike_dh_supported(g), ours);
		if (!ours) {
			assert_int_equal(sgw_ike_dh_len(g), 0);
			assert_int_equal(sgw_ike_dh_new(g, &d), -ENOTSUP);
			assert_null(d);
		}
	}
	sgw_ike_dh_free(NULL);
}

/* RFC 5903 section 8.1 (256-bit random ECP group) and 8.2 (384-bit):
 * i, g^i = gix | giy, g^r = grx | gry, and g^ir's x coordinate girx. */
static const struct {
	uint16_t group;
	const char *i, *gi, *gr, *gir;
} rfc5903[] = {
	{ SGW_IKE_DH_ECP_256,
	  "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	  "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	  "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	  "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	  "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	  "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE" },
	{ SGW_IKE_DH_ECP_384,
	  "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
	  "E35B538041E649EE3FAEF896783AB194",
	  "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	  "DE3AC808ACB4BDB4C88732AEE95F41AA"
	  "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
	  "EB9FCFF3C2C947DAE69B4C634573A81C",
	  "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
	  "0D1AC43A0336DEF96FDA41D0774A3571"
	  "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
	  "F83FA40142209DFF5EAAD96DB9E6386C",
	  "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
	  "D603135569B9E9D09CF5D4A270F59746" },
	/* RFC 7748 section 6.1 (as RFC 8031 uses it): Alice's scalar and
	 * public key, Bob's public key, the shared secret K. */
	{ SGW_IKE_DH_CURVE25519,
	  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
};

/* RFC 3526: the group 14 and 15 primes, written out by Python from the
 * RFCs' definition p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + c)
 * with pi by Machin's formula, and g^x mod p for x = 0xa0a1...bf (32
 * bytes) by Python's pow(2, x, p). */
static const uint8_t modp2048_p[256] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe4, 0x5b, 0x3d,
	0xc2, 0x00, 0x7c, 0xb8, 0xa1, 0x63, 0xbf, 0x05, 0x98, 0xda, 0x48, 0x36,
	0x1c, 0x55, 0xd3, 0x9a, 0x69, 0x16, 0x3f, 0xa8, 0xfd, 0x24, 0xcf, 0x5f,
	0x83, 0x65, 0x5d, 0x23, 0xdc, 0xa3, 0xad, 0x96, 0x1c, 0x62, 0xf3, 0x56,
	0x20, 0x85, 0x52, 0xbb, 0x9e, 0xd5, 0x29, 0x07, 0x70, 0x96, 0x96, 0x6d,
	0x67, 0x0c, 0x35, 0x4e, 0x4a, 0xbc, 0x98, 0x04, 0xf1, 0x74, 0x6c, 0x08,
	0xca, 0x18, 0x21, 0x7c, 0x32, 0x90, 0x5e, 0x46, 0x2e, 0x36, 0xce, 0x3b,
	0xe3, 0x9e, 0x77, 0x2c, 0x18, 0x0e, 0x86, 0x03, 0x9b, 0x27, 0x83, 0xa2,
	0xec, 0x07, 0xa2, 0x8f, 0xb5, 0xc5, 0x5d, 0xf0, 0x6f, 0x4c, 0x52, 0xc9,
	0xde, 0x2b, 0xcb, 0xf6, 0x95, 0x58, 0x17, 0x18, 0x39, 0x95, 0x49, 0x7c,
	0xea, 0x95, 0x6a, 0xe5, 0x15, 0xd2, 0x26, 0x18, 0x98, 0xfa, 0x05, 0x10,
	0x15, 0x72, 0x8e, 0x5a, 0x8a, 0xac, 0xaa, 0x68, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff,
};
static const uint8_t modp3072_p[384] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe4, 0x5b, 0x3d,
	0xc2, 0x00, 0x7c, 0xb8, 0xa1, 0x63, 0xbf, 0x05, 0x98, 0xda, 0x48, 0x36,
	0x1c, 0x55, 0xd3, 0x9a, 0x69, 0x16, 0x3f, 0xa8, 0xfd, 0x24, 0xcf, 0x5f,
	0x83, 0x65, 0x5d, 0x23, 0xdc, 0xa3, 0xad, 0x96, 0x1c, 0x62, 0xf3, 0x56,
	0x20, 0x85, 0x52, 0xbb, 0x9e, 0xd5, 0x29, 0x07, 0x70, 0x96, 0x96, 0x6d,
	0x67, 0x0c, 0x35, 0x4e, 0x4a, 0xbc, 0x98, 0x04, 0xf1, 0x74, 0x6c, 0x08,
	0xca, 0x18, 0x21, 0x7c, 0x32, 0x90, 0x5e, 0x46, 0x2e, 0x36, 0xce, 0x3b,
	0xe3, 0x9e, 0x77, 0x2c, 0x18, 0x0e, 0x86, 0x03, 0x9b, 0x27, 0x83, 0xa2,
	0xec, 0x07, 0xa2, 0x8f, 0xb5, 0xc5, 0x5d, 0xf0, 0x6f, 0x4c, 0x52, 0xc9,
	0xde, 0x2b, 0xcb, 0xf6, 0x95, 0x58, 0x17, 0x18, 0x39, 0x95, 0x49, 0x7c,
	0xea, 0x95, 0x6a, 0xe5, 0x15, 0xd2, 0x26, 0x18, 0x98, 0xfa, 0x05, 0x10,
	0x15, 0x72, 0x8e, 0x5a, 0x8a, 0xaa, 0xc4, 0x2d, 0xad, 0x33, 0x17, 0x0d,
	0x04, 0x50, 0x7a, 0x33, 0xa8, 0x55, 0x21, 0xab, 0xdf, 0x1c, 0xba, 0x64,
	0xec, 0xfb, 0x85, 0x04, 0x58, 0xdb, 0xef, 0x0a, 0x8a, 0xea, 0x71, 0x57,
	0x5d, 0x06, 0x0c, 0x7d, 0xb3, 0x97, 0x0f, 0x85, 0xa6, 0xe1, 0xe4, 0xc7,
	0xab, 0xf5, 0xae, 0x8c, 0xdb, 0x09, 0x33, 0xd7, 0x1e, 0x8c, 0x94, 0xe0,
	0x4a, 0x25, 0x61, 0x9d, 0xce, 0xe3, 0xd2, 0x26, 0x1a, 0xd2, 0xee, 0x6b,
	0xf1, 0x2f, 0xfa, 0x06, 0xd9, 0x8a, 0x08, 0x64, 0xd8, 0x76, 0x02, 0x73,
	0x3e, 0xc8, 0x6a, 0x64, 0x52, 0x1f, 0x2b, 0x18, 0x17, 0x7b, 0x20, 0x0c,
	0xbb, 0xe1, 0x17, 0x57, 0x7a, 0x61, 0x5d, 0x6c, 0x77, 0x09, 0x88, 0xc0,
	0xba, 0xd9, 0x46, 0xe2, 0x08, 0xe2, 0x4f, 0xa0, 0x74, 0xe5, 0xab, 0x31,
	0x43, 0xdb, 0x5b, 0xfc, 0xe0, 0xfd, 0x10, 0x8e, 0x4b, 0x82, 0xd1, 0x20,
	0xa9, 0x3a, 0xd2, 0xca, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t modp2048_gx[256] = {
	0xf0, 0xfe, 0xe7, 0x62, 0x6b, 0xce, 0xc4, 0xd1, 0xc5, 0xc1, 0xfb, 0x11,
	0xb8, 0x05, 0x8a, 0xf4, 0x06, 0x1c, 0x0e, 0x87, 0x7d, 0x02, 0xca, 0x7a,
	0xed, 0xf4, 0x2e, 0x33, 0x28, 0x0e, 0xb5, 0x8f, 0x43, 0x09, 0xa5, 0x66,
	0xa7, 0x44, 0x56, 0xe0, 0x1d, 0x97, 0xfd, 0xba, 0x45, 0x04, 0x3c, 0xd6,
	0x74, 0x31, 0x52, 0x04, 0xb9, 0xb2, 0x40, 0x9f, 0x26, 0xae, 0xff, 0xd6,
	0x43, 0x01, 0x0e, 0xc5, 0xe1, 0x97, 0xee, 0x67, 0xb2, 0x4f, 0x0f, 0x04,
	0x6d, 0x1d, 0xce, 0x63, 0x07, 0x94, 0x82, 0x2c, 0xfe, 0x93, 0x60, 0xed,
	0x40, 0xc6, 0x97, 0x5d, 0x5a, 0x2b, 0xb5, 0x89, 0x26, 0x86, 0xce, 0xa6,
	0x46, 0x9f, 0xb9, 0xf9, 0x2a, 0x52, 0x21, 0x05, 0x64, 0x41, 0x9d, 0xd6,
	0xbf, 0xd3, 0xe0, 0x23, 0xd3, 0x3a, 0x44, 0x68, 0xe8, 0x1b, 0x97, 0xf3,
	0x09, 0xc7, 0xdf, 0x7b, 0xe7, 0x46, 0xd8, 0x66, 0x00, 0x89, 0x73, 0x8b,
	0x09, 0x88, 0x5d, 0xc1, 0x00, 0x28, 0x59, 0x52, 0x09, 0x61, 0x32, 0xca,
	0x8d, 0x3e, 0x36, 0x95, 0x25, 0xe5, 0x88, 0xdf, 0x9c, 0xfa, 0x4e, 0xe0,
	0x62, 0x80, 0xf7, 0xa9, 0xac, 0xf9, 0x2b, 0xf1, 0x80, 0x18, 0x7a, 0xfa,
	0x6a, 0x99, 0x27, 0xb9, 0xd6, 0x5f, 0x26, 0xad, 0xf2, 0x41, 0x7a, 0x2e,
	0x4c, 0xf3, 0x97, 0x4b, 0xc5, 0x99, 0x2d, 0xbd, 0x49, 0x97, 0x33, 0x7b,
	0xec, 0x66, 0x7f, 0x7b, 0x73, 0xc5, 0xb5, 0x9f, 0xa0, 0x3d, 0x64, 0x55,
	0x07, 0x08, 0x25, 0xc9, 0xf6, 0x9c, 0x3f, 0x04, 0x8e, 0x70, 0x51, 0x48,
	0x5e, 0x2c, 0x7e, 0xdd, 0x1e, 0xf9, 0x72, 0x21, 0x9e, 0xc6, 0xc9, 0x8c,
	0x97, 0x3f, 0x89, 0x59, 0x82, 0xc4, 0xad, 0x77, 0x78, 0x4f, 0x88, 0x07,
	0xae, 0x75, 0x68, 0x0c, 0xee, 0xb8, 0xb1, 0xaa, 0xfc, 0xa6, 0x1a, 0x15,
	0x17, 0xb4, 0x2c, 0xa7,
};
static const uint8_t modp3072_gx[384] = {
	0x72, 0xbc, 0x73, 0x3f, 0x87, 0xb6, 0x20, 0xc1, 0x94, 0xd4, 0xb5, 0x68,
	0x8a, 0x73, 0xe0, 0x8e, 0xf4, 0xa6, 0xd6, 0xb9, 0x24, 0x65, 0x6f, 0xc6,
	0x18, 0x5e, 0xbb, 0xae, 0x04, 0x71, 0x41, 0xae, 0x05, 0x60, 0xbc, 0xd9,
	0x0c, 0x2c, 0x42, 0x92, 0xc0, 0xc0, 0xb4, 0x66, 0x88, 0x31, 0xfd, 0x12,
	0xff, 0x55, 0x96, 0xef, 0xb8, 0x05, 0xba, 0x90, 0x0b, 0x66, 0xd1, 0x1b,
	0x97, 0x51, 0x5b, 0xb9, 0x02, 0x7d, 0x45, 0x37, 0x90, 0x0c, 0xdf, 0xf4,
	0x46, 0x25, 0x6a, 0xb0, 0x29, 0x73, 0x5d, 0x72, 0x00, 0x26, 0x4a, 0xf6,
	0x52, 0x30, 0x46, 0x7f, 0x50, 0xda, 0xb5, 0x2a, 0x99, 0x38, 0xd0, 0x85,
	0xb4, 0x68, 0x45, 0x8d, 0xb4, 0xd2, 0x5a, 0x5c, 0x7f, 0x8c, 0x48, 0x4f,
	0x72, 0xf4, 0x2d, 0x05, 0xa5, 0xa8, 0x4f, 0x51, 0x31, 0xb2, 0x39, 0xaa,
	0xca, 0x55, 0xb5, 0x85, 0x57, 0xbe, 0x7b, 0xc1, 0x71, 0x8f, 0xff, 0xb1,
	0xba, 0xc0, 0xb1, 0x05, 0x60, 0x09, 0x1e, 0x7b, 0xd2, 0x8e, 0xd7, 0x40,
	0x36, 0x9e, 0x0f, 0xc0, 0x25, 0xaf, 0x21, 0x44, 0xbc, 0xc9, 0xba, 0x0d,
	0x9b, 0xde, 0x13, 0x81, 0xf6, 0x39, 0x27, 0x3d, 0x55, 0x4b, 0xb5, 0xd6,
	0xe1, 0x1d, 0x67, 0xbb, 0xaa, 0xf1, 0x42, 0x66, 0x91, 0x46, 0x17, 0x2a,
	0x77, 0x1d, 0x74, 0x76, 0x90, 0x50, 0x0e, 0x33, 0x9c, 0x0e, 0x71, 0xba,
	0xbd, 0xa2, 0xa5, 0x1f, 0x71, 0xad, 0xf1, 0x97, 0x11, 0x8b, 0x2a, 0xc6,
	0x38, 0x1d, 0xde, 0xbf, 0x8a, 0x1d, 0x70, 0xf1, 0x80, 0x49, 0x15, 0x80,
	0x7f, 0x1d, 0x7e, 0x05, 0x32, 0xab, 0xd4, 0x1c, 0x8f, 0xb5, 0xdd, 0xbd,
	0xde, 0xed, 0x7a, 0xd7, 0x0b, 0x00, 0xe0, 0x0f, 0x35, 0x07, 0x5d, 0xf4,
	0x71, 0x84, 0xfe, 0x4e, 0x0a, 0x06, 0xe6, 0xce, 0xb6, 0xd2, 0x4d, 0x1f,
	0x60, 0x1f, 0xc5, 0x4d, 0xed, 0xd1, 0x36, 0x82, 0x90, 0x75, 0x84, 0x1e,
	0x5c, 0x2e, 0xaa, 0xaf, 0xb0, 0x0c, 0xba, 0x12, 0x8c, 0x52, 0xdf, 0xe3,
	0x48, 0x85, 0x14, 0xf9, 0x06, 0x0f, 0x55, 0xd4, 0x5e, 0x42, 0xf2, 0xad,
	0x35, 0x57, 0x1d, 0x00, 0xd0, 0x9b, 0x03, 0xa9, 0xf3, 0x9e, 0x62, 0x16,
	0x8c, 0x33, 0xeb, 0xd3, 0xca, 0xfc, 0xe3, 0xe6, 0xab, 0x18, 0x08, 0xc8,
	0x9c, 0x15, 0x38, 0xce, 0x8b, 0x9f, 0xcb, 0x3e, 0xc3, 0xfc, 0x91, 0x62,
	0x69, 0xd2, 0x6e, 0x6b, 0x72, 0xab, 0xa5, 0xbc, 0x38, 0xa2, 0x89, 0xbe,
	0xf0, 0x05, 0x26, 0x3f, 0xce, 0x8a, 0x80, 0x6b, 0x49, 0xe2, 0x34, 0x6b,
	0x4c, 0x95, 0x71, 0xdc, 0x68, 0xd4, 0x81, 0xcd, 0x67, 0x98, 0x6c, 0x1f,
	0x97, 0x34, 0x09, 0x73, 0x54, 0xe5, 0x90, 0xc5, 0x67, 0x8e, 0x12, 0x62,
	0x62, 0x80, 0x11, 0x71, 0xb6, 0x86, 0x3a, 0xac, 0x2c, 0x8d, 0xcb, 0xb8,
};

/* Python: (2^211)^x mod p for group 14 and the x above, one of the 1 in 256
 * shared secrets that start with a zero byte: it must stay (RFC 7296 2.14:
 * g^ir is as long as the prime). */
static const uint8_t modp2048_lz_secret[256] = {
	0x00, 0xf8, 0x0a, 0xc8, 0x08, 0xb3, 0xab, 0xce, 0x79, 0x6c, 0x31, 0xf7,
	0x89, 0x65, 0x75, 0x4e, 0x0a, 0x39, 0x4b, 0x97, 0x12, 0x17, 0x71, 0xca,
	0x7c, 0x66, 0xbc, 0x18, 0xf6, 0x9a, 0x75, 0x9f, 0x59, 0xc2, 0x36, 0x97,
	0xda, 0xb3, 0xa2, 0x56, 0xf1, 0x2b, 0xa8, 0x07, 0xf3, 0x68, 0x0f, 0x30,
	0x35, 0x60, 0xf0, 0x1b, 0xef, 0x8a, 0x38, 0x58, 0x16, 0x0a, 0x8b, 0xa0,
	0xd4, 0xd8, 0xef, 0x5d, 0x8a, 0x09, 0xc0, 0x37, 0x6d, 0xd2, 0x3e, 0x65,
	0x33, 0x45, 0x60, 0xf7, 0x5a, 0xc6, 0x6b, 0xaf, 0xa3, 0xfb, 0xb8, 0x8c,
	0xdd, 0xf8, 0x48, 0x46, 0x02, 0x05, 0x59, 0x82, 0x06, 0xbe, 0x44, 0x9b,
	0x83, 0x58, 0x2f, 0x7b, 0x46, 0x31, 0x06, 0x67, 0x19, 0xc0, 0xe1, 0x67,
	0x35, 0x0a, 0x50, 0xd9, 0x32, 0x10, 0x89, 0x2d, 0x02, 0x5c, 0x09, 0x5f,
	0x5d, 0x7e, 0xaa, 0x7b, 0x7f, 0xdd, 0xe1, 0x63, 0x27, 0x17, 0x40, 0x4d,
	0x98, 0x5e, 0xf2, 0xda, 0x93, 0x65, 0xfe, 0xa4, 0x89, 0x89, 0x1b, 0x05,
	0x44, 0xcf, 0x6a, 0xc6, 0x6a, 0xaa, 0xe6, 0xbf, 0x79, 0x01, 0x66, 0x81,
	0xb0, 0x91, 0x06, 0x47, 0xff, 0x14, 0xc0, 0x19, 0x7b, 0xae, 0x55, 0x18,
	0xdb, 0xf2, 0x86, 0xeb, 0x5f, 0xf8, 0x17, 0xb7, 0x52, 0x07, 0x53, 0x20,
	0x1c, 0xb2, 0xf0, 0xe6, 0x5e, 0x6d, 0x77, 0x2c, 0x0c, 0xce, 0xb0, 0x5d,
	0xf6, 0x08, 0xb4, 0xdf, 0xa4, 0x37, 0x6a, 0xc7, 0xa0, 0xfb, 0x9b, 0x05,
	0x54, 0x69, 0x6b, 0xc7, 0x23, 0x76, 0x0c, 0x9a, 0xba, 0x5c, 0x7d, 0x2b,
	0x93, 0xd3, 0x45, 0x18, 0x28, 0x1e, 0xfd, 0x27, 0x24, 0x0b, 0x1e, 0x2b,
	0xe3, 0xf4, 0xdc, 0x06, 0x23, 0x43, 0x9f, 0x66, 0x52, 0x74, 0xd0, 0x33,
	0xb0, 0xef, 0x34, 0x16, 0xcb, 0x91, 0xcd, 0x7e, 0xc4, 0xf9, 0x70, 0xca,
	0x9c, 0xba, 0xb3, 0x45,
};

static void test_dh_vectors(void **state)
{
	uint8_t priv[48], want[96], peer[96], out[SGW_IKE_DH_MAX];
	uint8_t y[SGW_IKE_DH_MAX];
	struct sgw_ike_dh *dh;
	size_t n, pl, wl;

	(void)state;
	for (size_t v = 0; v < sizeof(rfc5903) / sizeof(rfc5903[0]); v++) {
		n = unhex(rfc5903[v].i, priv, sizeof(priv));
		assert_int_equal(sgw_ike_dh_new_private(rfc5903[v].group, priv,
							n, &dh), 0);
		/* Our KE data: x | y, no 0x04 (RFC 5903 7). */
		wl = unhex(rfc5903[v].gi, want, sizeof(want));
		assert_int_equal(sgw_ike_dh_public(dh, out, sizeof(out), &n), 0);
		assert_int_equal(n, wl);
		assert_memory_equal(out, want, wl);
		pl = unhex(rfc5903[v].gr, peer, sizeof(peer));
		wl = unhex(rfc5903[v].gir, want, sizeof(want));
		assert_int_equal(sgw_ike_dh_derive(dh, peer, pl, out, sizeof(out),
						   &n), 0);
		assert_int_equal(n, wl);
		assert_memory_equal(out, want, wl);
		sgw_ike_dh_free(dh);
	}

	/* MODP: with our own fixed exponent, the public value is Python's
	 * 2^x mod p for the RFC's p, which pins p and g; and with y = g = 2
	 * as the peer's value, g^xy is that same number. */
	for (int i = 0; i < 32; i++)
		priv[i] = (uint8_t)(0xa0 + i);
	for (int g = 0; g < 2; g++) {
		uint16_t grp = g ? SGW_IKE_DH_MODP_3072 : SGW_IKE_DH_MODP_2048;
		const uint8_t *gx = g ? modp3072_gx : modp2048_gx;
		size_t len = g ? 384 : 256;

		assert_int_equal(sgw_ike_dh_new_private(grp, priv, 32, &dh), 0);
		assert_int_equal(sgw_ike_dh_public(dh, out, sizeof(out), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, gx, len);
		memset(y, 0, len);
		y[len - 1] = 2;
		assert_int_equal(sgw_ike_dh_derive(dh, y, len, out, sizeof(out),
						   &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, gx, len);
		if (g == 0) {
			memset(y, 0, len);
			y[len - 1 - 211 / 8] = 1 << (211 % 8);
			assert_int_equal(sgw_ike_dh_derive(dh, y, len, out,
							   sizeof(out), &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(out, modp2048_lz_secret, len);
		}
		sgw_ike_dh_free(dh);
	}
}

/* y as a big-endian number of len bytes: p - d for d in {0, 1, 2} or a
 * small value v. */
static void modp_value(uint8_t *y, const uint8_t *p, size_t len, int minus,
		       int small)
{
	if (p == NULL) {
		memset(y, 0, len);
		y[len - 1] = (uint8_t)small;
		return;
	}
	memcpy(y, p, len);
	y[len - 1] = (uint8_t)(y[len - 1] - minus); /* p ends in 0xff */
}

static void test_dh_reject(void **state)
{
	/* Low-order X25519 points (RFC 7748 5; the list of Bernstein's
	 * "Curve25519: new Diffie-Hellman speed records" site): u = 0, u = 1
	 * and a point of order 8. Python's pyca/cryptography refuses all
	 * three as giving an all-zero secret. */
	static const char *low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	};
	uint8_t peer[SGW_IKE_DH_MAX + 1], out[SGW_IKE_DH_MAX];
	struct sgw_ike_dh *dh;
	size_t n, len;

	(void)state;
	/* Wrong lengths, one byte either way, for every group: refused
	 * before anything is read past what was given. */
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		uint8_t pub[SGW_IKE_DH_MAX + 1], *c;

		assert_int_equal(sgw_ike_dh_new(groups[g], &dh), 0);
		assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &len), 0);
		pub[len] = 0;
		for (size_t l = len - 1; l <= len + 1; l += 2) {
			c = exact(pub, l);
			log_lines = 0;
			assert_int_equal(sgw_ike_dh_derive(dh, c, l, out,
							   sizeof(out), &n),
					 -EINVAL);
			assert_int_equal(log_lines, 1);
			free(c);
		}
		assert_int_equal(sgw_ike_dh_derive(dh, pub, 0, out, sizeof(out),
						   &n), -EINVAL);
		sgw_ike_dh_free(dh);
	}

	/* MODP: 0, 1, p-1, p and 2^n-1 are out of range; p-2 is in range but
	 * outside the order-q subgroup (-2 is a non-residue mod these safe
	 * primes), which the full public key check catches. */
	for (int g = 0; g < 2; g++) {
		uint16_t grp = g ? SGW_IKE_DH_MODP_3072 : SGW_IKE_DH_MODP_2048;
		const uint8_t *p = g ? modp3072_p : modp2048_p;
		const struct { int minus, small; bool pp; } bad[] = {
			{ 0, 0, false }, { 0, 1, false }, { 1, 0, true },
			{ 0, 0, true }, { 2, 0, true },
		};

		len = g ? 384 : 256;
		assert_int_equal(sgw_ike_dh_new(grp, &dh), 0);
		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			modp_value(peer, bad[b].pp ? p : NULL, len, bad[b].minus,
				   bad[b].small);
			log_lines = 0;
			assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
							   sizeof(out), &n),
					 -EINVAL);
			assert_int_equal(log_lines, 1);
		}
		memset(peer, 0xff, len);
		assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
						   sizeof(out), &n), -EINVAL);
		modp_value(peer, NULL, len, 0, 2);
		assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
						   sizeof(out), &n), 0);
		sgw_ike_dh_free(dh);
	}

	/* ECP: a valid point with y changed is off the curve; (0, 0) is not on
	 * either curve (b != 0) and is how some encode infinity. */
	for (int g = 0; g < 2; g++) {
		uint16_t grp = g ? SGW_IKE_DH_ECP_384 : SGW_IKE_DH_ECP_256;
		struct sgw_ike_dh *other;

		assert_int_equal(sgw_ike_dh_new(grp, &dh), 0);
		assert_int_equal(sgw_ike_dh_new(grp, &other), 0);
		assert_int_equal(sgw_ike_dh_public(other, peer, sizeof(peer),
						   &len), 0);
		peer[len - 1] ^= 1;
		log_lines = 0;
		assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
						   sizeof(out), &n), -EINVAL);
		assert_int_equal(log_lines, 1);
		memset(peer, 0, len);
		assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
						   sizeof(out), &n), -EINVAL);
		/* x = p's worth of 0xff: not a field element. */
		memset(peer, 0xff, len);
		assert_int_equal(sgw_ike_dh_derive(dh, peer, len, out,
						   sizeof(out), &n), -EINVAL);
		sgw_ike_dh_free(other);
		sgw_ike_dh_free(dh);
	}

	/* X25519 (RFC 8031 2.1): an all-zero shared secret is refused. */
	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
	for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		unhex(low[i], peer, sizeof(peer));
		log_lines = 0;
		assert_int_equal(sgw_ike_dh_derive(dh, peer, 32, out, sizeof(out),
						   &n), -EINVAL);
		assert_int_equal(log_lines, 1);
	}
	sgw_ike_dh_free(dh);

	/* Private keys of impossible sizes. */
	assert_int_equal(sgw_ike_dh_new_private(SGW_IKE_DH_CURVE25519, peer, 31,
						&dh), -EINVAL);
	assert_int_equal(sgw_ike_dh_new_private(SGW_IKE_DH_ECP_256, peer, 0,
						&dh), -EINVAL);
}

/* --- key lengths --------------------------------------------------------- */

static void test_derive_keys_lengths(void **state)
{
	static const struct {
		struct sgw_ike_suite s;
		uint8_t d, a, e;
	} t[] = {
		{ { SGW_IKE_ENCR_AES_GCM_16, 128, SGW_IKE_AUTH_NONE,
		    SGW_IKE_PRF_HMAC_SHA2_256 }, 32, 0, 20 },
		{ { SGW_IKE_ENCR_AES_GCM_16, 256, SGW_IKE_AUTH_NONE,
		    SGW_IKE_PRF_HMAC_SHA2_384 }, 48, 0, 36 },
		{ { SGW_IKE_ENCR_AES_CBC, 128, SGW_IKE_AUTH_HMAC_SHA2_256_128,
		    SGW_IKE_PRF_HMAC_SHA2_256 }, 32, 32, 16 },
		{ { SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_384_192,
		    SGW_IKE_PRF_HMAC_SHA2_512 }, 64, 48, 32 },
		{ { SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_512_256,
		    SGW_IKE_PRF_HMAC_SHA2_512 }, 64, 64, 32 },
	};
	static const struct sgw_ike_suite bad[] = {
		{ 3 /* 3DES */, 192, SGW_IKE_AUTH_HMAC_SHA2_256_128,
		  SGW_IKE_PRF_HMAC_SHA2_256 },
		{ SGW_IKE_ENCR_AES_CBC, 192, SGW_IKE_AUTH_HMAC_SHA2_256_128,
		  SGW_IKE_PRF_HMAC_SHA2_256 },
		{ SGW_IKE_ENCR_AES_CBC, 128, SGW_IKE_AUTH_NONE,
		  SGW_IKE_PRF_HMAC_SHA2_256 },
		{ SGW_IKE_ENCR_AES_CBC, 128, 2 /* HMAC-SHA1-96 */,
		  SGW_IKE_PRF_HMAC_SHA2_256 },
		{ SGW_IKE_ENCR_AES_GCM_16, 128, SGW_IKE_AUTH_HMAC_SHA2_256_128,
		  SGW_IKE_PRF_HMAC_SHA2_256 },
		{ SGW_IKE_ENCR_AES_GCM_16, 128, SGW_IKE_AUTH_NONE, 2 },
	};
	uint8_t seed[64] = { 1 }, ni[256], nr[256], spi[8] = { 9 };
	struct sgw_ike_keys k;
	const struct sgw_ike_key *all[7] = { &k.d, &k.ai, &k.ar, &k.ei, &k.er,
					     &k.pi, &k.pr };

	(void)state;
	memset(ni, 0x11, sizeof(ni));
	memset(nr, 0x22, sizeof(nr));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(sgw_ike_suite_check(&t[i].s), 0);
		assert_int_equal(sgw_ike_derive_keys(&t[i].s, seed, ni, 32, nr,
						     32, spi, spi, &k), 0);
		assert_int_equal(k.d.len, t[i].d);
		assert_int_equal(k.pi.len, t[i].d);
		assert_int_equal(k.pr.len, t[i].d);
		assert_int_equal(k.ai.len, t[i].a);
		assert_int_equal(k.ar.len, t[i].a);
		assert_int_equal(k.ei.len, t[i].e);
		assert_int_equal(k.er.len, t[i].e);
		/* Distinct slices of one stream. */
		assert_memory_not_equal(k.pi.b, k.pr.b, k.pi.len);
		assert_memory_not_equal(k.ei.b, k.er.b, k.ei.len);
		sgw_ike_keys_clear(&k);
		for (int j = 0; j < 7; j++) {
			uint8_t zero[SGW_IKE_KEY_MAX] = { 0 };

			assert_int_equal(all[j]->len, 0);
			assert_memory_equal(all[j]->b, zero, sizeof(zero));
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_lines = 0;
		assert_true(sgw_ike_suite_check(&bad[i]) < 0);
		assert_int_equal(log_lines, 1);
		assert_true(sgw_ike_derive_keys(&bad[i], seed, ni, 32, nr, 32,
						spi, spi, &k) < 0);
	}
	/* Nonces (RFC 7296 2.10): 16..256 bytes, and at least half the PRF's
	 * key size, so 32 with HMAC-SHA2-512. */
	assert_int_equal(sgw_ike_derive_keys(&t[0].s, seed, ni, 15, nr, 32, spi,
					     spi, &k), -EINVAL);
	assert_int_equal(sgw_ike_derive_keys(&t[0].s, seed, ni, 16, nr, 257,
					     spi, spi, &k), -EINVAL);
	assert_int_equal(sgw_ike_derive_keys(&t[0].s, seed, ni, 16, nr, 256,
					     spi, spi, &k), 0);
	assert_int_equal(sgw_ike_derive_keys(&t[3].s, seed, ni, 31, nr, 32, spi,
					     spi, &k), -EINVAL);
	assert_int_equal(sgw_ike_skeyseed(SGW_IKE_PRF_HMAC_SHA2_256, ni, 8, nr,
					  32, seed, 32, seed), -EINVAL);
	assert_int_equal(sgw_ike_skeyseed(SGW_IKE_PRF_HMAC_SHA2_256, ni, 32, nr,
					  32, seed, 0, seed), -EINVAL);
	/* SK_d of the wrong length for the PRF. */
	k.d.len = 20;
	assert_int_equal(sgw_ike_child_keymat(SGW_IKE_PRF_HMAC_SHA2_256, &k.d,
					      NULL, 0, ni, 32, nr, 32, seed, 32),
			 -EINVAL);
	sgw_ike_keys_clear(&k);
}

/* --- Encrypted payload --------------------------------------------------- */

static const struct sgw_ike_suite sk_suites[] = {
	{ SGW_IKE_ENCR_AES_GCM_16, 128, SGW_IKE_AUTH_NONE, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_GCM_16, 256, SGW_IKE_AUTH_NONE, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 128, SGW_IKE_AUTH_HMAC_SHA2_256_128, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 128, SGW_IKE_AUTH_HMAC_SHA2_384_192, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 128, SGW_IKE_AUTH_HMAC_SHA2_512_256, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_256_128, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_384_192, SGW_IKE_PRF_HMAC_SHA2_256 },
	{ SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_512_256, SGW_IKE_PRF_HMAC_SHA2_256 },
};

/* Both directions' contexts of a suite from one random key schedule. */
static void sk_pair(const struct sgw_ike_suite *s, struct sgw_ike_sk **i,
		    struct sgw_ike_sk **r)
{
	uint8_t seed[32], ni[32], nr[32], spi[8];
	struct sgw_ike_keys k;
	bool gcm = s->encr == SGW_IKE_ENCR_AES_GCM_16;

	assert_int_equal(sgw_ike_random(seed, sizeof(seed)), 0);
	assert_int_equal(sgw_ike_random(ni, sizeof(ni)), 0);
	assert_int_equal(sgw_ike_random(nr, sizeof(nr)), 0);
	assert_int_equal(sgw_ike_random(spi, sizeof(spi)), 0);
	assert_int_equal(sgw_ike_derive_keys(s, seed, ni, 32, nr, 32, spi, spi,
					     &k), 0);
	assert_int_equal(sgw_ike_sk_new(s, &k.ei, gcm ? NULL : &k.ai, i), 0);
	assert_int_equal(sgw_ike_sk_new(s, &k.er, gcm ? NULL : &k.ar, r), 0);
	sgw_ike_keys_clear(&k);
}

/* A made-up IKE header and Encrypted payload header: only their bytes
 * matter here, as authenticated data. */
static void fake_aad(uint8_t aad[32], size_t total)
{
	static const uint8_t hdr[24] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		46, 0x20, 35, 0x08, 0, 0, 0, 1,
	};

	memcpy(aad, hdr, sizeof(hdr));
	aad[24] = (uint8_t)(total >> 24);
	aad[25] = (uint8_t)(total >> 16);
	aad[26] = (uint8_t)(total >> 8);
	aad[27] = (uint8_t)total;
	aad[28] = 35;          /* IDi first inside */
	aad[29] = 0;
	aad[30] = (uint8_t)((total - 28) >> 8);
	aad[31] = (uint8_t)(total - 28);
}

static void test_sk_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 14, 15, 16, 17, 31, 100, 1000 };

	(void)state;
	for (size_t s = 0; s < sizeof(sk_suites) / sizeof(sk_suites[0]); s++) {
		const struct sgw_ike_suite *su = &sk_suites[s];
		bool gcm = su->encr == SGW_IKE_ENCR_AES_GCM_16;
		size_t ivl = gcm ? 8 : 16;
		size_t icv = gcm ? 16 : (su->integ == SGW_IKE_AUTH_HMAC_SHA2_256_128
					 ? 16 : su->integ == SGW_IKE_AUTH_HMAC_SHA2_384_192
					 ? 24 : 32);
		struct sgw_ike_sk *i, *r;
		uint64_t seq = 0;

		sk_pair(su, &i, &r);
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			size_t plen = sizes[z], ov = sgw_ike_sk_overhead(i, plen);
			size_t olen = 0, dlen = 0;
			uint8_t aad[32], plain[1000], body[1100], dec[1100];

			for (size_t b = 0; b < plen; b++)
				plain[b] = (uint8_t)(b * 7 + s);
			/* IV, ICV, Pad Length, and for CBC whole blocks. */
			if (gcm)
				assert_int_equal(ov, ivl + 1 + icv);
			else
				assert_int_equal((ov - ivl - icv + plen) % 16, 0);
			assert_true(ov - ivl - icv - 1 < (gcm ? 1u : 16u));
			fake_aad(aad, 32 + plen + ov);
			assert_int_equal(sgw_ike_sk_encrypt(i, seq, aad, 32, plain,
							    plen, body, sizeof(body),
							    &olen), 0);
			assert_int_equal(olen, plen + ov);
			if (gcm) {
				uint8_t ivw[8] = { 0, 0, 0, 0, 0, 0, 0,
						   (uint8_t)seq };

				assert_memory_equal(body, ivw, 8);
			}
			assert_int_equal(sgw_ike_sk_decrypt(i, aad, 32, body, olen,
							    dec, sizeof(dec), &dlen),
					 0);
			assert_int_equal(dlen, plen);
			if (plen)
				assert_memory_equal(dec, plain, plen);
			/* The other direction's keys do not open it. */
			assert_int_equal(sgw_ike_sk_decrypt(r, aad, 32, body, olen,
							    dec, sizeof(dec), &dlen),
					 -EBADMSG);

			/* Any flipped bit, in the AAD or the payload: caught. */
			for (size_t b = 0; b < 32 + olen; b += (olen > 200 ? 13 : 1)) {
				uint8_t *p = b < 32 ? &aad[b] : &body[b - 32];

				*p ^= 0x10;
				assert_int_equal(sgw_ike_sk_decrypt(i, aad, 32, body,
								    olen, dec,
								    sizeof(dec),
								    &dlen),
						 -EBADMSG);
				*p ^= 0x10;
			}
			/* Every truncation and one byte more: refused, and
			 * nothing read past the end (ASan watches the exact
			 * heap copies). */
			for (size_t l = 0; l <= olen + 1; l++) {
				uint8_t *c;

				if (l == olen)
					continue;
				c = exact(body, l);
				if (l > olen)
					c[olen] = 0;
				assert_int_equal(sgw_ike_sk_decrypt(i, aad, 32, c, l,
								    dec,
								    sizeof(dec),
								    &dlen),
						 -EBADMSG);
				free(c);
			}
			/* Too little room for the plaintext. */
			assert_int_equal(sgw_ike_sk_decrypt(i, aad, 32, body, olen,
							    dec, olen - ivl - icv - 1,
							    &dlen), -ENOSPC);
			assert_int_equal(sgw_ike_sk_encrypt(i, seq + 1, aad, 32,
							    plain, plen, body,
							    plen + ov - 1, &olen),
					 -ENOSPC);
			seq += 2;
		}
		/* The IV counter never goes back or repeats under a key. */
		{
			uint8_t aad[32], body[100], pl[4] = { 1, 2, 3, 4 };
			size_t olen;

			fake_aad(aad, 100);
			log_lines = 0;
			assert_int_equal(sgw_ike_sk_encrypt(i, seq - 2, aad, 32, pl, 4,
							    body, sizeof(body), &olen),
					 -EINVAL);
			assert_int_equal(log_lines, 1);
			assert_int_equal(sgw_ike_sk_encrypt(i, 0, aad, 32, pl, 4,
							    body, sizeof(body), &olen),
					 -EINVAL);
			assert_int_equal(sgw_ike_sk_encrypt(i, seq, aad, 32, pl, 4,
							    body, sizeof(body), &olen),
					 0);
			assert_int_equal(sgw_ike_sk_encrypt(i, UINT64_MAX, aad, 32,
							    pl, 4, body, sizeof(body),
							    &olen), 0);
			assert_int_equal(sgw_ike_sk_encrypt(i, UINT64_MAX, aad, 32,
							    pl, 4, body, sizeof(body),
							    &olen), -EINVAL);
			/* AAD shorter than an IKE header and a payload
			 * header. */
			assert_int_equal(sgw_ike_sk_encrypt(r, 1, aad, 31, pl, 4,
							    body, sizeof(body), &olen),
					 -EINVAL);
			assert_int_equal(sgw_ike_sk_decrypt(r, aad, 31, body, 40,
							    body, sizeof(body), &olen),
					 -EINVAL);
		}
		sgw_ike_sk_free(i);
		sgw_ike_sk_free(r);
	}
	sgw_ike_sk_free(NULL);
}

/* CBC draws a new IV each time: the same message twice differs. */
static void test_sk_cbc_iv(void **state)
{
	uint8_t aad[32], a[64], b[64], pl[16] = { 0 };
	struct sgw_ike_sk *i, *r;
	size_t la, lb;

	(void)state;
	sk_pair(&sk_suites[2], &i, &r);
	fake_aad(aad, 32 + 64);
	assert_int_equal(sgw_ike_sk_encrypt(i, 1, aad, 32, pl, 15, a, sizeof(a),
					    &la), 0);
	assert_int_equal(sgw_ike_sk_encrypt(i, 2, aad, 32, pl, 15, b, sizeof(b),
					    &lb), 0);
	assert_int_equal(la, 16 + 16 + 16);
	assert_memory_not_equal(a, b, 16);
	sgw_ike_sk_free(i);
	sgw_ike_sk_free(r);
}

/* Python (pyca/cryptography AESGCM): AES-GCM-16 with key 0x40..0x4f, salt
 * deadbeef, explicit IV 5, AAD gcm_aad, plaintext 0x00..0x24 then Pad Length 0:
 * IV | ciphertext | tag. */
static const uint8_t gcm_aad[32] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x2e, 0x20, 0x23, 0x08, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x8a, 0x29, 0x00, 0x00, 0x52,
};
static const uint8_t gcm_body[62] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x2f, 0xc1, 0x9c, 0xfa,
	0x28, 0x1b, 0x79, 0x98, 0x72, 0x30, 0x85, 0x7f, 0x58, 0x23, 0x9c, 0xf9,
	0x11, 0x62, 0x08, 0x91, 0xd4, 0xdf, 0x7e, 0xf5, 0x73, 0x1f, 0x53, 0x80,
	0xc1, 0x76, 0x8b, 0x6f, 0xd3, 0x8a, 0x63, 0x2b, 0x4d, 0x23, 0x58, 0x95,
	0xc3, 0xbc, 0xfa, 0x14, 0x87, 0x31, 0x66, 0x42, 0x23, 0x84, 0x22, 0x36,
	0xfc, 0x9d,
};
/* Python (pyca/cryptography AES-CBC, hmac): AES-CBC-128 with key 0x60..0x6f,
 * HMAC-SHA2-256-128 with key 0x80..0x9f, IV 0xf0..0xff, AAD gcm_aad,
 * plaintext 0x00..0x24, ten padding bytes of 0xa5 and Pad Length 10 (a
 * receiver must take any padding, RFC 7296 3.14). */
static const uint8_t cbc_body[80] = {
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd, 0xfe, 0xff, 0x91, 0xbe, 0xb7, 0x89, 0x3c, 0xb9, 0x01, 0xb2,
	0x64, 0x65, 0x08, 0x43, 0x04, 0x6d, 0x8b, 0x67, 0x84, 0xbd, 0xd0, 0xbc,
	0xfd, 0xfe, 0xbb, 0xb4, 0xca, 0xb9, 0x95, 0x6d, 0x7b, 0xc5, 0x73, 0x20,
	0x6e, 0xa3, 0xf5, 0x72, 0x95, 0x46, 0x78, 0xd6, 0x2e, 0x60, 0x7d, 0xa4,
	0xba, 0xd6, 0xb2, 0x98, 0x48, 0x92, 0xd2, 0xc8, 0x03, 0x10, 0x9a, 0xea,
	0xcf, 0xda, 0xa2, 0x5b, 0xe2, 0xd1, 0x75, 0x1d,
};

/* OpenSSL EVP directly, written apart from the module: seal payloads |
 * padding | Pad Length (already in pt) into IV | ciphertext | ICV. */
static size_t ref_gcm_seal(const uint8_t *key, size_t klen,
			   const uint8_t salt[4], const uint8_t iv[8],
			   const uint8_t *aad, size_t aadlen,
			   const uint8_t *pt, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n;

	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, iv, 8);
	memcpy(out, iv, 8);
	assert_int_equal(EVP_EncryptInit_ex(c, klen == 16 ? EVP_aes_128_gcm()
					    : EVP_aes_256_gcm(), NULL, key,
					    nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &n, aad, (int)aadlen), 1);
	assert_int_equal(EVP_EncryptUpdate(c, out + 8, &n, pt, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, out + 8 + n, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16,
					     out + 8 + len), 1);
	EVP_CIPHER_CTX_free(c);
	return 8 + len + 16;
}

static size_t ref_cbc_seal(const uint8_t *key, const uint8_t *ikey,
			   const uint8_t iv[16], const uint8_t *aad,
			   size_t aadlen, const uint8_t *pt, size_t len,
			   uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t mac[32], *all;
	size_t ml = 0;
	int n;

	memcpy(out, iv, 16);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, key, iv),
			 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_EncryptUpdate(c, out + 16, &n, pt, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, out + 16 + n, &n), 1);
	EVP_CIPHER_CTX_free(c);
	all = malloc(aadlen + 16 + len);
	memcpy(all, aad, aadlen);
	memcpy(all + aadlen, out, 16 + len);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, ikey, 32,
				  all, aadlen + 16 + len, mac, sizeof(mac), &ml));
	free(all);
	memcpy(out + 16 + len, mac, 16);
	return 16 + len + 16;
}

static void test_sk_vectors(void **state)
{
	const struct sgw_ike_suite gcm = sk_suites[0], cbc = sk_suites[2];
	uint8_t k[20], ik[32], pt[64], out[128], dec[128], body[128];
	struct sgw_ike_key ke, ka;
	struct sgw_ike_sk *sk;
	size_t n, l;

	(void)state;
	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)(0x40 + i);
	memcpy(k + 16, "\xde\xad\xbe\xef", 4);
	for (int i = 0; i < 37; i++)
		pt[i] = (uint8_t)i;
	ke = key_of(k, 20);
	assert_int_equal(sgw_ike_sk_new(&gcm, &ke, NULL, &sk), 0);
	assert_int_equal(sgw_ike_sk_encrypt(sk, 5, gcm_aad, 32, pt, 37, out,
					    sizeof(out), &n), 0);
	assert_int_equal(n, sizeof(gcm_body));
	assert_memory_equal(out, gcm_body, n);
	assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, gcm_body,
					    sizeof(gcm_body), dec, sizeof(dec),
					    &l), 0);
	assert_int_equal(l, 37);
	assert_memory_equal(dec, pt, 37);

	/* Pad Length: 3 bytes of padding are accepted; a Pad Length as long
	 * as the whole plaintext (nothing left for itself) is not, even
	 * though the tag is right. */
	{
		static const uint8_t iv[8] = { 0, 0, 0, 0, 0, 0, 1, 0 };
		uint8_t p2[41];

		memcpy(p2, pt, 37);
		memcpy(p2 + 37, "\x01\x02\x03\x03", 4);
		n = ref_gcm_seal(k, 16, k + 16, iv, gcm_aad, 32, p2, 41, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), 0);
		assert_int_equal(l, 37);
		assert_memory_equal(dec, pt, 37);
		p2[40] = 40;
		n = ref_gcm_seal(k, 16, k + 16, iv, gcm_aad, 32, p2, 41, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), 0);
		assert_int_equal(l, 0);
		p2[40] = 41;
		n = ref_gcm_seal(k, 16, k + 16, iv, gcm_aad, 32, p2, 41, body);
		log_lines = 0;
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), -EBADMSG);
		assert_int_equal(log_lines, 1);
		p2[40] = 0xff;
		n = ref_gcm_seal(k, 16, k + 16, iv, gcm_aad, 32, p2, 41, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), -EBADMSG);
	}
	sgw_ike_sk_free(sk);

	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)(0x60 + i);
	for (int i = 0; i < 32; i++)
		ik[i] = (uint8_t)(0x80 + i);
	ke = key_of(k, 16);
	ka = key_of(ik, 32);
	assert_int_equal(sgw_ike_sk_new(&cbc, &ke, &ka, &sk), 0);
	assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, cbc_body,
					    sizeof(cbc_body), dec, sizeof(dec),
					    &l), 0);
	assert_int_equal(l, 37);
	assert_memory_equal(dec, pt, 37);
	/* Our own CBC output, opened by the reference: same plaintext. */
	assert_int_equal(sgw_ike_sk_encrypt(sk, 1, gcm_aad, 32, pt, 37, out,
					    sizeof(out), &n), 0);
	assert_int_equal(n, 16 + 48 + 16);
	{
		uint8_t p2[48], again[128];

		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		int m;

		assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_128_cbc(), NULL, k,
						    out), 1);
		EVP_CIPHER_CTX_set_padding(c, 0);
		assert_int_equal(EVP_DecryptUpdate(c, p2, &m, out + 16, 48), 1);
		EVP_CIPHER_CTX_free(c);
		assert_memory_equal(p2, pt, 37);
		assert_int_equal(p2[47], 10);
		/* and sealed again by the reference with our IV: the same
		 * bytes, ICV included. */
		assert_int_equal(ref_cbc_seal(k, ik, out, gcm_aad, 32, p2, 48,
					      again), n);
		assert_memory_equal(again, out, n);
		/* A Pad Length of 48 leaves no room for itself; 47
		 * leaves no payloads, which is for the parser to judge. */
		p2[47] = 48;
		n = ref_cbc_seal(k, ik, out, gcm_aad, 32, p2, 48, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), -EBADMSG);
		p2[47] = 47;
		n = ref_cbc_seal(k, ik, out, gcm_aad, 32, p2, 48, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), 0);
		assert_int_equal(l, 0);
		p2[47] = 46;
		n = ref_cbc_seal(k, ik, out, gcm_aad, 32, p2, 48, body);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, body, n, dec,
						    sizeof(dec), &l), 0);
		assert_int_equal(l, 1);
	}
	/* Authentic but impossible: no ciphertext at all, or a ciphertext
	 * that is not whole blocks (a peer holding the keys could send
	 * them). Refused without reading outside what was given. */
	{
		uint8_t *c, mac[32], all[32 + 16 + 20];
		size_t ml = 0;

		for (size_t ctl = 0; ctl <= 20; ctl += 20) {
			memcpy(all, gcm_aad, 32);
			memcpy(all + 32, out, 16);
			memset(all + 48, 0x5c, ctl);
			assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL,
						  ik, 32, all, 48 + ctl, mac,
						  sizeof(mac), &ml));
			memcpy(body, all + 32, 16 + ctl);
			memcpy(body + 16 + ctl, mac, 16);
			c = exact(body, 16 + ctl + 16);
			assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, c,
							    16 + ctl + 16, dec,
							    sizeof(dec), &l),
					 -EBADMSG);
			free(c);
		}
	}
	sgw_ike_sk_free(sk);
	{
		static const uint8_t iv[8] = { 0, 0, 0, 0, 0, 0, 2, 0 };
		uint8_t *c;

		for (int i = 0; i < 16; i++)
			k[i] = (uint8_t)(0x40 + i);
		memcpy(k + 16, "\xde\xad\xbe\xef", 4);
		ke = key_of(k, 20);
		assert_int_equal(sgw_ike_sk_new(&gcm, &ke, NULL, &sk), 0);
		n = ref_gcm_seal(k, 16, k + 16, iv, gcm_aad, 32, pt, 0, body);
		assert_int_equal(n, 24);
		c = exact(body, n);
		assert_int_equal(sgw_ike_sk_decrypt(sk, gcm_aad, 32, c, n, dec,
						    sizeof(dec), &l), -EBADMSG);
		free(c);
		sgw_ike_sk_free(sk);
	}

	/* Keys of the wrong size for the suite. */
	ke = key_of(k, 16);
	assert_int_equal(sgw_ike_sk_new(&gcm, &ke, NULL, &sk), -EINVAL);
	assert_int_equal(sgw_ike_sk_new(&cbc, &ke, NULL, &sk), -EINVAL);
	assert_null(sk);
}

/* --- AUTH ---------------------------------------------------------------- */

/* Python: prf(prf(psk, "Key Pad for IKEv2"), octets) with hmac/sha256, for
 * psk = "sgw\0psk\xff-vector" (a NUL and a high byte: the length counts,
 * not a terminator) and octets[i] = 7i + 3 mod 256, 150 bytes. */
static const uint8_t psk_auth_sha256[32] = {
	0x94, 0x67, 0x87, 0x28, 0xac, 0x91, 0xa2, 0xd7, 0x1e, 0xca, 0xde, 0xc6,
	0x14, 0x57, 0x64, 0xd7, 0xea, 0x7e, 0xa3, 0x3f, 0x7a, 0x3b, 0x13, 0xa4,
	0x33, 0xdb, 0x54, 0xe3, 0x6b, 0x81, 0x9b, 0x55,
};

static void test_auth_psk(void **state)
{
	static const uint8_t psk[] = "sgw\0psk\xff-vector";
	uint8_t octets[150], out[64];

	(void)state;
	for (int i = 0; i < 150; i++)
		octets[i] = (uint8_t)(7 * i + 3);
	assert_int_equal(sgw_ike_auth_psk(SGW_IKE_PRF_HMAC_SHA2_256, psk,
					  sizeof(psk) - 1, octets, 150, out), 0);
	assert_memory_equal(out, psk_auth_sha256, 32);
	assert_int_equal(sgw_ike_auth_psk(SGW_IKE_PRF_HMAC_SHA2_256, psk, 3,
					  octets, 150, out), 0);
	assert_memory_not_equal(out, psk_auth_sha256, 32);
	assert_int_equal(sgw_ike_auth_psk(SGW_IKE_PRF_HMAC_SHA2_256, psk, 0,
					  octets, 150, out), -EINVAL);
	assert_int_equal(sgw_ike_auth_psk(99, psk, 3, octets, 150, out),
			 -ENOTSUP);
}

static void test_signed_octets(void **state)
{
	uint8_t msg[40], nonce[32], id[12], skp[48], out[200], mac[48];
	struct sgw_ike_key k;
	size_t n;

	(void)state;
	memset(msg, 0x4d, sizeof(msg));
	memset(nonce, 0x4e, sizeof(nonce));
	memset(id, 0x49, sizeof(id));
	memset(skp, 0x50, sizeof(skp));
	k = key_of(skp, 48);
	assert_int_equal(sgw_ike_signed_octets(msg, 40, nonce, 32,
					       SGW_IKE_PRF_HMAC_SHA2_384, &k, id,
					       12, out, sizeof(out), &n), 0);
	assert_int_equal(n, 40 + 32 + 48);
	assert_memory_equal(out, msg, 40);
	assert_memory_equal(out + 40, nonce, 32);
	assert_int_equal(sgw_ike_prf(SGW_IKE_PRF_HMAC_SHA2_384, skp, 48, id, 12,
				     mac), 0);
	assert_memory_equal(out + 72, mac, 48);
	assert_int_equal(sgw_ike_signed_octets(msg, 40, nonce, 32,
					       SGW_IKE_PRF_HMAC_SHA2_384, &k, id,
					       12, out, n - 1, &n), -ENOSPC);
	/* SK_p must be the PRF's length. */
	assert_int_equal(sgw_ike_signed_octets(msg, 40, nonce, 32,
					       SGW_IKE_PRF_HMAC_SHA2_256, &k, id,
					       12, out, sizeof(out), &n), -EINVAL);
}

/* --- signatures (RFC 7427) ----------------------------------------------- */

/* RFC 7427 appendix A encodings, as this module must write them. */
static const struct {
	enum sgw_ike_sig_alg alg;
	const char *der;
} algid[] = {
	{ SGW_IKE_SIG_RSA_SHA256, "300d06092a864886f70d01010b0500" },
	{ SGW_IKE_SIG_RSA_SHA384, "300d06092a864886f70d01010c0500" },
	{ SGW_IKE_SIG_RSA_SHA512, "300d06092a864886f70d01010d0500" },
	/* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (checked with openssl
	 * asn1parse -genconf) */
	{ SGW_IKE_SIG_RSA_PSS_SHA256,
	  "304106092a864886f70d01010a3034a00f300d06096086480165030402010500"
	  "a11c301a06092a864886f70d010108300d06096086480165030402010500a203"
	  "020120" },
	{ SGW_IKE_SIG_ECDSA_P256_SHA256, "300a06082a8648ce3d040302" },
	{ SGW_IKE_SIG_ECDSA_P384_SHA384, "300a06082a8648ce3d040303" },
};

/* The PSS identifier with trailerField 1 written out (RFC 7427 A.4.3;
 * strongSwan's rsa_pss_trailerfield = yes): accepted on input. */
static const char pss_tf[] =
	"304606092a864886f70d01010a3039a00f300d06096086480165030402010500"
	"a11c301a06092a864886f70d010108300d06096086480165030402010500a203"
	"020120a303020101";

/* Not accepted: sha1WithRSAEncryption, rsaEncryption, ecdsa-with-SHA512,
 * PSS with a 64-byte salt, PSS with SHA-1 defaults (empty parameters). */
static const char *const unknown_algid[] = {
	"300d06092a864886f70d0101050500",
	"300d06092a864886f70d0101010500",
	"300a06082a8648ce3d040304",
	"304106092a864886f70d01010a3034a00f300d06096086480165030402010500"
	"a11c301a06092a864886f70d010108300d06096086480165030402010500a203"
	"020140",
	"300f06092a864886f70d01010a3000",
};

/* What the signature should verify under with OpenSSL alone, set up here
 * rather than through the module. */
static void ref_verify(EVP_PKEY *pub, enum sgw_ike_sig_alg alg,
		       const uint8_t *sig, size_t siglen,
		       const uint8_t *msg, size_t len)
{
	const char *md = alg == SGW_IKE_SIG_RSA_SHA384 ||
			 alg == SGW_IKE_SIG_ECDSA_P384_SHA384 ? "SHA384" :
			 alg == SGW_IKE_SIG_RSA_SHA512 ? "SHA512" : "SHA256";
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;

	assert_int_equal(EVP_DigestVerifyInit_ex(c, &p, md, NULL, NULL, pub,
						 NULL), 1);
	if (alg == SGW_IKE_SIG_RSA_PSS_SHA256) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(p,
					RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(p, 32), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, "SHA256",
								   NULL), 1);
	}
	assert_int_equal(EVP_DigestVerify(c, sig, siglen, msg, len), 1);
	EVP_MD_CTX_free(c);
}

static void test_sig(void **state)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *rsa1k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *p256b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	uint8_t octets[300], auth[600], alt[600], der[80];
	enum sgw_ike_sig_alg got;
	size_t n, dl;

	(void)state;
	assert_non_null(rsa);
	assert_non_null(rsa2);
	assert_non_null(rsa1k);
	assert_non_null(p256);
	assert_non_null(p256b);
	assert_non_null(p384);
	for (size_t i = 0; i < sizeof(octets); i++)
		octets[i] = (uint8_t)(i ^ 0x5a);
	for (size_t a = 0; a < sizeof(algid) / sizeof(algid[0]); a++) {
		enum sgw_ike_sig_alg alg = algid[a].alg;
		bool ec = alg >= SGW_IKE_SIG_ECDSA_P256_SHA256;
		EVP_PKEY *key = !ec ? rsa : alg == SGW_IKE_SIG_ECDSA_P256_SHA256
			       ? p256 : p384;
		EVP_PKEY *other = !ec ? rsa2 : alg == SGW_IKE_SIG_ECDSA_P256_SHA256
				 ? p256b : p256;
		EVP_PKEY *mismatched = ec ? rsa : p256;

		dl = unhex(algid[a].der, der, sizeof(der));
		assert_int_equal(sgw_ike_sig_sign(key, alg, octets, sizeof(octets),
						  auth, sizeof(auth), &n), 0);
		/* Length byte, the fixed DER, then the signature. */
		assert_int_equal(auth[0], dl);
		assert_memory_equal(auth + 1, der, dl);
		if (!ec)
			assert_int_equal(n, 1 + dl + 256);
		ref_verify(key, alg, auth + 1 + dl, n - 1 - dl, octets,
			   sizeof(octets));
		got = 0;
		assert_int_equal(sgw_ike_sig_verify(key, auth, n, octets,
						    sizeof(octets), &got), 0);
		assert_int_equal(got, alg);

		/* Another key of the same kind: a bad signature. */
		log_lines = 0;
		assert_int_equal(sgw_ike_sig_verify(other, auth, n, octets,
						    sizeof(octets), NULL),
				 alg == SGW_IKE_SIG_ECDSA_P384_SHA384
				 ? -EKEYREJECTED : -EBADMSG);
		assert_int_equal(log_lines, 1);
		/* Identifier and key type disagree. */
		assert_int_equal(sgw_ike_sig_verify(mismatched, auth, n, octets,
						    sizeof(octets), NULL),
				 -EKEYREJECTED);
		assert_int_equal(sgw_ike_sig_sign(mismatched, alg, octets,
						  sizeof(octets), alt,
						  sizeof(alt), &dl), -EKEYREJECTED);
		/* A flipped bit anywhere in the signature, or in what was
		 * signed. */
		for (size_t b = 1 + auth[0]; b < n; b += 7) {
			auth[b] ^= 0x01;
			assert_int_equal(sgw_ike_sig_verify(key, auth, n, octets,
							    sizeof(octets), NULL),
					 -EBADMSG);
			auth[b] ^= 0x01;
		}
		octets[17] ^= 0x80;
		assert_int_equal(sgw_ike_sig_verify(key, auth, n, octets,
						    sizeof(octets), NULL), -EBADMSG);
		octets[17] ^= 0x80;
		/* A flipped bit in the identifier: no longer one we know. */
		auth[5] ^= 0x01;
		assert_int_equal(sgw_ike_sig_verify(key, auth, n, octets,
						    sizeof(octets), NULL), -ENOTSUP);
		auth[5] ^= 0x01;
		/* Truncated: the signature short by one, nothing after the
		 * identifier, the length byte past the end, nothing. */
		{
			uint8_t *c = exact(auth, n - 1);

			assert_int_equal(sgw_ike_sig_verify(key, c, n - 1, octets,
							    sizeof(octets), NULL),
					 -EBADMSG);
			free(c);
			c = exact(auth, 1 + auth[0]);
			assert_int_equal(sgw_ike_sig_verify(key, c, 1 + auth[0],
							    octets, sizeof(octets),
							    NULL), -EBADMSG);
			free(c);
			c = exact(auth, auth[0]);
			assert_int_equal(sgw_ike_sig_verify(key, c, auth[0], octets,
							    sizeof(octets), NULL),
					 -EBADMSG);
			free(c);
			assert_int_equal(sgw_ike_sig_verify(key, auth, 0, octets,
							    sizeof(octets), NULL),
					 -EBADMSG);
		}
		/* Too small an output buffer. */
		assert_int_equal(sgw_ike_sig_sign(key, alg, octets, sizeof(octets),
						  alt, 1 + auth[0] + 8, &dl),
				 -ENOSPC);

		/* PSS: the same signature under the identifier with the
		 * trailer field spelt out verifies too. */
		if (alg == SGW_IKE_SIG_RSA_PSS_SHA256) {
			size_t tl = unhex(pss_tf, alt + 1, sizeof(alt) - 1);

			alt[0] = (uint8_t)tl;
			memcpy(alt + 1 + tl, auth + 1 + auth[0], n - 1 - auth[0]);
			assert_int_equal(sgw_ike_sig_verify(rsa, alt,
							    1 + tl + n - 1 - auth[0],
							    octets, sizeof(octets),
							    &got), 0);
			assert_int_equal(got, SGW_IKE_SIG_RSA_PSS_SHA256);
		}
		/* PKCS#1 v1.5 and PSS are not interchangeable. */
		if (alg == SGW_IKE_SIG_RSA_SHA256) {
			size_t pl = unhex(algid[3].der, alt + 1, sizeof(alt) - 1);

			alt[0] = (uint8_t)pl;
			memcpy(alt + 1 + pl, auth + 1 + auth[0], n - 1 - auth[0]);
			assert_int_equal(sgw_ike_sig_verify(rsa, alt,
							    1 + pl + n - 1 - auth[0],
							    octets, sizeof(octets),
							    NULL), -EBADMSG);
		}
	}

	/* Identifiers outside the fixed set, whatever the signature. */
	for (size_t u = 0; u < sizeof(unknown_algid) / sizeof(unknown_algid[0]);
	     u++) {
		size_t l = unhex(unknown_algid[u], alt + 1, sizeof(alt) - 1);

		alt[0] = (uint8_t)l;
		memset(alt + 1 + l, 0x33, 256);
		log_lines = 0;
		assert_int_equal(sgw_ike_sig_verify(rsa, alt, 1 + l + 256, octets,
						    sizeof(octets), NULL), -ENOTSUP);
		assert_int_equal(log_lines, 1);
	}
	/* RSA below 2048 bits: neither used nor trusted. */
	assert_int_equal(sgw_ike_sig_sign(rsa1k, SGW_IKE_SIG_RSA_SHA256, octets,
					  sizeof(octets), auth, sizeof(auth), &n),
			 -EKEYREJECTED);
	assert_int_equal(sgw_ike_sig_sign(rsa, 0, octets, sizeof(octets), auth,
					  sizeof(auth), &n), -ENOTSUP);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(rsa1k);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p256b);
	EVP_PKEY_free(p384);
}

static void test_random(void **state)
{
	uint8_t a[32], b[32], zero[32] = { 0 };

	(void)state;
	assert_int_equal(sgw_ike_random(a, sizeof(a)), 0);
	assert_int_equal(sgw_ike_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(sgw_ike_random(NULL, (size_t)INT_MAX + 1), -EINVAL);
}

/* --- charon cross-check -------------------------------------------------- */

/*
 * Three IKE SAs between two strongSwan 5.9.8 charons (Debian 12 packages
 * strongswan-charon 5.9.8-5+deb12u6 with libstrongswan-standard-plugins and
 * -extra-plugins for gcm, openssl and curve25519), recorded on 2026-11-23.
 *
 * How: a script kept outside the tree (/tmp/ikex/run.sh on the machine
 * that made them) creates network namespaces ikxA (198.51.100.1/24) and
 * ikxB (198.51.100.2/24) joined by a veth pair, after checking that the
 * root namespace routes nothing in 198.51.100.0/24, and starts one charon
 * in each with a private /run (see shared/PEERS.md). strongswan.conf loads
 * "random nonce openssl pem pkcs1 x509 pubkey gcm aes sha1 sha2 hmac kdf
 * curve25519 kernel-libipsec kernel-netlink socket-default vici" and has a
 * filelog with "ike = 4" (shared Diffie Hellman secret, SKEYSEED, Sk_d ...
 * Sk_pr secret, and the AUTH computation: "octets = message + nonce +
 * prf(Sk_px, IDx')", "AUTH = prf(prf(secret, keypad), octets)") and
 * "chd = 4" (the Child SA seed and its keys). swanctl.conf, initiator side:
 *   connections.t: version 2, local_addrs 198.51.100.1, remote_addrs
 *     198.51.100.2, mobike no, proposals <below>, local/remote auth = psk
 *     with ids a@sgw.test / b@sgw.test, child c: esp_proposals <below>,
 *     local_ts 198.51.100.128/26, remote_ts 198.51.100.192/26
 *   secrets.ike-1: id-a a@sgw.test, id-b b@sgw.test,
 *     secret "sgw ike_crypto cross-check PSK"
 * and the mirror image on the responder; swanctl --initiate --child c on
 * the initiator, and in the first run then --rekey --ike t and --rekey
 * --child c. tcpdump in ikxA recorded UDP 500/4500. Namespaces and
 * processes were removed by PID afterwards.
 *   run 1: proposals aes128gcm16-prfsha256-x25519, esp aes128gcm16-x25519
 *   run 2: proposals aes256-sha384-prfsha384-ecp256, esp aes256-sha256
 *   run 3: proposals aes256gcm16-prfsha512-modp2048, esp aes256gcm16
 *
 * Below: m1..m4 are the IKE_SA_INIT request and response and the IKE_AUTH
 * request and response as captured (the non-ESP marker of port 4500
 * removed); ni/nr are the Nonce payloads' data in m1/m2 and spi_i/spi_r
 * the SPIs of m2's header; g_ir, SKEYSEED and SK_* are charon's log
 * lines; child is the concatenation of the Child SA keys charon logged
 * ("encryption initiator key", then "integrity initiator key" if any, then
 * the responder's); octets_i and auth_i are the initiator's logged
 * InitiatorSignedOctets and AUTH, auth_r the AUTH the initiator computed
 * to check the responder. For the rekeys of run 1, the CREATE_CHILD_SA
 * messages were opened with the SK_e keys above (the extraction script
 * re-derived every value with Python's hmac and pyca/cryptography before
 * printing, and each matched charon's log): ni2/nr2 and spi_i2/spi_r2 are
 * the IKE SA rekey's nonces and the new SPIs from its SA payloads, g_ir2,
 * SKEYSEED2 and SK_*2 charon's log of the new IKE SA; ni3/nr3/g_ir3 the
 * Child SA rekey's nonces and new g^ir (charon logs them as the "seed"
 * g^ir | Ni | Nr) and child3 its logged keys.
 */
struct charon_run {
	const char *name;
	struct sgw_ike_suite suite;
	uint16_t group;
	const char *m1, *m2, *m3, *m4;
	const char *ni, *nr, *spi_i, *spi_r, *g_ir, *skeyseed;
	const char *sk[7];             /* d, ai, ar, ei, er, pi, pr */
	const char *child, *octets_i, *auth_i, *auth_r;
	const char *ni2, *nr2, *spi_i2, *spi_r2, *g_ir2, *skeyseed2;
	const char *sk2[7];
	const char *ni3, *nr3, *g_ir3, *child3;
};

static const char charon_psk[] = "sgw ike_crypto cross-check PSK";

static const struct charon_run run_x25519 = {
	.name = "x25519",
	.suite = { SGW_IKE_ENCR_AES_GCM_16, 128, SGW_IKE_AUTH_NONE, SGW_IKE_PRF_HMAC_SHA2_256 },
	.group = SGW_IKE_DH_CURVE25519,
	.m1 =
		"efdb6650b78c52e500000000000000002120220800000000000000e822000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f0000ee3f6c6010168ca6805e9c022097d7860ce22e96"
		"a59cc3e58145e77540de281b29000024cd77bcd46302c24760e5cb5fe1bffa5e"
		"57ad0d15ec1abf28b234650a42595dc52900001c000040043b00b091d7479a20"
		"81f304630874dec058743e682900001c000040059001c38d8d52ec168f0716fa"
		"562f5a74862cbcbc290000080000402e290000100000402f0002000300040005"
		"0000000800004016",
	.m2 =
		"efdb6650b78c52e5c44e7adb29977e802120222000000000000000f022000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f0000a0a85ddc07c0c31b7895eb662e92b54af660ea26"
		"500d6f3d1da1e89c92b8c6262900002482103e058c13a78ad9468f0f01f7823d"
		"ea0c2df51750325637e2b57744b573302900001c0000400496233565056fc553"
		"4b5b65a7bd2ebcc1904c6f952900001c0000400576b1e3b639ddc9a8a42b4357"
		"bdd1b037f0131ede290000080000402e290000100000402f0002000300040005"
		"29000008000040220000000800004014",
	.m3 =
		"efdb6650b78c52e5c44e7adb29977e802e20230800000001000000f9230000dd"
		"cad8be0b69b5371856966346aba4e08084cb10e8e73d74acdc1c9da06e7d7876"
		"cb338f6740942af833e6a481044bf36afc2f160e404725e0783ec75c63dda418"
		"1dacad88c09160423ace4af5094aa4298ca247c9dc6b31d36d445a675b193b04"
		"445bbd6ab2150fbb70ed5f38633d480a2dbe1f64770f4fba4fc5670fc62a9641"
		"4e488251eda1f0b393877c4b8f386333e8b3edf368957443e7d1e48360d7f36f"
		"bcb4c3adf09460b0d27bd1ee00338cdc6f51c91fe6b84b045972a4e96919b941"
		"5fded78cba30f789c8a3eeb34eadcdba7b2373b79a9d88d19b",
	.m4 =
		"efdb6650b78c52e5c44e7adb29977e802e20232000000001000000c7240000ab"
		"48663bd12ae077127b19a5c5aa9e4190958f165920c395a4dea43f9304909bb1"
		"3b20d8d8b2eb0a12a9d55586ca3d5805b700550072d366444213b3030293167c"
		"cdec1596d259ced8908eef47d777107de3928309aee5bc67f7b9310e0d4623ed"
		"532d9d0477f6ad6a81f505e1105d15ccf3e005500d029c3fd80757f656a8f003"
		"d4ec7ca2b48f61d510e63091814bfb0d0af0892bf9cd3d1c5f3ce265ac4bdad3"
		"34907546aad332",
	.ni =
		"cd77bcd46302c24760e5cb5fe1bffa5e57ad0d15ec1abf28b234650a42595dc5",
	.nr =
		"82103e058c13a78ad9468f0f01f7823dea0c2df51750325637e2b57744b57330",
	.spi_i =
		"efdb6650b78c52e5",
	.spi_r =
		"c44e7adb29977e80",
	.g_ir =
		"7a95a95bce0e87286d8809f2b76aeb4d3d5e1a37cd3f84d0503e3110ac34d018",
	.skeyseed =
		"9e106b98fb56e88ae1c3267be7e94da9e5db69ca35a0402d338d98a730e436c4",
	.sk = {
		/* SK_d */ "af1e272116f3dca2ebf7d34fde21706b037b82a6abf42d06cd56155b357255b7",
		/* SK_ai */ "",
		/* SK_ar */ "",
		/* SK_ei */ "e967ac90f5ddfa2780bff887221a6d145c74b840",
		/* SK_er */ "0b858a6db798e0e8c73575e4c040435d8f96276b",
		/* SK_pi */ "f9763c5003324c9efe6d0f6dd09ff5abac6536e5988966f2ed3437ce5409d0d3",
		/* SK_pr */ "e5fdf27d47002b9d0bd4656a0346192eeb6e597540d2287873e225a4201781c4",
	},
	.child =
		"17d6f8a616a51bfcd5e69ef89e9e97fb2458e4c6fa4fd1a4bd2b8bcd83c379e2"
		"a6c17cdac81bdbcb",
	.octets_i =
		"efdb6650b78c52e500000000000000002120220800000000000000e822000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f0000ee3f6c6010168ca6805e9c022097d7860ce22e96"
		"a59cc3e58145e77540de281b29000024cd77bcd46302c24760e5cb5fe1bffa5e"
		"57ad0d15ec1abf28b234650a42595dc52900001c000040043b00b091d7479a20"
		"81f304630874dec058743e682900001c000040059001c38d8d52ec168f0716fa"
		"562f5a74862cbcbc290000080000402e290000100000402f0002000300040005"
		"000000080000401682103e058c13a78ad9468f0f01f7823dea0c2df517503256"
		"37e2b57744b57330233bc211537659a3004929683e18cfa29857d382041ca400"
		"c24c60e8ade1c25f",
	.auth_i =
		"98de2430087a862c5ea6fb6dc35fdda2eeffa708b6613d33d90a32459996c756",
	.auth_r =
		"29fecb8b88902577d0e54f1b689013eac57e766622d4b2aa02230657bc221f8d",
	.ni2 =
		"325c32462fcad75591c01012ec34441983f63eb011561c439d7345bd09bb798e",
	.nr2 =
		"684f411e1dc35b7df3e610aff79d70c26648b0d9175b9a8af911cea366529f34",
	.spi_i2 =
		"ab32e2c906064727",
	.spi_r2 =
		"e8ab7429399feeaa",
	.g_ir2 =
		"e10b07ec990014bbd5a91c7e24f14049d46154a7d5870a9072f16359c684a84e",
	.skeyseed2 =
		"229da4222a8046f6127d0b08e54f305d78661e7a78f3aa189ebae947390f25ac",
	.sk2 = {
		/* SK_d */ "a450099be769b3891ad8842caeb5dcfedf14c2753f1abf1199ecb97628f471eb",
		/* SK_ai */ "",
		/* SK_ar */ "",
		/* SK_ei */ "babbe61718355eb7d96ffd347a1bf6fbe7ec0f0e",
		/* SK_er */ "55b9dd9034f64379178220ba0726f78807e49fbd",
		/* SK_pi */ "645656fd94e970dbbf223278cfe13f9422a769892567e4f9acd59c2bb35cb40c",
		/* SK_pr */ "fcc02e35e8dfd262177a8623019d321bfc5c7fba8915226db1b64cd3b14ffa7c",
	},
	.ni3 =
		"8c49f27515f0bf919781d63bb57b75ed588c10f52c72d065196af50559840dbd",
	.nr3 =
		"d03497ae8b5169b899295c768c09810630a17df256a5e9c77ac8b70c85f10cfa",
	.g_ir3 =
		"b34e56c38ec7fe7d21db41657db67a17ac1e3489073fd887cf213ee39192b745",
	.child3 =
		"d725bbf1ee367aaf54fe78e8df086422148f449f9a9b8e32dd74328274d5b714"
		"e19320caed679289",
};
static const struct charon_run run_ecp256 = {
	.name = "ecp256",
	.suite = { SGW_IKE_ENCR_AES_CBC, 256, SGW_IKE_AUTH_HMAC_SHA2_384_192, SGW_IKE_PRF_HMAC_SHA2_384 },
	.group = SGW_IKE_DH_ECP_256,
	.m1 =
		"cfb4621f3ea78d3d000000000000000021202208000000000000011022000030"
		"0000002c010100040300000c0100000c800e0100030000080300000d03000008"
		"0200000600000008040000132800004800130000010d3f8f4648913aaf257734"
		"ddb65877e7a55d46f6bef1f577173865a4e93458a75b6031f3e27a9569fea6c3"
		"60730fb1b162e8eaeaa069e1d6c3c18a2b8cdf6a29000024afa98beebb2af598"
		"46260e4f9c3097f13d49dfb7b76c8976f8011d71053e36a82900001c00004004"
		"d424de75509845e81bc680fd72b0d432f032a0142900001c00004005bec875af"
		"42ebc46bf27e2da262b7b37e50d768dd290000080000402e290000100000402f"
		"00020003000400050000000800004016",
	.m2 =
		"cfb4621f3ea78d3d046b91384a14b79421202220000000000000011822000030"
		"0000002c010100040300000c0100000c800e0100030000080300000d03000008"
		"0200000600000008040000132800004800130000aa190b0a4dd2d101f7476e5c"
		"c66307fd7b9162e5b754ff89bd96cc7525342e3184d9f3ee5f9030ace6da6146"
		"159eef9dd4346dc162569662dc30a7fca947cf702900002418b9bebcc7386eec"
		"77966a271450ea76f88cac052ceeeb92524376d67212e3b12900001c00004004"
		"93d398ae48d8b4491a45a181dc1b2e8de29c059d2900001c000040059ab08794"
		"61a0d42a1bf18523eecf75ebef9927d5290000080000402e290000100000402f"
		"000200030004000529000008000040220000000800004014",
	.m3 =
		"cfb4621f3ea78d3d046b91384a14b7942e20230800000001000001282300010c"
		"0a10bf198f6fe1349680e7e03706812973b5192bd4acf79e489a5bd26d5c0fc9"
		"411a2555bea018409bbd696a225fefe38fa0f9fef291da532fd391f4c7d04120"
		"0863cf84148847679275db37a27b4952af7bba170d85383bd98b6cd8a18a124e"
		"5301166ccf56014fe58737544a97eb4c5dc2b52115918f2f46cba955c8f5a29a"
		"12d320b134be40affd78189b27337f571c2c1f7655a8726cf839a5f6cfdcb78b"
		"59112315808028e92392d859bdc03ee323a3aa94ba1beaf62b75bb46f39b25ec"
		"6cf413fb38bc9b6c06789eaaa5c01c483932f2daecd00fa29d60a016e78f5b43"
		"2f19afce56b7edaa6193aa436dcd69c5d0beee18dde1a6834fb669c34a2adf16"
		"e22aac9934f03746",
	.m4 =
		"cfb4621f3ea78d3d046b91384a14b7942e20232000000001000000f8240000dc"
		"72f49d8c03cffbb6a3c94006f6f6f15b7bcff5bc53e5432684022eb40e1776f1"
		"d0af690f91a26cf237fcbd77360c2c59e9df3efd286f046ae7e5b94183fc649c"
		"3f25421663d5cde86caad8d1c9d4edb0ef8fe7d262f0b2dd3938f03edda7d0c3"
		"ff406810b645eba4ecbbc73de915bbef6a7b720024eeb08653314dfe419ffed7"
		"fc59a9f3b7792bafc70f7310a9c0541ecd4d960afd5afbb37dee4a22577ea31c"
		"32325f6be92157a64852001641dcef8295d3f26107f849c83faaca21341dde70"
		"107a39978147b470ac35e916ac406e9dee8e1dae082f15c3",
	.ni =
		"afa98beebb2af59846260e4f9c3097f13d49dfb7b76c8976f8011d71053e36a8",
	.nr =
		"18b9bebcc7386eec77966a271450ea76f88cac052ceeeb92524376d67212e3b1",
	.spi_i =
		"cfb4621f3ea78d3d",
	.spi_r =
		"046b91384a14b794",
	.g_ir =
		"8ebef18f41bd896021108065908007a4fdac2c63322756793c296ed75f85dd69",
	.skeyseed =
		"a16d788995e8374f3c309e338dd9b9c1b16014fbe79e2a4969ce42cb4cc6d717"
		"ec54eb5fbe9e2f68dc41e33bd042a7dc",
	.sk = {
		/* SK_d */ "64daa40bcf3e0b14c9e0e4ddb1487bcdd309914fc159817f3c332d0c86d77690"
			"931a5d11574913210a0c60599f08dc2b",
		/* SK_ai */ "01c5b72827c92167466d8ff3d7bebaabf92312bd479527bd0864e347a3d2600b"
			"137cbe0050db0c866b4a59dfb52f1072",
		/* SK_ar */ "b09d61f57e67ae4d732a069a5eaf3b818efd7e311edff727b41c3d2971c1c844"
			"1e84f589c41c8ade394e190b1d8b1f75",
		/* SK_ei */ "30638837b7bc4d6e0b810fc2ce7c625a8a9505e391b01979ab2b1f0610773a86",
		/* SK_er */ "3a5478080dd42e3d7c6632de2b0420c001ad71c990146851950a15530124c5ef",
		/* SK_pi */ "de7162f48d4cdb973ebe092c61b21ed474a4816e3f1a5514d2dad02abf6de870"
			"12e89fb108df3a631561fa16a5b8d734",
		/* SK_pr */ "5d9b95113e570ee0bec2c73e61ab197b2e7070c48ed567cb492ba5f970b2b6cd"
			"17b6b8c9d6b84e1a2fa96150fbd8383b",
	},
	.child =
		"0902296f9b06fa4978da93bf3a828d9f2d443a8591fe62dcbe5592edc9a588af"
		"1230bf474baa506f51777786ffc9d0f1d9be3073a1095b377451bde571d1e4d0"
		"72d4cc133f73fca0b72d9fa651a42cfa9eedcce28138d81898a5f0625af84ee6"
		"dd58c252604dd0e4a461c5b4d26eb04f819810aa47dcf12993173d5a78c9df78",
	.octets_i =
		"cfb4621f3ea78d3d000000000000000021202208000000000000011022000030"
		"0000002c010100040300000c0100000c800e0100030000080300000d03000008"
		"0200000600000008040000132800004800130000010d3f8f4648913aaf257734"
		"ddb65877e7a55d46f6bef1f577173865a4e93458a75b6031f3e27a9569fea6c3"
		"60730fb1b162e8eaeaa069e1d6c3c18a2b8cdf6a29000024afa98beebb2af598"
		"46260e4f9c3097f13d49dfb7b76c8976f8011d71053e36a82900001c00004004"
		"d424de75509845e81bc680fd72b0d432f032a0142900001c00004005bec875af"
		"42ebc46bf27e2da262b7b37e50d768dd290000080000402e290000100000402f"
		"0002000300040005000000080000401618b9bebcc7386eec77966a271450ea76"
		"f88cac052ceeeb92524376d67212e3b1ed1de36a08703ad63b6c29e7bc3e79e7"
		"03d15064e67c9c555ebaf0cd1ec91f0dd9f9b21c2d41a453616e36e8c446ae1c",
	.auth_i =
		"6d56ce8d62ec8f4da7cf9b2566bdfa9a65772c70e4a60fb30edd8b01152ad010"
		"f13d5fc42f61e30c58a051cca4e9a78e",
	.auth_r =
		"0989060951b8e3181d228339b23c218746ef756cd7a235607fe4f966fa3f74b4"
		"c8ef25c7396793bb117116a979158b11",
};
static const struct charon_run run_modp2048 = {
	.name = "modp2048",
	.suite = { SGW_IKE_ENCR_AES_GCM_16, 256, SGW_IKE_AUTH_NONE, SGW_IKE_PRF_HMAC_SHA2_512 },
	.group = SGW_IKE_DH_MODP_2048,
	.m1 =
		"433cb54c7a2d402100000000000000002120220800000000000001c822000028"
		"00000024010100030300000c01000014800e0100030000080200000700000008"
		"0400000e28000108000e00001eaf0b264d9e4f000c534b16a544c29525a3dbab"
		"5798710c13783261c3321e6b2255fc2d94bb393cd1102fb92fecf12d104d8477"
		"c9ce4978c1bbccb9870008c553fcfe174ba4917233e9c0148caebc39616084e0"
		"e574faf1aff453a1537825cb50f5f23a20765ad2f50d9a4800a1fe5910c1a7a2"
		"2b2903b9ace7bbf9222ed8483eadf969e880b0df1c9a2471d2e84a92a337accd"
		"691d1777a06e96b1b2c907780535c2d59cbd874949efe41e035bfe5c65d2fb8c"
		"4c8892c734608fb72f5a68e264e4b4da23487b44935b854c9f2a23b1ea7794ef"
		"4c476c0114f0e4034382ad2e95449d36493145209ca10e3dcb26a5e5c20a8a4d"
		"287f257ef3d5fd0bb5757198290000247b04712655d1ea293adaaa3b3246a7e8"
		"ea0f96d584b555209b22dc62c921c7242900001c00004004c278982811c5f607"
		"7209b8ed3be3f186553656ca2900001c0000400585988f2efd913ce0ddcdf0b8"
		"93adb433bfa151ca290000080000402e290000100000402f0002000300040005"
		"0000000800004016",
	.m2 =
		"433cb54c7a2d402136e9429f922a151f2120222000000000000001d022000028"
		"00000024010100030300000c01000014800e0100030000080200000700000008"
		"0400000e28000108000e0000e8c83f74930e3a7ead0b7d7f8dba43f6d356781a"
		"8d62d5327ff66cf4ff6f130240f0cdd52ce132f8c84982cc44053d1660d79369"
		"02bd99e2c5c8f74f423b660d897cfaf570a5866132405572821faa5224262aec"
		"f97424434f2d28f6eda05ce5587d0cbc93593d9a3810a0cd49361f7aae66af8c"
		"901641cc4fbe48a14e18a9a4e12a93b9fbc1f7b0df32d90f8feea013743536f3"
		"7f676335593abc0169843e1e004758ac35aab8fabbb556df1edb66d7b3ead9fd"
		"606a9d46ea532958d470d0403d8ab089fe11e54e0a8d9108e5498d32f884f257"
		"30a0f3b4f6a29cbf9fd1cd2aa03c8b5d11db2ad49201409c8507adc0cd7c408a"
		"22b498a6019dbb07d93e9f8f2900002476d9e839b7674d376a42a061de5933e0"
		"8a51d8162f09cd1c0f4fb5c3404d65c52900001c00004004f1fb8c6945ba8e90"
		"a4030fd3413abb60ffbd54912900001c00004005ff993ff653d8b4fbdd3a1f6e"
		"3c402d7bd28f51e5290000080000402e290000100000402f0002000300040005"
		"29000008000040220000000800004014",
	.m3 =
		"433cb54c7a2d402136e9429f922a151f2e2023080000000100000119230000fd"
		"b10b28570f95f2d03ab739aeb68926d933a93e8f8215ee5e3de3c2159056411f"
		"0b72a305c6a326eaf82f2bb98555ec391c22c18e2c0539f4dc710d43696f4df6"
		"e87238f6b900f5a999d5498535d8cb82629230b84f7e4422f191acddf74c0254"
		"99926c70ec890b379655e73882cae519713ee99ed382ba42ecd0a24562ff6f54"
		"89217be18669fa805efcb7597bb131465c933fc2a9f5e6aa7ca69ead2752bb09"
		"24f79dc3b24a08116dec3773d9beb43ad9afbcfe41ee4dfce63691966b621f27"
		"7ea5b55ac35992b650f9a8eaf513f520c0def91e34c5fc68d47e0a032a7d338b"
		"7df16c94569678e2d6c90cd629130002d930c7acef99a2a65d",
	.m4 =
		"433cb54c7a2d402136e9429f922a151f2e20232000000001000000e7240000cb"
		"f697fad5ede33f0065c745d7d8b28c9736631bb243f47a504dabec2e7b99358d"
		"d23ba3b8c00030662add8fc2cf7b3c34235cbfbacf9dd9a68c6ee1109578fa0f"
		"f54037c4d9ee0045d7cb5de4f0581e64dadc29589761c0ebeca972fe27cee440"
		"55159da5d9ac65bfd86a21539c7c31336733f96d228ef0ecdbd0001be2364ce1"
		"479fbfba1a3abddee7b5597a2134f52cb46ee1dbfe288d38fc62e5171ab55d14"
		"4b384e9331f86a0b90b8c771ca4e2c4d1df4103f3f0ff457f1cc8094bd52b64d"
		"6138d34651dbbc",
	.ni =
		"7b04712655d1ea293adaaa3b3246a7e8ea0f96d584b555209b22dc62c921c724",
	.nr =
		"76d9e839b7674d376a42a061de5933e08a51d8162f09cd1c0f4fb5c3404d65c5",
	.spi_i =
		"433cb54c7a2d4021",
	.spi_r =
		"36e9429f922a151f",
	.g_ir =
		"c3af106fe3d613b9af9809a95ce56cf157cc211cdcef93f268b661fd81054a37"
		"423991370d32fd042f0d12b5711f0b51c74701833154fdd22177e819e2310122"
		"23b71ddd60cdf96ecf9317479646649fd3a931b7a44fe1f4914390d18153ea78"
		"7462cc73188a020459c9120b1de45494a94a112d3c27ba0d398ce2f094d78c81"
		"0ff1b61d8cf225f01e3fcc79df783527895872e0d1e56e5347bc6928d2256a3d"
		"e01f27de04b69427aaab0e9b141e3b7c24b02b79af8da06625730d178f395d56"
		"44bb6e4ad35f85bf91084eff23696d5ada98eab3a6182a71b72df31f26e880e7"
		"8ced5fe13419e3af073ce7fdec4cbf617fda220b9f712a7fe38abbd81f241f0c",
	.skeyseed =
		"18ce8dda0c3268db6433f1102b92d9b75d67f21c9e6ba741085a8308e92348b6"
		"4588f01dc9f5db37415351a93aab234bbf38c841105dce8485e4cb0671ed2ff2",
	.sk = {
		/* SK_d */ "c31276aa163e1ddaa347965a6e2a61404bb408bd864312da3d115930bbea4db1"
			"75e842e7923392d0240b5f925ec6b40fe30d714eaf4b2c2651f1ba0823586e6a",
		/* SK_ai */ "",
		/* SK_ar */ "",
		/* SK_ei */ "f954c193a7c826304e61acf44db374348faece4908a9023655793fa867c510bd"
			"bf5462ce",
		/* SK_er */ "b94ba3cc1d6eec3cb97d1557d8644853fbefae9a40164f4717690afaf18253a8"
			"7486293e",
		/* SK_pi */ "da0cd655feded223717f8ced7166be0c2a4f4848a2140b9a40cb592fcb6362d5"
			"6c8c9ab610646b293d4070b9b8ca59ce796d3364afed2adf8b81d8ccfcd48330",
		/* SK_pr */ "492b8404d581c4ac9df937b431acf192200d8a07d62bf25269b613c45c87358d"
			"e088e84326602df4b43bda31a2637bfed644b77cf8afb161b47f5f17b1d18589",
	},
	.child =
		"d57dfc88ec6411dc253f5a4058747ef0a419652bc81d9864e389c2584eeaf1bd"
		"0c858b2d27f24f333220b2cafb79a08bb5879577dc908c7a7eb14da8c5f3ca57"
		"9d83298cafe1fe4a",
	.octets_i =
		"433cb54c7a2d402100000000000000002120220800000000000001c822000028"
		"00000024010100030300000c01000014800e0100030000080200000700000008"
		"0400000e28000108000e00001eaf0b264d9e4f000c534b16a544c29525a3dbab"
		"5798710c13783261c3321e6b2255fc2d94bb393cd1102fb92fecf12d104d8477"
		"c9ce4978c1bbccb9870008c553fcfe174ba4917233e9c0148caebc39616084e0"
		"e574faf1aff453a1537825cb50f5f23a20765ad2f50d9a4800a1fe5910c1a7a2"
		"2b2903b9ace7bbf9222ed8483eadf969e880b0df1c9a2471d2e84a92a337accd"
		"691d1777a06e96b1b2c907780535c2d59cbd874949efe41e035bfe5c65d2fb8c"
		"4c8892c734608fb72f5a68e264e4b4da23487b44935b854c9f2a23b1ea7794ef"
		"4c476c0114f0e4034382ad2e95449d36493145209ca10e3dcb26a5e5c20a8a4d"
		"287f257ef3d5fd0bb5757198290000247b04712655d1ea293adaaa3b3246a7e8"
		"ea0f96d584b555209b22dc62c921c7242900001c00004004c278982811c5f607"
		"7209b8ed3be3f186553656ca2900001c0000400585988f2efd913ce0ddcdf0b8"
		"93adb433bfa151ca290000080000402e290000100000402f0002000300040005"
		"000000080000401676d9e839b7674d376a42a061de5933e08a51d8162f09cd1c"
		"0f4fb5c3404d65c551c4f152ebc1983a1fc1516d8a965889e255c86a795b0bbb"
		"ce8f7fb384037664719b71559be393bb38c267dc97fb8a1a4b689e495bc69a6c"
		"86d6e731bcfc3adb",
	.auth_i =
		"70f3f388fc19007121e27703977bcc39ed005aac0453778cea558598318c6a0c"
		"d8e882d832dfce5d1ca38fdef99b1ebaa9682dec58a239f545d07c6f49ee0bcc",
	.auth_r =
		"9f842f3d8b7a9247c55a42a0ad930ca1c140ea2de6a7820b064ceb55017daeeb"
		"3c261cdc33df262a14faabb026b5a24fdcdf4d649dcc1b62e21d99612077cd7f",
};

static const struct charon_run *const charon_runs[] = {
	&run_x25519, &run_ecp256, &run_modp2048,
};

struct blob {
	uint8_t b[1024];
	size_t n;
};

static void hb(struct blob *x, const char *hex)
{
	x->n = unhex(hex, x->b, sizeof(x->b));
}

static void check_keys(const struct sgw_ike_keys *k, const char *const want[7])
{
	const struct sgw_ike_key *got[7] = { &k->d, &k->ai, &k->ar, &k->ei,
					     &k->er, &k->pi, &k->pr };

	for (int i = 0; i < 7; i++) {
		struct blob w;

		hb(&w, want[i]);
		assert_int_equal(got[i]->len, w.n);
		assert_memory_equal(got[i]->b, w.b, w.n);
	}
}

/* Opens an IKE_AUTH message with our SK code, finds its ID and AUTH
 * payloads, and checks AUTH = prf(prf(PSK, pad), first | nonce |
 * prf(SK_p, ID')) as we compute it against what charon sent. For GCM,
 * sealing the plaintext again with charon's explicit IV must give charon's
 * bytes back: same framing, same padding (none), same tag. */
static void check_auth_msg(const struct charon_run *r, const struct blob *m,
			   struct sgw_ike_sk *sk, uint8_t idtype,
			   const struct blob *first, const struct blob *nonce,
			   const struct sgw_ike_key *skp, const char *octets_hex,
			   const char *auth_hex)
{
	size_t skl, off, idl, ido, al, ao, pl, ol, n;
	uint8_t inner[1024], octets[1024], mac[64], again[1024];
	struct blob want;

	/* The Encrypted payload: the last one, its header authenticated. */
	off = find_payload(m->b, m->n, 28, m->b[16], 46, &skl);
	assert_true(off != 0);
	assert_int_equal(off + skl, m->n);
	assert_int_equal(sgw_ike_sk_decrypt(sk, m->b, off + 4, m->b + off + 4,
					    skl - 4, inner, sizeof(inner), &pl),
			 0);
	ido = find_payload(inner, pl, 0, m->b[off], idtype, &idl);
	ao = find_payload(inner, pl, 0, m->b[off], 39, &al);
	assert_true(idl > 4 && al > 8);
	(void)ido;
	/* AUTH payload: method 2, Shared Key Message Integrity Code. */
	assert_int_equal(inner[ao + 4], 2);

	assert_int_equal(sgw_ike_signed_octets(first->b, first->n, nonce->b,
					       nonce->n, r->suite.prf, skp,
					       inner + ido + 4, idl - 4, octets,
					       sizeof(octets), &ol), 0);
	if (octets_hex != NULL) {
		hb(&want, octets_hex);
		assert_int_equal(ol, want.n);
		assert_memory_equal(octets, want.b, ol);
	}
	assert_int_equal(sgw_ike_auth_psk(r->suite.prf,
					  (const uint8_t *)charon_psk,
					  strlen(charon_psk), octets, ol, mac), 0);
	assert_int_equal(al - 8, sgw_ike_prf_len(r->suite.prf));
	assert_memory_equal(mac, inner + ao + 8, al - 8);
	hb(&want, auth_hex);
	assert_memory_equal(mac, want.b, want.n);

	if (r->suite.encr == SGW_IKE_ENCR_AES_GCM_16) {
		uint64_t iv = 0;

		for (int i = 0; i < 8; i++)
			iv = iv << 8 | m->b[off + 4 + i];
		assert_int_equal(sgw_ike_sk_encrypt(sk, iv, m->b, off + 4, inner,
						    pl, again, sizeof(again), &n),
				 0);
		assert_int_equal(n, skl - 4);
		assert_memory_equal(again, m->b + off + 4, n);
	}
}

static void test_charon(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(charon_runs) / sizeof(charon_runs[0]); c++) {
		const struct charon_run *r = charon_runs[c];
		const struct sgw_ike_suite *s = &r->suite;
		bool gcm = s->encr == SGW_IKE_ENCR_AES_GCM_16;
		struct blob m1, m2, m3, m4, ni, nr, spi_i, spi_r, g, want, child;
		uint8_t skeyseed[64], km[256];
		struct sgw_ike_keys k, k2;
		struct sgw_ike_sk *ski, *skr;
		size_t off, l;

		hb(&m1, r->m1);
		hb(&m2, r->m2);
		hb(&m3, r->m3);
		hb(&m4, r->m4);
		hb(&ni, r->ni);
		hb(&nr, r->nr);
		hb(&spi_i, r->spi_i);
		hb(&spi_r, r->spi_r);
		hb(&g, r->g_ir);
		/* The recorded values belong to these messages. */
		off = find_payload(m1.b, m1.n, 28, m1.b[16], 40, &l);
		assert_int_equal(l - 4, ni.n);
		assert_memory_equal(m1.b + off + 4, ni.b, ni.n);
		off = find_payload(m2.b, m2.n, 28, m2.b[16], 40, &l);
		assert_int_equal(l - 4, nr.n);
		assert_memory_equal(m2.b + off + 4, nr.b, nr.n);
		assert_memory_equal(m2.b, spi_i.b, 8);
		assert_memory_equal(m2.b + 8, spi_r.b, 8);
		assert_int_equal(g.n, sgw_ike_dh_len(r->group) /
				 (r->group == SGW_IKE_DH_ECP_256 ? 2 : 1));

		/* SKEYSEED and the seven keys, bit for bit. */
		assert_int_equal(sgw_ike_skeyseed(s->prf, ni.b, ni.n, nr.b, nr.n,
						  g.b, g.n, skeyseed), 0);
		hb(&want, r->skeyseed);
		assert_int_equal(want.n, sgw_ike_prf_len(s->prf));
		assert_memory_equal(skeyseed, want.b, want.n);
		assert_int_equal(sgw_ike_derive_keys(s, skeyseed, ni.b, ni.n, nr.b,
						     nr.n, spi_i.b, spi_r.b, &k), 0);
		check_keys(&k, r->sk);

		/* The first Child SA's KEYMAT (no KE in IKE_AUTH). */
		hb(&child, r->child);
		assert_int_equal(sgw_ike_child_keymat(s->prf, &k.d, NULL, 0, ni.b,
						      ni.n, nr.b, nr.n, km,
						      child.n), 0);
		assert_memory_equal(km, child.b, child.n);

		/* IKE_AUTH both ways: decrypted by us, AUTH recomputed. */
		assert_int_equal(sgw_ike_sk_new(s, &k.ei, gcm ? NULL : &k.ai,
						&ski), 0);
		assert_int_equal(sgw_ike_sk_new(s, &k.er, gcm ? NULL : &k.ar,
						&skr), 0);
		check_auth_msg(r, &m3, ski, 35, &m1, &nr, &k.pi, r->octets_i,
			       r->auth_i);
		check_auth_msg(r, &m4, skr, 36, &m2, &ni, &k.pr, NULL, r->auth_r);
		/* Wrong direction's keys: nothing opens. */
		off = find_payload(m3.b, m3.n, 28, m3.b[16], 46, &l);
		assert_int_equal(sgw_ike_sk_decrypt(skr, m3.b, off + 4,
						    m3.b + off + 4, l - 4, want.b,
						    sizeof(want.b), &l), -EBADMSG);
		sgw_ike_sk_free(ski);
		sgw_ike_sk_free(skr);

		if (r->ni2 != NULL) {
			struct blob ni2, nr2, si2, sr2, g2, ni3, nr3, g3;

			/* IKE SA rekey (2.18) with the old SK_d and PRF. */
			hb(&ni2, r->ni2);
			hb(&nr2, r->nr2);
			hb(&si2, r->spi_i2);
			hb(&sr2, r->spi_r2);
			hb(&g2, r->g_ir2);
			assert_int_equal(sgw_ike_skeyseed_rekey(s->prf, &k.d, g2.b,
								g2.n, ni2.b, ni2.n,
								nr2.b, nr2.n,
								skeyseed), 0);
			hb(&want, r->skeyseed2);
			assert_memory_equal(skeyseed, want.b, want.n);
			assert_int_equal(sgw_ike_derive_keys(s, skeyseed, ni2.b,
							     ni2.n, nr2.b, nr2.n,
							     si2.b, sr2.b, &k2), 0);
			check_keys(&k2, r->sk2);
			/* Child SA rekey with PFS (2.17) under the new SA. */
			hb(&ni3, r->ni3);
			hb(&nr3, r->nr3);
			hb(&g3, r->g_ir3);
			hb(&child, r->child3);
			assert_int_equal(sgw_ike_child_keymat(s->prf, &k2.d, g3.b,
							      g3.n, ni3.b, ni3.n,
							      nr3.b, nr3.n, km,
							      child.n), 0);
			assert_memory_equal(km, child.b, child.n);
			sgw_ike_keys_clear(&k2);
		}
		sgw_ike_keys_clear(&k);
	}
}

/*
 * RFC 7427 AUTH payloads (method 14) made by charon: two more runs of the
 * harness above (proposals aes128gcm16-prfsha256-x25519, 2026-11-23) with
 * "auth = pubkey" and raw public keys ("pubkeys" in swanctl.conf; keys made
 * by openssl genpkey): run 4 with an RSA-2048 initiator and
 * "charon.rsa_pss = yes", a P-256 responder; run 5 with the same RSA key
 * and strongSwan's default PKCS#1 v1.5, a P-384 responder. charon chose
 * RSASSA-PSS/SHA-256/salt 32, ECDSA-with-SHA256, sha256WithRSAEncryption
 * and ECDSA-with-SHA384. spki is the signer's SubjectPublicKeyInfo, octets
 * the signed octets from charon's log (the verifier's side logs them too),
 * auth the AUTH payload's data after the method and reserved bytes, taken
 * from the IKE_AUTH messages decrypted with the logged SK_ei/SK_er (and
 * checked with pyca/cryptography before printing).
 */
static const struct {
	enum sgw_ike_sig_alg alg;
	const char *spki, *octets, *auth;
} charon_sigs[] = {
	{ /* sig1: initiator rsa, AlgorithmIdentifier 304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120 */
		.alg = SGW_IKE_SIG_RSA_PSS_SHA256,
		.spki =
		"30820122300d06092a864886f70d01010105000382010f003082010a02820101"
		"00c3edec4ded3cad827acd7da21124afdaf1be7f896ba807252d31eddeb1edbd"
		"63483f6b7ff867754007524eeccab3ea0790f0bac6ed7da24be963b77c8637fd"
		"2c3e1bc0b44a09e580dc674e674bfa396b8469637124515c73b08d6333dbeb0b"
		"4a5860a3c2cf9aa8154072755aa02468e46ac26c383b5d902e502c5bfe8782ad"
		"d8e3691e5ac0756aa102fd776a368745ed538eed5b6f683af88483546a53edf0"
		"b402a9f2de5fc73123120cbfd32d3ae9127a5acd0b54c0ed554756e84df5c79d"
		"3e55db0be76d1f3a0e42d1852879653aa1e433d0c99a63cb9d926e9c87eb7e19"
		"dd3ca7baa85e6f998853d9cee7f5fb75b4259d06b78a2038c20c15058da8b642"
		"bb0203010001",
		.octets =
		"cfd1ef7aa7b0c93b00000000000000002120220800000000000000e822000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f00000db9fd8b9d95c52ac09245d86ce3ffdde073013b"
		"4553dc31ddc4da5b8fde6178290000241e1befa94f174ea51e92faf8f21ab71a"
		"f9011e76f63132bfcbd40bb00025f7762900001c00004004fc0abf8292120f6f"
		"a9cbeea3d58042c0e5dedb2c2900001c000040057ae998d5498bf1d2fe5af0c1"
		"795789b385ecf5cf290000080000402e290000100000402f0002000300040005"
		"0000000800004016dc1e21da46383b6daf503c9ef0b2a3081d075ccb986b658b"
		"abf241d999b3d7f54b6fcc2615e293e7a63a2a8285a55e124b4821fbde5ceaad"
		"7c3d2e5095aca405",
		.auth =
		"43304106092a864886f70d01010a3034a00f300d060960864801650304020105"
		"00a11c301a06092a864886f70d010108300d06096086480165030402010500a2"
		"030201201d1bb8a0b93237ec7e732912f989d9b9aaf07e951760e10d4bd3b1ee"
		"ef99772619c16b1379ff29073475451e06ea7a9de83c0f1e632e56fea710fe5e"
		"035d19dbb68505c2b0eabe37143bfa5cb655f31ce9a907f5e0c0ebf6819c757f"
		"546195ddb77e1e6dd73d7e8beb0644e961558b707d47d464cb477eca220cf35c"
		"b166a2925e7c2d132e41847d59cd196458ce340089f8e255a07896ec61433d93"
		"80f555c036c7471d1ad6cb46c99687682610ae2070a85a9a7531edb1c20987c9"
		"4d217d1b66a43a2e613b8eb7becc507e2f2b37d85a8a9d53d186f4426a63719c"
		"e52f927472efe9e7ef7c41eb47de9aa78c0a20573babec28e5c1e569399d1285"
		"d5fd1522" },
	{ /* sig1: responder p256, AlgorithmIdentifier 300a06082a8648ce3d040302 */
		.alg = SGW_IKE_SIG_ECDSA_P256_SHA256,
		.spki =
		"3059301306072a8648ce3d020106082a8648ce3d030107034200042be220c302"
		"7a04883e201829e7e398117aa5f4d1cd070c804b66777c215172eed2ef735efa"
		"e2b6048252cb8528199d4c770767e2f038601d47a10bc5d5737b88",
		.octets =
		"cfd1ef7aa7b0c93baae71a2431cf77872120222000000000000000f022000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f0000042b7b409ac70dd088a356ee61677a7c54a0d6dc"
		"33603b840407711b7e135f3229000024dc1e21da46383b6daf503c9ef0b2a308"
		"1d075ccb986b658babf241d999b3d7f52900001c000040047ba309663222d3fa"
		"c35d0187145f393218fbfa732900001c0000400550241899a7ba4c3e9e06dc89"
		"40ad812aaf1f6cd5290000080000402e290000100000402f0002000300040005"
		"290000080000402200000008000040141e1befa94f174ea51e92faf8f21ab71a"
		"f9011e76f63132bfcbd40bb00025f776d3c0a2d86d585f34d3332a9ba0fc7a02"
		"237ad557248999cc9d75d5e00b521a54",
		.auth =
		"0c300a06082a8648ce3d0403023045022100b9fa983bbc2d7d334e593c3489ea"
		"dc454c6e521174c6cb698ef8e22204308e850220424ced6168b1760a3e53f666"
		"b2f357bf0d1cff3becbad591d6671c50fd4dadfe" },
	{ /* sig2: initiator rsa, AlgorithmIdentifier 300d06092a864886f70d01010b0500 */
		.alg = SGW_IKE_SIG_RSA_SHA256,
		.spki =
		"30820122300d06092a864886f70d01010105000382010f003082010a02820101"
		"00c3edec4ded3cad827acd7da21124afdaf1be7f896ba807252d31eddeb1edbd"
		"63483f6b7ff867754007524eeccab3ea0790f0bac6ed7da24be963b77c8637fd"
		"2c3e1bc0b44a09e580dc674e674bfa396b8469637124515c73b08d6333dbeb0b"
		"4a5860a3c2cf9aa8154072755aa02468e46ac26c383b5d902e502c5bfe8782ad"
		"d8e3691e5ac0756aa102fd776a368745ed538eed5b6f683af88483546a53edf0"
		"b402a9f2de5fc73123120cbfd32d3ae9127a5acd0b54c0ed554756e84df5c79d"
		"3e55db0be76d1f3a0e42d1852879653aa1e433d0c99a63cb9d926e9c87eb7e19"
		"dd3ca7baa85e6f998853d9cee7f5fb75b4259d06b78a2038c20c15058da8b642"
		"bb0203010001",
		.octets =
		"a29e9b408ba97efb00000000000000002120220800000000000000e822000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f00005ebbf04ca51963a62158668ed136f7e994c6855f"
		"53d974ffb66865a44c85591129000024141c0838eea673f8733d486a0735ca7e"
		"b182c53f21ab9f7d5550ebc3104addea2900001c00004004d876d2f09283f3ba"
		"3098817070f6d9afe037ede42900001c00004005ed4356d6cf6ad69df03afb22"
		"e2ab24073d0a4bdf290000080000402e290000100000402f0002000300040005"
		"00000008000040160295100d81c4c5ba1111d83ab14e8e607192e0ffce125e2f"
		"0c3ef42dc4e40c396e6ad427232601297cd856d05b1ea58d7cdf1de33c23daf8"
		"1d294a48861e1aab",
		.auth =
		"0f300d06092a864886f70d01010b0500808aeab8e106bdea82f9c61cbacb4383"
		"0ac2ca02d0b16ff69c696b7e1c5ece453420a93fbc1d96149cbc9d2253764d20"
		"311f0909f8d94ca58229865ab36d3507edfcfef85c98024e1af6d6ab8d7475f6"
		"8b7dad3e6691a993f7a6b09984f1046dda0c1c789fa53b182854bfc07ca9b22d"
		"230d1012e862fadc7cd99dfe4284e91cd0a828c4e2472214ccb53e5deaa3dd04"
		"f5c66a61d6f9635b6f32b040cc117ad4e805871793248e915a3b123215048702"
		"27e4ceb48c0db30c7f407bc72fe42b4f2e290ddbf655ba3ca8f68a4536d42104"
		"fb8785cef47f4785ae0d876deb6acd385f8329f9aa8a618098ccfead8fdaa216"
		"c052c5f5506fb3509b149d16b6f3a0f8" },
	{ /* sig2: responder p384, AlgorithmIdentifier 300a06082a8648ce3d040303 */
		.alg = SGW_IKE_SIG_ECDSA_P384_SHA384,
		.spki =
		"3076301006072a8648ce3d020106052b810400220362000442a5048745fe52f7"
		"3bd4baeb669780ecab21c52d1ec006e2434fa4cc210d7c90d1aa69a28f42ee49"
		"9003eea246baa7527a916c721bce2f3b0da800b191b241eef28307a3f438f835"
		"7457f36577da21fe7a2e1990edefd16421c4867f65f88f1b",
		.octets =
		"a29e9b408ba97efbadcb0c5066640be82120222000000000000000f022000028"
		"00000024010100030300000c01000014800e0080030000080200000500000008"
		"0400001f28000028001f00001953989518ace764bbb2d9747d9941ab66a73bd2"
		"56588b33ad9cb947036ff759290000240295100d81c4c5ba1111d83ab14e8e60"
		"7192e0ffce125e2f0c3ef42dc4e40c392900001c00004004fcbbf523ee20132b"
		"edf427a46809cad9a16ebcaa2900001c00004005e8bbcd91d684179af1bee707"
		"57af040427c7a369290000080000402e290000100000402f0002000300040005"
		"29000008000040220000000800004014141c0838eea673f8733d486a0735ca7e"
		"b182c53f21ab9f7d5550ebc3104addeaa76b8fcdec2666c2463cca8d7a0cb862"
		"fbcf368a3116243f6599b748366525e5",
		.auth =
		"0c300a06082a8648ce3d0403033065023002a5cd602ca1a97b2257eed9d83e17"
		"84e65082ba5c7b16e49ec2b6164fe4d7811f6782470750c9bc36d9a0a5eb0508"
		"33023100a1e47783dcaaad0ffd5a0093831acfad6eb442d4706dd6801bea9087"
		"5b344d92b8e26ad8246297bd87d7b8ca44a9f5c9" },
};

static void test_sig_charon(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(charon_sigs) / sizeof(charon_sigs[0]); i++) {
		struct blob spki, oct, auth;
		const uint8_t *p;
		enum sgw_ike_sig_alg got = 0;
		EVP_PKEY *pub;

		hb(&spki, charon_sigs[i].spki);
		hb(&oct, charon_sigs[i].octets);
		hb(&auth, charon_sigs[i].auth);
		p = spki.b;
		pub = d2i_PUBKEY(NULL, &p, (long)spki.n);
		assert_non_null(pub);
		assert_int_equal(sgw_ike_sig_verify(pub, auth.b, auth.n, oct.b,
						    oct.n, &got), 0);
		assert_int_equal(got, charon_sigs[i].alg);
		oct.b[oct.n - 1] ^= 1;
		assert_int_equal(sgw_ike_sig_verify(pub, auth.b, auth.n, oct.b,
						    oct.n, NULL), -EBADMSG);
		EVP_PKEY_free(pub);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_rfc4231),
		cmocka_unit_test(test_prf_edges),
		cmocka_unit_test(test_prf_plus),
		cmocka_unit_test(test_dh_agree),
		cmocka_unit_test(test_dh_vectors),
		cmocka_unit_test(test_dh_reject),
		cmocka_unit_test(test_derive_keys_lengths),
		cmocka_unit_test(test_sk_roundtrip),
		cmocka_unit_test(test_sk_cbc_iv),
		cmocka_unit_test(test_sk_vectors),
		cmocka_unit_test(test_auth_psk),
		cmocka_unit_test(test_signed_octets),
		cmocka_unit_test(test_sig),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_charon),
		cmocka_unit_test(test_sig_charon),
	};

	sgw_ike_crypto_set_log(log_sink, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
