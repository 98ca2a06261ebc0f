// SPDX-License-Identifier: GPL-2.0
/* `xnicctl prefilter` and `xnicctl arp-block` (see blocklist.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "blocklist.h"
#include "json.h"
#include "pin.h"
#include "prefilter.h"	/* bpf/: the map key layouts */
#include "xnicctl.h"

static const char help_prefilter[] =
"prefilter add|del PREFIX...\n"
"    Block (add) or unblock (del) IPv4/IPv6 sources on every device the\n"
"    prefilter is attached to. A single address (bare, /32 or /128) goes\n"
"    to an exact-match hash, a shorter prefix to an LPM trie. Takes\n"
"    effect at once, without reloading any program. Adding an entry\n"
"    that is already there is not an error; deleting one that is not\n"
"    there is, and nothing is deleted then.\n"
"xnicctl prefilter list [--json]\n"
"    One entry per line: bare addresses, then prefixes, IPv4 first.\n"
"      --json            a JSON array of objects {entry, map}\n"
"  PREFIX  ADDR or ADDR/LEN, IPv4 or IPv6, no host bits set past LEN\n"
"          (10.0.0.0/8, not 10.0.0.1/8); 0.0.0.0/0 and ::/0 block all\n";

static const char help_arp[] =
"arp-block add|del ADDR...\n"
"    Drop ARP packets whose sender protocol address (ar_sip) is ADDR, an\n"
"    IPv4 address, on every device the prefilter is attached to.\n"
"xnicctl arp-block list [--json]\n"
"    One address per line (--json: a JSON array of objects {entry, map}).\n";

static const char help_common[] =
"  The blocklists live in maps pinned under " PIN_ROOT ", created on\n"
"  first use, so they can be filled before any 'attach'. Arguments are\n"
"  all checked first: one bad argument or duplicate changes nothing.\n";

static const char *const op_names[] = {
	[BL_ADD] = "add",
	[BL_DEL] = "del",
	[BL_LIST] = "list",
};

static const char *const kind_names[] = {
	[BL_PREFILTER] = "prefilter",
	[BL_ARP] = "arp-block",
};

const char *blocklist_ctx(enum bl_kind kind, enum bl_op op)
{
	static char ctx[32];

	if (op == BL_NONE)
		return kind_names[kind];
	snprintf(ctx, sizeof(ctx), "%s %s", kind_names[kind], op_names[op]);
	return ctx;
}

static void blocklist_help(FILE *out, enum bl_kind kind)
{
	fprintf(out, "\nxnicctl %s%s",
		kind == BL_ARP ? help_arp : help_prefilter, help_common);
}

void prefilter_usage(FILE *out)
{
	blocklist_help(out, BL_PREFILTER);
}

void arp_block_usage(FILE *out)
{
	blocklist_help(out, BL_ARP);
}

/* ---- parsing: argv -> struct bl_req, no I/O ---- */

enum pf_map blocklist_map(enum bl_kind kind, const struct prefix *p)
{
	if (kind == BL_ARP)
		return PF_MAP_ARP;
	if (p->family == AF_INET)
		return prefix_is_host(p) ? PF_MAP_V4_EXACT : PF_MAP_V4_LPM;
	return prefix_is_host(p) ? PF_MAP_V6_EXACT : PF_MAP_V6_LPM;
}

size_t blocklist_key(enum pf_map map, const struct prefix *p,
		     unsigned char key[BL_KEY_MAX])
{
	struct pf_v4_lpm_key k4 = { .prefixlen = p->plen };
	struct pf_v6_lpm_key k6 = { .prefixlen = p->plen };

	memset(key, 0, BL_KEY_MAX);
	switch (map) {
	case PF_MAP_V4_LPM:
		memcpy(&k4.addr, p->addr, sizeof(k4.addr));
		memcpy(key, &k4, sizeof(k4));
		return sizeof(k4);
	case PF_MAP_V6_LPM:
		memcpy(&k6.addr, p->addr, sizeof(k6.addr));
		memcpy(key, &k6, sizeof(k6));
		return sizeof(k6);
	case PF_MAP_V6_EXACT:
		memcpy(key, p->addr, sizeof(struct pf_v6_addr));
		return sizeof(struct pf_v6_addr);
	default:	/* IPv4 exact and ARP: a __be32 */
		memcpy(key, p->addr, sizeof(__be32));
		return sizeof(__be32);
	}
}

void blocklist_prefix(enum pf_map map, const unsigned char *key,
		      struct prefix *p)
{
	struct pf_v4_lpm_key k4;
	struct pf_v6_lpm_key k6;

