#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xnicctl's datapath commands (attach, detach, prefilter, arp-block,
# stats, status) end to end, with the prefilter pinned under
# /sys/fs/bpf/xnic:
#
#   x_a: xa ==xnic== xb  (native XDP on xb, in the initial netns)
#   x_v: va ==veth== vb  (generic XDP on vb, in the initial netns)
#
# Covered: attach in both modes, idempotent re-attach, atomic replacement
# by a newer object (link and maps kept), blocklists filled before attach
# and kept across detach, per-device counters, another tool's program
# refused and left alone, bad arguments changing nothing, exit statuses.
#
# The devices xnicctl manages stay in the initial network namespace and
# xnicctl always runs there: `ip netns exec` remounts /sys, which hides
# /sys/fs/bpf, and xnicctl finds devices by name in its own netns. Only
# the senders are in namespaces. Counters are compared as deltas.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
X=$root/userspace/xnicctl
PASS_OBJ=$root/tests/progs/xdp_pass.o
PIN=/sys/fs/bpf/xnic
t=xnicctl

xnicctl_case_begin $t "$X" || exit 0
check $t:bpffs sh -c '[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]'
rm -rf $PIN
# Removing the pins detaches what is left: links live by their pins.
on_exit "rm -rf $PIN"

ns_add x_a
ns_add x_v
pair_add xa xb x_a "" 1
ip link add va netns x_v type veth peer name vb
ip -n x_a addr add 198.18.80.1/24 dev xa
ip addr add 198.18.80.2/24 dev xb
ip -n x_v addr add 198.18.81.1/24 dev va
ip addr add 198.18.81.2/24 dev vb
ip -n x_a link set xa up
ip -n x_v link set va up
ip link set xb up
ip link set vb up
on_exit "ip link del xb 2>/dev/null; ip link del vb 2>/dev/null"
SRC=198.18.80.1
DST=198.18.80.2
VSRC=198.18.81.1
VDST=198.18.81.2

A() { in_ns x_a "$@"; }
V() { in_ns x_v "$@"; }
ping_ok() { A ping -c 2 -i 0.2 -W 5 -q "${1:-$DST}" >/dev/null; }
ping_fails() { ! A ping -c 2 -i 0.2 -W 1 -q "${1:-$DST}" >/dev/null; }
vping_ok() { V ping -c 2 -i 0.2 -W 5 -q $VDST >/dev/null; }
vping_fails() { ! V ping -c 2 -i 0.2 -W 1 -q $VDST >/dev/null; }

# One counter of DEV: packets for REASON, summed over CPUs by xnicctl.
count() {
	"$X" stats "$1" --json |
		jq -r --arg r "$2" '.devices[0].reasons[] | select(.reason == $r) | .packets'
}
# The device's XDP program id as the kernel reports it, or 0.
prog_id() { ip -j link show "$1" | jq '.[0].xdp.prog.id // 0'; }
status_field() {
	"$X" status --json | jq -r --arg d "$1" ".devices[] | select(.dev == \$d) | .$2"
}
lists() { "$X" prefilter list; "$X" prefilter list --json; "$X" arp-block list --json; }

check $t:baseline-ping ping_ok

# --- bad arguments before anything exists: exit 1, nothing created ----
xn bad-cidr-exit-1 1 prefilter add 192.0.2.1 10.0.0.1/8
check $t:bad-cidr-one-line sh -c "[ \"\$(wc -l </tmp/xnicctl.err)\" -eq 1 ]"
check $t:bad-cidr-created-nothing test ! -e $PIN

# --- blocklists provisioned before any attach ----------------------
xn provision-add 0 prefilter add 198.18.99.0/24
check $t:provision-maps-pinned test -e $PIN/pf_v4_lpm -a -e $PIN/pf_arp
expect $t:provision-entry-counted "$("$X" status --json | jq '.maps[] | select(.name == "pf_v4_lpm") | .entries')" -eq 1
xn provision-del 0 prefilter del 198.18.99.0/24
check $t:provision-list-empty sh -c "[ -z \"\$($X prefilter list)\" ]"

# --- attach native on xnic ------------------------------------------
xn attach-native 0 attach xb
check $t:native-is-driver-mode sh -c "bpftool net show dev xb | grep -q 'xb([0-9]*) driver id'"
ID=$(prog_id xb)
expect $t:native-prog-attached "$ID" -gt 0
expect $t:status-prog-id "$(status_field xb prog_id)" -eq "$ID"
check $t:status-mode-native sh -c "[ \"\$($X status --json | jq -r '.devices[] | select(.dev == \"xb\") | .mode')\" = native ]"
check $t:link-pinned test -e $PIN/dev/xb/link
check $t:stats-pinned test -e $PIN/dev/xb/pf_stats
LINK=$(status_field xb link_id)

