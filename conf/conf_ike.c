/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 part of the configuration: 'ike', 'pools' and 'peers', and the
 * secrets file named by ike.secrets.
 *
 * The syntax is strongSwan's where strongSwan has one (proposals such as
 * "aes128gcm16-prfsha256-x25519", traffic selectors such as
 * "10.0.0.0/24[tcp/443]", identities typed from their text), so that an
 * operator can carry a swanctl.conf over. What cannot be judged from one
 * value alone (names, pools, addresses of our ports, whether a secret
 * exists) is left to conf_validate.c.
 *
 * Pre-shared keys live in their own file so that the configuration can be
 * shared without them. Like SA keys they never appear in a message, and
 * like ssh's private keys the file must not be readable by others (checked
 * by sgw_conf_validate(), last, so that other mistakes are reported first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_yaml.h"

#define MAX_POOLS        256u
#define MAX_PEERS        4096u
#define MAX_SECRETS      16384u
#define SECRETS_FILE_MAX (1u << 20)
#define MAX_RDNS         16
#define TEN_YEARS        (3650u * 86400u)

/* Durations ----------------------------------------------------------------- */

/* Seconds, as a decimal integer or with a unit: "90", "30s", "10m", "4h",
 * "1d". The row's min..max is in seconds. */
static int h_duration(struct parser *p, const struct handler *h, yaml_node_t *v,
		      void *base)
{
	const char *s = scalar(v);
	size_t i, n = v->data.scalar.length;
	uint64_t r = 0, unit = 1;

	if (n > 0) {
		switch (s[n - 1]) {
		case 's': unit = 1; n--; break;
		case 'm': unit = 60; n--; break;
		case 'h': unit = 3600; n--; break;
		case 'd': unit = 86400; n--; break;
		default: break;
		}
	}
	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return conf_bad_value(p, h, v);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return conf_bad_value(p, h, v);
		r = r * 10 + (uint64_t)(s[i] - '0');
	}
	r *= unit;
	if (r < h->min || r > h->max)
		return conf_bad_value(p, h, v);
	conf_store_uint((char *)base + h->off, h->size, (unsigned)r);
	return 0;
}

/* "1.8": a decimal with up to three places, read without strtod(), whose
 * idea of the decimal point depends on the locale. The row's min..max are
 * in thousandths. */
static int h_factor(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	const char *s = scalar(v);
	size_t i, n = v->data.scalar.length;
	uint64_t milli = 0;
	unsigned places = 0;
	bool point = false;

	if (n == 0 || n > 8 || s[0] == '.' || s[n - 1] == '.' ||
	    (n > 1 && s[0] == '0' && s[1] != '.'))
		return conf_bad_value(p, h, v);
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && !point) {
			point = true;
		} else if (s[i] >= '0' && s[i] <= '9' && places < 3) {
			milli = milli * 10 + (uint64_t)(s[i] - '0');
			places += point;
		} else {
			return conf_bad_value(p, h, v);
		}
	}
	for (; places < 3; places++)
		milli *= 10;
	if (milli < h->min || milli > h->max)
		return conf_bad_value(p, h, v);
	*(double *)((char *)base + h->off) = milli / 1000.0;
	return 0;
}

/* Where byte off of a scalar's value is in the file: exact for a plain or
 * quoted scalar on one line whose text is its value (no escapes, no
 * multi-byte characters), else the scalar's own start. */
static struct sgw_conf_loc at_offset(const yaml_node_t *v, size_t off)
{
	struct sgw_conf_loc loc = loc_of(v);
	size_t span = v->end_mark.index - v->start_mark.index;
	size_t n = v->data.scalar.length;

	if (v->start_mark.line != v->end_mark.line)
		return loc;
	if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && span == n)
		loc.col += (unsigned)off;
	else if ((v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		  v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
		 span == n + 2)
		loc.col += (unsigned)off + 1;
	return loc;
}

/* Identities ------------------------------------------------------------------ */

enum id_use { ID_LOCAL, ID_REMOTE, ID_SECRET };

/* DER tags of the strings a Name holds (X.680). */
enum {
	ASN1_UTF8 = 0x0c,
	ASN1_PRINTABLE = 0x13,
	ASN1_IA5 = 0x16,
	ASN1_OID = 0x06,
	ASN1_SEQUENCE = 0x30,
	ASN1_SET = 0x31,
};

/* The attributes a DN may name, as strongSwan and OpenSSL spell them, and
 * the string type OpenSSL writes for each into a certificate's subject
 * (countryName is a PrintableString by definition, emailAddress an
 * IA5String, the rest UTF8String under OpenSSL's default string_mask). */
static const struct rdn_attr {
	const char *name;
	uint8_t tag;
	uint8_t oid_len;
	uint8_t oid[9];
} rdn_attrs[] = {
	{ "C", ASN1_PRINTABLE, 3, { 0x55, 0x04, 0x06 } },   /* 2.5.4.6 */
	{ "ST", ASN1_UTF8, 3, { 0x55, 0x04, 0x08 } },       /* 2.5.4.8 */
	{ "L", ASN1_UTF8, 3, { 0x55, 0x04, 0x07 } },        /* 2.5.4.7 */
	{ "O", ASN1_UTF8, 3, { 0x55, 0x04, 0x0a } },        /* 2.5.4.10 */
	{ "OU", ASN1_UTF8, 3, { 0x55, 0x04, 0x0b } },       /* 2.5.4.11 */
	{ "CN", ASN1_UTF8, 3, { 0x55, 0x04, 0x03 } },       /* 2.5.4.3 */
	/* 1.2.840.113549.1.9.1 (PKCS #9) */
	{ "emailAddress", ASN1_IA5, 9,
	  { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 } },
	{ "E", ASN1_IA5, 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 } },
	{ "Email", ASN1_IA5, 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 } },
};

#define DN_WHAT "a distinguished name like 'C=CH, O=Example, CN=gw.example.net'"

/* Tag and definite length (X.690 8.1.3): short form below 128, else 0x81
 * and one byte; nothing here is longer than SGW_ID_MAX. */
static size_t der_hdr_size(size_t len)
{
	return len < 0x80 ? 2 : 3;
}

static uint8_t *der_hdr(uint8_t *o, uint8_t tag, size_t len)
{
	*o++ = tag;
	if (len >= 0x80)
		*o++ = 0x81;
	*o++ = (uint8_t)len;
	return o;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static const struct rdn_attr *rdn_attr(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(rdn_attrs) / sizeof(rdn_attrs[0]); i++)
		if (strlen(rdn_attrs[i].name) == n &&
		    strncasecmp(rdn_attrs[i].name, s, n) == 0)
			return &rdn_attrs[i];
	return NULL;
}

/* One "KEY=VALUE" of a DN, spaces around both trimmed. */
static int rdn_value(const char *s, size_t n, const struct rdn_attr **attr,
		     const char **val, size_t *vlen, const char *key,
		     char *why, size_t wsize)
{
	const char *eq = memchr(s, '=', n);
	size_t a = 0, b, i;

	while (n > 0 && is_space(s[n - 1]))
		n--;
	while (n > 0 && is_space(s[0])) {
		s++;
		n--;
	}
	if (n == 0) {
		snprintf(why, wsize, "expected %s for '%s' (an empty attribute)",
			 DN_WHAT, key);
		return -EINVAL;
	}
	if (!eq) {
		snprintf(why, wsize, "expected %s for '%s' ('%.*s' has no '=')",
			 DN_WHAT, key, (int)(n > 32 ? 32 : n), s);
		return -EINVAL;
	}
	b = (size_t)(eq - s);
	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	*attr = rdn_attr(s + a, b - a);
	if (!*attr) {
		snprintf(why, wsize, "expected %s for '%s' (unknown attribute '%.*s'; "
			 "known: C, ST, L, O, OU, CN, emailAddress)", DN_WHAT, key,
			 (int)(b - a > 32 ? 32 : b - a), s + a);
		return -EINVAL;
	}
	a = (size_t)(eq - s) + 1;
	b = n;
	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	*val = s + a;
	*vlen = b - a;
	/* strongSwan reads "CN=*" as a pattern; this is no place for one. */
	if (*vlen == 1 && **val == '*') {
		snprintf(why, wsize, "expected %s for '%s' (wildcards are not "
			 "supported in distinguished names)", DN_WHAT, key);
		return -EINVAL;
	}
	if (*vlen == 0 || memchr(*val, '=', *vlen)) {
		snprintf(why, wsize, "expected %s for '%s' (%s value of '%s')", DN_WHAT,
			 key, *vlen ? "an '=' in the" : "an empty", (*attr)->name);
		return -EINVAL;
	}
	for (i = 0; i < *vlen; i++) {
		unsigned char ch = (unsigned char)(*val)[i];

		/* PrintableString and IA5String are ASCII; C is ISO 3166. */
		if (((*attr)->tag != ASN1_UTF8 && ch > 0x7e) ||
		    ((*attr)->tag == ASN1_PRINTABLE &&
		     !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))) {
			snprintf(why, wsize, "expected %s for '%s' (%s must be %s)",
				 DN_WHAT, key, (*attr)->name,
				 (*attr)->tag == ASN1_PRINTABLE ?
				 "a two-letter country code" : "ASCII");
			return -EINVAL;
		}
	}
	if ((*attr)->tag == ASN1_PRINTABLE && *vlen != 2) {
		snprintf(why, wsize, "expected %s for '%s' (C must be a two-letter "
			 "country code)", DN_WHAT, key);
		return -EINVAL;
	}
	return 0;
}

