#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xnicctl redirect: the tc policy's redirects end to end, each mode with
# real traffic seen by tcpdump where it was sent and missing where it
# was going:
#
#   r_a: ra ==xnic== rb      tc_ingress/tc_egress on rb (initial netns)
#   r_c: rc ==xnic== rd      egress- and ingress-mode target rd
#   r_v: ve1 ==veth== ve0    peer-mode target ve0 (xnic has no
#                            ndo_get_peer_dev, so peer mode needs veth)
#
# Covered: a matching UDP flow (one destination port) redirected out of
# rd (tcpdump on rc sees it), into rd's receive path (tcpdump on rd),
# and into ve0's peer in r_v (tcpdump on ve1, still carrying the
# identity mark), none of it reaching rb's IP layer (an iptables raw
# counter), while other ports are delivered as before; the same on
# egress towards ra; exact per-redirect packets and bytes, counters
# moving with their entries on insertion; a denied flow never
# redirected; a target that vanished leaving the flow on its way,
# counted as gone; deletion restoring delivery; bad input (unknown
# target, peer on egress or to an xnic, a hook redirected into itself,
# a bad index, a full list) refused with nothing changed; the same
# programs throughout (ids unchanged); dmesg and taint.
#
# xnicctl runs in the initial namespace (it pins under /sys/fs/bpf/xnic
# and resolves targets there). IPv6 is off everywhere so nothing but the
# test's datagrams and ARP crosses the devices.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
X=$root/userspace/xnicctl
PIN=/sys/fs/bpf/xnic
t=redirect

xnicctl_case_begin $t "$X" || exit 0
rm -rf $PIN
on_exit "rm -rf $PIN"

for ns in r_a r_c r_v; do
	ns_add $ns
	in_ns $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
sysctl -qw net.ipv6.conf.default.disable_ipv6=1
pair_add ra rb r_a "" 1
on_exit "ip link del rb 2>/dev/null"
pair_add rc rd r_c "" 1
on_exit "ip link del rd 2>/dev/null"
ip link add ve0 type veth peer name ve1 netns r_v
on_exit "ip link del ve0 2>/dev/null"
for d in rb rd ve0; do
	sysctl -qw net.ipv6.conf.$d.disable_ipv6=1
	ip link set $d up
done
ip -n r_a addr add 198.18.87.1/24 dev ra
ip addr add 198.18.87.2/24 dev rb
ip -n r_a link set ra up
ip -n r_c link set rc up
ip -n r_v link set ve1 up
SRC=198.18.87.1
DST=198.18.87.2
N=5			# datagrams per flow
PAY=100			# UDP payload bytes
FRAME=$((14 + 20 + 8 + PAY))	# skb->len at tc
ID=42

# udp NS ADDR PORT: N datagrams of PAY bytes from NS ("" = here).
udp() {
	_ns_do "$1" bash -c "for i in \$(seq $N); do printf '%0${PAY}d' 0 >/dev/udp/$2/$3; done" 2>/dev/null
}
from_a() { udp r_a $DST "$1"; }	# into rb's tc ingress
to_a() { udp "" $SRC "$1"; }		# out through rb's tc egress

# A raw PREROUTING counter per NS, DEV and port: what reached IP there.
ipt_add() {
	_ns_do "$1" iptables -t raw -A PREROUTING -i "$2" -p udp --dport "$3" \
		-m comment --comment "rd-$2-$3"
}
ipt_n() {
	_ns_do "$1" iptables -t raw -L PREROUTING -v -x -n |
		awk -v c="rd-$2-$3" 'index($0, "/* " c " */") { print $1; f = 1 } END { if (!f) print -1 }'
}
for p in 9995 9996 9997 9998 9999; do ipt_add "" rb $p; done
for p in 7777 7778; do ipt_add r_a ra $p; done
in_ns r_v iptables -t mangle -A PREROUTING -i ve1 -p udp --dport 9998 \
	-m mark --mark $ID -m comment --comment "rd-mark"
marked() {
	in_ns r_v iptables -t mangle -L PREROUTING -v -x -n |
		awk 'index($0, "/* rd-mark */") { print $1 }'
}

