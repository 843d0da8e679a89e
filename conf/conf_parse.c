/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML text to struct sgw_conf.
 *
 * libyaml's document API loads the whole file into a node tree, which is then
 * walked with one handler table per mapping (after netplan's parse.c). A row
 * names a key, the node type its value must have and the handler that stores
 * it. Anything not in a table is an error carrying file:line:col, so a typo
 * never silently turns into a default.
 *
 * The walk follows the schema, not the data: recursion depth is fixed by the
 * tables, so aliases that point back at their own anchor ("&a [*a]") and deep
 * nesting cannot make it loop or overflow the stack. Every string is checked
 * against its buffer before it is copied and every number against its range
 * before it is stored; nothing is truncated silently.
 *
 * The IKE sections (ike, pools, peers) and the secrets file are walked by
 * conf_ike.c with the same machinery, shared through conf_yaml.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "conf.h"
#include "conf_yaml.h"

#define MAX_FILE_SIZE (16u << 20)
/* limits.routes is at most 1048576 per family; more cannot validate, and
 * the bound keeps an alias-heavy file from making us allocate gigabytes. */
#define MAX_ROUTES    ((size_t)2 * 1048576)
/* The most limits.sas and limits.policies (per direction) can allow, for
 * the same reason. */
#define MAX_SAS       4194304u
#define MAX_POLICIES  (2u * 65536)
#define MAX_CPU       1023u
#define KEY_FILE_MAX  1024   /* bytes; a key is 72 hex digits at most */
#define KEY_DIGITS_MAX (2 * (SGW_KEY_MAX + SGW_SALT_LEN))

/* Errors ------------------------------------------------------------------ */

int conf_fail_at(struct parser *p, struct sgw_conf_loc loc, const char *fmt, ...)
{
	char msg[sizeof(p->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sgw_conf_error(p->err, p->file, loc, "%s", msg);
}

/* The value as it goes into "got ...": quoted, shortened, control bytes
 * escaped, since messages end up on terminals and in logs. */
const char *conf_show(const yaml_node_t *n, char *buf, size_t size)
{
	const unsigned char *s;
	size_t i, o = 0;

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	s = n->data.scalar.value;
	buf[o++] = '\'';
	for (i = 0; i < n->data.scalar.length && o + 8 < size; i++) {
		/* Cut between UTF-8 characters, not inside one. */
		if (i >= SHOW_MAX && (s[i] & 0xc0) != 0x80) {
			o += (size_t)snprintf(buf + o, size - o, "...");
			break;
		}
		if (s[i] < 0x20 || s[i] == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", s[i]);
		else
			buf[o++] = (char)s[i];
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static const char *describe(const struct handler *h, char *buf, size_t size)
{
	if (h->what)
		return h->what;
	if (h->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (h->type == YAML_SEQUENCE_NODE)
		return "a list";
	snprintf(buf, size, "an integer %u..%u", h->min, h->max);
	return buf;
}

/* "expected <what> for '<key>', got <value>": the one shape of value error. */
int conf_bad_value(struct parser *p, const struct handler *h,
		   const yaml_node_t *v)
{
	char what[64], got[SHOWBUF];

	return fail(p, v, "expected %s for '%s', got %s",
		    describe(h, what, sizeof(what)), h->key,
		    conf_show(v, got, sizeof(got)));
}

int conf_too_many(struct parser *p, const struct handler *h,
		  const yaml_node_t *item, unsigned max)
{
	return fail(p, item, "too many entries for '%s' (at most %u)", h->key, max);
}

/* Scalars ----------------------------------------------------------------- */

/* YAML's spellings of null; "key:" with nothing after it is one. */
static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL" };
	size_t i;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	if (n->data.scalar.length == 0)
		return true;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(scalar(n), nulls[i]) == 0)
			return true;
	return false;
}

/* A string may not carry NUL (it would cut the value short where C reads
 * it) nor other control bytes (they hide in logs and file names). */
static bool clean_text(const yaml_node_t *n)
{
	const unsigned char *s = n->data.scalar.value;
	size_t i;

	for (i = 0; i < n->data.scalar.length; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Copies a scalar into dst[size] if it fits, whole, and is min..size-1 long. */
int conf_take_string(struct parser *p, const struct handler *h,
		     const yaml_node_t *v, char *dst, size_t size, size_t min)
{
	size_t len = is_null(v) ? 0 : v->data.scalar.length;

	if (!clean_text(v))
		return fail(p, v, "control characters are not allowed in '%s'",
			    h->key);
	if (len >= size)
		return fail(p, v, "expected at most %zu characters for '%s', got %zu",
			    size - 1, h->key, len);
	if (len < min)
		return conf_bad_value(p, h, v);
	memcpy(dst, scalar(v), len);
	dst[len] = '\0';
	return 0;
}

/* Decimal only, no sign, no leading zero: YAML 1.1 reads 0644 as octal and
 * 1_000 as 1000, and a config should not depend on which reading applies. */
static int parse_decimal(const yaml_node_t *v, unsigned long *out)
{
	const char *s = scalar(v);
	size_t i, n = v->data.scalar.length;
	unsigned long r = 0;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		r = r * 10 + (unsigned long)(s[i] - '0');
	}
	*out = r;
	return 0;
}

static int take_uint(struct parser *p, const struct handler *h,
		   const yaml_node_t *v, unsigned *out)
{
	unsigned long r;

	if (v->type != YAML_SCALAR_NODE || parse_decimal(v, &r) < 0 ||
	    r < h->min || r > h->max)
		return conf_bad_value(p, h, v);
	*out = (unsigned)r;
	return 0;
}

void conf_store_uint(void *field, size_t size, unsigned v)
{
	switch (size) {
	case sizeof(uint16_t):
		*(uint16_t *)field = (uint16_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)field = v;
		break;
	default:
		abort(); /* a table row names a field of no integer width */
	}
}

int conf_h_uint(struct parser *p, const struct handler *h, yaml_node_t *v,
		void *base)
{
	unsigned r = 0;
	int ret = take_uint(p, h, v, &r);

	if (ret == 0)
		conf_store_uint((char *)base + h->off, h->size, r);
	return ret;
}

/* 0 asks sgwd to size the pool; a pool below 1024 cannot fill the rings. */
static int h_mbufs(struct parser *p, const struct handler *h, yaml_node_t *v,
		   void *base)
{
	unsigned r = 0;
	int ret = take_uint(p, h, v, &r);

	if (ret == 0 && r != 0 && r < 1024)
		return conf_bad_value(p, h, v);
	if (ret == 0)
		conf_store_uint((char *)base + h->off, h->size, r);
	return ret;
}

int conf_h_bool(struct parser *p, const struct handler *h, yaml_node_t *v,
		void *base)
{
	bool *field = (bool *)((char *)base + h->off);
	const char *s = scalar(v);

	if (strlen(s) != v->data.scalar.length)
		return conf_bad_value(p, h, v);
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)
		*field = true;
	else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)
		*field = false;
	else
		return conf_bad_value(p, h, v);
	return 0;
}

static int h_string(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	return conf_take_string(p, h, v, (char *)base + h->off, h->size, h->min);
}

static bool name_char(char ch, bool dot)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       (dot && ch == '.');
}

/* Port names appear in CLI commands and counter names: keep them words.
 * SA and policy names may also have dots ("site-b.out"). */
int conf_h_name(struct parser *p, const struct handler *h, yaml_node_t *v,
		void *base)
{
	char *dst = (char *)base + h->off;
	size_t i;
	int ret = conf_take_string(p, h, v, dst, h->size, 1);

	if (ret < 0)
		return ret;
	for (i = 0; dst[i]; i++)
		if (!name_char(dst[i], h->flags & F_DOT))
			return conf_bad_value(p, h, v);
	return 0;
}

/* "dddd:bb:dd.f" or "bb:dd.f", optionally followed by ",devargs". */
static bool is_pci(const char *s)
{
	if (hexn(s, 4) && s[4] == ':')
		s += 5;
	if (!(hexn(s, 2) && s[2] == ':' && hexn(s + 3, 2) && s[5] == '.' &&
	      s[6] >= '0' && s[6] <= '7'))
		return false;
	return s[7] == '\0' || s[7] == ',';
}

static int h_device(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf_port *port = base;
	int ret = conf_take_string(p, h, v, port->device, sizeof(port->device), 1);

	if (ret < 0)
		return ret;
	port->is_pci = is_pci(port->device);
	if (!port->is_pci && (strncmp(port->device, "net_", 4) != 0 ||
			      port->device[4] == '\0' || port->device[4] == ','))
		return conf_bad_value(p, h, v);
	return 0;
}

static int h_role(struct parser *p, const struct handler *h, yaml_node_t *v,
		  void *base)
{
	char got[SHOWBUF];

	if (strcmp(scalar(v), "standalone") != 0 ||
	    v->data.scalar.length != strlen("standalone"))
		return fail(p, v, "role %s is not available in this version "
			    "(expected 'standalone')", conf_show(v, got, sizeof(got)));
	*(enum sgw_role *)((char *)base + h->off) = SGW_ROLE_STANDALONE;
	return 0;
}

static int h_level(struct parser *p, const struct handler *h, yaml_node_t *v,
		   void *base)
{
	int level = -1;

	if (strlen(scalar(v)) == v->data.scalar.length)
		level = sgw_log_level_parse(scalar(v));
	if (level < 0)
		return conf_bad_value(p, h, v);
	((struct sgw_conf *)base)->logging.level = level;
	return 0;
}

static int h_target(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf *c = base;

	if (strcmp(scalar(v), "stderr") == 0 && v->data.scalar.length == 6)
		c->logging.target = SGW_LOG_STDERR;
	else if (strcmp(scalar(v), "syslog") == 0 && v->data.scalar.length == 6)
		c->logging.target = SGW_LOG_SYSLOG;
	else
		return conf_bad_value(p, h, v);
	return 0;
}

/* Octal as chmod(1) takes it: "0660", or YAML 1.2's "0o660". A leading 0 is
 * required because a bare 660 is a decimal integer to every YAML reader, and
 * decimal 660 is not the mode anyone meant. Anything up to 07777 parses;
 * validation then refuses what a socket must not have. */
static int h_mode(struct parser *p, const struct handler *h, yaml_node_t *v,
		  void *base)
{
	const char *s = scalar(v);
	size_t i = 1, n = v->data.scalar.length;
	unsigned mode = 0;

	if (n == 0 || s[0] != '0')
		return conf_bad_value(p, h, v);
	if (n >= 2 && s[1] == 'o')
		i = 2;
	/* "0" alone is mode 0; "0o" needs digits; 4 digits reach 07777. */
	if ((i == 2 && n == 2) || n - i > 4)
		return conf_bad_value(p, h, v);
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return conf_bad_value(p, h, v);
		mode = mode * 8 + (unsigned)(s[i] - '0');
	}
	((struct sgw_conf *)base)->cli.mode = mode;
	return 0;
}

/* Enumerations ------------------------------------------------------------ */

static const struct choice *choose(const struct choice *ch, const yaml_node_t *v)
{
	for (; ch->name; ch++)
		if (strlen(ch->name) == v->data.scalar.length &&
		    memcmp(ch->name, scalar(v), v->data.scalar.length) == 0)
			return ch;
	return NULL;
}

static void store_choice(void *field, size_t size, int v)
{
	switch (size) {
	case sizeof(bool):
		*(bool *)field = v != 0;
		break;
	case sizeof(int): /* int, unsigned or an enum */
		memcpy(field, &v, sizeof(v));
		break;
	default:
		abort(); /* a table row names a field of no such width */
	}
}

_Static_assert(sizeof(enum sgw_policy_action) == sizeof(int),
	       "h_choice stores actions as int");

int conf_h_choice(struct parser *p, const struct handler *h, yaml_node_t *v,
		  void *base)
{
	const struct choice *ch = choose(h->choices, v);

	if (!ch)
		return conf_bad_value(p, h, v);
	store_choice((char *)base + h->off, h->size, ch->value);
	return 0;
}

/* A name, or the protocol number as IANA lists it. */
static int h_proto(struct parser *p, const struct handler *h, yaml_node_t *v,
		   void *base)
{
	const struct choice *ch = choose(h->choices, v);
	unsigned long r = 0;

	if (!ch && (parse_decimal(v, &r) < 0 || r > 255))
		return conf_bad_value(p, h, v);
	store_choice((char *)base + h->off, h->size, ch ? ch->value : (int)r);
	return 0;
}

/* 64-bit integers, SPIs, port ranges --------------------------------------- */

/* Decimal as parse_decimal(), 64 bits wide; with hex_ok also "0x" and 1..16
 * hex digits, the way SPIs are written by ip-xfrm(8) and in RFCs. */
int conf_parse_u64(const char *s, size_t n, bool hex_ok, uint64_t *out)
{
	uint64_t r = 0;
	size_t i;

	if (hex_ok && hex_prefix(s, n)) {
		if (n == 2 || n > 18 || !hexn(s + 2, n - 2))
			return -EINVAL;
		for (i = 2; i < n; i++)
			r = r << 4 | hex_val(s[i]);
		*out = r;
		return 0;
	}
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || r > (UINT64_MAX - d) / 10)
			return -EINVAL;
		r = r * 10 + d;
	}
	*out = r;
	return 0;
}

