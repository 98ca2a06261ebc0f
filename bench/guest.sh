#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark ladder, run inside one VM boot by scripts/bench.sh:
#   bench/guest.sh OUTFILE
# writes one JSON object per measurement (JSON lines) to OUTFILE.
#
# Method (see docs/benchmarks.md): pktgen on CPU 0 sends 64-byte UDP from
# netns "gen" to the receiving device in the initial netns; the receiving
# queue's interrupt, NAPI and everything after it run on CPU 1. Each rung
# stops the packet at one stage of the receive path. For every repetition
# we record the packets the receiver took in, the window length and each
# CPU's busy time from /proc/stat: the receiver's cost per packet is CPU
# 1's busy time divided by its packets. veth runs its NAPI on the sending
# CPU, so for veth rows the cost is derived from the rate instead:
# 1e9/pps minus the generator's own cost per packet (pktgen into dummy).
#
#   XNIC_BENCH_REPS     repetitions per rung (default 3)
#   XNIC_BENCH_SECONDS  measured window per repetition (default 3)
#   XNIC_BENCH_WARMUP   seconds of traffic before each window (default 1)
#   XNIC_BENCH_ONLY     space-separated rung names to run (default: all);
#                       "scaling" names the blocklist scaling rungs
#   XNIC_BENCH_SCALE    blocklist sizes for them (default "1 100 1000 10000")
#                       "services" names the service rungs
#   XNIC_BENCH_SERVICES service counts for them (default "1 100 1000 10000")
#                       "queues" names the 1- and 2-queue drop rungs,
#                       "tcp" the iperf3 rungs, "frame" the frame-origin
#                       ladder (rungs named frame-*)
#   XNIC_BENCH_PROFILE  xnic rungs to profile CPU 1 on with perf (default
#                       "xdp-drop tc-drop iptables-raw-drop frame-xdp-drop";
#                       "" for none): about a minute each in TCG, mostly
#                       perf reading /proc/kallsyms
set -u -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
reps=${XNIC_BENCH_REPS:-3}
secs=${XNIC_BENCH_SECONDS:-3}
warmup=${XNIC_BENCH_WARMUP:-1}
progs=$root/tests/progs
xnicctl=$root/userspace/xnicctl
hz=$(getconf CLK_TCK)
profiles=${XNIC_BENCH_PROFILE-xdp-drop tc-drop iptables-raw-drop frame-xdp-drop}
: >"$out"

. "$root/tests/vm/xnic-lib.sh"

log() { echo "bench: [${SECONDS}s] $*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
die() { log "$*"; exit 1; }
# Only what the kernel says from here on counts below: boot messages (such
# as virtme-ng-init's on a machine without systemd-tmpfiles) are not ours.
dmesg_start=$(dmesg | wc -l)

# ---- measurement -------------------------------------------------------

# busy ticks of CPU $1 (all but idle and iowait)
cpu_busy() {
	awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# pktgen runs in netns gen; /proc/net/pktgen is per namespace.
# w FILE CMD...: each CMD into /proc/net/pktgen/FILE, one netns entry for
# all of them (each `ip netns exec` costs a remount of /sys)
w() {
	local f=$1 c script=""
	shift
	for c in "$@"; do
		script+="echo '$c' > /proc/net/pktgen/$f 2>/dev/null ||
			echo \"bench: pktgen: '$c' into $f refused\" >&2
"
	done
	ip netns exec gen sh -c "$script"
}

# pktgen_setup DEV DSTMAC [single]: DEV (in netns gen) on CPU 0's thread,
# 64-byte UDP from 10.9.0.2 to 10.9.0.1:9 (port "discard"), repeated skbs
# in bursts, or with "single" a fresh skb each time, one per call: veth
# takes only that (it clears IFF_TX_SKB_SHARING, so pktgen refuses
# clone_skb and burst), and the generator and xnic are measured that way
# too so veth's rows have a like-for-like baseline.
pktgen_setup() {
	local dev=$1 mac=$2 clone=1000 burst=32
	gen_mode=pktgen
	if [ "${3:-}" = single ]; then clone=0 burst=1; fi
	w kpktgend_0 rem_device_all "add_device $dev"
	w "$dev" "count 0" "pkt_size 60" "clone_skb $clone" "burst $burst" \
		"delay 0" "dst 10.9.0.1" "src_min 10.9.0.2" "src_max 10.9.0.2" \
		"udp_dst_min 9" "udp_dst_max 9" "dst_mac $mac"
}

# The generator of the rungs measured next: "pktgen" (skb origin, set up
# by pktgen_setup) or "live" (frame origin, live_setup).
gen_mode=pktgen

# live_setup DEV DSTMAC: frame-origin traffic, the way xdp-trafficgen
# makes it (Debian's xdp-tools 1.3.1 cannot, NOTES.md): xdp_livegen runs
# BPF_PROG_RUN in live-frames mode on CPU 0 in netns gen, redirecting
# 64-byte UDP frames to 10.9.0.1:9 into DEV's ndo_xdp_xmit. No skb
# exists on the sending side; the receiver gets them as xdp_frames.
live_setup() {
	gen_mode=live
	LIVE_DEV=$1
	LIVE_MAC=$2
}

# "start" blocks until the run ends, so it runs in the background.
gen_start() {
	if [ "$gen_mode" = live ]; then
		nsenter --net=/run/netns/gen taskset -c 0 "$progs/xdp_livegen" \
			"$LIVE_DEV" "$LIVE_MAC" 10.9.0.1 4000000000 >/dev/null &
	else
		w pgctrl start &
	fi
	PG_PID=$!
}

gen_stop() {
	if [ "$gen_mode" = live ]; then
		kill "$PG_PID"
	else
		w pgctrl stop
	fi
	wait "$PG_PID" 2>/dev/null
}

# rx_count KIND DEV: packets the receiver took in (for "dummy", the
# generator's own transmitted count in netns gen)
rx_count() {
	case $1 in
	xnic) ethstat_sum "$2" '^rx_queue_[0-9]+_dma_frames$' ;;
	veth) cat "/sys/class/net/$2/statistics/rx_packets" ;;
	dummy) ip netns exec gen cat "/sys/class/net/$2/statistics/tx_packets" ;;
	esac
}

