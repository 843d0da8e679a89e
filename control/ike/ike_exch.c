/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exchanges (RFC 7296 1.2-1.5): IKE_SA_INIT and IKE_AUTH as responder,
 * INFORMATIONAL (Delete, liveness) both ways. Every received message is
 * validated by the codec before any field is used; every refusal is
 * answered with the notify the RFC names and counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_int.h"

#define NAT_HASH_LEN 20                  /* SHA-1, RFC 7296 2.23 */
#define COOKIE_LEN   (1 + 32)            /* version byte, SHA-256 */
#define COOKIE_ROTATE_MS (300 * 1000)

enum req_kind {
	REQ_NONE, REQ_INIT, REQ_AUTH, REQ_DPD, REQ_DELETE_IKE, REQ_DELETE_CHILD, REQ_REKEY_CHILD,
	REQ_REKEY_IKE,
};

#define RETIRE_MS (30 * 1000)         /* a rekeyed SA the peer never deletes */

#define RETRY_MS (30 * 1000)          /* initiate: true peers, after a failure */

/* The payloads of one message we care about, decoded. */
struct pl {
	bool has_sa, has_ke, has_nonce, has_idi, has_idr, has_auth, has_cp;
	bool has_tsi, has_tsr;
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_nonce_pld nonce;
	struct sgw_ike_id_pld idi, idr;
	const uint8_t *idi_body, *idr_body;
	uint16_t idi_len, idr_len;
	struct sgw_ike_auth_pld auth;
	struct sgw_ike_cp_pld cp;
	struct sgw_ike_ts_pld tsi, tsr;
	unsigned n_notify;
	struct sgw_ike_notify_pld notify[16];
	unsigned n_delete;
	struct sgw_ike_delete_pld del[8];
	unsigned n_cert;
	const uint8_t *cert[8];
	size_t cert_len[8];
	bool certreq;
};

static void auth_response(struct ike_sa *sa, const struct sgw_ike_msg *m);
static void enc_certreq(const struct ike_peer *pe, struct sgw_ike_buf *b);
static void enc_certreq_any(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
			    struct sgw_ike_buf *b);
static void child_rekey_response(struct ike_sa *sa, const struct sgw_ike_msg *m);
static void ike_rekey_response(struct ike_sa *sa, const struct sgw_ike_msg *m);

static uint8_t msgbuf[IKE_MSG_BUF];      /* an unprotected message being built */
static uint8_t inner[IKE_MSG_BUF];       /* the plaintext of one being protected */

/* ------------------------------------------------------------- decoding */

/* A payload that may appear once: the second one makes the message bad. */
static int once(bool *seen, int decoded)
{
	if (*seen)
		return -EINVAL;
	*seen = true;
	return decoded;
}

static int decode(const struct sgw_ike_msg *m, struct pl *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < m->n; i++) {
		const struct sgw_ike_pld *x = &m->pld[i];
		int r = 0;

		switch (x->type) {
		case IKEV2_PLD_SA:
			r = once(&p->has_sa, sgw_ike_dec_sa(x, &p->sa));
			break;
		case IKEV2_PLD_KE:
			r = once(&p->has_ke, sgw_ike_dec_ke(x, &p->ke));
			break;
		case IKEV2_PLD_NONCE:
			r = once(&p->has_nonce, sgw_ike_dec_nonce(x, &p->nonce));
			break;
		case IKEV2_PLD_IDI:
			r = once(&p->has_idi, sgw_ike_dec_id(x, &p->idi));
			if (!r && p->idi.len > IKE_ID_MAX)
				r = -E2BIG;     /* longer than any identity we keep */
			p->idi_body = x->body;
			p->idi_len = x->len;
			break;
		case IKEV2_PLD_IDR:
			r = once(&p->has_idr, sgw_ike_dec_id(x, &p->idr));
			if (!r && p->idr.len > IKE_ID_MAX)
				r = -E2BIG;
			p->idr_body = x->body;
			p->idr_len = x->len;
			break;
		case IKEV2_PLD_AUTH:
			r = once(&p->has_auth, sgw_ike_dec_auth(x, &p->auth));
			break;
		case IKEV2_PLD_CP:
			r = once(&p->has_cp, sgw_ike_dec_cp(x, &p->cp));
			break;
		case IKEV2_PLD_TSI:
			r = once(&p->has_tsi, sgw_ike_dec_ts(x, &p->tsi));
			break;
		case IKEV2_PLD_TSR:
			r = once(&p->has_tsr, sgw_ike_dec_ts(x, &p->tsr));
			break;
		case IKEV2_PLD_NOTIFY:
			if (p->n_notify == sizeof(p->notify) / sizeof(p->notify[0]))
				return -E2BIG;
			r = sgw_ike_dec_notify(x, &p->notify[p->n_notify++]);
			break;
		case IKEV2_PLD_DELETE:
			if (p->n_delete == sizeof(p->del) / sizeof(p->del[0]))
				return -E2BIG;
			r = sgw_ike_dec_delete(x, &p->del[p->n_delete++]);
			break;
		case IKEV2_PLD_CERT: {
			struct sgw_ike_cert_pld c;

			r = sgw_ike_dec_cert(x, &c);
			if (!r && c.encoding == IKEV2_CERT_X509_SIG && p->n_cert < 8) {
				p->cert[p->n_cert] = c.data;
				p->cert_len[p->n_cert++] = c.len;
			}
			break;
		}
		case IKEV2_PLD_CERTREQ:
			p->certreq = true;
			break;
		default:
			break;   /* Vendor ID, EAP, ...: not used */
		}
		if (r) {
			ike_log(LOG_INFO, NULL, "payload %u: %s", x->type, sgw_ike_why());
			return r;
		}
	}
	return 0;
}

static const struct sgw_ike_notify_pld *notify(const struct pl *p, uint16_t type)
{
	for (unsigned i = 0; i < p->n_notify; i++)
		if (p->notify[i].type == type)
			return &p->notify[i];
	return NULL;
}

/* ------------------------------------------------------------- encoding */

static void enc_notify(struct sgw_ike_buf *b, uint16_t type, const void *data, size_t len)
{
	const struct sgw_ike_notify_pld n = {
		.type = type, .data = data, .len = (uint16_t)len,
	};

	sgw_ike_enc_notify(b, &n);
}

/* An unprotected answer to an IKE_SA_INIT request that creates no state. */
static void init_refuse(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
			const struct sgw_ike_hdr *req, uint16_t type, const void *data,
			size_t len)
{
	const struct sgw_ike_hdr h = {
		.ispi = req->ispi, .exchange = IKEV2_EXCH_IKE_SA_INIT,
		.flags = IKEV2_FLAG_RESPONSE, .msgid = 0,
	};
	struct sgw_ike_buf b;

	sgw_ike_buf_init(&b, msgbuf, sizeof(msgbuf));
	sgw_ike_enc_header(&b, &h);
	enc_notify(&b, type, data, len);
	if (!sgw_ike_enc_finish(&b))
		ike_send_plain(local, remote, msgbuf, b.len);
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port). */
static void nat_hash(uint64_t ispi, uint64_t rspi, const struct sgw_ike_addr *a,
		     uint8_t out[NAT_HASH_LEN])
{
	uint8_t in[8 + 8 + 16 + 2];
	const size_t al = a->family == AF_INET ? 4 : 16;
	unsigned olen;

	be64(in, ispi);
	be64(in + 8, rspi);
	memcpy(in + 16, a->a, al);
	in[16 + al] = (uint8_t)(a->port >> 8);
	in[17 + al] = (uint8_t)a->port;
	EVP_Digest(in, 18 + al, out, &olen, EVP_sha1(), NULL);
}

/* NAT detection (2.23): what the peer saw of our address and of its own.
 * rspi is 0 in the IKE_SA_INIT request's hashes. */
static void nat_detect(struct ike_sa *sa, const struct pl *p, uint64_t rspi)
{
	uint8_t hash[NAT_HASH_LEN];

	for (unsigned i = 0; i < p->n_notify; i++) {
		const struct sgw_ike_notify_pld *n = &p->notify[i];

		if (n->len != NAT_HASH_LEN)
			continue;
		if (n->type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			nat_hash(sa->ispi, rspi, &sa->remote, hash);
			sa->nat_remote |= memcmp(hash, n->data, NAT_HASH_LEN) != 0;
		} else if (n->type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			nat_hash(sa->ispi, rspi, &sa->local, hash);
			sa->nat_local |= memcmp(hash, n->data, NAT_HASH_LEN) != 0;
		}
	}
}

