/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the IKEv2 daemon's state machine (control/ike/ike_exch.c
 * and ike_msg.c). Each run starts the daemon with a fixed configuration and
 * a fake host, and the harness performs a real IKE_SA_INIT as the initiator,
 * so that it holds the keys. The input then drives the exchanges; the keys
 * differ from run to run, but the input only chooses what is under them,
 * so a run is reproducible in everything the daemon decides on.
 *
 * The input is a list of records:
 *
 *   op  len_hi len_lo  first  chain[len]
 *
 *   op bits 0-1  0 IKE_AUTH, 1 CREATE_CHILD_SA, 2 INFORMATIONAL: chain is the
 *                plaintext of an SK payload whose first payload is first,
 *                encrypted with SK_ei so that it always decrypts;
 *                3: bit 2 set: advance the clock by first * 250 ms and tick;
 *                   bit 7 makes the host's next esp_add fail, bit 6 its
 *                   next spi_alloc (until the next tick record);
 *                   bit 2 clear, bit 4 set: the host's event for the ESP SA
 *                   with handle first, by bits 5-6: soft, hard or sequence
 *                   limit (sgw_ike_esp_event), or 3: sgw_ike_terminate()
 *                   of the current IKE SA;
 *                   bits 2 and 4 clear: chain is a raw datagram (bit 3: its
 *                   SPIs replaced with the current IKE SA's; bits 5-6: its
 *                   message ID with 1 the one the daemon expects next, 2
 *                   the last one it answered, 3 its own request's)
 *   op bit 2     a response (to the daemon's request) rather than a request
 *   op bits 3-5  message ID: 6 the expected one - 1, 7 + 1, else the one the
 *                daemon expects
 *   op bit 6     IKE_AUTH: leave the AUTH payload as it is; else an AUTH of
 *                method 2 with 32 bytes is replaced by the correct PSK MIC
 *                over the chain's IDi, so that authentication can succeed
 *   op bit 7     send it as two SKF fragments (RFC 7383)
 *
 * When the IKE SA is gone (deleted, failed), the next exchange record
 * starts a new one (a few times per input). The daemon's SPIs are the fake
 * host's, counting from 0xc0000001, so inputs can name them in Delete and
 * REKEY_SA payloads.
 *
 * Checked after every record, besides the sanitizers: every datagram the
 * daemon sends parses, and those protected under the current IKE SA's
 * keys decrypt and their inner chain parses; the host never sees an SA
 * deleted twice or an unknown SPI installed; the installed SA count is the
 * adds minus the deletes. After sgw_ike_fini(): nothing installed is left
 * and every SPI was handed back.
 *
 * test/fuzz/gen_ike_sm_seeds.py writes the seeds. Build options (c_args):
 * -DSGW_FUZZ_LOG prints the daemon's log; -DSGW_FUZZ_AVOID_KNOWN_BUGS skips
 * the inputs of the daemon bugs test_ike_daemon.c reproduces, to fuzz past
 * them until they are fixed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "conf.h"
#include "ike.h"
#include "ike_crypto.h"
#include "ike_int.h"      /* the IKE SA's expected message IDs */
#include "ike_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define PSK        "0123456789abcdef0123456789abcdef"
#define PRF        SGW_IKE_PRF_HMAC_SHA2_256
#define MAX_STEPS  64
#define MAX_INITS  4
#define MAX_SPI    512
#define MAX_ESP    512

/* ------------------------------------------------------------ fake host */

static struct {
	uint64_t now;
	uint32_t next_spi;
	unsigned n_spi;
	uint8_t spi_state[MAX_SPI];  /* by SPI - 0xc0000001: 0 -, 1 allocated, 2 in an SA */
	unsigned n_esp, live;
	bool fail_add, fail_alloc;   /* the next one fails */
	struct {
		bool live;
		bool inbound;
		uint32_t spi;
	} esp[MAX_ESP];
} H;

/* The harness as initiator of the current IKE SA. */
static struct {
	bool keyed;
	struct sgw_ike_addr me;
	uint64_t ispi, rspi;
	struct sgw_ike_dh *dh;
	uint8_t ni[32], nr[256];
	size_t nr_len;
	uint8_t init_i[2048];
	size_t init_i_len;
	struct sgw_ike_keys k;
	struct sgw_ike_sk *tx, *rx;
	uint64_t seq;
	/* the IKE_SA_INIT response, when it came */
	uint8_t init_r[4096];
	size_t init_r_len;
} X;

static const struct sgw_ike_suite suite = {
	.encr = SGW_IKE_ENCR_AES_GCM_16, .key_bits = 128, .prf = PRF,
};

static const struct sgw_ike_addr gw = { .family = AF_INET, .a = { 203, 0, 113, 1 },
					.port = SGW_IKE_PORT };

static uint8_t plain[IKE_MSG_BUF];

/* What the daemon sends: it must parse; under the current keys it must
 * decrypt to a chain that parses. */
static void check_sent(const uint8_t *msg, size_t len)
{
	static struct sgw_ike_msg m;
	const struct sgw_ike_pld *p;
	struct sgw_ike_skf_pld f;
	size_t olen;

	check(sgw_ike_msg_parse(msg, len, &m) == 0);
	check(m.hdr.length == len);
	if (m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		if (m.hdr.ispi == X.ispi && !X.keyed && m.hdr.rspi && len <= sizeof(X.init_r)) {
			memcpy(X.init_r, msg, len);
			X.init_r_len = len;
		}
		return;
	}
	check(m.n >= 1);
	if (!X.keyed || m.hdr.ispi != X.ispi || m.hdr.rspi != X.rspi)
		return;    /* another IKE SA: one the daemon rekeyed may be its own */
	check(!(m.hdr.flags & IKEV2_FLAG_INITIATOR));
	p = &m.pld[m.n - 1];
	if (p->type == IKEV2_PLD_SK) {
		check(sgw_ike_sk_decrypt(X.rx, msg, p->off + 4, p->body, p->len, plain,
					 sizeof(plain), &olen) == 0);
		check(sgw_ike_chain_parse(p->next, plain, olen, &m) == 0);
	} else {
		check(p->type == IKEV2_PLD_SKF);
		check(sgw_ike_dec_skf(p, &f) == 0);
		check(sgw_ike_sk_decrypt(X.rx, msg, p->off + 8, f.data, f.len, plain,
					 sizeof(plain), &olen) == 0);
	}
}

static void h_send(void *ctx, const struct sgw_ike_addr *local,
		   const struct sgw_ike_addr *remote, const uint8_t *msg, size_t len)
{
	uint8_t *c = malloc(len);

	(void)ctx;
	check(ike_addr_eq(local, &gw) || local->port == SGW_IKE_NATT_PORT);
	(void)remote;
	check(c);
	memcpy(c, msg, len);
	check_sent(c, len);
	free(c);
}

static uint8_t *spi_slot(uint32_t spi)
{
	uint32_t i = spi - 0xc0000001u;

	return i < H.n_spi ? &H.spi_state[i] : NULL;
}

static int h_spi_alloc(void *ctx, uint32_t *spi)
{
	(void)ctx;
	if (H.n_spi == MAX_SPI || H.fail_alloc) {
		H.fail_alloc = false;
		return -ENOSPC;
	}
	H.spi_state[H.n_spi++] = 1;
	*spi = ++H.next_spi;
	return 0;
}

static void h_spi_release(void *ctx, uint32_t spi)
{
	uint8_t *s = spi_slot(spi);

	(void)ctx;
	check(s && *s == 1);
	*s = 0;
}

static int h_esp_add(void *ctx, const struct sgw_ike_esp *e, uint64_t *handle)
{
	(void)ctx;
	check(e->key_len == 16 || e->key_len == 32);
	check(e->ts_local && e->ts_remote);
	check(e->ts_local->n_ts >= 1 && e->ts_local->n_ts <= SGW_IKE_MAX_TS);
	check(e->ts_remote->n_ts >= 1 && e->ts_remote->n_ts <= SGW_IKE_MAX_TS);
	/* Outbound goes in front of a live SA's policies. */
	check(e->before == 0 || (e->before <= H.n_esp && !e->inbound && H.esp[e->before - 1].live));
	if (H.fail_add) {
		H.fail_add = false;
		return -ENOMEM;
	}
	if (e->inbound) {
		uint8_t *s = spi_slot(e->spi);

		check(s && *s == 1);
		*s = 2;
	}
	if (H.n_esp == MAX_ESP)
		return -ENOSPC;
	H.esp[H.n_esp].live = true;
	H.esp[H.n_esp].inbound = e->inbound;
	H.esp[H.n_esp].spi = e->spi;
	*handle = ++H.n_esp;
	H.live++;
	return 0;
}

static void h_esp_del(void *ctx, uint64_t handle)
{
	(void)ctx;
	check(handle >= 1 && handle <= H.n_esp && H.esp[handle - 1].live);
	H.esp[handle - 1].live = false;
	if (H.esp[handle - 1].inbound)
		*spi_slot(H.esp[handle - 1].spi) = 0;
	H.live--;
}

static int h_esp_counts(void *ctx, uint64_t handle, uint64_t *p, uint64_t *b)
{
	(void)ctx;
	(void)handle;
	*p = *b = 0;
	return 0;
}

static uint64_t h_now(void *ctx)
{
	(void)ctx;
	return H.now;
}

static int h_source(void *ctx, int family, const uint8_t *remote, uint8_t *local)
{
	(void)ctx;
	(void)family;
	(void)remote;
	memcpy(local, gw.a, 16);
	return 0;
}

static const struct sgw_ike_host host = {
	.send = h_send, .spi_alloc = h_spi_alloc, .spi_release = h_spi_release,
	.esp_add = h_esp_add, .esp_del = h_esp_del, .esp_counts = h_esp_counts,
	.now_ms = h_now, .source = h_source,
};

static void invariants(void)
{
	unsigned live = 0;

	for (unsigned i = 0; i < H.n_esp; i++)
		live += H.esp[i].live;
	check(live == H.live);
}

/* ---------------------------------------------------- the configuration */

static struct sgw_conf *conf;
static char dir[64], secrets[128];

static void cleanup(void)
{
	sgw_conf_free(conf);
	unlink(secrets);
	rmdir(dir);
}

static int setup(void)
{
	static char text[4096], name[128];
	struct sgw_conf_err err = { "" };
	FILE *f;
	int n;

	snprintf(dir, sizeof(dir), "/tmp/sgw-fuzz-ike-sm-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(secrets, sizeof(secrets), "%s/secrets.yaml", dir);
	f = fopen(secrets, "w");
	if (!f)
		return -1;
	fputs("psk:\n"
	      "  - ids: [alice@example.net, gw.example.net, bob@tp.example]\n"
	      "    secret: \"" PSK "\"\n", f);
	fclose(f);
	if (chmod(secrets, 0600))
		return -1;
	n = snprintf(text, sizeof(text),
		"ports:\n"
		"  - name: outside\n"
		"    device: net_af_packet0,iface=t0\n"
		"    addresses: [203.0.113.1/24]\n"
		"ike:\n"
		"  secrets: %s\n"
		"  cookie_threshold: 1000\n"
		"  half_open_per_source: 64\n"
		"  retransmit_timeout: 2s\n"
		"  retransmit_tries: 2\n"
		"  fragment_size: 576\n"
		"pools:\n"
		"  - name: rw4\n"
		"    addrs: 10.10.1.0/29\n"
		"    dns: [10.10.0.53]\n"
		"  - name: rw6\n"
		"    addrs: \"2001:db8:1::/120\"\n"
		"peers:\n"
		"  - name: rw\n"
		"    local: 203.0.113.1\n"
		"    auth: psk\n"
		"    local_id: gw.example.net\n"
		"    remote_id: \"*@example.net\"\n"
		"    pools: [rw4, rw6]\n"
		"    dpd: 30s\n"
		"    child_lifetime: 60s\n"
		"    ike_lifetime: 45s\n"
		"    ike_proposals: [aes128gcm16-prfsha256-x25519-ecp256]\n"
		"    esp_proposals: [aes128gcm16-x25519-noesn, aes128gcm16-aes256gcm16-esn-noesn]\n"
		"    children:\n"
		"      - name: net\n"
		"        local_ts: [10.10.0.0/24, \"2001:db8:10::/64\"]\n"
		"      - name: big\n"
		"        local_ts: [\"2001:db8:0::/64\", \"2001:db8:1::/64\", \"2001:db8:2::/64\", "
		"\"2001:db8:3::/64\", \"2001:db8:4::/64\", \"2001:db8:5::/64\", "
		"\"2001:db8:6::/64\", \"2001:db8:7::/64\", \"2001:db8:8::/64\", "
		"\"2001:db8:9::/64\", \"2001:db8:a::/64\", \"2001:db8:b::/64\"]\n"
		"        remote_ts: [\"::/0\"]\n"
		"  - name: tp\n"
		"    local: 203.0.113.1\n"
		"    auth: psk\n"
		"    local_id: gw.example.net\n"
		"    remote_id: \"*@tp.example\"\n"
		"    children:\n"
		"      - name: l2tp\n"
		"        mode: transport\n"
		"        local_ts: [\"203.0.113.1/32[udp/1701]\"]\n", secrets);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	snprintf(name, sizeof(name), "%s/t.yaml", dir);
	if (sgw_conf_parse(name, text, (size_t)n, &conf, &err) ||
	    sgw_conf_validate(conf, &err)) {
		fprintf(stderr, "fuzz_ike_sm: config: %s\n", err.msg);
		return -1;
	}
	atexit(cleanup);
	return 0;
}

/* ------------------------------------------------------- the initiator */

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void x_free(void)
{
	sgw_ike_dh_free(X.dh);
	sgw_ike_sk_free(X.tx);
	sgw_ike_sk_free(X.rx);
	sgw_ike_keys_clear(&X.k);
	memset(&X, 0, sizeof(X));
}

static void input(const uint8_t *msg, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	check(c);
	memcpy(c, msg, len);
	sgw_ike_input(&gw, &X.me, c, len);
	free(c);
	invariants();
}

static void nat_hash(uint64_t rspi, const struct sgw_ike_addr *a, uint8_t out[20])
{
	uint8_t in[22];
	unsigned olen;

	be64(in, X.ispi);
	be64(in + 8, rspi);
	memcpy(in + 16, a->a, 4);
	in[20] = (uint8_t)(a->port >> 8);
	in[21] = (uint8_t)a->port;
	EVP_Digest(in, sizeof(in), out, &olen, EVP_sha1(), NULL);
}

static void enc_notify(struct sgw_ike_buf *b, uint16_t type, const void *d, size_t len)
{
	const struct sgw_ike_notify_pld n = { .type = type, .data = d, .len = (uint16_t)len };

	sgw_ike_enc_notify(b, &n);
}

/* A fresh IKE SA: IKE_SA_INIT with x25519, keys derived. */
static bool handshake(void)
{
	struct sgw_ike_sa_pld sa = { .n_prop = 1 };
	struct sgw_ike_prop *p = &sa.prop[0];
	struct sgw_ike_msg m;
	struct sgw_ike_ke_pld ke = { .group = IKEV2_DH_CURVE25519 };
	struct sgw_ike_nonce_pld n = { .len = sizeof(X.ni) };
	struct sgw_ike_buf b;
	uint8_t pub[64], gir[64], seed[SGW_IKE_PRF_MAX], si[8], sr[8], hash[20];
	size_t pub_len, glen;
	static unsigned port;
	bool ok = false;

	x_free();
	X.me.family = AF_INET;
	X.me.a[0] = 198, X.me.a[1] = 51, X.me.a[2] = 100, X.me.a[3] = 7;
	X.me.port = (uint16_t)(500 + (port++ & 1) * 4000);
	check(sgw_ike_random(&X.ispi, sizeof(X.ispi)) == 0);
	check(sgw_ike_random(X.ni, sizeof(X.ni)) == 0);
	check(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &X.dh) == 0);
	check(sgw_ike_dh_public(X.dh, pub, sizeof(pub), &pub_len) == 0);
	p->num = 1;
	p->proto = IKEV2_PROTO_IKE;
	p->n_xform = 3;
	p->xform[0] = (struct sgw_ike_xform){ IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 128 };
	p->xform[1] = (struct sgw_ike_xform){ IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0 };
	p->xform[2] = (struct sgw_ike_xform){ IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0 };
	ke.len = (uint16_t)pub_len;
	ke.data = pub;
	n.data = X.ni;
	sgw_ike_buf_init(&b, X.init_i, sizeof(X.init_i));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){ .ispi = X.ispi,
			   .exchange = IKEV2_EXCH_IKE_SA_INIT, .flags = IKEV2_FLAG_INITIATOR });
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_ke(&b, &ke);
	sgw_ike_enc_nonce(&b, &n);
	nat_hash(0, &X.me, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, 20);
	nat_hash(0, &gw, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	enc_notify(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	check(sgw_ike_enc_finish(&b) == 0);
	X.init_i_len = b.len;
	X.init_r_len = 0;
	input(X.init_i, X.init_i_len);
	if (!X.init_r_len)
		return false;
	check(sgw_ike_msg_parse(X.init_r, X.init_r_len, &m) == 0);
	for (unsigned i = 0; i < m.n; i++) {
		if (m.pld[i].type == IKEV2_PLD_KE)
			check(sgw_ike_dec_ke(&m.pld[i], &ke) == 0);
		else if (m.pld[i].type == IKEV2_PLD_NONCE)
			check(sgw_ike_dec_nonce(&m.pld[i], &n) == 0);
	}
	X.rspi = m.hdr.rspi;
	memcpy(X.nr, n.data, n.len);
	X.nr_len = n.len;
	be64(si, X.ispi);
	be64(sr, X.rspi);
	if (sgw_ike_dh_derive(X.dh, ke.data, ke.len, gir, sizeof(gir), &glen) == 0 &&
	    sgw_ike_skeyseed(PRF, X.ni, sizeof(X.ni), X.nr, X.nr_len, gir, glen, seed) == 0 &&
	    sgw_ike_derive_keys(&suite, seed, X.ni, sizeof(X.ni), X.nr, X.nr_len, si, sr,
				&X.k) == 0 &&
	    sgw_ike_sk_new(&suite, &X.k.ei, NULL, &X.tx) == 0 &&
	    sgw_ike_sk_new(&suite, &X.k.er, NULL, &X.rx) == 0)
		ok = true;
	check(ok);
	X.keyed = true;
	return true;
}

/* The right AUTH for the chain's IDi, in place of an AUTH of method 2. */
static void fix_auth(uint8_t first, uint8_t *chain, size_t len)
{
	static struct sgw_ike_msg m;
	static uint8_t oct[4096];
	const struct sgw_ike_pld *idi = NULL, *auth = NULL;
	size_t olen;

	if (sgw_ike_chain_parse(first, chain, len, &m))
		return;
	for (unsigned i = 0; i < m.n; i++) {
		if (m.pld[i].type == IKEV2_PLD_IDI && !idi)
			idi = &m.pld[i];
		if (m.pld[i].type == IKEV2_PLD_AUTH && !auth)
			auth = &m.pld[i];
	}
	if (!idi || !auth || idi->len < 4 || auth->len != 4 + 32 ||
	    auth->body[0] != IKEV2_AUTH_SHARED_KEY_MIC)
		return;
	if (sgw_ike_signed_octets(X.init_i, X.init_i_len, X.nr, X.nr_len, PRF, &X.k.pi,
				  idi->body, idi->len, oct, sizeof(oct), &olen) == 0)
		sgw_ike_auth_psk(PRF, (const uint8_t *)PSK, strlen(PSK), oct, olen,
				 chain + (auth->body - chain) + 4);
}

/* One SK (or n SKF) protected datagram(s) around the chain. */
static void send_sealed(uint8_t exch, bool response, uint32_t mid, uint8_t first,
			const uint8_t *chain, size_t len, unsigned frags)
{
	static uint8_t out[IKE_MSG_BUF];
	const size_t chunk = frags > 1 ? (len + frags - 1) / frags : len;

	for (unsigned i = 0; i < frags; i++) {
		const size_t at = i * chunk;
		const size_t l = len - at < chunk ? len - at : chunk;
		const size_t ovh = sgw_ike_sk_overhead(X.tx, l);
		struct sgw_ike_buf b;
		size_t off, hl, olen;
		uint8_t *p;

		sgw_ike_buf_init(&b, out, sizeof(out));
		sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){ .ispi = X.ispi, .rspi = X.rspi,
				   .exchange = exch, .msgid = mid,
				   .flags = (uint8_t)(IKEV2_FLAG_INITIATOR |
						      (response ? IKEV2_FLAG_RESPONSE : 0)) });
		off = frags > 1 ? sgw_ike_enc_skf_begin(&b, i ? 0 : first, (uint16_t)(i + 1),
							(uint16_t)frags) :
				  sgw_ike_enc_sk_begin(&b, first);
		hl = b.len;
		p = sgw_ike_enc_reserve(&b, l + ovh);
		sgw_ike_enc_patch_len(&b, off);
		if (sgw_ike_enc_finish(&b) || !p)
			return;     /* too big for one message */
		check(sgw_ike_sk_encrypt(X.tx, ++X.seq, out, hl, chain + at, l, p, l + ovh,
					 &olen) == 0);
		input(out, b.len);
		if (!X.keyed)
			return;
	}
}

