#!/usr/bin/env bash
# Side-by-side dense conv benchmark: enas (benchmarks/bench_conv.cpp) against PyTorch
# (benchmarks/peer/torch_conv.py) on the macro search shapes, both with 2 OpenMP / BLAS threads.
# The two run alternately for ROUNDS rounds (the machine is noisy; alternating spreads the noise
# over both); each round takes the median of its repetitions, and the table shows the median over
# rounds and the ratio enas / torch of the rates (> 1: enas is faster).
#
# Usage: benchmarks/peer/compare_conv.sh [BUILD_DIR] [ROUNDS]
#   BUILD_DIR  a build folder with bench_conv built (default: build/release, the release preset)
#   ROUNDS     alternating rounds (default: 5)
# Environment: THREADS (default 2), PYTHON (default /usr/bin/python3, Debian's python3-torch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build/release}"
rounds="${2:-5}"
threads="${THREADS:-2}"
python="${PYTHON:-/usr/bin/python3}"
bench="$build/benchmarks/bench_conv"
[[ -x "$bench" ]] || { echo "compare_conv.sh: $bench not found; build it with: ninja -C $build bench_conv" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare_conv.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
out="$(mktemp -d /tmp/compare_conv.XXXXXX)"
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  echo "round $r/$rounds: enas" >&2
  "$bench" --benchmark_filter='^(conv/k[0-9]_s[0-9]/[a-z_]+/real_time|sgemm/.*)$' --benchmark_repetitions=3 \
    --benchmark_min_time=0.2 --benchmark_report_aggregates_only=true --benchmark_format=json \
    --benchmark_out="$out/enas_$r.json" --benchmark_out_format=json >/dev/null
  echo "round $r/$rounds: torch" >&2
  "$python" "$here/torch_conv.py" --threads "$threads" --repeats 3 --min-time 0.2 >"$out/torch_$r.json"
done

"$python" - "$out" "$rounds" "$threads" <<'PY'
import json, os, statistics, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3]
enas, torch, sgemm = {}, {}, []
unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
for r in range(1, rounds + 1):
    with open(os.path.join(out, f"enas_{r}.json")) as f:
        ctx_json = json.load(f)
    for b in ctx_json["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].removesuffix("/real_time")
        if name.startswith("sgemm"):
            sgemm.append(b["gflops"])
            continue
        enas.setdefault(name, []).append((b["real_time"] * unit[b["time_unit"]], b["gflops"]))
    with open(os.path.join(out, f"torch_{r}.json")) as f:
        tj = json.load(f)
    for name, v in tj["results"].items():
        torch.setdefault(name, []).append((v["seconds"], v["gflops"]))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs; {threads} OpenMP threads (enas, torch), {threads} OpenBLAS threads")
print(f"torch {tj['torch']} ({tj['threads']} threads); medians over {rounds} alternating rounds")
print(f"SGEMM 2048^3 yardstick (enas::cpu::gemm, 2 threads): {statistics.median(sgemm):.1f} GFLOP/s")
print()
print(f"| {'shape / pass':<28} | {'enas ms':>8} | {'torch ms':>8} | {'enas GFLOP/s':>12} | {'torch GFLOP/s':>13} | {'enas / torch':>12} |")
print(f"|{'-' * 30}|{'-' * 10}|{'-' * 10}|{'-' * 14}|{'-' * 15}|{'-' * 14}|")
for name in enas:
    if name not in torch:
        continue
    e_s = statistics.median(s for s, _ in enas[name]); e_g = statistics.median(g for _, g in enas[name])
    t_s = statistics.median(s for s, _ in torch[name]); t_g = statistics.median(g for _, g in torch[name])
    print(f"| {name.removeprefix('conv/'):<28} | {e_s * 1e3:8.2f} | {t_s * 1e3:8.2f} | {e_g:12.1f} | {t_g:13.1f} | {t_s / e_s:11.2f}x |")
PY
