#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the benchmark ladder, on demand (not part of `make check`).
# Installs what is missing, builds, installs xnic.ko through DKMS, boots
# one VM on the stock Debian kernel, runs bench/guest.sh there (every rung
# on xnic and on veth in that same boot), then writes the raw figures to
# bench/results/<date>.json and renders docs/benchmarks.md and
# docs/benchmarks.png from them.
#
#   XNIC_BENCH_REPS, _SECONDS, _ONLY, _SCALE, _SERVICES: see bench/guest.sh
#   XNIC_BENCH_TIMEOUT=seconds  whole-VM limit (default 3600; a full run takes ~35 min in TCG)
set -eu -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tests/vm/lib.sh	# vm_find_vng

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: run as root (it installs packages and a kernel module)" >&2
	exit 1
fi
out=build/bench
mkdir -p "$out" bench/results

if scripts/setup-needed.sh; then
	scripts/setup.sh
fi
kver=$(scripts/kver.sh)
kernel=/boot/vmlinuz-$kver
vm_find_vng

echo "=== bench: build"
make all >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; exit 1; }
echo "=== bench: DKMS install for $kver"
scripts/dkms.sh install >"$out/dkms.log" 2>&1 || { tail -n 30 "$out/dkms.log"; exit 1; }

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
raw=$out/results.jsonl
: >"$raw"
echo "=== bench: VM on $kernel (TCG; several minutes)"
# The guest does not inherit our environment: pass the knobs on, set ones
# only (XNIC_BENCH_PROFILE="" is set: it means no profiles).
envs=""
for v in XNIC_BENCH_REPS XNIC_BENCH_SECONDS XNIC_BENCH_ONLY XNIC_BENCH_SCALE \
	XNIC_BENCH_SERVICES XNIC_BENCH_WARMUP XNIC_BENCH_PROFILE; do
	[ -z "${!v+set}" ] || envs+="$v=$(printf %q "${!v}") "
done
rc=0
timeout -k 30 "${XNIC_BENCH_TIMEOUT:-3600}" "${VNG[@]}" --run "$kernel" \
	--disable-kvm --force-9p --cpus 2 --memory 2G --rwdir "$root/$out" \
	--exec "$envs bash $(printf %q "$root/bench/guest.sh") $(printf %q "$root/$raw")" \
	</dev/null 2>&1 | cat || rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	echo "bench: the VM run failed (status $rc); nothing rendered" >&2
	exit 1
fi

json=bench/results/$stamp.json
cp "$raw" "$json"
machine="$(nproc) host CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
bench/render.py "$json" docs/benchmarks.md docs/benchmarks.png "$machine" "$kver"
echo "=== bench: $(wc -l <"$json") measurements in $json; table in docs/benchmarks.md"
