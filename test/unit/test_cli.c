/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the control socket: the request parser and reply
 * formatter (tables), the JSON writer, sgw_cli_run, and the real server on a
 * socket in a temporary directory, driven by an epoll loop in a thread the
 * way sgwd's control loop drives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the command table the tests run ---------------------------------- */

static void h_echo(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	unsigned i;

	(void)ctx;
	for (i = 0; i < a->argc; i++)
		sgw_cli_printf(r, "%s%s", i ? " " : "", a->argv[i]);
	if (a->argc)
		sgw_cli_printf(r, "\n");
}

static void h_fail(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	(void)a;
	(void)ctx;
	sgw_cli_printf(r, "discarded\n");
	sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "bad\nthing");
	sgw_cli_fail(r, 9001, "the first failure wins");
	sgw_cli_printf(r, "ignored\n");
}

/* 2 MB in 1000-byte lines: more than a socket buffer holds. */
static void h_big(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		  void *ctx)
{
	int i;

	(void)a;
	(void)ctx;
	for (i = 0; i < 2000; i++)
		sgw_cli_printf(r, "%04d%0995d\n", i, 0);
}

/* More body than SGW_CLI_REPLY_MAX. */
static void h_huge(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	int i;

	(void)a;
	(void)ctx;
	for (i = 0; i < 5000; i++)
		sgw_cli_printf(r, "%01023d\n", i);
}

/* A 1 MB body that numbering turns into 6 MB. */
static void h_newlines(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		       void *ctx)
{
	size_t n = 1u << 20;
	char *s = malloc(n + 1);

	(void)a;
	(void)ctx;
	assert_non_null(s);
	memset(s, '\n', n);
	s[n] = '\0';
	sgw_cli_printf(r, "%s", s);
	free(s);
}

static const struct sgw_cli_cmd cmds[] = {
	{ "show", 0, 1, "[WHAT]", "show a thing", h_echo },
	{ "show ports", 0, 1, "[PORT]", "port counters", h_echo },
	{ "show ports detail", 1, 1, "PORT", "one port in detail", h_echo },
	{ "clear sa", 1, 1, "SPI", "drop one SA", h_echo },
	{ "echo", 0, 16, "[WORD...]", "print the words", h_echo },
	{ "fail", 0, 0, "", "always fails", h_fail },
	{ "big", 0, 0, NULL, "2 MB of text", h_big },
	{ "huge", 0, 0, NULL, "more than a reply may hold", h_huge },
	{ "newlines", 0, 0, NULL, "1 MB of newlines", h_newlines },
	{ "nofn", 0, 0, NULL, NULL, NULL },
};

/* ---- parse ------------------------------------------------------------- */

struct parse_case {
	const char *line;
	size_t len;       /* 0: strlen(line) */
	int code;
	const char *path; /* on success */
	const char *args; /* on success: argv joined by '|' */
	bool json;
	const char *err;  /* on failure: the whole message */
};

