// SPDX-License-Identifier: GPL-2.0
/*
 * hwtstamp: the two halves of hardware receive timestamps, as linuxptp's
 * hwstamp_ctl and a PTP daemon use them.
 *
 *   hwtstamp get IFNAME            print the device's config: "tx=N rx=N"
 *   hwtstamp set IFNAME TX RX      SIOCSHWTSTAMP with TX off|on and RX
 *                                  none|all|ptp; print the config the
 *                                  driver answered with
 *   hwtstamp recv PORT SECONDS     bind UDP PORT with SO_TIMESTAMPING
 *                                  (software and raw hardware stamps),
 *                                  print "ready", wait for one datagram
 *                                  and print {"sw":NS,"hw":NS}, 0 where
 *                                  no stamp came
 *
 * Exit 1 with the error on stderr when the kernel refuses; 2 on bad
 * arguments.
 */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: hwtstamp get IFNAME\n"
		"       hwtstamp set IFNAME off|on none|all|ptp\n"
		"       hwtstamp recv PORT SECONDS\n");
	return 2;
}

static int hwtstamp_ioctl(const char *ifname, unsigned long cmd,
			  struct hwtstamp_config *cfg)
{
	struct ifreq ifr = { 0 };
	int fd, err;

	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "hwtstamp: interface name too long: %s\n",
			ifname);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("hwtstamp: socket");
		return 1;
	}
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)cfg;
	err = ioctl(fd, cmd, &ifr);
	if (err)
		fprintf(stderr, "hwtstamp: %s %s: %s\n",
			cmd == SIOCSHWTSTAMP ? "SIOCSHWTSTAMP" : "SIOCGHWTSTAMP",
			ifname, strerror(errno));
	close(fd);
	if (err)
		return 1;
	printf("tx=%d rx=%d\n", cfg->tx_type, cfg->rx_filter);
	return 0;
}

static int hwtstamp_set(const char *ifname, const char *tx, const char *rx)
{
	struct hwtstamp_config cfg = { 0 };

	if (!strcmp(tx, "on"))
		cfg.tx_type = HWTSTAMP_TX_ON;
	else if (strcmp(tx, "off"))
		return usage();
	if (!strcmp(rx, "all"))
		cfg.rx_filter = HWTSTAMP_FILTER_ALL;
	else if (!strcmp(rx, "ptp"))
		cfg.rx_filter = HWTSTAMP_FILTER_PTP_V2_EVENT;
	else if (strcmp(rx, "none"))
		return usage();
	return hwtstamp_ioctl(ifname, SIOCSHWTSTAMP, &cfg);
}

static unsigned long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000ULL + ts->tv_nsec;
}

static int hwtstamp_recv(const char *port_arg, const char *secs_arg)
{
	int flags = SOF_TIMESTAMPING_RX_HARDWARE |
		    SOF_TIMESTAMPING_RAW_HARDWARE |
		    SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	union {
		char buf[CMSG_SPACE(3 * sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	unsigned long long sw = 0, hw = 0;
	char data[2048];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm;
	struct pollfd pfd;
	long port, secs;
	char *end;
	int fd;

	port = strtol(port_arg, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return usage();
	secs = strtol(secs_arg, &end, 10);
	if (*end || secs <= 0)
		return usage();
	sin.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags,
		       sizeof(flags))) {
		perror("hwtstamp: socket");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) != 1 || recvmsg(fd, &msg, 0) < 0) {
		fprintf(stderr, "hwtstamp: no datagram on port %ld in %ld s\n",
			port, secs);
		close(fd);
		return 1;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		const struct timespec *ts = (const void *)CMSG_DATA(cm);

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SO_TIMESTAMPING)
			continue;
		/* [0] software, [1] legacy, [2] raw hardware. */
		sw = ts_ns(&ts[0]);
		hw = ts_ns(&ts[2]);
	}
	printf("{\"sw\":%llu,\"hw\":%llu}\n", sw, hw);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct hwtstamp_config cfg = { 0 };

	if (argc == 3 && !strcmp(argv[1], "get"))
		return hwtstamp_ioctl(argv[2], SIOCGHWTSTAMP, &cfg);
	if (argc == 5 && !strcmp(argv[1], "set"))
		return hwtstamp_set(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return hwtstamp_recv(argv[2], argv[3]);
	return usage();
}
