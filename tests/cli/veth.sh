#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Root-only checks of xnicctl's rtnetlink plumbing against veth, through
# the XNICCTL_KIND=veth test hook (veth's VETH_INFO_PEER has the layout
# of IFLA_XNIC_PEER), so they run without the xnic module. Creates one
# netns and one veth pair with unique names and removes them on exit.
# Called by tests/cli/run.sh from the repository root.
set -u
. tests/lib/report.sh

x=userspace/xnicctl
ns=xnicctl-test-$$
a=xct$$a
b=xct$$b
status=0

# Every name a check could create, even one that wrongly succeeded.
cleanup() {
	for l in "$b" "${b}x" "${b}y" "${b}z"; do
		ip link del "$l" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT

# expect NAME STATUS CMD...: CMD must exit with STATUS.
expect() {
	name=$1 want=$2
	shift 2
	"$@" >/dev/null 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass "cli/veth/$name"
	else
		fail "cli/veth/$name" "exit $got, expected $want: $*"
		status=1
	fi
}

# truth NAME WHY CMD...: CMD must succeed.
truth() {
	name=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		pass "cli/veth/$name"
	else
		fail "cli/veth/$name" "$why"
		status=1
	fi
}

if ! ip netns add "$ns" 2>/dev/null; then
	skip cli/veth "cannot create a netns here"
	exit 0
fi
if ! ip link add "$a" type veth peer name "$b" 2>/dev/null; then
	skip cli/veth "no veth support in this kernel"
	exit 0
fi
ip link del "$a"

export XNICCTL_KIND=veth
expect add 0 $x link add "$a" peer "$b" netns "$ns" queues 2 \
	address 02:00:00:00:00:0a peer-address 02:00:00:00:00:0b
truth add-placement "NAME not in the netns or PEER not here" \
	sh -c "ip -n $ns link show $a && ip link show $b"
truth add-queues "queues 2 not applied to both ends" sh -c "
	ip -n $ns -d -j link show $a | jq -e '.[0].num_tx_queues == 2 and .[0].num_rx_queues == 2' &&
	ip -d -j link show $b | jq -e '.[0].num_tx_queues == 2 and .[0].num_rx_queues == 2'"
truth add-address "MAC addresses not applied" sh -c "
	ip -n $ns -j link show $a | jq -e '.[0].address == \"02:00:00:00:00:0a\"' &&
	ip -j link show $b | jq -e '.[0].address == \"02:00:00:00:00:0b\"'"

truth show-json "show --json does not report the pair as the kernel does" sh -c "
	ai=\$(ip -n $ns -j link show $a | jq '.[0].ifindex')
	$x link show --json | jq -e --arg b $b --argjson ai \$ai \
		'map(select(.name == \$b)) | length == 1 and
		 .[0].peer_ifindex == \$ai and .[0].peer_netnsid != null and
		 .[0].tx_queues == 2 and .[0].rx_queues == 2 and
		 .[0].state == \"down\" and .[0].mtu == 1500'"
truth show-netns "show NAME netns NS does not find NAME" sh -c "
	$x link show $a netns $ns | grep -q '^$a '"
truth show-kind-filter "show does not list exactly the veth links" sh -c "
	[ \"\$($x link show --json | jq -r '.[].name' | sort)\" = \
	  \"\$(ip -j link show type veth | jq -r '.[].ifname' | sort)\" ]"
truth show-default-kind "without the hook, show lists a veth link" sh -c "
	XNICCTL_KIND= $x link show --json | jq -e 'map(select(.name == \"$b\")) | length == 0'"

expect add-exists 2 $x link add "$b" peer "${b}x"
expect add-bad-netns-changes-nothing 1 $x link add "${a}y" peer "${b}y" \
	netns "$ns-nonexistent"
truth add-bad-netns-nothing-created "a link was created" sh -c "
	! ip link show ${a}y && ! ip link show ${b}y"
expect del-other-kind 5 $x link del lo
truth del-other-kind-kept "lo is gone" ip link show lo
if command -v setpriv >/dev/null; then
	expect add-not-root 3 setpriv --reuid=65534 --regid=65534 \
		--clear-groups $x link add "${a}z" peer "${b}z"
	expect del-not-root 3 setpriv --reuid=65534 --regid=65534 \
		--clear-groups $x link del "$b"
fi
expect del 0 $x link del "$b"
truth del-both-ends "an end of the pair survived" sh -c "
	! ip link show $b && ! ip -n $ns link show $a"
expect del-missing 5 $x link del "$b"

if [ ! -e /sys/module/xnic ]; then
	expect add-no-module 4 env -u XNICCTL_KIND $x link add "$a" peer "$b"
fi
exit $status