	memset(p, 0, sizeof(*p));
	switch (map) {
	case PF_MAP_V4_LPM:
		memcpy(&k4, key, sizeof(k4));
		p->family = AF_INET;
		p->plen = k4.prefixlen;
		memcpy(p->addr, &k4.addr, sizeof(k4.addr));
		break;
	case PF_MAP_V6_LPM:
		memcpy(&k6, key, sizeof(k6));
		p->family = AF_INET6;
		p->plen = k6.prefixlen;
		memcpy(p->addr, &k6.addr, sizeof(k6.addr));
		break;
	case PF_MAP_V6_EXACT:
		p->family = AF_INET6;
		p->plen = 128;
		memcpy(p->addr, key, sizeof(struct pf_v6_addr));
		break;
	default:
		p->family = AF_INET;
		p->plen = 32;
		memcpy(p->addr, key, sizeof(__be32));
		break;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct bl_entry *const *x = a, *const *y = b;

	return prefix_cmp(&(*x)->p, &(*y)->p);
}

/* Two arguments naming one entry (1.2.3.4 and 1.2.3.4/32, ::1 and 0::1). */
static int check_duplicates(const struct bl_req *req, struct xerr *err)
{
	const struct bl_entry **sorted, *a, *b;
	size_t i;
	int ret = 0;

	sorted = calloc(req->n, sizeof(*sorted));
	if (!sorted)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (i = 0; i < req->n; i++)
		sorted[i] = &req->v[i];
	qsort(sorted, req->n, sizeof(*sorted), cmp_entry);
	for (i = 1; i < req->n && !ret; i++) {
		if (!prefix_equal(&sorted[i - 1]->p, &sorted[i]->p))
			continue;
		/* Name them in the order they were typed. */
		a = sorted[i - 1] < sorted[i] ? sorted[i - 1] : sorted[i];
		b = a == sorted[i] ? sorted[i - 1] : sorted[i];
		if (strcmp(a->arg, b->arg))
			ret = xerr_set(err, XNIC_EXIT_USAGE,
				       "duplicate entry '%s' (same as '%s')",
				       b->arg, a->arg);
		else
			ret = xerr_set(err, XNIC_EXIT_USAGE,
				       "duplicate entry '%s'", b->arg);
	}
	free(sorted);
	return ret;
}

static int parse_entries(enum bl_kind kind, int argc, char **argv,
			 struct bl_req *req, struct xerr *err)
{
	struct bl_entry *e;
	int i, ret;

	if (!argc)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing %s",
				kind == BL_ARP ? "ADDR" : "PREFIX");
	req->v = calloc(argc, sizeof(*req->v));
	if (!req->v)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (i = 0; i < argc; i++) {
		e = &req->v[req->n++];
		e->arg = argv[i];
		if (argv[i][0] == '-' && argv[i][1])
			return xerr_set(err, XNIC_EXIT_USAGE,
					"unknown option '%s'", argv[i]);
		ret = kind == BL_ARP ? parse_ipv4(argv[i], &e->p, err) :
				       parse_prefix(argv[i], &e->p, err);
		if (ret)
			return ret;
		e->map = blocklist_map(kind, &e->p);
	}
	return check_duplicates(req, err);
}

int blocklist_parse(enum bl_kind kind, int argc, char **argv,
		    struct bl_req *req, struct xerr *err)
{
	struct kwarg none = { .name = NULL };
	struct args a;
	size_t i;
	int ret;

	memset(req, 0, sizeof(*req));
	req->kind = kind;
	if (argc < 1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing subcommand (try 'xnicctl %s --help')",
				kind_names[kind]);
	for (i = 1; i < ARRAY_SIZE(op_names); i++)
		if (!strcmp(argv[0], op_names[i]))
			req->op = i;
	/* Help wins over everything else on the line, even bad words. */
	if (args_want_help(argc, argv)) {
		req->help = true;
		return 0;
	}
	switch (req->op) {
	case BL_ADD:
	case BL_DEL:
		return parse_entries(kind, argc - 1, argv + 1, req, err);
	case BL_LIST:
		ret = args_scan(argc - 1, argv + 1, &none, 0, ARG_OPT_JSON, &a,
				err);
		req->json = a.opts & ARG_OPT_JSON;
		return ret;
	default:
		return xerr_set(err, XNIC_EXIT_USAGE,
				"unknown subcommand '%s' (try 'xnicctl %s --help')",
				argv[0], kind_names[kind]);
	}
}

void blocklist_free(struct bl_req *req)
{
	free(req->v);
	req->v = NULL;
	req->n = 0;
}

/* ---- execution ---- */

static int entry_update(const struct pfobj *o, const struct bl_entry *e,
			bool add)
{
	unsigned char key[BL_KEY_MAX];
	__u8 one = 1;

	blocklist_key(e->map, &e->p, key);
	if (add)
		return bpf_map_update_elem(o->map_fd[e->map], key, &one,
					   BPF_NOEXIST) ? -errno : 0;
	return bpf_map_delete_elem(o->map_fd[e->map], key) ? -errno : 0;
}