static const struct parse_case parse_cases[] = {
	{ "show ports", 0, 0, "show ports", "", false, NULL },
	{ "show ports 1", 0, 0, "show ports", "1", false, NULL },
	{ "show ports detail 7", 0, 0, "show ports detail", "7", false, NULL },
	{ "show x", 0, 0, "show", "x", false, NULL },
	{ "show", 0, 0, "show", "", false, NULL },
	{ " \tshow\t\tports  \t", 0, 0, "show ports", "", false, NULL },
	{ "clear\tsa\t0x1 ", 0, 0, "clear sa", "0x1", false, NULL },
	{ "echo a\tb  c", 0, 0, "echo", "a|b|c", false, NULL },
	{ "--json show ports", 0, 0, "show ports", "", true, NULL },
	{ "show --json ports 1", 0, 0, "show ports", "1", true, NULL },
	{ "show ports 1 --json", 0, 0, "show ports", "1", true, NULL },
	{ "show ports --json --json", 0, 0, "show ports", "", true, NULL },
	{ "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 0, 0, "echo",
	  "1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16", false, NULL },
	/* 9000 */
	{ "", 0, 9000, NULL, NULL, false, "empty request" },
	{ "  \t ", 0, 9000, NULL, NULL, false, "empty request" },
	{ " --json ", 0, 9000, NULL, NULL, true, "empty request" },
	{ "frob", 0, 9000, NULL, NULL, false,
	  "unknown command 'frob' (try 'help')" },
	{ "frob a b c", 0, 9000, NULL, NULL, false,
	  "unknown command 'frob' (try 'help')" },
	{ "clear bogus 1", 0, 9000, NULL, NULL, false,
	  "unknown command 'clear bogus' (try 'help')" },
	{ "clear", 0, 9000, NULL, NULL, false,
	  "unknown command 'clear' (try 'help')" },
	{ "SHOW ports", 0, 9000, NULL, NULL, false,
	  "unknown command 'SHOW' (try 'help')" },
	{ "--json-- show", 0, 9000, NULL, NULL, false,
	  "unknown command '--json--' (try 'help')" },
	{ "help", 0, 9000, NULL, NULL, false,
	  "unknown command 'help' (try 'help')" }, /* built in by _run */
	{ "frob 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21", 0,
	  9000, NULL, NULL, false, "unknown command 'frob' (try 'help')" },
	/* 9001: the longest path wins, even when its arguments are wrong */
	{ "show ports detail", 0, 9001, NULL, NULL, false,
	  "usage: show ports detail PORT" },
	{ "show ports 1 2", 0, 9001, NULL, NULL, false,
	  "usage: show ports [PORT]" },
	{ "clear sa", 0, 9001, NULL, NULL, false, "usage: clear sa SPI" },
	{ "fail x", 0, 9001, NULL, NULL, false, "usage: fail" },
	{ "big x", 0, 9001, NULL, NULL, false, "usage: big" },
	{ "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33", 0, 9001,
	  NULL, NULL, false, "too many arguments (max 32)" },
	{ "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38", 0,
	  9001, NULL, NULL, false, "too many arguments (max 32)" },
	/* 9003 */
	{ "show\x01", 0, 9003, NULL, NULL, false,
	  "invalid character 0x01 at offset 4" },
	{ "show p\xc3\xa9", 0, 9003, NULL, NULL, false,
	  "invalid character 0xc3 at offset 6" },
	{ "a\x7f", 0, 9003, NULL, NULL, false,
	  "invalid character 0x7f at offset 1" },
	{ "show\0ports", 10, 9003, NULL, NULL, false,
	  "invalid character 0x00 at offset 4" },
	{ "show\rports", 0, 9003, NULL, NULL, false,
	  "invalid character 0x0d at offset 4" },
	{ "echo\n", 0, 9003, NULL, NULL, false,
	  "invalid character 0x0a at offset 4" },
	{ "\x1b[2J", 0, 9003, NULL, NULL, false,
	  "invalid character 0x1b at offset 0" },
};

static void join_args(const struct sgw_cli_args *a, char *out, size_t size)
{
	size_t off = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < a->argc; i++)
		off += (size_t)snprintf(out + off, size - off, "%s%s",
					i ? "|" : "", a->argv[i]);
}

static void check_parse(const struct parse_case *pc)
{
	char buf[SGW_CLI_LINE_MAX + 1], err[256], joined[512];
	size_t len = pc->len ? pc->len : strlen(pc->line);
	const struct sgw_cli_cmd *cmd = NULL;
	struct sgw_cli_args args;
	int code;

	code = sgw_cli_parse(pc->line, len, buf, cmds, ARRAY_SIZE(cmds), &cmd,
			     &args, err, sizeof(err));
	if (code != pc->code)
		fail_msg("'%s': code %d, want %d (%s)", pc->line, code,
			 pc->code, err);
	if (code) {
		assert_null(cmd);
		assert_string_equal(err, pc->err);
		return;
	}
	assert_non_null(cmd);
	assert_string_equal(cmd->path, pc->path);
	join_args(&args, joined, sizeof(joined));
	assert_string_equal(joined, pc->args);
	assert_int_equal(args.json, pc->json);
}

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(parse_cases); i++)
		check_parse(&parse_cases[i]);
}

