# SPDX-License-Identifier: GPL-2.0
# The datapath half of `make demo`, sourced by tests/vm/demo-guest.sh once
# the node and its pods exist: xnicctl drives each program of bpf/ on the
# node's ports while real traffic flows, and every section checks what it
# shows.
#
#   blocklist   the XDP prefilter on xpod1 (native, step 2) drops pod1's
#               address: ping fails, the counter and a drop event say why
#   policy      the tc policy on xpod2's egress (towards pod2) denies UDP
#               to port 9 and allows the rest: counters and events again
#   services    a VIP with backends pod2 and pod3, reached from pod1's
#               cgroup by socket-level load balancing; per-backend counters
#   shaping     a pacing limit on pod1's cgroup (sock_ops): iperf3 before
#               and after
#
# xnicctl runs in the node's network namespace through `nsenter --net`,
# not `ip netns exec`: the latter remounts /sys and hides /sys/fs/bpf,
# where the datapath is pinned.

XNICCTL=$root/userspace/xnicctl
VIP=10.96.0.10

# X ARGS...: xnicctl on the node, its output indented
X() {
	echo "  # xnicctl $*"
	nsenter --net=/run/netns/"$NODE" "$XNICCTL" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

# Xq ARGS...: the same, silent, for the checks' own reads
Xq() { nsenter --net=/run/netns/"$NODE" "$XNICCTL" "$@"; }

# monitor_start N: `xnicctl monitor --json --count N` in the background,
# its events in $tmp/events.json; monitor_wait then waits up to 10 s.
monitor_start() {
	# Not through Xq: $! must be the monitor itself (nsenter execs it).
	nsenter --net=/run/netns/"$NODE" "$XNICCTL" monitor --json --count "$1" \
		>"$tmp/events.json" 2>/dev/null &
	MON=$!
	# It skips what was queued before it started: wait until it polls.
	wait_polling "$MON" 10
}

monitor_wait() {
	wait_for "! kill -0 $MON 2>/dev/null" 10
	kill "$MON" 2>/dev/null || true
	wait "$MON" 2>/dev/null || true
	jq -r '"    event: \(.dev) \(.hook) \(.reason) \(.src) > \(.dst) \(.proto // .family)" +
		(if .dport then ":\(.dport)" else "" end)' "$tmp/events.json" 2>/dev/null | head -n 3
}

# events_with REASON: how many of the monitor's events have REASON
events_with() {
	jq -s --arg r "$1" '[.[] | select(.reason == $r)] | length' "$tmp/events.json" 2>/dev/null || echo 0
}

# stat_of DEV REASON: the prefilter's packet count for REASON on DEV
stat_of() {
	Xq stats "$1" --json | jq --arg r "$2" '[.devices[0].reasons[] | select(.reason == $r) | .packets] | add // 0'
}

# pstat_of DEV DIRECTION REASON: the tc policy's packet count
pstat_of() {
	Xq stats "$1" --json |
		jq --arg d "$2" --arg r "$3" '[.devices[0].policy[] | select(.direction == $d and .reason == $r) | .packets] | add // 0'
}

blocklist_demo() {
	local d0 d1

	section "blocklist: the XDP prefilter on node:xpod1 (native, in the NAPI poll)"
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	# The demo's no-op program leaves the hook to xnicctl.
	ip -n "$NODE" link set dev xpod1 xdpdrv off
	X attach xpod1 --xdp native || { fail demo:prefilter-attach "xnicctl attach failed"; return; }
	d0=$(stat_of xpod1 drop_v4_exact)
	X prefilter add "$(pod_ip 1)" || true
	monitor_start 3
	if in_ns pod1 ping -n -c 3 -i 0.2 -W 1 -q "$(pod_ip 2)" >/dev/null 2>&1; then
		fail demo:prefilter-blocks "pod1 still reaches pod2 with its address blocked"
	else
		echo "  pod1 -> pod2: no reply (blocked)"
		pass demo:prefilter-blocks
	fi
	monitor_wait
	d1=$(stat_of xpod1 drop_v4_exact)
	X stats xpod1 | grep -E 'REASON|drop_v4_exact|pass_ipv4' || true
	if [ $((d1 - d0)) -ge 3 ] && [ "$(events_with drop_v4_exact)" -ge 1 ]; then
		pass demo:prefilter-counted
	else
		fail demo:prefilter-counted "drop_v4_exact +$((d1 - d0)), $(events_with drop_v4_exact) events"
	fi
	X prefilter del "$(pod_ip 1)" || true
	ping_test unblocked pod1 "$(pod_ip 2)"
}

policy_demo() {
	local n=20 d0 d1 a0 a1

	section "policy: tc on node:xpod2's egress (towards pod2), deny UDP to port 9"
	X attach xpod2 --tc || { fail demo:policy-attach "xnicctl attach --tc failed"; return; }
	X policy add xpod2 egress deny family ipv4 proto udp dport 9 || true
	X policy list xpod2 || true
	d0=$(pstat_of xpod2 egress drop_rule)
	a0=$(pstat_of xpod2 egress pass_default)
	monitor_start 3
	in_ns pod1 bash -c "for i in \$(seq $n); do echo denied > /dev/udp/$(pod_ip 2)/9; done" 2>/dev/null
	in_ns pod1 ping -n -c 3 -i 0.2 -W 2 -q "$(pod_ip 2)" >/dev/null 2>&1 || true
	monitor_wait
	d1=$(pstat_of xpod2 egress drop_rule)
	a1=$(pstat_of xpod2 egress pass_default)
	echo "  egress drop_rule +$((d1 - d0)) (of $n datagrams), pass_default +$((a1 - a0)) (pings and the rest)"
	if [ $((d1 - d0)) -eq $n ] && [ $((a1 - a0)) -ge 3 ] &&
		[ "$(events_with drop_rule)" -ge 1 ]; then
		pass demo:policy-denies-exactly
	else
		fail demo:policy-denies-exactly "drop_rule +$((d1 - d0)) of $n, pass_default +$((a1 - a0)), $(events_with drop_rule) events"
	fi
	X policy del xpod2 egress 0 || true
	X detach xpod2 --tc || true
}

# serve_name NS ADDR: a TCP server on ADDR:8080 in NS answering its name
serve_name() {
	in_ns "$1" socat TCP-LISTEN:8080,bind="$2",fork,reuseaddr SYSTEM:"echo $1" 2>/dev/null &
	on_exit "kill $! 2>/dev/null"
}

# in_pod1_cg CMD...: CMD in namespace pod1 and cgroup $PODCG
in_pod1_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$PODCG" ip netns exec pod1 "$@"
}