# xnicctl has exited: the pinned link keeps the program running.
p0=$(count xb pass_ipv4)
check $t:pinned-link-runs-after-exit ping_ok
expect $t:pass-ipv4-counted $(($(count xb pass_ipv4) - p0)) -ge 2

# --- idempotent attach --------------------------------------------------
xn reattach-same 0 attach xb
check $t:reattach-says-already grep -q 'already attached' <<<"$OUT"
expect $t:reattach-same-prog "$(prog_id xb)" -eq "$ID"
expect $t:reattach-same-link "$(status_field xb link_id)" -eq "$LINK"
xn reattach-other-mode-refused 6 attach xb --xdp generic
expect $t:other-mode-left-alone "$(prog_id xb)" -eq "$ID"

# --- a newer program object replaces the running one atomically ---------
# The same source built for another BPF ISA: other instructions, other
# tag, same maps. XNICCTL_PREFILTER_OBJ (a test hook) makes xnicctl load
# it instead of its embedded object, as a newer xnicctl would.
NEWER=/tmp/xdp_prefilter.v2.bpf.o
if clang -O2 -g -target bpf -mcpu=v2 -I/usr/include/"$(uname -m)"-linux-gnu \
	-c "$root/bpf/xdp_prefilter.bpf.c" -o $NEWER; then
	xn update-seed 0 prefilter add $SRC
	check $t:update-seed-blocks ping_fails
	d0=$(count xb drop_v4_exact)
	XNICCTL_PREFILTER_OBJ=$NEWER xn update-newer 0 attach xb
	check $t:update-says-updated grep -q 'updated' <<<"$OUT"
	NEW_ID=$(prog_id xb)
	expect $t:update-prog-attached "$NEW_ID" -gt 0
	expect $t:update-new-prog "$NEW_ID" -ne "$ID"
	expect $t:update-same-link "$(status_field xb link_id)" -eq "$LINK"
	check $t:update-kept-blocklist ping_fails
	expect $t:update-kept-counters $(($(count xb drop_v4_exact) - d0)) -ge 2
	XNICCTL_PREFILTER_OBJ=$NEWER xn update-newer-again 0 attach xb
	expect $t:update-idempotent "$(prog_id xb)" -eq "$NEW_ID"
	xn update-back 0 attach xb
	ID=$(prog_id xb)
	expect $t:update-back-new-prog "$ID" -ne "$NEW_ID"
	expect $t:update-back-same-link "$(status_field xb link_id)" -eq "$LINK"
	xn update-unseed 0 prefilter del $SRC
	check $t:update-unseed-ping-back ping_ok
else
	fail $t:update-build "cannot build $NEWER"
fi

# --- prefilter: exact address and CIDR -----------------------------------
d0=$(count xb drop_v4_exact)
xn exact-add 0 prefilter add $SRC
check $t:exact-ping-fails ping_fails
expect $t:exact-drops-counted $(($(count xb drop_v4_exact) - d0)) -ge 2
xn exact-del 0 prefilter del $SRC/32
check $t:exact-del-ping-back ping_ok

d0=$(count xb drop_v4_cidr)
xn cidr-add 0 prefilter add 198.18.80.0/24
check $t:cidr-ping-fails ping_fails
expect $t:cidr-drops-counted $(($(count xb drop_v4_cidr) - d0)) -ge 2
xn cidr-del 0 prefilter del 198.18.80.0/24
check $t:cidr-del-ping-back ping_ok
expect $t:same-prog-after-edits "$(prog_id xb)" -eq "$ID"

# --- arp-block: the sender (ar_sip) ---------------------------------
d0=$(count xb drop_arp_sender)
xn arp-add 0 arp-block add $SRC
A ip neigh flush dev xa
ip neigh flush dev xb
check $t:arp-ping-fails ping_fails
expect $t:arp-sender-drops-counted $(($(count xb drop_arp_sender) - d0)) -ge 1
check $t:arp-neigh-unresolved sh -c "! ip -n x_a neigh show $DST dev xa | grep -q lladdr"
xn arp-del 0 arp-block del $SRC
# xa may still hold the entry INCOMPLETE from the blocked attempt, and
# ping's packets queued on it are lost when it fails: start over.
A ip neigh flush dev xa
check $t:arp-del-ping-back ping_ok
# The target is not the sender: blocking xb's own address changes nothing.
xn arp-add-target 0 arp-block add $DST
A ip neigh flush dev xa
check $t:arp-blocked-target-ping-ok ping_ok
xn arp-del-target 0 arp-block del $DST

