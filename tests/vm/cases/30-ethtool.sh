#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ethtool behaves as on a real NIC: -i -g -G -l -L -k -K -c -C -x -X, with
# clear errors for bad values, and every change applied to live traffic.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"

dmesg_mark
xnic_load || { fail ethtool:modprobe "modprobe xnic failed"; exit 0; }
ns_add et_a
ns_add et_b
pair_add eta etb et_a et_b 2
pair_addr et_a eta et_b etb 198.18.3
A() { in_ns et_a "$@"; }
B() { in_ns et_b "$@"; }
ping_ok() { A ping -c 3 -i 0.2 -W 5 198.18.3.2 >/dev/null; }

check ethtool:driver sh -c "ip netns exec et_a ethtool -i eta | grep -q '^driver: xnic'"
# The driver's version is dkms.conf's PACKAGE_VERSION, the one version string.
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
check ethtool:driver-version sh -c "ip netns exec et_a ethtool -i eta | grep -qx 'version: $VER'"
check ethtool:modinfo-version [ "$(modinfo -F version xnic)" = "$VER" ]

# Rings.
rx=$(A ethtool -g eta | awk '/^RX:/ { v = $2 } END { print v }')
rxmax=$(A ethtool -g eta | awk '/^RX:/ { print $2; exit }')
expect ethtool:ring-default "$rx" -eq 512
expect ethtool:ring-max "$rxmax" -eq 4096
check ethtool:ring-set A ethtool -G eta rx 1024 tx 256
rx=$(A ethtool -g eta | awk '/^RX:/ { v = $2 } END { print v }')
tx=$(A ethtool -g eta | awk '/^TX:/ { v = $2 } END { print v }')
expect ethtool:ring-rx-applied "$rx" -eq 1024
expect ethtool:ring-tx-applied "$tx" -eq 256
check ethtool:ring-traffic-after ping_ok
msg=$(A ethtool -G eta rx 100 2>&1)
if [ $? -ne 0 ] && echo "$msg" | grep -q "power"; then pass ethtool:ring-not-pow2-refused; else fail ethtool:ring-not-pow2-refused "$msg"; fi
check ethtool:ring-too-big-refused sh -c '! ip netns exec et_a ethtool -G eta rx 8192 2>/dev/null'
check ethtool:ring-too-small-refused sh -c '! ip netns exec et_a ethtool -G eta rx 32 2>/dev/null'
rx=$(A ethtool -g eta | awk '/^RX:/ { v = $2 } END { print v }')
expect ethtool:ring-unchanged-after-refusal "$rx" -eq 1024

# Channels.
check ethtool:channels-set-1 A ethtool -L eta combined 1
n=$(A ls /sys/class/net/eta/queues | grep -c '^rx-')
expect ethtool:channels-real-rx-queues "$n" -eq 1
check ethtool:channels-traffic-1 ping_ok
check ethtool:channels-too-many-refused sh -c '! ip netns exec et_a ethtool -L eta combined 3 2>/dev/null'
check ethtool:channels-set-2 A ethtool -L eta combined 2
check ethtool:channels-traffic-2 ping_ok

# Offloads.
check ethtool:features-show sh -c "ip netns exec et_a ethtool -k eta | grep -q '^rx-checksumming: on'"
A ethtool -K eta rx off sg off
check ethtool:features-rx-off sh -c "ip netns exec et_a ethtool -k eta | grep -q '^rx-checksumming: off'"
check ethtool:features-sg-off sh -c "ip netns exec et_a ethtool -k eta | grep -q '^scatter-gather: off'"
c0=$(ethstat_sum eta '_csum_unnecessary$' et_a)
B iperf3 -s -D -1 -p 5301 >/dev/null 2>&1
wait_listen et_b 5301
A iperf3 -c 198.18.3.2 -p 5301 -R -t 1 >/dev/null 2>&1
c1=$(ethstat_sum eta '_csum_unnecessary$' et_a)
expect ethtool:rx-csum-off-honoured $((c1 - c0)) -eq 0
A ethtool -K eta rx on sg on
check ethtool:gro-toggle A ethtool -K eta gro off
A ethtool -K eta gro on

