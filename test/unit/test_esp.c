/* SPDX-License-Identifier: BSD-3-Clause */
/* ESP with AES-GCM-16: decapsulation of published ESP vectors, the cipher
 * functions against the GCM specification's and NIST's vectors, round trips
 * through every encapsulation variant checked field by field and opened by
 * OpenSSL, sequence number exhaustion, lifetimes, and trailer checks on
 * packets a peer (OpenSSL) sealed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "eal_test.h"
#include "esp.h"

struct esp_vec {
	const char *name;
	unsigned key_len;
	uint8_t key[32];
	uint8_t salt[4];
	uint32_t spi;
	uint64_t seq;                /* 64 bits with ESN */
	bool esn;
	const uint8_t *pt;           /* plaintext including the ESP trailer */
	unsigned pt_len;
	const uint8_t *esp;          /* SPI, sequence number, IV, ciphertext, ICV */
	unsigned esp_len;
};

/*
 * ESP packets from draft-mcgrew-gcm-test-01, "Test Cases for the use of
 * Galois/Counter Mode (GCM) and Galois Message Authentication Code (GMAC) in
 * IPsec ESP", section 4 (AES-GCM), numbered in the order the draft lists
 * them: 1st (AES-128, ESN), 2nd (AES-128), 3rd (AES-256), 8th (AES-128, ESN
 * sequence number 1), 12th (AES-128, sequence number 0xffffffff, trailer
 * only) and 14th (AES-256, ESN sequence number 2^64 - 1). Key and salt are
 * the draft's K and the first four bytes of its nonce; "pt" is its plaintext
 * (which includes padding, pad length and next header), "esp" its packet.
 * Every plaintext ends in next header 1, not 4 or 41: the draft's packets
 * are transport mode.
 */
/* draft-mcgrew-gcm-test-01 section 4, case 1:
 * AES-128, SPI 0x4321, ESN sequence number 0x8765432100000000. */
static const uint8_t case1_pt[72] = {
	0x45, 0x00, 0x00, 0x48, 0x69, 0x9a, 0x00, 0x00, 0x80, 0x11, 0x4d, 0xb7,
	0xc0, 0xa8, 0x01, 0x02, 0xc0, 0xa8, 0x01, 0x01, 0x0a, 0x9b, 0xf1, 0x56,
	0x38, 0xd3, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x5f, 0x73, 0x69, 0x70, 0x04, 0x5f, 0x75, 0x64, 0x70, 0x03, 0x73,
	0x69, 0x70, 0x09, 0x63, 0x79, 0x62, 0x65, 0x72, 0x63, 0x69, 0x74, 0x79,
	0x02, 0x64, 0x6b, 0x00, 0x00, 0x21, 0x00, 0x01, 0x01, 0x02, 0x02, 0x01,
};
static const uint8_t case1_esp[104] = {
	0x00, 0x00, 0x43, 0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x56, 0xed, 0x7e,
	0x3b, 0x24, 0x4c, 0xfe, 0xfe, 0xcf, 0x53, 0x7e, 0x72, 0x9d, 0x5b, 0x07,
	0xdc, 0x30, 0xdf, 0x52, 0x8d, 0xd2, 0x2b, 0x76, 0x8d, 0x1b, 0x98, 0x73,
	0x66, 0x96, 0xa6, 0xfd, 0x34, 0x85, 0x09, 0xfa, 0x13, 0xce, 0xac, 0x34,
	0xcf, 0xa2, 0x43, 0x6f, 0x14, 0xa3, 0xf3, 0xcf, 0x65, 0x92, 0x5b, 0xf1,
	0xf4, 0xa1, 0x3c, 0x5d, 0x15, 0xb2, 0x1e, 0x18, 0x84, 0xf5, 0xff, 0x62,
	0x47, 0xae, 0xab, 0xb7, 0x86, 0xb9, 0x3b, 0xce, 0x61, 0xbc, 0x17, 0xd7,
	0x68, 0xfd, 0x97, 0x32, 0x45, 0x90, 0x18, 0x14, 0x8f, 0x6c, 0xbe, 0x72,
	0x2f, 0xd0, 0x47, 0x96, 0x56, 0x2d, 0xfd, 0xb4,
};
/* draft-mcgrew-gcm-test-01 section 4, case 2:
 * AES-128, SPI 0xa5f8, sequence number 10. */
static const uint8_t case2_pt[64] = {
	0x45, 0x00, 0x00, 0x3e, 0x69, 0x8f, 0x00, 0x00, 0x80, 0x11, 0x4d, 0xcc,
	0xc0, 0xa8, 0x01, 0x02, 0xc0, 0xa8, 0x01, 0x01, 0x0a, 0x98, 0x00, 0x35,
	0x00, 0x2a, 0x23, 0x43, 0xb2, 0xd0, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x73, 0x69, 0x70, 0x09, 0x63, 0x79, 0x62,
	0x65, 0x72, 0x63, 0x69, 0x74, 0x79, 0x02, 0x64, 0x6b, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x01,
};
static const uint8_t case2_esp[96] = {
	0x00, 0x00, 0xa5, 0xf8, 0x00, 0x00, 0x00, 0x0a, 0xfa, 0xce, 0xdb, 0xad,
	0xde, 0xca, 0xf8, 0x88, 0xde, 0xb2, 0x2c, 0xd9, 0xb0, 0x7c, 0x72, 0xc1,
	0x6e, 0x3a, 0x65, 0xbe, 0xeb, 0x8d, 0xf3, 0x04, 0xa5, 0xa5, 0x89, 0x7d,
	0x33, 0xae, 0x53, 0x0f, 0x1b, 0xa7, 0x6d, 0x5d, 0x11, 0x4d, 0x2a, 0x5c,
	0x3d, 0xe8, 0x18, 0x27, 0xc1, 0x0e, 0x9a, 0x4f, 0x51, 0x33, 0x0d, 0x0e,
	0xec, 0x41, 0x66, 0x42, 0xcf, 0xbb, 0x85, 0xa5, 0xb4, 0x7e, 0x48, 0xa4,
	0xec, 0x3b, 0x9b, 0xa9, 0x5d, 0x91, 0x8b, 0xd1, 0x83, 0xb7, 0x0d, 0x3a,
	0xa8, 0xbc, 0x6e, 0xe4, 0xc3, 0x09, 0xe9, 0xd8, 0x5a, 0x41, 0xad, 0x4a,
};
/* draft-mcgrew-gcm-test-01 section 4, case 3:
 * AES-256, SPI 0x4a2cbfe3, sequence number 2. */
static const uint8_t case3_pt[52] = {
	0x45, 0x00, 0x00, 0x30, 0x69, 0xa6, 0x40, 0x00, 0x80, 0x06, 0x26, 0x90,
	0xc0, 0xa8, 0x01, 0x02, 0x93, 0x89, 0x15, 0x5e, 0x0a, 0x9e, 0x00, 0x8b,
	0x2d, 0xc5, 0x7e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x70, 0x02, 0x40, 0x00,
	0x20, 0xbf, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
	0x01, 0x02, 0x02, 0x01,
};
static const uint8_t case3_esp[84] = {
	0x4a, 0x2c, 0xbf, 0xe3, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0xff, 0x42, 0x5c, 0x9b, 0x72, 0x45, 0x99, 0xdf,
	0x7a, 0x3b, 0xcd, 0x51, 0x01, 0x94, 0xe0, 0x0d, 0x6a, 0x78, 0x10, 0x7f,
	0x1b, 0x0b, 0x1c, 0xbf, 0x06, 0xef, 0xae, 0x9d, 0x65, 0xa5, 0xd7, 0x63,
	0x74, 0x8a, 0x63, 0x79, 0x85, 0x77, 0x1d, 0x34, 0x7f, 0x05, 0x45, 0x65,
	0x9f, 0x14, 0xe9, 0x9d, 0xef, 0x84, 0x2d, 0x8e, 0xb3, 0x35, 0xf4, 0xee,
	0xcf, 0xdb, 0xf8, 0x31, 0x82, 0x4b, 0x4c, 0x49, 0x15, 0x95, 0x6c, 0x96,
};
/* draft-mcgrew-gcm-test-01 section 4, case 8:
 * AES-128, SPI 0x100, ESN sequence number 1. */
