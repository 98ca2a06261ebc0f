#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install or remove xnic.ko through DKMS for the target kernels (Debian 12's
# 6.1 and 6.12) and the running one.
#   scripts/dkms.sh install     (re)register, build and install this tree
#   scripts/dkms.sh uninstall   remove every registered xnic version
# Both are idempotent. Run as root.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=xnic
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/dkms.conf")
[ -n "$ver" ] || { echo "dkms.sh: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

# Every version dkms knows about (status lines: "xnic/0.1.0, <kver>, ...: installed").
registered() {
	dkms status "$name" 2>/dev/null | sed -n "s|^$name/\([^,:]*\)[,:].*|\1|p" | sort -u
}

remove_all() {
	local v
	for v in $(registered); do
		echo "dkms.sh: removing $name/$v"
		dkms remove "$name/$v" --all
	done
	rm -rf /usr/src/"$name"-*
}

# The kernels to build for: both targets (6.1, and 6.12 where its headers
# are installed) and the running kernel when it has headers, so
# `make install` on a node also serves the kernel it runs. Kernels installed
# later are built by DKMS's own headers hook (AUTOINSTALL in dkms.conf).
kernels() {
	{
		"$root/scripts/kver.sh" 6.1
		"$root/scripts/kver.sh" 6.12 2>/dev/null || true
		if [ -e "/lib/modules/$(uname -r)/build/Makefile" ]; then
			uname -r
		fi
	} | sort -u
}

install_one() {
	local kver=$1 ko

	if ! dkms build "$name/$ver" -k "$kver"; then
		tail -n 50 "/var/lib/dkms/$name/$ver/build/make.log" >&2 || true
		exit 1
	fi
	dkms install "$name/$ver" -k "$kver"

	ko=$(find "/lib/modules/$kver/updates/dkms" -name "$name.ko*" 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "dkms.sh: $name.ko missing under /lib/modules/$kver/updates/dkms" >&2; exit 1; }
	if [ "$(modinfo -k "$kver" -F filename "$name")" != "$ko" ]; then
		echo "dkms.sh: modinfo -k $kver $name does not resolve to $ko" >&2
		exit 1
	fi
	echo "dkms.sh: installed $ko (kernel $kver)"
}

install() {
	local src k list

	list=$(kernels)
	src=/usr/src/$name-$ver

	# A stale registration (same or older version) would make add/install
	# refuse or leave two xnic.ko for one kernel.
	remove_all
	mkdir -p "$src"
	# Only what the DKMS build needs; .gitignore keeps build products out.
	rsync -a --exclude-from="$root/.gitignore" "$root/Kbuild" "$root/dkms.conf" \
		"$root/kmod" "$src/"

	dkms add "$name/$ver"
	for k in $list; do
		install_one "$k"
	done
}

uninstall() {
	local k left=0

	remove_all
	# Headers may already be gone on uninstall; then there is nothing to check.
	for k in $(kernels 2>/dev/null); do
		if find "/lib/modules/$k/updates/dkms" -name "$name.ko*" 2>/dev/null | grep -q .; then
			echo "dkms.sh: $name.ko still present for $k" >&2
			left=1
		fi
	done
	[ "$left" -eq 0 ] || exit 1
	echo "dkms.sh: $name uninstalled"
}

# DKMS state is machine-wide: two installs at once (a demo and a test run)
# would remove each other's build half-way.
exec 9>/var/lock/xnic-dkms.lock
flock 9

case "${1:-}" in
install) install ;;
uninstall) uninstall ;;
*) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
