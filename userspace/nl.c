// SPDX-License-Identifier: GPL-2.0
/* rtnetlink request/reply plumbing (see nl.h). */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nl.h"
#include "xnicctl.h"

/* One nl_talk() in flight: the caller's callback and what went wrong. */
struct nl_call {
	mnl_cb_t cb;
	void *data;
	int error;		/* positive errno reported by the kernel */
	char *ext;
};

int nl_open(struct nl *nl, struct xerr *err)
{
	int one = 1;

	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"cannot open rtnetlink socket: %s",
				strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		xerr_set(err, XNIC_EXIT_SYSTEM,
			 "cannot bind rtnetlink socket: %s", strerror(errno));
		mnl_socket_close(nl->sock);
		return XNIC_EXIT_SYSTEM;
	}
	/* Best effort: without them errors merely carry less detail. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	mnl_socket_close(nl->sock);
}

/* Copy NLMSGERR_ATTR_MSG from the TLVs that start @off bytes in. */
static void copy_extack(const struct nlmsghdr *nlh, size_t off, char *ext)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(ext, NL_EXT_MAX, "%s", mnl_attr_get_str(attr));
	}
}

static int on_error(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_call *call = arg;
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	/* Unless capped, the TLVs follow a copy of our whole request. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	copy_extack(nlh, off, call->ext);
	call->error = -e->error;
	return MNL_CB_ERROR;
}

/* A dump that failed half-way ends with NLMSG_DONE carrying the error. */
static int on_done(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_call *call = arg;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (!error)
		return MNL_CB_STOP;
	copy_extack(nlh, sizeof(error), call->ext);
	call->error = -error;
	return MNL_CB_ERROR;
}

static int on_data(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_call *call = arg;

	return call->cb ? call->cb(nlh, call->data) : MNL_CB_OK;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    char ext[NL_EXT_MAX])
{
	/* Not const: mnl_cb_run2() takes a non-const array. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};
	struct nl_call call = { .cb = cb, .data = data, .ext = ext };
	char buf[NL_RECV_SIZE];
	ssize_t len;
	int ret;

	ext[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	/*
	 * Both dump bits, not either: NLM_F_EXCL of a create shares its
	 * value with NLM_F_MATCH, and without an ack we would wait forever.
	 */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run2(buf, len, nlh->nlmsg_seq, nl->portid,
				  on_data, &call, ctl, ARRAY_SIZE(ctl));
	} while (ret > 0);
	if (ret < 0)
		return call.error ? -call.error : -errno;
	return 0;
}

int nl_error(int error, const char *ext, struct xerr *err)
{
	if (error == EPERM || error == EACCES)
		return xerr_set(err, XNIC_EXIT_PERM,
				"permission denied (needs CAP_NET_ADMIN; run as root)%s%s",
				*ext ? ": " : "", ext);
	if (*ext)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "%s (%s)", ext,
				strerror(error));
	return xerr_set(err, XNIC_EXIT_SYSTEM, "%s", strerror(error));
}

void *nl_put_struct(struct nlmsghdr *nlh, size_t len)
{
	void *p = mnl_nlmsg_get_payload_tail(nlh);

	memset(p, 0, MNL_ALIGN(len));
	nlh->nlmsg_len += MNL_ALIGN(len);
	return p;
}