# Coalescing.
check ethtool:coalesce-set A ethtool -C eta rx-usecs 50 rx-frames 16 tx-usecs 20
c=$(A ethtool -c eta)
ru=$(echo "$c" | awk '/^rx-usecs:/ { print $2 }')
rf=$(echo "$c" | awk '/^rx-frames:/ { print $2 }')
tu=$(echo "$c" | awk '/^tx-usecs:/ { print $2 }')
expect ethtool:coalesce-rx-usecs "$ru" -eq 50
expect ethtool:coalesce-rx-frames "$rf" -eq 16
expect ethtool:coalesce-tx-usecs "$tu" -eq 20
check ethtool:coalesce-too-big-refused sh -c '! ip netns exec et_a ethtool -C eta rx-usecs 200000 2>/dev/null'
check ethtool:coalesce-unsupported-refused sh -c '! ip netns exec et_a ethtool -C eta tx-frames 8 2>/dev/null'

# Coalescing changes when interrupts fire: interrupts per received frame
# for the same UDP stream, without and with a long rx-usecs.
irq_ratio() {
	local f0 p0 f1 p1
	f0=$(ethstat_sum etb '^irq_[0-9]+_fired$' et_b)
	p0=$(ethstat_sum etb '^rx_queue_[0-9]+_packets$' et_b)
	B iperf3 -s -D -1 -p "$1" >/dev/null 2>&1
	wait_listen et_b "$1"
	A iperf3 -c 198.18.3.2 -p "$1" -u -b 20M -l 200 -t 2 >/dev/null 2>&1
	f1=$(ethstat_sum etb '^irq_[0-9]+_fired$' et_b)
	p1=$(ethstat_sum etb '^rx_queue_[0-9]+_packets$' et_b)
	echo $(( (f1 - f0) * 1000 / (p1 - p0 + 1) ))
}
B ethtool -C etb rx-usecs 0 rx-frames 0 tx-usecs 0
r0=$(irq_ratio 5302)
B ethtool -C etb rx-usecs 2000 rx-frames 0
r1=$(irq_ratio 5303)
B ethtool -C etb rx-usecs 0
echo "    interrupts per 1000 frames: no coalescing $r0, rx-usecs 2000: $r1"
expect ethtool:coalesce-fewer-interrupts "$r1" -lt "$r0"
co=$(ethstat_sum etb '^irq_[0-9]+_coalesced$' et_b)
expect ethtool:coalesce-counted "$co" -gt 0

# RSS: key and table shown; a table pointing at queue 0 only steers there.
x=$(B ethtool -x etb)
rows=$(echo "$x" | grep -cE '^ +[0-9]+: ')
expect ethtool:rss-table-rows "$rows" -eq 16
check ethtool:rss-key-shown sh -c "echo '$x' | grep -A1 'RSS hash key' | tail -1 | grep -qE '^([0-9a-f]{2}:){39}[0-9a-f]{2}$'"
check ethtool:rss-set-equal-1 B ethtool -X etb equal 1
q1a=$(ethstat etb rx_queue_1_packets et_b)
B iperf3 -s -D -1 -p 5304 >/dev/null 2>&1
wait_listen et_b 5304
A iperf3 -c 198.18.3.2 -p 5304 -t 1 -P 4 >/dev/null 2>&1
q1b=$(ethstat etb rx_queue_1_packets et_b)
expect ethtool:rss-equal-1-steers-to-q0 $((q1b - q1a)) -eq 0
check ethtool:rss-weight B ethtool -X etb weight 0 1
q0a=$(ethstat etb rx_queue_0_packets et_b)
B iperf3 -s -D -1 -p 5305 >/dev/null 2>&1
wait_listen et_b 5305
A iperf3 -c 198.18.3.2 -p 5305 -t 1 -P 4 >/dev/null 2>&1
q0b=$(ethstat etb rx_queue_0_packets et_b)
expect ethtool:rss-weight-steers-to-q1 $((q0b - q0a)) -eq 0
check ethtool:rss-hkey B ethtool -X etb hkey 6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa
check ethtool:rss-key-applied sh -c "ip netns exec et_b ethtool -x etb | grep -q '^6d:5a:56:da'"
check ethtool:rss-bad-queue-refused sh -c '! ip netns exec et_b ethtool -X etb weight 0 0 1 2>/dev/null'
check ethtool:rss-default B ethtool -X etb default
check ethtool:traffic-after-all ping_ok

dmesg_check ethtool:dmesg
taint_check ethtool:taint