# cap NS DEV PORT: tcpdump on DEV for UDP to PORT, in the background;
# cap_n WANT: wait until it has written WANT frames (or 5 s) and no xnic
# ring holds a frame that could still reach it, then stop it and print
# how many it saw.
cap() {
	CAP=/tmp/rd-cap-$2-$3
	rm -f $CAP.pcap $CAP.err
	if [ -n "$1" ]; then
		ip netns exec "$1" timeout 120 tcpdump -i "$2" -n -U --immediate-mode -w $CAP.pcap \
			"udp dst port $3" 2>$CAP.err &
	else
		timeout 120 tcpdump -i "$2" -n -U --immediate-mode -w $CAP.pcap "udp dst port $3" 2>$CAP.err &
	fi
	CAP_PID=$!
	wait_tcpdump $CAP.err 30 || echo "tcpdump on $2 did not start" >&2
}
cap_count() { tcpdump -r $CAP.pcap -n 2>/dev/null | wc -l; }
cap_n() {
	wait_for "[ \$(cap_count) -ge $1 ]" 5
	xnic_settle
	kill -INT $CAP_PID 2>/dev/null
	wait $CAP_PID 2>/dev/null
	cap_count
}

# The program id of the filter at xnicctl's place on rb's DIR hook.
tc_id() {
	tc -j filter show dev rb "$1" 2>/dev/null |
		jq -s 'add // [] | [.[] | select(.pref == 30830 and .options.handle == "0x786e") | .options.prog.id][0] // 0'
}
ids() { echo "$(tc_id ingress) $(tc_id egress)"; }
listing() { "$X" redirect list rb --json | jq '.[0]'; }
# rd DIR I FIELD: redirect I's FIELD from `redirect list rb --json`.
rd() { listing | jq -r ".$1[$2].$3"; }
order() { listing | jq -r ".$1 | map(.dport + \"/\" + .mode) | join(\",\")"; }
# sr DIR I COUNTER: redirect I's packets (redirected or gone) from `stats`.
sr() {
	"$X" stats rb --json | jq --arg d "$1" --argjson i "$2" --arg c "$3" \
		'[.devices[0].redirects[] | select(.direction == $d and .index == $i and .counter == $c) | .packets][0] // -1'
}
# dmap NAME FIELD: rb's redirect map NAME's FIELD from `status --json`.
dmap() {
	"$X" status --json | jq --arg n "$1" \
		'[.dev_maps[] | select(.dev == "rb" and .name == $n) | .'"$2"'][0] // -1'
}

# --- before anything: bad input creates nothing ----------------------
xn bad-peer-egress-exit-1 1 redirect add rb egress family ipv4 to ve0 mode peer
check $t:bad-one-line sh -c '[ "$(wc -l </tmp/xnicctl.err)" -eq 1 ]'
xn bad-target-exit-5 5 redirect add rb ingress family ipv4 to nosuchdev0
check $t:bad-target-message grep -q "no such interface 'nosuchdev0'" <<<"$ERR"
check $t:bad-created-nothing test ! -e $PIN/dev/rb

xn attach-tc 0 attach rb --tc
IDS=$(ids)
expect $t:ingress-attached "${IDS% *}" -gt 0
expect $t:egress-attached "${IDS#* }" -gt 0
check $t:maps-pinned test -e $PIN/dev/rb/pol_redirects -a -e $PIN/dev/rb/pol_redir_stats
xn identity 0 policy identity rb $ID

# Baseline: every port reaches rb's IP layer.
from_a 9999
expect $t:baseline-delivered "$(ipt_n "" rb 9999)" -eq $N

# --- more bad input, refused with nothing changed --------------------
BEFORE=$(listing)
xn bad-peer-xnic-exit-1 1 redirect add rb ingress family ipv4 to rd mode peer
check $t:bad-peer-xnic-message grep -q "driver xnic" <<<"$ERR"
# lo exists but has no drvinfo: the message says that, not "no such device".
xn bad-peer-lo-exit-1 1 redirect add rb ingress family ipv4 to lo mode peer
check $t:bad-peer-lo-message grep -q "'lo' reports no driver" <<<"$ERR"
xn bad-loop-exit-1 1 redirect add rb ingress family ipv4 to rb mode ingress
check $t:bad-loop-message grep -q "would loop" <<<"$ERR"
xn bad-loop-egress-exit-1 1 redirect add rb egress family ipv4 to rb
xn bad-del-exit-2 2 redirect del rb ingress 0
xn bad-at-exit-2 2 redirect add rb ingress at 1 family ipv4 to rd
xn bad-syntax-exit-1 1 redirect add rb ingress family ipv4 to rd mode sideways
check $t:bad-changed-nothing [ "$BEFORE" = "$(listing)" ]