/* 0..UINT64_MAX, or 1..UINT64_MAX when the row's min is 1. */
int conf_h_u64(struct parser *p, const struct handler *h, yaml_node_t *v,
	       void *base)
{
	uint64_t r;

	if (conf_parse_u64(scalar(v), v->data.scalar.length, false, &r) < 0 ||
	    r < h->min)
		return conf_bad_value(p, h, v);
	memcpy((char *)base + h->off, &r, sizeof(r));
	return 0;
}

/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is for local use and
 * never sent. */
static int h_spi(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	uint64_t r;

	if (conf_parse_u64(scalar(v), v->data.scalar.length, true, &r) < 0 ||
	    r < 256 || r > UINT32_MAX)
		return conf_bad_value(p, h, v);
	((struct sgw_conf_sa *)base)->spi = (uint32_t)r;
	return 0;
}

/* A power of two, so that a window bitmap is indexed by masking. */
static int h_window(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	unsigned r = 0;
	int ret = take_uint(p, h, v, &r);

	if (ret == 0 && ((r & (r - 1)) != 0 || (r && r < 64)))
		return conf_bad_value(p, h, v);
	if (ret == 0)
		((struct sgw_conf_sa *)base)->replay_window = r;
	return ret;
}

/* "443" or "1024-65535". */
static int take_port_range(struct parser *p, const struct handler *h,
			 const yaml_node_t *v, uint16_t *lo, uint16_t *hi)
{
	const char *s = scalar(v), *dash;
	size_t n = v->data.scalar.length;
	uint64_t a, b;

	dash = memchr(s, '-', n);
	if (!dash) {
		if (conf_parse_u64(s, n, false, &a) < 0)
			return conf_bad_value(p, h, v);
		b = a;
	} else if (conf_parse_u64(s, (size_t)(dash - s), false, &a) < 0 ||
		   conf_parse_u64(dash + 1, n - (size_t)(dash - s) - 1, false, &b) < 0) {
		return conf_bad_value(p, h, v);
	}
	if (a > b || b > UINT16_MAX)
		return conf_bad_value(p, h, v);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int h_sports(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf_sel *sel = &((struct sgw_conf_policy *)base)->sel;

	return take_port_range(p, h, v, &sel->sport_lo, &sel->sport_hi);
}

static int h_dports(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf_sel *sel = &((struct sgw_conf_policy *)base)->sel;

	return take_port_range(p, h, v, &sel->dport_lo, &sel->dport_hi);
}

/* Keys -------------------------------------------------------------------- */

/* Key material never appears in a message, not even in part: messages go to
 * terminals, logs and bug reports. Only counts and file names do. */
static int take_key(struct parser *p, const struct handler *h,
		    struct sgw_conf_loc loc, const char *s, size_t n)
{
	size_t i;

	if (p->key.from)
		return conf_fail_at(p, loc, "only one of 'key' and 'key_file' may be given");
	if (!hex_prefix(s, n) || n == 2 || !hexn(s + 2, n - 2))
		return conf_fail_at(p, loc, "expected '0x' and hex digits for '%s' "
				    "(the value is not shown)", h->key);
	p->key.from = h->key;
	p->key.digits = n - 2;
	for (i = 0; i + 1 < p->key.digits && i < KEY_DIGITS_MAX; i += 2)
		p->key.bytes[i / 2] = (uint8_t)(hex_val(s[2 + i]) << 4 |
						hex_val(s[3 + i]));
	return 0;
}

static int h_key(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	(void)base;
	return take_key(p, h, loc_of(v), scalar(v), v->data.scalar.length);
}

/* Relative to the configuration's directory, so that a configuration and
 * its keys can move together; the embedded default has none: the cwd. */
int conf_file_path(struct parser *p, const yaml_node_t *v, const char *key,
		   const char *name, char *path, size_t size)
{
	const char *file = p->c->file, *slash = strrchr(file, '/');
	int n;

	if (name[0] == '/' || !slash || strcmp(file, SGW_CONF_DEFAULT_NAME) == 0)
		n = snprintf(path, size, "%s", name);
	else
		n = snprintf(path, size, "%.*s/%s", (int)(slash - file), file, name);
	if (n < 0 || (size_t)n >= size)
		return fail(p, v, "the path of '%s' is too long", key);
	return 0;
}

/* A regular file only: a FIFO or a device could block or never end.
 * Returns 0, 1 when the file is not a regular one, or -errno. */
static int read_key_file(const char *path, char *buf, size_t size, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = 1;
	while (ret == 0 && n < size) {
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		else if (r == 0)
			break;
		else
			n += (size_t)r;
	}
	close(fd);
	*len = n;
	return ret;
}

static bool space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The file holds what 'key' would: "0x..." with any whitespace around it,
 * as "echo 0x... > file" or an editor leaves it. */
static int h_key_file(struct parser *p, const struct handler *h,
		      yaml_node_t *v, void *base)
{
	char name[4096], path[4096], buf[KEY_FILE_MAX + 1], got[SHOWBUF];
	size_t a = 0, len = 0;
	int ret;

	(void)base;
	if (p->key.from)
		return fail(p, v, "only one of 'key' and 'key_file' may be given");
	ret = conf_take_string(p, h, v, name, sizeof(name), 1);
	if (ret == 0)
		ret = conf_file_path(p, v, h->key, name, path, sizeof(path));
	if (ret < 0)
		return ret;
	/* The name as written, shortened: a long one must not push the
	 * reason out of the message. */
	conf_show(v, got, sizeof(got));
	ret = read_key_file(path, buf, sizeof(buf), &len);
	if (ret < 0)
		ret = fail(p, v, "cannot read key_file %s: %s", got, strerror(-ret));
	else if (ret > 0)
		ret = fail(p, v, "key_file %s is not a regular file", got);
	else if (len > KEY_FILE_MAX)
		ret = fail(p, v, "key_file %s is larger than %u bytes", got,
			   KEY_FILE_MAX);
	if (ret == 0) {
		while (len > 0 && space(buf[len - 1]))
			len--;
		while (a < len && space(buf[a]))
			a++;
		ret = take_key(p, h, loc_of(v), buf + a, len - a);
	}
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* The SA's key and salt, now that 'aead' says how long the key is. */
static int split_key(struct parser *p, struct sgw_conf_sa *sa)
{
	size_t want = 2 * (sa->key_len + SGW_SALT_LEN);

	if (p->key.digits != want)
		return conf_fail_at(p, sa->key_loc, "expected %zu hex digits (key and "
				    "%u-byte salt for aes-gcm-%u) for '%s', got %zu",
			       want, SGW_SALT_LEN, sa->key_len * 8, p->key.from,
			       p->key.digits);
	memcpy(sa->key, p->key.bytes, sa->key_len);
	memcpy(sa->salt, p->key.bytes + sa->key_len, SGW_SALT_LEN);
	return 0;
}

/* Prefixes ---------------------------------------------------------------- */

int conf_take_prefix(struct parser *p, const struct handler *h,
		     const yaml_node_t *v, enum prefix_form form,
		     struct sgw_prefix *out)
{
	const char *s = scalar(v);
	char got[SHOWBUF];
	int ret;

	if (v->type != YAML_SCALAR_NODE || strlen(s) != v->data.scalar.length)
		return conf_bad_value(p, h, v);
	if (form == WITHOUT_LEN && strchr(s, '/'))
		return conf_bad_value(p, h, v);
	ret = sgw_prefix_parse(s, out, form == WITH_LEN);
	/* The address before "/" parsed, so ':' tells the family. */
	if (ret == -ERANGE)
		return fail(p, v, "expected a prefix length 0..%u for '%s', got %s",
			    strchr(s, ':') ? 128u : 32u, h->key,
			    conf_show(v, got, sizeof(got)));
	if (ret < 0)
		return conf_bad_value(p, h, v);
	return 0;
}

static int h_to(struct parser *p, const struct handler *h, yaml_node_t *v,
		void *base)
{
	return conf_take_prefix(p, h, v, WITH_LEN, &((struct sgw_conf_route *)base)->to);
}

static int h_via(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf_route *r = base;

	r->has_via = true;
	return conf_take_prefix(p, h, v, WITHOUT_LEN, &r->via);
}

/* "02:00:00:00:05:02": a unicast Ethernet address. */
static int h_mac(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf_route *r = base;
	const char *s = scalar(v);
	unsigned b[6];
	int used = 0;

	if (v->type != YAML_SCALAR_NODE ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &used) != 6 || used != 17 || s[used] ||
	    (b[0] & 1) || !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return conf_bad_value(p, h, v);
	for (int i = 0; i < 6; i++)
		r->mac[i] = (uint8_t)b[i];
	r->has_mac = true;
	return 0;
}

/* An SA's outer address: one host. */
static int h_addr(struct parser *p, const struct handler *h, yaml_node_t *v,
		void *base)
{
	return conf_take_prefix(p, h, v, WITHOUT_LEN,
				(struct sgw_prefix *)((char *)base + h->off));
}

/* A selector's address: a prefix, or one host without "/len". */
static int h_src(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf_sel *sel = &((struct sgw_conf_policy *)base)->sel;

	sel->has_src = true;
	return conf_take_prefix(p, h, v, ANY_LEN, &sel->src);
}

static int h_dst(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf_sel *sel = &((struct sgw_conf_policy *)base)->sel;

	sel->has_dst = true;
	return conf_take_prefix(p, h, v, ANY_LEN, &sel->dst);
}

/* Lists ------------------------------------------------------------------- */

static int h_addresses(struct parser *p, const struct handler *h,
		       yaml_node_t *v, void *base)
{
	struct sgw_conf_port *port = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_PORT_ADDRS)
			return conf_too_many(p, h, it, SGW_MAX_PORT_ADDRS);
		ret = conf_take_prefix(p, h->item, it, WITH_LEN, &port->addrs[i]);
		if (ret < 0)
			return ret;
		port->addr_loc[i] = loc_of(it);
		port->n_addrs = (unsigned)i + 1;
	}
	return 0;
}

