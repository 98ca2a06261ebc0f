/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup v2 directory from its id (the inode number the kernel reports
 * for a cgroup link or a sock_ops policy), for `limit list` and `save`.
 */
#ifndef XNICCTL_CGROUP_H
#define XNICCTL_CGROUP_H

#include <linux/types.h>

/*
 * The directory of cgroup @id, found by inode in every cgroup2 mount,
 * in a static buffer; NULL if no mount has it.
 */
const char *cgroup_path(__u64 id);

#endif /* XNICCTL_CGROUP_H */
