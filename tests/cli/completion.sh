#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (userspace/completion/xnicctl) as bash runs it:
# COMP_WORDS set as for a line being typed, _xnicctl called, COMPREPLY
# compared. Run from the repository root after the build; exits
# non-zero if any case failed.
set -u
status=0
. tests/lib/report.sh
. userspace/completion/xnicctl

# expect_completion NAME WANT WORDS...: the last of WORDS is being typed.
expect_completion() {
	local name=$1 want=$2 got
	shift 2
	COMP_WORDS=("$PWD/userspace/xnicctl" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_xnicctl
	got=${COMPREPLY[*]}
	if [ "$got" = "$want" ]; then
		pass "cli/completion/$name"
	else
		fail "cli/completion/$name" "'$*': got '$got', expected '$want'"
		status=1
	fi
}

expect_completion commands-by-prefix "link limit" li
expect_completion subcommands "add del show help" link ""
expect_completion nested "detach" service nodeport d
expect_completion after-options "stats status" -j -p st
expect_completion prefixes-before "attach add" serv a
expect_completion show-is-list "show" prefilter sh
expect_completion list-is-show "list" link li
# Where an argument is due, this machine's interfaces.
expect_completion devices "$(ls /sys/class/net | grep '^l' | xargs)" stats l
exit $status