# frames the receiver lost for want of a posted buffer (xnic only)
rx_missed() {
	if [ "$1" = xnic ]; then ethstat_sum "$2" '^rx_queue_[0-9]+_missed$'; else echo 0; fi
}

# measure NAME KIND RXDEV [ENTRIES]: REPS windows of SECS seconds;
# ENTRIES is the blocklist size of a scaling rung (0 elsewhere)
measure() {
	local name=$1 kind=$2 rxdev=$3 entries=${4:-0} r
	local p0 p1 m0 m1 c00 c01 c10 c11 t0 t1 pkts missed ns_win

	log "$name ($kind): $reps x ${secs}s"
	for ((r = 1; r <= reps; r++)); do
		gen_start
		sleep "$warmup" # rings full, caches warm, rates settled
		p0=$(rx_count "$kind" "$rxdev"); m0=$(rx_missed "$kind" "$rxdev")
		c00=$(cpu_busy 0); c10=$(cpu_busy 1); t0=$(date +%s%N)
		sleep "$secs"
		p1=$(rx_count "$kind" "$rxdev"); m1=$(rx_missed "$kind" "$rxdev")
		c01=$(cpu_busy 0); c11=$(cpu_busy 1); t1=$(date +%s%N)
		gen_stop
		pkts=$((p1 - p0))
		missed=$((m1 - m0))
		ns_win=$((t1 - t0))
		printf '{"rung":"%s","dev":"%s","entries":%d,"rep":%d,"packets":%d,"missed":%d,"window_ns":%d,"cpu0_busy_ns":%d,"cpu1_busy_ns":%d}\n' \
			"$name" "$kind" "$entries" "$r" "$pkts" "$missed" "$ns_win" \
			$(((c01 - c00) * 1000000000 / hz)) $(((c11 - c10) * 1000000000 / hz)) >>"$out"
		sleep 0.5
	done
}

