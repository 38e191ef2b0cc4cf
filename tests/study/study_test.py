#!/usr/bin/env python3
"""enas_study end to end on two tiny search runs (an ENAS and a random-policy cifar_search on a
Fashion-MNIST slice): it writes every file, its numbers agree with the sub-runs it retrained, a
rerun with --resume retrains nothing and touches no sub-run file, a study interrupted between two
retrainings (one sub-run missing) retrains exactly that one, and bad inputs fail with a clear
message and no study folder. Prints PASS at the end (the ctest pass condition).

  study_test.py --bin-dir build/release/examples --work DIR
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

TINY_SEARCH = ["--space", "micro", "--epochs", "1", "--train-limit", "400", "--num-valid", "100", "--test-limit",
               "100", "--filters", "8", "--layers", "0", "--train-steps", "2", "--eval-archs", "2", "--derive", "3"]
RETRAIN = ["--k", "3", "--epochs", "1", "--filters", "8", "--layers", "0"]


def run(cmd, expect_rc=0):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    if p.returncode != expect_rc:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}, expected {expect_rc}\n{p.stdout}\n{p.stderr}")
    return p.stdout + p.stderr


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)


def fingerprint(folder):
    """path -> (mtime_ns, sha256) of every file under folder."""
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = (os.stat(p).st_mtime_ns, hashlib.sha256(fh.read()).hexdigest())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    search, study_bin = os.path.join(a.bin_dir, "cifar_search"), os.path.join(a.bin_dir, "enas_study")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    enas, rand, study = (os.path.join(a.work, n) for n in ("enas", "random", "study"))
    run([search] + TINY_SEARCH + ["--out", enas])
    run([search] + TINY_SEARCH + ["--policy", "random", "--out", rand])

    out = run([study_bin, enas, rand, "--out", study] + RETRAIN)
    check("6 architectures, 6 to retrain" in out and "ETA" in out, "progress lines:\n" + out)
    for f in ("config.json", "metrics.jsonl", "study.json", "study.md", "enas/archs.json", "random/archs.json"):
        check(os.path.getsize(os.path.join(study, f)) > 0, f"{f} written")
    report = json.load(open(os.path.join(study, "study.json")))
    check([r["label"] for r in report["runs"]] == ["enas", "random"], "run labels")
    check([r["policy"] for r in report["runs"]] == ["enas", "random"], "run policies")
    check(len(report["comparisons"]) == 1 and 0 < report["comparisons"][0]["p_value"] <= 1, "the comparison")
    for r in report["runs"]:
        check(len(r["archs"]) == 3 and len({x["arch"] for x in r["archs"]}) == 3, "3 distinct archs per run")
        for x in r["archs"]:
            sub = os.path.join(study, x["sub_run"])
            summary = json.load(open(os.path.join(sub, "summary.json")))
            check(summary["test_accuracy"] == x["standalone"], "standalone = the sub-run's test accuracy")
            check(json.load(open(os.path.join(sub, "config.json")))["arch"] == x["arch"], "sub-run trained its arch")
            check(0 <= x["shared"] <= 1, "shared-weight score is an accuracy")
            # micro's search evaluates with batch statistics (the authors'), as its reward did
            check(x["shared"] == x["shared_batch"] and 0 <= x["shared_running"] <= 1, "scores by BN statistics")
        check(set(r["by_bn_statistics"]) == {"batch", "running"}, "tau by BN statistics")
        means = sum(x["standalone"] for x in r["archs"]) / 3
        check(abs(r["mean_standalone"] - means) < 1e-12, "mean standalone")
    retrains = [json.loads(l) for l in open(os.path.join(study, "metrics.jsonl")) if l.strip()]
    check(len(retrains) == 6 and all(l["phase"] == "retrain" for l in retrains), "one metrics line per retraining")
    md = open(os.path.join(study, "study.md")).read()
    check("| enas | enas | 3 |" in md and "| random | random | 3 |" in md and "| enas | random |" in md, "study.md")
    check("| run | batch statistics | running statistics |" in md, "study.md: tau by BN statistics")

    # --resume: nothing retrained, no sub-run file touched, the same report.
    subs = {n: fingerprint(os.path.join(study, n)) for n in ("enas", "random")}
    out = run([study_bin, enas, rand, "--out", study, "--resume"] + RETRAIN)
    check("0 to retrain (6 done before)" in out and "0 retrained in this call" in out, "resume retrains none:\n" + out)
    for n, fp in subs.items():
        check(fingerprint(os.path.join(study, n)) == fp, f"{n}'s sub-runs untouched by --resume")
    check(json.load(open(os.path.join(study, "study.json")))["runs"] == report["runs"], "same report after --resume")

    # Interrupted between retrainings: the missing sub-run alone is retrained, the same architecture.
    shutil.rmtree(os.path.join(study, "random", "arch-2"))
    out = run([study_bin, enas, rand, "--out", study, "--resume"] + RETRAIN)
    check("1 to retrain (5 done before)" in out and "1 retrained in this call" in out, "resume after a stop:\n" + out)
    for n, fp in subs.items():
        now = fingerprint(os.path.join(study, n))
        kept = {p: v for p, v in fp.items() if not p.startswith("arch-2/") or n != "random"}
        check(all(now.get(p) == v for p, v in kept.items()), f"{n}: the finished sub-runs untouched")
    again = json.load(open(os.path.join(study, "study.json")))
    check(again["runs"][1]["archs"][2]["arch"] == report["runs"][1]["archs"][2]["arch"], "the same arch retrained")

    # A changed retraining setting is refused on --resume, naming it.
    out = run([study_bin, enas, rand, "--out", study, "--resume", "--k", "3", "--epochs", "2", "--filters", "8",
               "--layers", "0"], expect_rc=1)
    check("epochs" in out, "a changed setting is named:\n" + out)

    # The macro space, architectures from the run's derive candidates (best first).
    macro, mstudy = os.path.join(a.work, "macro"), os.path.join(a.work, "macro_study")
    run([search, "--space", "macro", "--layers", "2"] + TINY_SEARCH[2:12] + TINY_SEARCH[14:] + ["--out", macro])
    run([study_bin, macro, "--archs", "derive", "--k", "2", "--epochs", "1", "--filters", "8", "--out", mstudy])
    derived = [c["arch"] for c in json.load(open(os.path.join(macro, "derive.json")))["candidates"]]
    mreport = json.load(open(os.path.join(mstudy, "study.json")))
    check([x["arch"] for x in mreport["runs"][0]["archs"]] == derived[:2], "the first 2 derive candidates")
    mcfg = json.load(open(os.path.join(mstudy, "macro", "arch-0", "config.json")))
    check(mcfg["space"] == "macro" and mcfg["layers"] == 2 and mcfg["mode"] == "final", "a macro final retraining")
    check(all(x["shared"] == x["shared_running"] for x in mreport["runs"][0]["archs"]), "macro: running statistics")
    # A sub-run that trained another architecture is refused, not counted as done; --force starts over.
    mstudy_args = [study_bin, macro, "--archs", "derive", "--k", "2", "--epochs", "1", "--filters", "8", "--out", mstudy]
    cfg_file = os.path.join(mstudy, "macro", "arch-0", "config.json")
    bad_cfg = dict(mcfg, arch=derived[2])
    json.dump(bad_cfg, open(cfg_file, "w"))
    out = run(mstudy_args + ["--resume"], expect_rc=1)
    check("trained another architecture" in out, "a sub-run of another architecture:\n" + out)
    out = run(mstudy_args + ["--force"])
    check("2 to retrain (0 done before)" in out, "--force retrains everything:\n" + out)
    check(json.load(open(cfg_file))["arch"] == derived[0], "--force retrained the right architecture")

    # Bad inputs: clear errors, no study folder left behind.
    bad = os.path.join(a.work, "bad_study")
    out = run([study_bin, study, "--out", bad], expect_rc=1)
    check("is no search run folder" in out and not os.path.exists(bad), "a study folder is no search run:\n" + out)
    nockpt = os.path.join(a.work, "nockpt")
    os.makedirs(nockpt)
    shutil.copy(os.path.join(enas, "config.json"), nockpt)
    out = run([study_bin, nockpt, "--out", bad], expect_rc=1)
    check("has no checkpoint" in out and not os.path.exists(bad), "a run without checkpoint:\n" + out)
    out = run([study_bin, enas, "--archs", "derive", "--k", "4", "--out", bad], expect_rc=1)
    check("3 derive candidates, fewer than --k 4" in out and not os.path.exists(bad), "too few candidates:\n" + out)
    print("PASS")


if __name__ == "__main__":
    main()
