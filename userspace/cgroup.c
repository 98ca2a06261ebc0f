// SPDX-License-Identifier: GPL-2.0
/* Cgroups by id (see cgroup.h). */
#define _GNU_SOURCE	/* nftw() */
#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"

/* nftw() takes no argument for its callback: the search in two globals. */
static __u64 want_ino;
static char found[PATH_MAX];

static int on_dir(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_D || st->st_ino != want_ino)
		return 0;
	snprintf(found, sizeof(found), "%s", path);
	return 1;
}

const char *cgroup_path(__u64 id)
{
	struct mntent *m;
	FILE *f;
	int hit = 0;

	want_ino = id;
	f = setmntent("/proc/self/mounts", "r");
	while (f && !hit && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2"))
			hit = nftw(m->mnt_dir, on_dir, 16,
				   FTW_PHYS | FTW_MOUNT) == 1;
	if (f)
		endmntent(f);
	return hit ? found : NULL;
}
