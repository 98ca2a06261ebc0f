#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2046 # byte lists split into bpftool arguments on purpose
# Drop monitoring end to end: `xnicctl monitor` reading the xnic_events
# ring buffer that every dropping program shares (bpf/drop_event.h).
#
#   m_a: evxa ==xnic== evxb   (prefilter on evxb, native XDP, initial netns)
#   m_b: evna ==xnic== evnb   (prefilter on evnb: the same maps, another device)
#
# Covered: nothing attached (exit 5, before and after pinning); a blocked
# source's ping as JSON and as text with every field checked; an ARP
# sender; --dev; the tc policy loaded by bpftool onto the same pinned
# event maps, its ingress and egress drops with the rule index, and
# attached by `xnicctl attach --tc` (its loader shares them too); the rate
# limit set at run time (same program) against a ping flood, every drop
# counted exactly once as emitted, rate-limited or lost; SIGINT and
# SIGTERM end the monitor with status 0.
#
# xnicctl runs in the initial namespace, as in 80-xnicctl.sh: `ip netns
# exec` hides /sys/fs/bpf, where the maps are pinned.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
X=$root/userspace/xnicctl
B=$root/bpf
PIN=/sys/fs/bpf/xnic
TCPIN=/sys/fs/bpf/xnic-test-tc
t=monitor

xnicctl_case_begin $t "$X" || exit 0
rm -rf $PIN $TCPIN
on_exit "rm -rf $PIN $TCPIN"

# jcheck NAME JSON FILTER: pass if JSON is there and jq -e FILTER holds.
jcheck() {
	if [ -n "$2" ] && jq -e "$3" >/dev/null 2>&1 <<<"$2"; then
		pass "$t:$1"
	else
		fail "$t:$1" "not $3 in: $(head -c 600 <<<"$2")"
	fi
}

# --- nothing to monitor ----------------------------------------------------
xn nothing-pinned-exit-5 5 monitor --count 1
check $t:nothing-pinned-says-so grep -q 'nothing attached' <<<"$ERR"
expect $t:nothing-pinned-one-line "$(wc -l </tmp/xnicctl.err)" -eq 1
# Setting the limit before any attach pins the maps, as the blocklists do.
xn limit-before-attach 0 monitor limit --rate 0
check $t:limit-pinned-the-maps test -e $PIN/xnic_events -a -e $PIN/xnic_ev_config \
	-a -e $PIN/xnic_ev_stats -a -e $PIN/xnic_ev_bucket
xn pinned-unused-exit-5 5 monitor --count 1
check $t:pinned-unused-says-so grep -q 'no program uses' <<<"$ERR"

# --- two xnic pairs, the prefilter on both receiving ends --------------------
ns_add m_a
ns_add m_b
pair_add evxa evxb m_a "" 1
pair_add evna evnb m_b "" 1
on_exit "ip link del evxb 2>/dev/null; ip link del evnb 2>/dev/null"
ip -n m_a addr add 198.18.86.1/24 dev evxa
ip addr add 198.18.86.2/24 dev evxb
ip -n m_b addr add 198.18.87.1/24 dev evna
ip addr add 198.18.87.2/24 dev evnb
ip -n m_a link set evxa up
ip -n m_b link set evna up
ip link set evxb up
ip link set evnb up
SRC=198.18.86.1
DST=198.18.86.2
NSRC=198.18.87.1
NDST=198.18.87.2
MB=$(ip -j link show evxb | jq '.[0].ifindex')
A() { in_ns m_a "$@"; }
N() { in_ns m_b "$@"; }
ping_a() { A ping -c 1 -W 1 -q $DST >/dev/null 2>&1; }
ping_n() { N ping -c 1 -W 1 -q $NDST >/dev/null 2>&1; }
ping_both() { ping_a; ping_n; }
prog_id() { ip -j link show "$1" | jq '.[0].xdp.prog.id // 0'; }
# count DEV REASON: the prefilter's packets for REASON on DEV.
count() {
	"$X" stats "$1" --json |
		jq -r --arg r "$2" '.devices[0].reasons[] | select(.reason == $r) | .packets'
}

