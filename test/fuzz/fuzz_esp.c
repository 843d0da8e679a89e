/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the inbound ESP path: a datagram from the network through
 * SA lookup, sgw_esp_decap() and, when that succeeds, validation of the
 * inner frame, in the order dataplane/worker.c's esp_in() runs them.
 *
 * Input: two control bytes, then bytes whose meaning depends on the mode.
 *   ctl bits 0-1  mode:
 *                 0 raw: ESP as received (SPI, sequence number, IV,
 *                   ciphertext, ICV); the SPI picks the SA, if any
 *                 1 raw, the SPI replaced by the chosen SA's
 *                 2 sealed: sequence number (4), IV (8), then the plaintext
 *                   with its trailer (pad bytes, pad length, next header),
 *                   sealed here with OpenSSL as the peer would. Decap
 *                   authenticates it, so the trailer and the strip code see
 *                   any bytes the fuzzer likes.
 *                 3 round trip: first outbound sequence number (8), then an
 *                   inner IP packet, protected by sgw_esp_encap() on the
 *                   chosen SA's outbound twin; it must come back unchanged
 *       bits 2-5  inbound SA (sa_defs[], modulo its size)
 *       bits 6-7  outer header: IPv4, IPv6, IPv4 + UDP, IPv6 + UDP
 *                 (round trip: the outbound SA decides)
 *   ext bits 0-2  deliveries after the first: the same packet with its
 *                 sequence number advanced by the step (round trip: the
 *                 same inner packet encapsulated again)
 *       bits 3-5  IPv4 options in the outer header, in 4-byte words
 *       bits 6-7  step: 0 (a replay), 1, 64, 2^31
 *
 * Besides the sanitizers: sealed and round-trip packets are checked against
 * a model of the replay window, the lifetimes and the trailer rules
 * (RFC 4303 2.4-2.6, 3.4.3), and any packet decap accepts must be exactly
 * the expected inner packet. Each packet sits in a heap buffer of exactly
 * its size attached to the mbuf, so ASan sees a read or write past either
 * end, which a pool mbuf's head- and tailroom would hide.
 *
 * The EAL (no hugepages, no PCI, lcore 0) and the SA table come up once.
 * An SA that accepted a packet is deleted and re-added before the next
 * input that uses it, so every input starts from the same state; with no
 * reader registered on the RCU variable, deleted records are reclaimed as
 * soon as the table's defer queue gets to them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "esp.h"
#include "pkt.h"
#include "replay.h"
#include "sa.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_esp: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond); \
			abort(); \
		} \
	} while (0)

enum { MODE_RAW, MODE_RAW_SPI, MODE_SEALED, MODE_ROUND_TRIP };

/* A worker's mbuf holds 2048 bytes of frame: longer inputs are cut. */
#define FRAME_MAX   2048
#define DGRAM_MAX   (FRAME_MAX - SGW_ETH_HLEN)
#define ESP_MAX     (DGRAM_MAX - 60 - 8)         /* IPv4 with options, UDP */
#define PT_MAX      (ESP_MAX - SGW_ESP_HLEN - SGW_IV_LEN - SGW_ICV_LEN)
#define INNER_MAX   (DGRAM_MAX - 48 - SGW_ESP_HLEN - SGW_IV_LEN - 3 - 2 - SGW_ICV_LEN)
#define ENCAP_HEAD  (48 + SGW_ESP_HLEN + SGW_IV_LEN)  /* outer IPv6 + UDP, ESP, IV */
#define ENCAP_TAIL  (3 + 2 + SGW_ICV_LEN)            /* worst padding, trailer, ICV */
#define DELIVER_MAX 8

/* The inbound SAs; each has an outbound twin with the same SPI, keys and
 * mode (for round trips), whose outer header is family/udp. */
