/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message codec. Every structure is validated before it is read, in
 * the order of OpenBSD iked: room for the header, the header's length at
 * least the header, room for that length, then the fields. Reserved fields
 * and bits are ignored on receipt and sent as zero (RFC 7296 3.1, 3.2).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "ike_payload.h"

#define GEN_HLEN  sizeof(struct ikev2_pld_hdr)
#define PLD_MAX   65535u           /* a payload's 16-bit length */
#define NO_NEXT   SIZE_MAX         /* sgw_ike_buf.next_off before any payload */

/* Why the last failure on this thread happened. Thread-local: written and
 * read only by the thread that called us, so no one else can race it. */
static _Thread_local const char *last_why = "";

static int fail(int err, const char *why)
{
	last_why = why;
	return err;
}

#define BAD(why) fail(-EINVAL, why)
#define BIG(why) fail(-E2BIG, why)

const char *sgw_ike_why(void)
{
	return last_why;
}

static uint64_t get_spi(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | *p++;
	return v;
}

static void put_spi(uint8_t *p, uint64_t v, unsigned size)
{
	while (size--) {
		p[size] = (uint8_t)v;
		v >>= 8;
	}
}

/* memcpy() with a NULL source is undefined even for 0 bytes. */
static void put(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* ================================================================= chains */

static bool known_type(uint8_t t)
{
	return (t >= IKEV2_PLD_SA && t <= IKEV2_PLD_EAP) || t == IKEV2_PLD_SKF;
}

static bool is_encrypted(uint8_t t)
{
	return t == IKEV2_PLD_SK || t == IKEV2_PLD_SKF;
}

/* The chain of payloads in base[off..end) whose first type is type. */
static int walk(const uint8_t *base, size_t off, size_t end, uint8_t type,
		bool inner, struct sgw_ike_msg *m)
{
	while (type != IKEV2_PLD_NONE) {
		const struct ikev2_pld_hdr *g = (const void *)(base + off);
		struct sgw_ike_pld *p;
		size_t plen;

		if (m->n == SGW_IKE_MAX_PLD)
			return BIG("chain: too many payloads");
		if (end - off < GEN_HLEN)
			return BAD("chain: payload header truncated");
		plen = be16toh(g->length);
		/* Peer lies about the payload length. */
		if (plen < GEN_HLEN)
			return BAD("chain: payload length below its header");
		if (plen > end - off)
			return BAD("chain: payload overruns the message");
		p = &m->pld[m->n++];
		p->type = type;
		p->critical = g->critical & IKEV2_CRITICAL;
		p->next = g->next;
		p->len = (uint16_t)(plen - GEN_HLEN);
		p->off = (uint32_t)off;
		p->body = base + off + GEN_HLEN;
		off += plen;
		if (is_encrypted(type)) {
			/* RFC 7296 3.14, RFC 7383 2.5: SK and SKF come last, and
			 * their Next Payload field starts the inner chain. */
			if (inner)
				return BAD("chain: encrypted payload inside SK");
			if (off != end)
				return BAD("chain: encrypted payload not last");
			return 0;
		}
		type = g->next;
	}
	if (off != end)
		return BAD("chain: bytes after the last payload");
	return 0;
}

int sgw_ike_msg_parse(const uint8_t *buf, size_t len, struct sgw_ike_msg *m)
{
	const struct ikev2_hdr *h = (const void *)buf;
	struct sgw_ike_hdr *x = &m->hdr;
	int ret;

	memset(x, 0, sizeof(*x));
	m->n = 0;
	if (len < sizeof(*h))
		return BAD("header: truncated");
	if (len > SGW_IKE_MSG_MAX)
		return BIG("header: message too long");
	x->ispi = be64toh(h->ispi);
	x->rspi = be64toh(h->rspi);
	x->next = h->next;
	x->version = h->version;
	x->exchange = h->exchange;
	x->flags = h->flags;
	x->msgid = be32toh(h->msgid);
	x->length = be32toh(h->length);
	/* RFC 7296 2.5: a higher major version is answered, not just dropped. */
	if (IKEV2_MAJOR(h->version) > IKEV2_MAJOR(IKEV2_VERSION))
		return fail(-EPROTONOSUPPORT, "header: major version above 2");
	if (IKEV2_MAJOR(h->version) < IKEV2_MAJOR(IKEV2_VERSION))
		return BAD("header: major version below 2");
	if (x->length != len)
		return BAD("header: length field differs from the datagram");
	ret = walk(buf, sizeof(*h), len, h->next, false, m);
	if (ret < 0)
		m->n = 0;
	return ret;
}

int sgw_ike_chain_parse(uint8_t first, const uint8_t *body, size_t len,
			struct sgw_ike_msg *m)
{
	int ret;

	m->n = 0;
	if (len > UINT32_MAX)
		return BIG("chain: too long");
	ret = walk(body, 0, len, first, true, m);
	if (ret < 0)
		m->n = 0;
	return ret;
}

uint8_t sgw_ike_msg_unknown_critical(const struct sgw_ike_msg *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pld[i].critical && !known_type(m->pld[i].type))
			return m->pld[i].type;
	return IKEV2_PLD_NONE;
}

