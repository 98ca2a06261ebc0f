// SPDX-License-Identifier: GPL-2.0
/* The datapath's place in the BPF filesystem (see pin.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "pin.h"
#include "xnicctl.h"

static int mkdir_one(const char *path, struct xerr *err)
{
	int e;

	if (!mkdir(path, 0700) || errno == EEXIST)
		return 0;
	e = errno;
	return xerr_set(err, e == EACCES || e == EPERM ? XNIC_EXIT_PERM :
			XNIC_EXIT_SYSTEM, "cannot create %s: %s%s", path,
			strerror(e),
			e == EACCES || e == EPERM ? " (run as root)" : "");
}

int pin_lock(bool create, int *fd, struct xerr *err)
{
	struct statfs st;
	int ret, e;

	*fd = -1;
	/* Pins on another filesystem would not be BPF objects at all. */
	if (statfs(PIN_BPFFS, &st) || st.f_type != BPF_FS_MAGIC)
		return xerr_set(err, XNIC_EXIT_NOBPFFS,
				"no BPF filesystem at %s (mount -t bpf bpf %s)",
				PIN_BPFFS, PIN_BPFFS);
	if (create) {
		ret = mkdir_one(PIN_ROOT, err);
		if (!ret)
			ret = mkdir_one(PIN_DEV_DIR, err);
		if (ret)
			return ret;
	}
	*fd = open(PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		if (e == ENOENT && !create)
			return 0;
		return xerr_set(err, e == EACCES ? XNIC_EXIT_PERM :
				XNIC_EXIT_SYSTEM, "cannot open %s: %s%s",
				PIN_ROOT, strerror(e),
				e == EACCES ? " (run as root)" : "");
	}
	if (flock(*fd, LOCK_EX)) {
		e = errno;
		close(*fd);
		*fd = -1;
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot lock %s: %s",
				PIN_ROOT, strerror(e));
	}
	return 0;
}

void pin_unlock(int fd)
{
	/* Closing the last descriptor releases the flock. */
	if (fd >= 0)
		close(fd);
}

void pin_map_path(char path[PATH_MAX], const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", PIN_ROOT, name);
}

void pin_dev_path(char path[PATH_MAX], const char *ifname, const char *file)
{
	if (file)
		snprintf(path, PATH_MAX, "%s/%s/%s", PIN_DEV_DIR, ifname, file);
	else
		snprintf(path, PATH_MAX, "%s/%s", PIN_DEV_DIR, ifname);
}

int pin_dev_mkdir(const char *ifname, struct xerr *err)
{
	char path[PATH_MAX];

	pin_dev_path(path, ifname, NULL);
	return mkdir_one(path, err);
}

static int not_dot(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

int pin_dev_list(struct dirent ***names, int *n, struct xerr *err)
{
	int e;

	*n = scandir(PIN_DEV_DIR, names, not_dot, alphasort);
	if (*n >= 0)
		return 0;
	e = errno;
	*n = 0;
	*names = NULL;
	if (e == ENOENT)
		return 0;
	return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot read %s: %s",
			PIN_DEV_DIR, strerror(e));
}

void pin_dev_list_free(struct dirent **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
