#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2046 # byte lists split into bpftool arguments on purpose
# The tc policy (bpf/tc_policy.bpf.c) on Debian's 6.1 kernel:
#  1. tests/bpf/test_policy under this kernel's verifier and
#     BPF_PROG_TEST_RUN, one result per test (policy:<test>);
#  2. end to end on an xnic pair, both programs on pb's clsact hook:
#     deny rules block ping and one TCP port (the next port still
#     connects), an allow before a deny wins, default deny blocks while
#     ARP still resolves, egress rules drop replies, allowed packets carry
#     the endpoint identity as skb->mark (seen by an iptables mark match),
#     and the counters move by what was sent. Rules change while the
#     same programs keep running.
#
#   p_a: pa ==xnic== pb :p_b   (tc_ingress and tc_egress on pb)
#
# Both programs are loaded once with bpftool, sharing one set of maps
# pinned on a bpffs of our own (`ip netns exec` remounts /sys, hiding
# /sys/fs/bpf), then attached with `tc filter ... pinned`.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
. "$root/tests/vm/cmocka-lib.sh"
B=$root/bpf
T=$root/tests/bpf
t=policy:e2e

dmesg_mark

# --- 1. BPF_PROG_TEST_RUN under the 6.1 verifier -----------------------
cmocka_run policy "$T/test_policy"

# --- 2. end to end on xnic ---------------------------------------------
xnic_load || { fail policy:modprobe "modprobe xnic failed"; exit 0; }
BPFFS=/run/xnic-test-bpffs
mkdir -p $BPFFS
mountpoint -q $BPFFS || { mount -t bpf bpf $BPFFS && on_exit "umount $BPFFS"; }
PIN=$BPFFS/policy
M=$PIN/maps
rm -rf $PIN
on_exit "rm -rf $PIN"

# IPv4 and ARP only: the counters are about them.
pair_v4only pa pb 198.18.75
A() { in_ns p_a "$@"; }
P() { in_ns p_b "$@"; }
SRC=198.18.75.1
DST=198.18.75.2
NPING=3
ping_ok() { A ping -c $NPING -i 0.2 -W 5 -q $DST >/dev/null; }
ping_fails() { ! A ping -c $NPING -i 0.2 -W 1 -q $DST >/dev/null; }

# Two TCP services on pb, each answering with its port.
PORT=8080
# Started directly (ip netns exec execs socat), so $! is socat itself;
# its output goes nowhere, so no pipe waits on it.
for p in $PORT $((PORT + 1)); do
	ip netns exec p_b socat TCP-LISTEN:$p,fork,reuseaddr SYSTEM:"echo $p" >/dev/null 2>&1 &
	on_exit "kill $! 2>/dev/null"
done
wait_for "P ss -ltn | grep -q ':$((PORT + 1)) '" 10
tcp_ok() { [ "$(A timeout 5 bash -c "exec 3<>/dev/tcp/$DST/$1 && cat <&3" 2>/dev/null)" = "$1" ]; }
tcp_fails() { ! A timeout 3 bash -c "exec 3<>/dev/tcp/$DST/$1" 2>/dev/null; }

# The contract's numbers, read from the header the programs are built with.
# enum_of ENUM: "NAME index" per member of enum ENUM in policy.h.
enum_of() {
	awk -v e="enum $1 {" '$0 == e { on = 1; i = 0; next } on && /^}/ { exit }
		on && /^\t[A-Z]/ { n = $1; sub(/,.*/, "", n); print n, i++ }' "$B/policy.h"
}
declare -A C
while read -r n i; do C[$n]=$i; done < <(enum_of pol_reason; enum_of pol_action; enum_of pol_dir)
MAX_RULES=$(awk '/^#define POL_MAX_RULES/ { print $3 }' "$B/policy.h")
NREASON=${C[POL_REASON_MAX]}
IN=${C[POL_INGRESS]}
EG=${C[POL_EGRESS]}
ALLOW=${C[POL_ACT_ALLOW]}
DENY=${C[POL_ACT_DENY]}
END=${C[POL_ACT_END]}
ID=42	# the endpoint identity: skb->mark 0x2a

# --- load once, attach both directions ----------------------------------
if ! bpftool prog loadall "$B/tc_policy.bpf.o" $PIN type classifier pinmaps $M; then
	fail $t-load "bpftool prog loadall tc_policy.bpf.o failed"
	exit 0
fi
pass $t-load
P tc qdisc add dev pb clsact
check $t-attach-ingress P tc filter add dev pb ingress bpf da pinned $PIN/tc_ingress
check $t-attach-egress P tc filter add dev pb egress bpf da pinned $PIN/tc_egress
prog_ids() {
	echo "$(P tc -j filter show dev pb ingress | jq '[.[].options.prog.id // empty][0]')" \
	     "$(P tc -j filter show dev pb egress | jq '[.[].options.prog.id // empty][0]')"
}
IDS=$(prog_ids)
expect $t-ingress-id "$(bpftool prog show pinned $PIN/tc_ingress -j | jq .id)" -eq "${IDS% *}"
expect $t-egress-id "$(bpftool prog show pinned $PIN/tc_egress -j | jq .id)" -eq "${IDS#* }"