/* RFC 7296 2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>). */
static void cookie_of(uint8_t version, const struct sgw_ike_nonce_pld *ni,
		      const struct sgw_ike_addr *remote, uint64_t ispi, uint8_t out[COOKIE_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t spi[8];
	unsigned olen;

	be64(spi, ispi);
	out[0] = version;
	if (!c) {
		memset(out + 1, 0, COOKIE_LEN - 1);
		return;
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, ni->data, ni->len);
	EVP_DigestUpdate(c, remote->a, remote->family == AF_INET ? 4 : 16);
	EVP_DigestUpdate(c, spi, 8);
	EVP_DigestUpdate(c, ike.cookie_secret, sizeof(ike.cookie_secret));
	EVP_DigestFinal_ex(c, out + 1, &olen);
	EVP_MD_CTX_free(c);
}

/* A request without a valid cookie while we are under load gets one. */
static bool cookie_ok(const struct pl *p, const struct sgw_ike_hdr *h,
		      const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote)
{
	const struct sgw_ike_notify_pld *n = notify(p, IKEV2_N_COOKIE);
	uint8_t want[COOKIE_LEN];

	if (ike.n_half_open < ike.set.cookie_threshold)
		return true;
	if (ike_now() - ike.cookie_secret_ms > COOKIE_ROTATE_MS) {
		sgw_ike_random(ike.cookie_secret, sizeof(ike.cookie_secret));
		ike.cookie_secret_ms = ike_now();
	}
	cookie_of(0, &p->nonce, remote, h->ispi, want);
	if (n && n->len == COOKIE_LEN && !CRYPTO_memcmp(n->data, want, COOKIE_LEN))
		return true;
	if (n)
		IKE_COUNT(COOKIE_BAD);
	IKE_COUNT(COOKIE_SENT);
	init_refuse(local, remote, h, IKEV2_N_COOKIE, want, COOKIE_LEN);
	return false;
}

/* ---------------------------------------------------------- peers, keys */

static bool addr_in(const struct ike_peer *pe, const struct sgw_ike_addr *remote,
		    const struct sgw_ike_addr *local)
{
	if (pe->has_local && (pe->local_family != local->family ||
			      memcmp(pe->local, local->a, local->family == AF_INET ? 4 : 16)))
		return false;
	return pe->remote_any || sgw_prefix_contains(&pe->remote, remote->a, remote->family);
}

static const struct ike_peer *peer_for_addr(const struct sgw_ike_addr *local,
					    const struct sgw_ike_addr *remote)
{
	for (unsigned i = 0; i < ike.n_peers; i++)
		if (addr_in(&ike.peers[i], remote, local))
			return &ike.peers[i];
	return NULL;
}

static struct sgw_ike_suite suite_of(const struct sgw_ike_choice *c)
{
	const struct sgw_ike_suite s = {
		.encr = c->encr, .key_bits = c->key_bits, .integ = c->integ, .prf = c->prf,
	};

	return s;
}

/* SKEYSEED and the seven keys; the SK contexts for each direction. */
static int ike_keys(struct ike_sa *sa, const uint8_t *g_ir, size_t glen,
		    const struct ike_sa *old)
{
	const struct sgw_ike_suite s = suite_of(&sa->prop);
	uint8_t seed[SGW_IKE_PRF_MAX], spi_i[8], spi_r[8];
	const struct sgw_ike_key *ai, *ar;
	int ret;

	be64(spi_i, sa->ispi);
	be64(spi_r, sa->rspi);
	/* A rekeyed IKE SA's seed comes from the old one's SK_d (2.18). */
	ret = old ? sgw_ike_skeyseed_rekey(old->prop.prf, &old->keys.d, g_ir, glen, sa->ni,
					   sa->ni_len, sa->nr, sa->nr_len, seed) :
		    sgw_ike_skeyseed(s.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, g_ir, glen, seed);
	if (!ret)
		ret = sgw_ike_derive_keys(&s, seed, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
					  spi_i, spi_r, &sa->keys);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (ret)
		return ret;
	ai = s.integ ? &sa->keys.ai : NULL;
	ar = s.integ ? &sa->keys.ar : NULL;
	ret = sgw_ike_sk_new(&s, sa->initiator ? &sa->keys.er : &sa->keys.ei,
			     sa->initiator ? ar : ai, &sa->sk_rx);
	if (!ret)
		ret = sgw_ike_sk_new(&s, sa->initiator ? &sa->keys.ei : &sa->keys.er,
				     sa->initiator ? ai : ar, &sa->sk_tx);
	return ret;
}

/* Which peer entry answers is known only at IKE_AUTH (by identity), so an
 * IKE proposal any entry the addresses allow accepts will do: the first
 * that accepts the initiator's KE group, else the first at all (then the
 * caller steers the initiator to its group). IKE_AUTH checks that the
 * entry the identity picks accepts it too. */
static const struct ike_peer *ike_choose_any(const struct sgw_ike_addr *local,
					     const struct sgw_ike_addr *remote,
					     const struct pl *p, struct sgw_ike_choice *c)
{
	const struct ike_peer *first = NULL;
	struct sgw_ike_choice fc;

	for (unsigned i = 0; i < ike.n_peers; i++) {
		const struct ike_peer *pe = &ike.peers[i];

		if (!addr_in(pe, remote, local) ||
		    sgw_ike_choose(&p->sa, IKEV2_PROTO_IKE, pe->ike, pe->n_ike, p->ke.group, 0, c))
			continue;
		if (c->dh == p->ke.group)
			return pe;
		if (!first) {
			first = pe;
			fc = *c;
		}
	}
	if (first)
		*c = fc;
	return first;
}

/* Does entry pe accept the IKE SA's proposal (chosen for another entry)? */
static bool ike_prop_ok(const struct ike_peer *pe, const struct sgw_ike_choice *c)
{
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_choice x;

	sgw_ike_choice_payload(c, 0, 0, &sa);
	return !sgw_ike_choose(&sa, IKEV2_PROTO_IKE, pe->ike, pe->n_ike, c->dh, 0, &x) &&
	       x.dh == c->dh;
}

/* ------------------------------------------------------ IKE_SA_INIT (R) */

static void init_request(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
			 const uint8_t *msg, size_t len, const struct sgw_ike_msg *m)
{
	const struct sgw_ike_hdr *h = &m->hdr;
	const struct ike_peer *pe;
	struct sgw_ike_choice c;
	struct sgw_ike_sa_pld reply;
	struct sgw_ike_buf b;
	struct ike_sa *sa;
	struct pl p;
	uint8_t pub[SGW_IKE_DH_MAX], g_ir[SGW_IKE_DH_MAX], hash[NAT_HASH_LEN];
	size_t pub_len, g_len;
	uint8_t crit, hbuf[2];
	int ret;

	sa = ike_sa_find_responder(h->ispi, remote);
	if (sa && sa->state == IKE_S_INIT_DONE) {
		/* Our response was lost: the same answer again (2.1). */
		IKE_COUNT(RETRANSMIT_REPLIED);
		ike_send_plain(&sa->local, &sa->remote, sa->init_r, sa->init_r_len);
		return;
	}
	if (sa) {
		/* A replay of an IKE_SA_INIT whose IKE SA is up (2.1: ignore). */
		IKE_COUNT(OUT_OF_WINDOW);
		return;
	}
	if (h->msgid != 0 || h->rspi != 0) {
		IKE_COUNT(MALFORMED);
		return;
	}
	crit = sgw_ike_msg_unknown_critical(m);
	if (crit) {
		IKE_COUNT(CRITICAL);
		init_refuse(local, remote, h, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &crit, 1);
		return;
	}
	if (decode(m, &p) || !p.has_sa || !p.has_ke || !p.has_nonce) {
		IKE_COUNT(MALFORMED);
		init_refuse(local, remote, h, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (!cookie_ok(&p, h, local, remote))
		return;
	if (ike_half_open_from(remote) >= ike.set.half_open_per_source) {
		IKE_COUNT(HALF_OPEN_LIMIT);
		return;
	}
	if (!peer_for_addr(local, remote)) {
		IKE_COUNT(NO_PEER);
		init_refuse(local, remote, h, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	pe = ike_choose_any(local, remote, &p, &c);
	if (!pe) {
		IKE_COUNT(NO_PROPOSAL);
		ike_log(LOG_INFO, NULL, "no acceptable IKE proposal for any peer entry");
		init_refuse(local, remote, h, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (c.dh != p.ke.group) {
		/* Steer the initiator to the group we prefer (2.7). */
		hbuf[0] = (uint8_t)(c.dh >> 8);
		hbuf[1] = (uint8_t)c.dh;
		IKE_COUNT(INVALID_KE);
		init_refuse(local, remote, h, IKEV2_N_INVALID_KE_PAYLOAD, hbuf, 2);
		return;
	}
	sa = ike_sa_new(false, local, remote);
	if (!sa)
		return;
	ike_sa_set_ispi(sa, h->ispi);
	sa->peer = pe;
	sa->prop = c;
	sa->state = IKE_S_INIT_DONE;
	sa->rx_mid = 1;
	sa->frag_ok = pe->fragmentation && notify(&p, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	memcpy(sa->ni, p.nonce.data, p.nonce.len);
	sa->ni_len = p.nonce.len;
	sa->nr_len = IKE_NONCE_LEN;
	ret = sgw_ike_random(sa->nr, sa->nr_len);
	if (!ret)
		ret = sgw_ike_dh_new(c.dh, &sa->dh);
	if (!ret)
		ret = sgw_ike_dh_public(sa->dh, pub, sizeof(pub), &pub_len);
	if (!ret && sgw_ike_dh_derive(sa->dh, p.ke.data, p.ke.len, g_ir, sizeof(g_ir), &g_len)) {
		IKE_COUNT(MALFORMED);
		ike_sa_kill(sa, "bad key exchange data");
		init_refuse(local, remote, h, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (!ret)
		ret = ike_keys(sa, g_ir, g_len, NULL);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (ret) {
		ike_sa_kill(sa, "key derivation failed");
		return;
	}
	nat_detect(sa, &p, 0);
	{
		const struct sgw_ike_hdr rh = {
			.ispi = sa->ispi, .rspi = sa->rspi, .exchange = IKEV2_EXCH_IKE_SA_INIT,
			.flags = IKEV2_FLAG_RESPONSE, .msgid = 0,
		};
		const struct sgw_ike_ke_pld ke = { .group = c.dh, .len = (uint16_t)pub_len,
						   .data = pub };
		const struct sgw_ike_nonce_pld nr = { .len = (uint16_t)sa->nr_len, .data = sa->nr };
		static const uint8_t hashes[] = { 0, IKEV2_HASH_SHA2_256, 0, IKEV2_HASH_SHA2_384,
						  0, IKEV2_HASH_SHA2_512 };

		sgw_ike_choice_payload(&c, 0, 0, &reply);
		sgw_ike_buf_init(&b, msgbuf, sizeof(msgbuf));
		sgw_ike_enc_header(&b, &rh);
		sgw_ike_enc_sa(&b, &reply);
		sgw_ike_enc_ke(&b, &ke);
		sgw_ike_enc_nonce(&b, &nr);
		/* With encap: force, claim a NAT so the peer moves to UDP/4500. */
		if (pe->force_encap)
			memset(hash, 0, sizeof(hash));
		else
			nat_hash(sa->ispi, sa->rspi, local, hash);
		enc_notify(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, NAT_HASH_LEN);
		nat_hash(sa->ispi, sa->rspi, remote, hash);
		enc_notify(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, NAT_HASH_LEN);
		enc_certreq_any(local, remote, &b);
		if (sa->frag_ok)
			enc_notify(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
		enc_notify(&b, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, hashes, sizeof(hashes));
		if (sgw_ike_enc_finish(&b)) {
			ike_sa_kill(sa, "cannot build IKE_SA_INIT response");
			return;
		}
	}
	sa->init_i = malloc(len);
	sa->init_r = malloc(b.len);
	if (!sa->init_i || !sa->init_r) {
		ike_sa_kill(sa, "out of memory");
		return;
	}
	memcpy(sa->init_i, msg, len);
	sa->init_i_len = len;
	memcpy(sa->init_r, msgbuf, b.len);
	sa->init_r_len = b.len;
	ike_send_plain(local, remote, msgbuf, b.len);
}

/* --------------------------------------------------------- IKE_AUTH (R) */

/* <SignedOctets> of one side (2.15), malloc'd. ours: our AUTH, else the
 * peer's; idb is that side's ID payload body. */
static int octets(const struct ike_sa *sa, bool ours, const uint8_t *idb, size_t idlen,
		  uint8_t **out, size_t *olen)
{
	const bool from_i = ours == sa->initiator;   /* whose AUTH this is */
	const uint8_t *first = from_i ? sa->init_i : sa->init_r;
	const size_t flen = from_i ? sa->init_i_len : sa->init_r_len;
	const size_t need = flen + IKEV2_NONCE_MAX + SGW_IKE_PRF_MAX;
	int ret;

	*out = malloc(need);
	if (!*out)
		return -ENOMEM;
	ret = sgw_ike_signed_octets(first, flen, from_i ? sa->nr : sa->ni,
				    from_i ? sa->nr_len : sa->ni_len, sa->prop.prf,
				    from_i ? &sa->keys.pi : &sa->keys.pr, idb, idlen,
				    *out, need, olen);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* prf(prf(psk, "Key Pad for IKEv2"), octets): ours, or the one we expect. */
static int psk_auth(const struct ike_sa *sa, bool ours, const uint8_t *psk, size_t psklen,
		    const uint8_t *idb, size_t idlen, uint8_t *out)
{
	uint8_t *o;
	size_t olen;
	int ret = octets(sa, ours, idb, idlen, &o, &olen);

	if (!ret)
		ret = sgw_ike_auth_psk(sa->prop.prf, psk, psklen, o, olen, out);
	free(o);
	return ret;
}

/* The peer's AUTH against its identity: PSK, or a certificate chain to
 * one of our anchors that names the identity and a signature (RFC 7427)
 * with its key. 0, or -EACCES with the reason logged. */
static int auth_check(struct ike_sa *sa, const struct pl *p, const struct sgw_ike_id_pld *id,
		      const uint8_t *id_body, size_t id_len)
{
	const struct ike_peer *pe = sa->peer;
	const size_t prf_len = sgw_ike_prf_len(sa->prop.prf);
	uint8_t want[SGW_IKE_PRF_MAX], *o = NULL;
	EVP_PKEY *pub = NULL;
	const uint8_t *psk;
	size_t psklen, olen;
	int ret = -EACCES;

	if (p->auth.method == IKEV2_AUTH_SHARED_KEY_MIC && pe->remote_auth == IKE_AUTH_PSK) {
		psk = ike_cfg_psk(id->type, id->data, id->len, &psklen);
		if (!psk)
			ike_log(LOG_INFO, sa, "no shared secret for the peer's identity");
		else if (p->auth.len != prf_len ||
			 psk_auth(sa, false, psk, psklen, id_body, id_len, want) ||
			 CRYPTO_memcmp(want, p->auth.data, prf_len))
			ike_log(LOG_INFO, sa, "the peer's AUTH does not verify with the shared secret");
		else
			ret = 0;
		OPENSSL_cleanse(want, sizeof(want));
		return ret;
	}
	if (p->auth.method != IKEV2_AUTH_DIGITAL_SIGNATURE || pe->remote_auth != IKE_AUTH_PUBKEY) {
		ike_log(LOG_INFO, sa, "AUTH method %u is not what peer %s allows", p->auth.method,
			pe->name);
		return -EACCES;
	}
	if (ike_cert_verify(&pe->creds, p->cert, p->cert_len, p->n_cert, id->type, id->data,
			    id->len, &pub))
		return -EACCES;
	if (octets(sa, false, id_body, id_len, &o, &olen) ||
	    sgw_ike_sig_verify(pub, p->auth.data, p->auth.len, o, olen, NULL))
		ike_log(LOG_INFO, sa, "the peer's signature does not verify");
	else
		ret = 0;
	free(o);
	EVP_PKEY_free(pub);
	return ret;
}

/* Our identity: configured, else our certificate's subject (pubkey) or
 * our address (psk), as strongSwan does. */
static int our_id(struct ike_sa *sa)
{
	const struct ike_peer *pe = sa->peer;

	if (!pe->lid.any) {
		sa->lid_type = pe->lid.type;
		sa->lid_len = pe->lid.len;
		memcpy(sa->lid, pe->lid.data, pe->lid.len);
	} else if (pe->auth == IKE_AUTH_PUBKEY && pe->creds.cert) {
		sa->lid_type = IKEV2_ID_DER_ASN1_DN;
		return ike_cert_subject(&pe->creds, sa->lid, sizeof(sa->lid), &sa->lid_len);
	} else {
		sa->lid_type = sa->local.family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
		sa->lid_len = sa->local.family == AF_INET ? 4 : 16;
		memcpy(sa->lid, sa->local.a, sa->lid_len);
	}
	return 0;
}

static void enc_our_id(struct ike_sa *sa, struct sgw_ike_buf *b, uint8_t type)
{
	const struct sgw_ike_id_pld id = { .type = sa->lid_type, .len = (uint16_t)sa->lid_len,
					   .data = sa->lid };

	sgw_ike_enc_id(b, type, &id);
}

static void enc_certreq(const struct ike_peer *pe, struct sgw_ike_buf *b)
{
	const struct sgw_ike_cert_pld c = {
		.encoding = IKEV2_CERT_X509_SIG, .len = (uint16_t)(20 * pe->creds.n_ca),
		.data = pe->creds.ca_hash[0],
	};

	if (pe->remote_auth == IKE_AUTH_PUBKEY && pe->creds.n_ca)
		sgw_ike_enc_cert(b, IKEV2_PLD_CERTREQ, &c);
}

/* Responder: which peer entry applies is known only at IKE_AUTH, so the
 * CERTREQ names the anchors of every entry the addresses allow. */
static void enc_certreq_any(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
			    struct sgw_ike_buf *b)
{
	uint8_t h[IKE_MAX_CA * 4][20];
	unsigned n = 0;

	for (unsigned i = 0; i < ike.n_peers; i++) {
		const struct ike_peer *pe = &ike.peers[i];

		if (pe->remote_auth != IKE_AUTH_PUBKEY || !addr_in(pe, remote, local))
			continue;
		for (unsigned k = 0; k < pe->creds.n_ca && n < IKE_MAX_CA * 4; k++) {
			unsigned j;

			for (j = 0; j < n && memcmp(h[j], pe->creds.ca_hash[k], 20); j++)
				;
			if (j == n)
				memcpy(h[n++], pe->creds.ca_hash[k], 20);
		}
	}
	if (n) {
		const struct sgw_ike_cert_pld c = { .encoding = IKEV2_CERT_X509_SIG,
						    .len = (uint16_t)(20 * n), .data = h[0] };

		sgw_ike_enc_cert(b, IKEV2_PLD_CERTREQ, &c);
	}
}

/* Our CERT payloads (pubkey) and AUTH, after our ID payload in b. */
static int enc_our_auth(struct ike_sa *sa, struct sgw_ike_buf *b)
{
	const struct ike_peer *pe = sa->peer;
	uint8_t idb[4 + 255], sig[1024], *o = NULL;
	struct sgw_ike_auth_pld auth = { 0 };
	size_t olen, siglen;
	int ret;

	idb[0] = sa->lid_type;
	idb[1] = idb[2] = idb[3] = 0;
	memcpy(idb + 4, sa->lid, sa->lid_len);
	if (pe->auth == IKE_AUTH_PSK) {
		const uint8_t *psk;
		size_t psklen;

		psk = ike_cfg_psk(sa->lid_type, sa->lid, sa->lid_len, &psklen);
		if (!psk) {
			ike_log(LOG_ERR, sa, "no shared secret for our own identity");
			return -ENOKEY;
		}
		ret = psk_auth(sa, true, psk, psklen, idb, 4 + sa->lid_len, sig);
		auth.method = IKEV2_AUTH_SHARED_KEY_MIC;
		siglen = sgw_ike_prf_len(sa->prop.prf);
	} else {
		X509 *x = pe->creds.cert;

		for (int i = -1; i < sk_X509_num(pe->creds.chain); i++) {
			uint8_t *der = NULL;
			size_t dl;

			if (i >= 0)
				x = sk_X509_value(pe->creds.chain, i);
			if (ike_cert_der(x, &der, &dl) == 0) {
				const struct sgw_ike_cert_pld c = { .encoding = IKEV2_CERT_X509_SIG,
								    .len = (uint16_t)dl, .data = der };

				sgw_ike_enc_cert(b, IKEV2_PLD_CERT, &c);
			}
			OPENSSL_free(der);
		}
		ret = octets(sa, true, idb, 4 + sa->lid_len, &o, &olen);
		if (!ret)
			ret = sgw_ike_sig_sign(pe->creds.key, ike_cert_scheme(&pe->creds), o, olen,
					       sig, sizeof(sig), &siglen);
		free(o);
		auth.method = IKEV2_AUTH_DIGITAL_SIGNATURE;
	}
	if (ret)
		return ret;
	auth.len = (uint16_t)siglen;
	auth.data = sig;
	sgw_ike_enc_auth(b, &auth);
	OPENSSL_cleanse(sig, sizeof(sig));
	return b->err;
}

static void send_error(struct ike_sa *sa, uint8_t exch, uint32_t mid, uint16_t type)
{
	struct sgw_ike_buf b;

	sgw_ike_buf_init(&b, inner, sizeof(inner));
	enc_notify(&b, type, NULL, 0);
	ike_send_protected(sa, exch, true, mid, &b, REQ_NONE);
}

/* The peer entry the IDs pick among those the addresses allow. */
static const struct ike_peer *peer_for_ids(const struct ike_sa *sa, const struct pl *p)
{
	for (unsigned i = 0; i < ike.n_peers; i++) {
		const struct ike_peer *pe = &ike.peers[i];

		if (!addr_in(pe, &sa->remote, &sa->local))
			continue;
		if (!ike_id_match(&pe->rid, p->idi.type, p->idi.data, p->idi.len))
			continue;
		if (p->has_idr && !ike_id_match(&pe->lid, p->idr.type, p->idr.data, p->idr.len))
			continue;
		if (!ike_prop_ok(pe, &sa->prop))
			continue;
		return pe;
	}
	return NULL;
}

/* The virtual address for the peer, if it asked for one (CP REQUEST). */
static int cp_lease(struct ike_sa *sa, const struct pl *p, bool *asked)
{
	struct ike_pool *pool = NULL;

	*asked = false;
	if (!p->has_cp || p->cp.type != IKEV2_CFG_REQUEST)
		return 0;
	for (unsigned i = 0; i < p->cp.n_attr; i++) {
		if (p->cp.attr[i].type == IKEV2_CFG_INTERNAL_IP4_ADDRESS && sa->peer->pool4) {
			pool = sa->peer->pool4;
			break;
		}
		if (p->cp.attr[i].type == IKEV2_CFG_INTERNAL_IP6_ADDRESS && sa->peer->pool6)
			pool = sa->peer->pool6;
	}
	if (!pool)
		return 0;
	*asked = true;
	if (ike_pool_lease(pool, sa->rid, sa->rid_len, sa->vip))
		return -ENOSPC;
	sa->vip_family = pool->family;
	sa->vip_leased = true;
	return 0;
}

static void enc_cp_reply(struct sgw_ike_buf *b, const struct ike_sa *sa)
{
	const struct ike_pool *pool = sa->vip_family == AF_INET ? sa->peer->pool4 : sa->peer->pool6;
	struct sgw_ike_cp_pld cp = { .type = IKEV2_CFG_REPLY };
	uint8_t v6[17];

	if (sa->vip_family == AF_INET) {
		cp.attr[cp.n_attr++] = (struct sgw_ike_cp_attr){
			IKEV2_CFG_INTERNAL_IP4_ADDRESS, 4, sa->vip };
	} else {
		memcpy(v6, sa->vip, 16);
		v6[16] = 128;
		cp.attr[cp.n_attr++] = (struct sgw_ike_cp_attr){
			IKEV2_CFG_INTERNAL_IP6_ADDRESS, 17, v6 };
	}
	for (unsigned i = 0; i < pool->n_dns; i++)
		cp.attr[cp.n_attr++] = (struct sgw_ike_cp_attr){
			pool->dns[i].family == AF_INET ? IKEV2_CFG_INTERNAL_IP4_DNS :
							 IKEV2_CFG_INTERNAL_IP6_DNS,
			pool->dns[i].family == AF_INET ? 4 : 16, pool->dns[i].a };
	sgw_ike_enc_cp(b, &cp);
}

/* Our selectors for one side of a child: configured ranges, "dynamic" as
 * the given address. */
static unsigned cfg_ts(const struct ike_cfg_ts *in, unsigned n, int family,
		       const uint8_t *dyn, struct sgw_ike_ts_sel *out)
{
	for (unsigned i = 0; i < n; i++) {
		if (in[i].dynamic)
			sgw_ike_ts_prefix(&out[i], family, dyn, family == AF_INET ? 32 : 128,
					  0, 0, 65535);
		else
			out[i] = in[i].sel;
	}
	return n;
}

/* Picks the child config whose selectors the peer's narrow to something. */
static const struct ike_child_cfg *child_pick(const struct ike_sa *sa, const struct pl *p,
					      struct sgw_ike_ts_pld *tsi,
					      struct sgw_ike_ts_pld *tsr)
{
	struct sgw_ike_ts_sel ours[IKE_MAX_CFG_TS];
	const int rfam = sa->vip_leased ? sa->vip_family : sa->remote.family;
	const uint8_t *raddr = sa->vip_leased ? sa->vip : sa->remote.a;

	for (unsigned k = 0; k < sa->peer->n_children; k++) {
		const struct ike_child_cfg *cc = &sa->peer->child[k];
		unsigned n;

		n = cfg_ts(cc->remote, cc->n_remote, rfam, raddr, ours);
		if (sgw_ike_ts_narrow(&p->tsi, ours, n, tsi) == -ENOENT)
			continue;
		n = cfg_ts(cc->local, cc->n_local, sa->local.family, sa->local.a, ours);
		if (sgw_ike_ts_narrow(&p->tsr, ours, n, tsr) == -ENOENT)
			continue;
		return cc;
	}
	return NULL;
}

static void esp_fill(const struct ike_sa *sa, const struct ike_child *c, bool in,
		     const uint8_t *km, struct sgw_ike_esp *e)
{
	const unsigned kl = c->prop.key_bits / 8;

	memset(e, 0, sizeof(*e));
	/* Unique per generation: a rekeyed child's SAs live beside the old. */
	snprintf(e->name, sizeof(e->name), "ike%u.%.8s.%s%u", sa->id, c->name, in ? "i" : "o",
		 c->gen);
	e->spi = in ? c->spi_in : c->spi_out;
	e->inbound = in;
	e->transport = c->transport;
	e->esn = c->prop.esn;
	e->key_len = kl;
	memcpy(e->key, km, kl);
	memcpy(e->salt, km + kl, 4);
	e->local = sa->local;
	e->remote = sa->remote;
	e->udp_encap = sa->natt || sa->nat_local || sa->nat_remote || sa->peer->force_encap;
	if (sa->peer->child_bytes) {
		e->soft_bytes = sa->peer->child_bytes;
		e->hard_bytes = sa->peer->child_bytes + sa->peer->child_bytes / 10;
	}
	if (sa->peer->child_packets) {
		e->soft_packets = sa->peer->child_packets;
		e->hard_packets = sa->peer->child_packets + sa->peer->child_packets / 10;
	}
	e->ts_local = &c->ts_local;
	e->ts_remote = &c->ts_remote;
}

/* The child's KEYMAT (2.17) from the nonces of the exchange that made it,
 * initiator's first, and g^ir with PFS: SA keys of the initiator-to-
 * responder direction come first. we_i: we sent that exchange's request. */
static int child_keymat(struct ike_sa *sa, struct ike_child *c, bool we_i,
			const uint8_t *ni, size_t nil, const uint8_t *nr, size_t nrl,
			const uint8_t *g_ir, size_t glen)
{
	const unsigned kl = c->prop.key_bits / 8 + 4;
	uint8_t km[2 * (32 + 4)];
	int ret;

	ret = sgw_ike_child_keymat(sa->prop.prf, &sa->keys.d, g_ir, glen, ni, nil, nr, nrl,
				   km, 2 * kl);
	if (ret)
		return ret;
	c->gen = ++ike.child_gen;
	memcpy(c->km_in, we_i ? km + kl : km, kl);
	memcpy(c->km_out, we_i ? km : km + kl, kl);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

static int child_add(struct ike_sa *sa, struct ike_child *c, bool in, uint64_t before)
{
	struct sgw_ike_esp e;
	int ret;

	esp_fill(sa, c, in, in ? c->km_in : c->km_out, &e);
	e.before = before;
	ret = ike.host.esp_add(ike.host.ctx, &e, in ? &c->h_in : &c->h_out);
	OPENSSL_cleanse(&e, sizeof(e));
	OPENSSL_cleanse(in ? c->km_in : c->km_out, sizeof(c->km_in));
	if (ret)
		IKE_COUNT(CHILD_FAILED);
	else if (in)
		IKE_COUNT(CHILD_UP);
	return ret;
}

/* A new child of IKE_AUTH: both SAs, inbound first, so that nothing the
 * peer sends once it has the answer is lost. */
static int child_install(struct ike_sa *sa, struct ike_child *c)
{
	int ret = child_keymat(sa, c, sa->initiator, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
			       NULL, 0);

	if (!ret)
		ret = child_add(sa, c, true, 0);
	if (!ret)
		ret = child_add(sa, c, false, 0);
	return ret;
}

static uint64_t jitter(uint64_t ms)
{
	uint32_t r = 0;

	sgw_ike_random(&r, sizeof(r));
	return ms - (ms / 10) * (r % 1000) / 1000;     /* up to 10 % early */
}

static void auth_request(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	const uint32_t mid = m->hdr.msgid;
	const struct ike_peer *pe;
	const struct ike_child_cfg *cc;
	struct sgw_ike_ts_pld tsi, tsr;
	struct sgw_ike_choice ec;
	struct sgw_ike_sa_pld reply;
	struct sgw_ike_buf b;
	struct ike_child *c = NULL;
	uint16_t child_err = 0;
	bool asked_vip;
	struct pl p;

	if (decode(m, &p) || !p.has_idi || !p.has_auth) {
		IKE_COUNT(MALFORMED);
		send_error(sa, IKEV2_EXCH_IKE_AUTH, mid, IKEV2_N_INVALID_SYNTAX);
		ike_sa_kill(sa, "malformed IKE_AUTH");
		return;
	}
	pe = peer_for_ids(sa, &p);
	if (!pe) {
		IKE_COUNT(AUTH_FAILED);
		ike_log(LOG_INFO, sa, "no peer entry for the identity presented");
		send_error(sa, IKEV2_EXCH_IKE_AUTH, mid, IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_kill(sa, "authentication failed");
		return;
	}
	sa->peer = pe;
	sa->rid_type = p.idi.type;
	sa->rid_len = p.idi.len;
	memcpy(sa->rid, p.idi.data, p.idi.len);
	if (auth_check(sa, &p, &p.idi, p.idi_body, p.idi_len)) {
		IKE_COUNT(AUTH_FAILED);
		send_error(sa, IKEV2_EXCH_IKE_AUTH, mid, IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_kill(sa, "authentication failed");
		return;
	}
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	if (our_id(sa) || (enc_our_id(sa, &b, IKEV2_PLD_IDR), enc_our_auth(sa, &b))) {
		IKE_COUNT(AUTH_FAILED);
		ike_log(LOG_ERR, sa, "cannot authenticate ourselves");
		send_error(sa, IKEV2_EXCH_IKE_AUTH, mid, IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_kill(sa, "no credentials for our identity");
		return;
	}
	/* The peer is who it says: the IKE SA is up whatever becomes of the
	 * first Child SA (RFC 7296 1.2 allows answering without one). */
	ike_sa_established(sa);
	sa->rekey_ms = pe->ike_lifetime_ms ? ike_now() + jitter(pe->ike_lifetime_ms) : 0;
	if (cp_lease(sa, &p, &asked_vip)) {
		IKE_COUNT(NO_ADDRESS);
		child_err = IKEV2_N_INTERNAL_ADDRESS_FAILURE;
	} else if (!p.has_sa || !p.has_tsi || !p.has_tsr) {
		child_err = 0;   /* childless (RFC 6023): nothing to do */
	} else if (!(cc = child_pick(sa, &p, &tsi, &tsr))) {
		IKE_COUNT(TS_UNACCEPTABLE);
		child_err = IKEV2_N_TS_UNACCEPTABLE;
	} else if (sgw_ike_choose(&p.sa, IKEV2_PROTO_ESP, cc->esp, cc->n_esp, 0,
				  SGW_IKE_PROP_IGNORE_DH, &ec)) {
		IKE_COUNT(NO_PROPOSAL);
		child_err = IKEV2_N_NO_PROPOSAL_CHOSEN;
	} else if (cc->transport != (notify(&p, IKEV2_N_USE_TRANSPORT_MODE) != NULL)) {
		child_err = IKEV2_N_NO_PROPOSAL_CHOSEN;
	} else if (!(c = calloc(1, sizeof(*c)))) {
		child_err = IKEV2_N_TEMPORARY_FAILURE;
	} else {
		snprintf(c->name, sizeof(c->name), "%s", cc->name);
		c->cfg = cc;
		c->prop = ec;
		c->spi_out = (uint32_t)ec.spi;
		c->ts_local = tsr;
		c->ts_remote = tsi;
		c->transport = cc->transport;
		c->born_ms = ike_now();
		c->rekey_ms = pe->child_lifetime_ms ? c->born_ms + jitter(pe->child_lifetime_ms) : 0;
		if (ike.host.spi_alloc(ike.host.ctx, &c->spi_in) || child_install(sa, c)) {
			c->next = sa->children;
			sa->children = c;
			ike_child_free(sa, c);
			c = NULL;
			child_err = IKEV2_N_TEMPORARY_FAILURE;
		} else {
			c->next = sa->children;
			sa->children = c;
		}
	}
	if (sa->vip_leased)
		enc_cp_reply(&b, sa);
	if (c) {
		sgw_ike_choice_payload(&c->prop, c->spi_in, 4, &reply);
		if (c->transport)
			enc_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
		sgw_ike_enc_sa(&b, &reply);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &c->ts_remote);
		sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &c->ts_local);
	} else if (child_err) {
		enc_notify(&b, child_err, NULL, 0);
	}
	if (ike_send_protected(sa, IKEV2_EXCH_IKE_AUTH, true, mid, &b, REQ_NONE)) {
		ike_sa_kill(sa, "cannot send IKE_AUTH response");
		return;
	}
	{
		char ra[64];

		ike_log(LOG_INFO, sa, "established with %s%s", ike_addr_str(&sa->remote, ra, sizeof(ra)),
			c ? ", child SA installed" : "");
	}
}

/* -------------------------------------------------------- INFORMATIONAL */

static struct ike_child *child_by_out_spi(struct ike_sa *sa, uint32_t spi)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

/* ------------------------------------------------------ CREATE_CHILD_SA */

static struct ike_child *child_by_in_spi(struct ike_sa *sa, uint32_t spi)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

/* A new Diffie-Hellman exchange for a CREATE_CHILD_SA: our public value
 * in pub and g^ir from the peer's, for group. */
static int dh_once(uint16_t group, const struct sgw_ike_ke_pld *peer, struct sgw_ike_dh **dh,
		   uint8_t *pub, size_t *pub_len, uint8_t *g_ir, size_t *g_len)
{
	int ret = *dh ? 0 : sgw_ike_dh_new(group, dh);

	if (!ret && pub)
		ret = sgw_ike_dh_public(*dh, pub, SGW_IKE_DH_MAX, pub_len);
	if (!ret && peer)
		ret = sgw_ike_dh_derive(*dh, peer->data, peer->len, g_ir, SGW_IKE_DH_MAX, g_len);
	return ret;
}

/* A rekeyed IKE SA's successor n takes over everything but the keys
 * (RFC 7296 2.18): Child SAs, identities, NAT state, the virtual address. */
static void ike_takeover(struct ike_sa *n, struct ike_sa *sa)
{
	n->natt = sa->natt;
	n->nat_local = sa->nat_local;
	n->nat_remote = sa->nat_remote;
	n->frag_ok = sa->frag_ok;
	n->lid_type = sa->lid_type;
	n->lid_len = sa->lid_len;
	memcpy(n->lid, sa->lid, sa->lid_len);
	n->rid_type = sa->rid_type;
	n->rid_len = sa->rid_len;
	memcpy(n->rid, sa->rid, sa->rid_len);
	/* Our own child exchange on the old SA cannot finish on the new one:
	 * its half-made child goes, the child it would have deleted goes now
	 * (our Delete is out), and the old child is rekeyed again later. */
	if (sa->cx_child) {
		struct ike_child *c = sa->cx_child;

		if (c->replaces)
			c->replaces->rekey_retry_ms = ike_now() + 10 * 1000;
		sa->cx_child = NULL;
		ike_child_free(sa, c);
	}
	if (sa->del_child) {
		struct ike_child *c = sa->del_child;

		sa->del_child = NULL;
		ike_child_free(sa, c);
	}
	n->children = sa->children;
	sa->children = NULL;
	n->vip_leased = sa->vip_leased;
	n->vip_family = sa->vip_family;
	memcpy(n->vip, sa->vip, 16);
	sa->vip_leased = false;
	ike_sa_established(n);
	sa->superseded_ms = ike_now();
	n->rekey_ms = sa->peer->ike_lifetime_ms ? ike_now() + jitter(sa->peer->ike_lifetime_ms) : 0;
	sa->rekey_ms = 0;
	for (unsigned i = 0; i < ike.n_peers; i++)
		if (ike.peer_state[i].sa_id == sa->id)
			ike.peer_state[i].sa_id = n->id;
}

/* The peer rekeys the IKE SA (2.18): a new IKE SA takes over the
 * children; the old one goes when the peer deletes it. */
static void ike_rekey_request(struct ike_sa *sa, const struct pl *p, uint32_t mid)
{
	const struct ike_peer *pe = sa->peer;
	uint8_t pub[SGW_IKE_DH_MAX], g_ir[SGW_IKE_DH_MAX];
	size_t pub_len, g_len;
	struct sgw_ike_choice c;
	struct sgw_ike_sa_pld reply;
	struct sgw_ike_buf b;
	struct ike_sa *n;
	struct sgw_ike_dh *dh = NULL;
	int ret;

	if (!p->has_ke || sgw_ike_choose(&p->sa, IKEV2_PROTO_IKE, pe->ike, pe->n_ike,
					 p->ke.group, 0, &c) || !c.spi) {
		IKE_COUNT(NO_PROPOSAL);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (c.dh != p->ke.group) {
		uint8_t g[2] = { (uint8_t)(c.dh >> 8), (uint8_t)c.dh };
		struct sgw_ike_buf e;

		IKE_COUNT(INVALID_KE);
		sgw_ike_buf_init(&e, inner, sizeof(inner));
		enc_notify(&e, IKEV2_N_INVALID_KE_PAYLOAD, g, 2);
		ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, mid, &e, REQ_NONE);
		return;
	}
	n = ike_sa_new(false, &sa->local, &sa->remote);
	if (!n) {
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TEMPORARY_FAILURE);
		return;
	}
	ike_sa_set_ispi(n, c.spi);
	n->peer = pe;
	n->prop = c;
	memcpy(n->ni, p->nonce.data, p->nonce.len);
	n->ni_len = p->nonce.len;
	n->nr_len = IKE_NONCE_LEN;
	ret = sgw_ike_random(n->nr, n->nr_len);
	if (!ret)
		ret = dh_once(c.dh, &p->ke, &dh, pub, &pub_len, g_ir, &g_len);
	if (!ret)
		ret = ike_keys(n, g_ir, g_len, sa);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	sgw_ike_dh_free(dh);
	if (ret) {
		ike_sa_kill(n, "rekey failed");
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	ike_takeover(n, sa);
	sgw_ike_choice_payload(&c, n->rspi, 8, &reply);
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	sgw_ike_enc_sa(&b, &reply);
	{
		const struct sgw_ike_nonce_pld nr = { .len = (uint16_t)n->nr_len, .data = n->nr };
		const struct sgw_ike_ke_pld ke = { .group = c.dh, .len = (uint16_t)pub_len,
						   .data = pub };

		sgw_ike_enc_nonce(&b, &nr);
		sgw_ike_enc_ke(&b, &ke);
	}
	ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, mid, &b, REQ_NONE);
	ike_log(LOG_INFO, n, "rekeyed IKE SA %u", sa->id);
}

/* The peer rekeys a child (1.3.3) or asks for a new one (1.3.1). */
static void child_request(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	const uint32_t mid = m->hdr.msgid;
	const struct sgw_ike_notify_pld *rk;
	const struct ike_child_cfg *cc;
	struct ike_child *old = NULL, *c;
	struct sgw_ike_ts_pld tsi, tsr;
	struct sgw_ike_choice ec;
	struct sgw_ike_sa_pld reply;
	struct sgw_ike_buf b;
	struct sgw_ike_dh *dh = NULL;
	uint8_t nr[IKE_NONCE_LEN], pub[SGW_IKE_DH_MAX], g_ir[SGW_IKE_DH_MAX];
	size_t pub_len = 0, g_len = 0;
	struct pl p;
	int ret;

	if (decode(m, &p) || !p.has_sa || !p.has_nonce) {
		IKE_COUNT(MALFORMED);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_INVALID_SYNTAX);
		return;
	}
	/* RFC 7296 2.25: not while this IKE SA is being rekeyed by us or
	 * has been rekeyed away; the peer tries again later. */
	if (sa->cx_ike || sa->superseded_ms) {
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TEMPORARY_FAILURE);
		return;
	}
	if (p.sa.n_prop && p.sa.prop[0].proto == IKEV2_PROTO_IKE) {
		ike_rekey_request(sa, &p, mid);
		return;
	}
	if (!p.has_tsi || !p.has_tsr) {
		IKE_COUNT(MALFORMED);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_INVALID_SYNTAX);
		return;
	}
	rk = notify(&p, IKEV2_N_REKEY_SA);
	if (rk) {
		if (rk->proto != IKEV2_PROTO_ESP || rk->spi_size != 4 ||
		    (!(old = child_by_out_spi(sa, (uint32_t)rk->spi)) &&
		     !(old = child_by_in_spi(sa, (uint32_t)rk->spi)))) {
			send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_CHILD_SA_NOT_FOUND);
			return;
		}
		/* 2.25: an SA we are replacing or deleting is not rekeyed again. */
		if (old->rekeyed || sa->del_child == old) {
			send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TEMPORARY_FAILURE);
			return;
		}
	}
	if (old) {
		struct sgw_ike_ts_sel ours[IKE_MAX_CFG_TS];

		cc = old->cfg;
		memcpy(ours, old->ts_remote.ts, old->ts_remote.n_ts * sizeof(ours[0]));
		if (sgw_ike_ts_narrow(&p.tsi, ours, old->ts_remote.n_ts, &tsi) == -ENOENT ||
		    (memcpy(ours, old->ts_local.ts, old->ts_local.n_ts * sizeof(ours[0])),
		     sgw_ike_ts_narrow(&p.tsr, ours, old->ts_local.n_ts, &tsr) == -ENOENT))
			cc = NULL;
	} else {
		cc = child_pick(sa, &p, &tsi, &tsr);
	}
	if (!cc) {
		IKE_COUNT(TS_UNACCEPTABLE);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TS_UNACCEPTABLE);
		return;
	}
	if (sgw_ike_choose(&p.sa, IKEV2_PROTO_ESP, cc->esp, cc->n_esp,
			   p.has_ke ? p.ke.group : 0, 0, &ec)) {
		IKE_COUNT(NO_PROPOSAL);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (ec.dh && (!p.has_ke || p.ke.group != ec.dh)) {
		uint8_t g[2] = { (uint8_t)(ec.dh >> 8), (uint8_t)ec.dh };

		IKE_COUNT(INVALID_KE);
		sgw_ike_buf_init(&b, inner, sizeof(inner));
		enc_notify(&b, IKEV2_N_INVALID_KE_PAYLOAD, g, 2);
		ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, mid, &b, REQ_NONE);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TEMPORARY_FAILURE);
		return;
	}
	snprintf(c->name, sizeof(c->name), "%s", cc->name);
	c->cfg = cc;
	c->prop = ec;
	c->spi_out = (uint32_t)ec.spi;
	c->ts_local = tsr;
	c->ts_remote = tsi;
	c->transport = cc->transport;
	c->born_ms = ike_now();
	c->rekey_ms = sa->peer->child_lifetime_ms ? c->born_ms + jitter(sa->peer->child_lifetime_ms) : 0;
	c->next = sa->children;
	sa->children = c;
	ret = sgw_ike_random(nr, sizeof(nr));
	if (!ret && ec.dh)
		ret = dh_once(ec.dh, &p.ke, &dh, pub, &pub_len, g_ir, &g_len);
	if (!ret)
		ret = ike.host.spi_alloc(ike.host.ctx, &c->spi_in);
	if (!ret)
		ret = child_keymat(sa, c, false, p.nonce.data, p.nonce.len, nr, sizeof(nr),
				   ec.dh ? g_ir : NULL, g_len);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	sgw_ike_dh_free(dh);
	if (!ret)
		ret = child_add(sa, c, true, 0);
	if (!ret && old) {
		/* Outbound moves to the new SA once the peer deletes the old
		 * one: it may not have our answer (and the new inbound SA)
		 * before then. */
		c->out_pending = true;
		c->replaces = old;
		if (sa->cx_child && sa->cx_child->replaces == old) {
			/* Both ends rekey it at once (2.8.1): our answer to
			 * ours decides which new SA stays; keep the nonces. */
			c->collided = true;
			memcpy(c->x_ni, p.nonce.data, p.nonce.len);
			c->x_ni_len = p.nonce.len;
			memcpy(c->x_nr, nr, sizeof(nr));
		} else {
			old->rekeyed = true;
			old->rekeyed_ms = ike_now();
		}
	} else if (!ret) {
		ret = child_add(sa, c, false, 0);
	}
	if (ret) {
		ike_child_free(sa, c);
		send_error(sa, IKEV2_EXCH_CREATE_CHILD_SA, mid, IKEV2_N_TEMPORARY_FAILURE);
		return;
	}
	sgw_ike_choice_payload(&ec, c->spi_in, 4, &reply);
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	if (c->transport)
		enc_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
	sgw_ike_enc_sa(&b, &reply);
	{
		const struct sgw_ike_nonce_pld n = { .len = sizeof(nr), .data = nr };

		sgw_ike_enc_nonce(&b, &n);
	}
	if (ec.dh) {
		const struct sgw_ike_ke_pld ke = { .group = ec.dh, .len = (uint16_t)pub_len,
						   .data = pub };

		sgw_ike_enc_ke(&b, &ke);
	}
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &c->ts_remote);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &c->ts_local);
	ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, mid, &b, REQ_NONE);
	ike_log(LOG_INFO, sa, "child SA %s %s: in %08x out %08x", c->name,
		old ? "rekeyed" : "created", c->spi_in, c->spi_out);
}

/* The old SA of a peer's rekey goes: its successor sends from now on. */
static void child_retire(struct ike_sa *sa, struct ike_child *old)
{
	for (struct ike_child *x = sa->children; x; x = x->next)
		if (x->replaces == old && x->out_pending) {
			x->out_pending = false;
			x->replaces = NULL;
			if (child_add(sa, x, false, old->h_out))
				ike_log(LOG_ERR, sa, "child SA %s: outbound SA not installed", x->name);
		}
	ike_child_free(sa, old);
}

static void info_request(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	struct sgw_ike_delete_pld del = { .proto = IKEV2_PROTO_ESP, .spi_size = 4 };
	uint8_t spis[4 * 64];
	struct sgw_ike_buf b;
	bool ike_gone = false;
	struct pl p;

	if (decode(m, &p)) {
		IKE_COUNT(MALFORMED);
		send_error(sa, IKEV2_EXCH_INFORMATIONAL, m->hdr.msgid, IKEV2_N_INVALID_SYNTAX);
		return;
	}
	if (notify(&p, IKEV2_N_AUTHENTICATION_FAILED)) {
		/* The peer refused our AUTH after its own was accepted (2.21.2):
		 * the IKE SA and what it made go. */
		IKE_COUNT(AUTH_FAILED);
		ike_log(LOG_INFO, sa, "the peer refused our authentication");
		ike_gone = true;
	}
	for (unsigned i = 0; i < p.n_delete; i++) {
		const struct sgw_ike_delete_pld *d = &p.del[i];

		if (d->proto == IKEV2_PROTO_IKE) {
			ike_gone = true;
			continue;
		}
		if (d->proto != IKEV2_PROTO_ESP || d->spi_size != 4)
			continue;
		for (unsigned k = 0; k < d->n_spi; k++) {
			struct ike_child *c = child_by_out_spi(sa, sgw_ike_delete_spi(d, k));

			if (!c)
				continue;
			/* 1.4.1: answer with the SPIs of our half of each pair. */
			if (del.n_spi < 64) {
				uint32_t s = c->spi_in;

				spis[4 * del.n_spi] = (uint8_t)(s >> 24);
				spis[4 * del.n_spi + 1] = (uint8_t)(s >> 16);
				spis[4 * del.n_spi + 2] = (uint8_t)(s >> 8);
				spis[4 * del.n_spi + 3] = (uint8_t)s;
				del.n_spi++;
			}
			ike_log(LOG_INFO, sa, "child SA %s (in %08x, out %08x) deleted by the peer",
				c->name, c->spi_in, c->spi_out);
			child_retire(sa, c);
		}
	}
	del.spis = spis;
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	if (!ike_gone && del.n_spi)
		sgw_ike_enc_delete(&b, &del);
	ike_send_protected(sa, IKEV2_EXCH_INFORMATIONAL, true, m->hdr.msgid, &b, REQ_NONE);
	if (ike_gone)
		ike_sa_kill(sa, "deleted by the peer");
}

/* Our own INFORMATIONAL request: empty (liveness) or with Deletes. */
static int info_send(struct ike_sa *sa, const struct sgw_ike_delete_pld *d, int kind)
{
	struct sgw_ike_buf b;
	int ret;

	sgw_ike_buf_init(&b, inner, sizeof(inner));
	if (d)
		sgw_ike_enc_delete(&b, d);
	ret = ike_send_protected(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->tx_mid, &b, kind);
	return ret;
}

static void response(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	const int kind = sa->req.kind;

	ike_req_clear(&sa->req);
	sa->tx_mid++;
	if (kind == REQ_AUTH)
		auth_response(sa, m);
	else if (kind == REQ_REKEY_CHILD)
		child_rekey_response(sa, m);
	else if (kind == REQ_REKEY_IKE)
		ike_rekey_response(sa, m);
	else if (kind == REQ_DELETE_CHILD && sa->del_child)
		ike_child_free(sa, sa->del_child);
	else if (kind == REQ_DELETE_IKE)
		ike_sa_kill(sa, "deleted");
}


/* -------------------------------------------------------- initiator */

static bool offered_group(const struct ike_peer *pe, uint16_t g)
{
	for (unsigned i = 0; i < pe->n_ike; i++)
		for (unsigned k = 0; k < pe->ike[i].n_dh; k++)
			if (pe->ike[i].dh[k] == g)
				return true;
	return false;
}

/* Our IKE_SA_INIT request (again, with a cookie or another group). */
static int init_send(struct ike_sa *sa, uint16_t group, const uint8_t *cookie, size_t clen)
{
	const struct ike_peer *pe = sa->peer;
	const struct sgw_ike_hdr h = {
		.ispi = sa->ispi, .exchange = IKEV2_EXCH_IKE_SA_INIT,
		.flags = IKEV2_FLAG_INITIATOR, .msgid = 0,
	};
	static const uint8_t hashes[] = { 0, IKEV2_HASH_SHA2_256, 0, IKEV2_HASH_SHA2_384,
					  0, IKEV2_HASH_SHA2_512 };
	struct sgw_ike_sa_pld offers;
	struct sgw_ike_ke_pld ke = { .group = group };
	struct sgw_ike_nonce_pld ni = { .len = (uint16_t)sa->ni_len, .data = sa->ni };
	uint8_t pub[SGW_IKE_DH_MAX], hash[NAT_HASH_LEN];
	size_t pub_len;
	struct sgw_ike_buf b;
	int ret;

	sgw_ike_dh_free(sa->dh);
	sa->dh = NULL;
	ret = sgw_ike_dh_new(group, &sa->dh);
	if (!ret)
		ret = sgw_ike_dh_public(sa->dh, pub, sizeof(pub), &pub_len);
	if (!ret)
		ret = sgw_ike_offer_payload(pe->ike, pe->n_ike, IKEV2_PROTO_IKE, 0, 0, 0, &offers);
	if (ret)
		return ret;
	sa->dh_group = group;
	ke.len = (uint16_t)pub_len;
	ke.data = pub;
	sgw_ike_buf_init(&b, msgbuf, sizeof(msgbuf));
	sgw_ike_enc_header(&b, &h);
	if (cookie)
		enc_notify(&b, IKEV2_N_COOKIE, cookie, clen);   /* first (2.6) */
	sgw_ike_enc_sa(&b, &offers);
	sgw_ike_enc_ke(&b, &ke);
	sgw_ike_enc_nonce(&b, &ni);
	if (pe->force_encap)
		memset(hash, 0, sizeof(hash));
	else
		nat_hash(sa->ispi, 0, &sa->local, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, NAT_HASH_LEN);
	nat_hash(sa->ispi, 0, &sa->remote, hash);
	enc_notify(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, NAT_HASH_LEN);
	if (pe->fragmentation)
		enc_notify(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	enc_notify(&b, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, hashes, sizeof(hashes));
	if (sgw_ike_enc_finish(&b))
		return b.err;
	free(sa->init_i);
	sa->init_i = malloc(b.len);
	if (!sa->init_i)
		return -ENOMEM;
	memcpy(sa->init_i, msgbuf, b.len);
	sa->init_i_len = b.len;
	return ike_send_plain_request(sa, msgbuf, b.len, REQ_INIT);
}

static int initiate_peer(unsigned idx)
{
	const struct ike_peer *pe = &ike.peers[idx];
	struct sgw_ike_addr local = { .family = pe->remote.family, .port = SGW_IKE_PORT };
	struct sgw_ike_addr remote = { .family = pe->remote.family, .port = pe->remote_port };
	struct ike_sa *sa;
	int ret;

	if (pe->remote_any || pe->remote.len != (pe->remote.family == AF_INET ? 32 : 128) ||
	    !pe->n_ike || !pe->ike[0].n_dh)
		return -EINVAL;
	memcpy(remote.a, pe->remote.addr, 16);
	if (pe->has_local)
		memcpy(local.a, pe->local, 16);
	else if ((ret = ike.host.source(ike.host.ctx, remote.family, remote.a, local.a)))
		return ret;
	sa = ike_sa_new(true, &local, &remote);
	if (!sa)
		return -ENOSPC;
	sa->peer = pe;
	sa->state = IKE_S_INIT_SENT;
	sa->ni_len = IKE_NONCE_LEN;
	ret = sgw_ike_random(sa->ni, sa->ni_len);
	if (!ret)
		ret = init_send(sa, pe->ike[0].dh[0], NULL, 0);
	if (ret) {
		ike_sa_kill(sa, "cannot start");
		return ret;
	}
	ike.peer_state[idx].sa_id = sa->id;
	ike_log(LOG_INFO, sa, "initiating");
	return 0;
}

static int auth_send(struct ike_sa *sa)
{
	const struct ike_peer *pe = sa->peer;
	const struct ike_child_cfg *cc = pe->n_children ? &pe->child[0] : NULL;
	struct sgw_ike_sa_pld offers;
	struct sgw_ike_buf b;
	struct ike_child *c = NULL;
	int ret;

	ret = our_id(sa);
	if (ret)
		return ret;
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	enc_our_id(sa, &b, IKEV2_PLD_IDI);
	enc_certreq(pe, &b);
	if (!pe->rid.any && !pe->rid.suffix) {
		const struct sgw_ike_id_pld idr = { .type = pe->rid.type, .len = pe->rid.len,
						    .data = pe->rid.data };

		sgw_ike_enc_id(&b, IKEV2_PLD_IDR, &idr);
	}
	ret = enc_our_auth(sa, &b);
	if (ret)
		return ret;
	if (cc && (c = calloc(1, sizeof(*c)))) {
		struct sgw_ike_ts_sel sel[IKE_MAX_CFG_TS];
		unsigned n;

		snprintf(c->name, sizeof(c->name), "%s", cc->name);
		c->cfg = cc;
		c->transport = cc->transport;
		n = cfg_ts(cc->local, cc->n_local, sa->local.family, sa->local.a, sel);
		c->ts_local.n_ts = (uint8_t)n;
		memcpy(c->ts_local.ts, sel, n * sizeof(sel[0]));
		n = cfg_ts(cc->remote, cc->n_remote, sa->remote.family, sa->remote.a, sel);
		c->ts_remote.n_ts = (uint8_t)n;
		memcpy(c->ts_remote.ts, sel, n * sizeof(sel[0]));
		if (ike.host.spi_alloc(ike.host.ctx, &c->spi_in) ||
		    sgw_ike_offer_payload(cc->esp, cc->n_esp, IKEV2_PROTO_ESP, c->spi_in, 4,
					  SGW_IKE_PROP_IGNORE_DH, &offers)) {
			c->next = sa->children;
			sa->children = c;
			ike_child_free(sa, c);
			c = NULL;
		} else {
			c->next = sa->children;
			sa->children = c;
			if (c->transport)
				enc_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
			sgw_ike_enc_sa(&b, &offers);
			sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &c->ts_local);
			sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &c->ts_remote);
		}
	}
	sa->state = IKE_S_AUTH_SENT;
	return ike_send_protected(sa, IKEV2_EXCH_IKE_AUTH, false, sa->tx_mid, &b, REQ_AUTH);
}

/* The first error notify of a response, 0 if none. */
static uint16_t error_of(const struct pl *p)
{
	for (unsigned i = 0; i < p->n_notify; i++)
		if (p->notify[i].type <= IKEV2_N_ERROR_MAX)
			return p->notify[i].type;
	return 0;
}

static void init_response(struct ike_sa *sa, const uint8_t *msg, size_t len,
			  const struct sgw_ike_msg *m)
{
	const struct ike_peer *pe = sa->peer;
	const struct sgw_ike_notify_pld *n;
	uint8_t g_ir[SGW_IKE_DH_MAX];
	size_t g_len;
	uint16_t err;
	struct pl p;
	int ret;

	if (sa->state != IKE_S_INIT_SENT || m->hdr.msgid != 0 || !sa->req.active) {
		IKE_COUNT(OUT_OF_WINDOW);
		return;
	}
	if (decode(m, &p)) {
		IKE_COUNT(MALFORMED);
		return;           /* maybe forged: the real answer may still come */
	}
	n = notify(&p, IKEV2_N_COOKIE);
	if (n && n->len >= 1 && n->len <= 64) {
		if (init_send(sa, sa->dh_group, n->data, n->len))
			ike_sa_kill(sa, "cannot resend with the cookie");
		return;
	}
	n = notify(&p, IKEV2_N_INVALID_KE_PAYLOAD);
	if (n && n->len == 2) {
		uint16_t g = (uint16_t)(n->data[0] << 8 | n->data[1]);

		if (g != sa->dh_group && offered_group(pe, g) &&
		    !init_send(sa, g, NULL, 0))
			return;
		ike_sa_kill(sa, "peer wants a group we do not offer");
		return;
	}
	err = error_of(&p);
	if (err) {
		ike_log(LOG_INFO, sa, "IKE_SA_INIT refused with notify %u", err);
		ike_sa_kill(sa, "refused");
		return;
	}
	if (!p.has_sa || !p.has_ke || !p.has_nonce || !m->hdr.rspi ||
	    sgw_ike_accept_reply(&p.sa, IKEV2_PROTO_IKE, pe->ike, pe->n_ike, 0, &sa->prop) ||
	    sa->prop.dh != sa->dh_group || p.ke.group != sa->prop.dh) {
		IKE_COUNT(NO_PROPOSAL);
		ike_sa_kill(sa, "unacceptable IKE_SA_INIT response");
		return;
	}
	sa->rspi = m->hdr.rspi;
	memcpy(sa->nr, p.nonce.data, p.nonce.len);
	sa->nr_len = p.nonce.len;
	ret = sgw_ike_dh_derive(sa->dh, p.ke.data, p.ke.len, g_ir, sizeof(g_ir), &g_len);
	if (!ret)
		ret = ike_keys(sa, g_ir, g_len, NULL);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (ret) {
		ike_sa_kill(sa, "key exchange failed");
		return;
	}
	nat_detect(sa, &p, sa->rspi);
	sa->frag_ok = pe->fragmentation && notify(&p, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	sa->init_r = malloc(len);
	if (!sa->init_r) {
		ike_sa_kill(sa, "out of memory");
		return;
	}
	memcpy(sa->init_r, msg, len);
	sa->init_r_len = len;
	ike_req_clear(&sa->req);
	sa->tx_mid = 1;
	if (sa->nat_local || sa->nat_remote || pe->force_encap) {
		/* 2.23: on to port 4500 with the non-ESP marker. */
		sa->natt = true;
		sa->local.port = SGW_IKE_NATT_PORT;
		sa->remote.port = SGW_IKE_NATT_PORT;
	}
	if (auth_send(sa))
		ike_sa_kill(sa, "cannot send IKE_AUTH");
}

static void auth_response(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	const struct ike_peer *pe = sa->peer;
	struct ike_child *c = sa->children;
	struct sgw_ike_choice ec;
	uint16_t err;
	struct pl p;

	if (decode(m, &p)) {
		IKE_COUNT(MALFORMED);
		ike_sa_kill(sa, "malformed IKE_AUTH response");
		return;
	}
	err = error_of(&p);
	if (!p.has_idr || !p.has_auth) {
		ike_log(LOG_INFO, sa, "IKE_AUTH refused with notify %u", err);
		if (err == IKEV2_N_AUTHENTICATION_FAILED)
			IKE_COUNT(AUTH_FAILED);
		ike_sa_kill(sa, "refused");
		return;
	}
	sa->rid_type = p.idr.type;
	sa->rid_len = p.idr.len;
	memcpy(sa->rid, p.idr.data, p.idr.len);
	if (!ike_id_match(&pe->rid, p.idr.type, p.idr.data, p.idr.len) ||
	    auth_check(sa, &p, &p.idr, p.idr_body, p.idr_len)) {
		IKE_COUNT(AUTH_FAILED);
		ike_sa_kill(sa, "the responder's AUTH does not verify");
		return;
	}
	ike_sa_established(sa);
	sa->rekey_ms = pe->ike_lifetime_ms ? ike_now() + jitter(pe->ike_lifetime_ms) : 0;
	if (!c)
		goto done;
	if (err || !p.has_sa || !p.has_tsi || !p.has_tsr ||
	    sgw_ike_accept_reply(&p.sa, IKEV2_PROTO_ESP, c->cfg->esp, c->cfg->n_esp,
				 SGW_IKE_PROP_IGNORE_DH, &ec) ||
	    !sgw_ike_ts_within(&p.tsi, &c->ts_local) || !sgw_ike_ts_within(&p.tsr, &c->ts_remote) ||
	    c->transport != (notify(&p, IKEV2_N_USE_TRANSPORT_MODE) != NULL)) {
		ike_log(LOG_INFO, sa, "child SA %s not created (notify %u)", c->name, err);
		ike_child_free(sa, c);
		goto done;
	}
	c->prop = ec;
	c->spi_out = (uint32_t)ec.spi;
	c->ts_local = p.tsi;
	c->ts_remote = p.tsr;
	c->born_ms = ike_now();
	c->rekey_ms = pe->child_lifetime_ms ? c->born_ms + jitter(pe->child_lifetime_ms) : 0;
	if (child_install(sa, c))
		ike_child_free(sa, c);
done:
	ike_log(LOG_INFO, sa, "established%s", sa->children ? ", child SA installed" : "");
}

/* ------------------------------------------------- our child rekeying */

static uint16_t pfs_group(const struct ike_child_cfg *cc)
{
	for (unsigned i = 0; i < cc->n_esp; i++)
		if (cc->esp[i].n_dh)
			return cc->esp[i].dh[0];
	return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int child_rekey_start(struct ike_sa *sa, struct ike_child *old)
{
	const struct ike_child_cfg *cc = old->cfg;
	struct sgw_ike_sa_pld offers;
	struct sgw_ike_buf b;
	struct ike_child *c;
	uint8_t spi[4], pub[SGW_IKE_DH_MAX];
	size_t pub_len = 0;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->name, sizeof(c->name), "%s", old->name);
	c->cfg = cc;
	c->transport = old->transport;
	c->ts_local = old->ts_local;
	c->ts_remote = old->ts_remote;
	c->replaces = old;
	c->next = sa->children;
	sa->children = c;
	sgw_ike_dh_free(sa->cx_dh);
	sa->cx_dh = NULL;
	sa->cx_group = pfs_group(cc);
	ret = ike.host.spi_alloc(ike.host.ctx, &c->spi_in);
	if (!ret)
		ret = sgw_ike_random(sa->cx_ni, sizeof(sa->cx_ni));
	if (!ret && sa->cx_group)
		ret = dh_once(sa->cx_group, NULL, &sa->cx_dh, pub, &pub_len, NULL, NULL);
	if (!ret)
		ret = sgw_ike_offer_payload(cc->esp, cc->n_esp, IKEV2_PROTO_ESP, c->spi_in, 4, 0,
					    &offers);
	if (ret) {
		ike_child_free(sa, c);
		return ret;
	}
	be32(spi, old->spi_in);
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	{
		const struct sgw_ike_notify_pld rk = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
						       .type = IKEV2_N_REKEY_SA, .spi = old->spi_in };
		const struct sgw_ike_nonce_pld ni = { .len = sizeof(sa->cx_ni), .data = sa->cx_ni };

		sgw_ike_enc_notify(&b, &rk);
		if (c->transport)
			enc_notify(&b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
		sgw_ike_enc_sa(&b, &offers);
		sgw_ike_enc_nonce(&b, &ni);
	}
	if (sa->cx_group) {
		const struct sgw_ike_ke_pld ke = { .group = sa->cx_group, .len = (uint16_t)pub_len,
						   .data = pub };

		sgw_ike_enc_ke(&b, &ke);
	}
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSI, &c->ts_local);
	sgw_ike_enc_ts(&b, IKEV2_PLD_TSR, &c->ts_remote);
	ret = ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, false, sa->tx_mid, &b,
				 REQ_REKEY_CHILD);
	if (ret) {
		ike_child_free(sa, c);
		return ret;
	}
	sa->cx_child = c;
	ike_log(LOG_INFO, sa, "rekeying child SA %s (in %08x)", old->name, old->spi_in);
	return 0;
}

/* Nonces compared as RFC 7296 2.8.1 wants: the lowest one loses. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (alen > blen) - (alen < blen);
}

/* Our rekey of old (which made c) crossed the peer's rekey of it (which
 * made x): the SA whose exchange used the lowest of the four nonces is
 * closed by its creator (2.8.1). True when it dealt with the old SA too. */
static bool collision(struct ike_sa *sa, struct ike_child *c, struct ike_child *old,
		      const uint8_t *nr, size_t nrlen)
{
	uint8_t spis[8];
	struct sgw_ike_delete_pld del = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
					  .spis = spis };
	const uint8_t *lo = sa->cx_ni;
	size_t lolen = sizeof(sa->cx_ni);
	bool ours = true;
	struct ike_child *x;

	for (x = sa->children; x && !(x->collided && x->replaces == old); x = x->next)
		;
	if (!x)
		return false;
	if (nonce_cmp(nr, nrlen, lo, lolen) < 0) {
		lo = nr;
		lolen = nrlen;
	}
	if (nonce_cmp(x->x_ni, x->x_ni_len, lo, lolen) < 0) {
		lo = x->x_ni;
		lolen = x->x_ni_len;
		ours = false;
	}
	if (nonce_cmp(x->x_nr, sizeof(x->x_nr), lo, lolen) < 0)
		ours = false;
	ike_log(LOG_INFO, sa, "child SA %s rekeyed by both ends at once: %s new SA stays",
		old->name, ours ? "the peer's" : "our");
	x->collided = false;
	if (ours) {
		/* We close ours (c) and the old one; the peer's takes over. */
		be32(spis, c->spi_in);
		be32(spis + 4, old->spi_in);
		del.n_spi = 2;
		x->out_pending = false;
		x->replaces = NULL;
		if (child_add(sa, x, false, c->h_out))
			ike_log(LOG_ERR, sa, "child SA %s: outbound SA not installed", x->name);
		ike_child_free(sa, c);
		sa->del_child = old;
		if (info_send(sa, &del, REQ_DELETE_CHILD))
			ike_child_free(sa, old);
		return true;
	}
	/* The peer closes its own (x); the old one goes as usual. Should it
	 * never do so, x is retired like any replaced SA. */
	x->replaces = NULL;
	x->rekeyed = true;
	x->rekeyed_ms = ike_now();
	return false;
}

