/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf module: the shipped configurations load, every key lands in its
 * field, and each class of mistake gets exactly its message and place.
 * Messages are part of the interface (operators and the badconfig
 * integration test read them), so they are compared whole.
 */
#include <arpa/inet.h>
#include <dirent.h>
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

#include "conf.h"

#ifndef SGW_FIXTURES
#error "SGW_FIXTURES must be the absolute path of test/fixtures"
#endif
#define EXAMPLES SGW_FIXTURES "/../../conf/examples"

/* Two valid ports, 7 lines: errors in text appended to it are on line 8+. */
#define BASE \
	"ports:\n" \
	"  - name: client\n" \
	"    device: net_af_packet0,iface=sgw-c\n" \
	"    addresses: [198.51.100.1/24, \"2001:db8:c::1/64\"]\n" \
	"  - name: server\n" \
	"    device: net_af_packet1,iface=sgw-s\n" \
	"    addresses: [203.0.113.1/24]\n"

/* Parse + validate text as "t.yaml"; the message, or "ok". */
static const char *check_len(const char *text, size_t len)
{
	static struct sgw_conf_err err;
	struct sgw_conf *c = NULL;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = sgw_conf_parse("t.yaml", text, len, &c, &err);
	if (ret == 0) {
		assert_non_null(c);
		ret = sgw_conf_validate(c, &err);
		sgw_conf_free(c);
	} else {
		assert_null(c); /* *out untouched on failure */
	}
	if (ret == 0)
		return "ok";
	assert_int_equal(ret, -EINVAL);
	return err.msg;
}

static const char *check(const char *text)
{
	return check_len(text, strlen(text));
}

static struct sgw_conf *load_ok(const char *path)
{
	struct sgw_conf_err err = { "" };
	struct sgw_conf *c = NULL;
	int ret = sgw_conf_load(path, &c, &err);

	if (ret != 0)
		fail_msg("%s", err.msg);
	return c;
}

static void assert_prefix(const struct sgw_prefix *p, const char *want)
{
	char buf[64];

	assert_string_equal(sgw_prefix_str(p, true, buf, sizeof(buf)), want);
}

static void assert_loc(struct sgw_conf_loc loc, unsigned line, unsigned col)
{
	assert_int_equal(loc.line, line);
	assert_int_equal(loc.col, col);
}

/* The shipped configurations -------------------------------------------- */

static void test_default(void **state)
{
	struct sgw_conf *c;

	(void)state;
	assert_int_equal(strlen(sgw_conf_default_yaml), sgw_conf_default_yaml_len);
	c = load_ok(NULL);
	assert_string_equal(c->file, SGW_CONF_DEFAULT_NAME);
	assert_int_equal(c->role, SGW_ROLE_STANDALONE);
	assert_true(c->eal.no_huge);
	assert_int_equal(c->eal.memory_mb, 256);
	assert_string_equal(c->eal.file_prefix, "sgw-demo");
	assert_int_equal(c->eal.control_cpu, 0);
	assert_int_equal(c->eal.n_args, 0);
	assert_int_equal(c->workers.count, 1);
	assert_int_equal(c->workers.n_cpus, 1);
	assert_int_equal(c->workers.cpus[0], 1);
	assert_int_equal(c->workers.idle_sleep_us, 100);
	assert_int_equal(c->n_ports, 2);
	assert_string_equal(c->ports[0].name, "client");
	assert_string_equal(c->ports[0].device, "net_af_packet0,iface=sgw-c");
	assert_false(c->ports[0].is_pci);
	assert_int_equal(c->ports[0].mtu, 1500);
	assert_int_equal(c->ports[0].n_addrs, 2);
	assert_prefix(&c->ports[0].addrs[0], "198.51.100.1/24");
	assert_prefix(&c->ports[0].addrs[1], "2001:db8:c::1/64");
	assert_string_equal(c->ports[1].name, "server");
	assert_string_equal(c->ports[1].device, "net_af_packet1,iface=sgw-s");
	assert_int_equal(c->ports[1].mtu, 1500);
	assert_int_equal(c->ports[1].n_addrs, 2);
	assert_prefix(&c->ports[1].addrs[0], "203.0.113.1/24");
	assert_prefix(&c->ports[1].addrs[1], "2001:db8:5::1/64");
	assert_int_equal(c->n_routes, 0);
	assert_string_equal(c->cli.socket, "/run/sgw/sgwd.sock");
	assert_int_equal(c->cli.mode, 0660);
	assert_string_equal(c->cli.group, "");
	assert_int_equal(c->logging.level, 6);
	assert_int_equal(c->logging.target, SGW_LOG_STDERR);
	sgw_conf_free(c);
}

static void test_example_site(void **state)
{
	struct sgw_conf *c = load_ok(EXAMPLES "/site.yaml");

	(void)state;
	assert_int_equal(c->n_ports, 2);
	assert_int_equal(c->n_routes, 5);
	assert_int_equal(c->workers.count, 2);
	assert_int_equal(c->eal.n_args, 2);
	/* Ports inferred from 'via', given, and given for on-link. */
	assert_int_equal(c->routes[0].port_idx, 0);
	assert_int_equal(c->routes[1].port_idx, 0);
	assert_int_equal(c->routes[2].port_idx, 1);
	assert_int_equal(c->routes[3].port_idx, 1);
	assert_int_equal(c->routes[4].port_idx, 1);
	assert_false(c->routes[4].has_via);
	sgw_conf_free(c);
}

