/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPsec on the control core: the workers' events (SA limits, unknown SPIs)
 * and the CLI for SAs and policies. `sa add` and `policy add` take the same
 * keys as the YAML file (key=value words), so one parser and one set of
 * checks serve both. Keys never appear in replies or logs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "ctl.h"
#include "dataplane.h"
#include "sa.h"
#include "spd.h"

#define SHOW_SA_MAX 1000          /* SAs listed without a filter */

static const char *dir_name(enum sgw_sa_dir d)
{
	return d == SGW_SA_IN ? "in" : "out";
}

static const char *sa_state(uint32_t flags)
{
	if (flags & SGW_SA_F_HARD)
		return "expired";
	if (flags & SGW_SA_F_SEQ_DONE)
		return "seq-exhausted";
	if (flags & SGW_SA_F_SOFT)
		return "soft-expired";
	return "active";
}

static const char *sa_label(const struct sgw_sa_info *i, char *buf, size_t size)
{
	if (i->name[0])
		return i->name;
	snprintf(buf, size, "%s/0x%08x", dir_name(i->dir), i->spi);
	return buf;
}

/* ------------------------------------------------------------- events */

static void event_log(const struct sgw_dp_event *e)
{
	static uint64_t last_spi_log, spi_suppressed;
	struct sgw_sa_info i;
	char lbl[48], src[64];
	struct sgw_prefix p;

	if (e->type == SGW_EV_UNKNOWN_SPI) {
		CTL_COUNT(EV_UNKNOWN_SPI);
		/* Workers limit these per worker; the log gets one a second. */
		if (rte_get_tsc_cycles() - last_spi_log < rte_get_tsc_hz()) {
			spi_suppressed++;
			return;
		}
		last_spi_log = rte_get_tsc_cycles();
		memset(&p, 0, sizeof(p));
		p.family = e->family;
		memcpy(p.addr, e->src, e->family == AF_INET ? 4 : 16);
		CTL_LOG(NOTICE, "ESP with unknown SPI 0x%08x from %s on port %s "
			"(%lu more not logged)", e->spi,
			sgw_prefix_str(&p, false, src, sizeof(src)),
			sgw_dp_port(e->port) ? sgw_dp_port(e->port)->name : "?",
			(unsigned long)spi_suppressed);
		spi_suppressed = 0;
		return;
	}
	if (sgw_sa_info(e->slot, &i) < 0 || i.gen != e->gen)
		return;                      /* deleted meanwhile */
	switch (e->type) {
	case SGW_EV_SA_SOFT:
		CTL_COUNT(EV_SA_SOFT);
		CTL_LOG(NOTICE, "SA %s: soft lifetime reached (%lu packets, %lu bytes)",
			sa_label(&i, lbl, sizeof(lbl)), (unsigned long)i.packets,
			(unsigned long)i.bytes);
		break;
	case SGW_EV_SA_HARD:
		CTL_COUNT(EV_SA_HARD);
		CTL_LOG(WARNING, "SA %s: hard lifetime reached, SA stopped",
			sa_label(&i, lbl, sizeof(lbl)));
		break;
	case SGW_EV_SA_SEQ_DONE:
		CTL_COUNT(EV_SA_SEQ_DONE);
		CTL_LOG(WARNING, "SA %s: sequence numbers exhausted, SA stopped sending",
			sa_label(&i, lbl, sizeof(lbl)));
		break;
	default:
		break;
	}
}

void sgw_ipsec_events(void)
{
	struct sgw_dp_event ev[32];
	unsigned n;

	while ((n = sgw_dp_event_dequeue(ev, RTE_DIM(ev))) > 0)
		for (unsigned i = 0; i < n; i++) {
			event_log(&ev[i]);
			sgw_ctl_ike_sa_event(&ev[i]);
		}
}

/* ------------------------------------------------------------ show sa */

static void outer_str(const struct sgw_sa_outer *o, bool remote, char *buf, size_t size)
{
	struct sgw_prefix p = { .family = o->family };

	memcpy(p.addr, remote ? o->remote : o->local, 16);
	sgw_prefix_str(&p, false, buf, size);
}