static void child_rekey_response(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	struct ike_child *c = sa->cx_child, *old;
	uint8_t g_ir[SGW_IKE_DH_MAX];
	size_t g_len = 0;
	struct sgw_ike_choice ec;
	struct sgw_ike_delete_pld del = { .proto = IKEV2_PROTO_ESP, .spi_size = 4, .n_spi = 1 };
	uint8_t spi[4];
	uint16_t err;
	struct pl p;
	int ret;

	sa->cx_child = NULL;
	if (!c)
		return;
	old = c->replaces;
	if (decode(m, &p) || (err = error_of(&p)) != 0 || !p.has_sa || !p.has_nonce ||
	    !p.has_tsi || !p.has_tsr ||
	    sgw_ike_accept_reply(&p.sa, IKEV2_PROTO_ESP, c->cfg->esp, c->cfg->n_esp, 0, &ec) ||
	    ec.dh != sa->cx_group || (ec.dh && (!p.has_ke || p.ke.group != ec.dh)) ||
	    !sgw_ike_ts_within(&p.tsi, &c->ts_local) || !sgw_ike_ts_within(&p.tsr, &c->ts_remote)) {
		ike_log(LOG_INFO, sa, "rekeying child SA %s refused or malformed; retry later",
			c->name);
		/* A crossing rekey of the peer's stands alone now. */
		for (struct ike_child *x = sa->children; x; x = x->next)
			if (x->collided && x->replaces == old) {
				x->collided = false;
				old->rekeyed = true;
				old->rekeyed_ms = ike_now();
			}
		ike_child_free(sa, c);
		if (old)
			old->rekey_retry_ms = ike_now() + 10 * 1000;
		return;
	}
	c->prop = ec;
	c->spi_out = (uint32_t)ec.spi;
	c->ts_local = p.tsi;
	c->ts_remote = p.tsr;
	c->born_ms = ike_now();
	c->rekey_ms = sa->peer->child_lifetime_ms ?
		      c->born_ms + jitter(sa->peer->child_lifetime_ms) : 0;
	ret = ec.dh ? dh_once(ec.dh, &p.ke, &sa->cx_dh, NULL, NULL, g_ir, &g_len) : 0;
	if (!ret)
		ret = child_keymat(sa, c, true, sa->cx_ni, sizeof(sa->cx_ni), p.nonce.data,
				   p.nonce.len, ec.dh ? g_ir : NULL, g_len);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	sgw_ike_dh_free(sa->cx_dh);
	sa->cx_dh = NULL;
	/* In first, then out in front of the old one's policies: one switch. */
	if (!ret)
		ret = child_add(sa, c, true, 0);
	if (!ret)
		ret = child_add(sa, c, false, old ? old->h_out : 0);
	if (ret) {
		/* The peer installed its half: have it removed, and wait
		 * before trying again rather than rekeying in a loop. */
		const struct sgw_ike_delete_pld d = { .proto = IKEV2_PROTO_ESP, .spi_size = 4,
						      .n_spi = 1, .spis = spi };

		be32(spi, c->spi_in);
		ike_child_free(sa, c);
		if (old)
			old->rekey_retry_ms = ike_now() + 10 * 1000;
		sa->del_child = NULL;
		info_send(sa, &d, REQ_DELETE_CHILD);
		return;
	}
	c->replaces = NULL;
	if (!old)
		return;
	old->rekeyed = true;
	old->rekeyed_ms = ike_now();
	be32(spi, old->spi_in);
	del.spis = spi;
	if (collision(sa, c, old, p.nonce.data, p.nonce.len))
		return;
	sa->del_child = old;
	if (info_send(sa, &del, REQ_DELETE_CHILD))
		ike_child_free(sa, old);
	ike_log(LOG_INFO, sa, "child SA %s rekeyed: in %08x out %08x", c->name, c->spi_in,
		c->spi_out);
}

