#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Link lifecycle: creation with an auto-named peer, kind, random MACs,
# carrier following the peer, namespace moves, queue counts, and deleting
# either end (or its namespace) deleting both.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"

dmesg_mark
xnic_load || { fail link:modprobe "modprobe xnic failed"; exit 0; }

ip link add lk0 type xnic
peer=$(peer_of lk0)
on_exit "ip link del lk0 2>/dev/null"
check link:peer-auto-named test -n "$peer" -a "${peer#xnic}" != "$peer"
check link:kind sh -c 'ip -d link show lk0 | grep -qw xnic'
kinds=$(ip -d -o link show "$peer" | grep -c 'xnic ')
expect link:peer-kind "$kinds" -eq 1

# Random MACs (NET_ADDR_RANDOM), different each time. Created inside a
# namespace: in init_net udev's MACAddressPolicy=persistent replaces random
# addresses with name-derived ones (assign type 3), hiding the driver's.
ns_add lk_m
macs() {
	ip -n lk_m link add lkm0 type xnic || return 1
	local p
	p=$(ip -n lk_m -o link show lkm0 | awk -F': ' '{ split($2, x, "@"); print x[2] }')
	in_ns lk_m cat /sys/class/net/lkm0/address /sys/class/net/"$p"/address \
		/sys/class/net/lkm0/addr_assign_type /sys/class/net/"$p"/addr_assign_type | tr '\n' ' '
	ip -n lk_m link del lkm0
}
m1=$(macs)
m2=$(macs)
set -- $m1
if [ "$1" != "$2" ] && [ "$3" = 1 ] && [ "$4" = 1 ] && [ "$m1" != "$m2" ] &&
	[ $((0x${1%%:*} & 3)) -eq 2 ]; then
	pass link:random-macs
else
	fail link:random-macs "first pair: $m1; second pair: $m2"
fi

# Carrier: up only when both ends are up.
ip link set lk0 up
check link:no-carrier-alone test "$(cat /sys/class/net/lk0/carrier)" = 0
ip link set "$peer" up
check link:carrier-both-up wait_for "[ \$(cat /sys/class/net/lk0/carrier) = 1 ]" 5
ip link set "$peer" down
check link:carrier-follows-peer-down test "$(cat /sys/class/net/lk0/carrier)" = 0
ip link set "$peer" up

# Deleting the peer takes both.
ip link del "$peer"
if ! ip link show lk0 >/dev/null 2>&1; then pass link:del-peer-deletes-both; else fail link:del-peer-deletes-both; fi

# Given MAC, queue counts.
ip link add lk1 address 02:00:00:00:00:42 numtxqueues 4 numrxqueues 4 type xnic
on_exit "ip link del lk1 2>/dev/null"
check link:given-mac test "$(cat /sys/class/net/lk1/address)" = 02:00:00:00:00:42
max=$(ethtool -l lk1 | awk '/^Combined:/ { print $2; exit }')
cur=$(ethtool -l lk1 | awk '/^Combined:/ { v = $2 } END { print v }')
expect link:queues-max "$max" -eq 4
expect link:queues-current "$cur" -eq 4
check link:bad-mac-refused sh -c '! ip link add lk9 address 01:00:00:00:00:01 type xnic 2>/dev/null'
check link:bad-mtu-refused sh -c '! ip link add lk9 mtu 9100 type xnic 2>/dev/null'
ip link del lk1

# Ends in two namespaces: traffic, then deleting a namespace deletes both.
ns_add lk_a
ns_add lk_b
pair_add lka lkb lk_a lk_b
pair_addr lk_a lka lk_b lkb 198.18.1
check link:ping-across-netns in_ns lk_a ping -c 2 -W 5 198.18.1.2
# Move one end to a third namespace and back while the other stays up.
ns_add lk_c
ip -n lk_b link set lkb netns lk_c
check link:moved-end-exists ip -n lk_c link show lkb
ip -n lk_c link set lkb netns lk_b
ip -n lk_b addr add 198.18.1.2/24 dev lkb 2>/dev/null
ip -n lk_b link set lkb up
check link:ping-after-move in_ns lk_a ping -c 2 -W 5 198.18.1.2
ip netns del lk_b
# The namespace is torn down by a workqueue (cleanup_net), not by the call.
check link:netns-del-deletes-both wait_for "! ip -n lk_a link show lka >/dev/null 2>&1" 10

dmesg_check link:dmesg
taint_check link:taint