/* "C=CH, O=Example, CN=gw" (or OpenSSL's "/C=CH/O=Example/CN=gw") to the
 * DER of a Name: SEQUENCE OF RelativeDistinguishedName, each a SET of one
 * SEQUENCE { OID, string }, in the order written (RFC 5280 4.1.2.4). */
static int dn_der(const char *s, size_t n, struct sgw_conf_id *id,
		  const char *key, char *why, size_t wsize)
{
	uint8_t rdns[SGW_ID_MAX], *o = rdns;
	char sep = ',';
	size_t a = 0, b, vlen, count = 0, str, seq, set;
	const struct rdn_attr *attr;
	const char *val;
	int ret;

	if (n > 0 && s[0] == '/') {
		sep = '/';
		a = 1;
	}
	while (a <= n) {
		const char *end = memchr(s + a, sep, n - a);

		b = end ? (size_t)(end - s) : n;
		if (++count > MAX_RDNS) {
			snprintf(why, wsize, "expected %s for '%s' (at most %d attributes)",
				 DN_WHAT, key, MAX_RDNS);
			return -EINVAL;
		}
		ret = rdn_value(s + a, b - a, &attr, &val, &vlen, key, why, wsize);
		if (ret < 0)
			return ret;
		str = der_hdr_size(vlen) + vlen;
		seq = 2 + attr->oid_len + str;
		set = der_hdr_size(seq) + seq;
		/* The Name's own header takes at least 2 bytes. */
		if (vlen > SGW_ID_MAX ||
		    (size_t)(o - rdns) + der_hdr_size(set) + set > SGW_ID_MAX - 2)
			break; /* too long: refused below */
		o = der_hdr(o, ASN1_SET, set);
		o = der_hdr(o, ASN1_SEQUENCE, seq);
		*o++ = ASN1_OID;
		*o++ = attr->oid_len;
		memcpy(o, attr->oid, attr->oid_len);
		o += attr->oid_len;
		o = der_hdr(o, attr->tag, vlen);
		memcpy(o, val, vlen);
		o += vlen;
		a = b + 1;
	}
	if (a <= n || der_hdr_size((size_t)(o - rdns)) + (size_t)(o - rdns) > SGW_ID_MAX) {
		snprintf(why, wsize, "expected %s for '%s' (longer than %d bytes "
			 "as DER)", DN_WHAT, key, SGW_ID_MAX);
		return -EINVAL;
	}
	b = (size_t)(der_hdr(id->data, ASN1_SEQUENCE, (size_t)(o - rdns)) - id->data);
	memcpy(id->data + b, rdns, (size_t)(o - rdns));
	id->len = (uint16_t)(b + (size_t)(o - rdns));
	id->type = SGW_ID_DER_ASN1_DN;
	return 0;
}

static bool fqdn_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
}

/* A host name, or the part of an email address after '@'. */
static bool fqdn_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!fqdn_char(s[i]))
			return false;
	return n > 0;
}

