/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket server, and the reply a handler writes into.
 *
 * A unix stream listener and up to SGW_CLI_MAX_CLIENTS connections, driven
 * by the control loop's (level-triggered) epoll; a timerfd sweeps stuck
 * clients. Who is on the other end: any local process allowed to open the
 * socket. It may send garbage, send a byte a minute, never read its reply,
 * pipeline hundreds of requests, or vanish mid-reply. None of that may block
 * the control loop, crash it, or cost more than one line and one reply of
 * memory per client.
 *
 * Concurrency: control lcore only. The log hook is written once, before the
 * first server opens.
 */
#include <assert.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* A partial line or an unsent reply older than this is dropped. */
#ifndef SGW_CLI_IDLE_MS
#define SGW_CLI_IDLE_MS 60000
#endif
#define TICK_MS 1000
#define ACCEPT_BURST 32
#define LISTEN_BACKLOG 32
/* An idle client keeps an output buffer no larger than this. */
#define OUT_KEEP (64u << 10)

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

struct sgw_cli_reply {
	struct sgw_cli_buf body;
	int code;      /* 0, or the code given to sgw_cli_fail */
	char msg[256]; /* the failure message */
};

struct client {
	struct sgw_cli_ev ev; /* ev.fd is the connection */
	struct sgw_cli_server *srv;
	unsigned slot;        /* index in srv->clients */
	uint32_t events;      /* epoll interest now registered */
	bool eof;             /* the peer will send nothing more */
	bool closing;         /* close once out is flushed (after 9002) */
	bool doomed;          /* shut down by the sweep; close on next event */
	bool partial;         /* in holds the start of a line, no "\n" yet */
	uint64_t line_since;  /* ms: when that partial line began */
	uint64_t reply_since; /* ms: when the unsent reply was queued */
	struct sgw_cli_buf out;
	size_t out_off;       /* bytes of out already sent */
	size_t in_len;
	char in[SGW_CLI_LINE_MAX + 1]; /* the longest line and its "\n" */
};

struct sgw_cli_server {
	struct sgw_cli_ev listen_ev;
	struct sgw_cli_ev timer_ev;
	int epfd;
	bool listen_paused; /* out of fds; accept again on the next tick */
	bool timer_armed;
	bool full_logged;   /* "too many clients" logged since last below max */
	dev_t dev;          /* the socket file we bound, unlinked on close */
	ino_t ino;
	const struct sgw_cli_cmd *tbl;
	size_t n;
	void *ctx;
	unsigned nclients;
	struct client *clients[SGW_CLI_MAX_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static sgw_cli_log_fn log_fn;
static void *log_arg;

void sgw_cli_set_log(sgw_cli_log_fn fn, void *arg)
{
	log_fn = fn;
	log_arg = arg;
}

static void __attribute__((format(printf, 2, 3)))
cli_log(int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(log_arg, level, msg);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the reply a handler writes into ---------------------------------- */

void sgw_cli_fail(struct sgw_cli_reply *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->code) /* the first failure is the cause; keep it */
		return;
	if (code < SGW_CLI_ERR_RUNTIME || code > 9999)
		code = SGW_CLI_ERR_RUNTIME;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->body.len = 0;
}

/* The body is capped at SGW_CLI_REPLY_MAX (the body never exceeds it, so
 * the subtraction below cannot wrap): a handler walking a million SAs fails
 * with 8000 instead of eating the control core's memory. */
void sgw_cli_printf(struct sgw_cli_reply *r, const char *fmt, ...)
{
	va_list ap, again;
	int need;

	if (r->code)
		return;
	va_start(ap, fmt);
	va_copy(again, ap);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "bad format in reply");
	} else if ((size_t)need > SGW_CLI_REPLY_MAX - r->body.len) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME,
			     "reply too large (max %u bytes)",
			     SGW_CLI_REPLY_MAX);
	} else if (sgw_cli_buf_reserve(&r->body, (size_t)need + 1) < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "out of memory");
	} else {
		vsnprintf(r->body.data + r->body.len, (size_t)need + 1, fmt,
			  again);
		r->body.len += (size_t)need;
	}
	va_end(again);
}

