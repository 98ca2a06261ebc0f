#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract, from Debian's linux-source-6.12, only what the kernel's driver
# tests (tools/testing/selftests/drivers/net and drivers/net/hw) need to
# run in tree: the test files, their python libraries (drivers/net/lib/py,
# drivers/net/hw/lib/py, net/lib/py), the YNL netlink library with its
# cli.py, and the netlink specs (with the schemas cli.py validates them
# against). Into build/kselftest/linux, on the host, before the VM boots
# (the guest sees the host's / read-only). Idempotent: the stamp file
# build/kselftest/linux/.stamp holds the package version and the member
# list, and nothing is extracted again while both match. xz has to
# decompress the whole 150 MB stream to reach a few members: the time it
# took is printed.
#
# hw/rss_ctx.py reads `ethtool --json -x/-c/-g`, which Debian 12's ethtool
# 6.1 cannot print: Debian 13's ethtool package (it needs glibc 2.34 and
# libmnl0, both in Debian 12) is unpacked under build/kselftest/ethtool,
# on PATH for these tests only, from apt lists kept in a private directory
# (the system's sources and its ethtool are left alone).
set -eu -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
out=$root/build/kselftest
src=$out/linux
top=linux-source-6.12
# What the tests import or run, as tar patterns ('*' stops at '/').
members=(
	"$top/tools/testing/selftests/drivers/net/*.py"
	"$top/tools/testing/selftests/drivers/net/README.rst"
	"$top/tools/testing/selftests/drivers/net/lib/py/*.py"
	"$top/tools/testing/selftests/drivers/net/hw/*.py"
	"$top/tools/testing/selftests/drivers/net/hw/lib/py/*.py"
	"$top/tools/testing/selftests/net/lib/py/*.py"
	"$top/tools/net/ynl/cli.py"
	"$top/tools/net/ynl/lib/*.py"
	"$top/Documentation/netlink/*.yaml"
	"$top/Documentation/netlink/specs/*.yaml"
)

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

stamp=$(printf '%s\n' "$version" "${members[@]}")
if [ -d "$src/tools/testing/selftests/drivers/net" ] &&
   [ "$(cat "$src/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "kselftest: $src already holds linux-source-6.12 $version"
	exit 0
fi
# An earlier layout (the whole drivers/net tree) is not needed any more.
rm -rf "$out/linux-source-6.12" "$out/version" "$src"
mkdir -p "$src"
start=$(date +%s.%N)
tar -C "$src" --strip-components=1 -xJf "$tarball" \
	--wildcards --no-wildcards-match-slash "${members[@]}"
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "$stamp" >"$src/.stamp"
printf 'kselftest: extracted %s files of linux-source-6.12 %s into %s in %.1f s\n' \
	"$(find "$src" -type f ! -name .stamp | wc -l)" "$version" "$src" "$secs"