static const struct sa_def {
	uint32_t spi;
	enum sgw_sa_mode mode;
	unsigned key_len;
	bool esn;
	unsigned window;             /* 0: no anti-replay (manual keys) */
	uint64_t top;                /* highest sequence number seen at start */
	uint64_t soft_packets, hard_packets;
	int family;
	bool udp;
} sa_defs[] = {
	{ 0x1000, SGW_SA_TUNNEL,    16, false, 64,   0, 0, 0, AF_INET, false },
	{ 0x1001, SGW_SA_TUNNEL,    32, true,  4096, 0, 0, 0, AF_INET6, true },
	{ 0x1002, SGW_SA_TRANSPORT, 16, true,  64,   0, 0, 0, AF_INET, true },
	{ 0x1003, SGW_SA_TRANSPORT, 32, false, 4096, 0, 0, 0, AF_INET6, false },
	/* ESN, the next 2^32 subspace close */
	{ 0x1004, SGW_SA_TUNNEL,    16, true,  64, 0xffffffe0, 0, 0, AF_INET, true },
	/* ESN, the window spanning two subspaces */
	{ 0x1005, SGW_SA_TUNNEL,    32, true,  4096, 0x100000010, 0, 0, AF_INET6, false },
	/* lifetime: soft after 2 packets, hard after 4 */
	{ 0x1006, SGW_SA_TRANSPORT, 16, false, 4096, 0, 2, 4, AF_INET, false },
	/* 32-bit sequence numbers close to running out */
	{ 0x1007, SGW_SA_TUNNEL,    32, false, 64, 0xffffff00, 0, 0, AF_INET, false },
	{ 0x1008, SGW_SA_TUNNEL,    16, true,  0, 0x100000000, 0, 0, AF_INET6, true },
	{ 0x1009, SGW_SA_TRANSPORT, 32, false, 0, 0, 0, 0, AF_INET, true },
};
#define N_SA RTE_DIM(sa_defs)
#define DECOY_SPI 0x2000             /* outbound only: inbound lookup must miss */

