#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one benchmark run (JSON lines from bench/guest.sh) into
docs/benchmarks.md and a PNG plot.

    bench/render.py RESULTS.json OUT.md OUT.png "MACHINE" "KERNEL"

Per repetition: pps = packets / window; the receiver's cost per packet is
CPU 1's busy time / packets for xnic (its vector runs on CPU 1), and
1e9 / pps minus the generator's cost per packet for veth (veth's NAPI runs
on the sending CPU, so only the rate tells). Medians, minima and maxima
are over the repetitions; ratios are taken between medians of one run.
"""
import json
import os
import statistics
import subprocess
import sys

# The ladder, in the order the receive path meets each stage.
RUNGS = [
    ("xdp-drop", "native XDP_DROP (no skb)"),
    ("xdp-generic-drop", "generic XDP drop"),
    ("tc-drop", "tc clsact ingress BPF drop"),
    ("xdp-pass-tc-drop", "XDP_PASS no-op, then tc drop"),
    ("nft-ingress-drop", "nftables netdev ingress drop"),
    ("iptables-raw-drop", "iptables raw PREROUTING drop"),
    ("iptables-input-drop", "iptables filter INPUT drop"),
    ("udp-socket", "UDP socket, recvmmsg reader"),
    ("xdp-tx", "XDP_TX back to the sender"),
    ("xdp-redirect-xnic", "XDP_REDIRECT to xnic (dropped there)"),
    ("xdp-redirect-veth", "XDP_REDIRECT to veth (dropped there)"),
]


def load(path):
    """(measurements, profiles): the two kinds of line guest.sh writes."""
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return ([r for r in lines if "rung" in r],
            [r for r in lines if "profile" in r])


def stats(values):
    if not values:
        return None
    return (statistics.median(values), min(values), max(values))


def summarize(rows):
    """{(dev, rung): {"pps": (med, min, max), "ns": (...), "missed": n}}"""
    def gen_cost(rung):
        v = [r["window_ns"] / r["packets"]
             for r in rows if r["rung"] == rung and r["packets"] > 0]
        return statistics.median(v) if v else None

    gen_ns = gen_cost("generator")
    # veth's generator runs without clone_skb and burst (guest.sh)
    single_ns = gen_cost("generator-single")
    out = {}
    keys = {(r["dev"], r["rung"]) for r in rows}
    for key in keys:
        reps = [r for r in rows if (r["dev"], r["rung"]) == key
                and r["packets"] > 0]
        pps = [r["packets"] * 1e9 / r["window_ns"] for r in reps]
        if key[0] == "xnic":
            ns = [r["cpu1_busy_ns"] / r["packets"] for r in reps]
        elif key[0] == "svc":
            # client and server each on a CPU: both CPUs' time counts
            ns = [(r["cpu0_busy_ns"] + r["cpu1_busy_ns"]) / r["packets"]
                  for r in reps]
        elif (key[0] == "veth" and single_ns is not None
              and not key[1].startswith("frame-")):
            ns = [1e9 / p - single_ns for p in pps]
        else:
            ns = [1e9 / p for p in pps]
        out[key] = {"pps": stats(pps), "ns": stats(ns),
                    "missed": sum(r["missed"] for r in reps),
                    "reps": len(reps)}
    return out, gen_ns, single_ns


# Blocklist scaling rungs: "scale-<mechanism>-<entries>".
SCALING = [
    ("xdp-lpm", "XDP prefilter, LPM trie"),
    ("nft-set", "nftables ingress set"),
    ("iptables", "iptables raw, one rule each"),
]


def scaling_lines(summ):
    """Markdown for the blocklist scaling rungs, or [] if none ran."""
    sizes = sorted({int(rung.rsplit("-", 1)[1]) for dev, rung in summ
                    if rung.startswith("scale-")})
    if not sizes:
        return []
    lines = [
        "",
        "## Blocklist scaling",
        "",
        "The same N source prefixes (/16s, none matching the generator) in "
        "each blocklist; every packet is looked up, misses, and is dropped "
        "right after (XDP: passes, then a tc BPF drop; nftables and "
        "iptables: a `udp dport 9` drop). Receiver ns per packet, median "
        "(min-max), and the growth against the same row with "
        f"{sizes[0]} entr{'y' if sizes[0] == 1 else 'ies'}.",
        "",
        "| Entries | " + " | ".join(label for _, label in SCALING) + " |",
        "|---|" + "---|" * len(SCALING),
    ]
    for n in sizes:
        cells = []
        for mech, _ in SCALING:
            cur = summ.get(("xnic", f"scale-{mech}-{n}"), {}).get("ns")
            base = summ.get(("xnic", f"scale-{mech}-{sizes[0]}"), {}).get("ns")
            cells.append(f"{fmt_range(cur)} ({ratio(cur, base)})")
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


# Ways to a service: "svc-<mech>-crr-<N>" rungs.
SVC_MECHS = [
    ("socklb", "socket LB"),
    ("nodeport", "tc translation"),
    ("iptables", "iptables"),
]


def services_lines(summ):
    """Markdown for the service rungs (dev "svc"), or [] if none ran."""
    def get(rung):
        return summ.get(("svc", rung))

    sizes = sorted({int(rung.rsplit("-", 1)[1]) for dev, rung in summ
                    if dev == "svc" and "-crr-" in rung})
    direct = get("svc-direct-crr")
    if not sizes and not direct:
        return []
    lines = [
        "",
        "## Services",
        "",
        "A TCP client in one netns (CPU 0) reaches a backend in another "
        "(CPU 1) through a forwarding node, over xnic pairs: directly, "
        "through a VIP translated by the socket load balancer at connect() "
        "(`xnicctl service`), through a VIP translated in every packet by "
        "tc on the node's client-facing port (`xnicctl service nodeport`), "
        "or through a VIP translated by kube-proxy-style iptables rules "
        "(nat PREROUTING, one KUBE-SERVICES rule per service, DNAT, "
        "conntrack). N services "
        "exist and the client uses the last one added. crr: connect, one "
        "byte each way, close (RST); rr: one byte each way on one "
        "connection. Rates are transactions per second, median "
        "(min-max); the CPU cost is both CPUs' busy time per transaction.",
        "",
        "| Services | " + " | ".join(
            f"{label} conn/s | vs 1st row | {label} us/conn"
            for _, label in SVC_MECHS) + " |",
        "|---|" + "---|---|---|" * len(SVC_MECHS),
    ]
    if direct:
        lines.append(f"| direct to the backend | {fmt_range(direct['pps'])} "
                     f"| | {fmt_range(us(direct['ns']), 1)} |"
                     + " | | |" * (len(SVC_MECHS) - 1))
    for n in sizes:
        cells = []
        for mech, _ in SVC_MECHS:
            cur = get(f"svc-{mech}-crr-{n}") or {}
            base = get(f"svc-{mech}-crr-{sizes[0]}") or {}
            cells += [fmt_range(cur.get("pps")),
                      ratio(cur.get("pps"), base.get("pps")),
                      fmt_range(us(cur.get("ns")), 1)]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    rr = [(label, get(rung)) for rung, label in (
        ("svc-direct-rr", "direct to the backend"),
        ("svc-socklb-rr", "socket LB (VIP)"),
        ("svc-nodeport-rr", "tc per-packet translation (VIP)"),
        ("svc-iptables-rr", "iptables DNAT (VIP)"))]
    base = get("svc-direct-rr") or {}
    lines += [
        "",
        f"Requests on one established connection ({sizes[0] if sizes else 0:,} "
        "service(s)):",
        "",
        "| Path | requests/s | vs direct | ns CPU per request |",
        "|---|---|---|---|",
    ]
    for label, cur in rr:
        if cur:
            lines.append(f"| {label} | {fmt_range(cur['pps'])} | "
                         f"{ratio(cur['pps'], base.get('pps'))} | "
                         f"{fmt_range(cur['ns'])} |")
    return lines


# Frame-origin rungs: "frame-<ladder rung>".
FRAME_RUNGS = ["xdp-drop", "xdp-generic-drop", "tc-drop",
               "iptables-raw-drop", "udp-socket"]


def frame_lines(summ):
    """Markdown for the frame-origin rungs, or [] if none ran."""
    if not any(rung.startswith("frame-") for _, rung in summ):
        return []
    labels = dict(RUNGS)
    x_base = summ.get(("xnic", "frame-xdp-drop"), {}).get("ns")
    lines = [
        "",
        "## Frame origin",
        "",
        "The first rungs again with xdp_frames instead of skbs: "
        "`xdp_livegen` (tests/progs) runs an XDP_REDIRECT program with "
        "BPF_PROG_RUN in live-frames mode on CPU 0, as xdp-trafficgen "
        "does, into the peer's `ndo_xdp_xmit`. xnic's receiver does the "
        "same work for either origin; veth skips its copy of every skb "
        "into a page, and takes frames only with an XDP program on the "
        "receiver, so its one row is XDP_DROP. veth's NAPI runs on the "
        "sending CPU, so only its rate is shown.",
        "",
        "| Stage | xnic pps | xnic ns/pkt | vs frame XDP drop | "
        "vs the same stage, skb origin | veth pps | xnic/veth rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for rung in FRAME_RUNGS:
        x = summ.get(("xnic", "frame-" + rung))
        v = summ.get(("veth", "frame-" + rung))
        if not x and not v:
            continue
        skb = summ.get(("xnic", rung), {}).get("ns")
        lines.append(
            f"| {labels[rung]} | {fmt_range(x and x['pps'])} | "
            f"{fmt_range(x and x['ns'])} | {ratio(x and x['ns'], x_base)} | "
            f"{ratio(x and x['ns'], skb)} | {fmt_range(v and v['pps'])} | "
            f"{ratio(x and x['pps'], v and v['pps']) if v else ''} |")
    return lines


def queues_lines(summ):
    """Markdown for the 1- and 2-queue rungs, or [] if they did not run."""
    one = summ.get(("xnic", "queues-1"))
    two = summ.get(("xnic", "queues-2"))
    if not one and not two:
        return []
    return [
        "",
        "## Receive queues",
        "",
        "Two pktgen threads (one per CPU, 16 UDP flows each) into a "
        "two-queue xnic pair whose receiver drops with native XDP; queue "
        "0's vector on CPU 1, queue 1's on CPU 0. RSS steers every flow to "
        "queue 0 (`ethtool -X equal 1`) or spreads them (`equal 2`). Both "
        "CPUs also generate, so this is the aggregate drop rate under one "
        "offered load, not a per-CPU cost.",
        "",
        "| Queues | drops/s | vs 1 queue |",
        "|---|---|---|",
        f"| 1 | {fmt_range(one and one['pps'])} | 1.00x |",
        f"| 2 | {fmt_range(two and two['pps'])} | "
        f"{ratio(two and two['pps'], one and one['pps'])} |",
    ]


def tcp_mbps(rows):
    """{iperf3 rung: (med, min, max) Mbit/s}"""
    mbps = {}
    for r in rows:
        if r["dev"] == "tcp" and r["window_ns"] > 0:
            mbps.setdefault(r["rung"], []).append(
                r["bytes"] * 8e3 / r["window_ns"])
    return {k: stats(v) for k, v in mbps.items()}


def largest(summ, dev, prefix):
    """(N, summary) of the rung PREFIX-N with the largest N, or (None, None)."""
    sizes = [int(rung.rsplit("-", 1)[1]) for d, rung in summ
             if d == dev and rung.startswith(prefix)
             and rung.rsplit("-", 1)[1].isdigit()]
    if not sizes:
        return None, None
    return max(sizes), summ.get((dev, f"{prefix}{max(sizes)}"))


def targets_lines(summ, rows):
    """The issue's targets, each measured ratio against its bound."""
    def med(dev, rung, what):
        s = summ.get((dev, rung))
        return s[what][0] if s and s[what] else None

    def row(label, value, bound, higher_is_better, how):
        if value is None:
            return f"| {label} | n/a | {how} | not measured |"
        met = value >= bound if higher_is_better else value <= bound
        return (f"| {label} | {value:.3f} | {how} | "
                f"{'met' if met else '**missed**'} |")

    def div(a, b):
        return a / b if a is not None and b else None

    x_ns = med("xnic", "xdp-drop", "ns")
    x_pps = med("xnic", "xdp-drop", "pps")
    lines = [
        "",
        "## Targets",
        "",
        "Each target of the benchmark issue as a ratio of this run's "
        "medians (costs: receiver ns per packet; rates: packets, "
        "transactions or bits per second).",
        "",
        "| Target | Measured | Bound | Verdict |",
        "|---|---|---|---|",
        row("xnic XDP_DROP cost / veth XDP_DROP cost (skb origin)",
            div(x_ns, med("veth", "xdp-drop", "ns")), 0.5, False, "<= 0.50"),
        row("xnic XDP_DROP cost / iptables raw PREROUTING cost",
            div(x_ns, med("xnic", "iptables-raw-drop", "ns")), 0.2, False,
            "<= 0.20"),
        row("xnic XDP_DROP cost / generic XDP drop cost",
            div(x_ns, med("xnic", "xdp-generic-drop", "ns")), 0.5, False,
            "<= 0.50"),
        row("xnic XDP_DROP rate / generator ceiling",
            div(x_pps, med("dummy", "generator", "pps")), 0.5, True,
            ">= 0.50"),
        row("XDP_TX rate / XDP_DROP rate",
            div(med("xnic", "xdp-tx", "pps"), x_pps), 0.6, True, ">= 0.60"),
        row("XDP_REDIRECT to xnic rate / XDP_DROP rate",
            div(med("xnic", "xdp-redirect-xnic", "pps"), x_pps), 0.4, True,
            ">= 0.40"),
        row("XDP_REDIRECT to veth rate / XDP_DROP rate",
            div(med("xnic", "xdp-redirect-veth", "pps"), x_pps), 0.4, True,
            ">= 0.40"),
    ]
    def growth(dev, prefix, what, bound, higher, how):
        """PREFIX-<largest N> against PREFIX-1, by rate."""
        n, big = largest(summ, dev, prefix)
        one = summ.get((dev, prefix + "1"))
        return row(what.format(n or "N"),
                   div(big and big["pps"][0], one and one["pps"][0]),
                   bound, higher, how)

    lines.append(growth("xnic", "scale-xdp-lpm-",
                        "prefilter drop rate, {} entries / 1 entry",
                        0.9, True, ">= 0.90"))
    lines.append(growth("xnic", "scale-iptables-",
                        "iptables drop rate, {} rules / 1 rule",
                        1.0, False, "< 1 (falls)"))
    lines.append(row("socket LB requests/s / direct to the backend",
                     div(med("svc", "svc-socklb-rr", "pps"),
                         med("svc", "svc-direct-rr", "pps")),
                     0.95, True, ">= 0.95"))
    lines.append(growth("svc", "svc-socklb-crr-",
                        "socket LB connections/s, {} services / 1",
                        0.9, True, ">= 0.90"))
    tcp = tcp_mbps(rows)
    lines.append(row("TCP throughput xnic / veth",
                     div(tcp.get("tcp-xnic", (None,))[0],
                         tcp.get("tcp-veth", (None,))[0]),
                     0.5, True, ">= 0.50"))
    return lines


