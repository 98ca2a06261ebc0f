// SPDX-License-Identifier: GPL-2.0
/* `xnicctl policy` (see polcmd.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "json.h"
#include "parse.h"
#include "pfobj.h"	/* bpf_error() */
#include "pin.h"
#include "polcmd.h"
#include "tcattach.h"	/* pol_dir_name() */
#include "tcobj.h"
#include "xnicctl.h"

static const char help_policy[] =
"policy add DEV ingress|egress allow|deny [at INDEX] [src PREFIX]\n"
"           [dst PREFIX] [proto tcp|udp|icmp|icmpv6|NUM] [dport P|P-Q]\n"
"           [family ipv4|ipv6]\n"
"xnicctl policy del DEV ingress|egress INDEX\n"
"xnicctl policy list DEV [--json]\n"
"xnicctl policy default DEV ingress|egress allow|deny\n"
"xnicctl policy identity DEV N\n"
"    DEV's tc policy (see 'attach DEV --tc'): per direction an ordered\n"
"    list of at most 64 rules, the first that matches decides, else the\n"
"    direction's default (allow unless set to deny). Allowed packets get\n"
"    skb->mark = N of 'identity' (0: mark untouched). Changes apply to\n"
"    the running programs at once. The policy can be written before\n"
"    'attach --tc' (DEV must exist then) and stays across detach.\n"
"    add      insert the rule at INDEX (default: at the end); the rules\n"
"             from INDEX on move down one place with their counters.\n"
"             A rule is for one family, taken from its prefixes (src and\n"
"             dst must agree) or, with neither, from 'family'. Omitted\n"
"             fields match anything; dport needs proto tcp, udp or none.\n"
"    del      remove rule INDEX; the rules after it move up one place.\n"
"    list     per direction: the default and the rules with their hits\n"
"             (packets, bytes summed over CPUs).\n"
"      --json            {dev, identity, ingress: {default, rules: [{index,\n"
"                        action, family, src, dst, proto, dport, dport_lo,\n"
"                        dport_hi, packets, bytes}]}, egress: {...}}\n"
"    An index past the end of the list, a full list or a missing rule\n"
"    is refused with exit 2, nothing changed.\n";

void policy_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_policy);
}

static const char *const op_names[] = {
	[POL_OP_NONE] = "policy",
	[POL_OP_ADD] = "policy add",
	[POL_OP_DEL] = "policy del",
	[POL_OP_LIST] = "policy list",
	[POL_OP_DEFAULT] = "policy default",
	[POL_OP_IDENTITY] = "policy identity",
};

const char *policy_ctx(enum pol_op op)
{
	return op_names[op];
}

/* ---- parsing ---- */

/* One of two words: *@v = 0 for the first, 1 for the second. */
static int parse_pair(const char *s, const char *first, const char *second,
		      const char *what, unsigned int *v, struct xerr *err)
{
	if (strcmp(s, first) && strcmp(s, second))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid %s '%s' (expected %s or %s)", what, s,
				first, second);
	*v = !strcmp(s, second);
	return 0;
}

int policy_parse_dir(const char *s, enum pol_dir *dir, struct xerr *err)
{
	unsigned int v = 0;
	int ret = parse_pair(s, "ingress", "egress", "direction", &v, err);

	*dir = v ? POL_EGRESS : POL_INGRESS;
	return ret;
}

static int parse_action(const char *s, __u8 *act, struct xerr *err)
{
	unsigned int v;
	int ret = parse_pair(s, "allow", "deny", "action", &v, err);

	*act = v ? POL_ACT_DENY : POL_ACT_ALLOW;
	return ret;
}

static const struct {
	const char *name;
	__u8 proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

static int parse_proto(const char *s, __u8 *proto, struct xerr *err)
{
	unsigned int v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	/* 0 is the rule's "any": say so by leaving proto out. */
	if (parse_uint(s, 255, &v) || !v)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid protocol '%s' (expected tcp, udp, icmp, icmpv6 or 1..255)",
				s);
	*proto = v;
	return 0;
}