static const uint8_t OUR_MAC[6] = { 0x02, 0, 0, 0, 0x0c, 0x01 };
static const uint8_t PEER_MAC[6] = { 0x02, 0, 0, 0, 0x0c, 0x02 };
static const uint8_t V4_US[4] = { 192, 0, 2, 1 }, V4_PEER[4] = { 198, 51, 100, 1 };
static const uint8_t V6_US[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_PEER[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 2 };

static struct {
	bool up;
	struct rte_mempool *pool;    /* mbuf headers only: data is external */
	EVP_CIPHER_CTX *evp;
	uint32_t in_slot[N_SA], out_slot[N_SA];
	uint16_t ip_id;
	bool trace;                  /* FUZZ_ESP_TRACE set: a line per packet */
} g;

/* What one input expects of the SA it uses, as a model of the rules. */
struct model {
	const struct sa_def *d;
	uint64_t top, packets;
	bool soft, hard;
	uint64_t accepted[DELIVER_MAX];
	unsigned n_accepted;
};

/* What decap must do with one packet, when the harness knows. */
struct expect {
	unsigned verdict;
	unsigned events;
	const uint8_t *hdr;          /* transport: the outer IP header as rebuilt */
	unsigned hdr_len;
	const uint8_t *inner;        /* the inner packet (transport: after hdr) */
	unsigned inner_len;
	int family;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- set-up ---- */

static void sa_key(unsigned i, uint8_t *key, uint8_t *salt)
{
	for (unsigned k = 0; k < SGW_KEY_MAX; k++)
		key[k] = (uint8_t)(0x11 * (i + 1) + 7 * k);
	salt[0] = (uint8_t)(0xa0 + i);
	salt[1] = 0x5a;
	salt[2] = 0xc3;
	salt[3] = 0x3c;
}

static void sa_params(unsigned i, enum sgw_sa_dir dir, uint64_t out_seq,
		      struct sgw_sa_params *p)
{
	const struct sa_def *d = &sa_defs[i];
	struct sgw_sa_outer *o = &p->outer;

	memset(p, 0, sizeof(*p));
	p->spi = d->spi;
	p->dir = dir;
	p->mode = d->mode;
	p->key_len = d->key_len;
	sa_key(i, p->key, p->salt);
	p->esn = d->esn;
	if (dir == SGW_SA_IN) {
		p->replay_window = d->window;
		p->seq = d->top;
		p->soft_packets = d->soft_packets;
		p->hard_packets = d->hard_packets;
	} else {
		p->seq = out_seq;
	}
	o->family = d->family;
	memcpy(o->local, d->family == AF_INET ? V4_US : V6_US, d->family == AF_INET ? 4 : 16);
	memcpy(o->remote, d->family == AF_INET ? V4_PEER : V6_PEER,
	       d->family == AF_INET ? 4 : 16);
	o->udp_encap = d->udp;
	o->local_port = o->remote_port = d->udp ? SGW_NATT_PORT : 0;
}

static void sa_readd(unsigned i, enum sgw_sa_dir dir, uint64_t out_seq)
{
	uint32_t *slot = dir == SGW_SA_IN ? &g.in_slot[i] : &g.out_slot[i];
	struct sgw_sa_params p;

	if (*slot != SGW_SA_NONE)
		check(sgw_sa_del(*slot) == 0);
	sa_params(i, dir, out_seq, &p);
	check(sgw_sa_add(&p, slot) == 0);
}

static void setup(void)
{
	/* One fixed prefix: with --no-shconf parallel runs share nothing in
	 * it, and a per-PID name would leave a directory behind per run. */
	char *argv[] = { "fuzz_esp", "--no-huge", "--no-pci", "-m", "128", "--no-shconf",
			 "--file-prefix=fuzz_esp", "--no-telemetry", "--lcores=0",
			 "--log-level=error", NULL };
	struct rte_rcu_qsbr *rcu;
	struct sgw_sa_params p;

	if (g.up)
		return;
	check(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0);
	g.pool = rte_pktmbuf_pool_create("fuzz_esp", 63, 0, 0, 0, SOCKET_ID_ANY);
	check(g.pool);
	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	check(rcu && rte_rcu_qsbr_init(rcu, 1) == 0);
	check(sgw_sa_table_init(64, rcu) == 0);
	for (unsigned i = 0; i < N_SA; i++) {
		g.in_slot[i] = g.out_slot[i] = SGW_SA_NONE;
		sa_readd(i, SGW_SA_IN, 0);
		sa_readd(i, SGW_SA_OUT, 1);
	}
	sa_params(0, SGW_SA_OUT, 1, &p);
	p.spi = DECOY_SPI;
	check(sgw_sa_add(&p, NULL) == 0);
	g.evp = EVP_CIPHER_CTX_new();
	check(g.evp);
	g.trace = getenv("FUZZ_ESP_TRACE") != NULL;
	g.up = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

/* An inbound SA that accepted a packet has moved its window (and maybe its
 * lifetime): put it back as configured. */
static struct sgw_sa *sa_fresh(unsigned i)
{
	struct sgw_sa *sa = sgw_sa_at(g.in_slot[i]);

	if (__atomic_load_n(&sa->in.packets, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&sa->life.flags, __ATOMIC_RELAXED)) {
		sa_readd(i, SGW_SA_IN, 0);
		sa = sgw_sa_at(g.in_slot[i]);
	}
	return sa;
}

/* ---- packets ---- */

static void ext_free(void *addr, void *opaque)
{
	(void)opaque;
	free(addr);
}

/* An mbuf whose data is a heap buffer of exactly head + len + tail bytes,
 * data starting after head. */
static struct rte_mbuf *mbuf_exact(const uint8_t *data, unsigned len, unsigned head,
				   unsigned tail, struct rte_mbuf_ext_shared_info *sh)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g.pool);
	uint8_t *buf = malloc(head + len + tail);

	check(m && buf);
	sh->free_cb = ext_free;
	sh->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, buf, (rte_iova_t)(uintptr_t)buf,
				  (uint16_t)(head + len + tail), sh);
	m->data_off = (uint16_t)head;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	return m;
}

/* Outer IPv4 (with opt_words of options) or IPv6 header, optionally UDP to
 * port 4500, in front of esp, as the peer sends it; valid lengths and
 * checksum, as the worker's frame validation demands. */