static void sa_json(struct sgw_json *j, const struct sgw_sa_info *i)
{
	char buf[64];

	sgw_json_obj_open(j, NULL);
	sgw_json_str(j, "name", i->name);
	sgw_json_u64(j, "spi", i->spi);
	sgw_json_u64(j, "slot", i->slot);
	sgw_json_str(j, "direction", dir_name(i->dir));
	sgw_json_str(j, "mode", i->mode == SGW_SA_TUNNEL ? "tunnel" : "transport");
	sgw_json_str(j, "aead", i->key_len == 16 ? "aes-gcm-128" : "aes-gcm-256");
	sgw_json_bool(j, "esn", i->esn);
	sgw_json_str(j, "owner", i->owner == SGW_SA_OWNER_STATIC ? "config" :
				 i->owner == SGW_SA_OWNER_CLI ? "cli" : "ike");
	sgw_json_str(j, "state", sa_state(i->flags));
	if (i->dir == SGW_SA_IN)
		sgw_json_u64(j, "replay_window", i->replay_window);
	outer_str(&i->outer, false, buf, sizeof(buf));
	sgw_json_str(j, "local", buf);
	outer_str(&i->outer, true, buf, sizeof(buf));
	sgw_json_str(j, "remote", buf);
	sgw_json_str(j, "encap", i->outer.udp_encap ? "udp" : "none");
	if (i->outer.udp_encap) {
		sgw_json_u64(j, "local_port", i->outer.local_port);
		sgw_json_u64(j, "remote_port", i->outer.remote_port);
	}
	sgw_json_u64(j, "packets", i->packets);
	sgw_json_u64(j, "bytes", i->bytes);
	sgw_json_u64(j, "seq", i->seq);
	if (i->dir == SGW_SA_IN) {
		sgw_json_u64(j, "replayed", i->replayed);
		sgw_json_u64(j, "left_of_window", i->too_old);
		sgw_json_u64(j, "icv_failed", i->icv_failed);
	} else {
		sgw_json_u64(j, "seq_exhausted", i->seq_exhausted);
		sgw_json_u64(j, "expired", i->expired);
	}
	sgw_json_u64(j, "errors", i->other_errors);
	sgw_json_obj_open(j, "lifetime");
	sgw_json_u64(j, "soft_bytes", i->soft_bytes);
	sgw_json_u64(j, "hard_bytes", i->hard_bytes);
	sgw_json_u64(j, "soft_packets", i->soft_packets);
	sgw_json_u64(j, "hard_packets", i->hard_packets);
	sgw_json_obj_close(j);
	sgw_json_obj_close(j);
}

static void life_text(struct sgw_cli_reply *r, const char *what, uint64_t used,
		      uint64_t soft, uint64_t hard)
{
	if (!soft && !hard)
		return;
	sgw_cli_printf(r, "  lifetime %s: %lu used", what, (unsigned long)used);
	if (soft)
		sgw_cli_printf(r, ", soft %lu", (unsigned long)soft);
	if (hard)
		sgw_cli_printf(r, ", hard %lu", (unsigned long)hard);
	sgw_cli_printf(r, "\n");
}

static void sa_text(struct sgw_cli_reply *r, const struct sgw_sa_info *i)
{
	char l[64], rm[64], lbl[48];

	outer_str(&i->outer, false, l, sizeof(l));
	outer_str(&i->outer, true, rm, sizeof(rm));
	sgw_cli_printf(r, "%s  spi 0x%08x  %s  %s  %s%s  %s\n", sa_label(i, lbl, sizeof(lbl)),
		       i->spi, dir_name(i->dir),
		       i->mode == SGW_SA_TUNNEL ? "tunnel" : "transport",
		       i->key_len == 16 ? "aes-gcm-128" : "aes-gcm-256",
		       i->esn ? " esn" : "", sa_state(i->flags));
	if (i->outer.udp_encap)
		sgw_cli_printf(r, "  %s[%u] -> %s[%u] udp\n", l, i->outer.local_port,
			       rm, i->outer.remote_port);
	else
		sgw_cli_printf(r, "  %s -> %s\n", l, rm);
	sgw_cli_printf(r, "  %lu packets  %lu bytes  seq %lu\n", (unsigned long)i->packets,
		       (unsigned long)i->bytes, (unsigned long)i->seq);
	if (i->dir == SGW_SA_IN)
		sgw_cli_printf(r, "  %s %u  replayed %lu  left of window %lu  "
			       "icv failed %lu  errors %lu\n",
			       i->replay_window ? "window" : "anti-replay OFF, window", i->replay_window,
			       (unsigned long)i->replayed, (unsigned long)i->too_old,
			       (unsigned long)i->icv_failed, (unsigned long)i->other_errors);
	else
		sgw_cli_printf(r, "  seq exhausted %lu  expired %lu  errors %lu\n",
			       (unsigned long)i->seq_exhausted, (unsigned long)i->expired,
			       (unsigned long)i->other_errors);
	life_text(r, "packets", i->packets, i->soft_packets, i->hard_packets);
	life_text(r, "bytes", i->bytes, i->soft_bytes, i->hard_bytes);
}