/* ============================================================ SA (3.3) */

/* One transform of n (the i-th) in p[0..left). */
static int dec_xform(const uint8_t *p, size_t left, unsigned i, unsigned n,
		     struct sgw_ike_xform *x, size_t *used)
{
	const struct ikev2_xform *t = (const void *)p;
	size_t tlen, a;

	if (left == 0)
		return BAD("sa: fewer transforms than announced");
	if (left < sizeof(*t))
		return BAD("sa: transform truncated");
	tlen = be16toh(t->length);
	if (tlen < sizeof(*t) || tlen > left)
		return BAD("sa: transform length");
	if (t->last != IKEV2_XFORM_LAST && t->last != IKEV2_XFORM_MORE)
		return BAD("sa: transform last-substructure marker");
	if (t->last == IKEV2_XFORM_MORE && i + 1 == n)
		return BAD("sa: more transforms than announced");
	if (t->last == IKEV2_XFORM_LAST && i + 1 < n)
		return BAD("sa: fewer transforms than announced");
	x->type = t->type;
	x->id = be16toh(t->id);
	x->keylen = 0;
	/* RFC 7296 3.3.5: Key Length is the only attribute, and it is TV. */
	for (a = sizeof(*t); a < tlen; a += sizeof(struct ikev2_attr)) {
		const struct ikev2_attr *at = (const void *)(p + a);
		uint16_t type;

		if (tlen - a < sizeof(*at))
			return BAD("sa: transform attribute truncated");
		type = be16toh(at->type);
		if ((type & ~IKEV2_ATTR_TV) != IKEV2_ATTR_KEY_LENGTH)
			return BAD("sa: unknown transform attribute");
		if (!(type & IKEV2_ATTR_TV))
			return BAD("sa: key length in TLV form");
		if (x->keylen)
			return BAD("sa: key length given twice");
		x->keylen = be16toh(at->value);
		if (!x->keylen)
			return BAD("sa: key length 0");
	}
	*used = tlen;
	return 0;
}

static bool spi_size_fits(uint8_t proto, uint8_t size)
{
	/* RFC 7296 3.3.1: none in IKE_SA_INIT, the IKE SPI when rekeying it. */
	if (proto == IKEV2_PROTO_IKE)
		return size == 0 || size == 8;
	return size == 4;
}

static int dec_prop(const uint8_t *p, size_t left, struct sgw_ike_prop *pr,
		    size_t *used)
{
	const struct ikev2_prop *h = (const void *)p;
	size_t plen, off, tlen;
	int ret;

	if (left < sizeof(*h))
		return BAD("sa: proposal truncated");
	plen = be16toh(h->length);
	if (plen < sizeof(*h) || plen > left)
		return BAD("sa: proposal length");
	if (h->proto != IKEV2_PROTO_IKE && h->proto != IKEV2_PROTO_AH &&
	    h->proto != IKEV2_PROTO_ESP)
		return BAD("sa: unknown protocol ID");
	if (!spi_size_fits(h->proto, h->spi_size))
		return BAD("sa: SPI size does not fit the protocol");
	if (plen - sizeof(*h) < h->spi_size)
		return BAD("sa: proposal shorter than its SPI");
	if (h->n_xform == 0)
		return BAD("sa: proposal without transforms");
	if (h->n_xform > SGW_IKE_MAX_XFORMS)
		return BIG("sa: too many transforms");
	pr->num = h->num;
	pr->proto = h->proto;
	pr->spi_size = h->spi_size;
	pr->spi = get_spi(p + sizeof(*h), h->spi_size);
	pr->n_xform = h->n_xform;
	off = sizeof(*h) + h->spi_size;
	for (unsigned i = 0; i < h->n_xform; i++, off += tlen) {
		ret = dec_xform(p + off, plen - off, i, h->n_xform, &pr->xform[i],
				&tlen);
		if (ret < 0)
			return ret;
	}
	if (off != plen)
		return BAD("sa: bytes after the last transform");
	*used = plen;
	return 0;
}

int sgw_ike_dec_sa(const struct sgw_ike_pld *p, struct sgw_ike_sa_pld *sa)
{
	size_t off = 0, used;
	uint8_t last = IKEV2_PROP_MORE;
	int ret;

	sa->n_prop = 0;
	if (p->len == 0)
		return BAD("sa: no proposal");
	while (off < p->len) {
		struct sgw_ike_prop *pr = &sa->prop[sa->n_prop];

		if (last == IKEV2_PROP_LAST)
			return BAD("sa: bytes after the last proposal");
		if (sa->n_prop == SGW_IKE_MAX_PROPS)
			return BIG("sa: too many proposals");
		ret = dec_prop(p->body + off, p->len - off, pr, &used);
		if (ret < 0)
			return ret;
		last = p->body[off];
		if (last != IKEV2_PROP_LAST && last != IKEV2_PROP_MORE)
			return BAD("sa: proposal last-substructure marker");
		/* RFC 7296 3.3.1: numbered 1, 2, ...; a reply holds just the
		 * one chosen, with its number. */
		if (pr->num == 0 || (sa->n_prop && pr->num != pr[-1].num + 1) ||
		    (sa->n_prop == 1 && pr[-1].num != 1))
			return BAD("sa: proposal numbers not 1, 2, ...");
		sa->n_prop++;
		off += used;
	}
	if (last != IKEV2_PROP_LAST)
		return BAD("sa: last proposal marked as followed by more");
	return 0;
}

