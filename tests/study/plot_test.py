#!/usr/bin/env python3
"""scripts/plot_run.py renders every figure of a search run, a final run and a study (the folders
tests/study/study_test.py leaves in --work): each expected PNG exists, is a PNG and is not empty,
and index.html shows it; a folder that is no run fails with exit 2. Exits 77 (ctest: skipped) when
this python has no matplotlib. Prints PASS at the end.

  plot_test.py --script scripts/plot_run.py --work DIR
"""
import argparse
import os
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
    a = ap.parse_args()
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
        p = subprocess.run([sys.executable, a.script, folder], capture_output=True, text=True)
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
