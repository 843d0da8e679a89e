/* SPDX-License-Identifier: BSD-3-Clause */
/* SPD: first-match order, selectors (prefixes, protocol, ports, family),
 * actions, edits, and the binding of protect policies to an SA's slot and
 * generation; each on the plain list and on the hash path, with wide and
 * with tiny priority gaps. Then a differential test against a reference
 * list, and readers that must never see a later policy win while the
 * control core churns and renumbers the list under RCU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <rte_malloc.h>

#include "eal_test.h"
#include "sa.h"
#include "spd.h"

#define MAX_PER_DIR 8
#define ANY         (-1)

#define READERS     2

static struct rte_rcu_qsbr *rcu;

/* How a test runs the SPD: its size, and the test knob (sgw_spd_tune). */
struct cfg {
	const char *name;
	unsigned max;                /* policies per direction */
	bool tune;
	unsigned small, step_shift;
	bool anchor;                 /* test_concurrent: a permanent early policy */
};

static struct cfg cfg_list = { .name = "list", .max = MAX_PER_DIR };
static struct cfg cfg_hash = { .name = "hash", .max = MAX_PER_DIR, .tune = true,
			       .small = 0, .step_shift = 24 };
static struct cfg cfg_tight = { .name = "hash, step 2", .max = MAX_PER_DIR, .tune = true,
				.small = 0, .step_shift = 1 };
static const struct cfg *cfg;    /* the running test's */

static void cc_join(void);

static int setup(void **st)
{
	cfg = *st ? *st : &cfg_list;
	rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(READERS), RTE_CACHE_LINE_SIZE);
	assert_non_null(rcu);
	assert_int_equal(rte_rcu_qsbr_init(rcu, READERS), 0);
	assert_int_equal(sgw_sa_table_init(64, rcu), 0);
	if (sgw_spd_init(cfg->max, rcu) < 0)
		return -1;
	if (cfg->tune)
		sgw_spd_tune(cfg->small, cfg->step_shift);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	cc_join();                   /* a failed assertion must not leave readers running */
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

/* Policies without prefixes share one bucket per direction whose hash key
 * is all zero but for the group (and the outbound group in slot 0 is 0).
 * That bucket is republished again and again while other buckets come and
 * go around it in the hash table: it must stay one bucket, with the
 * policies there are now. */
static void test_any_bucket(void **st)
{
	static const int protos[] = { ANY, 6, 17 };
	const struct sgw_spd_key k4 = key("1.2.3.4", "5.6.7.8", 6, 1, 2);
	const struct sgw_spd_key k6 = key("2001:db8::1", "2001:db8::2", 17, 1, 2);
	char in[2][16], any[3][16];
	unsigned n_in = 0, n_any = 0;
	struct sgw_conf_policy p;
	char name[16];
	(void)st;

	for (unsigned i = 0; i < 600; i++) {
		/* Inbound /32 policies, a new address each time. */
		snprintf(name, sizeof(name), "in%u", i);
		p = pol(name, true, SGW_POLICY_BYPASS, NULL, NULL, NULL, ANY);
		p.sel.has_src = true;
		p.sel.family = p.sel.src.family = AF_INET;
		p.sel.src.len = 32;
		p.sel.src.addr[0] = 10;
		p.sel.src.addr[2] = (uint8_t)(i >> 8);
		p.sel.src.addr[3] = (uint8_t)i;
		if (n_in == RTE_DIM(in)) {
			assert_int_equal(sgw_spd_del(in[0]), 0);
			memmove(in[0], in[1], sizeof(in) - sizeof(in[0]));
			n_in--;
		}
		assert_int_equal(sgw_spd_add(&p, -1), 0);
		snprintf(in[n_in++], sizeof(in[0]), "%s", name);
		/* Outbound policies of any address: a bucket of up to three,
		 * emptied every fourth round (its hash key goes and comes,
		 * while inbound ones come and go around it). */
		if (i % 4 == 3) {
			while (n_any)
				assert_int_equal(sgw_spd_del(any[--n_any]), 0);
		} else {
			snprintf(name, sizeof(name), "any%u", i);
			p = pol(name, false, SGW_POLICY_BYPASS, NULL, NULL, NULL,
				protos[i % RTE_DIM(protos)]);
			assert_int_equal(sgw_spd_add(&p, (int)(i % (n_any + 1))), 0);
			snprintf(any[n_any++], sizeof(any[0]), "%s", name);
		}
		/* The first of them that takes the packet, or none. */
		for (unsigned t = 0; t < 2; t++) {
			const struct sgw_spd_key *k = t ? &k6 : &k4;
			const char *want = "";
			uint64_t hits;
			bool bound;

			for (unsigned j = 0; j < sgw_spd_count(false) && !want[0]; j++) {
				const struct sgw_conf_policy *c = sgw_spd_get(false, j, &hits, &bound);

				if (c->sel.proto < 0 || c->sel.proto == k->proto)
					want = c->name;
			}
			assert_string_equal(out(*k), want);
		}
	}
}

/* ---- differential test ------------------------------------------------- */

/* Random edits of both directions, mirrored in a reference list (an array
 * of policies searched first to last); after each, random packets drawn
 * from the addresses the policies are made of must find the reference's
 * first match (through sgw_spd_lookup) and, inbound, the first match among
 * the policies bound to a given SA (sgw_spd_check_sa). Which policy a
 * lookup returned is read from the hit counters: key j adds 2^j. */
