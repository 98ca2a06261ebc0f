// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_rr: the service rungs of the benchmark. One byte each way per
 * transaction, so what is measured is the per-connection and per-packet
 * work of the path to the backend (service lookup, NAT, conntrack), not
 * data copying.
 *
 *   tcp_rr serve ADDR PORT         echo one byte per read, every client
 *   tcp_rr crr ADDR PORT SECONDS   connect, one byte each way, close; again
 *   tcp_rr rr ADDR PORT SECONDS    one connection, one byte each way; again
 *
 * A client prints "TRANSACTIONS ELAPSED_NS" on stdout when its time is up
 * and exits 1 on the first failure (a benchmark that silently loses
 * connections measures nothing). crr closes with an RST (SO_LINGER 0) so
 * thousands of connections a second leave no TIME_WAIT behind to exhaust
 * the ephemeral ports; the handshake and the NAT lookups, which are what
 * a service adds, are unchanged.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tcp_rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void parse_addr(const char *addr, const char *port,
		       struct sockaddr_in *sin)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (*end || p < 1 || p > 65535 ||
	    inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		fprintf(stderr, "tcp_rr: bad address '%s' or port '%s'\n",
			addr, port);
		exit(1);
	}
	sin->sin_port = htons(p);
}

static void __attribute__((noreturn)) serve(const struct sockaddr_in *sin)
{
	struct epoll_event ev, evs[64];
	int lfd, ep, one = 1, n, i, fd;
	char c;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (const struct sockaddr *)sin, sizeof(*sin)))
		die("bind");
	if (listen(lfd, 4096))
		die("listen");
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll_ctl");
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL,
						     SOCK_NONBLOCK)) >= 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
						   &one, sizeof(one));
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
						die("epoll_ctl");
				}
				continue;
			}
			/* A byte back for a byte; anything else ends it. */
			errno = 0;
			if (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
				continue;
			if (errno == EAGAIN)
				continue;
			close(fd);
		}
	}
}

static int dial(const struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void exchange(int fd)
{
	char c = 'x';

	if (write(fd, &c, 1) != 1)
		die("write");
	errno = 0;
	if (read(fd, &c, 1) != 1) {
		if (!errno)
			errno = ECONNRESET;
		die("read");
	}
}

static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int main(int argc, char **argv)
{
	long long t0, end, n = 0;
	struct sockaddr_in sin;
	double secs;
	int fd = -1;

	if (argc == 4 && !strcmp(argv[1], "serve")) {
		parse_addr(argv[2], argv[3], &sin);
		serve(&sin);
	}
	if (argc != 5 || (strcmp(argv[1], "crr") && strcmp(argv[1], "rr"))) {
		fprintf(stderr, "usage: tcp_rr serve ADDR PORT\n"
			"       tcp_rr crr|rr ADDR PORT SECONDS\n");
		return 1;
	}
	parse_addr(argv[2], argv[3], &sin);
	secs = strtod(argv[4], NULL);
	if (secs <= 0) {
		fprintf(stderr, "tcp_rr: bad duration '%s'\n", argv[4]);
		return 1;
	}
	t0 = now_ns();
	end = t0 + (long long)(secs * 1e9);
	if (argv[1][0] == 'r')
		fd = dial(&sin);
	do {
		if (fd < 0) {
			int c = dial(&sin);

			exchange(c);
			reset_close(c);
		} else {
			exchange(fd);
		}
		n++;
	} while (now_ns() < end);
	printf("%lld %lld\n", n, now_ns() - t0);
	return 0;
}
