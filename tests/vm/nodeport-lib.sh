# SPDX-License-Identifier: GPL-2.0
# What the nodeport VM cases (91-nodeport, 93-nodeport-xdp) share, after
# tests/lib/report.sh, tests/vm/lib.sh and tests/vm/xnic-lib.sh, with $t
# (the result prefix) and PY (tests/vm/nodeport.py) set:
#
#   np_servers NS1 NS2         backends b1 in NS1 and b2 in NS2 (TCP 8080,
#                              UDP 5353), killed on exit; $t:servers; 1 if
#                              they did not start
#   jn JSON FILTER, count JSON BACKEND
#                              a jq field; a backend's count in a client run
#   csum_errors NS             Tcp and Udp InCsumErrors of NS ("" the node)
#   np_flows_ok NAME JSON N PEER CHECK
#                              a client run: no error, no split flow, every
#                              answer of the right length, N answered, and
#                              the backends saw only PEER ($t:NAME-CHECK)

np_servers() {
	local i ns
	i=1
	for ns in "$1" "$2"; do
		in_ns "$ns" "${PY[@]}" serve b$i 8080 5353 >/tmp/np-serve$i.log 2>&1 &
		on_exit "kill $!"
		i=$((i + 1))
	done
	# Python starts slowly in emulation on a loaded host.
	if ! wait_for "grep -q ready /tmp/np-serve1.log && grep -q ready /tmp/np-serve2.log" 90; then
		fail $t:servers "backends did not start: $(cat /tmp/np-serve*.log)"
		return 1
	fi
	pass $t:servers
}

jn() { jq -r "$2" <<<"$1"; }
count() { jn "$1" ".counts.$2 // 0"; }

# /proc/net/snmp is per netns.
csum_errors() {
	_ns_do "$1" awk '$1 == "Tcp:" || $1 == "Udp:" {
		if (!h[$1]) { for (i = 2; i <= NF; i++) if ($i == "InCsumErrors") c[$1] = i; h[$1] = 1; next }
		s += $(c[$1]) } END { print s + 0 }' /proc/net/snmp
}

np_flows_ok() {
	local name=$1 r=$2 n=$3 peer=$4 what=$5
	echo "    $name: $r"
	expect $t:$name-no-errors "$(jn "$r" '.errors | length')" -eq 0
	expect $t:$name-one-backend-per-flow "$(jn "$r" .split)" -eq 0
	expect $t:$name-lengths "$(jn "$r" .bad)" -eq 0
	expect $t:$name-all-answered "$(( $(count "$r" b1) + $(count "$r" b2) ))" -eq "$n"
	check $t:$name-$what [ "$(jn "$r" '.peers | keys | join(",")')" = "$peer" ]
}
