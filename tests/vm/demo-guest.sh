#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`: scripts/demo.sh boots a VM that runs this
# file (the VM's / is the host's /). Run it only inside such a VM: it loads
# xnic and creates network namespaces.
#
# It builds a small Kubernetes-style node out of network namespaces, each
# pod joined to the node by an xnic pair with 2 channels (queue pairs):
#
#        pod1                         node                        pod2
#   eth0 10.10.1.2 <=xnic=> xpod1 10.10.1.1
#                                  xpod2 10.10.2.1 <=xnic=> eth0 10.10.2.2
#
# The node routes between the pods (ip_forward). Then it sends real traffic
# (ping, iperf3 TCP pod1 -> pod2 with 4 flows spread over the RSS queues,
# iperf3 UDP pod2 -> pod1), prints, per queue of every xnic end, what each
# step of the receive datapath counted (step names from DATAPATH.md), and
# exits non-zero if traffic did not flow or the kernel logged a splat.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/xnic-demo.XXXXXX)	# /tmp is a throw-away overlay
export XNIC_RESULTS=$tmp/results.txt
: >"$XNIC_RESULTS"
. "$root/tests/lib/report.sh"	# pass, fail
. "$root/tests/vm/lib.sh"	# on_exit, in_ns, xnic_load, dmesg_mark/check
. "$root/tests/vm/xnic-lib.sh"	# pair_add, dbg
. "$root/tests/vm/demo-xnicctl.sh"	# blocklist, policy, services, shaping

NODE=node
PROGS=$root/tests/progs
PODS=(1 2)	# pod N is namespace podN behind the node's xpodN
QUEUES=2

# Every xnic end as NS:DEV, in the order TCP data crosses them.
ENDS=(pod1:eth0 node:xpod1 node:xpod2 pod2:eth0)

# pod N's subnet: 10.10.N.0/24, node .1, pod .2.
pod_ip() { echo "10.10.$1.2"; }
node_ip() { echo "10.10.$1.1"; }

section() {
	printf '\n--- %s\n' "$*"
}

load_module() {
	section "load xnic"
	xnic_load
	echo "xnic $(modinfo -F version xnic) from $(modinfo -F filename xnic)"
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
}

# attach_pod N: namespace podN, joined to the node by an xnic pair.
attach_pod() {
	local n=$1 pod=pod$1 tmpname=pod$1-eth0

	ip netns add "$pod"
	ip -n "$pod" link set lo up
	# pair_add creates xpodN (QUEUES channels), finds the auto-named peer
	# through its iflink, renames it and moves each end to its namespace.
	# The pod end gets a unique name first: "eth0" in every pod.
	pair_add "xpod$n" "$tmpname" "$NODE" "$pod" "$QUEUES"
	ip -n "$pod" link set "$tmpname" name eth0

	ip -n "$NODE" addr add "$(node_ip "$n")/24" dev "xpod$n"
	ip -n "$NODE" link set "xpod$n" up
	ip -n "$pod" addr add "$(pod_ip "$n")/24" dev eth0
	ip -n "$pod" link set eth0 up
	ip -n "$pod" route add default via "$(node_ip "$n")"
}

build_node() {
	local n

	section "build the node: $NODE routes between the pods, each behind an xnic pair"
	on_exit teardown
	ip netns add "$NODE"
	ip -n "$NODE" link set lo up
	in_ns "$NODE" sysctl -qw net.ipv4.ip_forward=1
	for n in "${PODS[@]}"; do
		attach_pod "$n"
	done
	# Native XDP on the node's pod-facing ports: the program runs in the
	# NAPI poll on the DMA buffer, before any skb exists (step 2).
	for n in "${PODS[@]}"; do
		ip -n "$NODE" link set dev "xpod$n" xdpdrv obj "$PROGS/xdp_pass.o" sec xdp
	done
	for n in "${PODS[@]}"; do
		printf '  pod%s  eth0  %-13s <=xnic=>  %-5s %s/24 (%s channels)\n' \
			"$n" "$(pod_ip "$n")/24" "xpod$n" "$(node_ip "$n")" \
			"$(in_ns "$NODE" ethtool -l "xpod$n" | awk '/^Combined:/ { c = $2 } END { print c }')"
	done
	echo "  node: native XDP (XDP_PASS) attached to xpod1 and xpod2"
}

