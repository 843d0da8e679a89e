/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 daemon end to end, mostly as a responder. The test is the
 * peer: it builds every message with the codec, derives the keys itself
 * with ike_crypto, and reads what the daemon sends through a fake host
 * that records datagrams and installed ESP SAs and owns the clock. What
 * the daemon sends is checked against values computed here independently:
 * AUTH with the PSK, the KEYMAT of each ESP SA, NAT-D hashes, cookies, the
 * keys of a rekeyed IKE SA.
 *
 * Every datagram goes in as an exact-size heap copy, so that a read past
 * its end is an ASan error. The test_bug_* tests at the end reproduce
 * daemon bugs found while writing these; each runs in a child process
 * (isolated()) so that a crash fails it alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "conf.h"
#include "ike.h"
#include "ike_crypto.h"
#include "ike_int.h"     /* the cookie secret, for the cookie's computation */
#include "ike_payload.h"
#include "ike_ts.h"

#define PSK      "0123456789abcdef0123456789abcdef"
#define BAD_PSK  "0123456789abcdef0123456789abcdeX"
#define CLIENT   "alice@example.net"
#define GW_ID    "gw.example.net"
#define SITE_ID  "site.example.net"
#define PRF      SGW_IKE_PRF_HMAC_SHA2_256
#define PRF_LEN  32
#define MAXMSG   65535

static uint64_t cnt(enum sgw_ike_counter c)
{
	return sgw_ike_counters()[c];
}

/* ------------------------------------------------------------ fake host */

struct dgram {
	struct sgw_ike_addr local, remote;
	uint8_t *b;
	size_t len;
	uint64_t at;                 /* clock when sent */
};

struct esp_rec {
	uint64_t h;
	bool live;
	struct sgw_ike_esp e;
	struct sgw_ike_ts_pld tl, tr;
};

#define MAX_SENT 256
#define MAX_ESP  64

static struct {
	uint64_t now;
	unsigned n_sent, seen;       /* datagrams sent; those the test took */
	struct dgram sent[MAX_SENT];
	unsigned n_esp;
	struct esp_rec esp[MAX_ESP];
	unsigned adds, dels;
	uint32_t next_spi;
	int spis_out;                /* allocated, neither released nor installed */
	bool fail_alloc;             /* the next spi_alloc fails */
	unsigned fail_add_in;        /* the n-th esp_add from now fails */
	uint64_t next_h;
} H;

static void h_send(void *ctx, const struct sgw_ike_addr *local,
		   const struct sgw_ike_addr *remote, const uint8_t *msg, size_t len)
{
	struct dgram *d;

	(void)ctx;
	assert_true(H.n_sent < MAX_SENT);
	d = &H.sent[H.n_sent++];
	d->local = *local;
	d->remote = *remote;
	d->b = malloc(len);
	assert_non_null(d->b);
	memcpy(d->b, msg, len);
	d->len = len;
	d->at = H.now;
}

static int h_spi_alloc(void *ctx, uint32_t *spi)
{
	(void)ctx;
	if (H.fail_alloc) {
		H.fail_alloc = false;
		return -ENOSPC;
	}
	*spi = ++H.next_spi;
	H.spis_out++;
	return 0;
}

static void h_spi_release(void *ctx, uint32_t spi)
{
	(void)ctx;
	(void)spi;
	H.spis_out--;
}

static int h_esp_add(void *ctx, const struct sgw_ike_esp *e, uint64_t *handle)
{
	struct esp_rec *r;

	(void)ctx;
	if (H.fail_add_in && --H.fail_add_in == 0)
		return -ENOMEM;
	assert_true(H.n_esp < MAX_ESP);
	r = &H.esp[H.n_esp++];
	r->h = ++H.next_h;
	r->live = true;
	r->e = *e;
	if (e->ts_local)
		r->tl = *e->ts_local;
	if (e->ts_remote)
		r->tr = *e->ts_remote;
	r->e.ts_local = &r->tl;
	r->e.ts_remote = &r->tr;
	if (e->inbound)
		H.spis_out--;    /* the SA table owns the SPI now */
	H.adds++;
	*handle = r->h;
	return 0;
}

static struct esp_rec *esp_by_handle(uint64_t h)
{
	for (unsigned i = 0; i < H.n_esp; i++)
		if (H.esp[i].h == h)
			return &H.esp[i];
	return NULL;
}

static void h_esp_del(void *ctx, uint64_t handle)
{
	struct esp_rec *r = esp_by_handle(handle);

	(void)ctx;
	assert_non_null(r);
	assert_true(r->live);         /* never twice */
	r->live = false;
	H.dels++;
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
	memset(local, 0, 16);
	local[0] = 203, local[1] = 0, local[2] = 113, local[3] = 1;
	return 0;
}

static const struct sgw_ike_host host = {
	.send = h_send, .spi_alloc = h_spi_alloc, .spi_release = h_spi_release,
	.esp_add = h_esp_add, .esp_del = h_esp_del, .esp_counts = h_esp_counts,
	.now_ms = h_now, .source = h_source,
};

static unsigned live_esp(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < H.n_esp; i++)
		n += H.esp[i].live;
	return n;
}

/* The i-th ESP SA installed since the start (in order of esp_add). */
static struct esp_rec *esp_n(unsigned i)
{
	assert_true(i < H.n_esp);
	return &H.esp[i];
}

static unsigned n_new(void)
{
	return H.n_sent - H.seen;
}

/* The next datagram the daemon sent that the test has not looked at. */
static struct dgram *take(void)
{
	assert_true(H.seen < H.n_sent);
	return &H.sent[H.seen++];
}

static void advance(uint64_t ms)
{
	H.now += ms;
	sgw_ike_tick();
}

/* ---------------------------------------------------------- the daemon */

static char tmpdir[64], secrets[128];
static struct sgw_conf *conf;

static const struct sgw_ike_addr gw = { .family = AF_INET, .a = { 203, 0, 113, 1 },
					.port = SGW_IKE_PORT };

struct opts {
	unsigned cookie_threshold;   /* 0 in a test that wants it means 0 */
	bool cookies_always;
	bool fragmentation_off;
	const char *child_lifetime;
	const char *ike_lifetime;
};

static int group_setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sgw-ike-daemon-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(secrets, sizeof(secrets), "%s/secrets.yaml", tmpdir);
	f = fopen(secrets, "w");
	if (!f)
		return -1;
	fputs("psk:\n"
	      "  - ids: [" CLIENT ", " GW_ID ", bob@example.net, " SITE_ID "]\n"
	      "    secret: \"" PSK "\"\n", f);
	fclose(f);
	return chmod(secrets, 0600);
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(secrets);
	rmdir(tmpdir);
	return 0;
}

/* One IPv4 child for the handshake tests; one with twelve IPv6 networks
 * whose selectors make a response bigger than fragment_size. */
#define BIG_TS \
	"[\"2001:db8:0::/64\", \"2001:db8:1::/64\", \"2001:db8:2::/64\", " \
	"\"2001:db8:3::/64\", \"2001:db8:4::/64\", \"2001:db8:5::/64\", " \
	"\"2001:db8:6::/64\", \"2001:db8:7::/64\", \"2001:db8:8::/64\", " \
	"\"2001:db8:9::/64\", \"2001:db8:a::/64\", \"2001:db8:b::/64\"]"

static void start(const struct opts *o)
{
	static char text[4096], name[128];
	struct sgw_conf_err err = { "" };
	int n;

	memset(&H, 0, sizeof(H));
	H.now = 1000000;
	H.next_spi = 0xc0000000;
	n = snprintf(text, sizeof(text),
		"ports:\n"
		"  - name: outside\n"
		"    device: net_af_packet0,iface=t0\n"
		"    addresses: [203.0.113.1/24]\n"
		"ike:\n"
		"  secrets: %s\n"
		"  cookie_threshold: %u\n"
		"  half_open_per_source: 3\n"
		"  half_open_timeout: 10s\n"
		"  retransmit_timeout: 2s\n"
		"  retransmit_base: 2.0\n"
		"  retransmit_tries: 3\n"
		"  fragment_size: 576\n"
		"pools:\n"
		"  - name: rw4\n"
		"    addrs: 10.10.1.0/24\n"
		"    dns: [10.10.0.53]\n"
		"peers:\n"
		"  - name: rw\n"
		"    local: 203.0.113.1\n"
		"    auth: psk\n"
		"    local_id: " GW_ID "\n"
		"    remote_id: \"*@example.net\"\n"
		"    pools: [rw4]\n"
		"    dpd: 30s\n"
		"    fragmentation: %s\n"
		"    child_lifetime: %s\n"
		"    ike_lifetime: %s\n"
		"    ike_proposals: [aes128gcm16-prfsha256-x25519-ecp256]\n"
		"    esp_proposals: [aes128gcm16-x25519-noesn, aes128gcm16-noesn]\n"
		"    children:\n"
		"      - name: net\n"
		"        local_ts: [10.10.0.0/24]\n"
		"      - name: big\n"
		"        local_ts: " BIG_TS "\n"
		"        remote_ts: [\"::/0\"]\n"
		"  - name: site\n"
		"    local: 203.0.113.1\n"
		"    remote: 198.51.100.200\n"
		"    auth: psk\n"
		"    local_id: " GW_ID "\n"
		"    remote_id: " SITE_ID "\n"
		"    ike_proposals: [aes128gcm16-prfsha256-x25519]\n"
		"    esp_proposals: [aes128gcm16-noesn]\n"
		"    children:\n"
		"      - name: lan\n"
		"        local_ts: [10.10.0.0/24]\n"
		"        remote_ts: [10.20.0.0/24]\n",
		secrets, o->cookies_always ? 0 : o->cookie_threshold ? o->cookie_threshold : 100,
		o->fragmentation_off ? "false" : "true",
		o->child_lifetime ? o->child_lifetime : "1h",
		o->ike_lifetime ? o->ike_lifetime : "4h");
	assert_true(n > 0 && (size_t)n < sizeof(text));
	snprintf(name, sizeof(name), "%s/t.yaml", tmpdir);
	if (sgw_conf_parse(name, text, (size_t)n, &conf, &err) ||
	    sgw_conf_validate(conf, &err))
		fail_msg("config: %s", err.msg);
	assert_int_equal(sgw_ike_init(conf, &host), 0);
}

static bool in_child;

static int teardown(void **state)
{
	(void)state;
	if (in_child)
		_exit(1);     /* a failed assertion in an isolated test */
	sgw_ike_fini();
	/* Whatever was installed is gone, every SPI handed back. */
	if (conf) {
		assert_int_equal(live_esp(), 0);
		assert_int_equal(H.spis_out, 0);
		assert_int_equal(H.adds, H.dels);
	}
	sgw_conf_free(conf);
	conf = NULL;
	for (unsigned i = 0; i < H.n_sent; i++)
		free(H.sent[i].b);
	memset(&H, 0, sizeof(H));
	return 0;
}

/* An exact-size copy, so ASan sees a read past the end. */
static void input_from(const struct sgw_ike_addr *from, const uint8_t *msg, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, msg, len);
	sgw_ike_input(&gw, from, c, len);
	free(c);
}

/* ------------------------------------------------------- the initiator */

struct ini {
	struct sgw_ike_addr me;
	uint64_t ispi, rspi;
	struct sgw_ike_dh *dh;
	uint8_t ni[32], nr[256];
	size_t ni_len, nr_len;
	uint8_t init_i[4096], init_r[4096];
	size_t init_i_len, init_r_len;
	struct sgw_ike_suite s;
	struct sgw_ike_keys k;
	struct sgw_ike_sk *tx, *rx;
	uint64_t seq;
	uint32_t mid;                 /* our next request */
	uint32_t child_spi;           /* our inbound ESP SPI of the first child */
	bool responder;               /* the daemon initiated this IKE SA */
};

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void ini_new(struct ini *x, uint8_t last_octet)
{
	memset(x, 0, sizeof(*x));
	x->me.family = AF_INET;
	x->me.a[0] = 198, x->me.a[1] = 51, x->me.a[2] = 100, x->me.a[3] = last_octet;
	x->me.port = SGW_IKE_PORT;
	assert_int_equal(sgw_ike_random(&x->ispi, sizeof(x->ispi)), 0);
	x->ispi |= 1;
	x->ni_len = sizeof(x->ni);
	assert_int_equal(sgw_ike_random(x->ni, x->ni_len), 0);
	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &x->dh), 0);
	x->s = (struct sgw_ike_suite){ .encr = SGW_IKE_ENCR_AES_GCM_16, .key_bits = 128,
				       .prf = PRF };
	x->child_spi = 0x11110000u | last_octet;
}

static void ini_free(struct ini *x)
{
	sgw_ike_dh_free(x->dh);
	sgw_ike_sk_free(x->tx);
	sgw_ike_sk_free(x->rx);
	sgw_ike_keys_clear(&x->k);
	x->dh = NULL;
	x->tx = x->rx = NULL;
}

static void send_ini(struct ini *x, const uint8_t *msg, size_t len)
{
	input_from(&x->me, msg, len);
}

/* SHA-1(SPIi | SPIr | IP | Port), RFC 7296 2.23. */
static void nat_hash(uint64_t ispi, uint64_t rspi, const struct sgw_ike_addr *a, uint8_t *out)
{
	uint8_t in[8 + 8 + 4 + 2];
	unsigned olen;

	be64(in, ispi);
	be64(in + 8, rspi);
	memcpy(in + 16, a->a, 4);
	in[20] = (uint8_t)(a->port >> 8);
	in[21] = (uint8_t)a->port;
	assert_int_equal(EVP_Digest(in, sizeof(in), out, &olen, EVP_sha1(), NULL), 1);
}

static void enc_notify(struct sgw_ike_buf *b, uint16_t type, const void *d, size_t len)
{
	const struct sgw_ike_notify_pld n = { .type = type, .data = d, .len = (uint16_t)len };

	sgw_ike_enc_notify(b, &n);
}

static void xf(struct sgw_ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	p->xform[p->n_xform++] = (struct sgw_ike_xform){ type, id, keylen };
}

/* AES-GCM-128, PRF-SHA256, and the groups given. */
static void ike_prop(struct sgw_ike_sa_pld *sa, uint64_t spi, const uint16_t *groups,
		     unsigned n_groups)
{
	struct sgw_ike_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->n_prop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_IKE;
	p->spi_size = spi ? 8 : 0;
	p->spi = spi;
	xf(p, IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 128);
	xf(p, IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0);
	for (unsigned i = 0; i < n_groups; i++)
		xf(p, IKEV2_XFORM_DH, groups[i], 0);
}

static void esp_prop(struct sgw_ike_sa_pld *sa, uint32_t spi, uint16_t group)
{
	struct sgw_ike_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->n_prop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_size = 4;
	p->spi = spi;
	xf(p, IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 128);
	if (group)
		xf(p, IKEV2_XFORM_DH, group, 0);
	xf(p, IKEV2_XFORM_ESN, IKEV2_ESN_NONE, 0);
}

struct init_opt {
	const uint8_t *cookie;
	size_t cookie_len;
	uint16_t ke_group;            /* 0: x25519 with our key */
	const uint16_t *groups;       /* proposed; default x25519 */
	unsigned n_groups;
	bool no_proposal;             /* AES-CBC with HMAC-SHA1: not acceptable */
	bool frag;                    /* IKEV2_FRAGMENTATION_SUPPORTED */
	bool nat;                     /* lie in NAT_DETECTION_SOURCE_IP */
	uint8_t extra_type;           /* an unknown payload at the end */
	bool extra_critical;
	uint8_t version;              /* header version, 0: 2.0 */
};

