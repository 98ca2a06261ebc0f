#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exit 0 when scripts/setup.sh has work to do: a cheap probe of the tools,
# headers and kernel trees the project needs, shared by `make check` and
# `make demo` so neither pays for apt when everything is there.
root=$(cd "$(dirname "$0")/.." && pwd)
for t in clang bpftool dkms qemu-system-x86_64 sparse ethtool iperf3 jq \
	tcpdump xdp-loader ping rsync pkg-config file help2man groff dh_dkms dpkg-buildpackage; do
	command -v "$t" >/dev/null || exit 0
done
[ -f /usr/src/linux-source-6.1.tar.xz ] || exit 0
# dpkg-buildpackage (make deb) checks for build-essential itself.
dpkg-query -W -f='${db:Status-Abbrev}' build-essential 2>/dev/null | grep -q '^ii' || exit 0
# The kernel's driver tests: their source, and YNL's YAML specs.
[ -f /usr/src/linux-source-6.12.tar.xz ] || exit 0
python3 -c 'import yaml' 2>/dev/null || exit 0
# Libraries: tests/progs links libxdp, xnicctl libmnl, its tests cmocka.
for h in xdp/xsk.h libmnl/libmnl.h cmocka.h bpf/libbpf.h; do
	[ -f "/usr/include/$h" ] || exit 0
done
"$root/scripts/kver.sh" >/dev/null 2>&1 || exit 0
"$root/scripts/kver.sh" 6.12 >/dev/null 2>&1 || exit 0
command -v vng >/dev/null && exit 1
python3 -m virtme_ng.run --version >/dev/null 2>&1 && exit 1
exit 0
