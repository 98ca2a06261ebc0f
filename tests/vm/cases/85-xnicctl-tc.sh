#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xnicctl driving the tc policy (bpf/tc_policy.bpf.c) end to end:
# attach --tc, policy add|del|list|default|identity, stats and status,
# detach, with real traffic over an xnic pair:
#
#   t_a: ta ==xnic== tb   (tc_ingress and tc_egress on tb, initial netns)
#
# Covered: rules written at run time change verdicts while the same
# programs run (prog ids unchanged); defaults; the identity as skb->mark
# (an iptables mark match counts it); insertion and deletion keep the
# order and move hit counters with their rules; exact counters for a
# known number of pings; a policy written before attach; idempotent
# re-attach and atomic replacement by a newer object keeping every map;
# the XDP prefilter's metadata read by tc ingress (every frame counted
# with native XDP in front, none without, no disagreement); status
# listing the drop event maps;
# detach removing only xnicctl's filters (another tool's survive, one at
# xnicctl's place refuses attach and detach); a full list; bad
# arguments changing nothing; dmesg and taint.
#
# tb stays in the initial namespace, where xnicctl runs and pins under
# /sys/fs/bpf/xnic (`ip netns exec` remounts /sys); only the sender is
# in a namespace. IPv6 is off on both ends so the counters see only the
# pings and ARP. Counters are compared as deltas.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
X=$root/userspace/xnicctl
OBJ=$root/bpf/tc_policy.bpf.o
PIN=/sys/fs/bpf/xnic
t=xnicctl-tc

xnicctl_case_begin $t "$X" "$OBJ" || exit 0
check $t:bpffs sh -c '[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]'
rm -rf $PIN
on_exit "rm -rf $PIN"

ns_add t_a
pair_add ta tb t_a "" 1
on_exit "ip link del tb 2>/dev/null"
in_ns t_a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
sysctl -qw net.ipv6.conf.tb.disable_ipv6=1
ip -n t_a addr add 198.18.85.1/24 dev ta
ip addr add 198.18.85.2/24 dev tb
ip -n t_a link set ta up
ip link set tb up
SRC=198.18.85.1
DST=198.18.85.2
N=5		# pings per exact count
FRAME=98	# 56 bytes of data + ICMP 8 + IPv4 20 + Ethernet 14: skb->len at tc
ID=42

A() { in_ns t_a "$@"; }
ping_n() { A ping -c "$1" -i 0.2 -W 3 -s 56 -q $DST >/dev/null; }
ping_ok() { ping_n 3; }
ping_fails() { ! A ping -c 3 -i 0.2 -W 1 -q $DST >/dev/null; }

# The program id of the filter at xnicctl's place (pref 0x786e = 30830,
# handle 0x786e) on tb's DIR hook, as tc reports it; 0 if none.
tc_id() {
	tc -j filter show dev tb "$1" 2>/dev/null |
		jq -s 'add // [] | [.[] | select(.pref == 30830 and .options.handle == "0x786e") | .options.prog.id][0] // 0'
}
# The program id of the filter at pref 40000 (another tool's), or 0.
foreign_id() {
	tc -j filter show dev tb ingress 2>/dev/null |
		jq -s 'add // [] | [.[] | select(.pref == 40000 and .options != null) | .options.prog.id][0] // 0'
}
ids() { echo "$(tc_id ingress) $(tc_id egress)"; }
# hits DIR I FIELD: rule I's packets or bytes from `policy list --json`.
hits() { "$X" policy list tb --json | jq ".$1.rules[$2].$3 // -1"; }
# pstat DIR REASON: tb's policy counter from `stats --json`.
pstat() {
	"$X" stats tb --json |
		jq --arg d "$1" --arg r "$2" '.devices[0].policy[] | select(.direction == $d and .reason == $r) | .packets'
}
order() { "$X" policy list tb --json | jq -r ".$1.rules | map(.dport) | join(\",\")"; }
# mstat DIR COUNTER: tb's prefilter metadata counter (seen, mismatch).
mstat() {
	"$X" stats tb --json |
		jq --arg d "$1" --arg c "$2" '[.devices[0].meta[] | select(.direction == $d and .counter == $c) | .packets][0] // -1'
}
# ptotal DIR: tb's policy counters of every reason, summed.
ptotal() {
	"$X" stats tb --json | jq --arg d "$1" '[.devices[0].policy[] | select(.direction == $d) | .packets] | add'
}
status_tc() {
	"$X" status --json | jq -r --arg d "$1" '.tc[] | select(.dev == "tb" and .direction == $d) | '"$2"
}