# --- bad arguments change nothing --------------------------------------
xn seed-add 0 prefilter add 203.0.113.0/24 2001:db8::/32 2001:db8::7
# A prefix inside another is an entry of its own (a trie lookup of it
# would hit the covering one).
xn seed-nested 0 prefilter add 203.0.113.0/25
xn seed-arp 0 arp-block add 203.0.113.9
before=$(lists)
xn bad-host-bits 1 prefilter add 198.51.100.1 10.0.0.1/8
xn bad-len 1 prefilter add 198.51.100.1 198.51.100.0/33
xn bad-dup 1 prefilter add 198.51.100.1 198.51.100.1/32
xn bad-v6-dup 1 prefilter del 2001:db8::7 2001:DB8:0::7
xn bad-garbage 1 prefilter add 198.51.100.1 nonsense
xn bad-arp-v6 1 arp-block add 198.51.100.1 2001:db8::1
xn bad-arp-prefix 1 arp-block del 203.0.113.9 203.0.113.0/24
# Valid words, one of them absent: refused by the map (2), nothing deleted.
xn del-absent 2 prefilter del 203.0.113.0/24 198.51.100.77
xn del-covered-absent 2 prefilter del 203.0.113.0/24 203.0.113.128/25
after=$(lists)
check $t:bad-args-lists-unchanged [ "$before" = "$after" ]
expect $t:seeded-entries-listed "$("$X" prefilter list --json | jq length)" -eq 4

# --- the grammar of ip and bpftool ------------------------------------
# A prefix runs the same command, "show" is "list", -j before the command
# is --json after it, and -p is the same JSON, indented.
check $t:prefix-same-output [ "$("$X" pref sh --json)" = "$("$X" prefilter list --json)" ]
check $t:global-j-is-json [ "$("$X" -j prefilter list)" = "$("$X" prefilter list --json)" ]
check $t:pretty-same-json [ "$("$X" -p prefilter list | jq -c .)" = "$("$X" prefilter list --json | jq -c .)" ]
check $t:pretty-indented sh -c "$X prefilter list -p | grep -q '^        \"entry\": \"'"
# --prometheus: the same figure as --json, in a typed family.
"$X" stats xb --prometheus >/tmp/xnicctl.prom
J=$(count xb pass_ipv4)
expect $t:prometheus-has-traffic "$J" -gt 0
expect $t:prometheus-equals-json "$(awk '/^xnic_prefilter_packets_total[{]dev="xb",reason="pass_ipv4",/ { print $2 }' /tmp/xnicctl.prom)" -eq "$J"
check $t:prometheus-typed grep -qx '# TYPE xnic_prefilter_packets_total counter' /tmp/xnicctl.prom
# A UTF-8 interface name stays as it is in JSON, not escaped byte by byte.
if ip link add xné type xnic; then
	check $t:utf8-name-kept [ "$("$X" link show xné --json | jq -r '.[0].name')" = xné ]
	"$X" link show xné --json | cut -c1-40
	check $t:utf8-name-unescaped sh -c "! $X link show xné --json | grep -qF '\\u00'"
	ip link del xné
else
	fail $t:utf8-name-kept "ip link add xné type xnic failed"
fi

# --- generic mode on veth; per-device counters, shared blocklists ------
xn attach-generic 0 attach vb --xdp generic
check $t:generic-mode sh -c "bpftool net show dev vb | grep -q 'vb([0-9]*) generic id'"
check $t:veth-baseline-ping vping_ok
v0=$(count vb drop_v4_exact)
x0=$(count xb drop_v4_exact)
xn shared-add 0 prefilter add $VSRC
check $t:shared-list-blocks-veth vping_fails
expect $t:veth-drops-counted $(($(count vb drop_v4_exact) - v0)) -ge 2
expect $t:xnic-counters-separate $(($(count xb drop_v4_exact) - x0)) -eq 0
xn shared-del 0 prefilter del $VSRC
check $t:veth-ping-back vping_ok
check $t:status-lists-both sh -c "[ \"\$($X status --json | jq -r '[.devices[] | select(.attached) | .dev + \":\" + .mode] | join(\",\")')\" = 'vb:generic,xb:native' ]"

# --- detach keeps the data ---------------------------------------------
before=$(lists)
s0=$(count xb pass_ipv4)
xn detach-native 0 detach xb
expect $t:detached-no-prog "$(prog_id xb)" -eq 0
check $t:detach-unpinned-link test ! -e $PIN/dev/xb/link
check $t:detach-kept-stats test -e $PIN/dev/xb/pf_stats
check $t:detach-kept-maps test -e $PIN/pf_v4_lpm -a -e $PIN/pf_v4_exact -a -e $PIN/pf_arp
check $t:detach-kept-content [ "$before" = "$(lists)" ]
xn detach-again-noop 0 detach xb
expect $t:vb-untouched-by-xb-detach "$(prog_id vb)" -gt 0

