/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the IKEv2 codec. The input is tried twice: as a datagram
 * (sgw_ike_msg_parse) and as a decrypted inner chain whose first payload
 * type is the input's first byte (sgw_ike_chain_parse). Besides the
 * sanitizers:
 *   - every payload that decodes is encoded again and the encoding decoded:
 *     both decodings must agree, and encoding the second must give the same
 *     bytes as encoding the first;
 *   - a datagram that parses is rebuilt from its decoded payloads (opaque
 *     and undecodable ones copied raw): the rebuilt message must parse to
 *     the same payload types and lengths, and rebuild to the same bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define BUF_SIZE 70000

union decoded {
	struct sgw_ike_sa_pld sa;
	struct sgw_ike_ke_pld ke;
	struct sgw_ike_id_pld id;
	struct sgw_ike_cert_pld cert;
	struct sgw_ike_auth_pld auth;
	struct sgw_ike_nonce_pld nonce;
	struct sgw_ike_notify_pld notify;
	struct sgw_ike_delete_pld del;
	struct sgw_ike_ts_pld ts;
	struct sgw_ike_cp_pld cp;
	struct sgw_ike_skf_pld skf;
};

/* 1 if decoded, 0 if the type has no decoder, -1 if rejected. */
static int dec(const struct sgw_ike_pld *p, union decoded *d)
{
	int ret;

	switch (p->type) {
	case IKEV2_PLD_SA:      ret = sgw_ike_dec_sa(p, &d->sa); break;
	case IKEV2_PLD_KE:      ret = sgw_ike_dec_ke(p, &d->ke); break;
	case IKEV2_PLD_IDI:
	case IKEV2_PLD_IDR:     ret = sgw_ike_dec_id(p, &d->id); break;
	case IKEV2_PLD_CERT:
	case IKEV2_PLD_CERTREQ: ret = sgw_ike_dec_cert(p, &d->cert); break;
	case IKEV2_PLD_AUTH:    ret = sgw_ike_dec_auth(p, &d->auth); break;
	case IKEV2_PLD_NONCE:   ret = sgw_ike_dec_nonce(p, &d->nonce); break;
	case IKEV2_PLD_NOTIFY:  ret = sgw_ike_dec_notify(p, &d->notify); break;
	case IKEV2_PLD_DELETE:  ret = sgw_ike_dec_delete(p, &d->del); break;
	case IKEV2_PLD_TSI:
	case IKEV2_PLD_TSR:     ret = sgw_ike_dec_ts(p, &d->ts); break;
	case IKEV2_PLD_CP:      ret = sgw_ike_dec_cp(p, &d->cp); break;
	case IKEV2_PLD_SKF:     ret = sgw_ike_dec_skf(p, &d->skf); break;
	default:                return 0;
	}
	check(ret == 0 || ret == -EINVAL || ret == -E2BIG);
	check(ret == 0 || *sgw_ike_why());
	return ret == 0 ? 1 : -1;
}

/* Appends the decoded payload d of type (the last one, if SKF). */
static void enc(struct sgw_ike_buf *b, uint8_t type, const union decoded *d)
{
	size_t off;
	uint8_t *q;

	switch (type) {
	case IKEV2_PLD_SA:      sgw_ike_enc_sa(b, &d->sa); break;
	case IKEV2_PLD_KE:      sgw_ike_enc_ke(b, &d->ke); break;
	case IKEV2_PLD_IDI:
	case IKEV2_PLD_IDR:     sgw_ike_enc_id(b, type, &d->id); break;
	case IKEV2_PLD_CERT:
	case IKEV2_PLD_CERTREQ: sgw_ike_enc_cert(b, type, &d->cert); break;
	case IKEV2_PLD_AUTH:    sgw_ike_enc_auth(b, &d->auth); break;
	case IKEV2_PLD_NONCE:   sgw_ike_enc_nonce(b, &d->nonce); break;
	case IKEV2_PLD_NOTIFY:  sgw_ike_enc_notify(b, &d->notify); break;
	case IKEV2_PLD_DELETE:  sgw_ike_enc_delete(b, &d->del); break;
	case IKEV2_PLD_TSI:
	case IKEV2_PLD_TSR:     sgw_ike_enc_ts(b, type, &d->ts); break;
	case IKEV2_PLD_CP:      sgw_ike_enc_cp(b, &d->cp); break;
	case IKEV2_PLD_SKF:
		off = sgw_ike_enc_skf_begin(b, d->skf.next, d->skf.num, d->skf.total);
		q = sgw_ike_enc_reserve(b, d->skf.len);
		if (q && d->skf.len)
			memcpy(q, d->skf.data, d->skf.len);
		sgw_ike_enc_patch_len(b, off);
		break;
	default:
		abort();
	}
}

