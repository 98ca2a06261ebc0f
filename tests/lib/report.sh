# SPDX-License-Identifier: GPL-2.0
# Result recording shared by every test stage. Source it, then call
#   pass NAME            a check that asserted and held
#   fail NAME [WHY]      a check that asserted and did not hold
#   skip NAME WHY        a check that could not run (never counted as a pass)
# Each call appends one line "PASS|FAIL|SKIP<TAB>NAME<TAB>WHY" to
# $XNIC_RESULTS; tests/lib/summary.sh counts them at the end of `make check`.

: "${XNIC_RESULTS:=${XNIC_BUILD:-build}/results.txt}"

_xnic_record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$XNIC_RESULTS"
}

pass() { _xnic_record PASS "$1"; echo "  PASS  $1"; }
fail() { _xnic_record FAIL "$1" "${2:-}"; echo "  FAIL  $1${2:+: $2}"; }
skip() { _xnic_record SKIP "$1" "${2:-}"; echo "  SKIP  $1${2:+: $2}"; }

# check NAME CMD...: run CMD, pass if it exits 0, fail otherwise.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