# profile NAME KIND: where CPU 1's time goes on a rung, the generator
# running as in measure: perf's cpu-clock samples (TCG has no PMU) for
# one window, top symbols as one JSON line
#   {"profile":NAME,"dev":KIND,"samples":N,"top":[[PERCENT,"SYMBOL"],...]}
# This is what docs/benchmarks.md points at where a target is missed.
profile() {
	local name=$1 kind=$2 data=/tmp/xnic-bench-perf.data n top

	[[ " $profiles " == *" $name "* ]] || return 0
	log "$name ($kind): perf profile of CPU 1, ${secs}s"
	gen_start
	sleep "$warmup"
	# -B: no build-id pass over the data (slow in TCG, not needed here)
	perf record -B -q -e cpu-clock -C 1 -o "$data" -- sleep "$secs" 2>/dev/null ||
		die "perf record ($name)"
	gen_stop
	# Overhead, samples, [k] or [.], symbol: the total and the top 15
	perf report -i "$data" --stdio -q -n --no-children --sort sym 2>/dev/null |
		awk '$1 ~ /%$/ { p = $1; sub(/%/, "", p); n = $2; $1 = $2 = $3 = "";
			sub(/^ +/, ""); printf "%s\t%s\t%s\n", p, n, $0 }' >"$data.txt"
	n=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$data.txt")
	top=$(head -n 15 "$data.txt" | jq -R -s -c 'split("\n") |
		map(select(length > 0) | split("\t") | [(.[0] | tonumber), .[2]])')
	printf '{"profile":"%s","dev":"%s","samples":%d,"top":%s}\n' \
		"$name" "$kind" "$n" "${top:-[]}" >>"$out"
	rm -f "$data" "$data.txt"
}

# ---- topology ----------------------------------------------------------

modprobe xnic || die "modprobe xnic failed"
modprobe pktgen || die "modprobe pktgen failed"
modprobe dummy || die "modprobe dummy failed"
modprobe veth || die "modprobe veth failed"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add gen
ip -n gen link set lo up

# xnic: xr (receiver, init netns, one queue, vector on CPU 1) <-> xg (gen).
pair_add xr xg "" gen 1 || die "xnic pair"
ip addr add 10.9.0.1/24 dev xr
ip -n gen addr add 10.9.0.2/24 dev xg
ip link set xr up
ip -n gen link set xg up
echo 1 >"$(dbg xr)/irq/0/cpu"
echo 0 >"$(dbg xg gen)/irq/0/cpu"
ip neigh replace 10.9.0.2 lladdr "$(ip -n gen -br link show xg | awk '{ print $3 }')" dev xr

# Redirect targets: a second xnic pair (x2 -> x2p) and a veth pair (vt -> vtp).
pair_add x2 x2p || die "second xnic pair"
ip link set x2 up
ip link set x2p up
echo 1 >"$(dbg x2p)/irq/0/cpu"
ip link add vt type veth peer name vtp
ip link set vt up
ip link set vtp up

# Generator ceiling: pktgen into a dummy device in netns gen.
ip -n gen link add dum0 type dummy
ip -n gen addr add 10.9.2.2/24 dev dum0
ip -n gen link set dum0 up

sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
sysctl -qw net.ipv4.conf.xr.rp_filter=0

want() { [ -z "${XNIC_BENCH_ONLY:-}" ] || [[ " $XNIC_BENCH_ONLY " == *" $1 "* ]]; }

xdp_on() { ip link set dev "$1" "$2" obj "$progs/$3.o" sec xdp || die "attach $3 to $1 ($2)"; }
xdp_off() { ip link set dev "$1" "$2" off; }
tc_drop_on() {
	tc qdisc add dev "$1" clsact
	tc filter add dev "$1" ingress bpf da obj "$progs/tc_drop.o" sec tc || die "tc_drop on $1"
}
tc_off() { tc qdisc del dev "$1" clsact; }
devmap_set() {
	local id
	id=$(bpftool map show -j | jq '[.[] | select(.name == "tx_port")] | last | .id')
	bpftool map update id "$id" key 0 0 0 0 value $(printf '%d 0 0 0' "$(cat "/sys/class/net/$1/ifindex")") ||
		die "devmap update for $1"
}

# redirect_rung NAME KIND RXDEV TARGET TARGETPEER
redirect_rung() {
	local name=$1 k=$2 rx=$3 to=$4 far=$5
	xdp_on "$far" xdpdrv xdp_drop
	xdp_on "$rx" xdpdrv xdp_redirect
	devmap_set "$to"
	measure "$name" "$k" "$rx"
	xdp_off "$rx" xdpdrv
	xdp_off "$far" xdpdrv
}

# iptables_raw_rung NAME KIND RXDEV: dropped in raw PREROUTING
iptables_raw_rung() {
	iptables -t raw -I PREROUTING -i "$3" -p udp --dport 9 -j DROP
	measure "$@"
	[ "$1" != iptables-raw-drop ] || [ "$2" != xnic ] || profile "$1" "$2"
	iptables -t raw -D PREROUTING -i "$3" -p udp --dport 9 -j DROP
}

# udp_socket_rung NAME KIND RXDEV: delivered to a socket read on CPU 1
udp_socket_rung() {
	local sink

	taskset -c 1 "$root/bench/udp_sink" 9 &
	sink=$!
	sleep 0.3
	measure "$@"
	kill "$sink"
	wait "$sink" 2>/dev/null
}