static const uint8_t case8_pt[76] = {
	0x45, 0x00, 0x00, 0x49, 0x33, 0xba, 0x00, 0x00, 0x7f, 0x11, 0x91, 0x06,
	0xc3, 0xfb, 0x1d, 0x10, 0xc2, 0xb1, 0xd3, 0x26, 0xc0, 0x28, 0x31, 0xce,
	0x00, 0x35, 0xdd, 0x7b, 0x80, 0x03, 0x02, 0xd5, 0x00, 0x00, 0x4e, 0x20,
	0x00, 0x1e, 0x8c, 0x18, 0xd7, 0x5b, 0x81, 0xdc, 0x91, 0xba, 0xa0, 0x47,
	0x6b, 0x91, 0xb9, 0x24, 0xb2, 0x80, 0x38, 0x9d, 0x92, 0xc9, 0x63, 0xba,
	0xc0, 0x46, 0xec, 0x95, 0x9b, 0x62, 0x66, 0xc0, 0x47, 0x22, 0xb1, 0x49,
	0x23, 0x01, 0x01, 0x01,
};
static const uint8_t case8_esp[108] = {
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0xca, 0xfe, 0xde, 0xba,
	0xce, 0xfa, 0xce, 0x74, 0x18, 0xa6, 0xfd, 0x42, 0xf7, 0x2c, 0xbf, 0x4a,
	0xb2, 0xa2, 0xea, 0x90, 0x1f, 0x73, 0xd8, 0x14, 0xe3, 0xe7, 0xf2, 0x43,
	0xd9, 0x54, 0x12, 0xe1, 0xc3, 0x49, 0xc1, 0xd2, 0xfb, 0xec, 0x16, 0x8f,
	0x91, 0x90, 0xfe, 0xeb, 0xaf, 0x2c, 0xb0, 0x19, 0x84, 0xe6, 0x58, 0x63,
	0x96, 0x5d, 0x74, 0x72, 0xb7, 0x9d, 0xa3, 0x45, 0xe0, 0xe7, 0x80, 0x19,
	0x1f, 0x0d, 0x2f, 0x0e, 0x0f, 0x49, 0x6c, 0x22, 0x6f, 0x21, 0x27, 0xb2,
	0x7d, 0xb3, 0x57, 0x24, 0xe7, 0x84, 0x5d, 0x68, 0x65, 0x1f, 0x57, 0xe6,
	0x5f, 0x35, 0x4f, 0x75, 0xff, 0x17, 0x01, 0x57, 0x69, 0x62, 0x34, 0x36,
};
/* draft-mcgrew-gcm-test-01 section 4, case 12:
 * AES-128, SPI 0x335467ae, sequence number 0xffffffff, trailer only. */
static const uint8_t case12_pt[4] = {
	0x01, 0x02, 0x02, 0x01,
};
static const uint8_t case12_esp[36] = {
	0x33, 0x54, 0x67, 0xae, 0xff, 0xff, 0xff, 0xff, 0x43, 0x45, 0x7e, 0x91,
	0x82, 0x44, 0x3b, 0xc6, 0x43, 0x7f, 0x86, 0x6b, 0xcb, 0x3f, 0x69, 0x9f,
	0xe9, 0xb0, 0x82, 0x2b, 0xac, 0x96, 0x1c, 0x45, 0x04, 0xbe, 0xf2, 0x70,
};
/* draft-mcgrew-gcm-test-01 section 4, case 14:
 * AES-256, SPI 0x796b6963, ESN sequence number 2^64 - 1. */
static const uint8_t case14_pt[52] = {
	0x45, 0x00, 0x00, 0x30, 0xda, 0x3a, 0x00, 0x00, 0x80, 0x01, 0xdf, 0x3b,
	0xc0, 0xa8, 0x00, 0x05, 0xc0, 0xa8, 0x00, 0x01, 0x08, 0x00, 0xc6, 0xcd,
	0x02, 0x00, 0x07, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74,
	0x01, 0x02, 0x02, 0x01,
};
static const uint8_t case14_esp[84] = {
	0x79, 0x6b, 0x69, 0x63, 0xff, 0xff, 0xff, 0xff, 0x33, 0x30, 0x21, 0x69,
	0x67, 0x65, 0x74, 0x6d, 0xf9, 0x7a, 0xb2, 0xaa, 0x35, 0x6d, 0x8e, 0xdc,
	0xe1, 0x76, 0x44, 0xac, 0x8c, 0x78, 0xe2, 0x5d, 0xd2, 0x4d, 0xed, 0xbb,
	0x29, 0xeb, 0xf1, 0xb6, 0x4a, 0x27, 0x4b, 0x39, 0xb4, 0x9c, 0x3a, 0x86,
	0x4c, 0xd3, 0xd7, 0x8c, 0xa4, 0xae, 0x68, 0xa3, 0x2b, 0x42, 0x45, 0x8f,
	0xb5, 0x7d, 0xbe, 0x82, 0x1d, 0xcc, 0x63, 0xb9, 0xd0, 0x93, 0x7b, 0xa2,
	0x94, 0x5f, 0x66, 0x93, 0x68, 0x66, 0x1a, 0x32, 0x9f, 0xb4, 0xc0, 0x53,
};
static const struct esp_vec esp_vecs[] = {
	{ "case 1", 16,
	  { 0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a, 0xc7, 0x3c,
	    0x36, 0x13, 0xa6, 0x34 },
	  { 0x2e, 0x44, 0x3b, 0x68 }, 0x00004321, UINT64_C(0x8765432100000000), true,
	  case1_pt, sizeof(case1_pt), case1_esp, sizeof(case1_esp) },
	{ "case 2", 16,
	  { 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
	    0x67, 0x30, 0x83, 0x08 },
	  { 0xca, 0xfe, 0xba, 0xbe }, 0x0000a5f8, UINT64_C(0x0000000a), false,
	  case2_pt, sizeof(case2_pt), case2_esp, sizeof(case2_esp) },
	{ "case 3", 32,
	  { 0xab, 0xbc, 0xcd, 0xde, 0xf0, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67,
	    0x78, 0x89, 0x9a, 0xab, 0xab, 0xbc, 0xcd, 0xde, 0xf0, 0x01, 0x12, 0x23,
	    0x34, 0x45, 0x56, 0x67, 0x78, 0x89, 0x9a, 0xab },
	  { 0x11, 0x22, 0x33, 0x44 }, 0x4a2cbfe3, UINT64_C(0x00000002), false,
	  case3_pt, sizeof(case3_pt), case3_esp, sizeof(case3_esp) },
	{ "case 8", 16,
	  { 0xab, 0xbc, 0xcd, 0xde, 0xf0, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67,
	    0x78, 0x89, 0x9a, 0xab },
	  { 0xde, 0xca, 0xf8, 0x88 }, 0x00000100, UINT64_C(0x0000000000000001), true,
	  case8_pt, sizeof(case8_pt), case8_esp, sizeof(case8_esp) },
	{ "case 12", 16,
	  { 0x7d, 0x77, 0x3d, 0x00, 0xc1, 0x44, 0xc5, 0x25, 0xac, 0x61, 0x9d, 0x18,
	    0xc8, 0x4a, 0x3f, 0x47 },
	  { 0xd9, 0x66, 0x42, 0x67 }, 0x335467ae, UINT64_C(0xffffffff), false,
	  case12_pt, sizeof(case12_pt), case12_esp, sizeof(case12_esp) },
	{ "case 14", 32,
	  { 0x6c, 0x65, 0x67, 0x61, 0x6c, 0x69, 0x7a, 0x65, 0x6d, 0x61, 0x72, 0x69,
	    0x6a, 0x75, 0x61, 0x6e, 0x61, 0x61, 0x6e, 0x64, 0x64, 0x6f, 0x69, 0x74,
	    0x62, 0x65, 0x66, 0x6f, 0x72, 0x65, 0x69, 0x61 },
	  { 0x74, 0x75, 0x72, 0x6e }, 0x796b6963, UINT64_C(0xffffffffffffffff), true,
	  case14_pt, sizeof(case14_pt), case14_esp, sizeof(case14_esp) },
};

struct gcm_vec {
	const char *name;
	const uint8_t *key;
	unsigned key_len;
	uint8_t iv[12];
	const uint8_t *p;
	unsigned len;
	const uint8_t *a;
	unsigned a_len;
	const uint8_t *c;
	uint8_t t[16];
};

/*
 * Raw AES-GCM: Test Cases 1-4 and 13-16 (96-bit IVs) of McGrew and Viega,
 * "The Galois/Counter Mode of Operation (GCM)", revised submission to NIST,
 * appendix B; and the first vector (Count = 0) of two sections of NIST CAVP
 * gcmEncryptExtIV128.rsp (gcmtestvectors.zip).
 */
