/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP prefilter's contract with user space and with tc programs:
 * map keys and values, the statistics index and the metadata layout.
 * Included by bpf/xdp_prefilter.bpf.c and by user space (tests, control
 * plane), so it uses only <linux/types.h>.
 *
 * Maps (their names are the interface; find them with
 * `bpftool map show name pf_v4_lpm`):
 *   pf_v4_lpm    LPM_TRIE  struct pf_v4_lpm_key -> __u8   IPv4 source CIDRs
 *   pf_v6_lpm    LPM_TRIE  struct pf_v6_lpm_key -> __u8   IPv6 source CIDRs
 *   pf_v4_exact  HASH      __be32               -> __u8   IPv4 source addresses
 *   pf_v6_exact  HASH      struct pf_v6_addr    -> __u8   IPv6 source addresses
 *   pf_arp       HASH      __be32 (ar_sip)      -> __u8   ARP sender addresses
 *   pf_stats     PERCPU_ARRAY  enum pf_reason   -> struct pf_stat
 * A key's presence blocks; the value is not interpreted (write 1).
 */
#ifndef XNIC_PREFILTER_H
#define XNIC_PREFILTER_H

#include <linux/types.h>

#define PF_LPM_ENTRIES		16384
#define PF_EXACT_ENTRIES	16384
#define PF_ARP_ENTRIES		4096

/* LPM trie keys: prefixlen in host order, then the address bytes. */
struct pf_v4_lpm_key {
	__u32 prefixlen;
	__be32 addr;
};

struct pf_v6_addr {
	__u8 addr[16];
};

struct pf_v6_lpm_key {
	__u32 prefixlen;
	struct pf_v6_addr addr;
};

/*
 * Why each frame got its verdict: the index into pf_stats. Every frame
 * the program sees is counted in exactly one of these. Passes first,
 * then drops (PF_REASON_IS_DROP relies on the order); the values are
 * pf_stats keys, so readers must use this header, not literals.
 */
enum pf_reason {
	PF_PASS_IPV4,
	PF_PASS_IPV6,
	PF_PASS_ARP,
	/* Not inspected: other ethertypes, non-Ethernet/IPv4 ARP, a 2nd VLAN tag. */
	PF_PASS_OTHER,
	PF_DROP_V4_CIDR,	/* IPv4 source in pf_v4_lpm */
	PF_DROP_V6_CIDR,	/* IPv6 source in pf_v6_lpm */
	PF_DROP_V4_EXACT,	/* IPv4 source in pf_v4_exact */
	PF_DROP_V6_EXACT,	/* IPv6 source in pf_v6_exact */
	PF_DROP_ARP_SENDER,	/* Ethernet/IPv4 ARP whose ar_sip is in pf_arp */
	PF_DROP_MALFORMED,	/* a header the verdict depends on is truncated or invalid */
	PF_REASON_MAX,
};

#define PF_REASON_IS_DROP(r)	((r) >= PF_DROP_V4_CIDR)

/* pf_stats value; bytes are the frame length XDP saw (data_end - data). */
struct pf_stat {
	__u64 packets;
	__u64 bytes;
};

/*
 * XDP metadata written in front of every passed frame (data_meta), for a
 * tc program to read from skb->data_meta: check meta + sizeof() <= data
 * and the magic. Absent when bpf_xdp_adjust_meta() failed (no room): the
 * frame still passes.
 *
 * It is a hint, not a credential. bpf/tc_policy.bpf.c (tc BPF, step 8)
 * compares it with its own parse and counts agreement (pol_meta_stats),
 * but reads every field a verdict depends on from the packet: any XDP
 * program can write this magic, and the stack changes the frame between
 * step 2 and step 8 (receive_skb takes a VLAN tag out of the data).
 */
#define PF_META_MAGIC		0x78706631	/* "xpf1": layout version 1 */

enum pf_class {
	PF_CLASS_OTHER,
	PF_CLASS_IPV4,
	PF_CLASS_IPV6,
	PF_CLASS_ARP,
};

#define PF_META_VLAN	0x01	/* one 802.1Q or 802.1ad tag was parsed */
/* IPv4 MF or fragment offset set; IPv6 fixed header's next header is Fragment */
#define PF_META_FRAG	0x02
#define PF_META_IPOPT	0x04	/* IPv4 header with options (IHL > 5) */
#define PF_META_V6EXT	0x08	/* IPv6 fixed header's next header is an extension header */

/*
 * What PF_META_V6EXT means: IANA's IPv6 extension header types (RFC 7045
 * and later), by number so user space can include this header too. The
 * prefilter sets the flag with it and the tc policy checks it with it.
 */
static inline int pf_ipv6_is_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0:		/* hop-by-hop options */
	case 43:	/* routing */
	case 44:	/* fragment */
	case 50:	/* ESP */
	case 51:	/* AH */
	case 60:	/* destination options */
	case 135:	/* mobility */
	case 139:	/* HIP */
	case 140:	/* Shim6 */
	case 253:	/* experimentation (RFC 3692) */
	case 254:
		return 1;
	}
	return 0;
}

struct pf_meta {
	__u32 magic;	/* PF_META_MAGIC, host order */
	__u8 class;	/* enum pf_class */
	__u8 flags;	/* PF_META_* */
	__u8 proto;	/* IPv4 protocol, or the IPv6 fixed header's next header; else 0 */
	__u8 pad;	/* zero */
};

#endif /* XNIC_PREFILTER_H */
