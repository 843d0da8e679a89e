/* SPDX-License-Identifier: BSD-3-Clause */
/* SPD: first-match order, selectors (prefixes, protocol, ports, family),
 * actions, edits, and the binding of protect policies to an SA's slot and
 * generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <rte_malloc.h>

#include "eal_test.h"
#include "sa.h"
#include "spd.h"

#define MAX_PER_DIR 8
#define ANY         (-1)

static struct rte_rcu_qsbr *rcu;

static int setup(void **st)
{
	(void)st;
	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	assert_non_null(rcu);
	assert_int_equal(rte_rcu_qsbr_init(rcu, 1), 0);
	assert_int_equal(sgw_sa_table_init(64, rcu), 0);
	return sgw_spd_init(MAX_PER_DIR, rcu);
}

static int teardown(void **st)
{
	(void)st;
	sgw_spd_fini();
	sgw_sa_table_fini();
	rte_free(rcu);
	return 0;
}

/* A policy as the configuration would give it: family from the prefixes,
 * 0 when none; all ports unless narrowed with ports(). */
static struct sgw_conf_policy pol(const char *name, bool inbound,
				  enum sgw_policy_action a, const char *sa,
				  const char *src, const char *dst, int proto)
{
	struct sgw_conf_policy p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.inbound = inbound;
	p.action = a;
	if (sa)
		snprintf(p.sa, sizeof(p.sa), "%s", sa);
	p.sel.proto = proto;
	p.sel.sport_hi = p.sel.dport_hi = 65535;
	if (src) {
		assert_int_equal(sgw_prefix_parse(src, &p.sel.src, true), 0);
		p.sel.has_src = true;
		p.sel.family = p.sel.src.family;
	}
	if (dst) {
		assert_int_equal(sgw_prefix_parse(dst, &p.sel.dst, true), 0);
		p.sel.has_dst = true;
		p.sel.family = p.sel.dst.family;
	}
	return p;
}

static struct sgw_conf_policy ports(struct sgw_conf_policy p, uint16_t slo,
				    uint16_t shi, uint16_t dlo, uint16_t dhi)
{
	p.sel.sport_lo = slo;
	p.sel.sport_hi = shi;
	p.sel.dport_lo = dlo;
	p.sel.dport_hi = dhi;
	return p;
}

/* A packet; sport < 0 means no ports (not TCP/UDP/SCTP, or a fragment). */
static struct sgw_spd_key key(const char *src, const char *dst, int proto,
			      int sport, int dport)
{
	struct sgw_prefix s, d;
	struct sgw_spd_key k;

	assert_int_equal(sgw_prefix_parse(src, &s, false), 0);
	assert_int_equal(sgw_prefix_parse(dst, &d, false), 0);
	assert_int_equal(s.family, d.family);
	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)s.family;
	k.proto = (uint8_t)proto;
	memcpy(k.src, s.addr, 16);
	memcpy(k.dst, d.addr, 16);
	if (sport >= 0) {
		k.has_ports = true;
		k.sport = (uint16_t)sport;
		k.dport = (uint16_t)dport;
	}
	return k;
}

static int add(struct sgw_conf_policy p)
{
	return sgw_spd_add(&p, -1);
}

/* The first match, and its policy's name ("" for none), found through the
 * policy's hit counter so the compiled entry is tied to the control list. */
static const char *match_e(bool inbound, struct sgw_spd_key k,
			   const struct sgw_spd_entry **out)
{
	const struct sgw_spd_entry *e = sgw_spd_lookup(inbound, &k);
	const unsigned n = sgw_spd_count(inbound);
	uint64_t before[MAX_PER_DIR], hits;
	const char *name = NULL;
	bool bound;

	if (out)
		*out = e;
	if (!e)
		return "";
	for (unsigned i = 0; i < n; i++)
		assert_non_null(sgw_spd_get(inbound, i, &before[i], &bound));
	sgw_spd_count_match(e, 1);
	for (unsigned i = 0; i < n; i++) {
		const struct sgw_conf_policy *c = sgw_spd_get(inbound, i, &hits, &bound);

		if (hits == before[i] + 1) {
			assert_null(name);
			assert_int_equal(e->action, c->action);
			assert_int_equal(bound, e->sa_slot != SGW_SA_NONE);
			name = c->name;
		} else {
			assert_int_equal(hits, before[i]);
		}
	}
	assert_non_null(name);
	return name;
}