static unsigned wrap(unsigned outer, unsigned opt_words, const uint8_t *esp,
		     unsigned esp_len, uint8_t *dg, unsigned *l3, unsigned *esp_off)
{
	const bool udp = outer & 2;
	const unsigned ul = udp ? sizeof(struct rte_udp_hdr) : 0;
	uint8_t proto = udp ? IPPROTO_UDP : IPPROTO_ESP;

	if (!(outer & 1)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)dg;

		*l3 = sizeof(*ip) + 4 * opt_words;
		memset(dg, 0, *l3);
		ip->version_ihl = (uint8_t)(0x40 | (*l3 / 4));
		ip->total_length = rte_cpu_to_be_16((uint16_t)(*l3 + ul + esp_len));
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		memcpy(&ip->src_addr, V4_PEER, 4);
		memcpy(&ip->dst_addr, V4_US, 4);
		for (unsigned k = sizeof(*ip); k < *l3; k++)  /* NOPs, then EOL */
			dg[k] = k + 1 < *l3 ? 1 : 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)dg;

		*l3 = sizeof(*ip);
		memset(dg, 0, *l3);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(ul + esp_len));
		ip->proto = proto;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, V6_PEER, 16);
		memcpy(ip->dst_addr, V6_US, 16);
	}
	if (udp) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(dg + *l3);

		u->src_port = u->dst_port = rte_cpu_to_be_16(SGW_NATT_PORT);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(ul + esp_len));
		u->dgram_cksum = 0;
	}
	*esp_off = *l3 + ul;
	memcpy(dg + *esp_off, esp, esp_len);
	return *esp_off + esp_len;
}

/* The transport-mode header decap must leave: the outer one carrying nh
 * and the new length, UDP gone. */
static void transport_hdr(const uint8_t *dg, unsigned l3, unsigned inner_len,
			  uint8_t nh, uint8_t *hdr)
{
	memcpy(hdr, dg, l3);
	if ((hdr[0] >> 4) == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)hdr;

		ip->next_proto_id = nh;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + inner_len));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)hdr;

		ip->proto = nh;
		ip->payload_len = rte_cpu_to_be_16((uint16_t)inner_len);
	}
}

static void check_output(const struct rte_mbuf *m, int fam, const struct expect *e)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	check(rte_pktmbuf_pkt_len(m) == e->hdr_len + e->inner_len);
	check(fam == e->family);
	if (e->hdr_len) {
		/* One's complement has two zeros: compare the IPv4 checksum
		 * by whether it verifies, not by its bits. */
		bool v4 = (p[0] >> 4) == 4;

		check(memcmp(p, e->hdr, v4 ? 10 : e->hdr_len) == 0);
		if (v4) {
			check(memcmp(p + 12, e->hdr + 12, e->hdr_len - 12) == 0);
			check(rte_raw_cksum(p, e->hdr_len) == 0xffff);
		}
	}
	check(memcmp(p + e->hdr_len, e->inner, e->inner_len) == 0);
}

/* The inner packet goes on as a received one would (worker.c esp_in:
 * sgw_pkt_parse_ip, an Ethernet header in front, trimmed to its IP length). */
static void inner_frame(struct rte_mbuf *m, int fam)
{
	struct sgw_pkt pk = sgw_pkt_parse_ip(rte_pktmbuf_mtod(m, const uint8_t *),
					     m->data_len, fam);
	uint8_t *eth;

	if (pk.cls != SGW_PKT_IP4 && pk.cls != SGW_PKT_IP6)
		return;
	check(pk.cls == (fam == AF_INET ? SGW_PKT_IP4 : SGW_PKT_IP6));
	eth = (uint8_t *)rte_pktmbuf_prepend(m, SGW_ETH_HLEN);
	check(eth);
	memcpy(eth, OUR_MAC, 6);
	memcpy(eth + 6, OUR_MAC, 6);
	eth[12] = fam == AF_INET ? 0x08 : 0x86;
	eth[13] = fam == AF_INET ? 0x00 : 0xdd;
	check(SGW_ETH_HLEN + (uint32_t)pk.l3_len <= m->pkt_len);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - SGW_ETH_HLEN - pk.l3_len));
}

