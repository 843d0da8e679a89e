/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposal selection. A peer's proposal is acceptable when every transform
 * type in it is one we know and, for each type we need, one of its
 * transforms is one of ours; unknown transform types make the whole
 * proposal unacceptable (RFC 7296 3.3.6).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike_proposal.h"

/* The peer's transforms of one proposal, by type. */
struct sets {
	bool unknown;
	unsigned n[6];
	const struct sgw_ike_xform *x[6][SGW_IKE_MAX_XFORMS];
};

static void sort(const struct sgw_ike_prop *p, struct sets *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < p->n_xform; i++) {
		const struct sgw_ike_xform *x = &p->xform[i];

		if (x->type < IKEV2_XFORM_ENCR || x->type > IKEV2_XFORM_ESN) {
			s->unknown = true;
			continue;
		}
		s->x[x->type][s->n[x->type]++] = x;
	}
}

static bool has(const struct sets *s, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (unsigned i = 0; i < s->n[type]; i++)
		if (s->x[type][i]->id == id && s->x[type][i]->keylen == keylen)
			return true;
	return false;
}

static bool aead(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_16;
}

/* First alternative of ours the peer lists, in *pick; false if none. */
static bool first(const struct sets *s, uint8_t type, const uint16_t *ours,
		  unsigned n, uint16_t *pick)
{
	for (unsigned i = 0; i < n; i++)
		if (has(s, type, ours[i], 0)) {
			*pick = ours[i];
			return true;
		}
	return false;
}

static bool dh_pick(const struct sets *s, const struct sgw_ike_offer *o,
		    uint16_t ke_group, bool required, uint16_t *pick)
{
	*pick = IKEV2_DH_NONE;
	if (!o->n_dh) {
		/* We want no key exchange: the peer must allow that too. */
		return !required && (s->n[IKEV2_XFORM_DH] == 0 ||
				     has(s, IKEV2_XFORM_DH, IKEV2_DH_NONE, 0));
	}
	for (unsigned i = 0; ke_group && i < o->n_dh; i++)
		if (o->dh[i] == ke_group && has(s, IKEV2_XFORM_DH, ke_group, 0)) {
			*pick = ke_group;
			return true;
		}
	return first(s, IKEV2_XFORM_DH, o->dh, o->n_dh, pick);
}

/* Does peer proposal p satisfy offer o? Fills c with the picks. */
static bool match(const struct sgw_ike_prop *p, const struct sgw_ike_offer *o,
		  uint16_t ke_group, unsigned flags, struct sgw_ike_choice *c)
{
	const bool ike = p->proto == IKEV2_PROTO_IKE;
	const uint16_t no_esn[1] = { IKEV2_ESN_NONE };
	struct sets s;
	unsigned i;

	sort(p, &s);
	if (s.unknown)
		return false;
	memset(c, 0, sizeof(*c));
	c->num = p->num;
	c->proto = p->proto;
	c->spi = p->spi;
	for (i = 0; i < o->n_encr; i++)
		if (has(&s, IKEV2_XFORM_ENCR, o->encr[i].id, o->encr[i].key_bits))
			break;
	if (i == o->n_encr)
		return false;
	c->encr = o->encr[i].id;
	c->key_bits = o->encr[i].key_bits;
	if (aead(c->encr)) {
		/* An AEAD cipher wants no integrity, or explicitly NONE. */
		if (s.n[IKEV2_XFORM_INTEG] && !has(&s, IKEV2_XFORM_INTEG, IKEV2_INTEG_NONE, 0))
			return false;
	} else if (!first(&s, IKEV2_XFORM_INTEG, o->integ, o->n_integ, &c->integ)) {
		return false;
	}
	if (ike) {
		if (!first(&s, IKEV2_XFORM_PRF, o->prf, o->n_prf, &c->prf) ||
		    s.n[IKEV2_XFORM_ESN])
			return false;
		return dh_pick(&s, o, ke_group, true, &c->dh);
	}
	if (s.n[IKEV2_XFORM_PRF])
		return false;
	if (!(flags & SGW_IKE_PROP_IGNORE_DH) && !dh_pick(&s, o, ke_group, false, &c->dh))
		return false;
	if (s.n[IKEV2_XFORM_ESN] == 0) {
		/* No ESN transform: the peer means 32-bit sequence numbers. */
		for (i = 0; i < (o->n_esn ? o->n_esn : 1u); i++)
			if ((o->n_esn ? o->esn[i] : IKEV2_ESN_NONE) == IKEV2_ESN_NONE)
				return true;
		return false;
	}
	{
		uint16_t e;

		if (!first(&s, IKEV2_XFORM_ESN, o->n_esn ? o->esn : no_esn,
			   o->n_esn ? o->n_esn : 1u, &e))
			return false;
		c->esn = e == IKEV2_ESN_ESN;
	}
	return true;
}

