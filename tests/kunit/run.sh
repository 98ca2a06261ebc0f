#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run xnic's KUnit suites on the KUnit/debug kernel from build-kernel.sh:
# build the modules against it, boot it in virtme-ng (TCG), insmod them,
# collect /sys/kernel/debug/kunit/xnic*/results, then check dmesg and
# kmemleak. Every case becomes a kunit:<suite>:<case> line in
# $XNIC_RESULTS (tests/lib/report.sh). Exit status is non-zero if anything
# failed.
#
#   tests/kunit/run.sh                 (from the repo root)
#
# Environment (mostly for testing this script):
#   XNIC_KUNIT_SRC      module source dir to build with M= instead of a copy
#                       of the repo's Kbuild + kmod/
#   XNIC_KUNIT_MODULES  module names to insmod, in order (default
#                       "xnic xnic_kunit"); removed in reverse order
#   XNIC_KUNIT_TIMEOUT  seconds before the VM is killed (default 1800)
#   KTREE               use this kernel build tree, skip build-kernel.sh
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${XNIC_BUILD:=build}"
export XNIC_BUILD
. tests/lib/report.sh
mkdir -p "$(dirname "$XNIC_RESULTS")"

modules=${XNIC_KUNIT_MODULES:-xnic xnic_kunit}
vm_timeout=${XNIC_KUNIT_TIMEOUT:-1800}
prefix=xnic # only suites named xnic* are ours
case $XNIC_BUILD in
/*) build=$XNIC_BUILD ;;
*) build=$root/$XNIC_BUILD ;;
esac
work=$build/kunit
res=$work/results # the guest's only writable host directory

failed=0
kfail() { failed=1; fail "$@"; }
finish() {
	echo "kunit: results in $res"
	exit "$failed"
}

rm -rf "$res"
mkdir -p "$res"

# 1. Kernel (cached after the first build).
echo "kunit: kernel"
if [ -z "${KTREE:-}" ]; then
	if ! kout=$(tests/kunit/build-kernel.sh); then
		kfail kunit:kernel-build "tests/kunit/build-kernel.sh failed"
		finish
	fi
	KTREE=$(printf '%s\n' "$kout" | tail -n 1)
fi
bzimage=$KTREE/arch/x86/boot/bzImage
[ -f "$bzimage" ] || { kfail kunit:kernel-build "no $bzimage"; finish; }

# 2. Modules, built in a copy so the host build (against Debian's headers)
# is not clobbered. Build products are excluded from the sync (and so kept
# by --delete) to make rebuilds incremental.
echo "kunit: modules against $KTREE"
if [ -n "${XNIC_KUNIT_SRC:-}" ]; then
	moddir=$(cd "$XNIC_KUNIT_SRC" && pwd)
else
	moddir=$build/kunit-src
	mkdir -p "$moddir"
	rsync -a --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' \
		--exclude=modules.order --exclude=Module.symvers \
		Kbuild dkms.conf kmod "$moddir/"
fi
if ! make -C "$KTREE" M="$moddir" modules >"$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log"
	kfail kunit:build "module build failed (log: $work/build.log)"
	finish
fi
kos=""
for m in $modules; do
	ko=$(find "$moddir" -name "$m.ko" -print -quit)
	if [ -z "$ko" ]; then
		kfail kunit:build "$m.ko was not built (CONFIG_KUNIT unset?)"
		finish
	fi
	kos="$kos $ko"
done

# 3. The guest side, written out so no quoting goes through vng --exec.
# It sees the host's / read-only, so the .ko paths work as they are.
cat >"$res/guest.sh" <<'EOF'
#!/bin/sh
# Runs inside the VM: $1 = results dir, $2 = suite prefix, then .ko files.
out=$1 prefix=$2
shift 2
date +%s.%N >"$out/guest-start"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
cat /proc/sys/kernel/tainted >"$out/tainted-before"
km=/sys/kernel/debug/kmemleak
# Forget leaks from boot so only ours are reported later.
if [ -w "$km" ]; then
	echo scan >"$km"
	echo clear >"$km"
fi
echo "xnic-kunit: start" >/dev/kmsg
loaded=""
for ko; do
	name=$(basename "$ko" .ko)
	# KUnit suites run during insmod; a hung case must not hang the VM.
	timeout 900 insmod "$ko" >"$out/insmod-$name.log" 2>&1
	echo $? >"$out/insmod-$name.rc"
	[ "$(cat "$out/insmod-$name.rc")" = 0 ] && loaded="$name $loaded"
done
# Results disappear with the module: copy them before rmmod.
mkdir -p "$out/ktap"
for d in /sys/kernel/debug/kunit/"$prefix"*; do
	[ -f "$d/results" ] && cp "$d/results" "$out/ktap/$(basename "$d").ktap"
done
for name in $loaded; do
	rmmod "$name" >"$out/rmmod-$name.log" 2>&1
	echo $? >"$out/rmmod-$name.rc"
done
# kmemleak only reports objects older than 5 s; scan twice so stale
# pointers left on stacks do not hide a leak.
if [ -w "$km" ]; then
	sleep 6
	echo scan >"$km"
	echo scan >"$km"
	cat "$km" >"$out/kmemleak.txt"
else
	echo "no $km" >"$out/kmemleak.missing"
fi
echo "xnic-kunit: end" >/dev/kmsg
cat /proc/sys/kernel/tainted >"$out/tainted-after"
dmesg >"$out/dmesg.txt"
echo done >"$out/guest-done"
EOF

# vng is on PATH after setup (pyenv shims); the module form works when
# only the Python package is there.
if command -v vng >/dev/null; then
	VNG=(vng)
else
	VNG=(python3 -m virtme_ng.run)
fi
echo "kunit: booting $bzimage (TCG)"
start=$(date +%s.%N)
# No KVM: nested KVM does not work here (see NOTES). --force-9p skips vng's
# failing virtiofsd attempts. --verbose puts the kernel log on the console,
# the only record of a panic. log_buf_len keeps long KASAN/lockdep reports
# from pushing KUnit output out of dmesg. Piping keeps output in order.
timeout -k 30 "$vm_timeout" "${VNG[@]}" --run "$bzimage" --disable-kvm \
	--force-9p --cpus 2 --memory 2G --rwdir "$res" --verbose \
	--append log_buf_len=4M \
	--exec "sh $res/guest.sh $res $prefix$kos" </dev/null 2>&1 |
	cat >"$work/console.log"
rc=${PIPESTATUS[0]}
end=$(date +%s.%N)
if [ -f "$res/guest-start" ]; then
	awk -v s="$start" -v g="$(cat "$res/guest-start")" -v e="$end" \
		'BEGIN { printf "kunit: boot to command %.1fs, whole VM run %.1fs\n", g - s, e - s }'
fi
if [ ! -f "$res/guest-done" ]; then
	tail -n 40 "$work/console.log"
	case $rc in
	124) why="VM timed out after ${vm_timeout}s" ;;
	255) why="guest kernel panicked" ;;
	*) why="guest script did not finish (vng exit $rc)" ;;
	esac
	kfail kunit:vm "$why (console: $work/console.log)"
fi

for m in $modules; do
	r=$(cat "$res/insmod-$m.rc" 2>/dev/null || echo missing)
	[ "$r" = 0 ] || kfail "kunit:insmod:$m" "insmod exit $r: $(head -c 200 "$res/insmod-$m.log" 2>/dev/null)"
	r=$(cat "$res/rmmod-$m.rc" 2>/dev/null || echo missing)
	[ "$r" = 0 ] || [ ! -f "$res/rmmod-$m.rc" ] ||
		kfail "kunit:rmmod:$m" "$(head -c 200 "$res/rmmod-$m.log")"
done

# 4. KTAP. One suite per file, as debugfs writes it. Prints
#   plan N | suite ok|not ok | case PASS|FAIL|SKIP NAME WHY
# A test case's debugfs log is capped at 512 bytes in 6.1 (KUNIT_LOG_SIZE),
# so a chatty failing case can lose its own result line; dmesg has the
# whole output, so the same parser also reads the suite's part of dmesg.
parse_ktap() { # SUITE FILE
	awk -v suite="$1" '
	{ sub(/^\[[ 0-9.]+\] ?/, "") }   # dmesg timestamps
	$0 == "    # Subtest: " suite { in_suite = 1; next }
	!in_suite { next }
	/^    1\.\.[0-9]+$/ { sub(/^ +1\.\./, ""); print "plan\t" $0; next }
	/^    # [^ ]+: / {
		msg = substr($0, 7)
		if (why == "" || (why !~ /FAILED|timed out|error/ &&
				  msg ~ /FAILED|timed out|error/))
			why = msg
		next
	}
	/^    (not )?ok [0-9]+ / {
		line = substr($0, 5)
		st = "PASS"
		if (line ~ /^not /) { st = "FAIL"; line = substr(line, 5) }
		sub(/^ok [0-9]+ /, "", line)
		name = line
		if (match(line, / # SKIP ?/)) {
			st = "SKIP"
			name = substr(line, 1, RSTART - 1)
			why = substr(line, RSTART + RLENGTH)
		}
		if (st == "PASS") why = ""
		printf "case\t%s\t%s\t%s\n", st, name, substr(why, 1, 200)
		why = ""
		next
	}
	/^(not )?ok [0-9]+ / {
		line = $0; st = "ok"
		if (line ~ /^not /) { st = "not ok"; line = substr(line, 5) }
		sub(/^ok [0-9]+ /, "", line); sub(/ # .*/, "", line)
		if (line == suite) { print "suite\t" st; exit }
	}
	' "$2"
}

