#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one virtme-ng VM and run tests/vm/cases/*.sh inside it, in order.
#   XNIC_VM_CASES="00-smoke ..."  run only these cases
#   XNIC_VM_KERNEL=/path/bzImage  boot this kernel (default: the Debian 6.1 one)
#   XNIC_VM_SERIES=6.12           boot Debian's 6.12 instead; results are
#                                 named 6.12/<name>, output in build/vm-6.12
#   XNIC_VM_TIMEOUT=seconds       whole-VM limit (default 2400)
#   XNIC_VM_MODULE=/path/xnic.ko  xnic_load insmods this build instead of
#                                 the DKMS one (the host's DKMS tree is left
#                                 alone: for trying a change)
#   XNIC_VM_OUT=dir               results and console here instead (two runs
#                                 side by side)
#   XNIC_VM_CASE_TIMEOUT=seconds  per-case limit inside the guest (default 600,
#                                 or the case's "# vm-case-timeout: N" line)
# Results land in build/vm/results.txt (written by the guest through --rwdir)
# and are appended to $XNIC_RESULTS; the console goes to build/vm/console.log.
# Exits non-zero if anything failed.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cases_dir=$root/tests/vm/cases

# Guest side: run.sh --guest OUTDIR CASE... (the VM's / is the host's /).
guest() {
	local out=$1 c rc before limit
	shift
	export XNIC_RESULTS=$out/results.txt
	: > "$XNIC_RESULTS"
	. "$root/tests/lib/report.sh"
	. "$root/tests/vm/lib.sh"
	# A lockup panics the guest at once, with its trace on the console,
	# rather than hanging until the host's timeout.
	sysctl -qw kernel.softlockup_panic=1 kernel.hung_task_panic=1 \
		kernel.hung_task_timeout_secs=120 || true
	[ -z "${XNIC_VM_MODULE:-}" ] || echo "=== vm module: $XNIC_VM_MODULE"
	# One mark for the whole run: the final checks catch what cases missed.
	dmesg_mark
	for c in "$@"; do
		echo "=== vm case $c"
		before=$(wc -l < "$XNIC_RESULTS")
		rc=0
		# A case may ask for more: a line "# vm-case-timeout: SECONDS".
		limit=$(sed -n 's/^# vm-case-timeout: *\([0-9][0-9]*\)$/\1/p' "$cases_dir/$c.sh")
		t0=$SECONDS
		timeout -k 10 "${limit:-${XNIC_VM_CASE_TIMEOUT:-600}}" bash "$cases_dir/$c.sh" || rc=$?
		# Where the suite's time goes (make check prints these at the end).
		echo "$c $((SECONDS - t0))" >> "$out/case-seconds.txt"
		if [ "$rc" -eq 124 ]; then
			fail "vm:$c" "timed out"
		elif [ "$rc" -ne 0 ]; then
			fail "vm:$c" "exited $rc"
		elif [ "$(wc -l < "$XNIC_RESULTS")" -eq "$before" ]; then
			fail "vm:$c" "recorded no result"
		fi
	done
	echo "=== vm final checks"
	dmesg_check vm:dmesg-clean
	taint_check vm:taint-clean
}

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit 0
fi

# Host side.
export XNIC_RESULTS=${XNIC_RESULTS:-$root/build/results.txt}
mkdir -p "$(dirname "$XNIC_RESULTS")"
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"

# This run's verdict: did it add FAIL lines to the (shared) results file?
fails_before=$(grep -c '^FAIL' "$XNIC_RESULTS" 2>/dev/null || true)

series=${XNIC_VM_SERIES:-6.1}
if [ "$series" = 6.1 ]; then
	out=$root/build/vm
	tag=
else
	out=$root/build/vm-$series
	tag=$series/
fi
out=${XNIC_VM_OUT:-$out}
rm -rf "$out"
mkdir -p "$out"