static void test_example_pci(void **state)
{
	struct sgw_conf *c = load_ok(EXAMPLES "/pci.yaml");

	(void)state;
	assert_false(c->eal.no_huge);
	assert_true(c->ports[0].is_pci);
	assert_true(c->ports[1].is_pci);
	assert_string_equal(c->ports[0].device, "0000:03:00.0");
	assert_int_equal(c->workers.count, 4);
	sgw_conf_free(c);
}

static void test_good_fixtures(void **state)
{
	static const char *const good[] = {
		"minimal.yaml", "full.yaml", "nulls_and_aliases.yaml", "flow_style.yaml",
	};
	char path[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(path, sizeof(path), "%s/good/%s", SGW_FIXTURES, good[i]);
		sgw_conf_free(load_ok(path));
	}
}

/* Every key, set to something other than its default. */
static void test_full(void **state)
{
	struct sgw_conf *c = load_ok(SGW_FIXTURES "/good/full.yaml");
	const struct sgw_conf_port *p;

	(void)state;
	assert_int_equal(c->role, SGW_ROLE_STANDALONE);
	assert_false(c->eal.no_huge);
	assert_int_equal(c->eal.memory_mb, 1024);
	assert_string_equal(c->eal.file_prefix, "sgw_full-1");
	assert_loc(c->eal.file_prefix_loc, 6, 16);
	assert_int_equal(c->eal.control_cpu, 3);
	assert_int_equal(c->eal.n_args, 2);
	assert_string_equal(c->eal.args[0], "--no-telemetry");
	assert_string_equal(c->eal.args[1], "--log-level=lib.eal:debug");
	assert_int_equal(c->workers.count, 3);
	assert_int_equal(c->workers.n_cpus, 3);
	assert_int_equal(c->workers.cpus[0], 4);
	assert_int_equal(c->workers.cpus[1], 5);
	assert_int_equal(c->workers.cpus[2], 6);
	assert_int_equal(c->workers.idle_sleep_us, 0);
	assert_loc(c->workers.cpus_loc, 11, 9);

	assert_int_equal(c->n_ports, 3);
	p = &c->ports[0];
	assert_string_equal(p->name, "inside");
	assert_string_equal(p->device, "0000:03:00.0");
	assert_true(p->is_pci);
	assert_int_equal(p->mtu, 9000);
	assert_int_equal(p->rx_desc, 1024);
	assert_int_equal(p->tx_desc, 2048);
	assert_int_equal(p->n_addrs, 3);
	assert_prefix(&p->addrs[0], "192.0.2.1/24");
	assert_int_equal(p->addrs[0].family, AF_INET);
	assert_prefix(&p->addrs[1], "2001:db8:10::1/64");
	assert_int_equal(p->addrs[1].family, AF_INET6);
	assert_prefix(&p->addrs[2], "10.9.8.7/31");
	assert_loc(p->loc, 14, 5);
	assert_loc(p->name_loc, 14, 11);
	assert_loc(p->device_loc, 15, 13);
	assert_loc(p->addr_loc[1], 19, 31);
	p = &c->ports[1];
	assert_string_equal(p->name, "outside-2");
	assert_string_equal(p->device, "03:00.1,txq_inline_max=128");
	assert_true(p->is_pci);
	assert_int_equal(p->mtu, 576);
	assert_int_equal(p->rx_desc, 64);
	assert_int_equal(p->tx_desc, 4096);
	assert_int_equal(p->n_addrs, 2);
	assert_prefix(&p->addrs[0], "198.51.100.2/30");
	assert_prefix(&p->addrs[1], "2001:db8:20::2/127");
	assert_loc(p->addr_loc[1], 27, 9);
	p = &c->ports[2];
	assert_string_equal(p->name, "TAP");
	assert_string_equal(p->device, "net_tap0,iface=sgwtap");
	assert_false(p->is_pci);
	assert_int_equal(p->mtu, 1500);
	assert_int_equal(p->rx_desc, 512);
	assert_int_equal(p->tx_desc, 512);
	assert_int_equal(p->n_addrs, 0);

	assert_int_equal(c->n_routes, 3);
	assert_prefix(&c->routes[0].to, "0.0.0.0/0");
	assert_true(c->routes[0].has_via);
	assert_prefix(&c->routes[0].via, "198.51.100.1/32");
	assert_string_equal(c->routes[0].port, "");
	assert_int_equal(c->routes[0].port_idx, 1);
	assert_loc(c->routes[0].loc, 31, 5);
	assert_loc(c->routes[0].to_loc, 31, 9);
	assert_loc(c->routes[0].via_loc, 32, 10);
	assert_prefix(&c->routes[1].to, "2001:db8:1000::/36");
	assert_prefix(&c->routes[1].via, "2001:db8:10::fe/128");
	assert_string_equal(c->routes[1].port, "inside");
	assert_int_equal(c->routes[1].port_idx, 0);
	assert_loc(c->routes[1].port_loc, 35, 11);
	assert_prefix(&c->routes[2].to, "203.0.113.0/24");
	assert_false(c->routes[2].has_via);
	assert_int_equal(c->routes[2].port_idx, 1);

	assert_string_equal(c->cli.socket, "/tmp/sgw-full.sock");
	assert_int_equal(c->cli.mode, 0640);
	assert_string_equal(c->cli.group, "wheel");
	assert_int_equal(c->logging.level, 4); /* "warn" is warning */
	assert_int_equal(c->logging.target, SGW_LOG_SYSLOG);
	assert_int_equal(c->limits.neighbours, 16);
	assert_int_equal(c->limits.routes, 1048576);
	assert_int_equal(c->limits.mbufs, 1024);
	sgw_conf_free(c);
}