# run_ladder KIND RXDEV GENDEV: every rung the device supports
run_ladder() {
	local k=$1 rx=$2 g=$3 mac

	mac=$(ip -br link show "$rx" | awk '{ print $3 }')
	if [ "$k" = veth ]; then
		pktgen_setup "$g" "$mac" single
	else
		pktgen_setup "$g" "$mac"
	fi

	if want xdp-drop; then
		xdp_on "$rx" xdpdrv xdp_drop
		measure xdp-drop "$k" "$rx"
		[ "$k" != xnic ] || profile xdp-drop "$k"
		# xnic against veth's generator settings: rates compare alike.
		if [ "$k" = xnic ]; then
			pktgen_setup "$g" "$mac" single
			measure xdp-drop-single "$k" "$rx"
			pktgen_setup "$g" "$mac"
		fi
		xdp_off "$rx" xdpdrv
	fi
	# pktgen's shared skbs crash generic XDP behind veth on 6.1 (NOTES.md).
	if want xdp-generic-drop && [ "$k" = xnic ]; then
		xdp_on "$rx" xdpgeneric xdp_drop
		measure xdp-generic-drop "$k" "$rx"
		xdp_off "$rx" xdpgeneric
	fi
	if want tc-drop; then
		tc_drop_on "$rx"
		measure tc-drop "$k" "$rx"
		[ "$k" != xnic ] || profile tc-drop "$k"
		# The same with a no-op XDP program in front: the hook's cost.
		if want xdp-pass-tc-drop; then
			xdp_on "$rx" xdpdrv xdp_pass
			measure xdp-pass-tc-drop "$k" "$rx"
			xdp_off "$rx" xdpdrv
		fi
		tc_off "$rx"
	fi
	if want nft-ingress-drop; then
		nft -f - <<-EOF || die "nft netdev table"
		table netdev xbench {
			chain in { type filter hook ingress device $rx priority 0; udp dport 9 drop; }
		}
		EOF
		measure nft-ingress-drop "$k" "$rx"
		nft delete table netdev xbench
	fi
	if want iptables-raw-drop; then
		iptables_raw_rung iptables-raw-drop "$k" "$rx"
	fi
	if want iptables-input-drop; then
		iptables -I INPUT -i "$rx" -p udp --dport 9 -j DROP
		measure iptables-input-drop "$k" "$rx"
		iptables -D INPUT -i "$rx" -p udp --dport 9 -j DROP
	fi
	if want udp-socket; then
		udp_socket_rung udp-socket "$k" "$rx"
	fi
	# XDP_TX sends each frame back to the generator's port. XDP drops it
	# there, as a wire would carry it off: otherwise the generator's CPU
	# spends its time in a stack receiving them and generates less.
	if want xdp-tx; then
		ip -n gen link set dev "$g" xdpdrv obj "$progs/xdp_drop.o" sec xdp ||
			die "attach xdp_drop to $g"
		xdp_on "$rx" xdpdrv xdp_tx
		measure xdp-tx "$k" "$rx"
		xdp_off "$rx" xdpdrv
		ip -n gen link set dev "$g" xdpdrv off
	fi
	# Redirect targets drop with XDP on their far end, on CPU 1 too.
	if want xdp-redirect-xnic; then
		redirect_rung xdp-redirect-xnic "$k" "$rx" x2 x2p
	fi
	if want xdp-redirect-veth; then
		redirect_rung xdp-redirect-veth "$k" "$rx" vt vtp
	fi
}

# run_frame_ladder KIND RXDEV GENDEV: the first rungs again with frames
# from xdp_livegen instead of pktgen's skbs. On xnic the peer's
# ndo_xdp_xmit hands them to the same DMA engine, so the receiver's work
# should not change, only the sender's; on veth they skip the copy into
# a fresh page veth makes of every skb before XDP. veth accepts frames
# only into a peer whose NAPI runs, that is with an XDP program, so its
# only frame rung is XDP_DROP.
run_frame_ladder() {
	local k=$1 rx=$2 g=$3

	want frame || return 0
	live_setup "$g" "$(ip -br link show "$rx" | awk '{ print $3 }')"
	frame_rungs "$k" "$rx"
	# The rungs after these (scaling, queues) use pktgen's set-up again.
	gen_mode=pktgen
}

