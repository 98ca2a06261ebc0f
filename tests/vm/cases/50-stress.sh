#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Safety under load: reconfigure rings, channels, offloads, coalescing and
# link state while TCP flows; pktgen with shared skbs (clone_skb, burst);
# delete the pair and unload the module with traffic running. Afterwards
# every page_pool must have released all its pages (in-flight 0).
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
dmesg_mark
xnic_load || { fail stress:modprobe "modprobe xnic failed"; exit 0; }
# TCP frees received skbs on the CPU that allocated them (skb_defer_free);
# on a CPU that goes idle they can wait there indefinitely, holding pool
# pages. Free at once, so in-flight pages measure the driver alone.
defer_max=$(sysctl -n net.core.skb_defer_max)
sysctl -qw net.core.skb_defer_max=0
on_exit "sysctl -qw net.core.skb_defer_max=$defer_max"
echo > $T/trace
echo 1 > $T/events/page_pool/page_pool_release/enable
on_exit "echo 0 > $T/events/page_pool/page_pool_release/enable"
# Stream the events out as they happen: unloading a module whose trace
# events were ever enabled (xnic's are, by earlier cases) clears the ring
# buffer, which would lose the releases made during rmmod.
PPLOG=/tmp/xnic-page-pool.trace
cat $T/trace_pipe > $PPLOG &
pp_reader=$!
on_exit "kill $pp_reader 2>/dev/null"

ns_add st_a
ns_add st_b
pair_add sta stb st_a st_b 2
pair_addr st_a sta st_b stb 198.18.5
A() { in_ns st_a "$@"; }
B() { in_ns st_b "$@"; }

load_start() {
	B iperf3 -s -D -p 5401 >/dev/null 2>&1
	wait_listen st_b 5401
	A iperf3 -c 198.18.5.2 -p 5401 -t 600 -P 2 >/dev/null 2>&1 &
	load_pid=$!
	wait_rx stb st_b 100
}
# Killing the background job kills the shell, not the iperf3 that
# `ip netns exec` started: end every iperf3 (all of them are ours here),
# or its sockets would keep received pages past the page_pool check.
load_stop() {
	pkill -x iperf3 2>/dev/null
	wait "$load_pid" 2>/dev/null
	wait_gone iperf3
}

load_start
ok=1
for i in 1 2 3; do
	A ethtool -G sta rx 64 tx 64 || ok=0
	B ethtool -G stb rx 4096 tx 128 || ok=0
	A ethtool -L sta combined 1 || ok=0
	B ethtool -L stb combined 1 || ok=0
	A ethtool -K sta tx off sg off rx off || ok=0
	B ethtool -C stb rx-usecs 100 rx-frames 8 tx-usecs 50 || ok=0
	A ethtool -G sta rx 512 tx 512 || ok=0
	B ethtool -G stb rx 512 tx 512 || ok=0
	A ethtool -L sta combined 2 || ok=0
	B ethtool -L stb combined 2 || ok=0
	A ethtool -K sta tx on sg on rx on || ok=0
	B ethtool -C stb rx-usecs 0 rx-frames 0 tx-usecs 0 || ok=0
	B ip link set stb down; B ip link set stb up
	A ethtool -X sta equal 1 || ok=0
	A ethtool -X sta default || ok=0
done
expect stress:reconfig-under-load-accepted "$ok" -eq 1
check stress:load-still-running kill -0 "$load_pid"
load_stop
check stress:traffic-after-reconfig A ping -c 3 -i 0.2 -W 5 198.18.5.2

# Moving the peer between namespaces under load.
load_start
ns_add st_c
B ip link set stb netns st_c
in_ns st_c ip link set stb netns st_b
B ip addr add 198.18.5.2/24 dev stb
B ip link set stb up
load_stop
check stress:traffic-after-netns-move A ping -c 3 -i 0.2 -W 5 198.18.5.2

# pktgen on xnic with shared skbs: the DMA engine copies, so clone_skb and
# burst are safe. Every frame is delivered or counted as missed.
modprobe pktgen
PG=/proc/net/pktgen
pg() { echo "$2" > "$PG/$1"; }
mac_b=$(B cat /sys/class/net/stb/address)
# pktgen's devices live in init_net: use a pair there for this part.
pair_add pga pgb
# No IPv6 autoconfiguration chatter: every frame counted is pktgen's.
sysctl -qw net.ipv6.conf.pga.disable_ipv6=1 net.ipv6.conf.pgb.disable_ipv6=1
ip link set pga up
ip link set pgb up
wait_for '[ "$(cat /sys/class/net/pga/operstate)" = up ] && [ "$(cat /sys/class/net/pgb/operstate)" = up ]' 5
pg kpktgend_0 "rem_device_all"
pg kpktgend_0 "add_device pga"
pg pga "count 20000"
pg pga "clone_skb 1000"
pg pga "burst 8"
pg pga "pkt_size 60"
pg pga "dst 198.18.6.2"
pg pga "dst_mac $(cat /sys/class/net/pgb/address)"
r0=$(( $(ethstat_sum pgb '^rx_queue_[0-9]+_dma_frames$') + $(ethstat_sum pgb '^rx_queue_[0-9]+_missed$') ))
pg pgctrl start
sent=$(awk '/pkts-sofar/ { print $2 }' "$PG/pga")
r1=$(( $(ethstat_sum pgb '^rx_queue_[0-9]+_dma_frames$') + $(ethstat_sum pgb '^rx_queue_[0-9]+_missed$') ))
expect stress:pktgen-sent "$sent" -eq 20000
expect stress:pktgen-all-accounted $((r1 - r0)) -eq 20000
pg kpktgend_0 "rem_device_all"
rmmod pktgen
ip link del pga

# Delete a pair with traffic flowing, then unload with another pair loaded.
load_start
ip -n st_a link del sta
load_stop
check stress:pair-deleted-under-load sh -c '! ip -n st_b link show stb 2>/dev/null'
pair_add sua sub st_a st_b 2
pair_addr st_a sua st_b sub 198.18.7
B iperf3 -s -D -p 5402 >/dev/null 2>&1
wait_listen st_b 5402
A iperf3 -c 198.18.7.2 -p 5402 -t 600 >/dev/null 2>&1 &
lp=$!
wait_rx sub st_b 100
check stress:rmmod-under-load modprobe -r xnic
pkill -x iperf3 2>/dev/null
wait $lp 2>/dev/null

# page_pool: once the sockets that held its pages are gone, the last
# release event of every pool reports 0 pages in flight (page_pool retries
# its release every second until then).
ip netns del st_a
ip netns del st_b
ip netns del st_c
pp_leaks() {
	grep page_pool_release $PPLOG |
		sed -E 's/.*page_pool=([0-9a-fx]+) inflight=(-?[0-9]+).*/\1 \2/' |
		awk '{ last[$1] = $2 } END { n = 0; for (p in last) if (last[p] != 0) n++; print n }'
}
wait_for '[ "$(pp_leaks)" -eq 0 ]' 15
pools=$(grep page_pool_release $PPLOG | sed -E 's/.*page_pool=([0-9a-fx]+).*/\1/' | sort -u | wc -l)
leaks=$(pp_leaks)
echo "    page_pools released: $pools, with pages still in flight: $leaks"
[ "$leaks" -eq 0 ] || grep page_pool_release $PPLOG | tail -n 8 | sed 's/^/    /'
expect stress:page-pools-released "$pools" -gt 0
expect stress:page-pool-inflight-zero "$leaks" -eq 0

dmesg_check stress:dmesg
taint_check stress:taint
