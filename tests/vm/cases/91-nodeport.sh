#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-packet service translation (bpf/nodeport.bpf.c) driven by
# `xnicctl service nodeport`, on Debian's 6.1 kernel:
#  1. tests/bpf/test_nodeport under this kernel's verifier and
#     BPF_PROG_TEST_RUN, one result per test (nodeport:<test>);
#  2. end to end, the node being the initial namespace (where xnicctl
#     finds its devices), forwarding on, the programs on nc:
#
#   np_c: xc ==xnic== nc :node ---veth n1 == b1 :np_b1 (backend b1)
#                            `---veth n2 == b2 :np_b2 (backend b2)
#
# Clients in np_c reach a service VIP (TCP and UDP) and the node
# address's NodePort; both backends answer; every line of a connection
# (several segments each) is answered by one backend; the backends see
# the client's own address; replies reach the client from the address it
# sent to (connected sockets drop anything else; tcpdump on xc sees no
# backend address); no checksum error at client or backends
# (InCsumErrors), with the receivers verifying in software (rx checksum
# off; xc's csum_none moves) and the backends' replies checksum-offloaded
# (CHECKSUM_PARTIAL through tc egress) and not; counters equal the flows
# made; a flow keeps its backend while another is removed, and new flows
# avoid a removed backend; the node's own sockets reach the same service
# through sock_lb (no per-packet work); the tc policy at its later
# priority sees the translated packets (a rule on the backends' addresses
# matches, one denying the VIP never does); attach is idempotent, another tool's filter
# at our place is refused, detach leaves clsact.
# The spreads can fail by chance: both backends answering is expected of
# 40 TCP connections (all on one: 2 * 2^-40) and of 30 UDP flows
# (2 * 2^-30), about once in 5e8 runs together.
# Ten minutes are not always enough in emulation on a busy host.
# vm-case-timeout: 1200
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
. "$root/tests/vm/cmocka-lib.sh"
. "$root/tests/vm/nodeport-lib.sh"
X=$root/userspace/xnicctl
T=$root/tests/bpf
PY=(/usr/bin/python3 "$root/tests/vm/nodeport.py")
PIN=/sys/fs/bpf/xnic/lb
t=nodeport

xnicctl_case_begin $t "$X" "$T/test_nodeport" || exit 0

# --- 1. BPF_PROG_TEST_RUN under the 6.1 verifier -----------------------
cmocka_run nodeport "$T/test_nodeport"

# --- 2. end to end -------------------------------------------------------
rm -rf $PIN
on_exit "rm -rf $PIN"
ns_add np_c
ns_add np_b1
ns_add np_b2
pair_add xc nc np_c "" 1
on_exit "ip link del nc 2>/dev/null"
ip -n np_c addr add 198.18.91.1/24 dev xc
ip -n np_c link set xc up
ip -n np_c route add default via 198.18.91.2
ip addr add 198.18.91.2/24 dev nc
ip link set nc up
for i in 1 2; do
	ip link add n$i type veth peer name b$i netns np_b$i
	on_exit "ip link del n$i 2>/dev/null"
	ip addr add 10.91.$i.1/24 dev n$i
	ip link set n$i up
	ip -n np_b$i addr add 10.91.$i.2/24 dev b$i
	ip -n np_b$i link set b$i up
	ip -n np_b$i route add default via 10.91.$i.1
done
fwd=$(sysctl -n net.ipv4.ip_forward)
sysctl -qw net.ipv4.ip_forward=1
on_exit "sysctl -qw net.ipv4.ip_forward=$fwd"

# Every receiver verifies checksums itself: rx checksum off on xc, nc
# (and no GRO there, which would validate before tc) and the backends.
in_ns np_c ethtool -K xc rx off
ethtool -K nc rx off gro off
for i in 1 2; do in_ns np_b$i ethtool -K b$i rx off; done

np_servers np_b1 np_b2 || exit 0

VIP=198.51.100.10
NODE=198.18.91.2
SVC=$VIP:80/tcp
USVC=$VIP:53/udp
NPSVC=0.0.0.0:30080/tcp
BE1=10.91.1.2
BE2=10.91.2.2

client() { in_ns np_c "${PY[@]}" "$@"; }
show() { "$X" service nodeport show nc --json; }
reason() { show | jq ".counters.$1.packets"; }
svc_sel() { "$X" service list --json | jq --arg s "$1" '.[] | select(.service == $s) | .selected'; }
# A client run's checks, the backends seeing the client's own address.
flows_ok() { np_flows_ok "$@" 198.18.91.1 client-address-kept; }

xn add-vip 0 service add $SVC --backend $BE1:8080 --backend $BE2:8080
xn add-vip-udp 0 service add $USVC --backend $BE1:5353 --backend $BE2:5353
xn add-nodeport 0 service add $NPSVC --backend $BE1:8080 --backend $BE2:8080

# --- plain: the node itself has nothing on the NodePort ---------------
R=$(client tcp $NODE 30080 1 1)
expect $t:plain-nodeport-refused "$(jn "$R" '.errors.ECONNREFUSED // 0')" -eq 1