# frame_rungs KIND RXDEV: run_frame_ladder's rungs
frame_rungs() {
	local k=$1 rx=$2

	xdp_on "$rx" xdpdrv xdp_drop
	measure frame-xdp-drop "$k" "$rx"
	[ "$k" != xnic ] || profile frame-xdp-drop "$k"
	xdp_off "$rx" xdpdrv
	[ "$k" = xnic ] || return 0
	xdp_on "$rx" xdpgeneric xdp_drop
	measure frame-xdp-generic-drop "$k" "$rx"
	xdp_off "$rx" xdpgeneric
	tc_drop_on "$rx"
	measure frame-tc-drop "$k" "$rx"
	tc_off "$rx"
	iptables_raw_rung frame-iptables-raw-drop "$k" "$rx"
	udp_socket_rung frame-udp-socket "$k" "$rx"
}

# ---- blocklist scaling (xnic only) -------------------------------------
# The same N source prefixes in three blocklists, none matching the
# generator's 10.9.0.2, and each packet dropped right after the lookup:
#   XDP prefilter (LPM trie, xnicctl)  -> passes, tc BPF drop
#   nftables netdev ingress set        -> no match, udp dport 9 drop
#   iptables raw PREROUTING, N rules   -> no match, udp dport 9 drop
# What matters is how each row's cost grows with N, not the rows' levels.

# prefixes N: N distinct /16s from 20.0.0.0/16 on
prefixes() {
	local i
	for ((i = 0; i < $1; i++)); do
		echo "$((20 + i / 256)).$((i % 256)).0.0/16"
	done
}

scale_xdp() {
	local n=$1 rx=$2 list t0=$(now_ms)
	mapfile -t list < <(prefixes "$n")
	"$xnicctl" prefilter add "${list[@]}" >/dev/null || die "prefilter add ($n)"
	log "scaling: $n prefilter prefixes in $(($(now_ms) - t0)) ms"
	"$xnicctl" attach "$rx" --xdp native >/dev/null || die "xnicctl attach $rx"
	tc_drop_on "$rx"
	measure "scale-xdp-lpm-$n" xnic "$rx" "$n"
	tc_off "$rx"
	"$xnicctl" detach "$rx" >/dev/null || die "xnicctl detach $rx"
	"$xnicctl" prefilter del "${list[@]}" >/dev/null || die "prefilter del ($n)"
}

scale_nft() {
	local n=$1 rx=$2 t0=$(now_ms)
	{
		echo "table netdev xscale {"
		echo "  set bl { type ipv4_addr; flags interval; elements = {"
		prefixes "$n" | paste -sd,
		echo "  } }"
		echo "  chain in { type filter hook ingress device $rx priority 0;"
		echo "    ip saddr @bl drop; udp dport 9 drop; }"
		echo "}"
	} | nft -f - || die "nft set ($n)"
	log "scaling: an nftables set of $n in $(($(now_ms) - t0)) ms"
	measure "scale-nft-set-$n" xnic "$rx" "$n"
	nft delete table netdev xscale
}

scale_ipt() {
	local n=$1 rx=$2 t0=$(now_ms)
	{
		echo "*raw"
		prefixes "$n" | sed "s|.*|-A PREROUTING -i $rx -s & -j DROP|"
		echo "-A PREROUTING -i $rx -p udp --dport 9 -j DROP"
		echo "COMMIT"
	} | iptables-restore --noflush || die "iptables rules ($n)"
	log "scaling: $n iptables rules in $(($(now_ms) - t0)) ms"
	measure "scale-iptables-$n" xnic "$rx" "$n"
	iptables -t raw -F PREROUTING
}

run_scaling() {
	local rx=$1 n

	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	for n in ${XNIC_BENCH_SCALE:-1 100 1000 10000}; do
		scale_xdp "$n" "$rx"
		scale_nft "$n" "$rx"
		scale_ipt "$n" "$rx"
	done
}