# --- ingress, mode egress: out of rd, seen on rc ---------------------
xn add-egress-mode 0 redirect add rb ingress proto udp dport 9999 family ipv4 to rd
check $t:add-says-added grep -q 'rb: ingress redirect 0 added' <<<"$OUT"
expect $t:stats-redirect-zero "$(sr ingress 0 redirected)" -eq 0
cap r_c rc 9999
from_a 9999
expect $t:egress-mode-tcpdump-rc "$(cap_n $N)" -eq $N
expect $t:egress-mode-not-delivered "$(ipt_n "" rb 9999)" -eq $N
expect $t:egress-mode-packets "$(rd ingress 0 packets)" -eq $N
expect $t:egress-mode-bytes "$(rd ingress 0 bytes)" -eq $((N * FRAME))
expect $t:stats-redirect-moved "$(sr ingress 0 redirected)" -eq $N
expect $t:stats-redirect-no-gone "$(sr ingress 0 gone)" -eq 0
check $t:stats-redirect-text sh -c "'$X' stats rb | grep -Eq '^rb +ingress/redir0 +$N +$((N * FRAME))\$'"
check $t:list-target-name [ "$(rd ingress 0 target)" = rd ]
from_a 9997
expect $t:other-port-delivered "$(ipt_n "" rb 9997)" -eq $N
expect $t:other-port-not-counted "$(rd ingress 0 packets)" -eq $N

# --- ingress, mode ingress, inserted first: into rd's receive path ---
xn add-ingress-mode 0 redirect add rb ingress at 0 proto udp dport 9996 family ipv4 to rd mode ingress
check $t:insert-order [ "$(order ingress)" = "9996/ingress,9999/egress" ]
expect $t:insert-counter-moved "$(rd ingress 1 packets)" -eq $N
expect $t:insert-new-counter-zero "$(rd ingress 0 packets)" -eq 0
cap "" rd 9996
from_a 9996
expect $t:ingress-mode-tcpdump-rd "$(cap_n $N)" -eq $N
expect $t:ingress-mode-not-delivered "$(ipt_n "" rb 9996)" -eq 0
expect $t:ingress-mode-packets "$(rd ingress 0 packets)" -eq $N

# --- ingress, mode peer: into ve0's peer ve1 in r_v, still marked -----
xn add-peer-mode 0 redirect add rb ingress proto udp dport 9998 family ipv4 to ve0 mode peer
cap r_v ve1 9998
from_a 9998
expect $t:peer-mode-tcpdump-ve1 "$(cap_n $N)" -eq $N
expect $t:peer-mode-not-delivered "$(ipt_n "" rb 9998)" -eq 0
expect $t:peer-mode-marked "$(marked)" -eq $N
expect $t:peer-mode-packets "$(rd ingress 2 packets)" -eq $N
expect $t:peer-mode-bytes "$(rd ingress 2 bytes)" -eq $((N * FRAME))

# --- egress: what rb sends to ra goes out of rd instead ---------------
xn add-egress-dir 0 redirect add rb egress proto udp dport 7777 dst $SRC/32 to rd
cap r_c rc 7777
to_a 7777
expect $t:egress-dir-tcpdump-rc "$(cap_n $N)" -eq $N
expect $t:egress-dir-not-delivered "$(ipt_n r_a ra 7777)" -eq 0
expect $t:egress-dir-packets "$(rd egress 0 packets)" -eq $N
expect $t:stats-egress-redirect "$(sr egress 0 redirected)" -eq $N
# status: the redirects in use (as listed) and the maps' sizes (as bpftool has them).
expect $t:status-redirects-in-use "$(dmap pol_redirects entries)" -eq "$(listing | jq '.ingress + .egress | length')"
for m in pol_redirects pol_redir_stats; do
	expect $t:status-$m-id "$(dmap $m id)" -eq "$(bpftool map show pinned $PIN/dev/rb/$m -j | jq .id)"
	expect $t:status-$m-max "$(dmap $m max_entries)" -eq "$(bpftool map show pinned $PIN/dev/rb/$m -j | jq .max_entries)"
done
to_a 7778
expect $t:egress-dir-other-port "$(ipt_n r_a ra 7778)" -eq $N

# --- a denied flow is never redirected --------------------------------
xn deny 0 policy add rb ingress deny src $SRC/32 proto udp dport 9999
cap r_c rc 9999
from_a 9999
expect $t:deny-not-redirected "$(cap_n 0)" -eq 0
expect $t:deny-counter-still "$(rd ingress 1 packets)" -eq $N
expect $t:deny-not-delivered "$(ipt_n "" rb 9999)" -eq $N
expect $t:deny-dropped "$("$X" policy list rb --json | jq '.ingress.rules[0].packets')" -eq $N
xn deny-del 0 policy del rb ingress 0

