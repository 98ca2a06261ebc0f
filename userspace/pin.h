/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where xnicctl keeps the datapath in the BPF filesystem. Pinned objects
 * outlive xnicctl: the blocklists keep their content and the programs
 * stay attached after it exits, and a newer xnicctl finds them again.
 *
 *   /sys/fs/bpf/xnic/pf_v4_lpm ... pf_arp   blocklists, shared by every
 *                                           device (one policy per node)
 *   /sys/fs/bpf/xnic/xnic_events ...        drop events (bpf/drop_event.h),
 *                                           shared by every program
 *   /sys/fs/bpf/xnic/dev/IFNAME/link        the XDP bpf_link on IFNAME
 *   /sys/fs/bpf/xnic/dev/IFNAME/pf_stats    IFNAME's own counters
 *
 * IFNAME is the interface's name in the network namespace xnicctl runs
 * in: devices are looked up there, so pins of two namespaces would
 * collide and xnicctl manages one namespace's devices (normally the
 * initial one). Every change happens under an exclusive flock() on the
 * xnic directory, so concurrent xnicctl runs do not interleave.
 */
#ifndef XNICCTL_PIN_H
#define XNICCTL_PIN_H

#include <limits.h>
#include <stdbool.h>

struct dirent;
struct xerr;

#define PIN_BPFFS	"/sys/fs/bpf"
#define PIN_ROOT	PIN_BPFFS "/xnic"
#define PIN_DEV_DIR	PIN_ROOT "/dev"
#define PIN_LINK	"link"
#define PIN_STATS	"pf_stats"

/*
 * Check that PIN_BPFFS is a BPF filesystem and lock PIN_ROOT, creating
 * it if @create. Without @create and with no PIN_ROOT yet, succeeds with
 * *@fd = -1: nothing was ever pinned. pin_unlock() releases the lock.
 */
int pin_lock(bool create, int *fd, struct xerr *err);
void pin_unlock(int fd);

/* PIN_ROOT/NAME, a shared map. */
void pin_map_path(char path[PATH_MAX], const char *name);

/* PIN_DEV_DIR/IFNAME/FILE, or the directory itself if @file is NULL. */
void pin_dev_path(char path[PATH_MAX], const char *ifname, const char *file);

/*
 * The device directories under PIN_DEV_DIR, sorted by name, "." and ".."
 * left out; none if it does not exist. pin_dev_list_free() after, even
 * on failure.
 */
int pin_dev_list(struct dirent ***names, int *n, struct xerr *err);
void pin_dev_list_free(struct dirent **names, int n);

/* Create PIN_DEV_DIR/IFNAME if needed. */
int pin_dev_mkdir(const char *ifname, struct xerr *err);

#endif /* XNICCTL_PIN_H */
