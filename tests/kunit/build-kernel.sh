#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once, cached) a KUnit-enabled Debian 6.1 kernel for xnic's tests.
#
#   KTREE=$(tests/kunit/build-kernel.sh | tail -1)
#
# The tree lands in $XNIC_CACHE/kunit-kernel/<hash>/ (default cache
# /var/cache/xnic), keyed by the linux-source-6.1 package version, the config
# fragment and this script, so only the first run on a machine pays the
# ~7 min build (2 cores). The directory is the build tree (O=): out-of-tree modules
# build with `make -C $KTREE M=...`, vng boots $KTREE/arch/x86/boot/bzImage.
# Progress goes to stderr; the last stdout line is the tree's path.
#
# Environment: XNIC_CACHE (cache root), JOBS (make -j, default nproc).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/kunit.config
cache=${XNIC_CACHE:-/var/cache/xnic}
tarball=/usr/src/linux-source-6.1.tar.xz
src=$cache/linux-source-6.1
jobs=${JOBS:-$(nproc)}

say() { echo "build-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed (apt-get install linux-source-6.1)"
[ -n "$version" ] || die "linux-source-6.1 is not installed"

# The key covers what decides the kernel's content: the source version, the
# fragment and the recipe below. Bump recipe when the configure or build
# steps change; edits elsewhere in this script (messages, the heartbeat)
# keep the cache.
recipe=1
hash=$(printf '%s\n%s\n' "$version" "$recipe" | cat - "$frag" |
	sha256sum | cut -c1-16)
out=$cache/kunit-kernel/$hash
stamp=$out/.xnic-build-done

# Fast path: already built, nothing to lock.
if [ -f "$stamp" ]; then
	say "cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$cache/kunit-kernel"

# Pristine source: extract it if missing or from another package version.
# Held shared while building, so a re-extraction (exclusive) never replaces
# the tree under a running build.
srcstamp=$cache/linux-source-6.1.version # beside the tree, never in it
src_current() {
	[ -f "$src/Makefile" ] || return 1
	if [ ! -f "$srcstamp" ]; then
		# Extracted by hand before this script: adopt it if it is the
		# same upstream version.
		[ "$(make -s -C "$src" kernelversion 2>/dev/null)" = "${version%%-*}" ] ||
			return 1
		echo "$version" >"$srcstamp"
	fi
	[ "$(cat "$srcstamp")" = "$version" ]
}
exec 8>"$cache/linux-source-6.1.lock"
flock -s 8
if ! src_current; then
	flock -x 8 # converting: drops the shared lock, then waits
	if ! src_current; then
		[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"
		say "extracting $tarball into $src"
		tmp=$(mktemp -d "$cache/.linux-source.XXXXXX")
		tar -C "$tmp" -xf "$tarball"
		[ -f "$tmp/linux-source-6.1/Makefile" ] || die "unexpected tarball layout"
		if [ -e "$src" ]; then
			mv "$src" "$tmp/old"
		fi
		mv "$tmp/linux-source-6.1" "$src"
		echo "$version" >"$srcstamp"
		rm -rf "$tmp"
	fi
	flock -s 8
fi
# O= builds refuse a configured source tree; say so instead of cleaning it.
if [ -e "$src/.config" ] || [ -d "$src/include/config" ]; then
	die "$src has been configured in place; it must stay pristine (rm -rf it to re-extract)"
fi

# One builder per hash; a second caller waits, then finds the stamp.
mkdir -p "$out"
exec 9>"$out.lock"
if ! flock -n 9; then
	say "another build of $out is running; waiting"
	flock 9
fi
if [ -f "$stamp" ]; then
	echo "$out"
	exit 0
fi

command -v vng >/dev/null || die "vng not found (pip install virtme-ng)"
if grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$frag"; then
	command -v pahole >/dev/null || die "DEBUG_INFO_BTF needs pahole (apt-get install dwarves)"
fi

logf=$out/build.log
: >"$logf"
say "building in $out (log: $logf)"

# Config: virtme-ng's minimal config (virtio, 9p, serial console), then
# the fragment on top. vng --kconfig honours O=. merge_config.sh writes a
# temp file into its working directory, so run it from $out, not $src.
if ! {
	(cd "$src" && vng --kconfig O="$out") &&
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "$frag") &&
	make -C "$src" O="$out" olddefconfig
} >>"$logf" 2>&1; then
	tail -n 40 "$logf" >&2
	die "configuration failed"
fi

# Every fragment line must hold in the final .config: Kconfig silently
# drops values whose dependencies are missing.
missing=""
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*}
		grep -qxF -- "$line" "$out/.config" && continue
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$out/.config" || continue
		;;
	*) continue ;;
	esac
	got=$(grep -E "^$sym=|^# $sym is not set" "$out/.config" || echo "absent")
	missing="$missing
  wanted: $line   got: $got"
done <"$frag"
if [ -n "$missing" ]; then
	die "options in $(basename "$frag") did not survive olddefconfig:$missing"
fi

# bzImage for vng, modules so Module.symvers and the modules_prepare
# state exist for out-of-tree builds.
start=$(date +%s)
# A heartbeat on stderr once a minute, so a minutes-long build is visibly alive
# in CI logs: elapsed time and objects built so far.
(
	while sleep 60; do
		n=$(find "$out" -name '*.o' 2>/dev/null | wc -l)
		say "still building: $((($(date +%s) - start) / 60)) min, $n objects"
	done
) &
heartbeat=$!
trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
if ! make -C "$src" O="$out" -j"$jobs" bzImage modules >>"$logf" 2>&1; then
	tail -n 60 "$logf" >&2
	die "kernel build failed (full log: $logf)"
fi
kill "$heartbeat" 2>/dev/null || true
secs=$(($(date +%s) - start))
say "built in $((secs / 60))m$((secs % 60))s"
echo "$secs" >"$out/build-seconds"
touch "$stamp"
echo "$out"
