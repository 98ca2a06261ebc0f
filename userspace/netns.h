/* SPDX-License-Identifier: GPL-2.0 */
/* Named network namespaces, as created by `ip netns add NAME`. */
#ifndef XNICCTL_NETNS_H
#define XNICCTL_NETNS_H

struct xerr;

/* Where `ip netns` keeps its bind mounts. */
#define NETNS_RUN_DIR "/run/netns"

/* Open the named netns read-only into *@fd (for IFLA_NET_NS_FD). */
int netns_open(const char *name, int *fd, struct xerr *err);

/* Move this process into the named netns (for `netns NS` on del/show). */
int netns_enter(const char *name, struct xerr *err);

#endif /* XNICCTL_NETNS_H */