static bool email_ok(const char *s, size_t n, bool wildcard)
{
	const char *at = memchr(s, '@', n);
	size_t i;

	if (!at || (at == s && !wildcard) || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	for (i = 0; i < (size_t)(at - s); i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return fqdn_ok(at + 1, n - (size_t)(at - s) - 1);
}

/* strongSwan's explicit types ("fqdn:gw.example.net"), and ours. */
static const struct id_prefix {
	const char *name;
	int type;                /* SGW_ID_IPV4_ADDR for both IP families */
} id_prefixes[] = {
	{ "fqdn:", SGW_ID_FQDN }, { "dns:", SGW_ID_FQDN },
	{ "email:", SGW_ID_RFC822_ADDR }, { "rfc822:", SGW_ID_RFC822_ADDR },
	{ "userfqdn:", SGW_ID_RFC822_ADDR },
	{ "ip:", SGW_ID_IPV4_ADDR }, { "ipv4:", SGW_ID_IPV4_ADDR },
	{ "ipv6:", SGW_ID_IPV6_ADDR },
	{ "dn:", SGW_ID_DER_ASN1_DN }, { "asn1dn:", SGW_ID_DER_ASN1_DN },
};

#define ID_WHAT "an identity (an IP address, a domain name, an email address " \
		"or a distinguished name)"

/* want: 0 for either family, else SGW_ID_IPV4_ADDR or SGW_ID_IPV6_ADDR. */
static int ip_id(const char *s, size_t n, int want, struct sgw_conf_id *id)
{
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (want != SGW_ID_IPV6_ADDR && inet_pton(AF_INET, buf, id->data) == 1) {
		id->type = SGW_ID_IPV4_ADDR;
		id->len = 4;
		return 0;
	}
	if (want != SGW_ID_IPV4_ADDR && inet_pton(AF_INET6, buf, id->data) == 1) {
		id->type = SGW_ID_IPV6_ADDR;
		id->len = 16;
		return 0;
	}
	return -EINVAL;
}

/* An identity from its text, typed as strongSwan types it: an explicit
 * "type:" prefix; else '=' makes a DN, '@' an email address (a leading '@'
 * a domain name without it), an IP literal an IP address, anything else a
 * domain name. On failure why[] holds the message, without the value. */
static int parse_id(const char *s, size_t n, enum id_use use, const char *key,
		    struct sgw_conf_id *id, char *why, size_t wsize)
{
	int type = 0;
	bool star = false;
	size_t i;

	memset(id, 0, sizeof(*id));
	if (n == 4 && memcmp(s, "%any", 4) == 0) {
		if (use == ID_REMOTE)
			return 0;
		snprintf(why, wsize, "'%%any' is only allowed for 'remote_id'");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		size_t pl = strlen(id_prefixes[i].name);

		if (n >= pl && memcmp(s, id_prefixes[i].name, pl) == 0) {
			type = id_prefixes[i].type;
			/* "ip:" is either family; "ipv4:" IPv4 only */
			if (strcmp(id_prefixes[i].name, "ip:") == 0)
				type = -1;
			s += pl;
			n -= pl;
			break;
		}
	}
	if (n > 0 && s[0] == '*') {
		if (use != ID_REMOTE) {
			snprintf(why, wsize, "a wildcard is only allowed for 'remote_id'");
			return -EINVAL;
		}
		if (n < 2 || (s[1] != '.' && s[1] != '@') ||
		    (type != 0 && type != SGW_ID_FQDN && type != SGW_ID_RFC822_ADDR)) {
			snprintf(why, wsize, "expected '*.' or '*@' at the start of a "
				 "wildcard domain name or email address for '%s'", key);
			return -EINVAL;
		}
		star = true;
		s++;
		n--;
	}
	if (type == 0) {
		if (memchr(s, '=', n))
			type = SGW_ID_DER_ASN1_DN;
		else if (n > 0 && s[0] == '@' && !star) {
			type = SGW_ID_FQDN;
			s++;
			n--;
		} else if (memchr(s, '@', n))
			type = SGW_ID_RFC822_ADDR;
		else if (ip_id(s, n, 0, id) == 0)
			return 0;
		else
			type = SGW_ID_FQDN;
	}
	if (star && type == SGW_ID_DER_ASN1_DN) {
		snprintf(why, wsize, "a wildcard is only allowed in a domain name or "
			 "an email address for '%s'", key);
		return -EINVAL;
	}
	if (n > SGW_ID_MAX && type != SGW_ID_DER_ASN1_DN) {
		snprintf(why, wsize, "expected %s of at most %d bytes for '%s'",
			 ID_WHAT, SGW_ID_MAX, key);
		return -EINVAL;
	}
	switch (type) {
	case SGW_ID_DER_ASN1_DN:
		return dn_der(s, n, id, key, why, wsize);
	case -1:
	case SGW_ID_IPV4_ADDR:
	case SGW_ID_IPV6_ADDR:
		if (ip_id(s, n, type == -1 ? 0 : type, id) == 0)
			return 0;
		snprintf(why, wsize, "expected an %s address for '%s'",
			 type == SGW_ID_IPV4_ADDR ? "IPv4" : type == SGW_ID_IPV6_ADDR ?
			 "IPv6" : "IP", key);
		return -EINVAL;
	case SGW_ID_RFC822_ADDR:
		if (!email_ok(s, n, star)) {
			snprintf(why, wsize, "expected an email address (one '@', no "
				 "spaces) for '%s'", key);
			return -EINVAL;
		}
		break;
	default:
		if (n == 0) {
			snprintf(why, wsize, "expected " ID_WHAT " for '%s'", key);
			return -EINVAL;
		}
		if (!fqdn_ok(s, n)) {
			snprintf(why, wsize, "expected a domain name of letters, digits, "
				 "'-', '_' and '.' for '%s'", key);
			return -EINVAL;
		}
		break;
	}
	id->type = (uint8_t)type;
	id->wildcard = star;
	id->len = (uint16_t)n;
	memcpy(id->data, s, n);
	return 0;
}

static int take_id(struct parser *p, const struct handler *h, const yaml_node_t *v,
		   enum id_use use, struct sgw_conf_id *id)
{
	const unsigned char *s = v->data.scalar.value;
	char why[256], got[SHOWBUF];
	size_t i;

	if (v->type != YAML_SCALAR_NODE)
		return conf_bad_value(p, h, v);
	for (i = 0; i < v->data.scalar.length; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return fail(p, v, "control characters are not allowed in '%s'",
				    h->key);
	if (parse_id(scalar(v), v->data.scalar.length, use, h->key, id, why,
		     sizeof(why)) == 0)
		return 0;
	return fail(p, v, "%s, got %s", why, conf_show(v, got, sizeof(got)));
}

static int h_local_id(struct parser *p, const struct handler *h, yaml_node_t *v,
		      void *base)
{
	return take_id(p, h, v, ID_LOCAL, &((struct sgw_conf_peer *)base)->local_id);
}

static int h_remote_id(struct parser *p, const struct handler *h, yaml_node_t *v,
		       void *base)
{
	return take_id(p, h, v, ID_REMOTE, &((struct sgw_conf_peer *)base)->remote_id);
}

/* Proposals -------------------------------------------------------------------- */

enum alg_kind { K_ENCR, K_INTEG, K_PRF, K_DH, K_ESN };

/* strongSwan's names for what this gateway implements. */
static const struct alg {
	const char *name;
	uint8_t kind;
	uint16_t id;
	uint16_t bits;           /* encryption key length */
} algs[] = {
	{ "aes128gcm16", K_ENCR, SGW_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm16", K_ENCR, SGW_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm", K_ENCR, SGW_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm", K_ENCR, SGW_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm128", K_ENCR, SGW_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm128", K_ENCR, SGW_ENCR_AES_GCM_16, 256 },
	{ "aes128", K_ENCR, SGW_ENCR_AES_CBC, 128 },
	{ "aes256", K_ENCR, SGW_ENCR_AES_CBC, 256 },
	{ "sha256", K_INTEG, SGW_AUTH_HMAC_SHA2_256_128, 0 },
	{ "sha384", K_INTEG, SGW_AUTH_HMAC_SHA2_384_192, 0 },
	{ "sha512", K_INTEG, SGW_AUTH_HMAC_SHA2_512_256, 0 },
	{ "sha2_256", K_INTEG, SGW_AUTH_HMAC_SHA2_256_128, 0 },
	{ "sha2_384", K_INTEG, SGW_AUTH_HMAC_SHA2_384_192, 0 },
	{ "sha2_512", K_INTEG, SGW_AUTH_HMAC_SHA2_512_256, 0 },
	{ "prfsha256", K_PRF, SGW_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", K_PRF, SGW_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", K_PRF, SGW_PRF_HMAC_SHA2_512, 0 },
	{ "x25519", K_DH, SGW_DH_CURVE25519, 0 },
	{ "curve25519", K_DH, SGW_DH_CURVE25519, 0 },
	{ "ecp256", K_DH, SGW_DH_ECP_256, 0 },
	{ "ecp384", K_DH, SGW_DH_ECP_384, 0 },
	{ "modp2048", K_DH, SGW_DH_MODP_2048, 0 },
	{ "modp3072", K_DH, SGW_DH_MODP_3072, 0 },
	{ "esn", K_ESN, 1, 0 },
	{ "noesn", K_ESN, 0, 0 },
};

#define ALGS_KNOWN "aes128gcm16 aes256gcm16 aes128 aes256 sha256 sha384 sha512 " \
		   "prfsha256 prfsha384 prfsha512 x25519 ecp256 ecp384 modp2048 " \
		   "modp3072 esn noesn"

static const char *const kind_names[] = {
	"encryption algorithms", "integrity algorithms", "PRFs", "DH groups", "",
};

/* When a proposal names no PRF, each integrity algorithm brings its own,
 * as in strongSwan. */
static uint16_t prf_of(uint16_t integ)
{
	switch (integ) {
	case SGW_AUTH_HMAC_SHA2_256_128: return SGW_PRF_HMAC_SHA2_256;
	case SGW_AUTH_HMAC_SHA2_384_192: return SGW_PRF_HMAC_SHA2_384;
	default: return SGW_PRF_HMAC_SHA2_512;
	}
}

static bool has_id(const uint16_t *ids, unsigned n, uint16_t id)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Adds token t (of algs[]) to pr; the message is the caller's. */
static const char *add_alg(struct sgw_conf_proposal *pr, const struct alg *t)
{
	static const unsigned max[] = { 4, 4, 4, 8 };
	uint8_t *n[] = { &pr->n_encr, &pr->n_integ, &pr->n_prf, &pr->n_dh };
	uint16_t *ids[] = { NULL, pr->integ, pr->prf, pr->dh };
	unsigned i;

	if (t->kind == K_ESN) {
		if ((t->id && pr->esn) || (!t->id && pr->noesn))
			return "twice";
		*(t->id ? &pr->esn : &pr->noesn) = true;
		return NULL;
	}
	if (t->kind == K_ENCR) {
		for (i = 0; i < pr->n_encr; i++)
			if (pr->encr[i].id == t->id && pr->encr[i].key_bits == t->bits)
				return "twice";
	} else if (has_id(ids[t->kind], *n[t->kind], t->id)) {
		return "twice";
	}
	if (*n[t->kind] == max[t->kind])
		return "too many";
	if (t->kind == K_ENCR) {
		pr->encr[pr->n_encr].id = t->id;
		pr->encr[pr->n_encr++].key_bits = t->bits;
	} else {
		ids[t->kind][(*n[t->kind])++] = t->id;
	}
	return NULL;
}

/* One proposal, "aes128gcm16-prfsha256-x25519". Token errors point at the
 * token; errors about the whole proposal at the proposal. */
static int take_proposal(struct parser *p, const struct handler *h,
			 const yaml_node_t *v, bool esp, struct sgw_conf_proposal *pr)
{
	const char *s = scalar(v), *why;
	size_t n = v->data.scalar.length, a = 0, b, i;
	size_t aead_at = SIZE_MAX, cbc_at = SIZE_MAX, integ_at = SIZE_MAX, at2;
	int aead_len = 0, cbc_len = 0, integ_len = 0;
	char got[SHOWBUF];

	if (v->type != YAML_SCALAR_NODE || n == 0 || strlen(s) != n)
		return conf_bad_value(p, h->item, v);
	memset(pr, 0, sizeof(*pr));
	for (a = 0; a <= n; a = b + 1) {
		const char *dash = memchr(s + a, '-', n - a);
		const struct alg *t = NULL;
		struct sgw_conf_loc at = at_offset(v, a);
		int tl;

		b = dash ? (size_t)(dash - s) : n;
		tl = (int)(b - a > 32 ? 32 : b - a);
		for (i = 0; i < sizeof(algs) / sizeof(algs[0]) && b > a; i++)
			if (strlen(algs[i].name) == b - a &&
			    memcmp(algs[i].name, s + a, b - a) == 0)
				t = &algs[i];
		if (b == a)
			return conf_fail_at(p, at, "empty algorithm name in a proposal "
					    "for '%s'", h->key);
		if (!t)
			return conf_fail_at(p, at, "unknown algorithm '%.*s' in '%s' "
					    "(known: " ALGS_KNOWN ")", tl, s + a, h->key);
		if (esp && t->kind == K_PRF)
			return conf_fail_at(p, at, "'%.*s' is a PRF, which ESP "
					    "proposals do not have", tl, s + a);
		if (!esp && t->kind == K_ESN)
			return conf_fail_at(p, at, "'%.*s' is only allowed in ESP "
					    "proposals", tl, s + a);
		if (esp && t->kind == K_ENCR && t->id == SGW_ENCR_AES_CBC)
			return conf_fail_at(p, at, "'%.*s' (AES-CBC) is not supported "
					    "for ESP by this dataplane (only aes128gcm16 "
					    "and aes256gcm16)", tl, s + a);
		why = add_alg(pr, t);
		if (why && why[0] == 't' && why[1] == 'w')
			return conf_fail_at(p, at, "'%.*s' appears twice in one "
					    "proposal", tl, s + a);
		if (why)
			return conf_fail_at(p, at, "too many %s in one proposal (at "
					    "most %u)", kind_names[t->kind],
					    t->kind == K_DH ? 8u : 4u);
		if (t->kind == K_ENCR && t->id == SGW_ENCR_AES_GCM_16 && aead_at == SIZE_MAX) {
			aead_at = a;
			aead_len = tl;
		}
		if (t->kind == K_ENCR && t->id == SGW_ENCR_AES_CBC && cbc_at == SIZE_MAX) {
			cbc_at = a;
			cbc_len = tl;
		}
		if (t->kind == K_INTEG && integ_at == SIZE_MAX) {
			integ_at = a;
			integ_len = tl;
		}
	}
	conf_show(v, got, sizeof(got));
	/* RFC 7296 3.3: a combined-mode cipher authenticates by itself; a
	 * proposal mixing it with anything else cannot be taken as a whole. */
	if (aead_at != SIZE_MAX && cbc_at != SIZE_MAX) {
		at2 = aead_at > cbc_at ? aead_at : cbc_at;
		return conf_fail_at(p, at_offset(v, at2), "'%.*s' (AES-CBC) and '%.*s' "
				    "(AES-GCM) cannot be in one proposal; write two "
				    "proposals", cbc_len, s + cbc_at, aead_len, s + aead_at);
	}
	if (aead_at != SIZE_MAX && integ_at != SIZE_MAX)
		return conf_fail_at(p, at_offset(v, integ_at), "'%.*s' (integrity) "
				    "cannot be combined with '%.*s' (AES-GCM), which "
				    "authenticates by itself", integ_len, s + integ_at,
				    aead_len, s + aead_at);
	if (pr->n_encr == 0)
		return fail(p, v, "proposal %s for '%s' has no encryption algorithm",
			    got, h->key);
	if (esp) {
		if (!pr->esn && !pr->noesn)
			pr->noesn = true;
		return 0;
	}
	if (cbc_at != SIZE_MAX && pr->n_integ == 0)
		return fail(p, v, "proposal %s for '%s' has AES-CBC but no integrity "
			    "algorithm (add one, like sha256)", got, h->key);
	if (pr->n_prf == 0 && pr->n_integ == 0)
		return fail(p, v, "proposal %s for '%s' has AES-GCM but no PRF (add "
			    "one, like prfsha256)", got, h->key);
	if (pr->n_prf == 0)
		for (i = 0; i < pr->n_integ; i++)
			if (!has_id(pr->prf, pr->n_prf, prf_of(pr->integ[i])))
				pr->prf[pr->n_prf++] = prf_of(pr->integ[i]);
	if (pr->n_dh == 0)
		return fail(p, v, "proposal %s for '%s' has no DH group (add one, "
			    "like x25519)", got, h->key);
	return 0;
}

static int take_proposals(struct parser *p, const struct handler *h,
			  const yaml_node_t *v, bool esp,
			  struct sgw_conf_proposal *arr, unsigned *n)
{
	size_t i;
	int ret;

	*n = 0;
	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_PROPOSALS)
			return conf_too_many(p, h, it, SGW_MAX_PROPOSALS);
		ret = take_proposal(p, h, it, esp, &arr[i]);
		if (ret < 0)
			return ret;
		*n = (unsigned)i + 1;
	}
	return 0;
}

static int h_ike_proposals(struct parser *p, const struct handler *h,
			   yaml_node_t *v, void *base)
{
	struct sgw_conf_peer *peer = base;

	return take_proposals(p, h, v, false, peer->ike, &peer->n_ike);
}

static int h_esp_proposals(struct parser *p, const struct handler *h,
			   yaml_node_t *v, void *base)
{
	struct sgw_conf_peer *peer = base;

	return take_proposals(p, h, v, true, peer->esp, &peer->n_esp);
}

static int h_child_esp(struct parser *p, const struct handler *h,
		       yaml_node_t *v, void *base)
{
	struct sgw_conf_child *child = base;

	return take_proposals(p, h, v, true, child->esp, &child->n_esp);
}

/* What a peer gets without ike_proposals / esp_proposals (site.yaml):
 *   IKE: aes128gcm16-aes256gcm16-prfsha256-prfsha384-prfsha512-
 *          x25519-ecp256-ecp384-modp3072-modp2048
 *        aes128-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-modp3072-modp2048
 *   ESP: aes128gcm16-aes256gcm16-noesn-esn
 * test_conf.c parses these strings and compares. */
#define DEFAULT_DH .n_dh = 5, .dh = { SGW_DH_CURVE25519, SGW_DH_ECP_256, \
	SGW_DH_ECP_384, SGW_DH_MODP_3072, SGW_DH_MODP_2048 }
static const struct sgw_conf_proposal ike_default[] = {
	{ .n_encr = 2, .encr = { { SGW_ENCR_AES_GCM_16, 128 }, { SGW_ENCR_AES_GCM_16, 256 } },
	  .n_prf = 3, .prf = { SGW_PRF_HMAC_SHA2_256, SGW_PRF_HMAC_SHA2_384,
			       SGW_PRF_HMAC_SHA2_512 }, DEFAULT_DH },
	{ .n_encr = 2, .encr = { { SGW_ENCR_AES_CBC, 128 }, { SGW_ENCR_AES_CBC, 256 } },
	  .n_integ = 3, .integ = { SGW_AUTH_HMAC_SHA2_256_128, SGW_AUTH_HMAC_SHA2_384_192,
				   SGW_AUTH_HMAC_SHA2_512_256 },
	  .n_prf = 3, .prf = { SGW_PRF_HMAC_SHA2_256, SGW_PRF_HMAC_SHA2_384,
			       SGW_PRF_HMAC_SHA2_512 }, DEFAULT_DH },
};
static const struct sgw_conf_proposal esp_default[] = {
	{ .n_encr = 2, .encr = { { SGW_ENCR_AES_GCM_16, 128 }, { SGW_ENCR_AES_GCM_16, 256 } },
	  .esn = true, .noesn = true },
};

/* Traffic selectors --------------------------------------------------------- */

static bool has_ports(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* "[tcp]", "[udp/53]", "[6/1024-65535]", "[any]". */
static int ts_proto_port(struct parser *p, const struct handler *h,
			 const yaml_node_t *v, const char *s, size_t n,
			 struct sgw_conf_ts *ts)
{
	const char *slash = memchr(s, '/', n);
	size_t pl = slash ? (size_t)(slash - s) : n;
	uint64_t proto = 0, lo, hi;
	const struct choice *ch;
	const char *dash;
	bool found = false;

	for (ch = conf_protos; ch->name; ch++)
		if (strlen(ch->name) == pl && memcmp(ch->name, s, pl) == 0) {
			proto = ch->value < 0 ? 0 : (uint64_t)ch->value;
			found = true;
		}
	if (pl == 4 && memcmp(s, "%any", 4) == 0)
		found = true;
	if (!found && (conf_parse_u64(s, pl, false, &proto) < 0 || proto > 255))
		return conf_bad_value(p, h->item, v);
	ts->proto = (uint8_t)proto;
	if (!slash)
		return 0;
	s = slash + 1;
	n -= pl + 1;
	dash = memchr(s, '-', n);
	if (dash ? conf_parse_u64(s, (size_t)(dash - s), false, &lo) < 0 ||
		   conf_parse_u64(dash + 1, n - (size_t)(dash - s) - 1, false, &hi) < 0 :
		   conf_parse_u64(s, n, false, &lo) < 0)
		return conf_bad_value(p, h->item, v);
	if (!dash)
		hi = lo;
	if (lo > hi || hi > UINT16_MAX)
		return conf_bad_value(p, h->item, v);
	if (!has_ports(ts->proto))
		return fail(p, v, "ports in '%s' are only allowed with tcp, udp or sctp",
			    h->key);
	ts->port_lo = (uint16_t)lo;
	ts->port_hi = (uint16_t)hi;
	return 0;
}

static struct sgw_prefix network_of(const struct sgw_prefix *p)
{
	struct sgw_prefix net = *p;
	unsigned i;

	for (i = 0; i < sizeof(net.addr); i++) {
		unsigned bit = i * 8;

		if (bit >= p->len)
			net.addr[i] = 0;
		else if (bit + 8 > p->len)
			net.addr[i] &= (uint8_t)(0xffu << (8 - (p->len - bit)));
	}
	return net;
}

/* A prefix whose host bits are set is a typo for its network. */
static int host_bits(struct parser *p, const yaml_node_t *v, const char *what,
		     const struct sgw_prefix *pfx)
{
	struct sgw_prefix net = network_of(pfx);
	char s[64], m[64];

	if (memcmp(net.addr, pfx->addr, sizeof(net.addr)) == 0)
		return 0;
	return fail(p, v, "%s %s has host bits set (did you mean %s?)", what,
		    sgw_prefix_str(pfx, true, s, sizeof(s)),
		    sgw_prefix_str(&net, true, m, sizeof(m)));
}

/* "dynamic", or a prefix or an address, either optionally followed by
 * "[protocol/port]" as swanctl.conf writes them. */
static int take_ts(struct parser *p, const struct handler *h, const yaml_node_t *v,
		   struct sgw_conf_ts *ts)
{
	const char *s = scalar(v), *br;
	size_t n = v->data.scalar.length, al;
	char buf[64], what[32];
	int ret;

	if (v->type != YAML_SCALAR_NODE || strlen(s) != n)
		return conf_bad_value(p, h->item, v);
	memset(ts, 0, sizeof(*ts));
	ts->port_hi = UINT16_MAX;
	ts->loc = loc_of(v);
	br = memchr(s, '[', n);
	al = br ? (size_t)(br - s) : n;
	if (br && (s[n - 1] != ']' || n - al < 3))
		return conf_bad_value(p, h->item, v);
	if (al == 7 && memcmp(s, "dynamic", 7) == 0) {
		ts->dynamic = true;
	} else {
		if (al == 0 || al >= sizeof(buf))
			return conf_bad_value(p, h->item, v);
		memcpy(buf, s, al);
		buf[al] = '\0';
		ret = sgw_prefix_parse(buf, &ts->net, false);
		if (ret == -ERANGE)
			return fail(p, v, "expected a prefix length 0..%u for '%s', got "
				    "'%s'", strchr(buf, ':') ? 128u : 32u, h->key, buf);
		if (ret < 0)
			return conf_bad_value(p, h->item, v);
		snprintf(what, sizeof(what), "'%s'", h->key);
		ret = host_bits(p, v, what, &ts->net);
		if (ret < 0)
			return ret;
	}
	if (!br)
		return 0;
	return ts_proto_port(p, h, v, br + 1, n - al - 2, ts);
}

static int take_ts_list(struct parser *p, const struct handler *h,
			const yaml_node_t *v, struct sgw_conf_ts *arr, unsigned *n)
{
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_TS)
			return conf_too_many(p, h, it, SGW_MAX_TS);
		ret = take_ts(p, h, it, &arr[i]);
		if (ret < 0)
			return ret;
		*n = (unsigned)i + 1;
	}
	return 0;
}