static struct ike_sa *current(void)
{
	return X.keyed ? ike_sa_find(X.rspi) : NULL;
}

#ifdef SGW_FUZZ_AVOID_KNOWN_BUGS
/*
 * To fuzz past the daemon bugs found by this target and reported with
 * test/unit/test_ike_daemon.c (test_bug_*), until they are fixed: build
 * with -Dc_args=-DSGW_FUZZ_AVOID_KNOWN_BUGS and these inputs are skipped.
 */
static bool known_bug_chain(uint8_t exch, uint8_t first, const uint8_t *chain, size_t len,
			    const struct ike_sa *sa)
{
	static struct sgw_ike_msg m;

	if (sgw_ike_chain_parse(first, chain, len, &m))
		return false;
	for (unsigned i = 0; i < m.n; i++) {
		const struct sgw_ike_pld *p = &m.pld[i];

		/* test_bug_long_identity */
		if ((p->type == IKEV2_PLD_IDI || p->type == IKEV2_PLD_IDR) && p->len > 4 + 255)
			return true;
		/* test_bug_ike_rekey_during_own_child_rekey */
		if (exch == IKEV2_EXCH_CREATE_CHILD_SA && p->type == IKEV2_PLD_SA && p->len >= 6 &&
		    p->body[5] == IKEV2_PROTO_IKE && sa->req.active)
			return true;
	}
	return false;
}