/* The length limit, at and just past it. */
static void test_parse_length(void **state)
{
	char line[SGW_CLI_LINE_MAX + 2], buf[SGW_CLI_LINE_MAX + 1], err[128];
	const struct sgw_cli_cmd *cmd;
	struct sgw_cli_args args;
	int code;

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "echo ", 5);
	code = sgw_cli_parse(line, SGW_CLI_LINE_MAX, buf, cmds,
			     ARRAY_SIZE(cmds), &cmd, &args, err, sizeof(err));
	assert_int_equal(code, 0);
	assert_int_equal(args.argc, 1);
	assert_int_equal(strlen(args.argv[0]), SGW_CLI_LINE_MAX - 5);
	code = sgw_cli_parse(line, SGW_CLI_LINE_MAX + 1, buf, cmds,
			     ARRAY_SIZE(cmds), &cmd, &args, err, sizeof(err));
	assert_int_equal(code, SGW_CLI_ERR_TOO_LONG);
	assert_string_equal(err, "request too long (max 1024 bytes)");
	/* No room for a message is not an excuse to write one. */
	code = sgw_cli_parse("frob", 4, buf, cmds, ARRAY_SIZE(cmds), &cmd,
			     &args, NULL, 0);
	assert_int_equal(code, SGW_CLI_ERR_UNKNOWN);
}

/* ---- format ------------------------------------------------------------ */

struct format_case {
	int code;
	const char *body;
	bool json;
	int rc;
	const char *want;
};

static const struct format_case format_cases[] = {
	{ 0, "a\nb\n", false, 0, "1000-a\n1000-b\n0000 ok\n" },
	{ 0, "a\nb", false, 0, "1000-a\n1000-b\n0000 ok\n" },
	{ 0, "", false, 0, "0000 ok\n" },
	{ 0, NULL, false, 0, "0000 ok\n" },
	{ 0, "\n", false, 0, "1000-\n0000 ok\n" },
	{ 0, "a\n\nb\n", false, 0, "1000-a\n1000-\n1000-b\n0000 ok\n" },
	{ 0, "{\n}\n", true, 0, "1001-{\n1001-}\n0000 ok\n" },
	/* A forged final line in the body stays a text line. */
	{ 0, "x\n0000 ok\n", false, 0, "1000-x\n1000-0000 ok\n0000 ok\n" },
	{ 8000, "bad\nthing", false, 0, "8000 bad thing\n" },
	{ 8000, "bad\n", false, 0, "8000 bad\n" },
	{ 8000, "a\r\x1b" "b", false, 0, "8000 a  b\n" },
	{ 9001, "", false, 0, "9001 bad arguments\n" },
	{ 9004, NULL, false, 0, "9004 too many clients\n" },
	{ 9002, "too long", true, 0, "9002 too long\n" },
	{ 1000, "x", false, -EINVAL, "" },
	{ 7999, "x", false, -EINVAL, "" },
	{ 10000, "x", false, -EINVAL, "" },
	{ -1, "x", false, -EINVAL, "" },
};

static void test_format_table(void **state)
{
	const struct format_case *fc;
	struct sgw_cli_buf out = { 0 };
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(format_cases); i++) {
		fc = &format_cases[i];
		out.len = 0;
		rc = sgw_cli_format(&out, fc->code, fc->body,
				    fc->body ? strlen(fc->body) : 0, fc->json);
		assert_int_equal(rc, fc->rc);
		assert_int_equal(out.len, strlen(fc->want));
		assert_memory_equal(out.data ? out.data : "", fc->want,
				    out.len);
	}
	sgw_cli_buf_free(&out);
}

/* Replies are appended, never overwrite what is already queued. */
static void test_format_appends(void **state)
{
	static const char want[] = "1000-a\n0000 ok\n9000 nope\n";
	struct sgw_cli_buf out = { 0 };

	(void)state;
	assert_int_equal(sgw_cli_format(&out, 0, "a", 1, false), 0);
	assert_int_equal(sgw_cli_format(&out, 9000, "nope", 4, false), 0);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, out.len);
	sgw_cli_buf_free(&out);
	assert_null(out.data);
}

/* ---- sgw_cli_run --------------------------------------------------------- */

/* Runs line and returns the reply as a NUL-terminated string (static). */
static const char *run(const struct sgw_cli_cmd *tbl, size_t n,
		       const char *line, int want_rc)
{
	static struct sgw_cli_buf out;
	int rc;

	sgw_cli_buf_free(&out);
	rc = sgw_cli_run(tbl, n, NULL, line, strlen(line), &out);
	if (rc != want_rc)
		fail_msg("'%s': rc %d, want %d", line, rc, want_rc);
	out.data = realloc(out.data, out.len + 1);
	assert_non_null(out.data);
	out.data[out.len] = '\0';
	return out.data;
}

struct run_case {
	const char *line;
	int rc;
	const char *want;
};