# Drop as early as possible: XDP_DROP on the node's port towards pod1, then
# 500 UDP datagrams from pod1. They die in the NAPI poll: xdp_drop counts
# them, no skb is built, pod2 sees none.
drop_early() {
	local d0 s0 p0 d1 s1 p1 n=500

	section "drop early: XDP_DROP on node:xpod1, $n UDP datagrams from pod1 to pod2"
	ip -force -n "$NODE" link set dev xpod1 xdpdrv obj "$PROGS/xdp_drop.o" sec xdp
	d0=$(ethstat_sum xpod1 '_xdp_drop$' "$NODE")
	s0=$(ethstat_sum xpod1 '^rx_queue_[0-9]+_packets$' "$NODE")
	p0=$(ethstat_sum eth0 '^rx_queue_[0-9]+_dma_frames$' pod2)
	in_ns pod1 bash -c "for i in \$(seq $n); do echo drop-me > /dev/udp/$(pod_ip 2)/9; done" 2>/dev/null
	xnic_settle
	d1=$(ethstat_sum xpod1 '_xdp_drop$' "$NODE")
	s1=$(ethstat_sum xpod1 '^rx_queue_[0-9]+_packets$' "$NODE")
	p1=$(ethstat_sum eth0 '^rx_queue_[0-9]+_dma_frames$' pod2)
	printf '  node:xpod1 xdp_drop +%d, skbs built +%d; pod2 frames received +%d\n' \
		$((d1 - d0)) $((s1 - s0)) $((p1 - p0))
	# pod2's count is shown, not asserted: the node's own IPv6 chatter
	# may reach it. Every frame from pod1 meets XDP_DROP, so no skb.
	if [ $((d1 - d0)) -ge $n ] && [ $((s1 - s0)) -eq 0 ]; then
		pass demo:xdp-drop-early
	else
		fail demo:xdp-drop-early "expected >= $n XDP drops and no skb built"
	fi
	ip -force -n "$NODE" link set dev xpod1 xdpdrv obj "$PROGS/xdp_pass.o" sec xdp
}

# Idempotent and quiet: also runs from the EXIT trap.
teardown() {
	local n
	for n in "${PODS[@]}"; do
		# Deleting one end deletes the pair.
		ip -n "$NODE" link del "xpod$n" 2>/dev/null || true
		ip netns del "pod$n" 2>/dev/null || true
	done
	ip netns del "$NODE" 2>/dev/null || true
}

# ping_test NAME FROM_NS DST: 5 pings; show the summary and one reply's TTL
# (64 from the node itself, 63 when the node routed the packet).
ping_test() {
	local name=$1 ns=$2 dst=$3 log=$tmp/ping-$1.txt
	if in_ns "$ns" ping -n -c 5 -i 0.2 -W 2 "$dst" >"$log" 2>&1; then
		printf '  %-28s %s, %s\n' "$ns -> $dst" \
			"$(grep -o '[0-9]* received, [0-9.]*% packet loss' "$log")" \
			"$(grep -om1 'ttl=[0-9]*' "$log")"
		pass "demo:ping-$name"
	else
		sed 's/^/    | /' "$log"
		fail "demo:ping-$name" "ping $dst from $ns failed"
	fi
}

# iperf3_run NAME SERVER_NS SERVER_IP CLIENT_NS IPERF3_ARGS...: one test,
# JSON result in $tmp/NAME.json. The server serves a single test (-1).
iperf3_run() {
	local name=$1 sns=$2 sip=$3 cns=$4 spid
	shift 4
	in_ns "$sns" iperf3 -s -1 -B "$sip" >"$tmp/$name-server.txt" 2>&1 &
	spid=$!
	on_exit "kill $spid 2>/dev/null"
	wait_listen "$sns" 5201 ||
		{ echo "  iperf3 server in $sns did not start"; return 1; }
	in_ns "$cns" iperf3 -c "$sip" --connect-timeout 5000 -J "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
		{ jq -r '.error // empty' "$tmp/$name.json" 2>/dev/null |
			cat - "$tmp/$name.err" | sed 's/^/    | /'; return 1; }
	wait "$spid" 2>/dev/null || true
}

