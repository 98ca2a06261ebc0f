// SPDX-License-Identifier: GPL-2.0
/* The tc policy as a BPF object (see tcobj.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfobj.h"	/* bpf_error() */
#include "pin.h"
#include "tc_policy.skel.h"
#include "tcobj.h"
#include "xnicctl.h"

static const char *const map_names[POL_MAP_COUNT] = {
	[POL_MAP_RULES] = "pol_rules",
	[POL_MAP_CONFIG] = "pol_config",
	[POL_MAP_RULE_STATS] = "pol_rule_stats",
	[POL_MAP_STATS] = "pol_stats",
	[POL_MAP_REDIRECTS] = "pol_redirects",
	[POL_MAP_REDIR_STATS] = "pol_redir_stats",
	[POL_MAP_META_STATS] = "pol_meta_stats",
};

static const char *const prog_names[POL_DIRS] = {
	[POL_INGRESS] = "tc_ingress",
	[POL_EGRESS] = "tc_egress",
};

const char *pol_map_name(enum pol_map m)
{
	return map_names[m];
}

static int open_obj(struct tcobj *o, struct xerr *err)
{
	const char *path = getenv("XNICCTL_POLICY_OBJ");
	struct tc_policy *s;
	int e;

	if (path && *path) {
		o->file = bpf_object__open_file(path, NULL);
		e = libbpf_get_error(o->file);
		if (e) {
			o->file = NULL;
			return bpf_error(err, -e, path);
		}
		o->obj = o->file;
		return 0;
	}
	s = tc_policy__open();
	if (!s)
		return bpf_error(err, errno, "cannot open the policy object");
	o->skel = s;
	o->obj = s->obj;
	return 0;
}

/*
 * Point each map at its pin (libbpf reuses a compatible pinned map,
 * else creates and pins it) and choose which programs load.
 */
static int set_pins(struct tcobj *o, const char *ifname, bool progs,
		    struct xerr *err)
{
	struct bpf_program *prog;
	char path[PATH_MAX];
	struct bpf_map *map;
	int i, e;

	for (i = 0; i < POL_MAP_COUNT; i++) {
		if (!bpf_object__find_map_by_name(o->obj, map_names[i]))
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"the policy object has no map %s",
					map_names[i]);
	}
	bpf_object__for_each_map(map, o->obj) {
		const char *name = bpf_map__name(map);
		bool shared = !strncmp(name, TCOBJ_SHARED_PREFIX,
				       strlen(TCOBJ_SHARED_PREFIX));
		bool own = false;

		for (i = 0; i < POL_MAP_COUNT; i++)
			own |= !strcmp(name, map_names[i]);
		/* Anything else (.rodata, ...) is the program's own. */
		if (!shared && !own)
			continue;
		if (shared)
			pin_map_path(path, name);
		else
			pin_dev_path(path, ifname, name);
		e = -bpf_map__set_pin_path(map, path);
		if (e)
			return bpf_error(err, e, "cannot set a map's pin path");
	}
	for (i = 0; i < POL_DIRS; i++) {
		prog = bpf_object__find_program_by_name(o->obj, prog_names[i]);
		if (!prog)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"the policy object has no program %s",
					prog_names[i]);
		/* Maps only: no verifier run, nothing to attach. */
		e = -bpf_program__set_autoload(prog, progs);
		if (!e)
			e = -bpf_program__set_type(prog,
						   BPF_PROG_TYPE_SCHED_CLS);
		if (e)
			return bpf_error(err, e, "cannot prepare the programs");
	}
	return 0;
}

int tcobj_load(struct tcobj *o, const char *ifname, bool progs,
	       struct xerr *err)
{
	int ret, e, i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < POL_DIRS; i++)
		o->prog_fd[i] = -1;
	ret = open_obj(o, err);
	if (!ret)
		ret = pin_dev_mkdir(ifname, err);
	if (!ret)
		ret = set_pins(o, ifname, progs, err);
	if (ret)
		goto fail;
	e = -bpf_object__load(o->obj);
	if (e) {
		char what[160];

		/* EINVAL: mostly a pinned map of another layout. */
		snprintf(what, sizeof(what),
			 "cannot load the policy%s (-v shows libbpf's log)",
			 e == EINVAL ? " or reuse its pinned maps" : "");
		ret = bpf_error(err, e, what);
		goto fail;
	}
	for (i = 0; i < POL_MAP_COUNT; i++)
		o->map_fd[i] = bpf_map__fd(bpf_object__find_map_by_name(
						   o->obj, map_names[i]));
	for (i = 0; progs && i < POL_DIRS; i++)
		o->prog_fd[i] = bpf_program__fd(
			bpf_object__find_program_by_name(o->obj,
							 prog_names[i]));
	return 0;
fail:
	tcobj_close(o);
	return ret;
}

void tcobj_close(struct tcobj *o)
{
	tc_policy__destroy(o->skel);
	bpf_object__close(o->file);
	memset(o, 0, sizeof(*o));
}

