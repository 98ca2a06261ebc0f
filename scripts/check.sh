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

t_start=$SECONDS
mkdir -p build
rm -f "$XNIC_RESULTS"
if scripts/setup-needed.sh; then
	stage setup scripts/setup.sh
fi

stage build build_all
stage lint scripts/lint.sh
stage cli bash tests/cli/run.sh
stage dkms dkms_install
stage kunit bash tests/kunit/run.sh
# BPF program tests (BPF_PROG_TEST_RUN) run inside the VM, under the
# target kernel's verifier: tests/vm/cases/70-prefilter.sh and 75-policy.sh.
stage vm tests/vm/run.sh

echo "=== [$(date '+%F %T')] done in $((SECONDS - t_start)) s"
exec tests/lib/summary.sh "$XNIC_RESULTS"
