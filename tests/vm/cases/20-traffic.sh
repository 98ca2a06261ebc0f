#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real traffic between two namespaces over an xnic pair with 2 channels:
# ping, TCP both ways, UDP, spreading over queues (RSS), checksum offload,
# tcpdump, tracepoints, and counters agreeing with the stack's.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"

dmesg_mark
xnic_load || { fail traffic:modprobe "modprobe xnic failed"; exit 0; }
ns_add tr_a
ns_add tr_b
pair_add tra trb tr_a tr_b 2
pair_addr tr_a tra tr_b trb 198.18.2
# The counters below are per wire frame: trb takes TSO frames cut, not
# whole (hardware GRO has its own case, 25-tso).
in_ns tr_b ethtool -K trb rx-gro-hw off

check traffic:ping in_ns tr_a ping -c 5 -i 0.2 -W 5 198.18.2.2
check traffic:ping6-linklocal wait_for "in_ns tr_b ip -6 addr show dev trb | grep -q 'scope link' && ! in_ns tr_b ip -6 addr show dev trb | grep -q tentative" 10

in_ns tr_b iperf3 -s -D -1 -p 5201 >/dev/null 2>&1
wait_listen tr_b 5201
rxb0=$(ethstat_sum trb '^rx_queue_[0-9]+_packets$' tr_b)
out=$(in_ns tr_a iperf3 -c 198.18.2.2 -p 5201 -t 3 -P 20 -J 2>&1)
bps=$(echo "$out" | jq '.end.sum_received.bits_per_second // 0 | floor' 2>/dev/null || echo 0)
expect traffic:tcp-a-to-b-bps "$bps" -gt 1000000
rxb1=$(ethstat_sum trb '^rx_queue_[0-9]+_packets$' tr_b)
expect traffic:tcp-rx-counted $((rxb1 - rxb0)) -gt 1000

# RSS spreads flows over both RX queues. Toeplitz is linear in its
# input, so flows whose ports differ in a few low bits (consecutive
# ephemeral ports) share a queue for a good share of random keys: twenty
# iperf3 flows all on one queue failed a CI run. So the key here is the
# Microsoft verification key and the source ports are fixed: with that
# key, bit 0 of the source port picks the queue, the same every run.
check traffic:rss-set-ms-key in_ns tr_b ethtool -X trb hkey \
	6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa
q0a=$(ethstat trb rx_queue_0_packets tr_b)
q1a=$(ethstat trb rx_queue_1_packets tr_b)
in_ns tr_a python3 -c '
import socket
for port in range(40000, 40008):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("198.18.2.1", port))
	for _ in range(25):
		s.sendto(b"rss", ("198.18.2.2", 9))
	s.close()
'
xnic_settle
q0=$(( $(ethstat trb rx_queue_0_packets tr_b) - q0a ))
q1=$(( $(ethstat trb rx_queue_1_packets tr_b) - q1a ))
echo "    trb rx from 8 UDP flows: queue0=$q0 queue1=$q1"
expect traffic:rss-queue0-used "$q0" -ge 100
expect traffic:rss-queue1-used "$q1" -ge 100

# TCP from a: checksum completed by the "DMA engine", trusted by b.
off=$(ethstat_sum tra '^tx_queue_[0-9]+_csum_offload$' tr_a)
unn=$(ethstat_sum trb '^rx_queue_[0-9]+_csum_unnecessary$' tr_b)
expect traffic:tx-csum-offloaded "$off" -gt 100
expect traffic:rx-csum-unnecessary "$unn" -gt 100

in_ns tr_a iperf3 -s -D -1 -p 5202 >/dev/null 2>&1
wait_listen tr_a 5202
out=$(in_ns tr_b iperf3 -c 198.18.2.1 -p 5202 -t 2 -J 2>&1)
bps=$(echo "$out" | jq '.end.sum_received.bits_per_second // 0 | floor' 2>/dev/null || echo 0)
expect traffic:tcp-b-to-a-bps "$bps" -gt 1000000

