#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the Debian 6.1 kernel version to build and test against: the newest
# /lib/modules/6.1.*-amd64 that has a build tree. Never `uname -r`: the host
# kernel is not the target.
for d in $(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V -r); do
	if [ -e "$d/build/Makefile" ]; then
		basename "$d"
		exit 0
	fi
done
echo "no Debian 6.1 kernel headers found (run: make setup)" >&2
exit 1