# ---- services (xnic only) ---------------------------------------------
# A TCP client in netns "cli" (CPU 0) reaches a backend, tcp_rr serving in
# netns "svc" (CPU 1), through the initial netns as a forwarding node:
#
#   cli: xcp 10.9.4.2 ==xnic== xc 10.9.4.1  node  10.9.5.1 xs ==xnic== xsp 10.9.5.2 :svc
#
# each xnic end's vector on the CPU of the side that receives. Four ways
# to the backend:
#   direct     the client connects to 10.9.5.2:8080 itself
#   socklb     the client connects to a VIP; sock_lb's connect4 rewrites
#              it to the backend once per connection (xnicctl service)
#   nodeport   the client connects to a VIP; tc on xc rewrites every
#              packet, and the replies back (xnicctl service nodeport)
#   iptables   the client connects to a VIP; kube-proxy's rules (nat
#              PREROUTING -> KUBE-SERVICES, one rule per service ->
#              KUBE-SVC -> KUBE-SEP -> DNAT) rewrite it, conntrack every
#              packet
# N services exist and the client uses the last one added, so iptables
# walks past the N-1 others on each new connection. Measured: connect,
# one byte each way, close (crr), and one byte each way on one
# established connection (rr, with the first N); cost = both CPUs' busy
# time per transaction.

# svc_vip I: service I's address, 10.96.0.1 on
svc_vip() { echo "10.96.$((($1 + 1) / 256)).$((($1 + 1) % 256))"; }

# measure_tx NAME ENTRIES MODE ADDR PORT: REPS runs of tcp_rr MODE in cli
measure_tx() {
	local name=$1 entries=$2 mode=$3 addr=$4 port=$5 r res c00 c01 c10 c11

	log "$name (svc): $reps x ${secs}s"
	for ((r = 1; r <= reps; r++)); do
		c00=$(cpu_busy 0); c10=$(cpu_busy 1)
		# nsenter, not ip netns exec: no /sys remount in the window
		res=$(nsenter --net=/run/netns/cli taskset -c 0 \
			"$root/bench/tcp_rr" "$mode" "$addr" "$port" "$secs") ||
			die "$name: tcp_rr $mode $addr:$port failed"
		c01=$(cpu_busy 0); c11=$(cpu_busy 1)
		printf '{"rung":"%s","dev":"svc","entries":%d,"rep":%d,"packets":%d,"missed":0,"window_ns":%d,"cpu0_busy_ns":%d,"cpu1_busy_ns":%d}\n' \
			"$name" "$entries" "$r" "${res% *}" "${res#* }" \
			$(((c01 - c00) * 1000000000 / hz)) $(((c11 - c10) * 1000000000 / hz)) >>"$out"
		sleep 0.5
	done
}

# kube_proxy_rules N: an iptables-restore file for services 0..N-1
kube_proxy_rules() {
	local i
	echo "*nat"
	echo ":KUBE-SERVICES - [0:0]"
	for ((i = 0; i < $1; i++)); do
		echo ":KUBE-SVC-$i - [0:0]"
		echo ":KUBE-SEP-$i - [0:0]"
	done
	echo "-A PREROUTING -j KUBE-SERVICES"
	echo "-A OUTPUT -j KUBE-SERVICES"
	for ((i = 0; i < $1; i++)); do
		# svc_vip inline, as for xnicctl's batch
		echo "-A KUBE-SERVICES -d 10.96.$(((i + 1) / 256)).$(((i + 1) % 256))/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-$i"
		echo "-A KUBE-SVC-$i -j KUBE-SEP-$i"
		echo "-A KUBE-SEP-$i -p tcp -m tcp -j DNAT --to-destination 10.9.5.2:8080"
	done
	echo "COMMIT"
}

# svc_net: the client, node and backend of the drawing above
svc_net() {
	ip netns add cli
	ip netns add svc
	ip -n cli link set lo up
	ip -n svc link set lo up
	pair_add xc xcp "" cli 1 || die "client pair"
	pair_add xs xsp "" svc 1 || die "service pair"
	ip addr add 10.9.4.1/24 dev xc
	ip -n cli addr add 10.9.4.2/24 dev xcp
	ip addr add 10.9.5.1/24 dev xs
	ip -n svc addr add 10.9.5.2/24 dev xsp
	ip link set xc up
	ip link set xs up
	ip -n cli link set xcp up
	ip -n svc link set xsp up
	ip -n cli route add default via 10.9.4.1
	ip -n svc route add default via 10.9.5.1
	sysctl -qw net.ipv4.ip_forward=1
	echo 0 >"$(dbg xc)/irq/0/cpu"
	echo 0 >"$(dbg xcp cli)/irq/0/cpu"
	echo 1 >"$(dbg xs)/irq/0/cpu"
	echo 1 >"$(dbg xsp svc)/irq/0/cpu"
}