/* One datagram (outer IP header at dg) through esp_in()'s steps. */
static void deliver(const uint8_t *dg, unsigned len, unsigned l3, unsigned esp_off,
		    const struct expect *e)
{
	static const uint8_t marker[4];
	struct rte_mbuf_ext_shared_info sh;
	uint8_t frame[FRAME_MAX];
	const unsigned esp_len = len - esp_off;
	unsigned why, ev = 0xdead;
	struct rte_mbuf *m;
	struct sgw_sa *sa;
	uint32_t spi_be;
	int fam = -1;

	/* In UDP, what is not ESP is not ours here (local_in(): NAT-T
	 * keepalive, IKE behind the non-ESP marker). */
	if (esp_off > l3 && ((esp_len == 1 && dg[esp_off] == 0xff) ||
			     (esp_len >= 4 && !memcmp(dg + esp_off, marker, 4)))) {
		check(!e);
		return;
	}
	if (esp_len < SGW_ESP_HLEN) {        /* esp_in() drops it unread */
		check(!e);
		return;
	}
	memcpy(frame, OUR_MAC, 6);
	memcpy(frame + 6, PEER_MAC, 6);
	frame[12] = (dg[0] >> 4) == 4 ? 0x08 : 0x86;
	frame[13] = (dg[0] >> 4) == 4 ? 0x00 : 0xdd;
	memcpy(frame + SGW_ETH_HLEN, dg, len);
	m = mbuf_exact(frame, SGW_ETH_HLEN + len, 0, 0, &sh);
	rte_pktmbuf_adj(m, SGW_ETH_HLEN);
	memcpy(&spi_be, dg + esp_off, 4);
	sa = sgw_sa_lookup_in(spi_be);
	if (!sa) {
		check(!e);
		rte_pktmbuf_free(m);
		return;
	}
	check(sa->h.dir == SGW_SA_IN && sa->h.spi_be == spi_be);
	why = sgw_esp_decap(sa, m, l3, esp_off, &fam, &ev);
	check(why <= SGW_DROP_MAX);
	check((ev & ~(SGW_ESP_EV_SOFT | SGW_ESP_EV_HARD)) == 0);
	check(m->nb_segs == 1 && m->pkt_len == m->data_len);
	check(m->data_off + m->data_len <= m->buf_len);
	if (g.trace)
		fprintf(stderr, "fuzz_esp: spi %#x seq %#x: %s events %u\n",
			rte_be_to_cpu_32(spi_be), get_be32(dg + esp_off + 4),
			why < SGW_DROP_MAX ? sgw_drop_names[why] : "ok", ev);
	if (e) {
		if (why != e->verdict || ev != e->events)
			fprintf(stderr, "fuzz_esp: verdict %s events %u, want %s events %u\n",
				why < SGW_DROP_MAX ? sgw_drop_names[why] : "ok", ev,
				e->verdict < SGW_DROP_MAX ? sgw_drop_names[e->verdict] : "ok",
				e->events);
		check(why == e->verdict && ev == e->events);
		if (why == SGW_DROP_MAX)
			check_output(m, fam, e);
	}
	if (why == SGW_DROP_MAX) {
		check(fam == AF_INET || fam == AF_INET6);
		inner_frame(m, fam);
	}
	rte_pktmbuf_free(m);
}

/* ---- the model ---- */

static void model_init(struct model *s, const struct sa_def *d)
{
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->top = d->top;
}

/* Replay window, lifetime and authentication for a packet the peer sealed
 * with sequence number seq: SGW_DROP_MAX when it is accepted (the trailer
 * decides the rest), else the drop. */
static unsigned model_accept(struct model *s, uint64_t seq, unsigned *events)
{
	const struct sa_def *d = s->d;
	uint64_t got = sgw_replay_infer(s->top, (uint32_t)seq,
					d->window ? d->window : SGW_REPLAY_MAX, d->esn);

	*events = 0;
	if (s->hard)
		return SGW_DROP_SA_EXPIRED;
	if (d->window) {
		if (got == 0 || (s->top >= d->window && got <= s->top - d->window))
			return SGW_DROP_ESP_TOO_OLD;
		for (unsigned k = 0; k < s->n_accepted; k++)
			if (s->accepted[k] == got)
				return SGW_DROP_ESP_REPLAYED;
	} else if (got == 0 && !d->esn) {
		return SGW_DROP_ESP_TOO_OLD;
	}
	if (got != seq)                      /* inferred the wrong high half */
		return SGW_DROP_ESP_ICV;
	if (s->n_accepted < DELIVER_MAX)
		s->accepted[s->n_accepted++] = seq;
	if (seq > s->top)
		s->top = seq;
	s->packets++;
	if (d->soft_packets && s->packets >= d->soft_packets && !s->soft) {
		s->soft = true;
		*events |= SGW_ESP_EV_SOFT;
	}
	if (d->hard_packets && s->packets >= d->hard_packets && !s->hard) {
		s->hard = true;
		*events |= SGW_ESP_EV_HARD;
	}
	return SGW_DROP_MAX;
}

