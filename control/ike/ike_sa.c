/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE SA store: every IKE SA on one list and in a hash by our own SPI
 * (the only SPI we choose, so the only one that cannot collide), in hashes
 * by id and (responders) by the initiator's SPI and address, half-open
 * accounting for the denial-of-service limits (RFC 7296 2.6), and the
 * daemon's entry points. Nothing a datagram does walks all SAs: with tens
 * of thousands up, IKE_SA_INIT must cost what it costs with one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "ike_int.h"

struct ike_globals ike;
void (*sgw_ike_log_hook)(int level, const char *msg);

const char *const sgw_ike_counter_names[SGW_IKE_C_MAX] = {
#define SGW_IKE_NAME(id, name) name,
	SGW_IKE_COUNTERS(SGW_IKE_NAME)
#undef SGW_IKE_NAME
};

const uint64_t *sgw_ike_counters(void)
{
	return ike.cnt;
}

void ike_log(int level, const struct ike_sa *sa, const char *fmt, ...)
{
	char msg[512];
	int n = 0;
	va_list ap;

	if (!sgw_ike_log_hook)
		return;
	/* What peers cause (info and debug) is rate-limited: a flood of bad
	 * messages must not become a flood of log lines. */
	if (level >= LOG_INFO && ike.host.now_ms) {
		static uint64_t second, lines, dropped;
		const uint64_t now = ike_now() / 1000;

		if (now != second) {
			if (dropped)
				sgw_ike_log_hook(LOG_NOTICE, "ike: log lines suppressed (rate limit)");
			second = now;
			lines = dropped = 0;
		}
		if (++lines > 50) {
			dropped++;
			return;
		}
	}
	if (sa)
		n = snprintf(msg, sizeof(msg), "ike %u%s%s: ", sa->id,
			     sa->peer ? " " : "", sa->peer ? sa->peer->name : "");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	sgw_ike_log_hook(level, msg);
}

static void crypto_log(void *arg, int level, const char *msg)
{
	(void)arg;
	ike_log(level, NULL, "crypto: %s", msg);
}

