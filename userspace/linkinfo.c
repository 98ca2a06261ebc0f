// SPDX-License-Identifier: GPL-2.0
/* Decoding and printing of one link for `link show` (see linkinfo.h). */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "json.h"
#include "linkinfo.h"
#include "xnicctl.h"

#define ADDR_STR_MAX (3 * LINK_ADDR_MAX)

/* Expected payload types; attributes that do not match are ignored. */
static const enum mnl_attr_data_type ifla_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_LINK] = MNL_TYPE_U32,
	[IFLA_LINK_NETNSID] = MNL_TYPE_U32,
	[IFLA_CARRIER] = MNL_TYPE_U8,
	[IFLA_NUM_TX_QUEUES] = MNL_TYPE_U32,
	[IFLA_NUM_RX_QUEUES] = MNL_TYPE_U32,
	[IFLA_ADDRESS] = MNL_TYPE_BINARY,
	[IFLA_LINKINFO] = MNL_TYPE_NESTED,
};

static int collect_ifla(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > IFLA_MAX || !ifla_types[type] ||
	    mnl_attr_validate(attr, ifla_types[type]) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int find_kind(const struct nlattr *attr, void *data)
{
	const struct nlattr **kind = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*kind = attr;
	return MNL_CB_OK;
}

int link_info_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *kind = NULL;
	const struct ifinfomsg *ifm;

	memset(li, 0, sizeof(*li));
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -1;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), collect_ifla, tb) < 0 ||
	    !tb[IFLA_IFNAME])
		return -1;

	li->ifindex = ifm->ifi_index;
	li->up = ifm->ifi_flags & IFF_UP;
	snprintf(li->name, sizeof(li->name), "%s",
		 mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_LINKINFO]) {
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], find_kind, &kind);
		if (kind)
			snprintf(li->kind, sizeof(li->kind), "%s",
				 mnl_attr_get_str(kind));
	}
	if (tb[IFLA_CARRIER]) {
		li->has_carrier = true;
		li->carrier = mnl_attr_get_u8(tb[IFLA_CARRIER]);
	}
	if (tb[IFLA_MTU])
		li->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS]) {
		li->addr_len = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		if (li->addr_len > sizeof(li->addr))
			li->addr_len = sizeof(li->addr);
		memcpy(li->addr, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
		       li->addr_len);
	}
	if (tb[IFLA_LINK]) {
		li->has_peer = true;
		li->peer_ifindex = mnl_attr_get_u32(tb[IFLA_LINK]);
	}
	if (tb[IFLA_LINK_NETNSID]) {
		li->has_peer_nsid = true;
		li->peer_nsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	}
	if (tb[IFLA_NUM_TX_QUEUES])
		li->txq = mnl_attr_get_u32(tb[IFLA_NUM_TX_QUEUES]);
	if (tb[IFLA_NUM_RX_QUEUES])
		li->rxq = mnl_attr_get_u32(tb[IFLA_NUM_RX_QUEUES]);
	return 0;
}

/* "aa:bb:..." into @buf (ADDR_STR_MAX bytes), "-" when there is none. */
static const char *fmt_addr(const struct link_info *li, char *buf)
{
	unsigned int i;
	char *p = buf;

	if (!li->addr_len)
		return "-";
	for (i = 0; i < li->addr_len; i++)
		p += sprintf(p, "%s%02x", i ? ":" : "", li->addr[i]);
	return buf;
}

static const char *fmt_uint(unsigned int v, char *buf, size_t len)
{
	if (!v)
		return "-";
	snprintf(buf, len, "%u", v);
	return buf;
}

#define ROW_FMT "%-15s %7s %-5s %-7s %5s %-17s %-12s %4s %4s\n"

void link_info_print_header(FILE *out)
{
	fprintf(out, ROW_FMT, "NAME", "IFINDEX", "STATE", "CARRIER", "MTU",
		"ADDRESS", "PEER", "TXQ", "RXQ");
}

void link_info_print_row(FILE *out, const struct link_info *li)
{
	char addr[ADDR_STR_MAX], peer[32] = "-", ifindex[16];
	char mtu[16], txq[16], rxq[16];

	if (li->has_peer && li->has_peer_nsid)
		snprintf(peer, sizeof(peer), "%u@nsid%d", li->peer_ifindex,
			 li->peer_nsid);
	else if (li->has_peer)
		snprintf(peer, sizeof(peer), "%u", li->peer_ifindex);
	snprintf(ifindex, sizeof(ifindex), "%d", li->ifindex);
	fprintf(out, ROW_FMT, li->name, ifindex, li->up ? "up" : "down",
		!li->has_carrier ? "-" : li->carrier ? "on" : "off",
		fmt_uint(li->mtu, mtu, sizeof(mtu)), fmt_addr(li, addr), peer,
		fmt_uint(li->txq, txq, sizeof(txq)),
		fmt_uint(li->rxq, rxq, sizeof(rxq)));
}

void link_info_print_json(struct json *j, const struct link_info *li)
{
	char addr[ADDR_STR_MAX];

	json_object_begin(j);
	json_key(j, "name");
	json_string(j, li->name);
	json_key(j, "ifindex");
	json_int(j, li->ifindex);
	json_key(j, "state");
	json_string(j, li->up ? "up" : "down");
	json_key(j, "carrier");
	if (li->has_carrier)
		json_bool(j, li->carrier);
	else
		json_null(j);
	json_member_int(j, "mtu", li->mtu, li->mtu);
	json_key(j, "address");
	if (li->addr_len)
		json_string(j, fmt_addr(li, addr));
	else
		json_null(j);
	json_member_int(j, "peer_ifindex", li->has_peer, li->peer_ifindex);
	json_key(j, "peer_netnsid");
	if (li->has_peer_nsid)
		json_int(j, li->peer_nsid);
	else
		json_null(j);
	json_member_int(j, "tx_queues", li->txq, li->txq);
	json_member_int(j, "rx_queues", li->rxq, li->rxq);
	json_object_end(j);
}