static void test_defaults(void **state)
{
	struct sgw_conf *c = load_ok(SGW_FIXTURES "/good/minimal.yaml");

	(void)state;
	assert_true(c->eal.no_huge);
	assert_int_equal(c->eal.memory_mb, 256);
	assert_string_equal(c->eal.file_prefix, "sgw");
	assert_int_equal(c->workers.count, 1);
	assert_int_equal(c->workers.n_cpus, 0);
	assert_int_equal(c->workers.idle_sleep_us, 100);
	assert_int_equal(c->ports[0].mtu, 1500);
	assert_int_equal(c->ports[0].rx_desc, 512);
	assert_int_equal(c->ports[0].tx_desc, 512);
	assert_int_equal(c->n_routes, 0);
	assert_null(c->routes);
	assert_string_equal(c->cli.socket, "/run/sgw/sgwd.sock");
	assert_int_equal(c->cli.mode, 0660);
	assert_int_equal(c->logging.level, 6);
	assert_int_equal(c->limits.neighbours, 1024);
	assert_int_equal(c->limits.routes, 1024);
	assert_int_equal(c->limits.mbufs, 0);
	sgw_conf_free(c);
}

/* Relaxed forms that are accepted on purpose. */
static void test_accepted_forms(void **state)
{
	(void)state;
	/* cpus alone says how many workers */
	assert_string_equal(check("workers: {cpus: [1, 2]}\n" BASE), "ok");
	assert_string_equal(check("eal: {no_huge: No}\n" BASE), "ok");
	assert_string_equal(check("cli: {mode: 0}\n" BASE), "ok");
	assert_string_equal(check("cli: {mode: 0600}\n" BASE), "ok");
	assert_string_equal(check("cli: {group: }\n" BASE), "ok");
	assert_string_equal(check("logging: {level: ERROR}\n" BASE), "ok");
	assert_string_equal(check("limits: {mbufs: 0}\n" BASE), "ok");
	/* RFC 3021 /31 and host routes */
	assert_string_equal(check("ports: [{name: a, device: net_a, addresses: "
				  "[192.0.2.0/31, 192.0.2.9/32]}]\n"), "ok");
	assert_string_equal(check("ports: [{name: a, device: 01:00.0}]\n"), "ok");
}

/* The fixtures the badconfig integration test runs sgwd on ---------------- */

static unsigned count_yaml(const char *dir)
{
	struct dirent *e;
	unsigned n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > 5 &&
		    strcmp(e->d_name + strlen(e->d_name) - 5, ".yaml") == 0)
			n++;
	closedir(d);
	return n;
}

static void test_bad_fixtures(void **state)
{
	char line[1024], path[2048], want[4096];
	struct sgw_conf_err err;
	struct sgw_conf *c;
	unsigned n = 0;
	FILE *f = fopen(SGW_FIXTURES "/bad/EXPECTED", "r");
	char *tab;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		snprintf(path, sizeof(path), "%s/bad/%s", SGW_FIXTURES, line);
		snprintf(want, sizeof(want), "%s:%s", path, tab + 1);
		c = NULL;
		assert_int_not_equal(sgw_conf_load(path, &c, &err), 0);
		assert_null(c);
		assert_string_equal(err.msg, want);
		n++;
	}
	fclose(f);
	/* A fixture missing from EXPECTED would never be checked. */
	assert_int_equal(n, count_yaml(SGW_FIXTURES "/bad"));
}

/* One test per class of error --------------------------------------------- */

static void test_err_unknown_key(void **state)
{
	(void)state;
	assert_string_equal(check("role: standalone\nprots: []\n"),
		"t.yaml:2:1: unknown key 'prots' in top level (expected one of: "
		"role, eal, workers, ports, routes, cli, logging, limits)");
	assert_string_equal(check(BASE "    speed: 10G\n"),
		"t.yaml:8:5: unknown key 'speed' in ports entry (expected one of: "
		"name, device, mtu, rx_desc, tx_desc, addresses)");
	assert_string_equal(check("cli: {sock: /x}\n" BASE),
		"t.yaml:1:7: unknown key 'sock' in cli (expected one of: "
		"socket, mode, group)");
	assert_string_equal(check("? [a]\n: b\n"),
		"t.yaml:1:3: expected a key name in top level, got a list");
}

static void test_err_wrong_type(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "    mtu: {bytes: 1500}\n"),
		"t.yaml:8:10: expected an integer 576..9000 for 'mtu', got a mapping");
	assert_string_equal(check("eal: [no_huge]\n" BASE),
		"t.yaml:1:6: expected a mapping for 'eal', got a list");
	assert_string_equal(check("ports: client\n"),
		"t.yaml:1:8: expected a list of 1..8 ports for 'ports', got 'client'");
	assert_string_equal(check("ports: [client]\n"),
		"t.yaml:1:9: expected a mapping for each entry of 'ports', got 'client'");
	assert_string_equal(check(BASE "  - {name: x, device: net_x, addresses: 198.51.100.9/24}\n"),
		"t.yaml:8:41: expected a list of addresses for 'addresses', "
		"got '198.51.100.9/24'");
	assert_string_equal(check("workers: {cpus: [[1]]}\n" BASE),
		"t.yaml:1:18: expected an integer 0..1023 for 'cpus', got a list");
	assert_string_equal(check("- ports\n"),
		"t.yaml:1:1: expected a mapping at top level, got a list");
}