/* test_bug_late_ike_rekey_answer: a response while our IKE rekey's
 * successor is gone (REQ_REKEY_IKE is 7 in ike_exch.c's enum req_kind). */
static bool known_bug_response(const struct ike_sa *sa)
{
	if (!sa->req.active || sa->req.kind != 7)
		return false;
	for (const struct ike_sa *x = ike.all; x; x = x->next)
		if (x == sa->cx_ike)
			return false;
	return true;
}

/* test_bug_retransmit_without_payload */
static bool known_bug_raw(const uint8_t *msg, size_t len)
{
	static struct sgw_ike_msg m;

	return sgw_ike_msg_parse(msg, len, &m) == 0 && m.n == 0;
}
#endif

/* The SPIs and message ID of a raw datagram, as op asks. */
static void patch_raw(uint8_t op, uint8_t *c, size_t len)
{
	const struct ike_sa *sa = current();
	const unsigned mid = (op >> 5) & 3;
	uint32_t v;

	if ((op & 8) && len >= 16 && X.keyed) {
		be64(c, X.ispi);
		be64(c + 8, X.rspi);
	}
	if (!mid || len < 24 || !sa)
		return;
	v = mid == 1 ? sa->rx_mid : mid == 2 ? sa->rx_mid - 1 : sa->req.msgid;
	c[20] = (uint8_t)(v >> 24);
	c[21] = (uint8_t)(v >> 16);
	c[22] = (uint8_t)(v >> 8);
	c[23] = (uint8_t)v;
}