static const struct run_case run_cases[] = {
	{ "echo a b", 0, "1000-a b\n0000 ok\n" },
	{ "echo", 0, "0000 ok\n" },
	{ "echo --json a", 0, "1001-a\n0000 ok\n" },
	{ "fail", 8000, "8000 bad thing\n" },
	{ "frob", 9000, "9000 unknown command 'frob' (try 'help')\n" },
	{ "huge", 8000, "8000 reply too large (max 4194304 bytes)\n" },
	{ "newlines", 8000, "8000 reply too large (max 4194304 bytes)\n" },
	{ "nofn", 8000, "8000 'nofn' has no handler\n" },
	{ "help show ports", 0,
	  "1000-show ports [PORT]       port counters\n"
	  "1000-show ports detail PORT  one port in detail\n"
	  "0000 ok\n" },
	{ "help big", 0, "1000-big  2 MB of text\n0000 ok\n" },
	{ "help nothing", 9000, "9000 no command starts with 'nothing'\n" },
	{ "help a b c d", 9001, "9001 usage: help [COMMAND...]\n" },
	{ "help show ports detail --json", 0,
	  "1001-{\n"
	  "1001-  \"commands\": [\n"
	  "1001-    {\n"
	  "1001-      \"command\": \"show ports detail\",\n"
	  "1001-      \"usage\": \"PORT\",\n"
	  "1001-      \"help\": \"one port in detail\"\n"
	  "1001-    }\n"
	  "1001-  ]\n"
	  "1001-}\n"
	  "0000 ok\n" },
};

static void test_run_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(run_cases); i++)
		assert_string_equal(run(cmds, ARRAY_SIZE(cmds),
					run_cases[i].line, run_cases[i].rc),
				    run_cases[i].want);
}

static void test_run_help_lists_all(void **state)
{
	const char *r = run(cmds, ARRAY_SIZE(cmds), "help", 0);

	(void)state;
	assert_non_null(strstr(r, "1000-show ports [PORT]"));
	assert_non_null(strstr(r, "1000-nofn "));
	assert_non_null(strstr(r, "1000-help [COMMAND...]"));
	assert_string_equal(r + strlen(r) - 8, "0000 ok\n");
	/* An empty table still has help. */
	assert_string_equal(run(NULL, 0, "help", 0),
			    "1000-help [COMMAND...]  list the commands, or "
			    "those starting with COMMAND\n0000 ok\n");
}

static void h_own_help(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		       void *ctx)
{
	(void)a;
	(void)ctx;
	sgw_cli_printf(r, "mine");
}

static void test_run_own_help(void **state)
{
	static const struct sgw_cli_cmd own[] = {
		{ "help", 0, 0, NULL, NULL, h_own_help },
	};

	(void)state;
	assert_string_equal(run(own, 1, "help", 0), "1000-mine\n0000 ok\n");
	assert_string_equal(run(own, 1, "help x", 9001), "9001 usage: help\n");
}

/* ---- JSON writer ------------------------------------------------------- */

static void j_empty(struct sgw_json *j)
{
	(void)j;
}

static void j_flat(struct sgw_json *j)
{
	sgw_json_u64(j, "a", 1);
	sgw_json_i64(j, "b", -2);
	sgw_json_bool(j, "c", true);
	sgw_json_bool(j, "f", false);
	sgw_json_null(j, "d");
	sgw_json_str(j, "e", "x");
	sgw_json_str(j, "n", NULL);
}

static void j_nested(struct sgw_json *j)
{
	sgw_json_obj_open(j, "o");
	sgw_json_arr_open(j, "l");
	sgw_json_u64(j, NULL, 1);
	sgw_json_str(j, NULL, "two");
	sgw_json_obj_open(j, NULL);
	sgw_json_obj_close(j);
	sgw_json_arr_open(j, NULL);
	sgw_json_arr_close(j);
	sgw_json_obj_open(j, NULL);
	sgw_json_bool(j, "in", true);
	sgw_json_obj_close(j);
	sgw_json_arr_close(j);
	sgw_json_obj_close(j);
	sgw_json_arr_open(j, "empty");
	sgw_json_arr_close(j);
}

static void j_escape(struct sgw_json *j)
{
	sgw_json_str(j, "k\"ey", "a\"b\\c\n\x01\x1f\x7f\xc3\xa9/ok");
}

