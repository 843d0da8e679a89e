/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sgwctl: sends one request to sgwd's control socket and prints the reply.
 * Text lines go to stdout without their codes; an error goes to stderr.
 * Protocol in docs/cli-protocol.md. No DPDK: it runs on any host.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h> /* isfinite, a macro: no libm */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_SOCKET "/run/sgw/sgwd.sock"
#define DEFAULT_TIMEOUT_S 5.0
/* A reply line is at most a whole reply; a longer one is not sgwd. */
#define REPLY_LINE_MAX (SGW_CLI_REPLY_MAX + 8)

enum exit_status {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* sgwd ran the request and reported 8xxx */
	EXIT_REQUEST = 2, /* 9xxx, or a bad command line */
	EXIT_CONN = 3,    /* no sgwd, timeout, or a reply we cannot read */
};

struct opts {
	const char *socket;
	bool json;
	double timeout_s;
};

struct line_buf {
	char *data;
	size_t len, cap;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sgwctl [-s SOCKET] [--json] [-t TIMEOUT_S] COMMAND [WORDS...]\n"
		"Sends one request to sgwd's control socket and prints the reply.\n"
		"  -s, --socket SOCKET   control socket (default: $SGW_SOCKET, else %s)\n"
		"  -j, --json            ask for JSON output\n"
		"  -t, --timeout SECS    give up after SECS seconds (default %g)\n"
		"  -h, --help            show this help\n"
		"'sgwctl help' lists the commands sgwd knows.\n"
		"Exit status: 0 ok, 1 sgwd reported an error, 2 bad request or usage,\n"
		"3 cannot reach sgwd or read its reply.\n",
		DEFAULT_SOCKET, DEFAULT_TIMEOUT_S);
}