static int parse_dport(const char *s, struct pol_rule *r, struct xerr *err)
{
	const char *dash = strchr(s, '-');
	char lo[8];
	unsigned int a, b;
	size_t n = dash ? (size_t)(dash - s) : strlen(s);

	if (n >= sizeof(lo))
		goto bad;
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (parse_uint(lo, 65535, &a))
		goto bad;
	b = a;
	if (dash && parse_uint(dash + 1, 65535, &b))
		goto bad;
	if (a > b)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid port range '%s' (%u > %u)", s, a, b);
	r->dport_lo = a;
	r->dport_hi = b;
	return 0;
bad:
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid port '%s' (expected P or P-Q, 0..65535)", s);
}

int policy_parse_index(const char *s, unsigned int *index, struct xerr *err)
{
	if (parse_uint(s, POL_MAX_RULES - 1, index))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rule index '%s' (expected 0..%d)", s,
				POL_MAX_RULES - 1);
	return 0;
}

static int parse_family(const char *s, int *family, struct xerr *err)
{
	unsigned int v;
	int ret = parse_pair(s, "ipv4", "ipv6", "family", &v, err);

	*family = v ? AF_INET6 : AF_INET;
	return ret;
}

/* "0x2a" or "42", 0..2^32-1. */
static int parse_identity(const char *s, __u32 *id, struct xerr *err)
{
	unsigned long long v = 0;
	const char *p = s;
	int base = 10, d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && p[2]) {
		base = 16;
		p += 2;
	}
	for (; *p && v <= 0xffffffffULL; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		v = v * base + d;
	}
	if (!*s || *p || v > 0xffffffffULL)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid identity '%s' (expected 0..4294967295, decimal or 0x hex)",
				s);
	*id = v;
	return 0;
}

/* src/dst into the rule; their family must agree with *family, if set. */
static int rule_prefix(const char *s, bool dst, struct pol_rule *r,
		       int *family, const char **family_from,
		       struct xerr *err)
{
	struct prefix p;
	int ret;

	ret = parse_prefix(s, &p, err);
	if (ret)
		return ret;
	if (*family && *family != p.family)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"%s '%s' is %s but %s is %s: a rule is for one family",
				dst ? "dst" : "src", s,
				p.family == AF_INET ? "IPv4" : "IPv6",
				*family_from, *family == AF_INET ? "IPv4" : "IPv6");
	*family = p.family;
	*family_from = dst ? "dst" : "src";
	memcpy(dst ? r->dst : r->src, p.addr, sizeof(p.addr));
	if (dst)
		r->dst_plen = p.plen;
	else
		r->src_plen = p.plen;
	return 0;
}

int policy_parse_match(const struct kwarg *kw, struct pol_rule *r,
		       struct xerr *err)
{
	const char *family_from = NULL;
	int family = 0, ret = 0;

	if (kw[POL_KW_FAMILY].value) {
		ret = parse_family(kw[POL_KW_FAMILY].value, &family, err);
		family_from = "family";
	}
	if (!ret && kw[POL_KW_SRC].value)
		ret = rule_prefix(kw[POL_KW_SRC].value, false, r, &family,
				  &family_from, err);
	if (!ret && kw[POL_KW_DST].value)
		ret = rule_prefix(kw[POL_KW_DST].value, true, r, &family,
				  &family_from, err);
	if (ret)
		return ret;
	if (!family)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"a rule is for one family: give src or dst, or family ipv4|ipv6");
	r->family = family == AF_INET ? POL_FAMILY_IPV4 : POL_FAMILY_IPV6;
	r->dport_hi = 65535;
	if (kw[POL_KW_PROTO].value)
		ret = parse_proto(kw[POL_KW_PROTO].value, &r->proto, err);
	if (ret)
		return ret;
	if (r->proto == IPPROTO_ICMP && family == AF_INET6)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"proto icmp never matches IPv6 (did you mean icmpv6?)");
	if (r->proto == IPPROTO_ICMPV6 && family == AF_INET)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"proto icmpv6 never matches IPv4 (did you mean icmp?)");
	if (!kw[POL_KW_DPORT].value)
		return 0;
	if (r->proto && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"dport needs proto tcp or udp (or no proto: both)");
	return parse_dport(kw[POL_KW_DPORT].value, r, err);
}

/* Positional words each subcommand takes after DEV. */
static const struct {
	const char *name;
	enum pol_op op;
	unsigned int npos;	/* DEV included */
	unsigned int opts;
} subcmds[] = {
	{ "add", POL_OP_ADD, 3, 0 },
	{ "del", POL_OP_DEL, 3, 0 },
	{ "list", POL_OP_LIST, 1, ARG_OPT_JSON },
	{ "default", POL_OP_DEFAULT, 3, 0 },
	{ "identity", POL_OP_IDENTITY, 2, 0 },
};