static void test_err_bad_address(void **state)
{
	(void)state;
	assert_string_equal(check("ports: [{name: a, device: net_a, "
				  "addresses: [198.51.100.300/24]}]\n"),
		"t.yaml:1:46: expected an address with a prefix length "
		"(like 198.51.100.1/24) for 'addresses', got '198.51.100.300/24'");
	assert_string_equal(check("ports: [{name: a, device: net_a, "
				  "addresses: [\"fe80::1%eth0/64\"]}]\n"),
		"t.yaml:1:46: expected an address with a prefix length "
		"(like 198.51.100.1/24) for 'addresses', got 'fe80::1%eth0/64'");
	assert_string_equal(check(BASE "routes: [{to: ten/8, port: client}]\n"),
		"t.yaml:8:15: expected a prefix (like 192.0.2.0/24) for 'to', got 'ten/8'");
}

static void test_err_prefix_len(void **state)
{
	(void)state;
	assert_string_equal(check("ports: [{name: a, device: net_a, "
				  "addresses: [\"2001:db8::1/129\"]}]\n"),
		"t.yaml:1:46: expected a prefix length 0..128 for 'addresses', "
		"got '2001:db8::1/129'");
	assert_string_equal(check("ports: [{name: a, device: net_a, "
				  "addresses: [192.0.2.1/024]}]\n"),
		"t.yaml:1:46: expected a prefix length 0..32 for 'addresses', "
		"got '192.0.2.1/024'");
	/* missing length */
	assert_string_equal(check("ports: [{name: a, device: net_a, "
				  "addresses: [192.0.2.1]}]\n"),
		"t.yaml:1:46: expected an address with a prefix length "
		"(like 198.51.100.1/24) for 'addresses', got '192.0.2.1'");
	/* a length where none belongs */
	assert_string_equal(check(BASE "routes: [{to: 10.0.0.0/8, via: 198.51.100.9/24}]\n"),
		"t.yaml:8:32: expected an address without a prefix length "
		"(like 198.51.100.254) for 'via', got '198.51.100.9/24'");
}

static void test_err_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "    mtu: 70000\n"),
		"t.yaml:8:10: expected an integer 576..9000 for 'mtu', got '70000'");
	assert_string_equal(check(BASE "    rx_desc: -1\n"),
		"t.yaml:8:14: expected an integer 64..4096 for 'rx_desc', got '-1'");
	assert_string_equal(check("eal: {memory_mb: 99999999999999999999}\n" BASE),
		"t.yaml:1:18: expected an integer 64..65536 for 'memory_mb', "
		"got '99999999999999999999'");
	/* decimal only: YAML 1.1 would read these as octal/hex */
	assert_string_equal(check("workers: {count: 02}\n" BASE),
		"t.yaml:1:18: expected an integer 1..16 for 'count', got '02'");
	assert_string_equal(check("workers: {idle_sleep_us: 100001}\n" BASE),
		"t.yaml:1:26: expected an integer 0..100000 for 'idle_sleep_us', "
		"got '100001'");
	assert_string_equal(check("limits: {mbufs: 1000}\n" BASE),
		"t.yaml:1:17: expected 0 or an integer 1024..1048576 for 'mbufs', "
		"got '1000'");
	assert_string_equal(check("workers: {cpus: [1024]}\n" BASE),
		"t.yaml:1:18: expected an integer 0..1023 for 'cpus', got '1024'");
}

static void test_err_duplicate_key(void **state)
{
	(void)state;
	assert_string_equal(check("eal:\n  memory_mb: 256\n  no_huge: true\n"
				  "  memory_mb: 512\n" BASE),
		"t.yaml:4:3: duplicate key 'memory_mb' in eal (first at 2:3)");
	assert_string_equal(check(BASE "ports: []\n"),
		"t.yaml:8:1: duplicate key 'ports' in top level (first at 1:1)");
}

static void test_err_duplicate_port_name(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "  - name: client\n    device: net_af_packet2\n"),
		"t.yaml:8:11: duplicate port name 'client' (first at 2:11)");
}

static void test_err_duplicate_device(void **state)
{
	(void)state;
	/* a vdev is its name before ',' */
	assert_string_equal(check(BASE "  - {name: x, device: \"net_af_packet0,iface=x\"}\n"),
		"t.yaml:8:23: device 'net_af_packet0' is already used by port "
		"'client' (first at 3:13)");
	/* a PCI function with or without its domain */
	assert_string_equal(check("ports:\n  - {name: a, device: 0000:0A:00.1}\n"
				  "  - {name: b, device: \"0a:00.1,x=1\"}\n"),
		"t.yaml:3:23: device '0000:0a:00.1' is already used by port 'a' "
		"(first at 2:23)");
}

static void test_err_duplicate_address(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "  - name: spare\n    device: net_af_packet2\n"
				  "    addresses: [198.51.100.1/25]\n"),
		"t.yaml:10:17: address 198.51.100.1 is already on port 'client' "
		"(first at 4:17)");
	assert_string_equal(check("ports: [{name: a, device: net_a, addresses: "
				  "[192.0.2.1/24, 192.0.2.1/25]}]\n"),
		"t.yaml:1:60: address 192.0.2.1 is already on port 'a' (first at 1:46)");
}