# --- a target that vanished: delivered as before, counted as gone ----
ip link add rgone type dummy
ip link set rgone up
xn add-gone 0 redirect add rb ingress proto udp dport 9995 family ipv4 to rgone
ip link del rgone
from_a 9995
expect $t:gone-delivered "$(ipt_n "" rb 9995)" -eq $N
expect $t:gone-counted "$(rd ingress 3 gone_packets)" -eq $N
expect $t:gone-not-redirected "$(rd ingress 3 packets)" -eq 0
expect $t:stats-gone "$(sr ingress 3 gone)" -eq $N
expect $t:stats-gone-not-redirected "$(sr ingress 3 redirected)" -eq 0
check $t:gone-listed-null [ "$(rd ingress 3 target)" = null ]
check $t:gone-text sh -c "'$X' redirect list rb | grep -q '(gone)'"

# --- del restores delivery; counters move up with their entries ------
xn del-first 0 redirect del rb ingress 0
check $t:del-order [ "$(order ingress)" = "9999/egress,9998/peer,9995/egress" ]
expect $t:del-counter-moved "$(rd ingress 0 packets)" -eq $N
xn del-9999 0 redirect del rb ingress 0
cap r_c rc 9999
from_a 9999
expect $t:del-restored-not-redirected "$(cap_n 0)" -eq 0
expect $t:del-restored-delivered "$(ipt_n "" rb 9999)" -eq $((2 * N))
from_a 9996
expect $t:del-restored-9996 "$(ipt_n "" rb 9996)" -eq $N
xn del-egress 0 redirect del rb egress 0
to_a 7777
expect $t:del-restored-egress "$(ipt_n r_a ra 7777)" -eq $N
# With DEV, the same array as without: one element, DEV's.
check $t:list-dev-same-shape [ "$("$X" redirect list rb --json | jq -c 'map(.dev)')" = '["rb"]' ]
check $t:list-all-has-rb sh -c "'$X' redirect list --json | jq -e 'map(.dev) | index(\"rb\") != null' >/dev/null"

# --- a full list, on a device never attached -------------------------
ip link add rdfull0 type dummy
on_exit "ip link del rdfull0 2>/dev/null"
full_ok=1
for i in $(seq 0 63); do
	"$X" redirect add rdfull0 egress family ipv4 proto tcp dport $((2000 + i)) to rd \
		>/dev/null 2>&1 || full_ok=0
done
expect $t:full-64-added $full_ok -eq 1
FULL=$("$X" redirect list rdfull0 --json)
xn full-refused-exit-2 2 redirect add rdfull0 egress family ipv4 to rd
check $t:full-message grep -q 'list is full' <<<"$ERR"
check $t:full-unchanged [ "$FULL" = "$("$X" redirect list rdfull0 --json)" ]
expect $t:full-64 "$(jq '.[0].egress | length' <<<"$FULL")" -eq 64

check $t:same-programs [ "$(ids)" = "$IDS" ]

# --- save, wipe, restore: the same state, and it works ---------------
# What a reboot does to /sys/fs/bpf: detach, remove every pin; then the
# saved batch sets it all up again, and saving again gives the same
# lines (but the redirect whose target is gone, a comment).
xn save-rule-v4 0 policy add rb ingress allow src $SRC/32 proto udp dport 9000-9010
xn save-rule-v6 0 policy add rb egress deny dst fd00:87::/64 proto tcp dport 22
xn save-prefilter 0 prefilter add 203.0.113.0/24 198.51.100.7 2001:db8:87::/48
xn save-arp 0 arp-block add 192.0.2.66
xn save 0 save
S1=$OUT
check $t:save-rule-words grep -qx 'policy add rb ingress allow family ipv4 src '"$SRC"' proto udp dport 9000-9010' <<<"$S1"
check $t:save-blocklist grep -qx 'prefilter add 198.51.100.7 203.0.113.0/24 2001:db8:87::/48' <<<"$S1"
printf '%s\n' "$S1" | sed 's/^/    /'
check $t:save-defaults grep -qx 'policy default rb ingress allow' <<<"$S1"
check $t:save-gone-commented grep -q '^# redirect 1 of rb ingress: its target .* is gone' <<<"$S1"
check $t:save-attach-last sh -c "[ \"\$(printf '%s\n' \"\$1\" | tail -1)\" = 'attach rb --tc' ]" _ "$S1"
xn save-wipe-detach 0 detach rb --tc
rm -rf $PIN
printf '%s\n' "$S1" >/tmp/xnic-save.batch
xn restore 0 batch /tmp/xnic-save.batch
xn save-again 0 save
check $t:restore-same-state [ "$OUT" = "$(grep -v '^# redirect' <<<"$S1")" ]
m0=$(marked)
cap r_v ve1 9998
from_a 9998
expect $t:restored-peer-redirect "$(cap_n $N)" -eq $N
expect $t:restored-identity-mark $(($(marked) - m0)) -eq $N
xn detach 0 detach rb --tc
dmesg_check $t:dmesg
taint_check $t:taint
