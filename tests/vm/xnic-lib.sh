# SPDX-License-Identifier: GPL-2.0
# xnic-specific guest helpers for tests/vm/cases/*.sh (after lib.sh).
#
#   pair_add A B [NSA NSB [QUEUES]]  create pair A<->B (peer renamed to B),
#                                   move A to NSA and B to NSB if given
#   peer_of DEV                      the auto-assigned peer of DEV
#   ethstat DEV NAME [NS]            one `ethtool -S` counter
#   ethstat_sum DEV REGEX [NS]        sum of the counters whose name matches
#   pair_addr NSA A NSB B NET        NET.1/24 on A, NET.2/24 on B, both up
#   pair_v4only A B NET              namespaces p_a and p_b, pair A (in p_a)
#                                   <-> B (in p_b), one queue, IPv6 off in
#                                   both, then pair_addr
#   dbg DEV [NS]                     DEV's debugfs directory
#   xnic_idle / xnic_settle [SECS]   no ring holds work / wait for that
#   wait_rx DEV NS N [SECS]          wait until DEV received N more frames
#   cgroup2_root DIR                 CGROOT: /sys/fs/cgroup if it is cgroup v2,
#                                   else cgroup2 mounted at DIR (until exit)
#   xn NAME WANT ARGS...             run xnicctl ($X) with ARGS, pass $t:NAME
#                                   if it exits WANT; stdout in $OUT,
#                                   stderr in $ERR (and /tmp/xnicctl.err)

# `ip link` prints "idx: A@PEER:"; the part after @ is the peer (iflink).
peer_of() {
	ip -o link show "$1" | awk -F': ' '{ split($2, p, "@"); print p[2] }'
}

pair_add() {
	local a=$1 b=$2 nsa=${3:-} nsb=${4:-} q=${5:-}
	local peer
	if [ -n "$q" ]; then
		ip link add "$a" numtxqueues "$q" numrxqueues "$q" type xnic || return 1
	else
		ip link add "$a" type xnic || return 1
	fi
	peer=$(peer_of "$a")
	ip link set "$peer" name "$b" || return 1
	[ -z "$nsa" ] || ip link set "$a" netns "$nsa" || return 1
	[ -z "$nsb" ] || ip link set "$b" netns "$nsb" || return 1
}

_ns_do() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

ethstat() {
	_ns_do "${3:-}" ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2; f = 1 } END { if (!f) print "missing" }'
}

ethstat_sum() {
	_ns_do "${3:-}" ethtool -S "$1" | awk -v re="$2" '{ n = $1; sub(/:$/, "", n) } n ~ re { s += $2 } END { print s + 0 }'
}

pair_addr() {
	local nsa=$1 a=$2 nsb=$3 b=$4 net=$5
	ip -n "$nsa" addr add "$net.1/24" dev "$a"
	ip -n "$nsb" addr add "$net.2/24" dev "$b"
	ip -n "$nsa" link set "$a" up
	ip -n "$nsb" link set "$b" up
}

# No IPv6 (router solicitations, DAD): IPv4 and ARP counters stay exact.
pair_v4only() {
	local ns
	ns_add p_a
	ns_add p_b
	pair_add "$1" "$2" p_a p_b 1
	for ns in p_a p_b; do
		in_ns $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	pair_addr p_a "$1" p_b "$2" "$3"
}

# debugfs is global: find the directory whose bus-info matches DEV's.
dbg() {
	local id
	id=$(_ns_do "${2:-}" ethtool -i "$1" | awk '/^bus-info:/ { sub("xnic-", "", $2); print $2 }')
	echo "/sys/kernel/debug/xnic/$id"
}

# xnic_idle: no xnic ring anywhere holds work: no TX descriptor waits for
# the DMA engine or for cleaning, no RX frame waits for NAPI, no vector is
# masked (no poll running or scheduled). The DMA engine runs in the
# sender's context, so once a sender returns and xnic_idle holds, every
# frame it sent has been through the receiver's XDP and stack.
xnic_idle() {
	local f
	for f in /sys/kernel/debug/xnic/*/rings; do
		[ -e "$f" ] || continue
		awk '$2 == "tx" && ($7 || $8 || $9) { exit 1 }
		     $2 == "rx" && ($8 || $9) { exit 1 }' "$f" || return 1
	done
}

# xnic_settle [SECS]: wait (default 5 s) until xnic_idle.
xnic_settle() {
	wait_for xnic_idle "${1:-5}" || echo "    xnic rings still busy after ${1:-5} s" >&2
}

# wait_rx DEV NS N [SECS]: wait until DEV's DMA engine has delivered N
# more frames than now (traffic is flowing through it).
_rx_frames() { ethstat_sum "$1" '^rx_queue_[0-9]+_dma_frames$' "$2"; }
wait_rx() {
	local want=$(($(_rx_frames "$1" "$2") + $3))
	wait_for "[ \$(_rx_frames $1 $2) -ge $want ]" "${4:-10}"
}

# expect NAME ACTUAL OP EXPECTED: numeric assertion recorded as pass/fail.
expect() {
	local name=$1 a=$2 op=$3 e=$4
	if [ "$a" -eq "$a" ] 2>/dev/null && [ "$a" "$op" "$e" ]; then
		pass "$name"
	else
		fail "$name" "got '$a', expected $op $e"
	fi
}

# xnicctl_case_begin T FILE...: the start of a case that drives xnicctl:
# mark dmesg, check the FILEs were built, load xnic and mount the BPF
# filesystem xnicctl pins on (virtme-ng does not). On failure it records
# T:build or T:modprobe and returns 1; the case then exits 0.
xnicctl_case_begin() {
	local t=$1 f
	shift
	dmesg_mark
	for f in "$@"; do
		if [ ! -e "$f" ]; then
			fail "$t:build" "$f missing: run make"
			return 1
		fi
	done
	xnic_load || { fail "$t:modprobe" "modprobe xnic failed"; return 1; }
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
		mount -t bpf bpf /sys/fs/bpf
	fi
}

# xn NAME WANT ARGS...: run $X (xnicctl) with ARGS; pass $t:NAME if it
# exits WANT. Its stdout is in $OUT, its stderr in $ERR and
# /tmp/xnicctl.err.
xn() {
	local name=$1 want=$2 rc=0
	shift 2
	OUT=$("$X" "$@" 2>/tmp/xnicctl.err) || rc=$?
	ERR=$(cat /tmp/xnicctl.err)
	if [ "$rc" -eq "$want" ]; then
		pass "$t:$name"
	else
		fail "$t:$name" "xnicctl $* exited $rc, expected $want: $ERR"
	fi
}

# cgroup2_root DIR: set CGROOT to a cgroup v2 hierarchy, the system's if
# /sys/fs/cgroup is one, else our own mounted at DIR (unmounted at exit).
cgroup2_root() {
	CGROOT=/sys/fs/cgroup
	[ "$(stat -f -c %T $CGROOT)" != cgroup2fs ] || return 0
	CGROOT=$1
	mkdir -p "$CGROOT"
	mountpoint -q "$CGROOT" || { mount -t cgroup2 none "$CGROOT" && on_exit "umount $CGROOT"; }
}