/* GCM spec Test Case 1. */
static const uint8_t nist0_k[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
/* GCM spec Test Case 2. */
static const uint8_t nist1_k[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t nist1_p[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t nist1_c[16] = {
	0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92, 0xf3, 0x28, 0xc2, 0xb9,
	0x71, 0xb2, 0xfe, 0x78,
};
/* GCM spec Test Case 3. */
static const uint8_t nist2_k[16] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
	0x67, 0x30, 0x83, 0x08,
};
static const uint8_t nist2_p[64] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
	0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
	0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
	0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
	0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
	0x1a, 0xaf, 0xd2, 0x55,
};
static const uint8_t nist2_c[64] = {
	0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7,
	0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
	0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2,
	0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
	0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
	0x47, 0x3f, 0x59, 0x85,
};
/* GCM spec Test Case 4. */
static const uint8_t nist3_k[16] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
	0x67, 0x30, 0x83, 0x08,
};
static const uint8_t nist3_p[60] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
	0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
	0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
	0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
	0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
};
static const uint8_t nist3_a[20] = {
	0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce,
	0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
};
static const uint8_t nist3_c[60] = {
	0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7,
	0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
	0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2,
	0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
	0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
};
/* GCM spec Test Case 13. */
static const uint8_t nist4_k[32] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* GCM spec Test Case 14. */
static const uint8_t nist5_k[32] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t nist5_p[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t nist5_c[16] = {
	0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e, 0x07, 0x4e, 0xc5, 0xd3,
	0xba, 0xf3, 0x9d, 0x18,
};
/* GCM spec Test Case 15. */
static const uint8_t nist6_k[32] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
	0x67, 0x30, 0x83, 0x08, 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
};
static const uint8_t nist6_p[64] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
	0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
	0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
	0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
	0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
	0x1a, 0xaf, 0xd2, 0x55,
};
static const uint8_t nist6_c[64] = {
	0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3,
	0x2a, 0x84, 0x42, 0x7d, 0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9,
	0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48,
	0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38,
	0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62,
	0x89, 0x80, 0x15, 0xad,
};
/* GCM spec Test Case 16. */
static const uint8_t nist7_k[32] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
	0x67, 0x30, 0x83, 0x08, 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
};
static const uint8_t nist7_p[60] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5,
	0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
	0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95,
	0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
	0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
};
static const uint8_t nist7_a[20] = {
	0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce,
	0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
};
static const uint8_t nist7_c[60] = {
	0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3,
	0x2a, 0x84, 0x42, 0x7d, 0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9,
	0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48,
	0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38,
	0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62,
};
/* gcmEncryptExtIV128.rsp, [PTlen = 128][AADlen = 128] Count = 0. */
static const uint8_t nist8_k[16] = {
	0xc9, 0x39, 0xcc, 0x13, 0x39, 0x7c, 0x1d, 0x37, 0xde, 0x6a, 0xe0, 0xe1,
	0xcb, 0x7c, 0x42, 0x3c,
};
static const uint8_t nist8_p[16] = {
	0xc3, 0xb3, 0xc4, 0x1f, 0x11, 0x3a, 0x31, 0xb7, 0x3d, 0x9a, 0x5c, 0xd4,
	0x32, 0x10, 0x30, 0x69,
};
static const uint8_t nist8_a[16] = {
	0x24, 0x82, 0x56, 0x02, 0xbd, 0x12, 0xa9, 0x84, 0xe0, 0x09, 0x2d, 0x3e,
	0x44, 0x8e, 0xda, 0x5f,
};
static const uint8_t nist8_c[16] = {
	0x93, 0xfe, 0x7d, 0x9e, 0x9b, 0xfd, 0x10, 0x34, 0x8a, 0x56, 0x06, 0xe5,
	0xca, 0xfa, 0x73, 0x54,
};
/* gcmEncryptExtIV128.rsp, [PTlen = 256][AADlen = 128] Count = 0. */
static const uint8_t nist9_k[16] = {
	0x29, 0x8e, 0xfa, 0x1c, 0xcf, 0x29, 0xcf, 0x62, 0xae, 0x68, 0x24, 0xbf,
	0xc1, 0x95, 0x57, 0xfc,
};
static const uint8_t nist9_p[32] = {
	0xcc, 0x38, 0xbc, 0xcd, 0x6b, 0xc5, 0x36, 0xad, 0x91, 0x9b, 0x13, 0x95,
	0xf5, 0xd6, 0x38, 0x01, 0xf9, 0x9f, 0x80, 0x68, 0xd6, 0x5c, 0xa5, 0xac,
	0x63, 0x87, 0x2d, 0xaf, 0x16, 0xb9, 0x39, 0x01,
};
static const uint8_t nist9_a[16] = {
	0x02, 0x1f, 0xaf, 0xd2, 0x38, 0x46, 0x39, 0x73, 0xff, 0xe8, 0x02, 0x56,
	0xe5, 0xb1, 0xc6, 0xb1,
};
static const uint8_t nist9_c[32] = {
	0xdf, 0xce, 0x4e, 0x9c, 0xd2, 0x91, 0x10, 0x3d, 0x7f, 0xe4, 0xe6, 0x33,
	0x51, 0xd9, 0xe7, 0x9d, 0x3d, 0xfd, 0x39, 0x1e, 0x32, 0x67, 0x10, 0x46,
	0x58, 0x21, 0x2d, 0xa9, 0x65, 0x21, 0xb7, 0xdb,
};
static const struct gcm_vec gcm_vecs[] = {
	{ "GCM spec Test Case 1", nist0_k, 16,
	  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  NULL, 0, NULL, 0, NULL,
	  { 0x58, 0xe2, 0xfc, 0xce, 0xfa, 0x7e, 0x30, 0x61, 0x36, 0x7f, 0x1d, 0x57,
	    0xa4, 0xe7, 0x45, 0x5a } },
	{ "GCM spec Test Case 2", nist1_k, 16,
	  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  nist1_p, sizeof(nist1_p), NULL, 0, nist1_c,
	  { 0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67, 0xb2,
	    0x12, 0x57, 0xbd, 0xdf } },
	{ "GCM spec Test Case 3", nist2_k, 16,
	  { 0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88 },
	  nist2_p, sizeof(nist2_p), NULL, 0, nist2_c,
	  { 0x4d, 0x5c, 0x2a, 0xf3, 0x27, 0xcd, 0x64, 0xa6, 0x2c, 0xf3, 0x5a, 0xbd,
	    0x2b, 0xa6, 0xfa, 0xb4 } },
	{ "GCM spec Test Case 4", nist3_k, 16,
	  { 0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88 },
	  nist3_p, sizeof(nist3_p), nist3_a, sizeof(nist3_a), nist3_c,
	  { 0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a,
	    0xe7, 0x12, 0x1a, 0x47 } },
	{ "GCM spec Test Case 13", nist4_k, 32,
	  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  NULL, 0, NULL, 0, NULL,
	  { 0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9, 0xa9, 0x63, 0xb4, 0xf1,
	    0xc4, 0xcb, 0x73, 0x8b } },
	{ "GCM spec Test Case 14", nist5_k, 32,
	  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  nist5_p, sizeof(nist5_p), NULL, 0, nist5_c,
	  { 0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0, 0x26, 0x5b, 0x98, 0xb5,
	    0xd4, 0x8a, 0xb9, 0x19 } },
	{ "GCM spec Test Case 15", nist6_k, 32,
	  { 0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88 },
	  nist6_p, sizeof(nist6_p), NULL, 0, nist6_c,
	  { 0xb0, 0x94, 0xda, 0xc5, 0xd9, 0x34, 0x71, 0xbd, 0xec, 0x1a, 0x50, 0x22,
	    0x70, 0xe3, 0xcc, 0x6c } },
	{ "GCM spec Test Case 16", nist7_k, 32,
	  { 0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88 },
	  nist7_p, sizeof(nist7_p), nist7_a, sizeof(nist7_a), nist7_c,
	  { 0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53,
	    0xbb, 0x2d, 0x55, 0x1b } },
	{ "gcmEncryptExtIV128.rsp [PTlen = 128][AADlen = 128] Count = 0", nist8_k, 16,
	  { 0xb3, 0xd8, 0xcc, 0x01, 0x7c, 0xbb, 0x89, 0xb3, 0x9e, 0x0f, 0x67, 0xe2 },
	  nist8_p, sizeof(nist8_p), nist8_a, sizeof(nist8_a), nist8_c,
	  { 0x00, 0x32, 0xa1, 0xdc, 0x85, 0xf1, 0xc9, 0x78, 0x69, 0x25, 0xa2, 0xe7,
	    0x1d, 0x82, 0x72, 0xdd } },
	{ "gcmEncryptExtIV128.rsp [PTlen = 256][AADlen = 128] Count = 0", nist9_k, 16,
	  { 0x6f, 0x58, 0xa9, 0x3f, 0xe1, 0xd2, 0x07, 0xfa, 0xe4, 0xed, 0x2f, 0x6d },
	  nist9_p, sizeof(nist9_p), nist9_a, sizeof(nist9_a), nist9_c,
	  { 0x54, 0x24, 0x65, 0xef, 0x59, 0x93, 0x16, 0xf7, 0x3a, 0x7a, 0x56, 0x05,
	    0x09, 0xa2, 0xd9, 0xf2 } },
};