/* ---- running one request ---------------------------------------------- */

struct help_ctx {
	const struct sgw_cli_cmd *tbl;
	size_t n;
};

static void help_fn(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		    void *ctx);

static const struct sgw_cli_cmd help_cmd = {
	.path = "help",
	.min_args = 0,
	.max_args = 3,
	.usage = "[COMMAND...]",
	.help = "list the commands, or those starting with COMMAND",
	.fn = help_fn,
};

/* Does path start with the words a->argv? */
static bool path_has_prefix(const char *path, const struct sgw_cli_args *a)
{
	unsigned i;
	size_t l;

	for (i = 0; i < a->argc; i++) {
		path += strspn(path, " ");
		l = strcspn(path, " ");
		if (l != strlen(a->argv[i]) || memcmp(path, a->argv[i], l))
			return false;
		path += l;
	}
	return true;
}

static void help_line(struct sgw_cli_reply *r, const struct sgw_cli_cmd *c,
		      int width)
{
	char syn[128];

	snprintf(syn, sizeof(syn), "%s%s%s", c->path,
		 c->usage && c->usage[0] ? " " : "", c->usage ? c->usage : "");
	sgw_cli_printf(r, "%-*s  %s\n", width, syn, c->help ? c->help : "");
}

static void help_json(struct sgw_json *j, const struct sgw_cli_cmd *c)
{
	sgw_json_obj_open(j, NULL);
	sgw_json_str(j, "command", c->path);
	sgw_json_str(j, "usage", c->usage ? c->usage : "");
	sgw_json_str(j, "help", c->help ? c->help : "");
	sgw_json_obj_close(j);
}

/* The commands help lists: the table, then the built-in help itself. */
static const struct sgw_cli_cmd *help_nth(const struct help_ctx *h, size_t i)
{
	if (i < h->n)
		return h->tbl[i].path ? &h->tbl[i] : NULL;
	return i == h->n ? &help_cmd : NULL;
}

static void help_none(const struct sgw_cli_args *a, struct sgw_cli_reply *r)
{
	char words[128];
	size_t off = 0;
	unsigned i;
	int l;

	words[0] = '\0';
	for (i = 0; i < a->argc && off < sizeof(words); i++) {
		l = snprintf(words + off, sizeof(words) - off, "%s%s",
			     i ? " " : "", a->argv[i]);
		off += l > 0 ? (size_t)l : 0;
	}
	sgw_cli_fail(r, SGW_CLI_ERR_UNKNOWN, "no command starts with '%s'",
		     words);
}

static void help_fn(const struct sgw_cli_args *a, struct sgw_cli_reply *r,
		    void *ctx)
{
	const struct help_ctx *h = ctx;
	const struct sgw_cli_cmd *c;
	size_t i, l, width = 0, shown = 0;
	struct sgw_json j;

	for (i = 0; i <= h->n; i++) {
		c = help_nth(h, i);
		if (!c || !path_has_prefix(c->path, a))
			continue;
		l = strlen(c->path) +
		    (c->usage && c->usage[0] ? strlen(c->usage) + 1 : 0);
		width = l > width ? l : width;
		shown++;
	}
	if (!shown) {
		help_none(a, r);
		return;
	}
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "commands");
	}
	for (i = 0; i <= h->n; i++) {
		c = help_nth(h, i);
		if (!c || !path_has_prefix(c->path, a))
			continue;
		if (a->json)
			help_json(&j, c);
		else
			help_line(r, c, (int)(width < 40 ? width : 40));
	}
	if (a->json) {
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
	}
}

static bool has_help(const struct sgw_cli_cmd *tbl, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i].path && !strcmp(tbl[i].path, "help"))
			return true;
	return false;
}