/*
 * The keys of one LPM trie, read once and sorted. A lookup in a trie
 * answers for the longest covering prefix (10.0.0.0/16 "is there" once
 * 10.0.0.0/8 is), so exact presence needs the keys themselves; reading
 * them once per command keeps a delete of N entries O(N log N), not O(N^2)
 * walks of the trie.
 */
struct trie_keys {
	unsigned char *v;	/* n keys of BL_KEY_MAX bytes, zero-padded */
	size_t n;
	bool loaded;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, BL_KEY_MAX);
}

static int trie_keys_load(int fd, struct trie_keys *t)
{
	unsigned char cur[BL_KEY_MAX] = { 0 }, next[BL_KEY_MAX] = { 0 };
	size_t cap = 0;
	void *prev = NULL, *grown;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(t->v, cap * BL_KEY_MAX);
			if (!grown)
				return -ENOMEM;
			t->v = grown;
		}
		memcpy(t->v + t->n++ * BL_KEY_MAX, next, BL_KEY_MAX);
		memcpy(cur, next, BL_KEY_MAX);
		prev = cur;
	}
	qsort(t->v, t->n, BL_KEY_MAX, key_cmp);
	t->loaded = true;
	return 0;
}

/* Is this exact entry in its map? 1 yes, 0 no, -errno. */
static int entry_present(const struct pfobj *o, const struct bl_entry *e,
			 struct trie_keys *tries)
{
	unsigned char key[BL_KEY_MAX];
	struct trie_keys *t = &tries[e->map];
	int fd = o->map_fd[e->map], ret;
	__u8 v;

	blocklist_key(e->map, &e->p, key);
	if (e->map != PF_MAP_V4_LPM && e->map != PF_MAP_V6_LPM)
		return !bpf_map_lookup_elem(fd, key, &v);
	if (!t->loaded) {
		ret = trie_keys_load(fd, t);
		if (ret)
			return ret;
	}
	return bsearch(key, t->v, t->n, BL_KEY_MAX, key_cmp) != NULL;
}

/* A delete changes nothing unless every entry is there. */
static int all_present(const struct pfobj *o, const struct bl_req *req,
		       struct xerr *err)
{
	struct trie_keys tries[PF_MAP_SHARED] = { 0 };
	size_t i;
	int ret = 0, p;

	for (i = 0; i < req->n && !ret; i++) {
		p = entry_present(o, &req->v[i], tries);
		if (p < 0)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		else if (!p)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM,
				       "'%s' is not in %s; nothing was deleted",
				       req->v[i].arg,
				       pf_map_name(req->v[i].map));
	}
	for (i = 0; i < PF_MAP_SHARED; i++)
		free(tries[i].v);
	return ret;
}

static int change_failed(const struct bl_entry *e, bool add, int ex,
			 struct xerr *err)
{
	char what[160];

	if (add && (ex == E2BIG || ex == ENOSPC))
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s is full, cannot add '%s'; nothing was changed",
				pf_map_name(e->map), e->arg);
	snprintf(what, sizeof(what), "cannot %s '%s' %s %s (nothing was changed)",
		 add ? "add" : "delete", e->arg, add ? "to" : "from",
		 pf_map_name(e->map));
	return bpf_error(err, ex, what);
}

/*
 * Apply every entry or none: entries this run changed are remembered and
 * changed back if a later one fails. An add of an entry already there
 * changes nothing, so it is neither done nor undone.
 */
static int apply(const struct pfobj *o, const struct bl_req *req,
		 struct xerr *err)
{
	bool add = req->op == BL_ADD;
	bool *done;
	size_t i, j;
	int ret = 0, e;

	if (!add) {
		ret = all_present(o, req, err);
		if (ret)
			return ret;
	}
	done = calloc(req->n, sizeof(*done));
	if (!done)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (i = 0; i < req->n && !ret; i++) {
		e = -entry_update(o, &req->v[i], add);
		if (!e)
			done[i] = true;
		/* BPF_NOEXIST: already there, exactly (tries included). */
		if (!e || (add && e == EEXIST))
			continue;
		for (j = 0; j < i; j++)
			if (done[j])
				entry_update(o, &req->v[j], !add);
		ret = change_failed(&req->v[i], add, e, err);
	}
	free(done);
	return ret;
}

struct listed {
	struct prefix p;
	enum pf_map map;
};

static int cmp_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	bool hx = prefix_is_host(&x->p), hy = prefix_is_host(&y->p);

	/* Addresses, then prefixes: the two kinds of map, each sorted. */
	if (hx != hy)
		return hx ? -1 : 1;
	return prefix_cmp(&x->p, &y->p);
}