check $t:baseline-ping ping_ok

# --- bad arguments before anything exists: exit 1, nothing created ---
xn bad-cidr-exit-1 1 policy add tb ingress deny src 10.0.0.1/8
check $t:bad-cidr-one-line sh -c '[ "$(wc -l </tmp/xnicctl.err)" -eq 1 ]'
xn bad-family-mix 1 policy add tb ingress deny src 10.0.0.0/8 dst 2001:db8::1
xn bad-no-family 1 policy add tb ingress deny proto tcp
check $t:bad-created-nothing test ! -e $PIN/dev/tb
xn list-no-policy-exit-5 5 policy list tb
xn add-no-device-exit-5 5 policy add nosuchdev0 ingress deny family ipv4
check $t:no-device-no-pins test ! -e $PIN/dev/nosuchdev0

# --- a policy written before attach is inert, then effective at once ---
xn pre-identity 0 policy identity tb $ID
xn pre-deny 0 policy add tb ingress deny src $SRC/32 proto icmp
check $t:pre-maps-pinned test -e $PIN/dev/tb/pol_rules -a -e $PIN/dev/tb/pol_config \
	-a -e $PIN/dev/tb/pol_rule_stats -a -e $PIN/dev/tb/pol_stats
check $t:pre-inert ping_ok
expect $t:pre-not-attached "$(tc_id ingress)" -eq 0

xn attach-tc 0 attach tb --tc
check $t:attach-says-attached grep -q 'tc policy attached' <<<"$OUT"
IDS=$(ids)
expect $t:ingress-attached "${IDS% *}" -gt 0
expect $t:egress-attached "${IDS#* }" -gt 0
check $t:clsact-created sh -c 'tc qdisc show dev tb | grep -q clsact'
check $t:pre-deny-effective ping_fails
xn pre-del 0 policy del tb ingress 0
check $t:pre-del-ping-back ping_ok

# The programs use exactly the pinned maps; xnic_* maps, if the object
# has any, are the shared pins under $PIN.
# tc_egress never reads XDP metadata (receive only): no pol_meta_stats.
for d in ingress egress; do
	maps="pol_rules pol_config pol_rule_stats pol_stats pol_redirects pol_redir_stats"
	[ $d = egress ] || maps="$maps pol_meta_stats"
	want=$(for m in $maps; do
		bpftool map show pinned $PIN/dev/tb/$m -j | jq .id; done | sort -n | tr '\n' ' ')
	got=$(bpftool prog show id "$(tc_id $d)" -j |
		jq -r '.map_ids[]' | while read -r m; do
			n=$(bpftool map show id "$m" -j | jq -r .name)
			case $n in
			pol_*) echo "$m" ;;
			xnic_*) [ "$(bpftool map show pinned "$PIN/$n" -j 2>/dev/null | jq .id)" = "$m" ] ||
				echo "unpinned-$n" ;;
			esac
		done | sort -n | tr '\n' ' ')
	expect $t:$d-uses-pinned-maps "$([ "$want" = "$got" ] && echo 1 || echo 0)" -eq 1
done

# --- status shows the filters --------------------------------------
expect $t:status-ingress-prog "$(status_tc ingress .prog_id)" -eq "${IDS% *}"
expect $t:status-egress-prog "$(status_tc egress .prog_id)" -eq "${IDS#* }"
TAG=$(tc -j filter show dev tb ingress | jq -r '.[] | select(.options.handle == "0x786e") | .options.prog.tag')
check $t:status-tag [ "${TAG:-none}" = "$(status_tc ingress .tag)" ]
# The drop event maps, as bpftool sees their pins; the ring has no count.
for m in xnic_events xnic_ev_config xnic_ev_bucket xnic_ev_stats; do
	row=$("$X" status --json | jq -c --arg n $m '[.maps[] | select(.name == $n)][0]')
	expect $t:status-$m-id "$(jq '.id // -1' <<<"$row")" -eq "$(bpftool map show pinned $PIN/$m -j | jq .id)"
	expect $t:status-$m-max "$(jq '.max_entries // -1' <<<"$row")" -eq "$(bpftool map show pinned $PIN/$m -j | jq .max_entries)"
