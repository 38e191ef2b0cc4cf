#!/usr/bin/env bash
# Installs everything enas needs to build, test and run its demo, from Debian packages only.
# Idempotent: packages already present are left alone. Run it as root or as a user with sudo: it
# asks for root (through sudo, only when not root already) just for what needs it, so a user on a
# machine that has everything needs neither, and a root shell without sudo (a container) works.
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
  libpng-dev libjpeg62-turbo-dev   # PNG / JPEG decoding for image folders (--dataset folder, enas_predict)
  libonnx-dev libprotobuf-dev python3-venv   # ONNX export (enas_export); the venv for its test's ONNX Runtime
  libboost-context-dev     # fibers for the SIMT emulator
  clang libclang-rt-14-dev libomp-14-dev  # libFuzzer and OpenMP for the fuzz preset (tests/fuzz)
  python3 python3-torch python3-numpy    # the PyTorch oracle and benchmark peer
  python3-matplotlib graphviz   # scripts/plot_run.py figures and architecture drawings (enas_study, docs)
  dataset-fashion-mnist    # the demo's dataset
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Runs a command as root: directly when root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-deps: '$*' needs root: run this script as root, or install sudo" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages already installed"
fi

# PyTorch's CPU matrix products must go through OpenBLAS, not the reference BLAS (30x slower):
# make OpenBLAS the libblas/liblapack alternative.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  current=$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p' || true)
  if [ -n "$target" ] && [ "$target" != "$current" ]; then as_root update-alternatives --set "$alt" "$target" >/dev/null; fi
done
/usr/bin/python3 - <<'PY'
import torch, numpy
print(f"install-deps: torch {torch.__version__}, numpy {numpy.__version__} on /usr/bin/python3")
PY

# ONNX Runtime (PyPI; Debian has none) and Pillow for the ONNX export test and the README's example,
# in a virtual environment of the user running this script. Without network the test is left out.
venv="${ENAS_ONNX_VENV:-$HOME/.cache/enas/onnx-venv}"
if "$venv/bin/python" -c "import onnxruntime, numpy, PIL" 2>/dev/null; then
  echo "install-deps: onnxruntime already in $venv"
elif /usr/bin/python3 -m venv "$venv" && "$venv/bin/pip" install -q onnxruntime numpy pillow; then
  echo "install-deps: onnxruntime $("$venv/bin/python" -c 'import onnxruntime; print(onnxruntime.__version__)') in $venv"
else
  echo "install-deps: warning: could not install onnxruntime from PyPI into $venv; the ONNX export test is left out" >&2
fi
