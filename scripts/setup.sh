#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything xnic needs on a fresh Debian 12 machine (run as root).
# Idempotent and cheap when nothing is missing: apt is only touched for
# packages dpkg does not list as installed, pip only when the pinned
# virtme-ng is absent.
set -eu -o pipefail

# Kernel (image, headers, full source for checkpatch and the KUnit kernel),
# VM runner, BPF toolchain, module tooling, test and benchmark tools.
pkgs=(
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 linux-source-6.12
	qemu-system-x86 busybox-static cpio udev
	clang llvm libbpf-dev libxdp-dev bpftool xdp-tools pkg-config gcc make
	dkms kmod sparse dwarves flex bison bc libelf-dev libssl-dev xz-utils
	libmnl-dev libcmocka-dev
	ethtool iproute2 iperf3 tcpdump nftables iptables netcat-openbsd socat
	iputils-ping procps jq rsync gnuplot-nox python3-pip linux-perf
	python3-yaml
	# virtme-ng runs file(1) to check that busybox is static.
	file
	# xnicctl's man page: written from --help, checked with groff.
	help2man groff-base
	# make deb: the xnic-dkms and xnicctl packages (dpkg-buildpackage
	# requires build-essential besides the Build-Depends).
	debhelper dh-dkms build-essential
)
vng_version=1.42

# The second target kernel: Debian 12's newest 6.12 (bookworm-security
# carries the same linux-6.12 as bookworm-backports, and a newer one), image
# and headers by exact name so linux-image-amd64 stays at 6.1.
if ! "$(dirname "$0")/kver.sh" 6.12 >/dev/null 2>&1; then
	k612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1)
	if [ -z "$k612" ]; then
		apt-get update
		k612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1)
	fi
	[ -n "$k612" ] || { echo "setup: no Debian 12 linux-headers-6.12.*-amd64 in apt" >&2; exit 1; }
	pkgs+=("linux-image-$k612" "linux-headers-$k612")
fi

installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null |
	awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${pkgs[@]}"; do
	grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
	echo "setup: installed ${missing[*]}"
fi

# virtme-ng from PyPI for the python3 first on PATH (pyenv's on these
# machines). Debian's own python3 refuses pip installs (PEP 668) unless told.
have=$(python3 -c 'import importlib.metadata as m; print(m.version("virtme-ng"))' 2>/dev/null || true)
if [ "$have" != "$vng_version" ]; then
	pipflags=(--root-user-action=ignore)
	if python3 -c 'import os, sysconfig, sys
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")))'; then
		pipflags+=(--break-system-packages)
	fi
	python3 -m pip install "${pipflags[@]}" "virtme-ng==$vng_version"
	# pyenv only exposes new console scripts after a rehash.
	if command -v pyenv >/dev/null; then
		pyenv rehash
	fi
	echo "setup: installed virtme-ng $vng_version (${have:-none} before)"
fi

# tests/vm/lib.sh falls back to the module when vng is not on PATH.
if ! command -v vng >/dev/null && ! python3 -m virtme_ng.run --version >/dev/null 2>&1; then
	echo "setup: virtme-ng is not runnable" >&2
	exit 1
fi
if [ ${#missing[@]} -eq 0 ] && [ "$have" = "$vng_version" ]; then
	echo "setup: nothing to install"
fi