static void test_err_port_address(void **state)
{
	static const struct {
		const char *addr, *why;
	} bad[] = {
		{ "198.51.100.0/24", "is the network address of its subnet" },
		{ "198.51.100.255/24", "is the broadcast address of its subnet" },
		{ "224.0.0.5/24", "is a multicast address" },
		{ "127.0.0.1/8", "is a loopback address" },
		{ "0.0.0.0/24", "is in 0.0.0.0/8 (this network)" },
		{ "255.255.255.255/32", "is in 240.0.0.0/4 (reserved)" },
		{ "192.0.2.1/0", "needs a prefix length of at least 1" },
		{ "::/64", "is the unspecified address" },
		{ "::1/128", "is the loopback address" },
		{ "ff02::1/64", "is a multicast address" },
		{ "::ffff:192.0.2.1/96", "is an IPv4-mapped address" },
		{ "2001:db8::/64", "is the subnet-router anycast address of its subnet" },
	};
	char text[256], want[256];
	struct sgw_prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "ports: [{name: a, device: net_a, addresses: [\"%s\"]}]\n",
			 bad[i].addr);
		assert_int_equal(sgw_prefix_parse(bad[i].addr, &p, true), 0);
		snprintf(want, sizeof(want), "t.yaml:1:46: port address %s %s",
			 bad[i].addr, bad[i].why);
		assert_string_equal(check(text), want);
	}
}

static void test_err_missing_key(void **state)
{
	(void)state;
	assert_string_equal(check("ports:\n  - name: client\n    mtu: 1500\n"),
		"t.yaml:2:5: missing required key 'device' in ports entry");
	assert_string_equal(check("ports:\n  - device: net_a\n"),
		"t.yaml:2:5: missing required key 'name' in ports entry");
	assert_string_equal(check("role: standalone\n"),
		"t.yaml:1:1: missing required key 'ports' in top level");
	assert_string_equal(check(BASE "routes:\n  - via: 198.51.100.9\n"),
		"t.yaml:9:5: missing required key 'to' in routes entry");
	assert_string_equal(check("ports:\n"),
		"t.yaml:1:7: expected a list of 1..8 ports for 'ports', got nothing");
	assert_string_equal(check("ports: []\n"),
		"t.yaml:1:8: expected a list of 1..8 ports for 'ports', got nothing");
}

static void test_err_route_port(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n  - to: 10.0.0.0/8\n"
				  "    via: 198.51.100.254\n    port: uplink\n"),
		"t.yaml:11:11: no port named 'uplink'");
}

static void test_err_via_off_link(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n  - to: 10.0.0.0/8\n    via: 192.0.2.1\n"),
		"t.yaml:10:10: gateway 192.0.2.1 is not in the connected subnet "
		"of any port");
	assert_string_equal(check(BASE "routes:\n  - to: 10.0.0.0/8\n"
				  "    via: 198.51.100.254\n    port: server\n"),
		"t.yaml:10:10: gateway 198.51.100.254 is not in a connected subnet "
		"of port 'server'");
	assert_string_equal(check(BASE "  - name: spare\n    device: net_af_packet2\n"
				  "    addresses: [198.51.100.2/25]\n"
				  "routes:\n  - to: 10.0.0.0/8\n    via: 198.51.100.126\n"),
		"t.yaml:13:10: gateway 198.51.100.126 is in the subnets of ports "
		"'client' and 'spare'; set 'port' to choose");
	assert_string_equal(check(BASE "routes:\n  - to: 10.0.0.0/8\n    via: 198.51.100.1\n"),
		"t.yaml:10:10: gateway 198.51.100.1 is this gateway's own address "
		"on port 'client'");
}

static void test_err_via_family(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n  - to: \"2001:db8:99::/48\"\n"
				  "    via: 198.51.100.254\n"),
		"t.yaml:10:10: gateway 198.51.100.254 is IPv4 but destination "
		"2001:db8:99::/48 is IPv6");
}

static void test_err_on_link(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n  - to: 10.0.0.0/8\n"),
		"t.yaml:9:5: route to 10.0.0.0/8 needs 'via' or, for an on-link "
		"route, 'port'");
	assert_string_equal(check(BASE "routes:\n  - to: \"2001:db8:99::/48\"\n"
				  "    port: server\n"),
		"t.yaml:10:11: port 'server' has no IPv6 address for the on-link "
		"route to 2001:db8:99::/48");
	assert_string_equal(check(BASE "routes:\n  - to: 203.0.113.0/24\n    port: server\n"),
		"t.yaml:9:9: route to 203.0.113.0/24 duplicates the connected "
		"subnet of port 'server'");
}

static void test_err_host_bits(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n  - to: 10.1.0.0/8\n"
				  "    via: 198.51.100.254\n"),
		"t.yaml:9:9: route destination 10.1.0.0/8 has host bits set "
		"(did you mean 10.0.0.0/8?)");
	assert_string_equal(check(BASE "routes:\n  - to: \"2001:db8:c::1/48\"\n"
				  "    via: \"2001:db8:c::2\"\n"),
		"t.yaml:9:9: route destination 2001:db8:c::1/48 has host bits set "
		"(did you mean 2001:db8:c::/48?)");
}

static void test_err_duplicate_route(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "routes:\n"
				  "  - {to: 10.0.0.0/8, via: 198.51.100.254}\n"
				  "  - {to: 10.9.0.0/16, via: 198.51.100.254}\n"
				  "  - {to: 10.9.0.0/16, via: 203.0.113.254}\n"
				  "  - {to: 10.0.0.0/8, via: 203.0.113.254}\n"),
		"t.yaml:11:10: duplicate route to 10.9.0.0/16 (first at 10:10)");
}

static void test_err_route_limit(void **state)
{
	char text[4096];
	int i, o;

	(void)state;
	o = snprintf(text, sizeof(text), "limits: {routes: 16}\n" BASE "routes:\n");
	for (i = 0; i < 17; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o,
			      "  - {to: 10.%d.0.0/16, port: client}\n", i);
	assert_string_equal(check(text),
		"t.yaml:26:5: too many IPv4 routes (limits.routes is 16)");
}