done
check $t:status-ring-no-entries [ "$("$X" status --json | jq '.maps[] | select(.name == "xnic_events") | .entries')" = null ]
check $t:status-text-ring sh -c "'$X' status | grep -Eq '^xnic_events +[0-9]+ +- +[0-9]+\$'"

# --- the identity as skb->mark, seen by iptables after tc ingress ----
iptables -t mangle -N xnic-tc 2>/dev/null
marks_ok=1
iptables -t mangle -I PREROUTING -i tb -j xnic-tc &&
iptables -t mangle -A xnic-tc -p icmp -m mark --mark $ID -m comment --comment marked &&
iptables -t mangle -A xnic-tc -p icmp -m mark ! --mark $ID -m comment --comment unmarked || marks_ok=0
on_exit "iptables -t mangle -D PREROUTING -i tb -j xnic-tc 2>/dev/null; iptables -t mangle -F xnic-tc; iptables -t mangle -X xnic-tc"
marked() { iptables -t mangle -nvxL xnic-tc | awk -v c="/* $1 */" 'index($0, c) { print $1 }'; }
if [ $marks_ok = 1 ]; then
	m0=$(marked marked); u0=$(marked unmarked)
	check $t:mark-ping ping_n $N
	expect $t:mark-all-marked "$(($(marked marked) - m0))" -eq $N
	expect $t:mark-none-unmarked "$(($(marked unmarked) - u0))" -eq 0
	xn identity-zero 0 policy identity tb 0
	m0=$(marked marked); u0=$(marked unmarked)
	check $t:unmark-ping ping_n $N
	expect $t:unmark-none-marked "$(($(marked marked) - m0))" -eq 0
	expect $t:unmark-all-unmarked "$(($(marked unmarked) - u0))" -eq $N
	xn identity-back 0 policy identity tb 0x2a
	check $t:identity-listed sh -c "[ \"\$($X policy list tb --json | jq .identity)\" -eq $ID ]"
else
	fail $t:mark "iptables mark match unavailable in the guest"
fi

# --- exact counters: N pings through an allow rule -----------------
xn exact-add 0 policy add tb ingress allow src $SRC/32 dst $DST proto icmp
p0=$(hits ingress 0 packets); b0=$(hits ingress 0 bytes)
r0=$(pstat ingress pass_rule); e0=$(pstat egress pass_default)
ms0=$(mstat ingress seen)
check $t:exact-ping ping_n $N
# No XDP program in front: no frame carries the prefilter's metadata.
expect $t:meta-none-without-prefilter "$(($(mstat ingress seen) - ms0))" -eq 0
expect $t:exact-rule-packets "$(($(hits ingress 0 packets) - p0))" -eq $N
expect $t:exact-rule-bytes "$(($(hits ingress 0 bytes) - b0))" -eq $((N * FRAME))
expect $t:exact-stats-pass-rule "$(($(pstat ingress pass_rule) - r0))" -eq $N
expect $t:exact-stats-egress-default "$(($(pstat egress pass_default) - e0))" -eq $N
xn exact-del 0 policy del tb ingress 0

# --- insertion and deletion: order and counters move with rules -----
xn order-deny 0 policy add tb ingress deny src $SRC/32 proto icmp
check $t:order-deny-blocks ping_fails
DENY_HITS=$(hits ingress 0 packets)
expect $t:order-deny-hit "$DENY_HITS" -ge 3
xn order-insert-allow 0 policy add tb ingress allow at 0 src $SRC/32 proto icmp
check $t:order-insert-says-0 grep -q 'ingress rule 0 added' <<<"$OUT"
expect $t:order-deny-moved-with-hits "$(hits ingress 1 packets)" -eq "$DENY_HITS"
check $t:order-deny-now-second sh -c "[ \"\$($X policy list tb --json | jq -r '.ingress.rules | map(.action) | join(\",\")')\" = allow,deny ]"
expect $t:order-new-rule-zero "$(hits ingress 0 packets)" -eq 0
check $t:order-allow-first-ping ping_n 3
expect $t:order-allow-hits "$(hits ingress 0 packets)" -eq 3
expect $t:order-deny-not-reached "$(hits ingress 1 packets)" -eq "$DENY_HITS"
xn order-del-allow 0 policy del tb ingress 0
expect $t:order-deny-moved-back "$(hits ingress 0 packets)" -eq "$DENY_HITS"
check $t:order-deny-first-again ping_fails
xn order-del-deny 0 policy del tb ingress 0
check $t:order-empty-ping ping_ok
# In the middle: dports 1001, 1002, 1003, then 1009 at 1, then del 2.
for p in 1001 1002 1003; do
	xn order-add-$p 0 policy add tb ingress deny family ipv4 proto tcp dport $p
