/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual address pools (RFC 7296 2.19). An identity keeps its address
 * across rekeys and reconnects: a released lease is remembered and handed
 * out to others only when no never-used address is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike_int.h"

struct ike_lease {
	struct ike_lease *next;
	uint32_t idx;                /* offset from the pool's first address */
	bool online;
	uint16_t idlen;
	uint8_t id[255];
};

enum { FREE = 0, LEASED = 1, REMEMBERED = 2 };

static unsigned alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* first + idx, big-endian arithmetic over the address bytes. */
static void addr_at(const struct ike_pool *p, uint32_t idx, uint8_t *out)
{
	unsigned n = alen(p->family), carry = 0;
	uint64_t add = idx;

	memset(out, 0, 16);
	for (unsigned i = n; i-- > 0;) {
		unsigned v = p->first[i] + (unsigned)(add & 0xff) + carry;

		out[i] = (uint8_t)v;
		carry = v >> 8;
		add >>= 8;
	}
}

/* a - first, when a lies in the pool. */
static bool idx_of(const struct ike_pool *p, const uint8_t *a, uint32_t *idx)
{
	unsigned n = alen(p->family), borrow = 0;
	uint8_t d[16];
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;) {
		int x = (int)a[i] - (int)p->first[i] - (int)borrow;

		borrow = x < 0;
		d[i] = (uint8_t)(x + (borrow ? 256 : 0));
	}
	if (borrow)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (i + 8 < n && d[i])
			return false;           /* far beyond any pool size */
		if (i + 8 >= n)
			v = v << 8 | d[i];
	}
	if (v >= p->size)
		return false;
	*idx = (uint32_t)v;
	return true;
}

int ike_pool_lease(struct ike_pool *p, const uint8_t *id, size_t idlen, uint8_t *addr)
{
	struct ike_lease *l, *old = NULL;
	uint32_t i;

	if (idlen > sizeof(l->id))
		return -EINVAL;
	for (l = p->leases; l; l = l->next)
		if (l->idlen == idlen && !memcmp(l->id, id, idlen))
			break;
	if (!l) {
		for (i = 0; i < p->size && p->used[i] != FREE; i++)
			;
		if (i == p->size) {
			/* Full: the oldest remembered lease of someone else goes. */
			for (struct ike_lease *x = p->leases; x; x = x->next)
				if (!x->online)
					old = x;
			if (!old)
				return -ENOSPC;
			l = old;
		} else {
			l = calloc(1, sizeof(*l));
			if (!l)
				return -ENOMEM;
			l->idx = i;
			l->next = p->leases;
			p->leases = l;
		}
		l->idlen = (uint16_t)idlen;
		memcpy(l->id, id, idlen);
	}
	l->online = true;
	p->used[l->idx] = LEASED;
	addr_at(p, l->idx, addr);
	return 0;
}

void ike_pool_release(struct ike_pool *p, const uint8_t *addr)
{
	uint32_t idx;

	if (!idx_of(p, addr, &idx))
		return;
	for (struct ike_lease *l = p->leases; l; l = l->next)
		if (l->idx == idx) {
			l->online = false;
			p->used[idx] = REMEMBERED;
		}
}

void ike_pool_free(struct ike_pool *p)
{
	while (p->leases) {
		struct ike_lease *l = p->leases;

		p->leases = l->next;
		free(l);
	}
	free(p->used);
	p->used = NULL;
}
