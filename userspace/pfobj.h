/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP prefilter as a BPF object (bpf/xdp_prefilter.bpf.c, embedded
 * through its bpftool skeleton): loading it with its maps taken from,
 * or pinned into, the BPF filesystem (pin.h), and libbpf's log and
 * errors turned into xnicctl's.
 */
#ifndef XNICCTL_PFOBJ_H
#define XNICCTL_PFOBJ_H

#include <stdbool.h>

struct xerr;
struct xdp_prefilter;

/* The blocklists every device shares; their names are bpf/prefilter.h's. */
enum pf_map {
	PF_MAP_V4_EXACT,
	PF_MAP_V4_LPM,
	PF_MAP_V6_EXACT,
	PF_MAP_V6_LPM,
	PF_MAP_ARP,
	PF_MAP_SHARED,	/* count */
};

const char *pf_map_name(enum pf_map m);

struct pfobj {
	struct xdp_prefilter *skel;
	void *elf;		/* the XNICCTL_PREFILTER_OBJ file, if used */
	int map_fd[PF_MAP_SHARED];
	int prog_fd;		/* -1 when loaded for the maps only */
};

/*
 * Load the object. Shared maps (the blocklists and the xnic_* drop event
 * maps) are reused from PIN_ROOT, or created and pinned there. With @ifname the program is loaded too, its pf_stats
 * reused from or pinned at IFNAME's directory; without, the program is
 * not loaded at all: the maps exist and can be filled before any attach.
 * Callers hold pin_lock().
 *
 * Test hook, left out of --help: XNICCTL_PREFILTER_OBJ=FILE loads FILE
 * (an xdp_prefilter.bpf.o built differently: same maps and program
 * name) instead of the embedded object, which is how the VM test makes
 * a "newer" program for `attach` to swap in.
 */
int pfobj_load(struct pfobj *o, const char *ifname, struct xerr *err);
void pfobj_close(struct pfobj *o);

/* libbpf's messages on stderr (debug included) if @verbose, else none. */
void pfobj_log(bool verbose);

/*
 * Set @err for a failed bpf() call or libbpf function that gave errno
 * @e (positive): "WHAT: REASON", with a hint for EPERM. Returns the exit
 * status (XNIC_EXIT_PERM or XNIC_EXIT_SYSTEM).
 */
int bpf_error(struct xerr *err, int e, const char *what);

/*
 * Open the map pinned at @path for reading, refusing one whose key or
 * value size is not @key_size / @value_size (a pin of another layout
 * would be misread). XNIC_EXIT_NOLINK, with @err untouched, if nothing
 * is pinned there.
 */
int bpf_pin_open(const char *path, unsigned int key_size,
		 unsigned int value_size, int *fd, struct xerr *err);

#endif /* XNICCTL_PFOBJ_H */