# iperf3_report NAME LABEL: throughput and volume from the receiver's side.
iperf3_report() {
	local name=$1 label=$2 bytes
	bytes=$(jq -r '.end.sum_received.bytes // 0' "$tmp/$name.json" 2>/dev/null || echo 0)
	jq -r --arg l "$label" '.end as $e | $e.sum_received |
		"  \($l)  \(.bits_per_second / 1e6 * 10 | round / 10) Mbit/s received, \(.bytes / 1e6 * 10 | round / 10) MB" +
		(if $e.sum_sent.retransmits != null then ", \($e.sum_sent.retransmits) retransmits" else "" end) +
		(if .lost_packets != null then ", \(.lost_packets)/\(.packets) datagrams lost" else "" end)' \
		"$tmp/$name.json" 2>/dev/null || echo "  $label: no result"
	[ "$bytes" -gt 0 ]
}

send_traffic() {
	section "traffic"
	ping_test gateway pod1 "$(node_ip 1)"
	ping_test routed pod1 "$(pod_ip 2)"

	if iperf3_run tcp pod2 "$(pod_ip 2)" pod1 -t 3 -P 4 &&
		iperf3_report tcp "TCP pod1 -> pod2, 4 flows, 3 s:"; then
		pass demo:iperf3-tcp
	else
		fail demo:iperf3-tcp "iperf3 TCP pod1 -> pod2 failed or moved no data"
	fi
	if iperf3_run udp pod1 "$(pod_ip 1)" pod2 -u -b 10M -t 2 &&
		iperf3_report udp "UDP pod2 -> pod1, 10 Mbit/s, 2 s:"; then
		pass demo:iperf3-udp
	else
		fail demo:iperf3-udp "iperf3 UDP pod2 -> pod1 failed or moved no data"
	fi
}

# The datapath table's columns, left to right, as "GROUP|HEADER|SOURCE".
# Consecutive columns of one GROUP share a label (DATAPATH.md's step names).
# SOURCE is an `ethtool -S` counter with Q standing for the queue index, or
# @rx / @tx for that ring's "posted/filled" occupancy from debugfs `rings`.
DATAPATH_COLS=(
	"TX|sent|tx_queue_Q_packets"
	"TX|done|tx_queue_Q_completions"
	"1. driver/NAPI poll|dma|rx_queue_Q_dma_frames"
	"1. driver/NAPI poll|miss|rx_queue_Q_missed"
	"1. driver/NAPI poll|fired|irq_Q_fired"
	"1. driver/NAPI poll|masked|irq_Q_masked"
	"1. driver/NAPI poll|polls|rx_queue_Q_polls"
	"2. XDP|pass|rx_queue_Q_xdp_pass"
	"2. XDP|drop|rx_queue_Q_xdp_drop"
	"3. clean_rx > 4. GRO|skbs_to_gro|rx_queue_Q_packets"
	"3. clean_rx > 4. GRO|csum_ok|rx_queue_Q_csum_unnecessary"
	"rings|rx|@rx"
	"rings|tx|@tx"
)