/* Parses against tbl; if that finds no command and tbl has no help of its
 * own, against the built-in help, keeping the first message if that fails
 * too. */
static int parse_line(const struct sgw_cli_cmd *tbl, size_t n,
		      const char *line, size_t len, char *buf,
		      const struct sgw_cli_cmd **cmd, struct sgw_cli_args *args,
		      char *err, size_t errlen)
{
	char err2[256];
	int code, code2;

	code = sgw_cli_parse(line, len, buf, tbl, n, cmd, args, err, errlen);
	if (code != SGW_CLI_ERR_UNKNOWN || has_help(tbl, n))
		return code;
	code2 = sgw_cli_parse(line, len, buf, &help_cmd, 1, cmd, args, err2,
			      sizeof(err2));
	if (code2 == SGW_CLI_ERR_UNKNOWN)
		return code;
	if (code2)
		snprintf(err, errlen, "%s", err2);
	return code2;
}

/* Calls the handler and formats what it wrote; a formatted reply larger
 * than a client may have buffered becomes an 8000 instead. */
static int run_cmd(const struct sgw_cli_cmd *cmd,
		   const struct sgw_cli_args *args, void *ctx,
		   struct sgw_cli_buf *out)
{
	struct sgw_cli_reply r = { .code = 0 };
	size_t start = out->len;
	int rc;

	if (cmd->fn)
		cmd->fn(args, &r, ctx);
	else
		sgw_cli_fail(&r, SGW_CLI_ERR_RUNTIME, "'%s' has no handler",
			     cmd->path);
	if (r.code)
		rc = sgw_cli_format(out, r.code, r.msg, strlen(r.msg), false);
	else
		rc = sgw_cli_format(out, SGW_CLI_OK, r.body.data, r.body.len,
				    args->json);
	if (!rc && out->len - start > SGW_CLI_REPLY_MAX) {
		out->len = start;
		r.code = SGW_CLI_ERR_RUNTIME;
		snprintf(r.msg, sizeof(r.msg), "reply too large (max %u bytes)",
			 SGW_CLI_REPLY_MAX);
		rc = sgw_cli_format(out, r.code, r.msg, strlen(r.msg), false);
	}
	sgw_cli_buf_free(&r.body);
	return rc < 0 ? rc : r.code;
}

int sgw_cli_run(const struct sgw_cli_cmd *tbl, size_t n, void *ctx,
		const char *line, size_t len, struct sgw_cli_buf *out)
{
	struct help_ctx help = { .tbl = tbl, .n = n };
	char buf[SGW_CLI_LINE_MAX + 1], err[256];
	const struct sgw_cli_cmd *cmd;
	struct sgw_cli_args args;
	int code, rc;

	code = parse_line(tbl, n, line, len, buf, &cmd, &args, err,
			  sizeof(err));
	if (code) {
		rc = sgw_cli_format(out, code, err, strlen(err), false);
		return rc < 0 ? rc : code;
	}
	return run_cmd(cmd, &args, cmd == &help_cmd ? &help : ctx, out);
}

/* ---- connections ------------------------------------------------------- */

static int epoll_set(int epfd, int op, int fd, uint32_t events,
		     struct sgw_cli_ev *ev)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, op, fd, &e) < 0 ? -errno : 0;
}

/* The sweep runs only while it has something to watch. */
static void timer_update(struct sgw_cli_server *s)
{
	bool want = s->nclients > 0 || s->listen_paused;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (want == s->timer_armed)
		return;
	if (want) {
		its.it_interval.tv_sec = TICK_MS / 1000;
		its.it_interval.tv_nsec = (TICK_MS % 1000) * 1000000L;
		its.it_value = its.it_interval;
	}
	if (timerfd_settime(s->timer_ev.fd, 0, &its, NULL) == 0)
		s->timer_armed = want;
}

