// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_nl: read the kernel's "netdev" generic netlink family (6.3+) the
 * way `ynl --family netdev` does, so the VM tests need neither ynl nor its
 * YAML specs in the guest. Prints one JSON object per line, for jq:
 *
 *   netdev_nl dev IFACE            device: XDP features, zero-copy segs
 *   netdev_nl queues IFACE         one line per RX/TX queue and its NAPI
 *   netdev_nl napis IFACE          one line per NAPI instance
 *   netdev_nl qstats IFACE [queue] device totals, or one line per queue
 *   netdev_nl page-pools IFACE     one line per page pool of the device
 *
 * IFACE is an ifindex or an interface name. Keys are the ynl attribute
 * names with '-' turned into '_'; a key whose attribute the kernel did not
 * send is left out. Exit 0 on success (a dump may print nothing), 1 on a
 * netlink error, 2 on a bad command line. Like ynl, qstats on a device
 * without queue stats fails: the kernel answers EOPNOTSUPP, not nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "netdev_uapi.h"

/*
 * The kernel fills dump messages up to the size of the reader's last
 * recv buffer, capped at 32 KiB; a smaller buffer than a message truncates
 * it (libmnl reports ENOSPC). 32 KiB is at least MNL_SOCKET_BUFFER_SIZE.
 */
#define RX_BUF_SIZE	32768

/* Large enough for every attribute set this tool reads */
#define TB_SIZE		(XNIC_NETDEV_A_QSTATS_MAX + 1)

struct field {
	uint16_t type;
	const char *key;
	bool qtype;	/* a netdev_queue_type: print "rx" / "tx" */
};

#define FIELD(type, key)	{ (type), (key), false }
#define QFIELD(type, key)	{ (type), (key), true }

struct cmd {
	const char *name;
	uint8_t nlcmd;
	bool dump;
	uint16_t req_ifindex;	/* attribute carrying IFACE in the request */
	uint16_t filter_ifindex; /* attribute to match IFACE against, here */
	uint16_t maxattr;
	const struct field *fields;
	size_t nfields;
};

struct run {
	const struct cmd *cmd;
	uint32_t ifindex;
	const struct nlattr *tb[TB_SIZE];
};

static const struct field dev_fields[] = {
	FIELD(XNIC_NETDEV_A_DEV_IFINDEX, "ifindex"),
	FIELD(XNIC_NETDEV_A_DEV_XDP_FEATURES, "xdp_features"),
	FIELD(XNIC_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES,
	      "xdp_rx_metadata_features"),
	FIELD(XNIC_NETDEV_A_DEV_XDP_ZC_MAX_SEGS, "xdp_zc_max_segs"),
};

static const struct field queue_fields[] = {
	FIELD(XNIC_NETDEV_A_QUEUE_IFINDEX, "ifindex"),
	FIELD(XNIC_NETDEV_A_QUEUE_ID, "id"),
	QFIELD(XNIC_NETDEV_A_QUEUE_TYPE, "type"),
	FIELD(XNIC_NETDEV_A_QUEUE_NAPI_ID, "napi_id"),
};

static const struct field napi_fields[] = {
	FIELD(XNIC_NETDEV_A_NAPI_IFINDEX, "ifindex"),
	FIELD(XNIC_NETDEV_A_NAPI_ID, "id"),
	FIELD(XNIC_NETDEV_A_NAPI_IRQ, "irq"),
	FIELD(XNIC_NETDEV_A_NAPI_PID, "pid"),
};

static const struct field page_pool_fields[] = {
	FIELD(XNIC_NETDEV_A_PAGE_POOL_ID, "id"),
	FIELD(XNIC_NETDEV_A_PAGE_POOL_IFINDEX, "ifindex"),
	FIELD(XNIC_NETDEV_A_PAGE_POOL_NAPI_ID, "napi_id"),
	FIELD(XNIC_NETDEV_A_PAGE_POOL_INFLIGHT, "inflight"),
	FIELD(XNIC_NETDEV_A_PAGE_POOL_INFLIGHT_MEM, "inflight_mem"),
	FIELD(XNIC_NETDEV_A_PAGE_POOL_DETACH_TIME, "detach_time"),
};