static const char *const missing[POL_OP_IDENTITY + 1][3] = {
	[POL_OP_ADD] = { "interface name", "direction (ingress or egress)",
			 "action (allow or deny)" },
	[POL_OP_DEL] = { "interface name", "direction (ingress or egress)",
			 "rule INDEX" },
	[POL_OP_LIST] = { "interface name" },
	[POL_OP_DEFAULT] = { "interface name", "direction (ingress or egress)",
			     "action (allow or deny)" },
	[POL_OP_IDENTITY] = { "interface name", "identity N" },
};

static int parse_words(struct pol_req *req, const struct args *a,
		       struct kwarg *kw, struct xerr *err)
{
	int ret;

	ret = parse_ifname(a->pos[0], err);
	if (ret)
		return ret;
	req->dev = a->pos[0];
	switch (req->op) {
	case POL_OP_ADD:
		ret = policy_parse_dir(a->pos[1], &req->dir, err);
		if (!ret)
			ret = parse_action(a->pos[2], &req->rule.action, err);
		if (!ret && kw[POL_KW_AT].value) {
			req->at = true;
			ret = policy_parse_index(kw[POL_KW_AT].value,
						 &req->index, err);
		}
		return ret ? ret : policy_parse_match(kw, &req->rule, err);
	case POL_OP_DEL:
		ret = policy_parse_dir(a->pos[1], &req->dir, err);
		return ret ? ret : policy_parse_index(a->pos[2], &req->index,
						      err);
	case POL_OP_DEFAULT:
		ret = policy_parse_dir(a->pos[1], &req->dir, err);
		return ret ? ret : parse_action(a->pos[2], &req->dflt, err);
	case POL_OP_IDENTITY:
		return parse_identity(a->pos[1], &req->identity, err);
	default:
		return 0;
	}
}

int policy_parse(int argc, char **argv, struct pol_req *req,
		 struct xerr *err)
{
	struct kwarg kw[] = { POL_KWARGS, { .name = NULL } };
	struct args a;
	size_t i;
	int ret;

	memset(req, 0, sizeof(*req));
	if (args_want_help(argc, argv)) {
		req->help = true;
		return 0;
	}
	ret = args_subcmd(argc, argv, "policy", subcmds, ARRAY_SIZE(subcmds),
			  sizeof(subcmds[0]), &i, err);
	if (ret)
		return ret;
	req->op = subcmds[i].op;
	/* Only add takes keywords. */
	ret = args_scan(argc - 1, argv + 1,
			req->op == POL_OP_ADD ? kw : kw + ARRAY_SIZE(kw) - 1,
			subcmds[i].npos, subcmds[i].opts, &a, err);
	if (ret)
		return ret;
	if (a.npos < subcmds[i].npos)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing %s",
				missing[req->op][a.npos]);
	req->json = a.opts & ARG_OPT_JSON;
	return parse_words(req, &a, kw, err);
}

/* ---- formatting ---- */

void policy_format_addr(const struct pol_rule *r, bool dst,
			char buf[POL_FIELD_MAX])
{
	struct prefix p = {
		.family = r->family == POL_FAMILY_IPV4 ? AF_INET : AF_INET6,
		.plen = dst ? r->dst_plen : r->src_plen,
	};

	if (!p.plen) {
		snprintf(buf, POL_FIELD_MAX, "any");
		return;
	}
	memcpy(p.addr, dst ? r->dst : r->src, sizeof(p.addr));
	prefix_format(&p, buf);
}

void policy_format_proto(const struct pol_rule *r, char buf[POL_FIELD_MAX])
{
	size_t i;

	snprintf(buf, POL_FIELD_MAX, "%u", r->proto);
	if (!r->proto)
		snprintf(buf, POL_FIELD_MAX, "any");
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (r->proto == protos[i].proto)
			snprintf(buf, POL_FIELD_MAX, "%s", protos[i].name);
}

void policy_format_dport(const struct pol_rule *r, char buf[POL_FIELD_MAX])
{
	if (r->dport_lo == 0 && r->dport_hi == 65535)
		snprintf(buf, POL_FIELD_MAX, "any");
	else if (r->dport_lo == r->dport_hi)
		snprintf(buf, POL_FIELD_MAX, "%u", r->dport_lo);
	else
		snprintf(buf, POL_FIELD_MAX, "%u-%u", r->dport_lo, r->dport_hi);
}