static struct rte_rcu_qsbr *rcu;
static struct rte_mempool *pool;

static const uint8_t V4_LOCAL[4] = { 192, 0, 2, 1 }, V4_REMOTE[4] = { 198, 51, 100, 1 };
static const uint8_t V6_LOCAL[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_REMOTE[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 2 };
static const uint8_t KEY[32] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb,
	0xdc, 0xed, 0xfe, 0x0f, 0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88,
	0x79, 0x6a, 0x5b, 0x4c, 0x3d, 0x2e, 0x1f, 0x00,
};
static const uint8_t SALT[4] = { 0xa1, 0xb2, 0xc3, 0xd4 };
static const uint8_t INNER_TOS = 0xb8;   /* DSCP EF: must reach the outer header */

static int setup(void **st)
{
	(void)st;
	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	assert_non_null(rcu);
	assert_int_equal(rte_rcu_qsbr_init(rcu, 1), 0);
	return sgw_sa_table_init(64, rcu);
}

static int teardown(void **st)
{
	(void)st;
	sgw_sa_table_fini();
	rte_free(rcu);
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const char *drop(unsigned r)
{
	return r < SGW_DROP_MAX ? sgw_drop_names[r] : r == SGW_DROP_MAX ? "ok" : "?";
}

#define assert_verdict(got, want) do { unsigned g_ = (got), w_ = (want); \
	if (g_ != w_) fail_msg("%s, want %s", drop(g_), drop(w_)); } while (0)

/* ---- SAs ---- */

static void outer_set(struct sgw_sa_outer *o, int family, bool udp)
{
	memset(o, 0, sizeof(*o));
	o->family = family;
	memcpy(o->local, family == AF_INET ? V4_LOCAL : V6_LOCAL, family == AF_INET ? 4 : 16);
	memcpy(o->remote, family == AF_INET ? V4_REMOTE : V6_REMOTE, family == AF_INET ? 4 : 16);
	o->udp_encap = udp;
	o->local_port = o->remote_port = udp ? SGW_NATT_PORT : 0;
}

static void sa_params(struct sgw_sa_params *p, enum sgw_sa_dir dir, enum sgw_sa_mode mode,
		      uint32_t spi, const uint8_t *key, unsigned key_len,
		      const uint8_t *salt, bool esn)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->mode = mode;
	p->key_len = key_len;
	memcpy(p->key, key, key_len);
	memcpy(p->salt, salt, SGW_SALT_LEN);
	p->esn = esn;
	p->replay_window = dir == SGW_SA_IN ? 64 : 0;
	p->seq = dir == SGW_SA_OUT ? 1 : 0;
	outer_set(&p->outer, AF_INET, false);
}

static struct sgw_sa *sa_add(const struct sgw_sa_params *p)
{
	uint32_t slot;

	assert_int_equal(sgw_sa_add(p, &slot), 0);
	return sgw_sa_at(slot);
}

static struct sgw_sa_info info(const struct sgw_sa *sa)
{
	struct sgw_sa_info i;

	assert_int_equal(sgw_sa_info(sa->cold.slot, &i), 0);
	return i;
}

static void sa_del(struct sgw_sa *sa)
{
	assert_int_equal(sgw_sa_del(sa->cold.slot), 0);
}

/* ---- OpenSSL: the peer, code we did not write ---- */

static bool ossl_gcm(bool enc, const uint8_t *key, unsigned key_len, const uint8_t *nonce,
		     const uint8_t *aad, unsigned aad_len, const uint8_t *in,
		     unsigned len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t scratch[16];
	int n, ok;

	ok = c && EVP_CipherInit_ex(c, key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
				    NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) &&
	     (!aad_len || EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len)) &&
	     (!len || EVP_CipherUpdate(c, out, &n, in, (int)len)) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag)) &&
	     EVP_CipherFinal_ex(c, scratch, &n) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(c);
	return ok;
}

/* RFC 4106 5: the AAD is SPI and sequence number, 64 bits with ESN. */
static unsigned esp_aad(const struct sgw_sa_params *p, uint64_t seq, uint8_t *aad)
{
	put32(aad, p->spi);
	if (!p->esn) {
		put32(aad + 4, (uint32_t)seq);
		return 8;
	}
	put32(aad + 4, (uint32_t)(seq >> 32));
	put32(aad + 8, (uint32_t)seq);
	return 12;
}

/* Seals pt as the SA's peer would: an ESP packet from SPI to ICV. */
static unsigned ossl_seal(const struct sgw_sa_params *p, uint64_t seq, const uint8_t *pt,
			  unsigned len, uint8_t *esp)
{
	uint8_t nonce[12], aad[12];
	unsigned aad_len = esp_aad(p, seq, aad);

	put32(esp, p->spi);
	put32(esp + 4, (uint32_t)seq);
	put32(esp + 8, 0x5eed0000u ^ (uint32_t)(seq >> 32));  /* any unique IV */
	put32(esp + 12, (uint32_t)seq * 2654435761u);
	memcpy(nonce, p->salt, 4);
	memcpy(nonce + 4, esp + 8, 8);
	assert_true(ossl_gcm(true, p->key, p->key_len, nonce, aad, aad_len, pt, len,
			     esp + 16, esp + 16 + len));
	return 16 + len + SGW_ICV_LEN;
}

/* Opens an ESP packet; the plaintext length, or -1 when the ICV is wrong. */
static int ossl_open(const struct sgw_sa_params *p, uint64_t seq, const uint8_t *esp,
		     unsigned esp_len, uint8_t *pt)
{
	uint8_t nonce[12], aad[12], tag[16];
	unsigned aad_len = esp_aad(p, seq, aad), len = esp_len - 16 - SGW_ICV_LEN;

	memcpy(nonce, p->salt, 4);
	memcpy(nonce + 4, esp + 8, 8);
	memcpy(tag, esp + 16 + len, 16);
	return ossl_gcm(false, p->key, p->key_len, nonce, aad, aad_len, esp + 16, len,
			pt, tag) ? (int)len : -1;
}

/* ---- packets ---- */

static struct rte_mbuf *mbuf_of(const void *data, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	void *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(d);
	memcpy(d, data, len);
	return m;
}

/* An IPv4 datagram from the peer carrying esp. */
static struct rte_mbuf *esp_over_v4(const uint8_t *esp, unsigned len)
{
	uint8_t b[2048];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ESP;
	memcpy(&ip->src_addr, V4_REMOTE, 4);
	memcpy(&ip->dst_addr, V4_LOCAL, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(b + sizeof(*ip), esp, len);
	return mbuf_of(b, sizeof(*ip) + len);
}

static unsigned decap_v4(struct sgw_sa *sa, const uint8_t *esp, unsigned len,
			 struct rte_mbuf **keep, int *family, unsigned *ev)
{
	struct rte_mbuf *m = esp_over_v4(esp, len);
	int fam = 0;
	unsigned r = sgw_esp_decap(sa, m, 20, 20, family ? family : &fam, ev);

	if (keep)
		*keep = m;
	else
		rte_pktmbuf_free(m);
	return r;
}

/* An inner UDP packet of len bytes: IPv4 (ihl words, DF when df) or IPv6,
 * DSCP EF, valid IPv4 checksum. Returns the IP header length. */
static unsigned inner_pkt(int family, unsigned len, unsigned ihl, bool df, uint8_t seed,
			  uint8_t *b)
{
	struct rte_udp_hdr *udp;
	unsigned hl;

	memset(b, 0, len);
	if (family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

		hl = ihl * 4;
		ip->version_ihl = (uint8_t)(0x40 | ihl);
		ip->type_of_service = INNER_TOS;
		ip->total_length = rte_cpu_to_be_16((uint16_t)len);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(0x4000 + seed));
		ip->fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
		ip->time_to_live = 61;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a010000u | seed);
		ip->dst_addr = rte_cpu_to_be_32(0x0a020001u);
		for (unsigned k = 20; k < hl; k++)    /* options: NOPs, then EOL */
			b[k] = k + 1 < hl ? 1 : 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)b;

		hl = sizeof(*ip);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)INNER_TOS << 20 | 0x12345);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(len - hl));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 61;
		memcpy(ip->src_addr, V6_LOCAL, 16);
		ip->src_addr[7] = 0x11;
		ip->src_addr[15] = seed;
		memcpy(ip->dst_addr, V6_REMOTE, 16);
		ip->dst_addr[7] = 0x22;
	}
	udp = (struct rte_udp_hdr *)(b + hl);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1000 + seed));
	udp->dst_port = rte_cpu_to_be_16(2000);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - hl));
	for (unsigned k = hl + 8; k < len; k++)
		b[k] = (uint8_t)(seed + k * 7);
	return hl;
}

