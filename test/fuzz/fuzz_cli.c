/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the control socket's request path: parse, run, format.
 * Input: a request line up to the first "\n" (any bytes, any length); the
 * bytes after it are a string the "raw" command hands to the JSON writer,
 * the way a handler prints an identity a peer chose. Besides the
 * sanitizers, every reply is checked against the protocol's framing, and
 * every JSON reply is parsed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define check(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

struct fuzz_ctx {
	const char *raw; /* NUL-terminated: the input after the first "\n" */
};

/* One word a line; in JSON mode, an array of them (so that every 1001
 * reply is JSON and can be checked). */
static void h_echo(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	struct sgw_json j;
	unsigned i;

	(void)ctx;
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "words");
		for (i = 0; i < a->argc; i++)
			sgw_json_str(&j, NULL, a->argv[i]);
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
		return;
	}
	for (i = 0; i < a->argc; i++)
		sgw_cli_printf(r, "%s%s", a->argv[i],
			       i + 1 < a->argc ? "\n" : "");
}

static void h_fail(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	(void)ctx;
	sgw_cli_printf(r, "dropped");
	sgw_cli_fail(r, 8000, "failed: %s", a->argc ? a->argv[0] : "");
}

/* Every argument, and the raw bytes, through every kind of JSON value. */
static void h_json(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	const struct fuzz_ctx *fc = ctx;
	struct sgw_json j;
	unsigned i;

	sgw_json_begin(&j, r);
	sgw_json_arr_open(&j, "args");
	for (i = 0; i < a->argc; i++) {
		sgw_json_obj_open(&j, NULL);
		sgw_json_str(&j, a->argv[i], a->argv[i]);
		sgw_json_u64(&j, "len", strlen(a->argv[i]));
		sgw_json_i64(&j, "neg", -(int64_t)i);
		sgw_json_bool(&j, "odd", i & 1);
		sgw_json_null(&j, "nothing");
		sgw_json_obj_close(&j);
	}
	sgw_json_arr_close(&j);
	sgw_json_str(&j, fc->raw, fc->raw);
	sgw_json_end(&j);
}

static const struct sgw_cli_cmd cmds[] = {
	{ "echo", 0, 16, "[WORD...]", "print the words", h_echo },
	{ "show ports", 0, 1, "[PORT]", "port counters", h_echo },
	{ "show ports detail", 1, 1, "PORT", "one port", h_echo },
	{ "fail", 0, 1, "[WHY]", "fail", h_fail },
	{ "raw", 0, 16, "[WORD...]", "JSON of the words and raw bytes",
	  h_json },
};

/* ---- a strict JSON checker, just enough for what the writer emits ---- */

static const char *json_value(const char *p, const char *end, int depth);

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	return p;
}

static const char *json_string(const char *p, const char *end)
{
	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e)
			return NULL; /* the writer emits ASCII only */
		if (c == '\\') {
			if (end - p < 2)
				return NULL;
			if (p[1] == 'u') {
				if (end - p < 6 ||
				    strspn(p + 2, "0123456789abcdef") < 4)
					return NULL;
				p += 6;
				continue;
			}
			if (p[1] != '"' && p[1] != '\\')
				return NULL;
			p += 2;
			continue;
		}
		p++;
	}
	return p < end ? p + 1 : NULL;
}

static const char *json_members(const char *p, const char *end, int depth,
				bool object)
{
	char close = object ? '}' : ']';

	p = ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = json_string(ws(p, end), end);
			p = p ? ws(p, end) : NULL;
			if (!p || p >= end || *p++ != ':')
				return NULL;
		}
		p = json_value(ws(p, end), end, depth + 1);
		p = p ? ws(p, end) : NULL;
		if (!p || p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > 16)
		return NULL;
	if (*p == '{' || *p == '[')
		return json_members(p, end, depth, *p == '{');
	if (*p == '"')
		return json_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p += *p == '-';
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		return p;
	}
	if (end - p >= 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4)))
		return p + 4;
	if (end - p >= 5 && !memcmp(p, "false", 5))
		return p + 5;
	return NULL;
}

/* ---- the reply's framing ---------------------------------------------- */

static int line_code(const char *l)
{
	int i, code = 0;

	for (i = 0; i < 4; i++) {
		check(l[i] >= '0' && l[i] <= '9');
		code = code * 10 + l[i] - '0';
	}
	return code;
}

/* Numbered lines, "-" on all but the last; text lines all 1000 or all
 * 1001; the last is 0000 or an error matching rc. Returns the text of the
 * 1001 lines, for the JSON check. */
static char *check_reply(const struct sgw_cli_buf *out, int rc, size_t *jlen)
{
	char *json = malloc(out->len + 1);
	const char *p = out->data, *end = out->data + out->len, *nl;
	int code, text_code = -1;

	check(json && out->len > 0 && end[-1] == '\n');
	*jlen = 0;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		check(nl && nl - p >= 5);
		code = line_code(p);
		if (p[4] == ' ')
			break;
		check(p[4] == '-' && (code == 1000 || code == 1001));
		check(text_code < 0 || code == text_code);
		text_code = code;
		if (code == 1001) {
			memcpy(json + *jlen, p + 5, (size_t)(nl + 1 - (p + 5)));
			*jlen += (size_t)(nl + 1 - (p + 5));
		}
		p = nl + 1;
	}
	check(nl + 1 == end);
	check(code == rc);
	json[*jlen] = '\0'; /* stops json_string's strspn */
	if (code == 0)
		check(nl - p == 7 && !memcmp(p, "0000 ok", 7));
	else
		check(code >= 8000 && code <= 9004 && text_code < 0);
	return json;
}

static void check_json(const char *json, size_t len)
{
	const char *p = json_value(json, json + len, 0);

	check(p && ws(p, json + len) == json + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = size ? (const char *)data : "";
	const char *nl = memchr(in, '\n', size);
	size_t len = nl ? (size_t)(nl - in) : size;
	struct sgw_cli_buf out = { 0 };
	struct fuzz_ctx fc;
	char *raw, *json;
	size_t jlen;
	int rc;

	/* The raw string is cut at its first NUL, as a C string would be. */
	raw = malloc(nl ? size - len : 1);
	check(raw);
	if (nl)
		memcpy(raw, nl + 1, size - len - 1);
	raw[nl ? size - len - 1 : 0] = '\0';
	fc.raw = raw;

	rc = sgw_cli_run(cmds, sizeof(cmds) / sizeof(cmds[0]), &fc, in, len,
			 &out);
	check(rc >= 0);
	json = check_reply(&out, rc, &jlen);
	if (jlen)
		check_json(json, jlen);
	free(json);
	free(raw);
	sgw_cli_buf_free(&out);
	return 0;
}