/* RFC 4303 2.4-2.6 on an authentic plaintext of len >= 2 bytes. */
static unsigned model_trailer(enum sgw_sa_mode mode, const uint8_t *pt, unsigned len,
			      unsigned *inner_len)
{
	const unsigned pad = pt[len - 2], nh = pt[len - 1];

	if (pad + 2 > len)
		return SGW_DROP_ESP_PAD;
	for (unsigned i = 0; i < pad; i++)
		if (pt[len - 2 - pad + i] != i + 1)
			return SGW_DROP_ESP_PAD;
	if (nh == SGW_ESP_NH_DUMMY)
		return SGW_DROP_ESP_DUMMY;
	*inner_len = len - pad - 2;
	if (mode == SGW_SA_TRANSPORT)
		return *inner_len ? SGW_DROP_MAX : SGW_DROP_ESP_TRUNC;
	if (nh != SGW_ESP_NH_IPV4 && nh != SGW_ESP_NH_IPV6)
		return SGW_DROP_ESP_NEXT_HDR;
	return *inner_len ? SGW_DROP_MAX : SGW_DROP_ESP_TRUNC;
}

/* ---- modes ---- */

static void run_raw(unsigned i, bool own_spi, unsigned outer, unsigned opt_words,
		    unsigned n, uint32_t step, const uint8_t *d, unsigned len)
{
	uint8_t esp[ESP_MAX], dg[DGRAM_MAX];
	unsigned l3, off, dlen;

	len = RTE_MIN(len, (unsigned)ESP_MAX);
	memcpy(esp, d, len);
	if (own_spi && len >= 4)
		put_be32(esp, sa_defs[i].spi);
	for (unsigned k = 0; k < n; k++) {
		if (k && len >= SGW_ESP_HLEN)
			put_be32(esp + 4, get_be32(esp + 4) + step);
		dlen = wrap(outer, opt_words, esp, len, dg, &l3, &off);
		deliver(dg, dlen, l3, off, NULL);
	}
}

/* ESP from SPI to ICV, as the peer seals it (RFC 4106). */
static unsigned seal(unsigned i, uint64_t seq, const uint8_t *iv, const uint8_t *pt,
		     unsigned len, uint8_t *esp)
{
	const struct sa_def *d = &sa_defs[i];
	uint8_t key[SGW_KEY_MAX], nonce[12], aad[12];
	unsigned aad_len = d->esn ? 12 : 8;
	int n;

	sa_key(i, key, nonce);
	memcpy(nonce + SGW_SALT_LEN, iv, SGW_IV_LEN);
	put_be32(esp, d->spi);
	put_be32(esp + 4, (uint32_t)seq);
	memcpy(esp + SGW_ESP_HLEN, iv, SGW_IV_LEN);
	put_be32(aad, d->spi);
	if (d->esn) {
		put_be32(aad + 4, (uint32_t)(seq >> 32));
		put_be32(aad + 8, (uint32_t)seq);
	} else {
		put_be32(aad + 4, (uint32_t)seq);
	}
	check(EVP_EncryptInit_ex(g.evp, d->key_len == 16 ? EVP_aes_128_gcm() :
				 EVP_aes_256_gcm(), NULL, key, nonce) == 1);
	check(EVP_EncryptUpdate(g.evp, NULL, &n, aad, (int)aad_len) == 1);
	if (len)
		check(EVP_EncryptUpdate(g.evp, esp + 16, &n, pt, (int)len) == 1);
	check(EVP_EncryptFinal_ex(g.evp, esp + 16 + len, &n) == 1);
	check(EVP_CIPHER_CTX_ctrl(g.evp, EVP_CTRL_GCM_GET_TAG, SGW_ICV_LEN,
				  esp + 16 + len) == 1);
	return 16 + len + SGW_ICV_LEN;
}