/* ---- published ESP vectors ---- */

/* Single-bit changes, each to something the ICV covers. */
static const struct { int off; uint8_t bit; const char *what; } flips[] = {
	{ 2, 0x01, "SPI (AAD)" },
	{ 7, 0x10, "sequence number (AAD)" },
	{ 8, 0x01, "IV (nonce)" },
	{ 16, 0x80, "first ciphertext byte" },
	{ 19, 0x01, "ciphertext" },
	{ -16, 0x01, "first ICV byte" },
	{ -1, 0x80, "last ICV byte" },
};

static void test_vectors_decap(void **st)
{
	(void)st;
	for (unsigned n = 0; n < RTE_DIM(esp_vecs); n++) {
		const struct esp_vec *v = &esp_vecs[n];
		const unsigned pad = v->pt[v->pt_len - 2], nh = v->pt[v->pt_len - 1];
		const unsigned inner = v->pt_len - pad - 2;
		struct sgw_sa_params p;
		struct sgw_sa_info i0, i;
		struct rte_mbuf *m;
		struct sgw_sa *sa;
		uint8_t bad[256];
		unsigned ev, r;
		int fam = 0;

		print_message("%s: %u-bit key, %s, %u bytes of payload\n", v->name,
			      v->key_len * 8, v->esn ? "ESN" : "32-bit sequence numbers", inner);
		sa_params(&p, SGW_SA_IN, SGW_SA_TRANSPORT, v->spi, v->key, v->key_len,
			  v->salt, v->esn);
		p.seq = v->seq - 1;          /* highest seen: so ESN infers the high half */
		sa = sa_add(&p);
		i0 = info(sa);

		/* Tampering fails the ICV and leaves the window alone. */
		for (unsigned k = 0; k < RTE_DIM(flips); k++) {
			const unsigned off = flips[k].off < 0 ? v->esp_len + flips[k].off :
							       (unsigned)flips[k].off;

			memcpy(bad, v->esp, v->esp_len);
			bad[off] ^= flips[k].bit;
			r = decap_v4(sa, bad, v->esp_len, NULL, NULL, &ev);
			if (r != SGW_DROP_ESP_ICV)
				fail_msg("%s, %s changed: %s", v->name, flips[k].what, drop(r));
			i = info(sa);
			assert_int_equal(i.icv_failed, k + 1);
			assert_int_equal(i.seq, i0.seq);
			assert_int_equal(i.packets, 0);
			assert_int_equal(ev, 0);
		}

		/* The packet itself. */
		r = decap_v4(sa, v->esp, v->esp_len, &m, &fam, &ev);
		i = info(sa);
		assert_int_equal(i.seq, v->seq);
		assert_int_equal(i.packets, 1);
		assert_int_equal(i.icv_failed, RTE_DIM(flips));
		if (inner == 0) {
			/* Authentic, but transport mode with nothing to carry. */
			assert_verdict(r, SGW_DROP_ESP_TRUNC);
			assert_int_equal(i.other_errors, 1);
		} else {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

			assert_verdict(r, SGW_DROP_MAX);
			assert_int_equal(fam, AF_INET);
			assert_int_equal(ev, 0);
			assert_int_equal(rte_pktmbuf_pkt_len(m), 20 + inner);
			assert_int_equal(ip->next_proto_id, nh);
			assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + inner);
			assert_int_equal(rte_ipv4_cksum(ip), 0);
			assert_memory_equal(&ip->src_addr, V4_REMOTE, 4);
			assert_memory_equal(&ip->dst_addr, V4_LOCAL, 4);
			assert_memory_equal((const uint8_t *)ip + 20, v->pt, inner);
			assert_int_equal(i.other_errors, 0);
		}
		rte_pktmbuf_free(m);

		/* Once only. */
		assert_verdict(decap_v4(sa, v->esp, v->esp_len, NULL, NULL, &ev),
			       SGW_DROP_ESP_REPLAYED);
		assert_int_equal(info(sa).replayed, 1);
		sa_del(sa);

		/* Next header 1 is no tunnel payload. */
		p.mode = SGW_SA_TUNNEL;
		sa = sa_add(&p);
		assert_verdict(decap_v4(sa, v->esp, v->esp_len, NULL, NULL, &ev),
			       SGW_DROP_ESP_NEXT_HDR);
		assert_int_equal(info(sa).other_errors, 1);
		sa_del(sa);

		/* With ESN the high half is authenticated though never sent:
		 * a receiver that infers another one fails the ICV. */
		if (v->esn) {
			p.mode = SGW_SA_TRANSPORT;
			p.seq = (v->seq - 1) ^ (UINT64_C(1) << 32);
			sa = sa_add(&p);
			assert_verdict(decap_v4(sa, v->esp, v->esp_len, NULL, NULL, &ev),
				       SGW_DROP_ESP_ICV);
			sa_del(sa);
		}
	}
}

/* The cipher functions an SA is given, against the published vectors. */
static void test_gcm_raw(void **st)
{
	static const uint8_t none[16];
	(void)st;

	for (unsigned n = 0; n < RTE_DIM(gcm_vecs); n++) {
		const struct gcm_vec *g = &gcm_vecs[n];
		uint8_t out[64], back[64], tag[16];
		struct gcm_context_data ctx;
		struct sgw_sa_params p;
		struct sgw_sa *sa;

		sa_params(&p, SGW_SA_OUT, SGW_SA_TUNNEL, 0x100 + n, g->key, g->key_len,
			  SALT, false);
		sa = sa_add(&p);
		memset(tag, 0, sizeof(tag));
		sa->h.enc(&sa->key, &ctx, out, g->len ? g->p : none, g->len, g->iv,
			  g->a_len ? g->a : none, g->a_len, tag, sizeof(tag));
		if (g->len && memcmp(out, g->c, g->len))
			fail_msg("%s: ciphertext differs", g->name);
		if (memcmp(tag, g->t, sizeof(tag)))
			fail_msg("%s: tag differs", g->name);
		memset(tag, 0, sizeof(tag));
		sa->h.dec(&sa->key, &ctx, back, g->len ? g->c : none, g->len, g->iv,
			  g->a_len ? g->a : none, g->a_len, tag, sizeof(tag));
		if (g->len && memcmp(back, g->p, g->len))
			fail_msg("%s: decryption differs", g->name);
		if (memcmp(tag, g->t, sizeof(tag)))
			fail_msg("%s: tag on decryption differs", g->name);
		/* And the reference we use for everything else agrees. */
		assert_true(ossl_gcm(true, g->key, g->key_len, g->iv, g->a, g->a_len,
				     g->p, g->len, out, tag));
		assert_memory_equal(tag, g->t, 16);
		sa_del(sa);
	}
}

/* ---- encapsulation round trips ---- */

struct rt {
	enum sgw_sa_mode mode;
	int inner, outer;            /* families; transport: outer unused */
	bool udp, esn;
	unsigned key_len, ihl;
};

static const char *fam_name(int f)
{
	return f == AF_INET ? "v4" : "v6";
}

/* The IPv4 header after transport encapsulation: the original but for
 * length, protocol and checksum. */
static void check_transport_hdr(const uint8_t *d, const uint8_t *orig, unsigned hl,
				int family, unsigned total, bool udp)
{
	const uint8_t proto = udp ? IPPROTO_UDP : IPPROTO_ESP;

	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)d;

		assert_int_equal(rte_be_to_cpu_16(ip->total_length), total);
		assert_int_equal(ip->next_proto_id, proto);
		assert_int_equal(rte_ipv4_cksum(ip), 0);
		for (unsigned k = 0; k < hl; k++)
			if (k != 2 && k != 3 && k != 9 && k != 10 && k != 11)
				assert_int_equal(d[k], orig[k]);
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)d;

		assert_int_equal(rte_be_to_cpu_16(ip->payload_len), total - 40);
		assert_int_equal(ip->proto, proto);
		for (unsigned k = 0; k < 40; k++)
			if (k != 4 && k != 5 && k != 6)
				assert_int_equal(d[k], orig[k]);
	}
}