/* ---- execution ---- */

int pol_list_read(const struct pol_list_maps *m, enum pol_dir dir,
		  struct pol_list *l, struct xerr *err)
{
	__u32 i, key;

	memset(l, 0, sizeof(*l));
	l->n = POL_MAX_RULES;
	for (i = 0; i < POL_MAX_RULES; i++) {
		key = POL_KEY(dir, i);
		if (bpf_map_lookup_elem(m->fd, &key, &l->e[i]))
			return bpf_error(err, errno, m->read_what);
		if (!l->e[i].b[0] && l->n == POL_MAX_RULES)
			l->n = i;
	}
	l->end_clear = l->n + 1 >= POL_MAX_RULES || !l->e[l->n + 1].b[0];
	return 0;
}

static int write_entry(const struct pol_list_maps *m, enum pol_dir dir,
		       __u32 i, const void *e, struct xerr *err)
{
	__u32 key = POL_KEY(dir, i);

	if (bpf_map_update_elem(m->fd, &key, e, BPF_ANY))
		return bpf_error(err, errno, m->write_what);
	return 0;
}

static int move_hits(const struct pol_list_maps *m, enum pol_dir dir,
		     __u32 from, __u32 to, struct xerr *err)
{
	int e = pol_percpu_copy(m->stats_fd, POL_KEY(dir, from),
				POL_KEY(dir, to), m->stat_size);

	return e ? bpf_error(err, e, m->stats_what) : 0;
}

static int clear_hits(const struct pol_list_maps *m, enum pol_dir dir,
		      __u32 i, struct xerr *err)
{
	int e = pol_percpu_zero(m->stats_fd, POL_KEY(dir, i), m->stat_size);

	return e ? bpf_error(err, e, m->stats_what) : 0;
}

/*
 * The programs read the list while it changes, one entry at a time, so
 * every state between two writes must be a valid policy. Inserting R at
 * i into r0..r(n-1) writes from the end backwards: slot n (the END)
 * becomes r(n-1), slot n-1 becomes r(n-2), ..., slot i becomes R. Before
 * the last write the list is the old one with one rule repeated in two
 * adjacent slots, which decides every packet as the old list did (the
 * second copy is never reached first); the last write makes it the new
 * list. Slot n+1 is made END first, so the list never runs into stale
 * entries past the old END.
 *
 * Hit counters move with their rules, each copied just before its rule.
 * A packet that matches a rule while it moves may be counted at its old
 * place after the copy and so be lost from the count, or (at slot i) be
 * credited to the rule that replaces it: the counters are exact when the
 * list does not change while traffic flows. Each entry is written with
 * one bpf() update, but an array map copies the 44 bytes in place without
 * a lock: a packet racing that write can see a mix of the old and new
 * entry; that window is one memcpy long. All of this holds for the
 * redirect lists as well (48-byte entries, the mode in the first byte).
 */
static int insert(const struct pol_list_maps *m, enum pol_dir dir,
		  const struct pol_list *l, unsigned int at, const void *entry,
		  struct xerr *err)
{
	static const union pol_entry end;
	unsigned int k;
	int ret = 0;

	if (!l->end_clear)
		ret = write_entry(m, dir, l->n + 1, &end, err);
	for (k = l->n; !ret && k > at; k--) {
		ret = move_hits(m, dir, k - 1, k, err);
		if (!ret)
			ret = write_entry(m, dir, k, &l->e[k - 1], err);
	}
	if (!ret)
		ret = clear_hits(m, dir, at, err);
	if (!ret)
		ret = write_entry(m, dir, at, entry, err);
	return ret;
}

/*
 * Deleting slot i of r0..r(n-1) shifts forward: slot i becomes r(i+1),
 * ..., slot n-2 becomes r(n-1), then slot n-1 becomes END. The first
 * write removes r(i); every later state is the new list with one rule
 * repeated in adjacent slots, and the last write removes the repeat.
 * Counters move as for insert(), with the same window.
 */
static int delete(const struct pol_list_maps *m, enum pol_dir dir,
		  const struct pol_list *l, unsigned int index,
		  struct xerr *err)
{
	static const union pol_entry end;
	unsigned int k;
	int ret = 0;