static void j_extremes(struct sgw_json *j)
{
	sgw_json_u64(j, "max", UINT64_MAX);
	sgw_json_i64(j, "min", INT64_MIN);
}

struct json_case {
	void (*fn)(struct sgw_json *j);
	const char *want; /* the JSON text, codes stripped */
};

static const struct json_case json_cases[] = {
	{ j_empty, "{}\n" },
	{ j_flat, "{\n"
		  "  \"a\": 1,\n"
		  "  \"b\": -2,\n"
		  "  \"c\": true,\n"
		  "  \"f\": false,\n"
		  "  \"d\": null,\n"
		  "  \"e\": \"x\",\n"
		  "  \"n\": null\n"
		  "}\n" },
	{ j_nested, "{\n"
		    "  \"o\": {\n"
		    "    \"l\": [\n"
		    "      1,\n"
		    "      \"two\",\n"
		    "      {},\n"
		    "      [],\n"
		    "      {\n"
		    "        \"in\": true\n"
		    "      }\n"
		    "    ]\n"
		    "  },\n"
		    "  \"empty\": []\n"
		    "}\n" },
	{ j_escape, "{\n"
		    "  \"k\\\"ey\": \"a\\\"b\\\\c\\u000a\\u0001\\u001f\\u007f"
		    "\\u00c3\\u00a9/ok\"\n"
		    "}\n" },
	{ j_extremes, "{\n"
		      "  \"max\": 18446744073709551615,\n"
		      "  \"min\": -9223372036854775808\n"
		      "}\n" },
};

static const struct json_case *json_now;

static void h_json(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		   void *ctx)
{
	struct sgw_json j;

	(void)a;
	(void)ctx;
	sgw_json_begin(&j, r);
	json_now->fn(&j);
	sgw_json_end(&j);
}

static const struct sgw_cli_cmd json_cmd[] = {
	{ "j", 0, 0, NULL, NULL, h_json },
};

/* The JSON text of a 1001 reply: each line without its code. */
static char *json_text(const char *reply)
{
	char *out = calloc(1, strlen(reply) + 1), *o = out;
	const char *nl;

	assert_non_null(out);
	while (!strncmp(reply, "1001-", 5)) {
		nl = strchr(reply, '\n');
		assert_non_null(nl);
		memcpy(o, reply + 5, (size_t)(nl + 1 - (reply + 5)));
		o += nl + 1 - (reply + 5);
		reply = nl + 1;
	}
	assert_string_equal(reply, "0000 ok\n");
	return out;
}

static void test_json_table(void **state)
{
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(json_cases); i++) {
		json_now = &json_cases[i];
		text = json_text(run(json_cmd, 1, "j --json", 0));
		assert_string_equal(text, json_cases[i].want);
		free(text);
	}
}

/* 15 nested arrays under the root: depth 16, the most the writer allows. */
static void j_deep(struct sgw_json *j)
{
	int i;

	sgw_json_arr_open(j, "d");
	for (i = 1; i < 15; i++)
		sgw_json_arr_open(j, NULL);
	sgw_json_u64(j, NULL, 7);
	for (i = 0; i < 15; i++)
		sgw_json_arr_close(j);
}

/* A string longer than the writer's escape chunk, escapes straddling it. */
static void j_long(struct sgw_json *j)
{
	char s[301];

	memset(s, '"', 300);
	s[300] = '\0';
	s[127] = '\x01';
	sgw_json_str(j, "s", s);
}

static void test_json_deep_and_long(void **state)
{
	static const struct json_case deep = { j_deep, NULL };
	static const struct json_case lng = { j_long, NULL };
	char want[1024], *text, *p;
	int i;

	(void)state;
	json_now = &deep;
	text = json_text(run(json_cmd, 1, "j --json", 0));
	p = want + sprintf(want, "{\n  \"d\": ");
	for (i = 0; i < 15; i++)
		p += sprintf(p, "[\n%*s", 2 * (i + 2), "");
	p += sprintf(p, "7");
	for (i = 15; i > 0; i--)
		p += sprintf(p, "\n%*s]", 2 * i, "");
	sprintf(p, "\n}\n");
	assert_string_equal(text, want);
	free(text);

	json_now = &lng;
	text = json_text(run(json_cmd, 1, "j --json", 0));
	p = want + sprintf(want, "{\n  \"s\": \"");
	for (i = 0; i < 300; i++)
		p += sprintf(p, "%s", i == 127 ? "\\u0001" : "\\\"");
	sprintf(p, "\"\n}\n");
	assert_string_equal(text, want);
	free(text);
}

