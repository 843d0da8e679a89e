/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration as the daemon uses it: conf.h's peers, pools and
 * children compiled once into offers, selector ranges and wire-form
 * identities (ike_int.h), so that the exchanges never parse strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ike_int.h"

static void offer_of(const struct sgw_conf_proposal *p, struct sgw_ike_offer *o)
{
	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; i < p->n_encr && i < SGW_IKE_OFFER_ALTS; i++) {
		o->encr[i].id = p->encr[i].id;
		o->encr[i].key_bits = p->encr[i].key_bits;
		o->n_encr++;
	}
	for (unsigned i = 0; i < p->n_integ && i < SGW_IKE_OFFER_ALTS; i++)
		o->integ[o->n_integ++] = p->integ[i];
	for (unsigned i = 0; i < p->n_prf && i < SGW_IKE_OFFER_ALTS; i++)
		o->prf[o->n_prf++] = p->prf[i];
	for (unsigned i = 0; i < p->n_dh && i < SGW_IKE_OFFER_ALTS; i++)
		o->dh[o->n_dh++] = p->dh[i];
	/* conf: noesn first when both are allowed (strongSwan's default). */
	if (p->noesn || !p->esn)
		o->esn[o->n_esn++] = IKEV2_ESN_NONE;
	if (p->esn)
		o->esn[o->n_esn++] = IKEV2_ESN_ESN;
}

static void id_of(const struct sgw_conf_id *c, struct ike_id *id)
{
	memset(id, 0, sizeof(*id));
	id->any = c->type == SGW_ID_ANY;
	id->suffix = c->wildcard;
	id->type = c->type;
	id->len = c->len;
	memcpy(id->data, c->data, c->len);
}

static void ts_of(const struct sgw_conf_ts *c, struct ike_cfg_ts *t)
{
	memset(t, 0, sizeof(*t));
	t->dynamic = c->dynamic;
	if (!c->dynamic)
		sgw_ike_ts_prefix(&t->sel, c->net.family, c->net.addr, c->net.len, c->proto,
				  c->port_lo, c->port_hi);
}

static int pool_of(const struct sgw_conf_pool *c, struct ike_pool *p)
{
	const unsigned n = c->family == AF_INET ? 4 : 16;
	uint64_t size = 0;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->family = c->family;
	memcpy(p->first, c->first, 16);
	memcpy(p->last, c->last, 16);
	/* last - first + 1, capped: a /64 is not handed out address by address. */
	for (unsigned i = 0; i < n; i++) {
		if (size > (1u << 20))
			break;
		size = size * 256 + c->last[i] - c->first[i];
	}
	size++;
	p->size = size > (1u << 20) ? (1u << 20) : (uint32_t)size;
	p->used = calloc(p->size, 1);
	if (!p->used)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n_dns && i < 4; i++) {
		p->dns[i].family = c->dns[i].family;
		memcpy(p->dns[i].a, c->dns[i].addr, 16);
		p->n_dns++;
	}
	return 0;
}

static void child_of(const struct sgw_conf_peer *pc, const struct sgw_conf_child *c,
		     struct ike_child_cfg *cc)
{
	const struct sgw_conf_proposal *esp = c->n_esp ? c->esp : pc->esp;
	const unsigned n_esp = c->n_esp ? c->n_esp : pc->n_esp;

	memset(cc, 0, sizeof(*cc));
	snprintf(cc->name, sizeof(cc->name), "%s", c->name);
	for (unsigned i = 0; i < c->n_local_ts && i < IKE_MAX_CFG_TS; i++)
		ts_of(&c->local_ts[i], &cc->local[cc->n_local++]);
	for (unsigned i = 0; i < c->n_remote_ts && i < IKE_MAX_CFG_TS; i++)
		ts_of(&c->remote_ts[i], &cc->remote[cc->n_remote++]);
	cc->transport = c->transport;
	cc->start = c->start;
	for (unsigned i = 0; i < n_esp && i < IKE_MAX_OFFERS; i++)
		offer_of(&esp[i], &cc->esp[cc->n_esp++]);
}

