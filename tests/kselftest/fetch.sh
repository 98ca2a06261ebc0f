#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract, from Debian's linux-source-6.12, what the kernel's driver tests
# (tools/testing/selftests/drivers/net and drivers/net/hw) need to run in
# tree: the tests, their python libraries (drivers/net/lib/py,
# net/lib/py), the YNL netlink library and its specs. Into
# build/kselftest/linux-source-6.12, once per source version; on the host,
# before the VM boots (the guest sees the host's / read-only).
#
# hw/rss_ctx.py reads `ethtool --json -x/-c/-g`, which Debian 12's ethtool
# 6.1 cannot print: Debian 13's ethtool package (it needs glibc 2.34 and
# libmnl0, both in Debian 12) is unpacked under build/kselftest/ethtool,
# on PATH for these tests only. The system's ethtool is left alone.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
out=$root/build/kselftest
src=$out/linux-source-6.12

[ -f "$tarball" ] || { echo "kselftest: no $tarball (run: make setup)" >&2; exit 1; }
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %Y "$tarball")

fetch_ethtool() {
	local apt=$out/apt opts start=$SECONDS
	[ -x "$out/ethtool/usr/sbin/ethtool" ] && return 0
	mkdir -p "$apt/lists/partial"
	echo "deb http://deb.debian.org/debian trixie main" >"$apt/sources.list"
	opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=-"
	      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	      -o "APT::Sandbox::User=root")
	apt-get "${opts[@]}" -qq update
	(cd "$apt" && apt-get "${opts[@]}" -qq download ethtool)
	rm -rf "$out/ethtool"
	dpkg -x "$apt"/ethtool_*.deb "$out/ethtool"
	rm -rf "$apt"
	echo "kselftest: $("$out/ethtool/usr/sbin/ethtool" --version) from Debian 13 in $((SECONDS - start)) s"
}
mkdir -p "$out"
fetch_ethtool

if [ "$(cat "$out/version" 2>/dev/null)" = "$version" ] && [ -d "$src" ]; then
	exit 0
fi
start=$SECONDS
rm -rf "$src"
tar -C "$out" -xJf "$tarball" --wildcards \
	'linux-source-6.12/tools/testing/selftests/drivers/net/*' \
	'linux-source-6.12/tools/testing/selftests/net/lib/*' \
	'linux-source-6.12/tools/net/ynl/*' \
	'linux-source-6.12/Documentation/netlink/*'
echo "$version" >"$out/version"
echo "kselftest: extracted $version in $((SECONDS - start)) s"