	for (k = index; !ret && k + 1 < l->n; k++) {
		ret = move_hits(m, dir, k + 1, k, err);
		if (!ret)
			ret = write_entry(m, dir, k, &l->e[k + 1], err);
	}
	if (!ret)
		ret = write_entry(m, dir, l->n - 1, &end, err);
	if (!ret)
		ret = clear_hits(m, dir, l->n - 1, err);
	return ret;
}

int pol_list_edit(const struct pol_list_maps *m, const char *dev,
		  enum pol_dir dir, const struct pol_list_op *op,
		  struct xerr *err)
{
	const char *dname = pol_dir_name(dir);
	struct pol_list l;
	unsigned int at;
	int ret;

	ret = pol_list_read(m, dir, &l, err);
	if (ret)
		return ret;
	if (op->del) {
		if (op->index >= l.n)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"%s has no %s %s %u (%u %ss)", dev,
					dname, m->noun, op->index, l.n,
					m->noun);
		ret = delete(m, dir, &l, op->index, err);
		if (!ret)
			printf("%s: %s %s %u deleted\n", dev, dname, m->noun,
			       op->index);
		return ret;
	}
	at = op->at ? op->index : l.n;
	if (l.n == POL_MAX_RULES)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s: the %s %s list is full (%d %ss)", dev,
				dname, m->noun, POL_MAX_RULES, m->noun);
	if (at > l.n)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s: index %u is past the end of the %s %s list (%u %ss)",
				dev, at, dname, m->noun, l.n, m->noun);
	ret = insert(m, dir, &l, at, op->entry, err);
	if (!ret)
		printf("%s: %s %s %u added\n", dev, dname, m->noun, at);
	return ret;
}

const struct pol_list_maps *pol_list_maps(const int *fd, bool redirects)
{
	static struct pol_list_maps m[2] = {
		{
			.noun = "rule",
			.stat_size = sizeof(struct pol_stat),
			.read_what = "cannot read pol_rules",
			.write_what = "cannot write pol_rules",
			.stats_what = "cannot move pol_rule_stats",
		}, {
			.noun = "redirect",
			.stat_size = sizeof(struct pol_redir_stat),
			.read_what = "cannot read pol_redirects",
			.write_what = "cannot write pol_redirects",
			.stats_what = "cannot move pol_redir_stats",
		},
	};

	m[redirects].fd = fd[redirects ? POL_MAP_REDIRECTS : POL_MAP_RULES];
	m[redirects].stats_fd = fd[redirects ? POL_MAP_REDIR_STATS :
				   POL_MAP_RULE_STATS];
	return &m[redirects];
}

static int edit_list(const int *fd, const struct pol_req *req,
		     struct xerr *err)
{
	struct pol_list_op op = {
		.del = req->op == POL_OP_DEL,
		.at = req->at,
		.index = req->index,
		.entry = &req->rule,
	};

	return pol_list_edit(pol_list_maps(fd, false), req->dev, req->dir, &op,
			     err);
}

static int edit_config(const int *fd, const struct pol_req *req,
		       struct xerr *err)
{
	struct pol_config cfg;
	__u32 key = 0;

	if (bpf_map_lookup_elem(fd[POL_MAP_CONFIG], &key, &cfg))
		return bpf_error(err, errno, "cannot read pol_config");
	if (req->op == POL_OP_DEFAULT)
		cfg.dflt[req->dir] = req->dflt;
	else
		cfg.identity = req->identity;
	/* One 8-byte value: the other field is written back unchanged. */
	if (bpf_map_update_elem(fd[POL_MAP_CONFIG], &key, &cfg, BPF_ANY))
		return bpf_error(err, errno, "cannot write pol_config");
	if (req->op == POL_OP_DEFAULT)
		printf("%s: %s default %s\n", req->dev,
		       pol_dir_name(req->dir),
		       req->dflt == POL_ACT_DENY ? "deny" : "allow");
	else
		printf("%s: identity %u\n", req->dev, req->identity);
	return 0;
}

static const char *action_name(__u8 a)
{
	return a == POL_ACT_DENY ? "deny" : a == POL_ACT_ALLOW ? "allow" :
	       "unknown";
}

void policy_match_text(const struct pol_rule *r, struct pol_match_text *t)
{
	t->family = r->family == POL_FAMILY_IPV4 ? "ipv4" :
		    r->family == POL_FAMILY_IPV6 ? "ipv6" : "?";
	policy_format_addr(r, false, t->src);
	policy_format_addr(r, true, t->dst);
	policy_format_proto(r, t->proto);
	policy_format_dport(r, t->dport);
}