static int h_cpus(struct parser *p, const struct handler *h, yaml_node_t *v,
		  void *base)
{
	struct sgw_conf *c = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_WORKERS)
			return conf_too_many(p, h, it, SGW_MAX_WORKERS);
		ret = take_uint(p, h->item, it, &c->workers.cpus[i]);
		if (ret < 0)
			return ret;
		c->workers.n_cpus = (unsigned)i + 1;
	}
	return 0;
}

static int h_eal_args(struct parser *p, const struct handler *h,
		      yaml_node_t *v, void *base)
{
	struct sgw_conf *c = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_EAL_ARGS)
			return conf_too_many(p, h, it, SGW_MAX_EAL_ARGS);
		if (it->type != YAML_SCALAR_NODE)
			return conf_bad_value(p, h->item, it);
		ret = conf_take_string(p, h->item, it, c->eal.args[i],
				       sizeof(c->eal.args[i]), 1);
		if (ret < 0)
			return ret;
		c->eal.n_args = (unsigned)i + 1;
	}
	return 0;
}

/* Mappings ---------------------------------------------------------------- */

static int walk_mapping(struct parser *p, yaml_node_t *node,
			const struct mapping *m, void *base);

static int h_map(struct parser *p, const struct handler *h, yaml_node_t *v,
	       void *base)
{
	return walk_mapping(p, v, h->map, base);
}

