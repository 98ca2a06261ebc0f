// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_livegen IFNAME DSTMAC DSTIP COUNT: transmit COUNT UDP frames out of
 * IFNAME through its ndo_xdp_xmit, the way xdp-trafficgen does: run
 * xdp_redirect.o (devmap slot 0 = IFNAME) with BPF_PROG_RUN in live-frames
 * mode. Frame-origin traffic for tests and benchmarks.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

struct frame {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	unsigned char payload[18];
} __attribute__((packed));

static unsigned short ip_csum(const void *p, int len)
{
	const unsigned short *w = p;
	unsigned int sum = 0;

	while (len > 1) {
		sum += *w++;
		len -= 2;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

int main(int argc, char **argv)
{
	struct frame f = { 0 };
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned int ifindex, key = 0, count;
	int map_fd, err;

	if (argc != 5 || !(ifindex = if_nametoindex(argv[1])) ||
	    sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f.eth.h_dest[0],
		   &f.eth.h_dest[1], &f.eth.h_dest[2], &f.eth.h_dest[3],
		   &f.eth.h_dest[4], &f.eth.h_dest[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &f.ip.daddr) != 1 ||
	    (count = strtoul(argv[4], NULL, 10)) == 0) {
		fprintf(stderr, "usage: xdp_livegen IFNAME DSTMAC DSTIP COUNT\n");
		return 2;
	}
	f.eth.h_source[0] = 0x02;
	f.eth.h_proto = htons(ETH_P_IP);
	f.ip.version = 4;
	f.ip.ihl = 5;
	f.ip.ttl = 64;
	f.ip.protocol = IPPROTO_UDP;
	f.ip.tot_len = htons(sizeof(f) - sizeof(f.eth));
	inet_pton(AF_INET, "198.18.255.1", &f.ip.saddr);
	f.ip.check = ip_csum(&f.ip, sizeof(f.ip));
	f.udp.source = htons(9);
	f.udp.dest = htons(9);
	f.udp.len = htons(sizeof(f.udp) + sizeof(f.payload));

	libbpf_set_print(NULL);
	obj = bpf_object__open_file(DIR "/xdp_redirect.o", NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdp_livegen: cannot load xdp_redirect.o\n");
		return 2;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_redirect");
	map_fd = bpf_object__find_map_fd_by_name(obj, "tx_port");
	if (!prog || map_fd < 0 || bpf_map_update_elem(map_fd, &key, &ifindex, 0)) {
		fprintf(stderr, "xdp_livegen: cannot set up the devmap\n");
		return 2;
	}

	/*
	 * One BPF_PROG_RUN for all of them, in batches of 64 inside the
	 * kernel: each call sets up its own page_pool, which at 64 frames
	 * a call cost more than the frames did. A signal ends the run.
	 */
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = &f,
		    .data_size_in = sizeof(f),
		    .repeat = count,
		    .batch_size = count < 64 ? count : 64,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err) {
		fprintf(stderr, "xdp_livegen: BPF_PROG_RUN: %s\n", strerror(-err));
		return 1;
	}
	printf("%u\n", count);
	return 0;
}
