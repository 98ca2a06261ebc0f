#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# XDP RX metadata (6.5+): a dev-bound program's bpf_xdp_metadata_rx_hash()
# returns the RSS hash the device wrote in the descriptor, with the type
# of what it covered, and it is the very hash the stack then sees in
# skb->hash (read by tc on the same device). Sixteen UDP flows and ICMP.
# Kernels without the kfunc skip every check, by name.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
P=$root/tests/progs
checks="loaded udp-flows-seen udp-ret-ok udp-hash-matches-skb udp-type
hash-spreads icmp-type icmp-hash-matches-skb netlink-feature dmesg taint"

dmesg_mark
[ -x "$P/xdp_rx_hash" ] || { fail rxmeta:build "$P/xdp_rx_hash not built (make testprogs)"; exit 0; }
# (grep -q would close the pipe early: a failure under pipefail.)
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -c "'bpf_xdp_metadata_rx_hash'" >/dev/null; then
	for c in $checks; do
		skip "rxmeta:$c" "no XDP metadata kfuncs on $(uname -r)"
	done
	exit 0
fi
xnic_load || { fail rxmeta:modprobe "modprobe xnic failed"; exit 0; }
on_exit xnic_unload
ns_add m_a
ns_add m_b
pair_add hsa hsb m_a m_b 2
pair_addr m_a hsa m_b hsb 198.18.62
A() { in_ns m_a "$@"; }
B() { in_ns m_b "$@"; }
A ping -c 1 -W 5 198.18.62.2 >/dev/null	# neighbours resolved first

out=/tmp/rxmeta.json
# Not through B(): $! must be the loader itself (ip netns exec execs it).
ip netns exec m_b "$P/xdp_rx_hash" hsb 120 >"$out" 2>/tmp/rxmeta.err &
loader=$!
if wait_for "grep -q '^ready' $out" 20; then
	pass rxmeta:loaded
else
	fail rxmeta:loaded "$(cat /tmp/rxmeta.err)"
fi
# Two datagrams per port, sent by bash itself (no process per datagram).
A bash -c 'for p in $(seq 5400 5415); do
	for i in 1 2; do echo "$p" >/dev/udp/198.18.62.2/$p; done
done' 2>/dev/null
A ping -c 3 -i 0.2 198.18.62.2 >/dev/null
kill -TERM "$loader" 2>/dev/null
wait $loader
grep '^{' "$out" >/tmp/rxmeta.slots || true

udp='[.[] | select(.slot < 16)]'
n=$(jq -s "$udp | map(select(.xdp_frames > 0 and .tc_frames > 0)) | length" /tmp/rxmeta.slots)
expect rxmeta:udp-flows-seen "${n:-0}" -eq 16
n=$(jq -s "$udp | map(select(.xdp_ret != 0)) | length" /tmp/rxmeta.slots)
expect rxmeta:udp-ret-ok "${n:-1}" -eq 0
n=$(jq -s "$udp | map(select(.xdp_hash == .skb_hash and .xdp_hash != 0)) | length" /tmp/rxmeta.slots)
expect rxmeta:udp-hash-matches-skb "${n:-0}" -eq 16
# XDP_RSS_TYPE_L4_IPV4_UDP: L3_IPV4 | L4 | L4_UDP.
n=$(jq -s "$udp | map(select(.xdp_type == (1 + 8 + 32))) | length" /tmp/rxmeta.slots)
expect rxmeta:udp-type "${n:-0}" -eq 16
# Sixteen ports: a Toeplitz hash gives (almost) sixteen values.
n=$(jq -s "$udp | map(.xdp_hash) | unique | length" /tmp/rxmeta.slots)
expect rxmeta:hash-spreads "${n:-0}" -ge 14
# ICMP hashes addresses only: XDP_RSS_TYPE_L3_IPV4.
icmp=$(jq -s -c '[.[] | select(.slot == 16)][0] // {}' /tmp/rxmeta.slots)
expect rxmeta:icmp-type "$(echo "$icmp" | jq '.xdp_type // -1')" -eq 1
check rxmeta:icmp-hash-matches-skb test "$(echo "$icmp" | jq '.xdp_ret == 0 and .xdp_hash == .skb_hash')" = true

# The netdev family lists the hash among the device's metadata features.
if [ -x "$P/netdev_nl" ]; then
	f=$(B "$P/netdev_nl" dev "$(B cat /sys/class/net/hsb/ifindex)" | jq '.xdp_rx_metadata_features // 0')
	expect rxmeta:netlink-feature "${f:-0}" -eq 2	# NETDEV_XDP_RX_METADATA_HASH
else
	fail rxmeta:netlink-feature "$P/netdev_nl not built"
fi

dmesg_check rxmeta:dmesg
taint_check rxmeta:taint