static int h_local_ts(struct parser *p, const struct handler *h, yaml_node_t *v,
		      void *base)
{
	struct sgw_conf_child *child = base;

	return take_ts_list(p, h, v, child->local_ts, &child->n_local_ts);
}

static int h_remote_ts(struct parser *p, const struct handler *h, yaml_node_t *v,
		       void *base)
{
	struct sgw_conf_child *child = base;

	return take_ts_list(p, h, v, child->remote_ts, &child->n_remote_ts);
}

/* Files ------------------------------------------------------------------------ */

/* A certificate or key: the control module reads it, here it must exist
 * and be a regular file we can open. dst gets the resolved path. */
static int take_file(struct parser *p, const struct handler *h, const yaml_node_t *v,
		     char *dst, size_t size)
{
	char name[SGW_FILE_MAX], got[SHOWBUF];
	struct stat st;
	int fd, ret;

	if (v->type != YAML_SCALAR_NODE)
		return conf_bad_value(p, h, v);
	ret = conf_take_string(p, h, v, name, sizeof(name), 1);
	if (ret == 0)
		ret = conf_file_path(p, v, h->key, name, dst, size);
	if (ret < 0)
		return ret;
	conf_show(v, got, sizeof(got));
	fd = open(dst, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail(p, v, "cannot read %s %s: %s", h->key, got, strerror(errno));
	ret = fstat(fd, &st);
	close(fd);
	if (ret < 0 || !S_ISREG(st.st_mode))
		return fail(p, v, "%s %s is not a regular file", h->key, got);
	return 0;
}

static int h_file(struct parser *p, const struct handler *h, yaml_node_t *v,
		  void *base)
{
	return take_file(p, h, v, (char *)base + h->off, h->size);
}

static int h_cacerts(struct parser *p, const struct handler *h, yaml_node_t *v,
		     void *base)
{
	struct sgw_conf_peer *peer = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_CACERTS)
			return conf_too_many(p, h, it, SGW_MAX_CACERTS);
		ret = take_file(p, h->item, it, peer->cacerts[i], sizeof(peer->cacerts[i]));
		if (ret < 0)
			return ret;
		peer->n_cacerts = (unsigned)i + 1;
	}
	return 0;
}