static void test_err_workers(void **state)
{
	(void)state;
	assert_string_equal(check("workers:\n  count: 2\n  cpus: [1, 2, 3]\n" BASE),
		"t.yaml:3:9: 'cpus' lists 3 CPUs but 'count' is 2 (one CPU per worker)");
	/* Sharing a CPU between workers is allowed (2-core test machines). */
	assert_string_equal(check("workers:\n  cpus: [1, 2, 1]\n" BASE), "ok");
	assert_string_equal(check("workers:\n  cpus: [0,1,2,3,4,5,6,7,8,9,10,11,12,"
				  "13,14,15,16]\n" BASE),
		"t.yaml:2:48: too many entries for 'cpus' (at most 16)");
}

static void test_err_syntax(void **state)
{
	(void)state;
	/* libyaml's own words and place, made 1-based */
	assert_string_equal(check("ports:\n  - name: client\n    device: net_a\n"
				  "   mtu: 1500\n"),
		"t.yaml:4:4: YAML syntax error: did not find expected '-' indicator "
		"(while parsing a block collection at 2:3)");
	assert_string_equal(check("ports: [{name: a, device: net_a}\n"),
		"t.yaml:2:1: YAML syntax error: did not find expected ',' or ']' "
		"(while parsing a flow sequence at 1:8)");
	assert_string_equal(check("ports:\n  - *p\n"),
		"t.yaml:2:5: YAML syntax error: found undefined alias");
	assert_string_equal(check(BASE "---\n" BASE),
		"t.yaml:8:1: only one YAML document is allowed");
	/* reader errors come as a byte offset: still a line and column */
	assert_string_equal(check("ports:\n  - name: caf\xe9\n"),
		"t.yaml:2:14: cannot read YAML text: incomplete UTF-8 octet sequence");
	assert_string_equal(check("ports:\n  - name: caf\xe9\n    device: net_a\n"),
		"t.yaml:2:15: cannot read YAML text: invalid trailing UTF-8 octet (0xa)");
	assert_string_equal(check_len("ports: [\0]\n", 11),
		"t.yaml:1:9: cannot read YAML text: control characters are not "
		"allowed (0x0)");
}

static void test_err_empty(void **state)
{
	(void)state;
	assert_string_equal(check(""),
		"t.yaml:1:1: the configuration is empty (at least 'ports' is required)");
	assert_string_equal(check("# just a comment\n\n"),
		"t.yaml:1:1: the configuration is empty (at least 'ports' is required)");
	assert_string_equal(check("---\n...\n"),
		"t.yaml:1:1: the configuration is empty (at least 'ports' is required)");
	assert_string_equal(check_len(NULL, 0),
		"t.yaml:1:1: the configuration is empty (at least 'ports' is required)");
}

static void test_err_log(void **state)
{
	(void)state;
	assert_string_equal(check("logging: {level: verbose}\n" BASE),
		"t.yaml:1:18: expected a log level (emerg, alert, crit, err, "
		"warning, notice, info, debug) for 'level', got 'verbose'");
	assert_string_equal(check("logging: {target: journal}\n" BASE),
		"t.yaml:1:19: expected a log target (stderr, syslog) for 'target', "
		"got 'journal'");
}

static void test_err_role(void **state)
{
	(void)state;
	assert_string_equal(check("role: edge\n" BASE),
		"t.yaml:1:7: role 'edge' is not available in this version "
		"(expected 'standalone')");
}

static void test_err_bool(void **state)
{
	(void)state;
	assert_string_equal(check("eal: {no_huge: maybe}\n" BASE),
		"t.yaml:1:16: expected a boolean (true/false/yes/no) for 'no_huge', "
		"got 'maybe'");
}

static void test_err_mode(void **state)
{
	(void)state;
	assert_string_equal(check("cli: {mode: \"01777\"}\n" BASE),
		"t.yaml:1:13: expected a mode 0000..0777 for 'mode', got 01777");
	assert_string_equal(check("cli: {mode: 660}\n" BASE),
		"t.yaml:1:13: expected an octal file mode with a leading 0 "
		"(like 0660) for 'mode', got '660'");
	assert_string_equal(check("cli: {mode: 0o}\n" BASE),
		"t.yaml:1:13: expected an octal file mode with a leading 0 "
		"(like 0660) for 'mode', got '0o'");
	assert_string_equal(check("cli: {mode: 0680}\n" BASE),
		"t.yaml:1:13: expected an octal file mode with a leading 0 "
		"(like 0660) for 'mode', got '0680'");
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(check("eal: {file_prefix: ../etc}\n" BASE),
		"t.yaml:1:20: expected only [A-Za-z0-9_-] in 'file_prefix', got '../etc'");
	assert_string_equal(check("ports: [{name: my port, device: net_a}]\n"),
		"t.yaml:1:16: expected a name of 1..31 characters from [A-Za-z0-9_-] "
		"for 'name', got 'my port'");
	assert_string_equal(check("ports: [{name: \"\", device: net_a}]\n"),
		"t.yaml:1:16: expected a name of 1..31 characters from [A-Za-z0-9_-] "
		"for 'name', got ''");
	assert_string_equal(check("ports: [{name: a, device: eth0}]\n"),
		"t.yaml:1:27: expected a PCI address (0000:03:00.0) or a DPDK virtual "
		"device (net_...) for 'device', got 'eth0'");
	assert_string_equal(check("ports: [{name: a, device: \"net_,x\"}]\n"),
		"t.yaml:1:27: expected a PCI address (0000:03:00.0) or a DPDK virtual "
		"device (net_...) for 'device', got 'net_,x'");
}

