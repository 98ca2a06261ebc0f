#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TSO and hardware GRO: a TCP frame of up to ~62 KB crosses the DMA engine
# whole when the receiver has rx-gro-hw on and no XDP program, and is cut
# into wire frames otherwise. Data arrives intact either way (sha256 over
# socat), TCP sees no checksum errors, a router cuts a whole frame again
# when it forwards out of a port without TSO, and XDP attach/detach under
# a TCP stream is safe.
#
#   ts_a: ta ==xnic== tb :ts_b            (IPv4 and IPv6)
#   ts_a: ua ==xnic== ub :ts_r: uc ==xnic== ud :ts_c  (forwarded)
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
P=$root/tests/progs

dmesg_mark
xnic_load || { fail tso:modprobe "modprobe xnic failed"; exit 0; }
for ns in ts_a ts_b ts_r ts_c; do ns_add $ns; done
pair_add ta tb ts_a ts_b 1
pair_addr ts_a ta ts_b tb 198.18.25
ip -n ts_a addr add fd00:25::1/64 dev ta nodad
ip -n ts_b addr add fd00:25::2/64 dev tb nodad
A() { in_ns ts_a "$@"; }
B() { in_ns ts_b "$@"; }
feature() { in_ns "$1" ethtool -k "$2" | awk -v f="$3:" '$1 == f { print $2 }'; }
# feature_is NAME NS DEV FEATURE WANT
feature_is() {
	local got
	got=$(feature "$2" "$3" "$4")
	if [ "$got" = "$5" ]; then pass "$1"; else fail "$1" "$4 is '$got', expected $5"; fi
}
csum_errors() { in_ns "$1" nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }'; }
# Mean size of the frames the DMA engine wrote into DEV's ring since $1.
dma_mean() {
	local f b
	f=$(ethstat "$2" rx_queue_0_dma_frames "$3")
	b=$(ethstat "$2" rx_queue_0_dma_bytes "$3")
	echo $(( (b - ${1#*/}) / (f - ${1%/*} > 0 ? f - ${1%/*} : 1) ))
}
dma_mark() { echo "$(ethstat "$1" rx_queue_0_dma_frames "$2")/$(ethstat "$1" rx_queue_0_dma_bytes "$2")"; }

# send NAME SRC_NS DST_NS DST_ADDR: 16 MB of random data over one TCP
# connection; pass NAME if it arrives byte for byte.
dd if=/dev/urandom of=/tmp/tso.in bs=1M count=16 status=none
send() {
	local name=$1 src=$2 dst=$3 addr=$4 port=$((5300 + RANDOM % 600))
	local v=4 to=$addr lp
	case $addr in *:*) v=6 to="[$addr]" ;; esac
	rm -f /tmp/tso.out
	in_ns "$dst" timeout 60 socat -u "TCP$v-LISTEN:$port,reuseaddr" \
		OPEN:/tmp/tso.out,creat,trunc &
	lp=$!
	# Connect only once it listens: a loaded VM once took over 0.5 s.
	wait_listen "$dst" "$port"
	in_ns "$src" timeout 60 socat -u OPEN:/tmp/tso.in "TCP$v:$to:$port"
	wait $lp
	check "tso:$name-intact" cmp -s /tmp/tso.in /tmp/tso.out
}

feature_is tso:tx-tso-on ts_a ta tcp-segmentation-offload on
feature_is tso:rx-gro-hw-default ts_b tb rx-gro-hw on
expect tso:gso-max-size-fits-buffers "$(ip -n ts_a -d link show ta | grep -o 'gso_max_size [0-9]*' | awk '{ print $2 }')" -lt 65536

# 1. Whole: one DMA per TSO frame, frames well above the MTU.
t0=$(ethstat ta tx_queue_0_tso ts_a); s0=$(ethstat ta tx_queue_0_tso_segments ts_a)
g0=$(ethstat tb rx_queue_0_gro_hw ts_b); m=$(dma_mark tb ts_b); e0=$(csum_errors ts_b)
send whole ts_a ts_b 198.18.25.2
mean=$(dma_mean "$m" tb ts_b)
echo "    whole: tso=$(( $(ethstat ta tx_queue_0_tso ts_a) - t0 )) gro_hw=$(( $(ethstat tb rx_queue_0_gro_hw ts_b) - g0 )) mean DMA frame $mean bytes"
expect tso:whole-tso-taken $(( $(ethstat ta tx_queue_0_tso ts_a) - t0 )) -gt 10
expect tso:whole-not-segmented $(( $(ethstat ta tx_queue_0_tso_segments ts_a) - s0 )) -eq 0
expect tso:whole-gro-hw-received $(( $(ethstat tb rx_queue_0_gro_hw ts_b) - g0 )) -gt 10
expect tso:whole-frames-above-mtu "$mean" -gt 1514
expect tso:whole-no-csum-errors $(( $(csum_errors ts_b) - e0 )) -eq 0

g0=$(ethstat tb rx_queue_0_gro_hw ts_b)
send whole-ipv6 ts_a ts_b fd00:25::2
expect tso:whole-ipv6-gro-hw-received $(( $(ethstat tb rx_queue_0_gro_hw ts_b) - g0 )) -gt 10

# 2. rx-gro-hw off at the receiver: the engine cuts wire frames.
check tso:gro-hw-off B ethtool -K tb rx-gro-hw off
s0=$(ethstat ta tx_queue_0_tso_segments ts_a); g0=$(ethstat tb rx_queue_0_gro_hw ts_b)
m=$(dma_mark tb ts_b); e0=$(csum_errors ts_b)
send segmented ts_a ts_b 198.18.25.2
mean=$(dma_mean "$m" tb ts_b)
echo "    segmented: tso_segments=$(( $(ethstat ta tx_queue_0_tso_segments ts_a) - s0 )) mean DMA frame $mean bytes"
expect tso:segmented-by-engine $(( $(ethstat ta tx_queue_0_tso_segments ts_a) - s0 )) -gt 100
expect tso:segmented-no-gro-hw $(( $(ethstat tb rx_queue_0_gro_hw ts_b) - g0 )) -eq 0
expect tso:segmented-wire-frames "$mean" -le 1514
expect tso:segmented-no-csum-errors $(( $(csum_errors ts_b) - e0 )) -eq 0
check tso:gro-hw-on B ethtool -K tb rx-gro-hw on

# 3. XDP at the receiver turns hardware GRO off, detaching turns it back.
check tso:xdp-attach B ip link set dev tb xdpdrv obj "$P/xdp_pass.o" sec xdp
feature_is tso:xdp-turns-gro-hw-off ts_b tb rx-gro-hw off
g0=$(ethstat tb rx_queue_0_gro_hw ts_b); p0=$(ethstat tb rx_queue_0_xdp_pass ts_b)
m=$(dma_mark tb ts_b)
send xdp-segmented ts_a ts_b 198.18.25.2
expect tso:xdp-sees-wire-frames "$(dma_mean "$m" tb ts_b)" -le 1514
expect tso:xdp-no-gro-hw $(( $(ethstat tb rx_queue_0_gro_hw ts_b) - g0 )) -eq 0
expect tso:xdp-passed-every-frame $(( $(ethstat tb rx_queue_0_xdp_pass ts_b) - p0 )) -gt 10000
check tso:xdp-detach B ip link set dev tb xdpdrv off
feature_is tso:xdp-detach-gro-hw-back ts_b tb rx-gro-hw on

# 4. The core keeps rx-gro-hw off without receive checksumming ...
B ethtool -K tb rx off >/dev/null 2>&1
feature_is tso:rx-csum-off-drops-gro-hw ts_b tb rx-gro-hw off
B ethtool -K tb rx on >/dev/null 2>&1
feature_is tso:rx-csum-on-gro-hw-back ts_b tb rx-gro-hw on
# ... and the driver keeps it off with GRO off: no coalescing at all.
B ethtool -K tb gro off >/dev/null 2>&1
feature_is tso:gro-off-drops-gro-hw ts_b tb rx-gro-hw off
B ethtool -K tb gro on >/dev/null 2>&1
feature_is tso:gro-on-gro-hw-back ts_b tb rx-gro-hw on

# 5. TSO off at the sender: the stack segments, the engine sees no TSO.
check tso:tso-off A ethtool -K ta tso off
t0=$(ethstat ta tx_queue_0_tso ts_a)
send stack-segmented ts_a ts_b 198.18.25.2
expect tso:tso-off-none-taken $(( $(ethstat ta tx_queue_0_tso ts_a) - t0 )) -eq 0
A ethtool -K ta tso on

# 6. Forwarding: the router receives whole frames and sends them out of a
# port without TSO, so the stack cuts them by the GRO metadata we set.
pair_add ua ub ts_a ts_r 1
pair_add uc ud ts_r ts_c 1
pair_addr ts_a ua ts_r ub 198.18.26
pair_addr ts_r uc ts_c ud 198.18.27
in_ns ts_r sysctl -qw net.ipv4.ip_forward=1
A ip route add 198.18.27.0/24 via 198.18.26.2
in_ns ts_c ip route add 198.18.26.0/24 via 198.18.27.1
in_ns ts_r ethtool -K uc tso off
g0=$(ethstat ub rx_queue_0_gro_hw ts_r); m=$(dma_mark ud ts_c); e0=$(csum_errors ts_c)
send forwarded ts_a ts_c 198.18.27.2
expect tso:forward-router-got-whole $(( $(ethstat ub rx_queue_0_gro_hw ts_r) - g0 )) -gt 10
expect tso:forward-cut-to-wire-frames "$(dma_mean "$m" ud ts_c)" -le 1514
expect tso:forward-no-csum-errors $(( $(csum_errors ts_c) - e0 )) -eq 0
# Four seconds of iperf3 through the router: its GRO chains whole frames
# of a flow on frag_list, which skb_segment() cuts only if each chained
# skb's linear part fits a segment (a whole first buffer once BUG()ed).
in_ns ts_c iperf3 -s -D -1 -p 5298 >/dev/null 2>&1
wait_listen ts_c 5298
A iperf3 -c 198.18.27.2 -p 5298 -t 4 -P 2 -J >/tmp/tso-fwd.json 2>&1
bps=$(jq '.end.sum_received.bits_per_second // 0 | floor' /tmp/tso-fwd.json 2>/dev/null || echo 0)
expect tso:forward-stream-bps "$bps" -gt 1000000

# 7. XDP attached and detached ten times under a TCP stream: frames
# written whole just before an attach are dropped and counted, the
# stream recovers, nothing leaks.
if xdp_swap_under_load_oopses; then
	skip tso:xdp-toggle-under-stream "$XNIC_XDP_SWAP_OOPS"
	skip tso:stream-survived-toggles "$XNIC_XDP_SWAP_OOPS"
else
	B iperf3 -s -D -1 -p 5299 >/dev/null 2>&1
	wait_listen ts_b 5299
	# Long enough for the toggles at TCG speed; ended below.
	A iperf3 -c 198.18.25.2 -p 5299 -t 120 >/dev/null 2>&1 &
	ip=$!
	wait_rx tb ts_b 100
	# Each state (program on, off) sees stream frames before it changes.
	ok=1
	for i in $(seq 10); do
		B ip link set dev tb xdpdrv obj "$P/xdp_pass.o" sec xdp || ok=0
		wait_rx tb ts_b 20 || { ok=0; echo "    toggle $i: no frames with XDP on"; }
		B ip link set dev tb xdpdrv off || ok=0
		wait_rx tb ts_b 20 || { ok=0; echo "    toggle $i: no frames with XDP off"; }
	done
	expect tso:xdp-toggle-under-stream "$ok" -eq 1
	# The stream goes on after the last toggle: it recovered every time.
	check tso:stream-survived-toggles wait_rx tb ts_b 500
	pkill -x iperf3
	wait $ip 2>/dev/null
	wait_gone iperf3
	echo "    gro_hw_drops after toggles: $(ethstat tb rx_queue_0_gro_hw_drops ts_b)"
fi
send after-toggles ts_a ts_b 198.18.25.2

rm -f /tmp/tso.in /tmp/tso.out
dmesg_check tso:dmesg
taint_check tso:taint