static bool spi_ok(const struct sgw_ike_prop *p, uint8_t proto)
{
	return proto == IKEV2_PROTO_IKE ? (p->spi_size == 0 || p->spi_size == 8) :
					  p->spi_size == 4;
}

int sgw_ike_choose(const struct sgw_ike_sa_pld *peer, uint8_t proto,
		   const struct sgw_ike_offer *offers, unsigned n_offers,
		   uint16_t ke_group, unsigned flags, struct sgw_ike_choice *out)
{
	for (unsigned k = 0; k < n_offers; k++)
		for (unsigned i = 0; i < peer->n_prop; i++) {
			const struct sgw_ike_prop *p = &peer->prop[i];

			if (p->proto == proto && spi_ok(p, proto) &&
			    match(p, &offers[k], ke_group, flags, out))
				return 0;
		}
	return -ENOENT;
}

int sgw_ike_accept_reply(const struct sgw_ike_sa_pld *reply, uint8_t proto,
			 const struct sgw_ike_offer *offers, unsigned n_offers,
			 unsigned flags, struct sgw_ike_choice *out)
{
	const struct sgw_ike_prop *p = &reply->prop[0];
	struct sets s;

	if (reply->n_prop != 1 || p->proto != proto || !spi_ok(p, proto) ||
	    p->num < 1 || p->num > n_offers)
		return -EINVAL;
	sort(p, &s);
	for (unsigned t = IKEV2_XFORM_ENCR; t <= IKEV2_XFORM_ESN; t++)
		if (s.n[t] > 1)
			return -EINVAL;
	/* In IKE_AUTH we offered no group (RFC 7296 1.2): a responder that
	 * picks one picked something we did not offer. */
	if ((flags & SGW_IKE_PROP_IGNORE_DH) && s.n[IKEV2_XFORM_DH] &&
	    s.x[IKEV2_XFORM_DH][0]->id != IKEV2_DH_NONE)
		return -EINVAL;
	if (!match(p, &offers[p->num - 1], 0, flags, out))
		return -EINVAL;
	return 0;
}

static void add(struct sgw_ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	struct sgw_ike_xform *x = &p->xform[p->n_xform++];

	x->type = type;
	x->id = id;
	x->keylen = keylen;
}

int sgw_ike_offer_payload(const struct sgw_ike_offer *offers, unsigned n_offers,
			  uint8_t proto, uint64_t spi, uint8_t spi_size,
			  unsigned flags, struct sgw_ike_sa_pld *out)
{
	if (n_offers > SGW_IKE_MAX_PROPS)
		return -E2BIG;
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < n_offers; k++) {
		const struct sgw_ike_offer *o = &offers[k];
		struct sgw_ike_prop *p = &out->prop[out->n_prop++];
		unsigned i;

		p->num = (uint8_t)(k + 1);
		p->proto = proto;
		p->spi_size = spi_size;
		p->spi = spi;
		for (i = 0; i < o->n_encr; i++)
			add(p, IKEV2_XFORM_ENCR, o->encr[i].id, o->encr[i].key_bits);
		for (i = 0; i < o->n_integ; i++)
			add(p, IKEV2_XFORM_INTEG, o->integ[i], 0);
		if (proto == IKEV2_PROTO_IKE)
			for (i = 0; i < o->n_prf; i++)
				add(p, IKEV2_XFORM_PRF, o->prf[i], 0);
		if (!(flags & SGW_IKE_PROP_IGNORE_DH))
			for (i = 0; i < o->n_dh; i++)
				add(p, IKEV2_XFORM_DH, o->dh[i], 0);
		if (proto == IKEV2_PROTO_ESP) {
			for (i = 0; i < o->n_esn; i++)
				add(p, IKEV2_XFORM_ESN, o->esn[i], 0);
			if (!o->n_esn)
				add(p, IKEV2_XFORM_ESN, IKEV2_ESN_NONE, 0);
		}
	}
	return 0;
}