services_demo() {
	local n=30 i ans p2 p3 other

	section "services: $VIP:80/tcp -> pod2 and pod3, chosen at connect() (socket LB)"
	PODS+=(3)
	attach_pod 3
	cgroup2_root /run/xnic-demo-cgroup
	PODCG=$CGROOT/xnic-demo-pod1
	mkdir -p "$PODCG"
	on_exit "rmdir $PODCG 2>/dev/null"
	serve_name pod2 "$(pod_ip 2)"
	serve_name pod3 "$(pod_ip 3)"
	wait_listen pod3 8080
	X service attach --cgroup "$PODCG" || { fail demo:service-attach "xnicctl service attach failed"; return; }
	X service add $VIP:80/tcp --backend "$(pod_ip 2)":8080 --backend "$(pod_ip 3)":8080 || true
	: >"$tmp/answers"
	for i in $(seq $n); do
		in_pod1_cg socat -t 3 -T 5 - TCP:$VIP:80,connect-timeout=5 </dev/null \
			>>"$tmp/answers" 2>/dev/null || true
	done
	p2=$(grep -c '^pod2$' "$tmp/answers" || true)
	p3=$(grep -c '^pod3$' "$tmp/answers" || true)
	other=$(grep -vc '^pod[23]$' "$tmp/answers" || true)
	echo "  $n connections from pod1 to $VIP:80: pod2 answered $p2, pod3 $p3"
	X service list || true
	if [ $((p2 + p3)) -eq $n ] && [ "$p2" -gt 0 ] && [ "$p3" -gt 0 ] && [ "$other" -eq 0 ]; then
		pass demo:service-both-backends
	else
		fail demo:service-both-backends "pod2 $p2, pod3 $p3, other $other of $n"
	fi
	ans=$(Xq service list --json | jq '[.[0].backends[].selected] | add' || true)
	if [ "$ans" = "$n" ]; then
		pass demo:service-counters
	else
		fail demo:service-counters "backends selected $ans times for $n connections"
	fi
}

# pod1_iperf NAME: iperf3 from pod1's cgroup to pod2 for 3 s; kbit/s
pod1_iperf() {
	local srv
	in_ns pod2 iperf3 -s -1 -B "$(pod_ip 2)" >/dev/null 2>&1 &
	srv=$!
	wait_listen pod2 5201 || true
	in_pod1_cg iperf3 -c "$(pod_ip 2)" -t 3 -J >"$tmp/$1.json" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	jq '.end.sum_received.bits_per_second / 1e3 | floor' "$tmp/$1.json" 2>/dev/null || echo 0
}

shaping_demo() {
	local free limited rate=5

	section "shaping: ${rate}mbit pacing for pod1's cgroup (sock_ops, per connection)"
	free=$(pod1_iperf free)
	echo "  unlimited: $free kbit/s"
	X limit add cgroup "$PODCG" ${rate}mbit || true
	limited=$(pod1_iperf limited)
	echo "  limited:   $limited kbit/s"
	X limit list || true
	# Within 15% of the limit, on a path at least twice as fast.
	if [ "$free" -gt $((rate * 2000)) ] && [ "$limited" -le $((rate * 1150)) ] &&
		[ "$limited" -ge $((rate * 850)) ]; then
		pass demo:shaping-holds
	else
		fail demo:shaping-holds "unlimited $free, limited $limited kbit/s for ${rate}mbit"
	fi
	X limit del cgroup "$PODCG" || true
	X service detach || true
}