/* ---- the server, on a real socket ------------------------------------- */

static char last_log[512];

static void test_log(void *arg, int level, const char *msg)
{
	(void)arg;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

struct fixture {
	char dir[64];
	char path[128];
	int epfd;
	struct sgw_cli_ev stop_ev; /* an eventfd: the loop ends when written */
	bool stop;                 /* loop thread only */
	struct sgw_cli_server *srv;
	pthread_t loop;
};

static void on_stop(struct sgw_cli_ev *ev, uint32_t events)
{
	struct fixture *f = (struct fixture *)(void *)((char *)ev -
				offsetof(struct fixture, stop_ev));

	(void)events;
	f->stop = true;
}

/* What sgwd's control loop does with the server's events. */
static void *loop_main(void *arg)
{
	struct fixture *f = arg;
	struct epoll_event evs[8];
	struct sgw_cli_ev *ev;
	int n, i;

	while (!f->stop) {
		n = epoll_wait(f->epfd, evs, ARRAY_SIZE(evs), 1000);
		for (i = 0; i < n; i++) {
			ev = evs[i].data.ptr;
			ev->fn(ev, evs[i].events);
		}
	}
	return NULL;
}

static const char *my_group(void)
{
	struct group *g = getgrgid(getegid());

	return g ? g->gr_name : NULL;
}

static int server_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct epoll_event e = { .events = EPOLLIN };

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_cli.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/run/sgw/sgwd.sock", f->dir);
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(f->epfd >= 0);
	f->stop_ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->stop_ev.fn = on_stop;
	e.data.ptr = &f->stop_ev;
	assert_int_equal(epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->stop_ev.fd, &e),
			 0);
	f->srv = sgw_cli_server_open(f->path, 0660, my_group(), f->epfd, cmds,
				     ARRAY_SIZE(cmds), NULL);
	assert_non_null(f->srv);
	assert_int_equal(pthread_create(&f->loop, NULL, loop_main, f), 0);
	*state = f;
	return 0;
}

