/* SPDX-License-Identifier: GPL-2.0 */
/* rtnetlink request/reply plumbing on top of libmnl. */
#ifndef XNICCTL_NL_H
#define XNICCTL_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>

struct xerr;

/* Room for one request; the largest we build (link add) is < 256 bytes. */
#define NL_SEND_SIZE	4096
/* Room for a dump batch; one RTM_NEWLINK can exceed a page. */
#define NL_RECV_SIZE	32768
/* Longest extack message kept. */
#define NL_EXT_MAX	256

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
};

int nl_open(struct nl *nl, struct xerr *err);
void nl_close(struct nl *nl);

/*
 * Send @nlh (its sequence number, and NLM_F_ACK unless it is a dump, are
 * set here) and pass each reply message to @cb, if not NULL, until the
 * kernel acks or ends the dump. @cb reports failure by setting errno and
 * returning MNL_CB_ERROR. Returns 0 or a negative errno; when the kernel
 * sent an extack message it is copied to @ext, else @ext is "".
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    char ext[NL_EXT_MAX]);

/*
 * Turn a failed nl_talk() into an exit status and message: EPERM and
 * EACCES are XNIC_EXIT_PERM, the rest XNIC_EXIT_SYSTEM. @error > 0.
 */
int nl_error(int error, const char *ext, struct xerr *err);

/* Append @len zeroed bytes, e.g. the struct ifinfomsg opening a peer. */
void *nl_put_struct(struct nlmsghdr *nlh, size_t len);

#endif /* XNICCTL_NL_H */
