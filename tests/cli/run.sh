#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build xnicctl and its unit tests, run every cmocka program with TAP
# output and record one result per test case (cli/SUITE/TEST) through
# tests/lib/report.sh; then, as root, the veth plumbing checks in
# tests/cli/veth.sh. Run from the repository root. Exits non-zero if
# anything failed.
set -u
. tests/lib/report.sh

mkdir -p "$(dirname "$XNIC_RESULTS")"
log=$(dirname "$XNIC_RESULTS")/cli-build.log
status=0

if ! make -s -C userspace tests >"$log" 2>&1; then
	fail cli/build "make -C userspace tests failed, see $log"
	exit 1
fi
pass cli/build

# TAP from cmocka -> "PASS<TAB>test" or "FAIL<TAB>test<TAB>diagnostics".
tap_results() {
	awk '
	function flush() {
		if (name != "")
			printf "%s\t%s\t%s\n", verdict, name, why
		name = ""; why = ""
	}
	/^ok [0-9]+ - / { flush(); verdict = "PASS"; name = $4; next }
	/^not ok [0-9]+ - / { flush(); verdict = "FAIL"; name = $5; next }
	/^# (not )?ok - / { next }
	/^# / && name != "" {
		sub(/^# /, ""); gsub(/\t/, " ")
		why = why == "" ? $0 : why "; " $0
	}
	END { flush() }'
}

# Every tests/cli/test_*.c, as userspace/Makefile builds them.
for src in tests/cli/test_*.c; do
	t=${src#tests/cli/test_}
	t=${t%.c}
	tap=$(CMOCKA_MESSAGE_OUTPUT=TAP XNICCTL="$PWD/userspace/xnicctl" \
		tests/cli/test_$t 2>/dev/null)
	rc=$?
	plan=$(printf '%s\n' "$tap" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	results=$(printf '%s\n' "$tap" | tap_results)
	seen=0
	failed=0
	tab=$(printf '\t')
	while IFS="$tab" read -r verdict name why; do
		[ -n "$name" ] || continue
		seen=$((seen + 1))
		if [ "$verdict" = PASS ]; then
			pass "cli/$t/$name"
		else
			fail "cli/$t/$name" "$why"
			failed=1
		fi
	done <<EOT
$results
EOT
	# A crash mid-run leaves fewer results than planned.
	if [ -z "$plan" ] || [ "$seen" -ne "$plan" ] ||
	   { [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
		fail "cli/$t" "test_$t exited $rc after $seen of ${plan:-?} tests"
		failed=1
	fi
	[ "$failed" -eq 0 ] || status=1
done

# docs/xnicctl.md is `xnicctl --help` rendered; a stale copy fails.
fresh=$(mktemp)
if scripts/gen-docs.sh "$fresh" && cmp -s "$fresh" docs/xnicctl.md; then
	pass cli/docs-current
else
	fail cli/docs-current "docs/xnicctl.md differs from xnicctl --help: run make docs"
	status=1
fi
rm -f "$fresh"

# One version string: xnicctl says dkms.conf's PACKAGE_VERSION.
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
if [ -n "$ver" ] && userspace/xnicctl --version | grep -q "^xnicctl $ver "; then
	pass cli/version-from-dkms-conf
else
	fail cli/version-from-dkms-conf "xnicctl --version is not dkms.conf's '$ver'"
	status=1
fi

# The man page: help2man writes it from --help, groff finds no fault.
if make -s -C userspace man >>"$log" 2>&1 &&
   warn=$(groff -man -Tutf8 -ww -z userspace/xnicctl.8 2>&1) && [ -z "$warn" ] &&
   grep -q '^xnicctl service nodeport attach' userspace/xnicctl.8; then
	pass cli/man-page
else
	fail cli/man-page "make -C userspace man or groff failed: ${warn:-see $log}"
	status=1
fi

# The restore unit, as systemd reads it (with this tree's xnicctl).
if command -v systemd-analyze >/dev/null; then
	unit=$(mktemp -d)/xnicctl-restore.service
	sed "s|/usr/sbin/xnicctl|$PWD/userspace/xnicctl|" \
		userspace/systemd/xnicctl-restore.service >"$unit"
	if out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
		pass cli/systemd-unit
	else
		fail cli/systemd-unit "systemd-analyze verify: $out"
		status=1
	fi
	rm -rf "$(dirname "$unit")"
else
	skip cli/systemd-unit "no systemd-analyze on this machine"
fi

tests/cli/completion.sh || status=1

if [ "$(id -u)" -eq 0 ]; then
	tests/cli/veth.sh || status=1
else
	skip cli/veth "needs root"
fi
exit $status