/* ====================================================== KE, ID, ... (3.4-3.9) */

/* Public value length per group (RFC 7296 B, RFC 3526, RFC 5903 7,
 * RFC 8031 3.1); 0 when the group is not one we know. */
static size_t ke_len(uint16_t group)
{
	switch (group) {
	case IKEV2_DH_MODP_1024:  return 128;
	case IKEV2_DH_MODP_1536:  return 192;
	case IKEV2_DH_MODP_2048:  return 256;
	case IKEV2_DH_MODP_3072:  return 384;
	case IKEV2_DH_MODP_4096:  return 512;
	case IKEV2_DH_MODP_6144:  return 768;
	case IKEV2_DH_MODP_8192:  return 1024;
	case IKEV2_DH_ECP_256:    return 64;
	case IKEV2_DH_ECP_384:    return 96;
	case IKEV2_DH_ECP_521:    return 132;
	case IKEV2_DH_CURVE25519: return 32;
	case IKEV2_DH_CURVE448:   return 56;
	default:                  return 0;
	}
}

int sgw_ike_dec_ke(const struct sgw_ike_pld *p, struct sgw_ike_ke_pld *ke)
{
	const struct ikev2_ke *h = (const void *)p->body;
	size_t want;

	if (p->len < sizeof(*h))
		return BAD("ke: truncated");
	ke->group = be16toh(h->group);
	ke->data = p->body + sizeof(*h);
	ke->len = (uint16_t)(p->len - sizeof(*h));
	if (ke->len == 0)
		return BAD("ke: no key exchange data");
	/* An unknown group still decodes: the answer is INVALID_KE_PAYLOAD. */
	want = ke_len(ke->group);
	if (want && ke->len != want)
		return BAD("ke: data length does not fit the group");
	return 0;
}

int sgw_ike_dec_id(const struct sgw_ike_pld *p, struct sgw_ike_id_pld *id)
{
	const struct ikev2_id *h = (const void *)p->body;

	if (p->len < sizeof(*h))
		return BAD("id: truncated");
	id->type = h->type;
	id->data = p->body + sizeof(*h);
	id->len = (uint16_t)(p->len - sizeof(*h));
	switch (id->type) {
	case IKEV2_ID_IPV4_ADDR:
		return id->len == 4 ? 0 : BAD("id: IPv4 address not 4 octets");
	case IKEV2_ID_IPV6_ADDR:
		return id->len == 16 ? 0 : BAD("id: IPv6 address not 16 octets");
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
	case IKEV2_ID_DER_ASN1_DN:
	case IKEV2_ID_DER_ASN1_GN:
	case IKEV2_ID_KEY_ID:
		return id->len ? 0 : BAD("id: empty identity");
	default:
		return 0; /* ID_NULL and types we do not know: the caller's call */
	}
}

int sgw_ike_dec_cert(const struct sgw_ike_pld *p, struct sgw_ike_cert_pld *c)
{
	if (p->len < sizeof(struct ikev2_cert))
		return BAD("cert: truncated");
	c->encoding = p->body[0];
	c->data = p->body + sizeof(struct ikev2_cert);
	c->len = (uint16_t)(p->len - sizeof(struct ikev2_cert));
	/* An empty CERTREQ asks for any CA (RFC 7296 3.7); a CERT has one. */
	if (p->type == IKEV2_PLD_CERT && c->len == 0)
		return BAD("cert: no certificate data");
	return 0;
}

int sgw_ike_dec_auth(const struct sgw_ike_pld *p, struct sgw_ike_auth_pld *a)
{
	const struct ikev2_auth *h = (const void *)p->body;

	memset(a, 0, sizeof(*a));
	if (p->len < sizeof(*h))
		return BAD("auth: truncated");
	a->method = h->method;
	a->data = p->body + sizeof(*h);
	a->len = (uint16_t)(p->len - sizeof(*h));
	if (a->len == 0)
		return BAD("auth: no authentication data");
	if (a->method != IKEV2_AUTH_DIGITAL_SIGNATURE)
		return 0;
	/* RFC 7427 3: one octet of length, the AlgorithmIdentifier, then a
	 * signature; the peer lies about the first length. */
	a->alg_len = a->data[0];
	if (a->alg_len == 0 || 1u + a->alg_len >= a->len)
		return BAD("auth: AlgorithmIdentifier overruns the data");
	a->alg = a->data + 1;
	a->sig = a->alg + a->alg_len;
	a->sig_len = (uint16_t)(a->len - 1 - a->alg_len);
	return 0;
}

int sgw_ike_dec_nonce(const struct sgw_ike_pld *p, struct sgw_ike_nonce_pld *n)
{
	n->data = p->body;
	n->len = p->len;
	if (p->len < IKEV2_NONCE_MIN || p->len > IKEV2_NONCE_MAX)
		return BAD("nonce: not 16 to 256 octets");
	return 0;
}

