// SPDX-License-Identifier: GPL-2.0
/* Named network namespaces (see netns.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netns.h"
#include "xnicctl.h"

int netns_open(const char *name, int *fd, struct xerr *err)
{
	char path[PATH_MAX];
	int e;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		if (e == ENOENT)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"unknown netns '%s' (no %s)", name,
					path);
		return xerr_set(err, e == EACCES || e == EPERM ?
				XNIC_EXIT_PERM : XNIC_EXIT_SYSTEM,
				"cannot open netns '%s': %s", name,
				strerror(e));
	}
	/* A stale file left in /run/netns is not a namespace: say so now. */
	if (ioctl(*fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(*fd);
		*fd = -1;
		return xerr_set(err, XNIC_EXIT_USAGE,
				"unknown netns '%s' (%s is not a network namespace)",
				name, path);
	}
	return 0;
}

int netns_enter(const char *name, struct xerr *err)
{
	int fd, ret, e;

	ret = netns_open(name, &fd, err);
	if (ret)
		return ret;
	ret = setns(fd, CLONE_NEWNET);
	e = errno;
	close(fd);
	if (ret < 0)
		return xerr_set(err, e == EPERM ? XNIC_EXIT_PERM :
				XNIC_EXIT_SYSTEM,
				"cannot enter netns '%s': %s%s", name,
				strerror(e),
				e == EPERM ? " (needs CAP_SYS_ADMIN; run as root)" :
				"");
	return 0;
}