/* The secrets file's path; it is read when the whole file is walked. */
static int h_secrets(struct parser *p, const struct handler *h, yaml_node_t *v,
		     void *base)
{
	struct sgw_conf *c = base;
	char name[SGW_FILE_MAX];
	int ret = conf_take_string(p, h, v, name, sizeof(name), 1);

	if (ret == 0)
		ret = conf_file_path(p, v, h->key, name, c->ike.secrets,
				     sizeof(c->ike.secrets));
	return ret;
}

/* Pools ------------------------------------------------------------------------ */

static unsigned width(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* a += d (d is +1 or -1) on a big-endian address of w bytes. */
static void addr_step(uint8_t *a, unsigned w, int d)
{
	unsigned i = w;

	while (i-- > 0) {
		a[i] = (uint8_t)(a[i] + d);
		if (a[i] != (d > 0 ? 0x00 : 0xff))
			break;
	}
}

/* "10.10.1.0/24" or "10.10.1.10-10.10.1.200". A prefix loses its network
 * address (RFC 4291 2.6.1: the subnet-router anycast address, for IPv6)
 * and, for IPv4 up to /30, its broadcast address: clients that get them
 * could not be reached, or would reach everyone. */
static int h_pool_addrs(struct parser *p, const struct handler *h, yaml_node_t *v,
			void *base)
{
	struct sgw_conf_pool *pool = base;
	const char *s = scalar(v), *dash = memchr(s, '-', v->data.scalar.length);
	struct sgw_prefix a, b;
	char buf[2 * INET6_ADDRSTRLEN], got[SHOWBUF];
	unsigned i, w;
	int ret;

	if (strlen(s) != v->data.scalar.length || v->data.scalar.length >= sizeof(buf))
		return conf_bad_value(p, h, v);
	if (dash) {
		memcpy(buf, s, (size_t)(dash - s));
		buf[dash - s] = '\0';
		if (strchr(s, '/') || sgw_prefix_parse(buf, &a, false) < 0 ||
		    sgw_prefix_parse(dash + 1, &b, false) < 0)
			return conf_bad_value(p, h, v);
		conf_show(v, got, sizeof(got));
		if (a.family != b.family)
			return fail(p, v, "the range %s for '%s' mixes IPv4 and IPv6",
				    got, h->key);
		if (memcmp(a.addr, b.addr, sizeof(a.addr)) > 0)
			return fail(p, v, "the range %s for '%s' ends before it starts",
				    got, h->key);
		pool->is_range = true;
		pool->prefix = a;
		memcpy(pool->first, a.addr, sizeof(pool->first));
		memcpy(pool->last, b.addr, sizeof(pool->last));
	} else {
		ret = conf_take_prefix(p, h, v, WITH_LEN, &pool->prefix);
		if (ret == 0)
			ret = host_bits(p, v, "pool", &pool->prefix);
		if (ret < 0)
			return ret;
		a = pool->prefix;
		w = width(a.family);
		memcpy(pool->first, a.addr, sizeof(pool->first));
		memcpy(pool->last, a.addr, sizeof(pool->last));
		for (i = a.len; i < w * 8; i++)
			pool->last[i / 8] |= (uint8_t)(0x80u >> (i % 8));
		if (a.len < w * 8 - 1)
			addr_step(pool->first, w, +1);
		if (a.family == AF_INET && a.len < 31)
			addr_step(pool->last, w, -1);
	}
	pool->family = pool->prefix.family;
	return 0;
}

static int h_dns(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf_pool *pool = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_DNS)
			return conf_too_many(p, h, it, SGW_MAX_DNS);
		ret = conf_take_prefix(p, h->item, it, WITHOUT_LEN, &pool->dns[i]);
		if (ret < 0)
			return ret;
		pool->dns_loc[i] = loc_of(it);
		pool->n_dns = (unsigned)i + 1;
	}
	return 0;
}

