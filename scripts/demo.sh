#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: the first command to run. From a fresh Debian 12 machine (as
# root) it installs what is missing, builds the tree, installs xnic.ko
# through DKMS, then boots one VM on the stock Debian kernel and runs
# tests/vm/demo-guest.sh there: two "pods" wired to a "node" by xnic pairs,
# real traffic between them, and a table of what each step of the receive
# datapath counted. Exits with the guest's status (0: traffic flowed and the
# kernel stayed quiet).
#
#   XNIC_DEMO_TIMEOUT=seconds  whole-VM limit (default 900)
#   XNIC_DEMO_VERBOSE=1        also show the guest's kernel log (e.g. a panic)
#
# Build and DKMS logs go to build/demo/.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/vm/lib.sh	# vm_find_vng

out=build/demo
nsteps=4
t_start=$SECONDS

step() {
	echo "=== demo [$1/$nsteps] $2"
}

# run_logged LOG CMD...: run CMD with its output in LOG; on failure show
# the end of LOG and stop.
run_logged() {
	local log=$1
	shift
	if "$@" >"$log" 2>&1; then
		echo "    ok (log: $log)"
	else
		tail -n 40 "$log" | sed 's/^/    | /'
		echo "demo: '$*' failed, full log in $log" >&2
		exit 1
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it installs packages and a kernel module)" >&2
	exit 1
fi
mkdir -p "$out"

step 1 "tools"
if scripts/setup-needed.sh; then
	echo "    something is missing: running scripts/setup.sh"
	scripts/setup.sh
	if scripts/setup-needed.sh; then
		echo "demo: still missing a tool after scripts/setup.sh" >&2
		exit 1
	fi
else
	echo "    ok (all present)"
fi
kver=$(scripts/kver.sh)
kernel=/boot/vmlinuz-$kver
vm_find_vng

step 2 "build the module, BPF objects and xnicctl (make all)"
run_logged "$out/build.log" make all

step 3 "install xnic.ko for $kver (scripts/dkms.sh install)"
run_logged "$out/dkms.log" scripts/dkms.sh install
tail -n 1 "$out/dkms.log" | sed 's/^/    /'

step 4 "boot a VM on $kernel and run tests/vm/demo-guest.sh (TCG, ~2 min)"
# Nested KVM does not work on these machines: TCG. --force-9p skips vng's
# slow virtiofsd attempts. Piping keeps vng's output from interleaving.
vng_args=(--run "$kernel" --disable-kvm --force-9p --cpus 2 --memory 2G)
[ "${XNIC_DEMO_VERBOSE:-0}" = 0 ] || vng_args+=(--verbose)
rc=0
t_vm=$SECONDS
timeout -k 30 "${XNIC_DEMO_TIMEOUT:-900}" "${VNG[@]}" "${vng_args[@]}" \
	--exec "bash $(printf %q "$root/tests/vm/demo-guest.sh")" \
	</dev/null 2>&1 | cat || rc=${PIPESTATUS[0]}

case $rc in
0) echo "=== demo: PASSED in $((SECONDS - t_start)) s (VM $((SECONDS - t_vm)) s)" ;;
124) echo "=== demo: FAILED: the VM timed out after ${XNIC_DEMO_TIMEOUT:-900} s" ;;
255) echo "=== demo: FAILED: the guest kernel panicked (XNIC_DEMO_VERBOSE=1 shows its log)" ;;
*) echo "=== demo: FAILED (guest exit status $rc) after $((SECONDS - t_start)) s" ;;
esac
exit "$rc"
