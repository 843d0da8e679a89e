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
#include <sys/stat.h>
#include <unistd.h>

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

/* check() for a file of another name: key_file is relative to its place. */
static const char *check_named(const char *name, const char *text)
{
	static struct sgw_conf_err err;
	struct sgw_conf *c = NULL;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = sgw_conf_parse(name, text, strlen(text), &c, &err);
	if (ret == 0)
		ret = sgw_conf_validate(c, &err);
	sgw_conf_free(c);
	return ret == 0 ? "ok" : err.msg;
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
	assert_int_equal(c->n_sas, 0);
	assert_int_equal(c->n_policies, 0);
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
	assert_int_equal(c->n_routes, 6);
	assert_int_equal(c->workers.count, 2);
	assert_int_equal(c->eal.n_args, 2);
	/* Ports inferred from 'via', given, and given for on-link. */
	assert_int_equal(c->routes[0].port_idx, 0);
	assert_int_equal(c->routes[1].port_idx, 0);
	/* A static neighbour for its next hop. */
	assert_int_equal(c->routes[2].port_idx, 0);
	assert_true(c->routes[2].has_mac);
	assert_memory_equal(c->routes[2].mac, "\x02\x00\x00\x00\x0c\xfd", 6);
	assert_false(c->routes[1].has_mac);
	assert_int_equal(c->routes[3].port_idx, 1);
	assert_int_equal(c->routes[4].port_idx, 1);
	assert_int_equal(c->routes[5].port_idx, 1);
	assert_false(c->routes[5].has_via);
	/* A tunnel to site B, and DNS to it in clear. */
	assert_int_equal(c->n_sas, 2);
	assert_false(c->sas[0].inbound);
	assert_true(c->sas[1].inbound);
	assert_int_equal(c->sas[1].replay_window, 1024);
	assert_int_equal(c->n_policies, 4);
	assert_int_equal(c->policies[0].action, SGW_POLICY_BYPASS);
	assert_int_equal(c->policies[1].action, SGW_POLICY_BYPASS);
	assert_int_equal(c->policies[2].sa_idx, 0);
	assert_prefix(&c->policies[2].sel.src, "198.51.100.0/24");
	assert_prefix(&c->policies[2].sel.dst, "10.0.0.0/8");
	assert_int_equal(c->policies[3].sa_idx, 1);
	assert_true(c->policies[3].inbound);
	assert_int_equal(c->limits.sas, 16384);
	assert_int_equal(c->limits.policies, 1024);
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
		"sas_policies.yaml", "ike/full.yaml", "ike/defaults.yaml",
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
	assert_int_equal(c->limits.sas, 16384);
	assert_int_equal(c->limits.policies, 1024);
	assert_int_equal(c->n_sas, 0);
	assert_null(c->sas);
	assert_int_equal(c->n_policies, 0);
	assert_null(c->policies);
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
		"role, eal, workers, ports, routes, sas, policies, cli, logging, limits, "
		"ike, pools, peers)");
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

/* SAs and policies --------------------------------------------------------- */

/* 40 hex digits: a 16-byte key, then the 4-byte salt. */
#define KEY128 "0x000102030405060708090a0b0c0d0e0f10111213"

/* BASE and an outbound SA, lines 8..14: errors in text appended are on 15+.
 * The key is on line 12, between SA_HEAD and SA_TAIL. */
#define SA_HEAD \
	BASE \
	"sas:\n" \
	"  - name: b.out\n" \
	"    spi: 0x1000\n" \
	"    direction: out\n"
#define SA_TAIL \
	"    local: 203.0.113.1\n" \
	"    remote: 203.0.113.2\n"
#define SA_OUT SA_HEAD "    key: " KEY128 "\n" SA_TAIL

/* SA_OUT, more SAs and "policies:", lines 8..23: the first policy
 * appended starts on line 24. */
#define SA_BOTH \
	SA_OUT \
	"  - {name: b.in, spi: 0x2000, direction: in, key: \"" KEY128 "\",\n" \
	"     local: 203.0.113.1, remote: 203.0.113.2}\n" \
	"  - {name: t4, spi: 0x3000, direction: out, mode: transport,\n" \
	"     key: \"" KEY128 "\", local: 203.0.113.1, remote: 203.0.113.9}\n" \
	"  - {name: t6, spi: 0x4000, direction: out, mode: transport,\n" \
	"     key: \"" KEY128 "\", local: \"2001:db8:c::1\", remote: \"2001:db8:c::2\"}\n" \
	"  - {name: tun6, spi: 0x5000, direction: out,\n" \
	"     key: \"" KEY128 "\", local: \"2001:db8:c::1\", remote: \"2001:db8:c::2\"}\n" \
	"policies:\n"

static void assert_bytes(const uint8_t *b, size_t n, uint8_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(b[i], (uint8_t)(first + i));
}

/* Every key of both lists, most set to something other than the default. */
static void test_sas_policies(void **state)
{
	struct sgw_conf *c = load_ok(SGW_FIXTURES "/good/sas_policies.yaml");
	const struct sgw_conf_policy *pol;
	const struct sgw_conf_sa *sa;

	(void)state;
	assert_int_equal(c->n_sas, 4);
	sa = &c->sas[0];
	assert_string_equal(sa->name, "site-b.out");
	assert_int_equal(sa->spi, 0x1000);
	assert_false(sa->inbound);
	assert_false(sa->transport);
	assert_int_equal(sa->key_len, 32);
	assert_bytes(sa->key, 32, 0x00);   /* 0x000102..1f */
	assert_int_equal(sa->salt[0], 0xc0);
	assert_int_equal(sa->salt[1], 0xff);
	assert_int_equal(sa->salt[2], 0xee);
	assert_int_equal(sa->salt[3], 0x01);
	assert_true(sa->esn);
	assert_int_equal(sa->replay_window, 0); /* outbound */
	assert_true(sa->seq == 4294967296ull);
	assert_prefix(&sa->local, "203.0.113.1/32");
	assert_prefix(&sa->remote, "203.0.113.2/32");
	assert_true(sa->udp_encap);
	assert_int_equal(sa->local_port, 4501);
	assert_int_equal(sa->remote_port, 4502);
	assert_true(sa->soft_bytes == 1000000);
	assert_true(sa->hard_bytes == 2000000);
	assert_true(sa->soft_packets == 1000);
	assert_true(sa->hard_packets == UINT64_MAX);
	assert_loc(sa->loc, 11, 5);
	assert_loc(sa->name_loc, 11, 11);
	assert_loc(sa->spi_loc, 12, 10);
	assert_loc(sa->key_loc, 16, 10);
	assert_loc(sa->seq_loc, 18, 10);
	assert_loc(sa->local_loc, 19, 12);
	assert_loc(sa->remote_loc, 20, 13);
	assert_loc(sa->local_port_loc, 22, 17);
	assert_loc(sa->lifetime_loc, 25, 7);

	sa = &c->sas[1];
	assert_string_equal(sa->name, "site-b.in");
	assert_int_equal(sa->spi, 4097);
	assert_true(sa->inbound);
	assert_int_equal(sa->key_len, 16);   /* aes128gcm16 */
	/* keys/site-b-in.hex, beside the file, upper case, blank lines around */
	assert_bytes(sa->key, 16, 0xa0);
	assert_int_equal(sa->salt[0], 0x5a);
	assert_int_equal(sa->salt[3], 0x00);
	assert_int_equal(sa->replay_window, 64);
	assert_true(sa->seq == 0);           /* inbound */
	assert_false(sa->udp_encap);
	assert_int_equal(sa->local_port, 0);
	assert_int_equal(sa->remote_port, 0);
	assert_loc(sa->key_loc, 33, 15);
	assert_loc(sa->window_loc, 34, 20);

	sa = &c->sas[2];
	assert_string_equal(sa->name, "host6");
	assert_int_equal(sa->spi, 0xffffffff);
	assert_true(sa->transport);
	assert_prefix(&sa->local, "2001:db8:5::1/128");
	assert_int_equal(sa->local.family, AF_INET6);
	assert_int_equal(sa->seq, 1);
	assert_int_equal(c->sas[3].spi, 0x1000); /* outbound SPIs may repeat */

	assert_int_equal(c->n_policies, 5);
	pol = &c->policies[0];
	assert_string_equal(pol->name, "dns-clear");
	assert_false(pol->inbound);
	assert_int_equal(pol->sel.family, AF_INET);
	assert_true(pol->sel.has_src);
	assert_true(pol->sel.has_dst);
	assert_prefix(&pol->sel.src, "198.51.100.0/24");
	assert_prefix(&pol->sel.dst, "10.255.0.53/32");
	assert_int_equal(pol->sel.proto, IPPROTO_UDP);
	assert_int_equal(pol->sel.sport_lo, 0);
	assert_int_equal(pol->sel.sport_hi, 65535);
	assert_int_equal(pol->sel.dport_lo, 53);
	assert_int_equal(pol->sel.dport_hi, 53);
	assert_int_equal(pol->action, SGW_POLICY_BYPASS);
	assert_string_equal(pol->sa, "");
	assert_loc(pol->loc, 48, 5);
	assert_loc(pol->sel_loc, 50, 10);
	assert_loc(pol->dst_loc, 51, 10);
	assert_loc(pol->dport_loc, 53, 16);
	assert_loc(pol->action_loc, 54, 13);

	pol = &c->policies[1];
	assert_string_equal(pol->name, "to-b");
	assert_int_equal(pol->sel.proto, -1);
	assert_int_equal(pol->action, SGW_POLICY_PROTECT);
	assert_string_equal(pol->sa, "site-b.out");
	assert_int_equal(pol->sa_idx, 0);
	assert_loc(pol->sa_loc, 60, 9);

	pol = &c->policies[2];
	assert_true(pol->inbound);
	assert_int_equal(pol->sel.proto, IPPROTO_TCP);
	assert_int_equal(pol->sel.sport_lo, 1024);
	assert_int_equal(pol->sel.sport_hi, 65535);
	assert_int_equal(pol->sel.dport_lo, 22);
	assert_int_equal(pol->sel.dport_hi, 22);
	assert_int_equal(pol->sa_idx, 1);

	pol = &c->policies[3];
	assert_int_equal(pol->sel.family, AF_INET6);
	assert_false(pol->sel.has_src);
	assert_prefix(&pol->sel.dst, "2001:db8:5::2/128");
	assert_int_equal(pol->sel.proto, 58);
	assert_int_equal(pol->sa_idx, 2);   /* the SA, not the policy, "host6" */
	assert_loc(pol->sel_loc, 72, 10);   /* no src: dst's place */

	pol = &c->policies[4];
	assert_int_equal(pol->action, SGW_POLICY_DISCARD);
	assert_int_equal(pol->sel.family, 0); /* both families */
	assert_false(pol->sel.has_src);
	assert_false(pol->sel.has_dst);
	assert_loc(pol->sel_loc, 76, 5);    /* no prefix: the entry's */

	assert_int_equal(c->limits.sas, 64);
	assert_int_equal(c->limits.policies, 16);
	sgw_conf_free(c);
}

static void test_sa_defaults(void **state)
{
	struct sgw_conf_err err = { "" };
	struct sgw_conf *c = NULL;
	const char *text = SA_OUT
		"  - {name: b.in, spi: 0x2000, direction: in, key: \"" KEY128 "\",\n"
		"     local: 203.0.113.1, remote: 203.0.113.2}\n"
		"policies:\n"
		"  - {name: all, direction: out, action: discard}\n";
	const struct sgw_conf_sa *sa;
	const struct sgw_conf_policy *pol;

	(void)state;
	assert_int_equal(sgw_conf_parse("t.yaml", text, strlen(text), &c, &err), 0);
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	sa = &c->sas[0];
	assert_false(sa->transport);
	assert_int_equal(sa->key_len, 16);
	assert_bytes(sa->key, 16, 0x00);
	assert_bytes(sa->salt, 4, 0x10);
	assert_false(sa->esn);
	assert_int_equal(sa->seq, 1);
	assert_int_equal(sa->replay_window, 0);
	assert_false(sa->udp_encap);
	assert_int_equal(sa->local_port, 0);
	assert_true(sa->soft_bytes == 0 && sa->hard_bytes == 0);
	assert_true(sa->soft_packets == 0 && sa->hard_packets == 0);
	assert_loc(sa->window_loc, 0, 0);
	assert_loc(sa->lifetime_loc, 0, 0);
	sa = &c->sas[1];
	assert_int_equal(sa->replay_window, 1024);
	assert_int_equal(sa->seq, 0);
	pol = &c->policies[0];
	assert_int_equal(pol->sel.family, 0);
	assert_int_equal(pol->sel.proto, -1);
	assert_int_equal(pol->sel.sport_lo, 0);
	assert_int_equal(pol->sel.sport_hi, 65535);
	assert_int_equal(pol->sel.dport_lo, 0);
	assert_int_equal(pol->sel.dport_hi, 65535);
	sgw_conf_free(c);

	/* udp encapsulation alone: both ports 4500 (RFC 3948) */
	assert_int_equal(sgw_conf_parse("t.yaml", SA_OUT "    encap: udp\n",
					strlen(SA_OUT "    encap: udp\n"), &c, &err), 0);
	assert_true(c->sas[0].udp_encap);
	assert_int_equal(c->sas[0].local_port, 4500);
	assert_int_equal(c->sas[0].remote_port, 4500);
	sgw_conf_free(c);
}

