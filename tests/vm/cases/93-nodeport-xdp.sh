#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Service translation at XDP (np_xdp in bpf/nodeport.bpf.c), attached
# with `xnicctl service nodeport attach DEV --node-addr ADDR --xdp`, on
# Debian's 6.1 kernel. The client and both backends sit behind the same
# xnic port of the node, on a bridge in np_l:
#
#   node: nx (xnic, 10.93.0.1, np_xdp native) ==xnic== xl :np_l
#   np_l: br93 = xl + lc (-> np_xc ec 10.93.0.2, the client)
#                   + l1 (-> np_x1 e1 10.93.0.11, backend b1)
#                   + l2 (-> np_x2 e2 10.93.0.12, backend b2)
#
# With the node's neighbours known, every flow to the VIP (TCP, UDP) and
# to the NodePort is translated at XDP and sent back out of nx (DNAT to a
# backend, SNAT to the node address); the backends' replies come back to
# nx and leave again towards the client from the service address: the
# client's sockets are connected, so an answer from anywhere else would
# never be read. Every line of a connection is answered by one backend;
# the backends see the node address; tc translates no new flow; nx's
# xdp_tx counter moves by at least the packets np_xdp sent; no checksum
# error anywhere (rx checksum off on xl: the receivers verify in
# software). Then: --xdp needs --node-addr, another program on the XDP
# hook is refused, detach removes exactly what attach added.
# The spreads can fail by chance: both backends answering is expected of
# 30 TCP connections (all on one: 2 * 2^-30).
set -u -o pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/tests/lib/report.sh"
. "$root/tests/vm/lib.sh"
. "$root/tests/vm/xnic-lib.sh"
. "$root/tests/vm/nodeport-lib.sh"
X=$root/userspace/xnicctl
PY=(/usr/bin/python3 "$root/tests/vm/nodeport.py")
PIN=/sys/fs/bpf/xnic/lb
t=npxdp

xnicctl_case_begin $t "$X" || exit 0

rm -rf $PIN
on_exit "rm -rf $PIN"
ns_add np_l
pair_add nx xl "" np_l 1
on_exit "ip link del nx 2>/dev/null"
ip addr add 10.93.0.1/24 dev nx
ip link set nx up
ip -n np_l link add br93 type bridge
ip -n np_l link set xl master br93
ip -n np_l link set xl up
ip -n np_l link set br93 up
in_ns np_l ethtool -K xl rx off
hosts=(c 1 2)
addrs=(10.93.0.2 10.93.0.11 10.93.0.12)
for i in 0 1 2; do
	h=${hosts[$i]}
	ns_add np_x$h
	ip -n np_l link add l$h type veth peer name e$h netns np_x$h
	ip -n np_l link set l$h master br93
	ip -n np_l link set l$h up
	ip -n np_x$h addr add ${addrs[$i]}/24 dev e$h
	ip -n np_x$h link set e$h up
	ip -n np_x$h route add default via 10.93.0.1
done
fwd=$(sysctl -n net.ipv4.ip_forward)
sysctl -qw net.ipv4.ip_forward=1
on_exit "sysctl -qw net.ipv4.ip_forward=$fwd"

np_servers np_x1 np_x2 || exit 0

NODE=10.93.0.1
VIP=198.51.100.93
SVC=$VIP:80/tcp
USVC=$VIP:53/udp
NPSVC=0.0.0.0:30093/tcp
BE1=10.93.0.11
BE2=10.93.0.12

client() { in_ns np_xc "${PY[@]}" "$@"; }
show() { "$X" service nodeport show nx --json; }
# SNAT: the backends saw the node, never the client.
flows_ok() { np_flows_ok "$@" $NODE backends-saw-node; }
xdp_id() { ip -j link show dev nx | jq '.[0].xdp.prog.id // 0'; }

xn add-vip 0 service add $SVC --backend $BE1:8080 --backend $BE2:8080
xn add-vip-udp 0 service add $USVC --backend $BE1:5353 --backend $BE2:5353
xn add-nodeport 0 service add $NPSVC --backend $BE1:8080 --backend $BE2:8080