static void raw(uint8_t op, const uint8_t *d, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	check(c);
	memcpy(c, d, len);
	patch_raw(op, c, len);
#ifdef SGW_FUZZ_AVOID_KNOWN_BUGS
	if (known_bug_raw(c, len)) {
		free(c);
		return;
	}
#endif
	input(c, len);
	free(c);
}

static void exchange(uint8_t op, uint8_t first, const uint8_t *d, size_t len, unsigned *inits)
{
	static const uint8_t exch_of[3] = { IKEV2_EXCH_IKE_AUTH, IKEV2_EXCH_CREATE_CHILD_SA,
					    IKEV2_EXCH_INFORMATIONAL };
	static uint8_t chain[IKE_MSG_BUF];
	const uint8_t exch = exch_of[op & 3];
	const bool response = op & 4;
	struct ike_sa *sa = current();
	uint32_t mid;

	if (!sa) {
		if (*inits >= MAX_INITS)
			return;
		(*inits)++;
		if (!handshake() || !(sa = current()))
			return;
	}
	mid = response ? (sa->req.active ? sa->req.msgid : sa->tx_mid) : sa->rx_mid;
	if (((op >> 3) & 7) == 6)
		mid--;
	else if (((op >> 3) & 7) == 7)
		mid++;
	memcpy(chain, d, len);
	if (exch == IKEV2_EXCH_IKE_AUTH && !(op & 0x40))
		fix_auth(first, chain, len);
#ifdef SGW_FUZZ_AVOID_KNOWN_BUGS
	if (known_bug_chain(exch, first, chain, len, sa) || (response && known_bug_response(sa)))
		return;
#endif
	send_sealed(exch, response, mid, first, chain, len, (op & 0x80) && len >= 2 ? 2 : 1);
}

