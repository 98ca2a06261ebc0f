#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 10,000 services through `xnicctl batch` (issue #5 scale, issue #6's
# service rungs), on Debian's 6.1 kernel:
#
#   lb94_c: sc ==xnic== ss :lb94_s
#   clients in cgroup $CG (sock_lb attached there) in lb94_c; two
#   backends (tests/vm/sock_lb.py) on addresses of ss in lb94_s.
#
# Asserted: one batch adds 10,000 services of two backends each (past
# the old limits of 1,024 services and 8,192 backends); `service list`
# counts exactly them, text and JSON; a connect() to the last service
# reaches its backends with the VIP as peer and its counter equals the
# connections; a batch whose line 4 fails (after a comment) reports
# line 4 with the command's own error, keeps lines 2-3 and does not run
# line 5; one batch deletes everything, leaving every service map empty
# (no backend, slot or counter left behind); a line that enters a netns
# does not move the next. Printed: what one xnicctl
# process costs here against one line of a batch, and the setup time.
# vm-case-timeout: 1200
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
X=$root/userspace/xnicctl
PY=(/usr/bin/python3 "$root/tests/vm/sock_lb.py")
PIN=/sys/fs/bpf/xnic/lb
N=10000
t=service-scale

xnicctl_case_begin $t "$X" || exit 0
rm -rf $PIN
tmp=$(mktemp -d)
on_exit "rm -rf $PIN $tmp"

cgroup2_root /run/xnic-lb-cgroup
CG=$CGROOT/xnic-scale
mkdir -p $CG
on_exit "rmdir $CG"

ns_add lb94_c
ns_add lb94_s
pair_add sc ss lb94_c lb94_s 1
ip -n lb94_c addr add 198.18.94.1/24 dev sc
for h in 2 3; do ip -n lb94_s addr add 198.18.94.$h/24 dev ss; done
ip -n lb94_c link set sc up
ip -n lb94_s link set ss up
ip netns exec lb94_s "${PY[@]}" serve tcp,198.18.94.2,8080,b2 \
	tcp,198.18.94.3,8080,b3 >$tmp/serve.log 2>&1 &
on_exit "kill $!"
# Python starts slowly in emulation on a loaded host: 30 s was seen short.
if ! wait_for "grep -q ready $tmp/serve.log" 120; then
	fail $t:servers "backends did not start: $(cat $tmp/serve.log)"
	exit 0
fi
xn attach 0 service attach --cgroup $CG

client() { bash -c 'echo $$ > "$0/cgroup.procs" && exec ip netns exec lb94_c "$@"' "$CG" "${PY[@]}" "$@"; }
jn() { jq -r "$2" <<<"$1"; }
vip() { echo "10.96.$(($1 / 256)).$(($1 % 256))"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# One line per service: 1..N, or from $2 to $3. vip() inline: a
# subshell per line costs far more in emulation than xnicctl's line.
svc_lines() {
	local i
	for ((i = ${2:-1}; i <= ${3:-$N}; i++)); do
		if [ "$1" = add ]; then
			echo "service add 10.96.$((i / 256)).$((i % 256)):80/tcp --backend 198.18.94.2:8080 --backend 198.18.94.3:8080"
		else
			echo "service del 10.96.$((i / 256)).$((i % 256)):80/tcp"
		fi
	done
}
nsvc() { "$X" service list | grep -c '^[^ ]'; }
nentries() { bpftool -j map dump pinned "$PIN/$1" | jq length; }

# --- where one process's time goes (printed, not judged) -----------
k=5
a=$(now_ms)
for i in $(seq $k); do "$X" --version >/dev/null; done
b=$(now_ms)
for i in $(seq 1 $k); do
	"$X" service add "198.51.94.$i:80/tcp" --backend 198.18.94.2:8080 || break
done
c=$(now_ms)
for i in $(seq 1 $k); do echo "service del 198.51.94.$i:80/tcp"; done >$tmp/del1
xn del-singles 0 batch $tmp/del1
echo "    per process: exec + --version $(((b - a) / k)) ms, service add $(((c - b) / k)) ms"

# --- 10,000 services in one batch -----------------------------------
svc_lines add >$tmp/add
expect $t:batch-file-lines "$(wc -l <$tmp/add)" -eq $N
a=$(now_ms)
xn batch-add 0 batch $tmp/add
b=$(now_ms)
echo "    setup: $N services in $((b - a)) ms ($(((b - a) * 1000 / N)) us per line)"
expect $t:list-counts-all "$(nsvc)" -eq $N
expect $t:list-json-counts-all "$("$X" service list --json | jq length)" -eq $N
expect $t:backends-in-map "$(nentries lb_be)" -eq $((2 * N))
last="$(vip $N):80/tcp"
check $t:last-listed sh -c "'$X' service list | grep -A2 '^$last ' | grep -c 'backend 198.18.94.[23]:8080' | grep -qx 2"

# --- a connect() to one of the last services ------------------------
R=$(client tcp "$(vip $N)" 80 10)
echo "    connect to $last: $R"
expect $t:last-answered $(($(jn "$R" '.counts.b2 // 0') + $(jn "$R" '.counts.b3 // 0'))) -eq 10
expect $t:last-no-errors "$(jn "$R" '.errors | length')" -eq 0
expect $t:last-peer-is-vip "$(jn "$R" .peer_bad)" -eq 0
expect $t:last-counted "$("$X" service list --json | jq --arg s "$last" '.[] | select(.service == $s) | .selected')" -eq 10

# --- a failing line: reported by number, earlier lines kept ---------
{
	echo "# two new services, one that exists, one never run"
	svc_lines add $((N + 1)) $((N + 2))
	svc_lines add 1 1
	svc_lines add $((N + 3)) $((N + 3))
} >$tmp/bad
xn batch-stops 2 batch - <$tmp/bad
want="xnicctl: batch: line 4: service add: service $(vip 1):80/tcp exists (use 'service backend add', or del it first)"
if [ "$ERR" = "$want" ]; then
	pass $t:batch-names-line
else
	fail $t:batch-names-line "got '$ERR'"
fi
expect $t:lines-before-kept "$(nsvc)" -eq $((N + 2))
check $t:line-after-not-run sh -c "! '$X' service list | grep -q '^$(vip $((N + 3))):80/tcp '"

# A line that enters a netns (link show netns NS) leaves the next line
# in the batch's own.
printf 'link show netns lb94_c --json\nlink show --json\n' >$tmp/ns
xn batch-netns 0 batch $tmp/ns
expect $t:netns-line-1 "$(jq -s '[.[0][] | select(.name == "sc")] | length' <<<"$OUT")" -eq 1
expect $t:netns-line-2-home "$(jq -s '[.[1][] | select(.name == "sc")] | length' <<<"$OUT")" -eq 0

# --- delete everything through batch --------------------------------
svc_lines del 1 $((N + 2)) >$tmp/del
a=$(now_ms)
xn batch-del 0 batch $tmp/del
b=$(now_ms)
echo "    teardown: $((N + 2)) services in $((b - a)) ms"
expect $t:none-listed "$(nsvc)" -eq 0
for m in lb_svc lb_sel lb_be lb_svc_stats lb_be_stats; do
	expect $t:$m-empty "$(nentries $m)" -eq 0
done
R=$(client refused tcp "$(vip $N)" 80)
check $t:deleted-vip-plain sh -c "[ \"$(jn "$R" .errno)\" != none ]"
xn detach 0 service detach

dmesg_check $t:dmesg-clean
taint_check $t:taint-clean
