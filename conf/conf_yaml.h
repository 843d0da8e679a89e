/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The YAML walker of the conf module, shared by conf_parse.c (the walker,
 * the core sections) and conf_ike.c (ike, pools, peers and the secrets
 * file). Internal to the module: nothing outside conf/ includes it, and no
 * libyaml type reaches conf.h.
 */
#ifndef SGW_CONF_YAML_H
#define SGW_CONF_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "conf.h"

#define SHOW_MAX 48              /* characters of a bad value quoted in errors */
#define SHOWBUF  (4 * SHOW_MAX + 32)
#define NAME_WHAT "a name of 1..31 characters from [A-Za-z0-9_.-]"
#define U64_MAX_STR "18446744073709551615"

struct parser {
	yaml_document_t doc;
	const char *text;        /* for locating reader errors by byte offset */
	size_t len;
	const char *file;        /* for messages: the config's, or the secrets file's */
	struct sgw_conf *c;
	struct sgw_conf_err *err;
	/* The key of the SA being walked. How long it must be depends on
	 * 'aead', which may come after it, so it waits here for sa_finish(). */
	struct {
		const char *from;    /* "key" or "key_file"; NULL: neither yet */
		size_t digits;       /* hex digits after "0x" */
		uint8_t bytes[SGW_KEY_MAX + SGW_SALT_LEN]; /* when digits fit */
	} key;
};

struct handler;
typedef int (*handler_fn)(struct parser *p, const struct handler *h,
			  yaml_node_t *v, void *base);

enum {
	F_REQUIRED = 1 << 0,
	F_NONEMPTY = 1 << 1,     /* null or [] is an error, not "absent" */
	F_LOC      = 1 << 2,     /* record the value's place at loc_off */
	F_DOT      = 1 << 3,     /* a name that may also contain '.' */
};

struct mapping;

/* One spelling of an enumerated value and what it stores. */
struct choice {
	const char *name;
	int value;
};

struct handler {
	const char *key;
	yaml_node_type_t type;
	handler_fn fn;
	size_t off;              /* of the field, from the mapping's base */
	size_t size;             /* of the field: integer width, string buffer */
	unsigned min, max;       /* integers; strings: min is the least length */
	const char *what;        /* a valid value, for messages; NULL: derived */
	const struct mapping *map; /* nested mapping, or the items of a list */
	const struct handler *item; /* a list of scalars: what each must be */
	const struct choice *choices; /* h_choice, h_proto: ends with name NULL */
	unsigned flags;
	size_t loc_off;
};

struct mapping {
	const char *where;       /* "top level", "eal", "ports entry", ... */
	const struct handler *keys; /* ends with key == NULL */
	int (*finish)(struct parser *p, const struct mapping *m, void *base,
		      uint32_t seen);
};

#define FIELD(T, m) .off = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define LOC(T, m)   .loc_off = offsetof(T, m)

/* walk_mapping() keeps one bit and one mark per row. */
#define ROWS_FIT(t) _Static_assert(sizeof(t) / sizeof((t)[0]) <= 32, #t " too long")

static inline struct sgw_conf_loc loc_of_mark(yaml_mark_t m)
{
	return (struct sgw_conf_loc){ (unsigned)m.line + 1, (unsigned)m.column + 1 };
}

static inline struct sgw_conf_loc loc_of(const yaml_node_t *n)
{
	return loc_of_mark(n->start_mark);
}

static inline const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline size_t n_items(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
			seq->data.sequence.items.start);
}

static inline yaml_node_t *item(struct parser *p, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(&p->doc, seq->data.sequence.items.start[i]);
}

static inline bool hexn(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static inline unsigned hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return (unsigned)(ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (unsigned)(ch - 'a' + 10);
	return (unsigned)(ch - 'A' + 10);
}

static inline bool hex_prefix(const char *s, size_t n)
{
	return n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* Messages */
int conf_fail_at(struct parser *p, struct sgw_conf_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define fail(p, node, ...) conf_fail_at(p, loc_of(node), __VA_ARGS__)
const char *conf_show(const yaml_node_t *n, char *buf, size_t size);
int conf_bad_value(struct parser *p, const struct handler *h, const yaml_node_t *v);
int conf_too_many(struct parser *p, const struct handler *h,
		  const yaml_node_t *item, unsigned max);
int conf_only_with(struct parser *p, struct sgw_conf_loc loc, const char *key,
		   const char *with);

/* Scalars */
int conf_take_string(struct parser *p, const struct handler *h,
		     const yaml_node_t *v, char *dst, size_t size, size_t min);
int conf_parse_u64(const char *s, size_t n, bool hex_ok, uint64_t *out);
void conf_store_uint(void *field, size_t size, unsigned v);

enum prefix_form { WITH_LEN, WITHOUT_LEN, ANY_LEN };
int conf_take_prefix(struct parser *p, const struct handler *h,
		     const yaml_node_t *v, enum prefix_form form,
		     struct sgw_prefix *out);

/* A file named in the configuration: relative to its directory. */
int conf_file_path(struct parser *p, const yaml_node_t *v, const char *key,
		   const char *name, char *path, size_t size);

/* Handlers shared by both files' tables */
int conf_h_uint(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_h_u64(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_h_bool(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_h_name(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_h_choice(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
extern const struct choice conf_protos[];
extern const struct choice conf_modes[];

/* Mappings and lists */
int conf_list_entry(struct parser *p, const struct handler *h,
		    yaml_node_t *it, void *base);
int conf_list_alloc(struct parser *p, const struct handler *h, yaml_node_t *v,
		    size_t max, size_t elem, void **arr);
bool conf_given(const struct mapping *m, uint32_t seen, const char *key);

/* A whole document from text, walked with m from its root mapping; p->file,
 * p->c and p->err are the caller's. empty is the message for a document
 * with nothing in it. The text's scalars are wiped from libyaml's memory. */
int conf_walk_text(struct parser *p, const char *text, size_t len,
		   const struct mapping *m, void *base, const char *empty);

/* conf_ike.c: the top-level rows it owns, and loading the secrets file
 * once the whole configuration is walked. */
extern const struct mapping conf_ike_map, conf_pool_map, conf_peer_map;
int conf_h_pools(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_h_peers(struct parser *p, const struct handler *h, yaml_node_t *v, void *base);
int conf_ike_finish(struct parser *p, const struct mapping *m, void *base, uint32_t seen);
void conf_ike_defaults(struct sgw_conf *c);

#endif