/* Device scope sends neither queue_type nor queue_id: they drop out. */
#define QSTAT(name, key)	FIELD(XNIC_NETDEV_A_QSTATS_##name, key)

static const struct field qstats_fields[] = {
	FIELD(XNIC_NETDEV_A_QSTATS_IFINDEX, "ifindex"),
	QFIELD(XNIC_NETDEV_A_QSTATS_QUEUE_TYPE, "queue_type"),
	FIELD(XNIC_NETDEV_A_QSTATS_QUEUE_ID, "queue_id"),
	QSTAT(RX_PACKETS, "rx_packets"),
	QSTAT(RX_BYTES, "rx_bytes"),
	QSTAT(TX_PACKETS, "tx_packets"),
	QSTAT(TX_BYTES, "tx_bytes"),
	QSTAT(RX_ALLOC_FAIL, "rx_alloc_fail"),
	QSTAT(RX_HW_DROPS, "rx_hw_drops"),
	QSTAT(RX_HW_DROP_OVERRUNS, "rx_hw_drop_overruns"),
	QSTAT(RX_CSUM_COMPLETE, "rx_csum_complete"),
	QSTAT(RX_CSUM_UNNECESSARY, "rx_csum_unnecessary"),
	QSTAT(RX_CSUM_NONE, "rx_csum_none"),
	QSTAT(RX_CSUM_BAD, "rx_csum_bad"),
	QSTAT(RX_HW_GRO_PACKETS, "rx_hw_gro_packets"),
	QSTAT(RX_HW_GRO_BYTES, "rx_hw_gro_bytes"),
	QSTAT(RX_HW_GRO_WIRE_PACKETS, "rx_hw_gro_wire_packets"),
	QSTAT(RX_HW_GRO_WIRE_BYTES, "rx_hw_gro_wire_bytes"),
	QSTAT(RX_HW_DROP_RATELIMITS, "rx_hw_drop_ratelimits"),
	QSTAT(TX_HW_DROPS, "tx_hw_drops"),
	QSTAT(TX_HW_DROP_ERRORS, "tx_hw_drop_errors"),
	QSTAT(TX_CSUM_NONE, "tx_csum_none"),
	QSTAT(TX_NEEDS_CSUM, "tx_needs_csum"),
	QSTAT(TX_HW_GSO_PACKETS, "tx_hw_gso_packets"),
	QSTAT(TX_HW_GSO_BYTES, "tx_hw_gso_bytes"),
	QSTAT(TX_HW_GSO_WIRE_PACKETS, "tx_hw_gso_wire_packets"),
	QSTAT(TX_HW_GSO_WIRE_BYTES, "tx_hw_gso_wire_bytes"),
	QSTAT(TX_HW_DROP_RATELIMITS, "tx_hw_drop_ratelimits"),
	QSTAT(TX_STOP, "tx_stop"),
	QSTAT(TX_WAKE, "tx_wake"),
};

#define FIELDS(f)	.fields = (f), .nfields = MNL_ARRAY_SIZE(f)