/* Spellings accepted on purpose. */
static void test_sa_accepted_forms(void **state)
{
	(void)state;
	/* SPIs in decimal, or hex with either case */
	assert_string_equal(check(SA_OUT "  - {name: x, spi: 4294967295, direction: in, "
				  "key: \"0X000102030405060708090A0B0C0D0E0F10111213\", "
				  "local: 203.0.113.1, remote: 203.0.113.2}\n"), "ok");
	assert_string_equal(check(SA_OUT "  - {name: x, spi: 256, direction: in, key: \""
				  KEY128 "\", local: 203.0.113.1, remote: 203.0.113.2, "
				  "aead: aes-gcm-128, mode: tunnel, encap: none}\n"), "ok");
	/* seq up to 2^64 - 1 with ESN, and ESN spelt yes */
	assert_string_equal(check(SA_OUT "    esn: yes\n    seq: 18446744073709551615\n"), "ok");
	assert_string_equal(check(SA_OUT "    seq: 4294967295\n"), "ok");
	/* soft alone, and soft below hard */
	assert_string_equal(check(SA_OUT "    lifetime: {soft_bytes: 5}\n"), "ok");
	assert_string_equal(check(SA_OUT "    lifetime: {soft_packets: 1, hard_packets: 2}\n"), "ok");
	assert_string_equal(check(SA_OUT "    lifetime:\n"), "ok");
	assert_string_equal(check(SA_OUT "    encap: udp\n    local_port: 1\n"
				  "    remote_port: 65535\n"), "ok");
	/* empty lists */
	assert_string_equal(check(BASE "sas: []\npolicies:\n"), "ok");
	/* a bare address is a host; ports as integers or ranges of one */
	assert_string_equal(check(SA_BOTH "  - {name: x, direction: out, src: \"2001:db8:c::5\", "
				  "proto: sctp, src_ports: 7-7, dst_ports: 0, action: bypass}\n"), "ok");
	assert_string_equal(check(SA_BOTH "  - {name: x, direction: in, proto: 255, "
				  "action: discard}\n"), "ok");
	/* transport SAs with a policy of their family, or of both */
	assert_string_equal(check(SA_BOTH "  - {name: x, direction: out, dst: 203.0.113.9, "
				  "action: protect, sa: t4}\n"
				  "  - {name: y, direction: out, action: protect, sa: t6}\n"
				  "  - {name: z, direction: out, dst: 10.0.0.0/8, action: protect, "
				  "sa: tun6}\n"), "ok");
	/* policy and SA names live apart */
	assert_string_equal(check(SA_BOTH "  - {name: b.out, direction: out, action: protect, "
				  "sa: b.out}\n"), "ok");
}

/* Relative to the configuration's directory; the embedded default's and a
 * string's (no directory) to the current one. */
static void test_sa_key_file(void **state)
{
	static const char rel[] = SA_HEAD "    key_file: keys/site-b-in.hex\n" SA_TAIL;
	struct sgw_conf_err err = { "" };
	struct sgw_conf *c = NULL;
	char text[8192], cwd[4096];

	(void)state;
	assert_int_equal(sgw_conf_parse(SGW_FIXTURES "/good/x.yaml", rel, strlen(rel),
					&c, &err), 0);
	assert_bytes(c->sas[0].key, 16, 0xa0);
	assert_loc(c->sas[0].key_loc, 12, 15);
	sgw_conf_free(c);
	assert_string_equal(check(rel),
		"t.yaml:12:15: cannot read key_file 'keys/site-b-in.hex': "
		"No such file or directory");

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(SGW_FIXTURES "/good"), 0);
	assert_int_equal(sgw_conf_parse(SGW_CONF_DEFAULT_NAME, rel, strlen(rel), &c, &err), 0);
	assert_bytes(c->sas[0].key, 16, 0xa0);
	sgw_conf_free(c);
	assert_string_equal(check(rel), "ok");
	assert_int_equal(chdir(cwd), 0);

	/* an absolute path is taken as it is */
	snprintf(text, sizeof(text), SA_HEAD "    key_file: %s\n" SA_TAIL,
		 SGW_FIXTURES "/good/keys/site-b-in.hex");
	assert_string_equal(check(text), "ok");
	assert_string_equal(check_named(SGW_FIXTURES "/good/x.yaml",
					SA_HEAD "    key_file: keys\n" SA_TAIL),
		SGW_FIXTURES "/good/x.yaml:12:15: key_file 'keys' is not a regular file");
	/* a file that is not a key is not shown either */
	assert_string_equal(check_named(SGW_FIXTURES "/good/x.yaml",
					SA_HEAD "    key_file: minimal.yaml\n" SA_TAIL),
		SGW_FIXTURES "/good/x.yaml:12:15: expected '0x' and hex digits for "
		"'key_file' (the value is not shown)");
	assert_string_equal(check(SA_HEAD "    key_file: /dev/null\n" SA_TAIL),
		"t.yaml:12:15: key_file '/dev/null' is not a regular file");
	assert_string_equal(check(SA_HEAD "    key_file: \"\"\n" SA_TAIL),
		"t.yaml:12:15: expected a file name for 'key_file', got ''");
	assert_string_equal(check(SA_HEAD "    key_file: \"a\\nb\"\n" SA_TAIL),
		"t.yaml:12:15: control characters are not allowed in 'key_file'");
}

static void test_err_sa_values(void **state)
{
	(void)state;
	assert_string_equal(check(SA_OUT "    spi: 1\n"),
		"t.yaml:15:5: duplicate key 'spi' in sas entry (first at 10:5)");
	assert_string_equal(check(BASE "sas: [{name: x, spi: 255}]\n"),
		"t.yaml:8:22: expected an SPI 256..0xffffffff (0..255 are reserved) "
		"for 'spi', got '255'");
	assert_string_equal(check(BASE "sas: [{name: x, spi: 0x100000000}]\n"),
		"t.yaml:8:22: expected an SPI 256..0xffffffff (0..255 are reserved) "
		"for 'spi', got '0x100000000'");
	assert_string_equal(check(BASE "sas: [{name: x, spi: \"0x\"}]\n"),
		"t.yaml:8:22: expected an SPI 256..0xffffffff (0..255 are reserved) "
		"for 'spi', got '0x'");
	assert_string_equal(check(BASE "sas: [{name: x, spi: 0400}]\n"),
		"t.yaml:8:22: expected an SPI 256..0xffffffff (0..255 are reserved) "
		"for 'spi', got '0400'");
	assert_string_equal(check(BASE "sas: [{name: x, direction: IN}]\n"),
		"t.yaml:8:28: expected a direction (in, out) for 'direction', got 'IN'");
	assert_string_equal(check(SA_OUT "    mode: beet\n"),
		"t.yaml:15:11: expected a mode (tunnel, transport) for 'mode', got 'beet'");
	assert_string_equal(check(SA_OUT "    aead: aes-gcm-192\n"),
		"t.yaml:15:11: expected an AEAD (aes-gcm-128, aes-gcm-256, aes128gcm16, "
		"aes256gcm16) for 'aead', got 'aes-gcm-192'");
	assert_string_equal(check(SA_OUT "    esn: 1\n"),
		"t.yaml:15:10: expected a boolean (true/false/yes/no) for 'esn', got '1'");
	assert_string_equal(check(SA_OUT "    encap: espinudp\n"),
		"t.yaml:15:12: expected an encapsulation (none, udp) for 'encap', "
		"got 'espinudp'");
	assert_string_equal(check(SA_OUT "    encap: udp\n    local_port: 65536\n"),
		"t.yaml:16:17: expected an integer 1..65535 for 'local_port', got '65536'");
	assert_string_equal(check(BASE "sas: [{name: x, local: 203.0.113.1/32}]\n"),
		"t.yaml:8:24: expected an address without a prefix length (like "
		"203.0.113.1) for 'local', got '203.0.113.1/32'");
	assert_string_equal(check(BASE "sas: [{name: x, remote: peer}]\n"),
		"t.yaml:8:25: expected an address without a prefix length (like "
		"203.0.113.2) for 'remote', got 'peer'");
	assert_string_equal(check(BASE "sas: [{name: x, lifetime: 5}]\n"),
		"t.yaml:8:27: expected a mapping for 'lifetime', got '5'");
	assert_string_equal(check(BASE "sas: [{name: x, lifetime: {hard_seconds: 5}}]\n"),
		"t.yaml:8:28: unknown key 'hard_seconds' in lifetime (expected one of: "
		"soft_bytes, hard_bytes, soft_packets, hard_packets)");
	assert_string_equal(check(BASE "sas: [{name: x, lifetime: {hard_bytes: "
				  "18446744073709551616}}]\n"),
		"t.yaml:8:40: expected an integer 0..18446744073709551615 for "
		"'hard_bytes', got '18446744073709551616'");
	assert_string_equal(check(BASE "sas: [{name: x, lifetime: {soft_bytes: 1_000}}]\n"),
		"t.yaml:8:40: expected an integer 0..18446744073709551615 for "
		"'soft_bytes', got '1_000'");
	assert_string_equal(check(SA_OUT "    seq: 18446744073709551616\n"),
		"t.yaml:15:10: expected an integer 1..18446744073709551615 for 'seq', "
		"got '18446744073709551616'");
	assert_string_equal(check(BASE "sas: [{name: x, direction: in, replay_window: 8192}]\n"),
		"t.yaml:8:47: expected 0 (no anti-replay) or a power of two 64..4096 for 'replay_window', "
		"got '8192'");
	assert_string_equal(check(BASE "sas: [{name: x, direction: in, replay_window: 32}]\n"),
		"t.yaml:8:47: expected 0 (no anti-replay) or a power of two 64..4096 for 'replay_window', "
		"got '32'");
	assert_string_equal(check(BASE "sas: [{name: \"a/b\"}]\n"),
		"t.yaml:8:14: expected a name of 1..31 characters from [A-Za-z0-9_.-] "
		"for 'name', got 'a/b'");
	assert_string_equal(check(BASE "sas: [{name: x, bogus: 1}]\n"),
		"t.yaml:8:17: unknown key 'bogus' in sas entry (expected one of: name, "
		"spi, direction, mode, aead, key, key_file, esn, replay_window, seq, "
		"local, remote, encap, local_port, remote_port, lifetime)");
	assert_string_equal(check(BASE "sas: {name: x}\n"),
		"t.yaml:8:6: expected a list for 'sas', got a mapping");
	assert_string_equal(check(BASE "sas: [x]\n"),
		"t.yaml:8:7: expected a mapping for each entry of 'sas', got 'x'");
}

static void test_err_sa_missing(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "sas:\n  - name: x\n"),
		"t.yaml:9:5: missing required key 'spi' in sas entry");
	assert_string_equal(check(BASE "sas:\n  - {name: x, spi: 300, direction: in, "
				  "local: 203.0.113.1}\n"),
		"t.yaml:9:5: missing required key 'remote' in sas entry");
	assert_string_equal(check(BASE "sas:\n  - {name: x, spi: 300, direction: in, "
				  "local: 203.0.113.1, remote: 203.0.113.2}\n"),
		"t.yaml:9:5: missing required key 'key' or 'key_file' in sas entry");
}

/* Key material is never part of a message, not even in part. */
static void test_err_sa_key(void **state)
{
	static const char *const bad[] = {
		"0001020304050607080900010203040506070809",      /* no 0x */
		"0x000102030405060708090a0b0c0d0e0f1011121g",    /* not hex */
		"0x",
		"\"\"",
		"\"0x00010203 04050607\"",
		"x0x000102030405060708090a0b0c0d0e0f10111213",
	};
	char text[1024];
	const char *msg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), SA_HEAD "    key: %s\n" SA_TAIL, bad[i]);
		msg = check(text);
		assert_string_equal(msg, "t.yaml:12:10: expected '0x' and hex digits "
				    "for 'key' (the value is not shown)");
	}
	assert_string_equal(check(SA_HEAD "    key: 0x00010203\n" SA_TAIL),
		"t.yaml:12:10: expected 40 hex digits (key and 4-byte salt for "
		"aes-gcm-128) for 'key', got 8");
	assert_string_equal(check(SA_HEAD "    key: 0x000102030405060708090a0b0c0d0e0f101112131\n"
				  SA_TAIL),
		"t.yaml:12:10: expected 40 hex digits (key and 4-byte salt for "
		"aes-gcm-128) for 'key', got 41");
	assert_string_equal(check(SA_OUT "    aead: aes-gcm-256\n"),
		"t.yaml:12:10: expected 72 hex digits (key and 4-byte salt for "
		"aes-gcm-256) for 'key', got 40");
	/* longer than any key: still a count, not a value */
	snprintf(text, sizeof(text), SA_HEAD "    key: 0x%0200d\n" SA_TAIL, 0);
	assert_string_equal(check(text),
		"t.yaml:12:10: expected 40 hex digits (key and 4-byte salt for "
		"aes-gcm-128) for 'key', got 200");
	assert_string_equal(check(SA_HEAD "    key: [0x00]\n" SA_TAIL),
		"t.yaml:12:10: expected '0x' and hex digits for 'key', got a list");
	assert_string_equal(check(SA_OUT "    key_file: /nonexistent\n"),
		"t.yaml:15:15: only one of 'key' and 'key_file' may be given");
	assert_string_equal(check(SA_HEAD "    key_file: " SGW_FIXTURES "/good/keys/site-b-in.hex\n"
				  "    key: " KEY128 "\n" SA_TAIL),
		"t.yaml:13:10: only one of 'key' and 'key_file' may be given");
	assert_string_equal(check(SA_OUT "    key: " KEY128 "\n"),
		"t.yaml:15:5: duplicate key 'key' in sas entry (first at 12:5)");
}

static void test_err_key_file_path(void **state)
{
	static char text[8192], name[4094];

	(void)state;
	/* the configuration's directory and the name are longer than a path
	 * may be; the name alone is a file name too long for the system */
	memset(name, 'k', sizeof(name) - 1);
	snprintf(text, sizeof(text), SA_HEAD "    key_file: %s\n" SA_TAIL, name);
	assert_string_equal(check_named("dir/t.yaml", text),
		"dir/t.yaml:12:15: the path of 'key_file' is too long");
	assert_string_equal(check(text), "t.yaml:12:15: cannot read key_file "
			    "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...': "
			    "File name too long");
}

