#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lint the module: a W=1 build, a sparse build (C=2) and checkpatch --strict
# on every kmod/ source. Builds happen in scratch copies under build/lint/ so
# the tree's own objects are neither used nor touched. Records lint:w1,
# lint:sparse for each target kernel (6.1, 6.12) and
# lint:checkpatch:<file>; exits non-zero if any failed.
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export XNIC_RESULTS=${XNIC_RESULTS:-$root/build/results.txt}
mkdir -p "$(dirname "$XNIC_RESULTS")"
. tests/lib/report.sh

# Both target kernels, unless KVER/KDIR name one.
if [ -n "${KVER:-}${KDIR:-}" ]; then
	KVER=${KVER:-$(basename "$(dirname "$KDIR")")}
	kernels=("$KVER=${KDIR:-/lib/modules/$KVER/build}")
else
	kernels=()
	for series in 6.1 6.12; do
		if k=$(scripts/kver.sh "$series"); then
			kernels+=("$k=/lib/modules/$k/build")
		else
			fail "lint:headers-$series" "no Debian $series headers (run: make setup)"
		fi
	done
fi
out=$root/build/lint
failed=0

# Sources only: .gitignore keeps build products (and *.mod.c) out.
copy_sources() {
	rm -rf "$1"
	mkdir -p "$1"
	rsync -a --exclude-from=.gitignore Kbuild dkms.conf kmod "$1/"
}

# lint_build NAME KDIR MAKE-ARGS...: build a fresh copy; any warning fails
# NAME. -i also catches modpost's "WARNING:".
lint_build() {
	local name=$1 KDIR=$2 dir=$out/${1//:/-} log=$out/${1//:/-}.log n
	shift 2
	copy_sources "$dir"
	if ! make -C "$KDIR" M="$dir" "$@" modules >"$log" 2>&1; then
		tail -n 30 "$log" | sed 's/^/    /'
		fail "lint:$name" "build failed, see $log"
		failed=1
	elif n=$(grep -ci 'warning:' "$log"); then
		grep -i 'warning:' "$log" | head -n 30 | sed 's/^/    /'
		fail "lint:$name" "$n warning(s), see $log"
		failed=1
	else
		pass "lint:$name"
	fi
}

for kk in "${kernels[@]}"; do
	k=${kk%%=*}
	series=$(echo "$k" | cut -d. -f1,2)
	lint_build "w1:$series" "${kk#*=}" W=1
	# C=2 runs sparse on every file whether or not it is rebuilt.
	lint_build "sparse:$series" "${kk#*=}" C=2
done

# checkpatch.pl ships only in the full source. The tree under /var/cache/xnic
# is shared with tests/kunit/build-kernel.sh: same lock, same version stamp,
# same atomic extraction, so neither sees the other's half-made tree.
cache=/var/cache/xnic
src=$cache/linux-source-6.1
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
src_ok() {
	[ -f "$src/Makefile" ] &&
		[ "$(cat "$cache/linux-source-6.1.version" 2>/dev/null)" = "$version" ]
}
mkdir -p "$cache"
exec 8>"$cache/linux-source-6.1.lock"
# Shared while reading: a KUnit build holds it shared for many minutes.
flock -s 8
if ! src_ok; then
	flock -u 8
	flock -x 8
	if ! src_ok; then
		echo "lint: extracting /usr/src/linux-source-6.1.tar.xz into $src"
		tmp=$(mktemp -d "$cache/.linux-source.XXXXXX")
		tar -C "$tmp" -xf /usr/src/linux-source-6.1.tar.xz
		[ ! -e "$src" ] || mv "$src" "$tmp/old"
		mv "$tmp/linux-source-6.1" "$src"
		echo "$version" >"$cache/linux-source-6.1.version"
		rm -rf "$tmp"
	fi
	flock -s 8
fi

copy_sources "$out/src"
cd "$out/src"
for f in $(find kmod -name '*.[ch]' | sort); do
	ignore=()
	# TRACE_EVENT's layout (TP_STRUCT__entry( ... ) on their own lines), as
	# in every include/trace/events/ header, trips these two CHECKs.
	case $f in
	*trace*.h) ignore=(--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT) ;;
	esac
	if res=$(perl "$src/scripts/checkpatch.pl" --no-tree --strict --file \
		--terse --show-types "${ignore[@]}" "$f" 2>&1); then
		pass "lint:checkpatch:$f"
	else
		echo "$res" | sed 's/^/    /'
		fail "lint:checkpatch:$f" "$(echo "$res" | tail -n 1)"
		failed=1
	fi
done
exec 8>&-

exit "$failed"