run_services() {
	local sizes=${XNIC_BENCH_SERVICES:-1 100 1000 10000} n have=0 i srv cg t0 vip first

	svc_net
	ip netns exec svc taskset -c 1 "$root/bench/tcp_rr" serve 10.9.5.2 8080 &
	srv=$!
	sleep 0.3
	# Thousands of connections: room in conntrack for the iptables rows.
	sysctl -qw net.netfilter.nf_conntrack_max=1048576 2>/dev/null || true

	measure_tx svc-direct-crr 0 crr 10.9.5.2 8080
	measure_tx svc-direct-rr 0 rr 10.9.5.2 8080

	# The cgroup v2 root: every process is under it.
	cg=/sys/fs/cgroup
	if [ "$(stat -f -c %T $cg)" != cgroup2fs ]; then
		cg=/run/xnic-bench-cgroup
		mkdir -p $cg
		mountpoint -q $cg || mount -t cgroup2 none $cg || die "mount cgroup2"
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	first=${sizes%% *}
	for n in $sizes; do
		# One process for the rung (xnicctl batch): one per service cost
		# 0.22 s each in emulation, 37 min for the 10,000 rung.
		t0=$(now_ms)
		# svc_vip inline: a subshell per line costs more than the line.
		for ((i = have + 1; i <= n; i++)); do
			echo "service add 10.96.$((i / 256)).$((i % 256)):80/tcp --backend 10.9.5.2:8080"
		done | "$xnicctl" batch - >/dev/null || die "xnicctl batch: services $have..$((n - 1))"
		log "services: $((n - have)) added to $have in $(($(now_ms) - t0)) ms"
		have=$n
		vip=$(svc_vip $((n - 1)))

		"$xnicctl" service attach --cgroup $cg >/dev/null || die "xnicctl service attach"
		measure_tx "svc-socklb-crr-$n" "$n" crr "$vip" 80
		[ "$n" != "$first" ] || measure_tx svc-socklb-rr "$n" rr "$vip" 80
		"$xnicctl" service detach >/dev/null || die "xnicctl service detach"

		"$xnicctl" service nodeport attach xc >/dev/null || die "xnicctl service nodeport attach"
		measure_tx "svc-nodeport-crr-$n" "$n" crr "$vip" 80
		[ "$n" != "$first" ] || measure_tx svc-nodeport-rr "$n" rr "$vip" 80
		"$xnicctl" service nodeport detach xc >/dev/null || die "xnicctl service nodeport detach"
	done

	for n in $sizes; do
		t0=$(now_ms)
		kube_proxy_rules "$n" | iptables-restore || die "kube-proxy rules ($n)"
		log "services: $n kube-proxy services in $(($(now_ms) - t0)) ms"
		vip=$(svc_vip $((n - 1)))
		measure_tx "svc-iptables-crr-$n" "$n" crr "$vip" 80
		[ "$n" != "$first" ] || measure_tx svc-iptables-rr "$n" rr "$vip" 80
	done
	iptables -t nat -F
	iptables -t nat -X

	kill "$srv"
	wait "$srv" 2>/dev/null
	ip netns del cli
	ip netns del svc
	sysctl -qw net.ipv4.ip_forward=0
}

# ---- receive queues (xnic only) ---------------------------------------
# Both CPUs generate (one pktgen thread each, 16 UDP source ports each so
# RSS has flows to spread) into a two-queue pair whose receiver drops with
# XDP; queue 0's vector runs on CPU 1, queue 1's on CPU 0. The same
# offered load with RSS steering every flow to queue 0 (queues-1) and
# spreading them over both (queues-2): the aggregate drop rate, taken
# from both rings.
run_queues() {
	local mac t

	gen_mode=pktgen # its own pktgen set-up, below
	pair_add xm xmg "" gen 2 || die "two-queue pair"
	ip link set xm up
	ip -n gen link set xmg up
	echo 1 >"$(dbg xm)/irq/0/cpu"
	echo 0 >"$(dbg xm)/irq/1/cpu"
	mac=$(ip -br link show xm | awk '{ print $3 }')
	for t in 0 1; do
		w kpktgend_$t rem_device_all "add_device xmg@$t"
		w "xmg@$t" "count 0" "pkt_size 60" "clone_skb 1000" "burst 32" \
			"delay 0" "dst 10.9.0.1" "src_min 10.9.0.2" "src_max 10.9.0.2" \
			"udp_src_min $((1000 + 16 * t))" "udp_src_max $((1015 + 16 * t))" \
			"udp_dst_min 9" "udp_dst_max 9" "queue_map_min $t" \
			"queue_map_max $t" "dst_mac $mac"
	done
	xdp_on xm xdpdrv xdp_drop
	ethtool -X xm equal 1 || die "ethtool -X xm equal 1"
	measure queues-1 xnic xm
	ethtool -X xm equal 2 || die "ethtool -X xm equal 2"
	measure queues-2 xnic xm
	xdp_off xm xdpdrv
	w kpktgend_1 rem_device_all
	ip link del xm
}

