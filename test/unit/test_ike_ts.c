/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors (RFC 7296 2.9, 3.13.1), table-driven: prefixes to
 * ranges, intersections both ways round, a road warrior's narrowing, the
 * initiator's within() check, ranges back to CIDR prefixes (checked by
 * exact coverage, not by count) and the string form. Selectors in the
 * tables are written as the string form is: "10.0.0.0/24[6/80-90]",
 * "10.0.0.1-10.0.0.9"; the test parses them itself, without ike_ts.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ike_ts.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXS 20                 /* selectors in one table row */

typedef unsigned __int128 u128;

/* ------------------------------------------------------------ helpers */

static unsigned alen(const struct sgw_ike_ts_sel *s)
{
	return s->type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

static u128 to_int(const uint8_t *a, unsigned n)
{
	u128 v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | a[i];
	return v;
}

/* "a.b.c.d" or an IPv6 address into 16 octets; returns the family. */
static int addr(const char *s, size_t n, uint8_t out[16])
{
	char tmp[INET6_ADDRSTRLEN];
	int fam = memchr(s, ':', n) ? AF_INET6 : AF_INET;

	assert_true(n < sizeof(tmp));
	memcpy(tmp, s, n);
	tmp[n] = 0;
	memset(out, 0, 16);
	if (inet_pton(fam, tmp, out) != 1)
		fail_msg("bad address in table: '%s'", tmp);
	return fam;
}

/* "ADDR/LEN" or "ADDR-ADDR", then "", "[P]", "[P/port]" or "[P/lo-hi]".
 * The prefix is masked here by octets, independently of ike_ts.c. */
static struct sgw_ike_ts_sel sel(const char *s)
{
	struct sgw_ike_ts_sel x;
	const char *br = strchr(s, '['), *end = br ? br : s + strlen(s);
	const char *slash = memchr(s, '/', (size_t)(end - s));
	const char *dash = memchr(s, '-', (size_t)(end - s));
	int fam;

	memset(&x, 0, sizeof(x));
	x.end_port = 65535;
	if (slash) {
		unsigned len = (unsigned)atoi(slash + 1), n;

		fam = addr(s, (size_t)(slash - s), x.start);
		n = fam == AF_INET ? 4 : 16;
		assert_true(len <= 8 * n);
		for (unsigned i = 0; i < n; i++) {
			unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
			uint8_t host = (uint8_t)(0xff >> keep);

			x.start[i] &= (uint8_t)~host;
			x.end[i] = x.start[i] | host;
		}
	} else if (dash) {
		fam = addr(s, (size_t)(dash - s), x.start);
		assert_int_equal(addr(dash + 1, (size_t)(end - dash - 1), x.end), fam);
	} else {
		fam = addr(s, (size_t)(end - s), x.start);
		memcpy(x.end, x.start, 16);
	}
	x.type = fam == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
	if (br) {
		unsigned p, lo, hi;

		if (sscanf(br, "[%u/%u-%u]", &p, &lo, &hi) == 3) {
			x.start_port = (uint16_t)lo;
			x.end_port = (uint16_t)hi;
		} else if (sscanf(br, "[%u/%u]", &p, &lo) == 2) {
			x.start_port = x.end_port = (uint16_t)lo;
		} else if (sscanf(br, "[%u]", &p) != 1) {
			fail_msg("bad selector in table: '%s'", s);
		}
		x.proto = (uint8_t)p;
	}
	return x;
}

/* An unambiguous rendering for failure messages (not sgw_ike_ts_str). */
static const char *show(const struct sgw_ike_ts_sel *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?", b[INET6_ADDRSTRLEN] = "?";
	int fam = s->type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;

	inet_ntop(fam, s->start, a, sizeof(a));
	inet_ntop(fam, s->end, b, sizeof(b));
	snprintf(buf, size, "type %u %s-%s proto %u ports %u-%u", s->type, a, b,
		 s->proto, s->start_port, s->end_port);
	return buf;
}

/* Every field, and for IPv4 the unused twelve octets too (they must be
 * zero: narrowing compares whole selectors to drop duplicates). */
static bool sel_eq(const struct sgw_ike_ts_sel *a, const struct sgw_ike_ts_sel *b)
{
	return a->type == b->type && a->proto == b->proto &&
	       a->start_port == b->start_port && a->end_port == b->end_port &&
	       !memcmp(a->start, b->start, 16) && !memcmp(a->end, b->end, 16);
}

static void expect_sel(const char *what, const struct sgw_ike_ts_sel *got,
		       const struct sgw_ike_ts_sel *want)
{
	char g[128], w[128];

	if (!sel_eq(got, want))
		fail_msg("%s: got %s, want %s", what, show(got, g, sizeof(g)),
			 show(want, w, sizeof(w)));
}

/* A TS payload from a NULL-terminated list of strings. */
static struct sgw_ike_ts_pld pld(const char *const *l)
{
	struct sgw_ike_ts_pld p;

	memset(&p, 0, sizeof(p));
	for (; *l; l++) {
		assert_true(p.n_ts < SGW_IKE_MAX_TS);
		p.ts[p.n_ts++] = sel(*l);
	}
	return p;
}

/* ------------------------------------------------ prefix to range */

struct prefix_case {
	const char *addr;
	unsigned len;
	uint8_t proto;
	uint16_t lo, hi;
	const char *want;       /* as a range */
};

static void test_prefix(void **st)
{
	static const struct prefix_case c[] = {
		{ "10.1.2.0", 24, 0, 0, 65535, "10.1.2.0-10.1.2.255" },
		{ "10.1.2.3", 24, 0, 0, 65535, "10.1.2.0-10.1.2.255" },  /* host bits set */
		{ "192.168.1.200", 25, 0, 0, 65535, "192.168.1.128-192.168.1.255" },
		{ "10.1.2.3", 31, 0, 0, 65535, "10.1.2.2-10.1.2.3" },
		{ "10.1.2.3", 32, 0, 0, 65535, "10.1.2.3-10.1.2.3" },
		{ "255.255.255.255", 32, 0, 0, 65535, "255.255.255.255-255.255.255.255" },
		{ "10.1.2.3", 33, 0, 0, 65535, "10.1.2.3-10.1.2.3" },    /* clamped */
		{ "10.1.2.3", 0, 0, 0, 65535, "0.0.0.0-255.255.255.255" },
		{ "0.0.0.0", 0, 0, 0, 65535, "0.0.0.0-255.255.255.255" },
		{ "10.1.2.3", 1, 0, 0, 65535, "0.0.0.0-127.255.255.255" },
		{ "200.1.2.3", 1, 0, 0, 65535, "128.0.0.0-255.255.255.255" },
		{ "172.31.255.255", 12, 0, 0, 65535, "172.16.0.0-172.31.255.255" },
		{ "10.1.2.3", 8, 6, 80, 90, "10.0.0.0-10.255.255.255[6/80-90]" },
		{ "10.1.2.3", 32, 17, 500, 500, "10.1.2.3-10.1.2.3[17/500]" },
		{ "2001:db8::", 32, 0, 0, 65535, "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "2001:db8::1", 64, 0, 0, 65535, "2001:db8::-2001:db8::ffff:ffff:ffff:ffff" },
		{ "2001:db8:1:2:3:4:5:6", 48, 0, 0, 65535,
		  "2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff" },
		{ "2001:db8:1:2:3:4:5:6", 65, 0, 0, 65535,
		  "2001:db8:1:2::-2001:db8:1:2:7fff:ffff:ffff:ffff" },
		{ "2001:db8::ff", 127, 0, 0, 65535, "2001:db8::fe-2001:db8::ff" },
		{ "2001:db8::1", 128, 0, 0, 65535, "2001:db8::1-2001:db8::1" },
		{ "2001:db8::1", 129, 0, 0, 65535, "2001:db8::1-2001:db8::1" }, /* clamped */
		{ "2001:db8::1", 0, 0, 0, 65535, "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "::", 0, 0, 0, 65535, "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "ffff::1", 1, 0, 0, 65535, "8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "7fff::1", 1, 0, 0, 65535, "::-7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "2001:db8::1", 16, 58, 0, 65535, "2001::-2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff[58]" },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		struct sgw_ike_ts_sel got, want = sel(c[i].want);
		uint8_t a[16];
		int fam = addr(c[i].addr, strlen(c[i].addr), a);
		char what[96];

		memset(&got, 0xa5, sizeof(got));        /* every byte must be written */
		sgw_ike_ts_prefix(&got, fam, a, c[i].len, c[i].proto, c[i].lo, c[i].hi);
		snprintf(what, sizeof(what), "%s/%u", c[i].addr, c[i].len);
		expect_sel(what, &got, &want);
	}
}

/* ------------------------------------------------------ intersection */

struct isect_case {
	const char *name, *a, *b;
	const char *want;       /* NULL: empty */
};

static void test_intersect(void **st)
{
	static const struct isect_case c[] = {
		{ "same", "10.0.0.0/24", "10.0.0.0/24", "10.0.0.0/24" },
		{ "disjoint", "10.0.0.0/24", "10.0.1.0/24", NULL },
		{ "adjacent ranges", "10.0.0.0-10.0.0.10", "10.0.0.11-10.0.0.20", NULL },
		{ "one address in common", "10.0.0.0-10.0.0.10", "10.0.0.10-10.0.0.20",
		  "10.0.0.10-10.0.0.10" },
		{ "nested", "10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16" },
		{ "nested in the whole space", "0.0.0.0/0", "203.0.113.7/32", "203.0.113.7/32" },
		{ "whole space", "0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0" },
		{ "partial overlap", "10.0.0.0-10.0.0.100", "10.0.0.50-10.0.0.200",
		  "10.0.0.50-10.0.0.100" },
		{ "overlap across octets", "10.0.0.200-10.0.2.5", "10.0.1.0-10.0.3.0",
		  "10.0.1.0-10.0.2.5" },
		{ "top of the space", "255.255.255.0/24", "255.255.255.250-255.255.255.255",
		  "255.255.255.250-255.255.255.255" },
		{ "any proto vs TCP", "10.0.0.0/8", "10.1.0.0/16[6]", "10.1.0.0/16[6]" },
		{ "TCP vs TCP", "10.0.0.0/8[6]", "10.1.0.0/16[6]", "10.1.0.0/16[6]" },
		{ "TCP vs UDP", "10.0.0.0/8[6]", "10.0.0.0/8[17]", NULL },
		{ "any port vs one", "10.0.0.0/24[6]", "10.0.0.0/24[6/80]", "10.0.0.0/24[6/80]" },
		{ "port ranges overlap", "10.0.0.0/24[6/1000-2000]", "10.0.0.0/24[6/1500-3000]",
		  "10.0.0.0/24[6/1500-2000]" },
		{ "port ranges share one", "10.0.0.0/24[17/1000-2000]", "10.0.0.0/24[17/2000-3000]",
		  "10.0.0.0/24[17/2000]" },
		{ "port ranges disjoint", "10.0.0.0/24[6/80]", "10.0.0.0/24[6/443]", NULL },
		{ "ports disjoint, addresses too", "10.0.0.0/24[6/80]", "10.0.1.0/24[6/443]", NULL },
		{ "ports of any proto", "10.0.0.0/24[0/53]", "10.0.0.0/24[17]", "10.0.0.0/24[17/53]" },
		{ "addresses and ports narrow together", "10.0.0.0/16[6/0-1023]",
		  "10.0.5.0-10.0.9.9[0/80-8080]", "10.0.5.0-10.0.9.9[6/80-1023]" },
		{ "v4 vs v6", "0.0.0.0/0", "::/0", NULL },
		{ "v4 vs v4-mapped v6", "10.0.0.0/8", "::ffff:10.0.0.0/104", NULL },
		{ "v6 same", "2001:db8::/32", "2001:db8::/32", "2001:db8::/32" },
		{ "v6 nested", "2001:db8::/32", "2001:db8:1::/48[58]", "2001:db8:1::/48[58]" },
		{ "v6 disjoint", "2001:db8::/48", "2001:db8:1::/48", NULL },
		{ "v6 partial overlap across 64 bits", "2001:db8::ffff:0:0:0-2001:db8:0:2::",
		  "2001:db8:0:1::5-2001:db8:0:3::", "2001:db8:0:1::5-2001:db8:0:2::" },
		{ "v6 top of the space", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124" },
		{ "v6 whole space", "::/0", "::/0", "::/0" },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		const struct sgw_ike_ts_sel a = sel(c[i].a), b = sel(c[i].b);
		struct sgw_ike_ts_sel out, want;

		/* Symmetric: a with b, then b with a. */
		for (unsigned swap = 0; swap < 2; swap++) {
			char what[128];
			bool ok = swap ? sgw_ike_ts_intersect(&b, &a, &out)
				       : sgw_ike_ts_intersect(&a, &b, &out);

			snprintf(what, sizeof(what), "%s (%s)", c[i].name, swap ? "b, a" : "a, b");
			if (!c[i].want) {
				if (ok)
					fail_msg("%s: not empty", what);
				continue;
			}
			if (!ok)
				fail_msg("%s: empty", what);
			want = sel(c[i].want);
			expect_sel(what, &out, &want);
		}
	}
}

/* ---------------------------------------------------------- narrowing */

struct narrow_case {
	const char *name;
	const char *peer[MAXS], *ours[MAXS];
	int rc;
	const char *want[MAXS];
};

static void run_narrow(const struct narrow_case *c)
{
	struct sgw_ike_ts_pld peer = pld(c->peer), out, want = pld(c->want);
	struct sgw_ike_ts_sel ours[MAXS];
	unsigned n = 0;
	int rc;

	for (; c->ours[n]; n++)
		ours[n] = sel(c->ours[n]);
	memset(&out, 0xa5, sizeof(out));
	rc = sgw_ike_ts_narrow(&peer, ours, n, &out);
	if (rc != c->rc)
		fail_msg("%s: returned %d, want %d", c->name, rc, c->rc);
	if (out.n_ts != want.n_ts)
		fail_msg("%s: %u selectors, want %u", c->name, out.n_ts, want.n_ts);
	for (unsigned i = 0; i < want.n_ts; i++) {
		char what[128];

		snprintf(what, sizeof(what), "%s, selector %u", c->name, i);
		expect_sel(what, &out.ts[i], &want.ts[i]);
	}
	/* Narrowing only narrows: the answer lies inside what the peer asked. */
	if (out.n_ts && !sgw_ike_ts_within(&out, &peer))
		fail_msg("%s: result not within the peer's selectors", c->name);
}

static void test_narrow(void **st)
{
	static const struct narrow_case c[] = {
		/* A road warrior asks for everything; policy gives it its
		 * virtual IP as TSi and the protected subnet as TSr. */
		{ "road warrior TSi", { "0.0.0.0/0" }, { "10.10.0.5/32" }, 0,
		  { "10.10.0.5/32" } },
		{ "road warrior TSr, our v6 selector ignored", { "0.0.0.0/0" },
		  { "203.0.113.0/24", "2001:db8:cafe::/48" }, 0, { "203.0.113.0/24" } },
		{ "dual stack, in the peer's order", { "::/0", "0.0.0.0/0" },
		  { "203.0.113.0/24", "2001:db8:cafe::/48" }, 0,
		  { "2001:db8:cafe::/48", "203.0.113.0/24" } },
		{ "peer's order first, then ours", { "10.0.1.0/24", "10.0.0.0/16" },
		  { "10.0.5.0/24", "10.0.0.0/8" }, 0,
		  { "10.0.1.0/24", "10.0.5.0/24", "10.0.0.0/16" } },
		{ "already narrow enough", { "203.0.113.9/32[6/443]" }, { "203.0.113.0/24" }, 0,
		  { "203.0.113.9/32[6/443]" } },
		{ "proto and ports narrowed", { "10.0.0.0/24[6]" }, { "10.0.0.0/16[0/80]" }, 0,
		  { "10.0.0.0/24[6/80]" } },
		/* RFC 7296 2.9: the first TS may be the packet that triggered. */
		{ "triggering packet kept", { "10.0.0.7/32[6/5000]", "10.0.0.0/24" },
		  { "10.0.0.0/16" }, 0, { "10.0.0.7/32[6/5000]", "10.0.0.0/24" } },
		{ "duplicates from two peer selectors", { "10.0.0.0/8", "10.0.0.0/16" },
		  { "10.0.1.0/24" }, 0, { "10.0.1.0/24" } },
		{ "duplicates from two of ours", { "10.0.1.0/24" }, { "10.0.0.0/8", "10.0.0.0/16" }, 0,
		  { "10.0.1.0/24" } },
		{ "duplicate peer selectors", { "0.0.0.0/0", "0.0.0.0/0" }, { "192.0.2.0/24" }, 0,
		  { "192.0.2.0/24" } },
		{ "same addresses, other protocol: not a duplicate",
		  { "10.0.0.0/24[6]", "10.0.0.0/24[17]", "10.0.0.0/24[6]" }, { "10.0.0.0/8" }, 0,
		  { "10.0.0.0/24[6]", "10.0.0.0/24[17]" } },
		{ "same start, other end: not a duplicate", { "10.0.0.0/24", "10.0.0.0/16" },
		  { "10.0.0.0/8" }, 0, { "10.0.0.0/24", "10.0.0.0/16" } },
		{ "same first port, other last: not a duplicate",
		  { "10.0.0.0/24[6/80-90]", "10.0.0.0/24[6/80-100]" }, { "10.0.0.0/8" }, 0,
		  { "10.0.0.0/24[6/80-90]", "10.0.0.0/24[6/80-100]" } },
		{ "other first port, same last: not a duplicate",
		  { "10.0.0.0/24[6/80-90]", "10.0.0.0/24[6/70-90]" }, { "10.0.0.0/8" }, 0,
		  { "10.0.0.0/24[6/80-90]", "10.0.0.0/24[6/70-90]" } },
		/* The same sixteen octets, read as IPv4 and as IPv6. */
		{ "v4 and v6 with the same octets: not a duplicate",
		  { "10.0.0.0/8", "a00::-aff:ffff::" }, { "0.0.0.0/0", "::/0" }, 0,
		  { "10.0.0.0/8", "a00::-aff:ffff::" } },
		{ "some peer selectors left out", { "192.168.0.0/16", "10.0.0.0/24", "::/0" },
		  { "10.0.0.0/8" }, 0, { "10.0.0.0/24" } },
		{ "nothing in common", { "192.168.0.0/16" }, { "10.0.0.0/8" }, -ENOENT, { NULL } },
		{ "only v6 ours, only v4 theirs", { "0.0.0.0/0" }, { "2001:db8::/32" }, -ENOENT,
		  { NULL } },
		{ "protocols disjoint", { "10.0.0.0/8[17]" }, { "10.0.0.0/8[6]" }, -ENOENT, { NULL } },
		{ "ports disjoint", { "10.0.0.0/8[6/22]" }, { "10.0.0.0/8[6/80-443]" }, -ENOENT,
		  { NULL } },
		{ "no selectors of ours", { "0.0.0.0/0" }, { NULL }, -ENOENT, { NULL } },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++)
		run_narrow(&c[i]);
}

/* More than SGW_IKE_MAX_TS intersections: the first ones are kept. */
static void test_narrow_too_many(void **st)
{
	struct sgw_ike_ts_pld peer, out;
	struct sgw_ike_ts_sel ours[SGW_IKE_MAX_TS + 2];
	const char *any[] = { "0.0.0.0/0", NULL };
	char a[32];
	(void)st;

	peer = pld(any);
	for (unsigned i = 0; i < SGW_IKE_MAX_TS + 2; i++) {
		snprintf(a, sizeof(a), "192.0.2.%u/32", i + 1);
		ours[i] = sel(a);
	}
	/* Exactly as many as fit. */
	assert_int_equal(sgw_ike_ts_narrow(&peer, ours, SGW_IKE_MAX_TS, &out), 0);
	assert_int_equal(out.n_ts, SGW_IKE_MAX_TS);
	/* Duplicates do not count against the bound. */
	ours[SGW_IKE_MAX_TS] = ours[3];
	assert_int_equal(sgw_ike_ts_narrow(&peer, ours, SGW_IKE_MAX_TS + 1, &out), 0);
	assert_int_equal(out.n_ts, SGW_IKE_MAX_TS);
	/* One more than fits, and two more. */
	for (unsigned extra = 1; extra <= 2; extra++) {
		ours[SGW_IKE_MAX_TS] = sel("192.0.2.200/32");
		memset(&out, 0, sizeof(out));
		assert_int_equal(sgw_ike_ts_narrow(&peer, ours, SGW_IKE_MAX_TS + extra, &out),
				 -E2BIG);
		assert_int_equal(out.n_ts, SGW_IKE_MAX_TS);
		for (unsigned i = 0; i < SGW_IKE_MAX_TS; i++)
			expect_sel("kept in order", &out.ts[i], &ours[i]);
	}
	/* Overflow that comes from the peer's side: 16 peer selectors by 2 of ours. */
	memset(&peer, 0, sizeof(peer));
	for (unsigned i = 0; i < SGW_IKE_MAX_TS; i++) {
		snprintf(a, sizeof(a), "10.%u.0.0/16", i);
		peer.ts[peer.n_ts++] = sel(a);
	}
	ours[0] = sel("10.0.0.0/8[6]");
	ours[1] = sel("10.0.0.0/8[17]");
	assert_int_equal(sgw_ike_ts_narrow(&peer, ours, 2, &out), -E2BIG);
	assert_int_equal(out.n_ts, SGW_IKE_MAX_TS);
	for (unsigned i = 0; i < SGW_IKE_MAX_TS; i++) {
		snprintf(a, sizeof(a), "10.%u.0.0/16[%u]", i / 2, i % 2 ? 17 : 6);
		struct sgw_ike_ts_sel w = sel(a);

		expect_sel("peer side overflow", &out.ts[i], &w);
	}
}

/* ------------------------------------------------------------- within */

struct within_case {
	const char *name;
	const char *sub[MAXS], *sup[MAXS];
	bool want;
};

static void test_within(void **st)
{
	static const struct within_case c[] = {
		{ "equal", { "10.0.0.0/24" }, { "10.0.0.0/24" }, true },
		{ "narrower", { "10.0.1.0/24" }, { "10.0.0.0/16" }, true },
		{ "wider", { "10.0.0.0/16" }, { "10.0.1.0/24" }, false },
		{ "disjoint", { "10.0.1.0/24" }, { "10.0.0.0/24" }, false },
		{ "one past the end", { "10.0.0.0-10.0.1.0" }, { "10.0.0.0/24" }, false },
		{ "one before the start", { "9.255.255.255-10.0.0.5" }, { "10.0.0.0/24" }, false },
		{ "ends on the edges", { "10.0.0.0-10.0.0.255" }, { "10.0.0.0/24" }, true },
		{ "all inside", { "10.0.0.0/24", "10.1.0.0/24" }, { "10.1.0.0/16", "10.0.0.0/16" },
		  true },
		{ "one outside", { "10.0.0.0/24", "10.1.0.0/24" }, { "10.0.0.0/16" }, false },
		/* Each selector must lie inside a single one of sup's. */
		{ "spans two of sup's", { "10.0.0.0/23" }, { "10.0.0.0/24", "10.0.1.0/24" }, false },
		{ "TCP inside any", { "10.0.0.0/24[6]" }, { "10.0.0.0/24" }, true },
		{ "any not inside TCP", { "10.0.0.0/24" }, { "10.0.0.0/24[6]" }, false },
		{ "UDP not inside TCP", { "10.0.0.0/24[17]" }, { "10.0.0.0/24[6]" }, false },
		{ "port inside any", { "10.0.0.0/24[6/80]" }, { "10.0.0.0/24[6]" }, true },
		{ "port inside range", { "10.0.0.0/24[6/80-90]" }, { "10.0.0.0/24[6/80-90]" }, true },
		{ "ports overhang below", { "10.0.0.0/24[6/79-80]" }, { "10.0.0.0/24[6/80-90]" },
		  false },
		{ "ports overhang above", { "10.0.0.0/24[6/85-91]" }, { "10.0.0.0/24[6/80-90]" },
		  false },
		{ "all ports not inside one", { "10.0.0.0/24[6]" }, { "10.0.0.0/24[6/80]" }, false },
		{ "v6 not inside v4", { "::/0" }, { "0.0.0.0/0" }, false },
		{ "v4 not inside v6", { "10.0.0.1/32" }, { "::/0" }, false },
		{ "v6 narrower", { "2001:db8:1::/48" }, { "0.0.0.0/0", "2001:db8::/32" }, true },
		{ "v6 one past the end", { "2001:db8::-2001:db9::" }, { "2001:db8::/32" }, false },
		{ "v6 high half", { "ffff::/16" }, { "8000::/1" }, true },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		struct sgw_ike_ts_pld sub = pld(c[i].sub), sup = pld(c[i].sup);

		if (sgw_ike_ts_within(&sub, &sup) != c[i].want)
			fail_msg("%s: within() is %s", c[i].name, c[i].want ? "false" : "true");
	}
}

/* --------------------------------------------------- range to prefixes */

/* The prefixes must tile [start, end] exactly: aligned blocks, in order,
 * each starting where the last ended, the first at start, the last ending
 * at end; and each as large as it can be (the greedy, minimal cover). */
static void check_cover(const char *what, const struct sgw_ike_ts_sel *s,
			uint8_t (*addr)[16], const uint8_t *len, int n)
{
	const unsigned na = alen(s), bits = 8 * na;
	const u128 lo = to_int(s->start, na), hi = to_int(s->end, na);
	const u128 top = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	u128 next = lo;

	if (n < 1)
		fail_msg("%s: %d prefixes", what, n);
	for (int i = 0; i < n; i++) {
		const u128 a = to_int(addr[i], na);
		const unsigned h = bits - len[i];            /* host bits */
		const u128 host = h == 128 ? ~(u128)0 : (((u128)1 << h) - 1);
		const u128 last = a | host;

		if (len[i] > bits)
			fail_msg("%s: prefix %d has length %u", what, i, len[i]);
		for (unsigned k = na; k < 16; k++)
			if (addr[i][k])
				fail_msg("%s: prefix %d has octet %u set", what, i, k);
		if (a & host)
			fail_msg("%s: prefix %d not aligned to /%u", what, i, len[i]);
		if (a != next)
			fail_msg("%s: prefix %d does not start where %d ended", what, i, i - 1);
		if (last > hi)
			fail_msg("%s: prefix %d ends past the range", what, i);
		/* Maximal: one bit shorter is misaligned or too long. */
		if (h < bits) {
			const u128 host2 = h + 1 == 128 ? ~(u128)0 : (((u128)1 << (h + 1)) - 1);

			if (!(a & host2) && (a | host2) <= hi)
				fail_msg("%s: prefix %d (/%u) could be /%u", what, i, len[i],
					 len[i] - 1);
		}
		if (i + 1 < n && last == top)
			fail_msg("%s: prefixes after the end of the space", what);
		next = last + 1;
		if (i + 1 == n && last != hi)
			fail_msg("%s: prefixes end before the range", what);
	}
}

/* Calls sgw_ike_ts_prefixes() with arrays of exactly max entries on the
 * heap, so that a write past them is an ASan error. */
static int prefixes(const struct sgw_ike_ts_sel *s, unsigned max, uint8_t (**addr)[16],
		    uint8_t **len)
{
	*addr = malloc((max ? max : 1) * sizeof(**addr));
	*len = malloc(max ? max : 1);
	assert_non_null(*addr);
	assert_non_null(*len);
	return sgw_ike_ts_prefixes(s, *addr, *len, max);
}

struct pfx_case {
	const char *range;
	unsigned max;
	int rc;
	const char *want[8];    /* "a/len", when at most 8 */
};

static void test_prefixes(void **st)
{
	static const struct pfx_case c[] = {
		{ "10.0.0.0-10.0.0.255", 4, 1, { "10.0.0.0/24" } },
		{ "10.0.0.0/24", 1, 1, { "10.0.0.0/24" } },
		{ "10.0.0.5-10.0.0.5", 1, 1, { "10.0.0.5/32" } },
		{ "10.0.0.1-10.0.0.6", 4, 4,
		  { "10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32" } },
		{ "10.0.0.1-10.0.0.6", 8, 4,
		  { "10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32" } },
		{ "10.0.0.1-10.0.0.6", 3, -E2BIG, { NULL } },
		{ "10.0.0.1-10.0.0.6", 0, -E2BIG, { NULL } },
		{ "10.0.0.0/24", 0, -E2BIG, { NULL } },
		{ "10.0.0.255-10.0.1.0", 2, 2, { "10.0.0.255/32", "10.0.1.0/32" } },
		{ "10.0.0.0-10.0.2.255", 2, 2, { "10.0.0.0/23", "10.0.2.0/24" } },
		{ "0.0.0.0-255.255.255.255", 1, 1, { "0.0.0.0/0" } },
		{ "0.0.0.0-127.255.255.255", 1, 1, { "0.0.0.0/1" } },
		{ "128.0.0.0-255.255.255.255", 1, 1, { "128.0.0.0/1" } },
		{ "255.255.255.255-255.255.255.255", 1, 1, { "255.255.255.255/32" } },
		{ "255.255.255.254-255.255.255.255", 1, 1, { "255.255.255.254/31" } },
		{ "0.0.0.1-255.255.255.254", 62, 62, { NULL } },
		{ "0.0.0.1-255.255.255.254", 61, -E2BIG, { NULL } },
		{ "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, 1, { "::/0" } },
		{ "::-7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, 1, { "::/1" } },
		{ "8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, 1, { "8000::/1" } },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  1, 1, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" } },
		{ "2001:db8::/32", 1, 1, { "2001:db8::/32" } },
		/* Across the 64-bit boundary inside the 128-bit arithmetic. */
		{ "2001:db8::ffff:ffff:ffff:ffff-2001:db8:0:1::1", 2, 2,
		  { "2001:db8::ffff:ffff:ffff:ffff/128", "2001:db8:0:1::/127" } },
		{ "2001:db8::8000:0:0:0-2001:db8:0:1:7fff:ffff:ffff:ffff", 2, 2,
		  { "2001:db8::8000:0:0:0/65", "2001:db8:0:1::/65" } },
		{ "2001:db8::-2001:db8:0:1:ffff:ffff:ffff:ffff", 1, 1, { "2001:db8::/63" } },
		{ "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 254, 254, { NULL } },
		{ "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 253, -E2BIG, { NULL } },
		{ "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 128, 128, { NULL } },
		{ "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, 128, { NULL } },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		const struct sgw_ike_ts_sel s = sel(c[i].range);
		uint8_t (*addr)[16], *len;
		char what[128];
		int n = prefixes(&s, c[i].max, &addr, &len);

		snprintf(what, sizeof(what), "%s, max %u", c[i].range, c[i].max);
		if (n != c[i].rc)
			fail_msg("%s: returned %d, want %d", what, n, c[i].rc);
		if (n > 0)
			check_cover(what, &s, addr, len, n);
		for (int k = 0; k < n && c[i].want[0]; k++) {
			struct sgw_ike_ts_sel w;

			if (!c[i].want[k])
				fail_msg("%s: more prefixes than expected", what);
			w = sel(c[i].want[k]);
			/* The block's first and last addresses are the expected prefix's. */
			const unsigned na = alen(&s), h = 8 * na - len[k];
			const u128 host = h == 128 ? ~(u128)0 : (((u128)1 << h) - 1);

			if (to_int(addr[k], na) != to_int(w.start, na) ||
			    (to_int(addr[k], na) | host) != to_int(w.end, na))
				fail_msg("%s: prefix %d is not %s", what, k, c[i].want[k]);
		}
		if (n > 0 && c[i].want[0] && n < 8 && c[i].want[n])
			fail_msg("%s: fewer prefixes than expected", what);
		free(addr);
		free(len);
	}
}

/* Pseudo-random ranges, IPv4 and IPv6, with long runs of zero and one
 * bits so that blocks of every size turn up: each one tiled exactly. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rnd_state = x;
}

static u128 rnd_addr(unsigned bits)
{
	u128 v = (u128)rnd() << 64 | rnd();
	unsigned cut = (unsigned)(rnd() % bits);

	/* Sometimes the low bits all zero or all one. */
	switch (rnd() % 3) {
	case 0: v &= ~(((u128)1 << cut) - 1); break;
	case 1: v |= ((u128)1 << cut) - 1; break;
	}
	return bits == 128 ? v : v & (((u128)1 << bits) - 1);
}

static void test_prefixes_random(void **st)
{
	(void)st;
	for (unsigned i = 0; i < 4000; i++) {
		const unsigned bits = i % 2 ? 128 : 32, na = bits / 8;
		struct sgw_ike_ts_sel s;
		u128 a = rnd_addr(bits), b = rnd_addr(bits), t;
		uint8_t (*addr)[16], *len;
		char what[64];
		int n;

		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
		memset(&s, 0, sizeof(s));
		s.type = bits == 32 ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
		s.end_port = 65535;
		for (unsigned k = na; k-- > 0; a >>= 8, b >>= 8) {
			s.start[k] = (uint8_t)a;
			s.end[k] = (uint8_t)b;
		}
		n = prefixes(&s, 2 * bits, &addr, &len);
		snprintf(what, sizeof(what), "random range %u", i);
		assert_true(n >= 1 && n <= (int)(2 * bits - 2));
		check_cover(what, &s, addr, len, n);
		free(addr);
		free(len);
		/* One fewer slot than needed is -E2BIG, never a partial cover. */
		n = prefixes(&s, (unsigned)n - 1, &addr, &len);
		assert_int_equal(n, -E2BIG);
		free(addr);
		free(len);
	}
}

/* ------------------------------------------------------------- string */

struct str_case {
	const char *sel, *want;
};

static void test_str(void **st)
{
	static const struct str_case c[] = {
		{ "10.0.0.0/24", "10.0.0.0/24" },
		{ "10.0.0.0/24[6/80-90]", "10.0.0.0/24[6/80-90]" },
		{ "10.0.0.1/32[17/500]", "10.0.0.1/32[17/500]" },
		{ "10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9" },
		{ "10.0.0.1-10.0.0.6[6]", "10.0.0.1-10.0.0.6[6]" },
		{ "10.0.0.0-10.0.0.1", "10.0.0.0/31" },
		{ "10.0.0.1-10.0.0.254", "10.0.0.1-10.0.0.254" },   /* 14 prefixes */
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "0.0.0.0/0[1]", "0.0.0.0/0[1]" },
		{ "0.0.0.0/0[0/53]", "0.0.0.0/0[0/53]" },
		{ "0.0.0.0/0[0/0-1023]", "0.0.0.0/0[0/0-1023]" },
		{ "192.0.2.1/32[6/1024-65535]", "192.0.2.1/32[6/1024-65535]" },
		{ "::/0", "::/0" },
		{ "2001:db8::/32[58]", "2001:db8::/32[58]" },
		{ "2001:db8::1/128", "2001:db8::1/128" },
		{ "2001:db8::ffff:ffff:ffff:ffff-2001:db8:0:1::1",
		  "2001:db8::ffff:ffff:ffff:ffff-2001:db8:0:1::1" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128[6/443]",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128[6/443]" },
	};
	(void)st;

	for (unsigned i = 0; i < DIM(c); i++) {
		const struct sgw_ike_ts_sel s = sel(c[i].sel);
		char buf[128];
		const size_t full = strlen(c[i].want);

		if (strcmp(sgw_ike_ts_str(&s, buf, sizeof(buf)), c[i].want))
			fail_msg("%s: \"%s\", want \"%s\"", c[i].sel, buf, c[i].want);
		/* Every shorter buffer gets a terminated prefix of it, and not a
		 * byte more (the buffer is exactly that size on the heap). */
		for (size_t size = 1; size <= full + 1; size++) {
			char *b = malloc(size);

			assert_non_null(b);
			assert_ptr_equal(sgw_ike_ts_str(&s, b, (unsigned)size), b);
			if (strlen(b) != size - 1 || strncmp(b, c[i].want, size - 1))
				fail_msg("%s in %zu bytes: \"%s\"", c[i].sel, size, b);
			free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_narrow_too_many),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_prefixes_random),
		cmocka_unit_test(test_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