static int peer_of(const struct sgw_conf *c, const struct sgw_conf_peer *pc,
		   struct ike_peer *pe)
{
	memset(pe, 0, sizeof(*pe));
	pe->conf = pc;
	snprintf(pe->name, sizeof(pe->name), "%s", pc->name);
	pe->remote_any = pc->remote_any;
	pe->remote = pc->remote;
	pe->remote_port = pc->remote_port;
	pe->has_local = pc->has_local;
	pe->local_family = pc->local.family;
	memcpy(pe->local, pc->local.addr, 16);
	pe->initiate = pc->initiate;
	id_of(&pc->local_id, &pe->lid);
	id_of(&pc->remote_id, &pe->rid);
	pe->auth = pc->auth == SGW_AUTH_PSK ? IKE_AUTH_PSK : IKE_AUTH_PUBKEY;
	pe->remote_auth = pc->remote_auth == SGW_AUTH_PSK ? IKE_AUTH_PSK : IKE_AUTH_PUBKEY;
	for (unsigned i = 0; i < pc->n_ike && i < IKE_MAX_OFFERS; i++)
		offer_of(&pc->ike[i], &pe->ike[pe->n_ike++]);
	pe->ike_lifetime_ms = pc->ike_lifetime * 1000ull;
	pe->child_lifetime_ms = pc->child_lifetime * 1000ull;
	pe->child_bytes = pc->child_lifetime_bytes;
	pe->child_packets = pc->child_lifetime_packets;
	pe->dpd_ms = pc->dpd * 1000ull;
	pe->force_encap = pc->encap_force;
	pe->fragmentation = pc->fragmentation;
	for (unsigned i = 0; i < pc->n_pools; i++) {
		struct ike_pool *p = &ike.pools[pc->pool_idx[i]];

		if (p->family == AF_INET)
			pe->pool4 = p;
		else
			pe->pool6 = p;
	}
	for (unsigned i = 0; i < pc->n_children && i < IKE_MAX_CHILDREN; i++)
		child_of(pc, &pc->children[i], &pe->child[pe->n_children++]);
	(void)c;
	return ike_creds_load(pc, &pe->creds);
}

int ike_cfg_load(const struct sgw_conf *c)
{
	ike.set.cookie_threshold = c->ike.cookie_threshold;
	ike.set.half_open_per_source = c->ike.half_open_per_source;
	ike.set.half_open_timeout_ms = c->ike.half_open_timeout * 1000ull;
	ike.set.retransmit_timeout_ms = c->ike.retransmit_timeout * 1000ull;
	ike.set.retransmit_base = c->ike.retransmit_base;
	ike.set.retransmit_tries = c->ike.retransmit_tries;
	ike.set.fragment_size = c->ike.fragment_size;
	ike.set.max_sas = c->limits.ike_sas;
	ike.pools = calloc(c->n_pools ? c->n_pools : 1, sizeof(*ike.pools));
	ike.peers = calloc(c->n_peers ? c->n_peers : 1, sizeof(*ike.peers));
	ike.peer_state = calloc(c->n_peers ? c->n_peers : 1, sizeof(*ike.peer_state));
	if (!ike.pools || !ike.peers || !ike.peer_state)
		goto nomem;
	for (unsigned i = 0; i < c->n_pools; i++, ike.n_pools++)
		if (pool_of(&c->pools[i], &ike.pools[i]))
			goto nomem;
	for (unsigned i = 0; i < c->n_peers; i++, ike.n_peers++) {
		int ret = peer_of(c, &c->peers[i], &ike.peers[i]);

		if (ret) {
			ike_cfg_free();
			return ret;
		}
	}
	return 0;
nomem:
	ike_cfg_free();
	return -ENOMEM;
}

void ike_cfg_free(void)
{
	for (unsigned i = 0; i < ike.n_pools; i++)
		ike_pool_free(&ike.pools[i]);
	for (unsigned i = 0; ike.peers && i < ike.n_peers; i++)
		ike_creds_free(&ike.peers[i].creds);
	free(ike.pools);
	free(ike.peers);
	free(ike.peer_state);
	ike.peer_state = NULL;
	ike.pools = NULL;
	ike.peers = NULL;
	ike.n_pools = ike.n_peers = 0;
}

/* Two DER DNs name the same entity: compared attribute by attribute as
 * OpenSSL does, so string types may differ (strongSwan sends a DN it was
 * given as text with PrintableString where we write UTF8String). */
static bool dn_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	X509_NAME *na = d2i_X509_NAME(NULL, &pa, (long)alen);
	X509_NAME *nb = d2i_X509_NAME(NULL, &pb, (long)blen);
	bool eq = na && nb && pa == a + alen && pb == b + blen && !X509_NAME_cmp(na, nb);

	X509_NAME_free(na);
	X509_NAME_free(nb);
	ERR_clear_error();
	return eq;
}

static bool id_eq(uint8_t type, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (type == IKEV2_ID_DER_ASN1_DN)
		return dn_eq(a, alen, b, blen);
	return alen == blen && !memcmp(a, b, alen);
}

const uint8_t *ike_cfg_psk(uint8_t type, const uint8_t *id, size_t len, size_t *klen)
{
	const struct sgw_conf_secret *s = sgw_conf_find_psk(ike.conf, type, id, len);

	for (unsigned i = 0; !s && type == IKEV2_ID_DER_ASN1_DN && i < ike.conf->n_secrets; i++)
		for (unsigned k = 0; k < ike.conf->secrets[i].n_ids; k++) {
			const struct sgw_conf_id *x = &ike.conf->secrets[i].ids[k];

			if (x->type == type && dn_eq(x->data, x->len, id, len)) {
				s = &ike.conf->secrets[i];
				break;
			}
		}
	if (!s)
		return NULL;
	*klen = s->len;
	return s->secret;
}

bool ike_id_match(const struct ike_id *want, uint8_t type, const uint8_t *d, size_t len)
{
	if (want->any)
		return true;
	if (want->type != type)
		return false;
	if (want->suffix)
		return len >= want->len && !memcmp(d + len - want->len, want->data, want->len);
	return id_eq(type, want->data, want->len, d, len);
}
