#!/usr/bin/env python3
"""scripts/plot_run.py renders every figure of a search run, a final run and a study (the folders
tests/study/study_test.py leaves in --work): each expected PNG exists, is a PNG and is not empty,
and index.html shows it (the derived architecture too when graphviz is installed); a folder that is no run fails with exit 2. Exits 77 (ctest: skipped) when
this python has no matplotlib. Prints PASS at the end.

  plot_test.py --script scripts/plot_run.py --work DIR [--enas-arch build/release/examples/enas_arch]
"""
import argparse
import os
import shutil
import subprocess
import sys

EXPECTED = {
    "enas": ["training.png", "controller.png", "arch_rewards.png"],
    "random": ["training.png", "controller.png", "arch_rewards.png"],
    "study/enas/arch-0": ["training.png"],
    "study": ["study_scatter.png"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--enas-arch", help="enas_arch; with graphviz's dot on PATH the derived architecture is drawn too")
    a = ap.parse_args()
    if a.enas_arch and shutil.which("dot"):
        for sub in ("enas", "random"):
            EXPECTED[sub] = EXPECTED[sub] + ["best_arch.png"]
    else:
        print("plot_test.py: no graphviz (dot) or no --enas-arch: the architecture drawing is not checked")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(f"SKIP: {sys.executable} has no matplotlib (Debian: python3-matplotlib)")
        sys.exit(77)
    for sub, pngs in EXPECTED.items():
        folder = os.path.join(a.work, sub)
        for f in pngs + ["index.html"]:
            if os.path.exists(os.path.join(folder, f)):
                os.remove(os.path.join(folder, f))  # a figure left by an earlier run proves nothing
        cmd = [sys.executable, a.script, folder] + (["--enas-arch", a.enas_arch] if a.enas_arch else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"FAIL: plot_run.py {folder} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
        index = open(os.path.join(folder, "index.html")).read()
        for f in pngs:
            path = os.path.join(folder, f)
            if not os.path.exists(path) or os.path.getsize(path) < 1000:
                sys.exit(f"FAIL: {path} missing or nearly empty")
            with open(path, "rb") as fh:
                if fh.read(8) != b"\x89PNG\r\n\x1a\n":
                    sys.exit(f"FAIL: {path} is no PNG")
            if f'src="{f}"' not in index:
                sys.exit(f"FAIL: index.html of {folder} does not show {f}")
    p = subprocess.run([sys.executable, a.script, a.work], capture_output=True,
                       text=True)
    if p.returncode != 2 or "is no run folder" not in p.stderr:
        sys.exit(f"FAIL: a folder that is no run: exit {p.returncode}\n{p.stderr}")
    print("PASS")


if __name__ == "__main__":
    main()