/* Append every key of @map to @v (grown as needed). */
static int collect(const struct pfobj *o, enum pf_map map,
		   struct listed **v, size_t *n, size_t *cap)
{
	unsigned char key[BL_KEY_MAX], next[BL_KEY_MAX];
	struct listed *nv;
	void *prev = NULL;

	while (!bpf_map_get_next_key(o->map_fd[map], prev, next)) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			nv = realloc(*v, *cap * sizeof(**v));
			if (!nv)
				return -ENOMEM;
			*v = nv;
		}
		blocklist_prefix(map, next, &(*v)[*n].p);
		(*v)[(*n)++].map = map;
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Every entry of @kind's maps, addresses first, each kind sorted. */
static int read_sorted(const struct pfobj *o, enum bl_kind kind,
		       struct listed **v, size_t *n, struct xerr *err)
{
	static const enum pf_map ip_maps[] = {
		PF_MAP_V4_EXACT, PF_MAP_V4_LPM, PF_MAP_V6_EXACT, PF_MAP_V6_LPM,
	};
	static const enum pf_map arp_maps[] = { PF_MAP_ARP };
	const enum pf_map *maps = kind == BL_ARP ? arp_maps : ip_maps;
	size_t nmaps = kind == BL_ARP ? ARRAY_SIZE(arp_maps) :
					ARRAY_SIZE(ip_maps);
	size_t i, cap = 0;
	int e = 0;

	*v = NULL;
	*n = 0;
	for (i = 0; i < nmaps && !e; i++)
		e = -collect(o, maps[i], v, n, &cap);
	if (e) {
		free(*v);
		*v = NULL;
		return bpf_error(err, e, "cannot read the blocklist");
	}
	qsort(*v, *n, sizeof(**v), cmp_listed);
	return 0;
}

static int list(const struct pfobj *o, const struct bl_req *req,
		struct xerr *err)
{
	char buf[PREFIX_STR_MAX];
	struct listed *v;
	struct json j;
	size_t i, n;
	int ret;

	ret = read_sorted(o, req->kind, &v, &n, err);
	if (ret)
		return ret;
	if (req->json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	}
	for (i = 0; i < n; i++) {
		prefix_format(&v[i].p, buf);
		if (!req->json) {
			puts(buf);
			continue;
		}
		json_object_begin(&j);
		json_key(&j, "entry");
		json_string(&j, buf);
		json_key(&j, "map");
		json_string(&j, pf_map_name(v[i].map));
		json_object_end(&j);
	}
	if (req->json)
		json_array_end(&j);
	free(v);
	return xerr_flush(err);
}

/* Entries per saved line: short lines, few of them. */
#define SAVE_PER_LINE	16

int blocklist_save(FILE *out, struct xerr *err)
{
	char buf[PREFIX_STR_MAX];
	struct listed *v;
	struct pfobj o;
	size_t i, n;
	int k, ret;

	/* Nothing pinned yet: nothing to save, and nothing created. */
	if (access(PIN_ROOT "/pf_arp", F_OK))
		return 0;
	ret = pfobj_load(&o, NULL, err);
	if (ret)
		return ret;
	for (k = BL_PREFILTER; !ret && k <= BL_ARP; k++) {
		ret = read_sorted(&o, k, &v, &n, err);
		for (i = 0; !ret && i < n; i++) {
			if (!(i % SAVE_PER_LINE))
				fprintf(out, "%s add", kind_names[k]);
			prefix_format(&v[i].p, buf);
			fprintf(out, " %s", buf);
			if (i % SAVE_PER_LINE == SAVE_PER_LINE - 1 || i == n - 1)
				fputc('\n', out);
		}
		if (!ret)
			free(v);
	}
	pfobj_close(&o);
	return ret;
}

static int run(const struct bl_req *req, struct xerr *err)
{
	struct pfobj o;
	int lock, ret;

	ret = pin_lock(true, &lock, err);
	if (ret)
		return ret;
	ret = pfobj_load(&o, NULL, err);
	if (!ret) {
		ret = req->op == BL_LIST ? list(&o, req, err) :
					   apply(&o, req, err);
		pfobj_close(&o);
	}
	pin_unlock(lock);
	return ret;
}

static int blocklist_main(enum bl_kind kind, int argc, char **argv)
{
	struct bl_req req;
	struct xerr err;
	int ret;

	ret = blocklist_parse(kind, argc, argv, &req, &err);
	if (!ret && req.help) {
		args_help(kind == BL_ARP ? arp_block_usage : prefilter_usage);
	} else if (!ret) {
		ret = run(&req, &err);
	}
	if (ret)
		xerr_print(blocklist_ctx(kind, req.op), &err);
	blocklist_free(&req);
	return ret;
}

int prefilter_main(int argc, char **argv)
{
	return blocklist_main(BL_PREFILTER, argc, argv);
}

int arp_block_main(int argc, char **argv)
{
	return blocklist_main(BL_ARP, argc, argv);
}
