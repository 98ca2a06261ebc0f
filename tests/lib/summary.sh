#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the failures and the final "N passed, N failed[, N skipped]" line;
# exit non-zero if anything failed or nothing ran at all.
f=${1:-build/results.txt}
[ -f "$f" ] || { echo "0 passed, 1 failed (no results recorded)"; exit 1; }
p=$(grep -c '^PASS' "$f")
x=$(grep -c '^FAIL' "$f")
s=$(grep -c '^SKIP' "$f")
if [ "$x" -gt 0 ]; then
	echo "Failures:"
	grep '^FAIL' "$f" | cut -f2- | sed 's/^/  /'
fi
if [ "$s" -gt 0 ]; then
	echo "Skipped:"
	grep '^SKIP' "$f" | cut -f2- | sed 's/^/  /'
	echo "$p passed, $x failed, $s skipped"
else
	echo "$p passed, $x failed"
fi
[ "$x" -eq 0 ] && [ "$p" -gt 0 ]