static bool same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static bool eq_sa(const struct sgw_ike_sa_pld *a, const struct sgw_ike_sa_pld *b)
{
	if (a->n_prop != b->n_prop)
		return false;
	for (unsigned i = 0; i < a->n_prop; i++) {
		const struct sgw_ike_prop *x = &a->prop[i], *y = &b->prop[i];

		if (x->num != y->num || x->proto != y->proto ||
		    x->spi_size != y->spi_size || x->spi != y->spi ||
		    x->n_xform != y->n_xform)
			return false;
		for (unsigned j = 0; j < x->n_xform; j++)
			if (x->xform[j].type != y->xform[j].type ||
			    x->xform[j].id != y->xform[j].id ||
			    x->xform[j].keylen != y->xform[j].keylen)
				return false;
	}
	return true;
}

static bool eq_cp(const struct sgw_ike_cp_pld *a, const struct sgw_ike_cp_pld *b)
{
	if (a->type != b->type || a->n_attr != b->n_attr)
		return false;
	for (unsigned i = 0; i < a->n_attr; i++)
		if (a->attr[i].type != b->attr[i].type ||
		    !same(a->attr[i].value, a->attr[i].len, b->attr[i].value,
			  b->attr[i].len))
			return false;
	return true;
}

static bool eq(uint8_t type, const union decoded *a, const union decoded *b)
{
	switch (type) {
	case IKEV2_PLD_SA:
		return eq_sa(&a->sa, &b->sa);
	case IKEV2_PLD_KE:
		return a->ke.group == b->ke.group &&
		       same(a->ke.data, a->ke.len, b->ke.data, b->ke.len);
	case IKEV2_PLD_IDI:
	case IKEV2_PLD_IDR:
		return a->id.type == b->id.type &&
		       same(a->id.data, a->id.len, b->id.data, b->id.len);
	case IKEV2_PLD_CERT:
	case IKEV2_PLD_CERTREQ:
		return a->cert.encoding == b->cert.encoding &&
		       same(a->cert.data, a->cert.len, b->cert.data, b->cert.len);
	case IKEV2_PLD_AUTH:
		return a->auth.method == b->auth.method &&
		       same(a->auth.data, a->auth.len, b->auth.data, b->auth.len) &&
		       same(a->auth.alg, a->auth.alg_len, b->auth.alg, b->auth.alg_len) &&
		       same(a->auth.sig, a->auth.sig_len, b->auth.sig, b->auth.sig_len);
	case IKEV2_PLD_NONCE:
		return same(a->nonce.data, a->nonce.len, b->nonce.data, b->nonce.len);
	case IKEV2_PLD_NOTIFY:
		return a->notify.proto == b->notify.proto &&
		       a->notify.spi_size == b->notify.spi_size &&
		       a->notify.type == b->notify.type &&
		       a->notify.spi == b->notify.spi &&
		       same(a->notify.data, a->notify.len, b->notify.data, b->notify.len);
	case IKEV2_PLD_DELETE:
		return a->del.proto == b->del.proto &&
		       a->del.spi_size == b->del.spi_size &&
		       a->del.n_spi == b->del.n_spi &&
		       same(a->del.spis, (size_t)a->del.n_spi * a->del.spi_size,
			    b->del.spis, (size_t)b->del.n_spi * b->del.spi_size);
	case IKEV2_PLD_TSI:
	case IKEV2_PLD_TSR:
		return a->ts.n_ts == b->ts.n_ts &&
		       memcmp(a->ts.ts, b->ts.ts, a->ts.n_ts * sizeof(a->ts.ts[0])) == 0;
	case IKEV2_PLD_CP:
		return eq_cp(&a->cp, &b->cp);
	case IKEV2_PLD_SKF:
		return a->skf.num == b->skf.num && a->skf.total == b->skf.total &&
		       a->skf.next == b->skf.next &&
		       same(a->skf.data, a->skf.len, b->skf.data, b->skf.len);
	}
	abort();
}

/* One payload alone in a message: encode, parse, decode. */
static void one(uint8_t *out, uint8_t type, const union decoded *d,
		struct sgw_ike_buf *b, struct sgw_ike_msg *m)
{
	static const struct sgw_ike_hdr h = {.ispi = 1, .exchange = IKEV2_EXCH_INFORMATIONAL};