#define DF_MAX     200
#define DF_OPS     2400
#define DF_KEYS    20                /* lookups per direction and check */
#define DF_SA_KEYS 12                /* check_sa per check: 32 weights in all */
#define DF_SAS     6                 /* sa0..sa5; sa5 never exists */
#define DF_BASES   5                 /* policies' addresses; keys have 2 more */

struct df_bind {
	uint32_t slot, gen;          /* slot SGW_SA_NONE: unbound */
};

static struct {
	uint64_t rng;
	unsigned op;
	unsigned n[2];
	struct sgw_conf_policy p[2][DF_MAX];
	struct df_bind b[2][DF_MAX];
	uint64_t prio[2][DF_MAX][2]; /* both numberings last seen in a match,
				      * 0 unknown */
	struct {
		bool present, inbound;
		uint32_t slot, gen;
	} sa[DF_SAS];
	unsigned names, spis;
	struct df_bind hist[64];     /* every SA there was, by (slot, gen) */
	unsigned n_hist;
	uint8_t v4[DF_BASES + 2][16], v6[DF_BASES + 2][16];
	/* what the checks saw, to prove they are not vacuous */
	uint64_t lookups, hits, deep, sa_checks, sa_hits, crossings, moved;
	uint64_t low, high, rebinds, errors, full;
} df;

