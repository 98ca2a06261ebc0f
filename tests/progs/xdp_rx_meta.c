// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_rx_meta IFNAME SECONDS: load xdp_rx_meta.o with its XDP program
 * bound to IFNAME (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY, which the
 * metadata kfuncs need), attach it in native mode and its tc program on
 * IFNAME's ingress, print "ready", and wait while the caller sends the
 * test flows: until SIGTERM or SIGINT, at most SECONDS. Then print one
 * JSON line per slot that saw frames and detach both. Exit 2 on bad
 * arguments, 1 on a load or attach error.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

/* 6.3 uapi; Debian 12's headers predate it. */
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

struct rx_meta_seen {		/* as in xdp_rx_meta.bpf.c */
	int xdp_ret;
	unsigned int xdp_hash, xdp_type, skb_hash, xdp_frames, tc_frames;
	int ts_ret, vlan_ret;
	unsigned long long xdp_ts, skb_ts;
	unsigned int xdp_vlan_proto, xdp_vlan_tci, skb_vlan_tci;
	unsigned int skb_vlan_present, xdp_tagged;
};

int main(int argc, char **argv)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tco, .handle = 1, .priority = 1);
	struct bpf_program *xprog, *tprog;
	struct timespec limit = { 0 };
	struct rx_meta_seen s;
	struct bpf_object *obj;
	sigset_t stop;
	unsigned int ifindex, key, slots;
	int secs, map, err, rc = 1;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME SECONDS\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	secs = strtol(argv[2], &end, 10);
	if (!ifindex || *end || secs < 0) {
		fprintf(stderr, "xdp_rx_meta: bad IFNAME '%s' or SECONDS '%s'\n",
			argv[1], argv[2]);
		return 2;
	}

	/* Blocked now, so a signal sent as soon as "ready" shows is kept. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	limit.tv_sec = secs;

	obj = bpf_object__open_file(DIR "/xdp_rx_meta.o", NULL);
	if (!obj) {
		fprintf(stderr, "xdp_rx_meta: open: %s\n", strerror(errno));
		return 1;
	}
	xprog = bpf_object__find_program_by_name(obj, "xdp_rx_meta");
	tprog = bpf_object__find_program_by_name(obj, "tc_rx_meta");
	if (!xprog || !tprog) {
		fprintf(stderr, "xdp_rx_meta: programs missing in the object\n");
		goto out;
	}
	bpf_program__set_ifindex(xprog, ifindex);
	bpf_program__set_flags(xprog, bpf_program__flags(xprog) |
			       BPF_F_XDP_DEV_BOUND_ONLY);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "xdp_rx_meta: load: %s\n", strerror(-err));
		goto out;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(xprog),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "xdp_rx_meta: XDP attach: %s\n", strerror(-err));
		goto out;
	}
	hook.ifindex = ifindex;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "xdp_rx_meta: clsact: %s\n", strerror(-err));
		goto detach_xdp;
	}
	tco.prog_fd = bpf_program__fd(tprog);
	err = bpf_tc_attach(&hook, &tco);
	if (err) {
		fprintf(stderr, "xdp_rx_meta: tc attach: %s\n", strerror(-err));
		goto detach_tc;
	}
	printf("ready\n");
	fflush(stdout);
	sigtimedwait(&stop, NULL, &limit);

	map = bpf_object__find_map_fd_by_name(obj, "rx_meta_seen");
	slots = bpf_map__max_entries(bpf_object__find_map_by_name(obj,
								  "rx_meta_seen"));
	for (key = 0; key < slots; key++) {
		if (bpf_map_lookup_elem(map, &key, &s) || !s.xdp_frames)
			continue;
		printf("{\"slot\":%u,\"xdp_ret\":%d,\"xdp_hash\":%u,\"xdp_type\":%u,\"skb_hash\":%u,\"xdp_frames\":%u,\"tc_frames\":%u,"
		       "\"ts_ret\":%d,\"xdp_ts\":%llu,\"skb_ts\":%llu,"
		       "\"vlan_ret\":%d,\"xdp_vlan_proto\":%u,\"xdp_vlan_tci\":%u,\"xdp_tagged\":%u,"
		       "\"skb_vlan_present\":%u,\"skb_vlan_tci\":%u}\n",
		       key, s.xdp_ret, s.xdp_hash, s.xdp_type, s.skb_hash,
		       s.xdp_frames, s.tc_frames, s.ts_ret, s.xdp_ts, s.skb_ts,
		       s.vlan_ret, s.xdp_vlan_proto, s.xdp_vlan_tci,
		       s.xdp_tagged, s.skb_vlan_present, s.skb_vlan_tci);
	}
	rc = 0;
detach_tc:
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
detach_xdp:
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
out:
	bpf_object__close(obj);
	return rc;
}