/* --------------------------------------------------- our IKE SA rekeying */

static int ike_rekey_start(struct ike_sa *sa)
{
	const struct ike_peer *pe = sa->peer;
	struct sgw_ike_sa_pld offers;
	struct sgw_ike_buf b;
	struct ike_sa *n;
	uint8_t pub[SGW_IKE_DH_MAX];
	size_t pub_len = 0;
	int ret;

	n = ike_sa_new(true, &sa->local, &sa->remote);
	if (!n)
		return -ENOSPC;
	n->peer = pe;
	n->state = IKE_S_INIT_SENT;
	n->ni_len = IKE_NONCE_LEN;
	n->dh_group = sa->prop.dh;
	ret = sgw_ike_random(n->ni, n->ni_len);
	if (!ret)
		ret = dh_once(n->dh_group, NULL, &n->dh, pub, &pub_len, NULL, NULL);
	if (!ret)
		ret = sgw_ike_offer_payload(pe->ike, pe->n_ike, IKEV2_PROTO_IKE, n->ispi, 8, 0,
					    &offers);
	if (ret) {
		ike_sa_kill(n, "cannot start the rekey");
		return ret;
	}
	sgw_ike_buf_init(&b, inner, sizeof(inner));
	sgw_ike_enc_sa(&b, &offers);
	{
		const struct sgw_ike_nonce_pld ni = { .len = (uint16_t)n->ni_len, .data = n->ni };
		const struct sgw_ike_ke_pld ke = { .group = n->dh_group, .len = (uint16_t)pub_len,
						   .data = pub };

		sgw_ike_enc_nonce(&b, &ni);
		sgw_ike_enc_ke(&b, &ke);
	}
	ret = ike_send_protected(sa, IKEV2_EXCH_CREATE_CHILD_SA, false, sa->tx_mid, &b,
				 REQ_REKEY_IKE);
	if (ret) {
		ike_sa_kill(n, "cannot send the rekey");
		return ret;
	}
	sa->cx_ike = n->id;
	ike_log(LOG_INFO, sa, "rekeying the IKE SA");
	return 0;
}