static uint64_t df_rand(void)        /* splitmix64 */
{
	uint64_t z = (df.rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned df_rn(unsigned n)
{
	return (unsigned)(df_rand() % n);
}

static struct sgw_prefix df_prefix(bool v6, unsigned base, unsigned len)
{
	struct sgw_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = v6 ? AF_INET6 : AF_INET;
	p.len = (uint8_t)len;
	memcpy(p.addr, v6 ? df.v6[base] : df.v4[base], 16);
	for (unsigned b = len; b < 128; b++)
		p.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	return p;
}

static struct sgw_conf_policy df_policy(bool inbound)
{
	static const unsigned len4[] = { 0, 8, 16, 24, 32 }, len6[] = { 0, 32, 64, 128 };
	static const int protos[] = { ANY, ANY, 6, 17 };
	const unsigned kind = df_rn(8);
	const bool v6 = df_rn(2);
	struct sgw_conf_policy p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "p%u", df.names++);
	p.inbound = inbound;
	p.sel.sport_hi = p.sel.dport_hi = 65535;
	if (kind > 0)                /* 0: family 0, both families */
		p.sel.family = v6 ? AF_INET6 : AF_INET;
	if (kind > 1) {              /* else family only */
		if (df_rn(3)) {
			p.sel.has_src = true;
			p.sel.src = df_prefix(v6, df_rn(DF_BASES),
					      v6 ? len6[df_rn(4)] : len4[df_rn(5)]);
		}
		if (df_rn(3)) {
			p.sel.has_dst = true;
			p.sel.dst = df_prefix(v6, df_rn(DF_BASES),
					      v6 ? len6[df_rn(4)] : len4[df_rn(5)]);
		}
	}
	p.sel.proto = protos[df_rn(4)];
	switch (df_rn(8)) {
	case 0:
		p.sel.sport_lo = 1000;
		p.sel.sport_hi = 2000;
		break;
	case 1:
		p.sel.dport_lo = p.sel.dport_hi = 80;
		break;
	case 2:
		p.sel.dport_hi = 1023;
		break;
	default:
		break;
	}
	p.action = (enum sgw_policy_action)df_rn(3);
	if (p.action == SGW_POLICY_PROTECT)
		snprintf(p.sa, sizeof(p.sa), "sa%u", df_rn(DF_SAS));
	return p;
}

static struct sgw_spd_key df_key(void)
{
	static const uint8_t protos[] = { 1, 6, 6, 17, 17 };
	static const uint16_t sports[] = { 53, 1000, 1500, 2001, 40000 };
	static const uint16_t dports[] = { 80, 443, 53, 1023, 8080 };
	const bool v6 = df_rn(2);
	struct sgw_spd_key k;

	memset(&k, 0, sizeof(k));
	k.family = v6 ? AF_INET6 : AF_INET;
	memcpy(k.src, v6 ? df.v6[df_rn(DF_BASES + 2)] : df.v4[df_rn(DF_BASES + 2)], 16);
	memcpy(k.dst, v6 ? df.v6[df_rn(DF_BASES + 2)] : df.v4[df_rn(DF_BASES + 2)], 16);
	k.proto = protos[df_rn(RTE_DIM(protos))];
	if (k.proto != 1 && df_rn(5)) {
		k.has_ports = true;
		k.sport = sports[df_rn(RTE_DIM(sports))];
		k.dport = dports[df_rn(RTE_DIM(dports))];
	}
	return k;
}

/* The reference: bit by bit, from the configuration's selector. */
static bool df_in(const struct sgw_prefix *p, const uint64_t a[2])
{
	const uint8_t *b = (const uint8_t *)a;

	for (unsigned i = 0; i < p->len; i++) {
		const uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if ((p->addr[i / 8] & m) != (b[i / 8] & m))
			return false;
	}
	return true;
}

static bool df_matches(const struct sgw_conf_policy *p, const struct sgw_spd_key *k)
{
	const struct sgw_conf_sel *s = &p->sel;

	if (s->family && s->family != k->family)
		return false;
	if (s->proto >= 0 && s->proto != k->proto)
		return false;
	if ((s->sport_lo || s->sport_hi != 65535 || s->dport_lo || s->dport_hi != 65535) &&
	    (!k->has_ports || k->sport < s->sport_lo || k->sport > s->sport_hi ||
	     k->dport < s->dport_lo || k->dport > s->dport_hi))
		return false;
	return (!s->has_src || df_in(&s->src, k->src)) &&
	       (!s->has_dst || df_in(&s->dst, k->dst));
}

/* The first match, among the policies bound to sa when given; -1 none. */
static int df_first(bool in, const struct sgw_spd_key *k, const struct df_bind *sa)
{
	if (sa && sa->slot == SGW_SA_NONE)
		return -1;
	for (unsigned i = 0; i < df.n[in]; i++)
		if ((!sa || (df.b[in][i].slot == sa->slot && df.b[in][i].gen == sa->gen)) &&
		    df_matches(&df.p[in][i], k))
			return (int)i;
	return -1;
}

/* What a policy binds to now: an SA of its name and direction. */
static struct df_bind df_bind_of(const struct sgw_conf_policy *p)
{
	struct df_bind b = { SGW_SA_NONE, 0 };
	unsigned i;

	if (p->action != SGW_POLICY_PROTECT || sscanf(p->sa, "sa%u", &i) != 1)
		return b;
	if (i < DF_SAS && df.sa[i].present && df.sa[i].inbound == p->inbound) {
		b.slot = df.sa[i].slot;
		b.gen = df.sa[i].gen;
	}
	return b;
}

/* sgw_spd_rebind_sa(sa) as the reference sees it; sa NULL: every policy. */
static void df_rebind(const char *sa)
{
	for (unsigned in = 0; in < 2; in++)
		for (unsigned i = 0; i < df.n[in]; i++)
			if (!sa || (df.p[in][i].action == SGW_POLICY_PROTECT &&
				    !strcmp(df.p[in][i].sa, sa)))
				df.b[in][i] = df_bind_of(&df.p[in][i]);
}

/* An SA to check inbound packets against: a current one, a stale or an
 * absent binding, one gone, an outbound SA, a wrong generation. */
static struct df_bind df_sa_pick(void)
{
	struct df_bind b = { SGW_SA_NONE, 0 };
	const unsigned i = df_rn(DF_SAS - 1);

	switch (df_rn(7)) {
	case 6:
		if (df.n_hist)
			b = df.hist[df_rn(RTE_MIN(df.n_hist, RTE_DIM(df.hist)))];
		break;
	case 0:
	case 1:
		if (df.n[1])
			b = df.b[1][df_rn(df.n[1])];
		break;
	case 2:
		if (df.sa[i].present) {
			b.slot = df.sa[i].slot;
			b.gen = df.sa[i].gen + 1;
		}
		break;
	default:
		if (df.sa[i].present) {
			b.slot = df.sa[i].slot;
			b.gen = df.sa[i].gen;
		}
		break;
	}
	return b;
}

static void df_key_str(const struct sgw_spd_key *k, char *buf, size_t size)
{
	struct sgw_prefix s, d;
	char a[64], b[64];

	memset(&s, 0, sizeof(s));
	s.family = k->family;
	memcpy(s.addr, k->src, 16);
	d = s;
	memcpy(d.addr, k->dst, 16);
	snprintf(buf, size, "%s -> %s proto %u ports %s%u/%u",
		 sgw_prefix_str(&s, false, a, sizeof(a)),
		 sgw_prefix_str(&d, false, b, sizeof(b)), k->proto,
		 k->has_ports ? "" : "none ", k->sport, k->dport);
}

static const char *df_name(bool in, int i)
{
	return i < 0 ? "(none)" : df.p[in][i].name;
}

static void df_check_dir(bool in)
{
	const unsigned n = df.n[in], nk = DF_KEYS + (in ? DF_SA_KEYS : 0);
	const struct sgw_spd_entry *e[DF_KEYS + DF_SA_KEYS];
	struct sgw_spd_key k[DF_KEYS + DF_SA_KEYS];
	struct df_bind sa[DF_KEYS + DF_SA_KEYS];
	uint64_t before[DF_MAX], delta[DF_MAX], hits;
	int ref[DF_KEYS + DF_SA_KEYS];
	bool bound;
	char ks[160];

	assert_int_equal(sgw_spd_count(in), n);
	assert_int_equal(sgw_spd_empty(in), n == 0);
	assert_int_equal(sgw_spd_view(in) == NULL, n == 0);
	for (unsigned i = 0; i < n; i++) {
		const struct sgw_conf_policy *c = sgw_spd_get(in, i, &before[i], &bound);

		assert_non_null(c);
		if (strcmp(c->name, df.p[in][i].name))
			fail_msg("%s, op %u: %s policy %u is %s, want %s", cfg->name, df.op,
				 in ? "in" : "out", i, c->name, df.p[in][i].name);
		if (bound != (df.b[in][i].slot != SGW_SA_NONE))
			fail_msg("%s, op %u: %s bound %d", cfg->name, df.op, c->name, bound);
	}
	assert_null(sgw_spd_get(in, n, &hits, &bound));

	for (unsigned j = 0; j < nk; j++) {
		k[j] = df_key();
		if (j < DF_KEYS) {
			ref[j] = df_first(in, &k[j], NULL);
			e[j] = sgw_spd_lookup(in, &k[j]);
			df.lookups++;
			df.hits += ref[j] >= 0;
			df.deep += ref[j] >= 16;
		} else {
			sa[j] = df_sa_pick();
			ref[j] = df_first(true, &k[j], &sa[j]);
			e[j] = sgw_spd_check_sa(&k[j], sa[j].slot, sa[j].gen);
			df.sa_checks++;
			df.sa_hits += ref[j] >= 0;
		}
		if (e[j])
			sgw_spd_count_match(e[j], 1u << j);
	}
	for (unsigned i = 0; i < n; i++) {
		assert_non_null(sgw_spd_get(in, i, &hits, &bound));
		delta[i] = hits - before[i];
	}
	for (unsigned j = 0; j < nk; j++) {
		int got = -1;

		for (unsigned i = 0; i < n; i++)
			if (delta[i] & (UINT64_C(1) << j)) {
				assert_int_equal(got, -1);
				got = (int)i;
			}
		if (got != ref[j] || (got < 0) != !e[j]) {
			df_key_str(&k[j], ks, sizeof(ks));
			fail_msg("%s, op %u: %s %s%s: got %s (entry %p), want %s",
				 cfg->name, df.op, in ? "in" : "out",
				 j < DF_KEYS ? "lookup " : "check_sa ", ks,
				 df_name(in, got), (const void *)e[j], df_name(in, ref[j]));
		}
		if (got < 0)
			continue;
		/* The entry is the policy's own, as compiled and bound. */
		assert_int_equal(e[j]->action, df.p[in][got].action);
		assert_int_equal(e[j]->sa_slot, df.b[in][got].slot);
		if (e[j]->sa_slot != SGW_SA_NONE)
			assert_int_equal(e[j]->sa_gen, df.b[in][got].gen);
		if (j >= DF_KEYS) {                  /* check_sa: of that SA */
			assert_int_equal(e[j]->sa_slot, sa[j].slot);
			assert_int_equal(e[j]->sa_gen, sa[j].gen);
			continue;
		}
		/* Renumbering writes the numbering not in use: count the
		 * changes seen in each. */
		if (df.prio[in][got][0] || df.prio[in][got][1]) {
			df.low += df.prio[in][got][0] != e[j]->prio[0];
			df.high += df.prio[in][got][1] != e[j]->prio[1];
			df.moved += df.prio[in][got][0] != e[j]->prio[0] ||
				    df.prio[in][got][1] != e[j]->prio[1];
		}
		memcpy(df.prio[in][got], e[j]->prio, sizeof(df.prio[in][got]));
	}
	/* Priorities lookups see now are in list order. */
	for (unsigned a = 0; a < DF_KEYS; a++)
		for (unsigned b = 0; b < DF_KEYS; b++)
			if (ref[a] >= 0 && ref[b] >= 0 && ref[a] < ref[b] &&
			    sgw_spd_prio(e[a]) >= sgw_spd_prio(e[b]))
				fail_msg("%s, op %u: %s before %s, priorities %#" PRIx64
					 " and %#" PRIx64, cfg->name, df.op,
					 df_name(in, ref[a]), df_name(in, ref[b]),
					 sgw_spd_prio(e[a]), sgw_spd_prio(e[b]));
	for (unsigned i = 0; i < n; i++) {
		uint64_t want = 0;

		for (unsigned j = 0; j < nk; j++)
			if (ref[j] == (int)i)
				want |= UINT64_C(1) << j;
		assert_int_equal(delta[i], want);
	}
}

static void df_add(bool in)
{
	struct sgw_conf_policy p = df_policy(in);
	const unsigned n = df.n[in], r = df_rn(10);
	unsigned pos;
	int ret;

	if (r < 2) {                         /* append */
		ret = sgw_spd_add(&p, -1);
		pos = n;
	} else if (r < 5) {                  /* at a place, or past the end */
		pos = df_rn(n + 3);
		ret = sgw_spd_add(&p, (int)pos);
		pos = RTE_MIN(pos, n);
	} else if (r < 9 && n) {             /* before a named policy */
		pos = r == 8 ? 0 : df_rn(n);
		ret = sgw_spd_add_before(&p, df.p[in][pos].name);
	} else {
		ret = sgw_spd_add_before(&p, NULL);
		pos = n;
	}
	if (n == cfg->max) {
		assert_int_equal(ret, -ENOSPC);
		df.full++;
		return;
	}
	if (ret)
		fail_msg("%s, op %u: adding %s at %u of %u: %d", cfg->name, df.op,
			 p.name, pos, n, ret);
	memmove(&df.p[in][pos + 1], &df.p[in][pos], (n - pos) * sizeof(df.p[in][0]));
	memmove(&df.b[in][pos + 1], &df.b[in][pos], (n - pos) * sizeof(df.b[in][0]));
	memmove(&df.prio[in][pos + 1], &df.prio[in][pos], (n - pos) * sizeof(df.prio[in][0]));
	df.p[in][pos] = p;
	df.b[in][pos] = df_bind_of(&p);
	memset(df.prio[in][pos], 0, sizeof(df.prio[in][pos]));
	df.n[in]++;
}

static void df_del(bool in)
{
	const unsigned n = df.n[in], i = df_rn(n);

	assert_int_equal(sgw_spd_del(df.p[in][i].name), 0);
	memmove(&df.p[in][i], &df.p[in][i + 1], (n - i - 1) * sizeof(df.p[in][0]));
	memmove(&df.b[in][i], &df.b[in][i + 1], (n - i - 1) * sizeof(df.b[in][0]));
	memmove(&df.prio[in][i], &df.prio[in][i + 1], (n - i - 1) * sizeof(df.prio[in][0]));
	df.n[in]--;
}

/* Edits that must fail and change nothing. */
static void df_bad(bool in)
{
	struct sgw_conf_policy p = df_policy(in);

	df.errors++;
	switch (df_rn(4)) {
	case 0:                              /* a name in use, either direction */
		if (df.n[!in]) {
			snprintf(p.name, sizeof(p.name), "%s", df.p[!in][df_rn(df.n[!in])].name);
			assert_int_equal(sgw_spd_add(&p, df_rn(3) ? -1 : 0), -EEXIST);
		}
		break;
	case 1:
		assert_int_equal(sgw_spd_add_before(&p, "nosuch"), -ENOENT);
		break;
	case 2:                              /* before a policy of the other direction */
		if (df.n[!in])
			assert_int_equal(sgw_spd_add_before(&p, df.p[!in][df_rn(df.n[!in])].name),
					 -ENOENT);
		break;
	default:
		assert_int_equal(sgw_spd_del(p.name), -ENOENT);
		break;
	}
}

/* Adds or deletes an SA that policies name; rebinds them, or not yet. */
static void df_sa_toggle(void)
{
	const unsigned i = df_rn(DF_SAS - 1);
	struct sgw_sa_info info;
	char name[8];

	snprintf(name, sizeof(name), "sa%u", i);
	if (df.sa[i].present) {
		assert_int_equal(sgw_sa_del(df.sa[i].slot), 0);
		df.sa[i].present = false;
	} else {
		/* sa0, sa1 inbound, sa3 outbound, sa2 and sa4 either way */
		const bool in = i < 2 ? true : i == 3 ? false : df_rn(2);

		assert_int_equal(sa_add(name, 0x1000 + df.spis++, in ? SGW_SA_IN : SGW_SA_OUT,
					&df.sa[i].slot), 0);
		assert_int_equal(sgw_sa_info(df.sa[i].slot, &info), 0);
		df.sa[i].gen = info.gen;
		df.sa[i].inbound = in;
		df.sa[i].present = true;
		df.hist[df.n_hist++ % RTE_DIM(df.hist)] = (struct df_bind){ info.slot, info.gen };
	}
	if (df_rn(4)) {                      /* else stale until a later rebind */
		assert_int_equal(sgw_spd_rebind_sa(name), 0);
		df_rebind(name);
		df.rebinds++;
	}
}

static void test_differential(void **st)
{
	static const char *const v4[DF_BASES + 2] = {
		"10.1.2.3", "10.1.2.99", "10.1.7.3", "10.9.2.3", "172.16.2.3",
		"10.1.2.200", "192.0.2.1",
	};
	static const char *const v6[DF_BASES + 2] = {
		"2001:db8:1:2::3", "2001:db8:1:2::99", "2001:db8:1:7::3", "2001:db8:9::3",
		"2001:db9:1:2::3", "2001:db8:1:2::200", "3fff::1",
	};
	/* Sizes each direction heads for, phase by phase: through the plain
	 * list's limit both ways, up to the maximum, down to empty. */
	static const unsigned target[][2] = {
		{ 40, 8 }, { 120, 100 }, { 200, 200 }, { 16, 16 }, { 0, 3 },
		{ 120, 17 }, { 17, 120 }, { 16, 15 },
	};
	const unsigned small = cfg->tune ? cfg->small : 16;
	(void)st;

	memset(&df, 0, sizeof(df));
	df.rng = UINT64_C(0x5eed) + cfg->step_shift * 977 + cfg->small;
	for (unsigned i = 0; i < DF_BASES + 2; i++) {
		struct sgw_prefix p;

		assert_int_equal(sgw_prefix_parse(v4[i], &p, false), 0);
		memcpy(df.v4[i], p.addr, 16);
		assert_int_equal(sgw_prefix_parse(v6[i], &p, false), 0);
		memcpy(df.v6[i], p.addr, 16);
	}
	for (df.op = 0; df.op < DF_OPS; df.op++) {
		const unsigned *t = target[df.op * RTE_DIM(target) / DF_OPS];
		const bool in = df_rn(2);
		const unsigned n = df.n[in], r = df_rn(100);
		const unsigned want = RTE_MIN(t[in], cfg->max);

		if (r < 3) {
			df_sa_toggle();
		} else if (r < 4) {
			assert_int_equal(sgw_spd_rebind(), 0);
			df_rebind(NULL);
		} else if (r < 5) {
			char name[8];

			snprintf(name, sizeof(name), "sa%u", df_rn(DF_SAS));
			assert_int_equal(sgw_spd_rebind_sa(name), 0);
			df_rebind(name);
		} else if (r < 7) {
			df_bad(in);
		} else if (df_rn(10) < (n < want ? 9u : n > want ? 1u : 5u)) {
			df_add(in);
		} else if (n) {
			df_del(in);
		}
		df.crossings += (n <= small) != (df.n[in] <= small);
		df_check_dir(false);
		df_check_dir(true);
	}
	print_message("%s: %" PRIu64 " lookups, %" PRIu64 " matched (%" PRIu64
		      " past the 16th policy); check_sa %" PRIu64 " of %" PRIu64
		      "; %" PRIu64 " list/hash switches, %" PRIu64 " priorities moved, "
		      "%" PRIu64 "/%" PRIu64 " changes in numbering 0/1; %" PRIu64
		      " full, %" PRIu64 " SA rebinds, %" PRIu64 " refused edits\n",
		      cfg->name, df.lookups, df.hits, df.deep, df.sa_hits, df.sa_checks,
		      df.crossings, df.moved, df.low, df.high, df.full, df.rebinds, df.errors);
	/* Not vacuous: plenty of matches, and misses, deep in the list too;
	 * bound policies found through their SA; both sizes of list. */
	assert_true(df.hits * 3 > df.lookups && df.lookups - df.hits > 1000);
	assert_true(df.deep > 1000);
	assert_true(df.sa_hits > 300);
	assert_true(df.full > 0 && df.rebinds > 20 && df.errors > 20);
	if (small)
		assert_true(df.crossings > 20);
	if (cfg->step_shift && cfg->step_shift <= 2) {
		assert_true(df.moved > 300);      /* renumbered, into both numberings */
		assert_true(df.low > 100 && df.high > 100);
	}
}

/* ---- readers under churn ------------------------------------------------ */

/* Outbound: P, permanent, in the middle of the list, matches K. Before it
 * the writer keeps adding and deleting "early" policies that match K too
 * (discard), after it "late" ones that do (protect, never to be returned),
 * and everywhere policies that do not match K; mostly right in front of P,
 * so that with priorities 2 apart the list is renumbered all the time.
 * Readers look K up and must get P or an early policy, whole. Whatever
 * edits a lookup overlaps, P stays before every late policy, so none of
 * those may win; anchored (an early policy E0 that stays), P may not win
 * either. Z, first, shows the renumberings to the writer. */
#define CC_MAX     120
#define CC_SECONDS 0.5                   /* at least, and 100 renumberings */
#define CC_LIMIT   5.0                   /* at most */

static struct sgw_spd_key cc_k;
static uint32_t cc_p;                    /* P's entry's policy id */
static bool cc_anchor;                   /* an early policy always there */
static pthread_t cc_th[READERS];
static unsigned cc_started;
static volatile int cc_stop;
static struct {
	uint64_t lookups, p, early, none, late, wrong, hidden;
	uint64_t bad_prio;                   /* of the first late or wrong entry */
} cc_seen[READERS];

static void cc_join(void)
{
	cc_stop = 1;
	for (unsigned r = 0; r < cc_started; r++)
		pthread_join(cc_th[r], NULL);
	cc_started = 0;
}

/* The entry's own selector says it matches k (not the SPD's code). */
static bool cc_entry_matches(const struct sgw_spd_entry *e, const struct sgw_spd_key *k)
{
	if (e->family && e->family != k->family)
		return false;
	if (e->proto >= 0 && e->proto != k->proto)
		return false;
	if (e->ports && (!k->has_ports || k->sport < e->sport_lo || k->sport > e->sport_hi ||
			 k->dport < e->dport_lo || k->dport > e->dport_hi))
		return false;
	for (unsigned w = 0; w < 2; w++)
		if ((k->src[w] & e->src_mask[w]) != e->src[w] ||
		    (k->dst[w] & e->dst_mask[w]) != e->dst[w])
			return false;
	return true;
}

static void *cc_reader(void *arg)
{
	const unsigned id = (unsigned)(uintptr_t)arg;
	const struct sgw_spd_key k = cc_k;

	rte_rcu_qsbr_thread_register(rcu, id);
	rte_rcu_qsbr_thread_online(rcu, id);
	while (!cc_stop) {
		for (unsigned i = 0; i < 64; i++) {
			const struct sgw_spd_entry *e = sgw_spd_lookup(false, &k);
			bool bad = false;

			cc_seen[id].lookups++;
			if (!e)
				cc_seen[id].none++;
			else if (!cc_entry_matches(e, &k))
				cc_seen[id].wrong++, bad = true;
			else if (e->action == SGW_POLICY_BYPASS && e->policy == cc_p && cc_anchor)
				cc_seen[id].hidden++, bad = true;
			else if (e->action == SGW_POLICY_BYPASS && e->policy == cc_p)
				cc_seen[id].p++;
			else if (e->action == SGW_POLICY_DISCARD)
				cc_seen[id].early++;
			else if (e->action == SGW_POLICY_PROTECT)
				cc_seen[id].late++, bad = true;
			else
				cc_seen[id].wrong++, bad = true;
			if (bad && e && !cc_seen[id].bad_prio)
				cc_seen[id].bad_prio = (e->prio[0] ^ e->prio[1]) | 1;
			rte_rcu_qsbr_quiescent(rcu, id);
		}
	}
	rte_rcu_qsbr_thread_offline(rcu, id);
	rte_rcu_qsbr_thread_unregister(rcu, id);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { CC_EARLY, CC_LATE, CC_OTHER };

/* A policy of a class: early and late ones match K in every group K can
 * hit, the others share their groups and often their buckets. */
static struct sgw_conf_policy cc_policy(unsigned cls, unsigned n)
{
	static const char *const src_k[] = { NULL, "10.0.0.0/8", "10.1.0.0/16",
					     "10.1.2.0/24", "10.1.2.3/32" };
	static const char *const dst_k[] = { NULL, "192.0.0.0/8", "192.0.2.0/24",
					     "192.0.2.1/32" };
	static const char *const src_o[] = { "10.2.0.0/16", "11.0.0.0/8", "10.1.3.0/24",
					     "10.1.2.4/32" };
	static const char *const dst_o[] = { "192.0.3.0/24", "193.0.0.0/8", "192.0.2.2/32" };
	const char *src = src_k[df_rn(RTE_DIM(src_k))], *dst = dst_k[df_rn(RTE_DIM(dst_k))];
	static const char *const prefix[] = { "e", "l", "o" };
	enum sgw_policy_action a = cls == CC_EARLY ? SGW_POLICY_DISCARD :
				   cls == CC_LATE ? SGW_POLICY_PROTECT :
				   (enum sgw_policy_action)df_rn(3);
	int proto = df_rn(2) ? ANY : 6;
	struct sgw_conf_policy p;
	char name[16];

	snprintf(name, sizeof(name), "%s%u", prefix[cls], n);
	if (cls == CC_OTHER) {
		switch (df_rn(5)) {
		case 0:
			src = src_o[df_rn(RTE_DIM(src_o))];
			break;
		case 1:
			dst = dst_o[df_rn(RTE_DIM(dst_o))];
			break;
		case 2:
			proto = 17;
			break;
		case 3:
			p = pol(name, false, a, "cc-none", "2001:db8::/32", NULL, ANY);
			return p;
		default:
			p = ports(pol(name, false, a, "cc-none", src, dst, proto),
				  0, 65535, 443, 443);
			return p;
		}
	}
	p = pol(name, false, a, "cc-none", src, dst, proto);
	if (!src && !dst && df_rn(2))
		p.sel.family = AF_INET;
	switch (df_rn(6)) {
	case 0:
		p = ports(p, 0, 65535, 80, 80);
		break;
	case 1:
		p = ports(p, 900, 1100, 0, 1023);
		break;
	default:
		break;
	}
	return p;
}

struct cc_names {
	unsigned n;
	char name[CC_MAX][SGW_NAME_MAX];
};

static void cc_forget(struct cc_names *c, unsigned i)
{
	memmove(c->name[i], c->name[i + 1], (c->n - i - 1) * sizeof(c->name[0]));
	c->n--;
}

static void test_concurrent(void **st)
{
	static struct cc_names cls[3];
	/* Z, first, matches what nothing else does: its priority shows the
	 * renumberings. */
	const struct sgw_spd_key kz = key("10.250.1.1", "192.0.2.1", 17, 1000, 80);
	struct sgw_conf_policy p = pol("Z", false, SGW_POLICY_BYPASS, NULL,
				       "10.250.0.0/16", NULL, 17);
	uint64_t ops = 0, before_p = 0, adds = 0, dels = 0, z_moved = 0;
	uint64_t lookups = 0, seen_p = 0, seen_early = 0, bad = 0;
	const struct sgw_spd_entry *e;
	unsigned run = 0, names = 0;
	uint32_t z;
	const unsigned renumbers0 = sgw_spd_renumbers(false);
	double start, end;
	(void)st;

	memset(cls, 0, sizeof(cls));
	memset(cc_seen, 0, sizeof(cc_seen));
	df.rng = UINT64_C(0xcc) + cfg->small;
	cc_k = key("10.1.2.3", "192.0.2.1", 6, 1000, 80);
	assert_int_equal(sgw_spd_add(&p, -1), 0);
	p = pol("P", false, SGW_POLICY_BYPASS, NULL, "10.1.0.0/16", NULL, ANY);
	assert_int_equal(sgw_spd_add(&p, -1), 0);
	e = sgw_spd_lookup(false, &kz);
	assert_non_null(e);
	z = e->policy;
	e = sgw_spd_lookup(false, &cc_k);
	assert_non_null(e);
	cc_p = e->policy;
	/* Anchored: an early policy that stays, in a group of its own, so
	 * that P must never be the answer either. */
	cc_anchor = cfg->anchor;
	if (cc_anchor) {
		p = pol("E0", false, SGW_POLICY_DISCARD, NULL, "10.1.2.0/24", "192.0.2.0/24", 6);
		assert_int_equal(sgw_spd_add_before(&p, "P"), 0);
	}
	cc_stop = 0;
	for (unsigned r = 0; r < READERS; r++) {
		assert_int_equal(pthread_create(&cc_th[r], NULL, cc_reader,
						(void *)(uintptr_t)r), 0);
		cc_started++;
	}
	start = now();
	end = start + CC_SECONDS;
	/* A writer that waits for the readers at each renumbering is slow
	 * here (they share a core): it gets more time. */
	for (; (ops & 15) || now() < end || (z_moved < 100 && now() < start + CC_LIMIT); ops++) {
		/* Between a few and 90 policies, through the list limit; few
		 * early ones (any of them in front of P hides the others),
		 * many late ones, in every group. */
		const unsigned total = sgw_spd_count(false);
		const unsigned want = ops / 400 % 2 ? 90 : 8;
		const bool grow = df_rn(10) < (total < want ? 8u : 2u);
		const bool early_ok = cls[CC_EARLY].n < 3;
		unsigned c, i;
		int ret;

		if (run || (grow && df_rn(3) == 0)) {
			/* Runs of insertions right in front of P. */
			if (!run)
				run = 4 + df_rn(24);
			run--;
			if (total >= CC_MAX)
				continue;
			c = early_ok && df_rn(8) == 0 ? CC_EARLY : CC_OTHER;
			p = cc_policy(c, names++);
			assert_int_equal(sgw_spd_add_before(&p, "P"), 0);
			before_p++;
		} else if (grow && total < CC_MAX) {
			c = df_rn(10) < 6 ? CC_LATE : early_ok && df_rn(3) == 0 ? CC_EARLY : CC_OTHER;
			p = cc_policy(c, names++);
			i = cls[c].n ? df_rn(cls[c].n) : 0;
			switch (c) {
			case CC_EARLY:               /* after Z, or before another early one */
				ret = cls[c].n && df_rn(2) ?
				      sgw_spd_add_before(&p, cls[c].name[i]) :
				      sgw_spd_add(&p, 1);
				break;
			case CC_LATE:                /* last, or before another late one */
				ret = cls[c].n && df_rn(2) ?
				      sgw_spd_add_before(&p, cls[c].name[i]) :
				      sgw_spd_add(&p, -1);
				break;
			default:                     /* anywhere after Z */
				ret = sgw_spd_add(&p, 1 + (int)df_rn(total));
				break;
			}
			assert_int_equal(ret, 0);
		} else {
			c = df_rn(3);
			if (!cls[c].n)
				continue;
			i = df_rn(cls[c].n);
			assert_int_equal(sgw_spd_del(cls[c].name[i]), 0);
			cc_forget(&cls[c], i);
			dels++;
			goto check;
		}
		snprintf(cls[c].name[cls[c].n++], SGW_NAME_MAX, "%s", p.name);
		adds++;
check:
		/* Between edits the writer sees the whole answer. */
		e = sgw_spd_lookup(false, &cc_k);
		assert_non_null(e);
		if (cls[CC_EARLY].n || cc_anchor)
			assert_int_equal(e->action, SGW_POLICY_DISCARD);
		else
			assert_int_equal(e->policy, cc_p);
		e = sgw_spd_lookup(false, &kz);
		assert_non_null(e);
		assert_int_equal(e->policy, z);
		z_moved = sgw_spd_renumbers(false) - renumbers0;
	}
	cc_join();
	for (unsigned r = 0; r < READERS; r++) {
		lookups += cc_seen[r].lookups;
		seen_p += cc_seen[r].p;
		seen_early += cc_seen[r].early;
		bad += cc_seen[r].none + cc_seen[r].late + cc_seen[r].wrong + cc_seen[r].hidden;
		if (cc_seen[r].none + cc_seen[r].late + cc_seen[r].wrong + cc_seen[r].hidden)
			print_message("reader %u: %" PRIu64 " lookups: %" PRIu64 " none, %" PRIu64
				      " late, %" PRIu64 " wrong, %" PRIu64 " P behind E0 (first"
				      " at priority %#" PRIx64 ")\n", r, cc_seen[r].lookups,
				      cc_seen[r].none, cc_seen[r].late, cc_seen[r].wrong,
				      cc_seen[r].hidden, cc_seen[r].bad_prio);
		assert_true(cc_seen[r].lookups > 1000);
	}
	print_message("%s: %" PRIu64 " edits (%" PRIu64 " adds, %" PRIu64 " in front of P, %"
		      PRIu64 " deletes), %" PRIu64 " renumberings; readers: %" PRIu64 " lookups, %" PRIu64 " P, %" PRIu64
		      " early, %" PRIu64 " bad\n", cfg->name, ops, adds, before_p, dels,
		      z_moved, lookups, seen_p, seen_early, bad);
	assert_int_equal(bad, 0);
	assert_true((cc_anchor || seen_p > 100) && seen_early > 100);
	assert_true(before_p > 100 && dels > 20);
	assert_true(z_moved >= 100);
}

/* Every test of the plain list again on the hash path, with wide and with
 * tiny priority gaps (renumbering at nearly every insertion). */
#define ALL_PATHS(f) \
	cmocka_unit_test_setup_teardown(f, setup, teardown), \
	{ #f " [hash]", f, setup, teardown, &cfg_hash }, \
	{ #f " [hash, step 2]", f, setup, teardown, &cfg_tight }

#define DF_CFG(s, shift) { .name = "differential, " #s ", " #shift, .max = DF_MAX, \
			  .tune = true, .small = s, .step_shift = shift }
#define CC_CFG(n, s, shift, a) { .name = "concurrent, " n, .max = CC_MAX, .tune = true, \
				 .small = s, .step_shift = shift, .anchor = a }

int main(void)
{
	static struct cfg df_default = { .name = "differential, default", .max = DF_MAX };
	static struct cfg df_cfgs[] = {
		DF_CFG(0, 24), DF_CFG(0, 1), DF_CFG(16, 1),
	};
	static struct cfg cc_cfgs[] = {
		CC_CFG("hash, step 2", 0, 1, false),
		CC_CFG("list/hash, step 2", 16, 1, false),
		/* Fewer renumberings, more edits between them. */
		CC_CFG("hash, step 256, anchored", 0, 8, true),
	};
	const struct CMUnitTest tests[] = {
		ALL_PATHS(test_first_match),
		ALL_PATHS(test_prefixes_v4),
		ALL_PATHS(test_prefixes_v6),
		ALL_PATHS(test_family_only),
		ALL_PATHS(test_proto_ports),
		ALL_PATHS(test_edit),
		ALL_PATHS(test_names_and_limits),
		ALL_PATHS(test_protect_binding),
		ALL_PATHS(test_any_bucket),
		{ "test_differential [default]", test_differential, setup, teardown, &df_default },
		{ "test_differential [hash]", test_differential, setup, teardown, &df_cfgs[0] },
		{ "test_differential [hash, step 2]", test_differential, setup, teardown, &df_cfgs[1] },
		{ "test_differential [small 16, step 2]", test_differential, setup, teardown,
		  &df_cfgs[2] },
		{ "test_concurrent [hash, step 2]", test_concurrent, setup, teardown, &cc_cfgs[0] },
		{ "test_concurrent [small 16, step 2]", test_concurrent, setup, teardown,
		  &cc_cfgs[1] },
		{ "test_concurrent [hash, step 256, anchored]", test_concurrent, setup, teardown,
		  &cc_cfgs[2] },
	};
	if (eal_test_init(NULL) < 0)
		return 1;
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