bool ike_addr_eq(const struct sgw_ike_addr *a, const struct sgw_ike_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

const char *ike_addr_str(const struct sgw_ike_addr *a, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(a->family, a->a, s, sizeof(s));
	snprintf(buf, n, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, a->port);
	return buf;
}

static unsigned hash_of(uint64_t spi)
{
	return (unsigned)((spi * 0x9e3779b97f4a7c15ull) >> 40) & ike.hash_mask;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* The peer chooses these keys (its SPI, its address; an IPv6 peer has a
 * /64 to pick from): the secret seed keeps it from filling one chain. */
static unsigned hash_addr(uint64_t spi, int family, const uint8_t *a)
{
	uint64_t w[2], h;

	memcpy(w, a, sizeof(w));
	h = mix(ike.hash_seed ^ spi);
	h = mix(h ^ w[0] ^ (uint64_t)(unsigned)family << 32);
	return (unsigned)mix(h ^ w[1]) & ike.hash_mask;
}

/* The address without the port, all 16 bytes, as the limits compare it. */
static bool same_host(int family, const uint8_t *a, const struct sgw_ike_addr *b)
{
	return family == b->family && !memcmp(a, b->a, 16);
}

static struct ike_src **src_slot(int family, const uint8_t *a)
{
	struct ike_src **pp = &ike.shash[hash_addr(0, family, a)];

	while (*pp && !((*pp)->family == family && !memcmp((*pp)->a, a, 16)))
		pp = &(*pp)->next;
	return pp;
}

/* One more half-open SA from a's address: its counter (NULL: no memory). */
static struct ike_src *src_get(const struct sgw_ike_addr *a)
{
	struct ike_src **pp = src_slot(a->family, a->a), *s = *pp;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->family = a->family;
		memcpy(s->a, a->a, 16);
		*pp = s;
	}
	s->n++;
	return s;
}

/* One fewer: addresses with none are forgotten, so that the table holds
 * at most as many as there are half-open SAs. */
static void src_put(struct ike_src *s)
{
	struct ike_src **pp;

	if (--s->n)
		return;
	pp = src_slot(s->family, s->a);
	*pp = s->next;
	free(s);
}

static void resp_file(struct ike_sa *sa)
{
	sa->rbucket = hash_addr(sa->ispi, sa->remote.family, sa->remote.a);
	sa->rnext = ike.rhash[sa->rbucket];
	ike.rhash[sa->rbucket] = sa;
	sa->rfiled = true;
}

static void resp_unfile(struct ike_sa *sa)
{
	struct ike_sa **pp;

	if (!sa->rfiled)
		return;
	for (pp = &ike.rhash[sa->rbucket]; *pp != sa; pp = &(*pp)->rnext)
		;
	*pp = sa->rnext;
	sa->rfiled = false;
}

/* A responder learns the initiator's SPI right after ike_sa_new. */
void ike_sa_set_ispi(struct ike_sa *sa, uint64_t ispi)
{
	resp_unfile(sa);
	sa->ispi = ispi;
	resp_file(sa);
}

/* An authenticated message moved its SA to another address (2.23): the
 * hashes by address follow. */
void ike_sa_moved(struct ike_sa *sa, const struct sgw_ike_addr *local,
		  const struct sgw_ike_addr *remote)
{
	sa->local = *local;
	sa->remote = *remote;
	if (sa->rfiled) {
		resp_unfile(sa);
		resp_file(sa);
	}
	if (sa->src && !same_host(sa->src->family, sa->src->a, &sa->remote)) {
		struct ike_src *s = src_get(&sa->remote);

		/* Without memory it counts where it came from until done. */
		if (s) {
			src_put(sa->src);
			sa->src = s;
		}
	}
}

struct ike_sa *ike_sa_new(bool initiator, const struct sgw_ike_addr *local,
			  const struct sgw_ike_addr *remote)
{
	struct ike_sa *sa;
	uint64_t spi;

	if (ike.n_sas >= ike.set.max_sas) {
		IKE_COUNT(TABLE_FULL);
		return NULL;
	}
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	do {
		if (sgw_ike_random(&spi, sizeof(spi))) {
			free(sa);
			return NULL;
		}
	} while (!spi || ike_sa_find(spi));
	sa->id = ++ike.next_id;
	sa->initiator = initiator;
	if (initiator)
		sa->ispi = spi;
	else
		sa->rspi = spi;
	sa->local = *local;
	sa->remote = *remote;
	sa->born_ms = sa->last_rx_ms = ike_now();
	sa->half_open_until_ms = sa->born_ms + ike.set.half_open_timeout_ms;
	if (sa->half_open_until_ms && !(sa->src = src_get(remote))) {
		free(sa);
		return NULL;
	}
	sa->prev = ike.last;           /* ike.all goes by id, oldest first */
	if (ike.last)
		ike.last->next = sa;
	else
		ike.all = sa;
	ike.last = sa;
	sa->hnext = ike.hash[hash_of(spi)];
	ike.hash[hash_of(spi)] = sa;
	sa->inext = ike.ihash[sa->id & ike.hash_mask];
	ike.ihash[sa->id & ike.hash_mask] = sa;
	ike.n_sas++;
	ike.n_half_open++;
	return sa;
}

struct ike_sa *ike_sa_find(uint64_t our_spi)
{
	for (struct ike_sa *sa = ike.hash[hash_of(our_spi)]; sa; sa = sa->hnext)
		if (ike_our_spi(sa) == our_spi && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

/* Newest first in a chain: of two with one id (after
 * 2^32 SAs) the newer one. */
static struct ike_sa *find_id(uint32_t id)
{
	for (struct ike_sa *sa = ike.ihash[id & ike.hash_mask]; sa; sa = sa->inext)
		if (sa->id == id && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_by_id(uint32_t id)
{
	return id ? find_id(id) : NULL;
}

struct ike_sa *ike_sa_find_responder(uint64_t ispi, const struct sgw_ike_addr *remote)
{
	struct ike_sa *best = NULL;

	/* Only responders are filed. Should two match (a peer's rekey may
	 * reuse an SPI), the newest. */
	for (struct ike_sa *sa = ike.rhash[hash_addr(ispi, remote->family, remote->a)]; sa;
	     sa = sa->rnext)
		if (sa->ispi == ispi && sa->state != IKE_S_DEAD &&
		    same_host(sa->remote.family, sa->remote.a, remote) &&
		    (!best || (int32_t)(sa->id - best->id) > 0))
			best = sa;
	return best;
}

unsigned ike_half_open_from(const struct sgw_ike_addr *remote)
{
	const struct ike_src *s = *src_slot(remote->family, remote->a);

	return s ? s->n : 0;
}

/* Dead SAs are never half-open: ike_sa_kill ends it too. */
static void half_open_done(struct ike_sa *sa)
{
	if (sa->half_open_until_ms) {
		sa->half_open_until_ms = 0;
		ike.n_half_open--;
		src_put(sa->src);
		sa->src = NULL;
	}
}

void ike_sa_established(struct ike_sa *sa)
{
	half_open_done(sa);
	sa->state = IKE_S_ESTABLISHED;
	IKE_COUNT(IKE_UP);
}

void ike_child_free(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child **pp;

	for (pp = &sa->children; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	if (c->h_in)
		ike.host.esp_del(ike.host.ctx, c->h_in);
	else if (c->spi_in)
		ike.host.spi_release(ike.host.ctx, c->spi_in);
	if (c->h_out)
		ike.host.esp_del(ike.host.ctx, c->h_out);
	if (c->h_in || c->h_out)
		IKE_COUNT(CHILD_DOWN);
	/* Whoever waited for this one to go waits no more. */
	for (struct ike_child *x = sa->children; x; x = x->next)
		if (x->replaces == c)
			x->replaces = NULL;
	if (sa->cx_child == c)
		sa->cx_child = NULL;
	if (sa->del_child == c)
		sa->del_child = NULL;
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* Everything goes at once: the SA is unlinked at the next reap, so that
 * callers up the stack may still look at it. */
void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	if (sa->state == IKE_S_DEAD)
		return;
	ike_log(LOG_INFO, sa, "deleted: %s", why);
	if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_DELETING)
		IKE_COUNT(IKE_DOWN);
	while (sa->children)
		ike_child_free(sa, sa->children);
	if (sa->vip_leased) {
		ike_pool_release(sa->vip_family == AF_INET ? sa->peer->pool4 : sa->peer->pool6,
				 sa->vip);
		sa->vip_leased = false;
	}
	half_open_done(sa);
	sa->state = IKE_S_DEAD;
	sa->dnext = ike.dead;
	ike.dead = sa;
}

static void sa_free(struct ike_sa *sa)
{
	struct ike_sa **pp;

	for (pp = &ike.hash[hash_of(ike_our_spi(sa))]; *pp && *pp != sa; pp = &(*pp)->hnext)
		;
	if (*pp)
		*pp = sa->hnext;
	for (pp = &ike.ihash[sa->id & ike.hash_mask]; *pp != sa; pp = &(*pp)->inext)
		;
	*pp = sa->inext;
	resp_unfile(sa);
	sgw_ike_dh_free(sa->dh);
	sgw_ike_dh_free(sa->cx_dh);
	sgw_ike_sk_free(sa->sk_rx);
	sgw_ike_sk_free(sa->sk_tx);
	sgw_ike_keys_clear(&sa->keys);
	free(sa->init_i);
	free(sa->init_r);
	ike_req_clear(&sa->req);
	ike_resp_clear(&sa->resp);
	ike_frags_clear(&sa->frags);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
	ike.n_sas--;
}

/* Only the dead are visited: a datagram that kills an SA (a bad key
 * exchange in IKE_SA_INIT, say) must not walk all of them either. */
void ike_sa_reap(void)
{
	while (ike.dead) {
		struct ike_sa *sa = ike.dead;

		ike.dead = sa->dnext;
		if (sa->prev)
			sa->prev->next = sa->next;
		else
			ike.all = sa->next;
		if (sa->next)
			sa->next->prev = sa->prev;
		else
			ike.last = sa->prev;
		sa_free(sa);
	}
}

/* ------------------------------------------------------------ entry points */

static void tables_free(void)
{
	free(ike.hash);
	free(ike.ihash);
	free(ike.rhash);
	free(ike.shash);
	free(ike.buf);
}

int sgw_ike_init(const struct sgw_conf *c, const struct sgw_ike_host *h)
{
	unsigned size = 64;

	int ret;

	memset(&ike, 0, sizeof(ike));
	ike.conf = c;
	ike.host = *h;
	sgw_ike_crypto_set_log(crypto_log, NULL);
	ret = ike_cfg_load(c);
	if (ret)
		return ret;
	while (size < ike.set.max_sas && size < (1u << 22))
		size <<= 1;
	/* Each as big as there may be SAs (or half-open addresses). */
	ike.hash = calloc(size, sizeof(*ike.hash));
	ike.ihash = calloc(size, sizeof(*ike.ihash));
	ike.rhash = calloc(size, sizeof(*ike.rhash));
	ike.shash = calloc(size, sizeof(*ike.shash));
	ike.buf = malloc(IKE_MSG_BUF);
	if (!ike.hash || !ike.ihash || !ike.rhash || !ike.shash || !ike.buf) {
		tables_free();
		return -ENOMEM;
	}
	ike.hash_mask = size - 1;
	if (sgw_ike_random(ike.cookie_secret, sizeof(ike.cookie_secret)) ||
	    sgw_ike_random(&ike.hash_seed, sizeof(ike.hash_seed))) {
		tables_free();
		return -EIO;
	}
	ike.cookie_secret_ms = ike_now();
	return 0;
}

void sgw_ike_fini(void)
{
	for (struct ike_sa *sa = ike.all; sa; sa = sa->next)
		ike_sa_kill(sa, "shutdown");
	ike_sa_reap();
	tables_free();     /* no SA half-open now: no counters either */
	ike_cfg_free();
	OPENSSL_cleanse(ike.cookie_secret, sizeof(ike.cookie_secret));
	memset(&ike, 0, sizeof(ike));
}

void sgw_ike_input(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		   const uint8_t *msg, size_t len)
{
	IKE_COUNT(RX);
	ike_exch_input(local, remote, msg, len);
	ike_sa_reap();
}

void sgw_ike_tick(void)
{
	const uint64_t now = ike_now();

	for (struct ike_sa *sa = ike.all; sa; sa = sa->next) {
		if (sa->state == IKE_S_DEAD)
			continue;
		if (sa->half_open_until_ms && now >= sa->half_open_until_ms) {
			ike_sa_kill(sa, "half-open timeout");
			continue;
		}
		ike_retransmit_tick(sa, now);
		if (sa->state != IKE_S_DEAD)
			ike_exch_timeout(sa);
	}
	ike_exch_keep_up();
	ike_sa_reap();
}

static const char *state_name(enum ike_state s)
{
	static const char *const n[] = { "CONNECTING", "HALF_OPEN", "AUTHENTICATING",
					 "ESTABLISHED", "DELETING", "DEAD" };

	return n[s];
}

/* DNs as strongSwan prints them: "C=CH, O=example, CN=gw". */
#define DN_FLAGS (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_UTF8_CONVERT | \
		  ASN1_STRFLGS_ESC_CTRL)

static void id_str(uint8_t type, const uint8_t *d, size_t len, char *out, size_t n)
{
	if (type == IKEV2_ID_IPV4_ADDR && len == 4)
		inet_ntop(AF_INET, d, out, (socklen_t)n);
	else if (type == IKEV2_ID_IPV6_ADDR && len == 16)
		inet_ntop(AF_INET6, d, out, (socklen_t)n);
	else if (type == IKEV2_ID_FQDN || type == IKEV2_ID_RFC822_ADDR) {
		size_t k = len < n - 1 ? len : n - 1;

		for (size_t i = 0; i < k; i++)
			out[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
		out[k] = 0;
	} else if (type == IKEV2_ID_DER_ASN1_DN) {
		const unsigned char *p = d;
		X509_NAME *dn = d2i_X509_NAME(NULL, &p, (long)len);
		BIO *b = dn ? BIO_new(BIO_s_mem()) : NULL;
		int k = 0;

		if (b && X509_NAME_print_ex(b, dn, 0, DN_FLAGS) >= 0)
			k = BIO_read(b, out, (int)n - 1);
		out[k > 0 ? k : 0] = 0;
		if (k <= 0)
			snprintf(out, n, "DN, %zu bytes", len);
		BIO_free(b);
		X509_NAME_free(dn);
	} else {
		snprintf(out, n, "type %u, %zu bytes", type, len);
	}
}

static void info_of(const struct ike_sa *sa, struct sgw_ike_sa_info *o)
{
	const uint64_t now = ike_now();
	const struct ike_child *c;
	unsigned k = 0;

	memset(o, 0, sizeof(*o));
	o->id = sa->id;
	if (sa->peer)
		snprintf(o->peer, sizeof(o->peer), "%s", sa->peer->name);
	snprintf(o->state, sizeof(o->state), "%s", state_name(sa->state));
	o->initiator = sa->initiator;
	o->ispi = sa->ispi;
	o->rspi = sa->rspi;
	o->local = sa->local;
	o->remote = sa->remote;
	id_str(sa->lid_type, sa->lid, sa->lid_len, o->local_id, sizeof(o->local_id));
	id_str(sa->rid_type, sa->rid, sa->rid_len, o->remote_id, sizeof(o->remote_id));
	if (sa->prop.encr)
		sgw_ike_choice_str(&sa->prop, o->algs, sizeof(o->algs));
	o->nat_local = sa->nat_local;
	o->nat_remote = sa->nat_remote;
	o->age_ms = now - sa->born_ms;
	o->rekey_in_ms = sa->rekey_ms > now ? sa->rekey_ms - now : 0;
	for (c = sa->children; c; c = c->next, k++) {
		if (k >= sizeof(o->child) / sizeof(o->child[0]))
			continue;
		snprintf(o->child[k].name, sizeof(o->child[k].name), "%s", c->name);
		o->child[k].spi_in = c->spi_in;
		o->child[k].spi_out = c->spi_out;
		sgw_ike_choice_str(&c->prop, o->child[k].algs, sizeof(o->child[k].algs));
		if (c->ts_local.n_ts)
			sgw_ike_ts_str(&c->ts_local.ts[0], o->child[k].ts_local,
				       sizeof(o->child[k].ts_local));
		if (c->ts_remote.n_ts)
			sgw_ike_ts_str(&c->ts_remote.ts[0], o->child[k].ts_remote,
				       sizeof(o->child[k].ts_remote));
		o->child[k].age_ms = now - c->born_ms;
		o->child[k].rekey_in_ms = c->rekey_ms > now ? c->rekey_ms - now : 0;
		if (sa->vip_leased) {
			o->child[k].vip_family = sa->vip_family;
			memcpy(o->child[k].vip, sa->vip, 16);
		}
	}
	o->n_children = k;
}

bool sgw_ike_sa_next(uint32_t *iter, struct sgw_ike_sa_info *out)
{
	const struct ike_sa *sa = *iter ? find_id(*iter) : NULL;

	/* By id (ike.all's order), so that an iteration survives SAs coming
	 * and going; from the last one's place when it is still there. */
	if (sa) {
		sa = sa->next;
	} else {
		for (sa = ike.all; sa && sa->id <= *iter; sa = sa->next)
			;
	}
	while (sa && sa->state == IKE_S_DEAD)
		sa = sa->next;
	if (!sa)
		return false;
	*iter = sa->id;
	info_of(sa, out);
	return true;
}

bool sgw_ike_sa_get(uint32_t id, struct sgw_ike_sa_info *out)
{
	const struct ike_sa *sa = find_id(id);

	if (sa)
		info_of(sa, out);
	return sa != NULL;
}