def profile_lines(profiles):
    """The perf profiles of CPU 1, ten symbols each, side by side."""
    if not profiles:
        return []
    lines = [
        "",
        "## Where the receiving CPU's time goes",
        "",
        "`perf record -e cpu-clock -C 1` for one window on xnic rungs "
        "(TCG has no PMU, so sampling is by timer), the ten symbols with "
        "the most samples: share of all of CPU 1's samples, idle included.",
        "",
        "| # | " + " | ".join(f"{p['profile']} ({p['samples']:,} samples)"
                            for p in profiles) + " |",
        "|---|" + "---|" * len(profiles),
    ]
    for i in range(10):
        cells = []
        for p in profiles:
            top = p["top"]
            cells.append(f"`{top[i][1]}` {top[i][0]:.1f}%" if i < len(top)
                         else "")
        lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    return lines


def tcp_lines(rows):
    """Markdown for the iperf3 rungs (dev "tcp"), or [] if none ran."""
    get = tcp_mbps(rows)
    if not get:
        return []
    lines = [
        "",
        "## TCP throughput",
        "",
        "iperf3, one flow from the initial netns (CPU 0) to a server in "
        "another netns (CPU 1), received Mbit/s, median (min-max). xnic "
        "offers TSO: with no program its DMA engine copies each TSO frame "
        "whole (hardware GRO at the receiver); with XDP attached it cuts "
        "wire frames, which XDP must see.",
        "",
        "| Pair | no program | no-op native XDP on the receiver | "
        "XDP vs none |",
        "|---|---|---|---|",
    ]
    for kind in ("xnic", "veth"):
        a, b = get.get(f"tcp-{kind}"), get.get(f"tcp-{kind}-xdp-pass")
        lines.append(f"| {kind} | {fmt_range(a)} | {fmt_range(b)} | "
                     f"{ratio(b, a)} |")
    lines.append(f"| xnic/veth | {ratio(get.get('tcp-xnic'), get.get('tcp-veth'))}"
                 f" | {ratio(get.get('tcp-xnic-xdp-pass'), get.get('tcp-veth-xdp-pass'))}"
                 " | |")
    return lines