# --- attach ------------------------------------------------------------
xn bad-node-addr 1 service nodeport attach nc --node-addr 198.18.91.300
xn no-such-dev 5 service nodeport attach nosuchdev
xn attach 0 service nodeport attach nc --node-addr $NODE
check $t:attach-says-attached grep -q "nc: nodeport attached" <<<"$OUT"
xn attach-again 0 service nodeport attach nc --node-addr $NODE
check $t:attach-idempotent grep -q "already attached" <<<"$OUT"
check $t:show-node-addr [ "$(show | jq -r .node_addr)" = $NODE ]
expect $t:show-ingress-prog "$(show | jq '.ingress_prog_id // 0')" -gt 0
expect $t:show-egress-prog "$(show | jq '.egress_prog_id // 0')" -gt 0
expect $t:two-filters "$( (tc filter show dev nc ingress; tc filter show dev nc egress) | grep -c 'handle 0x6e70')" -eq 2

none0=$(ethstat_sum xc 'rx_queue_[0-9]+_csum_none' np_c)
unn0=$(ethstat_sum xc 'rx_queue_[0-9]+_csum_unnecessary' np_c)
in_ns np_c tcpdump -i xc -nn -U --immediate-mode -w /tmp/np.pcap 'tcp or udp' 2>/tmp/np-tcpdump.err &
DUMP=$!
on_exit "kill $DUMP 2>/dev/null"
wait_tcpdump /tmp/np-tcpdump.err

# --- the backends' replies checksum-offloaded (CHECKSUM_PARTIAL) -------
R=$(client tcp $VIP 80 40 5)
flows_ok vip-tcp "$R" 40
expect $t:vip-tcp-b1-used "$(count "$R" b1)" -gt 0
expect $t:vip-tcp-b2-used "$(count "$R" b2)" -gt 0
R=$(client tcp $NODE 30080 40 5)
flows_ok nodeport-tcp "$R" 40
expect $t:nodeport-tcp-b1-used "$(count "$R" b1)" -gt 0
expect $t:nodeport-tcp-b2-used "$(count "$R" b2)" -gt 0
R=$(client udp $VIP 53 30 21000)
flows_ok vip-udp "$R" 30
expect $t:vip-udp-b1-used "$(count "$R" b1)" -gt 0
expect $t:vip-udp-b2-used "$(count "$R" b2)" -gt 0

# --- and with full checksums from the backends -----------------------
for i in 1 2; do in_ns np_b$i ethtool -K b$i tx off; done
R=$(client tcp $VIP 80 20 5)
flows_ok vip-tcp-txoff "$R" 20
R=$(client udp $VIP 53 10 22000)
flows_ok vip-udp-txoff "$R" 10

# Every client got its replies, so every frame is in tcpdump's socket:
# wait until it has written the last run's 30 + 10 UDP replies.
udp_replies() { tcpdump -nn -r /tmp/np.pcap 2>/dev/null | grep -c " IP $VIP\.53 > "; }
wait_for '[ "$(udp_replies)" -ge 40 ]' 5
kill $DUMP
wait $DUMP 2>/dev/null
in_ns np_c tcpdump -nn -r /tmp/np.pcap 2>/dev/null >/tmp/np.txt
expect $t:tcpdump-no-backend-source "$(grep -c ' IP 10\.91\.' /tmp/np.txt)" -eq 0
expect $t:tcpdump-replies-from-vip "$(grep -c " IP $VIP\.80 > 198\.18\.91\.1\." /tmp/np.txt)" -gt 0
expect $t:tcpdump-replies-from-nodeport "$(grep -c " IP $NODE\.30080 > 198\.18\.91\.1\." /tmp/np.txt)" -gt 0
expect $t:tcpdump-udp-from-vip "$(grep -c " IP $VIP\.53 > 198\.18\.91\.1\." /tmp/np.txt)" -gt 0

# --- checksums: verified by the receiving stacks, none wrong ------------
for ns in np_c np_b1 np_b2; do
	expect $t:no-csum-errors-$ns "$(csum_errors $ns)" -eq 0
done
expect $t:client-verified-in-software "$(( $(ethstat_sum xc 'rx_queue_[0-9]+_csum_none' np_c) - none0 ))" -gt 0
expect $t:client-trusted-nothing "$(( $(ethstat_sum xc 'rx_queue_[0-9]+_csum_unnecessary' np_c) - unn0 ))" -eq 0

# --- counters: one new flow per connection or UDP socket ----------------
S=$(show)
echo "    $S"
expect $t:dnat-new-is-flows "$(jn "$S" .counters.dnat_new.packets)" -eq 140
expect $t:dnat-flow-moved "$(jn "$S" .counters.dnat_flow.packets)" -gt 0
expect $t:snat-moved "$(jn "$S" .counters.snat.packets)" -gt 0
expect $t:flows-in-table "$(jn "$S" .flows)" -eq 140
for r in drop_no_backend drop_malformed drop_fragment drop_rewrite; do
	expect $t:no-$r "$(jn "$S" .counters.$r.packets)" -eq 0
