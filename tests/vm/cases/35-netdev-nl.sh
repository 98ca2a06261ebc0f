#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netdev netlink family (6.3+; queues, NAPIs, page pools 6.8, qstats
# 6.9) sees xnic as it sees a NIC: its XDP features, each queue served by
# its channel's NAPI, per-queue statistics equal to ethtool -S and, over
# the device, to ip -s link (also after ethtool -L hid a queue), and one
# page_pool per RX queue, owned by the device and gone when it goes down.
# Read with tests/progs/netdev_nl (libmnl). Kernels without the family
# skip every check, by name.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
NL=$root/tests/progs/netdev_nl
checks="xdp-features queues-listed queue-napi-shared napi-ids-distinct
napis-listed qstats-queue-rx-matches-ethtool qstats-queue-tx-matches-ethtool
qstats-device-rx-matches-stats64 qstats-device-tx-matches-stats64
qstats-after-channels-1 page-pools-per-queue page-pools-napi
page-pools-gone-when-down dmesg taint"

dmesg_mark
[ -x "$NL" ] || { fail netdevnl:build "$NL not built (make testprogs)"; exit 0; }
xnic_load || { fail netdevnl:modprobe "modprobe xnic failed"; exit 0; }
on_exit xnic_unload
ns_add nl_a
ns_add nl_b
pair_add nla nlb nl_a nl_b 2
pair_addr nl_a nla nl_b nlb 198.18.35
A() { in_ns nl_a "$@"; }
B() { in_ns nl_b "$@"; }
ifb=$(B cat /sys/class/net/nlb/ifindex)

if ! err=$(B "$NL" dev "$ifb" 2>&1 >/dev/null); then
	if echo "$err" | grep -q 'not found'; then
		for c in $checks; do
			skip "netdevnl:$c" "no netdev netlink family on $(uname -r)"
		done
		exit 0
	fi
	fail netdevnl:dev-get "$err"
fi

# XDP features: basic, redirect, ndo-xmit, rx-sg, ndo-xmit-sg.
feat=$(B "$NL" dev "$ifb" | jq '.xdp_features')
expect netdevnl:xdp-features "${feat:-0}" -eq $((1 | 2 | 4 | 32 | 64))

# Queues: two RX, two TX; queue i's RX and TX share one NAPI.
B "$NL" queues "$ifb" >/tmp/nl-queues.json
n=$(jq -s 'length' /tmp/nl-queues.json)
expect netdevnl:queues-listed "${n:-0}" -eq 4
shared=$(jq -s '[group_by(.id)[] | select(length == 2 and .[0].napi_id == .[1].napi_id and .[0].napi_id > 0)] | length' /tmp/nl-queues.json)
expect netdevnl:queue-napi-shared "${shared:-0}" -eq 2
distinct=$(jq -s '[.[].napi_id] | unique | length' /tmp/nl-queues.json)
expect netdevnl:napi-ids-distinct "${distinct:-0}" -eq 2
B "$NL" napis "$ifb" >/tmp/nl-napis.json
same=$(jq -n --slurpfile q /tmp/nl-queues.json --slurpfile n /tmp/nl-napis.json \
	'([$q[].napi_id] | unique) == ([$n[].id] | unique)')
check netdevnl:napis-listed test "$same" = true

# Traffic over both queues, then qstats against ethtool -S and ip -s link.
# Counters may move between two reads (IPv6 ND): each netlink figure must
# lie between the ethtool (or ip) figures read just before and after it.
B iperf3 -s -D -1 -p 5350 >/dev/null 2>&1
wait_listen nl_b 5350
A iperf3 -c 198.18.35.2 -p 5350 -t 2 -P 8 >/dev/null 2>&1
A ping -c 5 -i 0.2 198.18.35.2 >/dev/null

# between NAME LO MID HI
between() {
	if [ "$2" -le "$3" ] 2>/dev/null && [ "$3" -le "$4" ]; then
		pass "$1"
	else
		fail "$1" "netlink $3 not within [$2, $4]"
	fi
}
qstat() { # QUEUE-TYPE ID FIELD
	B "$NL" qstats "$ifb" queue |
		jq -s --arg t "$1" --argjson i "$2" --arg f "$3" \
			'[.[] | select(.queue_type == $t and .queue_id == $i) | .[$f]][0] // -1'
}
rx_ok=1 tx_ok=1 why=
for i in 0 1; do
	e1=$(ethstat nlb "rx_queue_${i}_packets" nl_b)
	q=$(qstat rx "$i" rx_packets)
	e2=$(ethstat nlb "rx_queue_${i}_packets" nl_b)
	[ "$e1" -le "$q" ] && [ "$q" -le "$e2" ] && [ "$q" -gt 0 ] || { rx_ok=0; why="$why rx$i:$e1<=$q<=$e2"; }
	e1=$(ethstat nlb "tx_queue_${i}_packets" nl_b)
	q=$(qstat tx "$i" tx_packets)
	e2=$(ethstat nlb "tx_queue_${i}_packets" nl_b)
	[ "$e1" -le "$q" ] && [ "$q" -le "$e2" ] || { tx_ok=0; why="$why tx$i:$e1<=$q<=$e2"; }
done
if [ "$rx_ok" -eq 1 ]; then pass netdevnl:qstats-queue-rx-matches-ethtool; else fail netdevnl:qstats-queue-rx-matches-ethtool "$why"; fi
if [ "$tx_ok" -eq 1 ]; then pass netdevnl:qstats-queue-tx-matches-ethtool; else fail netdevnl:qstats-queue-tx-matches-ethtool "$why"; fi

stats64() { B ip -j -s link show nlb | jq ".[0].stats64.$1.packets"; }
devstat() { B "$NL" qstats "$ifb" | jq ".$1 // -1"; }
between netdevnl:qstats-device-rx-matches-stats64 "$(stats64 rx)" "$(devstat rx_packets)" "$(stats64 rx)"
between netdevnl:qstats-device-tx-matches-stats64 "$(stats64 tx)" "$(devstat tx_packets)" "$(stats64 tx)"

# One channel: queue 1's counts move to the device's base, totals hold.
B ethtool -L nlb combined 1
A ping -c 3 -i 0.2 198.18.35.2 >/dev/null
between netdevnl:qstats-after-channels-1 "$(stats64 rx)" "$(devstat rx_packets)" "$(stats64 rx)"
B ethtool -L nlb combined 2

# Page pools: one per RX queue, owned by nlb and its queues' NAPIs.
B "$NL" queues "$ifb" >/tmp/nl-queues.json
B "$NL" page-pools "$ifb" >/tmp/nl-pools.json
n=$(jq -s 'length' /tmp/nl-pools.json)
expect netdevnl:page-pools-per-queue "${n:-0}" -eq 2
same=$(jq -n --slurpfile q /tmp/nl-queues.json --slurpfile p /tmp/nl-pools.json \
	'([$q[].napi_id] | unique) == ([$p[].napi_id] | unique)')
check netdevnl:page-pools-napi test "$same" = true
# Down: every page is back, so the pools are destroyed, not left detached.
# The last pages come back from the sockets that held them, so wait.
pools_n() { B "$NL" page-pools "$ifb" | jq -s 'length'; }
B ip link set nlb down
wait_for '[ "$(pools_n)" = 0 ]' 5
n=$(pools_n)
expect netdevnl:page-pools-gone-when-down "${n:-1}" -eq 0
B ip link set nlb up

dmesg_check netdevnl:dmesg
taint_check netdevnl:taint