/* Strings are never cut to fit, and carry no control bytes. */
static void test_err_strings(void **state)
{
	char text[1024], want[256], name[40];

	(void)state;
	memset(name, 'n', 32);
	name[32] = '\0';
	snprintf(text, sizeof(text), "ports: [{name: %s, device: net_a}]\n", name);
	assert_string_equal(check(text),
		"t.yaml:1:16: expected at most 31 characters for 'name', got 32");
	name[31] = '\0';
	snprintf(text, sizeof(text), "ports: [{name: %s, device: net_a}]\n", name);
	assert_string_equal(check(text), "ok");

	snprintf(text, sizeof(text), "cli: {socket: /%0107d}\n" BASE, 0);
	assert_string_equal(check(text),
		"t.yaml:1:15: expected at most 107 characters for 'socket', got 108");
	assert_string_equal(check("ports: [{name: \"a\\0b\", device: net_a}]\n"),
		"t.yaml:1:16: control characters are not allowed in 'name'");
	assert_string_equal(check("cli: {socket: \"/run/x\\ny\"}\n" BASE),
		"t.yaml:1:15: control characters are not allowed in 'socket'");
	/* a long bad value is shortened, at a character boundary */
	snprintf(text, sizeof(text), "role: %060d\n" BASE, 0);
	snprintf(want, sizeof(want), "t.yaml:1:7: role '%048d...' is not available "
		 "in this version (expected 'standalone')", 0);
	assert_string_equal(check(text), want);
	assert_string_equal(check("role: \"\\x01\"\n" BASE),
		"t.yaml:1:7: role '\\x01' is not available in this version "
		"(expected 'standalone')");
}

static void test_err_too_many(void **state)
{
	char text[2048];
	int i, o = snprintf(text, sizeof(text), "ports:\n");

	(void)state;
	for (i = 0; i < 9; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o,
			      "  - {name: p%d, device: net_tap%d}\n", i, i);
	assert_string_equal(check(text),
		"t.yaml:10:5: too many entries for 'ports' (at most 8)");
	assert_string_equal(check("ports: [{name: a, device: net_a, addresses: ["
				  "10.0.0.1/8, 10.0.0.2/8, 10.0.0.3/8, 10.0.0.4/8, "
				  "10.0.0.5/8, 10.0.0.6/8, 10.0.0.7/8, 10.0.0.8/8, "
				  "10.0.0.9/8]}]\n"),
		"t.yaml:1:142: too many entries for 'addresses' (at most 8)");
	o = snprintf(text, sizeof(text), "eal:\n  args:\n");
	for (i = 0; i < 17; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o, "    - --a%d\n", i);
	snprintf(text + o, sizeof(text) - (size_t)o, "%s", BASE);
	assert_string_equal(check(text),
		"t.yaml:19:7: too many entries for 'args' (at most 16)");
}

/* Files, and structs that did not come from the parser ------------------- */

static void test_parse_file_errors(void **state)
{
	struct sgw_conf_err err;
	struct sgw_conf *c = NULL;

	(void)state;
	assert_int_equal(sgw_conf_parse_file("/nonexistent/sgw.yaml", &c, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/sgw.yaml: No such file or directory");
	assert_int_equal(sgw_conf_parse_file(SGW_FIXTURES, &c, &err), -EISDIR);
	assert_string_equal(err.msg, SGW_FIXTURES ": Is a directory");
	assert_null(c);
	/* a NULL err is allowed: the caller only wants the verdict */
	assert_int_equal(sgw_conf_load("/nonexistent/sgw.yaml", &c, NULL), -ENOENT);
	assert_int_equal(sgw_conf_parse("t", "x: [", 4, &c, NULL), -EINVAL);
}

static void test_validate_built(void **state)
{
	struct sgw_conf_err err;
	struct sgw_conf *c;

	(void)state;
	assert_int_equal(sgw_conf_parse("b.yaml", BASE, strlen(BASE), &c, &err), 0);
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	assert_int_equal(sgw_conf_validate(c, &err), 0); /* idempotent */

	c->cli.mode = 04755;
	c->cli.mode_loc = (struct sgw_conf_loc){ 0 };
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: expected a mode 0000..0777 for 'mode', got 04755");
	c->cli.mode = 0600;

	c->n_ports = SGW_MAX_PORTS + 1;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: too many entries for 'ports' (at most 8)");
	c->n_ports = 2;

	c->ports[1].n_addrs = SGW_MAX_PORT_ADDRS + 1;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:5:5: too many entries for 'addresses' (at most 8)");
	c->ports[1].n_addrs = 1;

	c->n_routes = 3; /* and no table */
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: n_routes is 3 but there is no route table");
	c->n_routes = 0;

	c->workers.idle_sleep_us = 200000;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg,
		"b.yaml: expected an integer 0..100000 for 'idle_sleep_us', got 200000");
	c->workers.idle_sleep_us = 0;

	memset(c->ports[0].name, 'x', sizeof(c->ports[0].name)); /* no NUL */
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:2:11: expected a name of 1..31 "
			    "characters from [A-Za-z0-9_-] for 'name'");
	sgw_conf_free(c);
	sgw_conf_free(NULL);
}

/* Helpers ---------------------------------------------------------------- */

