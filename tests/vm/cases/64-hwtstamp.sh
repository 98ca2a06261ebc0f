#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RX hardware timestamps (SIOCSHWTSTAMP, SO_TIMESTAMPING), as a PTP
# daemon uses them: ethtool -T lists hardware receive stamps with no PHC,
# off by default; turned on, any filter is widened to "all" and a UDP
# socket gets a raw hardware stamp between two clock readings; TX
# stamping is refused with ERANGE and changes nothing; turned off, no
# hardware stamp. The setting is the receiving port's alone.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
H=$root/tests/progs/hwtstamp

dmesg_mark
[ -x "$H" ] || { fail hwts:build "$H not built (make testprogs)"; exit 0; }
xnic_load || { fail hwts:modprobe "modprobe xnic failed"; exit 0; }
on_exit xnic_unload
ns_add ts_a
ns_add ts_b
pair_add tsa tsb ts_a ts_b
pair_addr ts_a tsa ts_b tsb 198.18.64
A() { in_ns ts_a "$@"; }
B() { in_ns ts_b "$@"; }
A ping -c 1 -W 5 198.18.64.2 >/dev/null

# recv PORT: one datagram sent from A to B's PORT; B's stamps, as JSON,
# in $r, and the clock read into t0/t1 around the send.
recv() {
	local out=/tmp/hwts-$1.json
	ip netns exec ts_b "$H" recv "$1" 10 >"$out" 2>/tmp/hwts.err &
	local pid=$!
	wait_for "grep -q '^ready' $out" 10 || true
	t0=$(date +%s%N)
	A bash -c "echo x >/dev/udp/198.18.64.2/$1" 2>/dev/null
	t1=$(date +%s%N)
	wait "$pid" || echo '{}' >>"$out"
	r=$(grep '^{' "$out" | tail -n 1)
}

info=$(B ethtool -T tsb)
check hwts:ts-info-caps bash -c 'grep -q "hardware-receive" <<<"$1" &&
	grep -q "hardware-raw-clock" <<<"$1" && grep -q "software-receive" <<<"$1"' _ "$info"
check hwts:ts-info-no-phc bash -c 'grep -q "PTP Hardware Clock: none" <<<"$1"' _ "$info"
check hwts:ts-info-filters bash -c 'grep -A3 "Receive Filter" <<<"$1" | grep -q "all"' _ "$info"
check hwts:default-off test "$(B "$H" get tsb)" = "tx=0 rx=0"

recv 6400
check hwts:off-no-hw-stamp test "$(echo "$r" | jq '.hw == 0 and .sw > 0')" = true

# HWTSTAMP_FILTER_PTP_V2_EVENT (12) comes back as HWTSTAMP_FILTER_ALL (1).
check hwts:filter-widened test "$(B "$H" set tsb off ptp)" = "tx=0 rx=1"
check hwts:get-after-set test "$(B "$H" get tsb)" = "tx=0 rx=1"
recv 6401
check hwts:on-hw-stamp-in-window test "$(echo "$r" | jq --argjson t0 "$t0" --argjson t1 "$t1" '.hw >= $t0 and .hw <= $t1')" = true
# The other direction is A's setting, still off.
ip netns exec ts_a "$H" recv 6402 10 >/tmp/hwts-a.json 2>/dev/null &
pid=$!
wait_for "grep -q '^ready' /tmp/hwts-a.json" 10 || true
B bash -c 'echo x >/dev/udp/198.18.64.1/6402' 2>/dev/null
wait "$pid"
check hwts:per-port test "$(grep '^{' /tmp/hwts-a.json | jq '.hw == 0')" = true

err=$(B "$H" set tsb on all 2>&1)
check hwts:tx-refused bash -c 'grep -q "Numerical result out of range" <<<"$1"' _ "$err"
check hwts:tx-refused-unchanged test "$(B "$H" get tsb)" = "tx=0 rx=1"

check hwts:set-off test "$(B "$H" set tsb off none)" = "tx=0 rx=0"
recv 6403
check hwts:off-again-no-hw-stamp test "$(echo "$r" | jq '.hw == 0 and .sw > 0')" = true

dmesg_check hwts:dmesg
taint_check hwts:taint