/* The outer header of tunnel mode. Returns its length. */
static unsigned check_tunnel_hdr(const uint8_t *d, const struct rt *c, const uint8_t *orig,
				 unsigned total, uint16_t id)
{
	const uint8_t proto = c->udp ? IPPROTO_UDP : IPPROTO_ESP;

	if (c->outer == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)d;
		const bool df = c->inner == AF_INET6 || (orig[6] & 0x40);

		assert_int_equal(ip->version_ihl, 0x45);
		assert_int_equal(ip->type_of_service, INNER_TOS);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), total);
		assert_int_equal(rte_be_to_cpu_16(ip->packet_id), id);
		assert_int_equal(rte_be_to_cpu_16(ip->fragment_offset),
				 df ? RTE_IPV4_HDR_DF_FLAG : 0);
		assert_int_equal(ip->time_to_live, 64);
		assert_int_equal(ip->next_proto_id, proto);
		assert_int_equal(rte_ipv4_cksum(ip), 0);
		assert_memory_equal(&ip->src_addr, V4_LOCAL, 4);
		assert_memory_equal(&ip->dst_addr, V4_REMOTE, 4);
		return 20;
	}
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)d;
	const uint32_t vtc = rte_be_to_cpu_32(ip->vtc_flow);

	assert_int_equal(vtc >> 28, 6);
	assert_int_equal((vtc >> 20) & 0xff, INNER_TOS);
	assert_int_equal(rte_be_to_cpu_16(ip->payload_len), total - 40);
	assert_int_equal(ip->proto, proto);
	assert_int_equal(ip->hop_limits, 64);
	assert_memory_equal(ip->src_addr, V6_LOCAL, 16);
	assert_memory_equal(ip->dst_addr, V6_REMOTE, 16);
	return 40;
}

static void check_udp(const uint8_t *d, unsigned l3, int family, unsigned total)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(d + l3);

	assert_int_equal(rte_be_to_cpu_16(udp->src_port), SGW_NATT_PORT);
	assert_int_equal(rte_be_to_cpu_16(udp->dst_port), SGW_NATT_PORT);
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), total - l3);
	if (family == AF_INET)
		assert_int_equal(udp->dgram_cksum, 0);     /* RFC 3948 2.1 */
	else
		assert_int_equal(rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)d,
							      udp), 0);
}

#define RT_PACKETS 4

static void round_trip(const struct rt *c, unsigned idx)
{
	const uint64_t first = c->esn ? UINT64_C(0xfffffffe) : 1 + idx * 1000;
	const bool tunnel = c->mode == SGW_SA_TUNNEL;
	struct sgw_sa_params po, pi;
	struct sgw_sa *out, *in;
	uint16_t ip_id = (uint16_t)(0xfff0 + idx);   /* wraps on the way */
	uint64_t bytes = 0;

	print_message("%-9s inner %s outer %s udp %-3s aes-%u esn %-3s%s\n",
		      tunnel ? "tunnel" : "transport", fam_name(c->inner),
		      tunnel ? fam_name(c->outer) : "--", c->udp ? "on" : "off",
		      c->key_len * 8, c->esn ? "on" : "off", c->ihl > 5 ? " ip options" : "");
	sa_params(&po, SGW_SA_OUT, c->mode, 0x10000 + idx, KEY, c->key_len, SALT, c->esn);
	po.seq = first;
	outer_set(&po.outer, tunnel ? c->outer : c->inner, c->udp);
	pi = po;
	pi.dir = SGW_SA_IN;
	pi.replay_window = 64;
	pi.seq = first - 1;
	out = sa_add(&po);
	in = sa_add(&pi);

	for (unsigned k = 0; k < RT_PACKETS; k++) {
		const uint64_t seq = first + k;
		const unsigned len = 61 + k + (idx & 1) * 40;   /* every padding length */
		uint8_t orig[256], pt[256];
		const unsigned hl = inner_pkt(c->inner, len, c->ihl, k % 2 == 0, (uint8_t)k, orig);
		const uint8_t *payload = tunnel ? orig : orig + hl;
		const unsigned plen = tunnel ? len : len - hl;
		const unsigned udp = c->udp ? 8 : 0;
		struct rte_mbuf *m = mbuf_of(orig, len);
		const uint16_t id0 = ip_id;
		unsigned ev = 99, l3, total, pad;
		const uint8_t *d, *esp;
		int fam = 0, n;

		assert_verdict(sgw_esp_encap(out, out->h.outer, m, &ip_id, &ev), SGW_DROP_MAX);
		assert_int_equal(ev, 0);
		d = rte_pktmbuf_mtod(m, const uint8_t *);
		total = rte_pktmbuf_pkt_len(m);
		if (tunnel) {
			l3 = check_tunnel_hdr(d, c, orig, total, id0);
			assert_int_equal(ip_id, c->outer == AF_INET ? (uint16_t)(id0 + 1) : id0);
		} else {
			l3 = hl;
			check_transport_hdr(d, orig, hl, c->inner, total, c->udp);
		}
		if (c->udp)
			check_udp(d, l3, tunnel ? c->outer : c->inner, total);
		esp = d + l3 + udp;
		/* SPI, low half of the sequence number, IV = 64-bit number. */
		assert_int_equal(get32(esp), 0x10000 + idx);
		assert_int_equal(get32(esp + 4), (uint32_t)seq);
		assert_int_equal(get64(esp + 8), seq);
		assert_int_equal((total - l3 - udp) % 4, 0);

		/* The peer opens it. */
		n = ossl_open(&po, seq, esp, total - l3 - udp, pt);
		if (n < 0)
			fail_msg("OpenSSL rejects the ICV of packet %u", k);
		pad = pt[n - 2];
		assert_int_equal((unsigned)n, plen + pad + 2);
		assert_true(pad <= 3);
		for (unsigned j = 0; j < pad; j++)
			assert_int_equal(pt[plen + j], j + 1);   /* RFC 4303 2.4 */
		assert_int_equal(pt[n - 1], tunnel ? (c->inner == AF_INET ? 4 : 41) : IPPROTO_UDP);
		assert_memory_equal(pt, payload, plen);

		/* And so do we, back to the byte. */
		assert_verdict(sgw_esp_decap(in, m, l3, l3 + udp, &fam, &ev), SGW_DROP_MAX);
		assert_int_equal(fam, c->inner);
		assert_int_equal(ev, 0);
		assert_int_equal(rte_pktmbuf_pkt_len(m), len);
		assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), orig, len);
		rte_pktmbuf_free(m);
		bytes += len;
	}
	struct sgw_sa_info io = info(out), ii = info(in);
	assert_int_equal(io.packets, RT_PACKETS);
	assert_int_equal(io.bytes, bytes);
	assert_int_equal(io.seq, first + RT_PACKETS - 1);
	assert_int_equal(ii.packets, RT_PACKETS);
	assert_int_equal(ii.seq, first + RT_PACKETS - 1);
	assert_int_equal(ii.icv_failed + ii.replayed + ii.too_old + ii.other_errors, 0);
	sa_del(out);
	sa_del(in);
}

static void test_round_trips(void **st)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	unsigned idx = 0;
	(void)st;

	for (unsigned key = 16; key <= 32; key += 16)
		for (unsigned esn = 0; esn < 2; esn++)
			for (unsigned udp = 0; udp < 2; udp++)
				for (unsigned a = 0; a < 2; a++) {
					for (unsigned b = 0; b < 2; b++) {
						struct rt c = { SGW_SA_TUNNEL, fams[a], fams[b],
								udp, esn, key, 5 };
						round_trip(&c, idx++);
					}
					struct rt c = { SGW_SA_TRANSPORT, fams[a], 0, udp, esn, key, 5 };
					round_trip(&c, idx++);
				}
	/* Transport mode keeps IPv4 options in front of ESP. */
	struct rt c = { SGW_SA_TRANSPORT, AF_INET, 0, false, false, 16, 7 };
	round_trip(&c, idx++);
	c.udp = true;
	round_trip(&c, idx++);
}

/* ---- outbound sequence numbers and lifetimes ---- */

static unsigned encap_one(struct sgw_sa *sa, unsigned len, unsigned *ev, uint64_t *seq)
{
	uint8_t orig[256];
	struct rte_mbuf *m;
	uint16_t id = 1;
	unsigned r;

	inner_pkt(AF_INET, len, 5, true, 1, orig);
	m = mbuf_of(orig, len);
	r = sgw_esp_encap(sa, sa->h.outer, m, &id, ev);
	if (r == SGW_DROP_MAX) {
		const uint8_t *esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 20);

		if (seq)
			*seq = get64(esp + 8);
		assert_int_equal(get32(esp + 4), (uint32_t)get64(esp + 8));
	} else {
		/* A drop leaves the packet as it was. */
		assert_int_equal(rte_pktmbuf_pkt_len(m), len);
		assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), orig, len);
	}
	rte_pktmbuf_free(m);
	return r;
}

