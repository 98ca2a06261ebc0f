// SPDX-License-Identifier: GPL-2.0
/* The XDP prefilter as a BPF object (see pfobj.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drop_event.h"	/* bpf/: XNIC_EV_MAP_PREFIX */
#include "pfobj.h"
#include "pin.h"
#include "xdp_prefilter.skel.h"
#include "xnicctl.h"

/* Bound on an XNICCTL_PREFILTER_OBJ file; the object is ~20 KiB. */
#define ELF_MAX		(4 << 20)

static const char *const map_names[PF_MAP_SHARED] = {
	[PF_MAP_V4_EXACT] = "pf_v4_exact",
	[PF_MAP_V4_LPM] = "pf_v4_lpm",
	[PF_MAP_V6_EXACT] = "pf_v6_exact",
	[PF_MAP_V6_LPM] = "pf_v6_lpm",
	[PF_MAP_ARP] = "pf_arp",
};

const char *pf_map_name(enum pf_map m)
{
	return map_names[m];
}

static int log_all(enum libbpf_print_level level, const char *fmt,
		   va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

void pfobj_log(bool verbose)
{
	/*
	 * Even libbpf's warnings span many lines (a verifier log); errors
	 * reach the user as one line from bpf_error() instead.
	 */
	libbpf_set_print(verbose ? log_all : NULL);
}

int bpf_error(struct xerr *err, int e, const char *what)
{
	char msg[128];

	libbpf_strerror(-e, msg, sizeof(msg));
	if (e == EPERM || e == EACCES)
		return xerr_set(err, XNIC_EXIT_PERM,
				"%s: %s (needs CAP_BPF and CAP_NET_ADMIN: run as root)",
				what, msg);
	return xerr_set(err, XNIC_EXIT_SYSTEM, "%s: %s", what, msg);
}

/*
 * Point every map at its pin; libbpf reuses a compatible pinned map.
 * The drop event maps (xnic_*) are shared like the blocklists, with
 * every device and with every other program object that drops.
 */
static int set_pins(struct pfobj *o, const char *ifname, struct xerr *err)
{
	struct bpf_object *obj = o->skel->obj;
	char path[PATH_MAX];
	struct bpf_map *map;
	int i, e;

	bpf_object__for_each_map(map, obj) {
		if (strncmp(bpf_map__name(map), XNIC_EV_MAP_PREFIX,
			    strlen(XNIC_EV_MAP_PREFIX)))
			continue;
		pin_map_path(path, bpf_map__name(map));
		e = -bpf_map__set_pin_path(map, path);
		if (e)
			return bpf_error(err, e, "cannot set a map's pin path");
	}

	for (i = 0; i < PF_MAP_SHARED; i++) {
		map = bpf_object__find_map_by_name(obj, map_names[i]);
		if (!map)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"the prefilter object has no map %s",
					map_names[i]);
		pin_map_path(path, map_names[i]);
		e = -bpf_map__set_pin_path(map, path);
		if (e)
			return bpf_error(err, e, "cannot set a map's pin path");
	}
	if (!ifname) {
		/* Maps only: no verifier run, nothing for the kernel to attach. */
		e = -bpf_program__set_autoload(o->skel->progs.xdp_prefilter,
					       false);
		return e ? bpf_error(err, e, "cannot skip loading the program") :
			   0;
	}
	pin_dev_path(path, ifname, PIN_STATS);
	e = -bpf_map__set_pin_path(o->skel->maps.pf_stats, path);
	return e ? bpf_error(err, e, "cannot set pf_stats' pin path") : 0;
}

/* @path's bytes in place of the embedded ELF; they must outlive loading. */
static int open_file(struct pfobj *o, const char *path, struct xerr *err)
{
	struct xdp_prefilter *s;
	size_t len = 0;
	FILE *f;
	int e;

	f = fopen(path, "re");
	if (!f)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot open %s: %s",
				path, strerror(errno));
	o->elf = malloc(ELF_MAX);
	if (o->elf)
		len = fread(o->elf, 1, ELF_MAX, f);
	fclose(f);
	if (!o->elf || !len || len == ELF_MAX)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot read %s", path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	o->skel = s;
	e = -xdp_prefilter__create_skeleton(s);
	if (!e) {
		s->skeleton->data = o->elf;
		s->skeleton->data_sz = len;
		e = -bpf_object__open_skeleton(s->skeleton, NULL);
	}
	return e ? bpf_error(err, e, path) : 0;
}

static int open_skel(struct pfobj *o, struct xerr *err)
{
	const char *path = getenv("XNICCTL_PREFILTER_OBJ");

	if (path && *path)
		return open_file(o, path, err);
	o->skel = xdp_prefilter__open();
	if (!o->skel)
		return bpf_error(err, errno, "cannot open the prefilter object");
	return 0;
}

int pfobj_load(struct pfobj *o, const char *ifname, struct xerr *err)
{
	struct bpf_map *map;
	int ret, e, i;

	memset(o, 0, sizeof(*o));
	o->prog_fd = -1;
	ret = open_skel(o, err);
	if (ret)
		goto fail;
	ret = ifname ? pin_dev_mkdir(ifname, err) : 0;
	if (!ret)
		ret = set_pins(o, ifname, err);
	if (ret)
		goto fail;
	e = -xdp_prefilter__load(o->skel);
	if (e) {
		/*
		 * EINVAL here is mostly a pinned map that does not match the
		 * object any more (libbpf checks type, sizes and flags).
		 */
		char what[160];

		snprintf(what, sizeof(what),
			 "cannot load the prefilter%s (-v shows libbpf's log)",
			 e == EINVAL ? " or reuse the maps pinned in " PIN_ROOT :
			 "");
		ret = bpf_error(err, e, what);
		goto fail;
	}
	for (i = 0; i < PF_MAP_SHARED; i++) {
		map = bpf_object__find_map_by_name(o->skel->obj, map_names[i]);
		o->map_fd[i] = bpf_map__fd(map);
	}
	if (ifname)
		o->prog_fd = bpf_program__fd(o->skel->progs.xdp_prefilter);
	return 0;
fail:
	pfobj_close(o);
	return ret;
}

void pfobj_close(struct pfobj *o)
{
	xdp_prefilter__destroy(o->skel);
	o->skel = NULL;
	free(o->elf);
	o->elf = NULL;
}

int bpf_pin_open(const char *path, unsigned int key_size,
		 unsigned int value_size, int *fd, struct xerr *err)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return errno == ENOENT ? XNIC_EXIT_NOLINK :
		       bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(*fd, &info, &len) ||
	    info.key_size != key_size || info.value_size != value_size) {
		close(*fd);
		*fd = -1;
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s is not a map of this xnicctl's layout",
				path);
	}
	return 0;
}
