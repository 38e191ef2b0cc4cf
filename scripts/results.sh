#!/usr/bin/env bash
# Reproduces the tables of docs/results.md on the shared CIFAR-10 copy (one training batch of
# 10,000 images, JPEG-75): quick macro and micro searches with the ENAS controller and with
# RandomSearch for the same budget, cifar_train of each derived architecture, and cifar_train of
# the authors' released architectures, all at the `quick` preset (CPU-sized). Prints a markdown
# table at the end. Usage: scripts/results.sh [BUILD_DIR] [OUT_DIR]   (default build/release, runs/results)
set -euo pipefail
build=${1:-build/release}
out=${2:-runs/results}
data=${ENAS_CIFAR_DIR:-../shared/data/cifar10-jpeg75}
mkdir -p "$out"
common=(--dataset cifar10 --data "$data" --preset quick --force)

# The two spaces run side by side (one core each: OMP_NUM_THREADS=1 is set by the caller or here).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
run_space() {
  local space=$1
  for policy in enas random; do
    run="$out/search-$space-$policy"
    /usr/bin/time -f "%e" -o "$run.time" "$build/examples/cifar_search" "${common[@]}" --space "$space" \
      --policy "$policy" --out "$run" > "$run.log" 2>&1
    /usr/bin/time -f "%e" -o "$run-retrain.time" "$build/examples/cifar_train" "${common[@]}" --space "$space" \
      --arch "$run/best_arch.txt" --out "$run-retrain" > "$run-retrain.log" 2>&1
  done
  run="$out/released-$space"
  /usr/bin/time -f "%e" -o "$run.time" "$build/examples/cifar_train" "${common[@]}" --space "$space" --arch released \
    --out "$run" > "$run.log" 2>&1
}
run_space macro &
run_space micro &
wait

/usr/bin/python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
def load(p): return json.loads((out / p / "summary.json").read_text())
def secs(p): return float((out / (p + ".time")).read_text().split()[-1])
print("| space | policy | search: reward (shared weights) | search: valid / test (shared weights) | search time | retrain: test accuracy per epoch | retrain time |")
print("|---|---|---|---|---|---|---|")
for space in ("macro", "micro"):
    for policy in ("enas", "random"):
        s, r = load(f"search-{space}-{policy}"), load(f"search-{space}-{policy}-retrain")
        per_epoch = " / ".join(f"{h['test_accuracy']:.3f}" for h in r["history"])
        print(f"| {space} | {policy} | {s['best_reward']:.3f} | {s['valid_accuracy']:.3f} / {s['test_accuracy']:.3f} | "
              f"{secs(f'search-{space}-{policy}'):.0f} s | {per_epoch} | {secs(f'search-{space}-{policy}-retrain'):.0f} s |")
print()
print("| released arch | params | test accuracy per epoch | images/s | time |")
print("|---|---|---|---|---|")
for space in ("macro", "micro"):
    r = load(f"released-{space}")
    per_epoch = " / ".join(f"{h['test_accuracy']:.3f}" for h in r["history"])
    print(f"| {space} | {r['params']:,} | {per_epoch} | {r['images_per_second']:.0f} | {secs(f'released-{space}'):.0f} s |")
PY