check $t:baseline-ping A ping -c 2 -i 0.2 -W 5 -q $DST
xn attach-mb 0 attach evxb
xn attach-nb 0 attach evnb
# Both devices' programs use the one pinned ring.
RING=$(bpftool map show pinned $PIN/xnic_events -j | jq .id)
for d in evxb evnb; do
	check $t:$d-uses-the-pinned-ring sh -c \
		"bpftool prog show id $(prog_id $d) -j | jq -e '.map_ids | index($RING)' >/dev/null"
done
xn block 0 prefilter add $SRC $NSRC

# ready PID: the monitor has taken its start counters and waits (its
# epoll file exists only once the ring buffer is open).
ready() { wait_polling "$1"; }

# mon NAME PINGER ARGS...: run `xnicctl ARGS` in the background, call
# PINGER once it is ready and again until it exits (at most 60 times),
# then SIGTERM it if still running. Its stdout in $MON, stderr in $MSUM,
# status in $MRC.
mon() {
	local name=$1 pinger=$2 out=/tmp/mon.$1.out err=/tmp/mon.$1.err pid
	shift 2
	"$X" "$@" >"$out" 2>"$err" &
	pid=$!
	ready $pid || fail "$t:$name-ready" "xnicctl $* did not start"
	for _ in $(seq 60); do
		kill -0 $pid 2>/dev/null || break
		$pinger
	done
	kill -0 $pid 2>/dev/null && kill -TERM $pid
	MRC=0
	wait $pid || MRC=$?
	MON=$(cat "$out")
	MSUM=$(cat "$err")
}

# --- a blocked source's ping, as JSON ----------------------------------------
mon json ping_a monitor --json --count 2 --dev evxb
expect $t:json-exit-0 "$MRC" -eq 0
expect $t:json-two-lines "$(wc -l <<<"$MON")" -eq 2
E=$(head -n 1 <<<"$MON")
jcheck json-dev "$E" ".dev == \"evxb\" and .ifindex == $MB"
jcheck json-hook "$E" '.hook == "xdp" and .prog == "prefilter"'
jcheck json-reason "$E" '.reason == "drop_v4_exact" and .reason_code == 6 and (.why | length > 0)'
jcheck json-addresses "$E" ".family == \"ipv4\" and .src == \"$SRC\" and .dst == \"$DST\""
jcheck json-icmp "$E" '.proto == 1 and .sport == null and .dport == null and .arp_op == null'
# An echo request on the wire: 14 + 20 + 8 + 56 bytes.
jcheck json-len "$E" '.len == 98 and .ethertype == 2048 and .vlan == false and .rule == null'
jcheck json-time "$E" '(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and .ts_ns > 0'
jcheck json-summary "$MSUM" '.summary.shown == 2 and .summary.emitted >= 2'

# --- the same as text ---------------------------------------------------------
mon text ping_a monitor --count 1
expect $t:text-exit-0 "$MRC" -eq 0
check $t:text-line grep -Eq "^[0-9:.]+ evxb xdp prefilter drop_v4_exact \(IPv4 source blocked\) $SRC > $DST icmp len 98\$" <<<"$MON"
check $t:text-summary grep -q '^1 event(s) shown' <<<"$MSUM"

# --- --dev: only that device -------------------------------------------------
mon dev ping_both monitor --json --count 3 --dev evnb
expect $t:dev-exit-0 "$MRC" -eq 0
jcheck dev-only-nb "$(jq -s . <<<"$MON")" \
	"length == 3 and all(.[]; .dev == \"evnb\" and .src == \"$NSRC\")"
mon all-devs ping_both monitor --json --count 4
jcheck all-devs-both "$(jq -s . <<<"$MON")" \
	'([.[].dev] | unique) == ["evnb", "evxb"]'