void policy_match_json(struct json *j, const struct pol_rule *r,
		       const struct pol_match_text *t)
{
	json_member_string(j, "family", t->family);
	json_member_string(j, "src", t->src);
	json_member_string(j, "dst", t->dst);
	json_member_string(j, "proto", t->proto);
	json_member_string(j, "dport", t->dport);
	json_member_int(j, "dport_lo", true, r->dport_lo);
	json_member_int(j, "dport_hi", true, r->dport_hi);
}

static void list_rule(const struct pol_rule *r, enum pol_dir dir,
		      unsigned int i, const struct pol_stat *hits,
		      struct json *j)
{
	struct pol_match_text t;

	policy_match_text(r, &t);
	if (!j) {
		printf("%-7s %3u %-6s %-6s %-18s %-18s %-6s %-11s %10llu %12llu\n",
		       pol_dir_name(dir), i, action_name(r->action), t.family,
		       t.src, t.dst, t.proto, t.dport,
		       (unsigned long long)hits->packets,
		       (unsigned long long)hits->bytes);
		return;
	}
	json_object_begin(j);
	json_member_int(j, "index", true, i);
	json_member_string(j, "action", action_name(r->action));
	policy_match_json(j, r, &t);
	json_member_int(j, "packets", true, hits->packets);
	json_member_int(j, "bytes", true, hits->bytes);
	json_object_end(j);
}

static int list(const int *fd, const struct pol_req *req, struct xerr *err)
{
	struct pol_stat hits[POL_DIRS][POL_MAX_RULES];
	struct pol_list l[POL_DIRS];
	struct pol_config cfg;
	unsigned int i, d;
	__u32 key = 0;
	struct json j;
	int ret = 0, e;

	if (bpf_map_lookup_elem(fd[POL_MAP_CONFIG], &key, &cfg))
		return bpf_error(err, errno, "cannot read pol_config");
	for (d = 0; d < POL_DIRS && !ret; d++) {
		ret = pol_list_read(pol_list_maps(fd, false), d, &l[d], err);
		for (i = 0; !ret && i < l[d].n; i++) {
			e = pol_stat_sum(fd[POL_MAP_RULE_STATS],
					 POL_KEY(d, i), &hits[d][i]);
			if (e)
				ret = bpf_error(err, e,
						"cannot read pol_rule_stats");
		}
	}
	if (ret)
		return ret;
	if (!req->json) {
		printf("identity %u\n", cfg.identity);
		for (d = 0; d < POL_DIRS; d++)
			printf("default %s %s\n", pol_dir_name(d),
			       cfg.dflt[d] == POL_ACT_DENY ? "deny" : "allow");
		printf("%-7s %3s %-6s %-6s %-18s %-18s %-6s %-11s %10s %12s\n",
		       "DIR", "IDX", "ACTION", "FAMILY", "SRC", "DST", "PROTO",
		       "DPORT", "PACKETS", "BYTES");
		for (d = 0; d < POL_DIRS; d++)
			for (i = 0; i < l[d].n; i++)
				list_rule(&l[d].e[i].rule, d, i, &hits[d][i],
					  NULL);
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "dev", req->dev);
	json_member_int(&j, "identity", true, cfg.identity);
	for (d = 0; d < POL_DIRS; d++) {
		json_key(&j, pol_dir_name(d));
		json_object_begin(&j);
		json_member_string(&j, "default", cfg.dflt[d] == POL_ACT_DENY ?
				   "deny" : "allow");
		json_key(&j, "rules");
		json_array_begin(&j);
		for (i = 0; i < l[d].n; i++)
			list_rule(&l[d].e[i].rule, d, i, &hits[d][i], &j);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_object_end(&j);
	return 0;
}

void policy_match_words(FILE *out, const struct pol_rule *r)
{
	struct pol_match_text t;
	const char *fields[][2] = {
		{ "src", t.src }, { "dst", t.dst },
		{ "proto", t.proto }, { "dport", t.dport },
	};
	size_t i;

	policy_match_text(r, &t);
	fprintf(out, " family %s", t.family);
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i][1], "any"))
			fprintf(out, " %s %s", fields[i][0], fields[i][1]);
}

struct save_req {
	const char *dev;
	FILE *out;
};