static void test_prefix_parse(void **state)
{
	static const struct {
		const char *s;
		bool need_len;
		int ret;
		const char *norm;
	} t[] = {
		{ "198.51.100.1/24", true, 0, "198.51.100.1/24" },
		{ "198.51.100.1", false, 0, "198.51.100.1/32" },
		{ "198.51.100.1", true, -ENOENT, NULL },
		{ "0.0.0.0/0", true, 0, "0.0.0.0/0" },
		{ "2001:DB8:0::1/64", true, 0, "2001:db8::1/64" },
		{ "::/0", true, 0, "::/0" },
		{ "::1", false, 0, "::1/128" },
		{ "::ffff:192.0.2.1/128", true, 0, "::ffff:192.0.2.1/128" },
		{ "198.51.100.1/33", true, -ERANGE, NULL },
		{ "2001:db8::1/129", true, -ERANGE, NULL },
		{ "198.51.100.1/", true, -ERANGE, NULL },
		{ "198.51.100.1/08", true, -ERANGE, NULL },
		{ "198.51.100.1/+8", true, -ERANGE, NULL },
		{ "198.51.100.1/8/8", true, -ERANGE, NULL },
		{ "198.51.100.1/1000", true, -ERANGE, NULL },
		{ "/24", true, -EINVAL, NULL },
		{ "", false, -EINVAL, NULL },
		{ "198.51.100", false, -EINVAL, NULL },
		{ "198.51.100.01", false, -EINVAL, NULL },
		{ " 198.51.100.1", false, -EINVAL, NULL },
		{ "fe80::1%eth0", false, -EINVAL, NULL },
		{ "1:2:3:4:5:6:7:8:9/64", true, -EINVAL, NULL },
		/* the longest text an address can have, and one byte more */
		{ "0000:0000:0000:0000:0000:ffff:255.255.255.255/64", true, 0,
		  "::ffff:255.255.255.255/64" },
		{ "00000:0000:0000:0000:0000:ffff:255.255.255.255/64", true, -EINVAL, NULL },
	};
	struct sgw_prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&p, 0xaa, sizeof(p));
		assert_int_equal(sgw_prefix_parse(t[i].s, &p, t[i].need_len), t[i].ret);
		if (t[i].norm)
			assert_prefix(&p, t[i].norm);
		else
			assert_int_equal(p.family, (int)0xaaaaaaaa); /* untouched */
	}
}

static void test_prefix_str_contains(void **state)
{
	struct sgw_prefix net, a;
	char buf[50];

	(void)state;
	assert_int_equal(sgw_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128",
					  &a, true), 0);
	/* the longest text fits the documented 50 bytes */
	assert_string_equal(sgw_prefix_str(&a, true, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128");
	assert_string_equal(sgw_prefix_str(&a, false, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");

	assert_int_equal(sgw_prefix_parse("198.51.100.0/23", &net, true), 0);
	assert_int_equal(sgw_prefix_parse("198.51.101.255", &a, false), 0);
	assert_true(sgw_prefix_contains(&net, a.addr, AF_INET));
	assert_false(sgw_prefix_contains(&net, a.addr, AF_INET6));
	assert_int_equal(sgw_prefix_parse("198.51.102.0", &a, false), 0);
	assert_false(sgw_prefix_contains(&net, a.addr, AF_INET));
	assert_int_equal(sgw_prefix_parse("0.0.0.0/0", &net, true), 0);
	assert_true(sgw_prefix_contains(&net, a.addr, AF_INET));
	assert_int_equal(sgw_prefix_parse("198.51.102.0/32", &net, true), 0);
	assert_true(sgw_prefix_contains(&net, a.addr, AF_INET));

	assert_int_equal(sgw_prefix_parse("2001:db8:c::/61", &net, true), 0);
	assert_int_equal(sgw_prefix_parse("2001:db8:c:7::1", &a, false), 0);
	assert_true(sgw_prefix_contains(&net, a.addr, AF_INET6));
	assert_int_equal(sgw_prefix_parse("2001:db8:c:8::1", &a, false), 0);
	assert_false(sgw_prefix_contains(&net, a.addr, AF_INET6));
}

static void test_log_levels(void **state)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		assert_string_equal(sgw_log_level_name(i), names[i]);
		assert_int_equal(sgw_log_level_parse(names[i]), i);
	}
	assert_int_equal(sgw_log_level_parse("error"), 3);
	assert_int_equal(sgw_log_level_parse("warn"), 4);
	assert_int_equal(sgw_log_level_parse("Info"), 6);
	assert_int_equal(sgw_log_level_parse("verbose"), -1);
	assert_int_equal(sgw_log_level_parse(""), -1);
	assert_string_equal(sgw_log_level_name(8), "unknown");
	assert_string_equal(sgw_log_level_name(-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_example_site),
		cmocka_unit_test(test_example_pci),
		cmocka_unit_test(test_good_fixtures),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_wrong_type),
		cmocka_unit_test(test_err_bad_address),
		cmocka_unit_test(test_err_prefix_len),
		cmocka_unit_test(test_err_out_of_range),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_duplicate_port_name),
		cmocka_unit_test(test_err_duplicate_device),
		cmocka_unit_test(test_err_duplicate_address),
		cmocka_unit_test(test_err_port_address),
		cmocka_unit_test(test_err_missing_key),
		cmocka_unit_test(test_err_route_port),
		cmocka_unit_test(test_err_via_off_link),
		cmocka_unit_test(test_err_via_family),
		cmocka_unit_test(test_err_on_link),
		cmocka_unit_test(test_err_host_bits),
		cmocka_unit_test(test_err_duplicate_route),
		cmocka_unit_test(test_err_route_limit),
		cmocka_unit_test(test_err_workers),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_empty),
		cmocka_unit_test(test_err_log),
		cmocka_unit_test(test_err_role),
		cmocka_unit_test(test_err_bool),
		cmocka_unit_test(test_err_mode),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_strings),
		cmocka_unit_test(test_err_too_many),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_validate_built),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_str_contains),
		cmocka_unit_test(test_log_levels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