static const struct handler dns_item = {
	"dns", YAML_SCALAR_NODE,
	.what = "an address without a prefix length (like 198.51.100.53)" };

static const struct handler pool_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_pool, name),
	  .what = NAME_WHAT, .flags = F_REQUIRED | F_LOC | F_DOT,
	  LOC(struct sgw_conf_pool, name_loc) },
	{ "addrs", YAML_SCALAR_NODE, h_pool_addrs,
	  .what = "a prefix or a range (like 10.10.1.0/24 or 10.10.1.10-10.10.1.200)",
	  .flags = F_REQUIRED | F_LOC, LOC(struct sgw_conf_pool, addrs_loc) },
	{ "dns", YAML_SEQUENCE_NODE, h_dns, .what = "a list of addresses",
	  .item = &dns_item },
	{ .key = NULL },
};

const struct mapping conf_pool_map = { "pools entry", pool_keys, NULL };

int conf_h_pools(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_POOLS, sizeof(*c->pools),
				  (void **)&c->pools);

	for (i = 0; ret == 0 && c->pools && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		c->pools[i].loc = loc_of(it);
		ret = conf_list_entry(p, h, it, &c->pools[i]);
		if (ret < 0)
			return ret;
		c->n_pools = (unsigned)i + 1;
	}
	return ret;
}

/* Peers and their children ------------------------------------------------------ */

static const struct choice auths[] = {
	{ "pubkey", SGW_AUTH_PUBKEY }, { "psk", SGW_AUTH_PSK }, { NULL, 0 } };
static const struct choice encaps[] = {
	{ "auto", false }, { "force", true }, { NULL, 0 } };
static const struct choice start_actions[] = {
	{ "none", false }, { "start", true }, { NULL, 0 } };

_Static_assert(sizeof(enum sgw_auth) == sizeof(int), "conf_h_choice stores an int");

/* "any" (also strongSwan's "%any"), an address, or a prefix. */
static int h_remote(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf_peer *peer = base;
	const char *s = scalar(v);
	size_t n = v->data.scalar.length;
	int ret;

	if ((n == 3 && memcmp(s, "any", 3) == 0) || (n == 4 && memcmp(s, "%any", 4) == 0)) {
		peer->remote_any = true;
		return 0;
	}
	ret = conf_take_prefix(p, h, v, ANY_LEN, &peer->remote);
	if (ret == 0)
		ret = host_bits(p, v, "'remote'", &peer->remote);
	if (ret == 0)
		peer->remote_any = false;
	return ret;
}

static int h_local(struct parser *p, const struct handler *h, yaml_node_t *v,
		   void *base)
{
	struct sgw_conf_peer *peer = base;

	peer->has_local = true;
	return conf_take_prefix(p, h, v, WITHOUT_LEN, &peer->local);
}

static int h_peer_pools(struct parser *p, const struct handler *h, yaml_node_t *v,
			void *base)
{
	struct sgw_conf_peer *peer = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_PEER_POOLS)
			return conf_too_many(p, h, it, SGW_MAX_PEER_POOLS);
		if (it->type != YAML_SCALAR_NODE)
			return conf_bad_value(p, h->item, it);
		ret = conf_h_name(p, h->item, it, peer->pools[i]);
		if (ret < 0)
			return ret;
		peer->pool_loc[i] = loc_of(it);
		peer->n_pools = (unsigned)i + 1;
	}
	return 0;
}

static void child_defaults(struct sgw_conf_child *child, const yaml_node_t *it)
{
	child->loc = loc_of(it);
}

/* The selectors strongSwan defaults to: all of our side, the peer itself
 * (or its virtual address). */
static int child_finish(struct parser *p, const struct mapping *m, void *base,
			uint32_t seen)
{
	struct sgw_conf_child *child = base;
	struct sgw_conf_ts *ts;

	(void)p;
	(void)m;
	(void)seen;
	if (child->n_local_ts == 0) {
		ts = &child->local_ts[0];
		*ts = (struct sgw_conf_ts){ .net = { .family = AF_INET },
					    .port_hi = UINT16_MAX };
		child->local_ts[1] = (struct sgw_conf_ts){ .net = { .family = AF_INET6 },
							   .port_hi = UINT16_MAX };
		child->n_local_ts = 2;
	}
	if (child->n_remote_ts == 0) {
		child->remote_ts[0] = (struct sgw_conf_ts){ .dynamic = true,
							    .port_hi = UINT16_MAX };
		child->n_remote_ts = 1;
	}
	return 0;
}

static const struct handler local_ts_item = {
	"local_ts", YAML_SCALAR_NODE, .what = "'dynamic' or a prefix, optionally "
	"with [protocol/port] (like 10.0.0.0/24[tcp/443])" };
static const struct handler remote_ts_item = {
	"remote_ts", YAML_SCALAR_NODE, .what = "'dynamic' or a prefix, optionally "
	"with [protocol/port] (like 10.0.0.0/24[tcp/443])" };
static const struct handler esp_item = {
	"esp_proposals", YAML_SCALAR_NODE,
	.what = "a proposal (like aes128gcm16-noesn)" };
static const struct handler ike_item = {
	"ike_proposals", YAML_SCALAR_NODE,
	.what = "a proposal (like aes128gcm16-prfsha256-x25519)" };

static const struct handler child_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_child, name),
	  .what = NAME_WHAT, .flags = F_REQUIRED | F_LOC | F_DOT,
	  LOC(struct sgw_conf_child, name_loc) },
	{ "local_ts", YAML_SEQUENCE_NODE, h_local_ts, .item = &local_ts_item,
	  .what = "a list of traffic selectors", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_child, local_ts_loc) },
	{ "remote_ts", YAML_SEQUENCE_NODE, h_remote_ts, .item = &remote_ts_item,
	  .what = "a list of traffic selectors", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_child, remote_ts_loc) },
	{ "mode", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_child, transport),
	  .choices = conf_modes, .what = "a mode (tunnel, transport)",
	  .flags = F_LOC, LOC(struct sgw_conf_child, mode_loc) },
	{ "esp_proposals", YAML_SEQUENCE_NODE, h_child_esp, .item = &esp_item,
	  .what = "a list of proposals", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_child, esp_loc) },
	{ "start_action", YAML_SCALAR_NODE, conf_h_choice,
	  FIELD(struct sgw_conf_child, start), .choices = start_actions,
	  .what = "a start action (none, start)",
	  .flags = F_LOC, LOC(struct sgw_conf_child, start_loc) },
	{ .key = NULL },
};

static const struct mapping child_map = { "children entry", child_keys, child_finish };

static int h_children(struct parser *p, const struct handler *h, yaml_node_t *v,
		      void *base)
{
	struct sgw_conf_peer *peer = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, SGW_MAX_CHILDREN, sizeof(*peer->children),
				  (void **)&peer->children);

	for (i = 0; ret == 0 && peer->children && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		child_defaults(&peer->children[i], it);
		ret = conf_list_entry(p, h, it, &peer->children[i]);
		if (ret < 0)
			return ret;
		peer->n_children = (unsigned)i + 1;
	}
	return ret;
}

static void peer_defaults(struct sgw_conf_peer *peer, const yaml_node_t *it)
{
	peer->remote_any = true;
	peer->remote_port = 500;     /* RFC 7296 2 */
	peer->auth = SGW_AUTH_PUBKEY;
	peer->ike_lifetime = 4 * 3600;
	peer->child_lifetime = 3600;
	peer->dpd = 30;
	peer->fragmentation = true;
	peer->loc = loc_of(it);
}

static int missing_for(struct parser *p, const struct sgw_conf_peer *peer,
		       const char *key, const char *needed_by)
{
	return conf_fail_at(p, peer->loc, "missing required key '%s' in peers entry "
			    "(needed by %s)", key, needed_by);
}

/* Keys that mean nothing for the peer's authentication are errors, not
 * ignored, as for SAs: a cert with 'auth: psk' says the author expects
 * something else to happen. */
static int peer_auth_finish(struct parser *p, const struct mapping *m,
			    struct sgw_conf_peer *peer, uint32_t seen)
{
	bool auth_given = conf_given(m, seen, "auth");

	if (!conf_given(m, seen, "remote_auth"))
		peer->remote_auth = peer->auth;
	if (peer->auth == SGW_AUTH_PUBKEY) {
		const char *by = auth_given ? "'auth: pubkey'" : "'auth: pubkey', the default";

		if (!conf_given(m, seen, "cert"))
			return missing_for(p, peer, "cert", by);
		if (!conf_given(m, seen, "key"))
			return missing_for(p, peer, "key", by);
	} else {
		if (conf_given(m, seen, "cert"))
			return conf_only_with(p, peer->cert_loc, "cert", "'auth: pubkey'");
		if (conf_given(m, seen, "key"))
			return conf_only_with(p, peer->key_loc, "key", "'auth: pubkey'");
	}
	if (peer->remote_auth == SGW_AUTH_PUBKEY && !conf_given(m, seen, "cacerts"))
		return missing_for(p, peer, "cacerts", "'remote_auth: pubkey'");
	if (peer->remote_auth != SGW_AUTH_PUBKEY && conf_given(m, seen, "cacerts"))
		return conf_only_with(p, peer->cacerts_loc, "cacerts",
				      "'remote_auth: pubkey'");
	return 0;
}