static void test_err_sa_direction(void **state)
{
	(void)state;
	assert_string_equal(check(SA_OUT "    replay_window: 64\n"),
		"t.yaml:15:20: 'replay_window' is only allowed with 'direction: in'");
	assert_string_equal(check(BASE "sas:\n  - {name: x, spi: 300, direction: in, seq: 5, "
				  "key: \"" KEY128 "\", local: 203.0.113.1, remote: 203.0.113.2}\n"),
		"t.yaml:9:45: 'seq' is only allowed with 'direction: out'");
	assert_string_equal(check(SA_OUT "    seq: 0\n"),
		"t.yaml:15:10: expected an integer 1..18446744073709551615 for 'seq', "
		"got '0'");
	assert_string_equal(check(SA_OUT "    seq: 4294967296\n"),
		"t.yaml:15:10: 'seq' 4294967296 needs 'esn: true' (at most 4294967295 "
		"without it)");
	assert_string_equal(check(SA_OUT "    esn: false\n    seq: 18446744073709551615\n"),
		"t.yaml:16:10: 'seq' 18446744073709551615 needs 'esn: true' (at most "
		"4294967295 without it)");
	assert_string_equal(check(SA_OUT "    remote_port: 4500\n"),
		"t.yaml:15:18: 'remote_port' is only allowed with 'encap: udp'");
	assert_string_equal(check(SA_OUT "    encap: none\n    local_port: 4500\n"),
		"t.yaml:16:17: 'local_port' is only allowed with 'encap: udp'");
}

static void test_err_sa_semantics(void **state)
{
	(void)state;
	assert_string_equal(check(SA_OUT "    lifetime:\n      hard_bytes: 100\n"
				  "      soft_bytes: 100\n"),
		"t.yaml:16:7: lifetime 'soft_bytes' (100) must be less than "
		"'hard_bytes' (100)");
	assert_string_equal(check(SA_OUT "    lifetime: {soft_packets: 3, hard_packets: 2}\n"),
		"t.yaml:15:15: lifetime 'soft_packets' (3) must be less than "
		"'hard_packets' (2)");
	/* the subnet is the port's, the address is not */
	assert_string_equal(check(BASE "sas:\n  - {name: x, spi: 300, direction: in, "
				  "key: \"" KEY128 "\", local: 203.0.113.2, remote: 203.0.113.1}\n"),
		"t.yaml:9:98: local address 203.0.113.2 is not configured on any port");
	assert_string_equal(check(BASE "sas:\n  - {name: x, spi: 300, direction: in, "
				  "key: \"" KEY128 "\", local: \"2001:db8:c::1\", "
				  "remote: 203.0.113.1}\n"),
		"t.yaml:9:123: remote address 203.0.113.1 is IPv4 but local address "
		"2001:db8:c::1 is IPv6");
}

static void test_err_sa_duplicates(void **state)
{
	(void)state;
	assert_string_equal(check(SA_OUT "  - {name: b.out, spi: 0x1001, direction: out, "
				  "key: \"" KEY128 "\", local: 203.0.113.1, remote: 203.0.113.3}\n"),
		"t.yaml:15:12: duplicate SA name 'b.out' (first at 9:11)");
	/* outbound SPIs may repeat, inbound ones may not; the first repeat
	 * in file order is reported, whatever the sort order */
	assert_string_equal(check(SA_OUT
				  "  - {name: o2, spi: 0x1000, direction: out, key: \"" KEY128
				  "\", local: 203.0.113.1, remote: 203.0.113.3}\n"
				  "  - {name: i9, spi: 0x9000, direction: in, key: \"" KEY128
				  "\", local: 203.0.113.1, remote: 203.0.113.3}\n"
				  "  - {name: i1, spi: 0x1000, direction: in, key: \"" KEY128
				  "\", local: 203.0.113.1, remote: 203.0.113.3}\n"
				  "  - {name: i9b, spi: 36864, direction: in, key: \"" KEY128
				  "\", local: 203.0.113.1, remote: 203.0.113.3}\n"
				  "  - {name: i1b, spi: 4096, direction: in, key: \"" KEY128
				  "\", local: 203.0.113.1, remote: 203.0.113.3}\n"),
		"t.yaml:18:22: inbound SPI 0x00009000 is already used by SA 'i9' "
		"(first at 16:21)");
}

static void test_err_sa_limit(void **state)
{
	char text[16384];
	int i, o;

	(void)state;
	o = snprintf(text, sizeof(text), "limits: {sas: 64}\n" BASE "sas:\n");
	for (i = 0; i < 65; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o,
			      "  - {name: s%d, spi: %d, direction: in, key: \"" KEY128
			      "\", local: 203.0.113.1, remote: 203.0.113.2}\n", i, 1000 + i);
	assert_string_equal(check(text), "t.yaml:74:5: too many SAs (limits.sas is 64)");
	text[o - 1 - strlen("  - {name: s64, spi: 1064, direction: in, key: \"" KEY128
			      "\", local: 203.0.113.1, remote: 203.0.113.2}")] = '\0';
	assert_string_equal(check(text), "ok");
	assert_string_equal(check("limits: {sas: 4194305}\n" BASE),
		"t.yaml:1:15: expected an integer 64..4194304 for 'sas', got '4194305'");
	assert_string_equal(check("limits: {policies: 15}\n" BASE),
		"t.yaml:1:20: expected an integer 16..65536 for 'policies', got '15'");
}

static void test_err_policy_values(void **state)
{
	(void)state;
	assert_string_equal(check(BASE "policies: [{name: p, direction: up}]\n"),
		"t.yaml:8:33: expected a direction (in, out) for 'direction', got 'up'");
	assert_string_equal(check(BASE "policies: [{name: p, src: 10.0.0.0/33}]\n"),
		"t.yaml:8:27: expected a prefix length 0..32 for 'src', got '10.0.0.0/33'");
	assert_string_equal(check(BASE "policies: [{name: p, dst: \"fe80::1%eth0\"}]\n"),
		"t.yaml:8:27: expected an address or a prefix (like 10.0.0.0/8) for "
		"'dst', got 'fe80::1%eth0'");
	assert_string_equal(check(BASE "policies: [{name: p, proto: 256}]\n"),
		"t.yaml:8:29: expected a protocol (any, tcp, udp, icmp, icmpv6, sctp, "
		"esp, gre or 0..255) for 'proto', got '256'");
	assert_string_equal(check(BASE "policies: [{name: p, proto: TCP}]\n"),
		"t.yaml:8:29: expected a protocol (any, tcp, udp, icmp, icmpv6, sctp, "
		"esp, gre or 0..255) for 'proto', got 'TCP'");
	assert_string_equal(check(BASE "policies: [{name: p, src_ports: 65536}]\n"),
		"t.yaml:8:33: expected a port or a range (like 443 or 1024-65535) for "
		"'src_ports', got '65536'");
	assert_string_equal(check(BASE "policies: [{name: p, dst_ports: 80-}]\n"),
		"t.yaml:8:33: expected a port or a range (like 443 or 1024-65535) for "
		"'dst_ports', got '80-'");
	assert_string_equal(check(BASE "policies: [{name: p, dst_ports: -80}]\n"),
		"t.yaml:8:33: expected a port or a range (like 443 or 1024-65535) for "
		"'dst_ports', got '-80'");
	assert_string_equal(check(BASE "policies: [{name: p, dst_ports: 1-2-3}]\n"),
		"t.yaml:8:33: expected a port or a range (like 443 or 1024-65535) for "
		"'dst_ports', got '1-2-3'");
	assert_string_equal(check(BASE "policies: [{name: p, dst_ports: 080}]\n"),
		"t.yaml:8:33: expected a port or a range (like 443 or 1024-65535) for "
		"'dst_ports', got '080'");
	assert_string_equal(check(BASE "policies: [{name: p, action: drop}]\n"),
		"t.yaml:8:30: expected an action (protect, bypass, discard) for "
		"'action', got 'drop'");
	assert_string_equal(check(BASE "policies: [{name: p, sa: \"my sa\"}]\n"),
		"t.yaml:8:26: expected an SA name for 'sa', got 'my sa'");
	assert_string_equal(check(BASE "policies: [{name: p, selector: {}}]\n"),
		"t.yaml:8:22: unknown key 'selector' in policies entry (expected one of: "
		"name, direction, src, dst, proto, src_ports, dst_ports, action, sa)");
	assert_string_equal(check(BASE "policies: [{name: p, direction: in}]\n"),
		"t.yaml:8:12: missing required key 'action' in policies entry");
}

static void test_err_policy_keys(void **state)
{
	(void)state;
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: protect}\n"),
		"t.yaml:24:5: missing required key 'sa' in policies entry (needed by "
		"'action: protect')");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: discard, "
				  "sa: b.out}\n"),
		"t.yaml:24:52: 'sa' is only allowed with 'action: protect'");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: bypass, "
				  "src_ports: 53}\n"),
		"t.yaml:24:58: 'src_ports' is only allowed with 'proto' tcp, udp or sctp");
	/* 'any' has no ports either */
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: bypass, "
				  "proto: any, dst_ports: 53}\n"),
		"t.yaml:24:70: 'dst_ports' is only allowed with 'proto' tcp, udp or sctp");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: bypass, "
				  "proto: 47, dst_ports: 53}\n"),
		"t.yaml:24:69: 'dst_ports' is only allowed with 'proto' tcp, udp or sctp");
}

static void test_err_policy_semantics(void **state)
{
	(void)state;
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, src: 10.0.0.1/8, "
				  "action: bypass}\n"),
		"t.yaml:24:36: 'src' 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, "
				  "dst: \"2001:db8::1/64\", action: bypass}\n"),
		"t.yaml:24:36: 'dst' 2001:db8::1/64 has host bits set (did you mean "
		"2001:db8::/64?)");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, dst: 10.0.0.0/8, "
				  "src: \"::/0\", action: bypass}\n"),
		"t.yaml:24:36: 'dst' 10.0.0.0/8 is IPv4 but 'src' ::/0 is IPv6");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: protect, "
				  "sa: b.in}\n"),
		"t.yaml:24:52: SA 'b.in' is inbound but the policy is outbound");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: in, action: protect, "
				  "sa: b.out}\n"),
		"t.yaml:24:51: SA 'b.out' is outbound but the policy is inbound");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: protect, "
				  "sa: B.out}\n"),
		"t.yaml:24:52: no SA named 'B.out'");
	assert_string_equal(check(BASE "policies:\n  - {name: p, direction: out, "
				  "action: protect, sa: x}\n"),
		"t.yaml:9:52: no SA named 'x'");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, src: 10.0.0.0/8, "
				  "action: protect, sa: t6}\n"),
		"t.yaml:24:69: transport-mode SA 't6' is IPv6 but the policy selects "
		"IPv4 traffic");
	assert_string_equal(check(SA_BOTH "  - {name: p, direction: out, action: bypass}\n"
				  "  - {name: q, direction: in, action: bypass}\n"
				  "  - {name: p, direction: in, action: bypass}\n"),
		"t.yaml:26:12: duplicate policy name 'p' (first at 24:12)");
}

static void test_err_policy_limit(void **state)
{
	char text[8192];
	int i, o;

	(void)state;
	/* per direction: 16 of each is fine, the 17th inbound one is not */
	o = snprintf(text, sizeof(text), "limits: {policies: 16}\n" BASE "policies:\n");
	for (i = 0; i < 33; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o,
			      "  - {name: p%d, direction: %s, action: discard}\n",
			      i, i % 2 ? "out" : "in");
	assert_string_equal(check(text),
		"t.yaml:42:5: too many inbound policies (limits.policies is 16)");
}

/* Structs built by code get the checks the parser would have made. */
static void test_validate_built_sas(void **state)
{
	static const char text[] = SA_BOTH
		"  - {name: p, direction: out, src: 198.51.100.0/24, action: protect, sa: b.out}\n";
	struct sgw_conf_err err;
	struct sgw_conf *c;
	struct sgw_conf_sa *sa;
	struct sgw_conf_policy *pol;

	(void)state;
	assert_int_equal(sgw_conf_parse("b.yaml", text, strlen(text), &c, &err), 0);
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	sa = &c->sas[0];
	pol = &c->policies[0];

	sa->seq = 0;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: expected an integer 1..18446744073709551615 "
			    "for 'seq', got 0");
	sa->seq = 1;
	c->sas[1].replay_window = 100;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: expected 0 (no anti-replay) or a power of two 64..4096 for "
			    "'replay_window', got 100");
	c->sas[1].replay_window = 64;
	sa->key_len = 24;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:9:5: malformed SA 'b.out'");
	sa->key_len = 16;
	sa->udp_encap = true; /* and no ports */
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:9:5: malformed SA 'b.out'");
	sa->udp_encap = false;
	sa->remote.len = 24;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:9:5: malformed SA 'b.out'");
	sa->remote.len = 32;
	memset(sa->name, 'x', sizeof(sa->name)); /* no NUL */
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:9:11: expected a name of 1..31 characters "
			    "from [A-Za-z0-9_.-] for 'name'");
	strcpy(sa->name, "b.out");

	pol->sel.dport_lo = 9;
	pol->sel.dport_hi = 8;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:24:36: malformed selector in policy 'p'");
	pol->sel.dport_lo = 0;
	pol->sel.family = AF_INET6;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:24:36: malformed selector in policy 'p'");
	pol->sel.family = AF_INET;
	pol->action = (enum sgw_policy_action)7;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:24:61: unknown action 7 in policy 'p'");
	pol->action = SGW_POLICY_PROTECT;
	pol->sa[0] = '\0';
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml:24:5: policy 'p' protects but names no SA");
	strcpy(pol->sa, "b.out");
	pol->sa_idx = 99;
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	assert_int_equal(pol->sa_idx, 0); /* resolved again */

	c->n_policies = 5; /* and no table */
	pol = c->policies;
	c->policies = NULL;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: n_policies is 5 but there is no policy table");
	c->policies = pol;
	c->n_policies = 1;
	c->limits.sas = 63;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, "b.yaml: expected an integer 64..4194304 for 'sas', got 63");
	sgw_conf_free(c);
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

/* IKE: ike, pools, peers, the secrets file ------------------------------- */

#define IKE_DIR SGW_FIXTURES "/good/ike"