static int save_maps(const int *fd, const void *arg, struct xerr *err)
{
	const struct save_req *s = arg;
	struct pol_list l[POL_DIRS];
	struct pol_config cfg;
	unsigned int i, d;
	__u32 key = 0;
	int ret = 0;

	if (bpf_map_lookup_elem(fd[POL_MAP_CONFIG], &key, &cfg))
		return bpf_error(err, errno, "cannot read pol_config");
	for (d = 0; d < POL_DIRS && !ret; d++)
		ret = pol_list_read(pol_list_maps(fd, false), d, &l[d], err);
	if (ret)
		return ret;
	fputs("policy identity ", s->out);
	batch_quote(s->out, s->dev);
	fprintf(s->out, " %u\n", cfg.identity);
	for (d = 0; d < POL_DIRS; d++) {
		fputs("policy default ", s->out);
		batch_quote(s->out, s->dev);
		/* An unset default (END) allows, as the programs read it. */
		fprintf(s->out, " %s %s\n", pol_dir_name(d),
			cfg.dflt[d] == POL_ACT_DENY ? "deny" : "allow");
	}
	for (d = 0; d < POL_DIRS; d++) {
		for (i = 0; i < l[d].n; i++) {
			fputs("policy add ", s->out);
			batch_quote(s->out, s->dev);
			fprintf(s->out, " %s %s", pol_dir_name(d),
				action_name(l[d].e[i].rule.action));
			policy_match_words(s->out, &l[d].e[i].rule);
			fputc('\n', s->out);
		}
	}
	return 0;
}

int policy_save(const char *dev, FILE *out, struct xerr *err)
{
	struct save_req s = { .dev = dev, .out = out };
	int ret;

	ret = policy_with_maps(dev, false, false, save_maps, &s, err);
	return ret == XNIC_EXIT_NOLINK ? 0 : ret;
}

/* DEV's pinned maps; if @create, created first if there are none. */
static int open_maps(const char *dev, bool create, int *fd,
		     struct xerr *err)
{
	struct tcobj o;
	int ret, i;

	ret = tcobj_open_pins(dev, fd, err);
	if (ret != XNIC_EXIT_NOLINK || !create)
		return ret;
	/* Provisioning before attach: only for a device that exists. */
	if (!if_nametoindex(dev))
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no such interface '%s'", dev);
	ret = tcobj_load(&o, dev, false, err);
	if (ret)
		return ret;
	for (i = 0; i < POL_MAP_COUNT && !ret; i++) {
		fd[i] = dup(o.map_fd[i]);
		if (fd[i] < 0)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "dup: %s",
				       strerror(errno));
	}
	tcobj_close(&o);
	if (ret)
		tcobj_close_fds(fd);
	return ret;
}

int policy_with_maps(const char *dev, bool write, bool create,
		     int (*fn)(const int *fd, const void *req,
			       struct xerr *err),
		     const void *req, struct xerr *err)
{
	int fd[POL_MAP_COUNT];
	int lock, ret;

	ret = pin_lock(write, &lock, err);
	if (ret)
		return ret;
	if (lock < 0) {
		ret = xerr_set(err, XNIC_EXIT_NOLINK,
			       "no policy for '%s' (never attached with --tc nor written)",
			       dev);
		goto out;
	}
	ret = open_maps(dev, create, fd, err);
	if (ret)
		goto out;
	ret = fn(fd, req, err);
	tcobj_close_fds(fd);
out:
	pin_unlock(lock);
	return ret ? ret : xerr_flush(err);
}

static int run(const int *fd, const void *arg, struct xerr *err)
{
	const struct pol_req *req = arg;

	switch (req->op) {
	case POL_OP_ADD:
	case POL_OP_DEL:
		return edit_list(fd, req, err);
	case POL_OP_LIST:
		return list(fd, req, err);
	default:
		return edit_config(fd, req, err);
	}
}

int policy_main(int argc, char **argv)
{
	struct pol_req req;
	struct xerr err;
	int ret;

	ret = policy_parse(argc, argv, &req, &err);
	if (!ret && req.help)
		return args_help(policy_usage);
	if (!ret)
		ret = policy_with_maps(req.dev, req.op != POL_OP_LIST,
				       req.op != POL_OP_LIST &&
				       req.op != POL_OP_DEL, run, &req, &err);
	if (ret)
		xerr_print(policy_ctx(req.op), &err);
	return ret;
}