static int peer_finish(struct parser *p, const struct mapping *m, void *base,
		       uint32_t seen)
{
	struct sgw_conf_peer *peer = base;
	unsigned i;
	int ret = peer_auth_finish(p, m, peer, seen);

	if (ret < 0)
		return ret;
	/* strongSwan's default: the address the IKE SA uses, which is
	 * known here only when 'local' names it. */
	if (!conf_given(m, seen, "local_id") && peer->has_local) {
		peer->local_id.type = peer->local.family == AF_INET ?
				      SGW_ID_IPV4_ADDR : SGW_ID_IPV6_ADDR;
		peer->local_id.len = (uint16_t)width(peer->local.family);
		memcpy(peer->local_id.data, peer->local.addr, peer->local_id.len);
	}
	if (peer->n_ike == 0) {
		memcpy(peer->ike, ike_default, sizeof(ike_default));
		peer->n_ike = sizeof(ike_default) / sizeof(ike_default[0]);
	}
	if (peer->n_esp == 0) {
		memcpy(peer->esp, esp_default, sizeof(esp_default));
		peer->n_esp = sizeof(esp_default) / sizeof(esp_default[0]);
	}
	for (i = 0; i < peer->n_children; i++) {
		struct sgw_conf_child *child = &peer->children[i];

		if (child->n_esp == 0) {
			memcpy(child->esp, peer->esp, sizeof(child->esp));
			child->n_esp = peer->n_esp;
		}
		if (child->start_loc.line == 0)
			child->start = peer->initiate;
	}
	return 0;
}

static const struct handler cacert_item = {
	"cacerts", YAML_SCALAR_NODE, .what = "a file name" };
static const struct handler pool_name_item = {
	"pools", YAML_SCALAR_NODE, .size = SGW_NAME_MAX, .flags = F_DOT,
	.what = "a pool name" };

#define LIFETIME_WHAT "0 (never) or a duration up to 3650d (like 4h)"

static const struct handler peer_keys[] = {
	{ "name", YAML_SCALAR_NODE, conf_h_name, FIELD(struct sgw_conf_peer, name),
	  .what = NAME_WHAT, .flags = F_REQUIRED | F_LOC | F_DOT,
	  LOC(struct sgw_conf_peer, name_loc) },
	{ "remote", YAML_SCALAR_NODE, h_remote,
	  .what = "'any', an address or a prefix (like 203.0.113.2)",
	  .flags = F_LOC, LOC(struct sgw_conf_peer, remote_loc) },
	{ "remote_port", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf_peer, remote_port), .min = 1, .max = 65535 },
	{ "local", YAML_SCALAR_NODE, h_local,
	  .what = "an address without a prefix length (like 203.0.113.1)",
	  .flags = F_LOC, LOC(struct sgw_conf_peer, local_loc) },
	{ "initiate", YAML_SCALAR_NODE, conf_h_bool, FIELD(struct sgw_conf_peer, initiate),
	  .what = "a boolean (true/false/yes/no)",
	  .flags = F_LOC, LOC(struct sgw_conf_peer, initiate_loc) },
	{ "local_id", YAML_SCALAR_NODE, h_local_id,
	  .flags = F_LOC, LOC(struct sgw_conf_peer, local_id_loc) },
	{ "remote_id", YAML_SCALAR_NODE, h_remote_id,
	  .flags = F_LOC, LOC(struct sgw_conf_peer, remote_id_loc) },
	{ "auth", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_peer, auth),
	  .choices = auths, .what = "an authentication (psk, pubkey)",
	  .flags = F_LOC, LOC(struct sgw_conf_peer, auth_loc) },
	{ "remote_auth", YAML_SCALAR_NODE, conf_h_choice,
	  FIELD(struct sgw_conf_peer, remote_auth), .choices = auths,
	  .what = "an authentication (psk, pubkey)",
	  .flags = F_LOC, LOC(struct sgw_conf_peer, remote_auth_loc) },
	{ "cert", YAML_SCALAR_NODE, h_file, FIELD(struct sgw_conf_peer, cert),
	  .what = "a file name", .flags = F_LOC, LOC(struct sgw_conf_peer, cert_loc) },
	{ "key", YAML_SCALAR_NODE, h_file, FIELD(struct sgw_conf_peer, key),
	  .what = "a file name", .flags = F_LOC, LOC(struct sgw_conf_peer, key_loc) },
	{ "cacerts", YAML_SEQUENCE_NODE, h_cacerts, .item = &cacert_item,
	  .what = "a list of file names", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_peer, cacerts_loc) },
	{ "ike_proposals", YAML_SEQUENCE_NODE, h_ike_proposals, .item = &ike_item,
	  .what = "a list of proposals", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_peer, ike_loc) },
	{ "esp_proposals", YAML_SEQUENCE_NODE, h_esp_proposals, .item = &esp_item,
	  .what = "a list of proposals", .flags = F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_peer, esp_loc) },
	{ "ike_lifetime", YAML_SCALAR_NODE, h_duration,
	  FIELD(struct sgw_conf_peer, ike_lifetime), .max = TEN_YEARS,
	  .what = LIFETIME_WHAT },
	{ "child_lifetime", YAML_SCALAR_NODE, h_duration,
	  FIELD(struct sgw_conf_peer, child_lifetime), .max = TEN_YEARS,
	  .what = LIFETIME_WHAT },
	{ "child_lifetime_bytes", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_peer, child_lifetime_bytes),
	  .what = "an integer 0.." U64_MAX_STR },
	{ "child_lifetime_packets", YAML_SCALAR_NODE, conf_h_u64,
	  FIELD(struct sgw_conf_peer, child_lifetime_packets),
	  .what = "an integer 0.." U64_MAX_STR },
	{ "dpd", YAML_SCALAR_NODE, h_duration, FIELD(struct sgw_conf_peer, dpd),
	  .max = 86400, .what = "0 (off) or a duration up to 1d (like 30s)" },
	{ "encap", YAML_SCALAR_NODE, conf_h_choice, FIELD(struct sgw_conf_peer, encap_force),
	  .choices = encaps, .what = "an encapsulation (auto, force)" },
	{ "fragmentation", YAML_SCALAR_NODE, conf_h_bool,
	  FIELD(struct sgw_conf_peer, fragmentation),
	  .what = "a boolean (true/false/yes/no)" },
	{ "pools", YAML_SEQUENCE_NODE, h_peer_pools, .item = &pool_name_item,
	  .what = "a list of pool names", .flags = F_LOC,
	  LOC(struct sgw_conf_peer, pools_loc) },
	{ "children", YAML_SEQUENCE_NODE, h_children, .map = &child_map,
	  .what = "a list of Child SAs", .flags = F_REQUIRED | F_NONEMPTY | F_LOC,
	  LOC(struct sgw_conf_peer, children_loc) },
	{ .key = NULL },
};

const struct mapping conf_peer_map = { "peers entry", peer_keys, peer_finish };

int conf_h_peers(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_PEERS, sizeof(*c->peers),
				  (void **)&c->peers);

	for (i = 0; ret == 0 && c->peers && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		peer_defaults(&c->peers[i], it);
		ret = conf_list_entry(p, h, it, &c->peers[i]);
		if (ret < 0) {
			/* Not counted in n_peers: sgw_conf_free() would not
			 * free its children. */
			free(c->peers[i].children);
			c->peers[i].children = NULL;
			return ret;
		}
		c->n_peers = (unsigned)i + 1;
	}
	return ret;
}

/* The ike section ---------------------------------------------------------------- */