# Provisioned while detached, effective from the first frame of attach.
xn detached-add 0 prefilter add $SRC
check $t:detached-list-inert ping_ok
xn attach-again 0 attach xb
check $t:reattach-blocks-at-once ping_fails
expect $t:stats-survive-reattach "$(count xb pass_ipv4)" -ge "$s0"
xn attach-again-del 0 prefilter del $SRC
check $t:reattach-ping-back ping_ok
xn xdp-off 0 attach xb --xdp off
expect $t:xdp-off-detached "$(prog_id xb)" -eq 0

# --- another tool's program: refused, and left alone ---------------
if ip link set dev xb xdpdrv obj "$PASS_OBJ" sec xdp; then
	FID=$(prog_id xb)
	xn foreign-attach-refused 6 attach xb
	check $t:foreign-attach-message grep -q 'not attached by xnicctl' <<<"$ERR"
	expect $t:foreign-kept-after-attach "$(prog_id xb)" -eq "$FID"
	xn foreign-detach-refused 6 detach xb
	expect $t:foreign-kept-after-detach "$(prog_id xb)" -eq "$FID"
	check $t:foreign-no-pin test ! -e $PIN/dev/xb/link
	ip link set dev xb xdpdrv off
else
	fail $t:foreign-attach "ip link set dev xb xdpdrv obj $PASS_OBJ failed (run make)"
fi

# --- a device that goes away leaves a defunct link; its name reattaches -
ip link del vb
check $t:gone-device-not-attached sh -c "[ \"\$($X status --json | jq -r '.devices[] | select(.dev == \"vb\") | .attached')\" = false ]"
ip link add va netns x_v type veth peer name vb
xn recreated-attach 0 attach vb --xdp generic
expect $t:recreated-prog "$(prog_id vb)" -gt 0
xn recreated-detach 0 detach vb

# --- killed mid-way: every entry whole, the lock free, a re-run finishes ---
# SIGKILL leaves no chance to undo, so a killed add may have written a
# part of its entries; each of those is complete, the program and the
# link are untouched, and running the same command again completes it.
xn kill-attach 0 attach xb
KID=$(prog_id xb)
# Both blocklists nearly full: 16,000 prefixes and 16,000 addresses.
mapfile -t MANY < <(for i in $(seq 0 15999); do
	echo "10.$((i / 256)).$((i % 256)).0/24"
	echo "11.$((i / 256)).$((i % 256)).1"
done)
in10() {
	"$X" prefilter list --json |
		jq '[.[] | select(.entry | test("^1[01][.]"))] | length'
}
# Kill it a moment after it starts. Before its first write or after its
# last, the moment moves (bisecting between the latest too-early and the
# earliest too-late one) and it runs again, with nothing left over.
delay=0.3 early=0 late=0
for try in $(seq 12); do
	"$X" prefilter add "${MANY[@]}" >/dev/null 2>&1 &
	kp=$!
	sleep "$delay"
	kill -9 $kp 2>/dev/null
	wait $kp 2>/dev/null
	killed=$(in10)
	echo "    try $try: killed after ${delay}s, $killed of ${#MANY[@]} entries written"
	[ "$killed" -gt 0 ] && [ "$killed" -lt ${#MANY[@]} ] && break
	if [ "$killed" -ge ${#MANY[@]} ]; then
		"$X" prefilter del "${MANY[@]}" >/dev/null
		late=$delay
	else
		early=$delay
	fi
	delay=$(awk -v e="$early" -v l="$late" 'BEGIN {
		if (l == 0) print e * 1.7; else print (e + l) / 2 }')
done
expect $t:killed-mid-way "$(((killed > 0) + (killed < ${#MANY[@]})))" -eq 2
expect $t:killed-prog-same "$(prog_id xb)" -eq "$KID"
check $t:killed-ping-ok ping_ok
xn killed-rerun 0 prefilter add "${MANY[@]}"
expect $t:killed-rerun-complete "$(in10)" -eq ${#MANY[@]}
xn killed-cleanup 0 prefilter del "${MANY[@]}"
expect $t:killed-cleanup-empty "$(in10)" -eq 0
xn kill-detach 0 detach xb

# -v: libbpf's own log on stderr; without it, none.
check $t:verbose-libbpf-log sh -c "$X -v prefilter list 2>&1 >/dev/null | grep -q '^libbpf: '"
check $t:quiet-without-v sh -c "[ -z \"\$($X prefilter list 2>&1 >/dev/null)\" ]"

# --- no bpffs: its own exit status -------------------------------------
check $t:no-bpffs-exit-7 sh -c "unshare -m sh -c 'umount /sys/fs/bpf && $X status; [ \$? -eq 7 ]' 2>/dev/null"

dmesg_check $t:dmesg
taint_check $t:taint
