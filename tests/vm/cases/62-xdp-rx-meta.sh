#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# XDP RX metadata (6.8+ for all three kfuncs): a dev-bound program's
# bpf_xdp_metadata_rx_hash() returns the RSS hash the device wrote in the
# descriptor, with the type of what it covered, and it is the very hash
# the stack then sees in skb->hash (read by tc on the same device).
# Sixteen UDP flows and ICMP. rx_timestamp: -ENODATA with hardware
# timestamps off; with them on, the arrival time, equal to the skb's
# hardware stamp. rx_vlan_tag: with rx-vlan-offload on, the tag the device
# took out of the frame, equal to the skb's; off, -ENODATA and the tag
# still in the frame. Kernels without the kfuncs skip every check, by name.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
P=$root/tests/progs
checks="loaded udp-flows-seen udp-ret-ok udp-hash-matches-skb udp-type
hash-spreads icmp-type icmp-hash-matches-skb ts-off-nodata vlan-untagged-nodata
ts-on-ok ts-on-matches-skb ts-on-in-window vlan-strip-ok vlan-strip-tag
vlan-strip-matches-skb vlan-strip-counted vlan-keep-nodata vlan-keep-in-frame
vlan-keep-skb-tag vlan-keep-not-counted vlan-ping-stripped vlan-ping-kept
netlink-feature dmesg taint"

dmesg_mark
for t in xdp_rx_meta hwtstamp; do
	[ -x "$P/$t" ] || { fail rxmeta:build "$P/$t not built (make testprogs)"; exit 0; }
done
# (grep -q would close the pipe early: a failure under pipefail.)
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -c "'bpf_xdp_metadata_rx_vlan_tag'" >/dev/null; then
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
# VLAN 10 over the pair; neighbours resolved before the program runs.
A ip link add link hsa name hsa.10 type vlan id 10
B ip link add link hsb name hsb.10 type vlan id 10
A ip addr add 198.18.63.1/24 dev hsa.10
B ip addr add 198.18.63.2/24 dev hsb.10
A ip link set hsa.10 up
B ip link set hsb.10 up
A ping -c 1 -W 5 198.18.62.2 >/dev/null
A ping -c 1 -W 5 198.18.63.2 >/dev/null
send() { A bash -c "echo x >/dev/udp/$1/$2" 2>/dev/null; }

out=/tmp/rxmeta.json
# Not through B(): $! must be the loader itself (ip netns exec execs it).
ip netns exec m_b "$P/xdp_rx_meta" hsb 120 >"$out" 2>/tmp/rxmeta.err &
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
# Slot 16: hardware timestamps on, between two clock readings.
B "$P/hwtstamp" set hsb off all >/dev/null
t0=$(date +%s%N)
send 198.18.62.2 5416
t1=$(date +%s%N)
B "$P/hwtstamp" set hsb off none >/dev/null
# Slot 17 over the VLAN, tag stripped; slot 18 with rx-vlan-offload off.
strip0=$(ethstat_sum hsb '^rx_queue_[0-9]+_vlan_stripped$' m_b)
send 198.18.63.2 5417
strip1=$(ethstat_sum hsb '^rx_queue_[0-9]+_vlan_stripped$' m_b)
B ethtool -K hsb rxvlan off
send 198.18.63.2 5418
strip2=$(ethstat_sum hsb '^rx_queue_[0-9]+_vlan_stripped$' m_b)
kill -TERM "$loader" 2>/dev/null
wait $loader
grep '^{' "$out" >/tmp/rxmeta.slots || true

udp='[.[] | select(.slot < 16)]'
slot() { jq -s -c "[.[] | select(.slot == $1)][0] // {}" /tmp/rxmeta.slots; }
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
icmp=$(slot 20)
expect rxmeta:icmp-type "$(echo "$icmp" | jq '.xdp_type // -1')" -eq 1
check rxmeta:icmp-hash-matches-skb test "$(echo "$icmp" | jq '.xdp_ret == 0 and .xdp_hash == .skb_hash')" = true

# Hardware timestamps and rx-vlan-offload were off or had no tag: -ENODATA.
n=$(jq -s "$udp | map(select(.ts_ret == -61 and .xdp_ts == 0 and .skb_ts == 0)) | length" /tmp/rxmeta.slots)
expect rxmeta:ts-off-nodata "${n:-0}" -eq 16
n=$(jq -s "$udp | map(select(.vlan_ret == -61 and .skb_vlan_present == 0)) | length" /tmp/rxmeta.slots)
expect rxmeta:vlan-untagged-nodata "${n:-0}" -eq 16

ts=$(slot 16)
check rxmeta:ts-on-ok test "$(echo "$ts" | jq '.ts_ret == 0')" = true
check rxmeta:ts-on-matches-skb test "$(echo "$ts" | jq '.xdp_ts > 0 and .xdp_ts == .skb_ts')" = true
check rxmeta:ts-on-in-window test "$(echo "$ts" | jq --argjson t0 "$t0" --argjson t1 "$t1" '.xdp_ts >= $t0 and .xdp_ts <= $t1')" = true

on=$(slot 17)
check rxmeta:vlan-strip-ok test "$(echo "$on" | jq '.vlan_ret == 0 and .xdp_tagged == 0')" = true
check rxmeta:vlan-strip-tag test "$(echo "$on" | jq '.xdp_vlan_proto == 33024 and .xdp_vlan_tci == 10')" = true
check rxmeta:vlan-strip-matches-skb test "$(echo "$on" | jq '.skb_vlan_present == 1 and .skb_vlan_tci == 10')" = true
expect rxmeta:vlan-strip-counted $((strip1 - strip0)) -ge 1
off=$(slot 18)
check rxmeta:vlan-keep-nodata test "$(echo "$off" | jq '.vlan_ret == -61')" = true
check rxmeta:vlan-keep-in-frame test "$(echo "$off" | jq '.xdp_tagged == 1')" = true
# The stack takes the tag out itself before tc sees the frame.
check rxmeta:vlan-keep-skb-tag test "$(echo "$off" | jq '.skb_vlan_present == 1 and .skb_vlan_tci == 10')" = true
expect rxmeta:vlan-keep-not-counted $((strip2 - strip1)) -eq 0
# Traffic over the VLAN either way.
check rxmeta:vlan-ping-kept A ping -c 1 -W 5 198.18.63.2
B ethtool -K hsb rxvlan on
check rxmeta:vlan-ping-stripped A ping -c 1 -W 5 198.18.63.2

# The netdev family lists the device's metadata features.
if [ -x "$P/netdev_nl" ]; then
	f=$(B "$P/netdev_nl" dev "$(B cat /sys/class/net/hsb/ifindex)" | jq '.xdp_rx_metadata_features // 0')
	# NETDEV_XDP_RX_METADATA_TIMESTAMP | _HASH | _VLAN_TAG
	expect rxmeta:netlink-feature "${f:-0}" -eq $((1 | 2 | 4))
else
	fail rxmeta:netlink-feature "$P/netdev_nl not built"
fi

dmesg_check rxmeta:dmesg
taint_check rxmeta:taint
