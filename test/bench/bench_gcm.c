/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw AES-GCM-128 rate of intel-ipsec-mb on this CPU at the ESP payload
 * lengths that 64, 512 and 1420-byte Ethernet frames give. Nothing else a
 * gateway does per packet is counted, so this is the ceiling one core could
 * reach; scripts/bench-dataplane prints gateway rates beside it.
 *
 * What one operation is, as ESP (RFC 4303, RFC 4106) does it per packet:
 *   nonce  = 4-byte salt || 8-byte explicit IV (the sequence number here)
 *   AAD    = SPI || 32-bit sequence number (8 bytes, no ESN)
 *   enc    = IMB_AES128_GCM_ENC in place, 16-byte ICV out
 *   dec    = IMB_AES128_GCM_DEC out of place, then a constant-time compare
 *            of the computed ICV with the received one
 *
 * Lengths, for a nominal frame size S (Ethernet header counted, no FCS):
 *   out: the frame is the plaintext IPv4 packet (S - 14 bytes); ESP encrypts
 *        it plus 2 trailer bytes, padded to 4 (RFC 4303 2.4: GCM itself needs
 *        no block padding, ESP needs 4-byte alignment).
 *   in:  the frame is ESP in tunnel mode over IPv4:
 *          14 eth + 20 outer IP + 8 ESP + 8 IV + P + 16 ICV = 66 + P
 *        with P a multiple of 4, so outer frames are 2 mod 4 bytes long and
 *        S itself is impossible: P = the largest such length with 66 + P <= S,
 *        and never below 32 (IPv4/UDP with no payload + trailer, padded),
 *        which makes the "64" frame 98 bytes. test/bench/gen_pcap.py builds
 *        the same frames.
 *
 * Output, one line per direction and size; every value is the median of
 * the runs, gbps counts the bytes encrypted or decrypted:
 *   gcm dir=out op=enc size=64 frame=64 len=52 mpps=12.345 gbps=5.136 runs=7
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>

#define ETH_HLEN     14
#define IP4_HLEN     20
#define UDP_HLEN     8
#define ESP_HLEN     8  /* SPI + sequence number, RFC 4303 2 */
#define GCM_IV_LEN   8  /* explicit IV carried in the packet, RFC 4106 3.1 */
#define GCM_ICV_LEN  16 /* RFC 4106 6: 16-byte ICV is the one ESP must do */
#define ESP_TRL_LEN  2  /* pad length + next header, RFC 4303 2.4 */
#define ESP_AAD_LEN  8  /* SPI + 32-bit sequence number, RFC 4106 5 */
#define TUN_OVERHEAD (ETH_HLEN + IP4_HLEN + ESP_HLEN + GCM_IV_LEN + GCM_ICV_LEN)

#define NBUF      64   /* buffers cycled through: a few bursts' worth */
#define BUF_SIZE  2048
#define BATCH     256  /* operations between clock reads */
#define MAX_SIZES 16
#define MAX_RUNS  101

enum op { OP_ENC, OP_DEC };

struct buf {
	uint8_t data[BUF_SIZE];
	uint8_t plain[BUF_SIZE]; /* decryption output */
	uint8_t iv[12];
	uint8_t aad[ESP_AAD_LEN];
	uint8_t icv[GCM_ICV_LEN];
} __attribute__((aligned(64)));

static struct buf bufs[NBUF];
static struct gcm_key_data key __attribute__((aligned(64)));
static struct gcm_context_data ctx __attribute__((aligned(64)));
static const uint8_t salt[4] = { 0x5a, 0x17, 0xc0, 0xde };

static uint32_t align4(uint32_t n)
{
	return (n + 3) & ~3u;
}

static uint32_t out_len(uint32_t size)
{
	return align4(size - ETH_HLEN + ESP_TRL_LEN);
}

