#!/usr/bin/env bash
# Installs everything enas needs to build, test and run its demo, from Debian packages only.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libeigen3-dev            # Eigen 3.4 (GEMM fallback)
  libopenblas-dev libopenblas0-pthread   # SGEMM for the CPU backend and for PyTorch's CPU ops
  catch2                   # Catch2 2.13 (tests)
  libbenchmark-dev         # Google Benchmark
  libcli11-dev             # command-line parsing in the examples
  nlohmann-json3-dev       # JSON (run folders, oracle manifests)
  zlib1g-dev               # gzip'd IDX files (Fashion-MNIST)
  libboost-context-dev     # fibers for the SIMT emulator
  clang libclang-rt-14-dev libomp-14-dev  # libFuzzer and OpenMP for the fuzz preset (tests/fuzz)
  python3 python3-torch python3-numpy    # the PyTorch oracle and benchmark peer
  dataset-fashion-mnist    # the demo's dataset
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages already installed"
fi

# PyTorch's CPU matrix products must go through OpenBLAS, not the reference BLAS (30x slower):
# make OpenBLAS the libblas/liblapack alternative.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  if [ -n "$target" ]; then $SUDO update-alternatives --set "$alt" "$target" >/dev/null; fi
done
/usr/bin/python3 - <<'PY'
import torch, numpy
print(f"install-deps: torch {torch.__version__}, numpy {numpy.__version__} on /usr/bin/python3")
PY