static int server_teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];
	uint64_t one = 1;

	assert_int_equal(write(f->stop_ev.fd, &one, sizeof(one)), sizeof(one));
	pthread_join(f->loop, NULL);
	sgw_cli_server_close(f->srv);
	assert_int_equal(access(f->path, F_OK), -1); /* close unlinked it */
	close(f->stop_ev.fd);
	close(f->epfd);
	snprintf(p, sizeof(p), "%s/run/sgw", f->dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/run", f->dir);
	rmdir(p);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

static struct sockaddr_un unix_addr(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	return sa;
}

static int cl_connect(const char *path)
{
	struct sockaddr_un sa = unix_addr(path);
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void cl_send(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads byte by byte until nfinal final lines ("CODE " ... "\n") have
 * come, so nothing after them is consumed. Returns a static string. */
static const char *cl_read(int fd, int nfinal)
{
	static char buf[8192];
	size_t len = 0, bol = 0;
	ssize_t r;

	while (nfinal > 0) {
		assert_true(len < sizeof(buf) - 1);
		r = recv(fd, buf + len, 1, 0);
		if (r <= 0)
			fail_msg("recv: %zd (%s) after '%.*s'", r,
				 r ? strerror(errno) : "EOF", (int)len, buf);
		if (buf[len++] != '\n')
			continue;
		if (len - bol >= 6 && buf[bol + 4] == ' ')
			nfinal--;
		bol = len;
	}
	buf[len] = '\0';
	return buf;
}

/* The server hung up: EOF, or ECONNRESET when it closed with our request
 * still unread in its buffer. */
static void cl_expect_closed(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, 0);

	if (r != 0 && !(r < 0 && errno == ECONNRESET))
		fail_msg("expected the server to close, got %zd (%s)", r,
			 r < 0 ? strerror(errno) : "data");
}

static void cl_echo(int fd, const char *word)
{
	char req[64], want[64];

	snprintf(req, sizeof(req), "echo %s\n", word);
	snprintf(want, sizeof(want), "1000-%s\n0000 ok\n", word);
	cl_send(fd, req, strlen(req));
	assert_string_equal(cl_read(fd, 1), want);
}

static void test_server_request(void **state)
{
	struct fixture *f = *state;
	int fd = cl_connect(f->path);

	cl_send(fd, "echo a b\n", 9);
	assert_string_equal(cl_read(fd, 1), "1000-a b\n0000 ok\n");
	cl_send(fd, "frob\n", 5);
	assert_string_equal(cl_read(fd, 1),
			    "9000 unknown command 'frob' (try 'help')\n");
	/* A request error keeps the connection; sent in pieces, too. */
	cl_send(fd, "\x01\n", 2);
	assert_string_equal(cl_read(fd, 1),
			    "9003 invalid character 0x01 at offset 0\n");
	cl_send(fd, "ec", 2);
	usleep(20000);
	cl_send(fd, "ho c\n", 5);
	assert_string_equal(cl_read(fd, 1), "1000-c\n0000 ok\n");
	close(fd);
}

static void test_server_pipelined(void **state)
{
	static const char reqs[] = "echo 1\necho 2\n\necho 3\n";
	struct fixture *f = *state;
	int fd = cl_connect(f->path);

	cl_send(fd, reqs, sizeof(reqs) - 1);
	assert_string_equal(cl_read(fd, 4),
			    "1000-1\n0000 ok\n1000-2\n0000 ok\n"
			    "9000 empty request\n1000-3\n0000 ok\n");
	close(fd);
}

static void test_server_too_long(void **state)
{
	char line[SGW_CLI_LINE_MAX + 2];
	struct fixture *f = *state;
	int fd;

	/* Exactly the limit is fine... */
	fd = cl_connect(f->path);
	memset(line, 'x', sizeof(line));
	memcpy(line, "echo ", 5);
	line[SGW_CLI_LINE_MAX] = '\n';
	cl_send(fd, line, SGW_CLI_LINE_MAX + 1);
	assert_int_equal(strlen(cl_read(fd, 1)),
			 5 + SGW_CLI_LINE_MAX - 5 + 1 + 8);
	/* ...one byte more is answered, then the connection is closed. */
	line[SGW_CLI_LINE_MAX] = 'x';
	line[SGW_CLI_LINE_MAX + 1] = '\n';
	cl_send(fd, line, SGW_CLI_LINE_MAX + 2);
	assert_string_equal(cl_read(fd, 1),
			    "9002 request too long (max 1024 bytes)\n");
	cl_expect_closed(fd);
	close(fd);
}

/* Retries while the server has not yet seen a departed client go. */
static int cl_connect_served(const char *path)
{
	const char *r;
	int i, fd;

	for (i = 0; i < 200; i++) {
		fd = cl_connect(path);
		cl_send(fd, "echo in\n", 8);
		r = cl_read(fd, 1);
		if (!strcmp(r, "1000-in\n0000 ok\n"))
			return fd;
		assert_string_equal(r, "9004 too many clients\n");
		close(fd);
		usleep(10000);
	}
	fail_msg("no free client slot");
	return -1;
}

static void test_server_max_clients(void **state)
{
	struct fixture *f = *state;
	int fds[SGW_CLI_MAX_CLIENTS], extra, i;

	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++) {
		fds[i] = cl_connect(f->path);
		cl_echo(fds[i], "hi");
	}
	extra = cl_connect(f->path);
	assert_string_equal(cl_read(extra, 1), "9004 too many clients\n");
	cl_expect_closed(extra);
	close(extra);
	/* Everyone already in is still served... */
	cl_echo(fds[3], "still");
	/* ...and a slot freed is a slot taken. */
	close(fds[0]);
	fds[0] = cl_connect_served(f->path);
	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* A client that leaves mid-reply, or asks for replies it never reads,
 * neither stops others being served nor keeps its slot. */
static void test_server_disconnect_mid_reply(void **state)
{
	struct fixture *f = *state;
	int fds[SGW_CLI_MAX_CLIENTS], greedy, other, i;
	char buf[100];

	for (i = 0; i < 5; i++) {
		greedy = cl_connect(f->path);
		cl_send(greedy, "big\n", 4);
		assert_int_equal(recv(greedy, buf, sizeof(buf), MSG_WAITALL),
				 sizeof(buf));
		assert_memory_equal(buf, "1000-0000000", 12);
		close(greedy);
	}
	greedy = cl_connect(f->path);
	cl_send(greedy, "big\nbig\nbig\nbig\n", 16);
	other = cl_connect(f->path);
	cl_echo(other, "served");
	close(other);
	close(greedy);
	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++)
		fds[i] = cl_connect_served(f->path);
	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* A request is run once its "\n" has come, even if the client has shut
 * down its side; an unfinished one never is. */
static void test_server_half_close(void **state)
{
	struct fixture *f = *state;
	int fd;

	fd = cl_connect(f->path);
	cl_send(fd, "echo x\n", 7);
	shutdown(fd, SHUT_WR);
	assert_string_equal(cl_read(fd, 1), "1000-x\n0000 ok\n");
	cl_expect_closed(fd);
	close(fd);

	fd = cl_connect(f->path);
	cl_send(fd, "echo y", 6);
	shutdown(fd, SHUT_WR);
	cl_expect_closed(fd);
	close(fd);
}

static void test_server_socket_file(void **state)
{
	struct fixture *f = *state;
	char dir[160];
	struct stat st;

	(void)state;
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, getegid());
	snprintf(dir, sizeof(dir), "%s/run/sgw", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
}

static struct sgw_cli_server *open_at(const char *path, const char *group,
				      int epfd)
{
	return sgw_cli_server_open(path, 0600, group, epfd, cmds,
				   ARRAY_SIZE(cmds), NULL);
}

static void test_server_open_errors(void **state)
{
	struct fixture *f = *state;
	struct sgw_cli_server *s;
	struct sockaddr_un sa;
	char path[160];
	int epfd = epoll_create1(EPOLL_CLOEXEC), fd;

	/* Someone is listening: never steal the socket. */
	errno = 0;
	assert_null(open_at(f->path, NULL, epfd));
	assert_int_equal(errno, EADDRINUSE);
	assert_non_null(strstr(last_log, "is listening on"));
	fd = cl_connect(f->path);
	cl_echo(fd, "unharmed");
	close(fd);

	/* Not a socket: leave it alone. */
	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(open_at(path, NULL, epfd));
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(last_log, "is not a socket"));
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);

	snprintf(path, sizeof(path), "%s/g.sock", f->dir);
	assert_null(open_at(path, "no-such-group-sgw", epfd));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(access(path, F_OK), -1);

	assert_null(open_at("", NULL, epfd));
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_null(open_at(path, NULL, epfd));
	assert_int_equal(errno, ENAMETOOLONG);

	/* A socket left by a dead sgwd is replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	s = open_at(path, NULL, epfd);
	assert_non_null(s);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	sgw_cli_server_close(s);
	sa = unix_addr(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* the file stays, nobody listens */
	assert_int_equal(access(path, F_OK), 0);
	s = open_at(path, NULL, epfd);
	assert_non_null(s);
	sgw_cli_server_close(s);
	assert_int_equal(access(path, F_OK), -1);
	close(epfd);
}

