#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every debugfs fault knob is exercised, counted, and recovered from; the
# per-queue interrupt CPU moves NAPI to that CPU.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"

dmesg_mark
xnic_load || { fail faults:modprobe "modprobe xnic failed"; exit 0; }
ns_add fa_a
ns_add fa_b
pair_add faa fab fa_a fa_b 1
pair_addr fa_a faa fa_b fab 198.18.4
A() { in_ns fa_a "$@"; }
ping_n() { A ping -c "$1" -i 0.05 -W 2 198.18.4.2 2>/dev/null | awk '/received/ { print $4 }'; }
DA=$(dbg faa fa_a)
DB=$(dbg fab fa_b)
check faults:debugfs-dirs test -d "$DA" -a -d "$DB"
check faults:debugfs-name test "$(cat "$DB/name")" = fab
check faults:debugfs-rings sh -c "grep -q '^0 rx 512' $DB/rings"
ping_n 3 >/dev/null

# fail_rx_alloc: N refills fail, counted; the ring is whole again after.
echo 5 > "$DB/fail_rx_alloc"
got=$(ping_n 20)
inj=$(ethstat fab rx_queue_0_refill_injected fa_b)
expect faults:rx-alloc-injected "$inj" -eq 5
expect faults:rx-alloc-traffic-survives "$got" -ge 19
posted() { awk '$2 == "rx" { print $7 + $8 }' "$1/rings"; }
check faults:rx-alloc-ring-refilled wait_for "[ \$(posted $DB) -eq 512 ]" 5

# dma_drop_every: one transfer in N dropped by the sender's DMA engine.
echo 4 > "$DA/dma_drop_every"
got=$(ping_n 40)
echo 0 > "$DA/dma_drop_every"
fd=$(ethstat faa tx_queue_0_fault_drops fa_a)
expect faults:dma-drop-counted "$fd" -ge 8
expect faults:dma-drop-loses-packets "$got" -lt 40
expect faults:dma-drop-recovered "$(ping_n 10)" -eq 10

# irq_suppress: interrupts are lost, the watchdog recovers every one.
echo 1 > "$DB/irq_suppress"
got=$(ping_n 10)
echo 0 > "$DB/irq_suppress"
sup=$(ethstat fab irq_0_suppressed fa_b)
rec=$(ethstat fab irq_0_recovered fa_b)
expect faults:irq-suppressed-counted "$sup" -gt 0
expect faults:irq-recovered-counted "$rec" -gt 0
expect faults:irq-suppress-traffic-survives "$got" -ge 9

# stall_txq: queue 0's DMA engine hangs; the watchdog resets it.
echo 0 > "$DA/stall_txq"
check faults:stall-visible test "$(cat "$DA/stall_txq")" = 0x1
got=$(ping_n 10)
res=$(ethstat faa tx_queue_0_resets fa_a)
expect faults:stall-reset-counted "$res" -ge 1
check faults:stall-cleared test "$(cat "$DA/stall_txq")" = 0x0
expect faults:stall-traffic-survives "$got" -ge 8
check faults:stall-bad-queue-refused sh -c "! echo 7 > $DA/stall_txq 2>/dev/null"

# Interrupt affinity: NAPI for queue 0 runs on the CPU its vector targets.
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
# napi_cpus N: ping N times; print the CPUs fab's NAPI polls ran on.
napi_cpus() {
	echo > $T/trace
	echo 1 > $T/events/xnic/xnic_napi_poll/enable
	ping_n "$1" >/dev/null
	echo 0 > $T/events/xnic/xnic_napi_poll/enable
	grep 'dev=fab ' $T/trace | sed -E 's/.*\[0*([0-9]+)\].*/\1/' | sort -u | tr '\n' ' '
}
for cpu in 1 0; do
	echo "$cpu" > "$DB/irq/0/cpu"
	cpus=$(napi_cpus 5)
	echo "    irq/0/cpu=$cpu: NAPI polls for fab ran on CPUs: $cpus"
	check "faults:irq-affinity-cpu$cpu" test "$cpus" = "$cpu "
done
check faults:irq-affinity-bad-cpu-refused sh -c "! echo 99 > $DB/irq/0/cpu 2>/dev/null"

# The vector's CPU goes offline: the IPI call fails with -ENXIO and the
# interrupt is taken on the raising CPU (counted in cpu_offline), not left
# for the watchdog to find (recovered stays put).
HP=/sys/devices/system/cpu/cpu1/online
check faults:cpu1-hotpluggable test -w "$HP"
echo 1 > "$DB/irq/0/cpu"
off0=$(ethstat fab irq_0_cpu_offline fa_b)
rec0=$(ethstat fab irq_0_recovered fa_b)
if echo 0 > "$HP"; then
	cpus=$(napi_cpus 20)
	got=$(ping_n 20)
	echo 1 > "$HP"
	off=$(($(ethstat fab irq_0_cpu_offline fa_b) - off0))
	rec=$(($(ethstat fab irq_0_recovered fa_b) - rec0))
	echo "    cpu1 offline: NAPI on CPUs $cpus, cpu_offline +$off, recovered +$rec, $got/20 replies"
	check faults:cpu-offline-napi-local test "$cpus" = "0 "
	expect faults:cpu-offline-counted "$off" -gt 0
	expect faults:cpu-offline-not-left-to-watchdog "$rec" -eq 0
	expect faults:cpu-offline-traffic "$got" -eq 20
	cpus=$(napi_cpus 5)
	check faults:cpu-online-again-napi-cpu1 test "$cpus" = "1 "
else
	fail faults:cpu-offline "could not take cpu1 offline"
fi
echo 0 > "$DB/irq/0/cpu"

check faults:knobs-root-only test "$(stat -c %a "$DB/irq_suppress")" = 600

dmesg_check faults:dmesg
taint_check faults:taint
