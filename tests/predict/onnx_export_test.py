#!/usr/bin/env python3
"""enas_export on a trained run, checked in ONNX Runtime (examples/CMakeLists.txt).

Runs with the Python of the virtual environment scripts/install-deps.sh creates (onnxruntime and
numpy from PyPI). Exports a run that tests/predict/predict_test.py trained (macro: separable
convs, an average pool, skips, two factorized reductions; micro: the released cells) with
--reference, runs the ONNX file in ONNX Runtime on the reference's inputs and requires the logits
enas computed within 1e-4.
"""
import argparse
import json
import pathlib
import subprocess
import sys

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    model, ref_file = work / "model.onnx", work / "reference.json"
    cmd = [str(pathlib.Path(a.bin_dir) / "enas_export"), a.run, "--out", str(model), "--reference", str(ref_file)]
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        sys.exit(f"FAIL: enas_export exit {p.returncode}")
    ref = json.loads(ref_file.read_text())
    x = np.asarray(ref["input"], dtype=np.float32).reshape(ref["shape"])
    want = np.asarray(ref["logits"], dtype=np.float32).reshape(x.shape[0], -1)
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    meta = sess.get_modelmeta().custom_metadata_map
    pre = json.loads(meta["preprocessing"])
    assert pre["channels"] == x.shape[1] and len(pre["class_names"]) == want.shape[1], pre
    got = sess.run(["logits"], {"images": x})[0]
    err = float(np.max(np.abs(got - want)))
    print(f"ONNX Runtime {ort.__version__}: logits {got.shape}, max |onnx - enas| = {err:.3g}")
    if got.shape != want.shape or not err <= 1e-4:
        sys.exit("FAIL: the ONNX model's logits differ from enas's")
    assert (got.argmax(1) == want.argmax(1)).all()
    print("PASS")


if __name__ == "__main__":
    main()