static const struct cmd cmds[] = {
	{ .name = "dev", .nlcmd = XNIC_NETDEV_CMD_DEV_GET, .dump = false,
	  .req_ifindex = XNIC_NETDEV_A_DEV_IFINDEX,
	  .maxattr = XNIC_NETDEV_A_DEV_MAX, FIELDS(dev_fields) },
	{ .name = "queues", .nlcmd = XNIC_NETDEV_CMD_QUEUE_GET, .dump = true,
	  .req_ifindex = XNIC_NETDEV_A_QUEUE_IFINDEX,
	  .maxattr = XNIC_NETDEV_A_QUEUE_MAX, FIELDS(queue_fields) },
	{ .name = "napis", .nlcmd = XNIC_NETDEV_CMD_NAPI_GET, .dump = true,
	  .req_ifindex = XNIC_NETDEV_A_NAPI_IFINDEX,
	  .maxattr = XNIC_NETDEV_A_NAPI_MAX, FIELDS(napi_fields) },
	{ .name = "qstats", .nlcmd = XNIC_NETDEV_CMD_QSTATS_GET, .dump = true,
	  .req_ifindex = XNIC_NETDEV_A_QSTATS_IFINDEX,
	  .maxattr = XNIC_NETDEV_A_QSTATS_MAX, FIELDS(qstats_fields) },
	/* The page-pool dump takes no ifindex filter: filter here. */
	{ .name = "page-pools", .nlcmd = XNIC_NETDEV_CMD_PAGE_POOL_GET,
	  .dump = true,
	  .filter_ifindex = XNIC_NETDEV_A_PAGE_POOL_IFINDEX,
	  .maxattr = XNIC_NETDEV_A_PAGE_POOL_MAX, FIELDS(page_pool_fields) },
};

static char rxbuf[RX_BUF_SIZE];

static void usage(const char *what, const char *arg)
{
	if (what)
		fprintf(stderr, "netdev_nl: %s%s%s%s\n", what,
			arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fprintf(stderr,
		"usage: netdev_nl {dev|queues|napis|page-pools} IFINDEX|IFNAME\n"
		"       netdev_nl qstats IFINDEX|IFNAME [queue]\n");
	exit(2);
}

static void die(const char *cmd, int err)
{
	fprintf(stderr, "netdev_nl: %s: %s\n", cmd, strerror(err));
	exit(1);
}

/* Integers are u32 or "uint" (4 or 8 bytes, as the value needs): by length. */
static int attr_uint(const struct nlattr *attr, uint64_t *val)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case sizeof(uint32_t):
		*val = mnl_attr_get_u32(attr);
		return 0;
	case sizeof(uint64_t):
		*val = mnl_attr_get_u64(attr);
		return 0;
	}
	return -1;
}

/*
 * Our own control-message handlers, for mnl_cb_run2(): libmnl 1.0.4 stops
 * at NLMSG_DONE without looking at the error code that the kernel puts in
 * it when a dump fails (e.g. ENODEV for an unknown ifindex).
 */
static int ctl_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int ctl_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)	/* the ACK that ends a do-request */
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int ctl_done(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int ctl_overrun(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = ctl_noop,
	[NLMSG_ERROR] = ctl_error,
	[NLMSG_DONE] = ctl_done,
	[NLMSG_OVERRUN] = ctl_overrun,
};

static struct nlmsghdr *put_genl(char *buf, uint16_t family, uint16_t flags,
				 uint8_t cmd, uint8_t version, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/*
 * Send one request and feed replies to cb until NLMSG_DONE (dump) or the
 * ACK (do-request), checking sequence number and port id on each message.
 * Returns 0, or -1 with errno set.
 */
static int transact(struct mnl_socket *nl, const struct nlmsghdr *nlh,
		    mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		len = mnl_socket_recvfrom(nl, rxbuf, sizeof(rxbuf));
		if (len < 0)
			return -1;
		ret = mnl_cb_run2(rxbuf, len, nlh->nlmsg_seq, portid, cb, data,
				  ctl_cbs, MNL_ARRAY_SIZE(ctl_cbs));
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID) {
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		*id = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Returns the family id, 0 if the kernel has no such family, or -1. */
static int resolve_family(struct mnl_socket *nl, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint16_t id = 0;

	nlh = put_genl(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1,
		       seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, XNIC_NETDEV_FAMILY_NAME);
	if (transact(nl, nlh, family_cb, &id) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!id) {
		errno = EPROTO;
		return -1;
	}
	return id;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct run *r = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Newer kernels may add attributes: skip what we do not know. */
	if (type <= r->cmd->maxattr && type < TB_SIZE)
		r->tb[type] = attr;
	return MNL_CB_OK;
}

static int object_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
	const struct cmd *c = r->cmd;
	uint64_t val[TB_SIZE];
	bool first = true;
	size_t i;

	memset(r->tb, 0, sizeof(r->tb));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, r) < 0)
		return MNL_CB_ERROR;

	/* Read every value before printing, so no half line on bad input. */
	for (i = 0; i < c->nfields; i++) {
		const struct nlattr *a = r->tb[c->fields[i].type];

		if (a && attr_uint(a, &val[c->fields[i].type]) < 0) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
	}
	if (c->filter_ifindex) {
		/* A pool whose device is gone carries no ifindex. */
		if (!r->tb[c->filter_ifindex] ||
		    val[c->filter_ifindex] != r->ifindex)
			return MNL_CB_OK;
	}

	putchar('{');
	for (i = 0; i < c->nfields; i++) {
		const struct field *f = &c->fields[i];
		uint64_t v = val[f->type];

		if (!r->tb[f->type])
			continue;
		printf("%s\"%s\":", first ? "" : ",", f->key);
		first = false;
		if (f->qtype && v == XNIC_NETDEV_QUEUE_TYPE_RX)
			fputs("\"rx\"", stdout);
		else if (f->qtype && v == XNIC_NETDEV_QUEUE_TYPE_TX)
			fputs("\"tx\"", stdout);
		else	/* also a queue type this tool does not know yet */
			printf("%" PRIu64, v);
	}
	fputs("}\n", stdout);
	return MNL_CB_OK;
}