done
xn order-insert-middle 0 policy add tb ingress deny family ipv4 proto tcp dport 1009 at 1
check $t:order-after-insert [ "$(order ingress)" = 1001,1009,1002,1003 ]
xn order-del-middle 0 policy del tb ingress 2
check $t:order-after-del [ "$(order ingress)" = 1001,1009,1003 ]
xn order-at-end 0 policy add tb ingress deny family ipv4 proto udp dport 7 at 3
check $t:order-at-end-appended [ "$(order ingress)" = 1001,1009,1003,7 ]
check $t:order-ping-unaffected ping_ok

# --- refused at run time (exit 2), nothing changed -----------------
before=$("$X" policy list tb --json | jq -c 'del(.. | .packets?, .bytes?)')
xn del-past-end-exit-2 2 policy del tb ingress 4
xn at-past-end-exit-2 2 policy add tb ingress deny family ipv4 at 5
xn bad-port-exit-1 1 policy add tb ingress deny family ipv4 proto tcp dport 80-70
xn bad-proto-exit-1 1 policy add tb ingress deny family ipv4 proto icmpv6
xn bad-index-exit-1 1 policy del tb ingress 64
xn bad-dir-exit-1 1 policy default tb both deny
xn bad-identity-exit-1 1 policy identity tb 4294967296
xn bad-attach-exit-1 1 attach tb --tc --xdp tc
after=$("$X" policy list tb --json | jq -c 'del(.. | .packets?, .bytes?)')
check $t:bad-args-policy-unchanged [ "$before" = "$after" ]
check $t:bad-args-filters-unchanged [ "$(ids)" = "$IDS" ]
for i in 3 2 1 0; do xn order-clean-$i 0 policy del tb ingress $i; done

# --- defaults --------------------------------------------------------
xn default-deny 0 policy default tb ingress deny
A ip neigh flush dev ta
ip neigh flush dev tb
d0=$(pstat ingress drop_default); a0=$(pstat ingress pass_arp)
check $t:default-deny-ping-fails ping_fails
expect $t:default-deny-counted "$(($(pstat ingress drop_default) - d0))" -ge 3
expect $t:default-deny-arp-passed "$(($(pstat ingress pass_arp) - a0))" -ge 1
check $t:default-deny-neigh-resolved sh -c "ip -n t_a neigh show $DST dev ta | grep -q lladdr"
xn default-deny-allow-icmp 0 policy add tb ingress allow family ipv4 proto icmp
check $t:default-deny-allowed-by-rule ping_ok
xn default-deny-del 0 policy del tb ingress 0
xn default-allow 0 policy default tb ingress allow
check $t:default-allow-ping ping_ok
xn egress-default-deny 0 policy default tb egress deny
check $t:egress-default-deny-ping-fails ping_fails
check $t:defaults-listed sh -c "[ \"\$($X policy list tb --json | jq -r '.ingress.default + \",\" + .egress.default')\" = allow,deny ]"
xn egress-default-allow 0 policy default tb egress allow
# Egress rule: tb's replies to ta dropped.
xn egress-deny 0 policy add tb egress deny dst $SRC/32 proto icmp
r0=$(pstat egress drop_rule)
check $t:egress-deny-ping-fails ping_fails
expect $t:egress-deny-counted "$(($(pstat egress drop_rule) - r0))" -ge 3
expect $t:egress-deny-hits "$(hits egress 0 packets)" -ge 3
xn egress-del 0 policy del tb egress 0
check $t:egress-ping-back ping_ok

# Every change so far ran on the programs attached at the start.
check $t:same-programs-throughout [ "$(ids)" = "$IDS" ]
expect $t:no-malformed "$(pstat ingress drop_malformed)" -eq 0

