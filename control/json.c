/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON writer CLI handlers use for --json. One member per line, two
 * spaces of indent a level: a large document becomes many short 1001 lines
 * rather than one multi-megabyte line, and stays readable by eye.
 *
 * Misuse (a key inside an array, none inside an object, closing the wrong
 * kind of container, nesting deeper than 16) is a bug in a handler, not in
 * input, and is asserted: the output is valid JSON or nothing.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define DEPTH_MAX (sizeof(((struct sgw_json *)0)->need_comma))

_Static_assert(DEPTH_MAX <= 16, "arrays has one bit per level");

static bool level_is_array(const struct sgw_json *j)
{
	return j->arrays & (1u << (j->depth - 1));
}

/* Escapes into a small buffer and prints it in chunks. Besides what JSON
 * requires, every byte >= 0x7f becomes \u00XX (read as Latin-1): a peer
 * that puts invalid UTF-8 in its identity cannot make the document
 * unparseable, and the reply stays printable ASCII. */
static void put_string(struct sgw_json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char chunk[256];
	size_t n = 0;
	unsigned char c;

	chunk[n++] = '"';
	for (; *s; s++) {
		if (n > sizeof(chunk) - 8) {
			sgw_cli_printf(j->r, "%.*s", (int)n, chunk);
			n = 0;
		}
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			chunk[n++] = '\\';
			chunk[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			memcpy(chunk + n, "\\u00", 4);
			chunk[n + 4] = hex[c >> 4];
			chunk[n + 5] = hex[c & 0xf];
			n += 6;
		} else {
			chunk[n++] = (char)c;
		}
	}
	chunk[n++] = '"';
	sgw_cli_printf(j->r, "%.*s", (int)n, chunk);
}

/* Starts a member of the innermost container: comma, newline, indent, key. */
static void member(struct sgw_json *j, const char *key)
{
	unsigned d = j->depth;

	assert(d > 0 && d <= DEPTH_MAX);
	assert(level_is_array(j) == (key == NULL));
	sgw_cli_printf(j->r, "%s\n%*s", j->need_comma[d - 1] ? "," : "",
		       (int)(2 * d), "");
	j->need_comma[d - 1] = true;
	if (key) {
		put_string(j, key);
		sgw_cli_printf(j->r, ": ");
	}
}

static void open_level(struct sgw_json *j, bool array)
{
	assert(j->depth < DEPTH_MAX);
	sgw_cli_printf(j->r, "%c", array ? '[' : '{');
	j->depth++;
	j->need_comma[j->depth - 1] = false;
	if (array)
		j->arrays |= (uint16_t)(1u << (j->depth - 1));
	else
		j->arrays &= (uint16_t)~(1u << (j->depth - 1));
}

/* An empty container closes on its own line: "{}", "[]". */
static void close_level(struct sgw_json *j, bool array)
{
	unsigned d = j->depth;

	assert(d > 0 && level_is_array(j) == array);
	if (j->need_comma[d - 1])
		sgw_cli_printf(j->r, "\n%*s", (int)(2 * (d - 1)), "");
	sgw_cli_printf(j->r, "%c", array ? ']' : '}');
	j->depth--;
}

void sgw_json_begin(struct sgw_json *j, struct sgw_cli_reply *r)
{
	memset(j, 0, sizeof(*j));
	j->r = r;
	open_level(j, false);
}

void sgw_json_end(struct sgw_json *j)
{
	assert(j->depth == 1);
	close_level(j, false);
	sgw_cli_printf(j->r, "\n");
}

void sgw_json_obj_open(struct sgw_json *j, const char *key)
{
	member(j, key);
	open_level(j, false);
}

void sgw_json_obj_close(struct sgw_json *j)
{
	assert(j->depth > 1); /* the outermost object is closed by _end */
	close_level(j, false);
}

void sgw_json_arr_open(struct sgw_json *j, const char *key)
{
	member(j, key);
	open_level(j, true);
}

void sgw_json_arr_close(struct sgw_json *j)
{
	close_level(j, true);
}

void sgw_json_str(struct sgw_json *j, const char *key, const char *v)
{
	member(j, key);
	if (v)
		put_string(j, v);
	else
		sgw_cli_printf(j->r, "null");
}

void sgw_json_u64(struct sgw_json *j, const char *key, uint64_t v)
{
	member(j, key);
	sgw_cli_printf(j->r, "%" PRIu64, v);
}

void sgw_json_i64(struct sgw_json *j, const char *key, int64_t v)
{
	member(j, key);
	sgw_cli_printf(j->r, "%" PRId64, v);
}

void sgw_json_bool(struct sgw_json *j, const char *key, bool v)
{
	member(j, key);
	sgw_cli_printf(j->r, "%s", v ? "true" : "false");
}

void sgw_json_null(struct sgw_json *j, const char *key)
{
	member(j, key);
	sgw_cli_printf(j->r, "null");
}
