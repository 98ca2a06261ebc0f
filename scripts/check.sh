#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test stage in order, each recording PASS/FAIL/SKIP lines
# in build/results.txt. A stage that breaks records a failure and the next
# one still runs. The last line printed is tests/lib/summary.sh's verdict,
# and its exit status is this script's.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export XNIC_RESULTS=$root/build/results.txt
. tests/lib/report.sh

nfail() {
	local n
	n=$(grep -c '^FAIL' "$XNIC_RESULTS" 2>/dev/null) || true
	echo "${n:-0}"
}

# stage NAME CMD...: banner, run, elapsed time. A non-zero exit that did
# not record a failure of its own becomes "stage:NAME".
stage() {
	local name=$1 t0=$SECONDS before rc=0
	shift
	echo "=== [$(date '+%F %T')] $name"
	before=$(nfail)
	"$@" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(nfail)" = "$before" ]; then
		fail "stage:$name" "exited $rc"
	fi
	echo "=== $name: $((SECONDS - t0)) s"
	echo "$name $((SECONDS - t0))" >>build/stage-seconds.txt
}

build_all() {
	check build:all make all
}

dkms_install() {
	mkdir -p build
	if scripts/dkms.sh install >build/dkms.log 2>&1; then
		tail -n 1 build/dkms.log
		pass dkms:install
	else
		tail -n 40 build/dkms.log
		fail dkms:install "see build/dkms.log"
	fi
}

vm_612_cases="00-smoke 10-link 20-traffic 25-tso 30-ethtool 35-netdev-nl 40-faults 45-memcg 60-xdp 62-xdp-rx-meta 64-hwtstamp 70-prefilter 75-policy 85-xnicctl-tc 96-kselftest-drv"

t_start=$SECONDS
mkdir -p build
rm -f "$XNIC_RESULTS" build/stage-seconds.txt
if scripts/setup-needed.sh; then
	stage setup scripts/setup.sh
fi

stage build build_all
stage lint scripts/lint.sh
stage cli bash tests/cli/run.sh
stage deb bash tests/deb/run.sh
stage dkms dkms_install
# With xnic registered, a headers install builds it through DKMS's hook.
stage dkms-hook bash tests/dkms/run.sh
stage kunit bash tests/kunit/run.sh
# BPF program tests (BPF_PROG_TEST_RUN) run inside the VM, under the
# target kernel's verifier: tests/vm/cases/70-prefilter.sh and 75-policy.sh.
stage vm tests/vm/run.sh
# Debian 12's 6.12: the cases that exercise what differs between kernels
# (build compat, ethtool and XDP core APIs, the BPF programs' verifier).
# The kernel's own driver tests (96-kselftest-drv), from linux-source-6.12.
stage kselftest-fetch bash tests/kselftest/fetch.sh
stage vm-6.12 env XNIC_VM_SERIES=6.12 XNIC_VM_CASES="$vm_612_cases" tests/vm/run.sh

echo "=== [$(date '+%F %T')] done in $((SECONDS - t_start)) s; seconds per stage:"
sed 's/^/    /' build/stage-seconds.txt
exec tests/lib/summary.sh "$XNIC_RESULTS"