# --- idempotent re-attach; a newer object replaces atomically --------
xn attach-keep-rule 0 policy add tb ingress deny src $SRC/32 proto icmp
xn reattach-same 0 attach tb --tc
check $t:reattach-says-already grep -q 'already attached' <<<"$OUT"
check $t:reattach-same-progs [ "$(ids)" = "$IDS" ]
NEWER=/tmp/tc_policy.v2.bpf.o
if clang -O2 -g -target bpf -mcpu=v2 -I/usr/include/"$(uname -m)"-linux-gnu \
	-c "$root/bpf/tc_policy.bpf.c" -o $NEWER; then
	list0=$("$X" policy list tb --json)
	h0=$(hits ingress 0 packets)
	XNICCTL_POLICY_OBJ=$NEWER xn update-newer 0 attach tb --tc
	check $t:update-says-updated grep -q 'tc policy updated' <<<"$OUT"
	NEW=$(ids)
	expect $t:update-new-ingress "${NEW% *}" -ne "${IDS% *}"
	expect $t:update-new-egress "${NEW#* }" -ne "${IDS#* }"
	expect $t:update-ingress-attached "${NEW% *}" -gt 0
	check $t:update-kept-policy [ "$list0" = "$("$X" policy list tb --json)" ]
	check $t:update-rule-still-denies ping_fails
	expect $t:update-counters-continue "$(hits ingress 0 packets)" -ge $((h0 + 3))
	XNICCTL_POLICY_OBJ=$NEWER xn update-again-idempotent 0 attach tb --tc
	check $t:update-again-same [ "$(ids)" = "$NEW" ]
	xn update-back 0 attach tb --tc
	IDS=$(ids)
	expect $t:update-back-new-prog "${IDS% *}" -ne "${NEW% *}"
else
	fail $t:update-build "cannot build $NEWER"
fi
xn attach-keep-del 0 policy del tb ingress 0
check $t:after-update-ping ping_ok

# --- tc together with XDP: detach removes both ----------------------
xn attach-both 0 attach tb --xdp native --tc
check $t:both-tc-kept [ "$(ids)" = "$IDS" ]
expect $t:both-xdp-attached "$(ip -j link show tb | jq '.[0].xdp.prog.id // 0')" -gt 0
check $t:both-ping ping_ok

# --- the prefilter's metadata read by tc: one per frame, all agreeing -
# Permanent neighbours on both ends: no ARP, so tb receives exactly the
# N echo requests (IPv6 is off), each through native XDP, then tc.
A ip neigh replace $DST lladdr "$(ip -j link show tb | jq -r '.[0].address')" nud permanent dev ta
ip neigh replace $SRC lladdr "$(A ip -j link show ta | jq -r '.[0].address')" nud permanent dev tb
ms0=$(mstat ingress seen); mm0=$(mstat ingress mismatch); tot0=$(ptotal ingress)
v4=$("$X" stats tb --json | jq '[.devices[0].reasons[] | select(.reason == "pass_ipv4") | .packets][0]')
check $t:meta-ping ping_n $N
expect $t:meta-seen-equals-sent "$(($(mstat ingress seen) - ms0))" -eq $N
expect $t:meta-every-tc-frame "$(($(ptotal ingress) - tot0))" -eq $N
expect $t:meta-prefilter-passed "$(($("$X" stats tb --json | jq '[.devices[0].reasons[] | select(.reason == "pass_ipv4") | .packets][0]') - v4))" -eq $N
expect $t:meta-no-mismatch "$(($(mstat ingress mismatch) - mm0))" -eq 0
expect $t:meta-none-on-egress "$(mstat egress seen)" -eq 0
check $t:meta-text sh -c "'$X' stats tb | grep -Eq '^tb +ingress/meta_seen +[0-9]+ +[0-9]+\$'"
A ip neigh del $DST dev ta
ip neigh del $SRC dev tb

# --- detach: only ours; another tool's filters survive --------------
tc filter add dev tb ingress prio 40000 handle 9 bpf da obj "$OBJ" sec tc/ingress
FOREIGN=$(foreign_id)
expect $t:foreign-added "$FOREIGN" -gt 0
xn detach-both 0 detach tb
check $t:detach-says-others grep -q '1 tc filter(s) of other tools left alone' <<<"$OUT"
check $t:detach-removed-ours [ "$(ids)" = "0 0" ]
expect $t:detach-removed-xdp "$(ip -j link show tb | jq '.[0].xdp.prog.id // 0')" -eq 0
expect $t:detach-foreign-survives "$(foreign_id)" -eq "$FOREIGN"
check $t:detach-kept-maps test -e $PIN/dev/tb/pol_rules
check $t:status-detached sh -c "[ \"\$($X status --json | jq -r '[.tc[] | select(.dev == \"tb\") | .attached] | join(\",\")')\" = false,false ]"
xn detach-again-noop 0 detach tb --tc
check $t:detach-again-says-none grep -q 'no tc policy attached' <<<"$OUT"