static void ike_rekey_response(struct ike_sa *sa, const struct sgw_ike_msg *m)
{
	const struct sgw_ike_delete_pld del = { .proto = IKEV2_PROTO_IKE };
	/* By id: a slow answer may come after the half-open successor expired. */
	struct ike_sa *n = ike_sa_by_id(sa->cx_ike);
	uint8_t g_ir[SGW_IKE_DH_MAX];
	size_t g_len = 0;
	struct pl p;
	int ret;

	sa->cx_ike = 0;
	if (!n || n->state != IKE_S_INIT_SENT) {
		sa->rekey_ms = ike_now() + 10 * 1000;
		return;
	}
	if (decode(m, &p) || error_of(&p) || !p.has_sa || !p.has_nonce || !p.has_ke ||
	    sgw_ike_accept_reply(&p.sa, IKEV2_PROTO_IKE, sa->peer->ike, sa->peer->n_ike, 0,
				 &n->prop) ||
	    !n->prop.spi || n->prop.dh != n->dh_group || p.ke.group != n->dh_group) {
		ike_log(LOG_INFO, sa, "IKE SA rekey refused or malformed; retry later");
		ike_sa_kill(n, "rekey refused");
		sa->rekey_ms = ike_now() + 10 * 1000;
		return;
	}
	n->rspi = n->prop.spi;
	memcpy(n->nr, p.nonce.data, p.nonce.len);
	n->nr_len = p.nonce.len;
	ret = dh_once(n->dh_group, &p.ke, &n->dh, NULL, NULL, g_ir, &g_len);
	if (!ret)
		ret = ike_keys(n, g_ir, g_len, sa);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (ret) {
		ike_sa_kill(n, "rekey key exchange failed");
		sa->rekey_ms = ike_now() + 10 * 1000;
		return;
	}
	ike_takeover(n, sa);
	ike_log(LOG_INFO, n, "rekeyed IKE SA %u", sa->id);
	sa->state = IKE_S_DELETING;
	if (info_send(sa, &del, REQ_DELETE_IKE))
		ike_sa_kill(sa, "rekeyed");
}