/* ============================================== Notify, Delete (3.10, 3.11) */

int sgw_ike_dec_notify(const struct sgw_ike_pld *p, struct sgw_ike_notify_pld *n)
{
	const struct ikev2_notify *h = (const void *)p->body;

	if (p->len < sizeof(*h))
		return BAD("notify: truncated");
	if (h->spi_size != 0 && h->spi_size != 4 && h->spi_size != 8)
		return BAD("notify: SPI size not 0, 4 or 8");
	if (p->len - sizeof(*h) < h->spi_size)
		return BAD("notify: SPI overruns the payload");
	n->proto = h->proto;
	n->spi_size = h->spi_size;
	n->type = be16toh(h->type);
	n->spi = get_spi(p->body + sizeof(*h), h->spi_size);
	n->data = p->body + sizeof(*h) + h->spi_size;
	n->len = (uint16_t)(p->len - sizeof(*h) - h->spi_size);
	return 0;
}

int sgw_ike_dec_delete(const struct sgw_ike_pld *p, struct sgw_ike_delete_pld *d)
{
	const struct ikev2_delete *h = (const void *)p->body;

	if (p->len < sizeof(*h))
		return BAD("delete: truncated");
	d->proto = h->proto;
	d->spi_size = h->spi_size;
	d->n_spi = be16toh(h->n_spi);
	d->spis = p->body + sizeof(*h);
	switch (d->proto) {
	case IKEV2_PROTO_IKE:
		/* RFC 7296 3.11: the IKE SA is named by the header's SPIs. */
		if (d->spi_size != 0 || d->n_spi != 0)
			return BAD("delete: IKE delete with SPIs");
		break;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		if (d->spi_size != 4)
			return BAD("delete: SPI size does not fit the protocol");
		break;
	default:
		return BAD("delete: unknown protocol ID");
	}
	if (p->len - sizeof(*h) != (size_t)d->n_spi * d->spi_size)
		return BAD("delete: SPI count does not match the length");
	return 0;
}

/* ==================================================== Traffic selectors (3.13) */

static size_t ts_addr_len(uint8_t type)
{
	return type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 :
	       type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 0;
}

static int dec_sel(const uint8_t *p, size_t left, struct sgw_ike_ts_sel *s,
		   size_t *used)
{
	const struct ikev2_ts *h = (const void *)p;
	size_t alen, slen;

	if (left < sizeof(*h))
		return BAD("ts: selector truncated");
	alen = ts_addr_len(h->type);
	if (!alen)
		return BAD("ts: unknown selector type");
	slen = be16toh(h->length);
	if (slen != sizeof(*h) + 2 * alen)
		return BAD("ts: selector length does not fit its type");
	if (slen > left)
		return BAD("ts: selector overruns the payload");
	memset(s, 0, sizeof(*s));
	s->type = h->type;
	s->proto = h->proto;
	s->start_port = be16toh(h->start_port);
	s->end_port = be16toh(h->end_port);
	memcpy(s->start, p + sizeof(*h), alen);
	memcpy(s->end, p + sizeof(*h) + alen, alen);
	if (memcmp(s->start, s->end, alen) > 0)
		return BAD("ts: start address above end address");
	/* RFC 7296 3.13.1: start 65535, end 0 means OPAQUE ports. */
	if (s->start_port > s->end_port &&
	    !(s->start_port == 65535 && s->end_port == 0))
		return BAD("ts: start port above end port");
	*used = slen;
	return 0;
}

int sgw_ike_dec_ts(const struct sgw_ike_pld *p, struct sgw_ike_ts_pld *ts)
{
	const struct ikev2_ts_hdr *h = (const void *)p->body;
	size_t off = sizeof(*h), used;
	int ret;

	ts->n_ts = 0;
	if (p->len < sizeof(*h))
		return BAD("ts: truncated");
	if (h->n_ts == 0)
		return BAD("ts: no selectors");
	if (h->n_ts > SGW_IKE_MAX_TS)
		return BIG("ts: too many selectors");
	for (unsigned i = 0; i < h->n_ts; i++, off += used) {
		ret = dec_sel(p->body + off, p->len - off, &ts->ts[i], &used);
		if (ret < 0)
			return ret;
	}
	if (off != p->len)
		return BAD("ts: bytes after the last selector");
	ts->n_ts = h->n_ts;
	return 0;
}

/* ======================================================= Configuration (3.15) */

