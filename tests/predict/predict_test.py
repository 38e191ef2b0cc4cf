#!/usr/bin/env python3
"""enas_predict on a tiny trained run (examples/CMakeLists.txt, label examples).

Makes an image folder of Fashion-MNIST PNGs (enas_images), trains one epoch on it with enas_train
(--dataset folder), then checks that enas_predict --split test reproduces the run's own test
accuracy exactly (summary.json), that its per-class counts and confusion matrix add up, and that
classifying the files of one class folder gives that class's accuracy from the split report.
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import sys


def run(cmd):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        sys.exit(f"FAIL: exit {p.returncode}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--space", default="macro")
    ap.add_argument("--arch", default="0 1 1 2 1 0 4 0 1 1")
    ap.add_argument("--layers", default="0", help="micro: normal cells (--layers of enas_train)")
    ap.add_argument("--train", type=int, default=300, help="training images")
    ap.add_argument("--test", type=int, default=120, help="test images")
    a = ap.parse_args()
    bins = pathlib.Path(a.bin_dir)
    work = pathlib.Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    folder, rundir = work / "images", work / "run"
    run([bins / "enas_images", "--dataset", "fashion-mnist", "--train", a.train, "--test", a.test,
         "--out", folder])
    extra = ["--layers", a.layers] if a.space == "micro" else []
    run([bins / "enas_train", "--dataset", "folder", "--data", folder, "--space", a.space, "--arch", a.arch,
         "--epochs", "1", "--filters", "8", *extra, "--out", rundir, "--force"])
    summary = json.loads((rundir / "summary.json").read_text())
    pre = json.loads((rundir / "preprocessing.json").read_text())
    assert pre["class_names"][0] == "0_T-shirt-top" and len(pre["class_names"]) == 10, pre["class_names"]
    assert (pre["channels"], pre["height"], pre["width"]) == (1, 28, 28), pre

    report_file = work / "report.json"
    run([bins / "enas_predict", rundir, "--data", folder, "--split", "test", "--json", report_file])
    report = json.loads(report_file.read_text())
    print(f"run test accuracy {summary['test_accuracy']!r}, enas_predict {report['accuracy']!r}")
    if report["accuracy"] != summary["test_accuracy"]:
        sys.exit("FAIL: enas_predict's accuracy differs from the run's test accuracy")
    assert report["images"] == a.test
    assert sum(c["images"] for c in report["per_class"]) == a.test
    assert sum(report["confusion"][i][i] for i in range(10)) == report["correct"]
    assert sum(map(sum, report["confusion"])) == a.test

    # The files of the test class with the most right answers, classified as files (other batches):
    # the same predictions as the split's confusion-matrix row.
    k = max(range(10), key=lambda c: (report["per_class"][c]["correct"], c))
    name = report["class_names"][k]
    lines = run([bins / "enas_predict", rundir, folder / "test" / name, "--format", "json", "--top-k", "3",
                 "--batch", "7"]).splitlines()
    preds = [json.loads(line) for line in lines]
    assert len(preds) == report["per_class"][k]["images"], (len(preds), report["per_class"][k])
    for p in preds:
        probs = [q["probability"] for q in p["predictions"]]
        assert len(probs) == 3 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-9, p
    row = [0] * 10
    for p in preds:
        row[p["predictions"][0]["index"]] += 1
    print(f"class {name}: files predicted as {row}, confusion row {report['confusion'][k]}")
    if row != report["confusion"][k] or row[k] == 0:
        sys.exit("FAIL: classifying the class folder's files disagrees with the split report")
    print("PASS")


if __name__ == "__main__":
    main()