void sgw_ike_choice_payload(const struct sgw_ike_choice *c, uint64_t spi,
			    uint8_t spi_size, struct sgw_ike_sa_pld *out)
{
	struct sgw_ike_prop *p = &out->prop[0];

	memset(out, 0, sizeof(*out));
	out->n_prop = 1;
	p->num = c->num;
	p->proto = c->proto;
	p->spi_size = spi_size;
	p->spi = spi;
	add(p, IKEV2_XFORM_ENCR, c->encr, c->key_bits);
	if (c->integ)
		add(p, IKEV2_XFORM_INTEG, c->integ, 0);
	if (c->proto == IKEV2_PROTO_IKE)
		add(p, IKEV2_XFORM_PRF, c->prf, 0);
	if (c->dh)
		add(p, IKEV2_XFORM_DH, c->dh, 0);
	if (c->proto == IKEV2_PROTO_ESP)
		add(p, IKEV2_XFORM_ESN, c->esn ? IKEV2_ESN_ESN : IKEV2_ESN_NONE, 0);
}

static const char *name(uint8_t type, uint16_t id)
{
	static const struct { uint8_t type; uint16_t id; const char *s; } t[] = {
		{ IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_CBC, "AES_CBC" },
		{ IKEV2_XFORM_ENCR, IKEV2_ENCR_AES_GCM_16, "AES_GCM_16" },
		{ IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128" },
		{ IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192" },
		{ IKEV2_XFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256" },
		{ IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256" },
		{ IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384" },
		{ IKEV2_XFORM_PRF, IKEV2_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512" },
		{ IKEV2_XFORM_DH, IKEV2_DH_MODP_2048, "MODP_2048" },
		{ IKEV2_XFORM_DH, IKEV2_DH_MODP_3072, "MODP_3072" },
		{ IKEV2_XFORM_DH, IKEV2_DH_ECP_256, "ECP_256" },
		{ IKEV2_XFORM_DH, IKEV2_DH_ECP_384, "ECP_384" },
		{ IKEV2_XFORM_DH, IKEV2_DH_CURVE25519, "CURVE_25519" },
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].type == type && t[i].id == id)
			return t[i].s;
	return "?";
}

const char *sgw_ike_choice_str(const struct sgw_ike_choice *c, char *buf, unsigned size)
{
	int n = snprintf(buf, size, "%s_%u", name(IKEV2_XFORM_ENCR, c->encr), c->key_bits);

	if (c->integ && n > 0 && (unsigned)n < size)
		n += snprintf(buf + n, size - (unsigned)n, "/%s", name(IKEV2_XFORM_INTEG, c->integ));
	if (c->prf && n > 0 && (unsigned)n < size)
		n += snprintf(buf + n, size - (unsigned)n, "/%s", name(IKEV2_XFORM_PRF, c->prf));
	if (c->dh && n > 0 && (unsigned)n < size)
		n += snprintf(buf + n, size - (unsigned)n, "/%s", name(IKEV2_XFORM_DH, c->dh));
	if (c->proto == IKEV2_PROTO_ESP && n > 0 && (unsigned)n < size)
		snprintf(buf + n, size - (unsigned)n, "/%s", c->esn ? "ESN" : "NO_EXT_SEQ");
	return buf;
}
