#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS on a node: with xnic registered (scripts/dkms.sh install), installing
# a target kernel's headers package must succeed and build xnic for that
# kernel through DKMS's own headers hook, leaving apt healthy. For each
# target kernel this removes xnic's build for it, reinstalls its
# linux-headers package with apt, and checks:
#   dkms:<series>:headers-install   apt-get install --reinstall exits 0
#   dkms:<series>:autoinstalled     dkms status says installed for it
#   dkms:<series>:modinfo           modinfo -k resolves to DKMS's xnic.ko
#   dkms:<series>:dpkg-clean        no package half-configured (dpkg --audit)
set -eu -o pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export XNIC_RESULTS=${XNIC_RESULTS:-$root/build/results.txt}
mkdir -p "$(dirname "$XNIC_RESULTS")" build
. tests/lib/report.sh

name=xnic
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' dkms.conf)
log=$root/build/dkms-hook.log
: >"$log"
failed=0
tfail() { failed=1; fail "$@"; }

if [ -z "$(dkms status "$name/$ver" 2>/dev/null)" ]; then
	tfail dkms:registered "$name/$ver is not registered: run scripts/dkms.sh install first"
	exit 1
fi

for series in 6.1 6.12; do
	if ! k=$(scripts/kver.sh "$series"); then
		tfail "dkms:$series:headers" "no Debian $series headers (run: make setup)"
		continue
	fi
	pkg=linux-headers-$k
	# What the headers hook has to rebuild: nothing of xnic left for $k.
	dkms remove "$name/$ver" -k "$k" >>"$log" 2>&1 || true
	if [ -n "$(find "/lib/modules/$k/updates/dkms" -name "$name.ko*" 2>/dev/null)" ]; then
		tfail "dkms:$series:removed" "$name.ko still installed for $k after dkms remove"
		continue
	fi
	echo "dkms: reinstalling $pkg (log: $log)"
	if DEBIAN_FRONTEND=noninteractive apt-get install --reinstall -y \
		--no-install-recommends "$pkg" >>"$log" 2>&1; then
		pass "dkms:$series:headers-install"
	else
		tail -n 30 "$log" | sed 's/^/    /'
		tfail "dkms:$series:headers-install" "apt-get install --reinstall $pkg failed (see $log)"
	fi
	st=$(dkms status "$name/$ver" -k "$k" 2>/dev/null)
	if echo "$st" | grep -q ': installed'; then
		pass "dkms:$series:autoinstalled"
	else
		tfail "dkms:$series:autoinstalled" "dkms status for $k: ${st:-nothing}"
	fi
	ko=$(modinfo -k "$k" -F filename "$name" 2>/dev/null || true)
	case $ko in
	/lib/modules/"$k"/updates/dkms/"$name".ko*) pass "dkms:$series:modinfo" ;;
	*) tfail "dkms:$series:modinfo" "modinfo -k $k $name gives '${ko:-nothing}'" ;;
	esac
	audit=$(dpkg --audit 2>&1 || true)
	if [ -z "$audit" ]; then
		pass "dkms:$series:dpkg-clean"
	else
		tfail "dkms:$series:dpkg-clean" "dpkg --audit: $(echo "$audit" | head -n 3 | tr '\n' ' ')"
	fi
done
exit "$failed"