int conf_list_entry(struct parser *p, const struct handler *h,
		    yaml_node_t *it, void *base)
{
	char got[SHOWBUF];

	if (it->type != YAML_MAPPING_NODE)
		return fail(p, it, "expected a mapping for each entry of '%s', got %s",
			    h->key, conf_show(it, got, sizeof(got)));
	return walk_mapping(p, it, h->map, base);
}

static void port_defaults(struct sgw_conf_port *port, const yaml_node_t *it)
{
	memset(port, 0, sizeof(*port));
	port->mtu = 1500;
	port->rx_desc = 512;
	port->tx_desc = 512;
	port->loc = loc_of(it);
}

static int h_ports(struct parser *p, const struct handler *h, yaml_node_t *v,
		   void *base)
{
	struct sgw_conf *c = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_PORTS)
			return conf_too_many(p, h, it, SGW_MAX_PORTS);
		port_defaults(&c->ports[i], it);
		ret = conf_list_entry(p, h, it, &c->ports[i]);
		if (ret < 0)
			return ret;
		c->n_ports = (unsigned)i + 1;
	}
	return 0;
}

/* A list's array, sized once from the YAML sequence; what an entry leaves
 * out reads as zero. *arr stays NULL for an empty list. */
int conf_list_alloc(struct parser *p, const struct handler *h, yaml_node_t *v,
		    size_t max, size_t elem, void **arr)
{
	size_t n = n_items(v);

	if (n > max)
		return conf_too_many(p, h, item(p, v, max), (unsigned)max);
	if (n == 0)
		return 0;
	*arr = calloc(n, elem);
	return *arr ? 0 : -ENOMEM;
}

static int h_routes(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_ROUTES, sizeof(*c->routes),
				  (void **)&c->routes);

	for (i = 0; ret == 0 && c->routes && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		c->routes[i].loc = loc_of(it);
		ret = conf_list_entry(p, h, it, &c->routes[i]);
		if (ret < 0)
			return ret;
		c->n_routes = (unsigned)i + 1;
	}
	return ret;
}

static void sa_defaults(struct sgw_conf_sa *sa, const yaml_node_t *it)
{
	sa->key_len = 16;            /* aes-gcm-128 */
	sa->replay_window = 1024;
	sa->seq = 1;                 /* RFC 4303 3.3.3: the first packet sent */
	sa->local_port = 4500;       /* RFC 3948 */
	sa->remote_port = 4500;
	sa->loc = loc_of(it);
}

static int h_sas(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_SAS, sizeof(*c->sas), (void **)&c->sas);

	for (i = 0; ret == 0 && c->sas && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		sa_defaults(&c->sas[i], it);
		memset(&p->key, 0, sizeof(p->key));
		ret = conf_list_entry(p, h, it, &c->sas[i]);
		explicit_bzero(&p->key, sizeof(p->key));
		if (ret < 0) {
			/* Not counted in n_sas, so sgw_conf_free() would
			 * not clear the key it may hold. */
			explicit_bzero(&c->sas[i], sizeof(c->sas[i]));
			return ret;
		}
		c->n_sas = (unsigned)i + 1;
	}
	return ret;
}

static void policy_defaults(struct sgw_conf_policy *pol, const yaml_node_t *it)
{
	pol->sel.proto = -1;         /* any */
	pol->sel.sport_hi = UINT16_MAX;
	pol->sel.dport_hi = UINT16_MAX;
	pol->loc = loc_of(it);
}

static int h_policies(struct parser *p, const struct handler *h,
		      yaml_node_t *v, void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_POLICIES, sizeof(*c->policies),
				  (void **)&c->policies);

	for (i = 0; ret == 0 && c->policies && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		policy_defaults(&c->policies[i], it);
		ret = conf_list_entry(p, h, it, &c->policies[i]);
		if (ret < 0)
			return ret;
		c->n_policies = (unsigned)i + 1;
	}
	return ret;
}

/* Whether the mapping had this key, from walk_mapping()'s bits. */
bool conf_given(const struct mapping *m, uint32_t seen, const char *key)
{
	const struct handler *h;

	for (h = m->keys; h->key; h++)
		if (strcmp(h->key, key) == 0)
			return seen & (1u << (h - m->keys));
	abort(); /* a finish function names a key its table lacks */
}

int conf_only_with(struct parser *p, struct sgw_conf_loc loc,
		   const char *key, const char *with)
{
	return conf_fail_at(p, loc, "'%s' is only allowed with %s", key, with);
}

/* A key that means nothing for the SA's direction or encapsulation is an
 * error, not ignored: a replay window on an outbound SA says the author has
 * the directions mixed up. */
static int sa_finish(struct parser *p, const struct mapping *m, void *base,
		     uint32_t seen)
{
	struct sgw_conf_sa *sa = base;
	int ret;

	if (!p->key.from)
		return conf_fail_at(p, sa->loc,
				    "missing required key 'key' or 'key_file' in %s",
				    m->where);
	if (!sa->inbound && conf_given(m, seen, "replay_window"))
		return conf_only_with(p, sa->window_loc, "replay_window", "'direction: in'");
	if (sa->inbound && conf_given(m, seen, "seq"))
		return conf_only_with(p, sa->seq_loc, "seq", "'direction: out'");
	if (!sa->udp_encap && conf_given(m, seen, "local_port"))
		return conf_only_with(p, sa->local_port_loc, "local_port", "'encap: udp'");
	if (!sa->udp_encap && conf_given(m, seen, "remote_port"))
		return conf_only_with(p, sa->remote_port_loc, "remote_port", "'encap: udp'");
	ret = split_key(p, sa);
	if (ret < 0)
		return ret;
	if (sa->inbound)
		sa->seq = 0;
	else
		sa->replay_window = 0;
	if (!sa->udp_encap)
		sa->local_port = sa->remote_port = 0;
	return 0;
}

