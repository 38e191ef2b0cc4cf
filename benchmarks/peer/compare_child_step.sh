#!/usr/bin/env bash
# Side-by-side child training step (search mode, a fresh random architecture each step): enas
# (benchmarks/bench_child_step.cpp) against the same supernets in PyTorch
# (benchmarks/peer/child_step.py), macro (L = 12, F = 36, batch 128) and micro (6 + 2 cells, B = 5,
# F = 20, batch 160, aux head). Every (side, model, OpenMP wait policy) runs in its own process,
# so each peak RSS is that model's alone. Within each round the runs alternate enas, torch (the
# machine is noisy; alternating spreads the noise over both); each run reports the median step
# time of its timed steps; the table shows the median over rounds of images/s and peak RSS and the
# ratios enas / torch (images/s: > 1 means enas is faster; memory: < 1 means enas uses less).
#
# Usage: benchmarks/peer/compare_child_step.sh [BUILD_DIR] [ROUNDS]
#   BUILD_DIR  a build folder with bench_child_step built (default: build/release)
#   ROUNDS     alternating rounds (default: 3)
# Environment: THREADS (default 2: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, torch.set_num_threads);
#   POLICIES   OpenMP wait policies to run, space-separated, "default" meaning OMP_WAIT_POLICY
#              unset (default: "default passive");
#   STEPS      timed steps per enas run and per torch macro run (default 5); TORCH_MICRO_STEPS
#              (default 3: one torch micro step takes tens of seconds here); WARMUP (default 2);
#   MODELS     (default "macro micro"); PYTHON (default /usr/bin/python3, Debian's python3-torch).
# OPENBLAS_CORETYPE is passed through as set (this machine's environment sets Haswell: OpenBLAS
# then runs its AVX2 kernels instead of the AVX-512 ones it would pick); the table header says.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build/release}"
rounds="${2:-3}"
threads="${THREADS:-2}"
policies="${POLICIES:-default passive}"
steps="${STEPS:-5}"
torch_micro_steps="${TORCH_MICRO_STEPS:-3}"
warmup="${WARMUP:-2}"
models="${MODELS:-macro micro}"
python="${PYTHON:-/usr/bin/python3}"
bench="$build/benchmarks/bench_child_step"
[[ -x "$bench" ]] || { echo "compare_child_step.sh: $bench not found; build it with: ninja -C $build bench_child_step" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare_child_step.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
out="$(mktemp -d /tmp/compare_child_step.XXXXXX)"
trap 'rm -rf "$out"' EXIT

with_policy() {  # with_policy POLICY COMMAND...: runs COMMAND with OMP_WAIT_POLICY set (or unset for "default")
  local policy="$1"; shift
  if [[ "$policy" == default ]]; then env -u OMP_WAIT_POLICY "$@"; else OMP_WAIT_POLICY="$policy" "$@"; fi
}

for ((r = 1; r <= rounds; ++r)); do
  for model in $models; do
    for policy in $policies; do
      echo "round $r/$rounds: $model, OMP_WAIT_POLICY=$policy: enas" >&2
      with_policy "$policy" env ENAS_BENCH_STEPS="$steps" "$bench" --benchmark_filter="^child_step/$model/" \
        --benchmark_format=json --benchmark_out="$out/enas_${model}_${policy}_$r.json" --benchmark_out_format=json >/dev/null
      echo "round $r/$rounds: $model, OMP_WAIT_POLICY=$policy: torch" >&2
      n="$steps"; [[ "$model" == micro ]] && n="$torch_micro_steps"
      with_policy "$policy" "$python" "$here/child_step.py" --model "$model" --threads "$threads" --steps "$n" \
        --warmup "$warmup" >"$out/torch_${model}_${policy}_$r.json"
    done
  done
done

"$python" - "$out" "$rounds" "$threads" "$policies" "$models" "${OPENBLAS_CORETYPE:-unset}" <<'PY'
import json, os, statistics, sys
out, rounds, threads, policies, models, coretype = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5].split(), sys.argv[6]
rows, checks, alloc, torch_version = {}, {}, {}, "?"
for model in models:
    for policy in policies:
        e_ips, e_rss, t_ips, t_rss = [], [], [], []
        for r in range(1, rounds + 1):
            with open(os.path.join(out, f"enas_{model}_{policy}_{r}.json")) as f:
                b = json.load(f)["benchmarks"][0]
            e_ips.append(b["median_images_per_second"]); e_rss.append(b["peak_rss_mib"])
            alloc.setdefault(model, []).append(b["alloc_peak_in_use_mib"])
            with open(os.path.join(out, f"torch_{model}_{policy}_{r}.json")) as f:
                t = json.load(f)
            torch_version = t["torch"]
            t_ips.append(t["images_per_second"]); t_rss.append(t["peak_rss_mib"])
            checks[model] = ({k: int(b[k]) for k in ("params_total", "params_check0", "params_check1", "params_formula0")},
                             {k: t[k] for k in ("params_total", "params_check0", "params_check1")}, t["rss_after_import_mib"])
        rows[(model, policy)] = [statistics.median(v) for v in (e_ips, t_ips, e_rss, t_rss)] + [e_ips, t_ips]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
      f"{threads} threads each (OMP/OpenBLAS; torch.set_num_threads({threads})); OPENBLAS_CORETYPE={coretype}")
print(f"torch {torch_version}; medians over {rounds} alternating rounds (each run: the median of its timed steps)")
print()
print(f"| {'model':<6} | {'OMP_WAIT_POLICY':<15} | {'enas img/s':>10} | {'torch img/s':>11} | {'enas / torch':>12} | "
      f"{'enas peak MiB':>13} | {'torch peak MiB':>14} | {'mem enas / torch':>16} |")
print(f"|{'-' * 8}|{'-' * 17}|{'-' * 12}|{'-' * 13}|{'-' * 14}|{'-' * 15}|{'-' * 16}|{'-' * 18}|")
for (model, policy), (ei, ti, er, tr, _, _) in rows.items():
    print(f"| {model:<6} | {policy:<15} | {ei:10.1f} | {ti:11.1f} | {ei / ti:11.2f}x | {er:13.0f} | {tr:14.0f} | {er / tr:15.2f}x |")
print()
for (model, policy), row in rows.items():
    print(f"per-round images/s, {model} / {policy}: enas {', '.join(f'{v:.1f}' for v in row[4])}; "
          f"torch {', '.join(f'{v:.1f}' for v in row[5])}")
for model, (e, t, base) in checks.items():
    same = all(e[k] == t[k] for k in t)
    print(f"{model} parameters (trainable elements): enas {e}, torch {t}: {'equal' if same else 'DIFFERENT'}; "
          f"torch's RSS after import: {base:.0f} MiB; enas allocator peak in use {statistics.median(alloc[model]):.0f} MiB")
PY