	sgw_ike_buf_init(b, out, BUF_SIZE);
	sgw_ike_enc_header(b, &h);
	enc(b, type, d);
	check(sgw_ike_enc_finish(b) == 0);
	check(sgw_ike_msg_parse(out, b->len, m) == 0);
	check(m->n == 1 && m->pld[0].type == type);
}

static void round_trip(const struct sgw_ike_pld *p)
{
	static uint8_t out1[BUF_SIZE], out2[BUF_SIZE];
	static union decoded d1, d2, d3;
	static struct sgw_ike_msg m1, m2;
	struct sgw_ike_buf b1, b2;

	if (dec(p, &d1) <= 0)
		return;
	one(out1, p->type, &d1, &b1, &m1);
	check(m1.pld[0].len == p->len);   /* the same size as received */
	check(dec(&m1.pld[0], &d2) == 1);
	check(eq(p->type, &d1, &d2));
	one(out2, p->type, &d2, &b2, &m2);
	check(same(out1, b1.len, out2, b2.len));
	check(dec(&m2.pld[0], &d3) == 1);
	check(eq(p->type, &d2, &d3));
}

/* The whole datagram again from what it decoded to. */
static size_t rebuild(const struct sgw_ike_msg *m, uint8_t *out)
{
	static union decoded d;
	struct sgw_ike_buf b;
	size_t off;
	uint8_t *q;

	sgw_ike_buf_init(&b, out, BUF_SIZE);
	sgw_ike_enc_header(&b, &m->hdr);
	for (unsigned i = 0; i < m->n; i++) {
		const struct sgw_ike_pld *p = &m->pld[i];

		if (dec(p, &d) > 0) {
			enc(&b, p->type, &d);
		} else if (p->type == IKEV2_PLD_SKF) {
			return 0; /* a bad SKF has no encoding: nothing to compare */
		} else if (p->type == IKEV2_PLD_SK) {
			off = sgw_ike_enc_sk_begin(&b, p->next);
			q = sgw_ike_enc_reserve(&b, p->len);
			if (q && p->len)
				memcpy(q, p->body, p->len);
			sgw_ike_enc_patch_len(&b, off);
		} else {
			sgw_ike_enc_raw(&b, p->type, p->body, p->len);
		}
	}
	check(sgw_ike_enc_finish(&b) == 0);
	return b.len;
}

static void message(const uint8_t *buf, size_t len)
{
	static uint8_t out1[BUF_SIZE], out2[BUF_SIZE];
	static struct sgw_ike_msg m, m1;
	size_t n1, n2;
	int ret = sgw_ike_msg_parse(buf, len, &m);

	if (ret < 0) {
		check(ret == -EINVAL || ret == -E2BIG || ret == -EPROTONOSUPPORT);
		check(m.n == 0);
		return;
	}
	check(m.hdr.length == len && m.n <= SGW_IKE_MAX_PLD);
	(void)sgw_ike_msg_unknown_critical(&m);
	for (unsigned i = 0; i < m.n; i++) {
		const struct sgw_ike_pld *p = &m.pld[i];

		check(p->body == buf + p->off + 4 && p->off + 4 + (size_t)p->len <= len);
		round_trip(p);
	}
	n1 = rebuild(&m, out1);
	if (n1 == 0)
		return;
	check(sgw_ike_msg_parse(out1, n1, &m1) == 0);
	check(n1 == len && m1.n == m.n && m1.hdr.next == m.hdr.next);
	for (unsigned i = 0; i < m.n; i++)
		check(m1.pld[i].type == m.pld[i].type && m1.pld[i].len == m.pld[i].len &&
		      m1.pld[i].next == m.pld[i].next);
	n2 = rebuild(&m1, out2);
	check(same(out1, n1, out2, n2));
}

static void inner(const uint8_t *buf, size_t len)
{
	static struct sgw_ike_msg m;

	if (len < 1 || sgw_ike_chain_parse(buf[0], buf + 1, len - 1, &m) < 0)
		return;
	for (unsigned i = 0; i < m.n; i++) {
		check(m.pld[i].type != IKEV2_PLD_SK && m.pld[i].type != IKEV2_PLD_SKF);
		round_trip(&m.pld[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so ASan sees any read past the end. */
	uint8_t *b = malloc(size ? size : 1);

	if (!b)
		return 0;
	if (size)
		memcpy(b, data, size);
	message(b, size);
	inner(b, size);
	free(b);
	return 0;
}