static int __attribute__((format(printf, 2, 3)))
fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("sgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns -1 when the options are good, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("SGW_SOCKET");
	char *end;
	int c;

	o->socket = env && env[0] ? env : DEFAULT_SOCKET;
	o->json = false;
	o->timeout_s = DEFAULT_TIMEOUT_S;
	/* "+": stop at COMMAND, so its words are never taken for options. */
	while ((c = getopt_long(argc, argv, "+s:jt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			errno = 0;
			o->timeout_s = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !isfinite(o->timeout_s) || o->timeout_s <= 0 ||
			    o->timeout_s > 86400)
				return fail(EXIT_REQUEST, "bad timeout '%s'",
					    optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_REQUEST;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_REQUEST;
	}
	return -1;
}

/* "key=-" takes the key from the first line of stdin, so that it shows up
 * in neither the process list nor the shell history. The word is replaced
 * by a malloc'd copy that main() wipes after sending. */
static char *stdin_key;

static int key_from_stdin(char **words, int n)
{
	char line[256];
	size_t l;

	for (int w = 0; w < n; w++) {
		if (strcmp(words[w], "key=-"))
			continue;
		if (!fgets(line, sizeof(line), stdin))
			return fail(EXIT_REQUEST, "key=-: nothing on stdin");
		l = strcspn(line, "\r\n");
		line[l] = 0;
		stdin_key = malloc(l + 5);
		if (!stdin_key)
			return fail(EXIT_REQUEST, "out of memory");
		snprintf(stdin_key, l + 5, "key=%s", line);
		explicit_bzero(line, sizeof(line));
		words[w] = stdin_key;
		return -1;
	}
	return -1;
}

/* Joins the words with spaces and ends the line. A word holding a newline
 * would smuggle a second request past us, so every byte is checked here
 * against the same rule sgwd applies. */
static int build_request(char **words, int n, bool json, char *req,
			 size_t size, size_t *len)
{
	size_t off = 0, l, i;
	int w;

	for (w = 0; w < n + json; w++) {
		const char *word = w < n ? words[w] : "--json";

		l = strlen(word);
		for (i = 0; i < l; i++) {
			unsigned char c = (unsigned char)word[i];

			if ((c < 0x20 || c > 0x7e) && c != '\t')
				return fail(EXIT_REQUEST,
					    "word %d has a byte sgwd does not "
					    "accept (0x%02x)", w + 1, c);
		}
		if (off + (w > 0) + l > SGW_CLI_LINE_MAX)
			return fail(EXIT_REQUEST,
				    "request too long (max %d bytes)",
				    SGW_CLI_LINE_MAX);
		if (w > 0)
			req[off++] = ' ';
		memcpy(req + off, word, l);
		off += l;
	}
	if (off + 1 > size)
		return fail(EXIT_REQUEST, "request too long");
	req[off++] = '\n';
	*len = off;
	return -1;
}

static int set_timeout(int fd, int opt, double secs)
{
	struct timeval tv;

	if (secs < 0.001)
		secs = 0.001;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* Returns the fd, or -1 after saying why. connect() and send() block at
 * most the timeout (SO_SNDTIMEO bounds a unix connect to a full backlog). */
static int connect_socket(const char *path, double timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fail(0, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail(0, "socket: %s", strerror(errno));
		return -1;
	}
	if (set_timeout(fd, SO_SNDTIMEO, timeout_s) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fail(0, "cannot connect to %s: %s%s", path,
		     errno == EAGAIN ? "timed out" : strerror(errno),
		     errno == ENOENT || errno == ECONNREFUSED ?
			     " (is sgwd running?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return fail(EXIT_CONN, "send: %s",
				    w < 0 ? strerror(errno) : "no progress");
		p += w;
		len -= (size_t)w;
	}
	return -1;
}

/* One reply line, "\n" already removed. Returns -1 if more lines follow,
 * else the exit status. */
static int handle_line(const char *line, size_t len)
{
	const char *text;
	size_t tlen;
	int code, i;

	if (len < 5 || (line[4] != '-' && line[4] != ' '))
		return fail(EXIT_CONN, "malformed reply line");
	text = line + 5;
	tlen = len - 5;
	for (i = 0, code = 0; i < 4; i++) {
		if (line[i] < '0' || line[i] > '9')
			return fail(EXIT_CONN, "malformed reply line");
		code = code * 10 + (line[i] - '0');
	}
	if (line[4] == '-') {
		FILE *f = code >= SGW_CLI_ERR_RUNTIME ? stderr : stdout;

		fwrite(text, 1, tlen, f);
		fputc('\n', f);
		return -1;
	}
	if (code == SGW_CLI_OK)
		return EXIT_OK;
	if (code >= SGW_CLI_ERR_RUNTIME)
		return fail(code >= 9000 ? EXIT_REQUEST : EXIT_RUNTIME, "%.*s",
			    (int)tlen, text);
	return fail(EXIT_CONN, "malformed reply: final line with code %04d",
		    code);
}

/* Handles every complete line in lb. Returns -1 if the reply goes on. */
static int handle_lines(struct line_buf *lb)
{
	size_t off = 0, l;
	char *nl;
	int rc = -1;

	while (rc < 0 && (nl = memchr(lb->data + off, '\n', lb->len - off))) {
		l = (size_t)(nl - (lb->data + off));
		rc = handle_line(lb->data + off, l);
		off += l + 1;
	}
	memmove(lb->data, lb->data + off, lb->len - off);
	lb->len -= off;
	if (rc < 0 && lb->len > REPLY_LINE_MAX)
		rc = fail(EXIT_CONN, "malformed reply: line too long");
	return rc;
}

static int grow(struct line_buf *lb)
{
	size_t cap = lb->cap ? lb->cap * 2 : 4096;
	char *p;

	if (lb->cap - lb->len >= 4096)
		return 0;
	p = realloc(lb->data, cap);
	if (!p)
		return fail(EXIT_CONN, "out of memory");
	lb->data = p;
	lb->cap = cap;
	return 0;
}

/* Waits for input until the deadline: 1 readable, or the exit status. */
static int wait_readable(int fd, double deadline, double timeout_s)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double left;
	int rc;

	for (;;) {
		left = deadline - now_s();
		if (left <= 0)
			return fail(EXIT_CONN, "timed out after %g s",
				    timeout_s);
		rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return fail(EXIT_CONN, "poll: %s", strerror(errno));
	}
}

static int read_reply(int fd, double deadline, double timeout_s)
{
	struct line_buf lb = { NULL, 0, 0 };
	ssize_t r;
	int rc = -1;

	while (rc < 0) {
		rc = grow(&lb);
		if (!rc)
			rc = wait_readable(fd, deadline, timeout_s);
		if (rc != 1)
			break;
		r = recv(fd, lb.data + lb.len, lb.cap - lb.len, 0);
		if (r < 0 && errno == EINTR)
			rc = -1;
		else if (r < 0)
			rc = fail(EXIT_CONN, "recv: %s", strerror(errno));
		else if (r == 0)
			rc = fail(EXIT_CONN, "sgwd closed the connection "
				  "before the reply ended");
		else {
			lb.len += (size_t)r;
			rc = handle_lines(&lb);
		}
	}
	free(lb.data);
	return rc;
}

int main(int argc, char **argv)
{
	char req[SGW_CLI_LINE_MAX + 2];
	double deadline;
	struct opts o;
	size_t len = 0;
	int rc, fd;

	rc = parse_opts(argc, argv, &o);
	if (rc < 0)
		rc = key_from_stdin(argv + optind, argc - optind);
	if (rc < 0)
		rc = build_request(argv + optind, argc - optind, o.json, req,
				   sizeof(req), &len);
	if (rc >= 0)
		return rc;
	deadline = now_s() + o.timeout_s;
	fd = connect_socket(o.socket, o.timeout_s);
	if (fd < 0)
		return EXIT_CONN;
	rc = send_all(fd, req, len);
	explicit_bzero(req, sizeof(req));
	if (stdin_key) {
		explicit_bzero(stdin_key, strlen(stdin_key));
		free(stdin_key);
	}
	if (rc < 0)
		rc = read_reply(fd, deadline, o.timeout_s);
	close(fd);
	if (fflush(stdout) != 0 || ferror(stdout))
		return fail(rc ? rc : EXIT_RUNTIME, "stdout: %s",
			    strerror(errno));
	return rc;
}
