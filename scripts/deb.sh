#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make deb`: build the Debian packages xnic-dkms and xnicctl from this
# tree into OUTDIR (default build/deb). The build runs in a copy, so the
# tree is left as it was; debian/changelog is written there from
# dkms.conf's PACKAGE_VERSION, the one version string.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/deb}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
[ -n "$ver" ] || { echo "deb.sh: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/xnic-$ver
mkdir -p "$src"
rsync -a --exclude-from="$root/.gitignore" --exclude=/.git --exclude=/build \
	"$root/" "$src/"
cat >"$src/debian/changelog" <<EOT
xnic ($ver) unstable; urgency=medium

  * Built from the xnic tree by scripts/deb.sh.

 -- xnic developers <xnic@localhost>  $(date -R)
EOT
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
rm -f "$out"/*.deb
mv "$work"/*.deb "$out/"
ls "$out"