static void test_seq_exhaustion_32(void **st)
{
	struct sgw_sa_params p;
	struct sgw_sa_info i;
	struct sgw_sa *sa;
	uint64_t seq = 0;
	unsigned ev;
	(void)st;

	sa_params(&p, SGW_SA_OUT, SGW_SA_TUNNEL, 0x2000, KEY, 16, SALT, false);
	p.seq = UINT32_MAX - 1;
	sa = sa_add(&p);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT32_MAX - 1);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT32_MAX);
	assert_int_equal(ev, 0);
	for (unsigned k = 0; k < 5; k++) {
		assert_verdict(encap_one(sa, 80, &ev, NULL), SGW_DROP_SEQ_EXHAUSTED);
		assert_int_equal(ev, k == 0 ? SGW_ESP_EV_SEQ_DONE : 0);   /* once */
	}
	i = info(sa);
	assert_int_equal(i.packets, 2);
	assert_int_equal(i.seq, UINT32_MAX);
	assert_int_equal(i.seq_exhausted, 5);
	assert_true(i.flags & SGW_SA_F_SEQ_DONE);
	assert_false(i.flags & SGW_SA_F_HARD);
	sa_del(sa);

	/* Starting at the last number: one packet. */
	p.seq = UINT32_MAX;
	sa = sa_add(&p);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT32_MAX);
	assert_verdict(encap_one(sa, 80, &ev, NULL), SGW_DROP_SEQ_EXHAUSTED);
	assert_int_equal(ev, SGW_ESP_EV_SEQ_DONE);
	sa_del(sa);
}

static void test_seq_exhaustion_esn(void **st)
{
	struct sgw_sa_params p;
	struct sgw_sa *sa;
	uint64_t seq = 0;
	unsigned ev;
	(void)st;

	sa_params(&p, SGW_SA_OUT, SGW_SA_TUNNEL, 0x2001, KEY, 32, SALT, true);
	/* ESN passes 2^32 without a pause. */
	p.seq = UINT32_MAX;
	sa = sa_add(&p);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT32_MAX);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT64_C(1) << 32);
	assert_int_equal(ev, 0);
	sa_del(sa);

	/* The last 64-bit number goes out, then nothing: never 0 or 1 again,
	 * which would repeat a nonce. */
	p.seq = UINT64_MAX;
	sa = sa_add(&p);
	assert_verdict(encap_one(sa, 80, &ev, &seq), SGW_DROP_MAX);
	assert_int_equal(seq, UINT64_MAX);
	for (unsigned k = 0; k < 5; k++) {
		assert_verdict(encap_one(sa, 80, &ev, NULL), SGW_DROP_SEQ_EXHAUSTED);
		assert_int_equal(ev, k == 0 ? SGW_ESP_EV_SEQ_DONE : 0);
	}
	struct sgw_sa_info i = info(sa);
	assert_int_equal(i.packets, 1);
	assert_int_equal(i.seq, UINT64_MAX);
	assert_int_equal(i.seq_exhausted, 5);
	assert_true(i.flags & SGW_SA_F_SEQ_DONE);
	sa_del(sa);

	/* And what went out at 2^64 - 1 is what the peer expects. */
	p.seq = UINT64_MAX - 1;
	sa = sa_add(&p);
	uint8_t orig[100], pt[256];
	uint16_t id = 0;
	inner_pkt(AF_INET, sizeof(orig), 5, true, 3, orig);
	for (unsigned k = 0; k < 2; k++) {
		struct rte_mbuf *m = mbuf_of(orig, sizeof(orig));
		const uint8_t *esp;

		assert_verdict(sgw_esp_encap(sa, sa->h.outer, m, &id, &ev), SGW_DROP_MAX);
		esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 20);
		assert_int_equal(get32(esp + 4), UINT32_MAX - 1 + k);
		assert_int_equal(get64(esp + 8), UINT64_MAX - 1 + k);
		assert_int_equal(ossl_open(&p, UINT64_MAX - 1 + k, esp,
					   rte_pktmbuf_pkt_len(m) - 20, pt), sizeof(orig) + 2 + 2);
		rte_pktmbuf_free(m);
	}
	assert_verdict(encap_one(sa, 80, &ev, NULL), SGW_DROP_SEQ_EXHAUSTED);
	sa_del(sa);
}

struct life_case {
	const char *what;
	uint64_t soft_packets, hard_packets, soft_bytes, hard_bytes;
	unsigned soft_at, hard_at;   /* packet numbers, 0 = never */
};

static const struct life_case life_cases[] = {
	{ "packets", 3, 5, 0, 0, 3, 5 },
	{ "bytes (100 per packet)", 0, 0, 250, 500, 3, 5 },
	{ "soft and hard at once", 2, 2, 0, 0, 2, 2 },
	{ "bytes soft, packets hard", 0, 4, 1, 0, 1, 4 },
	{ "soft only", 0, 0, 1, 0, 1, 0 },
	{ "hard on the first packet", 0, 1, 0, 0, 0, 1 },
};

#define LIFE_PACKETS 7

static void test_lifetime_out(void **st)
{
	(void)st;
	for (unsigned n = 0; n < RTE_DIM(life_cases); n++) {
		const struct life_case *c = &life_cases[n];
		struct sgw_sa_params p;
		struct sgw_sa_info i;
		struct sgw_sa *sa;
		unsigned ev, r;

		sa_params(&p, SGW_SA_OUT, SGW_SA_TUNNEL, 0x3000 + n, KEY, 16, SALT, false);
		p.soft_packets = c->soft_packets;
		p.hard_packets = c->hard_packets;
		p.soft_bytes = c->soft_bytes;
		p.hard_bytes = c->hard_bytes;
		sa = sa_add(&p);
		for (unsigned k = 1; k <= LIFE_PACKETS; k++) {
			r = encap_one(sa, 100, &ev, NULL);
			if (c->hard_at && k > c->hard_at) {
				if (r != SGW_DROP_SA_EXPIRED || ev)
					fail_msg("%s, packet %u: %s, events %u", c->what, k,
						 drop(r), ev);
				continue;
			}
			const unsigned want = (k == c->soft_at ? SGW_ESP_EV_SOFT : 0) |
					      (k == c->hard_at ? SGW_ESP_EV_HARD : 0);
			if (r != SGW_DROP_MAX || ev != want)
				fail_msg("%s, packet %u: %s, events %u, want %u", c->what, k,
					 drop(r), ev, want);
		}
		i = info(sa);
		assert_int_equal(i.expired, c->hard_at ? LIFE_PACKETS - c->hard_at : 0);
		assert_int_equal(i.packets, c->hard_at ? c->hard_at : LIFE_PACKETS);
		assert_int_equal(!!(i.flags & SGW_SA_F_SOFT), c->soft_at != 0);
		assert_int_equal(!!(i.flags & SGW_SA_F_HARD), c->hard_at != 0);
		assert_int_equal(i.soft_packets, c->soft_packets);
		assert_int_equal(i.hard_bytes, c->hard_bytes);
		sa_del(sa);
	}
}

