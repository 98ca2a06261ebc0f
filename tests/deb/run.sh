#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages (scripts/deb.sh) as a node would get them, without
# installing them here (the dkms stage owns this machine's xnic/VERSION):
#   deb:build                 both packages build from a copy of the tree
#   deb:<pkg>:version         dkms.conf's PACKAGE_VERSION
#   deb:xnicctl:files         binary, man page, completion, restore unit
#   deb:xnicctl:depends       libbpf1 and libmnl0, from dh_shlibdeps
#   deb:xnicctl:runs          the packaged binary's --version
#   deb:xnic-dkms:files       the module's source and dkms.conf, no build
#                             products; modules-load.d loads xnic at boot
#   deb:xnic-dkms:postinst    dh_dkms's dkms add/build/install
#   deb:xnic-dkms:builds-<k>  the packaged source builds for 6.1 and 6.12
set -u -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export XNIC_RESULTS=${XNIC_RESULTS:-$root/build/results.txt}
mkdir -p "$(dirname "$XNIC_RESULTS")" build
. tests/lib/report.sh

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
want() { # NAME CMD...: pass if CMD succeeds
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		pass "$name"
	else
		fail "$name" "failed: $*"
		status=1
	fi
}

if ! scripts/deb.sh "$work/out" >build/deb.log 2>&1; then
	tail -n 20 build/deb.log
	fail deb:build "scripts/deb.sh failed, see build/deb.log"
	exit 1
fi
pass deb:build
ctl=$work/out/xnicctl_${ver}_amd64.deb
mod=$work/out/xnic-dkms_${ver}_all.deb

for p in "$ctl" "$mod"; do
	want "deb:$(dpkg-deb -f "$p" Package 2>/dev/null || echo missing):version" \
		test "$(dpkg-deb -f "$p" Version 2>/dev/null)" = "$ver"
done

files=$(dpkg-deb -c "$ctl" | awk '{ print $6 }')
want deb:xnicctl:files sh -c 'for f in ./usr/sbin/xnicctl ./usr/share/man/man8/xnicctl.8.gz \
	./usr/share/bash-completion/completions/xnicctl \
	./usr/lib/systemd/system/xnicctl-restore.service; do
	printf "%s\n" "$1" | grep -qx "$f" || exit 1; done' _ "$files"
deps=$(dpkg-deb -f "$ctl" Depends)
want deb:xnicctl:depends sh -c 'echo "$1" | grep -q "libbpf1" && echo "$1" | grep -q "libmnl0"' _ "$deps"
dpkg-deb -x "$ctl" "$work/ctl"
want deb:xnicctl:runs sh -c '"$1/usr/sbin/xnicctl" --version | grep -q "^xnicctl $2 "' _ "$work/ctl" "$ver"

files=$(dpkg-deb -c "$mod" | awk '{ print $6 }')
want deb:xnic-dkms:files sh -c 'for f in dkms.conf Kbuild kmod/Kbuild kmod/xnic_main.c kmod/include/uapi/xnic.h; do
	printf "%s\n" "$1" | grep -qx "./usr/src/xnic-$2/$f" || exit 1; done
	printf "%s\n" "$1" | grep -qx ./usr/lib/modules-load.d/xnic.conf &&
	! printf "%s\n" "$1" | grep -qE "\.(o|ko|cmd|mod)$"' _ "$files" "$ver"
dpkg-deb -e "$mod" "$work/ctrl"
want deb:xnic-dkms:postinst grep -q dkms "$work/ctrl/postinst"
dpkg-deb -x "$mod" "$work/mod"
for series in 6.1 6.12; do
	k=$(scripts/kver.sh "$series") || { fail "deb:xnic-dkms:builds-$series" "no $series headers"; status=1; continue; }
	rm -rf "$work/b"
	cp -r "$work/mod/usr/src/xnic-$ver" "$work/b"
	want "deb:xnic-dkms:builds-$series" sh -c 'make -C "/lib/modules/$1/build" M="$2" modules >"$2.log" 2>&1 &&
		[ "$(modinfo -F version "$2/kmod/xnic.ko")" = "$3" ]' _ "$k" "$work/b" "$ver"
done
exit $status