done
expect $t:lb-counter-vip "$(svc_sel $SVC)" -eq 60
expect $t:lb-counter-nodeport "$(svc_sel $NPSVC)" -eq 40
expect $t:lb-counter-udp "$(svc_sel $USVC)" -eq 40

# --- one service, two ways in: the node's own sockets through sock_lb --
cgroup2_root /run/xnic-np-cgroup
CG=$CGROOT/xnic-np
mkdir -p $CG
on_exit "rmdir $CG"
xn sock-lb-attach 0 service attach --cgroup $CG
R=$(bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "${PY[@]}" tcp $VIP 80 10 2)
echo "    node socket: $R"
expect $t:node-socket-no-errors "$(jn "$R" '.errors | length')" -eq 0
expect $t:node-socket-all-answered "$(( $(count "$R" b1) + $(count "$R" b2) ))" -eq 10
expect $t:node-socket-counted "$(svc_sel $SVC)" -eq 70
expect $t:node-socket-not-per-packet "$(show | jq .counters.dnat_new.packets)" -eq 140
xn sock-lb-detach 0 service detach

# --- the tc policy, after us on the hook, sees translated packets -----
on_exit "rm -rf /sys/fs/bpf/xnic/dev/nc"
xn policy-allow-backends 0 policy add nc ingress allow dst 10.91.0.0/16 proto tcp dport 8080
xn policy-deny-vip 0 policy add nc ingress deny dst $VIP/32
xn policy-attach 0 attach nc --tc
R=$(client tcp $VIP 80 5 2)
flows_ok with-policy "$R" 5
polhits() { "$X" policy list nc --json | jq ".ingress.rules[$1].packets"; }
expect $t:policy-saw-backend-address "$(polhits 0)" -gt 0
expect $t:policy-never-saw-vip "$(polhits 1)" -eq 0
xn policy-detach 0 detach nc --tc
check $t:policy-detach-kept-nodeport [ "$(show | jq '.ingress_prog_id // 0')" -gt 0 ]

# --- a flow keeps its backend; new flows avoid a removed one ----------
rm -f /tmp/np.fifo
mkfifo /tmp/np.fifo
client hold $VIP 80 /tmp/np.fifo >/tmp/np-hold.out 2>&1 &
HOLD=$!
wait_for "[ -s /tmp/np-hold.out ]" 20
FIRST=$(head -n1 /tmp/np-hold.out)
if [ "$FIRST" = b1 ]; then KEEP=$BE1; GONE=$BE2; else KEEP=$BE2; GONE=$BE1; fi
xn remove-other-backend 0 service backend del $SVC $GONE:8080
echo go >/tmp/np.fifo
wait $HOLD
H=$(tail -n1 /tmp/np-hold.out)
echo "    hold: $H"
check $t:flow-keeps-backend [ "$(jn "$H" .second)" = "$FIRST" ]
R=$(client tcp $VIP 80 20 2)
flows_ok after-removal "$R" 20
expect $t:removed-backend-unused "$(count "$R" $([ $GONE = $BE1 ] && echo b1 || echo b2))" -eq 0
xn remove-last-backend 0 service backend del $SVC $KEEP:8080
before=$(reason drop_no_backend)
R=$(client tcp $VIP 80 1 1)
expect $t:no-backend-fails "$(jn "$R" '.errors | length')" -gt 0
expect $t:no-backend-dropped "$(reason drop_no_backend)" -gt "$before"

# save names the device and its node address; after detach, not at all.
xn save 0 save
check $t:save-nodeport-line grep -qx "service nodeport attach nc --node-addr $NODE" <<<"$OUT"

# --- another tool's filter at our place; detach ------------------------
xn detach 0 service nodeport detach nc
check $t:detach-says-detached grep -q "nodeport detached" <<<"$OUT"
xn save-after-detach 0 save
check $t:save-no-nodeport-line sh -c "! printf '%s\n' \"\$1\" | grep -q '^service nodeport'" _ "$OUT"
expect $t:detach-removed-filters "$( (tc filter show dev nc ingress; tc filter show dev nc egress) | grep -c 'handle 0x6e70')" -eq 0
check $t:detach-keeps-clsact sh -c "tc qdisc show dev nc | grep -q clsact"
R=$(client tcp $NODE 30080 1 1)
expect $t:detached-nodeport-refused "$(jn "$R" '.errors.ECONNREFUSED // 0')" -eq 1
xn detach-again 0 service nodeport detach nc
check $t:detach-again-says-none grep -q "no nodeport attached" <<<"$OUT"
tc filter add dev nc ingress prio 28272 handle 0x6e70 bpf da \
	obj "$root/bpf/tc_policy.bpf.o" sec tc/ingress
xn squat-refused 6 service nodeport attach nc --node-addr $NODE
check $t:squat-message grep -q 'not attached by xnicctl' <<<"$ERR"
xn squat-detach-refused 6 service nodeport detach nc
expect $t:squat-left-alone "$(tc filter show dev nc ingress | grep -c 'handle 0x6e70')" -eq 1
tc filter del dev nc ingress prio 28272 handle 0x6e70 bpf

dmesg_check $t:dmesg-clean
taint_check $t:taint-clean