static void client_free(struct client *c)
{
	struct sgw_cli_server *s = c->srv;

	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	s->clients[c->slot] = NULL;
	s->nclients--;
	sgw_cli_buf_free(&c->out);
	free(c);
}

static void client_close(struct client *c)
{
	struct sgw_cli_server *s = c->srv;

	client_free(c);
	timer_update(s);
}

/* Sends what the socket takes now; the rest waits for EPOLLOUT. */
static int flush(struct client *c)
{
	ssize_t w;

	while (c->out_off < c->out.len) {
		w = send(c->ev.fd, c->out.data + c->out_off,
			 c->out.len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			c->out_off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return w < 0 ? -errno : -EIO; /* EPIPE: the client left */
	}
	c->out.len = 0;
	c->out_off = 0;
	if (c->out.cap > OUT_KEEP)
		sgw_cli_buf_free(&c->out);
	return 0;
}

static int receive(struct client *c)
{
	ssize_t r;

	while (!c->eof && !c->closing && c->in_len < sizeof(c->in)) {
		r = recv(c->ev.fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (r > 0) {
			c->in_len += (size_t)r;
			continue;
		}
		if (r == 0) {
			c->eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		return -errno;
	}
	return 0;
}

static void queued(struct client *c)
{
	c->reply_since = now_ms();
}

static int run_line(struct client *c, const char *nl)
{
	struct sgw_cli_server *s = c->srv;
	size_t len = (size_t)(nl - c->in);
	int rc;

	rc = sgw_cli_run(s->tbl, s->n, s->ctx, c->in, len, &c->out);
	c->in_len -= len + 1;
	memmove(c->in, nl + 1, c->in_len);
	c->partial = false;
	if (rc < 0)
		return rc;
	queued(c);
	if (c->out.len - c->out_off > SGW_CLI_REPLY_MAX) {
		cli_log(LOG_WARNING, "%s: dropping client %d: reply over %u "
			"bytes", __func__, c->ev.fd, SGW_CLI_REPLY_MAX);
		return -ENOBUFS;
	}
	return 0;
}

/* Whoever fills the whole buffer without a "\n" is not a client we can
 * resynchronise with: answer, then hang up once the answer is out. */
static int line_too_long(struct client *c)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "request too long (max %d bytes)",
		 SGW_CLI_LINE_MAX);
	c->in_len = 0;
	c->closing = true;
	if (sgw_cli_format(&c->out, SGW_CLI_ERR_TOO_LONG, msg, strlen(msg),
			   false) < 0)
		return -ENOMEM;
	queued(c);
	return 0;
}

/* Runs the complete lines in order, one at a time: the next runs only once
 * the previous reply is fully sent, so a client that pipelines requests
 * but does not read holds at most one reply. Bytes after the last "\n" at
 * EOF are never run: a truncated "clear sa 12" must not become
 * "clear sa 1". */
static int pump(struct client *c)
{
	bool partial;
	char *nl;
	int rc = 0;

	while (!rc && !c->closing && c->out_off == c->out.len) {
		nl = memchr(c->in, '\n', c->in_len);
		if (nl)
			rc = run_line(c, nl);
		else if (c->in_len == sizeof(c->in))
			rc = line_too_long(c);
		else
			break;
		if (!rc)
			rc = flush(c);
	}
	if (rc)
		return rc;
	partial = c->in_len && !memchr(c->in, '\n', c->in_len);
	if (partial && !c->partial)
		c->line_since = now_ms();
	c->partial = partial;
	return 0;
}

static int update_interest(struct client *c)
{
	uint32_t want = 0;
	int rc;

	if (!c->eof && !c->closing && c->in_len < sizeof(c->in))
		want |= EPOLLIN;
	if (c->out_off < c->out.len)
		want |= EPOLLOUT;
	if (want == c->events)
		return 0;
	rc = epoll_set(c->srv->epfd, EPOLL_CTL_MOD, c->ev.fd, want, &c->ev);
	if (!rc)
		c->events = want;
	return rc;
}

static void on_client(struct sgw_cli_ev *ev, uint32_t events)
{
	struct client *c = container_of(ev, struct client, ev);
	bool sent_all;
	int rc = 0;

	if (c->doomed || (events & EPOLLERR)) {
		client_close(c);
		return;
	}
	if (c->out_off < c->out.len) /* EPOLLOUT, or EPOLLHUP: send finds out */
		rc = flush(c);
	if (!rc && (events & (EPOLLIN | EPOLLHUP)))
		rc = receive(c);
	if (!rc)
		rc = pump(c);
	sent_all = c->out_off == c->out.len;
	if (!rc && sent_all && (c->closing || c->eof))
		rc = -ESHUTDOWN; /* done: nothing more to run or send */
	if (!rc)
		rc = update_interest(c);
	if (rc)
		client_close(c);
}

static int client_add(struct sgw_cli_server *s, int fd)
{
	struct client *c;
	unsigned slot;
	int rc;

	for (slot = 0; slot < SGW_CLI_MAX_CLIENTS; slot++)
		if (!s->clients[slot])
			break;
	assert(slot < SGW_CLI_MAX_CLIENTS); /* the caller checked nclients */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ev.fd = fd;
	c->ev.fn = on_client;
	c->srv = s;
	c->slot = slot;
	c->events = EPOLLIN;
	rc = epoll_set(s->epfd, EPOLL_CTL_ADD, fd, EPOLLIN, &c->ev);
	if (rc) {
		free(c);
		return rc;
	}
	s->clients[slot] = c;
	s->nclients++;
	timer_update(s);
	return 0;
}

/* The socket buffer of a fresh connection is empty, so this short reply
 * fits without blocking. */
static void refuse(struct sgw_cli_server *s, int fd)
{
	static const char busy[] = "9004 too many clients\n";

	if (!s->full_logged)
		cli_log(LOG_WARNING, "%s: %d clients connected, refusing more",
			__func__, SGW_CLI_MAX_CLIENTS);
	s->full_logged = true;
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Out of fds, the listener stays readable: stop watching it until the next
 * tick rather than spin. */
static void pause_listener(struct sgw_cli_server *s, int err)
{
	cli_log(LOG_ERR, "%s: accept: %s; pausing for %d ms", __func__,
		strerror(err), TICK_MS);
	if (epoll_set(s->epfd, EPOLL_CTL_MOD, s->listen_ev.fd, 0,
		      &s->listen_ev) == 0)
		s->listen_paused = true;
	timer_update(s);
}

static void on_listen(struct sgw_cli_ev *ev, uint32_t events)
{
	struct sgw_cli_server *s =
		container_of(ev, struct sgw_cli_server, listen_ev);
	int i, fd;

	(void)events;
	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_listener(s, errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				cli_log(LOG_ERR, "%s: accept: %s", __func__,
					strerror(errno));
			return;
		}
		if (s->nclients < SGW_CLI_MAX_CLIENTS)
			s->full_logged = false;
		if (s->nclients == SGW_CLI_MAX_CLIENTS)
			refuse(s, fd);
		else if (client_add(s, fd) < 0) {
			cli_log(LOG_ERR, "%s: cannot add client", __func__);
			close(fd);
		}
	}
}

static bool client_stuck(const struct client *c, uint64_t now)
{
	if (c->out_off < c->out.len)
		return now - c->reply_since > SGW_CLI_IDLE_MS;
	return c->partial && now - c->line_since > SGW_CLI_IDLE_MS;
}

/* Never frees a client: its event may be later in the batch the loop is
 * walking. Shutting the socket down makes that event come, and on_client
 * frees it then. The attackers: a client dribbling a line a byte a minute,
 * or reading its reply that way, to hold a slot and up to 4 MiB forever. */
static void on_tick(struct sgw_cli_ev *ev, uint32_t events)
{
	struct sgw_cli_server *s =
		container_of(ev, struct sgw_cli_server, timer_ev);
	uint64_t expirations, now = now_ms();
	struct client *c;
	unsigned i;

	(void)events;
	(void)!read(ev->fd, &expirations, sizeof(expirations));
	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++) {
		c = s->clients[i];
		if (!c || c->doomed || !client_stuck(c, now))
			continue;
		cli_log(LOG_WARNING, "%s: dropping client %d: stuck for %d s",
			__func__, c->ev.fd, SGW_CLI_IDLE_MS / 1000);
		c->doomed = true;
		shutdown(c->ev.fd, SHUT_RDWR);
	}
	if (s->listen_paused &&
	    epoll_set(s->epfd, EPOLL_CTL_MOD, s->listen_ev.fd, EPOLLIN,
		      &s->listen_ev) == 0)
		s->listen_paused = false;
	timer_update(s);
}