static size_t build_init(struct ini *x, const struct init_opt *o, uint8_t *out, size_t cap)
{
	static const uint16_t x25519[] = { IKEV2_DH_CURVE25519 };
	const struct sgw_ike_hdr h = { .ispi = x->ispi, .exchange = IKEV2_EXCH_IKE_SA_INIT,
				       .flags = IKEV2_FLAG_INITIATOR };
	struct sgw_ike_sa_pld sa;
	uint8_t pub[SGW_IKE_DH_MAX], hash[20], zero[512] = { 0 };
	size_t pub_len;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;

	assert_int_equal(sgw_ike_dh_public(x->dh, pub, sizeof(pub), &pub_len), 0);
	if (o->no_proposal) {
		memset(&sa, 0, sizeof(sa));
		sa.n_prop = 1;
		sa.prop[0].num = 1;
		sa.prop[0].proto = IKEV2_PROTO_IKE;
		xf(&sa.prop[0], IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, 128);
		xf(&sa.prop[0], IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA1, 0);
		xf(&sa.prop[0], IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA1_96, 0);
		xf(&sa.prop[0], IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, 0);
	} else {
		ike_prop(&sa, 0, o->groups ? o->groups : x25519, o->groups ? o->n_groups : 1);
	}
	sgw_ike_buf_init(&b, out, cap);
	sgw_ike_enc_header(&b, &h);
	if (o->cookie)
		enc_notify(&b, IKEV2_N_COOKIE, o->cookie, o->cookie_len);
	sgw_ike_enc_sa(&b, &sa);
	if (o->ke_group && o->ke_group != IKEV2_DH_CURVE25519) {
		const struct sgw_ike_ke_pld ke = { .group = o->ke_group,
						   .len = o->ke_group == IKEV2_DH_MODP_2048 ? 256 : 64,
						   .data = zero };

		sgw_ike_enc_ke(&b, &ke);
	} else {
		const struct sgw_ike_ke_pld ke = { .group = IKEV2_DH_CURVE25519,
						   .len = (uint16_t)pub_len, .data = pub };

		sgw_ike_enc_ke(&b, &ke);
	}
	{
		const struct sgw_ike_nonce_pld n = { .len = (uint16_t)x->ni_len, .data = x->ni };

		sgw_ike_enc_nonce(&b, &n);
	}
	nat_hash(x->ispi, 0, &x->me, hash);
	if (o->nat)
		hash[0] ^= 1;
	enc_notify(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, 20);
	nat_hash(x->ispi, 0, &gw, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	if (o->frag)
		enc_notify(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (o->extra_type)
		sgw_ike_enc_raw(&b, o->extra_type, (const uint8_t *)"xyz", 3);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	if (o->extra_critical) {
		assert_int_equal(sgw_ike_msg_parse(out, b.len, &m), 0);
		out[m.pld[m.n - 1].off + 1] |= IKEV2_CRITICAL;
	}
	if (o->version)
		out[17] = o->version;
	return b.len;
}

/* Our IKE_SA_INIT request as sent, kept for AUTH. */
static void send_init(struct ini *x, const struct init_opt *o)
{
	x->init_i_len = build_init(x, o, x->init_i, sizeof(x->init_i));
	send_ini(x, x->init_i, x->init_i_len);
}

static const struct sgw_ike_notify_pld *find_notify(const struct sgw_ike_msg *m, uint16_t type,
						    struct sgw_ike_notify_pld *n)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pld[i].type == IKEV2_PLD_NOTIFY &&
		    sgw_ike_dec_notify(&m->pld[i], n) == 0 && n->type == type)
			return n;
	return NULL;
}

static const struct sgw_ike_pld *find_pld(const struct sgw_ike_msg *m, uint8_t type)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pld[i].type == type)
			return &m->pld[i];
	return NULL;
}

/* The daemon's IKE_SA_INIT response: keys from it, as RFC 7296 2.14. */
static void ini_keys(struct ini *x, const uint8_t *msg, size_t len)
{
	struct sgw_ike_msg m;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_nonce_pld nr;
	uint8_t gir[SGW_IKE_DH_MAX], seed[SGW_IKE_PRF_MAX], si[8], sr[8];
	size_t glen;

	assert_int_equal(sgw_ike_msg_parse(msg, len, &m), 0);
	assert_non_null(find_pld(&m, IKEV2_PLD_KE));
	assert_int_equal(sgw_ike_dec_ke(find_pld(&m, IKEV2_PLD_KE), &ke), 0);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &nr), 0);
	x->rspi = m.hdr.rspi;
	memcpy(x->nr, nr.data, nr.len);
	x->nr_len = nr.len;
	assert_true(len <= sizeof(x->init_r));
	memcpy(x->init_r, msg, len);
	x->init_r_len = len;
	assert_int_equal(sgw_ike_dh_derive(x->dh, ke.data, ke.len, gir, sizeof(gir), &glen), 0);
	assert_int_equal(sgw_ike_skeyseed(PRF, x->ni, x->ni_len, x->nr, x->nr_len, gir, glen,
					  seed), 0);
	be64(si, x->ispi);
	be64(sr, x->rspi);
	assert_int_equal(sgw_ike_derive_keys(&x->s, seed, x->ni, x->ni_len, x->nr, x->nr_len,
					     si, sr, &x->k), 0);
	assert_int_equal(sgw_ike_sk_new(&x->s, &x->k.ei, NULL, &x->tx), 0);
	assert_int_equal(sgw_ike_sk_new(&x->s, &x->k.er, NULL, &x->rx), 0);
	x->seq = 0;
	x->mid = 1;
}

/* An SK-protected message of ours around the inner chain in. */
static size_t seal(struct ini *x, uint8_t exch, bool response, uint32_t mid,
		   const struct sgw_ike_buf *in, uint8_t *out, size_t cap)
{
	const struct sgw_ike_hdr h = {
		.ispi = x->ispi, .rspi = x->rspi, .exchange = exch, .msgid = mid,
		.flags = (uint8_t)((x->responder ? 0 : IKEV2_FLAG_INITIATOR) |
				   (response ? IKEV2_FLAG_RESPONSE : 0)),
	};
	const size_t ovh = sgw_ike_sk_overhead(x->tx, in->len);
	struct sgw_ike_buf b;
	size_t off, hl, olen;
	uint8_t *p;

	assert_int_equal(in->err, 0);
	sgw_ike_buf_init(&b, out, cap);
	sgw_ike_enc_header(&b, &h);
	off = sgw_ike_enc_sk_begin(&b, in->first);
	hl = b.len;
	p = sgw_ike_enc_reserve(&b, in->len + ovh);
	sgw_ike_enc_patch_len(&b, off);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	assert_non_null(p);
	assert_int_equal(sgw_ike_sk_encrypt(x->tx, ++x->seq, out, hl, in->p, in->len, p,
					    in->len + ovh, &olen), 0);
	assert_int_equal(olen, in->len + ovh);
	return b.len;
}

/* The same as n SKF fragments of about equal size (RFC 7383 2.5). */
static unsigned seal_frags(struct ini *x, uint8_t exch, uint32_t mid,
			   const struct sgw_ike_buf *in, unsigned n, uint8_t (*out)[2048],
			   size_t *len)
{
	const size_t chunk = (in->len + n - 1) / n;

	for (unsigned i = 0; i < n; i++) {
		const struct sgw_ike_hdr h = { .ispi = x->ispi, .rspi = x->rspi, .exchange = exch,
					       .msgid = mid, .flags = IKEV2_FLAG_INITIATOR };
		const size_t at = i * chunk, l = in->len - at < chunk ? in->len - at : chunk;
		const size_t ovh = sgw_ike_sk_overhead(x->tx, l);
		struct sgw_ike_buf b;
		size_t off, hl, olen;
		uint8_t *p;

		sgw_ike_buf_init(&b, out[i], 2048);
		sgw_ike_enc_header(&b, &h);
		off = sgw_ike_enc_skf_begin(&b, i == 0 ? in->first : 0, (uint16_t)(i + 1),
					    (uint16_t)n);
		hl = b.len;
		p = sgw_ike_enc_reserve(&b, l + ovh);
		sgw_ike_enc_patch_len(&b, off);
		assert_int_equal(sgw_ike_enc_finish(&b), 0);
		assert_int_equal(sgw_ike_sk_encrypt(x->tx, ++x->seq, out[i], hl, in->p + at, l, p,
						    l + ovh, &olen), 0);
		len[i] = b.len;
	}
	return n;
}

/* A protected message of the daemon: header checked against ours, SK
 * verified with SK_ar/SK_er and opened; m then holds the inner chain,
 * pointing into plain. */
static void open_msg(struct ini *x, const struct dgram *d, struct sgw_ike_msg *m,
		     uint8_t *plain)
{
	const struct sgw_ike_pld *sk;
	struct sgw_ike_hdr h;
	size_t olen;

	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, m), 0);
	assert_true(m->hdr.ispi == x->ispi && m->hdr.rspi == x->rspi);
	assert_int_equal(!!(m->hdr.flags & IKEV2_FLAG_INITIATOR), x->responder);
	assert_true(ike_addr_eq(&d->remote, &x->me));
	assert_int_equal(m->n, 1);
	sk = &m->pld[0];
	assert_int_equal(sk->type, IKEV2_PLD_SK);
	assert_int_equal(sgw_ike_sk_decrypt(x->rx, d->b, sk->off + 4, sk->body, sk->len, plain,
					    MAXMSG, &olen), 0);
	h = m->hdr;
	assert_int_equal(sgw_ike_chain_parse(sk->next, plain, olen, m), 0);
	m->hdr = h;
}

/* A response of the daemon in n SKF fragments, reassembled. */
static void open_frags(struct ini *x, struct dgram **d, unsigned n, struct sgw_ike_msg *m,
		       uint8_t *plain)
{
	static uint8_t part[MAXMSG];
	size_t at = 0, olen;
	uint8_t first = 0;
	struct sgw_ike_hdr h = { 0 };

	for (unsigned i = 0; i < n; i++) {
		struct sgw_ike_skf_pld f;

		assert_int_equal(sgw_ike_msg_parse(d[i]->b, d[i]->len, m), 0);
		assert_int_equal(m->n, 1);
		assert_int_equal(m->pld[0].type, IKEV2_PLD_SKF);
		assert_int_equal(sgw_ike_dec_skf(&m->pld[0], &f), 0);
		assert_int_equal(f.num, i + 1);
		assert_int_equal(f.total, n);
		if (i == 0) {
			first = f.next;
			h = m->hdr;
		}
		assert_int_equal(sgw_ike_sk_decrypt(x->rx, d[i]->b, m->pld[0].off + 8, f.data, f.len,
						    part, sizeof(part), &olen), 0);
		memcpy(plain + at, part, olen);
		at += olen;
	}
	assert_int_equal(sgw_ike_chain_parse(first, plain, at, m), 0);
	m->hdr = h;
}

/* Sends our request, expects exactly one datagram back: its response. */
static void request(struct ini *x, uint8_t exch, const struct sgw_ike_buf *in,
		    struct sgw_ike_msg *m, uint8_t *plain)
{
	static uint8_t out[MAXMSG];
	size_t len = seal(x, exch, false, x->mid, in, out, sizeof(out));

	send_ini(x, out, len);
	assert_int_equal(n_new(), 1);
	open_msg(x, take(), m, plain);
	assert_int_equal(m->hdr.exchange, exch);
	assert_true(m->hdr.flags & IKEV2_FLAG_RESPONSE);
	assert_int_equal(m->hdr.msgid, x->mid);
	x->mid++;
}

/* The initiator's AUTH (2.15): prf(prf(psk, pad), init_i | Nr | prf(SK_pi, IDi')). */
static void psk_auth(const struct ini *x, bool initiator, const char *psk,
		     const uint8_t *idb, size_t idlen, uint8_t *out)
{
	static uint8_t oct[8192];
	size_t olen;

	if (initiator)
		assert_int_equal(sgw_ike_signed_octets(x->init_i, x->init_i_len, x->nr, x->nr_len,
						       PRF, &x->k.pi, idb, idlen, oct, sizeof(oct),
						       &olen), 0);
	else
		assert_int_equal(sgw_ike_signed_octets(x->init_r, x->init_r_len, x->ni, x->ni_len,
						       PRF, &x->k.pr, idb, idlen, oct, sizeof(oct),
						       &olen), 0);
	assert_int_equal(sgw_ike_auth_psk(PRF, (const uint8_t *)psk, strlen(psk), oct, olen, out),
			 0);
}

struct auth_opt {
	const char *id;               /* default CLIENT */
	size_t id_len;                /* default strlen(id) */
	const char *psk;              /* default PSK */
	bool no_cp, no_child;
	bool big;                     /* selectors for the child "big" */
};

static void build_auth(struct ini *x, const struct auth_opt *o, struct sgw_ike_buf *b,
		       uint8_t *buf, size_t cap)
{
	const char *id = o->id ? o->id : CLIENT;
	const size_t id_len = o->id_len ? o->id_len : strlen(id);
	uint8_t *idb = malloc(4 + id_len), mac[PRF_LEN];
	const struct sgw_ike_id_pld idi = { .type = IKEV2_ID_RFC822_ADDR,
					    .len = (uint16_t)id_len, .data = (const uint8_t *)id };
	const struct sgw_ike_auth_pld auth = { .method = IKEV2_AUTH_SHARED_KEY_MIC,
					       .len = PRF_LEN, .data = mac };

	assert_non_null(idb);
	idb[0] = IKEV2_ID_RFC822_ADDR;
	idb[1] = idb[2] = idb[3] = 0;
	memcpy(idb + 4, id, id_len);
	psk_auth(x, true, o->psk ? o->psk : PSK, idb, 4 + id_len, mac);
	free(idb);
	sgw_ike_buf_init(b, buf, cap);
	sgw_ike_enc_id(b, IKEV2_PLD_IDI, &idi);
	sgw_ike_enc_auth(b, &auth);
	if (!o->no_cp) {
		struct sgw_ike_cp_pld cp = { .type = IKEV2_CFG_REQUEST, .n_attr = 1 };

		cp.attr[0] = (struct sgw_ike_cp_attr){ IKEV2_CFG_INTERNAL_IP4_ADDRESS, 0, NULL };
		sgw_ike_enc_cp(b, &cp);
	}
	if (!o->no_child) {
		static const uint8_t any[16];
		struct sgw_ike_sa_pld sa;
		struct sgw_ike_ts_pld tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
		const uint8_t net[4] = { 10, 10, 0, 0 };

		esp_prop(&sa, x->child_spi, 0);
		if (o->big) {
			sgw_ike_ts_prefix(&tsi.ts[0], AF_INET6, any, 0, 0, 0, 65535);
			sgw_ike_ts_prefix(&tsr.ts[0], AF_INET6, any, 0, 0, 0, 65535);
		} else {
			sgw_ike_ts_prefix(&tsi.ts[0], AF_INET, any, 0, 0, 0, 65535);
			sgw_ike_ts_prefix(&tsr.ts[0], AF_INET, net, 24, 0, 0, 65535);
		}
		sgw_ike_enc_sa(b, &sa);
		sgw_ike_enc_ts(b, IKEV2_PLD_TSI, &tsi);
		sgw_ike_enc_ts(b, IKEV2_PLD_TSR, &tsr);
	}
	assert_int_equal(b->err, 0);
}

/* IKE_SA_INIT with default options; the response taken and keys derived. */
static void do_init(struct ini *x, const struct init_opt *o)
{
	static const struct init_opt none;

	send_init(x, o ? o : &none);
	assert_int_equal(n_new(), 1);
	{
		struct dgram *d = take();

		ini_keys(x, d->b, d->len);
	}
}

static uint8_t plain[MAXMSG];

/* A whole IKE SA with its first child, as alice. */
static void establish(struct ini *x, uint8_t last_octet)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	const struct auth_opt o = { 0 };

	ini_new(x, last_octet);
	do_init(x, NULL);
	build_auth(x, &o, &b, buf, sizeof(buf));
	request(x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_non_null(find_pld(&m, IKEV2_PLD_SA));
}

/* The daemon's inbound SPI of the child it made for us (from the SA list). */
static struct sgw_ike_sa_info *info_of(uint32_t idx)
{
	static struct sgw_ike_sa_info info[4];
	uint32_t it = 0;

	for (uint32_t i = 0; i <= idx; i++)
		if (!sgw_ike_sa_next(&it, &info[idx]))
			return NULL;
	return &info[idx];
}

static unsigned n_sas(void)
{
	struct sgw_ike_sa_info info;
	uint32_t it = 0;
	unsigned n = 0;

	while (sgw_ike_sa_next(&it, &info))
		n++;
	return n;
}

/* KEYMAT (2.17) for an AES-GCM-128 pair: i->r key|salt, then r->i. */
static void keymat(const struct ini *x, const uint8_t *gir, size_t glen, const uint8_t *ni,
		   size_t nil, const uint8_t *nr, size_t nrl, uint8_t km[40])
{
	assert_int_equal(sgw_ike_child_keymat(PRF, &x->k.d, gir, glen, ni, nil, nr, nrl, km, 40),
			 0);
}

static void empty_chain(struct sgw_ike_buf *b, uint8_t *buf, size_t cap)
{
	sgw_ike_buf_init(b, buf, cap);
}

/* ================================================================ tests */

