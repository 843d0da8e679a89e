/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected IKE messages: the Encrypted payload (RFC 7296 3.14) and its
 * fragments (RFC 7383), retransmission of our requests with back-off, and
 * the cached last response that answers a retransmitted request (2.1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "ike_int.h"

#define IKE_HDR_LEN   28
#define SK_HDR_LEN    4
#define SKF_HDR_LEN   8
#define IP4_UDP_LEN   (20 + 8)
#define IP6_UDP_LEN   (40 + 8)
#define NON_ESP_MARKER 4

static uint8_t out[IKE_MSG_BUF];     /* one datagram being built */

void ike_send_plain(const struct sgw_ike_addr *local, const struct sgw_ike_addr *remote,
		    const uint8_t *msg, size_t len)
{
	IKE_COUNT(TX);
	ike.host.send(ike.host.ctx, local, remote, msg, len);
}

static void dgrams_free(uint8_t **d, size_t *len, unsigned *n)
{
	for (unsigned i = 0; i < *n; i++) {
		free(d[i]);
		d[i] = NULL;
		len[i] = 0;
	}
	*n = 0;
}

void ike_resp_clear(struct ike_resp *r)
{
	dgrams_free(r->dgram, r->len, &r->n);
	r->valid = false;
}

void ike_req_clear(struct ike_req *r)
{
	dgrams_free(r->dgram, r->len, &r->n);
	r->active = false;
}

void ike_frags_clear(struct ike_frags *f)
{
	for (unsigned i = 0; i <= IKE_FRAG_MAX; i++) {
		free(f->part[i]);
		f->part[i] = NULL;
		f->len[i] = 0;
	}
	f->total = f->have = 0;
	f->bytes = 0;
}

/* One datagram with an SK (num == 0) or SKF payload around plain. */
static int seal(struct ike_sa *sa, uint8_t exch, bool response, uint32_t msgid,
		uint8_t first, const uint8_t *plain, size_t plen,
		uint16_t num, uint16_t total, size_t *dlen)
{
	const struct sgw_ike_hdr h = {
		.ispi = sa->ispi, .rspi = sa->rspi, .exchange = exch, .msgid = msgid,
		.flags = (uint8_t)((sa->initiator ? IKEV2_FLAG_INITIATOR : 0) |
				   (response ? IKEV2_FLAG_RESPONSE : 0)),
	};
	const size_t ovh = sgw_ike_sk_overhead(sa->sk_tx, plen);
	struct sgw_ike_buf b;
	size_t off, olen, hl;
	uint8_t *p;
	int ret;

	sgw_ike_buf_init(&b, out, sizeof(out));
	sgw_ike_enc_header(&b, &h);
	off = num ? sgw_ike_enc_skf_begin(&b, num == 1 ? first : 0, num, total) :
		    sgw_ike_enc_sk_begin(&b, first);
	hl = b.len;
	p = sgw_ike_enc_reserve(&b, plen + ovh);
	sgw_ike_enc_patch_len(&b, off);
	if (sgw_ike_enc_finish(&b) || !p)
		return b.err ? b.err : -ENOBUFS;
	ret = sgw_ike_sk_encrypt(sa->sk_tx, ++sa->tx_count, out, hl, plain, plen,
				 p, plen + ovh, &olen);
	if (ret)
		return ret;
	*dlen = b.len;
	return 0;
}

static int keep(uint8_t **d, size_t *len, unsigned *n, size_t dlen)
{
	uint8_t *copy = malloc(dlen);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, out, dlen);
	d[*n] = copy;
	len[(*n)++] = dlen;
	return 0;
}

/* The largest IKE message that fits fragment_size as a datagram. */
static size_t frag_room(const struct ike_sa *sa)
{
	size_t ip = sa->remote.family == AF_INET ? IP4_UDP_LEN : IP6_UDP_LEN;

	return ike.set.fragment_size - ip - (sa->natt ? NON_ESP_MARKER : 0);
}