/* ------------------------------------------------------------ dispatch */

static void protected_input(struct ike_sa *sa, const struct sgw_ike_addr *local,
			    const struct sgw_ike_addr *remote, const uint8_t *msg, size_t len,
			    struct sgw_ike_msg *m)
{
	const struct sgw_ike_hdr *h = &m->hdr;
	const bool resp = h->flags & IKEV2_FLAG_RESPONSE;
	int ret;

	/* Past IKE_SA_INIT everything is protected: SK or SKF comes last. */
	if (!m->n || (m->pld[m->n - 1].type != IKEV2_PLD_SK &&
		      m->pld[m->n - 1].type != IKEV2_PLD_SKF)) {
		IKE_COUNT(MALFORMED);
		return;
	}
	if (!resp && sa->resp.valid && h->msgid == sa->resp.msgid) {
		/* A retransmission: answer once per retransmitted message
		 * (its first fragment), not once per fragment (RFC 7383 2.6.1). */
		const struct sgw_ike_pld *last = &m->pld[m->n - 1];
		struct sgw_ike_skf_pld f;

		if (last->type == IKEV2_PLD_SKF && (sgw_ike_dec_skf(last, &f) || f.num != 1))
			return;
		/* Only a request that verifies: a forged one must not make us
		 * send (possibly many fragments of) our answer anywhere. */
		if (ike_verify(sa, msg, m)) {
			IKE_COUNT(DECRYPT_FAILED);
			return;
		}
		IKE_COUNT(RETRANSMIT_REPLIED);
		for (unsigned i = 0; i < sa->resp.n; i++)
			ike_send_plain(&sa->local, &sa->remote, sa->resp.dgram[i], sa->resp.len[i]);
		return;
	}
	if ((!resp && h->msgid != sa->rx_mid) ||
	    (resp && (!sa->req.active || h->msgid != sa->req.msgid))) {
		IKE_COUNT(OUT_OF_WINDOW);
		return;
	}
	ret = ike_open(sa, msg, len, m);
	if (ret == -EAGAIN)
		return;
	if (ret) {
		if (ret != -EBADMSG)
			IKE_COUNT(MALFORMED);
		return;
	}
	/* Authenticated: the peer's address and port are now known good (a
	 * NAT may have changed them, 2.23). */
	sa->last_rx_ms = ike_now();
	if (!ike_addr_eq(remote, &sa->remote) || !ike_addr_eq(local, &sa->local))
		ike_sa_moved(sa, local, remote);
	if (local->port == SGW_IKE_NATT_PORT)
		sa->natt = true;
	if (sgw_ike_msg_unknown_critical(m)) {
		IKE_COUNT(CRITICAL);
		if (!resp) {
			uint8_t t = sgw_ike_msg_unknown_critical(m);
			struct sgw_ike_buf b;

			sgw_ike_buf_init(&b, inner, sizeof(inner));
			enc_notify(&b, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
			ike_send_protected(sa, h->exchange, true, h->msgid, &b, REQ_NONE);
			sa->rx_mid++;
		}
		return;
	}
	if (resp) {
		response(sa, m);
		return;
	}
	sa->rx_mid++;
	switch (h->exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		if (sa->state == IKE_S_INIT_DONE && !sa->initiator)
			auth_request(sa, m);
		else
			send_error(sa, h->exchange, h->msgid, IKEV2_N_INVALID_SYNTAX);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_DELETING)
			info_request(sa, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (sa->state == IKE_S_ESTABLISHED)
			child_request(sa, m);
		else
			send_error(sa, h->exchange, h->msgid, IKEV2_N_TEMPORARY_FAILURE);
		break;
	default:
		IKE_COUNT(MALFORMED);
		break;
	}
}

void ike_exch_input(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		    const uint8_t *msg, size_t len)
{
	static struct sgw_ike_msg m;
	struct ike_sa *sa;
	bool resp, from_initiator;
	int ret;

	ret = sgw_ike_msg_parse(msg, len, &m);
	if (ret == -EPROTONOSUPPORT) {
		IKE_COUNT(BAD_VERSION);
		if (!(m.hdr.flags & IKEV2_FLAG_RESPONSE) && m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
			uint8_t v = IKEV2_VERSION;

			init_refuse(local, remote, &m.hdr, IKEV2_N_INVALID_MAJOR_VERSION, &v, 1);
		}
		return;
	}
	if (ret) {
		IKE_COUNT(MALFORMED);
		return;
	}
	resp = m.hdr.flags & IKEV2_FLAG_RESPONSE;
	from_initiator = m.hdr.flags & IKEV2_FLAG_INITIATOR;
	if (m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT && !resp) {
		if (from_initiator)
			init_request(local, remote, msg, len, &m);
		else
			IKE_COUNT(MALFORMED);
		return;
	}
	if (m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		/* Our request's answer: rspi is news to us. */
		sa = from_initiator ? NULL : ike_sa_find(m.hdr.ispi);
		if (!sa || !sa->initiator) {
			IKE_COUNT(UNKNOWN_SPI);
			return;
		}
		init_response(sa, msg, len, &m);
		return;
	}
	sa = ike_sa_find(from_initiator ? m.hdr.rspi : m.hdr.ispi);
	if (!sa || sa->initiator == from_initiator ||
	    (sa->initiator ? sa->rspi : sa->ispi) != (from_initiator ? m.hdr.ispi : m.hdr.rspi)) {
		IKE_COUNT(UNKNOWN_SPI);
		return;
	}
	if (m.hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		IKE_COUNT(OUT_OF_WINDOW);
		return;
	}
	protected_input(sa, local, remote, msg, len, &m);
}

/* Timers of an SA: rekeying, retiring rekeyed SAs, liveness checks (DPD).
 * One request at a time (window size 1). */
void ike_exch_timeout(struct ike_sa *sa)
{
	const uint64_t now = ike_now();
	struct ike_child *c, *next;

	if (sa->state != IKE_S_ESTABLISHED)
		return;
	if (sa->superseded_ms && now - sa->superseded_ms > RETIRE_MS) {
		ike_sa_kill(sa, "rekeyed, never deleted by the peer");
		return;
	}
	for (c = sa->children; c; c = next) {
		next = c->next;
		if (c->rekeyed && !sa->req.active && sa->del_child != c &&
		    now - c->rekeyed_ms > RETIRE_MS)
			child_retire(sa, c);
	}
	if (sa->req.active || sa->superseded_ms)
		return;
	for (c = sa->children; c; c = c->next)
		if (!c->rekeyed && c->h_in && !c->out_pending && c->rekey_ms &&
		    now >= c->rekey_ms && now >= c->rekey_retry_ms) {
			if (child_rekey_start(sa, c))
				c->rekey_retry_ms = now + 10 * 1000;
			return;
		}
	if (sa->rekey_ms && now >= sa->rekey_ms) {
		if (ike_rekey_start(sa))
			sa->rekey_ms = now + 10 * 1000;
		return;
	}
	if (sa->peer->dpd_ms && now - sa->last_rx_ms >= sa->peer->dpd_ms) {
		sa->last_rx_ms = now;    /* one check at a time */
		info_send(sa, NULL, REQ_DPD);
	}
}

int sgw_ike_terminate(uint32_t id)
{
	const struct sgw_ike_delete_pld d = { .proto = IKEV2_PROTO_IKE };

	for (struct ike_sa *sa = ike.all; sa; sa = sa->next) {
		if (sa->id != id || sa->state == IKE_S_DEAD)
			continue;
		if (sa->state != IKE_S_ESTABLISHED || sa->req.active) {
			ike_sa_kill(sa, "terminated");
		} else {
			sa->state = IKE_S_DELETING;
			if (info_send(sa, &d, REQ_DELETE_IKE))
				ike_sa_kill(sa, "terminated");
		}
		ike_sa_reap();
		return 0;
	}
	return -ENOENT;
}

static bool alive(uint32_t id)
{
	return ike_sa_by_id(id) != NULL;   /* not DEAD */
}

int sgw_ike_initiate(const char *peer)
{
	for (unsigned i = 0; i < ike.n_peers; i++) {
		if (strcmp(ike.peers[i].name, peer))
			continue;
		/* One IKE SA per peer entry that we initiate. */
		if (ike.peer_state[i].sa_id && alive(ike.peer_state[i].sa_id))
			return -EALREADY;
		return initiate_peer(i);
	}
	return -ENOENT;
}

/* initiate: true peers are brought up and kept up. */
void ike_exch_keep_up(void)
{
	const uint64_t now = ike_now();

	for (unsigned i = 0; i < ike.n_peers; i++) {
		struct ike_peer_state *st = &ike.peer_state[i];

		if (!ike.peers[i].initiate || (st->sa_id && alive(st->sa_id)) ||
		    now < st->next_try_ms)
			continue;
		st->sa_id = 0;
		st->next_try_ms = now + RETRY_MS;
		initiate_peer(i);
	}
}

void sgw_ike_esp_event(uint64_t handle, enum sgw_ike_esp_event ev)
{
	for (struct ike_sa *sa = ike.all; sa; sa = sa->next)
		for (struct ike_child *c = sa->children; c; c = c->next) {
			if (c->h_in != handle && c->h_out != handle)
				continue;
			if (ev == SGW_IKE_ESP_SOFT || ev == SGW_IKE_ESP_SEQ) {
				/* Rekey now; sequence exhaustion cannot wait. */
				c->rekey_ms = ike_now();
				c->rekey_retry_ms = 0;
				ike_exch_timeout(sa);
			} else if (!c->rekeyed) {
				ike_log(LOG_NOTICE, sa, "child SA %s reached its hard lifetime", c->name);
				c->rekeyed = true;       /* retired by the timers */
				c->rekeyed_ms = 0;
			}
			return;
		}
}