# --- attach: bad input changes nothing --------------------------------
xn xdp-needs-node-addr 1 service nodeport attach nx --xdp
expect $t:bad-attach-left-no-xdp "$(xdp_id)" -eq 0
expect $t:bad-attach-left-no-filter "$(tc filter show dev nx ingress 2>/dev/null | grep -c 'handle 0x6e70')" -eq 0
xn attach 0 service nodeport attach nx --node-addr $NODE --xdp
check $t:attach-says-attached grep -q "nx: nodeport attached" <<<"$OUT"
xn save 0 save
check $t:save-nodeport-xdp-line grep -qx "service nodeport attach nx --node-addr $NODE --xdp" <<<"$OUT"
expect $t:xdp-attached "$(xdp_id)" -gt 0
check $t:show-xdp-prog [ "$(show | jq '.xdp_prog_id // 0')" = "$(xdp_id)" ]
check $t:xdp-native sh -c "ip -d link show dev nx | grep -q 'xdp '"
xn attach-again 0 service nodeport attach nx --node-addr $NODE --xdp
check $t:attach-idempotent grep -q "already attached" <<<"$OUT"

# The node knows its neighbours: np_xdp never has to pass a first packet.
for a in 10.93.0.2 $BE1 $BE2; do ping -c1 -W2 $a >/dev/null; done

tx0=$(ethstat_sum nx 'rx_queue_[0-9]+_xdp_tx$')
R=$(client tcp $VIP 80 30 5)
flows_ok vip-tcp "$R" 30
expect $t:vip-tcp-b1-used "$(count "$R" b1)" -gt 0
expect $t:vip-tcp-b2-used "$(count "$R" b2)" -gt 0
R=$(client tcp 10.93.0.1 30093 10 5)
flows_ok nodeport-tcp "$R" 10
R=$(client udp $VIP 53 20 23000)
flows_ok vip-udp "$R" 20
tx=$(( $(ethstat_sum nx 'rx_queue_[0-9]+_xdp_tx$') - tx0 ))

S=$(show)
echo "    $S"
sent=$(( $(jn "$S" .counters.xdp_tx_new.packets) + $(jn "$S" .counters.xdp_tx_flow.packets) + $(jn "$S" .counters.xdp_tx_reply.packets) ))
expect $t:xdp-tx-new-is-flows "$(jn "$S" .counters.xdp_tx_new.packets)" -eq 60
expect $t:xdp-tx-flow-moved "$(jn "$S" .counters.xdp_tx_flow.packets)" -gt 0
expect $t:xdp-tx-reply-moved "$(jn "$S" .counters.xdp_tx_reply.packets)" -gt 0
expect $t:ethtool-xdp-tx-covers-sent "$tx" -ge "$sent"
for r in xdp_pass_no_node xdp_pass_tc_flow xdp_pass_route xdp_pass_no_neigh \
	 xdp_pass_port_busy dnat_new dnat_flow snat drop_no_backend \
	 drop_malformed drop_fragment drop_rewrite drop_xdp_route; do
	expect $t:no-$r "$(jn "$S" .counters.$r.packets)" -eq 0
done
for ns in "" np_xc np_x1 np_x2; do
	expect $t:no-csum-errors-${ns:-node} "$(csum_errors "$ns")" -eq 0
done

# --- the XDP hook taken by another program: refused -----------------
xn detach 0 service nodeport detach nx
check $t:detach-says-detached grep -q "nodeport detached" <<<"$OUT"
expect $t:detach-removed-xdp "$(xdp_id)" -eq 0
expect $t:detach-removed-filters "$( (tc filter show dev nx ingress; tc filter show dev nx egress) | grep -c 'handle 0x6e70')" -eq 0
check $t:detach-unpinned [ ! -e $PIN/np/nx/xdp_link ]
xn prefilter-attach 0 attach nx --xdp native
on_exit "rm -rf /sys/fs/bpf/xnic/dev/nx"
xn xdp-hook-busy 6 service nodeport attach nx --node-addr $NODE --xdp
check $t:xdp-hook-busy-message grep -q 'needs the hook' <<<"$ERR"
expect $t:busy-left-no-filter "$(tc filter show dev nx ingress | grep -c 'handle 0x6e70')" -eq 0
xn prefilter-detach 0 detach nx
# tc only: no XDP of ours stays behind.
xn attach-tc-only 0 service nodeport attach nx --node-addr $NODE
expect $t:tc-only-no-xdp "$(xdp_id)" -eq 0
xn detach-tc-only 0 service nodeport detach nx

dmesg_check $t:dmesg-clean
taint_check $t:taint-clean