int ike_send_protected(struct ike_sa *sa, uint8_t exch, bool response, uint32_t msgid,
		       const struct sgw_ike_buf *inner, int kind)
{
	uint8_t **d = response ? sa->resp.dgram : sa->req.dgram;
	size_t *len = response ? sa->resp.len : sa->req.len;
	unsigned *n = response ? &sa->resp.n : &sa->req.n;
	size_t dlen, room = frag_room(sa), chunk;
	unsigned total;
	int ret = 0;

	if (inner->err)
		return inner->err;
	if (response)
		ike_resp_clear(&sa->resp);
	else
		ike_req_clear(&sa->req);
	if (!sa->frag_ok || exch == IKEV2_EXCH_IKE_SA_INIT ||
	    IKE_HDR_LEN + SK_HDR_LEN + inner->len + sgw_ike_sk_overhead(sa->sk_tx, inner->len) <= room) {
		ret = seal(sa, exch, response, msgid, inner->first, inner->p, inner->len, 0, 0, &dlen);
		if (!ret)
			ret = keep(d, len, n, dlen);
	} else {
		/* RFC 7383 2.5.3: every fragment but the last as full as fits. */
		size_t ovh = sgw_ike_sk_overhead(sa->sk_tx, room);

		chunk = room - IKE_HDR_LEN - SKF_HDR_LEN - ovh;
		total = (unsigned)((inner->len + chunk - 1) / chunk);
		if (total > IKE_FRAG_MAX)
			return -E2BIG;
		for (unsigned i = 0; i < total && !ret; i++) {
			size_t at = i * chunk, l = inner->len - at < chunk ? inner->len - at : chunk;

			ret = seal(sa, exch, response, msgid, inner->first, inner->p + at, l,
				   (uint16_t)(i + 1), (uint16_t)total, &dlen);
			if (!ret)
				ret = keep(d, len, n, dlen);
		}
	}
	if (ret) {
		ike_log(LOG_ERR, sa, "cannot build message %u: %d", msgid, ret);
		dgrams_free(d, len, n);
		return ret;
	}
	for (unsigned i = 0; i < *n; i++)
		ike_send_plain(&sa->local, &sa->remote, d[i], len[i]);
	if (response) {
		sa->resp.valid = true;
		sa->resp.msgid = msgid;
	} else {
		const uint64_t now = ike_now();

		sa->req.active = true;
		sa->req.msgid = msgid;
		sa->req.exch = exch;
		sa->req.kind = kind;
		sa->req.tries = 0;
		sa->req.next_ms = now + ike.set.retransmit_timeout_ms;
		sa->req.give_up_ms = 0;
	}
	return 0;
}

int ike_send_plain_request(struct ike_sa *sa, const uint8_t *msg, size_t len, int kind)
{
	ike_req_clear(&sa->req);
	sa->req.dgram[0] = malloc(len);
	if (!sa->req.dgram[0])
		return -ENOMEM;
	memcpy(sa->req.dgram[0], msg, len);
	sa->req.len[0] = len;
	sa->req.n = 1;
	sa->req.active = true;
	sa->req.msgid = 0;
	sa->req.exch = IKEV2_EXCH_IKE_SA_INIT;
	sa->req.kind = kind;
	sa->req.tries = 0;
	sa->req.next_ms = ike_now() + ike.set.retransmit_timeout_ms;
	ike_send_plain(&sa->local, &sa->remote, msg, len);
	return 0;
}

void ike_retransmit_tick(struct ike_sa *sa, uint64_t now)
{
	struct ike_req *r = &sa->req;
	double t = ike.set.retransmit_timeout_ms;

	if (!r->active || now < r->next_ms)
		return;
	if (r->tries >= ike.set.retransmit_tries) {
		IKE_COUNT(TIMEOUTS);
		ike_req_clear(r);
		ike_sa_kill(sa, "peer did not answer");
		return;
	}
	r->tries++;
	for (unsigned i = 0; i <= r->tries; i++)
		t *= i ? ike.set.retransmit_base : 1.0;
	r->next_ms = now + (uint64_t)t;
	IKE_COUNT(RETRANSMITS);
	for (unsigned i = 0; i < r->n; i++)
		ike_send_plain(&sa->local, &sa->remote, r->dgram[i], r->len[i]);
}