# --- an ARP sender -----------------------------------------------------------
xn unblock 0 prefilter del $SRC
xn arp-block 0 arp-block add $SRC
A ip neigh flush dev evxa
ip neigh flush dev evxb
mon arp ping_a monitor --json --count 1 --dev evxb
E=$(head -n 1 <<<"$MON")
jcheck arp-reason "$E" '.reason == "drop_arp_sender" and .family == "arp" and .arp_op == 1'
jcheck arp-addresses "$E" ".src == \"$SRC\" and .dst == \"$DST\" and .proto == null and .ethertype == 2054"
xn arp-unblock 0 arp-block del $SRC
A ip neigh flush dev evxa
check $t:ping-back A ping -c 2 -i 0.2 -W 5 -q $DST

# --- the tc policy, loaded by bpftool onto the same pinned event maps --------
le32() { echo $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
zeros() { printf '0 %.0s' $(seq "$1"); }
shared=()
for m in xnic_events xnic_ev_config xnic_ev_stats xnic_ev_bucket; do
	shared+=(map name "$m" pinned "$PIN/$m")
done
if bpftool prog loadall "$B/tc_policy.bpf.o" $TCPIN type classifier "${shared[@]}" \
	pinmaps $TCPIN/maps; then
	pass $t:tc-load
	check $t:tc-shares-the-ring sh -c "[ \"\$(bpftool map show pinned $TCPIN/maps/xnic_events -j | jq .id)\" = \
		\"\$(bpftool map show pinned $PIN/xnic_events -j | jq .id)\" ]"
	tc qdisc add dev evxb clsact
	tc filter add dev evxb ingress bpf da pinned $TCPIN/tc_ingress
	tc filter add dev evxb egress bpf da pinned $TCPIN/tc_egress
	M=$TCPIN/maps
	# Ingress rule 0 allows TCP; rule 1 denies ICMP (action 2, IPv4, proto 1).
	bpftool map update pinned $M/pol_rules key $(le32 0) value 1 4 6 0 0 0 0 0 0 0 255 255 $(zeros 32)
	bpftool map update pinned $M/pol_rules key $(le32 1) value 2 4 1 0 0 0 0 0 0 0 255 255 $(zeros 32)
	mon tc-in ping_a monitor --json --count 1 --dev evxb
	E=$(head -n 1 <<<"$MON")
	jcheck tc-ingress-event "$E" '.hook == "tc-ingress" and .prog == "policy" and .reason == "drop_rule"'
	jcheck tc-ingress-rule "$E" ".rule == 1 and .src == \"$SRC\" and .dst == \"$DST\" and .proto == 1 and .len == 98"
	bpftool map update pinned $M/pol_rules key $(le32 1) value $(zeros 44)
	# Egress (key 64 + 0): the replies to evxa denied.
	bpftool map update pinned $M/pol_rules key $(le32 64) value 2 4 1 0 0 0 0 0 0 0 255 255 $(zeros 32)
	mon tc-eg ping_a monitor --json --count 1 --dev evxb
	E=$(head -n 1 <<<"$MON")
	jcheck tc-egress-event "$E" '.hook == "tc-egress" and .reason == "drop_rule" and .rule == 0'
	jcheck tc-egress-addresses "$E" ".src == \"$DST\" and .dst == \"$SRC\" and .proto == 1"
	bpftool map update pinned $M/pol_rules key $(le32 64) value $(zeros 44)
	# Default deny on ingress: no rule index.
	bpftool map update pinned $M/pol_rules key $(le32 0) value $(zeros 44)
	bpftool map update pinned $M/pol_config key 0 0 0 0 value 0 0 0 0 2 0 0 0
	mon tc-default ping_a monitor --json --count 1 --dev evxb
	jcheck tc-default-event "$(head -n 1 <<<"$MON")" '.reason == "drop_default" and .rule == null'
	tc qdisc del dev evxb clsact
	rm -rf $TCPIN
	check $t:tc-removed-ping-back A ping -c 2 -i 0.2 -W 5 -q $DST
else
	fail $t:tc-load "bpftool prog loadall tc_policy.bpf.o with the pinned event maps failed"
fi

# --- the tc policy attached by xnicctl itself: the same ring -----------------
xn xtc-attach 0 attach evxb --tc
xn xtc-deny 0 policy add evxb ingress deny family ipv4 proto icmp
TCID=$(tc -j filter show dev evxb ingress | jq '[.[].options.prog.id // empty][0]')
check $t:xtc-uses-the-pinned-ring sh -c \
	"bpftool prog show id $TCID -j | jq -e '.map_ids | index($RING)' >/dev/null"
mon xtc ping_a monitor --json --count 1 --dev evxb
E=$(head -n 1 <<<"$MON")
jcheck xtc-event "$E" '.hook == "tc-ingress" and .prog == "policy" and .reason == "drop_rule" and .rule == 0'
jcheck xtc-addresses "$E" ".src == \"$SRC\" and .dst == \"$DST\" and .proto == 1"
xn xtc-detach 0 detach evxb --tc
check $t:xtc-detached-ping-back A ping -c 2 -i 0.2 -W 5 -q $DST

# --- the rate limit at run time against a flood ------------------------------
ID=$(prog_id evxb)
xn limit-set 0 monitor limit --rate 10 --burst 5 --json
jcheck limit-shown "$OUT" '.rate == 10 and .burst == 5 and .effective_rate == 10'
expect $t:limit-same-program "$(prog_id evxb)" -eq "$ID"
xn block-flood 0 prefilter add $SRC
d0=$(count evxb drop_v4_exact)
"$X" monitor --json --dev evxb >/tmp/mon.flood.out 2>/tmp/mon.flood.err &
pid=$!
ready $pid || fail $t:flood-ready "the monitor did not start"
start=$SECONDS
A ping -c 400 -i 0.002 -W 1 -q $DST >/dev/null 2>&1
secs=$((SECONDS - start + 1))
# The monitor shows what is queued before it exits: no wait for it here.
kill -INT $pid
rc=0
wait $pid || rc=$?
expect $t:sigint-exit-0 $rc -eq 0
d1=$(count evxb drop_v4_exact)
S=$(cat /tmp/mon.flood.err)
shown=$(wc -l </tmp/mon.flood.out)
drops=$((d1 - d0))
echo "    flood: $drops drops in ~$secs s, $shown events shown; $S"
expect $t:flood-dropped "$drops" -ge 400
# Per CPU: at most the burst plus 10 a second, on each of the 2 CPUs.
expect $t:flood-limited-shown "$shown" -le $((2 * (5 + 10 * secs)))
jcheck flood-summary-shown "$S" ".summary.shown == $shown and .summary.emitted == $shown"
jcheck flood-rate-limited "$S" ".summary.rate_limited >= $((drops - 2 * (5 + 10 * secs)))"
# Every drop is counted once: sent, suppressed or lost.
jcheck flood-every-drop-counted "$S" \
	"(.summary.emitted + .summary.rate_limited + .summary.ringbuf_full) == $drops"
xn limit-counters 0 monitor limit --json
jcheck limit-counters-moved "$OUT" '.rate_limited > 0'
xn limit-default 0 monitor limit --rate 0 --burst 0 --json
jcheck limit-default-shown "$OUT" '.effective_rate == 1000 and .effective_burst == 100'

# SIGTERM ends it cleanly too.
"$X" monitor >/dev/null 2>/tmp/mon.term.err &
pid=$!
ready $pid || fail $t:term-ready "the monitor did not start"
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect $t:sigterm-exit-0 $rc -eq 0
check $t:sigterm-summary grep -q 'event(s) shown' /tmp/mon.term.err

# --- bad arguments change nothing ----------------------------------------
xn bad-limit 1 monitor limit --rate 3 --burst nope
xn limit-unchanged 0 monitor limit --json
jcheck bad-limit-changed-nothing "$OUT" '.rate == 0 and .burst == 0'

# --- detached: nothing uses the ring any more ----------------------------
xn detach-mb 0 detach evxb
xn detach-nb 0 detach evnb
xn detached-exit-5 5 monitor --count 1
check $t:detached-says-so grep -q 'no program uses' <<<"$ERR"

dmesg_check $t:dmesg
taint_check $t:taint