/* RFC 7296 3.15.1: values are empty in requests, else of a fixed length. */
static bool cp_len_ok(uint16_t type, uint16_t len)
{
	switch (type) {
	case IKEV2_CFG_INTERNAL_IP4_ADDRESS:
	case IKEV2_CFG_INTERNAL_IP4_NETMASK:
	case IKEV2_CFG_INTERNAL_IP4_DNS:
	case IKEV2_CFG_INTERNAL_IP4_NBNS:
	case IKEV2_CFG_INTERNAL_IP4_DHCP:
		return len == 0 || len == 4;
	case IKEV2_CFG_INTERNAL_IP6_ADDRESS:
	case IKEV2_CFG_INTERNAL_IP6_SUBNET:
		return len == 0 || len == 17;
	case IKEV2_CFG_INTERNAL_IP6_DNS:
	case IKEV2_CFG_INTERNAL_IP6_DHCP:
		return len == 0 || len == 16;
	case IKEV2_CFG_INTERNAL_IP4_SUBNET:
		return len == 0 || len == 8;
	case IKEV2_CFG_SUPPORTED_ATTRIBUTES:
		return len % 2 == 0;
	default:
		return true;
	}
}

int sgw_ike_dec_cp(const struct sgw_ike_pld *p, struct sgw_ike_cp_pld *cp)
{
	const struct ikev2_cp *h = (const void *)p->body;
	size_t off = sizeof(*h);

	cp->n_attr = 0;
	if (p->len < sizeof(*h))
		return BAD("cp: truncated");
	if (h->type < IKEV2_CFG_REQUEST || h->type > IKEV2_CFG_ACK)
		return BAD("cp: unknown configuration type");
	cp->type = h->type;
	while (off < p->len) {
		const struct ikev2_cp_attr *a = (const void *)(p->body + off);
		struct sgw_ike_cp_attr *x = &cp->attr[cp->n_attr];

		if (cp->n_attr == SGW_IKE_MAX_CP_ATTRS)
			return BIG("cp: too many attributes");
		if (p->len - off < sizeof(*a))
			return BAD("cp: attribute truncated");
		x->type = be16toh(a->type) & IKEV2_CP_ATTR_TYPE;
		x->len = be16toh(a->length);
		x->value = p->body + off + sizeof(*a);
		if (x->len > p->len - off - sizeof(*a))
			return BAD("cp: attribute overruns the payload");
		if (!cp_len_ok(x->type, x->len))
			return BAD("cp: attribute length does not fit its type");
		cp->n_attr++;
		off += sizeof(*a) + x->len;
	}
	return 0;
}

/* ================================================ Encrypted Fragment (RFC 7383) */

int sgw_ike_dec_skf(const struct sgw_ike_pld *p, struct sgw_ike_skf_pld *f)
{
	const struct ikev2_skf *h = (const void *)p->body;

	if (p->len < sizeof(*h))
		return BAD("skf: truncated");
	f->num = be16toh(h->num);
	f->total = be16toh(h->total);
	f->next = p->next;
	f->data = p->body + sizeof(*h);
	f->len = (uint16_t)(p->len - sizeof(*h));
	if (f->num == 0 || f->num > f->total)
		return BAD("skf: fragment number outside 1..total");
	/* RFC 7383 2.5: only the first fragment names the inner payload. */
	if (f->num != 1 && f->next != IKEV2_PLD_NONE)
		return BAD("skf: next payload set in a later fragment");
	return 0;
}

/* ================================================================ encoding */

static void set_err(struct sgw_ike_buf *b, int err, const char *why)
{
	if (!b->err) {
		b->err = err;
		last_why = why;
	}
}

void sgw_ike_buf_init(struct sgw_ike_buf *b, uint8_t *p, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = p;
	b->cap = cap;
	b->next_off = NO_NEXT;
}

static uint8_t *grow(struct sgw_ike_buf *b, size_t n)
{
	uint8_t *q;

	if (b->err)
		return NULL;
	if (n > b->cap - b->len) {
		set_err(b, -ENOBUFS, "enc: buffer full");
		return NULL;
	}
	q = b->p + b->len;
	b->len += n;
	return q;
}

uint8_t *sgw_ike_enc_reserve(struct sgw_ike_buf *b, size_t n)
{
	return grow(b, n);
}

void sgw_ike_enc_header(struct sgw_ike_buf *b, const struct sgw_ike_hdr *x)
{
	struct ikev2_hdr *h;

	if (!b->err && b->len)
		set_err(b, -EINVAL, "enc: header not first");
	h = (void *)grow(b, sizeof(*h));
	if (!h)
		return;
	h->ispi = htobe64(x->ispi);
	h->rspi = htobe64(x->rspi);
	h->next = IKEV2_PLD_NONE;
	h->version = IKEV2_VERSION;
	h->exchange = x->exchange;
	h->flags = x->flags;
	h->msgid = htobe32(x->msgid);
	h->length = 0;
	b->hdr = true;
	b->next_off = offsetof(struct ikev2_hdr, next);
}

/* A generic header with room for a body of blen bytes, appended but not
 * yet chained; returns the body, or NULL and b->err. */
static uint8_t *pld_open(struct sgw_ike_buf *b, size_t blen)
{
	struct ikev2_pld_hdr *g;

	if (!b->err && b->sealed)
		set_err(b, -EINVAL, "enc: payload after SK");
	if (!b->err && blen > PLD_MAX - GEN_HLEN)
		set_err(b, -E2BIG, "enc: payload longer than 65535 octets");
	g = (void *)grow(b, GEN_HLEN + blen);
	if (!g)
		return NULL;
	g->next = IKEV2_PLD_NONE;
	g->critical = 0;
	g->length = htobe16((uint16_t)(GEN_HLEN + blen));
	return (uint8_t *)(g + 1);
}