# datapath_rows NS:DEV: one tab-separated row per queue of DEV: "NS:DEV",
# the queue index, then DATAPATH_COLS.
datapath_rows() {
	local ns=${1%%:*} dev=${1#*:} k v q ring posted filled col src
	local -A s=() r=()

	while read -r k v; do
		s[${k%:}]=$v
	done < <(in_ns "$ns" ethtool -S "$dev" | tail -n +2)
	# "queue ring size tail head next_to_clean posted filled ...", or "down".
	while read -r q ring _ _ _ _ posted filled _; do
		r[$q.$ring]=$posted/$filled
	done < <(tail -n +2 "$(dbg "$dev" "$ns")/rings")

	for ((q = 0; ${#s[rx_queue_${q}_packets]} > 0; q++)); do
		printf '%s\t%s' "$ns:$dev" "$q"
		for col in "${DATAPATH_COLS[@]}"; do
			src=${col##*|}
			case $src in
			@*) printf '\t%s' "${r[$q.${src#@}]:--}" ;;
			*) printf '\t%s' "${s[${src//Q/$q}]:-?}" ;;
			esac
		done
		printf '\n'
	done
}

# print_table GROUPS: align tab-separated stdin (first line: column names)
# under a line of group labels. GROUPS is "N:label;N:label;...", each label
# spanning the next N columns. Column 1 is left-aligned, the rest right.
print_table() {
	awk -F'\t' -v groups="$1" '
	function dashes(n,  s) { s = ""; while (n-- > 0) s = s "-"; return s }
	function span(k,  i, n) {
		n = 0
		for (i = first[k]; i <= last[k]; i++) n += w[i] + (i > first[k])
		return n
	}
	{
		for (i = 1; i <= NF; i++) {
			cell[NR, i] = $i
			if (length($i) > w[i]) w[i] = length($i)
		}
		nr = NR
	}
	END {
		ng = split(groups, g, ";")
		c = 1
		for (k = 1; k <= ng; k++) {
			p = index(g[k], ":")
			label[k] = substr(g[k], p + 1)
			first[k] = c
			last[k] = c + substr(g[k], 1, p - 1) - 1
			c = last[k] + 1
			# A label wider than its columns widens the first one
			# (columns are right-aligned: the numbers stay together).
			need = length(label[k]) + (label[k] != "" ? 3 : 0)
			if (need > span(k)) w[first[k]] += need - span(k)
		}
		line = ""
		for (k = 1; k <= ng; k++) {
			sep = k > 1 ? "  " : ""
			if (label[k] == "")
				line = line sep sprintf("%" span(k) "s", "")
			else
				line = line sep label[k] " " dashes(span(k) - length(label[k]) - 1)
		}
		print line
		for (r = 1; r <= nr; r++) {
			line = ""
			for (k = 1; k <= ng; k++)
				for (i = first[k]; i <= last[k]; i++) {
					sep = i == 1 ? "" : (i == first[k] ? "  " : " ")
					fmt = i == 1 ? "%-" w[i] "s" : "%" w[i] "s"
					line = line sep sprintf(fmt, cell[r, i])
				}
			print line
		}
	}'
}

show_datapath_table() {
	local e col group prev="" n=0 groups="2:" header="dev\tq"

	# Header and group labels from DATAPATH_COLS ("2:": dev and q).
	for col in "${DATAPATH_COLS[@]}"; do
		group=${col%%|*}
		header+="\t$(cut -d'|' -f2 <<<"$col")"
		if [ "$group" != "$prev" ] && [ "$n" -gt 0 ]; then
			groups+=";$n:$prev"
			n=0
		fi
		prev=$group
		n=$((n + 1))
	done
	groups+=";$n:$prev"

	section "what each datapath step saw, per queue (DATAPATH.md step names)"
	{
		echo -e "$header"
		for e in "${ENDS[@]}"; do
			datapath_rows "$e"
		done
	} | print_table "$groups"
	cat <<-'EOF'
	TX: sent = frames this end's DMA engine copied into its peer's RX ring; done = completions cleaned.
	1.: dma = frames landed in this RX ring, miss = no free buffer; an irq raised while polling: masked.
	2.: XDP verdicts in the poll (node ports run XDP_PASS): before any skb exists.
	3.>4.: skbs_to_gro = skbs built, handed to GRO; csum_ok = checksum trusted. rings: posted/filled.
	EOF
}

final_checks() {
	local nfail

	section "checks"
	teardown
	dmesg_check demo:dmesg-clean
	taint_check demo:taint-clean
	nfail=$(grep -c '^FAIL' "$XNIC_RESULTS" || true)
	if [ "$nfail" -eq 0 ]; then
		echo "demo: all $(grep -c . "$XNIC_RESULTS") checks passed"
	else
		echo "demo: $nfail check(s) failed:"
		grep '^FAIL' "$XNIC_RESULTS" | cut -f2- | sed 's/\t/: /; s/^/  /'
	fi
	[ "$nfail" -eq 0 ]
}

main() {
	echo "demo guest: kernel $(uname -r), $(nproc) CPUs"
	dmesg_mark
	load_module
	build_node
	send_traffic
	show_datapath_table
	drop_early
	blocklist_demo
	policy_demo
	services_demo
	shaping_demo
	final_checks
}

main "$@"