/* IKE_SA_INIT and IKE_AUTH as a responder, every field of the answers. */
static void test_handshake(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_msg m;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_nonce_pld nr;
	struct sgw_ike_notify_pld n;
	struct sgw_ike_id_pld idr;
	struct sgw_ike_auth_pld auth;
	struct sgw_ike_cp_pld cp;
	struct sgw_ike_ts_pld tsi, tsr;
	struct sgw_ike_buf b;
	struct sgw_ike_sa_info *info;
	uint8_t hash[20], want[PRF_LEN], km[40];
	const struct auth_opt ao = { 0 };
	struct dgram *d;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	send_init(&x, &(struct init_opt){ 0 });
	assert_int_equal(n_new(), 1);
	d = take();
	assert_true(ike_addr_eq(&d->local, &gw));
	assert_true(ike_addr_eq(&d->remote, &x.me));

	/* The IKE_SA_INIT response. */
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, &m), 0);
	assert_true(m.hdr.ispi == x.ispi);
	assert_true(m.hdr.rspi != 0);
	assert_int_equal(m.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKEV2_FLAG_RESPONSE);
	assert_int_equal(m.hdr.msgid, 0);
	assert_int_equal(m.hdr.version, 0x20);
	assert_int_equal(m.pld[0].type, IKEV2_PLD_SA);
	assert_int_equal(sgw_ike_dec_sa(&m.pld[0], &sa), 0);
	assert_int_equal(sa.n_prop, 1);
	assert_int_equal(sa.prop[0].proto, IKEV2_PROTO_IKE);
	assert_int_equal(sa.prop[0].spi_size, 0);
	assert_int_equal(sa.prop[0].n_xform, 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct sgw_ike_xform *t = &sa.prop[0].xform[i];

		if (t->type == IKEV2_XFORM_ENCR)
			assert_true(t->id == IKEV2_ENCR_AES_GCM_16 && t->keylen == 128);
		else if (t->type == IKEV2_XFORM_PRF)
			assert_int_equal(t->id, IKEV2_PRF_HMAC_SHA2_256);
		else
			assert_true(t->type == IKEV2_XFORM_DH && t->id == IKEV2_DH_CURVE25519);
	}
	assert_int_equal(m.pld[1].type, IKEV2_PLD_KE);
	assert_int_equal(sgw_ike_dec_ke(&m.pld[1], &ke), 0);
	assert_int_equal(ke.group, IKEV2_DH_CURVE25519);
	assert_int_equal(ke.len, 32);
	assert_int_equal(m.pld[2].type, IKEV2_PLD_NONCE);
	assert_int_equal(sgw_ike_dec_nonce(&m.pld[2], &nr), 0);
	assert_true(nr.len >= 16);
	/* NAT-D with both SPIs: the daemon's own address as source. */
	assert_non_null(find_notify(&m, IKEV2_N_NAT_DETECTION_SOURCE_IP, &n));
	nat_hash(x.ispi, m.hdr.rspi, &gw, hash);
	assert_int_equal(n.len, 20);
	assert_memory_equal(n.data, hash, 20);
	assert_non_null(find_notify(&m, IKEV2_N_NAT_DETECTION_DESTINATION_IP, &n));
	nat_hash(x.ispi, m.hdr.rspi, &x.me, hash);
	assert_memory_equal(n.data, hash, 20);
	assert_non_null(find_notify(&m, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, &n));
	/* We did not offer fragmentation: neither does it. */
	assert_null(find_notify(&m, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, &n));
	assert_null(find_pld(&m, IKEV2_PLD_CERTREQ));
	assert_int_equal(n_sas(), 1);
	info = info_of(0);
	assert_string_equal(info->state, "HALF_OPEN");
	assert_false(info->initiator);
	ini_keys(&x, d->b, d->len);

	/* IKE_AUTH. */
	build_auth(&x, &ao, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_IDR));
	assert_int_equal(sgw_ike_dec_id(find_pld(&m, IKEV2_PLD_IDR), &idr), 0);
	assert_int_equal(idr.type, IKEV2_ID_FQDN);
	assert_int_equal(idr.len, strlen(GW_ID));
	assert_memory_equal(idr.data, GW_ID, idr.len);
	assert_int_equal(sgw_ike_dec_auth(find_pld(&m, IKEV2_PLD_AUTH), &auth), 0);
	assert_int_equal(auth.method, IKEV2_AUTH_SHARED_KEY_MIC);
	assert_int_equal(auth.len, PRF_LEN);
	psk_auth(&x, false, PSK, find_pld(&m, IKEV2_PLD_IDR)->body,
		 find_pld(&m, IKEV2_PLD_IDR)->len, want);
	assert_memory_equal(auth.data, want, PRF_LEN);
	/* CP: the pool's first address and its DNS server. */
	assert_int_equal(sgw_ike_dec_cp(find_pld(&m, IKEV2_PLD_CP), &cp), 0);
	assert_int_equal(cp.type, IKEV2_CFG_REPLY);
	assert_int_equal(cp.n_attr, 2);
	assert_int_equal(cp.attr[0].type, IKEV2_CFG_INTERNAL_IP4_ADDRESS);
	assert_int_equal(cp.attr[0].len, 4);
	assert_memory_equal(cp.attr[0].value, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
	assert_int_equal(cp.attr[1].type, IKEV2_CFG_INTERNAL_IP4_DNS);
	assert_memory_equal(cp.attr[1].value, ((uint8_t[]){ 10, 10, 0, 53 }), 4);
	/* The child: our proposal with the daemon's SPI, narrowed selectors. */
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.n_prop, 1);
	assert_int_equal(sa.prop[0].proto, IKEV2_PROTO_ESP);
	assert_int_equal(sa.prop[0].spi_size, 4);
	assert_int_equal(sa.prop[0].spi, 0xc0000001u);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSI), &tsi), 0);
	assert_int_equal(tsi.n_ts, 1);
	assert_memory_equal(tsi.ts[0].start, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
	assert_memory_equal(tsi.ts[0].end, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSR), &tsr), 0);
	assert_int_equal(tsr.n_ts, 1);
	assert_memory_equal(tsr.ts[0].start, ((uint8_t[]){ 10, 10, 0, 0 }), 4);
	assert_memory_equal(tsr.ts[0].end, ((uint8_t[]){ 10, 10, 0, 255 }), 4);
	assert_null(find_notify(&m, IKEV2_N_USE_TRANSPORT_MODE, &n));

	/* Two ESP SAs, inbound first, keys from KEYMAT computed here. */
	assert_int_equal(H.n_esp, 2);
	keymat(&x, NULL, 0, x.ni, x.ni_len, x.nr, x.nr_len, km);
	{
		const struct sgw_ike_esp *in = &esp_n(0)->e, *out = &esp_n(1)->e;

		assert_true(in->inbound);
		assert_false(out->inbound);
		assert_int_equal(in->spi, 0xc0000001u);
		assert_int_equal(out->spi, x.child_spi);
		assert_int_equal(in->key_len, 16);
		assert_int_equal(out->key_len, 16);
		assert_memory_equal(in->key, km, 16);         /* initiator to responder */
		assert_memory_equal(in->salt, km + 16, 4);
		assert_memory_equal(out->key, km + 20, 16);
		assert_memory_equal(out->salt, km + 36, 4);
		assert_false(in->transport || out->transport || in->esn || out->esn);
		assert_false(in->udp_encap || out->udp_encap);
		assert_true(ike_addr_eq(&in->local, &gw) && ike_addr_eq(&in->remote, &x.me));
		assert_true(ike_addr_eq(&out->local, &gw) && ike_addr_eq(&out->remote, &x.me));
		assert_int_equal(in->ts_local->n_ts, 1);
		assert_memory_equal(&in->ts_local->ts[0], &tsr.ts[0], sizeof(tsr.ts[0]));
		assert_memory_equal(&in->ts_remote->ts[0], &tsi.ts[0], sizeof(tsi.ts[0]));
		assert_memory_equal(&out->ts_local->ts[0], &tsr.ts[0], sizeof(tsr.ts[0]));
		assert_memory_equal(&out->ts_remote->ts[0], &tsi.ts[0], sizeof(tsi.ts[0]));
		assert_int_equal(in->before, 0);
		assert_int_equal(out->before, 0);
	}
	assert_int_equal(live_esp(), 2);
	assert_int_equal(cnt(SGW_IKE_C_IKE_UP), 1);
	assert_int_equal(cnt(SGW_IKE_C_CHILD_UP), 1);
	info = info_of(0);
	assert_string_equal(info->state, "ESTABLISHED");
	assert_string_equal(info->peer, "rw");
	assert_string_equal(info->remote_id, CLIENT);
	assert_string_equal(info->local_id, GW_ID);
	assert_true(info->ispi == x.ispi && info->rspi == x.rspi);
	assert_int_equal(info->n_children, 1);
	assert_string_equal(info->child[0].name, "net");
	assert_int_equal(info->child[0].spi_in, 0xc0000001u);
	assert_int_equal(info->child[0].spi_out, x.child_spi);
	assert_int_equal(info->child[0].vip_family, AF_INET);
	assert_false(info->nat_local || info->nat_remote);
	ini_free(&x);
}

/* A NAT between us (NAT_DETECTION_SOURCE_IP does not match): UDP encap. */
static void test_nat_detected(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	do_init(&x, &(struct init_opt){ .nat = true });
	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_int_equal(H.n_esp, 2);
	assert_true(esp_n(0)->e.udp_encap && esp_n(1)->e.udp_encap);
	assert_true(info_of(0)->nat_remote);
	assert_false(info_of(0)->nat_local);
	ini_free(&x);
}

/* The cookie the daemon should compute (RFC 7296 2.6): version 0, then
 * SHA-256(Ni | IPi | SPIi | secret). */
static void want_cookie(const struct ini *x, uint8_t out[33])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t spi[8];
	unsigned olen;

	assert_non_null(c);
	be64(spi, x->ispi);
	out[0] = 0;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, x->ni, x->ni_len);
	EVP_DigestUpdate(c, x->me.a, 4);
	EVP_DigestUpdate(c, spi, 8);
	EVP_DigestUpdate(c, ike.cookie_secret, sizeof(ike.cookie_secret));
	EVP_DigestFinal_ex(c, out + 1, &olen);
	EVP_MD_CTX_free(c);
}

/* The daemon's answer to x's IKE_SA_INIT when it wants a cookie: exactly
 * one N(COOKIE), no state; the cookie in out. */
static void get_cookie(struct ini *x, const struct init_opt *o, uint8_t out[33])
{
	const unsigned sas = n_sas();
	struct sgw_ike_notify_pld n;
	struct sgw_ike_msg m;
	struct dgram *d;

	send_init(x, o);
	assert_int_equal(n_new(), 1);
	d = take();
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, &m), 0);
	assert_true(m.hdr.ispi == x->ispi && m.hdr.rspi == 0);
	assert_int_equal(m.hdr.flags, IKEV2_FLAG_RESPONSE);
	assert_int_equal(m.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(m.n, 1);
	assert_int_equal(sgw_ike_dec_notify(&m.pld[0], &n), 0);
	assert_int_equal(n.type, IKEV2_N_COOKIE);
	assert_int_equal(n.spi_size, 0);
	assert_int_equal(n.len, 33);
	memcpy(out, n.data, 33);
	assert_int_equal(n_sas(), sas);
}

static void test_cookie(void **state)
{
	static uint8_t buf[MAXMSG];
	uint8_t c1[33], c2[33], c3[33], want[33], bad[33];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct dgram *d;
	struct ini x, y;

	(void)state;
	start(&(struct opts){ .cookies_always = true });
	ini_new(&x, 7);
	get_cookie(&x, &(struct init_opt){ 0 }, c1);
	assert_int_equal(cnt(SGW_IKE_C_COOKIE_SENT), 1);
	assert_int_equal(cnt(SGW_IKE_C_COOKIE_BAD), 0);
	want_cookie(&x, want);
	assert_memory_equal(c1, want, 33);
	/* Deterministic for the same Ni, address and SPIi. */
	get_cookie(&x, &(struct init_opt){ 0 }, c2);
	assert_memory_equal(c1, c2, 33);
	/* Each of them changes it. */
	x.ni[5] ^= 1;
	get_cookie(&x, &(struct init_opt){ 0 }, c2);
	assert_memory_not_equal(c1, c2, 33);
	want_cookie(&x, want);
	assert_memory_equal(c2, want, 33);
	x.ni[5] ^= 1;
	x.me.a[3] = 8;
	get_cookie(&x, &(struct init_opt){ 0 }, c2);
	assert_memory_not_equal(c1, c2, 33);
	x.me.a[3] = 7;
	x.ispi ^= 0x100;
	get_cookie(&x, &(struct init_opt){ 0 }, c3);
	assert_memory_not_equal(c1, c3, 33);
	assert_memory_not_equal(c2, c3, 33);
	x.ispi ^= 0x100;
	/* Only the port differs: the cookie does not. */
	x.me.port = 4500;
	get_cookie(&x, &(struct init_opt){ 0 }, c2);
	assert_memory_equal(c1, c2, 33);
	x.me.port = 500;

	/* A wrong cookie: refused with a fresh one, counted, no state. */
	memcpy(bad, c1, 33);
	bad[10] ^= 0x80;
	get_cookie(&x, &(struct init_opt){ .cookie = bad, .cookie_len = 33 }, c2);
	assert_memory_equal(c1, c2, 33);
	assert_int_equal(cnt(SGW_IKE_C_COOKIE_BAD), 1);
	get_cookie(&x, &(struct init_opt){ .cookie = c1, .cookie_len = 32 }, c2);
	assert_int_equal(cnt(SGW_IKE_C_COOKIE_BAD), 2);
	/* Another initiator's cookie does not do either. */
	ini_new(&y, 9);
	get_cookie(&y, &(struct init_opt){ .cookie = c1, .cookie_len = 33 }, c2);
	assert_int_equal(cnt(SGW_IKE_C_COOKIE_BAD), 3);
	ini_free(&y);

	/* The right one: the exchange proceeds, and on to IKE_AUTH (whose
	 * AUTH covers the request with the cookie in it). */
	send_init(&x, &(struct init_opt){ .cookie = c1, .cookie_len = 33 });
	assert_int_equal(n_new(), 1);
	d = take();
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, &m), 0);
	assert_true(m.hdr.rspi != 0);
	assert_non_null(find_pld(&m, IKEV2_PLD_KE));
	assert_int_equal(n_sas(), 1);
	ini_keys(&x, d->b, d->len);
	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

/* Below the threshold no cookie is asked for; at it, one is. */
static void test_cookie_threshold(void **state)
{
	struct ini x[3];
	uint8_t c[33];

	(void)state;
	start(&(struct opts){ .cookie_threshold = 2 });
	ini_new(&x[0], 1);
	do_init(&x[0], NULL);
	ini_new(&x[1], 2);
	do_init(&x[1], NULL);
	assert_int_equal(n_sas(), 2);
	ini_new(&x[2], 3);
	get_cookie(&x[2], &(struct init_opt){ 0 }, c);
	for (unsigned i = 0; i < 3; i++)
		ini_free(&x[i]);
}

/* Refusals of IKE_SA_INIT: one unprotected notify, no state. */
static void refused(struct ini *x, const struct init_opt *o, uint16_t type,
		    struct sgw_ike_notify_pld *n)
{
	struct sgw_ike_msg m;
	struct dgram *d;

	send_init(x, o);
	assert_int_equal(n_new(), 1);
	d = take();
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, &m), 0);
	assert_true(m.hdr.ispi == x->ispi && m.hdr.rspi == 0);
	assert_int_equal(m.hdr.flags, IKEV2_FLAG_RESPONSE);
	assert_int_equal(m.hdr.msgid, 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(sgw_ike_dec_notify(&m.pld[0], n), 0);
	assert_int_equal(n->type, type);
	assert_int_equal(n_sas(), 0);
}

static void test_invalid_ke(void **state)
{
	static const uint16_t groups[] = { IKEV2_DH_MODP_2048, IKEV2_DH_ECP_256,
					   IKEV2_DH_CURVE25519 };
	struct sgw_ike_notify_pld n;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	/* KE for a group we do not take; of those proposed, x25519 is our first. */
	refused(&x, &(struct init_opt){ .ke_group = IKEV2_DH_MODP_2048, .groups = groups,
					.n_groups = 3 },
		IKEV2_N_INVALID_KE_PAYLOAD, &n);
	assert_int_equal(n.len, 2);
	assert_memory_equal(n.data, ((uint8_t[]){ 0, 31 }), 2);
	assert_int_equal(cnt(SGW_IKE_C_INVALID_KE), 1);
	/* A KE of ours that it accepts but does not prefer wins (2.7). */
	ini_free(&x);
	ini_new(&x, 7);
	do_init(&x, &(struct init_opt){ .groups = groups, .n_groups = 3 });
	assert_int_equal(n_sas(), 1);
	ini_free(&x);
}