static bool has_ports(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static int policy_finish(struct parser *p, const struct mapping *m, void *base,
			 uint32_t seen)
{
	struct sgw_conf_policy *pol = base;
	struct sgw_conf_sel *sel = &pol->sel;

	if (pol->action == SGW_POLICY_PROTECT && !conf_given(m, seen, "sa"))
		return conf_fail_at(p, pol->loc, "missing required key 'sa' in %s "
				    "(needed by 'action: protect')", m->where);
	if (pol->action != SGW_POLICY_PROTECT && conf_given(m, seen, "sa"))
		return conf_only_with(p, pol->sa_loc, "sa", "'action: protect'");
	if (!has_ports(sel->proto) && conf_given(m, seen, "src_ports"))
		return conf_only_with(p, pol->sport_loc, "src_ports",
				      "'proto' tcp, udp or sctp");
	if (!has_ports(sel->proto) && conf_given(m, seen, "dst_ports"))
		return conf_only_with(p, pol->dport_loc, "dst_ports",
				      "'proto' tcp, udp or sctp");
	/* Validation checks that src and dst agree. */
	sel->family = sel->has_src ? sel->src.family :
		      sel->has_dst ? sel->dst.family : 0;
	pol->sel_loc = sel->has_src ? pol->src_loc :
		       sel->has_dst ? pol->dst_loc : pol->loc;
	return 0;
}

/* Counting workers twice is a chance to disagree: a list of CPUs alone says
 * how many workers there are. */
static int workers_finish(struct parser *p, const struct mapping *m,
			  void *base, uint32_t seen)
{
	struct sgw_conf *c = base;

	(void)p;
	(void)m;
	if (!(seen & 1u) && c->workers.n_cpus) /* row 0 is "count" */
		c->workers.count = c->workers.n_cpus;
	return 0;
}

/* What each item of a list of scalars must be, for messages. */
static const struct handler eal_arg = {
	"args", YAML_SCALAR_NODE, .what = "a non-empty string" };
static const struct handler cpu = {
	"cpus", YAML_SCALAR_NODE, .min = 0, .max = MAX_CPU };
static const struct handler port_addr = {
	"addresses", YAML_SCALAR_NODE,
	.what = "an address with a prefix length (like 198.51.100.1/24)" };

static const struct handler eal_keys[] = {
	{ "no_huge", YAML_SCALAR_NODE, conf_h_bool, FIELD(struct sgw_conf, eal.no_huge),
	  .what = "a boolean (true/false/yes/no)" },
	{ "memory_mb", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, eal.memory_mb), .min = 64, .max = 65536 },
	{ "file_prefix", YAML_SCALAR_NODE, h_string,
	  FIELD(struct sgw_conf, eal.file_prefix), .min = 1,
	  .what = "a non-empty string", .flags = F_LOC,
	  LOC(struct sgw_conf, eal.file_prefix_loc) },
	{ "control_cpu", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, eal.control_cpu), .max = MAX_CPU },
	{ "args", YAML_SEQUENCE_NODE, h_eal_args,
	  .what = "a list of strings", .item = &eal_arg },
	{ .key = NULL },
};

static const struct handler workers_keys[] = {
	/* "count" must stay row 0: workers_finish() tests its bit. */
	{ "count", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, workers.count), .min = 1, .max = SGW_MAX_WORKERS },
	{ "cpus", YAML_SEQUENCE_NODE, h_cpus, .what = "a list of CPU numbers",
	  .item = &cpu, .flags = F_LOC, LOC(struct sgw_conf, workers.cpus_loc) },
	{ "idle_sleep_us", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, workers.idle_sleep_us), .max = 100000,
	  .flags = F_LOC, LOC(struct sgw_conf, workers.idle_sleep_loc) },
	{ .key = NULL },
};

static const struct handler port_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_port, name),
	  .what = "a name of 1..31 characters from [A-Za-z0-9_-]",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_port, name_loc) },
	{ "device", YAML_SCALAR_NODE, h_device,
	  .what = "a PCI address (0000:03:00.0) or a DPDK virtual device (net_...)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_port, device_loc) },
	{ "mtu", YAML_SCALAR_NODE, conf_h_uint, FIELD(struct sgw_conf_port, mtu),
	  .min = 576, .max = 9000 },
	{ "rx_desc", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf_port, rx_desc), .min = 64, .max = 4096 },
	{ "tx_desc", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf_port, tx_desc), .min = 64, .max = 4096 },
	{ "addresses", YAML_SEQUENCE_NODE, h_addresses,
	  .what = "a list of addresses", .item = &port_addr },
	{ .key = NULL },
};

static const struct handler route_keys[] = {
	{ "to", YAML_SCALAR_NODE, h_to,
	  .what = "a prefix (like 192.0.2.0/24)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_route, to_loc) },
	{ "via", YAML_SCALAR_NODE, h_via,
	  .what = "an address without a prefix length (like 198.51.100.254)",
	  .flags = F_LOC, LOC(struct sgw_conf_route, via_loc) },
	{ "port", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_route, port),
	  .what = "a port name",
	  .flags = F_LOC, LOC(struct sgw_conf_route, port_loc) },
	{ "mac", YAML_SCALAR_NODE, h_mac,
	  .what = "a unicast MAC address (like 02:00:00:00:05:02)",
	  .flags = F_LOC, LOC(struct sgw_conf_route, mac_loc) },
	{ .key = NULL },
};

static const struct choice directions[] = {
	{ "in", true }, { "out", false }, { NULL, 0 } };
const struct choice conf_modes[] = {
	{ "tunnel", false }, { "transport", true }, { NULL, 0 } };
/* Also strongSwan's proposal names, which people copy from ipsec.conf. */
static const struct choice aeads[] = {
	{ "aes-gcm-128", 16 }, { "aes-gcm-256", 32 },
	{ "aes128gcm16", 16 }, { "aes256gcm16", 32 }, { NULL, 0 } };
static const struct choice encaps[] = {
	{ "none", false }, { "udp", true }, { NULL, 0 } };
static const struct choice actions[] = {
	{ "protect", SGW_POLICY_PROTECT }, { "bypass", SGW_POLICY_BYPASS },
	{ "discard", SGW_POLICY_DISCARD }, { NULL, 0 } };
const struct choice conf_protos[] = {
	{ "any", -1 }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP }, { "esp", IPPROTO_ESP }, { "gre", IPPROTO_GRE },
	{ NULL, 0 } };

static const struct handler lifetime_keys[] = {
	{ "soft_bytes", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_sa, soft_bytes), .what = "an integer 0.." U64_MAX_STR },
	{ "hard_bytes", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_sa, hard_bytes), .what = "an integer 0.." U64_MAX_STR },
	{ "soft_packets", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_sa, soft_packets), .what = "an integer 0.." U64_MAX_STR },
	{ "hard_packets", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_sa, hard_packets), .what = "an integer 0.." U64_MAX_STR },
	{ .key = NULL },
};

static const struct mapping lifetime_map = { "lifetime", lifetime_keys, NULL };