/* BASE and a peer that authenticates with the test certificate, lines
 * 8..13: what is appended belongs to the peer and starts on line 14. Parsed
 * as IKE_DIR/t.yaml, so that pki/ resolves. */
#define PEER \
	BASE \
	"peers:\n" \
	"  - name: p\n" \
	"    cert: pki/gw.pem\n" \
	"    key: pki/gw.key\n" \
	"    cacerts: [pki/ca.pem]\n" \
	"    children: [{name: c}]\n"

/* check() for text in IKE_DIR, the directory stripped from the message. */
static const char *ike_check(const char *text)
{
	const char *msg = check_named(IKE_DIR "/t.yaml", text);

	if (strncmp(msg, IKE_DIR "/", strlen(IKE_DIR "/")) == 0)
		return msg + strlen(IKE_DIR "/");
	return msg;
}

static struct sgw_conf *ike_ok(const char *text)
{
	struct sgw_conf_err err = { "" };
	struct sgw_conf *c = NULL;

	if (sgw_conf_parse(IKE_DIR "/t.yaml", text, strlen(text), &c, &err) != 0 ||
	    sgw_conf_validate(c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

static void assert_proposal(const struct sgw_conf_proposal *got,
			    const struct sgw_conf_proposal *want)
{
	unsigned i;

	assert_int_equal(got->n_encr, want->n_encr);
	for (i = 0; i < want->n_encr; i++) {
		assert_int_equal(got->encr[i].id, want->encr[i].id);
		assert_int_equal(got->encr[i].key_bits, want->encr[i].key_bits);
	}
	assert_int_equal(got->n_integ, want->n_integ);
	for (i = 0; i < want->n_integ; i++)
		assert_int_equal(got->integ[i], want->integ[i]);
	assert_int_equal(got->n_prf, want->n_prf);
	for (i = 0; i < want->n_prf; i++)
		assert_int_equal(got->prf[i], want->prf[i]);
	assert_int_equal(got->n_dh, want->n_dh);
	for (i = 0; i < want->n_dh; i++)
		assert_int_equal(got->dh[i], want->dh[i]);
	assert_int_equal(got->esn, want->esn);
	assert_int_equal(got->noesn, want->noesn);
}

static void assert_hex(const uint8_t *b, size_t n, const char *hex)
{
	char buf[2 * 512 + 1];
	size_t i;

	assert_true(n <= 512);
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	buf[2 * n] = '\0';
	assert_string_equal(buf, hex);
}

/* Git does not keep file modes; the secrets files and keys the tests load
 * must not be readable by others, the two that test the refusal must be. */
static int fix_modes(void **state)
{
	static const char *const private[] = {
		IKE_DIR "/secrets.yaml", IKE_DIR "/pki/gw.key",
		SGW_FIXTURES "/bad/ike/secrets/ok.yaml",
		EXAMPLES "/roadwarrior.secrets.yaml", EXAMPLES "/pki/gw.key",
	};
	static const char *const public[] = {
		SGW_FIXTURES "/bad/ike/secrets/world.yaml", SGW_FIXTURES "/bad/ike/world.key",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(private) / sizeof(private[0]); i++)
		if (chmod(private[i], 0600) < 0)
			return -1;
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		if (chmod(public[i], 0644) < 0)
			return -1;
	return 0;
}

static void test_example_roadwarrior(void **state)
{
	struct sgw_conf *c = load_ok(EXAMPLES "/roadwarrior.yaml");
	const struct sgw_conf_peer *psk, *cert;
	const struct sgw_conf_secret *s;

	(void)state;
	assert_string_equal(c->ike.secrets, EXAMPLES "/roadwarrior.secrets.yaml");
	assert_int_equal(c->n_pools, 2);
	assert_int_equal(c->pools[0].family, AF_INET);
	assert_int_equal(c->pools[1].family, AF_INET6);
	assert_int_equal(c->n_peers, 2);
	psk = sgw_conf_find_peer(c, "rw-psk");
	cert = sgw_conf_find_peer(c, "rw-cert");
	assert_ptr_equal(psk, &c->peers[0]);
	assert_ptr_equal(cert, &c->peers[1]);
	assert_null(sgw_conf_find_peer(c, "rw"));
	assert_int_equal(psk->auth, SGW_AUTH_PSK);
	assert_int_equal(psk->remote_auth, SGW_AUTH_PSK);
	assert_true(psk->remote_id.wildcard);
	assert_int_equal(psk->n_pools, 2);
	assert_int_equal(psk->pool_idx[1], 1);
	assert_true(psk->children[0].remote_ts[0].dynamic);
	assert_int_equal(cert->auth, SGW_AUTH_PUBKEY);
	assert_string_equal(cert->key, EXAMPLES "/pki/gw.key");
	assert_int_equal(cert->n_children, 2);
	assert_int_equal(cert->children[1].local_ts[0].proto, IPPROTO_UDP);
	assert_int_equal(cert->children[1].local_ts[0].port_lo, 53);
	assert_int_equal(c->n_secrets, 2);
	s = sgw_conf_find_psk(c, SGW_ID_RFC822_ADDR, (const uint8_t *)"bob@example.net", 15);
	assert_ptr_equal(s, &c->secrets[1]);
	assert_int_equal(s->len, strlen("EXAMPLE only: correct horse battery staple"));
	assert_int_equal(c->limits.ike_sas, 4096);
	sgw_conf_free(c);
}

/* site.yaml documents peers in a commented-out block: it must load. */
static void test_example_site_peers(void **state)
{
	static const char begin[] = "# --- peers: begin ---\n", end[] = "# --- peers: end ---";
	char *text = NULL, *a, *b, *o;
	struct sgw_conf_err err = { "" };
	struct sgw_conf *c = NULL;
	size_t len = 0, n;
	FILE *f = fopen(EXAMPLES "/site.yaml", "r");

	(void)state;
	assert_non_null(f);
	text = calloc(1, 1 << 17);
	assert_non_null(text);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	a = strstr(text, begin);
	b = strstr(text, end);
	assert_non_null(a);
	assert_non_null(b);
	/* The file, then the block with "# " (or "#") taken off each line. */
	o = text + len;
	for (a += strlen(begin); a < b; a += n + 1) {
		n = (size_t)(strchr(a, '\n') - a);
		assert_true(a[0] == '#');
		memcpy(o, a + 1 + (a[1] == ' '), n - 1 - (a[1] == ' '));
		o += n - 1 - (a[1] == ' ');
		*o++ = '\n';
	}
	assert_int_equal(sgw_conf_parse(EXAMPLES "/site.yaml", text, (size_t)(o - text),
					&c, &err), 0);
	if (sgw_conf_validate(c, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(c->n_peers, 2);
	assert_true(c->peers[0].initiate);
	assert_true(c->peers[0].children[0].start);
	assert_int_equal(c->peers[1].n_pools, 2);
	sgw_conf_free(c);
	free(text);
}

/* Every IKE key, set to something other than its default. */
static void test_ike_full(void **state)
{
	static const struct sgw_conf_proposal ike0 = {
		.n_encr = 1, .encr = { { SGW_ENCR_AES_GCM_16, 256 } },
		.n_prf = 1, .prf = { SGW_PRF_HMAC_SHA2_384 },
		.n_dh = 1, .dh = { SGW_DH_ECP_384 } };
	/* no PRF named: one per integrity algorithm, in their order */
	static const struct sgw_conf_proposal ike1 = {
		.n_encr = 1, .encr = { { SGW_ENCR_AES_CBC, 128 } },
		.n_integ = 2, .integ = { SGW_AUTH_HMAC_SHA2_512_256, SGW_AUTH_HMAC_SHA2_256_128 },
		.n_prf = 2, .prf = { SGW_PRF_HMAC_SHA2_512, SGW_PRF_HMAC_SHA2_256 },
		.n_dh = 2, .dh = { SGW_DH_CURVE25519, SGW_DH_MODP_3072 } };
	static const struct sgw_conf_proposal esp0 = {
		.n_encr = 1, .encr = { { SGW_ENCR_AES_GCM_16, 256 } },
		.n_dh = 1, .dh = { SGW_DH_CURVE25519 }, .esn = true };
	static const struct sgw_conf_proposal esp1 = {
		.n_encr = 1, .encr = { { SGW_ENCR_AES_GCM_16, 128 } }, .noesn = true };
	static const struct sgw_conf_proposal child_esp = {
		.n_encr = 1, .encr = { { SGW_ENCR_AES_GCM_16, 128 } },
		.n_dh = 1, .dh = { SGW_DH_MODP_2048 }, .noesn = true };
	struct sgw_conf *c = load_ok(IKE_DIR "/full.yaml");
	const struct sgw_conf_peer *p;
	const struct sgw_conf_child *ch;
	const struct sgw_conf_pool *pool;

	(void)state;
	assert_string_equal(c->ike.secrets, IKE_DIR "/secrets.yaml");
	assert_loc(c->ike.secrets_loc, 11, 12);
	assert_int_equal(c->ike.cookie_threshold, 0);
	assert_int_equal(c->ike.half_open_per_source, 4);
	assert_int_equal(c->ike.half_open_timeout, 60);
	assert_int_equal(c->ike.retransmit_timeout, 5);
	assert_true(c->ike.retransmit_base == 2.25);
	assert_int_equal(c->ike.retransmit_tries, 7);
	assert_int_equal(c->ike.fragment_size, 576);

	assert_int_equal(c->n_pools, 3);
	pool = &c->pools[0];
	assert_string_equal(pool->name, "rw4");
	assert_int_equal(pool->family, AF_INET);
	assert_false(pool->is_range);
	assert_prefix(&pool->prefix, "10.10.1.0/24");
	assert_hex(pool->first, 4, "0a0a0101");
	assert_hex(pool->last, 4, "0a0a01fe");
	assert_int_equal(pool->n_dns, 2);
	assert_prefix(&pool->dns[0], "10.10.0.53/32");
	assert_prefix(&pool->dns[1], "2001:db8:10::53/128");
	assert_loc(pool->loc, 20, 5);
	assert_loc(pool->name_loc, 20, 11);
	assert_loc(pool->addrs_loc, 21, 12);
	assert_loc(pool->dns_loc[1], 22, 23);
	pool = &c->pools[1];
	assert_int_equal(pool->family, AF_INET6);
	assert_hex(pool->first, 16, "20010db8000100000000000000000001");
	assert_hex(pool->last, 16, "20010db800010000ffffffffffffffff");
	pool = &c->pools[2];
	assert_string_equal(pool->name, "range.4");
	assert_true(pool->is_range);
	assert_hex(pool->first, 4, "0a0a020a");
	assert_hex(pool->last, 4, "0a0a02c8");

	assert_int_equal(c->n_peers, 2);
	p = &c->peers[0];
	assert_string_equal(p->name, "site-b");
	assert_false(p->remote_any);
	assert_prefix(&p->remote, "198.51.100.7/32");
	assert_int_equal(p->remote_port, 4501);
	assert_true(p->has_local);
	assert_prefix(&p->local, "198.51.100.1/32");
	assert_true(p->initiate);
	assert_int_equal(p->local_id.type, SGW_ID_FQDN);   /* "@gw.test" */
	assert_int_equal(p->local_id.len, 7);
	assert_memory_equal(p->local_id.data, "gw.test", 7);
	assert_int_equal(p->remote_id.type, SGW_ID_IPV4_ADDR);
	assert_hex(p->remote_id.data, p->remote_id.len, "c6336407");
	assert_int_equal(p->auth, SGW_AUTH_PSK);
	assert_int_equal(p->remote_auth, SGW_AUTH_PUBKEY);
	assert_string_equal(p->cert, "");
	assert_int_equal(p->n_cacerts, 2);
	assert_string_equal(p->cacerts[0], IKE_DIR "/pki/ca.pem");
	assert_string_equal(p->cacerts[1], IKE_DIR "/pki/gw.pem");
	assert_int_equal(p->n_ike, 2);
	assert_proposal(&p->ike[0], &ike0);
	assert_proposal(&p->ike[1], &ike1);
	assert_int_equal(p->n_esp, 2);
	assert_proposal(&p->esp[0], &esp0);
	assert_proposal(&p->esp[1], &esp1);
	assert_int_equal(p->ike_lifetime, 86400);
	assert_int_equal(p->child_lifetime, 0);
	assert_true(p->child_lifetime_bytes == 1000000000);
	assert_true(p->child_lifetime_packets == UINT64_MAX);
	assert_int_equal(p->dpd, 0);
	assert_true(p->encap_force);
	assert_false(p->fragmentation);
	assert_int_equal(p->n_pools, 0);
	assert_loc(p->loc, 28, 5);
	assert_loc(p->remote_loc, 29, 13);
	assert_loc(p->local_loc, 31, 12);
	assert_loc(p->initiate_loc, 32, 15);
	assert_loc(p->local_id_loc, 33, 15);
	assert_loc(p->remote_id_loc, 34, 16);
	assert_loc(p->auth_loc, 35, 11);
	assert_loc(p->cacerts_loc, 37, 14);
	assert_loc(p->ike_loc, 38, 20);
	assert_loc(p->children_loc, 48, 7);

	assert_int_equal(p->n_children, 2);
	ch = &p->children[0];
	assert_string_equal(ch->name, "lan");
	assert_int_equal(ch->n_local_ts, 2);
	assert_false(ch->local_ts[0].dynamic);
	assert_prefix(&ch->local_ts[0].net, "198.51.100.0/24");
	assert_int_equal(ch->local_ts[0].proto, 0);
	assert_int_equal(ch->local_ts[0].port_lo, 0);
	assert_int_equal(ch->local_ts[0].port_hi, 65535);
	assert_true(ch->local_ts[1].dynamic);
	assert_int_equal(ch->local_ts[1].proto, IPPROTO_UDP);
	assert_int_equal(ch->local_ts[1].port_lo, 500);
	assert_int_equal(ch->local_ts[1].port_hi, 500);
	assert_loc(ch->local_ts[1].loc, 49, 37);
	assert_int_equal(ch->n_remote_ts, 3);
	assert_prefix(&ch->remote_ts[0].net, "10.20.0.0/16");
	assert_int_equal(ch->remote_ts[0].proto, IPPROTO_TCP);
	assert_int_equal(ch->remote_ts[0].port_lo, 1024);
	assert_int_equal(ch->remote_ts[0].port_hi, 65535);
	assert_prefix(&ch->remote_ts[1].net, "2001:db8:20::/48");
	assert_int_equal(ch->remote_ts[1].proto, 58);
	assert_prefix(&ch->remote_ts[2].net, "172.16.0.1/32");
	assert_int_equal(ch->remote_ts[2].proto, 0);   /* [any] */
	assert_true(ch->transport);
	assert_false(ch->start);                        /* given: none */
	assert_int_equal(ch->n_esp, 1);
	assert_proposal(&ch->esp[0], &child_esp);
	assert_loc(ch->start_loc, 53, 23);
	ch = &p->children[1];
	assert_string_equal(ch->name, "mgmt");
	assert_true(ch->start);                         /* the peer initiates */
	assert_int_equal(ch->n_esp, 2);                 /* the peer's */
	assert_proposal(&ch->esp[0], &esp0);
	assert_proposal(&ch->esp[1], &esp1);
	assert_false(ch->transport);

	p = &c->peers[1];
	assert_string_equal(p->name, "rw");
	assert_prefix(&p->remote, "::/0");
	assert_prefix(&p->local, "2001:db8:5::1/128");
	/* openssl req -subj "/C=CH/O=Example AG/CN=gw.test": the subject's DER */
	assert_int_equal(p->local_id.type, SGW_ID_DER_ASN1_DN);
	assert_hex(p->local_id.data, p->local_id.len,
		   "3034310b300906035504061302434831133011060355040a0c0a4578616d706c65"
		   "2041473110300e06035504030c0767772e74657374");
	assert_int_equal(p->remote_id.type, SGW_ID_RFC822_ADDR);
	assert_true(p->remote_id.wildcard);
	assert_int_equal(p->remote_id.len, 12);
	assert_memory_equal(p->remote_id.data, "@example.net", 12);
	assert_int_equal(p->auth, SGW_AUTH_PUBKEY);
	assert_int_equal(p->remote_auth, SGW_AUTH_PSK);
	assert_string_equal(p->cert, IKE_DIR "/pki/gw.pem");
	assert_string_equal(p->key, IKE_DIR "/pki/gw.key");
	assert_int_equal(p->n_pools, 2);
	assert_string_equal(p->pools[0], "rw6");
	assert_int_equal(p->pool_idx[0], 1);
	assert_int_equal(p->pool_idx[1], 2);
	assert_loc(p->pool_loc[1], 63, 18);
	assert_false(p->children[0].start);
	sgw_conf_free(c);
}

static void test_ike_defaults(void **state)
{
	struct sgw_conf *c = load_ok(IKE_DIR "/defaults.yaml");
	const struct sgw_conf_peer *p = &c->peers[0];
	const struct sgw_conf_child *ch = &p->children[0];
	const struct sgw_conf *m;

	(void)state;
	assert_true(p->remote_any);
	assert_int_equal(p->remote_port, 500);
	assert_false(p->has_local);
	assert_false(p->initiate);
	assert_int_equal(p->local_id.type, SGW_ID_ANY);  /* no 'local': at run time */
	assert_int_equal(p->local_id.len, 0);
	assert_int_equal(p->remote_id.type, SGW_ID_ANY);
	assert_int_equal(p->auth, SGW_AUTH_PSK);
	assert_int_equal(p->remote_auth, SGW_AUTH_PSK);   /* as auth */
	assert_int_equal(p->n_cacerts, 0);
	assert_int_equal(p->n_ike, 2);
	assert_int_equal(p->n_esp, 1);
	assert_int_equal(p->ike_lifetime, 4 * 3600);
	assert_int_equal(p->child_lifetime, 3600);
	assert_true(p->child_lifetime_bytes == 0 && p->child_lifetime_packets == 0);
	assert_int_equal(p->dpd, 30);
	assert_false(p->encap_force);
	assert_true(p->fragmentation);
	assert_int_equal(p->n_pools, 0);
	assert_int_equal(ch->n_local_ts, 2);
	assert_prefix(&ch->local_ts[0].net, "0.0.0.0/0");
	assert_prefix(&ch->local_ts[1].net, "::/0");
	assert_false(ch->local_ts[1].dynamic);
	assert_int_equal(ch->local_ts[1].port_hi, 65535);
	assert_int_equal(ch->n_remote_ts, 1);
	assert_true(ch->remote_ts[0].dynamic);
	assert_int_equal(ch->remote_ts[0].proto, 0);
	assert_int_equal(ch->remote_ts[0].port_hi, 65535);
	assert_false(ch->transport);
	assert_false(ch->start);
	assert_int_equal(ch->n_esp, 1);

	p = &c->peers[1];
	assert_int_equal(p->auth, SGW_AUTH_PUBKEY);        /* the default */
	assert_int_equal(p->remote_auth, SGW_AUTH_PUBKEY);
	assert_int_equal(p->local_id.type, SGW_ID_IPV4_ADDR); /* from 'local' */
	assert_hex(p->local_id.data, p->local_id.len, "cb007101");
	sgw_conf_free(c);

	m = load_ok(SGW_FIXTURES "/good/minimal.yaml");
	assert_string_equal(m->ike.secrets, "");
	assert_int_equal(m->ike.cookie_threshold, 256);
	assert_int_equal(m->ike.half_open_per_source, 16);
	assert_int_equal(m->ike.half_open_timeout, 30);
	assert_int_equal(m->ike.retransmit_timeout, 2);
	assert_true(m->ike.retransmit_base == 1.8);
	assert_int_equal(m->ike.retransmit_tries, 5);
	assert_int_equal(m->ike.fragment_size, 1280);
	assert_int_equal(m->limits.ike_sas, 16384);
	assert_int_equal(m->limits.half_open, 4096);
	assert_int_equal(m->n_pools, 0);
	assert_null(m->pools);
	assert_int_equal(m->n_peers, 0);
	assert_null(m->peers);
	assert_int_equal(m->n_secrets, 0);
	assert_null(m->secrets);
	sgw_conf_free((struct sgw_conf *)m);
}

/* The defaults are what their documented strings parse to. */
static void test_ike_default_proposals(void **state)
{
	struct sgw_conf *d, *c;

	(void)state;
	d = ike_ok(PEER);
	c = ike_ok(PEER "    ike_proposals:\n"
		   "      - aes128gcm16-aes256gcm16-prfsha256-prfsha384-prfsha512-x25519-"
		   "ecp256-ecp384-modp3072-modp2048\n"
		   "      - aes128-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-"
		   "modp3072-modp2048\n"
		   "    esp_proposals: [aes128gcm16-aes256gcm16-noesn-esn]\n");
	assert_int_equal(d->peers[0].n_ike, 2);
	assert_int_equal(c->peers[0].n_ike, 2);
	assert_proposal(&d->peers[0].ike[0], &c->peers[0].ike[0]);
	assert_proposal(&d->peers[0].ike[1], &c->peers[0].ike[1]);
	assert_int_equal(d->peers[0].n_esp, 1);
	assert_proposal(&d->peers[0].esp[0], &c->peers[0].esp[0]);
	assert_int_equal(d->peers[0].children[0].n_esp, 1);
	assert_proposal(&d->peers[0].children[0].esp[0], &c->peers[0].esp[0]);
	sgw_conf_free(d);
	sgw_conf_free(c);
}

static void test_ike_proposals(void **state)
{
	static const struct {
		const char *text;
		bool esp;
		struct sgw_conf_proposal want;
	} t[] = {
		{ "aes128gcm16-prfsha256-x25519", false,
		  { .n_encr = 1, .encr = { { 20, 128 } }, .n_prf = 1, .prf = { 5 },
		    .n_dh = 1, .dh = { 31 } } },
		/* the PRF of the integrity algorithm */
		{ "aes256-sha384-ecp384", false,
		  { .n_encr = 1, .encr = { { 12, 256 } }, .n_integ = 1, .integ = { 13 },
		    .n_prf = 1, .prf = { 6 }, .n_dh = 1, .dh = { 20 } } },
		/* ...of each, in their order (sha2_384 is strongSwan's sha384) */
		{ "aes128-sha512-sha256-sha2_384-modp2048", false,
		  { .n_encr = 1, .encr = { { 12, 128 } }, .n_integ = 3,
		    .integ = { 14, 12, 13 }, .n_prf = 3, .prf = { 7, 5, 6 },
		    .n_dh = 1, .dh = { 14 } } },
		/* a PRF named: no others are added */
		{ "aes128-sha256-prfsha512-x25519", false,
		  { .n_encr = 1, .encr = { { 12, 128 } }, .n_integ = 1, .integ = { 12 },
		    .n_prf = 1, .prf = { 7 }, .n_dh = 1, .dh = { 31 } } },
		/* aliases, alternatives in order */
		{ "aes128gcm-aes256gcm128-prfsha384-prfsha256-curve25519-ecp256", false,
		  { .n_encr = 2, .encr = { { 20, 128 }, { 20, 256 } }, .n_prf = 2,
		    .prf = { 6, 5 }, .n_dh = 2, .dh = { 31, 19 } } },
		{ "aes256-aes128-sha256-modp3072-modp2048", false,
		  { .n_encr = 2, .encr = { { 12, 256 }, { 12, 128 } }, .n_integ = 1,
		    .integ = { 12 }, .n_prf = 1, .prf = { 5 }, .n_dh = 2, .dh = { 15, 14 } } },
		/* ESP: noesn when neither is named */
		{ "aes128gcm16", true, { .n_encr = 1, .encr = { { 20, 128 } }, .noesn = true } },
		{ "aes256gcm16-esn", true, { .n_encr = 1, .encr = { { 20, 256 } }, .esn = true } },
		{ "aes128gcm16-noesn-esn-x25519-modp3072", true,
		  { .n_encr = 1, .encr = { { 20, 128 } }, .n_dh = 2, .dh = { 31, 15 },
		    .esn = true, .noesn = true } },
	};
	char text[1024];
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), PEER "    %s_proposals: [%s]\n",
			 t[i].esp ? "esp" : "ike", t[i].text);
		c = ike_ok(text);
		assert_int_equal(t[i].esp ? c->peers[0].n_esp : c->peers[0].n_ike, 1);
		assert_proposal(t[i].esp ? &c->peers[0].esp[0] : &c->peers[0].ike[0],
				&t[i].want);
		sgw_conf_free(c);
	}
}

/* Token errors point at the token, in plain and quoted scalars alike. */
static void test_err_ike_proposals(void **state)
{
	static const struct {
		const char *line, *msg;
	} t[] = {
		{ "    ike_proposals: [aes128gcm16-prfsha256-x2551]\n",
		  "t.yaml:14:43: unknown algorithm 'x2551' in 'ike_proposals' (known: "
		  "aes128gcm16 aes256gcm16 aes128 aes256 sha256 sha384 sha512 prfsha256 "
		  "prfsha384 prfsha512 x25519 ecp256 ecp384 modp2048 modp3072 esn noesn)" },
		{ "    ike_proposals: [\"aes128gcm16-prfsha256-Ecp256\"]\n",
		  "t.yaml:14:44: unknown algorithm 'Ecp256' in 'ike_proposals' (known: "
		  "aes128gcm16 aes256gcm16 aes128 aes256 sha256 sha384 sha512 prfsha256 "
		  "prfsha384 prfsha512 x25519 ecp256 ecp384 modp2048 modp3072 esn noesn)" },
		{ "    esp_proposals:\n      - aes128gcm16-sha256   # a comment\n",
		  "t.yaml:15:21: 'sha256' (integrity) cannot be combined with "
		  "'aes128gcm16' (AES-GCM), which authenticates by itself" },
		{ "    ike_proposals: [aes128gcm16--x25519]\n",
		  "t.yaml:14:33: empty algorithm name in a proposal for 'ike_proposals'" },
		{ "    ike_proposals: [aes128gcm16-prfsha256-x25519-]\n",
		  "t.yaml:14:50: empty algorithm name in a proposal for 'ike_proposals'" },
		{ "    ike_proposals: [aes128-sha256-sha256-x25519]\n",
		  "t.yaml:14:35: 'sha256' appears twice in one proposal" },
		{ "    ike_proposals: [aes128gcm16-prfsha256-x25519-curve25519]\n",
		  "t.yaml:14:50: 'curve25519' appears twice in one proposal" },
		{ "    esp_proposals: [aes128gcm16-esn-esn]\n",
		  "t.yaml:14:37: 'esn' appears twice in one proposal" },
		{ "    ike_proposals: [aes128gcm16-aes128-sha256-x25519]\n",
		  "t.yaml:14:33: 'aes128' (AES-CBC) and 'aes128gcm16' (AES-GCM) cannot "
		  "be in one proposal; write two proposals" },
		{ "    esp_proposals: [aes256-sha256]\n",
		  "t.yaml:14:21: 'aes256' (AES-CBC) is not supported for ESP by this "
		  "dataplane (only aes128gcm16 and aes256gcm16)" },
		{ "    esp_proposals: [aes256gcm16-prfsha256]\n",
		  "t.yaml:14:33: 'prfsha256' is a PRF, which ESP proposals do not have" },
		{ "    ike_proposals: [aes256gcm16-prfsha256-x25519-noesn]\n",
		  "t.yaml:14:50: 'noesn' is only allowed in ESP proposals" },
		{ "    esp_proposals: [x25519-noesn]\n",
		  "t.yaml:14:21: proposal 'x25519-noesn' for 'esp_proposals' has no "
		  "encryption algorithm" },
		{ "    ike_proposals: [sha256-x25519]\n",
		  "t.yaml:14:21: proposal 'sha256-x25519' for 'ike_proposals' has no "
		  "encryption algorithm" },
		{ "    ike_proposals: [aes128-prfsha256-x25519]\n",
		  "t.yaml:14:21: proposal 'aes128-prfsha256-x25519' for 'ike_proposals' "
		  "has AES-CBC but no integrity algorithm (add one, like sha256)" },
		{ "    ike_proposals: [aes128gcm16-x25519]\n",
		  "t.yaml:14:21: proposal 'aes128gcm16-x25519' for 'ike_proposals' has "
		  "AES-GCM but no PRF (add one, like prfsha256)" },
		{ "    ike_proposals: [aes128-sha256]\n",
		  "t.yaml:14:21: proposal 'aes128-sha256' for 'ike_proposals' has no DH "
		  "group (add one, like x25519)" },
		{ "    ike_proposals: []\n",
		  "t.yaml:14:20: expected a list of proposals for 'ike_proposals', got nothing" },
		{ "    ike_proposals: aes128gcm16-prfsha256-x25519\n",
		  "t.yaml:14:20: expected a list of proposals for 'ike_proposals', got "
		  "'aes128gcm16-prfsha256-x25519'" },
		{ "    ike_proposals: [[aes128]]\n",
		  "t.yaml:14:21: expected a proposal (like aes128gcm16-prfsha256-x25519) "
		  "for 'ike_proposals', got a list" },
		{ "    esp_proposals: [aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16, "
		  "aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16]\n",
		  "t.yaml:14:125: too many entries for 'esp_proposals' (at most 8)" },
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), PEER "%s", t[i].line);
		assert_string_equal(ike_check(text), t[i].msg);
	}
}