in_ns tr_b iperf3 -s -D -1 -p 5203 >/dev/null 2>&1
wait_listen tr_b 5203
out=$(in_ns tr_a iperf3 -c 198.18.2.2 -p 5203 -u -b 5M -t 2 -J 2>&1)
lost=$(echo "$out" | jq '.end.sum.lost_percent // 100 | floor' 2>/dev/null || echo 100)
pk=$(echo "$out" | jq '.end.sum.packets // 0' 2>/dev/null || echo 0)
expect traffic:udp-packets "$pk" -gt 100
expect traffic:udp-loss-percent "$lost" -lt 5

# With TX checksum offload off the stack checksums, the device does not.
in_ns tr_a ethtool -K tra tx off >/dev/null
off0=$(ethstat_sum tra '^tx_queue_[0-9]+_csum_offload$' tr_a)
in_ns tr_b iperf3 -s -D -1 -p 5204 >/dev/null 2>&1
wait_listen tr_b 5204
in_ns tr_a iperf3 -c 198.18.2.2 -p 5204 -t 1 >/dev/null 2>&1
off1=$(ethstat_sum tra '^tx_queue_[0-9]+_csum_offload$' tr_a)
expect traffic:tx-csum-off-not-offloaded $((off1 - off0)) -eq 0
in_ns tr_a ethtool -K tra tx on >/dev/null

# tcpdump on the device sees the frames (DATAPATH.md step 7, taps).
in_ns tr_b timeout 20 tcpdump -i trb -c 5 -w /tmp/trb.pcap icmp >/dev/null 2>/tmp/trb.err &
tp=$!
wait_tcpdump /tmp/trb.err
in_ns tr_a ping -c 5 -i 0.2 198.18.2.2 >/dev/null
wait $tp
n=$(tcpdump -r /tmp/trb.pcap 2>/dev/null | grep -c ICMP)
expect traffic:tcpdump-sees-icmp "$n" -ge 5

# Jumbo frames: MTU 9000 frames span three RX buffers, arrive as one skb.
in_ns tr_a ip link set tra mtu 9000
in_ns tr_b ip link set trb mtu 9000
fr0=$(ethstat_sum trb '^rx_queue_[0-9]+_frags$' tr_b)
check traffic:jumbo-ping in_ns tr_a ping -c 3 -i 0.2 -W 5 -M do -s 8972 198.18.2.2
fr1=$(ethstat_sum trb '^rx_queue_[0-9]+_frags$' tr_b)
expect traffic:jumbo-frags $((fr1 - fr0)) -ge 6
# A frame above the receiver's MTU is refused and counted, not delivered.
in_ns tr_b ip link set trb mtu 1500
os0=$(ethstat_sum trb '^rx_queue_[0-9]+_oversize$' tr_b)
check traffic:oversize-not-delivered sh -c '! ip netns exec tr_a ping -c 1 -W 2 -M do -s 4000 198.18.2.2 >/dev/null'
os1=$(ethstat_sum trb '^rx_queue_[0-9]+_oversize$' tr_b)
expect traffic:oversize-counted $((os1 - os0)) -ge 1
in_ns tr_a ip link set tra mtu 1500

# Counters: ip -s agrees with ethtool's per-queue sums. A late frame (IPv6
# neighbour discovery after the MTU changes) may land between two reads,
# so ip's figure is read between two of ethtool's.
eth0=$(ethstat_sum trb '^rx_queue_[0-9]+_packets$' tr_b)
ipn=$(in_ns tr_b ip -j -s link show trb | jq '.[0].stats64.rx.packets')
eth1=$(ethstat_sum trb '^rx_queue_[0-9]+_packets$' tr_b)
expect traffic:stats64-not-below-ethtool "$ipn" -ge "$eth0"
expect traffic:stats64-not-above-ethtool "$ipn" -le "$eth1"

# Tracepoints fire at DMA, interrupt and NAPI poll.
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
echo > $T/trace
echo 1 > $T/events/xnic/enable
in_ns tr_a ping -c 3 -i 0.2 198.18.2.2 >/dev/null
echo 0 > $T/events/xnic/enable
for ev in xnic_dma xnic_irq xnic_napi_poll; do
	n=$(grep -c "$ev:" $T/trace)
	expect "traffic:tracepoint-$ev" "$n" -gt 0
done

dmesg_check traffic:dmesg
taint_check traffic:taint