/* Makes the payload at off the next link of the chain. */
static void pld_link(struct sgw_ike_buf *b, uint8_t type, size_t off)
{
	if (b->next_off != NO_NEXT)
		b->p[b->next_off] = type;
	else
		b->first = type;
	b->next_off = off + offsetof(struct ikev2_pld_hdr, next);
}

/* The payload at off as a parsed chain would show it. */
static struct sgw_ike_pld view(const struct sgw_ike_buf *b, uint8_t type,
			       size_t off)
{
	return (struct sgw_ike_pld){
		.type = type,
		.next = b->p[off],
		.len = (uint16_t)(b->len - off - GEN_HLEN),
		.off = (uint32_t)off,
		.body = b->p + off + GEN_HLEN,
	};
}

/* Chains the payload written at off if its decoder (ret) accepted it; if not,
 * takes it back: we never send what we would reject. */
static void pld_close(struct sgw_ike_buf *b, uint8_t type, size_t off, int ret)
{
	if (ret < 0) {
		b->len = off;
		b->err = ret; /* sgw_ike_why() already says why */
		return;
	}
	pld_link(b, type, off);
}

static size_t prop_len(const struct sgw_ike_prop *pr)
{
	size_t n = sizeof(struct ikev2_prop) + pr->spi_size;

	for (unsigned j = 0; j < pr->n_xform; j++)
		n += sizeof(struct ikev2_xform) +
		     (pr->xform[j].keylen ? sizeof(struct ikev2_attr) : 0);
	return n;
}

static uint8_t *put_prop(uint8_t *q, const struct sgw_ike_prop *pr, bool last)
{
	struct ikev2_prop *h = (void *)q;

	h->last = last ? IKEV2_PROP_LAST : IKEV2_PROP_MORE;
	h->reserved = 0;
	h->length = htobe16((uint16_t)prop_len(pr));
	h->num = pr->num;
	h->proto = pr->proto;
	h->spi_size = pr->spi_size;
	h->n_xform = pr->n_xform;
	q += sizeof(*h);
	put_spi(q, pr->spi, pr->spi_size);
	q += pr->spi_size;
	for (unsigned j = 0; j < pr->n_xform; j++) {
		const struct sgw_ike_xform *x = &pr->xform[j];
		struct ikev2_xform *t = (void *)q;
		struct ikev2_attr *a = (void *)(t + 1);

		t->last = j + 1 == pr->n_xform ? IKEV2_XFORM_LAST : IKEV2_XFORM_MORE;
		t->reserved = t->reserved2 = 0;
		t->length = htobe16((uint16_t)(sizeof(*t) + (x->keylen ? sizeof(*a) : 0)));
		t->type = x->type;
		t->id = htobe16(x->id);
		q += sizeof(*t);
		if (x->keylen) {
			a->type = htobe16(IKEV2_ATTR_TV | IKEV2_ATTR_KEY_LENGTH);
			a->value = htobe16(x->keylen);
			q += sizeof(*a);
		}
	}
	return q;
}

void sgw_ike_enc_sa(struct sgw_ike_buf *b, const struct sgw_ike_sa_pld *sa)
{
	struct sgw_ike_sa_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len, len = 0;
	uint8_t *q;
	unsigned i;

	/* Bounds first: they keep us inside sa's arrays. */
	if (sa->n_prop > SGW_IKE_MAX_PROPS) {
		set_err(b, -E2BIG, "enc: too many proposals");
		return;
	}
	for (i = 0; i < sa->n_prop; i++) {
		if (sa->prop[i].n_xform > SGW_IKE_MAX_XFORMS) {
			set_err(b, -E2BIG, "enc: too many transforms");
			return;
		}
		if (sa->prop[i].spi_size > 8) {
			set_err(b, -EINVAL, "enc: SPI longer than 8 octets");
			return;
		}
		len += prop_len(&sa->prop[i]);
	}
	q = pld_open(b, len);
	if (!q)
		return;
	for (i = 0; i < sa->n_prop; i++)
		q = put_prop(q, &sa->prop[i], i + 1 == sa->n_prop);
	v = view(b, IKEV2_PLD_SA, off);
	pld_close(b, IKEV2_PLD_SA, off, sgw_ike_dec_sa(&v, &chk));
}

/* Payloads of a 4-octet header (type or number, 3 reserved) and data. */
static uint8_t *put_hdr4(struct sgw_ike_buf *b, uint8_t first, uint16_t data_len)
{
	uint8_t *q = pld_open(b, 4 + (size_t)data_len);

	if (q) {
		q[0] = first;
		q[1] = q[2] = q[3] = 0;
	}
	return q;
}

void sgw_ike_enc_ke(struct sgw_ike_buf *b, const struct sgw_ike_ke_pld *ke)
{
	struct sgw_ike_ke_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	struct ikev2_ke *h = (void *)pld_open(b, sizeof(*h) + (size_t)ke->len);

	if (!h)
		return;
	h->group = htobe16(ke->group);
	h->reserved = 0;
	put((uint8_t *)(h + 1), ke->data, ke->len);
	v = view(b, IKEV2_PLD_KE, off);
	pld_close(b, IKEV2_PLD_KE, off, sgw_ike_dec_ke(&v, &chk));
}