static const char *match(bool inbound, struct sgw_spd_key k)
{
	return match_e(inbound, k, NULL);
}

static const char *out(struct sgw_spd_key k)
{
	return match(false, k);
}

static void test_first_match(void **st)
{
	(void)st;
	assert_true(sgw_spd_empty(false));
	assert_true(sgw_spd_empty(true));
	assert_string_equal(out(key("10.1.2.3", "192.0.2.5", 6, 1234, 80)), "");

	assert_int_equal(add(ports(pol("web", false, SGW_POLICY_BYPASS, NULL,
					   "10.0.0.0/8", "192.0.2.0/24", 6),
				   0, 65535, 80, 80)), 0);
	assert_int_equal(add(pol("net10", false, SGW_POLICY_DISCARD, NULL,
				 "10.0.0.0/8", NULL, ANY)), 0);
	assert_int_equal(add(pol("all", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
	assert_false(sgw_spd_empty(false));
	assert_true(sgw_spd_empty(true));
	assert_int_equal(sgw_spd_count(false), 3);
	assert_int_equal(sgw_spd_count(true), 0);

	assert_string_equal(out(key("10.1.2.3", "192.0.2.5", 6, 1234, 80)), "web");
	assert_string_equal(out(key("10.1.2.3", "192.0.2.5", 6, 1234, 443)), "net10");
	assert_string_equal(out(key("10.1.2.3", "192.0.2.5", 17, 1234, 80)), "net10");
	assert_string_equal(out(key("10.1.2.3", "198.51.100.1", 6, 1234, 80)), "net10");
	assert_string_equal(out(key("11.0.0.1", "192.0.2.5", 6, 1234, 80)), "all");
	/* Family 0 (no prefixes) matches IPv6 too. */
	assert_string_equal(out(key("2001:db8::1", "2001:db8::2", 58, -1, -1)), "all");
	/* Inbound has its own, empty, list. */
	assert_string_equal(match(true, key("10.1.2.3", "192.0.2.5", 6, 1234, 80)), "");

	/* Hit counters as the CLI shows them. */
	uint64_t hits;
	bool bound;
	const struct sgw_conf_policy *c = sgw_spd_get(false, 1, &hits, &bound);
	assert_string_equal(c->name, "net10");
	assert_int_equal(hits, 3);
	assert_false(bound);
	assert_null(sgw_spd_get(false, 3, &hits, &bound));
}

static void test_prefixes_v4(void **st)
{
	(void)st;
	assert_int_equal(add(pol("host", false, SGW_POLICY_BYPASS, NULL,
				 NULL, "203.0.113.77/32", ANY)), 0);
	assert_int_equal(add(pol("odd", false, SGW_POLICY_BYPASS, NULL,
				 "10.0.2.0/23", NULL, ANY)), 0);
	assert_int_equal(add(pol("nine", false, SGW_POLICY_BYPASS, NULL,
				 "172.16.128.0/17", "198.51.100.128/25", ANY)), 0);
	assert_int_equal(add(pol("zero", false, SGW_POLICY_DISCARD, NULL,
				 "0.0.0.0/0", NULL, ANY)), 0);

	assert_string_equal(out(key("1.2.3.4", "203.0.113.77", 6, 1, 2)), "host");
	assert_string_equal(out(key("1.2.3.4", "203.0.113.76", 6, 1, 2)), "zero");
	assert_string_equal(out(key("1.2.3.4", "203.0.113.78", 6, 1, 2)), "zero");
	/* /23: 10.0.2.0 - 10.0.3.255. */
	assert_string_equal(out(key("10.0.2.0", "1.1.1.1", 1, -1, -1)), "odd");
	assert_string_equal(out(key("10.0.3.255", "1.1.1.1", 1, -1, -1)), "odd");
	assert_string_equal(out(key("10.0.1.255", "1.1.1.1", 1, -1, -1)), "zero");
	assert_string_equal(out(key("10.0.4.0", "1.1.1.1", 1, -1, -1)), "zero");
	/* Both selectors must match. */
	assert_string_equal(out(key("172.16.255.1", "198.51.100.200", 17, 5, 6)), "nine");
	assert_string_equal(out(key("172.16.127.255", "198.51.100.200", 17, 5, 6)), "zero");
	assert_string_equal(out(key("172.16.128.0", "198.51.100.127", 17, 5, 6)), "zero");
	/* A /0 of one family does not match the other. */
	assert_string_equal(out(key("2001:db8::1", "2001:db8::2", 17, 5, 6)), "");
}

static void test_prefixes_v6(void **st)
{
	(void)st;
	assert_int_equal(add(pol("p127", false, SGW_POLICY_BYPASS, NULL,
				 NULL, "2001:db8::/127", ANY)), 0);
	assert_int_equal(add(pol("p61", false, SGW_POLICY_BYPASS, NULL,
				 "2001:db8:0:8::/61", NULL, ANY)), 0);
	assert_int_equal(add(pol("p128", false, SGW_POLICY_BYPASS, NULL,
				 "2001:db8:ffff::1/128", NULL, ANY)), 0);
	assert_int_equal(add(pol("zero6", false, SGW_POLICY_DISCARD, NULL,
				 "::/0", "::/0", ANY)), 0);

	assert_string_equal(out(key("2001:db8:1::", "2001:db8::", 6, 1, 2)), "p127");
	assert_string_equal(out(key("2001:db8:1::", "2001:db8::1", 6, 1, 2)), "p127");
	assert_string_equal(out(key("2001:db8:1::", "2001:db8::2", 6, 1, 2)), "zero6");
	assert_string_equal(out(key("2001:db8:1::", "2001:db9::", 6, 1, 2)), "zero6");
	/* /61: 2001:db8:0:8:: - 2001:db8:0:f:ffff:ffff:ffff:ffff. */
	assert_string_equal(out(key("2001:db8:0:8::", "::1", 6, 1, 2)), "p61");
	assert_string_equal(out(key("2001:db8:0:f:ffff:ffff:ffff:ffff", "::1", 6, 1, 2)), "p61");
	assert_string_equal(out(key("2001:db8:0:7:ffff:ffff:ffff:ffff", "::1", 6, 1, 2)), "zero6");
	assert_string_equal(out(key("2001:db8:0:10::", "::1", 6, 1, 2)), "zero6");
	assert_string_equal(out(key("2001:db8:ffff::1", "::1", 6, 1, 2)), "p128");
	assert_string_equal(out(key("2001:db8:ffff::3", "::1", 6, 1, 2)), "zero6");
	/* IPv4 never matches IPv6 selectors, /0 included. */
	assert_string_equal(out(key("32.1.13.184", "0.0.0.0", 6, 1, 2)), "");
}

static void test_family_only(void **st)
{
	struct sgw_conf_policy p = pol("v6", false, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY);
	(void)st;

	p.sel.family = AF_INET6;                /* family given, no prefix */
	assert_int_equal(add(p), 0);
	p = pol("v4", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY);
	p.sel.family = AF_INET;
	assert_int_equal(add(p), 0);
	assert_string_equal(out(key("::1", "::2", 6, 1, 2)), "v6");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 1, 2)), "v4");
}

