#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the Debian kernel version to build and test against:
#   scripts/kver.sh [6.1|6.12]     (default 6.1)
# the newest /lib/modules/<series>.*-amd64 that has a build tree. Never
# `uname -r`: the host kernel is not the target.
series=${1:-6.1}
case $series in
6.1 | 6.12) ;;
*) echo "kver.sh: unknown series $series (6.1 or 6.12)" >&2; exit 2 ;;
esac
for d in $(ls -d /lib/modules/"$series".*-amd64 2>/dev/null | sort -V -r); do
	if [ -e "$d/build/Makefile" ]; then
		basename "$d"
		exit 0
	fi
done
echo "no Debian $series kernel headers found (run: make setup)" >&2
exit 1