static void test_ike_durations(void **state)
{
	static const struct {
		const char *key, *value;
		long secs;      /* -1: refused */
	} t[] = {
		{ "dpd", "90", 90 }, { "dpd", "30s", 30 }, { "dpd", "10m", 600 },
		{ "dpd", "0", 0 }, { "dpd", "1d", 86400 }, { "dpd", "24h", 86400 },
		{ "dpd", "86401", -1 }, { "dpd", "1.5h", -1 }, { "dpd", "30S", -1 },
		{ "dpd", "s", -1 }, { "dpd", "010", -1 }, { "dpd", "-1", -1 },
		{ "dpd", "30 s", -1 }, { "dpd", "1w", -1 },
		{ "ike_lifetime", "4h", 14400 }, { "ike_lifetime", "3650d", 315360000 },
		{ "ike_lifetime", "3651d", -1 }, { "ike_lifetime", "99999999999d", -1 },
		{ "child_lifetime", "0", 0 }, { "child_lifetime", "59m", 3540 },
	};
	char text[1024], want[256];
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), PEER "    %s: \"%s\"\n", t[i].key, t[i].value);
		if (t[i].secs < 0) {
			snprintf(want, sizeof(want), "t.yaml:14:%zu: expected %s for '%s', "
				 "got '%s'", strlen(t[i].key) + 7,
				 strcmp(t[i].key, "dpd") == 0 ?
				 "0 (off) or a duration up to 1d (like 30s)" :
				 "0 (never) or a duration up to 3650d (like 4h)",
				 t[i].key, t[i].value);
			assert_string_equal(ike_check(text), want);
			continue;
		}
		c = ike_ok(text);
		assert_int_equal(strcmp(t[i].key, "dpd") == 0 ? c->peers[0].dpd :
				 t[i].key[0] == 'i' ? c->peers[0].ike_lifetime :
				 c->peers[0].child_lifetime, t[i].secs);
		sgw_conf_free(c);
	}
	assert_string_equal(check("ike: {half_open_timeout: 0}\n" BASE),
		"t.yaml:1:26: expected a duration 1s..1h (like 30s) for "
		"'half_open_timeout', got '0'");
	assert_string_equal(check("ike: {retransmit_timeout: 61s}\n" BASE),
		"t.yaml:1:27: expected a duration 1s..60s (like 2s) for "
		"'retransmit_timeout', got '61s'");
	assert_string_equal(check("ike: {half_open_timeout: 1h}\n" BASE), "ok");
}