static void test_proto_ports(void **st)
{
	(void)st;
	assert_int_equal(add(ports(pol("srange", false, SGW_POLICY_BYPASS, NULL,
				       NULL, NULL, 17), 1000, 2000, 0, 65535)), 0);
	assert_int_equal(add(ports(pol("low", false, SGW_POLICY_BYPASS, NULL,
				       NULL, NULL, 17), 0, 65535, 0, 1023)), 0);
	assert_int_equal(add(ports(pol("dport", false, SGW_POLICY_BYPASS, NULL,
				       NULL, NULL, 6), 0, 65535, 443, 443)), 0);
	assert_int_equal(add(ports(pol("both", false, SGW_POLICY_BYPASS, NULL,
				       NULL, NULL, 6), 1, 1023, 0, 1023)), 0);
	assert_int_equal(add(pol("udp", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, 17)), 0);
	assert_int_equal(add(pol("icmp", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, 1)), 0);
	assert_int_equal(add(pol("rest", false, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY)), 0);

	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 1000, 5000)), "srange");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 2000, 5000)), "srange");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 999, 5000)), "udp");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 2001, 5000)), "udp");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 999, 53)), "low");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, 999, 0)), "low");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 50000, 443)), "dport");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 50000, 444)), "rest");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 1023, 0)), "both");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 1023, 1024)), "rest");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, 0, 22)), "rest");
	/* A later fragment has no ports: port policies never match it, a
	 * protocol-only policy still does, though "low" (0-1023) would
	 * take its zeroed ports. */
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 17, -1, -1)), "udp");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 6, -1, -1)), "rest");
	/* Ports 0/0 of a portless packet do not fall into 0-1023 either. */
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 1, -1, -1)), "icmp");
	assert_string_equal(out(key("1.1.1.1", "2.2.2.2", 47, -1, -1)), "rest");
	/* Protocol 0 is a protocol (IPv6 hop-by-hop), not "any". */
	assert_string_equal(out(key("::1", "::2", 0, -1, -1)), "rest");
}

