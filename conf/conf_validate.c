/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Semantics and cross references of a parsed struct sgw_conf.
 *
 * The parser guarantees shapes and ranges of single values; this file checks
 * what needs more than one value to judge (duplicates, routes against ports,
 * SAs against ports, policies against SAs, pools against ports and each
 * other, peers against pools, ports and secrets) and what a port address or
 * a file prefix means. It is also where file modes are judged: a secrets
 * file or a private key that others can read is refused. It also re-checks the
 * counts and ranges the parser enforces before indexing anything, because a
 * struct built by code (tests, a later reload path) never went through the
 * parser. Every message points at the node to fix; "(first at L:C)" points at
 * the other half of a duplicate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "conf.h"

#define PREFIX_STR 64   /* > the 50 sgw_prefix_str() needs */
#define LOC_STR    32

#define ERR(c, err, loc, ...) sgw_conf_error(err, (c)->file, loc, __VA_ARGS__)

static const struct sgw_conf_loc noloc;

/* " (first at 4:7)", or "" when the other node has no place. */
static const char *first_at(struct sgw_conf_loc loc, char *buf, size_t size)
{
	if (!loc.line)
		return "";
	snprintf(buf, size, " (first at %u:%u)", loc.line, loc.col);
	return buf;
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static bool prefix_ok(const struct sgw_prefix *p)
{
	return (p->family == AF_INET || p->family == AF_INET6) &&
	       p->len <= family_bits(p->family);
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* [A-Za-z0-9_-], and with dot also '.' (SA and policy names). */
static bool name_ok(const char *s, size_t size, bool dot)
{
	size_t i;

	if (!terminated(s, size) || !s[0])
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
		      (dot && s[i] == '.')))
			return false;
	return true;
}

/* Host bits cleared: the network a prefix names. */
static struct sgw_prefix network_of(const struct sgw_prefix *p)
{
	struct sgw_prefix n = *p;
	unsigned i;

	for (i = 0; i < sizeof(n.addr); i++) {
		unsigned bit = i * 8;

		if (bit >= p->len)
			n.addr[i] = 0;
		else if (bit + 8 > p->len)
			n.addr[i] &= (uint8_t)(0xffu << (8 - (p->len - bit)));
	}
	return n;
}

static bool same_addr(const struct sgw_prefix *a, const struct sgw_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

/* Ranges ------------------------------------------------------------------- */

/* The parser enforces these too; repeated here for structs built by code. */
static const struct range {
	const char *key;
	size_t off;
	unsigned min, max;
} ranges[] = {
	{ "memory_mb", offsetof(struct sgw_conf, eal.memory_mb), 64, 65536 },
	{ "control_cpu", offsetof(struct sgw_conf, eal.control_cpu), 0, 1023 },
	{ "count", offsetof(struct sgw_conf, workers.count), 1, SGW_MAX_WORKERS },
	{ "idle_sleep_us", offsetof(struct sgw_conf, workers.idle_sleep_us), 0, 100000 },
	{ "neighbours", offsetof(struct sgw_conf, limits.neighbours), 16, 1048576 },
	{ "routes", offsetof(struct sgw_conf, limits.routes), 16, 1048576 },
	{ "mbufs", offsetof(struct sgw_conf, limits.mbufs), 0, 1048576 },
	{ "sas", offsetof(struct sgw_conf, limits.sas), 64, 4194304 },
	{ "policies", offsetof(struct sgw_conf, limits.policies), 16, 65536 },
	{ "ike_sas", offsetof(struct sgw_conf, limits.ike_sas), 16, 1048576 },
	{ "half_open", offsetof(struct sgw_conf, limits.half_open), 16, 1048576 },
	{ "cookie_threshold", offsetof(struct sgw_conf, ike.cookie_threshold), 0, 1048576 },
	{ "half_open_per_source", offsetof(struct sgw_conf, ike.half_open_per_source),
	  1, 1048576 },
	{ "half_open_timeout", offsetof(struct sgw_conf, ike.half_open_timeout), 1, 3600 },
	{ "retransmit_timeout", offsetof(struct sgw_conf, ike.retransmit_timeout), 1, 60 },
	{ "retransmit_tries", offsetof(struct sgw_conf, ike.retransmit_tries), 1, 20 },
	{ "fragment_size", offsetof(struct sgw_conf, ike.fragment_size), 576, 9000 },
};
_Static_assert(sizeof(uint32_t) == sizeof(unsigned), "ranges[] reads unsigned");

static int check_ranges(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range *r = &ranges[i];
		unsigned v = *(const unsigned *)((const char *)c + r->off);

		if (v < r->min || v > r->max)
			return ERR(c, err, noloc, "expected an integer %u..%u for '%s', got %u",
				   r->min, r->max, r->key, v);
	}
	if (c->limits.mbufs != 0 && c->limits.mbufs < 1024)
		return ERR(c, err, noloc, "expected 0 or an integer 1024..1048576 for 'mbufs', got %u",
			   c->limits.mbufs);
	if (!(c->ike.retransmit_base >= 1.0 && c->ike.retransmit_base <= 4.0))
		return ERR(c, err, noloc, "expected a decimal 1.0..4.0 for 'retransmit_base'");
	if (c->logging.level < 0 || c->logging.level > 7)
		return ERR(c, err, noloc, "expected a log level 0..7 for 'level', got %d",
			   c->logging.level);
	if (c->role != SGW_ROLE_STANDALONE)
		return ERR(c, err, noloc, "role %d is not available in this version",
			   (int)c->role);
	if (c->logging.target != SGW_LOG_STDERR && c->logging.target != SGW_LOG_SYSLOG)
		return ERR(c, err, noloc, "unknown log target %d", (int)c->logging.target);
	return 0;
}

/* Top-level sections -------------------------------------------------------- */

/* The prefix names files under /var/run/dpdk and in hugetlbfs: a '/' or a
 * ".." in it would put them elsewhere. */
static int check_eal(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i;

	if (!name_ok(c->eal.file_prefix, sizeof(c->eal.file_prefix), false))
		return ERR(c, err, c->eal.file_prefix_loc,
			   "expected only [A-Za-z0-9_-] in 'file_prefix', got '%.*s'",
			   (int)sizeof(c->eal.file_prefix) - 1, c->eal.file_prefix);
	if (c->eal.n_args > SGW_MAX_EAL_ARGS)
		return ERR(c, err, noloc, "too many entries for 'args' (at most %u)",
			   SGW_MAX_EAL_ARGS);
	for (i = 0; i < c->eal.n_args; i++)
		if (!terminated(c->eal.args[i], sizeof(c->eal.args[i])))
			return ERR(c, err, noloc, "'args' entry %u is not terminated", i);
	return 0;
}

static int check_workers(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i, n = c->workers.n_cpus;

	if (n > SGW_MAX_WORKERS)
		return ERR(c, err, c->workers.cpus_loc,
			   "too many entries for 'cpus' (at most %u)", SGW_MAX_WORKERS);
	if (n && n != c->workers.count)
		return ERR(c, err, c->workers.cpus_loc,
			   "'cpus' lists %u CPUs but 'count' is %u (one CPU per worker)",
			   n, c->workers.count);
	/* A CPU may carry several workers (each is its own lcore thread): that
	 * is how several gateways and their peers share two cores in tests. */
	for (i = 0; i < n; i++) {
		if (c->workers.cpus[i] > 1023)
			return ERR(c, err, c->workers.cpus_loc,
				   "expected an integer 0..1023 for 'cpus', got %u",
				   c->workers.cpus[i]);
	}
	if (c->workers.idle_sleep_us > 100000)
		return ERR(c, err, c->workers.idle_sleep_loc,
			   "expected an integer 0..100000 for 'idle_sleep_us', got %u",
			   c->workers.idle_sleep_us);
	return 0;
}