cases=()
if [ -n "${XNIC_VM_CASES:-}" ]; then
	for c in $XNIC_VM_CASES; do
		c=${c%.sh}
		if [ -f "$cases_dir/$c.sh" ]; then
			cases+=("$c")
		else
			fail "vm:$c" "no such case $cases_dir/$c.sh"
		fi
	done
else
	for f in "$cases_dir"/*.sh; do
		c=${f##*/}
		cases+=("${c%.sh}")
	done
fi

if [ ${#cases[@]} -eq 0 ]; then
	fail vm:cases "no case to run"
	exit 1
fi
if ! vm_find_vng; then
	fail vm:boot "virtme-ng not found (run: make setup)"
	exit 1
fi
if [ -z "${XNIC_VM_KERNEL:-}" ]; then
	if ! kver=$("$root/scripts/kver.sh" "$series"); then
		fail "${tag}vm:boot" "no Debian $series kernel (run: make setup)"
		exit 1
	fi
	XNIC_VM_KERNEL=/boot/vmlinuz-$kver
fi
kernel=$XNIC_VM_KERNEL

# Nested KVM does not work on these machines: always TCG. Debian's virtiofsd
# does not start here and vng's retries before falling back to 9p cost ~6 s.
# --verbose puts the kernel log on the console, the only record of a panic;
# it goes to console.log, the terminal gets the rest. Piping (not
# redirecting) keeps vng's output from interleaving.
echo "vm: booting $kernel with ${cases[*]}"
start=$SECONDS
rc=0
timeout -k 30 "${XNIC_VM_TIMEOUT:-2400}" "${VNG[@]}" --run "$kernel" \
	--disable-kvm --force-9p --cpus 2 --memory 2G --rwdir "$out" --verbose \
	--exec "XNIC_VM_ACCEL=tcg XNIC_VM_MODULE=$(printf %q "${XNIC_VM_MODULE:-}") bash $(printf %q "$root/tests/vm/run.sh") --guest $(printf %q "$out") ${cases[*]}" \
	</dev/null 2>&1 | tee "$out/console.log" | grep --line-buffered -v '^\[ *[0-9]*\.[0-9]*\]' || rc=${PIPESTATUS[0]}
echo "vm: done in $((SECONDS - start)) s (exit $rc), console in $out/console.log"

# The kernel log was kept off the terminal: show the first kernel report
# (where a hang or panic began) and how it ended.
first=
if [ "$rc" -ne 0 ]; then
	pattern='(BUG|WARNING|INFO|Oops|Kernel panic|watchdog: BUG|rcu: INFO|general protection)'
	n=$(grep -n -m1 -E "\] $pattern" "$out/console.log" | cut -d: -f1)
	if [ -n "$n" ]; then
		first=$(sed -n "${n}p" "$out/console.log" | sed 's/^\[ *[0-9.]*\] //' | cut -c1-160)
		echo "vm: first kernel report, line $n of console.log:"
		sed -n "${n},$((n + 40))p" "$out/console.log" | sed 's/^/    /'
	fi
	echo "vm: end of console.log:"
	tail -n 40 "$out/console.log" | sed 's/^/    /'
fi
case $rc in
0) pass "${tag}vm:boot" ;;
124) fail "${tag}vm:boot" "VM timed out after ${XNIC_VM_TIMEOUT:-2400} s${first:+; first report: $first}" ;;
255) fail "${tag}vm:boot" "guest panicked${first:+: $first} (see $out/console.log)" ;;
*) fail "${tag}vm:boot" "vng exited $rc${first:+; first report: $first} (see $out/console.log)" ;;
esac
if [ -s "$out/results.txt" ]; then
	sed "s|^\([A-Z]*\)\t|\1\t$tag|" "$out/results.txt" >> "$XNIC_RESULTS"
else
	fail "${tag}vm:results" "no results came back from the guest"
fi
if [ -s "$out/case-seconds.txt" ]; then
	echo "vm: seconds per case on $kernel:"
	sort -k2 -n -r "$out/case-seconds.txt" | sed 's/^/    /'
fi
[ "$(grep -c '^FAIL' "$XNIC_RESULTS")" -eq "${fails_before:-0}" ]
