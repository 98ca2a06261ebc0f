#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-case-timeout: 900
# The kernel's own hardware-independent driver tests, from Debian's
# linux-source-6.12 (tests/kselftest/fetch.sh extracts them on the host
# into build/kselftest/linux), against an xnic pair: NETIF the end in this
# namespace, the other end the "remote" in a netns (REMOTE_TYPE=netns),
# IPv4 and IPv6. Each of the kernel's cases is one result,
# kselftest:<file>:<case>; its SKIP and XFAIL (a feature the device lacks)
# are skips with the kernel's reason, and a case in $checks that a file
# did not report fails. Files excluded, each with its reason:
# docs/kselftest.md. Only on 6.12: the tests are its own, and need its
# netdev netlink family.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
ksft=$root/build/kselftest/linux/tools/testing/selftests
# Under drivers/net/, as the kernel's Makefiles list them; the others are
# excluded, each with its reason, in docs/kselftest.md.
tests="ping.py stats.py queues.py hw/rss_ctx.py hw/pp_alloc_fail.py"
# Every case those files hold in 6.12.118, as <file>:<case>.
checks="ping.py:test_v4 ping.py:test_v6 ping.py:test_tcp
stats.py:check_pause stats.py:check_fec stats.py:pkt_byte_sum
stats.py:qstat_by_ifindex stats.py:check_down
queues.py:get_queues queues.py:addremove_queues
hw/rss_ctx.py:test_rss_key_indir hw/rss_ctx.py:test_rss_queue_reconfigure
hw/rss_ctx.py:test_rss_resize hw/rss_ctx.py:test_hitless_key_update
hw/rss_ctx.py:test_rss_context hw/rss_ctx.py:test_rss_context4
hw/rss_ctx.py:test_rss_context32 hw/rss_ctx.py:test_rss_context_dump
hw/rss_ctx.py:test_rss_context_queue_reconfigure
hw/rss_ctx.py:test_rss_context_overlap hw/rss_ctx.py:test_rss_context_overlap2
hw/rss_ctx.py:test_rss_context_out_of_order
hw/rss_ctx.py:test_rss_context4_create_with_cfg
hw/pp_alloc_fail.py:test_pp_alloc
dmesg taint"
# Debian 13's ethtool, for its JSON output (tests/kselftest/fetch.sh).
ethtool_dir=$root/build/kselftest/ethtool/usr/sbin

case $(uname -r) in
6.12.*) ;;
*)
	for c in $checks; do
		skip "kselftest:$c" "the 6.12 driver tests need 6.12's netdev netlink, not $(uname -r)"
	done
	exit 0
	;;
esac
dmesg_mark
if [ ! -d "$ksft/drivers/net/lib/py" ] || [ ! -x "$ethtool_dir/ethtool" ]; then
	fail kselftest:fetch "$ksft or $ethtool_dir/ethtool missing (run tests/kselftest/fetch.sh on the host)"
	exit 0
fi
export PATH=$ethtool_dir:$PATH
xnic_load || { fail kselftest:modprobe "modprobe xnic failed"; exit 0; }
on_exit xnic_unload
ns_add ksr
# Eight channels: rss_ctx.py starts from four and goes above.
pair_add ksl ksr "" ksr 8 ||
	{ fail kselftest:pair "cannot create the xnic pair"; exit 0; }
# Addresses as the tests expect them: kept across stats.py's link down
# (IPv6 drops them by default), and put back after each test anyway.
addrs() {
	ip addr replace 192.0.2.1/24 dev ksl
	ip -6 addr replace 2001:db8::1/64 dev ksl nodad
	ip link set ksl up
	ip -n ksr addr replace 192.0.2.2/24 dev ksr
	ip -n ksr -6 addr replace 2001:db8::2/64 dev ksr nodad
	ip -n ksr link set ksr up
}
sysctl -qw net.ipv6.conf.ksl.keep_addr_on_down=1
in_ns ksr sysctl -qw net.ipv6.conf.ksr.keep_addr_on_down=1
addrs

# What NetDrvEpEnv (drivers/net/lib/py/env.py) reads when there is no
# net.config: it needs neither the remote's ifname nor ssh.
export NETIF=ksl LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
export LOCAL_V6=2001:db8::1 REMOTE_V6=2001:db8::2
export REMOTE_TYPE=netns REMOTE_ARGS=ksr

