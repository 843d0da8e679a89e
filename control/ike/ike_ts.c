/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selector arithmetic. Addresses are big-endian byte arrays; the
 * range maths is done on unsigned 128-bit integers, IPv4 in the low 32
 * bits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ike_ts.h"

typedef unsigned __int128 u128;

static unsigned alen(uint8_t type)
{
	return type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

static u128 to_int(const uint8_t *a, unsigned n)
{
	u128 v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | a[i];
	return v;
}

static void from_int(u128 v, uint8_t *a, unsigned n)
{
	for (unsigned i = n; i-- > 0; v >>= 8)
		a[i] = (uint8_t)v;
}

void sgw_ike_ts_prefix(struct sgw_ike_ts_sel *s, int family, const uint8_t *addr,
		       unsigned len, uint8_t proto, uint16_t lo, uint16_t hi)
{
	const unsigned n = family == AF_INET ? 4 : 16, bits = n * 8;
	u128 a = to_int(addr, n), host;

	memset(s, 0, sizeof(*s));
	s->type = family == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
	s->proto = proto;
	s->start_port = lo;
	s->end_port = hi;
	if (len > bits)
		len = bits;
	host = len == bits ? 0 : (len == 0 && bits == 128) ? ~(u128)0 :
	       (((u128)1 << (bits - len)) - 1);
	from_int(a & ~host, s->start, n);
	from_int((a | host) & (bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1)), s->end, n);
}

bool sgw_ike_ts_intersect(const struct sgw_ike_ts_sel *a,
			  const struct sgw_ike_ts_sel *b, struct sgw_ike_ts_sel *out)
{
	const unsigned n = alen(a->type);
	u128 lo, hi;

	if (a->type != b->type)
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	lo = to_int(a->start, n) > to_int(b->start, n) ? to_int(a->start, n) : to_int(b->start, n);
	hi = to_int(a->end, n) < to_int(b->end, n) ? to_int(a->end, n) : to_int(b->end, n);
	if (lo > hi)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->proto = a->proto ? a->proto : b->proto;
	out->start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	out->end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (out->start_port > out->end_port)
		return false;
	from_int(lo, out->start, n);
	from_int(hi, out->end, n);
	return true;
}

static bool same(const struct sgw_ike_ts_sel *a, const struct sgw_ike_ts_sel *b)
{
	return a->type == b->type && a->proto == b->proto &&
	       a->start_port == b->start_port && a->end_port == b->end_port &&
	       !memcmp(a->start, b->start, 16) && !memcmp(a->end, b->end, 16);
}

int sgw_ike_ts_narrow(const struct sgw_ike_ts_pld *peer,
		      const struct sgw_ike_ts_sel *ours, unsigned n_ours,
		      struct sgw_ike_ts_pld *out)
{
	struct sgw_ike_ts_sel x;
	bool full = false;

	out->n_ts = 0;
	for (unsigned i = 0; i < peer->n_ts; i++) {
		for (unsigned j = 0; j < n_ours; j++) {
			unsigned k;

			if (!sgw_ike_ts_intersect(&peer->ts[i], &ours[j], &x))
				continue;
			for (k = 0; k < out->n_ts && !same(&out->ts[k], &x); k++)
				;
			if (k < out->n_ts)
				continue;
			if (out->n_ts == SGW_IKE_MAX_TS) {
				full = true;
				continue;
			}
			out->ts[out->n_ts++] = x;
		}
	}
	if (!out->n_ts)
		return -ENOENT;
	return full ? -E2BIG : 0;
}

static bool inside(const struct sgw_ike_ts_sel *s, const struct sgw_ike_ts_sel *in)
{
	const unsigned n = alen(s->type);

	return s->type == in->type && (!in->proto || in->proto == s->proto) &&
	       s->start_port >= in->start_port && s->end_port <= in->end_port &&
	       to_int(s->start, n) >= to_int(in->start, n) &&
	       to_int(s->end, n) <= to_int(in->end, n);
}

bool sgw_ike_ts_within(const struct sgw_ike_ts_pld *sub,
		       const struct sgw_ike_ts_pld *sup)
{
	for (unsigned i = 0; i < sub->n_ts; i++) {
		unsigned j;

		for (j = 0; j < sup->n_ts && !inside(&sub->ts[i], &sup->ts[j]); j++)
			;
		if (j == sup->n_ts)
			return false;
	}
	return true;
}

int sgw_ike_ts_prefixes(const struct sgw_ike_ts_sel *s, uint8_t (*addr)[16],
			uint8_t *len, unsigned max)
{
	const unsigned n = alen(s->type), bits = n * 8;
	u128 lo = to_int(s->start, n), hi = to_int(s->end, n);
	unsigned count = 0;

	for (;;) {
		unsigned size = 0;   /* host bits of the largest block at lo */

		while (size < bits && !(lo & ((u128)1 << size)) &&
		       (size + 1 == 128 ? (hi == ~(u128)0 && lo == 0) :
			lo + (((u128)1 << (size + 1)) - 1) <= hi))
			size++;
		if (count == max)
			return -E2BIG;
		memset(addr[count], 0, 16);
		from_int(lo, addr[count], n);
		len[count++] = (uint8_t)(bits - size);
		if (size == 128 || lo + (((u128)1 << size) - 1) >= hi)
			break;
		lo += (u128)1 << size;
	}
	return (int)count;
}

const char *sgw_ike_ts_str(const struct sgw_ike_ts_sel *s, char *buf, unsigned size)
{
	const int fam = s->type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ports[32] = "";
	uint8_t pa[8][16], pl[8];
	int np = sgw_ike_ts_prefixes(s, pa, pl, 8);

	inet_ntop(fam, s->start, a, sizeof(a));
	inet_ntop(fam, s->end, b, sizeof(b));
	if (s->proto || s->start_port != 0 || s->end_port != 65535) {
		if (s->start_port == 0 && s->end_port == 65535)
			snprintf(ports, sizeof(ports), "[%u]", s->proto);
		else if (s->start_port == s->end_port)
			snprintf(ports, sizeof(ports), "[%u/%u]", s->proto, s->start_port);
		else
			snprintf(ports, sizeof(ports), "[%u/%u-%u]", s->proto,
				 s->start_port, s->end_port);
	}
	if (np == 1)
		snprintf(buf, size, "%s/%u%s", a, pl[0], ports);
	else
		snprintf(buf, size, "%s-%s%s", a, b, ports);
	return buf;
}