/* Setuid, setgid and sticky bits mean nothing on a socket; asking for them
 * is a typo (01660 for 0660), not a wish. */
static int check_cli(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	if (!terminated(c->cli.socket, sizeof(c->cli.socket)) || !c->cli.socket[0])
		return ERR(c, err, c->cli.socket_loc,
			   "expected a socket path of 1..%zu characters for 'socket'",
			   sizeof(c->cli.socket) - 1);
	if (!terminated(c->cli.group, sizeof(c->cli.group)))
		return ERR(c, err, noloc, "'group' is not terminated");
	if (c->cli.mode > 0777)
		return ERR(c, err, c->cli.mode_loc,
			   "expected a mode 0000..0777 for 'mode', got 0%o", c->cli.mode);
	return 0;
}

/* Ports -------------------------------------------------------------------- */

/* What names the device to DPDK: a vdev is known by the name before its
 * first ',' (two net_af_packet0 clash whatever their args), a PCI function by
 * its address with the domain filled in (03:00.0 is 0000:03:00.0). */
static void device_key(const struct sgw_conf_port *p, char *buf, size_t size)
{
	size_t n = strcspn(p->device, ",");
	size_t i;

	if (p->is_pci && n == 7)
		snprintf(buf, size, "0000:%.7s", p->device);
	else
		snprintf(buf, size, "%.*s", (int)n, p->device);
	for (i = 0; p->is_pci && buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'F')
			buf[i] = (char)(buf[i] - 'A' + 'a');
}

static bool in_range(const uint8_t *a, uint32_t lo, uint32_t mask)
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
		     (uint32_t)a[2] << 8 | a[3];

	return (v & mask) == lo;
}

/* Why an IPv4 address cannot be a port's own, or NULL. */
static const char *bad_host4(const struct sgw_prefix *p)
{
	struct sgw_prefix net = network_of(p), bcast = *p;
	unsigned i;

	if (in_range(p->addr, 0, 0xff000000))
		return "is in 0.0.0.0/8 (this network)";
	if (in_range(p->addr, 0x7f000000, 0xff000000))
		return "is a loopback address";
	if (in_range(p->addr, 0xe0000000, 0xf0000000))
		return "is a multicast address";
	if (in_range(p->addr, 0xf0000000, 0xf0000000))
		return "is in 240.0.0.0/4 (reserved)";
	if (p->len >= 31) /* RFC 3021: a /31 has no network or broadcast address */
		return NULL;
	for (i = p->len; i < 32; i++)
		bcast.addr[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	if (same_addr(p, &net))
		return "is the network address of its subnet";
	if (same_addr(p, &bcast))
		return "is the broadcast address of its subnet";
	return NULL;
}

static const char *bad_host6(const struct sgw_prefix *p)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct sgw_prefix net = network_of(p);

	if (memcmp(p->addr, (uint8_t[16]){ 0 }, 16) == 0)
		return "is the unspecified address";
	if (memcmp(p->addr, loopback, 16) == 0)
		return "is the loopback address";
	if (p->addr[0] == 0xff)
		return "is a multicast address";
	if (memcmp(p->addr, mapped, sizeof(mapped)) == 0)
		return "is an IPv4-mapped address";
	/* RFC 4291 2.6.1: host bits zero is the subnet-router anycast address. */
	if (p->len < 127 && same_addr(p, &net))
		return "is the subnet-router anycast address of its subnet";
	return NULL;
}

static int check_addr(const struct sgw_conf *c, const struct sgw_conf_port *port,
		      unsigned i, struct sgw_conf_err *err)
{
	const struct sgw_prefix *a = &port->addrs[i];
	char s[PREFIX_STR];
	const char *why;

	if (!prefix_ok(a))
		return ERR(c, err, port->addr_loc[i], "bad prefix in 'addresses'");
	sgw_prefix_str(a, true, s, sizeof(s));
	if (a->len == 0)
		return ERR(c, err, port->addr_loc[i],
			   "port address %s needs a prefix length of at least 1", s);
	why = a->family == AF_INET ? bad_host4(a) : bad_host6(a);
	if (why)
		return ERR(c, err, port->addr_loc[i], "port address %s %s", s, why);
	return 0;
}

static int check_port(const struct sgw_conf *c, const struct sgw_conf_port *port,
		      struct sgw_conf_err *err)
{
	unsigned i;
	int ret;