# A failure that is a wall-clock bound set for hardware, missed only
# because QEMU TCG is ~100x slower, and nothing else: named here with the
# exact check that failed. rss_ctx.py's test_hitless_key_update times the
# `ethtool -X hkey` command under 16 iperf3 streams against 0.2 s; xnic's
# key update is a pointer swap under RCU (xnic_rxfh_set), and the same
# test's traffic and carrier checks come after that bound.
tcg_bound() {
	tcg_reason=
	[ "${XNIC_VM_ACCEL:-tcg}" = tcg ] || return 1
	case $1:$2 in
	hw/rss_ctx.py:test_hitless_key_update)
		grep -E 'Check failed [0-9.]+ >= 0\.2 *$' "$3" >/dev/null || return 1
		tcg_reason="its 0.2 s bound on running ethtool -X under iperf3 load is beyond QEMU TCG ($(grep -E -o 'Check failed [0-9.]+' "$3" | cut -d' ' -f3) s here)"
		;;
	hw/pp_alloc_fail.py:test_pp_alloc)
		grep -E "KsftFailEx: \('Traffic seems low:', [0-9]+\)" "$3" >/dev/null || return 1
		tcg_reason="its floor of 15000 RX packets/s of iperf3 before injecting is beyond QEMU TCG ($(grep -E -o "low:', [0-9]+" "$3" | head -n 1 | cut -d' ' -f2) here)"
		;;
	*) return 1 ;;
	esac
}

# ktap FILE OUTPUT: one result per "ok N name" / "not ok N name" line;
# the case names seen go to $seen.
ktap() {
	local file=$1 line status name rest
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*) ;;
		*) continue ;;
		esac
		status=ok
		[ "${line#not ok }" = "$line" ] || { status=fail; line=${line#not }; }
		line=${line#ok }
		line=${line#* }			# the case number
		name=${line%% # *}
		rest=
		[ "$name" = "$line" ] || rest=${line#* # }
		name=${name##*.}		# "ping.test_v4" -> "test_v4"
		seen+=" $file:$name "
		case $status:$rest in
		ok:SKIP* | ok:XFAIL*) skip "kselftest:$file:$name" "$rest" ;;
		ok:*) pass "kselftest:$file:$name" ;;
		*)
			if tcg_bound "$file" "$name" "$2"; then
				skip "kselftest:$file:$name" "$tcg_reason"
			else
				fail "kselftest:$file:$name" "${rest:-see the VM console}"
			fi
			;;
		esac
	done <"$2"
}

# pp_alloc_fail.py makes page_pool_alloc_pages fail through
# /sys/kernel/debug/fail_function, and skips with this reason where the
# kernel cannot, but only after its traffic check (see tcg_bound).
nofei=
grep -x CONFIG_FUNCTION_ERROR_INJECTION=y "/boot/config-$(uname -r)" >/dev/null ||
	nofei="Kernel built without function error injection: $(uname -r) has no CONFIG_FUNCTION_ERROR_INJECTION, so no fail_function to fail page_pool_alloc_pages"

for t in $tests; do
	if [ "$t" = hw/pp_alloc_fail.py ] && [ -n "$nofei" ]; then
		skip "kselftest:$t:test_pp_alloc" "$nofei"
		continue
	fi
	out=/tmp/kselftest-${t//\//-}.log
	echo "--- kselftest $t"
	t0=$SECONDS
	(cd "$ksft/drivers/net/$(dirname "$t")" &&
		timeout 300 /usr/bin/python3 -u "./$(basename "$t")") >"$out" 2>&1
	rc=$?
	sed 's/^/    /' "$out"
	echo "    ($t: exit $rc in $((SECONDS - t0)) s)"
	seen=
	ktap "$t" "$out"
	# A case the file should hold but did not report (it died first).
	for c in $checks; do
		[ "${c%%:*}" = "$t" ] || continue
		case $seen in
		*" $c "*) ;;
		*) fail "kselftest:$c" "not reported by $t (exit $rc)" ;;
		esac
	done
	addrs
done

dmesg_check kselftest:dmesg
taint_check kselftest:taint