static const struct handler sa_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_sa, name),
	  .what = NAME_WHAT, .flags = F_REQUIRED | F_LOC | F_DOT,
	  LOC(struct sgw_conf_sa, name_loc) },
	{ "spi", YAML_SCALAR_NODE, h_spi,
	  .what = "an SPI 256..0xffffffff (0..255 are reserved)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_sa, spi_loc) },
	{ "direction", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_sa, inbound),
	  .choices = directions, .what = "a direction (in, out)", .flags = F_REQUIRED },
	{ "mode", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_sa, transport),
	  .choices = conf_modes, .what = "a mode (tunnel, transport)" },
	{ "aead", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_sa, key_len),
	  .choices = aeads,
	  .what = "an AEAD (aes-gcm-128, aes-gcm-256, aes128gcm16, aes256gcm16)" },
	/* key and key_file share key_loc: there is only ever one of them. */
	{ "key", YAML_SCALAR_NODE, h_key, .what = "'0x' and hex digits",
	  .flags = F_LOC, LOC(struct sgw_conf_sa, key_loc) },
	{ "key_file", YAML_SCALAR_NODE, h_key_file, .what = "a file name",
	  .flags = F_LOC, LOC(struct sgw_conf_sa, key_loc) },
	{ "esn", YAML_SCALAR_NODE, conf_h_bool, FIELD(struct sgw_conf_sa, esn),
	  .what = "a boolean (true/false/yes/no)" },
	{ "replay_window", YAML_SCALAR_NODE, h_window,
	  FIELD(struct sgw_conf_sa, replay_window), .min = 0, .max = 4096,
	  .what = "0 (no anti-replay) or a power of two 64..4096",
	  .flags = F_LOC, LOC(struct sgw_conf_sa, window_loc) },
	{ "seq", YAML_SCALAR_NODE, conf_h_u64, FIELD(struct sgw_conf_sa, seq), .min = 1,
	  .what = "an integer 1.." U64_MAX_STR,
	  .flags = F_LOC, LOC(struct sgw_conf_sa, seq_loc) },
	{ "local", YAML_SCALAR_NODE, h_addr, FIELD(struct sgw_conf_sa, local),
	  .what = "an address without a prefix length (like 203.0.113.1)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_sa, local_loc) },
	{ "remote", YAML_SCALAR_NODE, h_addr, FIELD(struct sgw_conf_sa, remote),
	  .what = "an address without a prefix length (like 203.0.113.2)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_sa, remote_loc) },
	{ "encap", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_sa, udp_encap),
	  .choices = encaps, .what = "an encapsulation (none, udp)" },
	{ "local_port", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf_sa, local_port), .min = 1, .max = 65535,
	  .flags = F_LOC, LOC(struct sgw_conf_sa, local_port_loc) },
	{ "remote_port", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf_sa, remote_port), .min = 1, .max = 65535,
	  .flags = F_LOC, LOC(struct sgw_conf_sa, remote_port_loc) },
	{ "lifetime", YAML_MAPPING_NODE, h_map, .map = &lifetime_map,
	  .flags = F_LOC, LOC(struct sgw_conf_sa, lifetime_loc) },
	{ .key = NULL },
};

static const struct handler policy_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_policy, name),
	  .what = NAME_WHAT, .flags = F_REQUIRED | F_LOC | F_DOT,
	  LOC(struct sgw_conf_policy, name_loc) },
	{ "direction", YAML_SCALAR_NODE, conf_h_choice,
	  FIELD(struct sgw_conf_policy, inbound), .choices = directions,
	  .what = "a direction (in, out)", .flags = F_REQUIRED },
	{ "src", YAML_SCALAR_NODE, h_src,
	  .what = "an address or a prefix (like 10.0.0.0/8)",
	  .flags = F_LOC, LOC(struct sgw_conf_policy, src_loc) },
	{ "dst", YAML_SCALAR_NODE, h_dst,
	  .what = "an address or a prefix (like 10.0.0.0/8)",
	  .flags = F_LOC, LOC(struct sgw_conf_policy, dst_loc) },
	{ "proto", YAML_SCALAR_NODE, h_proto, FIELD(struct sgw_conf_policy, sel.proto),
	  .choices = conf_protos,
	  .what = "a protocol (any, tcp, udp, icmp, icmpv6, sctp, esp, gre or 0..255)" },
	{ "src_ports", YAML_SCALAR_NODE, h_sports,
	  .what = "a port or a range (like 443 or 1024-65535)",
	  .flags = F_LOC, LOC(struct sgw_conf_policy, sport_loc) },
	{ "dst_ports", YAML_SCALAR_NODE, h_dports,
	  .what = "a port or a range (like 443 or 1024-65535)",
	  .flags = F_LOC, LOC(struct sgw_conf_policy, dport_loc) },
	{ "action", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_policy, action),
	  .choices = actions, .what = "an action (protect, bypass, discard)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_policy, action_loc) },
	{ "sa", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_policy, sa),
	  .what = "an SA name", .flags = F_LOC | F_DOT,
	  LOC(struct sgw_conf_policy, sa_loc) },
	{ .key = NULL },
};

static const struct handler cli_keys[] = {
	{ "socket", YAML_SCALAR_NODE, h_string,
	  FIELD(struct sgw_conf, cli.socket), .min = 1, .what = "a socket path",
	  .flags = F_LOC, LOC(struct sgw_conf, cli.socket_loc) },
	{ "mode", YAML_SCALAR_NODE, h_mode,
	  .what = "an octal file mode with a leading 0 (like 0660)",
	  .flags = F_LOC, LOC(struct sgw_conf, cli.mode_loc) },
	{ "group", YAML_SCALAR_NODE, h_string, FIELD(struct sgw_conf, cli.group),
	  .what = "a group name" },
	{ .key = NULL },
};

static const struct handler logging_keys[] = {
	{ "level", YAML_SCALAR_NODE, h_level,
	  .what = "a log level (emerg, alert, crit, err, warning, notice, info, debug)" },
	{ "target", YAML_SCALAR_NODE, h_target,
	  .what = "a log target (stderr, syslog)" },
	{ .key = NULL },
};

static const struct handler limits_keys[] = {
	{ "neighbours", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.neighbours), .min = 16, .max = 1048576 },
	{ "routes", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.routes), .min = 16, .max = 1048576 },
	{ "mbufs", YAML_SCALAR_NODE, h_mbufs,
	  FIELD(struct sgw_conf, limits.mbufs), .max = 1048576,
	  .what = "0 or an integer 1024..1048576" },
	{ "sas", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.sas), .min = 64, .max = MAX_SAS },
	{ "policies", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.policies), .min = 16, .max = MAX_POLICIES / 2 },
	{ "ike_sas", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.ike_sas), .min = 16, .max = 1048576,
	  .flags = F_LOC, LOC(struct sgw_conf, limits.ike_sas_loc) },
	{ "half_open", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, limits.half_open), .min = 16, .max = 1048576,
	  .flags = F_LOC, LOC(struct sgw_conf, limits.half_open_loc) },
	{ .key = NULL },
};

static const struct mapping eal_map = { "eal", eal_keys, NULL };
static const struct mapping workers_map = { "workers", workers_keys, workers_finish };
static const struct mapping port_map = { "ports entry", port_keys, NULL };
static const struct mapping route_map = { "routes entry", route_keys, NULL };
static const struct mapping sa_map = { "sas entry", sa_keys, sa_finish };
static const struct mapping policy_map = { "policies entry", policy_keys, policy_finish };
static const struct mapping cli_map = { "cli", cli_keys, NULL };
static const struct mapping logging_map = { "logging", logging_keys, NULL };
static const struct mapping limits_map = { "limits", limits_keys, NULL };