static void run_sealed(unsigned i, unsigned outer, unsigned opt_words, unsigned n,
		       uint32_t step, const uint8_t *d, unsigned len)
{
	const struct sa_def *def = &sa_defs[i];
	uint8_t esp[ESP_MAX], dg[DGRAM_MAX], hdr[60];
	unsigned l3, off, dlen, esp_len;
	struct expect e;
	const uint8_t *iv, *pt;
	struct model s;
	uint32_t seql;

	if (len < 4 + SGW_IV_LEN)
		return;
	seql = get_be32(d);
	iv = d + 4;
	pt = d + 4 + SGW_IV_LEN;
	len = RTE_MIN(len - 4 - SGW_IV_LEN, (unsigned)PT_MAX);
	model_init(&s, def);
	for (unsigned k = 0; k < n; k++, seql += step) {
		/* The peer's number: the one the receiver will infer, so that
		 * it authenticates unless the window says otherwise. */
		uint64_t seq = sgw_replay_infer(s.top, seql, def->window ? def->window :
						SGW_REPLAY_MAX, def->esn);

		esp_len = seal(i, seq, iv, pt, len, esp);
		dlen = wrap(outer, opt_words, esp, esp_len, dg, &l3, &off);
		memset(&e, 0, sizeof(e));
		if (len < 2) {
			e.verdict = SGW_DROP_ESP_TRUNC;
		} else {
			e.verdict = model_accept(&s, seq, &e.events);
			if (e.verdict == SGW_DROP_MAX)
				e.verdict = model_trailer(def->mode, pt, len, &e.inner_len);
		}
		e.inner = pt;
		if (e.verdict == SGW_DROP_MAX && def->mode == SGW_SA_TRANSPORT) {
			transport_hdr(dg, l3, e.inner_len, pt[len - 1], hdr);
			e.hdr = hdr;
			e.hdr_len = l3;
			e.family = (dg[0] >> 4) == 4 ? AF_INET : AF_INET6;
		} else if (e.verdict == SGW_DROP_MAX) {
			e.family = pt[len - 1] == SGW_ESP_NH_IPV4 ? AF_INET : AF_INET6;
		}
		deliver(dg, dlen, l3, off, &e);
	}
}

/* The inner packet as the worker hands it to sgw_esp_encap(): a valid
 * IPv4 or IPv6 datagram, trimmed to its length; 0 when it is not one. */
static unsigned inner_ip(const uint8_t *d, unsigned len, uint8_t *ip)
{
	uint8_t frame[SGW_ETH_HLEN + INNER_MAX];
	struct sgw_pkt pk;

	len = RTE_MIN(len, (unsigned)INNER_MAX);
	if (!len)
		return 0;
	memcpy(frame, OUR_MAC, 6);
	memcpy(frame + 6, PEER_MAC, 6);
	frame[12] = (d[0] >> 4) == 4 ? 0x08 : 0x86;
	frame[13] = (d[0] >> 4) == 4 ? 0x00 : 0xdd;
	memcpy(frame + SGW_ETH_HLEN, d, len);
	pk = sgw_pkt_parse(frame, SGW_ETH_HLEN + len, OUR_MAC);
	if (pk.cls != SGW_PKT_IP4 && pk.cls != SGW_PKT_IP6)
		return 0;
	memcpy(ip, d, pk.l3_len);
	return pk.l3_len;
}

/* The outbound twin seals, the inbound SA opens: what comes out must be
 * what went in, for every sequence number the model accepts. */