static void test_ike_retransmit_base(void **state)
{
	static const struct {
		const char *text;
		double want;    /* 0: refused */
	} t[] = {
		{ "1", 1.0 }, { "1.0", 1.0 }, { "4", 4.0 }, { "4.000", 4.0 },
		{ "1.8", 1.8 }, { "2.125", 2.125 }, { "0.9", 0 }, { "4.001", 0 },
		{ "1.", 0 }, { ".5", 0 }, { "1.2345", 0 }, { "1,8", 0 },
		{ "01.5", 0 }, { "1.8.1", 0 }, { "", 0 }, { "2e0", 0 },
	};
	char text[256], want[256];
	struct sgw_conf_err err;
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "ike: {retransmit_base: \"%s\"}\n" BASE,
			 t[i].text);
		if (t[i].want == 0) {
			snprintf(want, sizeof(want), "t.yaml:1:24: expected a decimal "
				 "1.0..4.0 (like 1.8) for 'retransmit_base', got '%s'",
				 t[i].text);
			assert_string_equal(check(text), want);
			continue;
		}
		assert_int_equal(sgw_conf_parse("t.yaml", text, strlen(text), &c, &err), 0);
		assert_true(c->ike.retransmit_base == t[i].want);
		sgw_conf_free(c);
	}
}

static void test_ike_ts(void **state)
{
	static const struct {
		const char *ts;
		const char *net;    /* NULL: dynamic */
		int proto;
		unsigned lo, hi;
		const char *err;    /* after "t.yaml:14:37: " */
	} t[] = {
		{ "10.0.0.0/8", "10.0.0.0/8", 0, 0, 65535, NULL },
		{ "10.0.0.9", "10.0.0.9/32", 0, 0, 65535, NULL },
		{ "2001:db8::/32[tcp/443]", "2001:db8::/32", 6, 443, 443, NULL },
		{ "dynamic", NULL, 0, 0, 65535, NULL },
		{ "dynamic[udp/1000-2000]", NULL, 17, 1000, 2000, NULL },
		{ "0.0.0.0/0[17]", "0.0.0.0/0", 17, 0, 65535, NULL },
		{ "0.0.0.0/0[sctp/0-0]", "0.0.0.0/0", 132, 0, 0, NULL },
		{ "10.0.0.0/8[%any]", "10.0.0.0/8", 0, 0, 65535, NULL },
		{ "10.0.0.0/8[255]", "10.0.0.0/8", 255, 0, 65535, NULL },
		{ "10.0.0.0/8[256]", NULL, 0, 0, 0, "expected 'dynamic' or a prefix, "
		  "optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) for "
		  "'local_ts', got '10.0.0.0/8[256]'" },
		{ "10.0.0.0/8[tcp/65536]", NULL, 0, 0, 0, "expected 'dynamic' or a "
		  "prefix, optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) "
		  "for 'local_ts', got '10.0.0.0/8[tcp/65536]'" },
		{ "10.0.0.0/8[]", NULL, 0, 0, 0, "expected 'dynamic' or a prefix, "
		  "optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) for "
		  "'local_ts', got '10.0.0.0/8[]'" },
		{ "10.0.0.0/8[tcp", NULL, 0, 0, 0, "expected 'dynamic' or a prefix, "
		  "optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) for "
		  "'local_ts', got '10.0.0.0/8[tcp'" },
		{ "[tcp/443]", NULL, 0, 0, 0, "expected 'dynamic' or a prefix, "
		  "optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) for "
		  "'local_ts', got '[tcp/443]'" },
		{ "Dynamic", NULL, 0, 0, 0, "expected 'dynamic' or a prefix, "
		  "optionally with [protocol/port] (like 10.0.0.0/24[tcp/443]) for "
		  "'local_ts', got 'Dynamic'" },
		{ "10.0.0.0/33", NULL, 0, 0, 0, "expected a prefix length 0..32 for "
		  "'local_ts', got '10.0.0.0/33'" },
		{ "10.0.0.1/8", NULL, 0, 0, 0, "'local_ts' 10.0.0.1/8 has host bits "
		  "set (did you mean 10.0.0.0/8?)" },
		{ "10.0.0.0/8[gre/1]", NULL, 0, 0, 0, "ports in 'local_ts' are only "
		  "allowed with tcp, udp or sctp" },
		{ "10.0.0.0/8[any/80]", NULL, 0, 0, 0, "ports in 'local_ts' are only "
		  "allowed with tcp, udp or sctp" },
	};
	char text[1024], want[512];
	const struct sgw_conf_ts *ts;
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), PEER "  - name: q\n    cert: pki/gw.pem\n"
			 "    key: pki/gw.key\n    cacerts: [pki/ca.pem]\n"
			 "    children: [{name: c, local_ts: [\"%s\"]}]\n", t[i].ts);
		if (t[i].err) {
			snprintf(want, sizeof(want), "t.yaml:18:37: %s", t[i].err);
			assert_string_equal(ike_check(text), want);
			continue;
		}
		c = ike_ok(text);
		ts = &c->peers[1].children[0].local_ts[0];
		assert_int_equal(c->peers[1].children[0].n_local_ts, 1);
		assert_int_equal(ts->dynamic, t[i].net == NULL);
		if (t[i].net)
			assert_prefix(&ts->net, t[i].net);
		assert_int_equal(ts->proto, t[i].proto);
		assert_int_equal(ts->port_lo, t[i].lo);
		assert_int_equal(ts->port_hi, t[i].hi);
		assert_loc(ts->loc, 18, 37);
		sgw_conf_free(c);
	}
}

/* Identities typed as strongSwan types them, stored in IKE's wire form;
 * DNs as the DER of the subject openssl req writes for the same text. */
