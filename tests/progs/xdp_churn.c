// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_churn IFNAME PASS.o DROP.o ROUNDS: attach, replace and detach native
 * XDP programs on IFNAME as fast as possible, through both libbpf paths
 * users take: netlink (bpf_xdp_attach with XDP_FLAGS_REPLACE) and bpf_link
 * (bpf_program__attach_xdp, bpf_link__update_program). One process, so a
 * thousand operations take seconds even in an emulated VM.
 * Prints the operation count; exits non-zero on the first failure.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>

static struct bpf_program *load_first(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdp_churn: cannot load %s\n", path);
		exit(1);
	}
	return bpf_object__next_program(obj, NULL);
}

static void must(int err, const char *what, int round)
{
	if (err) {
		fprintf(stderr, "xdp_churn: %s failed in round %d: %s\n", what,
			round, strerror(-err));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	const __u32 drv = XDP_FLAGS_DRV_MODE;
	struct bpf_program *pass, *drop;
	int ifindex, rounds, i, ops = 0, fp, fd;
	struct bpf_link *link;

	if (argc != 5) {
		fprintf(stderr, "usage: xdp_churn IFNAME PASS.o DROP.o ROUNDS\n");
		return 1;
	}
	ifindex = if_nametoindex(argv[1]);
	rounds = atoi(argv[4]);
	if (!ifindex || rounds <= 0) {
		fprintf(stderr, "xdp_churn: bad interface or round count\n");
		return 1;
	}
	libbpf_set_print(NULL);
	pass = load_first(argv[2]);
	drop = load_first(argv[3]);
	fp = bpf_program__fd(pass);
	fd = bpf_program__fd(drop);

	/* Netlink path: attach, atomic replace (checked), detach. */
	for (i = 0; i < rounds; i++) {
		must(bpf_xdp_attach(ifindex, fp, drv, NULL), "attach", i);
		opts.old_prog_fd = fd;	/* wrong expectation: must be refused */
		if (bpf_xdp_attach(ifindex, fd, drv | XDP_FLAGS_REPLACE, &opts) != -EEXIST)
			must(-EINVAL, "replace with a stale old_prog_fd", i);
		opts.old_prog_fd = fp;
		must(bpf_xdp_attach(ifindex, fd, drv | XDP_FLAGS_REPLACE, &opts),
		     "replace", i);
		must(bpf_xdp_detach(ifindex, drv, NULL), "detach", i);
		ops += 3;
	}

	/* bpf_link path: attach, update in place, destroy. */
	for (i = 0; i < rounds; i++) {
		link = bpf_program__attach_xdp(pass, ifindex);
		must(libbpf_get_error(link), "link attach", i);
		must(bpf_link__update_program(link, drop), "link update", i);
		must(bpf_link__destroy(link), "link destroy", i);
		ops += 3;
	}
	printf("%d\n", ops);
	return 0;
}