/* ---- opening and closing ------------------------------------------------ */

/* Creates dir and its missing parents, 0755 whatever the umask: the
 * socket's group must be able to reach it. */
static int make_dirs(char *dir)
{
	char *slash;
	int rc;

	if (mkdir(dir, 0755) == 0)
		return chmod(dir, 0755) < 0 ? -errno : 0;
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return -ENOENT;
	*slash = '\0';
	rc = make_dirs(dir);
	*slash = '/';
	if (rc)
		return rc;
	if (mkdir(dir, 0755) < 0)
		return errno == EEXIST ? 0 : -errno;
	return chmod(dir, 0755) < 0 ? -errno : 0;
}

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	rc = make_dirs(dir);
	if (rc)
		cli_log(LOG_ERR, "sgw_cli_server_open: mkdir %s: %s", dir,
			strerror(-rc));
	return rc;
}

/* A socket file left by a crashed sgwd is removed; one that answers
 * belongs to a running sgwd, which we must not steal from; anything that
 * is not a socket (a typo in the config naming /etc/passwd) is left
 * alone. */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc, err;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		cli_log(LOG_ERR, "sgw_cli_server_open: %s exists and is not "
			"a socket; not removing it", sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = rc < 0 ? errno : 0;
	close(fd);
	if (!rc || err == EAGAIN || err == EINPROGRESS) {
		cli_log(LOG_ERR, "sgw_cli_server_open: another process (sgwd?) "
			"is listening on %s", sa->sun_path);
		return -EADDRINUSE;
	}
	if (err != ECONNREFUSED && err != ENOENT)
		return -err;
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int lookup_group(const char *group, gid_t *gid)
{
	struct group *g;

	*gid = (gid_t)-1;
	if (!group || !group[0])
		return 0;
	errno = 0;
	g = getgrnam(group); /* control lcore only: no reentrancy needed */
	if (!g) {
		cli_log(LOG_ERR, "sgw_cli_server_open: unknown group '%s'",
			group);
		return errno ? -errno : -EINVAL;
	}
	*gid = g->gr_gid;
	return 0;
}

static int open_error(const char *step, const char *path)
{
	int err = errno;

	cli_log(LOG_ERR, "sgw_cli_server_open: %s %s: %s", step, path,
		strerror(err));
	return -err;
}

/* Bound under umask 0177 so that nobody can connect between bind and
 * chmod: the socket is 0600 root until chown and chmod give it out. */
static int bind_socket(struct sgw_cli_server *s, const struct sockaddr_un *sa,
		       unsigned mode, gid_t gid)
{
	struct stat st;
	mode_t old;
	int rc;

	old = umask(0177);
	rc = bind(s->listen_ev.fd, (const struct sockaddr *)sa, sizeof(*sa));
	umask(old);
	if (rc)
		return open_error("bind", sa->sun_path);
	if (gid != (gid_t)-1 && chown(sa->sun_path, (uid_t)-1, gid))
		rc = open_error("chown", sa->sun_path);
	else if (chmod(sa->sun_path, (mode_t)mode))
		rc = open_error("chmod", sa->sun_path);
	else if (lstat(sa->sun_path, &st))
		rc = open_error("stat", sa->sun_path);
	else if (listen(s->listen_ev.fd, LISTEN_BACKLOG))
		rc = open_error("listen", sa->sun_path);
	if (rc) {
		unlink(sa->sun_path);
		return rc;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static bool still_ours(const struct sgw_cli_server *s)
{
	struct stat st;

	return lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
	       st.st_ino == s->ino;
}

static int open_fds(struct sgw_cli_server *s)
{
	s->listen_ev.fd = socket(AF_UNIX,
				 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_ev.fd < 0)
		return -errno;
	s->timer_ev.fd = timerfd_create(CLOCK_MONOTONIC,
					TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_ev.fd < 0)
		return -errno;
	return 0;
}

static int register_fds(struct sgw_cli_server *s)
{
	int rc;

	rc = epoll_set(s->epfd, EPOLL_CTL_ADD, s->listen_ev.fd, EPOLLIN,
		       &s->listen_ev);
	if (rc) {
		cli_log(LOG_ERR, "sgw_cli_server_open: epoll_ctl: %s",
			strerror(-rc));
		return rc;
	}
	rc = epoll_set(s->epfd, EPOLL_CTL_ADD, s->timer_ev.fd, EPOLLIN,
		       &s->timer_ev);
	if (rc)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_ev.fd, NULL);
	if (rc)
		cli_log(LOG_ERR, "sgw_cli_server_open: epoll_ctl: %s",
			strerror(-rc));
	return rc;
}

static struct sgw_cli_server *server_new(const char *path, int epfd,
					  const struct sgw_cli_cmd *tbl,
					  size_t n, void *ctx)
{
	struct sgw_cli_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->listen_ev = (struct sgw_cli_ev){ .fd = -1, .fn = on_listen };
	s->timer_ev = (struct sgw_cli_ev){ .fd = -1, .fn = on_tick };
	s->epfd = epfd;
	s->tbl = tbl;
	s->n = n;
	s->ctx = ctx;
	memcpy(s->path, path, strlen(path) + 1);
	return s;
}

/* Undoes a failed open; errno is what the caller gets. */
static void *server_abort(struct sgw_cli_server *s, bool bound, int rc)
{
	if (s->listen_ev.fd >= 0)
		close(s->listen_ev.fd);
	if (s->timer_ev.fd >= 0)
		close(s->timer_ev.fd);
	if (bound)
		unlink(s->path);
	free(s);
	errno = -rc;
	return NULL;
}

struct sgw_cli_server *sgw_cli_server_open(const char *path, unsigned mode,
					   const char *group, int epfd,
					   const struct sgw_cli_cmd *tbl,
					   size_t n, void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sgw_cli_server *s;
	gid_t gid;
	int rc;

	if (!path || !path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		cli_log(LOG_ERR, "%s: bad socket path", __func__);
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = server_new(path, epfd, tbl, n, ctx);
	if (!s)
		return NULL;
	rc = lookup_group(group, &gid);
	if (!rc)
		rc = make_parent_dir(path);
	if (!rc)
		rc = clear_stale(&sa);
	if (!rc)
		rc = open_fds(s);
	if (!rc)
		rc = bind_socket(s, &sa, mode, gid);
	if (rc)
		return server_abort(s, false, rc);
	rc = register_fds(s);
	if (rc)
		return server_abort(s, true, rc);
	return s;
}

void sgw_cli_server_close(struct sgw_cli_server *s)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < SGW_CLI_MAX_CLIENTS; i++)
		if (s->clients[i])
			client_free(s->clients[i]);
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_ev.fd, NULL);
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->timer_ev.fd, NULL);
	close(s->listen_ev.fd);
	close(s->timer_ev.fd);
	/* Only our own file: if someone replaced it, it is theirs now. */
	if (still_ours(s))
		unlink(s->path);
	free(s);
}