void sgw_ike_enc_id(struct sgw_ike_buf *b, uint8_t type,
		    const struct sgw_ike_id_pld *id)
{
	struct sgw_ike_id_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	uint8_t *q;

	if (type != IKEV2_PLD_IDI && type != IKEV2_PLD_IDR) {
		set_err(b, -EINVAL, "enc: ID payload type not IDi or IDr");
		return;
	}
	q = put_hdr4(b, id->type, id->len);
	if (!q)
		return;
	put(q + 4, id->data, id->len);
	v = view(b, type, off);
	pld_close(b, type, off, sgw_ike_dec_id(&v, &chk));
}

void sgw_ike_enc_cert(struct sgw_ike_buf *b, uint8_t type,
		      const struct sgw_ike_cert_pld *c)
{
	struct sgw_ike_cert_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	uint8_t *q;

	if (type != IKEV2_PLD_CERT && type != IKEV2_PLD_CERTREQ) {
		set_err(b, -EINVAL, "enc: payload type not CERT or CERTREQ");
		return;
	}
	q = pld_open(b, 1 + (size_t)c->len);
	if (!q)
		return;
	q[0] = c->encoding;
	put(q + 1, c->data, c->len);
	v = view(b, type, off);
	pld_close(b, type, off, sgw_ike_dec_cert(&v, &chk));
}

void sgw_ike_enc_auth(struct sgw_ike_buf *b, const struct sgw_ike_auth_pld *a)
{
	struct sgw_ike_auth_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	uint8_t *q = put_hdr4(b, a->method, a->len);

	if (!q)
		return;
	put(q + 4, a->data, a->len);
	v = view(b, IKEV2_PLD_AUTH, off);
	pld_close(b, IKEV2_PLD_AUTH, off, sgw_ike_dec_auth(&v, &chk));
}

void sgw_ike_enc_nonce(struct sgw_ike_buf *b, const struct sgw_ike_nonce_pld *n)
{
	struct sgw_ike_nonce_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	uint8_t *q = pld_open(b, n->len);

	if (!q)
		return;
	put(q, n->data, n->len);
	v = view(b, IKEV2_PLD_NONCE, off);
	pld_close(b, IKEV2_PLD_NONCE, off, sgw_ike_dec_nonce(&v, &chk));
}

void sgw_ike_enc_notify(struct sgw_ike_buf *b, const struct sgw_ike_notify_pld *n)
{
	struct sgw_ike_notify_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len;
	struct ikev2_notify *h;

	if (n->spi_size > 8) {
		set_err(b, -EINVAL, "enc: SPI longer than 8 octets");
		return;
	}
	h = (void *)pld_open(b, sizeof(*h) + n->spi_size + (size_t)n->len);
	if (!h)
		return;
	h->proto = n->proto;
	h->spi_size = n->spi_size;
	h->type = htobe16(n->type);
	put_spi((uint8_t *)(h + 1), n->spi, n->spi_size);
	put((uint8_t *)(h + 1) + n->spi_size, n->data, n->len);
	v = view(b, IKEV2_PLD_NOTIFY, off);
	pld_close(b, IKEV2_PLD_NOTIFY, off, sgw_ike_dec_notify(&v, &chk));
}

void sgw_ike_enc_delete(struct sgw_ike_buf *b, const struct sgw_ike_delete_pld *d)
{
	struct sgw_ike_delete_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len, n = (size_t)d->n_spi * d->spi_size;
	struct ikev2_delete *h = (void *)pld_open(b, sizeof(*h) + n);

	if (!h)
		return;
	h->proto = d->proto;
	h->spi_size = d->spi_size;
	h->n_spi = htobe16(d->n_spi);
	put((uint8_t *)(h + 1), d->spis, n);
	v = view(b, IKEV2_PLD_DELETE, off);
	pld_close(b, IKEV2_PLD_DELETE, off, sgw_ike_dec_delete(&v, &chk));
}

void sgw_ike_enc_ts(struct sgw_ike_buf *b, uint8_t type,
		    const struct sgw_ike_ts_pld *ts)
{
	struct sgw_ike_ts_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len, len = 0, alen;
	uint8_t *q;
	unsigned i;

	if (type != IKEV2_PLD_TSI && type != IKEV2_PLD_TSR) {
		set_err(b, -EINVAL, "enc: TS payload type not TSi or TSr");
		return;
	}
	if (ts->n_ts > SGW_IKE_MAX_TS) {
		set_err(b, -E2BIG, "enc: too many selectors");
		return;
	}
	for (i = 0; i < ts->n_ts; i++)
		len += sizeof(struct ikev2_ts) + 2 * ts_addr_len(ts->ts[i].type);
	q = put_hdr4(b, ts->n_ts, (uint16_t)len);
	if (!q)
		return;
	q += sizeof(struct ikev2_ts_hdr);
	for (i = 0; i < ts->n_ts; i++) {
		const struct sgw_ike_ts_sel *s = &ts->ts[i];
		struct ikev2_ts *h = (void *)q;

		alen = ts_addr_len(s->type);
		h->type = s->type;
		h->proto = s->proto;
		h->length = htobe16((uint16_t)(sizeof(*h) + 2 * alen));
		h->start_port = htobe16(s->start_port);
		h->end_port = htobe16(s->end_port);
		memcpy(q + sizeof(*h), s->start, alen);
		memcpy(q + sizeof(*h) + alen, s->end, alen);
		q += sizeof(*h) + 2 * alen;
	}
	v = view(b, type, off);
	pld_close(b, type, off, sgw_ike_dec_ts(&v, &chk));
}