static void test_no_proposal(void **state)
{
	static const uint16_t modp[] = { IKEV2_DH_MODP_2048 };
	struct sgw_ike_notify_pld n;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	refused(&x, &(struct init_opt){ .no_proposal = true }, IKEV2_N_NO_PROPOSAL_CHOSEN, &n);
	assert_int_equal(n.len, 0);
	assert_int_equal(cnt(SGW_IKE_C_NO_PROPOSAL), 1);
	/* Only a group it does not do. */
	refused(&x, &(struct init_opt){ .ke_group = IKEV2_DH_MODP_2048, .groups = modp,
					.n_groups = 1 },
		IKEV2_N_NO_PROPOSAL_CHOSEN, &n);
	assert_int_equal(cnt(SGW_IKE_C_NO_PROPOSAL), 2);
	ini_free(&x);
}

static void test_critical(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	refused(&x, &(struct init_opt){ .extra_type = 200, .extra_critical = true },
		IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &n);
	assert_int_equal(n.len, 1);
	assert_int_equal(n.data[0], 200);
	assert_int_equal(cnt(SGW_IKE_C_CRITICAL), 1);
	/* Not critical: ignored (RFC 7296 2.5). */
	do_init(&x, &(struct init_opt){ .extra_type = 200 });
	assert_int_equal(n_sas(), 1);
	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);

	/* In a protected request: answered, under the keys, the ID used up. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_raw(&b, 201, (const uint8_t *)"abcd", 4);
	buf[1] |= IKEV2_CRITICAL;
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 1);
	assert_non_null(find_notify(&m, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &n));
	assert_int_equal(n.len, 1);
	assert_int_equal(n.data[0], 201);
	assert_int_equal(cnt(SGW_IKE_C_CRITICAL), 2);
	/* The next request is the next ID. */
	empty_chain(&b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	ini_free(&x);
}

static void test_major_version(void **state)
{
	struct sgw_ike_notify_pld n;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	refused(&x, &(struct init_opt){ .version = 0x30 }, IKEV2_N_INVALID_MAJOR_VERSION, &n);
	assert_int_equal(n.len, 1);
	assert_int_equal(n.data[0], 0x20);
	assert_int_equal(cnt(SGW_IKE_C_BAD_VERSION), 1);
	/* A minor version above ours is fine (2.5). */
	do_init(&x, &(struct init_opt){ .version = 0x21 });
	assert_int_equal(n_sas(), 1);
	ini_free(&x);
}

/* A retransmitted request gets the same answer, byte for byte (2.1). */
static void test_retransmit(void **state)
{
	static uint8_t buf[MAXMSG], out[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct dgram *d1, *d2;
	struct ini x;
	size_t len;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	send_init(&x, &(struct init_opt){ 0 });
	send_ini(&x, x.init_i, x.init_i_len);
	assert_int_equal(n_new(), 2);
	d1 = take();
	d2 = take();
	assert_int_equal(d1->len, d2->len);
	assert_memory_equal(d1->b, d2->b, d1->len);
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMIT_REPLIED), 1);
	assert_int_equal(n_sas(), 1);
	ini_keys(&x, d1->b, d1->len);

	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	len = seal(&x, IKEV2_EXCH_IKE_AUTH, false, 1, &b, out, sizeof(out));
	send_ini(&x, out, len);
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 2);
	d1 = take();
	d2 = take();
	assert_int_equal(d1->len, d2->len);
	assert_memory_equal(d1->b, d2->b, d1->len);
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMIT_REPLIED), 2);
	open_msg(&x, d2, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	/* One child, not two. */
	assert_int_equal(H.n_esp, 2);
	assert_int_equal(n_sas(), 1);
	ini_free(&x);
}

static void test_out_of_window(void **state)
{
	static uint8_t buf[MAXMSG], out[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;
	size_t len;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	empty_chain(&b, buf, sizeof(buf));
	/* Ahead of the window (size 1): dropped. */
	len = seal(&x, IKEV2_EXCH_INFORMATIONAL, false, x.mid + 1, &b, out, sizeof(out));
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_OUT_OF_WINDOW), 1);
	/* Behind it, but not the last one answered: dropped. */
	len = seal(&x, IKEV2_EXCH_INFORMATIONAL, false, 0, &b, out, sizeof(out));
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_OUT_OF_WINDOW), 2);
	/* A response to a request it never sent. */
	len = seal(&x, IKEV2_EXCH_INFORMATIONAL, true, 0, &b, out, sizeof(out));
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_OUT_OF_WINDOW), 3);
	/* The window did not move. */
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	ini_free(&x);
}

static void test_bad_icv(void **state)
{
	static uint8_t buf[MAXMSG], out[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;
	size_t len;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	do_init(&x, NULL);
	/* IKE_AUTH with a broken ICV: dropped, the SA still waits for it. */
	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	len = seal(&x, IKEV2_EXCH_IKE_AUTH, false, 1, &b, out, sizeof(out));
	out[len - 1] ^= 1;
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_DECRYPT_FAILED), 1);
	assert_string_equal(info_of(0)->state, "HALF_OPEN");
	/* A broken ciphertext byte, too. */
	out[len - 1] ^= 1;
	out[len - 40] ^= 4;
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_DECRYPT_FAILED), 2);
	out[len - 40] ^= 4;
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 1);
	open_msg(&x, take(), &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	x.mid = 2;
	/* Established: a broken INFORMATIONAL does not use up its ID. */
	empty_chain(&b, buf, sizeof(buf));
	len = seal(&x, IKEV2_EXCH_INFORMATIONAL, false, x.mid, &b, out, sizeof(out));
	out[len - 3] ^= 0x10;
	send_ini(&x, out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_DECRYPT_FAILED), 3);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

static void auth_refused(struct auth_opt *o)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	ini_new(&x, 7);
	do_init(&x, NULL);
	build_auth(&x, o, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_int_equal(m.n, 1);
	assert_non_null(find_notify(&m, IKEV2_N_AUTHENTICATION_FAILED, &n));
	assert_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_int_equal(n_sas(), 0);
	assert_int_equal(H.n_esp, 0);
	ini_free(&x);
}

static void test_auth_failed(void **state)
{
	(void)state;
	start(&(struct opts){ 0 });
	auth_refused(&(struct auth_opt){ .psk = BAD_PSK });
	assert_int_equal(cnt(SGW_IKE_C_AUTH_FAILED), 1);
	/* No peer entry for the identity. */
	auth_refused(&(struct auth_opt){ .id = "mallory@example.org" });
	assert_int_equal(cnt(SGW_IKE_C_AUTH_FAILED), 2);
	/* A peer entry, but no secret for it. */
	auth_refused(&(struct auth_opt){ .id = "carol@example.net" });
	assert_int_equal(cnt(SGW_IKE_C_AUTH_FAILED), 3);
	assert_int_equal(cnt(SGW_IKE_C_IKE_UP), 0);
	/* The pool lends nothing to a failed peer: the next gets .1. */
	{
		static uint8_t buf[MAXMSG];
		struct sgw_ike_cp_pld cp;
		struct sgw_ike_buf b;
		struct sgw_ike_msg m;
		struct ini x;

		ini_new(&x, 8);
		do_init(&x, NULL);
		build_auth(&x, &(struct auth_opt){ .id = "bob@example.net" }, &b, buf, sizeof(buf));
		request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
		assert_int_equal(sgw_ike_dec_cp(find_pld(&m, IKEV2_PLD_CP), &cp), 0);
		assert_memory_equal(cp.attr[0].value, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
		ini_free(&x);
	}
}

static void test_informational(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	empty_chain(&b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

static void enc_delete_esp(struct sgw_ike_buf *b, const uint32_t *spi, unsigned n)
{
	uint8_t s[4 * 8];
	const struct sgw_ike_delete_pld d = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
					      .n_spi = (uint16_t)n, .spis = s };

	for (unsigned i = 0; i < n; i++)
		be32(s + 4 * i, spi[i]);
	sgw_ike_enc_delete(b, &d);
}

static void test_delete_child(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_delete_pld d;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;
	const uint32_t unknown = 0xdeadbeef;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	/* An SPI it does not know: an empty answer, nothing removed. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &unknown, 1);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	assert_int_equal(live_esp(), 2);
	/* Ours (the one we receive on): its half of the pair in the answer. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.pld[0].type, IKEV2_PLD_DELETE);
	assert_int_equal(sgw_ike_dec_delete(&m.pld[0], &d), 0);
	assert_int_equal(d.proto, IKEV2_PROTO_ESP);
	assert_int_equal(d.spi_size, 4);
	assert_int_equal(d.n_spi, 1);
	assert_int_equal(sgw_ike_delete_spi(&d, 0), 0xc0000001u);
	assert_int_equal(live_esp(), 0);
	assert_int_equal(H.dels, 2);
	assert_int_equal(cnt(SGW_IKE_C_CHILD_DOWN), 1);
	assert_int_equal(info_of(0)->n_children, 0);
	assert_string_equal(info_of(0)->state, "ESTABLISHED");
	ini_free(&x);
}

static void test_delete_ike(void **state)
{
	static uint8_t buf[MAXMSG];
	const struct sgw_ike_delete_pld d = { .proto = IKEV2_PROTO_IKE };
	struct sgw_ike_cp_pld cp;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x, y;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_delete(&b, &d);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	assert_int_equal(live_esp(), 0);
	assert_int_equal(n_sas(), 0);
	assert_int_equal(cnt(SGW_IKE_C_IKE_DOWN), 1);
	assert_int_equal(cnt(SGW_IKE_C_CHILD_DOWN), 1);
	/* Anything more on it is for an unknown SPI. */
	empty_chain(&b, buf, sizeof(buf));
	{
		static uint8_t out[MAXMSG];
		size_t len = seal(&x, IKEV2_EXCH_INFORMATIONAL, false, x.mid, &b, out, sizeof(out));

		send_ini(&x, out, len);
		assert_int_equal(n_new(), 0);
		assert_int_equal(cnt(SGW_IKE_C_UNKNOWN_SPI), 1);
	}
	/* Alice comes back: the same address from the pool. */
	ini_new(&y, 9);
	do_init(&y, NULL);
	build_auth(&y, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	request(&y, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_int_equal(sgw_ike_dec_cp(find_pld(&m, IKEV2_PLD_CP), &cp), 0);
	assert_memory_equal(cp.attr[0].value, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
	ini_free(&x);
	ini_free(&y);
}

/* The daemon's own request: decrypted, header checked. */
static void daemon_request(struct ini *x, struct dgram *d, uint8_t exch, uint32_t mid,
			   struct sgw_ike_msg *m)
{
	open_msg(x, d, m, plain);
	assert_int_equal(m->hdr.exchange, exch);
	assert_false(m->hdr.flags & IKEV2_FLAG_RESPONSE);
	assert_int_equal(m->hdr.msgid, mid);
}

static void respond(struct ini *x, uint8_t exch, uint32_t mid, const struct sgw_ike_buf *in)
{
	static uint8_t out[MAXMSG];
	size_t len = seal(x, exch, true, mid, in, out, sizeof(out));

	send_ini(x, out, len);
}

static void test_dpd(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;
	struct dgram *d;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	advance(29000);
	assert_int_equal(n_new(), 0);
	advance(1000);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 0, &m);
	assert_int_equal(m.n, 0);
	/* Answered: quiet again for dpd, then the next one with ID 1. */
	empty_chain(&b, buf, sizeof(buf));
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 0, &b);
	assert_int_equal(n_new(), 0);
	advance(2000);
	assert_int_equal(n_new(), 0);       /* no retransmission */
	/* Our own traffic counts as liveness. */
	advance(10000);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	advance(29000);
	assert_int_equal(n_new(), 0);
	advance(1000);
	assert_int_equal(n_new(), 1);
	d = take();
	daemon_request(&x, d, IKEV2_EXCH_INFORMATIONAL, 1, &m);
	/* A duplicate response is out of the window. */
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	assert_int_equal(cnt(SGW_IKE_C_OUT_OF_WINDOW), 1);
	assert_int_equal(cnt(SGW_IKE_C_TIMEOUTS), 0);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

/* No answer: retransmitted after 2, 4, 8 s (base 2.0), given up after the
 * third retransmission's timeout, everything deleted. */
static void test_dpd_timeout(void **state)
{
	struct sgw_ike_msg m;
	struct ini x;
	struct dgram *first;
	uint64_t t0, at[4];

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	advance(30000);
	assert_int_equal(n_new(), 1);
	first = take();
	t0 = first->at;
	daemon_request(&x, first, IKEV2_EXCH_INFORMATIONAL, 0, &m);
	for (unsigned i = 0; i < 3; i++) {
		while (n_new() == 0 && H.now - t0 < 60000)
			advance(100);
		assert_int_equal(n_new(), 1);
		{
			struct dgram *d = take();

			at[i] = d->at - t0;
			assert_int_equal(d->len, first->len);
			assert_memory_equal(d->b, first->b, d->len);
		}
	}
	assert_int_equal(at[0], 2000);
	assert_int_equal(at[1], 2000 + 4000);
	assert_int_equal(at[2], 2000 + 4000 + 8000);
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMITS), 3);
	assert_int_equal(n_sas(), 1);
	while (n_sas() && H.now - t0 < 60000)
		advance(100);
	at[3] = H.now - t0;
	assert_int_equal(at[3], 2000 + 4000 + 8000 + 16000);
	assert_int_equal(n_new(), 0);
	assert_int_equal(n_sas(), 0);
	assert_int_equal(cnt(SGW_IKE_C_TIMEOUTS), 1);
	assert_int_equal(live_esp(), 0);
	assert_int_equal(cnt(SGW_IKE_C_IKE_DOWN), 1);
	ini_free(&x);
}

/* CREATE_CHILD_SA rekeying the child (1.3.3), with or without PFS. */
static void child_rekey(bool pfs)
{
	static uint8_t buf[MAXMSG];
	const uint32_t new_spi = 0x22220007;
	struct sgw_ike_dh *dh = NULL;
	struct sgw_ike_delete_pld d;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_nonce_pld nr;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	uint8_t ni[32], km[40], pub[64], gir[64];
	size_t pub_len, glen = 0;
	struct ini x;

	start(&(struct opts){ 0 });
	establish(&x, 7);
	assert_int_equal(sgw_ike_random(ni, sizeof(ni)), 0);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	{
		const struct sgw_ike_notify_pld rk = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
						       .type = IKEV2_N_REKEY_SA, .spi = x.child_spi };
		const struct sgw_ike_nonce_pld nn = { .len = sizeof(ni), .data = ni };
		struct sgw_ike_ts_pld tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
		static const uint8_t any[4];

		sgw_ike_ts_prefix(&tsi.ts[0], AF_INET, any, 0, 0, 0, 65535);
		sgw_ike_ts_prefix(&tsr.ts[0], AF_INET, any, 0, 0, 0, 65535);
		sgw_ike_enc_notify(&b, &rk);
		esp_prop(&sa, new_spi, pfs ? IKEV2_DH_CURVE25519 : 0);
		sgw_ike_enc_sa(&b, &sa);
		sgw_ike_enc_nonce(&b, &nn);
		if (pfs) {
			assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
			assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &pub_len), 0);
			ke = (struct sgw_ike_ke_pld){ .group = IKEV2_DH_CURVE25519,
						      .len = (uint16_t)pub_len, .data = pub };
			sgw_ike_enc_ke(&b, &ke);
		}
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &tsi);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &tsr);
	}
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_null(find_notify(&m, IKEV2_N_NO_PROPOSAL_CHOSEN, &n));
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.prop[0].spi, 0xc0000002u);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &nr), 0);
	if (pfs) {
		assert_int_equal(sgw_ike_dec_ke(find_pld(&m, IKEV2_PLD_KE), &ke), 0);
		assert_int_equal(sgw_ike_dh_derive(dh, ke.data, ke.len, gir, sizeof(gir), &glen), 0);
		sgw_ike_dh_free(dh);
	} else {
		assert_null(find_pld(&m, IKEV2_PLD_KE));
	}
	/* Narrowed to the old child's selectors. */
	{
		struct sgw_ike_ts_pld tsr;

		assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSR), &tsr), 0);
		assert_memory_equal(tsr.ts[0].start, ((uint8_t[]){ 10, 10, 0, 0 }), 4);
	}
	/* Inbound at once, with the new KEYMAT; outbound not yet. */
	assert_int_equal(H.n_esp, 3);
	keymat(&x, pfs ? gir : NULL, glen, ni, sizeof(ni), nr.data, nr.len, km);
	assert_true(esp_n(2)->e.inbound);
	assert_int_equal(esp_n(2)->e.spi, 0xc0000002u);
	assert_memory_equal(esp_n(2)->e.key, km, 16);
	assert_memory_equal(esp_n(2)->e.salt, km + 16, 4);
	assert_int_equal(live_esp(), 3);
	assert_int_equal(info_of(0)->n_children, 2);

	/* Our Delete of the old one: the answer names its inbound SPI, the
	 * old pair goes, the new outbound goes in before the old policies. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(sgw_ike_dec_delete(find_pld(&m, IKEV2_PLD_DELETE), &d), 0);
	assert_int_equal(d.n_spi, 1);
	assert_int_equal(sgw_ike_delete_spi(&d, 0), 0xc0000001u);
	assert_int_equal(H.n_esp, 4);
	assert_false(esp_n(3)->e.inbound);
	assert_int_equal(esp_n(3)->e.spi, new_spi);
	assert_memory_equal(esp_n(3)->e.key, km + 20, 16);
	assert_memory_equal(esp_n(3)->e.salt, km + 36, 4);
	assert_int_equal(esp_n(3)->e.before, esp_n(1)->h);
	assert_false(esp_n(0)->live);
	assert_false(esp_n(1)->live);
	assert_true(esp_n(2)->live && esp_n(3)->live);
	assert_int_equal(info_of(0)->n_children, 1);
	assert_int_equal(info_of(0)->child[0].spi_in, 0xc0000002u);
	assert_int_equal(info_of(0)->child[0].spi_out, new_spi);
	ini_free(&x);
}

static void test_child_rekey(void **state)
{
	(void)state;
	child_rekey(false);
}

static void test_child_rekey_pfs(void **state)
{
	(void)state;
	child_rekey(true);
}

/* The peer never deletes the old child: retired after 30 s, the new
 * outbound SA installed then. */
