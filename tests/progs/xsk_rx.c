// SPDX-License-Identifier: GPL-2.0
/*
 * xsk_rx IFNAME QUEUE COUNT TIMEOUT_S: open an AF_XDP socket in copy mode
 * on IFNAME's QUEUE (libxdp attaches its redirect-to-xskmap program in
 * native mode), receive COUNT frames or give up after TIMEOUT_S seconds,
 * and print how many arrived. Exit 0 only when all COUNT arrived.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE

int main(int argc, char **argv)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = XDP_COPY,
	};
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	long want, got = 0;
	time_t deadline;
	__u32 idx, i;
	void *area;
	int err;

	if (argc != 5) {
		fprintf(stderr, "usage: xsk_rx IFNAME QUEUE COUNT TIMEOUT_S\n");
		return 2;
	}
	want = atol(argv[3]);
	deadline = time(NULL) + atol(argv[4]);
	area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	err = xsk_umem__create(&umem, area, (__u64)NUM_FRAMES * FRAME_SIZE, &fq,
			       &cq, NULL);
	if (!err)
		err = xsk_socket__create(&xsk, argv[1], atoi(argv[2]), umem, &rx,
					 &tx, &cfg);
	if (err) {
		fprintf(stderr, "xsk_rx: %s\n", strerror(-err));
		return 2;
	}

	/* Give the kernel every frame to fill. */
	if (xsk_ring_prod__reserve(&fq, XSK_RING_PROD__DEFAULT_NUM_DESCS, &idx) !=
	    XSK_RING_PROD__DEFAULT_NUM_DESCS)
		return 2;
	for (i = 0; i < XSK_RING_PROD__DEFAULT_NUM_DESCS; i++)
		*xsk_ring_prod__fill_addr(&fq, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fq, XSK_RING_PROD__DEFAULT_NUM_DESCS);
	printf("ready\n");
	fflush(stdout);

	while (got < want && time(NULL) < deadline) {
		struct pollfd pfd = { .fd = xsk_socket__fd(xsk), .events = POLLIN };
		__u32 n, fidx;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = xsk_ring_cons__peek(&rx, 64, &idx);
		if (!n)
			continue;
		/* Hand the same buffers straight back to the fill ring. */
		while (xsk_ring_prod__reserve(&fq, n, &fidx) != n)
			;
		for (i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&fq, fidx + i) =
				xsk_ring_cons__rx_desc(&rx, idx + i)->addr;
		xsk_ring_prod__submit(&fq, n);
		xsk_ring_cons__release(&rx, n);
		got += n;
	}
	printf("%ld\n", got);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	return got == want ? 0 : 1;
}