# --- programming the maps with bpftool ----------------------------------
# Little-endian bytes of a 16- or 32-bit number (x86: host order).
le16() { echo $(($1 & 255)) $(($1 >> 8 & 255)); }
le32() { echo $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# addr16 A.B.C.D: an IPv4 address in the rule's 16 address bytes.
addr16() { local -a o; IFS=. read -ra o <<<"$1"; echo "${o[*]}" 0 0 0 0 0 0 0 0 0 0 0 0; }

# rule DIR I ACTION SRC/PLEN DST/PLEN PROTO LO HI (IPv4)
rule() {
	local dir=$1 i=$2 act=$3 src=${4%/*} sp=${4#*/} dst=${5%/*} dp=${5#*/}
	bpftool map update pinned $M/pol_rules key $(le32 $((dir * MAX_RULES + i))) \
		value $act 4 $6 $sp $dp 0 0 0 $(le16 $7) $(le16 $8) $(addr16 $src) $(addr16 $dst)
}
# unrule DIR I: an all-zero rule, the end of the list.
unrule() {
	bpftool map update pinned $M/pol_rules key $(le32 $(($1 * MAX_RULES + $2))) \
		value $(printf '0 %.0s' $(seq 44))
}
# config IDENTITY DEFAULT_INGRESS DEFAULT_EGRESS
config() {
	bpftool map update pinned $M/pol_config key 0 0 0 0 value $(le32 $1) $2 $3 0 0
}

# snap: pol_stats summed over CPUs, "packets bytes" per key in order.
snap() {
	bpftool map dump pinned $M/pol_stats -j | jq -r 'sort_by(.formatted.key)[] |
		"\([.formatted.values[].value.packets] | add) \([.formatted.values[].value.bytes] | add)"' |
		tr '\n' ' '
}
# delta BEFORE AFTER DIR REASON: how far a reason's packet count moved.
delta() {
	local -a a b
	local k=$(($3 * NREASON + ${C[POL_$4]}))
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	echo $((b[2 * k] - a[2 * k]))
}
# hits DIR I: packets rule I of DIR matched, summed over CPUs.
hits() {
	bpftool map lookup pinned $M/pol_rule_stats key $(le32 $(($1 * MAX_RULES + $2))) -j |
		jq '[.formatted.values[].value.packets] | add'
}

# Packets iptables saw with the identity as mark, after tc ingress.
P iptables -t mangle -N xnic-pol 2>/dev/null
marks_ok=1
P iptables -t mangle -I PREROUTING -i pb -j xnic-pol &&
P iptables -t mangle -A xnic-pol -p icmp -m mark --mark $ID -m comment --comment marked &&
P iptables -t mangle -A xnic-pol -p icmp -m mark ! --mark $ID -m comment --comment unmarked || marks_ok=0
marked() { P iptables -t mangle -nvxL xnic-pol | awk -v c="/* $1 */" 'index($0, c) { print $1 }'; }

# --- no rules: everything passes, counted per direction -----------------
S_LOAD=$(snap)
# Both ends forget, so pa sends its own request (see 70-prefilter).
A ip neigh flush dev pa
P ip neigh flush dev pb
s0=$(snap)
check $t-empty-ping ping_ok
s1=$(snap)
expect $t-empty-ingress-default "$(delta "$s0" "$s1" $IN PASS_DEFAULT)" -ge $NPING
expect $t-empty-egress-default "$(delta "$s0" "$s1" $EG PASS_DEFAULT)" -ge $NPING
expect $t-empty-arp-counted "$(delta "$s0" "$s1" $IN PASS_ARP)" -ge 1
check $t-empty-tcp tcp_ok $PORT

# --- the identity as skb->mark ------------------------------------------
if [ $marks_ok = 1 ]; then
	m0=$(marked marked); u0=$(marked unmarked)
	check $t-mark-unset-ping ping_ok
	expect $t-mark-unset-none-marked "$(($(marked marked) - m0))" -eq 0
	expect $t-mark-unset-all-unmarked "$(($(marked unmarked) - u0))" -ge $NPING
	check $t-mark-config config $ID $END $END
	m0=$(marked marked); u0=$(marked unmarked)
	check $t-mark-ping ping_ok
	expect $t-mark-all-marked "$(($(marked marked) - m0))" -ge $NPING
	expect $t-mark-none-unmarked "$(($(marked unmarked) - u0))" -eq 0
else
	skip $t-mark "iptables mark match unavailable in the guest"
	config $ID $END $END
fi

# --- a deny rule --------------------------------------------------------
ICMP=1
TCP=6
s0=$(snap); h0=$(hits $IN 0)
check $t-deny-icmp-rule rule $IN 0 $DENY $SRC/32 0.0.0.0/0 $ICMP 0 65535
check $t-deny-ping-fails ping_fails
s1=$(snap)
expect $t-deny-counted "$(delta "$s0" "$s1" $IN DROP_RULE)" -ge $NPING
expect $t-deny-rule-hits "$(($(hits $IN 0) - h0))" -ge $NPING
check $t-deny-tcp-unaffected tcp_ok $PORT
# Another source's /32 does not match.
rule $IN 0 $DENY 198.18.75.99/32 0.0.0.0/0 $ICMP 0 65535
check $t-deny-other-source-ping ping_ok

# --- order: an allow before a deny wins ---------------------------------
rule $IN 0 $ALLOW $SRC/32 0.0.0.0/0 $ICMP 0 65535
rule $IN 1 $DENY 0.0.0.0/0 0.0.0.0/0 $ICMP 0 65535
h0=$(hits $IN 0); h1=$(hits $IN 1)
check $t-order-allow-first-ping ping_ok
expect $t-order-allow-hits "$(($(hits $IN 0) - h0))" -ge $NPING
expect $t-order-deny-not-reached "$(($(hits $IN 1) - h1))" -eq 0
rule $IN 0 $DENY 0.0.0.0/0 0.0.0.0/0 $ICMP 0 65535
rule $IN 1 $ALLOW $SRC/32 0.0.0.0/0 $ICMP 0 65535
h0=$(hits $IN 0); h1=$(hits $IN 1)
check $t-order-deny-first-ping-fails ping_fails
expect $t-order-deny-hits "$(($(hits $IN 0) - h0))" -ge $NPING
expect $t-order-allow-not-reached "$(($(hits $IN 1) - h1))" -eq 0
unrule $IN 1
unrule $IN 0

# --- a TCP port range, at its lower edge --------------------------------
rule $IN 0 $DENY 0.0.0.0/0 $DST/32 $TCP $((PORT + 1)) $((PORT + 9))
h0=$(hits $IN 0)
check $t-port-in-range-blocked tcp_fails $((PORT + 1))
check $t-port-below-range-open tcp_ok $PORT
expect $t-port-rule-hits "$(($(hits $IN 0) - h0))" -ge 1
check $t-port-ping-unaffected ping_ok
unrule $IN 0
check $t-port-unblocked tcp_ok $((PORT + 1))

# --- default deny, one allowed port; ARP still resolves -----------------
config $ID $DENY $END
rule $IN 0 $ALLOW 0.0.0.0/0 0.0.0.0/0 $TCP $PORT $PORT
A ip neigh flush dev pa
P ip neigh flush dev pb
s0=$(snap)
check $t-default-deny-ping-fails ping_fails
check $t-default-deny-allowed-port tcp_ok $PORT
check $t-default-deny-other-port-blocked tcp_fails $((PORT + 1))
s1=$(snap)
expect $t-default-deny-counted "$(delta "$s0" "$s1" $IN DROP_DEFAULT)" -ge $NPING
expect $t-default-deny-arp-passed "$(delta "$s0" "$s1" $IN PASS_ARP)" -ge 1
check $t-default-deny-neigh-resolved sh -c "ip -n p_a neigh show $DST dev pa | grep -q lladdr"
unrule $IN 0
config $ID $END $END
check $t-default-allow-again ping_ok

# --- egress: pb's replies to pa dropped ---------------------------------
rule $EG 0 $DENY 0.0.0.0/0 $SRC/32 $ICMP 0 65535
s0=$(snap); h0=$(hits $EG 0)
check $t-egress-deny-ping-fails ping_fails
s1=$(snap)
expect $t-egress-requests-passed "$(delta "$s0" "$s1" $IN PASS_DEFAULT)" -ge $NPING
expect $t-egress-replies-dropped "$(delta "$s0" "$s1" $EG DROP_RULE)" -ge $NPING
expect $t-egress-rule-hits "$(($(hits $EG 0) - h0))" -ge $NPING
unrule $EG 0
config $ID $END $DENY
check $t-egress-default-deny-ping-fails ping_fails
config $ID $END $END
check $t-egress-ping-back ping_ok

# --- the same programs throughout, nothing malformed --------------------
expect $t-same-ingress-program "$(prog_ids | cut -d' ' -f1)" -eq "${IDS% *}"
expect $t-same-egress-program "$(prog_ids | cut -d' ' -f2)" -eq "${IDS#* }"
s1=$(snap)
expect $t-no-malformed-ingress "$(delta "$S_LOAD" "$s1" $IN DROP_MALFORMED)" -eq 0
expect $t-no-malformed-egress "$(delta "$S_LOAD" "$s1" $EG DROP_MALFORMED)" -eq 0

P tc qdisc del dev pb clsact
check $t-detached sh -c '! tc -n p_b filter show dev pb ingress | grep -q bpf'
check $t-ping-after-detach ping_ok

dmesg_check policy:dmesg
taint_check policy:taint