/* Collects one verified fragment; 0 with m filled once all are in. */
static int fragment(struct ike_sa *sa, const struct sgw_ike_msg *o, const uint8_t *msg,
		    const struct sgw_ike_pld *p, struct sgw_ike_msg *m)
{
	struct ike_frags *f = &sa->frags;
	struct sgw_ike_skf_pld skf;
	uint8_t *plain;
	size_t olen, at = 0;
	int ret;

	if (sgw_ike_dec_skf(p, &skf))
		return -EINVAL;
	if (skf.total > IKE_FRAG_MAX) {
		IKE_COUNT(FRAG_DROPPED);
		return -E2BIG;
	}
	plain = malloc(skf.len ? skf.len : 1);
	if (!plain)
		return -ENOMEM;
	/* Verified first: a forged fragment must not throw away real ones. */
	ret = sgw_ike_sk_decrypt(sa->sk_rx, msg, p->off + SKF_HDR_LEN, skf.data, skf.len,
				 plain, skf.len, &olen);
	if (ret) {
		free(plain);
		IKE_COUNT(DECRYPT_FAILED);
		return ret;
	}
	/* A new message, or one with more fragments, starts over (7383 2.6.1). */
	if (f->total && (o->hdr.msgid != f->msgid || skf.total > f->total))
		ike_frags_clear(f);
	if ((f->total && skf.total < f->total) || f->part[skf.num]) {
		free(plain);
		IKE_COUNT(FRAG_DROPPED);     /* stale or a duplicate */
		return -EAGAIN;
	}
	if (f->bytes + olen > IKE_MSG_BUF) {
		free(plain);
		ike_frags_clear(f);
		IKE_COUNT(FRAG_DROPPED);
		return -E2BIG;
	}
	f->msgid = o->hdr.msgid;
	f->total = skf.total;
	f->part[skf.num] = plain;
	f->len[skf.num] = olen;
	f->bytes += olen;
	f->have++;
	if (skf.num == 1)
		f->first = skf.next;
	if (f->have < f->total)
		return -EAGAIN;
	for (unsigned i = 1; i <= f->total; i++) {
		memcpy(ike.buf + at, f->part[i], f->len[i]);
		at += f->len[i];
	}
	ret = sgw_ike_chain_parse(f->first, ike.buf, at, m);
	ike_frags_clear(f);
	return ret;
}

int ike_open(struct ike_sa *sa, const uint8_t *msg, size_t len, struct sgw_ike_msg *m)
{
	const struct sgw_ike_msg *o = m;
	const struct sgw_ike_pld *p;
	struct sgw_ike_msg outer;
	size_t olen;
	int ret;

	(void)len;
	outer = *o;
	if (!outer.n || !sa->sk_rx)
		return -EINVAL;
	p = &outer.pld[outer.n - 1];
	if (p->type == IKEV2_PLD_SKF)
		return sa->frag_ok ? fragment(sa, &outer, msg, p, m) : -EINVAL;
	if (p->type != IKEV2_PLD_SK)
		return -EINVAL;
	ret = sgw_ike_sk_decrypt(sa->sk_rx, msg, p->off + SK_HDR_LEN, p->body, p->len,
				 ike.buf, IKE_MSG_BUF, &olen);
	if (ret) {
		IKE_COUNT(DECRYPT_FAILED);
		return ret;
	}
	ret = sgw_ike_chain_parse(p->next, ike.buf, olen, m);
	m->hdr = outer.hdr;
	return ret;
}

int ike_verify(const struct ike_sa *sa, const uint8_t *msg, const struct sgw_ike_msg *m)
{
	const struct sgw_ike_pld *p;
	size_t off, skip;
	uint8_t *scratch;
	size_t olen;
	int ret;

	if (!m->n || !sa->sk_rx)
		return -EINVAL;
	p = &m->pld[m->n - 1];
	off = p->type == IKEV2_PLD_SKF ? SKF_HDR_LEN : SK_HDR_LEN;
	skip = p->type == IKEV2_PLD_SKF ? 4 : 0;   /* fragment number, total */
	if ((p->type != IKEV2_PLD_SK && p->type != IKEV2_PLD_SKF) || p->len < skip)
		return -EINVAL;
	scratch = malloc(p->len ? p->len : 1);
	if (!scratch)
		return -ENOMEM;
	ret = sgw_ike_sk_decrypt(sa->sk_rx, msg, p->off + off, p->body + skip, p->len - skip,
				 scratch, p->len, &olen);
	OPENSSL_cleanse(scratch, p->len ? p->len : 1);
	free(scratch);
	return ret;
}