static void test_edit(void **st)
{
	struct sgw_conf_policy p;
	uint64_t hits;
	bool bound;
	(void)st;

	assert_int_equal(add(pol("a", false, SGW_POLICY_BYPASS, NULL, "10.0.0.0/8", NULL, ANY)), 0);
	assert_int_equal(add(pol("b", false, SGW_POLICY_DISCARD, NULL, "10.1.0.0/16", NULL, ANY)), 0);
	assert_int_equal(add(pol("c", false, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY)), 0);
	assert_string_equal(out(key("10.1.1.1", "1.1.1.1", 6, 1, 2)), "a");
	/* Insert before a: the narrower policy now wins. */
	p = pol("b0", false, SGW_POLICY_DISCARD, NULL, "10.1.0.0/16", NULL, ANY);
	assert_int_equal(sgw_spd_add(&p, 0), 0);
	assert_string_equal(out(key("10.1.1.1", "1.1.1.1", 6, 1, 2)), "b0");
	assert_string_equal(sgw_spd_get(false, 0, &hits, &bound)->name, "b0");
	assert_string_equal(sgw_spd_get(false, 1, &hits, &bound)->name, "a");
	/* In the middle, and past the end (appends). */
	p = pol("mid", false, SGW_POLICY_BYPASS, NULL, "10.2.0.0/16", NULL, ANY);
	assert_int_equal(sgw_spd_add(&p, 2), 0);
	p = pol("end", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY);
	assert_int_equal(sgw_spd_add(&p, 99), 0);
	const char *order[] = { "b0", "a", "mid", "b", "c", "end" };
	assert_int_equal(sgw_spd_count(false), RTE_DIM(order));
	for (unsigned i = 0; i < RTE_DIM(order); i++)
		assert_string_equal(sgw_spd_get(false, i, &hits, &bound)->name, order[i]);
	assert_string_equal(out(key("10.2.1.1", "1.1.1.1", 6, 1, 2)), "a");

	assert_int_equal(sgw_spd_del("b0"), 0);
	assert_string_equal(out(key("10.1.1.1", "1.1.1.1", 6, 1, 2)), "a");
	assert_int_equal(sgw_spd_del("a"), 0);
	assert_string_equal(out(key("10.1.1.1", "1.1.1.1", 6, 1, 2)), "b");
	assert_string_equal(out(key("10.2.1.1", "1.1.1.1", 6, 1, 2)), "mid");
	assert_int_equal(sgw_spd_del("a"), -ENOENT);
	assert_int_equal(sgw_spd_del("nope"), -ENOENT);
	assert_int_equal(sgw_spd_del("c"), 0);
	assert_string_equal(out(key("11.1.1.1", "1.1.1.1", 6, 1, 2)), "end");
	assert_int_equal(sgw_spd_del("end"), 0);
	assert_string_equal(out(key("11.1.1.1", "1.1.1.1", 6, 1, 2)), "");
	assert_int_equal(sgw_spd_del("mid"), 0);
	assert_int_equal(sgw_spd_del("b"), 0);
	assert_true(sgw_spd_empty(false));
	assert_string_equal(out(key("10.1.1.1", "1.1.1.1", 6, 1, 2)), "");
	/* A re-added policy starts with no hits. */
	assert_int_equal(add(pol("a", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
	assert_non_null(sgw_spd_get(false, 0, &hits, &bound));
	assert_int_equal(hits, 0);
}

static void test_names_and_limits(void **st)
{
	char name[16];
	(void)st;

	assert_int_equal(add(pol("x", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
	/* Names are unique across both directions. */
	assert_int_equal(add(pol("x", false, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY)), -EEXIST);
	assert_int_equal(add(pol("x", true, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY)), -EEXIST);
	assert_int_equal(add(pol("", false, SGW_POLICY_DISCARD, NULL, NULL, NULL, ANY)), -EEXIST);
	for (unsigned i = 1; i < MAX_PER_DIR; i++) {
		snprintf(name, sizeof(name), "o%u", i);
		assert_int_equal(add(pol(name, false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
	}
	assert_int_equal(add(pol("over", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), -ENOSPC);
	assert_int_equal(sgw_spd_count(false), MAX_PER_DIR);
	/* The other direction has its own limit. */
	for (unsigned i = 0; i < MAX_PER_DIR; i++) {
		snprintf(name, sizeof(name), "i%u", i);
		assert_int_equal(add(pol(name, true, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
	}
	assert_int_equal(add(pol("over", true, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), -ENOSPC);
	/* A failed add leaves the list as it was. */
	assert_int_equal(sgw_spd_count(true), MAX_PER_DIR);
	assert_int_equal(sgw_spd_del("o3"), 0);
	assert_int_equal(add(pol("over", false, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY)), 0);
}

static int sa_add(const char *name, uint32_t spi, enum sgw_sa_dir dir, uint32_t *slot)
{
	struct sgw_sa_params p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.spi = spi;
	p.dir = dir;
	p.key_len = 16;
	p.replay_window = dir == SGW_SA_IN ? 64 : 0;
	p.seq = dir == SGW_SA_OUT ? 1 : 0;
	p.outer.family = AF_INET;
	return sgw_sa_add(&p, slot);
}

static void test_protect_binding(void **st)
{
	const struct sgw_spd_key k = key("10.1.1.1", "192.0.2.1", 6, 1, 2);
	const struct sgw_spd_key other = key("10.9.1.1", "192.0.2.1", 6, 1, 2);
	const struct sgw_spd_entry *e;
	uint32_t out_slot, in_slot, in2, filler[64];
	struct sgw_sa_info info;
	unsigned n_fill = 0;
	uint32_t old_gen;
	uint64_t hits;
	bool bound;
	(void)st;

	assert_int_equal(sa_add("sa-out", 0x1000, SGW_SA_OUT, &out_slot), 0);
	assert_int_equal(sa_add("sa-in", 0x2000, SGW_SA_IN, &in_slot), 0);
	assert_int_equal(add(pol("prot-out", false, SGW_POLICY_PROTECT, "sa-out",
				 "10.1.0.0/16", NULL, ANY)), 0);
	/* A protect policy naming an SA of the other direction stays unbound. */
	assert_int_equal(add(pol("wrong-dir", false, SGW_POLICY_PROTECT, "sa-in",
				 "10.2.0.0/16", NULL, ANY)), 0);
	assert_int_equal(add(pol("no-sa", false, SGW_POLICY_PROTECT, "missing",
				 "10.3.0.0/16", NULL, ANY)), 0);
	assert_int_equal(add(pol("prot-in", true, SGW_POLICY_PROTECT, "sa-in",
				 "10.1.0.0/16", NULL, ANY)), 0);
	assert_int_equal(add(pol("byp-in", true, SGW_POLICY_BYPASS, NULL,
				 "10.9.0.0/16", NULL, ANY)), 0);

	assert_string_equal(match_e(false, k, &e), "prot-out");
	assert_int_equal(e->action, SGW_POLICY_PROTECT);
	assert_int_equal(e->sa_slot, out_slot);
	assert_int_equal(sgw_sa_info(out_slot, &info), 0);
	assert_int_equal(e->sa_gen, info.gen);
	assert_string_equal(match_e(false, key("10.2.0.1", "1.1.1.1", 6, 1, 2), &e), "wrong-dir");
	assert_int_equal(e->sa_slot, SGW_SA_NONE);
	assert_string_equal(match_e(false, key("10.3.0.1", "1.1.1.1", 6, 1, 2), &e), "no-sa");
	assert_int_equal(e->sa_slot, SGW_SA_NONE);
	assert_string_equal(match_e(true, k, &e), "prot-in");
	assert_int_equal(e->sa_slot, in_slot);

	/* Inbound: what came out of the SA must match one of its policies. */
	assert_int_equal(sgw_sa_info(in_slot, &info), 0);
	old_gen = info.gen;
	e = sgw_spd_check_sa(&k, in_slot, old_gen);
	assert_non_null(e);
	assert_int_equal(e->sa_slot, in_slot);
	sgw_spd_count_match(e, 1);              /* the worker counts what it gets */
	assert_false(sgw_spd_check_sa(&other, in_slot, old_gen)); /* not its selector */
	assert_false(sgw_spd_check_sa(&k, in_slot, old_gen + 1));
	assert_false(sgw_spd_check_sa(&k, out_slot, old_gen));
	assert_non_null(sgw_spd_get(true, 0, &hits, &bound));
	assert_true(bound);
	assert_int_equal(hits, 2);              /* match_e above, check_sa here */

	/* Replace the inbound SA in the same slot: fill every other slot so
	 * the only one left is the old one, back from the RCU reclaim. */
	assert_int_equal(sgw_sa_del(in_slot), 0);
	for (; n_fill < 64; n_fill++) {
		char name[16];

		snprintf(name, sizeof(name), "fill%u", n_fill);
		if (sa_add(name, 0x3000 + n_fill, SGW_SA_OUT, &filler[n_fill]) < 0)
			break;
		if (sgw_sa_count() == 63)
			break;
	}
	assert_int_equal(sgw_sa_count(), 63);
	assert_int_equal(sa_add("sa-in", 0x2001, SGW_SA_IN, &in2), 0);
	assert_int_equal(in2, in_slot);
	assert_int_equal(sgw_sa_info(in2, &info), 0);
	assert_int_not_equal(info.gen, old_gen);
	/* Until rebind the policy holds the old generation: the new SA in
	 * the same slot does not pass as the old one. */
	assert_false(sgw_spd_check_sa(&k, in2, info.gen));
	assert_int_equal(sgw_spd_rebind(), 0);
	assert_true(sgw_spd_check_sa(&k, in2, info.gen));
	assert_false(sgw_spd_check_sa(&k, in_slot, old_gen));
	assert_string_equal(match_e(true, k, &e), "prot-in");
	assert_int_equal(e->sa_gen, info.gen);

	/* SA gone: after rebind the policy is unbound and matches nothing. */
	assert_int_equal(sgw_sa_del(in2), 0);
	assert_int_equal(sgw_spd_rebind(), 0);
	assert_false(sgw_spd_check_sa(&k, in2, info.gen));
	assert_string_equal(match_e(true, k, &e), "prot-in");
	assert_int_equal(e->sa_slot, SGW_SA_NONE);
	assert_non_null(sgw_spd_get(true, 0, &hits, &bound));
	assert_false(bound);
	/* The outbound binding was untouched by all this. */
	assert_string_equal(match_e(false, k, &e), "prot-out");
	assert_int_equal(e->sa_slot, out_slot);
	/* A protect policy added before its SA binds once the SA exists. */
	assert_int_equal(sgw_sa_del(filler[0]), 0);
	assert_int_equal(sgw_spd_rebind(), 0);
	assert_string_equal(match_e(false, key("10.3.0.1", "1.1.1.1", 6, 1, 2), &e), "no-sa");
	assert_int_equal(e->sa_slot, SGW_SA_NONE);
	assert_int_equal(sa_add("missing", 0x4000, SGW_SA_OUT, NULL), 0);
	assert_int_equal(sgw_spd_rebind(), 0);
	assert_string_equal(match_e(false, key("10.3.0.1", "1.1.1.1", 6, 1, 2), &e), "no-sa");
	assert_int_not_equal(e->sa_slot, SGW_SA_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proto_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_binding, setup, teardown),
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