static void test_ike_identities(void **state)
{
	static const struct {
		const char *text;
		int type;           /* -1: refused */
		bool wildcard;
		const char *hex;    /* or the message after "t.yaml:14:16: " */
	} t[] = {
		{ "198.51.100.7", SGW_ID_IPV4_ADDR, false, "c6336407" },
		{ "2001:db8::7", SGW_ID_IPV6_ADDR, false, "20010db8000000000000000000000007" },
		{ "ip:2001:db8::7", SGW_ID_IPV6_ADDR, false, "20010db8000000000000000000000007" },
		{ "ipv4:10.0.0.1", SGW_ID_IPV4_ADDR, false, "0a000001" },
		{ "gw.example.net", SGW_ID_FQDN, false, "67772e6578616d706c652e6e6574" },
		{ "@gw", SGW_ID_FQDN, false, "6777" },
		{ "fqdn:10.0.0.1", SGW_ID_FQDN, false, "31302e302e302e31" },
		{ "alice@example.net", SGW_ID_RFC822_ADDR, false,
		  "616c696365406578616d706c652e6e6574" },
		{ "email:a+b@x", SGW_ID_RFC822_ADDR, false, "612b624078" },
		{ "*.example.net", SGW_ID_FQDN, true, "2e6578616d706c652e6e6574" },
		{ "*@example.net", SGW_ID_RFC822_ADDR, true, "406578616d706c652e6e6574" },
		{ "%any", SGW_ID_ANY, false, "" },
		/* openssl req -subj "/C=CH/O=Example/CN=gw.example.net" */
		{ "C=CH, O=Example, CN=gw.example.net", SGW_ID_DER_ASN1_DN, false,
		  "3038310b30090603550406130243483110300e060355040a0c074578616d706c653117"
		  "301506035504030c0e67772e6578616d706c652e6e6574" },
		{ " c = CH ,o=Example,  cn=gw.example.net ", SGW_ID_DER_ASN1_DN, false,
		  "3038310b30090603550406130243483110300e060355040a0c074578616d706c653117"
		  "301506035504030c0e67772e6578616d706c652e6e6574" },
		{ "dn:/C=CH/O=Example/CN=gw.example.net", SGW_ID_DER_ASN1_DN, false,
		  "3038310b30090603550406130243483110300e060355040a0c074578616d706c653117"
		  "301506035504030c0e67772e6578616d706c652e6e6574" },
		/* openssl req -utf8 -subj "/C=CH/ST=Zug/L=Zürich/O=Example AG/
		 * OU=<60 x ü>/CN=gw/emailAddress=vpn@example.net": long forms of
		 * DER lengths (0x81) in the Name and in one RDN. "%s" is the OU. */
		{ "C=CH, ST=Zug, L=Zürich, O=Example AG, OU=%s, CN=gw, E=vpn@example.net",
		  SGW_ID_DER_ASN1_DN, false,
		  "3081f3310b3009060355040613024348310c300a06035504080c035a75673110300e06"
		  "035504070c075ac3bc7269636831133011060355040a0c0a4578616d706c6520414731"
		  "8181307f060355040b0c78c3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bc"
		  "c3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3"
		  "bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bc"
		  "c3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bcc3bc310b30090603550403"
		  "0c026777311e301c06092a864886f70d010901160f76706e406578616d706c652e6e65"
		  "74" },
		{ "C=CH, CNN=x", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (unknown attribute "
		  "'CNN'; known: C, ST, L, O, OU, CN, emailAddress), got 'C=CH, CNN=x'" },
		{ "C=C1, O=x", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (C must be a two-letter "
		  "country code), got 'C=C1, O=x'" },
		{ "CN=x, E=ü@x", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (E must be ASCII), got "
		  "'CN=x, E=ü@x'" },
		{ "C=CH/O=x", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (an '=' in the value of "
		  "'C'), got 'C=CH/O=x'" },
		{ "CN=x,", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (an empty attribute), "
		  "got 'CN=x,'" },
		{ "dn:gw", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' ('gw' has no '='), got "
		  "'dn:gw'" },
		/* strongSwan would take it as a wildcard; we do not */
		{ "C=CH, CN=*", -1, false, "expected a distinguished name like 'C=CH, "
		  "O=Example, CN=gw.example.net' for 'remote_id' (wildcards are not "
		  "supported in distinguished names), got 'C=CH, CN=*'" },
		{ "*", -1, false, "expected '*.' or '*@' at the start of a wildcard "
		  "domain name or email address for 'remote_id', got '*'" },
		{ "*.x.net*", -1, false, "expected a domain name of letters, digits, "
		  "'-', '_' and '.' for 'remote_id', got '*.x.net*'" },
		{ "ip:*.x", -1, false, "expected '*.' or '*@' at the start of a wildcard "
		  "domain name or email address for 'remote_id', got 'ip:*.x'" },
		{ "*@CN=x", -1, false, "a wildcard is only allowed in a domain name or "
		  "an email address for 'remote_id', got '*@CN=x'" },
		{ "ipv4:2001:db8::1", -1, false, "expected an IPv4 address for "
		  "'remote_id', got 'ipv4:2001:db8::1'" },
		{ "a b", -1, false, "expected a domain name of letters, digits, '-', '_' "
		  "and '.' for 'remote_id', got 'a b'" },
		{ "", -1, false, "expected an identity (an IP address, a domain name, an "
		  "email address or a distinguished name) for 'remote_id', got ''" },
		{ "@", -1, false, "expected an identity (an IP address, a domain name, an "
		  "email address or a distinguished name) for 'remote_id', got '@'" },
		{ "a@", -1, false, "expected an email address (one '@', no spaces) for "
		  "'remote_id', got 'a@'" },
		{ "a b@x", -1, false, "expected an email address (one '@', no spaces) "
		  "for 'remote_id', got 'a b@x'" },
		{ "\\tgw", -1, false, "control characters are not allowed in 'remote_id'" },
	};
	char text[2048], want[512], value[512], ou[128];
	const struct sgw_conf_id *id;
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < 60; i++)
		memcpy(ou + 2 * i, "\xc3\xbc", 2);     /* ü */
	ou[120] = '\0';
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* only the long DN has a "%s" */
		snprintf(value, sizeof(value), strstr(t[i].text, "%s") ? t[i].text : "%s",
			 strstr(t[i].text, "%s") ? ou : t[i].text);
		snprintf(text, sizeof(text), PEER "    remote_id: \"%s\"\n", value);
		if (t[i].type < 0) {
			snprintf(want, sizeof(want), "t.yaml:14:16: %s", t[i].hex);
			assert_string_equal(ike_check(text), want);
			continue;
		}
		c = ike_ok(text);
		id = &c->peers[0].remote_id;
		assert_int_equal(id->type, t[i].type);
		assert_int_equal(id->wildcard, t[i].wildcard);
		assert_hex(id->data, id->len, t[i].hex);
		sgw_conf_free(c);
	}
	/* what we send cannot be a pattern */
	assert_string_equal(ike_check(PEER "    local_id: \"%any\"\n"),
		"t.yaml:14:15: '%any' is only allowed for 'remote_id', got '%any'");
	assert_string_equal(ike_check(PEER "    local_id: \"*.example.net\"\n"),
		"t.yaml:14:15: a wildcard is only allowed for 'remote_id', got "
		"'*.example.net'");
	/* a DN longer than an identity may be */
	snprintf(text, sizeof(text), PEER "    local_id: \"O=%0250d\"\n", 0);
	assert_string_equal(ike_check(text),
		"t.yaml:14:15: expected a distinguished name like 'C=CH, O=Example, "
		"CN=gw.example.net' for 'local_id' (longer than 255 bytes as DER), got "
		"'O=0000000000000000000000000000000000000000000000...'");
	snprintf(text, sizeof(text), PEER "    local_id: \"O=%0200d\"\n", 0);
	c = ike_ok(text);
	/* Name, SET, SEQUENCE, OID, UTF8String: long-form lengths */
	assert_int_equal(c->peers[0].local_id.len, 3 + 3 + 3 + 5 + 3 + 200);
	sgw_conf_free(c);
}

/* What a pool hands out: a prefix without its network address and, for
 * IPv4 up to /30, its broadcast address; a range whole. */
static void test_ike_pool_addrs(void **state)
{
	static const struct {
		const char *addrs, *first, *last;
	} t[] = {
		{ "10.0.0.0/24", "10.0.0.1", "10.0.0.254" },
		{ "10.0.0.0/30", "10.0.0.1", "10.0.0.2" },
		{ "10.0.0.0/31", "10.0.0.0", "10.0.0.1" },    /* RFC 3021 */
		{ "10.0.0.7/32", "10.0.0.7", "10.0.0.7" },
		{ "10.0.0.0/8", "10.0.0.1", "10.255.255.254" },
		{ "10.0.0.0-10.0.0.255", "10.0.0.0", "10.0.0.255" },
		{ "10.0.0.9-10.0.0.9", "10.0.0.9", "10.0.0.9" },
		{ "2001:db8::/64", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff" },
		{ "2001:db8::/126", "2001:db8::1", "2001:db8::3" },
		{ "2001:db8::/127", "2001:db8::", "2001:db8::1" },
		{ "2001:db8::5/128", "2001:db8::5", "2001:db8::5" },
		{ "2001:db8::a-2001:db8::1:0", "2001:db8::a", "2001:db8::1:0" },
	};
	char text[512], a[64];
	const struct sgw_conf_pool *pool;
	struct sgw_conf_err err;
	struct sgw_conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), BASE "pools: [{name: p, addrs: \"%s\"}]\n",
			 t[i].addrs);
		assert_int_equal(sgw_conf_parse("t.yaml", text, strlen(text), &c, &err), 0);
		assert_int_equal(sgw_conf_validate(c, &err), 0);
		pool = &c->pools[0];
		assert_int_equal(pool->is_range, strchr(t[i].addrs, '-') != NULL);
		assert_string_equal(inet_ntop(pool->family, pool->first, a, sizeof(a)),
				    t[i].first);
		assert_string_equal(inet_ntop(pool->family, pool->last, a, sizeof(a)),
				    t[i].last);
		sgw_conf_free(c);
	}
}

/* The secrets file: beside the configuration, read with the same rules,
 * looked up by identity. */
static void test_ike_secrets(void **state)
{
	static const uint8_t v4[4] = { 198, 51, 100, 7 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	static const char bob_dn[] =
		"\x30\x30\x31\x0b\x30\x09\x06\x03\x55\x04\x06\x13\x02\x43\x48\x31"
		"\x13\x30\x11\x06\x03\x55\x04\x0a\x0c\x0a\x45\x78\x61\x6d\x70\x6c"
		"\x65\x20\x41\x47\x31\x0c\x30\x0a\x06\x03\x55\x04\x03\x0c\x03\x62"
		"\x6f\x62";
	struct sgw_conf *c = load_ok(IKE_DIR "/full.yaml");
	const struct sgw_conf_secret *s;

	(void)state;
	assert_int_equal(c->n_secrets, 2);
	s = &c->secrets[0];
	assert_int_equal(s->n_ids, 3);
	assert_int_equal(s->ids[0].type, SGW_ID_FQDN);
	assert_int_equal(s->ids[1].type, SGW_ID_RFC822_ADDR);
	assert_int_equal(s->ids[2].type, SGW_ID_IPV4_ADDR);
	assert_int_equal(s->len, 16);
	assert_bytes(s->secret, 16, 0x00);
	assert_loc(s->loc, 4, 5);
	assert_loc(s->id_loc[2], 4, 41);
	s = &c->secrets[1];
	assert_int_equal(s->ids[0].type, SGW_ID_IPV6_ADDR);
	assert_int_equal(s->ids[1].type, SGW_ID_DER_ASN1_DN);
	assert_int_equal(s->len, 16);
	assert_memory_equal(s->secret, "sixteen bytes ok", 16);

	assert_ptr_equal(sgw_conf_find_psk(c, SGW_ID_FQDN, (const uint8_t *)"gw.test", 7),
			 &c->secrets[0]);
	assert_ptr_equal(sgw_conf_find_psk(c, SGW_ID_IPV4_ADDR, v4, 4), &c->secrets[0]);
	assert_ptr_equal(sgw_conf_find_psk(c, SGW_ID_IPV6_ADDR, v6, 16), &c->secrets[1]);
	assert_ptr_equal(sgw_conf_find_psk(c, SGW_ID_DER_ASN1_DN, (const uint8_t *)bob_dn,
					   sizeof(bob_dn) - 1), &c->secrets[1]);
	/* exact matches only: type, length and bytes */
	assert_null(sgw_conf_find_psk(c, SGW_ID_RFC822_ADDR, (const uint8_t *)"gw.test", 7));
	assert_null(sgw_conf_find_psk(c, SGW_ID_FQDN, (const uint8_t *)"gw.tes", 6));
	assert_null(sgw_conf_find_psk(c, SGW_ID_FQDN, (const uint8_t *)"GW.test", 7));
	assert_null(sgw_conf_find_psk(c, SGW_ID_IPV4_ADDR, v6, 16));
	assert_null(sgw_conf_find_psk(c, SGW_ID_FQDN, NULL, 0));
	assert_null(sgw_conf_find_psk(NULL, SGW_ID_FQDN, v4, 4));
	assert_ptr_equal(sgw_conf_find_peer(c, "rw"), &c->peers[1]);
	assert_null(sgw_conf_find_peer(c, "RW"));
	assert_null(sgw_conf_find_peer(c, NULL));
	sgw_conf_free(c);
}

/* Relative to the configuration's directory, as key_file; a string has
 * none, so the current one. */
static void test_ike_secrets_path(void **state)
{
	static const char text[] = BASE "ike:\n  secrets: secrets.yaml\n"
		"peers: [{name: p, auth: psk, children: [{name: c}]}]\n";
	struct sgw_conf *c;
	char cwd[4096];

	(void)state;
	c = ike_ok(text);
	assert_string_equal(c->ike.secrets, IKE_DIR "/secrets.yaml");
	assert_int_equal(c->n_secrets, 2);
	sgw_conf_free(c);
	assert_string_equal(check(text), "t.yaml:9:12: cannot read secrets file "
			    "'secrets.yaml': No such file or directory");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(IKE_DIR), 0);
	assert_string_equal(check(text), "ok");
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(check(BASE "ike:\n  secrets: " IKE_DIR "/secrets.yaml\n"), "ok");
	assert_string_equal(ike_check(BASE "ike:\n  secrets: pki\n"),
		"t.yaml:9:12: secrets file 'pki' is not a regular file of at most "
		"1048576 bytes");
	assert_string_equal(ike_check(BASE "ike:\n  secrets: /dev/null\n"),
		"t.yaml:9:12: secrets file '/dev/null' is not a regular file of at "
		"most 1048576 bytes");
	/* a secrets file needs no psk peer, and is checked all the same */
	assert_string_equal(ike_check(BASE "ike:\n  secrets: full.yaml\n"),
		"full.yaml:3:1: unknown key 'ports' in secrets file "
		"(expected one of: psk)");
}

/* The first repeated identity in file order, whatever the sort order; a
 * secrets file named by an absolute path is shown as it is. */
