#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Smoke: the VM's networking works (veth between two netns), then xnic loads,
# `ip link add NAME type xnic` makes a pair with an auto-named peer, deleting
# either end deletes both, and the module unloads cleanly.
set -eu -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"

dmesg_mark

# 198.18.0.0/15 is the benchmarking range: never a real host.
ns_add smoke_a
ns_add smoke_b
ip link add veth_a netns smoke_a type veth peer name veth_b netns smoke_b
in_ns smoke_a ip addr add 198.18.0.1/24 dev veth_a
in_ns smoke_b ip addr add 198.18.0.2/24 dev veth_b
in_ns smoke_a ip link set veth_a up
in_ns smoke_b ip link set veth_b up
check smoke:veth-ping in_ns smoke_a ping -c 1 -W 10 198.18.0.2

xnic_links() {
	ip -o link show type xnic | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
}

if xnic_load; then
	pass smoke:modprobe
	before=$(xnic_links)
	on_exit "ip link del xnictest0 2>/dev/null"
	if ip link add xnictest0 type xnic; then
		new=$(comm -13 <(echo "$before") <(xnic_links))
		peer=$(grep -vx xnictest0 <<<"$new" || true)
		echo "    new xnic links: ${new//$'\n'/ }"
		if [ "$(grep -c . <<<"$new")" -eq 2 ] && grep -qx xnictest0 <<<"$new"; then
			pass smoke:pair-created
		else
			fail smoke:pair-created "expected xnictest0 and one auto-named peer, got: ${new//$'\n'/ }"
		fi
		# Delete the auto-named end: the named one must go with it.
		if [ "$(grep -c . <<<"$peer")" -eq 1 ] && ip link del "$peer" &&
			! ip link show xnictest0 >/dev/null 2>&1 &&
			! ip link show "$peer" >/dev/null 2>&1; then
			pass smoke:pair-deleted
		else
			fail smoke:pair-deleted "deleting peer '$peer' did not remove both ends"
		fi
	else
		fail smoke:pair-created "ip link add xnictest0 type xnic failed"
		skip smoke:pair-deleted "no pair"
	fi
	check smoke:rmmod xnic_unload
else
	fail smoke:modprobe "modprobe xnic failed"
	skip smoke:pair-created "xnic not loaded"
	skip smoke:pair-deleted "xnic not loaded"
	skip smoke:rmmod "xnic not loaded"
fi

dmesg_check smoke:dmesg
taint_check smoke:taint
