#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The XDP prefilter (bpf/xdp_prefilter.bpf.c) on Debian's 6.1 kernel:
#  1. tests/bpf/test_prefilter under this kernel's verifier and
#     BPF_PROG_TEST_RUN, one result per test (prefilter:<test>);
#  2. end to end on an xnic pair, native XDP on the receiving end: CIDR,
#     exact and ARP-sender blocklists change verdicts while the program
#     keeps running, one VLAN tag (802.1Q and 802.1ad) is looked through
#     (and a tag the device stripped is no way around it),
#     counters move, and tc reads the classification from the metadata;
#     then the same object in generic XDP.
#
#   p_a: pfa ==xnic== pfb :p_b   (prefilter on pfb)
#
# Maps are reached by id through the program (bpftool in the root
# namespace), never pinned, so `ip netns exec` hiding /sys/fs/bpf does
# not matter here.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
. "$root/tests/vm/cmocka-lib.sh"
B=$root/bpf
T=$root/tests/bpf

dmesg_mark

# --- 1. BPF_PROG_TEST_RUN under the 6.1 verifier -----------------------
cmocka_run prefilter "$T/test_prefilter"

# --- 2. end to end on xnic ---------------------------------------------
xnic_load || { fail prefilter:modprobe "modprobe xnic failed"; exit 0; }
# IPv4 and ARP only (VLAN devices included): the counters are about them.
pair_v4only pfa pfb 198.18.30
A() { in_ns p_a "$@"; }
P() { in_ns p_b "$@"; }
SRC=198.18.30.1
DST=198.18.30.2

