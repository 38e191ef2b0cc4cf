#!/usr/bin/env bash
# Side-by-side recurrent (PTB) child training step: enas (benchmarks/bench_ptb_step.cpp) against
# the same cell in PyTorch (benchmarks/peer/ptb_step.py): the search step (enas_lm's supernet,
# H = 200, N = 8, batch 128, a fresh random cell per step) and the final-training step (the
# published cell alone, H = 800, batch 64), one BPTT window of 35 steps each. Every (side, model)
# runs in its own process, so each peak RSS is that model's alone. Within each round the runs
# alternate enas, torch; each run reports the median step time of its timed steps; the table shows
# the median over rounds of tokens/s and peak RSS and the ratios enas / torch (tokens/s: > 1 means
# enas is faster; memory: < 1 means enas uses less). "CPU-time enas / torch" is the same ratio from
# each step's process CPU time (all threads), the figure to read on a loaded machine at THREADS=1.
#
# Usage: benchmarks/peer/compare_ptb_step.sh [BUILD_DIR] [ROUNDS]
#   BUILD_DIR  a build folder with bench_ptb_step built (default: build/release)
#   ROUNDS     alternating rounds (default: 3)
# Environment: THREADS (default 2: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, torch.set_num_threads);
#   STEPS timed steps per run (default 5); WARMUP (default 2); MODELS (default "search final");
#   PYTHON (default /usr/bin/python3, Debian's python3-torch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build/release}"
rounds="${2:-3}"
threads="${THREADS:-2}"
steps="${STEPS:-5}"
warmup="${WARMUP:-2}"
models="${MODELS:-search final}"
python="${PYTHON:-/usr/bin/python3}"
bench="$build/benchmarks/bench_ptb_step"
[[ -x "$bench" ]] || { echo "compare_ptb_step.sh: $bench not found; build it with: ninja -C $build bench_ptb_step" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare_ptb_step.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
out="$(mktemp -d /tmp/compare_ptb_step.XXXXXX)"
trap 'rm -rf "$out"' EXIT

for ((r = 1; r <= rounds; ++r)); do
  for model in $models; do
    echo "round $r/$rounds: $model: enas" >&2
    ENAS_BENCH_STEPS="$steps" "$bench" --benchmark_filter="^ptb_step/$model/" \
      --benchmark_format=json --benchmark_out="$out/enas_${model}_$r.json" --benchmark_out_format=json >/dev/null
    echo "round $r/$rounds: $model: torch" >&2
    "$python" "$here/ptb_step.py" --model "$model" --threads "$threads" --steps "$steps" --warmup "$warmup" \
      >"$out/torch_${model}_$r.json"
  done
done

"$python" - "$out" "$rounds" "$threads" "$models" <<'PY'
import json, os, statistics, sys
out, rounds, threads, models = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
isa = "AVX-512" if "avx512f" in open("/proc/cpuinfo").read() else "AVX2 + FMA (no AVX-512)"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
rows, torch_version = {}, "?"
for model in models:
    e_tps, e_rss, e_alloc, t_tps, t_rss, e_cpu, t_cpu, counts = [], [], [], [], [], [], [], None
    for r in range(1, rounds + 1):
        with open(os.path.join(out, f"enas_{model}_{r}.json")) as f:
            b = json.load(f)["benchmarks"][0]
        with open(os.path.join(out, f"torch_{model}_{r}.json")) as f:
            t = json.load(f)
        torch_version = t["torch"]
        e_tps.append(b["median_tokens_per_second"]); e_rss.append(b["peak_rss_mib"]); e_alloc.append(b["alloc_peak_in_use_mib"])
        t_tps.append(t["tokens_per_second"]); t_rss.append(t["peak_rss_mib"])
        e_cpu.append(b["cpu_tokens_per_second"]); t_cpu.append(t["cpu_tokens_per_second"])
        counts = ((int(b["params_total"]), int(b["params_check"])), (t["params_total"], t["params_check"]), t["rss_after_import_mib"])
    rows[model] = ([statistics.median(v) for v in (e_tps, t_tps, e_rss, t_rss, e_alloc, e_cpu, t_cpu)], e_tps, t_tps,
                   counts)
print(f"CPU: {cpu} ({isa}), {os.cpu_count()} logical CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
      f"{threads} threads each; torch {torch_version}; medians over {rounds} alternating rounds")
print()
print(f"| {'step':<6} | {'enas tok/s':>10} | {'torch tok/s':>11} | {'enas / torch':>12} | {'CPU-time enas / torch':>21} | "
      f"{'enas peak MiB':>13} | {'torch peak MiB':>14} | {'mem enas / torch':>16} |")
print(f"|{'-' * 8}|{'-' * 12}|{'-' * 13}|{'-' * 14}|{'-' * 23}|{'-' * 15}|{'-' * 16}|{'-' * 18}|")
for model, ((ei, ti, er, tr, _, ec, tc), _, _, _) in rows.items():
    print(f"| {model:<6} | {ei:10.0f} | {ti:11.0f} | {ei / ti:11.2f}x | {ec / tc:20.2f}x | {er:13.0f} | {tr:14.0f} | "
          f"{er / tr:15.2f}x |")
print()
for model, ((_, _, _, _, alloc, _, _), e, t, (ec, tc, base)) in rows.items():
    print(f"{model}: per-round tok/s enas {', '.join(f'{v:.0f}' for v in e)}; torch {', '.join(f'{v:.0f}' for v in t)}; "
          f"parameters (total, published cell) enas {ec}, torch {tc}: {'equal' if ec == tc else 'DIFFERENT'}; "
          f"torch RSS after import {base:.0f} MiB; enas allocator peak in use {alloc:.0f} MiB")
PY