/* "NAME", "SPI" (either direction), "in SPI" or "out SPI". */
static bool sa_matches(const struct sgw_sa_info *i, const struct sgw_cli_args *a,
		       unsigned first)
{
	const char *w = a->argv[first];
	int dir = -1;
	char *end;
	unsigned long spi;

	if (a->argc - first == 2) {
		dir = !strcmp(w, "in") ? SGW_SA_IN : SGW_SA_OUT;
		w = a->argv[first + 1];
	}
	if (dir < 0 && !strcmp(i->name, w))
		return true;
	errno = 0;
	spi = strtoul(w, &end, 0);
	if (errno || *end || spi > UINT32_MAX)
		return false;
	return i->spi == spi && (dir < 0 || (int)i->dir == dir);
}

static bool sa_filter_ok(const struct sgw_cli_args *a, unsigned first,
			 struct sgw_cli_reply *r)
{
	if (a->argc - first == 2 && strcmp(a->argv[first], "in") &&
	    strcmp(a->argv[first], "out")) {
		sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "expected NAME, SPI, in SPI or out SPI");
		return false;
	}
	return true;
}

void sgw_cmd_show_sa(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	uint32_t it = 0, slot;
	unsigned shown = 0, more = 0;
	struct sgw_sa_info i;
	struct sgw_json j;

	RTE_SET_USED(ctx);
	if (!sa_filter_ok(a, 0, r))
		return;
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_u64(&j, "count", sgw_sa_count());
		sgw_json_u64(&j, "capacity", sgw_sa_capacity());
		sgw_json_arr_open(&j, "sas");
	} else {
		sgw_cli_printf(r, "%u SAs (capacity %u)\n", sgw_sa_count(), sgw_sa_capacity());
	}
	while ((slot = sgw_sa_next(&it)) != SGW_SA_NONE) {
		if (sgw_sa_info(slot, &i) < 0 || (a->argc && !sa_matches(&i, a, 0)))
			continue;
		if (!a->argc && shown >= SHOW_SA_MAX) {
			more++;
			continue;
		}
		shown++;
		if (a->json)
			sa_json(&j, &i);
		else
			sa_text(r, &i);
	}
	if (a->json) {
		sgw_json_arr_close(&j);
		sgw_json_u64(&j, "not_listed", more);
		sgw_json_end(&j);
	} else if (more) {
		sgw_cli_printf(r, "... %u more not listed; show sa NAME|SPI\n", more);
	}
	if (a->argc && !shown)
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no SA matches '%s%s%s'", a->argv[0],
			     a->argc > 1 ? " " : "", a->argc > 1 ? a->argv[1] : "");
}

/* ------------------------------------------------------ show policies */

static void sel_str(const struct sgw_conf_sel *s, bool src, char *buf, size_t size)
{
	if (src ? s->has_src : s->has_dst)
		sgw_prefix_str(src ? &s->src : &s->dst, true, buf, size);
	else
		snprintf(buf, size, "any");
}

static const char *action_name(enum sgw_policy_action a)
{
	return a == SGW_POLICY_PROTECT ? "protect" : a == SGW_POLICY_BYPASS ? "bypass" :
									   "discard";
}

