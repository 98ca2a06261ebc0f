// SPDX-License-Identifier: GPL-2.0
/*
 * udp_sink: the "deliver to a socket" rung of the benchmark ladder. Binds
 * a UDP port and reads datagrams with recvmmsg() in batches until killed,
 * so the receiving CPU pays for socket delivery and one wake-up per batch,
 * not for a syscall per packet.
 *
 *   udp_sink PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH	64
#define BUFSZ	2048

int main(int argc, char **argv)
{
	static char bufs[BATCH][BUFSZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin;
	char *end;
	long port;
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: udp_sink PORT\n");
		return 1;
	}
	port = strtol(argv[1], &end, 10);
	if (*end || port < 1 || port > 65535) {
		fprintf(stderr, "udp_sink: bad port '%s'\n", argv[1]);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_sink: socket");
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udp_sink: bind");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = BUFSZ;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		if (recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL) < 0 &&
		    errno != EINTR) {
			perror("udp_sink: recvmmsg");
			return 1;
		}
	}
}
