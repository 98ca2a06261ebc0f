# SPDX-License-Identifier: GPL-2.0
# VM test helpers, sourced by tests/vm/run.sh and by every tests/vm/cases/*.sh
# (which also source tests/lib/report.sh for pass/fail/skip/check).
#
# Host side:
#   vm_find_vng              set VNG=(command) to run virtme-ng
# Guest side:
#   on_exit CMD              run CMD (a string) when the script exits, last first
#   ns_add NAME              create netns NAME with lo up; deleted on exit
#   in_ns NS CMD...          run CMD in netns NS ("in" is a bash keyword)
#   xnic_load / xnic_unload  modprobe [-r] xnic (the DKMS-installed module,
#                            or insmod $XNIC_VM_MODULE when that is set)
#   dmesg_mark               remember where dmesg and the taint flags stand
#   dmesg_check NAME         fail NAME if dmesg shows a kernel splat since the mark
#   taint_check NAME         fail NAME on a new taint bit since the mark
#   wait_for CMD TIMEOUT     poll the string CMD until it succeeds, at most
#                            TIMEOUT whole seconds; returns 1 on timeout
#   xdp_swap_under_load_oopses  true where changing XDP programs while
#                            another vCPU runs XDP crashes the kernel itself

# vng is on PATH after setup (pyenv shims or /usr/local/bin); the module form
# works when only the Python package is there.
vm_find_vng() {
	if command -v vng >/dev/null; then
		VNG=(vng)
	elif python3 -m virtme_ng.run --version >/dev/null 2>&1; then
		VNG=(python3 -m virtme_ng.run)
	else
		return 1
	fi
}

_vm_exit_cmds=()

_vm_run_exit() {
	local c
	for c in "${_vm_exit_cmds[@]}"; do
		eval "$c" || true
	done
}

on_exit() {
	_vm_exit_cmds=("$1" "${_vm_exit_cmds[@]}")
	trap _vm_run_exit EXIT
}

ns_add() {
	ip netns add "$1"
	on_exit "ip netns del $1"
	ip -n "$1" link set lo up
}

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

xnic_load() {
	local err
	# A build being tried (tests/vm/run.sh XNIC_VM_MODULE), if loaded.
	if [ -n "${XNIC_VM_MODULE:-}" ] && [ ! -d /sys/module/xnic ]; then
		insmod "$XNIC_VM_MODULE" || return 1
	fi
	if ! err=$(modprobe xnic 2>&1); then
		echo "xnic_load: 'modprobe xnic' failed on $(uname -r): $err" >&2
		if ! modinfo -F filename xnic >/dev/null 2>&1; then
			echo "xnic_load: no xnic.ko for $(uname -r); on the host run 'make install'" >&2
		fi
		return 1
	fi
}

xnic_unload() {
	modprobe -r xnic
}

# Kernel splats worth failing a test for, and the ones page_pool prints when
# a driver leaks pages at teardown.
XNIC_DMESG_BAD='WARNING:|BUG:|Oops|KASAN|kmemleak|lockdep|possible circular|general protection|refcount_t|page_pool_release_retry'

_vm_dmesg_mark=0
_vm_taint_mark=0

# dmesg timestamps, not line counts: the ring buffer may wrap during a run.
_vm_dmesg_now() {
	dmesg | awk -F'[][]' '/^\[/ { ts = $2 + 0 } END { printf "%.6f\n", ts }'
}

# New lines since the mark; continuation lines (no timestamp) follow their
# record.
_vm_dmesg_since() {
	dmesg | awk -F'[][]' -v m="$1" '/^\[/ { ts = $2 + 0 } ts > m + 0'
}

dmesg_mark() {
	_vm_dmesg_mark=$(_vm_dmesg_now)
	_vm_taint_mark=$(cat /proc/sys/kernel/tainted)
}

dmesg_check() {
	local bad
	bad=$(_vm_dmesg_since "$_vm_dmesg_mark" | grep -E "$XNIC_DMESG_BAD" || true)
	if [ -z "$bad" ]; then
		pass "$1"
	else
		echo "$bad" | head -n 20 | sed 's/^/    dmesg: /'
		fail "$1" "kernel splat: $(echo "$bad" | head -n 1)"
	fi
}

# E (unsigned module, 8192) and O (out-of-tree, 4096) are expected for xnic.
taint_check() {
	local now new
	now=$(cat /proc/sys/kernel/tainted)
	new=$((now & ~_vm_taint_mark & ~(4096 | 8192)))
	if [ "$new" -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "new taint bits $new (tainted=$now)"
	fi
}

wait_for() {
	local deadline=$((SECONDS + $2))
	until eval "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# wait_listen NS PORT [SECS]: wait until a TCP socket in NS listens on
# PORT, e.g. after `iperf3 -s -D`, which returns before its socket exists.
wait_listen() {
	wait_for "[ -n \"\$(in_ns $1 ss -Hltn 'sport = :$2')\" ]" "${3:-10}"
}

# wait_polling PID [SECS]: a ring-buffer reader (xnicctl monitor) has its
# epoll file open, so it sees every event from now.
wait_polling() {
	wait_for "ls -l /proc/$1/fd 2>/dev/null | grep -q eventpoll" "${2:-20}"
}

# wait_gone PATTERN [SECS]: wait until no process matches `pgrep -x`.
wait_gone() {
	wait_for "! pgrep -x '$1' >/dev/null" "${2:-10}"
}

# wait_tcpdump ERRFILE [SECS]: a tcpdump started with 2>ERRFILE has
# opened its socket ("listening on ..."), so it sees every frame from now.
wait_tcpdump() {
	wait_for "grep -qs 'listening on' '$1'" "${2:-20}"
}

# Debian's 6.12 in QEMU TCG: attaching, replacing or detaching an XDP
# program re-patches the BPF dispatcher (a static_call, text_poke_bp), and
# a vCPU running XDP through it meanwhile takes the int3 as an Oops in
# bpf_dispatcher_xdp_func. veth does it too (docs/testing.md), so it is the
# kernel and the emulator, not xnic. Cases skip, by name and with this
# reason, the steps that swap programs under traffic there. tests/vm/run.sh
# sets XNIC_VM_ACCEL; 6.1's dispatcher has run them in every CI run.
XNIC_XDP_SWAP_OOPS="6.12 under TCG oopses re-patching the BPF dispatcher under XDP traffic (veth too): docs/testing.md"
xdp_swap_under_load_oopses() {
	[ "${XNIC_VM_ACCEL:-}" = tcg ] && ! uname -r | grep -q '^6\.1\.'
}