void sgw_cmd_show_policies(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	const struct sgw_conf_policy *p;
	char src[64], dst[64], proto[16];
	uint64_t hits;
	struct sgw_json j;
	bool bound;

	RTE_SET_USED(ctx);
	if (a->json) {
		sgw_json_begin(&j, r);
		sgw_json_arr_open(&j, "policies");
	}
	for (unsigned d = 0; d < 2; d++) {
		if (!a->json)
			sgw_cli_printf(r, "%s (%u):\n", d ? "inbound" : "outbound",
				       sgw_spd_count(d));
		for (unsigned n = 0; (p = sgw_spd_get(d, n, &hits, &bound)); n++) {
			sel_str(&p->sel, true, src, sizeof(src));
			sel_str(&p->sel, false, dst, sizeof(dst));
			if (p->sel.proto < 0)
				snprintf(proto, sizeof(proto), "any");
			else
				snprintf(proto, sizeof(proto), "%d", p->sel.proto);
			if (!a->json) {
				sgw_cli_printf(r, "  %-3u %-16s %s -> %s proto %s ports %u-%u -> %u-%u"
					       "  %s%s%s%s  %lu matches\n", n, p->name, src, dst,
					       proto, p->sel.sport_lo, p->sel.sport_hi,
					       p->sel.dport_lo, p->sel.dport_hi,
					       action_name(p->action),
					       p->action == SGW_POLICY_PROTECT ? " sa " : "",
					       p->action == SGW_POLICY_PROTECT ? p->sa : "",
					       p->action == SGW_POLICY_PROTECT && !bound ?
							" (no such SA)" : "",
					       (unsigned long)hits);
				continue;
			}
			sgw_json_obj_open(&j, NULL);
			sgw_json_str(&j, "name", p->name);
			sgw_json_str(&j, "direction", d ? "in" : "out");
			sgw_json_u64(&j, "position", n);
			sgw_json_str(&j, "src", src);
			sgw_json_str(&j, "dst", dst);
			sgw_json_i64(&j, "proto", p->sel.proto);
			sgw_json_u64(&j, "src_port_lo", p->sel.sport_lo);
			sgw_json_u64(&j, "src_port_hi", p->sel.sport_hi);
			sgw_json_u64(&j, "dst_port_lo", p->sel.dport_lo);
			sgw_json_u64(&j, "dst_port_hi", p->sel.dport_hi);
			sgw_json_str(&j, "action", action_name(p->action));
			if (p->action == SGW_POLICY_PROTECT) {
				sgw_json_str(&j, "sa", p->sa);
				sgw_json_bool(&j, "sa_installed", bound);
			}
			sgw_json_u64(&j, "matches", hits);
			sgw_json_obj_close(&j);
		}
	}
	if (a->json) {
		sgw_json_arr_close(&j);
		sgw_json_end(&j);
	}
}

/* ------------------------------------------------ sa / policy add, del */

/* key=value words as one YAML flow mapping, values double-quoted. Words
 * named in skip (e.g. "position") are returned separately. */
static int words_to_yaml(const struct sgw_cli_args *a, char *out, size_t size,
			 const char *skip, const char **skipped,
			 struct sgw_cli_reply *r)
{
	size_t len = 0;
	int n;

	*skipped = NULL;
	n = snprintf(out, size, "{");
	len = (size_t)n;
	for (unsigned w = 0; w < a->argc; w++) {
		const char *eq = strchr(a->argv[w], '=');
		size_t klen = eq ? (size_t)(eq - a->argv[w]) : 0;

		if (!eq || !klen) {
			sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "expected KEY=VALUE, got '%s'",
				     a->argv[w]);
			return -EINVAL;
		}
		if (skip && strlen(skip) == klen && !strncmp(a->argv[w], skip, klen)) {
			*skipped = eq + 1;
			continue;
		}
		n = snprintf(out + len, size - len, "%s%.*s: \"", len > 1 ? ", " : "",
			     (int)klen, a->argv[w]);
		if (n < 0 || (size_t)n >= size - len)
			goto long_;
		len += (size_t)n;
		for (const char *c = eq + 1; *c; c++) {
			if (len + 3 >= size)
				goto long_;
			if (*c == '"' || *c == '\\')
				out[len++] = '\\';
			out[len++] = *c;
		}
		out[len++] = '"';
	}
	if (len + 2 > size)
		goto long_;
	out[len++] = '}';
	out[len] = 0;
	return (int)len;
long_:
	sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "request too long");
	return -E2BIG;
}

static bool local_addr_ok(const struct sgw_prefix *a)
{
	for (unsigned p = 0; p < sgw_dp_n_ports(); p++) {
		const struct sgw_conf_port *cp = sgw_dp_port(p)->conf;

		for (unsigned i = 0; i < cp->n_addrs; i++)
			if (cp->addrs[i].family == a->family &&
			    !memcmp(cp->addrs[i].addr, a->addr, a->family == AF_INET ? 4 : 16))
				return true;
	}
	return false;
}