static const struct handler top_keys[] = {
	{ "role", YAML_SCALAR_NODE, h_role, FIELD(struct sgw_conf, role) },
	{ "eal", YAML_MAPPING_NODE, h_map, .map = &eal_map },
	{ "workers", YAML_MAPPING_NODE, h_map, .map = &workers_map },
	{ "ports", YAML_SEQUENCE_NODE, h_ports, .map = &port_map,
	  .what = "a list of 1..8 ports", .flags = F_REQUIRED | F_NONEMPTY },
	{ "routes", YAML_SEQUENCE_NODE, h_routes, .map = &route_map },
	{ "sas", YAML_SEQUENCE_NODE, h_sas, .map = &sa_map },
	{ "policies", YAML_SEQUENCE_NODE, h_policies, .map = &policy_map },
	{ "cli", YAML_MAPPING_NODE, h_map, .map = &cli_map },
	{ "logging", YAML_MAPPING_NODE, h_map, .map = &logging_map },
	{ "limits", YAML_MAPPING_NODE, h_map, .map = &limits_map },
	{ "ike", YAML_MAPPING_NODE, h_map, .map = &conf_ike_map },
	{ "pools", YAML_SEQUENCE_NODE, conf_h_pools, .map = &conf_pool_map },
	{ "peers", YAML_SEQUENCE_NODE, conf_h_peers, .map = &conf_peer_map },
	{ .key = NULL },
};

/* The secrets file is read once everything else is known. */
static const struct mapping top_map = { "top level", top_keys, conf_ike_finish };

ROWS_FIT(top_keys);
ROWS_FIT(eal_keys);
ROWS_FIT(workers_keys);
ROWS_FIT(port_keys);
ROWS_FIT(route_keys);
ROWS_FIT(sa_keys);
ROWS_FIT(lifetime_keys);
ROWS_FIT(policy_keys);
ROWS_FIT(cli_keys);
ROWS_FIT(logging_keys);
ROWS_FIT(limits_keys);
_Static_assert(SGW_MAX_PORTS == 8, "update the 'ports' description");

static const struct handler *lookup(const struct mapping *m,
				    const yaml_node_t *k)
{
	const struct handler *h;

	for (h = m->keys; h->key; h++)
		if (strlen(h->key) == k->data.scalar.length &&
		    memcmp(h->key, scalar(k), k->data.scalar.length) == 0)
			return h;
	return NULL;
}

static int unknown_key(struct parser *p, const struct mapping *m,
		       const yaml_node_t *k)
{
	char keys[384], got[SHOWBUF];
	const struct handler *h;
	size_t o = 0;

	keys[0] = '\0';
	for (h = m->keys; h->key && o < sizeof(keys); h++)
		o += (size_t)snprintf(keys + o, sizeof(keys) - o, "%s%s",
				      h == m->keys ? "" : ", ", h->key);
	if (k->type != YAML_SCALAR_NODE)
		return fail(p, k, "expected a key name in %s, got %s", m->where,
			    conf_show(k, got, sizeof(got)));
	return fail(p, k, "unknown key %s in %s (expected one of: %s)",
		    conf_show(k, got, sizeof(got)), m->where, keys);
}

static int missing_keys(struct parser *p, const struct mapping *m,
			const yaml_node_t *node, uint32_t seen)
{
	const struct handler *h;

	for (h = m->keys; h->key; h++)
		if ((h->flags & F_REQUIRED) && !(seen & (1u << (h - m->keys))))
			return fail(p, node, "missing required key '%s' in %s",
				    h->key, m->where);
	return 0;
}

/* One key's value: type first, so that handlers only see what they expect. */
static int walk_value(struct parser *p, const struct handler *h,
		      yaml_node_t *v, void *base)
{
	bool empty = is_null(v) ||
		     (v->type == YAML_SEQUENCE_NODE && n_items(v) == 0);

	if ((h->flags & F_NONEMPTY) && empty)
		return fail(p, v, "expected %s for '%s', got nothing", h->what,
			    h->key);
	if (h->flags & F_LOC)
		*(struct sgw_conf_loc *)((char *)base + h->loc_off) = loc_of(v);
	/* "eal:" with nothing under it means "no overrides", as in most tools. */
	if (h->type != YAML_SCALAR_NODE && is_null(v))
		return 0;
	if (v->type != h->type)
		return conf_bad_value(p, h, v);
	return h->fn(p, h, v, base);
}

static int walk_mapping(struct parser *p, yaml_node_t *node,
		      const struct mapping *m, void *base)
{
	yaml_mark_t first[32];
	yaml_node_pair_t *pair;
	uint32_t seen = 0;
	int ret;

	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const struct handler *h;
		unsigned i;

		if (k->type != YAML_SCALAR_NODE || !(h = lookup(m, k)))
			return unknown_key(p, m, k);
		i = (unsigned)(h - m->keys);
		if (seen & (1u << i)) {
			struct sgw_conf_loc f = loc_of_mark(first[i]);

			return fail(p, k, "duplicate key '%s' in %s (first at %u:%u)",
				    h->key, m->where, f.line, f.col);
		}
		seen |= 1u << i;
		first[i] = k->start_mark;
		ret = walk_value(p, h, v, base);
		if (ret < 0)
			return ret;
	}
	ret = missing_keys(p, m, node, seen);
	if (ret == 0 && m->finish)
		ret = m->finish(p, m, base, seen);
	return ret;
}

/* Loading ----------------------------------------------------------------- */

/* Reader errors (bad UTF-8, control characters) carry a byte offset, not a
 * mark; count lines ourselves so they get a place like every other error. */
static struct sgw_conf_loc loc_of_offset(const struct parser *p, size_t off)
{
	struct sgw_conf_loc loc = { 1, 1 };
	size_t i;

	if (off > p->len)
		off = p->len;
	for (i = 0; i < off; i++) {
		if (p->text[i] == '\n') {
			loc.line++;
			loc.col = 1;
		} else {
			loc.col++;
		}
	}
	return loc;
}

static int yaml_error(struct parser *p, const yaml_parser_t *yp)
{
	struct sgw_conf_loc at = loc_of_mark(yp->problem_mark);
	struct sgw_conf_loc ctx = loc_of_mark(yp->context_mark);
	const char *problem = yp->problem ? yp->problem : "unknown error";

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		sgw_conf_error(p->err, p->file, (struct sgw_conf_loc){ 0 },
			       "out of memory while reading YAML");
		return -ENOMEM;
	case YAML_READER_ERROR:
		at = loc_of_offset(p, yp->problem_offset);
		if (yp->problem_value != -1)
			return conf_fail_at(p, at, "cannot read YAML text: %s (0x%x)",
					    problem, (unsigned)yp->problem_value);
		return conf_fail_at(p, at, "cannot read YAML text: %s", problem);
	default:
		if (yp->context)
			return conf_fail_at(p, at, "YAML syntax error: %s (%s at %u:%u)",
					    problem, yp->context, ctx.line, ctx.col);
		return conf_fail_at(p, at, "YAML syntax error: %s", problem);
	}
}

/* libyaml frees what it read without clearing it, and the text may hold
 * SA keys or pre-shared keys: clear each scalar, and the reader's buffers,
 * before they go back to the heap. */
static void doc_delete(yaml_document_t *doc)
{
	yaml_node_t *n;

	for (n = doc->nodes.start; n && n < doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE)
			explicit_bzero(n->data.scalar.value, n->data.scalar.length);
	yaml_document_delete(doc);
}

static void parser_delete(yaml_parser_t *yp)
{
	if (yp->buffer.start)
		explicit_bzero(yp->buffer.start,
			       (size_t)(yp->buffer.end - yp->buffer.start));
	if (yp->raw_buffer.start)
		explicit_bzero(yp->raw_buffer.start,
			       (size_t)(yp->raw_buffer.end - yp->raw_buffer.start));
	yaml_parser_delete(yp);
}

/* A second document would be ignored by a naive reader; refuse it, so that
 * two configs pasted into one file are not half applied. */