# ---- TCP throughput: xnic against veth --------------------------------
# iperf3 from the initial netns (CPU 0) to a server in netns "tcp" (CPU 1)
# over an xnic pair and over a veth pair, each with no program and with
# a no-op native XDP program on the receiving end. xnic offers no GSO, so
# the sender segments: the figures include that.
measure_tcp() {
	local name=$1 addr=$2 r res

	log "$name (tcp): $reps x ${secs}s"
	for ((r = 1; r <= reps; r++)); do
		res=$(taskset -c 0 iperf3 -c "$addr" -t "$secs" -J |
			jq '.end.sum_received | "\(.bytes) \(.seconds * 1e9 | floor)"' -r) ||
			die "$name: iperf3 failed"
		[ -n "$res" ] && [ "$res" != "null null" ] || die "$name: no iperf3 result"
		printf '{"rung":"%s","dev":"tcp","entries":0,"rep":%d,"packets":0,"bytes":%d,"missed":0,"window_ns":%d,"cpu0_busy_ns":0,"cpu1_busy_ns":0}\n' \
			"$name" "$r" "${res% *}" "${res#* }" >>"$out"
		sleep 0.5
	done
}

run_tcp() {
	local srv kind a b

	ip netns add tcp
	ip -n tcp link set lo up
	pair_add xt xtp "" tcp 1 || die "tcp xnic pair"
	echo 0 >"$(dbg xt)/irq/0/cpu"
	echo 1 >"$(dbg xtp tcp)/irq/0/cpu"
	ip link add vt2 type veth peer name vt2p netns tcp
	ip addr add 10.9.6.1/24 dev xt
	ip -n tcp addr add 10.9.6.2/24 dev xtp
	ip addr add 10.9.7.1/24 dev vt2
	ip -n tcp addr add 10.9.7.2/24 dev vt2p
	for a in xt vt2; do ip link set "$a" up; done
	for b in xtp vt2p; do ip -n tcp link set "$b" up; done
	ip netns exec tcp taskset -c 1 iperf3 -s -D --logfile /dev/null
	sleep 0.5
	for kind in xnic veth; do
		if [ $kind = xnic ]; then a=10.9.6.2 b=xtp; else a=10.9.7.2 b=vt2p; fi
		measure_tcp "tcp-$kind" $a
		ip -n tcp link set dev $b xdpdrv obj "$progs/xdp_pass.o" sec xdp ||
			die "xdp_pass on $b"
		measure_tcp "tcp-$kind-xdp-pass" $a
		ip -n tcp link set dev $b xdpdrv off
	done
	ip netns pids tcp | xargs -r kill
	ip netns del tcp
}

if want generator; then
	pktgen_setup dum0 "$(ip -br link show xr | awk '{ print $3 }')"
	measure generator dummy dum0
	pktgen_setup dum0 "$(ip -br link show xr | awk '{ print $3 }')" single
	measure generator-single dummy dum0
fi
run_ladder xnic xr xg
run_frame_ladder xnic xr xg
if want scaling; then
	run_scaling xr
fi
if want services; then
	run_services
fi
if want queues; then
	run_queues
fi
if want tcp; then
	run_tcp
fi

# veth: the same addressing, the xnic pair leaves with netns gen.
ip netns del gen
ip netns add gen
ip -n gen link set lo up
ip link add vr type veth peer name vg netns gen
ip addr add 10.9.0.1/24 dev vr
ip -n gen addr add 10.9.0.2/24 dev vg
ip link set vr up
ip -n gen link set vg up
sysctl -qw net.ipv4.conf.vr.rp_filter=0
ip neigh replace 10.9.0.2 lladdr "$(ip -n gen -br link show vg | awk '{ print $3 }')" dev vr
run_ladder veth vr vg
run_frame_ladder veth vr vg

# The guest must stay quiet: a WARN or BUG voids the figures.
if dmesg | tail -n +$((dmesg_start + 1)) | grep -E 'WARNING:|BUG:|Oops|KASAN|kmemleak|lockdep' >&2; then
	die "kernel complained during the benchmark (see above)"
fi
log "done: $(grep -c '"rung"' "$out") measurements, $(grep -c '"profile"' "$out") profiles in $out"