static void test_child_rekey_retire(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	uint8_t ni[32] = { 1 };
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	{
		const struct sgw_ike_notify_pld rk = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
						       .type = IKEV2_N_REKEY_SA, .spi = x.child_spi };
		const struct sgw_ike_nonce_pld nn = { .len = sizeof(ni), .data = ni };
		struct sgw_ike_ts_pld ts = { .n_ts = 1 };
		static const uint8_t any[4];

		sgw_ike_ts_prefix(&ts.ts[0], AF_INET, any, 0, 0, 0, 65535);
		sgw_ike_enc_notify(&b, &rk);
		esp_prop(&sa, 0x33330007, 0);
		sgw_ike_enc_sa(&b, &sa);
		sgw_ike_enc_nonce(&b, &nn);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &ts);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &ts);
	}
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_int_equal(H.n_esp, 3);
	/* Keep DPD quiet meanwhile. */
	for (unsigned i = 0; i < 4; i++) {
		advance(10000);
		empty_chain(&b, buf, sizeof(buf));
		request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	}
	advance(1000);
	assert_int_equal(H.n_esp, 4);
	assert_false(esp_n(3)->e.inbound);
	assert_int_equal(esp_n(3)->e.spi, 0x33330007);
	assert_false(esp_n(0)->live || esp_n(1)->live);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

/* CREATE_CHILD_SA rekeying the IKE SA (2.18): the new one takes the
 * children; the old one goes with our Delete on it. */
static void test_ike_rekey(void **state)
{
	static uint8_t buf[MAXMSG];
	static const uint16_t x25519[] = { IKEV2_DH_CURVE25519 };
	const struct sgw_ike_delete_pld del = { .proto = IKEV2_PROTO_IKE };
	struct sgw_ike_dh *dh;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_nonce_pld nr;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct sgw_ike_sa_info *a, *n;
	uint8_t ni[32], pub[64], gir[64], seed[SGW_IKE_PRF_MAX], si[8], sr[8];
	size_t pub_len, glen;
	struct ini x, y;
	uint64_t new_ispi = 0x0123456789abcdefull;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	assert_int_equal(sgw_ike_random(ni, sizeof(ni)), 0);
	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
	assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &pub_len), 0);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	ike_prop(&sa, new_ispi, x25519, 1);
	sgw_ike_enc_sa(&b, &sa);
	{
		const struct sgw_ike_nonce_pld nn = { .len = sizeof(ni), .data = ni };
		const struct sgw_ike_ke_pld k = { .group = IKEV2_DH_CURVE25519,
						  .len = (uint16_t)pub_len, .data = pub };

		sgw_ike_enc_nonce(&b, &nn);
		sgw_ike_enc_ke(&b, &k);
	}
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.prop[0].proto, IKEV2_PROTO_IKE);
	assert_int_equal(sa.prop[0].spi_size, 8);
	assert_true(sa.prop[0].spi != 0 && sa.prop[0].spi != x.rspi);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &nr), 0);
	assert_int_equal(sgw_ike_dec_ke(find_pld(&m, IKEV2_PLD_KE), &ke), 0);

	/* Two IKE SAs: the new one, by the SPIs, has the child. */
	assert_int_equal(n_sas(), 2);
	a = info_of(0);
	n = info_of(1);
	assert_true(a->ispi == x.ispi && a->rspi == x.rspi);
	assert_int_equal(a->n_children, 0);
	assert_true(n->ispi == new_ispi && n->rspi == sa.prop[0].spi);
	assert_string_equal(n->state, "ESTABLISHED");
	assert_int_equal(n->n_children, 1);
	assert_int_equal(n->child[0].spi_in, 0xc0000001u);
	assert_int_equal(n->child[0].vip_family, AF_INET);
	assert_int_equal(live_esp(), 2);

	/* The new SA's keys: SKEYSEED = prf(SK_d(old), g^ir | Ni | Nr). */
	memset(&y, 0, sizeof(y));
	y.me = x.me;
	y.s = x.s;
	y.ispi = new_ispi;
	y.rspi = sa.prop[0].spi;
	assert_int_equal(sgw_ike_dh_derive(dh, ke.data, ke.len, gir, sizeof(gir), &glen), 0);
	sgw_ike_dh_free(dh);
	assert_int_equal(sgw_ike_skeyseed_rekey(PRF, &x.k.d, gir, glen, ni, sizeof(ni), nr.data,
						nr.len, seed), 0);
	be64(si, y.ispi);
	be64(sr, y.rspi);
	assert_int_equal(sgw_ike_derive_keys(&y.s, seed, ni, sizeof(ni), nr.data, nr.len, si, sr,
					     &y.k), 0);
	assert_int_equal(sgw_ike_sk_new(&y.s, &y.k.ei, NULL, &y.tx), 0);
	assert_int_equal(sgw_ike_sk_new(&y.s, &y.k.er, NULL, &y.rx), 0);

	/* Delete the old one: answered on it; the child stays. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_delete(&b, &del);
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	assert_int_equal(n_sas(), 1);
	n = info_of(0);
	assert_true(n->ispi == new_ispi);
	assert_int_equal(n->n_children, 1);
	assert_int_equal(live_esp(), 2);

	/* The new one works under the new keys, message IDs from 0. */
	y.mid = 0;
	empty_chain(&b, buf, sizeof(buf));
	request(&y, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	/* And deleting the child on it removes it. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	request(&y, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(live_esp(), 0);
	ini_free(&x);
	ini_free(&y);
}

static void test_half_open_limit(void **state)
{
	struct ini x[5];

	(void)state;
	start(&(struct opts){ 0 });
	for (unsigned i = 0; i < 3; i++) {
		ini_new(&x[i], 7);
		do_init(&x[i], NULL);
	}
	assert_int_equal(n_sas(), 3);
	/* A fourth from the same address, even from another port: dropped. */
	ini_new(&x[3], 7);
	x[3].me.port = 4500;
	send_init(&x[3], &(struct init_opt){ 0 });
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_HALF_OPEN_LIMIT), 1);
	assert_int_equal(n_sas(), 3);
	/* From elsewhere: fine. */
	ini_new(&x[4], 8);
	do_init(&x[4], NULL);
	assert_int_equal(n_sas(), 4);
	/* One of the three completes: room for another. */
	{
		static uint8_t buf[MAXMSG];
		struct sgw_ike_buf b;
		struct sgw_ike_msg m;

		build_auth(&x[0], &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
		request(&x[0], IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	}
	send_init(&x[3], &(struct init_opt){ 0 });
	assert_int_equal(n_new(), 1);
	assert_int_equal(n_sas(), 5);
	for (unsigned i = 0; i < 5; i++)
		ini_free(&x[i]);
}

static void test_half_open_timeout(void **state)
{
	struct ini x, y;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&y, 9);
	ini_new(&x, 7);
	do_init(&x, NULL);
	assert_int_equal(n_sas(), 2);
	/* Keep y alive past DPD: not needed within 10 s. */
	advance(9900);
	assert_int_equal(n_sas(), 2);
	advance(100);
	assert_int_equal(n_sas(), 1);
	assert_string_equal(info_of(0)->state, "ESTABLISHED");
	/* Its IKE_AUTH finds nothing now. */
	{
		static uint8_t buf[MAXMSG], out[MAXMSG];
		struct sgw_ike_buf b;
		size_t len;

		build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
		len = seal(&x, IKEV2_EXCH_IKE_AUTH, false, 1, &b, out, sizeof(out));
		send_ini(&x, out, len);
		assert_int_equal(n_new(), 0);
		assert_int_equal(cnt(SGW_IKE_C_UNKNOWN_SPI), 1);
	}
	ini_free(&x);
	ini_free(&y);
}

/* The per-source half-open count goes down however a half-open SA ends
 * (completion: test_half_open_limit), and follows an SA that a NAT moved;
 * so does the detection of retransmitted IKE_SA_INITs. */
static void test_half_open_released(void **state)
{
	static uint8_t buf[MAXMSG], out[MAXMSG];
	struct sgw_ike_buf b;
	struct ini x[3], y[4];
	struct dgram *d;
	size_t len;

	(void)state;
	start(&(struct opts){ 0 });
	/* Timed out, three at a time, again and again. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 3; i++) {
			ini_new(&x[i], 7);
			do_init(&x[i], NULL);
		}
		assert_int_equal(n_sas(), 3);
		advance(10000);
		assert_int_equal(n_sas(), 0);
		for (unsigned i = 0; i < 3; i++)
			ini_free(&x[i]);
	}
	/* Failed AUTH, more often than the limit. */
	for (unsigned i = 0; i < 4; i++)
		auth_refused(&(struct auth_opt){ .psk = BAD_PSK });
	assert_int_equal(cnt(SGW_IKE_C_HALF_OPEN_LIMIT), 0);

	/* Three half-open from .7; an authenticated message moves one to .8. */
	for (unsigned i = 0; i < 3; i++) {
		ini_new(&x[i], 7);
		do_init(&x[i], NULL);
	}
	x[0].me.a[3] = 8;
	empty_chain(&b, buf, sizeof(buf));
	len = seal(&x[0], IKEV2_EXCH_INFORMATIONAL, false, x[0].mid++, &b, out, sizeof(out));
	send_ini(&x[0], out, len);
	assert_int_equal(n_new(), 0);
	assert_int_equal(n_sas(), 3);
	/* Its IKE_SA_INIT again is a retransmission from .8 ... */
	send_ini(&x[0], x[0].init_i, x[0].init_i_len);
	assert_int_equal(n_new(), 1);
	d = take();
	assert_int_equal(d->len, x[0].init_r_len);
	assert_memory_equal(d->b, x[0].init_r, d->len);
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMIT_REPLIED), 1);
	/* ... but news from .7, where there is room for one now. */
	x[0].me.a[3] = 7;
	send_ini(&x[0], x[0].init_i, x[0].init_i_len);
	assert_int_equal(n_new(), 1);
	take();
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMIT_REPLIED), 1);
	assert_int_equal(n_sas(), 4);
	ini_new(&y[0], 7);
	send_init(&y[0], &(struct init_opt){ 0 });
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_HALF_OPEN_LIMIT), 1);
	/* .8 has one: room for two more. */
	for (unsigned i = 1; i < 3; i++) {
		ini_new(&y[i], 8);
		do_init(&y[i], NULL);
	}
	ini_new(&y[3], 8);
	send_init(&y[3], &(struct init_opt){ 0 });
	assert_int_equal(n_new(), 0);
	assert_int_equal(cnt(SGW_IKE_C_HALF_OPEN_LIMIT), 2);
	assert_int_equal(n_sas(), 6);
	/* All time out: none left anywhere. */
	advance(10000);
	assert_int_equal(n_sas(), 0);
	ini_free(&y[3]);
	ini_new(&y[3], 8);
	do_init(&y[3], NULL);
	for (unsigned i = 0; i < 3; i++)
		ini_free(&x[i]);
	for (unsigned i = 0; i < 4; i++)
		ini_free(&y[i]);
}

/* RFC 7383: a response bigger than fragment_size comes in SKF fragments;
 * our request may come fragmented too. */
static void test_fragments(void **state)
{
	static uint8_t buf[MAXMSG], frag[8][2048];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_ts_pld tsr;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct dgram *d[16];
	size_t len[8];
	unsigned k;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	send_init(&x, &(struct init_opt){ .frag = true });
	assert_int_equal(n_new(), 1);
	d[0] = take();
	assert_int_equal(sgw_ike_msg_parse(d[0]->b, d[0]->len, &m), 0);
	assert_non_null(find_notify(&m, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, &n));
	ini_keys(&x, d[0]->b, d[0]->len);

	/* IKE_AUTH in three fragments, the "big" child without CP. */
	build_auth(&x, &(struct auth_opt){ .big = true, .no_cp = true }, &b, buf, sizeof(buf));
	seal_frags(&x, IKEV2_EXCH_IKE_AUTH, 1, &b, 3, frag, len);
	send_ini(&x, frag[0], len[0]);
	send_ini(&x, frag[2], len[2]);
	assert_int_equal(n_new(), 0);
	/* A duplicate fragment is counted and dropped. */
	send_ini(&x, frag[2], len[2]);
	assert_int_equal(cnt(SGW_IKE_C_FRAG_DROPPED), 1);
	send_ini(&x, frag[1], len[1]);
	k = n_new();
	assert_true(k >= 2 && k <= 16);
	for (unsigned i = 0; i < k; i++) {
		d[i] = take();
		/* Each fits fragment_size as an IPv4/UDP datagram. */
		assert_true(d[i]->len + 28 <= 576);
	}
	open_frags(&x, d, k, &m, plain);
	assert_int_equal(m.hdr.msgid, 1);
	assert_int_equal(m.hdr.exchange, IKEV2_EXCH_IKE_AUTH);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSR), &tsr), 0);
	assert_int_equal(tsr.n_ts, 12);
	assert_int_equal(H.n_esp, 2);
	assert_string_equal(info_of(0)->child[0].name, "big");
	x.mid = 2;

	/* A retransmission of the whole request: all the fragments of the
	 * answer once, for its first fragment only. */
	for (unsigned i = 0; i < 3; i++)
		send_ini(&x, frag[i], len[i]);
	assert_int_equal(n_new(), k);
	for (unsigned i = 0; i < k; i++) {
		struct dgram *r = take();

		assert_int_equal(r->len, d[i]->len);
		assert_memory_equal(r->b, d[i]->b, r->len);
	}
	assert_int_equal(cnt(SGW_IKE_C_RETRANSMIT_REPLIED), 1);

	/* A small response is not fragmented; a fragmented INFORMATIONAL works. */
	empty_chain(&b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	seal_frags(&x, IKEV2_EXCH_INFORMATIONAL, x.mid, &b, 2, frag, len);
	send_ini(&x, frag[1], len[1]);
	send_ini(&x, frag[0], len[0]);
	assert_int_equal(n_new(), 1);
	open_msg(&x, take(), &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_DELETE));
	assert_int_equal(live_esp(), 0);
	ini_free(&x);
}

/* Without fragmentation agreed, SKF is not accepted and the big answer
 * goes whole. */