static const struct handler ike_keys[] = {
	{ "secrets", YAML_SCALAR_NODE, h_secrets, .what = "a file name",
	  .flags = F_LOC, LOC(struct sgw_conf, ike.secrets_loc) },
	{ "cookie_threshold", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, ike.cookie_threshold), .max = 1048576,
	  .flags = F_LOC, LOC(struct sgw_conf, ike.cookie_loc) },
	{ "half_open_per_source", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, ike.half_open_per_source), .min = 1, .max = 1048576,
	  .flags = F_LOC, LOC(struct sgw_conf, ike.per_source_loc) },
	{ "half_open_timeout", YAML_SCALAR_NODE, h_duration,
	  FIELD(struct sgw_conf, ike.half_open_timeout), .min = 1, .max = 3600,
	  .what = "a duration 1s..1h (like 30s)" },
	{ "retransmit_timeout", YAML_SCALAR_NODE, h_duration,
	  FIELD(struct sgw_conf, ike.retransmit_timeout), .min = 1, .max = 60,
	  .what = "a duration 1s..60s (like 2s)" },
	{ "retransmit_base", YAML_SCALAR_NODE, h_factor,
	  .off = offsetof(struct sgw_conf, ike.retransmit_base), .min = 1000,
	  .max = 4000, .what = "a decimal 1.0..4.0 (like 1.8)" },
	{ "retransmit_tries", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, ike.retransmit_tries), .min = 1, .max = 20 },
	{ "fragment_size", YAML_SCALAR_NODE, conf_h_uint,
	  FIELD(struct sgw_conf, ike.fragment_size), .min = 576, .max = 9000 },
	{ .key = NULL },
};

const struct mapping conf_ike_map = { "ike", ike_keys, NULL };

void conf_ike_defaults(struct sgw_conf *c)
{
	c->ike.cookie_threshold = 256;
	c->ike.half_open_per_source = 16;
	c->ike.half_open_timeout = 30;
	c->ike.retransmit_timeout = 2;
	c->ike.retransmit_base = 1.8;
	c->ike.retransmit_tries = 5;
	c->ike.fragment_size = 1280;
}

/* The secrets file ------------------------------------------------------------------ */

static int h_secret_ids(struct parser *p, const struct handler *h, yaml_node_t *v,
			void *base)
{
	struct sgw_conf_secret *sec = base;
	size_t i;
	int ret;

	for (i = 0; i < n_items(v); i++) {
		yaml_node_t *it = item(p, v, i);

		if (i == SGW_MAX_SECRET_IDS)
			return conf_too_many(p, h, it, SGW_MAX_SECRET_IDS);
		ret = take_id(p, h->item, it, ID_SECRET, &sec->ids[i]);
		if (ret < 0)
			return ret;
		sec->id_loc[i] = loc_of(it);
		sec->n_ids = (unsigned)i + 1;
	}
	return 0;
}

/* "0x" and hex digits, or a quoted string taken byte for byte. A plain
 * string is refused: YAML would read some of them (yes, 0777, 1e3, ~) as
 * something else. Like SA keys, the value is never shown. */
static int h_secret(struct parser *p, const struct handler *h, yaml_node_t *v,
		    void *base)
{
	struct sgw_conf_secret *sec = base;
	const char *s = scalar(v);
	size_t i, n = v->data.scalar.length, len;
	bool quoted = v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		      v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;

	if (!quoted && (!hex_prefix(s, n) || n == 2 || !hexn(s + 2, n - 2)))
		return fail(p, v, "expected '0x' and hex digits, or a quoted string, "
			    "for '%s' (the value is not shown)", h->key);
	if (!quoted && n % 2)
		return fail(p, v, "expected an even number of hex digits for '%s', "
			    "got %zu", h->key, n - 2);
	len = quoted ? n : (n - 2) / 2;
	if (len < SGW_PSK_MIN)
		return fail(p, v, "the secret is %zu bytes; at least %d are required "
			    "(RFC 7296 2.15: a pre-shared key must be as hard to "
			    "guess as a key)", len, SGW_PSK_MIN);
	if (len > SGW_PSK_MAX)
		return fail(p, v, "the secret is %zu bytes; at most %d are allowed",
			    len, SGW_PSK_MAX);
	if (quoted)
		memcpy(sec->secret, s, n);
	for (i = 0; !quoted && i < len; i++)
		sec->secret[i] = (uint8_t)(hex_val(s[2 + 2 * i]) << 4 |
					   hex_val(s[3 + 2 * i]));
	sec->len = (unsigned)len;
	return 0;
}

static const struct handler id_item = {
	"ids", YAML_SCALAR_NODE, .what = ID_WHAT };

static const struct handler psk_keys[] = {
	{ "ids", YAML_SEQUENCE_NODE, h_secret_ids, .item = &id_item,
	  .what = "a list of identities", .flags = F_REQUIRED | F_NONEMPTY },
	{ "secret", YAML_SCALAR_NODE, h_secret, .flags = F_REQUIRED },
	{ .key = NULL },
};

static const struct mapping psk_map = { "psk entry", psk_keys, NULL };

static int h_psk(struct parser *p, const struct handler *h, yaml_node_t *v,
		 void *base)
{
	struct sgw_conf *c = base;
	size_t i, n = n_items(v);
	int ret = conf_list_alloc(p, h, v, MAX_SECRETS, sizeof(*c->secrets),
				  (void **)&c->secrets);

	for (i = 0; ret == 0 && c->secrets && i < n; i++) {
		yaml_node_t *it = item(p, v, i);

		c->secrets[i].loc = loc_of(it);
		ret = conf_list_entry(p, h, it, &c->secrets[i]);
		if (ret < 0) {
			explicit_bzero(&c->secrets[i], sizeof(c->secrets[i]));
			return ret;
		}
		c->n_secrets = (unsigned)i + 1;
	}
	return ret;
}

static const struct handler secrets_keys[] = {
	{ "psk", YAML_SEQUENCE_NODE, h_psk, .map = &psk_map, .what = "a list of secrets" },
	{ .key = NULL },
};

static const struct mapping secrets_map = { "secrets file", secrets_keys, NULL };

ROWS_FIT(pool_keys);
ROWS_FIT(child_keys);
ROWS_FIT(peer_keys);
ROWS_FIT(ike_keys);
ROWS_FIT(psk_keys);
ROWS_FIT(secrets_keys);

/* The path as the configuration wrote it, when it is relative to it. */
static const char *shown_path(const struct sgw_conf *c, const char *path)
{
	const char *slash = strrchr(c->file, '/');
	size_t n = slash ? (size_t)(slash - c->file) + 1 : 0;

	if (n && strncmp(path, c->file, n) == 0)
		return path + n;
	return path;
}

/* Read whole, from a regular file only, at most SECRETS_FILE_MAX bytes.
 * Whether others may read it is sgw_conf_validate()'s to judge. */
static int read_secrets(struct parser *p, char **text, size_t *len)
{
	struct sgw_conf *c = p->c;
	const char *name = shown_path(c, c->ike.secrets);
	struct stat st;
	char *buf;
	ssize_t r;
	size_t n = 0;
	int fd, ret = 0;

	fd = open(c->ike.secrets, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return conf_fail_at(p, c->ike.secrets_loc, "cannot read secrets file "
				    "'%s': %s", name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SECRETS_FILE_MAX) {
		close(fd);
		return conf_fail_at(p, c->ike.secrets_loc, "secrets file '%s' is not "
				    "a regular file of at most %u bytes", name,
				    SECRETS_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n <= (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (ret == 0 && n > (size_t)st.st_size)
		ret = -EFBIG; /* grew while we read it */
	if (ret < 0) {
		explicit_bzero(buf, n);
		free(buf);
		return conf_fail_at(p, c->ike.secrets_loc, "cannot read secrets file "
				    "'%s': %s", name, strerror(-ret));
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Runs when the configuration's top level is walked: the secrets file is
 * parsed with the same machinery, its errors carrying its own name. */
int conf_ike_finish(struct parser *p, const struct mapping *m, void *base,
		    uint32_t seen)
{
	struct sgw_conf *c = base;
	struct parser sp = { .c = c, .err = p->err, .file = c->ike.secrets };
	char *text = NULL;
	size_t len = 0;
	int ret;

	(void)m;
	(void)seen;
	if (!c->ike.secrets[0])
		return 0;
	ret = read_secrets(p, &text, &len);
	if (ret < 0)
		return ret;
	ret = conf_walk_text(&sp, text, len, &secrets_map, c,
			     "the secrets file is empty (expected 'psk:')");
	explicit_bzero(text, len);
	free(text);
	return ret;
}

/* Lookups ------------------------------------------------------------------------- */

const struct sgw_conf_peer *sgw_conf_find_peer(const struct sgw_conf *c,
					       const char *name)
{
	unsigned i;

	for (i = 0; c && name && i < c->n_peers; i++)
		if (strcmp(c->peers[i].name, name) == 0)
			return &c->peers[i];
	return NULL;
}

const struct sgw_conf_secret *sgw_conf_find_psk(const struct sgw_conf *c,
						int id_type, const uint8_t *id,
						size_t len)
{
	unsigned i, j;

	for (i = 0; c && id && i < c->n_secrets; i++)
		for (j = 0; j < c->secrets[i].n_ids; j++) {
			const struct sgw_conf_id *x = &c->secrets[i].ids[j];

			if (x->type == id_type && x->len == len &&
			    memcmp(x->data, id, len) == 0)
				return &c->secrets[i];
		}
	return NULL;
}
