#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark, seconds long, so `make bench` cannot rot between runs:
# bench/guest.sh with one 1-second window per rung, blocklists and
# services of 1 and 10 entries, the queue and TCP rungs, then
# bench/render.py on what it wrote.
# Every rung must have measured traffic (a rung that silently moves no
# packet would render as "n/a" in a real run) and the report must hold
# each of its tables. No figure is judged: that is `make bench`'s job.
# vm-case-timeout: 1200
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
t=bench-smoke

xnicctl_case_begin $t "$root/bench/guest.sh" "$root/bench/tcp_rr" "$root/tests/progs/xdp_livegen" \
	"$root/bench/udp_sink" "$root/userspace/xnicctl" || exit 0
dir=$(mktemp -d)
# What the guest leaves behind: its namespaces, pairs, pins and sysctls.
on_exit "rm -rf $dir /sys/fs/bpf/xnic"
on_exit "ip netns del gen 2>/dev/null; ip link del x2 2>/dev/null; ip link del vt 2>/dev/null"
on_exit "sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0"

if XNIC_BENCH_REPS=1 XNIC_BENCH_SECONDS=1 XNIC_BENCH_WARMUP=0.2 XNIC_BENCH_SCALE="1 10" \
	XNIC_BENCH_SERVICES="1 10" XNIC_BENCH_PROFILE=xdp-drop bash "$root/bench/guest.sh" "$dir/raw.json" 2>&1 |
	sed -u 's/^/    /'; then
	pass $t:guest-ran
else
	fail $t:guest-ran "bench/guest.sh failed (its log above)"
fi

# rung DEV NAME: NAME measured some traffic on DEV (bytes for iperf3)
rung() {
	local n
	n=$(jq -s --arg d "$1" --arg r "$2" \
		'[.[] | select(.dev == $d and .rung == $r and
			(.packets > 0 or (.bytes // 0) > 0))] | length' \
		"$dir/raw.json" 2>/dev/null)
	expect "$t:$1:$2" "${n:-0}" -eq 1
}

ladder="xdp-drop tc-drop xdp-pass-tc-drop nft-ingress-drop iptables-raw-drop
	iptables-input-drop udp-socket xdp-tx xdp-redirect-xnic xdp-redirect-veth"
rung dummy generator
rung dummy generator-single
for r in $ladder xdp-generic-drop xdp-drop-single queues-1 queues-2; do rung xnic "$r"; done
# veth has no generic-XDP rung (NOTES.md: pktgen + generic XDP on veth).
for r in $ladder; do rung veth "$r"; done
# Frame origin (xdp_livegen): veth takes frames only with XDP attached.
for r in xdp-drop xdp-generic-drop tc-drop iptables-raw-drop udp-socket; do
	rung xnic "frame-$r"
done
rung veth frame-xdp-drop
for n in 1 10; do
	for m in xdp-lpm nft-set iptables; do rung xnic "scale-$m-$n"; done
	for m in socklb nodeport iptables; do rung svc "svc-$m-crr-$n"; done
done
for r in svc-direct-crr svc-direct-rr svc-socklb-rr svc-nodeport-rr svc-iptables-rr; do
	rung svc "$r"
done
for r in tcp-xnic tcp-xnic-xdp-pass tcp-veth tcp-veth-xdp-pass; do rung tcp "$r"; done
# 2 generator + 12 xnic + 10 veth ladder rungs, 5 + 1 frame origin,
# 6 scaling, 11 service, 2 queues, 4 TCP: one row each, no more.
expect $t:rows "$(jq -s '[.[] | select(.rung)] | length' "$dir/raw.json")" -eq 53
# One perf profile (each takes about a minute in TCG), with samples and
# symbols, and no other.
n=$(jq -s '[.[] | select(.profile == "xdp-drop" and .samples > 0 and
	(.top | length) > 0)] | length' "$dir/raw.json" 2>/dev/null)
expect $t:profile:xdp-drop "${n:-0}" -eq 1
expect $t:profiles "$(jq -s '[.[] | select(.profile)] | length' "$dir/raw.json")" -eq 1

if python3 "$root/bench/render.py" "$dir/raw.json" "$dir/b.md" "$dir/b.png" \
	smoke "$(uname -r)" >"$dir/render.log" 2>&1; then
	pass $t:render
else
	fail $t:render "$(tail -n 1 "$dir/render.log")"
fi
for h in "| native XDP_DROP (no skb) |" "Like for like" "## Frame origin" "## Blocklist scaling" \
	"## Services" "| socket LB (VIP) |" "| tc per-packet translation (VIP) |" \
	"| iptables DNAT (VIP) |" \
	"## Receive queues" "## TCP throughput" "## Targets" \
	"## Where the receiving CPU's time goes"; do
	check "$t:report-has-${h//[^a-zA-Z]/}" grep -qF "$h" "$dir/b.md"
done
check $t:plot test -s "$dir/b.png"

dmesg_check $t:dmesg
taint_check $t:taint