void sgw_ike_enc_cp(struct sgw_ike_buf *b, const struct sgw_ike_cp_pld *cp)
{
	struct sgw_ike_cp_pld chk;
	struct sgw_ike_pld v;
	size_t off = b->len, len = 0;
	uint8_t *q;
	unsigned i;

	if (cp->n_attr > SGW_IKE_MAX_CP_ATTRS) {
		set_err(b, -E2BIG, "enc: too many CP attributes");
		return;
	}
	for (i = 0; i < cp->n_attr; i++) {
		if (cp->attr[i].type > IKEV2_CP_ATTR_TYPE) {
			set_err(b, -EINVAL, "enc: CP attribute type above 15 bits");
			return;
		}
		len += sizeof(struct ikev2_cp_attr) + cp->attr[i].len;
	}
	if (len > PLD_MAX) {
		set_err(b, -E2BIG, "enc: payload longer than 65535 octets");
		return;
	}
	q = put_hdr4(b, cp->type, (uint16_t)len);
	if (!q)
		return;
	q += sizeof(struct ikev2_cp);
	for (i = 0; i < cp->n_attr; i++) {
		const struct sgw_ike_cp_attr *a = &cp->attr[i];
		struct ikev2_cp_attr *h = (void *)q;

		h->type = htobe16(a->type);
		h->length = htobe16(a->len);
		put(q + sizeof(*h), a->value, a->len);
		q += sizeof(*h) + a->len;
	}
	v = view(b, IKEV2_PLD_CP, off);
	pld_close(b, IKEV2_PLD_CP, off, sgw_ike_dec_cp(&v, &chk));
}

void sgw_ike_enc_raw(struct sgw_ike_buf *b, uint8_t type, const uint8_t *body,
		     size_t len)
{
	size_t off = b->len;
	uint8_t *q;

	if (type == IKEV2_PLD_NONE || is_encrypted(type)) {
		set_err(b, -EINVAL, "enc: raw payload of type 0, SK or SKF");
		return;
	}
	q = pld_open(b, len);
	if (!q)
		return;
	put(q, body, len);
	pld_link(b, type, off);
}

/* ============================================================ SK and SKF */

static size_t enc_begin(struct sgw_ike_buf *b, uint8_t type, uint8_t inner,
			size_t blen)
{
	size_t off = b->len;

	if (!pld_open(b, blen))
		return off;
	b->p[off] = inner; /* the SK header's Next Payload starts the inner chain */
	pld_link(b, type, off);
	b->sealed = true;
	return off;
}

size_t sgw_ike_enc_sk_begin(struct sgw_ike_buf *b, uint8_t inner)
{
	return enc_begin(b, IKEV2_PLD_SK, inner, 0);
}

size_t sgw_ike_enc_skf_begin(struct sgw_ike_buf *b, uint8_t inner,
			     uint16_t num, uint16_t total)
{
	size_t off = b->len;
	struct ikev2_skf *h;

	if (num == 0 || num > total || (num != 1 && inner != IKEV2_PLD_NONE)) {
		set_err(b, -EINVAL, "enc: SKF fragment numbers");
		return off;
	}
	off = enc_begin(b, IKEV2_PLD_SKF, inner, sizeof(*h));
	if (b->err)
		return off;
	h = (void *)(b->p + off + GEN_HLEN);
	h->num = htobe16(num);
	h->total = htobe16(total);
	return off;
}

void sgw_ike_enc_patch_len(struct sgw_ike_buf *b, size_t off)
{
	struct ikev2_pld_hdr *g;

	if (b->err)
		return;
	if (off > b->len || b->len - off < GEN_HLEN) {
		set_err(b, -EINVAL, "enc: no payload at that offset");
		return;
	}
	if (b->len - off > PLD_MAX) {
		set_err(b, -E2BIG, "enc: payload longer than 65535 octets");
		return;
	}
	g = (void *)(b->p + off);
	g->length = htobe16((uint16_t)(b->len - off));
}

int sgw_ike_enc_finish(struct sgw_ike_buf *b)
{
	struct ikev2_hdr *h = (void *)b->p;

	if (!b->err && b->hdr) {
		if (b->len > SGW_IKE_MSG_MAX)
			set_err(b, -E2BIG, "enc: message longer than 65535 octets");
		else
			h->length = htobe32((uint32_t)b->len);
	}
	return b->err;
}
