/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's wire format: parsing one request line, formatting one
 * reply. No I/O and no state, so it is unit-tested and fuzzed alone
 * (test/fuzz/fuzz_cli.c). Protocol in docs/cli-protocol.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PATH_WORDS_MAX 3
/* Words kept while splitting: the longest path and every argument a command
 * may take. Further words are only counted, so a request of 500 one-letter
 * words costs no more memory than a short one. */
#define WORDS_MAX (PATH_WORDS_MAX + SGW_CLI_MAX_ARGS)
#define JSON_FLAG "--json"

struct words {
	const char *w[WORDS_MAX];
	unsigned kept;  /* entries of w[] in use */
	unsigned total; /* words in the request, --json not counted */
	bool json;
};

static int __attribute__((format(printf, 4, 5)))
parse_error(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_request_char(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t';
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* Index of the first byte a request may not contain, or len. */
static size_t find_bad_char(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_request_char((unsigned char)line[i]))
			break;
	return i;
}

static void add_word(struct words *ws, const char *w)
{
	if (!strcmp(w, JSON_FLAG)) {
		ws->json = true;
		return;
	}
	if (ws->kept < WORDS_MAX)
		ws->w[ws->kept++] = w;
	ws->total++;
}

/* Copies line into buf, every separator turned into a NUL, and records the
 * words. The bytes were checked by find_bad_char: none is a NUL. */
static void split_words(const char *line, size_t len, char *buf,
			struct words *ws)
{
	size_t i = 0, start;

	memset(ws, 0, sizeof(*ws));
	if (len)
		memcpy(buf, line, len);
	buf[len] = '\0';
	while (i < len) {
		if (is_sep(buf[i])) {
			buf[i++] = '\0';
			continue;
		}
		start = i;
		while (i < len && !is_sep(buf[i]))
			i++;
		if (i < len)
			buf[i++] = '\0';
		add_word(ws, &buf[start]);
	}
}

/* How many leading words of the request equal the leading words of path;
 * *path_words gets the number of words in path. */
static unsigned match_path(const char *path, const struct words *ws,
			   unsigned *path_words)
{
	unsigned matched = 0, nw = 0;
	bool same = true;
	size_t l;

	while (*path) {
		if (*path == ' ') {
			path++;
			continue;
		}
		l = strcspn(path, " ");
		same = same && nw < ws->kept && strlen(ws->w[nw]) == l &&
		       !memcmp(ws->w[nw], path, l);
		matched += same;
		nw++;
		path += l;
	}
	*path_words = nw;
	return matched;
}

/* The command with the longest path that the request starts with. *depth
 * gets the most leading words any path shares with the request, for the
 * "unknown command" message. */
static const struct sgw_cli_cmd *find_cmd(const struct sgw_cli_cmd *tbl,
					  size_t n, const struct words *ws,
					  unsigned *path_words, unsigned *depth)
{
	const struct sgw_cli_cmd *best = NULL;
	unsigned best_words = 0, m, pw;
	size_t i;

	*depth = 0;
	for (i = 0; i < n; i++) {
		if (!tbl[i].path)
			continue;
		m = match_path(tbl[i].path, ws, &pw);
		if (m > *depth)
			*depth = m;
		if (pw && m == pw && pw > best_words) {
			best = &tbl[i];
			best_words = pw;
		}
	}
	*path_words = best_words;
	return best;
}

/* Quotes the words the table knows plus the first one it does not: for
 * "show bogus 1 2" that is 'show bogus'. */
static int unknown_cmd(const struct words *ws, unsigned depth, char *err,
		       size_t errlen)
{
	unsigned i, nq = depth + 1 < ws->kept ? depth + 1 : ws->kept;
	char q[128];
	size_t off = 0;
	int r;

	q[0] = '\0';
	for (i = 0; i < nq && off < sizeof(q) - 1; i++) {
		r = snprintf(q + off, sizeof(q) - off, "%s%s", i ? " " : "",
			     ws->w[i]);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	return parse_error(err, errlen, SGW_CLI_ERR_UNKNOWN,
			   "unknown command '%s' (try 'help')", q);
}

static int usage_error(const struct sgw_cli_cmd *c, char *err, size_t errlen)
{
	bool has_usage = c->usage && c->usage[0];

	return parse_error(err, errlen, SGW_CLI_ERR_ARGS, "usage: %s%s%s",
			   c->path, has_usage ? " " : "",
			   has_usage ? c->usage : "");
}

int sgw_cli_parse(const char *line, size_t len, char *buf,
		  const struct sgw_cli_cmd *tbl, size_t n,
		  const struct sgw_cli_cmd **cmd, struct sgw_cli_args *args,
		  char *err, size_t errlen)
{
	const struct sgw_cli_cmd *c;
	unsigned path_words, depth, argc, i;
	struct words ws;
	size_t bad;

	*cmd = NULL;
	memset(args, 0, sizeof(*args));
	if (errlen)
		err[0] = '\0';
	/* Checked before anything reads the bytes: the server never passes a
	 * longer line, but the fuzzer and future callers may. */
	if (len > SGW_CLI_LINE_MAX)
		return parse_error(err, errlen, SGW_CLI_ERR_TOO_LONG,
				   "request too long (max %d bytes)",
				   SGW_CLI_LINE_MAX);
	/* A client that sends control bytes could smuggle a NUL past the
	 * word splitter or escape sequences into an operator's terminal
	 * through error messages that quote the request. */
	bad = find_bad_char(line, len);
	if (bad < len)
		return parse_error(err, errlen, SGW_CLI_ERR_CHARS,
				   "invalid character 0x%02x at offset %zu",
				   (unsigned char)line[bad], bad);
	split_words(line, len, buf, &ws);
	args->json = ws.json;
	if (!ws.total)
		return parse_error(err, errlen, SGW_CLI_ERR_UNKNOWN,
				   "empty request");
	c = find_cmd(tbl, n, &ws, &path_words, &depth);
	if (!c)
		return unknown_cmd(&ws, depth, err, errlen);
	argc = ws.total - path_words;
	if (argc > SGW_CLI_MAX_ARGS || ws.total > WORDS_MAX)
		return parse_error(err, errlen, SGW_CLI_ERR_ARGS,
				   "too many arguments (max %d)",
				   SGW_CLI_MAX_ARGS);
	if (argc < c->min_args || argc > c->max_args)
		return usage_error(c, err, errlen);
	args->argc = argc;
	for (i = 0; i < argc; i++)
		args->argv[i] = ws.w[path_words + i];
	*cmd = c;
	return 0;
}

int sgw_cli_buf_reserve(struct sgw_cli_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= extra)
		return 0;
	if (extra > SIZE_MAX / 4 - b->len)
		return -ENOMEM;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

/* One reply line: CODE, sep, text, "\n". text holds no "\n". */
static int append_line(struct sgw_cli_buf *b, int code, char sep,
		       const char *text, size_t len)
{
	char head[8];

	if (sgw_cli_buf_reserve(b, 5 + len + 1) < 0)
		return -ENOMEM;
	snprintf(head, sizeof(head), "%04d%c", code, sep);
	memcpy(b->data + b->len, head, 5);
	if (len)
		memcpy(b->data + b->len + 5, text, len);
	b->data[b->len + 5 + len] = '\n';
	b->len += 5 + len + 1;
	return 0;
}

/* Each body line gets its own code, so a handler printing text that a peer
 * controls (an IKE identity, say) cannot forge a final "0000 ok" line. */
static int format_ok(struct sgw_cli_buf *out, const char *body, size_t len,
		     bool json)
{
	int code = json ? SGW_CLI_JSON : SGW_CLI_TEXT;
	size_t i = 0, l, start = out->len;
	const char *nl;

	while (i < len) {
		nl = memchr(body + i, '\n', len - i);
		l = nl ? (size_t)(nl - (body + i)) : len - i;
		if (append_line(out, code, '-', body + i, l) < 0)
			goto fail;
		i += l + 1;
	}
	if (append_line(out, SGW_CLI_OK, ' ', "ok", 2) < 0)
		goto fail;
	return 0;
fail:
	out->len = start;
	return -ENOMEM;
}

static const char *code_name(int code)
{
	switch (code) {
	case SGW_CLI_ERR_UNKNOWN:
		return "unknown command";
	case SGW_CLI_ERR_ARGS:
		return "bad arguments";
	case SGW_CLI_ERR_TOO_LONG:
		return "request too long";
	case SGW_CLI_ERR_CHARS:
		return "invalid characters";
	case SGW_CLI_ERR_BUSY:
		return "too many clients";
	default:
		return "error";
	}
}

/* The message becomes the one final line: control bytes (newlines above
 * all) turn into spaces, trailing ones are dropped. */
static int format_error(struct sgw_cli_buf *out, int code, const char *msg,
			size_t len)
{
	unsigned char c;
	size_t i;

	while (len && (unsigned char)msg[len - 1] <= ' ')
		len--;
	if (!len) {
		msg = code_name(code);
		len = strlen(msg);
	}
	if (append_line(out, code, ' ', msg, len) < 0)
		return -ENOMEM;
	for (i = out->len - 1 - len; i < out->len - 1; i++) {
		c = (unsigned char)out->data[i];
		if (c < 0x20 || c == 0x7f)
			out->data[i] = ' ';
	}
	return 0;
}

int sgw_cli_format(struct sgw_cli_buf *out, int code, const char *body,
		   size_t body_len, bool json)
{
	if (!body)
		body_len = 0;
	if (code == SGW_CLI_OK)
		return format_ok(out, body, body_len, json);
	if (code >= SGW_CLI_ERR_RUNTIME && code <= 9999)
		return format_error(out, code, body, body_len);
	return -EINVAL;
}

void sgw_cli_buf_free(struct sgw_cli_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