static uint32_t parse_iface(const char *arg)
{
	unsigned long idx;
	char *end;

	errno = 0;
	idx = strtoul(arg, &end, 10);
	if (*arg >= '0' && *arg <= '9' && !*end) {
		if (errno || !idx || idx > INT32_MAX)
			usage("bad ifindex", arg);
		return idx;
	}
	idx = if_nametoindex(arg);
	if (!idx)
		usage("no such interface", arg);
	return idx;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct cmd *c = NULL;
	bool queue_scope = false;
	struct run run = { 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq;
	int family;
	size_t i;

	/* Check the whole command line before touching netlink. */
	if (argc < 2)
		usage("missing command", NULL);
	for (i = 0; i < MNL_ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			c = &cmds[i];
	if (!c)
		usage("unknown command", argv[1]);
	if (argc < 3)
		usage("missing IFINDEX or IFNAME after", argv[1]);
	if (argc > 4)
		usage("too many arguments at", argv[4]);
	if (argc == 4) {
		if (c->nlcmd != XNIC_NETDEV_CMD_QSTATS_GET)
			usage("too many arguments at", argv[3]);
		if (strcmp(argv[3], "queue"))
			usage("qstats: expected 'queue', got", argv[3]);
		queue_scope = true;
	}
	run.cmd = c;
	run.ifindex = parse_iface(argv[2]);

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		die(c->name, errno);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die(c->name, errno);

	seq = time(NULL);
	family = resolve_family(nl, seq);
	if (family < 0)
		die(c->name, errno);
	if (!family) {
		fprintf(stderr, "netdev_nl: genetlink family netdev not found (kernel older than 6.3?)\n");
		return 1;
	}

	nlh = put_genl(buf, family, c->dump ? NLM_F_DUMP : NLM_F_ACK,
		       c->nlcmd, XNIC_NETDEV_FAMILY_VERSION, ++seq);
	if (c->req_ifindex)
		mnl_attr_put_u32(nlh, c->req_ifindex, run.ifindex);
	if (queue_scope)
		mnl_attr_put_u32(nlh, XNIC_NETDEV_A_QSTATS_SCOPE,
				 XNIC_NETDEV_QSTATS_SCOPE_QUEUE);
	if (transact(nl, nlh, object_cb, &run) < 0)
		die(c->name, errno);
	mnl_socket_close(nl);

	/* A reader that went away (jq failed) must not look like success. */
	if (fflush(stdout) || ferror(stdout))
		die(c->name, errno ? errno : EIO);
	return 0;
}
