#!/usr/bin/env bash
# Builds and runs the whole test suite: the release build (unit, oracle and data tests, plus the
# benchmarks and examples compiled), the sanitizer build (address + undefined) running the unit
# tests, the libFuzzer harnesses (fuzz preset), and a downstream project that consumes the
# installed package with find_package(enas).
# Prints how long each stage took. Usage: scripts/test.sh [--skip-sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${ENAS_JOBS:-$(nproc)}
skip_sanitize=0
[ "${1:-}" = "--skip-sanitize" ] && skip_sanitize=1

declare -a stage_names=() stage_secs=()
stage() {  # stage NAME COMMAND...
  local name=$1; shift
  local t0=$SECONDS
  echo "=== ${name}"
  "$@"
  stage_names+=("$name"); stage_secs+=($((SECONDS - t0)))
  echo "=== ${name}: $((SECONDS - t0)) s"
}
summary() {
  echo "=== stage times"
  for i in "${!stage_names[@]}"; do printf '  %-34s %5d s\n' "${stage_names[$i]}" "${stage_secs[$i]}"; done
}
trap summary EXIT

stage "configure release" cmake --preset release
stage "build release" cmake --build --preset release -j "$jobs"
stage "test release" ctest --preset release -j "$jobs"

if [ "$skip_sanitize" -eq 0 ]; then
  stage "configure sanitize" cmake --preset sanitize
  stage "build sanitize" cmake --build --preset sanitize -j "$jobs"
  stage "test sanitize (unit tests)" ctest --preset sanitize -j "$jobs" -L "core|autograd|ops|data|search|controller|child|run|train"
  # The emulated CUDA kernels and the emulator's self-tests, with the shared-memory race check on.
  stage "test sanitize (cuda+emu, race check)" env ENAS_EMU_RACECHECK=1 ctest --preset sanitize -j "$jobs" -L "cuda|emu"
fi

# Every parser of outside input under libFuzzer (clang, address + undefined): each harness replays
# its seed corpus and runs a fixed number of new inputs (tests/fuzz, docs/testing.md).
stage "configure fuzz" cmake --preset fuzz
stage "build fuzz" cmake --build --preset fuzz -j "$jobs"
stage "test fuzz (regression)" ctest --preset fuzz -j "$jobs"

prefix=$(mktemp -d /tmp/enas-install.XXXXXX)
stage "install + find_package consumer" bash -c "
  cmake --install build/release --prefix '$prefix' >/dev/null &&
  cmake -S tests/package -B build/package -G Ninja -DCMAKE_PREFIX_PATH='$prefix' >/dev/null &&
  cmake --build build/package >/dev/null &&
  ./build/package/enas_consumer"
rm -rf "$prefix"