/* Built with -DSGW_CLI_IDLE_MS=<small> (server and test alike), checks that
 * a client dribbling a line is dropped; at the real 60 s it is skipped. */
static void test_server_idle(void **state)
{
#ifdef SGW_CLI_IDLE_MS
	struct fixture *f = *state;
	int fd = cl_connect(f->path), idle = cl_connect(f->path);

	cl_send(fd, "echo", 4);
	cl_echo(idle, "idle"); /* no partial line: may stay */
	usleep((SGW_CLI_IDLE_MS + 2500) * 1000);
	cl_expect_closed(fd);
	close(fd);
	cl_echo(idle, "still");
	close(idle);
#else
	(void)state;
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_length),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_appends),
		cmocka_unit_test(test_run_table),
		cmocka_unit_test(test_run_help_lists_all),
		cmocka_unit_test(test_run_own_help),
		cmocka_unit_test(test_json_table),
		cmocka_unit_test(test_json_deep_and_long),
#define SERVER_TEST(t) \
	cmocka_unit_test_setup_teardown(t, server_setup, server_teardown)
		SERVER_TEST(test_server_request),
		SERVER_TEST(test_server_pipelined),
		SERVER_TEST(test_server_too_long),
		SERVER_TEST(test_server_max_clients),
		SERVER_TEST(test_server_disconnect_mid_reply),
		SERVER_TEST(test_server_half_close),
		SERVER_TEST(test_server_socket_file),
		SERVER_TEST(test_server_open_errors),
		SERVER_TEST(test_server_idle),
	};

	sgw_cli_set_log(test_log, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