static void run_round_trip(unsigned i, unsigned n, const uint8_t *d, unsigned len)
{
	const struct sa_def *def = &sa_defs[i];
	const uint64_t limit = def->esn ? UINT64_MAX : UINT32_MAX;
	struct rte_mbuf_ext_shared_info sh;
	uint8_t ip[INNER_MAX], hdr[60];
	struct sgw_sa *out;
	struct rte_mbuf *m;
	unsigned ip_len, why, ev, hl = 0, l3, esp_off;
	struct expect e;
	struct model s;
	uint64_t seq;
	bool used_up = false, told = false;

	if (len < 8)
		return;
	seq = (uint64_t)get_be32(d) << 32 | get_be32(d + 4);
	if (!def->esn)
		seq = (uint32_t)seq;
	seq = seq ? seq : 1;
	ip_len = inner_ip(d + 8, len - 8, ip);
	if (!ip_len)
		return;
	sa_readd(i, SGW_SA_OUT, seq);
	out = sgw_sa_at(g.out_slot[i]);
	model_init(&s, def);
	for (unsigned k = 0; k < n; k++) {
		m = mbuf_exact(ip, ip_len, ENCAP_HEAD, ENCAP_TAIL, &sh);
		why = sgw_esp_encap(out, __atomic_load_n(&out->h.outer, __ATOMIC_ACQUIRE),
				    m, &g.ip_id, &ev);
		if (used_up || seq > limit) {
			/* The event is raised once, by the first refusal. */
			check(why == SGW_DROP_SEQ_EXHAUSTED &&
			      ev == (told ? 0 : SGW_ESP_EV_SEQ_DONE));
			told = true;
			rte_pktmbuf_free(m);
			continue;
		}
		check(why == SGW_DROP_MAX && ev == 0);
		memset(&e, 0, sizeof(e));
		e.verdict = model_accept(&s, seq, &e.events);
		e.inner = ip;
		e.inner_len = ip_len;
		if (def->mode == SGW_SA_TRANSPORT) {
			/* The original header comes back; only its checksum
			 * may differ in form. */
			hl = (ip[0] >> 4) == 4 ? (ip[0] & 0xfu) * 4 : 40;
			memcpy(hdr, ip, hl);
			e.hdr = hdr;
			e.hdr_len = hl;
			e.inner = ip + hl;
			e.inner_len = ip_len - hl;
			e.family = (ip[0] >> 4) == 4 ? AF_INET : AF_INET6;
			l3 = hl;
			/* Upper protocol 59 ("no next header") becomes the
			 * trailer's next header, which marks a dummy packet
			 * (RFC 4303 2.6): any receiver drops it. */
			if (e.verdict == SGW_DROP_MAX &&
			    ip[(ip[0] >> 4) == 4 ? 9 : 6] == SGW_ESP_NH_DUMMY)
				e.verdict = SGW_DROP_ESP_DUMMY;
		} else {
			e.family = (ip[0] >> 4) == 4 ? AF_INET : AF_INET6;
			l3 = def->family == AF_INET ? 20 : 40;
		}
		esp_off = l3 + (def->udp ? 8 : 0);
		deliver(rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len, l3, esp_off, &e);
		rte_pktmbuf_free(m);
		if (seq == UINT64_MAX)
			used_up = true;
		seq++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t steps[4] = { 0, 1, 64, 1u << 31 };
	unsigned ctl, ext, mode, i, len;

	setup();
	if (size < 2)
		return 0;
	ctl = data[0];
	ext = data[1];
	mode = ctl & 3;
	i = ((ctl >> 2) & 15) % N_SA;
	len = (unsigned)RTE_MIN(size - 2, (size_t)FRAME_MAX);
	sa_fresh(i);
	switch (mode) {
	case MODE_RAW:
	case MODE_RAW_SPI:
		/* Any SA may take a raw packet: start them all afresh. */
		for (unsigned k = 0; k < N_SA; k++)
			sa_fresh(k);
		run_raw(i, mode == MODE_RAW_SPI, ctl >> 6, (ext >> 3) & 7, 1 + (ext & 7),
			steps[ext >> 6], data + 2, len);
		break;
	case MODE_SEALED:
		run_sealed(i, ctl >> 6, (ext >> 3) & 7, 1 + (ext & 7), steps[ext >> 6],
			   data + 2, len);
		break;
	default:
		run_round_trip(i, 1 + (ext & 7), data + 2, len);
		break;
	}
	return 0;
}