static void test_lifetime_in(void **st)
{
	uint8_t orig[100], esp[LIFE_PACKETS][256];
	unsigned esp_len[LIFE_PACKETS], ev, r;
	struct sgw_sa_params po, pi;
	struct sgw_sa *out, *in;
	uint16_t id = 0;
	(void)st;

	/* Inbound counts decrypted bytes (inner + 2 padding + 2): 104 per
	 * packet, so the byte limits above fall on the same packets. */
	sa_params(&po, SGW_SA_OUT, SGW_SA_TUNNEL, 0x4000, KEY, 16, SALT, false);
	out = sa_add(&po);
	inner_pkt(AF_INET, sizeof(orig), 5, true, 3, orig);
	for (unsigned k = 0; k < LIFE_PACKETS; k++) {
		struct rte_mbuf *m = mbuf_of(orig, sizeof(orig));

		assert_verdict(sgw_esp_encap(out, out->h.outer, m, &id, &ev), SGW_DROP_MAX);
		esp_len[k] = rte_pktmbuf_pkt_len(m) - 20;
		assert_int_equal(esp_len[k], 8 + 8 + 104 + 16);
		memcpy(esp[k], rte_pktmbuf_mtod_offset(m, uint8_t *, 20), esp_len[k]);
		rte_pktmbuf_free(m);
	}
	for (unsigned n = 0; n < RTE_DIM(life_cases); n++) {
		const struct life_case *c = &life_cases[n];

		sa_params(&pi, SGW_SA_IN, SGW_SA_TUNNEL, 0x4000, KEY, 16, SALT, false);
		pi.soft_packets = c->soft_packets;
		pi.hard_packets = c->hard_packets;
		pi.soft_bytes = c->soft_bytes;
		pi.hard_bytes = c->hard_bytes;
		in = sa_add(&pi);
		for (unsigned k = 1; k <= LIFE_PACKETS; k++) {
			r = decap_v4(in, esp[k - 1], esp_len[k - 1], NULL, NULL, &ev);
			if (c->hard_at && k > c->hard_at) {
				if (r != SGW_DROP_SA_EXPIRED || ev)
					fail_msg("in, %s, packet %u: %s, events %u", c->what, k,
						 drop(r), ev);
				continue;
			}
			const unsigned want = (k == c->soft_at ? SGW_ESP_EV_SOFT : 0) |
					      (k == c->hard_at ? SGW_ESP_EV_HARD : 0);
			if (r != SGW_DROP_MAX || ev != want)
				fail_msg("in, %s, packet %u: %s, events %u, want %u", c->what,
					 k, drop(r), ev, want);
		}
		struct sgw_sa_info i = info(in);
		assert_int_equal(i.packets, c->hard_at ? c->hard_at : LIFE_PACKETS);
		assert_int_equal(i.other_errors, c->hard_at ? LIFE_PACKETS - c->hard_at : 0);
		assert_int_equal(!!(i.flags & SGW_SA_F_SOFT), c->soft_at != 0);
		assert_int_equal(!!(i.flags & SGW_SA_F_HARD), c->hard_at != 0);
		sa_del(in);
	}
	sa_del(out);
}

/* ---- inbound trailer checks, on packets sealed by the peer ---- */

struct trailer_case {
	const char *what;
	enum sgw_sa_mode mode;
	int inner;                   /* 0: no inner packet, just tail */
	unsigned inner_len;
	uint8_t tail[24];            /* padding, pad length, next header */
	unsigned tail_len;
	unsigned want;
};

static const struct trailer_case trailer_cases[] = {
	{ "valid, pad 2", SGW_SA_TUNNEL, AF_INET, 62, { 1, 2, 2, 4 }, 4, SGW_DROP_MAX },
	{ "valid, pad 0", SGW_SA_TUNNEL, AF_INET6, 62, { 0, 41 }, 2, SGW_DROP_MAX },
	{ "valid, pad 10 (RFC 4303 allows up to 255)", SGW_SA_TUNNEL, AF_INET, 60,
	  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 4 }, 12, SGW_DROP_MAX },
	{ "pad bytes 1, 2, 4", SGW_SA_TUNNEL, AF_INET, 61, { 1, 2, 4, 3, 4 }, 5, SGW_DROP_ESP_PAD },
	{ "pad bytes 0, 0", SGW_SA_TUNNEL, AF_INET, 62, { 0, 0, 2, 4 }, 4, SGW_DROP_ESP_PAD },
	{ "pad bytes 2, 1", SGW_SA_TUNNEL, AF_INET, 62, { 2, 1, 2, 4 }, 4, SGW_DROP_ESP_PAD },
	{ "pad length past the payload", SGW_SA_TUNNEL, 0, 0, { 1, 2, 3, 4 }, 4, SGW_DROP_ESP_PAD },
	{ "pad length 255 of 2 bytes", SGW_SA_TUNNEL, 0, 0, { 255, 4 }, 2, SGW_DROP_ESP_PAD },
	{ "pad length = everything before it: no inner packet", SGW_SA_TUNNEL, 0, 0,
	  { 1, 2, 2, 4 }, 4, SGW_DROP_ESP_TRUNC },
	{ "dummy packet (next header 59)", SGW_SA_TUNNEL, AF_INET, 62, { 1, 2, 2, 59 }, 4,
	  SGW_DROP_ESP_DUMMY },
	{ "smallest dummy: 34 bytes of ESP", SGW_SA_TUNNEL, 0, 0, { 0, 59 }, 2,
	  SGW_DROP_ESP_DUMMY },
	{ "dummy in transport mode", SGW_SA_TRANSPORT, AF_INET, 62, { 1, 2, 2, 59 }, 4,
	  SGW_DROP_ESP_DUMMY },
	{ "next header 17 in tunnel mode", SGW_SA_TUNNEL, AF_INET, 62, { 1, 2, 2, 17 }, 4,
	  SGW_DROP_ESP_NEXT_HDR },
	{ "next header 0 in tunnel mode", SGW_SA_TUNNEL, AF_INET, 62, { 1, 2, 2, 0 }, 4,
	  SGW_DROP_ESP_NEXT_HDR },
	{ "bad padding in transport mode", SGW_SA_TRANSPORT, AF_INET, 62, { 1, 3, 2, 17 }, 4,
	  SGW_DROP_ESP_PAD },
	{ "transport mode, nothing but the trailer", SGW_SA_TRANSPORT, 0, 0, { 1, 2, 2, 17 }, 4,
	  SGW_DROP_ESP_TRUNC },
};

static void test_trailer(void **st)
{
	uint64_t seq = 1, errors = 0;
	(void)st;

	for (unsigned n = 0; n < RTE_DIM(trailer_cases); n++) {
		const struct trailer_case *c = &trailer_cases[n];
		uint8_t pt[256], esp[512];
		struct sgw_sa_params p;
		struct sgw_sa *sa;
		struct rte_mbuf *m;
		unsigned len = 0, esp_len, ev, r;
		int fam = 0;

		sa_params(&p, SGW_SA_IN, c->mode, 0x5000 + n, KEY, 16, SALT, false);
		sa = sa_add(&p);
		if (c->inner) {
			inner_pkt(c->inner, c->inner_len, 5, false, 9, pt);
			len = c->inner_len;
		}
		memcpy(pt + len, c->tail, c->tail_len);
		esp_len = ossl_seal(&p, seq, pt, len + c->tail_len, esp);
		r = decap_v4(sa, esp, esp_len, &m, &fam, &ev);
		if (r != c->want)
			fail_msg("%s: %s, want %s", c->what, drop(r), drop(c->want));
		if (r == SGW_DROP_MAX) {
			assert_int_equal(rte_pktmbuf_pkt_len(m), len);
			assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), pt, len);
			if (len)
				assert_int_equal(fam, c->inner);
		}
		rte_pktmbuf_free(m);
		/* Every authentic packet moves the window and is counted;
		 * only real errors are errors, a dummy is not one. */
		struct sgw_sa_info i = info(sa);
		assert_int_equal(i.seq, seq);
		assert_int_equal(i.packets, 1);
		errors = r == SGW_DROP_MAX || r == SGW_DROP_ESP_DUMMY ? 0 : 1;
		assert_int_equal(i.other_errors, errors);
		assert_verdict(decap_v4(sa, esp, esp_len, NULL, NULL, &ev), SGW_DROP_ESP_REPLAYED);
		sa_del(sa);
		seq += 7;
	}
}

static void test_truncated(void **st)
{
	uint8_t pt[64], esp[512];
	struct sgw_sa_params p;
	struct sgw_sa *sa;
	unsigned esp_len, ev;
	(void)st;

	sa_params(&p, SGW_SA_IN, SGW_SA_TUNNEL, 0x6000, KEY, 16, SALT, false);
	sa = sa_add(&p);
	pt[0] = 0;
	pt[1] = 59;
	esp_len = ossl_seal(&p, 1, pt, 2, esp);
	assert_int_equal(esp_len, 8 + 8 + 2 + 16);
	/* Shorter than header, IV, pad length, next header and ICV. */
	const unsigned lens[] = { 0, 1, 4, 8, 16, 17, 18, 32, 33 };
	for (unsigned k = 0; k < RTE_DIM(lens); k++) {
		assert_verdict(decap_v4(sa, esp, lens[k], NULL, NULL, &ev), SGW_DROP_ESP_TRUNC);
	}
	struct sgw_sa_info i = info(sa);
	assert_int_equal(i.other_errors, RTE_DIM(lens));
	assert_int_equal(i.icv_failed, 0);
	assert_int_equal(i.seq, 0);
	/* At exactly the minimum it is a packet (a dummy one). */
	assert_verdict(decap_v4(sa, esp, esp_len, NULL, NULL, &ev), SGW_DROP_ESP_DUMMY);
	sa_del(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vectors_decap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_exhaustion_32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_exhaustion_esn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifetime_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifetime_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test_esp", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
