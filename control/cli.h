/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sgwd control socket: one request per line, replies in numbered lines
 * (after BIRD's CLI). Protocol in docs/cli-protocol.md.
 *
 *   reply line = CODE ("-" | " ") text "\n"   ; "-": more lines follow
 *   0000 ok (final)   1000 text   1001 JSON text
 *   8000 runtime error (final)
 *   9000 unknown command  9001 bad arguments  9002 request too long
 *   9003 invalid characters  9004 too many clients   (all final)
 *
 * Concurrency: everything here runs on the control lcore only.
 */
#ifndef SGW_CLI_H
#define SGW_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SGW_CLI_LINE_MAX   1024  /* request bytes before "\n", excluded */
#define SGW_CLI_MAX_ARGS   32
#define SGW_CLI_MAX_CLIENTS 16
#define SGW_CLI_REPLY_MAX  (4u << 20) /* bytes buffered for one client */

enum sgw_cli_code {
	SGW_CLI_OK = 0,
	SGW_CLI_TEXT = 1000,
	SGW_CLI_JSON = 1001,
	SGW_CLI_ERR_RUNTIME = 8000,
	SGW_CLI_ERR_UNKNOWN = 9000,
	SGW_CLI_ERR_ARGS = 9001,
	SGW_CLI_ERR_TOO_LONG = 9002,
	SGW_CLI_ERR_CHARS = 9003,
	SGW_CLI_ERR_BUSY = 9004,
};

/* A parsed request: the words after the command path, and --json. */
struct sgw_cli_args {
	unsigned argc;
	const char *argv[SGW_CLI_MAX_ARGS];
	bool json;
};

/* Where a handler writes its answer. Opaque to handlers. */
struct sgw_cli_reply;

/* Appends text; the server splits it into 1000 (or 1001 in JSON mode) lines. */
void sgw_cli_printf(struct sgw_cli_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks the request failed with an 8xxx/9xxx code; the message becomes the
 * final line. Text already appended is discarded. */
void sgw_cli_fail(struct sgw_cli_reply *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

typedef void (*sgw_cli_handler)(const struct sgw_cli_args *a,
				struct sgw_cli_reply *r, void *ctx);

struct sgw_cli_cmd {
	const char *path;      /* "show ports": words matched exactly */
	unsigned min_args;     /* words after the path */
	unsigned max_args;
	const char *usage;     /* "[PORT]" for help */
	const char *help;
	sgw_cli_handler fn;
};

/* Pure request parser (fuzzed). line has no "\n"; len <= SGW_CLI_LINE_MAX.
 * Words are split on spaces/tabs into buf (which must hold len + 1 bytes and
 * outlive args). Returns 0 and sets *cmd and *args, or a 9xxx code with a
 * message in err. */
int sgw_cli_parse(const char *line, size_t len, char *buf,
		  const struct sgw_cli_cmd *tbl, size_t n,
		  const struct sgw_cli_cmd **cmd, struct sgw_cli_args *args,
		  char *err, size_t errlen);

/* Reply formatting, exposed for tests: turns a code and a body into numbered
 * lines appended to out (a malloc'd buffer grown as needed). */
struct sgw_cli_buf {
	char *data;
	size_t len, cap;
};
int sgw_cli_format(struct sgw_cli_buf *out, int code, const char *body,
		   size_t body_len, bool json);
/* Grows b so that extra more bytes fit; -ENOMEM on overflow or OOM. */
int sgw_cli_buf_reserve(struct sgw_cli_buf *b, size_t extra);
void sgw_cli_buf_free(struct sgw_cli_buf *b);

/* Runs one request line (no "\n") against tbl, plus a built-in "help" if tbl
 * has none, and appends the numbered reply to out. The server calls it for
 * every line; tests and the fuzzer call it without a socket. Returns the
 * final code (0, 8xxx, 9xxx) or -ENOMEM. */
int sgw_cli_run(const struct sgw_cli_cmd *tbl, size_t n, void *ctx,
		const char *line, size_t len, struct sgw_cli_buf *out);

/* Where the server reports what it cannot return to a caller: why open
 * failed, a client dropped. level is a syslog priority (LOG_ERR, ...).
 * Unset, the server is silent. Set once, before sgw_cli_server_open. */
typedef void (*sgw_cli_log_fn)(void *arg, int level, const char *msg);
void sgw_cli_set_log(sgw_cli_log_fn fn, void *arg);

/* Server on a unix socket, driven by the control loop's epoll. Returns NULL
 * with errno set on failure (EADDRINUSE: another sgwd listens on path). */
struct sgw_cli_server;
struct sgw_cli_server *sgw_cli_server_open(const char *path, unsigned mode,
					   const char *group, int epfd,
					   const struct sgw_cli_cmd *tbl,
					   size_t n, void *ctx);
/* epoll_event.data.ptr of every fd the server registers points to a
 * struct sgw_cli_ev; the control loop calls fn for each such event. fn may
 * free ev: the loop must not touch it afterwards. */
struct sgw_cli_ev {
	int fd;
	void (*fn)(struct sgw_cli_ev *ev, uint32_t events);
};
/* Unlinks the socket. Not from a handler or an event callback. */
void sgw_cli_server_close(struct sgw_cli_server *s);

/* A small JSON writer on top of sgw_cli_printf, so handlers cannot emit
 * broken JSON: keys are NULL inside arrays, strings are escaped. */
struct sgw_json {
	struct sgw_cli_reply *r;
	unsigned depth;
	bool need_comma[16];
	uint16_t arrays;   /* bit d: level d is an array (keys must be NULL) */
};
void sgw_json_begin(struct sgw_json *j, struct sgw_cli_reply *r); /* "{" */
void sgw_json_end(struct sgw_json *j);                           /* "}\n" */
void sgw_json_obj_open(struct sgw_json *j, const char *key);
void sgw_json_obj_close(struct sgw_json *j);
void sgw_json_arr_open(struct sgw_json *j, const char *key);
void sgw_json_arr_close(struct sgw_json *j);
void sgw_json_str(struct sgw_json *j, const char *key, const char *v);
void sgw_json_u64(struct sgw_json *j, const char *key, uint64_t v);
void sgw_json_i64(struct sgw_json *j, const char *key, int64_t v);
void sgw_json_bool(struct sgw_json *j, const char *key, bool v);
void sgw_json_null(struct sgw_json *j, const char *key);

#endif
