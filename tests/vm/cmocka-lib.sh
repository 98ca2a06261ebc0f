# SPDX-License-Identifier: GPL-2.0
# Running a cmocka test binary in the guest (after tests/lib/report.sh):
#
#   cmocka_run PREFIX BINARY   run BINARY with TAP output and record one
#                              result per test as PREFIX:<test> (without
#                              "test_"); lines "# random_vs_model..." are
#                              echoed. A run that stops early, or fails
#                              without a failed test, fails PREFIX:run.
#
# TAP from cmocka: "ok N - test_x", "not ok N - test_x" then "# why"
# lines, "not ok N # SKIP test_x". A failed group setup (the verifier
# refused the program) reads "not ok 0 - NAME [  FAILED  ] GROUP SETUP".
cmocka_run() {
	local prefix=$1 bin=$2 rc=0 plan seen=0
	local out=/tmp/$prefix.tap err=/tmp/$prefix.err
	local line name="" verdict why=""

	if [ ! -x "$bin" ]; then
		fail "$prefix:build" "$bin missing: run make -C tests/bpf"
		return
	fi
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >$out 2>$err || rc=$?
	grep '^# random_vs_model' $out | sed 's/^# /    /'
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' $out)
	# Record each result once its diagnostics have been read.
	_cmocka_flush() {
		[ -n "$name" ] || return 0
		case $verdict in
		PASS) pass "$prefix:$name" ;;
		SKIP) skip "$prefix:$name" "skipped by the test on this kernel" ;;
		*) fail "$prefix:$name" "${why:-see $err}" ;;
		esac
		seen=$((seen + 1))
		name=""
		why=""
	}
	while IFS= read -r line; do
		case $line in
		"not ok "*" # SKIP "*)
			_cmocka_flush; verdict=SKIP; name=${line##* # SKIP } ;;
		"ok "*" - "*)
			_cmocka_flush; verdict=PASS; name=${line#* - } ;;
		"not ok "*" - "*)
			_cmocka_flush; verdict=FAIL; name=${line#* - } ;;
		"# random_vs_model"* | "# ok - "* | "# not ok - "*)
			continue ;;
		"# "*)
			[ -z "$name" ] || why="${why:+$why; }${line#\# }"
			continue ;;
		*)
			continue ;;
		esac
		name=${name%% *}
		name=${name#test_}
	done <$out
	_cmocka_flush
	if [ -z "$plan" ] || [ "$seen" -ne "$plan" ] || { [ "$rc" -ne 0 ] && ! grep -q '^not ok' $out; }; then
		sed 's/^/    stderr: /' $err | tail -n 40
		fail "$prefix:run" "${bin##*/} exited $rc after $seen of ${plan:-?} tests"
	fi
}