static void test_no_fragments(void **state)
{
	static uint8_t buf[MAXMSG], frag[8][2048];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct dgram *d;
	size_t len[8];
	struct ini x;

	(void)state;
	start(&(struct opts){ .fragmentation_off = true });
	ini_new(&x, 7);
	send_init(&x, &(struct init_opt){ .frag = true });
	d = take();
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, &m), 0);
	assert_null(find_notify(&m, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, &n));
	ini_keys(&x, d->b, d->len);
	build_auth(&x, &(struct auth_opt){ .big = true, .no_cp = true }, &b, buf, sizeof(buf));
	seal_frags(&x, IKEV2_EXCH_IKE_AUTH, 1, &b, 2, frag, len);
	send_ini(&x, frag[0], len[0]);
	send_ini(&x, frag[1], len[1]);
	assert_int_equal(n_new(), 0);
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_true(H.sent[H.n_sent - 1].len > 576);
	ini_free(&x);
}

/* ------------------------------------- the daemon's own CREATE_CHILD_SA */

/* The daemon rekeys the child itself when its lifetime is up (with PFS:
 * the first ESP proposal has x25519); we answer as the responder. The
 * request is taken: its SPIs, nonce, key share and selectors in *r. */
struct their_rekey {
	uint8_t ni[256];
	size_t ni_len;
	uint8_t ke[64];
	uint32_t new_spi, old_spi;
	struct sgw_ike_ts_pld tsi, tsr;
};

static void await_child_rekey(struct ini *x, struct their_rekey *r)
{
	struct sgw_ike_notify_pld n;
	struct sgw_ike_nonce_pld ni;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_msg m;
	uint64_t t0 = H.now;

	while (n_new() == 0 && H.now - t0 < 25000)
		advance(500);
	assert_int_equal(n_new(), 1);
	/* Within the lifetime, at most 10 % early. */
	assert_true(H.now - t0 >= 18000 && H.now - t0 <= 20500);
	daemon_request(x, take(), IKEV2_EXCH_CREATE_CHILD_SA, 0, &m);
	assert_non_null(find_notify(&m, IKEV2_N_REKEY_SA, &n));
	assert_int_equal(n.proto, IKEV2_PROTO_ESP);
	assert_int_equal(n.spi_size, 4);
	assert_int_equal(n.spi, 0xc0000001u);
	r->old_spi = (uint32_t)n.spi;
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.n_prop, 2);
	assert_int_equal(sa.prop[0].proto, IKEV2_PROTO_ESP);
	assert_int_equal(sa.prop[0].spi, 0xc0000002u);
	r->new_spi = (uint32_t)sa.prop[0].spi;
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &ni), 0);
	memcpy(r->ni, ni.data, ni.len);
	r->ni_len = ni.len;
	assert_int_equal(sgw_ike_dec_ke(find_pld(&m, IKEV2_PLD_KE), &ke), 0);
	assert_int_equal(ke.group, IKEV2_DH_CURVE25519);
	memcpy(r->ke, ke.data, 32);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSI), &r->tsi), 0);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSR), &r->tsr), 0);
	assert_memory_equal(r->tsi.ts[0].start, ((uint8_t[]){ 10, 10, 0, 0 }), 4);
	assert_memory_equal(r->tsr.ts[0].start, ((uint8_t[]){ 10, 10, 1, 1 }), 4);
}

/* Our answer to it: the first proposal, our SPI, nonce and key share. */
static void answer_child_rekey(struct ini *x, const struct their_rekey *r, uint32_t our_spi,
			       const uint8_t *nr, uint8_t *gir)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_dh *dh;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;
	uint8_t pub[64];
	size_t pub_len, glen;

	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
	assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &pub_len), 0);
	assert_int_equal(sgw_ike_dh_derive(dh, r->ke, 32, gir, 64, &glen), 0);
	assert_int_equal(glen, 32);
	sgw_ike_dh_free(dh);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	esp_prop(&sa, our_spi, IKEV2_DH_CURVE25519);
	sgw_ike_enc_sa(&b, &sa);
	{
		const struct sgw_ike_nonce_pld n = { .len = 32, .data = nr };
		const struct sgw_ike_ke_pld ke = { .group = IKEV2_DH_CURVE25519, .len = 32,
						   .data = pub };

		sgw_ike_enc_nonce(&b, &n);
		sgw_ike_enc_ke(&b, &ke);
	}
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &r->tsi);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &r->tsr);
	respond(x, IKEV2_EXCH_CREATE_CHILD_SA, 0, &b);
}

static void test_own_child_rekey(void **state)
{
	static uint8_t buf[MAXMSG];
	const uint32_t our_new = 0x44440007;
	struct their_rekey r;
	struct sgw_ike_delete_pld d;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	uint8_t nr[32], gir[64], km[40];
	struct ini x;

	(void)state;
	start(&(struct opts){ .child_lifetime = "20s" });
	establish(&x, 7);
	await_child_rekey(&x, &r);
	assert_int_equal(sgw_ike_random(nr, sizeof(nr)), 0);
	answer_child_rekey(&x, &r, our_new, nr, gir);
	/* Both new SAs at once, outbound in front of the old policies; the
	 * KEYMAT with g^ir, the daemon's nonce first (it initiated). */
	keymat(&x, gir, 32, r.ni, r.ni_len, nr, 32, km);
	assert_int_equal(H.n_esp, 4);
	assert_true(esp_n(2)->e.inbound);
	assert_int_equal(esp_n(2)->e.spi, r.new_spi);
	assert_memory_equal(esp_n(2)->e.key, km + 20, 16);    /* responder to initiator */
	assert_memory_equal(esp_n(2)->e.salt, km + 36, 4);
	assert_false(esp_n(3)->e.inbound);
	assert_int_equal(esp_n(3)->e.spi, our_new);
	assert_memory_equal(esp_n(3)->e.key, km, 16);
	assert_memory_equal(esp_n(3)->e.salt, km + 16, 4);
	assert_int_equal(esp_n(3)->e.before, esp_n(1)->h);
	/* Then its Delete of the old pair, with the old inbound SPI. */
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 1, &m);
	assert_int_equal(sgw_ike_dec_delete(find_pld(&m, IKEV2_PLD_DELETE), &d), 0);
	assert_int_equal(d.proto, IKEV2_PROTO_ESP);
	assert_int_equal(d.n_spi, 1);
	assert_int_equal(sgw_ike_delete_spi(&d, 0), r.old_spi);
	assert_int_equal(live_esp(), 4);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	assert_false(esp_n(0)->live || esp_n(1)->live);
	assert_int_equal(live_esp(), 2);
	assert_int_equal(info_of(0)->n_children, 1);
	assert_int_equal(info_of(0)->child[0].spi_out, our_new);
	ini_free(&x);
}

/* Refused: the new child goes, the old one stays and is tried again later. */
static void test_own_child_rekey_refused(void **state)
{
	static uint8_t buf[MAXMSG];
	struct their_rekey r;
	struct sgw_ike_buf b;
	struct ini x;

	(void)state;
	start(&(struct opts){ .child_lifetime = "20s" });
	establish(&x, 7);
	await_child_rekey(&x, &r);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_notify(&b, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	respond(&x, IKEV2_EXCH_CREATE_CHILD_SA, 0, &b);
	assert_int_equal(n_new(), 0);
	assert_int_equal(H.n_esp, 2);
	assert_int_equal(live_esp(), 2);
	assert_int_equal(H.spis_out, 0);        /* the new SPI handed back */
	assert_int_equal(info_of(0)->n_children, 1);
	ini_free(&x);
}

/* ------------------------ both ends at once, and 2.25 (TEMPORARY_FAILURE) */

/* Our CREATE_CHILD_SA rekeying the child whose outbound SPI (ours) is
 * old_spi, without PFS, with nonce ni: the daemon's answer in m. */
static void peer_rekey(struct ini *x, uint32_t old_spi, uint32_t new_spi, const uint8_t *ni,
		       struct sgw_ike_msg *m)
{
	static uint8_t buf[MAXMSG];
	static const uint8_t any[4];
	const struct sgw_ike_notify_pld rk = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
					       .type = IKEV2_N_REKEY_SA, .spi = old_spi };
	struct sgw_ike_ts_pld tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;

	sgw_ike_ts_prefix(&tsi.ts[0], AF_INET, any, 0, 0, 0, 65535);
	sgw_ike_ts_prefix(&tsr.ts[0], AF_INET, any, 0, 0, 0, 65535);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_notify(&b, &rk);
	esp_prop(&sa, new_spi, 0);
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){ .len = 32, .data = ni });
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &tsi);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &tsr);
	request(x, IKEV2_EXCH_CREATE_CHILD_SA, &b, m, plain);
}

static bool delete_has(const struct sgw_ike_delete_pld *d, uint32_t spi)
{
	for (unsigned i = 0; i < d->n_spi; i++)
		if (sgw_ike_delete_spi(d, i) == spi)
			return true;
	return false;
}

/* The nonce of an exchange that is lowest, as 2.8.1 compares them. */
static int lex(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	return r ? r : (al > bl) - (al < bl);
}

/*
 * RFC 7296 2.8.1: the daemon rekeys the child (its request taken, not yet
 * answered), we rekey the same child (answered: its new inbound SA in,
 * outbound pending), then we answer its request. peer_ni is our nonce in
 * our exchange, peer_nr ours in its exchange. The SA made in the exchange
 * with the lowest of the four nonces is deleted by its maker: when that is
 * the daemon's exchange (ours_lowest < 0: from the nonces), its Delete
 * names its new SA and the old one and our new child gets its outbound
 * SA; otherwise it keeps its new child, deletes the old one only, and ours
 * stays inbound-only until we delete it.
 */
static void rekey_collision(const uint8_t *peer_ni, const uint8_t *peer_nr, int daemon_lowest)
{
	static uint8_t buf[MAXMSG];
	const uint32_t our_new = 0x44440007, peer_new = 0x55550007;
	struct their_rekey r;
	struct sgw_ike_delete_pld d;
	struct sgw_ike_notify_pld n;
	struct sgw_ike_nonce_pld nn;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	uint8_t d_nr[256], gir[64], km_c[40], km_y[40];
	size_t d_nr_len;
	struct ini x;
	uint32_t spi[2];

	start(&(struct opts){ .child_lifetime = "20s" });
	establish(&x, 7);
	await_child_rekey(&x, &r);
	assert_int_equal(r.new_spi, 0xc0000002u);

	/* Ours, crossing it: answered as usual. */
	peer_rekey(&x, x.child_spi, peer_new, peer_ni, &m);
	assert_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_notify(&m, IKEV2_N_NO_PROPOSAL_CHOSEN, &n));
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.prop[0].spi, 0xc0000003u);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &nn), 0);
	memcpy(d_nr, nn.data, nn.len);
	d_nr_len = nn.len;
	assert_int_equal(n_new(), 0);
	assert_int_equal(H.n_esp, 3);
	assert_true(esp_n(2)->e.inbound);
	assert_int_equal(esp_n(2)->e.spi, 0xc0000003u);
	assert_int_equal(live_esp(), 3);
	keymat(&x, NULL, 0, peer_ni, 32, d_nr, d_nr_len, km_y);
	assert_memory_equal(esp_n(2)->e.key, km_y, 16);

	if (daemon_lowest < 0) {
		/* Which of the daemon's two random nonces is lower decides. */
		const uint8_t *lo = r.ni;
		size_t lol = r.ni_len;
		bool dl = true;

		if (lex(peer_nr, 32, lo, lol) < 0)
			lo = peer_nr, lol = 32;
		if (lex(peer_ni, 32, lo, lol) < 0)
			lo = peer_ni, lol = 32, dl = false;
		if (lex(d_nr, d_nr_len, lo, lol) < 0)
			dl = false;
		daemon_lowest = dl;
	}

	/* Our answer to its rekey: its new pair goes in either way. */
	answer_child_rekey(&x, &r, our_new, peer_nr, gir);
	keymat(&x, gir, 32, r.ni, r.ni_len, peer_nr, 32, km_c);
	assert_true(H.n_esp >= 5);
	assert_true(esp_n(3)->e.inbound);
	assert_int_equal(esp_n(3)->e.spi, 0xc0000002u);
	assert_memory_equal(esp_n(3)->e.key, km_c + 20, 16);
	assert_false(esp_n(4)->e.inbound);
	assert_int_equal(esp_n(4)->e.spi, our_new);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 1, &m);
	assert_int_equal(sgw_ike_dec_delete(find_pld(&m, IKEV2_PLD_DELETE), &d), 0);
	assert_int_equal(d.proto, IKEV2_PROTO_ESP);

	if (daemon_lowest) {
		/* Its new SA and the old one in one Delete; our child's
		 * outbound SA installed, with our exchange's KEYMAT. */
		assert_int_equal(d.n_spi, 2);
		assert_true(delete_has(&d, 0xc0000002u));
		assert_true(delete_has(&d, 0xc0000001u));
		assert_int_equal(H.n_esp, 6);
		assert_false(esp_n(5)->e.inbound);
		assert_int_equal(esp_n(5)->e.spi, peer_new);
		assert_memory_equal(esp_n(5)->e.key, km_y + 20, 16);
		assert_memory_equal(esp_n(5)->e.salt, km_y + 36, 4);
		assert_false(esp_n(3)->live || esp_n(4)->live);
		sgw_ike_buf_init(&b, buf, sizeof(buf));
		spi[0] = our_new;
		spi[1] = x.child_spi;
		enc_delete_esp(&b, spi, 2);
		respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
		assert_int_equal(n_new(), 0);
		assert_false(esp_n(0)->live || esp_n(1)->live);
		assert_true(esp_n(2)->live && esp_n(5)->live);
		assert_int_equal(live_esp(), 2);
		assert_int_equal(info_of(0)->n_children, 1);
		assert_int_equal(info_of(0)->child[0].spi_in, 0xc0000003u);
		assert_int_equal(info_of(0)->child[0].spi_out, peer_new);
	} else {
		/* It keeps its own; the old one only in its Delete. */
		assert_int_equal(d.n_spi, 1);
		assert_int_equal(sgw_ike_delete_spi(&d, 0), 0xc0000001u);
		assert_int_equal(H.n_esp, 5);
		assert_int_equal(esp_n(4)->e.before, esp_n(1)->h);
		sgw_ike_buf_init(&b, buf, sizeof(buf));
		enc_delete_esp(&b, &x.child_spi, 1);
		respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
		assert_int_equal(n_new(), 0);
		assert_false(esp_n(0)->live || esp_n(1)->live);
		/* Ours still inbound-only: no outbound SA for it. */
		assert_int_equal(H.n_esp, 5);
		assert_int_equal(live_esp(), 3);
		assert_int_equal(info_of(0)->n_children, 2);
		/* We delete ours: the answer names its inbound SPI. */
		sgw_ike_buf_init(&b, buf, sizeof(buf));
		enc_delete_esp(&b, &peer_new, 1);
		request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
		assert_int_equal(sgw_ike_dec_delete(find_pld(&m, IKEV2_PLD_DELETE), &d), 0);
		assert_int_equal(d.n_spi, 1);
		assert_int_equal(sgw_ike_delete_spi(&d, 0), 0xc0000003u);
		assert_false(esp_n(2)->live);
		assert_true(esp_n(3)->live && esp_n(4)->live);
		assert_int_equal(H.n_esp, 5);
		assert_int_equal(live_esp(), 2);
		assert_int_equal(info_of(0)->n_children, 1);
		assert_int_equal(info_of(0)->child[0].spi_in, 0xc0000002u);
		assert_int_equal(info_of(0)->child[0].spi_out, our_new);
	}
	assert_int_equal(H.spis_out, 0);
	/* Quiet afterwards: no stray retransmission or rekey. */
	advance(5000);
	assert_int_equal(n_new(), 0);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

static void test_child_rekey_collision_daemon_loses(void **state)
{
	uint8_t ni[32], nr[32];

	(void)state;
	memset(ni, 0x11, sizeof(ni));
	memset(nr, 0x00, sizeof(nr));       /* lowest: in the daemon's exchange */
	rekey_collision(ni, nr, 1);
}

static void test_child_rekey_collision_peer_loses(void **state)
{
	uint8_t ni[32], nr[32];

	(void)state;
	memset(ni, 0x00, sizeof(ni));       /* lowest: in our exchange */
	memset(nr, 0xff, sizeof(nr));
	rekey_collision(ni, nr, 0);
}