# The kernel log: dmesg from the guest, or the console if the guest died
# before saving it (cases that finished before a panic still count).
klog=$res/dmesg.txt
[ -f "$klog" ] || klog=$work/console.log

# Suites: whatever debugfs gave us, plus any our kernel log announced (a
# suite that ran but left no debugfs file still counts).
suites=$(
	{
		for f in "$res"/ktap/*.ktap; do
			[ -f "$f" ] && basename "$f" .ktap
		done
		sed -n \
			"s/^\[[ 0-9.]*\] \{0,1\}    # Subtest: \($prefix[^ ]*\)$/\1/p" \
			"$klog" 2>/dev/null
	} | sort -u
)
if [ -z "$suites" ]; then
	kfail kunit:suites "no $prefix* KUnit suite reported results"
fi
for s in $suites; do
	parsed=""
	[ -f "$res/ktap/$s.ktap" ] && parsed=$(parse_ktap "$s" "$res/ktap/$s.ktap")
	plan=$(printf '%s\n' "$parsed" | awk -F'\t' '$1 == "plan" { print $2 }')
	ncase=$(printf '%s\n' "$parsed" | grep -c '^case' || true)
	if [ -z "$plan" ] || [ "$ncase" -lt "$plan" ]; then
		from_dmesg=$(parse_ktap "$s" "$klog" 2>/dev/null || true)
		n=$(printf '%s\n' "$from_dmesg" | grep -c '^case' || true)
		if [ "$n" -gt "$ncase" ]; then
			echo "kunit: $s: debugfs log truncated, using dmesg"
			parsed=$from_dmesg
			ncase=$n
			plan=$(printf '%s\n' "$parsed" | awk -F'\t' '$1 == "plan" { print $2 }')
		fi
	fi
	sst=$(printf '%s\n' "$parsed" | awk -F'\t' '$1 == "suite" { print $2 }')
	if [ "$ncase" -eq 0 ]; then
		kfail "kunit:$s" "suite produced no test results (suite says: ${sst:-nothing})"
		continue
	fi
	while IFS="$(printf '\t')" read -r kind st name why; do
		[ "$kind" = case ] || continue
		case $st in
		PASS) pass "kunit:$s:$name" ;;
		FAIL) kfail "kunit:$s:$name" "$why" ;;
		SKIP) skip "kunit:$s:$name" "${why:-skipped}" ;;
		esac
	done <<<"$parsed"
	if [ -n "$plan" ] && [ "$ncase" -lt "$plan" ]; then
		kfail "kunit:$s:incomplete" "$plan cases planned, $ncase reported"
	elif [ "$sst" = "not ok" ] &&
		! printf '%s\n' "$parsed" | awk -F'\t' '$2 == "FAIL" { f = 1 } END { exit !f }'; then
		kfail "kunit:$s" "suite reported not ok with no failing case"
	fi
done

# 5. Kernel health after our modules came and went: only the part of
# dmesg after our marker counts; taint W/D/B/L raised during the run too.
if [ -f "$res/dmesg.txt" ]; then
	sed -n '/xnic-kunit: start/,$p' "$res/dmesg.txt" >"$res/dmesg-run.txt"
	grep -E 'WARNING:|BUG:|Oops|KASAN|kmemleak|possible circular locking|INFO: .*lock|general protection|DEBUG_LOCKS_WARN_ON|Call Trace:' \
		"$res/dmesg-run.txt" >"$res/dmesg-hits.txt" || true
	bad=$((0x4000 | 0x200 | 0x80 | 0x20)) # L W D B
	tb=$(cat "$res/tainted-before" 2>/dev/null || echo 0)
	ta=$(cat "$res/tainted-after" 2>/dev/null || echo 0)
	new_taint=$(((ta & ~tb) & bad))
	if [ -s "$res/dmesg-hits.txt" ]; then
		kfail kunit:dmesg-clean "$(head -n 1 "$res/dmesg-hits.txt" | sed 's/^\[[ 0-9.]*\] //') (see $res/dmesg-run.txt)"
	elif [ "$new_taint" -ne 0 ]; then
		kfail kunit:dmesg-clean "kernel taint $tb -> $ta"
	else
		pass kunit:dmesg-clean
	fi
else
	kfail kunit:dmesg-clean "no dmesg captured"
fi
if [ -f "$res/kmemleak.txt" ]; then
	if [ -s "$res/kmemleak.txt" ]; then
		n=$(grep -c '^unreferenced object' "$res/kmemleak.txt" || true)
		kfail kunit:kmemleak-clean "$n leaked object(s), see $res/kmemleak.txt"
	else
		pass kunit:kmemleak-clean
	fi
else
	kfail kunit:kmemleak-clean "no kmemleak report (debugfs kmemleak missing or VM died)"
fi

finish