static uint32_t in_len(uint32_t size)
{
	uint32_t min = align4(IP4_HLEN + UDP_HLEN + ESP_TRL_LEN);
	uint32_t p = size > TUN_OVERHEAD ? (size - TUN_OVERHEAD) & ~3u : 0;

	return p < min ? min : p;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Sequence number seq into buffer b's IV and AAD, as a sender would. */
static void set_seq(struct buf *b, uint32_t seq)
{
	memcpy(b->iv, salt, sizeof(salt));
	memset(b->iv + 4, 0, 4);
	put_be32(b->iv + 8, seq);
	put_be32(b->aad, 0x2001);
	put_be32(b->aad + 4, seq);
}

/* Constant time, as a receiver must compare ICVs. */
static int icv_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	int i;

	for (i = 0; i < GCM_ICV_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/*
 * The published vector (McGrew & Viega, GCM spec, test case 4) checks that
 * the API is driven correctly before anything is timed.
 */
static int self_test(IMB_MGR *mgr)
{
	static const uint8_t k[16] = {
		0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
		0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08 };
	static const uint8_t iv[12] = {
		0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad,
		0xde, 0xca, 0xf8, 0x88 };
	static const uint8_t aad[20] = {
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef,
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef,
		0xab, 0xad, 0xda, 0xd2 };
	static const uint8_t pt[60] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5,
		0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26, 0x9a,
		0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
		0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72,
		0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53,
		0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
		0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57,
		0xba, 0x63, 0x7b, 0x39 };
	static const uint8_t ct[60] = {
		0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24,
		0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0, 0xd4, 0x9c,
		0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
		0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e,
		0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c,
		0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
		0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97,
		0x3d, 0x58, 0xe0, 0x91 };
	static const uint8_t tag[16] = {
		0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb,
		0x94, 0xfa, 0xe9, 0x5a, 0xe7, 0x12, 0x1a, 0x47 };
	uint8_t out[60], back[60], t[16];

	IMB_AES128_GCM_PRE(mgr, k, &key);
	IMB_AES128_GCM_ENC(mgr, &key, &ctx, out, pt, sizeof(pt), iv, aad,
			   sizeof(aad), t, sizeof(t));
	if (memcmp(out, ct, sizeof(ct)) != 0 || memcmp(t, tag, sizeof(tag)) != 0) {
		fprintf(stderr, "self_test: encryption does not match the published vector\n");
		return -1;
	}
	IMB_AES128_GCM_DEC(mgr, &key, &ctx, back, ct, sizeof(ct), iv, aad,
			   sizeof(aad), t, sizeof(t));
	if (memcmp(back, pt, sizeof(pt)) != 0 || memcmp(t, tag, sizeof(tag)) != 0) {
		fprintf(stderr, "self_test: decryption does not match the published vector\n");
		return -1;
	}
	return 0;
}

/* Ciphertexts and ICVs for the decryption runs, made by the same library. */
static void prepare(IMB_MGR *mgr, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < NBUF; i++) {
		memset(bufs[i].data, (int)i, len);
		set_seq(&bufs[i], i + 1);
		IMB_AES128_GCM_ENC(mgr, &key, &ctx, bufs[i].data, bufs[i].data,
				   len, bufs[i].iv, bufs[i].aad, ESP_AAD_LEN,
				   bufs[i].icv, GCM_ICV_LEN);
	}
}

/* One timed run of at least min_s seconds; returns operations per second. */
static double run_once(IMB_MGR *mgr, enum op op, uint32_t len, double min_s,
		       uint64_t *bad)
{
	uint64_t ops = 0;
	uint32_t seq = 1, i, k = 0;
	uint8_t icv[GCM_ICV_LEN];
	double t0 = now_s(), t;

	do {
		for (i = 0; i < BATCH; i++) {
			struct buf *b = &bufs[k];

			k = (k + 1) % NBUF;
			if (op == OP_ENC) {
				set_seq(b, seq++);
				IMB_AES128_GCM_ENC(mgr, &key, &ctx, b->data, b->data,
						   len, b->iv, b->aad, ESP_AAD_LEN,
						   b->icv, GCM_ICV_LEN);
			} else {
				IMB_AES128_GCM_DEC(mgr, &key, &ctx, b->plain, b->data,
						   len, b->iv, b->aad, ESP_AAD_LEN,
						   icv, GCM_ICV_LEN);
				*bad += !icv_equal(icv, b->icv);
			}
		}
		ops += BATCH;
		t = now_s();
	} while (t - t0 < min_s);
	return (double)ops / (t - t0);
}