/* Ours all 0xff: the lower of the daemon's two random nonces decides. */
static void test_child_rekey_collision_random(void **state)
{
	uint8_t ni[32], nr[32];

	(void)state;
	memset(ni, 0xff, sizeof(ni));
	memset(nr, 0xff, sizeof(nr));
	for (unsigned i = 0; i < 4; i++) {
		if (i)
			teardown(NULL);     /* the last one by cmocka */
		rekey_collision(ni, nr, -1);
	}
}

/* 2.25: its rekey done, its Delete of the old child outstanding: our
 * rekey of that child gets TEMPORARY_FAILURE and changes nothing. */
static void test_rekey_child_being_deleted(void **state)
{
	static uint8_t buf[MAXMSG];
	const uint32_t our_new = 0x44440007;
	uint8_t nr[32] = { 0x42 }, ni[32] = { 0x17 }, gir[64];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_delete_pld d;
	struct their_rekey r;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ .child_lifetime = "20s" });
	establish(&x, 7);
	await_child_rekey(&x, &r);
	answer_child_rekey(&x, &r, our_new, nr, gir);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 1, &m);
	assert_int_equal(sgw_ike_dec_delete(find_pld(&m, IKEV2_PLD_DELETE), &d), 0);
	assert_int_equal(sgw_ike_delete_spi(&d, 0), 0xc0000001u);
	/* By our outbound SPI, then by its inbound one. */
	peer_rekey(&x, x.child_spi, 0x55550007, ni, &m);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_pld(&m, IKEV2_PLD_SA));
	peer_rekey(&x, 0xc0000001u, 0x55550008, ni, &m);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_pld(&m, IKEV2_PLD_SA));
	assert_int_equal(n_new(), 0);
	assert_int_equal(H.n_esp, 4);
	assert_int_equal(live_esp(), 4);
	assert_int_equal(H.spis_out, 0);
	assert_int_equal(info_of(0)->n_children, 2);
	/* The Delete answered: the new pair only. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	assert_false(esp_n(0)->live || esp_n(1)->live);
	assert_int_equal(live_esp(), 2);
	/* And the new child can be rekeyed by us as usual. */
	peer_rekey(&x, our_new, 0x55550009, ni, &m);
	assert_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_non_null(find_pld(&m, IKEV2_PLD_SA));
	assert_int_equal(live_esp(), 3);
	ini_free(&x);
}

/* The host cannot give an SPI or install an SA: the IKE SA comes up
 * without the child (TEMPORARY_FAILURE), nothing left behind. */
static void test_host_failures(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x, y;

	(void)state;
	start(&(struct opts){ 0 });
	ini_new(&x, 7);
	do_init(&x, NULL);
	H.fail_alloc = true;
	build_auth(&x, &(struct auth_opt){ 0 }, &b, buf, sizeof(buf));
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_AUTH));
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_pld(&m, IKEV2_PLD_SA));
	assert_int_equal(H.n_esp, 0);
	assert_string_equal(info_of(0)->state, "ESTABLISHED");

	/* The outbound SA fails: the inbound one goes again, its SPI with it. */
	ini_new(&y, 8);
	do_init(&y, NULL);
	H.fail_add_in = 2;
	build_auth(&y, &(struct auth_opt){ .id = "bob@example.net" }, &b, buf, sizeof(buf));
	request(&y, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_int_equal(H.n_esp, 1);
	assert_int_equal(live_esp(), 0);
	assert_int_equal(H.spis_out, 0);
	assert_int_equal(cnt(SGW_IKE_C_CHILD_FAILED), 1);

	/* A new child on x, its inbound SA refused by the host. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	{
		struct sgw_ike_sa_pld sa;
		struct sgw_ike_ts_pld tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
		static const uint8_t any[4], net[4] = { 10, 10, 0, 0 };
		uint8_t ni[32] = { 3 };

		sgw_ike_ts_prefix(&tsi.ts[0], AF_INET, any, 0, 0, 0, 65535);
		sgw_ike_ts_prefix(&tsr.ts[0], AF_INET, net, 24, 0, 0, 65535);
		esp_prop(&sa, 0x77770007, 0);
		sgw_ike_enc_sa(&b, &sa);
		sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){ .len = 32, .data = ni });
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &tsi);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &tsr);
	}
	H.fail_add_in = 1;
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_int_equal(m.n, 1);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_int_equal(H.spis_out, 0);
	assert_int_equal(info_of(0)->n_children, 0);
	/* Then it works. */
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_SA));
	assert_int_equal(live_esp(), 2);
	assert_int_equal(info_of(0)->n_children, 1);
	ini_free(&x);
	ini_free(&y);
}

/* The dataplane's lifetime events: soft starts a rekey at once, hard
 * takes the child out at the next tick (once no request is in flight). */
static void test_esp_events(void **state)
{
	static uint8_t buf[MAXMSG];
	struct sgw_ike_notify_pld n;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	establish(&x, 7);
	sgw_ike_esp_event(12345, SGW_IKE_ESP_SOFT);       /* not ours: nothing */
	assert_int_equal(n_new(), 0);
	sgw_ike_esp_event(esp_n(1)->h, SGW_IKE_ESP_SEQ);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_CREATE_CHILD_SA, 0, &m);
	assert_non_null(find_notify(&m, IKEV2_N_REKEY_SA, &n));
	assert_int_equal(n.spi, 0xc0000001u);
	/* Refused: the old child stays, for now. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_notify(&b, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	respond(&x, IKEV2_EXCH_CREATE_CHILD_SA, 0, &b);
	assert_int_equal(live_esp(), 2);
	assert_int_equal(H.spis_out, 0);
	sgw_ike_esp_event(esp_n(0)->h, SGW_IKE_ESP_HARD);
	advance(100);
	assert_false(esp_n(0)->live || esp_n(1)->live);
	assert_int_equal(cnt(SGW_IKE_C_CHILD_DOWN), 1);
	assert_int_equal(info_of(0)->n_children, 0);
	ini_free(&x);
}

/* The daemon rekeys the IKE SA itself when its lifetime is up: its
 * CREATE_CHILD_SA request is taken, its SPI, nonce and key share kept. */
struct their_ike_rekey {
	uint64_t spi;
	uint8_t ni[256];
	size_t ni_len;
	uint8_t ke[32];
};

static void await_ike_rekey(struct ini *x, struct their_ike_rekey *r)
{
	struct sgw_ike_nonce_pld ni;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_msg m;
	uint64_t t0 = H.now;

	while (n_new() == 0 && H.now - t0 < 25000)
		advance(500);
	assert_int_equal(n_new(), 1);
	assert_true(H.now - t0 >= 18000 && H.now - t0 <= 20500);
	daemon_request(x, take(), IKEV2_EXCH_CREATE_CHILD_SA, 0, &m);
	assert_int_equal(sgw_ike_dec_sa(find_pld(&m, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sa.prop[0].proto, IKEV2_PROTO_IKE);
	assert_int_equal(sa.prop[0].spi_size, 8);
	r->spi = sa.prop[0].spi;
	assert_true(r->spi != 0);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(&m, IKEV2_PLD_NONCE), &ni), 0);
	memcpy(r->ni, ni.data, ni.len);
	r->ni_len = ni.len;
	assert_int_equal(sgw_ike_dec_ke(find_pld(&m, IKEV2_PLD_KE), &ke), 0);
	assert_int_equal(ke.group, IKEV2_DH_CURVE25519);
	memcpy(r->ke, ke.data, 32);
	assert_null(find_pld(&m, IKEV2_PLD_TSI));
}

/* Our answer: our SPI, nonce and key share; y gets the new SA's keys,
 * with us as its responder (the rekey's initiator is the new initiator). */
static void answer_ike_rekey(struct ini *x, const struct their_ike_rekey *r, uint64_t our_spi,
			     struct ini *y)
{
	static const uint16_t x25519[] = { IKEV2_DH_CURVE25519 };
	static uint8_t buf[MAXMSG];
	struct sgw_ike_dh *dh;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;
	uint8_t nr[32] = { 0x42 }, pub[64], gir[64], seed[SGW_IKE_PRF_MAX], si[8], sr[8];
	size_t pub_len, glen;

	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
	assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &pub_len), 0);
	assert_int_equal(sgw_ike_dh_derive(dh, r->ke, 32, gir, sizeof(gir), &glen), 0);
	sgw_ike_dh_free(dh);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	ike_prop(&sa, our_spi, x25519, 1);
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){ .len = 32, .data = nr });
	sgw_ike_enc_ke(&b, &(struct sgw_ike_ke_pld){ .group = IKEV2_DH_CURVE25519,
			.len = (uint16_t)pub_len, .data = pub });
	respond(x, IKEV2_EXCH_CREATE_CHILD_SA, 0, &b);

	memset(y, 0, sizeof(*y));
	y->responder = true;
	y->me = x->me;
	y->s = x->s;
	y->ispi = r->spi;
	y->rspi = our_spi;
	assert_int_equal(sgw_ike_skeyseed_rekey(PRF, &x->k.d, gir, glen, r->ni, r->ni_len, nr, 32,
						seed), 0);
	be64(si, y->ispi);
	be64(sr, y->rspi);
	assert_int_equal(sgw_ike_derive_keys(&y->s, seed, r->ni, r->ni_len, nr, 32, si, sr, &y->k),
			 0);
	assert_int_equal(sgw_ike_sk_new(&y->s, &y->k.er, NULL, &y->tx), 0);
	assert_int_equal(sgw_ike_sk_new(&y->s, &y->k.ei, NULL, &y->rx), 0);
}

static void test_own_ike_rekey(void **state)
{
	static uint8_t buf[MAXMSG];
	struct their_ike_rekey r;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct sgw_ike_sa_info *n;
	struct ini x, y;

	(void)state;
	start(&(struct opts){ .ike_lifetime = "20s" });
	establish(&x, 7);
	await_ike_rekey(&x, &r);
	answer_ike_rekey(&x, &r, 0x7777777777777777ull, &y);
	/* The new SA has the child; the old one's Delete comes at once. */
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 1, &m);
	assert_non_null(find_pld(&m, IKEV2_PLD_DELETE));
	assert_int_equal(n_sas(), 2);
	n = info_of(1);
	assert_true(n->ispi == r.spi && n->rspi == 0x7777777777777777ull);
	assert_true(n->initiator);
	assert_int_equal(n->n_children, 1);
	assert_int_equal(info_of(0)->n_children, 0);
	empty_chain(&b, buf, sizeof(buf));
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	assert_int_equal(n_sas(), 1);
	assert_int_equal(live_esp(), 2);
	/* The new one under the keys derived here, IDs from 0. */
	y.mid = 0;
	request(&y, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_int_equal(m.n, 0);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_delete_esp(&b, &x.child_spi, 1);
	request(&y, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
	assert_non_null(find_pld(&m, IKEV2_PLD_DELETE));
	assert_int_equal(live_esp(), 0);
	ini_free(&x);
	ini_free(&y);
}

/* 2.25: while its own IKE SA rekey is in flight, a CREATE_CHILD_SA of
 * ours (a child rekey, a new child) gets TEMPORARY_FAILURE. */
static void test_child_during_own_ike_rekey(void **state)
{
	static uint8_t buf[MAXMSG];
	static const uint8_t any[4], net[4] = { 10, 10, 0, 0 };
	uint8_t ni[32] = { 0x17 };
	struct their_ike_rekey r;
	struct sgw_ike_notify_pld n;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ts_pld tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x, y;

	(void)state;
	start(&(struct opts){ .ike_lifetime = "20s" });
	establish(&x, 7);
	await_ike_rekey(&x, &r);
	peer_rekey(&x, x.child_spi, 0x55550007, ni, &m);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_pld(&m, IKEV2_PLD_SA));
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_ts_prefix(&tsi.ts[0], AF_INET, any, 0, 0, 0, 65535);
	sgw_ike_ts_prefix(&tsr.ts[0], AF_INET, net, 24, 0, 0, 65535);
	esp_prop(&sa, 0x77770007, 0);
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){ .len = 32, .data = ni });
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &tsi);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &tsr);
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_non_null(find_notify(&m, IKEV2_N_TEMPORARY_FAILURE, &n));
	assert_null(find_pld(&m, IKEV2_PLD_SA));
	assert_int_equal(n_new(), 0);
	assert_int_equal(H.n_esp, 2);
	assert_int_equal(H.spis_out, 0);
	assert_int_equal(info_of(0)->n_children, 1);
	/* Its rekey completes as usual, the child on the new SA. */
	answer_ike_rekey(&x, &r, 0x7777777777777777ull, &y);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 1, &m);
	assert_non_null(find_pld(&m, IKEV2_PLD_DELETE));
	empty_chain(&b, buf, sizeof(buf));
	respond(&x, IKEV2_EXCH_INFORMATIONAL, 1, &b);
	assert_int_equal(n_sas(), 1);
	assert_int_equal(info_of(0)->n_children, 1);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
	ini_free(&y);
}

/* ------------------------------------------- the daemon as the initiator */

#define SITE_ADDR 198, 51, 100, 200

/* sgw_ike_initiate("site"): we answer its IKE_SA_INIT as the responder,
 * keys derived with its nonce first; then its IKE_AUTH request is in m. */
static void site_init(struct ini *x, struct sgw_ike_msg *m)
{
	static const uint16_t x25519[] = { IKEV2_DH_CURVE25519 };
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_nonce_pld ni;
	struct sgw_ike_buf b;
	uint8_t pub[64], gir[64], seed[SGW_IKE_PRF_MAX], si[8], sr[8], hash[20];
	size_t pub_len, glen;
	struct dgram *d;

	memset(x, 0, sizeof(*x));
	x->responder = true;
	x->me = (struct sgw_ike_addr){ .family = AF_INET, .a = { SITE_ADDR }, .port = 500 };
	x->s = (struct sgw_ike_suite){ .encr = SGW_IKE_ENCR_AES_GCM_16, .key_bits = 128,
				       .prf = PRF };
	x->rspi = 0x5151515151515151ull;
	x->nr_len = 32;
	assert_int_equal(sgw_ike_random(x->nr, x->nr_len), 0);
	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &x->dh), 0);
	assert_int_equal(sgw_ike_initiate("site"), 0);
	assert_int_equal(sgw_ike_initiate("nobody"), -ENOENT);
	assert_int_equal(n_new(), 1);
	d = take();
	assert_true(ike_addr_eq(&d->remote, &x->me));
	assert_int_equal(sgw_ike_msg_parse(d->b, d->len, m), 0);
	assert_int_equal(m->hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(m->hdr.flags, IKEV2_FLAG_INITIATOR);
	assert_int_equal(m->hdr.rspi, 0);
	x->ispi = m->hdr.ispi;
	memcpy(x->init_i, d->b, d->len);
	x->init_i_len = d->len;
	assert_int_equal(sgw_ike_dec_ke(find_pld(m, IKEV2_PLD_KE), &ke), 0);
	assert_int_equal(ke.group, IKEV2_DH_CURVE25519);
	assert_int_equal(sgw_ike_dec_nonce(find_pld(m, IKEV2_PLD_NONCE), &ni), 0);
	memcpy(x->ni, ni.data, ni.len);
	x->ni_len = ni.len;
	assert_int_equal(sgw_ike_dh_derive(x->dh, ke.data, ke.len, gir, sizeof(gir), &glen), 0);
	assert_int_equal(sgw_ike_dh_public(x->dh, pub, sizeof(pub), &pub_len), 0);

	ike_prop(&sa, 0, x25519, 1);
	sgw_ike_buf_init(&b, x->init_r, sizeof(x->init_r));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){ .ispi = x->ispi, .rspi = x->rspi,
			   .exchange = IKEV2_EXCH_IKE_SA_INIT, .flags = IKEV2_FLAG_RESPONSE });
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_ke(&b, &(struct sgw_ike_ke_pld){ .group = IKEV2_DH_CURVE25519,
			.len = (uint16_t)pub_len, .data = pub });
	sgw_ike_enc_nonce(&b, &(struct sgw_ike_nonce_pld){ .len = 32, .data = x->nr });
	nat_hash(x->ispi, x->rspi, &x->me, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, 20);
	nat_hash(x->ispi, x->rspi, &gw, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	x->init_r_len = b.len;

	assert_int_equal(sgw_ike_skeyseed(PRF, x->ni, x->ni_len, x->nr, x->nr_len, gir, glen,
					  seed), 0);
	be64(si, x->ispi);
	be64(sr, x->rspi);
	assert_int_equal(sgw_ike_derive_keys(&x->s, seed, x->ni, x->ni_len, x->nr, x->nr_len,
					     si, sr, &x->k), 0);
	/* As the responder: we send under SK_er, read under SK_ei. */
	assert_int_equal(sgw_ike_sk_new(&x->s, &x->k.er, NULL, &x->tx), 0);
	assert_int_equal(sgw_ike_sk_new(&x->s, &x->k.ei, NULL, &x->rx), 0);
	send_ini(x, x->init_r, x->init_r_len);
	assert_int_equal(n_new(), 1);
	open_msg(x, take(), m, plain);
	assert_int_equal(m->hdr.exchange, IKEV2_EXCH_IKE_AUTH);
	assert_int_equal(m->hdr.msgid, 1);
	assert_false(m->hdr.flags & IKEV2_FLAG_RESPONSE);
}