/* What each map must look like for this xnicctl to read it right. */
static const struct {
	__u32 type, value_size, max_entries;
} layout[POL_MAP_COUNT] = {
	[POL_MAP_RULES] = { BPF_MAP_TYPE_ARRAY, sizeof(struct pol_rule),
			    POL_DIRS * POL_MAX_RULES },
	[POL_MAP_CONFIG] = { BPF_MAP_TYPE_ARRAY, sizeof(struct pol_config),
			     1 },
	[POL_MAP_RULE_STATS] = { BPF_MAP_TYPE_PERCPU_ARRAY,
				 sizeof(struct pol_stat),
				 POL_DIRS * POL_MAX_RULES },
	[POL_MAP_STATS] = { BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(struct pol_stat),
			    POL_DIRS * POL_REASON_MAX },
	[POL_MAP_REDIRECTS] = { BPF_MAP_TYPE_ARRAY,
				sizeof(struct pol_redirect),
				POL_DIRS * POL_MAX_RULES },
	[POL_MAP_REDIR_STATS] = { BPF_MAP_TYPE_PERCPU_ARRAY,
				  sizeof(struct pol_redir_stat),
				  POL_DIRS * POL_MAX_RULES },
	[POL_MAP_META_STATS] = { BPF_MAP_TYPE_PERCPU_ARRAY,
				 sizeof(struct pol_meta_stat), POL_DIRS },
};

static int check_layout(int i, int fd, const char *path, struct xerr *err)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bpf_error(err, errno, path);
	if (info.type != layout[i].type ||
	    info.value_size != layout[i].value_size ||
	    info.max_entries != layout[i].max_entries)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s is not a %s map of this xnicctl", path,
				map_names[i]);
	return 0;
}

int tcobj_open_pins(const char *ifname, int fd[POL_MAP_COUNT],
		    struct xerr *err)
{
	char path[PATH_MAX];
	int i, e, ret;

	for (i = 0; i < POL_MAP_COUNT; i++)
		fd[i] = -1;
	for (i = 0; i < POL_MAP_COUNT; i++) {
		pin_dev_path(path, ifname, map_names[i]);
		fd[i] = bpf_obj_get(path);
		if (fd[i] >= 0) {
			ret = check_layout(i, fd[i], path, err);
			if (!ret)
				continue;
			tcobj_close_fds(fd);
			return ret;
		}
		e = errno;
		tcobj_close_fds(fd);
		/* Pinned by an xnicctl that did not have this map yet. */
		if (e == ENOENT && i)
			return xerr_set(err, XNIC_EXIT_NOLINK,
					"the policy of '%s' has no %s yet (an older xnicctl pinned it): 'xnicctl attach %s --tc' or any policy change adds it",
					ifname, map_names[i], ifname);
		if (e == ENOENT)
			return xerr_set(err, XNIC_EXIT_NOLINK,
					"no policy for '%s' (never attached with --tc nor written)",
					ifname);
		return bpf_error(err, e, path);
	}
	return 0;
}

void tcobj_close_fds(int fd[POL_MAP_COUNT])
{
	int i;

	for (i = 0; i < POL_MAP_COUNT; i++) {
		if (fd[i] >= 0)
			close(fd[i]);
		fd[i] = -1;
	}
}

/* A per-CPU value buffer: @size bytes (a multiple of 8) per CPU. */
static void *percpu_alloc(int *ncpus, size_t size)
{
	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus <= 0) {
		errno = *ncpus ? -*ncpus : EINVAL;
		return NULL;
	}
	return calloc(*ncpus, size);
}

int pol_stat_sum_n(int fd, __u32 key, struct pol_stat *sum,
		   unsigned int nstat)
{
	struct pol_stat *v;
	unsigned int k;
	int n, i, e = 0;

	v = percpu_alloc(&n, nstat * sizeof(*v));
	if (!v)
		return errno;
	memset(sum, 0, nstat * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, v))
		e = errno;
	for (i = 0; !e && i < n; i++) {
		for (k = 0; k < nstat; k++) {
			sum[k].packets += v[i * nstat + k].packets;
			sum[k].bytes += v[i * nstat + k].bytes;
		}
	}
	free(v);
	return e;
}

int pol_stat_sum(int fd, __u32 key, struct pol_stat *sum)
{
	return pol_stat_sum_n(fd, key, sum, 1);
}

int pol_redir_stat_sum(int fd, __u32 key, struct pol_redir_stat *sum)
{
	struct pol_stat s[2];
	int e = pol_stat_sum_n(fd, key, s, 2);

	sum->redirected = s[0];
	sum->gone = s[1];
	return e;
}

int pol_percpu_copy(int fd, __u32 from, __u32 to, size_t size)
{
	void *v;
	int n, e = 0;

	v = percpu_alloc(&n, size);
	if (!v)
		return errno;
	if (bpf_map_lookup_elem(fd, &from, v) ||
	    bpf_map_update_elem(fd, &to, v, BPF_ANY))
		e = errno;
	free(v);
	return e;
}

int pol_percpu_zero(int fd, __u32 key, size_t size)
{
	void *v;
	int n, e = 0;

	v = percpu_alloc(&n, size);
	if (!v)
		return errno;
	if (bpf_map_update_elem(fd, &key, v, BPF_ANY))
		e = errno;
	free(v);
	return e;
}