# pf_reason indexes, read from the header the program is built with.
declare -A R
i=0
for n in $(awk '/^enum pf_reason/ { on = 1; next } on && /^}/ { exit }
		on && /^\tPF_/ { sub(/^\t/, ""); sub(/,.*/, ""); print }' "$B/prefilter.h"); do
	R[$n]=$i
	i=$((i + 1))
done

prog_id() { P ip -j link show pfb | jq '.[0].xdp.prog.id // empty'; }

# Each bpftool run costs seconds under TCG: look maps up once, and read
# whole maps into snapshots rather than one key at a time.

# maps_of PROG: "name id" for each of the program's maps.
maps_of() {
	local ids
	ids=$(bpftool prog show id "$1" -j | jq -c '.map_ids')
	bpftool map show -j | jq -r --argjson ids "$ids" \
		'.[] | select(.id as $i | $ids | index($i)) | "\(.name) \(.id)"'
}

# snap: pf_stats summed over CPUs, "packets bytes" per reason in order.
snap() {
	bpftool map dump id "$STATS" -j | jq -r 'sort_by(.formatted.key)[] |
		"\([.formatted.values[].value.packets] | add) \([.formatted.values[].value.bytes] | add)"' |
		tr '\n' ' '
}

# total SNAP REASON [bytes]: one counter of a snapshot.
total() {
	local -a v
	local i=${R[PF_$2]}
	read -ra v <<<"$1"
	if [ "${3:-}" = bytes ]; then echo "${v[2 * i + 1]}"; else echo "${v[2 * i]}"; fi
}

# delta BEFORE AFTER REASON [bytes]: how far a counter moved.
delta() {
	echo $(($(total "$2" "$3" "${4:-}") - $(total "$1" "$3" "${4:-}")))
}

# block MAP ADDR [PLEN] / unblock MAP ADDR [PLEN]: an IPv4 key, or with
# PLEN an LPM key (prefixlen is host order: little endian here).
key4() {
	local -a b
	IFS=. read -ra b <<<"$1"
	if [ -n "${2:-}" ]; then echo "$2 0 0 0 ${b[*]}"; else echo "${b[*]}"; fi
}
block() {
	local -a k
	read -ra k <<<"$(key4 "$2" "${3:-}")"
	bpftool map update id "$1" key "${k[@]}" value 1
}
unblock() {
	local -a k
	read -ra k <<<"$(key4 "$2" "${3:-}")"
	bpftool map delete id "$1" key "${k[@]}"
}
ping_ok() { A ping -c 2 -i 0.2 -W 5 -q "${1:-$DST}" >/dev/null; }
ping_fails() { ! A ping -c 2 -i 0.2 -W 1 -q "${1:-$DST}" >/dev/null; }
settle() { xnic_settle; }

# tc reads the metadata on the same device (step 8 after step 2):
# pfm_seen counts frames per pf_class, slot 4 those without metadata.
P tc qdisc add dev pfb clsact
P tc filter add dev pfb ingress bpf da obj "$T/tc_pf_meta.bpf.o" sec tc
SEEN=$(bpftool map show -j | jq '[.[] | select(.name == "pfm_seen")] | last | .id')
# both_snap: XDP's and tc's counters at one instant, as "XDP|tc". A frame
# that arrives between the two reads (a neighbour probe) would be in one
# and not the other: read XDP's again and retry until it did not move.
both_snap() {
	local a b c i
	for i in 1 2 3 4 5; do
		a=$(snap)
		b=$(seen_snap)
		c=$(snap)
		[ "$a" != "$c" ] || break
	done
	echo "$a|$b"
}
seen_snap() {
	bpftool map dump id "$SEEN" -j | jq -r 'sort_by(.formatted.key)[] | .formatted.value' |
		tr '\n' ' '
}
# seen_delta BEFORE AFTER SLOT
seen_delta() {
	local -a a b
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	echo $((b[$3] - a[$3]))
}
CLASS_IPV4=1
CLASS_ARP=3
NO_META=4

# attach_checks MODE: the blocklists through the program attached in MODE.
attach_checks() {
	local mode=$1 t=prefilter:e2e-$1 id want name mid s0 s1 m0 m1 x
	local -A map=()

	if ! P ip link set dev pfb "$mode" obj "$B/xdp_prefilter.bpf.o" sec xdp; then
		fail "$t-attach" "ip link set dev pfb $mode obj xdp_prefilter.bpf.o failed"
		return
	fi
	pass "$t-attach"
	case $mode in
	xdpdrv) want=driver ;;
	*) want=generic ;;
	esac
	check "$t-mode-$want" sh -c "ip netns exec p_b bpftool net show dev pfb | grep -q 'pfb([0-9]*) $want id'"
	id=$(prog_id)
	while read -r name mid; do
		map[$name]=$mid
	done < <(maps_of "$id")
	STATS=${map[pf_stats]:-}
	if [ -z "${map[pf_v4_lpm]:-}" ] || [ -z "${map[pf_v4_exact]:-}" ] ||
	   [ -z "${map[pf_arp]:-}" ] || [ -z "$STATS" ]; then
		fail "$t-maps" "maps of program $id not found by name: ${!map[*]}"
		return
	fi
	pass "$t-maps"
	local lpm=${map[pf_v4_lpm]} exact=${map[pf_v4_exact]} arp=${map[pf_arp]}

	# Empty lists: everything passes, and tc reads each frame's class.
	# Both ends forget: a probe of pfb's stale entry would teach pfa
	# pfb's address, and pfa would send no request of its own.
	A ip neigh flush dev pfa
	P ip neigh flush dev pfb
	settle
	x=$(both_snap); s0=${x%|*}; m0=${x#*|}
	check "$t-empty-lists-ping" ping_ok
	settle
	x=$(both_snap); s1=${x%|*}; m1=${x#*|}
	expect "$t-pass-ipv4-counted" "$(delta "$s0" "$s1" PASS_IPV4)" -ge 2
	expect "$t-pass-arp-counted" "$(delta "$s0" "$s1" PASS_ARP)" -ge 1
	expect "$t-meta-ipv4-class-read-by-tc" "$(seen_delta "$m0" "$m1" $CLASS_IPV4)" \
		-eq "$(delta "$s0" "$s1" PASS_IPV4)"
	expect "$t-meta-arp-class-read-by-tc" "$(seen_delta "$m0" "$m1" $CLASS_ARP)" \
		-eq "$(delta "$s0" "$s1" PASS_ARP)"
	expect "$t-meta-present-on-every-frame" "$(seen_delta "$m0" "$m1" $NO_META)" -eq 0

	# The sender's /32 in the trie: dropped, counted, same program.
	s0=$(snap)
	check "$t-cidr-block" block "$lpm" $SRC 32
	check "$t-cidr-ping-fails" ping_fails
	s1=$(snap)
	expect "$t-cidr-drops-counted" "$(delta "$s0" "$s1" DROP_V4_CIDR)" -ge 2
	# An echo request on the wire: 14 + 20 + 8 + 56 bytes.
	expect "$t-cidr-bytes-counted" "$(delta "$s0" "$s1" DROP_V4_CIDR bytes)" -ge $((2 * 98))
	check "$t-cidr-unblock" unblock "$lpm" $SRC 32
	check "$t-cidr-ping-back" ping_ok
	expect "$t-cidr-same-program" "$(prog_id)" -eq "$id"

	# A covering /24 works the same way.
	block "$lpm" 198.18.30.0 24
	check "$t-cidr24-ping-fails" ping_fails
	unblock "$lpm" 198.18.30.0 24
	check "$t-cidr24-ping-back" ping_ok

	# The exact-match hash.
	s0=$(snap)
	check "$t-exact-block" block "$exact" $SRC
	check "$t-exact-ping-fails" ping_fails
	s1=$(snap)
	expect "$t-exact-drops-counted" "$(delta "$s0" "$s1" DROP_V4_EXACT)" -ge 2
	unblock "$exact" $SRC
	check "$t-exact-ping-back" ping_ok

	# ARP: the sender's request is dropped, so it never learns pfb's MAC.
	# pfb forgets pfa too: its own ARP probe would teach pfa the answer.
	s0=$(snap)
	check "$t-arp-block-sender" block "$arp" $SRC
	A ip neigh flush dev pfa
	P ip neigh flush dev pfb
	check "$t-arp-ping-fails" ping_fails
	s1=$(snap)
	expect "$t-arp-sender-drops-counted" "$(delta "$s0" "$s1" DROP_ARP_SENDER)" -ge 1
	check "$t-arp-neigh-unresolved" sh -c "! ip -n p_a neigh show $DST dev pfa | grep -q lladdr"
	unblock "$arp" $SRC
	# pfa may still hold the entry INCOMPLETE from the blocked attempt;
	# once it fails, ping's packets queued on it end as errors. Start over.
	A ip neigh flush dev pfa
	check "$t-arp-ping-back" ping_ok
	# Only the sender counts: blocking the target (pfb itself) changes nothing.
	s0=$(snap)
	block "$arp" $DST
	A ip neigh flush dev pfa
	P ip neigh flush dev pfb
	check "$t-arp-blocked-target-ping-ok" ping_ok
	s1=$(snap)
	expect "$t-arp-blocked-target-passed" "$(delta "$s0" "$s1" PASS_ARP)" -ge 1
	expect "$t-arp-blocked-target-no-drop" "$(delta "$s0" "$s1" DROP_ARP_SENDER)" -eq 0
	unblock "$arp" $DST
	expect "$t-same-program-throughout" "$(prog_id)" -eq "$id"

	# One VLAN tag, 802.1Q and 802.1ad, in the frame XDP sees: pfb's
	# rx-vlan-offload off. Then 802.1Q with it on: the device strips
	# the tag and the prefilter sees the inner frame untagged.
	local proto vid net tag
	for tag in 802.1Q 802.1ad 802.1Q-stripped; do
		proto=${tag%-stripped}
		case $tag in
		802.1Q) vid=10 ;;
		802.1ad) vid=20 ;;
		*) vid=30 ;;
		esac
		if [ "$tag" = 802.1Q-stripped ]; then
			P ethtool -K pfb rxvlan on
		else
			P ethtool -K pfb rxvlan off
		fi
		net=198.18.$((30 + vid))
		if ! A ip link add link pfa name pfa.$vid type vlan protocol $proto id $vid ||
		   ! P ip link add link pfb name pfb.$vid type vlan protocol $proto id $vid; then
			skip "$t-vlan-$tag" "cannot create $proto VLAN devices"
			continue
		fi
		A ip addr add $net.1/24 dev pfa.$vid
		P ip addr add $net.2/24 dev pfb.$vid
		A ip link set pfa.$vid up
		P ip link set pfb.$vid up
		check "$t-vlan-$tag-ping" ping_ok $net.2
		s0=$(snap)
		block "$lpm" $net.1 32
		check "$t-vlan-$tag-ping-fails" ping_fails $net.2
		s1=$(snap)
		expect "$t-vlan-$tag-drops-counted" "$(delta "$s0" "$s1" DROP_V4_CIDR)" -ge 2
		check "$t-vlan-$tag-untagged-unaffected" ping_ok
		unblock "$lpm" $net.1 32
		check "$t-vlan-$tag-ping-back" ping_ok $net.2
		A ip link del pfa.$vid
		P ip link del pfb.$vid
	done

	expect "$t-no-malformed" "$(total "$(snap)" DROP_MALFORMED)" -eq 0
	P ip link set dev pfb "$mode" off
	check "$t-detached" sh -c '! ip -n p_b link show pfb | grep -q prog/xdp'
}

check prefilter:e2e-baseline-ping ping_ok
attach_checks xdpdrv
attach_checks xdpgeneric
check prefilter:e2e-ping-after-detach ping_ok
P tc qdisc del dev pfb clsact

dmesg_check prefilter:dmesg
taint_check prefilter:taint