/* Our IKE_AUTH response with identity id (FQDN) and a PSK AUTH. */
static void site_auth_response(struct ini *x, const struct sgw_ike_msg *req, const char *id,
			       size_t id_len)
{
	static uint8_t buf[MAXMSG], idb[4096];
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ts_pld tsi, tsr;
	struct sgw_ike_buf b;
	uint8_t mac[PRF_LEN];

	idb[0] = IKEV2_ID_FQDN;
	idb[1] = idb[2] = idb[3] = 0;
	memcpy(idb + 4, id, id_len);
	psk_auth(x, false, PSK, idb, 4 + id_len, mac);
	assert_int_equal(sgw_ike_dec_sa(find_pld(req, IKEV2_PLD_SA), &sa), 0);
	assert_int_equal(sgw_ike_dec_ts(find_pld(req, IKEV2_PLD_TSI), &tsi), 0);
	assert_int_equal(sgw_ike_dec_ts(find_pld(req, IKEV2_PLD_TSR), &tsr), 0);
	x->child_spi = (uint32_t)sa.prop[0].spi;        /* the daemon's inbound SPI */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	sgw_ike_enc_id(&b, IKEV2_PLD_IDR, &(struct sgw_ike_id_pld){ .type = IKEV2_ID_FQDN,
			.len = (uint16_t)id_len, .data = (const uint8_t *)id });
	sgw_ike_enc_auth(&b, &(struct sgw_ike_auth_pld){ .method = IKEV2_AUTH_SHARED_KEY_MIC,
			 .len = PRF_LEN, .data = mac });
	esp_prop(&sa, 0x66660001, 0);
	sgw_ike_enc_sa(&b, &sa);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &tsi);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &tsr);
	respond(x, IKEV2_EXCH_IKE_AUTH, 1, &b);
}

static void test_initiator(void **state)
{
	struct sgw_ike_msg m;
	struct sgw_ike_id_pld id;
	struct sgw_ike_auth_pld auth;
	struct sgw_ike_ts_pld ts;
	struct sgw_ike_sa_info *info;
	uint8_t want[PRF_LEN], km[40];
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	site_init(&x, &m);
	/* Its IKE_AUTH: IDi, IDr as configured, an AUTH we can check, the child. */
	assert_int_equal(sgw_ike_dec_id(find_pld(&m, IKEV2_PLD_IDI), &id), 0);
	assert_int_equal(id.type, IKEV2_ID_FQDN);
	assert_memory_equal(id.data, GW_ID, strlen(GW_ID));
	assert_int_equal(sgw_ike_dec_id(find_pld(&m, IKEV2_PLD_IDR), &id), 0);
	assert_memory_equal(id.data, SITE_ID, strlen(SITE_ID));
	assert_int_equal(sgw_ike_dec_auth(find_pld(&m, IKEV2_PLD_AUTH), &auth), 0);
	psk_auth(&x, true, PSK, find_pld(&m, IKEV2_PLD_IDI)->body, find_pld(&m, IKEV2_PLD_IDI)->len,
		 want);
	assert_int_equal(auth.len, PRF_LEN);
	assert_memory_equal(auth.data, want, PRF_LEN);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSI), &ts), 0);
	assert_memory_equal(ts.ts[0].start, ((uint8_t[]){ 10, 10, 0, 0 }), 4);
	assert_int_equal(sgw_ike_dec_ts(find_pld(&m, IKEV2_PLD_TSR), &ts), 0);
	assert_memory_equal(ts.ts[0].start, ((uint8_t[]){ 10, 20, 0, 0 }), 4);
	assert_string_equal(info_of(0)->state, "AUTHENTICATING");
	assert_true(info_of(0)->initiator);

	site_auth_response(&x, &m, SITE_ID, strlen(SITE_ID));
	info = info_of(0);
	assert_string_equal(info->state, "ESTABLISHED");
	assert_string_equal(info->remote_id, SITE_ID);
	assert_int_equal(info->n_children, 1);
	/* KEYMAT with its nonce first; its inbound SA is ours to it. */
	keymat(&x, NULL, 0, x.ni, x.ni_len, x.nr, x.nr_len, km);
	assert_int_equal(H.n_esp, 2);
	assert_true(esp_n(0)->e.inbound);
	assert_int_equal(esp_n(0)->e.spi, x.child_spi);
	assert_memory_equal(esp_n(0)->e.key, km + 20, 16);
	assert_false(esp_n(1)->e.inbound);
	assert_int_equal(esp_n(1)->e.spi, 0x66660001);
	assert_memory_equal(esp_n(1)->e.key, km, 16);
	assert_memory_equal(esp_n(1)->e.salt, km + 16, 4);
	/* Our requests to it now go with the responder's flags. */
	{
		static uint8_t buf[MAXMSG];
		struct sgw_ike_buf b;

		x.mid = 0;
		empty_chain(&b, buf, sizeof(buf));
		request(&x, IKEV2_EXCH_INFORMATIONAL, &b, &m, plain);
		assert_int_equal(m.n, 0);
	}
	/* sgw_ike_terminate: its Delete, the SA gone with our answer. */
	assert_int_equal(sgw_ike_terminate(info->id), 0);
	assert_int_equal(n_new(), 1);
	daemon_request(&x, take(), IKEV2_EXCH_INFORMATIONAL, 2, &m);
	assert_non_null(find_pld(&m, IKEV2_PLD_DELETE));
	assert_string_equal(info_of(0)->state, "DELETING");
	{
		static uint8_t buf[MAXMSG];
		struct sgw_ike_buf b;

		empty_chain(&b, buf, sizeof(buf));
		respond(&x, IKEV2_EXCH_INFORMATIONAL, 2, &b);
	}
	assert_int_equal(n_sas(), 0);
	assert_int_equal(live_esp(), 0);
	ini_free(&x);
}

/* The responder's AUTH does not verify: no SA. */
static void test_initiator_auth_failed(void **state)
{
	static char id[] = "site.example.org";
	struct sgw_ike_msg m;
	struct ini x;

	(void)state;
	start(&(struct opts){ 0 });
	site_init(&x, &m);
	site_auth_response(&x, &m, id, strlen(id));
	assert_int_equal(n_sas(), 0);
	assert_int_equal(H.n_esp, 0);
	assert_int_equal(cnt(SGW_IKE_C_AUTH_FAILED), 1);
	ini_free(&x);
}

/* ---------------------------------------------------- daemon bugs found */

/*
 * BUG: the peer rekeys the IKE SA (CREATE_CHILD_SA, RFC 7296 2.18) while
 * the daemon's own child rekey is in flight on it (a collision, 2.25).
 * ike_rekey_request() (ike_exch.c) moves sa->children to the new IKE SA
 * but leaves sa->cx_child pointing at one of them; the answer to the
 * daemon's request still arrives on the old SA, and child_rekey_response()
 * frees cx_child with ike_child_free(old sa, c), which does not find it
 * in the old SA's (empty) list: the new SA keeps a freed child. The same
 * holds for sa->del_child (REQ_DELETE_CHILD in flight).
 */
static void bug_ike_rekey_during_own_child_rekey(void)
{
	static uint8_t buf[MAXMSG];
	static const uint16_t x25519[] = { IKEV2_DH_CURVE25519 };
	struct their_rekey r;
	struct sgw_ike_dh *dh;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	uint8_t ni[32] = { 7 }, pub[64];
	size_t pub_len;
	struct ini x;

	start(&(struct opts){ .child_lifetime = "20s" });
	establish(&x, 7);
	await_child_rekey(&x, &r);
	assert_int_equal(sgw_ike_dh_new(SGW_IKE_DH_CURVE25519, &dh), 0);
	assert_int_equal(sgw_ike_dh_public(dh, pub, sizeof(pub), &pub_len), 0);
	sgw_ike_dh_free(dh);
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	ike_prop(&sa, 0x5555555555555555ull, x25519, 1);
	sgw_ike_enc_sa(&b, &sa);
	{
		const struct sgw_ike_nonce_pld nn = { .len = sizeof(ni), .data = ni };
		const struct sgw_ike_ke_pld k = { .group = IKEV2_DH_CURVE25519,
						  .len = (uint16_t)pub_len, .data = pub };

		sgw_ike_enc_nonce(&b, &nn);
		sgw_ike_enc_ke(&b, &k);
	}
	request(&x, IKEV2_EXCH_CREATE_CHILD_SA, &b, &m, plain);
	assert_int_equal(n_sas(), 2);
	/* Now our refusal of its child rekey, on the old SA. */
	sgw_ike_buf_init(&b, buf, sizeof(buf));
	enc_notify(&b, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	respond(&x, IKEV2_EXCH_CREATE_CHILD_SA, 0, &b);
	/* Expected: the new IKE SA holds the old child, alive. */
	assert_int_equal(info_of(1)->n_children, 1);
	assert_int_equal(live_esp(), 2);
	ini_free(&x);
}

/*
 * BUG: a request that repeats the last answered message ID but has no
 * payload at all (a bare 28-byte header, nothing to authenticate) makes
 * protected_input() (ike_exch.c) read m->pld[m->n - 1] with m->n == 0:
 * pld[UINT_MAX], far outside struct sgw_ike_msg. Anyone who sees the SPIs
 * on the wire can send it.
 */
static void bug_retransmit_without_payload(void)
{
	struct ini x;
	uint8_t hdr[28];
	struct sgw_ike_buf b;

	start(&(struct opts){ 0 });
	establish(&x, 7);
	sgw_ike_buf_init(&b, hdr, sizeof(hdr));
	sgw_ike_enc_header(&b, &(struct sgw_ike_hdr){ .ispi = x.ispi, .rspi = x.rspi,
			   .exchange = IKEV2_EXCH_IKE_AUTH, .flags = IKEV2_FLAG_INITIATOR,
			   .msgid = 1 });
	assert_int_equal(sgw_ike_enc_finish(&b), 0);
	send_ini(&x, hdr, b.len);
	/* Expected: the cached IKE_AUTH response again, or nothing. */
	assert_true(n_new() <= 1);
	ini_free(&x);
}

/*
 * BUG: IDi is copied into sa->rid[256] (auth_request(), ike_exch.c) with
 * the length the peer gives, before anything is authenticated, and the
 * codec bounds an ID only by the payload length. An identity of 2000
 * bytes that matches "*@example.net" overruns struct ike_sa on the heap.
 */
static void bug_long_identity(void)
{
	static uint8_t buf[MAXMSG];
	static char id[2001];
	struct sgw_ike_buf b;
	struct sgw_ike_msg m;
	struct ini x;

	start(&(struct opts){ 0 });
	memset(id, 'a', 2000);
	memcpy(id + 2000 - strlen("@example.net"), "@example.net", strlen("@example.net"));
	ini_new(&x, 7);
	do_init(&x, NULL);
	build_auth(&x, &(struct auth_opt){ .id = id }, &b, buf, sizeof(buf));
	/* Expected: AUTHENTICATION_FAILED (no secret for it), no overrun. */
	request(&x, IKEV2_EXCH_IKE_AUTH, &b, &m, plain);
	assert_int_equal(n_sas(), 0);
	ini_free(&x);
}

/*
 * BUG: the same as bug_long_identity on the initiator's side: the
 * responder's IDr is copied into sa->rid[256] by auth_response()
 * (ike_exch.c) before the identity is matched or the AUTH checked.
 */
static void bug_long_responder_identity(void)
{
	static char id[2001];
	struct sgw_ike_msg m;
	struct ini x;

	start(&(struct opts){ 0 });
	memset(id, 'b', 2000);
	site_init(&x, &m);
	site_auth_response(&x, &m, id, 2000);
	/* Expected: refused, no overrun. */
	assert_int_equal(n_sas(), 0);
	ini_free(&x);
}

/*
 * BUG: the daemon's own IKE SA rekey (ike_rekey_start(), ike_exch.c)
 * makes its successor with ike_sa_new(), which counts it half-open, and
 * keeps only a pointer to it in sa->cx_ike. If the peer answers after
 * half_open_timeout (10 s here, while the request is still being
 * retransmitted), sgw_ike_tick() has killed and freed the successor, and
 * ike_rekey_response() reads n->state through the stale cx_ike.
 */
static void bug_late_ike_rekey_answer(void)
{
	struct their_ike_rekey r;
	struct ini x, y;

	start(&(struct opts){ .ike_lifetime = "20s" });
	establish(&x, 7);
	await_ike_rekey(&x, &r);
	advance(9000);
	advance(1000);
	advance(1000);            /* retransmitted twice meanwhile */
	answer_ike_rekey(&x, &r, 0x7777777777777777ull, &y);
	/* Expected: refused or taken, but no use of freed memory. */
	ini_free(&x);
	ini_free(&y);
}

/* A scenario that crashes the daemon, in a child process, so that the
 * tests after it still run: it passes when the child exits cleanly,
 * the daemon shut down (sgw_ike_fini) and everything handed back. */
static struct sigaction segv_before_cmocka;   /* ASan's, for its report */

static void isolated(void (*fn)(void), const char *what)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		in_child = true;
		sigaction(SIGSEGV, &segv_before_cmocka, NULL);
		fn();
		sgw_ike_fini();
		assert_int_equal(live_esp(), 0);
		assert_int_equal(H.spis_out, 0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("daemon bug: %s (child %s %d)", what,
			 WIFSIGNALED(st) ? "killed by signal" : "exit status",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void test_bug_retransmit_without_payload(void **state)
{
	(void)state;
	isolated(bug_retransmit_without_payload,
		 "header-only request with the last answered ID reads m->pld[-1]");
}

static void test_bug_long_identity(void **state)
{
	(void)state;
	isolated(bug_long_identity, "IDi longer than 256 bytes overruns sa->rid");
}

static void test_bug_long_responder_identity(void **state)
{
	(void)state;
	isolated(bug_long_responder_identity, "IDr longer than 256 bytes overruns sa->rid");
}

static void test_bug_late_ike_rekey_answer(void **state)
{
	(void)state;
	isolated(bug_late_ike_rekey_answer,
		 "answer to our IKE rekey after the half-open timeout: stale cx_ike");
}

static void test_bug_ike_rekey_during_own_child_rekey(void **state)
{
	(void)state;
	isolated(bug_ike_rekey_during_own_child_rekey,
		 "IKE rekey moves children, cx_child freed from the old SA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_handshake),
		T(test_nat_detected),
		T(test_cookie),
		T(test_cookie_threshold),
		T(test_invalid_ke),
		T(test_no_proposal),
		T(test_critical),
		T(test_major_version),
		T(test_retransmit),
		T(test_out_of_window),
		T(test_bad_icv),
		T(test_auth_failed),
		T(test_informational),
		T(test_delete_child),
		T(test_delete_ike),
		T(test_dpd),
		T(test_dpd_timeout),
		T(test_child_rekey),
		T(test_child_rekey_pfs),
		T(test_child_rekey_retire),
		T(test_ike_rekey),
		T(test_half_open_limit),
		T(test_half_open_timeout),
		T(test_half_open_released),
		T(test_fragments),
		T(test_no_fragments),
		T(test_own_child_rekey),
		T(test_own_child_rekey_refused),
		T(test_child_rekey_collision_daemon_loses),
		T(test_child_rekey_collision_peer_loses),
		T(test_child_rekey_collision_random),
		T(test_rekey_child_being_deleted),
		T(test_child_during_own_ike_rekey),
		T(test_host_failures),
		T(test_esp_events),
		T(test_own_ike_rekey),
		T(test_initiator),
		T(test_initiator_auth_failed),
		/* Last: these crash or corrupt memory until the daemon is fixed. */
		T(test_bug_retransmit_without_payload),
		T(test_bug_long_identity),
		T(test_bug_long_responder_identity),
		T(test_bug_ike_rekey_during_own_child_rekey),
		T(test_bug_late_ike_rekey_answer),
#undef T
	};

	sigaction(SIGSEGV, NULL, &segv_before_cmocka);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