static int load(struct parser *p, yaml_parser_t *yp)
{
	yaml_document_t extra;
	int ret = 0;

	if (!yaml_parser_load(yp, &p->doc))
		return yaml_error(p, yp);
	if (!yaml_parser_load(yp, &extra)) {
		ret = yaml_error(p, yp);
	} else {
		if (yaml_document_get_root_node(&extra))
			ret = conf_fail_at(p, loc_of_mark(extra.start_mark),
					   "only one YAML document is allowed");
		doc_delete(&extra);
	}
	if (ret < 0)
		doc_delete(&p->doc);
	return ret;
}

int conf_walk_text(struct parser *p, const char *text, size_t len,
		   const struct mapping *m, void *base, const char *empty)
{
	yaml_parser_t yp;
	yaml_node_t *root;
	char got[SHOWBUF];
	int ret;

	p->text = text;
	p->len = len;
	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	ret = load(p, &yp);
	if (ret == 0) {
		root = yaml_document_get_root_node(&p->doc);
		if (!root || is_null(root))
			ret = conf_fail_at(p, (struct sgw_conf_loc){ 1, 1 }, "%s", empty);
		else if (root->type != YAML_MAPPING_NODE)
			ret = fail(p, root, "expected a mapping at top level, got %s",
				   conf_show(root, got, sizeof(got)));
		else
			ret = walk_mapping(p, root, m, base);
		doc_delete(&p->doc);
	}
	parser_delete(&yp);
	return ret;
}

static struct sgw_conf *conf_new(const char *name)
{
	struct sgw_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->file, sizeof(c->file), "%s", name);
	c->role = SGW_ROLE_STANDALONE;
	c->eal.no_huge = true;
	c->eal.memory_mb = 256;
	snprintf(c->eal.file_prefix, sizeof(c->eal.file_prefix), "sgw");
	c->workers.count = 1;
	c->workers.idle_sleep_us = 100;
	snprintf(c->cli.socket, sizeof(c->cli.socket), "/run/sgw/sgwd.sock");
	c->cli.mode = 0660;
	c->logging.level = 6; /* info */
	c->logging.target = SGW_LOG_STDERR;
	c->limits.neighbours = 1024;
	c->limits.routes = 1024;
	c->limits.sas = 16384;
	c->limits.policies = 1024;
	c->limits.ike_sas = 16384;
	c->limits.half_open = 4096;
	conf_ike_defaults(c);
	return c;
}

int sgw_conf_parse(const char *name, const char *text, size_t len,
		   struct sgw_conf **out, struct sgw_conf_err *err)
{
	struct parser p = { .err = err };
	int ret;

	if (!name)
		name = "<string>";
	if (strlen(name) >= sizeof(p.c->file)) {
		sgw_conf_error(err, "<config>", (struct sgw_conf_loc){ 0 },
			       "file name too long");
		return -ENAMETOOLONG;
	}
	p.c = conf_new(name);
	if (!p.c) {
		sgw_conf_error(err, name, (struct sgw_conf_loc){ 0 },
			       "out of memory");
		return -ENOMEM;
	}
	p.file = p.c->file;
	ret = conf_walk_text(&p, text ? text : "", text ? len : 0, &top_map, p.c,
			     "the configuration is empty (at least 'ports' is required)");
	explicit_bzero(&p.key, sizeof(p.key));
	if (ret == -ENOMEM)
		sgw_conf_error(err, name, (struct sgw_conf_loc){ 0 }, "out of memory");
	if (ret < 0) {
		sgw_conf_free(p.c);
		return ret;
	}
	*out = p.c;
	return 0;
}

/* One list item from the CLI: a document whose root is the item's mapping,
 * walked with the same table as the file's list, then checked alone. */
static int parse_item(const char *what, const char *text, size_t len,
		      const struct mapping *m, void *out,
		      void (*defaults)(void *, const yaml_node_t *),
		      int (*check)(const struct sgw_conf *, void *, struct sgw_conf_err *),
		      struct sgw_conf_err *err)
{
	struct parser p = { .text = text, .len = len, .err = err };
	yaml_parser_t yp;
	yaml_node_t *root;
	char got[SHOWBUF];
	int ret;

	p.c = conf_new(what);
	if (!p.c || !yaml_parser_initialize(&yp)) {
		sgw_conf_error(err, what, (struct sgw_conf_loc){ 0 }, "out of memory");
		free(p.c);
		return -ENOMEM;
	}
	p.file = p.c->file;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	ret = load(&p, &yp);
	if (ret == 0) {
		root = yaml_document_get_root_node(&p.doc);
		if (!root || root->type != YAML_MAPPING_NODE) {
			ret = conf_fail_at(&p, (struct sgw_conf_loc){ 1, 1 },
					   "expected KEY=VALUE words, got %s", root ?
					   conf_show(root, got, sizeof(got)) : "nothing");
		} else {
			defaults(out, root);
			memset(&p.key, 0, sizeof(p.key));
			ret = walk_mapping(&p, root, m, out);
		}
		doc_delete(&p.doc);
	}
	parser_delete(&yp);
	explicit_bzero(&p.key, sizeof(p.key));
	if (ret == 0)
		ret = check(p.c, out, err);
	sgw_conf_free(p.c);
	return ret;
}

static void sa_item_defaults(void *o, const yaml_node_t *it)
{
	memset(o, 0, sizeof(struct sgw_conf_sa));
	sa_defaults(o, it);
}

static void policy_item_defaults(void *o, const yaml_node_t *it)
{
	memset(o, 0, sizeof(struct sgw_conf_policy));
	policy_defaults(o, it);
}

static int sa_item_check(const struct sgw_conf *c, void *o, struct sgw_conf_err *err)
{
	return sgw_conf_check_sa_alone(c, o, err);
}

static int policy_item_check(const struct sgw_conf *c, void *o, struct sgw_conf_err *err)
{
	return sgw_conf_check_policy_alone(c, o, err);
}

int sgw_conf_parse_sa_item(const char *text, size_t len, struct sgw_conf_sa *out,
			   struct sgw_conf_err *err)
{
	int ret = parse_item("sa", text, len, &sa_map, out, sa_item_defaults,
			     sa_item_check, err);

	if (ret < 0)
		explicit_bzero(out, sizeof(*out));
	return ret;
}

int sgw_conf_parse_policy_item(const char *text, size_t len,
			       struct sgw_conf_policy *out, struct sgw_conf_err *err)
{
	return parse_item("policy", text, len, &policy_map, out, policy_item_defaults,
			  policy_item_check, err);
}

/* Reads to EOF rather than trusting st_size, so /dev/stdin and pipes work. */
static int read_all(int fd, char **text, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap >= MAX_FILE_SIZE) {
				free(buf);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*text = buf;
	*len = n;
	return 0;
}

int sgw_conf_parse_file(const char *path, struct sgw_conf **out,
			struct sgw_conf_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		sgw_conf_error(err, path, (struct sgw_conf_loc){ 0 }, "%s",
			       strerror(-ret));
		return ret;
	}
	ret = read_all(fd, &text, &len);
	close(fd);
	if (ret == -EFBIG)
		sgw_conf_error(err, path, (struct sgw_conf_loc){ 0 },
			       "larger than %u MiB, not a configuration", MAX_FILE_SIZE >> 20);
	else if (ret < 0)
		sgw_conf_error(err, path, (struct sgw_conf_loc){ 0 }, "%s",
			       strerror(-ret));
	if (ret < 0)
		return ret;
	ret = sgw_conf_parse(path, text, len, out, err);
	/* The file may hold SA keys. */
	explicit_bzero(text, len);
	free(text);
	return ret;
}
