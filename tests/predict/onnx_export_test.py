#!/usr/bin/env python3
"""enas_export on a trained run, checked in ONNX Runtime (examples/CMakeLists.txt).

Runs with the Python of the virtual environment scripts/install-deps.sh creates (onnxruntime and
numpy from PyPI). Exports a run that tests/predict/predict_test.py trained (macro: separable
convs, an average pool, skips, two factorized reductions; micro: the released cells) with
--reference, runs the ONNX file in ONNX Runtime on the reference's inputs and requires the logits
enas computed within 1e-4. With --images, it also classifies those PNG / JPEG files the way a Python
serving stack would (Pillow decodes them, the model's "preprocessing" metadata standardises them)
and requires enas_predict's classes and probabilities (within 1e-4) for them.
"""
import argparse
import json
import pathlib
import subprocess
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image


def classify_files(sess, pre, files):
    """Top-1 class and its probability per file, with the recipe of the model's metadata."""
    out = []
    mean = np.asarray(pre["mean"], dtype=np.float32).reshape(-1, 1, 1)
    std = np.asarray(pre["stddev"], dtype=np.float32).reshape(-1, 1, 1)
    for f in files:
        img = Image.open(f).convert("L" if pre["channels"] == 1 else "RGB")
        if img.size != (pre["width"], pre["height"]):
            img = img.resize((pre["width"], pre["height"]), Image.BILINEAR)
        x = np.asarray(img, dtype=np.float32).reshape(pre["height"], pre["width"], pre["channels"])
        x = (x.transpose(2, 0, 1) / 255.0 - mean) / std
        logits = sess.run(["logits"], {"images": x[None].astype(np.float32)})[0][0].astype(np.float64)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        out.append((pre["class_names"][int(p.argmax())], float(p.max())))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--images", help="a folder of images to classify with ONNX Runtime and enas_predict")
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
    if a.images:
        files = sorted(pathlib.Path(a.images).rglob("*.png"))[:24]
        cmd = [str(pathlib.Path(a.bin_dir) / "enas_predict"), a.run, *map(str, files), "--format", "json", "--top-k", "1"]
        lines = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
        enas = [(q["class"], q["probability"]) for q in (json.loads(l)["predictions"][0] for l in lines)]
        onnx = classify_files(sess, pre, files)
        for f, e, o in zip(files, enas, onnx):
            if e[0] != o[0] or abs(e[1] - o[1]) > 1e-4:
                sys.exit(f"FAIL: {f}: enas_predict {e}, ONNX Runtime {o}")
        print(f"{len(files)} files: ONNX Runtime (Pillow + the metadata's preprocessing) classifies them as enas_predict")
    print("PASS")


if __name__ == "__main__":
    main()