static void test_ike_secrets_dups(void **state)
{
	char dir[] = "/tmp/sgw-conf-XXXXXX", path[64], text[512], want[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("psk:\n"
	      "  - {ids: [a.test, b.test], secret: \"0123456789abcdef\"}\n"
	      "  - {ids: [c.test, b.test], secret: \"0123456789abcdef\"}\n"
	      "  - {ids: [a.test], secret: \"0123456789abcdef\"}\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(text, sizeof(text), BASE "ike: {secrets: %s}\n", path);
	snprintf(want, sizeof(want), "%s:3:20: identity 'b.test' already has a "
		 "secret (first at 2:20)", path);
	assert_string_equal(check(text), want);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("psk: [{ids: [a.test, b.test], secret: \"0123456789abcdef\"}]\n", f);
	fclose(f);
	assert_string_equal(check(text), "ok");
	assert_int_equal(chmod(path, 0640), 0);
	assert_string_equal(check(text), "ok");
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(want, sizeof(want), "t.yaml:8:16: secrets file '%s' is accessible "
		 "to others (mode 0644): run chmod o-rwx on it", path);
	assert_string_equal(check(text), want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The fixtures in bad/ike: errors in secrets files carry the secrets
 * file's name and place; file modes are judged last. */
static void test_bad_ike_fixtures(void **state)
{
	char line[1024], path[2048], want[4096];
	struct sgw_conf_err err;
	struct sgw_conf *c;
	unsigned n = 0;
	FILE *f = fopen(SGW_FIXTURES "/bad/ike/EXPECTED", "r");
	char *tab;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		snprintf(path, sizeof(path), "%s/bad/ike/%s", SGW_FIXTURES, line);
		snprintf(want, sizeof(want), "%s/bad/ike/%s", SGW_FIXTURES, tab + 1);
		c = NULL;
		assert_int_not_equal(sgw_conf_load(path, &c, &err), 0);
		assert_null(c);
		assert_string_equal(err.msg, want);
		n++;
	}
	fclose(f);
	assert_int_equal(n, count_yaml(SGW_FIXTURES "/bad/ike"));
}

static void test_err_ike_values(void **state)
{
	(void)state;
	assert_string_equal(check("ike: {port: 4500}\n" BASE),
		"t.yaml:1:7: unknown key 'port' in ike (expected one of: secrets, "
		"cookie_threshold, half_open_per_source, half_open_timeout, "
		"retransmit_timeout, retransmit_base, retransmit_tries, fragment_size)");
	assert_string_equal(check("ike: {fragment_size: 575}\n" BASE),
		"t.yaml:1:22: expected an integer 576..9000 for 'fragment_size', got '575'");
	assert_string_equal(check("ike: {retransmit_tries: 0}\n" BASE),
		"t.yaml:1:25: expected an integer 1..20 for 'retransmit_tries', got '0'");
	assert_string_equal(check("ike: {half_open_per_source: 0}\n" BASE),
		"t.yaml:1:29: expected an integer 1..1048576 for 'half_open_per_source', "
		"got '0'");
	assert_string_equal(check("ike: {secrets: \"\"}\n" BASE),
		"t.yaml:1:16: expected a file name for 'secrets', got ''");
	assert_string_equal(check("limits: {half_open: 15}\n" BASE),
		"t.yaml:1:21: expected an integer 16..1048576 for 'half_open', got '15'");
	assert_string_equal(check("limits: {ike_sas: 1048577}\n" BASE),
		"t.yaml:1:19: expected an integer 16..1048576 for 'ike_sas', got '1048577'");
	/* the limits hold each other */
	assert_string_equal(check("limits: {ike_sas: 64, half_open: 64}\n"
				  "ike: {cookie_threshold: 64, half_open_per_source: 64}\n" BASE),
		"ok");
	assert_string_equal(check("limits: {ike_sas: 64, half_open: 64}\n"
				  "ike: {cookie_threshold: 0, half_open_per_source: 65}\n" BASE),
		"t.yaml:2:50: 'half_open_per_source' (65) must not be above "
		"limits.half_open (64)");

	/* pools */
	assert_string_equal(check(BASE "pools: [{name: a b, addrs: 10.0.0.0/8}]\n"),
		"t.yaml:8:16: expected a name of 1..31 characters from [A-Za-z0-9_.-] "
		"for 'name', got 'a b'");
	assert_string_equal(check(BASE "pools: [{name: a, addrs: 10.0.0.0}]\n"),
		"t.yaml:8:26: expected a prefix or a range (like 10.10.1.0/24 or "
		"10.10.1.10-10.10.1.200) for 'addrs', got '10.0.0.0'");
	assert_string_equal(check(BASE "pools: [{name: a, addrs: 10.0.0.1-10.0.0.9/32}]\n"),
		"t.yaml:8:26: expected a prefix or a range (like 10.10.1.0/24 or "
		"10.10.1.10-10.10.1.200) for 'addrs', got '10.0.0.1-10.0.0.9/32'");
	assert_string_equal(check(BASE "pools: [{name: a, addrs: 10.0.0.0/33}]\n"),
		"t.yaml:8:26: expected a prefix length 0..32 for 'addrs', got '10.0.0.0/33'");
	assert_string_equal(check(BASE "pools: [{name: a, addrs: 10.0.0.0/8, dns: [10.0.0.1/32]}]\n"),
		"t.yaml:8:44: expected an address without a prefix length (like "
		"198.51.100.53) for 'dns', got '10.0.0.1/32'");
	assert_string_equal(check(BASE "pools: [{name: a, addrs: \"198.51.100.128/25\"}]\n"),
		"t.yaml:8:26: pool 'a' 198.51.100.128/25 overlaps the subnet "
		"198.51.100.0/24 of port 'client'");
	/* ranges touch, prefixes nest */
	assert_string_equal(check(BASE "pools:\n  - {name: a, addrs: 10.0.0.0/24}\n"
				  "  - {name: b, addrs: 10.0.1.0-10.0.1.255}\n"
				  "  - {name: c, addrs: 10.0.0.255-10.0.1.0}\n"),
		"t.yaml:11:22: pool 'c' 10.0.0.255-10.0.1.0 overlaps pool 'a' "
		"10.0.0.0/24 (first at 9:22)");
	assert_string_equal(check(BASE "pools:\n  - {name: a, addrs: 10.0.0.0/8}\n"
				  "  - {name: b, addrs: 10.99.0.0/16}\n"),
		"t.yaml:10:22: pool 'b' 10.99.0.0/16 overlaps pool 'a' 10.0.0.0/8 "
		"(first at 9:22)");

	/* peers */
	assert_string_equal(ike_check(PEER "    remote: somewhere\n"),
		"t.yaml:14:13: expected 'any', an address or a prefix (like "
		"203.0.113.2) for 'remote', got 'somewhere'");
	assert_string_equal(ike_check(PEER "    local: 198.51.100.0/24\n"),
		"t.yaml:14:12: expected an address without a prefix length (like "
		"203.0.113.1) for 'local', got '198.51.100.0/24'");
	assert_string_equal(ike_check(PEER "    auth: eap\n"),
		"t.yaml:14:11: expected an authentication (psk, pubkey) for 'auth', got 'eap'");
	assert_string_equal(ike_check(PEER "    remote_auth: psk\n"),
		"t.yaml:12:14: 'cacerts' is only allowed with 'remote_auth: pubkey'");
	assert_string_equal(ike_check(PEER "    auth: psk\n"),
		"t.yaml:10:11: 'cert' is only allowed with 'auth: pubkey'");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    auth: pubkey\n"
				      "    cert: pki/gw.pem\n    cacerts: [pki/ca.pem]\n"
				      "    children: [{name: c}]\n"),
		"t.yaml:9:5: missing required key 'key' in peers entry (needed by "
		"'auth: pubkey')");
	assert_string_equal(ike_check(PEER "    cacerts: []\n"),
		"t.yaml:14:5: duplicate key 'cacerts' in peers entry (first at 12:5)");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n"
				      "    key: pki/gw.key\n    cacerts: []\n"
				      "    children: [{name: c}]\n"),
		"t.yaml:12:14: expected a list of file names for 'cacerts', got nothing");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki\n"),
		"t.yaml:10:11: cert 'pki' is not a regular file");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n"
				      "    key: pki/gw.key\n"
				      "    cacerts: [pki/ca.pem, pki/ca.pem, pki/ca.pem, "
				      "pki/ca.pem, pki/ca.pem]\n"),
		"t.yaml:12:63: too many entries for 'cacerts' (at most 4)");
	assert_string_equal(ike_check(PEER "    pools: [a, b, c]\n"),
		"t.yaml:14:19: too many entries for 'pools' (at most 2)");
	assert_string_equal(ike_check(PEER "    pools: [\"a b\"]\n"),
		"t.yaml:14:13: expected a pool name for 'pools', got 'a b'");
	assert_string_equal(ike_check(PEER "    fragmentation: maybe\n"),
		"t.yaml:14:20: expected a boolean (true/false/yes/no) for "
		"'fragmentation', got 'maybe'");
	assert_string_equal(ike_check(PEER "    remote_port: 0\n"),
		"t.yaml:14:18: expected an integer 1..65535 for 'remote_port', got '0'");
	assert_string_equal(ike_check(PEER "    child_lifetime_bytes: -1\n"),
		"t.yaml:14:27: expected an integer 0..18446744073709551615 for "
		"'child_lifetime_bytes', got '-1'");
	assert_string_equal(ike_check(PEER "    children:\n"),
		"t.yaml:14:5: duplicate key 'children' in peers entry (first at 13:5)");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n"
				      "    key: pki/gw.key\n    cacerts: [pki/ca.pem]\n"
				      "    children: [{name: c, mode: beet}]\n"),
		"t.yaml:13:32: expected a mode (tunnel, transport) for 'mode', got 'beet'");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n"
				      "    key: pki/gw.key\n    cacerts: [pki/ca.pem]\n"
				      "    children: [{name: c, start_action: trap}]\n"),
		"t.yaml:13:40: expected a start action (none, start) for 'start_action', "
		"got 'trap'");
	assert_string_equal(ike_check(BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n"
				      "    key: pki/gw.key\n    cacerts: [pki/ca.pem]\n"
				      "    children: [{local_ts: [dynamic]}]\n"),
		"t.yaml:13:16: missing required key 'name' in children entry");
	assert_string_equal(ike_check(BASE "peers: [x]\n"),
		"t.yaml:8:9: expected a mapping for each entry of 'peers', got 'x'");
	/* an initiator's children start with it; 'start' may be said */
	assert_string_equal(ike_check(PEER "    initiate: true\n    remote: 203.0.113.2\n"
				      "  - name: q\n    initiate: true\n    remote: 203.0.113.3\n"
				      "    cert: pki/gw.pem\n    key: pki/gw.key\n"
				      "    cacerts: [pki/ca.pem]\n"
				      "    children: [{name: c, start_action: start}]\n"), "ok");
}

/* Structs built by code get the checks the parser would have made. */
static void test_validate_built_ike(void **state)
{
	struct sgw_conf_err err;
	struct sgw_conf *c = ike_ok(PEER "    pools: [p]\n"
				    "pools: [{name: p, addrs: 10.9.0.0/16}]\n");
	struct sgw_conf_peer *p = &c->peers[0];
	struct sgw_conf_pool pool = c->pools[0];
	struct sgw_conf_child *ch;

	(void)state;
	p->pool_idx[0] = 7;
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	assert_int_equal(p->pool_idx[0], 0);   /* resolved again */
	p->n_ike = 0;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:9:5: malformed peer 'p'");
	p->n_ike = 2;
	p->esp[0].n_dh = 9;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:9:5: malformed peer 'p'");
	p->esp[0].n_dh = 0;
	p->local_id.type = 4;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	p->local_id.type = SGW_ID_FQDN;
	p->local_id.wildcard = true;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	p->local_id = (struct sgw_conf_id){ 0 };
	p->key[0] = '\0';
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:9:5: peer 'p' authenticates "
			    "with a certificate but has no 'cert' and 'key'");
	strcpy(p->key, IKE_DIR "/pki/gw.key");
	p->n_cacerts = 0;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:9:5: peer 'p' expects a "
			    "certificate but has no 'cacerts'");
	p->n_cacerts = 1;
	p->auth = SGW_AUTH_PSK;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml: 'auth: psk' needs a secrets "
			    "file ('secrets' in 'ike')");
	p->auth = SGW_AUTH_PUBKEY;
	ch = p->children;
	p->n_children = 0;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:9:5: peer 'p' has no children "
			    "(at least one Child SA is required)");
	p->n_children = 1;
	ch->n_remote_ts = SGW_MAX_TS + 1;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:13:16: malformed child 'c' of "
			    "peer 'p'");
	ch->n_remote_ts = 1;
	memcpy(c->pools[0].first, c->pools[0].last, 16);
	c->pools[0].first[3] = 0xff;
	c->pools[0].last[3] = 0x00;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml:15:9: malformed pool 'p'");
	c->pools[0] = pool;
	c->n_peers = 3;
	c->peers = NULL;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml: n_peers is 3 but there is no "
			    "peer table");
	c->peers = p;
	c->n_peers = 1;
	c->ike.retransmit_base = 0.5;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml: expected a decimal 1.0..4.0 "
			    "for 'retransmit_base'");
	c->ike.retransmit_base = 1.0;
	c->limits.half_open = 20000;
	assert_int_equal(sgw_conf_validate(c, &err), -EINVAL);
	assert_string_equal(err.msg, IKE_DIR "/t.yaml: limits.half_open (20000) must "
			    "not be above limits.ike_sas (16384)");
	c->limits.half_open = 4096;
	assert_int_equal(sgw_conf_validate(c, &err), 0);
	sgw_conf_free(c);
}

/* A key others can read is refused, last, whatever else is right. */
static void test_ike_file_modes(void **state)
{
#define CERT_PEER BASE "peers:\n  - name: p\n    cert: pki/gw.pem\n" \
	"    key: pki/gw.key\n    cacerts: [pki/ca.pem]\n    children: [{name: c}]\n"
	static const char text[] = CERT_PEER;

	(void)state;
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0604), 0);
	assert_string_equal(ike_check(text), "t.yaml:11:10: key 'pki/gw.key' is "
			    "accessible to others (mode 0604): run chmod o-rwx on it");
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0601), 0);
	assert_string_equal(ike_check(text), "t.yaml:11:10: key 'pki/gw.key' is "
			    "accessible to others (mode 0601): run chmod o-rwx on it");
	/* the group may read it: a gateway's service group often does */
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0640), 0);
	assert_string_equal(ike_check(text), "ok");
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0600), 0);
	/* other mistakes come first */
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0644), 0);
	assert_string_equal(ike_check(CERT_PEER "    dpd: 1w\n"),
		"t.yaml:14:10: expected 0 (off) or a duration up to 1d (like 30s) for "
		"'dpd', got '1w'");
	assert_int_equal(chmod(IKE_DIR "/pki/gw.key", 0600), 0);
#undef CERT_PEER
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
		cmocka_unit_test(test_sas_policies),
		cmocka_unit_test(test_sa_defaults),
		cmocka_unit_test(test_sa_accepted_forms),
		cmocka_unit_test(test_sa_key_file),
		cmocka_unit_test(test_err_sa_values),
		cmocka_unit_test(test_err_sa_missing),
		cmocka_unit_test(test_err_sa_key),
		cmocka_unit_test(test_err_key_file_path),
		cmocka_unit_test(test_err_sa_direction),
		cmocka_unit_test(test_err_sa_semantics),
		cmocka_unit_test(test_err_sa_duplicates),
		cmocka_unit_test(test_err_sa_limit),
		cmocka_unit_test(test_err_policy_values),
		cmocka_unit_test(test_err_policy_keys),
		cmocka_unit_test(test_err_policy_semantics),
		cmocka_unit_test(test_err_policy_limit),
		cmocka_unit_test(test_validate_built_sas),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_validate_built),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_str_contains),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_example_roadwarrior),
		cmocka_unit_test(test_example_site_peers),
		cmocka_unit_test(test_ike_full),
		cmocka_unit_test(test_ike_defaults),
		cmocka_unit_test(test_ike_default_proposals),
		cmocka_unit_test(test_ike_proposals),
		cmocka_unit_test(test_err_ike_proposals),
		cmocka_unit_test(test_ike_durations),
		cmocka_unit_test(test_ike_retransmit_base),
		cmocka_unit_test(test_ike_ts),
		cmocka_unit_test(test_ike_pool_addrs),
		cmocka_unit_test(test_ike_identities),
		cmocka_unit_test(test_ike_secrets),
		cmocka_unit_test(test_ike_secrets_path),
		cmocka_unit_test(test_ike_secrets_dups),
		cmocka_unit_test(test_bad_ike_fixtures),
		cmocka_unit_test(test_err_ike_values),
		cmocka_unit_test(test_validate_built_ike),
		cmocka_unit_test(test_ike_file_modes),
	};

	/* fix_modes: the bad fixtures also need their secrets file private. */
	return cmocka_run_group_tests(tests, fix_modes, NULL);
}
