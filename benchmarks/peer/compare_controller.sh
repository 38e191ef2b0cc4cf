#!/usr/bin/env bash
# Side-by-side controller benchmark: one macro (L = 12) architecture sample plus its REINFORCE
# update, enas (benchmarks/bench_controller.cpp) against the same controller in PyTorch
# (benchmarks/peer/torch_controller.py, two implementations), both on one thread. The two run
# alternately for ROUNDS rounds (the machine is noisy; alternating spreads the noise over both);
# each round takes the median of its repetitions; the table shows the median over rounds and the
# ratio torch / enas of the times (> 1: enas is faster), against the faster torch implementation.
#
# Usage: benchmarks/peer/compare_controller.sh [BUILD_DIR] [ROUNDS]
#   BUILD_DIR  a build folder with bench_controller built (default: build)
#   ROUNDS     alternating rounds (default: 5)
# Environment: PYTHON (default /usr/bin/python3, Debian's python3-torch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
rounds="${2:-5}"
python="${PYTHON:-/usr/bin/python3}"
bench="$build/benchmarks/bench_controller"
[[ -x "$bench" ]] || { echo "compare_controller.sh: $bench not found; build it with: ninja -C $build bench_controller" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare_controller.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
out="$(mktemp -d /tmp/compare_controller.XXXXXX)"
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  echo "round $r/$rounds: enas" >&2
  "$bench" --benchmark_filter='^controller/macro_L12/sample_update' --benchmark_repetitions=5 \
    --benchmark_min_time=0.2 --benchmark_report_aggregates_only=true --benchmark_format=json \
    --benchmark_out="$out/enas_$r.json" --benchmark_out_format=json >/dev/null
  echo "round $r/$rounds: torch" >&2
  "$python" "$here/torch_controller.py" --threads 1 --repeats 5 --min-time 0.3 >"$out/torch_$r.json"
done

"$python" - "$out" "$rounds" <<'PY'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
enas, torch = {}, {}
for r in range(1, rounds + 1):
    with open(os.path.join(out, f"enas_{r}.json")) as f:
        for b in json.load(f)["benchmarks"]:
            if b.get("aggregate_name") != "median":
                continue
            name = b["run_name"].removeprefix("controller/").rsplit("/", 1)[0]  # drop the /<arg> suffix
            enas.setdefault(name, []).append(b["real_time"] * unit[b["time_unit"]])
    with open(os.path.join(out, f"torch_{r}.json")) as f:
        tj = json.load(f)
    for name, v in tj["results"].items():
        torch.setdefault(name, []).append(v["seconds"])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs; 1 thread each (enas; torch.set_num_threads(1))")
print(f"torch {tj['torch']}; medians over {rounds} alternating rounds")
print()
print(f"| {'macro L=12, sample + update':<30} | {'enas us':>8} | {'torch manual us':>15} | {'torch LSTMCell us':>17} | {'torch / enas':>12} |")
print(f"|{'-' * 32}|{'-' * 10}|{'-' * 17}|{'-' * 19}|{'-' * 14}|")
for name in sorted(enas):
    manual, cell = torch.get(name + "/manual"), torch.get(name + "/lstmcell")
    if not manual or not cell:
        continue
    e = statistics.median(enas[name])
    m, c = statistics.median(manual), statistics.median(cell)
    label = name.removeprefix("macro_L12/sample_update/")
    label = {"agg1": "Adam every sample (agg 1)", "agg20": "script num_aggregate 20"}.get(label, label)
    print(f"| {label:<30} | {e * 1e6:8.0f} | {m * 1e6:15.0f} | {c * 1e6:17.0f} | {min(m, c) / e:11.1f}x |")
PY