void sgw_cmd_sa_add(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	char yaml[SGW_CLI_LINE_MAX * 2], lbuf[64], name[SGW_NAME_MAX];
	struct sgw_conf_err err;
	struct sgw_conf_sa cs;
	struct sgw_sa_params p;
	const char *unused;
	uint32_t slot;
	int len, ret;

	RTE_SET_USED(ctx);
	len = words_to_yaml(a, yaml, sizeof(yaml), NULL, &unused, r);
	if (len < 0)
		return;
	ret = sgw_conf_parse_sa_item(yaml, (size_t)len, &cs, &err);
	explicit_bzero(yaml, sizeof(yaml));
	if (ret < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "%s", err.msg);
		return;
	}
	if (!local_addr_ok(&cs.local)) {
		explicit_bzero(&cs, sizeof(cs));
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "local address %s is not configured on any port",
			     sgw_prefix_str(&cs.local, false, lbuf, sizeof(lbuf)));
		return;
	}
	sgw_sa_params_from_conf(&cs, &p, SGW_SA_OWNER_CLI);
	snprintf(name, sizeof(name), "%s", cs.name);
	explicit_bzero(&cs, sizeof(cs));
	ret = sgw_sa_add(&p, &slot);
	explicit_bzero(&p, sizeof(p));
	if (ret < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "cannot add SA: %s",
			     ret == -EEXIST ? "an SA with this name or inbound SPI exists" :
			     ret == -ENOSPC ? "the SA table is full" : strerror(-ret));
		return;
	}
	sgw_spd_rebind_sa(name);
	CTL_LOG(INFO, "SA %s (slot %u) added from the CLI", name[0] ? name : "?", slot);
	sgw_cli_printf(r, "SA added (slot %u)\n", slot);
}

void sgw_cmd_sa_del(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	uint32_t it = 0, slot, found = SGW_SA_NONE;
	struct sgw_sa_info i;
	unsigned n = 0;
	char lbl[48];

	RTE_SET_USED(ctx);
	if (!sa_filter_ok(a, 0, r))
		return;
	while ((slot = sgw_sa_next(&it)) != SGW_SA_NONE)
		if (sgw_sa_info(slot, &i) == 0 && sa_matches(&i, a, 0)) {
			found = slot;
			n++;
		}
	if (n == 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no such SA");
		return;
	}
	if (n > 1) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "%u SAs match; name one, or give in|out SPI", n);
		return;
	}
	sgw_sa_info(found, &i);
	sgw_sa_del(found);
	sgw_spd_rebind_sa(i.name);
	CTL_LOG(INFO, "SA %s deleted from the CLI", sa_label(&i, lbl, sizeof(lbl)));
	sgw_cli_printf(r, "SA deleted\n");
}

void sgw_cmd_policy_add(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	char yaml[SGW_CLI_LINE_MAX * 2];
	struct sgw_conf_policy cp;
	struct sgw_conf_err err;
	const char *pos_s;
	struct sgw_sa_info i;
	long pos = -1;
	uint32_t slot;
	char *end;
	int len, ret;

	RTE_SET_USED(ctx);
	len = words_to_yaml(a, yaml, sizeof(yaml), "position", &pos_s, r);
	if (len < 0)
		return;
	if (pos_s) {
		pos = strtol(pos_s, &end, 10);
		if (*end || pos < 0 || pos > 65535) {
			sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "position: expected 0..65535");
			return;
		}
	}
	if (sgw_conf_parse_policy_item(yaml, (size_t)len, &cp, &err) < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_ARGS, "%s", err.msg);
		return;
	}
	if (cp.action == SGW_POLICY_PROTECT &&
	    (sgw_sa_find_name(cp.sa, &slot) < 0 || sgw_sa_info(slot, &i) < 0 ||
	     (i.dir == SGW_SA_IN) != cp.inbound)) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "sa: no %s SA named '%s'",
			     cp.inbound ? "inbound" : "outbound", cp.sa);
		return;
	}
	ret = sgw_spd_add(&cp, (int)pos);
	if (ret < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "cannot add policy: %s",
			     ret == -EEXIST ? "a policy with this name exists" :
			     ret == -ENOSPC ? "the policy table is full" : strerror(-ret));
		return;
	}
	CTL_LOG(INFO, "policy %s added from the CLI", cp.name);
	sgw_cli_printf(r, "policy added\n");
}

void sgw_cmd_policy_del(const struct sgw_cli_args *a, struct sgw_cli_reply *r, void *ctx)
{
	RTE_SET_USED(ctx);
	if (sgw_spd_del(a->argv[0]) < 0) {
		sgw_cli_fail(r, SGW_CLI_ERR_RUNTIME, "no policy named '%s'", a->argv[0]);
		return;
	}
	CTL_LOG(INFO, "policy %s deleted from the CLI", a->argv[0]);
	sgw_cli_printf(r, "policy deleted\n");
}