def us(s):
    """A (median, min, max) of ns in microseconds."""
    return tuple(v / 1000 for v in s) if s else None


def fmt_range(s, digits=0):
    if s is None:
        return "n/a"
    med, lo, hi = s
    return f"{med:,.{digits}f} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def ratio(a, b):
    if a is None or b is None or b[0] <= 0:
        return "n/a"
    return f"{a[0] / b[0]:.2f}x"


def render(rows, profiles, md_path, png_path, machine, kernel, json_name):
    summ, gen_ns, single_ns = summarize(rows)
    reps = max((r["rep"] for r in rows), default=0)
    gen = summ.get(("dummy", "generator"))
    gsingle = summ.get(("dummy", "generator-single"))
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (scripts/bench.sh, bench/guest.sh, "
        "bench/render.py) from `bench/results/" + json_name + "`.",
        "",
        f"- Machine: {machine}",
        f"- Kernel: {kernel} (stock Debian), QEMU TCG software emulation, "
        "2 vCPUs: absolute figures are about 100x below bare metal; only "
        "ratios within this one boot mean something.",
        f"- Method: pktgen (64-byte UDP, `clone_skb 1000`, `burst 32`) on "
        "CPU 0 in netns `gen`; one receive queue whose vector and NAPI run "
        f"on CPU 1. {reps} repetitions of a measured window after a 1 s "
        "warm-up; medians with (min-max).",
        "- xnic cost per packet: CPU 1's busy time (/proc/stat) divided by "
        "the frames its RX ring took in (`rx_queue_*_dma_frames`).",
        "- veth cost per packet: veth runs its NAPI on the sending CPU, so "
        "the receiver cannot be isolated; its cost is 1e9/pps minus the "
        "generator's own cost per packet (pktgen into `dummy`). veth "
        "refuses `clone_skb` and `burst` (it clears IFF_TX_SKB_SHARING), "
        "so its generator allocates an skb per packet; the cost subtracted "
        "is the generator's with those settings. Compare veth rows with "
        "each other and xnic with veth by rate on like generators (below).",
        "- Generator ceiling (pktgen into `dummy`): "
        + (fmt_range(gen["pps"]) + " pps" if gen else "not measured")
        + (f", {gen_ns:,.0f} ns per packet" if gen_ns else "")
        + "; an skb per packet, no burst: "
        + (fmt_range(gsingle["pps"]) + " pps" if gsingle else "not measured")
        + (f", {single_ns:,.0f} ns per packet" if single_ns else "") + ".",
        "",
        "| Rung | xnic pps | xnic ns/pkt | vs xnic XDP drop | "
        "veth pps | veth ns/pkt | vs veth XDP drop | "
        "xnic/veth rate, unlike generators |",
        "|---|---|---|---|---|---|---|---|",
    ]
    x_base = summ.get(("xnic", "xdp-drop"), {}).get("ns")
    v_base = summ.get(("veth", "xdp-drop"), {}).get("ns")
    plot = []
    for rung, label in RUNGS:
        x = summ.get(("xnic", rung))
        v = summ.get(("veth", rung))
        if not x and not v:
            continue
        xp, xn = (x["pps"], x["ns"]) if x else (None, None)
        vp, vn = (v["pps"], v["ns"]) if v else (None, None)
        lines.append(
            f"| {label} | {fmt_range(xp)} | {fmt_range(xn)} | "
            f"{ratio(xn, x_base)} | {fmt_range(vp)} | {fmt_range(vn)} | "
            f"{ratio(vn, v_base)} | {ratio(xp, vp)} |")
        plot.append((rung, xn[0] if xn else 0, vn[0] if vn else 0))
    missed = sum(s["missed"] for k, s in summ.items() if k[0] == "xnic")
    fastest = max((s["pps"][0] for k, s in summ.items()
                   if k[0] in ("xnic", "veth") and s["pps"]
                   and not k[1].startswith(("queues-", "frame-"))),
                  default=0)
    if gen and fastest:
        head = gen["pps"][0] / fastest
        verdict = ("well above" if head >= 2 else
                   "NOT well above: the generator may limit the fast rungs")
        lines += ["", f"Generator headroom: its ceiling is {head:.1f}x the "
                  f"fastest rung's median rate ({verdict})."]
    xs = summ.get(("xnic", "xdp-drop-single"))
    vs = summ.get(("veth", "xdp-drop"))
    if xs:
        lines += ["", "Like for like (an skb per packet, no burst, as veth "
                  "takes): xnic native XDP_DROP "
                  f"{fmt_range(xs['pps'])} pps, veth {fmt_range(vs and vs['pps'])}"
                  f" pps: xnic/veth rate {ratio(xs['pps'], vs and vs['pps'])}."]
    lines += frame_lines(summ)
    lines += scaling_lines(summ)
    lines += services_lines(summ)
    lines += queues_lines(summ)
    lines += tcp_lines(rows)
    lines += [
        "",
        f"Frames xnic's receiver missed for want of a posted buffer over "
        f"all rungs: {missed:,} (the ring overflowed when the receiver was "
        "slower than the generator; the rate is then the receiver's).",
        "",
        "![cost per packet](benchmarks.png)",
    ]
    lines += targets_lines(summ, rows)
    lines += profile_lines(profiles)
    lines.append("")
    with open(md_path, "w") as f:
        f.write("\n".join(lines))

    if not plot:
        print("render: no ladder rung ran, no plot", file=sys.stderr)
        return
    dat = png_path + ".dat"
    with open(dat, "w") as f:
        for rung, xn, vn in plot:
            f.write(f"{rung} {xn:.1f} {vn:.1f}\n")
    script = f"""
set terminal pngcairo size 1000,500 noenhanced
set output '{png_path}'
set title 'Receiver cost per 64-byte packet, one boot ({kernel}, TCG)'
set ylabel 'ns per packet'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
set key top left
plot '{dat}' using 2:xtic(1) title 'xnic', '' using 3 title 'veth'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"render: no plot ({e})", file=sys.stderr)
    finally:
        os.unlink(dat)


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: render.py RESULTS.json OUT.md OUT.png MACHINE KERNEL")
    rows, profiles = load(sys.argv[1])
    if not rows:
        sys.exit(f"render: no measurements in {sys.argv[1]}")
    render(rows, profiles, sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
           os.path.basename(sys.argv[1]))


if __name__ == "__main__":
    main()