/* Any key runs at the same speed; a fixed one keeps runs comparable. */
static void bench_key(IMB_MGR *mgr)
{
	uint8_t k[16];
	unsigned i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)(0x11 * i);
	IMB_AES128_GCM_PRE(mgr, k, &key);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int measure(IMB_MGR *mgr, enum op op, uint32_t size, int runs, double min_s)
{
	double rates[MAX_RUNS], pps;
	uint32_t len = op == OP_ENC ? out_len(size) : in_len(size);
	uint32_t frame = op == OP_ENC ? size : in_len(size) + TUN_OVERHEAD;
	uint64_t bad = 0;
	int r;

	prepare(mgr, len);
	run_once(mgr, op, len, min_s / 2, &bad); /* warm-up: caches, clocks */
	for (r = 0; r < runs; r++)
		rates[r] = run_once(mgr, op, len, min_s, &bad);
	if (bad) {
		fprintf(stderr, "measure: %llu ICV mismatches at len %u\n",
			(unsigned long long)bad, len);
		return -1;
	}
	pps = median(rates, runs);
	printf("gcm dir=%s op=%s size=%u frame=%u len=%u mpps=%.3f gbps=%.3f runs=%d\n",
	       op == OP_ENC ? "out" : "in", op == OP_ENC ? "enc" : "dec",
	       size, frame, len, pps / 1e6, pps * len * 8 / 1e9, runs);
	fflush(stdout);
	return 0;
}

static const char *arch_name(IMB_ARCH a)
{
	switch (a) {
	case IMB_ARCH_NOAESNI: return "noaesni";
	case IMB_ARCH_SSE: return "sse";
	case IMB_ARCH_AVX: return "avx";
	case IMB_ARCH_AVX2: return "avx2";
	case IMB_ARCH_AVX512: return "avx512";
	default: return "unknown";
	}
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-r RUNS] [-t SECONDS] [-s SIZE[,SIZE...]] [-d in|out|both]\n"
		"  -r  timed runs per size, median printed (default 7, max %d)\n"
		"  -t  minimum seconds per run (default 0.2)\n"
		"  -s  nominal Ethernet frame sizes (default 64,512,1420)\n"
		"  -d  out = encrypt, in = decrypt + ICV check (default both)\n",
		prog, MAX_RUNS);
}

static int parse_sizes(char *s, uint32_t *sizes, int *n)
{
	char *tok, *end, *save = NULL;
	unsigned long v;

	*n = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtoul(tok, &end, 10);
		/* the outbound frame must hold an IPv4/UDP header */
		if (errno || *end || v < ETH_HLEN + IP4_HLEN + UDP_HLEN ||
		    v > 1514 || *n == MAX_SIZES)
			return -1;
		sizes[(*n)++] = (uint32_t)v;
	}
	return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 64, 512, 1420 };
	int nsizes = 3, runs = 7, do_out = 1, do_in = 1, c, i, rc = 1;
	double min_s = 0.2;
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *mgr;
	char *end;

	while ((c = getopt(argc, argv, "r:t:s:d:h")) != -1) {
		switch (c) {
		case 'r':
			runs = (int)strtol(optarg, &end, 10);
			if (*end || runs < 1 || runs > MAX_RUNS)
				goto bad_usage;
			break;
		case 't':
			min_s = strtod(optarg, &end);
			if (*end || !(min_s > 0 && min_s <= 60))
				goto bad_usage;
			break;
		case 's':
			if (parse_sizes(optarg, sizes, &nsizes) < 0)
				goto bad_usage;
			break;
		case 'd':
			if (strcmp(optarg, "in") && strcmp(optarg, "out") &&
			    strcmp(optarg, "both"))
				goto bad_usage;
			do_out = strcmp(optarg, "in") != 0;
			do_in = strcmp(optarg, "out") != 0;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;

	mgr = alloc_mb_mgr(0);
	if (!mgr) {
		fprintf(stderr, "main: alloc_mb_mgr failed\n");
		return 1;
	}
	init_mb_mgr_auto(mgr, &arch);
	if (imb_get_errno(mgr) != 0) {
		fprintf(stderr, "main: init_mb_mgr_auto: %s\n",
			imb_get_strerror(imb_get_errno(mgr)));
		goto out;
	}
	printf("# intel-ipsec-mb %s arch=%s vaes=%d vpclmulqdq=%d\n", imb_get_version_str(),
	       arch_name(arch), !!(mgr->features & IMB_FEATURE_VAES),
	       !!(mgr->features & IMB_FEATURE_VPCLMULQDQ));
	if (self_test(mgr) < 0)
		goto out;

	bench_key(mgr);
	for (i = 0; i < nsizes; i++) {
		if (do_out && measure(mgr, OP_ENC, sizes[i], runs, min_s) < 0)
			goto out;
		if (do_in && measure(mgr, OP_DEC, sizes[i], runs, min_s) < 0)
			goto out;
	}
	rc = 0;
out:
	free_mb_mgr(mgr);
	return rc;

bad_usage:
	usage(argv[0]);
	return 2;
}