	if (!name_ok(port->name, sizeof(port->name), false))
		return ERR(c, err, port->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_-] for 'name'");
	if (!terminated(port->device, sizeof(port->device)) || !port->device[0])
		return ERR(c, err, port->device_loc, "expected a device for 'device'");
	if (port->mtu < 576 || port->mtu > 9000)
		return ERR(c, err, port->loc, "expected an integer 576..9000 for 'mtu', got %u",
			   port->mtu);
	if (port->rx_desc < 64 || port->rx_desc > 4096 ||
	    port->tx_desc < 64 || port->tx_desc > 4096)
		return ERR(c, err, port->loc,
			   "expected integers 64..4096 for 'rx_desc' and 'tx_desc'");
	if (port->n_addrs > SGW_MAX_PORT_ADDRS)
		return ERR(c, err, port->loc, "too many entries for 'addresses' (at most %u)",
			   SGW_MAX_PORT_ADDRS);
	for (i = 0; i < port->n_addrs; i++) {
		ret = check_addr(c, port, i, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Port i against ports 0..i (itself included, for its own addresses). */
static int check_port_unique(const struct sgw_conf *c, unsigned i,
			     struct sgw_conf_err *err)
{
	const struct sgw_conf_port *p = &c->ports[i];
	char k1[SGW_DEVICE_MAX], k2[SGW_DEVICE_MAX], at[LOC_STR], s[PREFIX_STR];
	unsigned j, a, b;

	device_key(p, k1, sizeof(k1));
	for (j = 0; j < i; j++) {
		const struct sgw_conf_port *q = &c->ports[j];

		if (strcmp(p->name, q->name) == 0)
			return ERR(c, err, p->name_loc, "duplicate port name '%s'%s",
				   p->name, first_at(q->name_loc, at, sizeof(at)));
		device_key(q, k2, sizeof(k2));
		if (strcmp(k1, k2) == 0)
			return ERR(c, err, p->device_loc,
				   "device '%s' is already used by port '%s'%s",
				   k1, q->name, first_at(q->device_loc, at, sizeof(at)));
	}
	for (a = 0; a < p->n_addrs; a++)
		for (j = 0; j <= i; j++)
			for (b = 0; b < (j == i ? a : c->ports[j].n_addrs); b++)
				if (same_addr(&p->addrs[a], &c->ports[j].addrs[b]))
					return ERR(c, err, p->addr_loc[a],
						   "address %s is already on port '%s'%s",
						   sgw_prefix_str(&p->addrs[a], false, s, sizeof(s)),
						   c->ports[j].name,
						   first_at(c->ports[j].addr_loc[b], at, sizeof(at)));
	return 0;
}

static int check_ports(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i;
	int ret;

	if (c->n_ports == 0)
		return ERR(c, err, noloc, "no ports configured (at least one is required)");
	if (c->n_ports > SGW_MAX_PORTS)
		return ERR(c, err, noloc,
			   "too many entries for 'ports' (at most %u)", SGW_MAX_PORTS);
	for (i = 0; i < c->n_ports; i++) {
		ret = check_port(c, &c->ports[i], err);
		if (ret == 0)
			ret = check_port_unique(c, i, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Routes ------------------------------------------------------------------- */

static bool on_link(const struct sgw_conf_port *port, const struct sgw_prefix *a)
{
	unsigned i;

	for (i = 0; i < port->n_addrs; i++)
		if (sgw_prefix_contains(&port->addrs[i], a->addr, a->family))
			return true;
	return false;
}

static bool has_family(const struct sgw_conf_port *port, int family)
{
	unsigned i;

	for (i = 0; i < port->n_addrs; i++)
		if (port->addrs[i].family == family)
			return true;
	return false;
}

static int find_port(const struct sgw_conf *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A gateway without a port is reached through the one port whose subnet
 * holds it; none or several is a question only the operator can answer. */
static int infer_port(const struct sgw_conf *c, struct sgw_conf_route *r,
		      struct sgw_conf_err *err)
{
	char v[PREFIX_STR];
	unsigned i, n = 0, first = 0;

	sgw_prefix_str(&r->via, false, v, sizeof(v));
	for (i = 0; i < c->n_ports; i++) {
		if (!on_link(&c->ports[i], &r->via))
			continue;
		if (n++ == 0)
			first = i;
		else
			return ERR(c, err, r->via_loc,
				   "gateway %s is in the subnets of ports '%s' and '%s'; "
				   "set 'port' to choose", v, c->ports[first].name,
				   c->ports[i].name);
	}
	if (n == 0)
		return ERR(c, err, r->via_loc,
			   "gateway %s is not in the connected subnet of any port", v);
	r->port_idx = first;
	return 0;
}

/* The next hop must be a neighbour on the chosen port: without an address
 * in its subnet we could not ARP/ND for it. */
static int check_gateway(const struct sgw_conf *c, struct sgw_conf_route *r,
			 struct sgw_conf_err *err)
{
	const struct sgw_conf_port *port;
	char v[PREFIX_STR], t[PREFIX_STR];
	unsigned i, a;
	int ret;

	sgw_prefix_str(&r->via, false, v, sizeof(v));
	sgw_prefix_str(&r->to, true, t, sizeof(t));
	if (r->via.family != r->to.family)
		return ERR(c, err, r->via_loc, "gateway %s is %s but destination %s is %s",
			   v, family_name(r->via.family), t, family_name(r->to.family));
	if (!r->port[0]) {
		ret = infer_port(c, r, err);
		if (ret < 0)
			return ret;
	} else if (!on_link(&c->ports[r->port_idx], &r->via)) {
		return ERR(c, err, r->via_loc,
			   "gateway %s is not in a connected subnet of port '%s'",
			   v, r->port);
	}
	for (i = 0; i < c->n_ports; i++)
		for (a = 0, port = &c->ports[i]; a < port->n_addrs; a++)
			if (same_addr(&port->addrs[a], &r->via))
				return ERR(c, err, r->via_loc,
					   "gateway %s is this gateway's own address on port '%s'",
					   v, port->name);
	return 0;
}

/* A static route equal to a connected subnet would fight the route the
 * dataplane installs for that subnet. */
static int check_connected(const struct sgw_conf *c, const struct sgw_conf_route *r,
			   struct sgw_conf_err *err)
{
	char t[PREFIX_STR];
	unsigned i, a;

	for (i = 0; i < c->n_ports; i++)
		for (a = 0; a < c->ports[i].n_addrs; a++) {
			struct sgw_prefix net = network_of(&c->ports[i].addrs[a]);

			if (net.family == r->to.family && net.len == r->to.len &&
			    same_addr(&net, &r->to))
				return ERR(c, err, r->to_loc,
					   "route to %s duplicates the connected subnet of port '%s'",
					   sgw_prefix_str(&r->to, true, t, sizeof(t)),
					   c->ports[i].name);
		}
	return 0;
}

static int check_route(const struct sgw_conf *c, struct sgw_conf_route *r,
		       struct sgw_conf_err *err)
{
	struct sgw_prefix net;
	char t[PREFIX_STR], n[PREFIX_STR];
	int idx;

	if (!prefix_ok(&r->to) || (r->has_via && !prefix_ok(&r->via)) ||
	    !terminated(r->port, sizeof(r->port)))
		return ERR(c, err, r->loc, "malformed route");
	net = network_of(&r->to);
	sgw_prefix_str(&r->to, true, t, sizeof(t));
	if (!same_addr(&net, &r->to))
		return ERR(c, err, r->to_loc,
			   "route destination %s has host bits set (did you mean %s?)",
			   t, sgw_prefix_str(&net, true, n, sizeof(n)));
	if (r->port[0]) {
		idx = find_port(c, r->port);
		if (idx < 0)
			return ERR(c, err, r->port_loc, "no port named '%s'", r->port);
		r->port_idx = (unsigned)idx;
	}
	if (r->has_mac && !r->has_via)
		return ERR(c, err, r->mac_loc,
			   "'mac' (a static neighbour) needs 'via', the address it is for");
	if (r->has_via)
		return check_gateway(c, r, err);
	if (!r->port[0])
		return ERR(c, err, r->loc,
			   "route to %s needs 'via' or, for an on-link route, 'port'", t);
	/* On-link: neighbours are resolved from the port's own address. */
	if (!has_family(&c->ports[r->port_idx], r->to.family))
		return ERR(c, err, r->port_loc,
			   "port '%s' has no %s address for the on-link route to %s",
			   r->port, family_name(r->to.family), t);
	return 0;
}

static int route_cmp(const void *a, const void *b)
{
	const struct sgw_conf_route *x = *(const struct sgw_conf_route *const *)a;
	const struct sgw_conf_route *y = *(const struct sgw_conf_route *const *)b;
	int d;

	if (x->to.family != y->to.family)
		return x->to.family < y->to.family ? -1 : 1;
	if (x->to.len != y->to.len)
		return x->to.len < y->to.len ? -1 : 1;
	d = memcmp(x->to.addr, y->to.addr, sizeof(x->to.addr));
	if (d)
		return d;
	return x < y ? -1 : x > y; /* file order among equals */
}

static bool same_dest(const struct sgw_conf_route *x, const struct sgw_conf_route *y)
{
	return x->to.family == y->to.family && x->to.len == y->to.len &&
	       memcmp(x->to.addr, y->to.addr, sizeof(x->to.addr)) == 0;
}

/* Sorting keeps this O(n log n): route tables can be long. The duplicate
 * reported is the first one in file order, as a reader would find it. */
static int check_route_dups(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	const struct sgw_conf_route **v, *group, *dup = NULL, *orig = NULL;
	char t[PREFIX_STR], at[LOC_STR];
	unsigned i;

	if (c->n_routes < 2)
		return 0;
	v = malloc(c->n_routes * sizeof(*v));
	if (!v) {
		ERR(c, err, noloc, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < c->n_routes; i++)
		v[i] = &c->routes[i];
	qsort(v, c->n_routes, sizeof(*v), route_cmp);
	/* Equal destinations sort together, in file order: the second of a
	 * group is its earliest duplicate, the group's first its original. */
	for (i = 1, group = v[0]; i < c->n_routes; i++) {
		if (!same_dest(group, v[i]))
			group = v[i];
		else if (v[i - 1] == group && (!dup || v[i] < dup)) {
			dup = v[i];
			orig = group;
		}
	}
	free(v);
	if (!dup)
		return 0;
	return ERR(c, err, dup->to_loc, "duplicate route to %s%s",
		   sgw_prefix_str(&dup->to, true, t, sizeof(t)),
		   first_at(orig->to_loc, at, sizeof(at)));
}

/* The dataplane sizes each family's table from limits.routes. */
static int check_route_count(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i, n4 = 0, n6 = 0;

	for (i = 0; i < c->n_routes; i++) {
		unsigned *n = c->routes[i].to.family == AF_INET ? &n4 : &n6;

		if (++*n > c->limits.routes)
			return ERR(c, err, c->routes[i].loc,
				   "too many %s routes (limits.routes is %u)",
				   family_name(c->routes[i].to.family), c->limits.routes);
	}
	return 0;
}

static int check_routes(struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i;
	int ret;

	if (c->n_routes && !c->routes)
		return ERR(c, err, noloc, "n_routes is %u but there is no route table",
			   c->n_routes);
	for (i = 0; i < c->n_routes; i++) {
		ret = check_route(c, &c->routes[i], err);
		if (ret == 0)
			ret = check_connected(c, &c->routes[i], err);
		if (ret < 0)
			return ret;
	}
	ret = check_route_dups(c, err);
	if (ret == 0)
		ret = check_route_count(c, err);
	return ret;
}

/* SAs and policies ---------------------------------------------------------- */

/* An SA or policy name, an SPI: sorted with the file order as the last key,
 * so that duplicates are found in O(n log n) (there may be millions of SAs)
 * and reported as a reader would find them. */
struct key {
	const char *name;    /* NULL: the SPI is the key */
	uint32_t spi;
	unsigned idx;        /* in the file's list */
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->name)
		return strcmp(x->name, y->name);
	return x->spi < y->spi ? -1 : x->spi > y->spi;
}

static int key_order(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int d = key_cmp(a, b);

	if (d)
		return d;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static struct key *keys_new(const struct sgw_conf *c, unsigned n,
			    struct sgw_conf_err *err)
{
	struct key *k = malloc((n ? n : 1) * sizeof(*k));

	if (!k)
		ERR(c, err, noloc, "out of memory");
	return k;
}

/* Sorts k and finds the duplicate that comes first in the file, and the
 * entry it repeats, as check_route_dups() does. */
static bool first_dup(struct key *k, unsigned n, unsigned *dup, unsigned *orig)
{
	unsigned i, group = 0;
	bool found = false;

	qsort(k, n, sizeof(*k), key_order);
	for (i = 1; i < n; i++) {
		if (key_cmp(&k[group], &k[i]) != 0)
			group = i;
		else if (i == group + 1 && (!found || k[i].idx < *dup)) {
			*dup = k[i].idx;
			*orig = k[group].idx;
			found = true;
		}
	}
	return found;
}

static bool host_ok(const struct sgw_prefix *p)
{
	return prefix_ok(p) && p->len == family_bits(p->family);
}

static bool on_a_port(const struct sgw_conf *c, const struct sgw_prefix *a)
{
	unsigned i, j;

	for (i = 0; i < c->n_ports; i++)
		for (j = 0; j < c->ports[i].n_addrs; j++)
			if (same_addr(&c->ports[i].addrs[j], a))
				return true;
	return false;
}

static int check_lifetime(const struct sgw_conf *c, const struct sgw_conf_sa *sa,
			  struct sgw_conf_err *err)
{
	if (sa->soft_bytes && sa->hard_bytes && sa->soft_bytes >= sa->hard_bytes)
		return ERR(c, err, sa->lifetime_loc,
			   "lifetime 'soft_bytes' (%llu) must be less than 'hard_bytes' (%llu)",
			   (unsigned long long)sa->soft_bytes,
			   (unsigned long long)sa->hard_bytes);
	if (sa->soft_packets && sa->hard_packets && sa->soft_packets >= sa->hard_packets)
		return ERR(c, err, sa->lifetime_loc,
			   "lifetime 'soft_packets' (%llu) must be less than 'hard_packets' (%llu)",
			   (unsigned long long)sa->soft_packets,
			   (unsigned long long)sa->hard_packets);
	return 0;
}

/* What the parser already ensures is checked again, without a place, for
 * SAs built by code; what needs two keys is judged here for all. */
static int check_sa(const struct sgw_conf *c, const struct sgw_conf_sa *sa,
		    struct sgw_conf_err *err)
{
	char l[PREFIX_STR], r[PREFIX_STR];

	if (!name_ok(sa->name, sizeof(sa->name), true))
		return ERR(c, err, sa->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	if (sa->spi < 256 || (sa->key_len != 16 && sa->key_len != 32) ||
	    !host_ok(&sa->local) || !host_ok(&sa->remote) ||
	    (sa->udp_encap && (!sa->local_port || !sa->remote_port)))
		return ERR(c, err, sa->loc, "malformed SA '%s'", sa->name);
	if (sa->inbound && sa->replay_window &&
	    (sa->replay_window < 64 || sa->replay_window > 4096 ||
	     (sa->replay_window & (sa->replay_window - 1))))
		return ERR(c, err, sa->window_loc,
			   "expected 0 (no anti-replay) or a power of two 64..4096 for 'replay_window', got %u",
			   sa->replay_window);
	if (!sa->inbound && sa->seq == 0)
		return ERR(c, err, sa->seq_loc,
			   "expected an integer 1..18446744073709551615 for 'seq', got 0");
	/* RFC 4303 2.2: without ESN the sequence number has 32 bits. */
	if (!sa->inbound && !sa->esn && sa->seq > UINT32_MAX)
		return ERR(c, err, sa->seq_loc,
			   "'seq' %llu needs 'esn: true' (at most 4294967295 without it)",
			   (unsigned long long)sa->seq);
	sgw_prefix_str(&sa->local, false, l, sizeof(l));
	sgw_prefix_str(&sa->remote, false, r, sizeof(r));
	if (sa->remote.family != sa->local.family)
		return ERR(c, err, sa->remote_loc,
			   "remote address %s is %s but local address %s is %s",
			   r, family_name(sa->remote.family), l,
			   family_name(sa->local.family));
	if (c->n_ports && !on_a_port(c, &sa->local))
		return ERR(c, err, sa->local_loc,
			   "local address %s is not configured on any port", l);
	return check_lifetime(c, sa, err);
}

/* For the CLI: c has no ports, so the address check is the caller's. */
int sgw_conf_check_sa_alone(const struct sgw_conf *c, const struct sgw_conf_sa *sa,
			    struct sgw_conf_err *err)
{
	return check_sa(c, sa, err);
}

static int check_sa_dups(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	char at[LOC_STR];
	struct key *k = keys_new(c, c->n_sas, err);
	unsigned i, n = 0, dup = 0, orig = 0;
	int ret = 0;

	if (!k)
		return -ENOMEM;
	for (i = 0; i < c->n_sas; i++)
		k[i] = (struct key){ c->sas[i].name, 0, i };
	if (first_dup(k, c->n_sas, &dup, &orig))
		ret = ERR(c, err, c->sas[dup].name_loc, "duplicate SA name '%s'%s",
			  c->sas[dup].name,
			  first_at(c->sas[orig].name_loc, at, sizeof(at)));
	/* An inbound SPI picks the SA of an arriving packet; outbound SPIs
	 * are the peers' choice, and two peers may well choose alike. */
	for (i = 0; ret == 0 && i < c->n_sas; i++)
		if (c->sas[i].inbound)
			k[n++] = (struct key){ NULL, c->sas[i].spi, i };
	if (ret == 0 && first_dup(k, n, &dup, &orig))
		ret = ERR(c, err, c->sas[dup].spi_loc,
			  "inbound SPI 0x%08x is already used by SA '%s'%s",
			  c->sas[dup].spi, c->sas[orig].name,
			  first_at(c->sas[orig].spi_loc, at, sizeof(at)));
	free(k);
	return ret;
}

static int check_sas(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i;
	int ret;

	if (c->n_sas && !c->sas)
		return ERR(c, err, noloc, "n_sas is %u but there is no SA table", c->n_sas);
	for (i = 0; i < c->n_sas; i++) {
		ret = check_sa(c, &c->sas[i], err);
		if (ret < 0)
			return ret;
	}
	ret = check_sa_dups(c, err);
	if (ret == 0 && c->n_sas > c->limits.sas)
		ret = ERR(c, err, c->sas[c->limits.sas].loc,
			  "too many SAs (limits.sas is %u)", c->limits.sas);
	return ret;
}

/* Same rule as a route's destination: a prefix is its network. */
static int check_sel_prefix(const struct sgw_conf *c, const char *key,
			    const struct sgw_prefix *p, struct sgw_conf_loc loc,
			    struct sgw_conf_err *err)
{
	struct sgw_prefix net = network_of(p);
	char s[PREFIX_STR], n[PREFIX_STR];

	if (same_addr(&net, p))
		return 0;
	return ERR(c, err, loc, "'%s' %s has host bits set (did you mean %s?)", key,
		   sgw_prefix_str(p, true, s, sizeof(s)),
		   sgw_prefix_str(&net, true, n, sizeof(n)));
}

static int check_sel(const struct sgw_conf *c, const struct sgw_conf_policy *pol,
		     struct sgw_conf_err *err)
{
	const struct sgw_conf_sel *sel = &pol->sel;
	char s[PREFIX_STR], d[PREFIX_STR];
	int family = sel->has_src ? sel->src.family : sel->has_dst ? sel->dst.family : 0;
	int ret = 0;

	if ((sel->has_src && !prefix_ok(&sel->src)) ||
	    (sel->has_dst && !prefix_ok(&sel->dst)) ||
	    sel->proto < -1 || sel->proto > 255 ||
	    sel->sport_lo > sel->sport_hi || sel->dport_lo > sel->dport_hi)
		return ERR(c, err, pol->sel_loc, "malformed selector in policy '%s'",
			   pol->name);
	if (sel->has_src && sel->has_dst && sel->src.family != sel->dst.family)
		return ERR(c, err, pol->dst_loc, "'dst' %s is %s but 'src' %s is %s",
			   sgw_prefix_str(&sel->dst, true, d, sizeof(d)),
			   family_name(sel->dst.family),
			   sgw_prefix_str(&sel->src, true, s, sizeof(s)),
			   family_name(sel->src.family));
	if (sel->family != family)
		return ERR(c, err, pol->sel_loc, "malformed selector in policy '%s'",
			   pol->name);
	if (sel->has_src)
		ret = check_sel_prefix(c, "src", &sel->src, pol->src_loc, err);
	if (ret == 0 && sel->has_dst)
		ret = check_sel_prefix(c, "dst", &sel->dst, pol->dst_loc, err);
	return ret;
}

static const char *direction_name(bool inbound)
{
	return inbound ? "inbound" : "outbound";
}

/* names: the SAs' names, sorted (their duplicates already refused). */
static int resolve_sa(const struct sgw_conf *c, struct sgw_conf_policy *pol,
		      const struct key *names, struct sgw_conf_err *err)
{
	const struct key want = { pol->sa, 0, 0 }, *k;
	const struct sgw_conf_sa *sa;

	k = bsearch(&want, names, c->n_sas, sizeof(*names), key_cmp);
	if (!k)
		return ERR(c, err, pol->sa_loc, "no SA named '%s'", pol->sa);
	sa = &c->sas[k->idx];
	if (sa->inbound != pol->inbound)
		return ERR(c, err, pol->sa_loc, "SA '%s' is %s but the policy is %s",
			   sa->name, direction_name(sa->inbound),
			   direction_name(pol->inbound));
	/* Transport mode keeps the packet's own header: the SA's addresses
	 * are the packet's, so their family must be the selector's. */
	if (sa->transport && pol->sel.family && pol->sel.family != sa->local.family)
		return ERR(c, err, pol->sa_loc,
			   "transport-mode SA '%s' is %s but the policy selects %s traffic",
			   sa->name, family_name(sa->local.family),
			   family_name(pol->sel.family));
	pol->sa_idx = k->idx;
	return 0;
}

static int check_policy(const struct sgw_conf *c, struct sgw_conf_policy *pol,
			const struct key *names, struct sgw_conf_err *err)
{
	int ret;

	if (!name_ok(pol->name, sizeof(pol->name), true))
		return ERR(c, err, pol->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	if (pol->action != SGW_POLICY_PROTECT && pol->action != SGW_POLICY_BYPASS &&
	    pol->action != SGW_POLICY_DISCARD)
		return ERR(c, err, pol->action_loc, "unknown action %d in policy '%s'",
			   (int)pol->action, pol->name);
	ret = check_sel(c, pol, err);
	if (ret < 0 || pol->action != SGW_POLICY_PROTECT)
		return ret;
	if (!name_ok(pol->sa, sizeof(pol->sa), true))
		return ERR(c, err, pol->loc, "policy '%s' protects but names no SA",
			   pol->name);
	return resolve_sa(c, pol, names, err);
}

/* For the CLI: the named SA is looked up in the running table by the caller. */
int sgw_conf_check_policy_alone(const struct sgw_conf *c,
				const struct sgw_conf_policy *pol,
				struct sgw_conf_err *err)
{
	if (!name_ok(pol->name, sizeof(pol->name), true))
		return ERR(c, err, pol->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	return check_sel(c, pol, err);
}

static int check_policy_dups(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	char at[LOC_STR];
	struct key *k = keys_new(c, c->n_policies, err);
	unsigned i, dup = 0, orig = 0;
	int ret = 0;

	if (!k)
		return -ENOMEM;
	for (i = 0; i < c->n_policies; i++)
		k[i] = (struct key){ c->policies[i].name, 0, i };
	if (first_dup(k, c->n_policies, &dup, &orig))
		ret = ERR(c, err, c->policies[dup].name_loc,
			  "duplicate policy name '%s'%s", c->policies[dup].name,
			  first_at(c->policies[orig].name_loc, at, sizeof(at)));
	free(k);
	return ret;
}

/* The dataplane sizes each direction's SPD from limits.policies. */
static int check_policy_count(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i, n[2] = { 0, 0 };

	for (i = 0; i < c->n_policies; i++)
		if (++n[c->policies[i].inbound] > c->limits.policies)
			return ERR(c, err, c->policies[i].loc,
				   "too many %s policies (limits.policies is %u)",
				   direction_name(c->policies[i].inbound),
				   c->limits.policies);
	return 0;
}

/* Runs after check_sas(): SA names are unique. */
static int check_policies(struct sgw_conf *c, struct sgw_conf_err *err)
{
	struct key *names;
	unsigned i;
	int ret = 0;

	if (c->n_policies && !c->policies)
		return ERR(c, err, noloc, "n_policies is %u but there is no policy table",
			   c->n_policies);
	names = keys_new(c, c->n_sas, err);
	if (!names)
		return -ENOMEM;
	for (i = 0; i < c->n_sas; i++)
		names[i] = (struct key){ c->sas[i].name, 0, i };
	qsort(names, c->n_sas, sizeof(*names), key_order);
	for (i = 0; ret == 0 && i < c->n_policies; i++)
		ret = check_policy(c, &c->policies[i], names, err);
	free(names);
	if (ret == 0)
		ret = check_policy_dups(c, err);
	if (ret == 0)
		ret = check_policy_count(c, err);
	return ret;
}

/* IKE ---------------------------------------------------------------------- */

/* Half-open SAs are IKE SAs, and cookies must be asked for before the
 * half-open limit starts dropping: otherwise a flood from spoofed sources
 * fills the table without ever being made to prove its address. */
static int check_ike(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	if (c->limits.half_open > c->limits.ike_sas)
		return ERR(c, err, c->limits.half_open_loc,
			   "limits.half_open (%u) must not be above limits.ike_sas (%u)",
			   c->limits.half_open, c->limits.ike_sas);
	if (c->ike.cookie_threshold > c->limits.half_open)
		return ERR(c, err, c->ike.cookie_loc,
			   "'cookie_threshold' (%u) must not be above limits.half_open "
			   "(%u): half-open SAs would be dropped before cookies are asked for",
			   c->ike.cookie_threshold, c->limits.half_open);
	if (c->ike.half_open_per_source > c->limits.half_open)
		return ERR(c, err, c->ike.per_source_loc,
			   "'half_open_per_source' (%u) must not be above "
			   "limits.half_open (%u)",
			   c->ike.half_open_per_source, c->limits.half_open);
	if (!terminated(c->ike.secrets, sizeof(c->ike.secrets)))
		return ERR(c, err, c->ike.secrets_loc, "'secrets' is not terminated");
	return 0;
}

/* The whole range a pool covers, network and broadcast included: what
 * must not overlap another pool or a port's subnet. */
static void pool_span(const struct sgw_conf_pool *pool, uint8_t *lo, uint8_t *hi)
{
	struct sgw_prefix net;
	unsigned i;

	if (pool->is_range) {
		memcpy(lo, pool->first, 16);
		memcpy(hi, pool->last, 16);
		return;
	}
	net = network_of(&pool->prefix);
	memcpy(lo, net.addr, 16);
	memcpy(hi, net.addr, 16);
	for (i = net.len; i < family_bits(net.family); i++)
		hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

static void prefix_span(const struct sgw_prefix *p, uint8_t *lo, uint8_t *hi)
{
	struct sgw_conf_pool tmp = { .prefix = *p };

	pool_span(&tmp, lo, hi);
}

static bool spans_overlap(const uint8_t *alo, const uint8_t *ahi,
			  const uint8_t *blo, const uint8_t *bhi)
{
	return memcmp(alo, bhi, 16) <= 0 && memcmp(blo, ahi, 16) <= 0;
}

/* "10.10.1.0/24" or "10.10.1.10-10.10.1.200", as the file wrote it. */
static const char *pool_str(const struct sgw_conf_pool *pool, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!pool->is_range)
		return sgw_prefix_str(&pool->prefix, true, buf, size);
	inet_ntop(pool->family, pool->first, a, sizeof(a));
	inet_ntop(pool->family, pool->last, b, sizeof(b));
	snprintf(buf, size, "%s-%s", a, b);
	return buf;
}

static int check_pool(const struct sgw_conf *c, const struct sgw_conf_pool *pool,
		      struct sgw_conf_err *err)
{
	uint8_t lo[16], hi[16], plo[16], phi[16];
	char s[2 * PREFIX_STR], n[PREFIX_STR];
	unsigned i, a;

	if (!name_ok(pool->name, sizeof(pool->name), true))
		return ERR(c, err, pool->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	if ((pool->family != AF_INET && pool->family != AF_INET6) ||
	    pool->prefix.family != pool->family || !prefix_ok(&pool->prefix) ||
	    memcmp(pool->first, pool->last, 16) > 0 || pool->n_dns > SGW_MAX_DNS)
		return ERR(c, err, pool->loc, "malformed pool '%s'", pool->name);
	for (i = 0; i < pool->n_dns; i++)
		if (!host_ok(&pool->dns[i]))
			return ERR(c, err, pool->dns_loc[i], "malformed pool '%s'", pool->name);
	pool_span(pool, lo, hi);
	for (i = 0; i < c->n_ports; i++)
		for (a = 0; a < c->ports[i].n_addrs; a++) {
			const struct sgw_prefix *pa = &c->ports[i].addrs[a];
			struct sgw_prefix net = network_of(pa);

			if (pa->family != pool->family)
				continue;
			prefix_span(pa, plo, phi);
			if (spans_overlap(lo, hi, plo, phi))
				return ERR(c, err, pool->addrs_loc,
					   "pool '%s' %s overlaps the subnet %s of port '%s'",
					   pool->name, pool_str(pool, s, sizeof(s)),
					   sgw_prefix_str(&net, true, n, sizeof(n)),
					   c->ports[i].name);
		}
	return 0;
}

/* Pools are few (at most 256): pairs are compared directly. */
static int check_pools(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	uint8_t alo[16], ahi[16], blo[16], bhi[16];
	char s[2 * PREFIX_STR], t[2 * PREFIX_STR], at[LOC_STR];
	unsigned i, j;
	int ret;

	if (c->n_pools && !c->pools)
		return ERR(c, err, noloc, "n_pools is %u but there is no pool table",
			   c->n_pools);
	for (i = 0; i < c->n_pools; i++) {
		const struct sgw_conf_pool *a = &c->pools[i];

		ret = check_pool(c, a, err);
		if (ret < 0)
			return ret;
		pool_span(a, alo, ahi);
		for (j = 0; j < i; j++) {
			const struct sgw_conf_pool *b = &c->pools[j];

			if (strcmp(a->name, b->name) == 0)
				return ERR(c, err, a->name_loc, "duplicate pool name '%s'%s",
					   a->name, first_at(b->name_loc, at, sizeof(at)));
			pool_span(b, blo, bhi);
			if (a->family == b->family && spans_overlap(alo, ahi, blo, bhi))
				return ERR(c, err, a->addrs_loc,
					   "pool '%s' %s overlaps pool '%s' %s%s", a->name,
					   pool_str(a, s, sizeof(s)), b->name,
					   pool_str(b, t, sizeof(t)),
					   first_at(b->addrs_loc, at, sizeof(at)));
		}
	}
	return 0;
}

static int find_pool(const struct sgw_conf *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->n_pools; i++)
		if (strcmp(c->pools[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* At most one pool per family: a client asks for one address of each. */
static int resolve_pools(const struct sgw_conf *c, struct sgw_conf_peer *peer,
			 struct sgw_conf_err *err)
{
	unsigned i;
	int idx;

	for (i = 0; i < peer->n_pools; i++) {
		if (!name_ok(peer->pools[i], sizeof(peer->pools[i]), true))
			return ERR(c, err, peer->pools_loc, "malformed peer '%s'", peer->name);
		idx = find_pool(c, peer->pools[i]);
		if (idx < 0)
			return ERR(c, err, peer->pool_loc[i], "no pool named '%s'",
				   peer->pools[i]);
		peer->pool_idx[i] = (unsigned)idx;
		if (i == 1 && c->pools[peer->pool_idx[0]].family == c->pools[idx].family)
			return ERR(c, err, peer->pool_loc[i],
				   "pools '%s' and '%s' are both %s; a peer takes at most "
				   "one pool per family", peer->pools[0], peer->pools[1],
				   family_name(c->pools[idx].family));
	}
	return 0;
}

static bool proposals_ok(const struct sgw_conf_proposal *pr, unsigned n)
{
	unsigned i;

	if (n == 0 || n > SGW_MAX_PROPOSALS)
		return false;
	for (i = 0; i < n; i++)
		if (pr[i].n_encr == 0 || pr[i].n_encr > 4 || pr[i].n_integ > 4 ||
		    pr[i].n_prf > 4 || pr[i].n_dh > 8)
			return false;
	return true;
}

static int check_child(const struct sgw_conf *c, const struct sgw_conf_peer *peer,
		       const struct sgw_conf_child *child, struct sgw_conf_err *err)
{
	if (!name_ok(child->name, sizeof(child->name), true))
		return ERR(c, err, child->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	if (child->n_local_ts == 0 || child->n_local_ts > SGW_MAX_TS ||
	    child->n_remote_ts == 0 || child->n_remote_ts > SGW_MAX_TS ||
	    !proposals_ok(child->esp, child->n_esp))
		return ERR(c, err, child->loc, "malformed child '%s' of peer '%s'",
			   child->name, peer->name);
	if (child->start && !peer->initiate)
		return ERR(c, err, child->start_loc,
			   "'start_action: start' is only allowed with 'initiate: true'");
	/* A virtual address is an inner address: only a tunnel carries it. */
	if (child->transport && peer->n_pools)
		return ERR(c, err, child->mode_loc,
			   "'mode: transport' cannot be used with 'pools' (a virtual "
			   "address needs tunnel mode)");
	return 0;
}

static int check_children(const struct sgw_conf *c, const struct sgw_conf_peer *peer,
			  struct sgw_conf_err *err)
{
	char at[LOC_STR];
	unsigned i, j;
	int ret;

	if (peer->n_children == 0 || peer->n_children > SGW_MAX_CHILDREN ||
	    !peer->children)
		return ERR(c, err, peer->loc, "peer '%s' has no children (at least one "
			   "Child SA is required)", peer->name);
	for (i = 0; i < peer->n_children; i++) {
		const struct sgw_conf_child *ch = &peer->children[i];

		ret = check_child(c, peer, ch, err);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++)
			if (strcmp(ch->name, peer->children[j].name) == 0)
				return ERR(c, err, ch->name_loc,
					   "duplicate child name '%s' in peer '%s'%s",
					   ch->name, peer->name,
					   first_at(peer->children[j].name_loc, at,
						    sizeof(at)));
	}
	return 0;
}

/* Where we send from and to whom: our address must be ours, and an
 * initiator needs one address to send its first message to. */
static int check_peer_addrs(const struct sgw_conf *c, const struct sgw_conf_peer *peer,
			    struct sgw_conf_err *err)
{
	char l[PREFIX_STR], r[PREFIX_STR];

	if ((peer->has_local && !host_ok(&peer->local)) ||
	    (!peer->remote_any && !prefix_ok(&peer->remote)) || !peer->remote_port)
		return ERR(c, err, peer->loc, "malformed peer '%s'", peer->name);
	sgw_prefix_str(&peer->local, false, l, sizeof(l));
	sgw_prefix_str(&peer->remote, !host_ok(&peer->remote), r, sizeof(r));
	if (peer->has_local && !on_a_port(c, &peer->local))
		return ERR(c, err, peer->local_loc,
			   "local address %s is not configured on any port", l);
	if (peer->has_local && !peer->remote_any &&
	    peer->remote.family != peer->local.family)
		return ERR(c, err, peer->remote_loc,
			   "remote address %s is %s but local address %s is %s", r,
			   family_name(peer->remote.family), l,
			   family_name(peer->local.family));
	if (!peer->initiate)
		return 0;
	if (peer->remote_any)
		return ERR(c, err, peer->initiate_loc,
			   "'initiate: true' needs 'remote' to be one address, not any");
	if (!host_ok(&peer->remote))
		return ERR(c, err, peer->remote_loc,
			   "'initiate: true' needs 'remote' to be one address, not the "
			   "prefix %s", r);
	if (peer->n_pools)
		return ERR(c, err, peer->pools_loc,
			   "'pools' is only allowed without 'initiate: true' (a responder "
			   "hands out addresses)");
	return 0;
}

static bool id_ok(const struct sgw_conf_id *id, bool pattern)
{
	switch (id->type) {
	case SGW_ID_ANY:
		return id->len == 0 && !id->wildcard;
	case SGW_ID_IPV4_ADDR:
		return id->len == 4 && !id->wildcard;
	case SGW_ID_IPV6_ADDR:
		return id->len == 16 && !id->wildcard;
	case SGW_ID_FQDN:
	case SGW_ID_RFC822_ADDR:
		return id->len > 0 && id->len <= SGW_ID_MAX && (pattern || !id->wildcard);
	case SGW_ID_DER_ASN1_DN:
		return id->len > 0 && id->len <= SGW_ID_MAX && !id->wildcard;
	default:
		return false;
	}
}

static int check_peer(const struct sgw_conf *c, struct sgw_conf_peer *peer,
		      struct sgw_conf_err *err)
{
	bool psk = peer->auth == SGW_AUTH_PSK || peer->remote_auth == SGW_AUTH_PSK;
	unsigned i;
	int ret;

	if (!name_ok(peer->name, sizeof(peer->name), true))
		return ERR(c, err, peer->name_loc,
			   "expected a name of 1..31 characters from [A-Za-z0-9_.-] for 'name'");
	if (!proposals_ok(peer->ike, peer->n_ike) || !proposals_ok(peer->esp, peer->n_esp) ||
	    peer->n_pools > SGW_MAX_PEER_POOLS || peer->n_cacerts > SGW_MAX_CACERTS ||
	    !id_ok(&peer->local_id, false) || !id_ok(&peer->remote_id, true) ||
	    (peer->auth != SGW_AUTH_PUBKEY && peer->auth != SGW_AUTH_PSK) ||
	    (peer->remote_auth != SGW_AUTH_PUBKEY && peer->remote_auth != SGW_AUTH_PSK) ||
	    !terminated(peer->cert, sizeof(peer->cert)) ||
	    !terminated(peer->key, sizeof(peer->key)))
		return ERR(c, err, peer->loc, "malformed peer '%s'", peer->name);
	for (i = 0; i < peer->n_cacerts; i++)
		if (!terminated(peer->cacerts[i], sizeof(peer->cacerts[i])))
			return ERR(c, err, peer->cacerts_loc, "malformed peer '%s'",
				   peer->name);
	if (peer->auth == SGW_AUTH_PUBKEY && (!peer->cert[0] || !peer->key[0]))
		return ERR(c, err, peer->loc, "peer '%s' authenticates with a "
			   "certificate but has no 'cert' and 'key'", peer->name);
	if (peer->remote_auth == SGW_AUTH_PUBKEY && !peer->n_cacerts)
		return ERR(c, err, peer->loc, "peer '%s' expects a certificate but has "
			   "no 'cacerts'", peer->name);
	if (psk && !c->ike.secrets[0])
		return ERR(c, err, peer->auth == SGW_AUTH_PSK ? peer->auth_loc :
			   peer->remote_auth_loc,
			   "'%s: psk' needs a secrets file ('secrets' in 'ike')",
			   peer->auth == SGW_AUTH_PSK ? "auth" : "remote_auth");
	ret = check_peer_addrs(c, peer, err);
	if (ret == 0)
		ret = resolve_pools(c, peer, err);
	if (ret == 0)
		ret = check_children(c, peer, err);
	return ret;
}

/* Runs after check_pools(): pool names are unique. */
static int check_peers(struct sgw_conf *c, struct sgw_conf_err *err)
{
	char at[LOC_STR];
	struct key *k;
	unsigned i, dup = 0, orig = 0;
	int ret = 0;

	if (c->n_peers && !c->peers)
		return ERR(c, err, noloc, "n_peers is %u but there is no peer table",
			   c->n_peers);
	for (i = 0; ret == 0 && i < c->n_peers; i++)
		ret = check_peer(c, &c->peers[i], err);
	if (ret < 0)
		return ret;
	k = keys_new(c, c->n_peers, err);
	if (!k)
		return -ENOMEM;
	for (i = 0; i < c->n_peers; i++)
		k[i] = (struct key){ c->peers[i].name, 0, i };
	if (first_dup(k, c->n_peers, &dup, &orig))
		ret = ERR(c, err, c->peers[dup].name_loc, "duplicate peer name '%s'%s",
			  c->peers[dup].name,
			  first_at(c->peers[orig].name_loc, at, sizeof(at)));
	free(k);
	return ret;
}

/* Secrets --------------------------------------------------------------------- */

#define SERR(c, err, loc, ...) sgw_conf_error(err, (c)->ike.secrets, loc, __VA_ARGS__)

/* For messages: an identity as it was typed, near enough. */
static const char *id_str(const struct sgw_conf_id *id, char *buf, size_t size)
{
	switch (id->type) {
	case SGW_ID_IPV4_ADDR:
		return inet_ntop(AF_INET, id->data, buf, (socklen_t)size);
	case SGW_ID_IPV6_ADDR:
		return inet_ntop(AF_INET6, id->data, buf, (socklen_t)size);
	case SGW_ID_FQDN:
	case SGW_ID_RFC822_ADDR:
		snprintf(buf, size, "%s%.*s", id->wildcard ? "*" : "",
			 id->len > 64 ? 64 : (int)id->len, (const char *)id->data);
		return buf;
	default:
		return "(a distinguished name)";
	}
}

/* Every identity of every secret, sorted by identity and then file order:
 * duplicates sit side by side, lookups are a binary search. There may be
 * thousands of secrets (one per road warrior). */
struct id_ref {
	const struct sgw_conf_id *id;
	unsigned secret, idx;        /* file order */
};

static int id_cmp(const void *a, const void *b)
{
	const struct sgw_conf_id *x = ((const struct id_ref *)a)->id;
	const struct sgw_conf_id *y = ((const struct id_ref *)b)->id;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

static int id_order(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int d = id_cmp(a, b);

	if (d)
		return d;
	if (x->secret != y->secret)
		return x->secret < y->secret ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool later(const struct id_ref *a, const struct id_ref *b)
{
	return a->secret > b->secret || (a->secret == b->secret && a->idx > b->idx);
}

/* The sorted identities of all secrets in *out (*n of them), checked: the
 * same identity twice means one of its secrets is never used. */
static int secret_ids(const struct sgw_conf *c, struct id_ref **out, size_t *n,
		      struct sgw_conf_err *err)
{
	const struct id_ref *dup = NULL, *orig = NULL;
	struct id_ref *v;
	char s[80], at[LOC_STR];
	unsigned i, a;
	size_t k = 0;

	v = malloc(((size_t)c->n_secrets * SGW_MAX_SECRET_IDS + 1) * sizeof(*v));
	if (!v) {
		ERR(c, err, noloc, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < c->n_secrets; i++) {
		const struct sgw_conf_secret *x = &c->secrets[i];

		if (x->n_ids == 0 || x->n_ids > SGW_MAX_SECRET_IDS ||
		    x->len < SGW_PSK_MIN || x->len > SGW_PSK_MAX) {
			free(v);
			return SERR(c, err, x->loc, "malformed secret");
		}
		for (a = 0; a < x->n_ids; a++) {
			if (!id_ok(&x->ids[a], false) || x->ids[a].type == SGW_ID_ANY) {
				free(v);
				return SERR(c, err, x->id_loc[a], "malformed identity");
			}
			v[k++] = (struct id_ref){ &x->ids[a], i, a };
		}
	}
	qsort(v, k, sizeof(*v), id_order);
	/* The second of a group is its earliest repeat; the first in file
	 * order of those is reported. */
	for (i = 1; i < k; i++)
		if (id_cmp(&v[i - 1], &v[i]) == 0 &&
		    (i < 2 || id_cmp(&v[i - 2], &v[i]) != 0) &&
		    (!dup || later(dup, &v[i]))) {
			dup = &v[i];
			orig = &v[i - 1];
		}
	if (dup) {
		int ret = SERR(c, err, c->secrets[dup->secret].id_loc[dup->idx],
			       "identity '%s' already has a secret%s",
			       id_str(dup->id, s, sizeof(s)),
			       first_at(c->secrets[orig->secret].id_loc[orig->idx], at,
					sizeof(at)));
		free(v);
		return ret;
	}
	*out = v;
	*n = k;
	return 0;
}

static bool has_secret(const struct id_ref *v, size_t n, const struct sgw_conf_id *id)
{
	const struct id_ref want = { id, 0, 0 };

	return id->type != SGW_ID_ANY && bsearch(&want, v, n, sizeof(*v), id_cmp);
}

/* A peer with a fixed remote_id must find a secret by it or by local_id;
 * with %any or a wildcard only the identity the peer sends will tell. */
static int check_secrets(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	const struct sgw_conf_peer *peer;
	struct id_ref *v = NULL;
	char r[80], l[96];
	size_t n = 0;
	unsigned i;
	int ret;

	if (c->n_secrets && !c->secrets)
		return ERR(c, err, noloc, "n_secrets is %u but there is no secret table",
			   c->n_secrets);
	ret = secret_ids(c, &v, &n, err);
	for (i = 0; ret == 0 && i < c->n_peers; i++) {
		peer = &c->peers[i];
		if ((peer->auth != SGW_AUTH_PSK && peer->remote_auth != SGW_AUTH_PSK) ||
		    peer->remote_id.type == SGW_ID_ANY || peer->remote_id.wildcard ||
		    has_secret(v, n, &peer->remote_id) || has_secret(v, n, &peer->local_id))
			continue;
		l[0] = '\0';
		if (peer->local_id.type != SGW_ID_ANY)
			snprintf(l, sizeof(l), " or local_id '%s'",
				 id_str(&peer->local_id, r, sizeof(r)));
		ret = ERR(c, err, peer->remote_id_loc,
			  "no secret in the secrets file lists remote_id '%s'%s "
			  "(peer '%s' uses psk)", id_str(&peer->remote_id, r, sizeof(r)),
			  l, peer->name);
	}
	free(v);
	return ret;
}

/* The path as the configuration wrote it, when it is relative to it. */
static const char *shown_path(const struct sgw_conf *c, const char *path)
{
	const char *slash = strrchr(c->file, '/');
	size_t n = slash ? (size_t)(slash - c->file) + 1 : 0;

	if (n && strncmp(path, c->file, n) == 0)
		return path + n;
	return path;
}

/* As ssh refuses a private key others can read: whoever can read it can
 * be us. */
static int check_private(const struct sgw_conf *c, const char *what,
			 const char *path, struct sgw_conf_loc loc,
			 struct sgw_conf_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return ERR(c, err, loc, "cannot read %s '%s': %s", what,
			   shown_path(c, path), strerror(errno));
	if (st.st_mode & S_IRWXO)
		return ERR(c, err, loc, "%s '%s' is accessible to others (mode 0%03o): "
			   "run chmod o-rwx on it", what, shown_path(c, path),
			   (unsigned)st.st_mode & 07777);
	return 0;
}

static int check_file_modes(const struct sgw_conf *c, struct sgw_conf_err *err)
{
	unsigned i;
	int ret = 0;

	if (c->ike.secrets[0])
		ret = check_private(c, "secrets file", c->ike.secrets,
				    c->ike.secrets_loc, err);
	for (i = 0; ret == 0 && i < c->n_peers; i++)
		if (c->peers[i].auth == SGW_AUTH_PUBKEY)
			ret = check_private(c, "key", c->peers[i].key,
					    c->peers[i].key_loc, err);
	return ret;
}

int sgw_conf_validate(struct sgw_conf *c, struct sgw_conf_err *err)
{
	int ret;

	/* Every message starts with the file name: make sure it is a string. */
	c->file[sizeof(c->file) - 1] = '\0';
	ret = check_ranges(c, err);
	if (ret == 0)
		ret = check_eal(c, err);
	if (ret == 0)
		ret = check_workers(c, err);
	if (ret == 0)
		ret = check_cli(c, err);
	if (ret == 0)
		ret = check_ports(c, err);
	if (ret == 0)
		ret = check_routes(c, err);
	if (ret == 0)
		ret = check_sas(c, err);
	if (ret == 0)
		ret = check_policies(c, err);
	if (ret == 0)
		ret = check_ike(c, err);
	if (ret == 0)
		ret = check_pools(c, err);
	if (ret == 0)
		ret = check_peers(c, err);
	if (ret == 0)
		ret = check_secrets(c, err);
	/* Last: a fresh checkout has the modes of its umask, and every other
	 * mistake should be reported whatever they are. */
	if (ret == 0)
		ret = check_file_modes(c, err);
	return ret;
}