# Another tool's filter at xnicctl's own place: refused, left alone.
tc filter add dev tb egress prio 30830 handle 0x786e bpf da obj "$OBJ" sec tc/egress
SQUAT=$(tc_id egress)
xn squat-attach-refused 6 attach tb --tc
check $t:squat-message grep -q 'not attached by xnicctl' <<<"$ERR"
expect $t:squat-ingress-untouched "$(tc_id ingress)" -eq 0
expect $t:squat-egress-kept "$(tc_id egress)" -eq "$SQUAT"
xn squat-detach-refused 6 detach tb --tc
expect $t:squat-kept-after-detach "$(tc_id egress)" -eq "$SQUAT"
tc filter del dev tb egress protocol all pref 30830 handle 0x786e bpf

# Re-attach after detach: the pinned policy applies from the first packet.
xn reattach-keep-rule 0 policy add tb ingress deny src $SRC/32 proto icmp
xn reattach 0 attach tb --tc
check $t:reattach-policy-at-once ping_fails
xn reattach-del 0 policy del tb ingress 0
check $t:reattach-ping ping_ok
xn final-detach 0 detach tb --tc
expect $t:final-foreign-survives "$(foreign_id)" -eq "$FOREIGN"

# --- a full list (64 rules) on another device, never attached --------
ip link add tcfull0 type dummy
on_exit "ip link del tcfull0 2>/dev/null"
# The first rule through xnicctl (it creates the pins), 63 more in one
# bpftool batch (keys 64 + i: egress; deny, IPv4, TCP, dport 2000 + i).
xn full-first 0 policy add tcfull0 egress deny family ipv4 proto tcp dport 2000
zeros=$(printf '0 %.0s' $(seq 32))
for i in $(seq 1 63); do
	p=$((2000 + i))
	echo "map update pinned $PIN/dev/tcfull0/pol_rules key $((64 + i)) 0 0 0" \
		"value 2 4 6 0 0 0 0 0 $((p & 255)) $((p >> 8)) $((p & 255)) $((p >> 8)) $zeros"
done >/tmp/xnicctl-tc.batch
check $t:full-batch bpftool batch file /tmp/xnicctl-tc.batch
expect $t:full-64-listed "$("$X" policy list tcfull0 --json | jq '.egress.rules | length')" -eq 64
xn full-refused-exit-2 2 policy add tcfull0 egress deny family ipv4
check $t:full-message grep -q 'list is full' <<<"$ERR"
expect $t:full-still-64 "$("$X" policy list tcfull0 --json | jq '.egress.rules | length')" -eq 64
xn full-del-first 0 policy del tcfull0 egress 0
check $t:full-shifted sh -c "[ \"\$($X policy list tcfull0 --json | jq -r '.egress.rules | [first.dport, last.dport, (length | tostring)] | join(\",\")')\" = 2001,2063,63 ]"

# --- stats --watch: one JSON object per line, stopped by SIGINT ------
# jq 1.6 -e succeeds on empty input: slurp the lines and check them all.
W=/tmp/xnicctl-tc.watch
timeout -s INT 3 "$X" stats tb --watch 1 --json >$W
expect $t:watch-exit-0-on-sigint "$(timeout --preserve-status -s INT 2 "$X" stats tb --watch 1 >/dev/null; echo $?)" -eq 0
expect $t:watch-lines "$(wc -l <$W)" -ge 2
expect $t:watch-objects-per-line "$(jq -c . $W | wc -l)" -eq "$(wc -l <$W)"
expect $t:watch-policy-rows "$(jq -s 'map(.devices[0].policy | length) | unique | if . == [16] then 1 else 0 end' $W)" -eq 1
expect $t:watch-first-rate-null "$(jq -s 'if .[0].interval == null and .[0].devices[0].policy[0].pps == null then 1 else 0 end' $W)" -eq 1
expect $t:watch-later-rate "$(jq -s 'if .[1].interval >= 1 and (.[1].devices[0].policy[0].pps | type) == "number" then 1 else 0 end' $W)" -eq 1

dmesg_check $t:dmesg
taint_check $t:taint