static void host_event(uint8_t op, uint8_t handle)
{
	static const enum sgw_ike_esp_event ev[3] = { SGW_IKE_ESP_SOFT, SGW_IKE_ESP_HARD,
						      SGW_IKE_ESP_SEQ };
	const unsigned what = (op >> 5) & 3;
	struct ike_sa *sa = current();

	if (what < 3)
		sgw_ike_esp_event(handle, ev[what]);
	else if (sa)
		check(sgw_ike_terminate(sa->id) == 0);
	invariants();
}

#ifdef SGW_FUZZ_LOG
/* -DSGW_FUZZ_LOG: the daemon's log on stderr, to see what an input does. */
static void log_hook(int level, const char *msg)
{
	fprintf(stderr, "ike[%d] %s\n", level, msg);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	unsigned steps = 0, inits = 1;

	if (!conf && setup())
		abort();
#ifdef SGW_FUZZ_LOG
	sgw_ike_log_hook = log_hook;
#endif
	memset(&H, 0, sizeof(H));
	H.now = 1000000;
	H.next_spi = 0xc0000000u;
	check(sgw_ike_init(conf, &host) == 0);
	handshake();
	while (size - off >= 4 && steps++ < MAX_STEPS) {
		const uint8_t op = data[off], first = data[off + 3];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

		off += 4;
		if (len > size - off)
			len = size - off;
		if ((op & 3) == 3 && (op & 4)) {
			H.fail_add = op & 0x80;
			H.fail_alloc = op & 0x40;
			H.now += (uint64_t)first * 250;
			sgw_ike_tick();
			invariants();
		} else if ((op & 3) == 3 && (op & 0x10)) {
			host_event(op, first);
		} else if ((op & 3) == 3) {
			raw(op, data + off, len);
		} else {
			exchange(op, first, data + off, len, &inits);
		}
		off += len;
	}
	sgw_ike_fini();
	check(H.live == 0);
	for (unsigned i = 0; i < H.n_spi; i++)
		check(H.spi_state[i] == 0);
	x_free();
	return 0;
}
