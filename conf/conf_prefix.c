/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers of the conf module shared with the CLI and the dataplane:
 * prefixes, log level names, error formatting, and load/free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf.h"

int sgw_conf_error(struct sgw_conf_err *err, const char *file,
		   struct sgw_conf_loc loc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -EINVAL;
	if (loc.line)
		n = snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ",
			     file, loc.line, loc.col);
	else
		n = snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	/* A path that fills the buffer leaves no room for the message; the
	 * message is the part that matters, so it is still cut, not lost. */
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Strict decimal 0..max: no sign, no spaces, no leading zeros ("/024" is
 * octal to some tools and a typo to everyone else). */
static int parse_len(const char *s, unsigned max, uint8_t *len)
{
	unsigned v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -ERANGE;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -ERANGE;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*len = (uint8_t)v;
	return 0;
}

int sgw_prefix_parse(const char *s, struct sgw_prefix *p, bool need_len)
{
	char buf[INET6_ADDRSTRLEN];
	struct sgw_prefix r = { 0 };
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, r.addr) == 1)
		r.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, r.addr) == 1)
		r.family = AF_INET6;
	else
		return -EINVAL;

	if (!slash) {
		if (need_len)
			return -ENOENT;
		r.len = (uint8_t)family_bits(r.family);
	} else if (parse_len(slash + 1, family_bits(r.family), &r.len) < 0) {
		return -ERANGE;
	}
	*p = r;
	return 0;
}

const char *sgw_prefix_str(const struct sgw_prefix *p, bool with_len,
			   char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (size == 0)
		return buf;
	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (with_len)
		snprintf(buf, size, "%s/%u", a, p->len);
	else
		snprintf(buf, size, "%s", a);
	return buf;
}

bool sgw_prefix_contains(const struct sgw_prefix *net, const uint8_t *addr,
			 int family)
{
	unsigned full, rest;

	if (net->family != family || net->len > family_bits(family))
		return false;
	full = net->len / 8u;
	rest = net->len % 8u;
	if (memcmp(net->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ addr[full]) & (0xffu << (8 - rest))) == 0;
}

/* Indexed by syslog priority (LOG_EMERG = 0 .. LOG_DEBUG = 7). */
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

const char *sgw_log_level_name(int level)
{
	if (level < 0 || level >= (int)(sizeof(level_names) / sizeof(level_names[0])))
		return "unknown";
	return level_names[level];
}

int sgw_log_level_parse(const char *s)
{
	int i;

	for (i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	/* The spellings people type from other tools' documentation. */
	if (strcasecmp(s, "error") == 0)
		return 3;
	if (strcasecmp(s, "warn") == 0)
		return 4;
	return -1;
}

void sgw_conf_free(struct sgw_conf *c)
{
	unsigned i;

	if (!c)
		return;
	free(c->routes);
	/* Keys do not outlive the configuration in freed memory. */
	if (c->sas)
		explicit_bzero(c->sas, c->n_sas * sizeof(*c->sas));
	free(c->sas);
	free(c->policies);
	free(c->pools);
	for (i = 0; c->peers && i < c->n_peers; i++)
		free(c->peers[i].children);
	free(c->peers);
	if (c->secrets)
		explicit_bzero(c->secrets, c->n_secrets * sizeof(*c->secrets));
	free(c->secrets);
	free(c);
}

int sgw_conf_load(const char *path, struct sgw_conf **out,
		  struct sgw_conf_err *err)
{
	struct sgw_conf *c;
	int ret;

	if (path)
		ret = sgw_conf_parse_file(path, &c, err);
	else
		ret = sgw_conf_parse(SGW_CONF_DEFAULT_NAME, sgw_conf_default_yaml,
				     sgw_conf_default_yaml_len, &c, err);
	if (ret < 0)
		return ret;
	ret = sgw_conf_validate(c, err);
	if (ret < 0) {
		sgw_conf_free(c);
		return ret;
	}
	*out = c;
	return 0;
}
