#!/usr/bin/env python3
"""Process-level tests of a run binary's --resume and signal handling (docs/testing.md).

  process_resume_test.py complete --bin B --work DIR --contradict "FLAG VALUE" --expect TEXT -- ARGS...
      Runs `B ARGS --out DIR/run` to completion; then checks that
        - `--resume` with the same ARGS exits 0, says the run is complete (naming the folder and
          its summary) and changes no file of the run;
        - `--resume` with FLAG VALUE (replacing FLAG's value in ARGS) exits 1 naming the
          differing field (TEXT);
        - `--resume` of a folder whose config.json has format version 2 (newer) or 0 (older)
          exits 1 naming both versions.

  process_resume_test.py signal --bin B --work DIR --signal INT|TERM -- ARGS...
      Runs `B ARGS --out DIR/whole` to completion; starts `B ARGS --out DIR/parts --force`, waits
      until its first epoch checkpoint exists, sends the signal, and checks the exit code
      (130 / 143), the message, that checkpoint; then runs the resume command the binary printed
      and checks that summary.json (without timing), best_arch.txt (if any), and the lines of
      metrics.jsonl and archs.jsonl (without timing) equal the uninterrupted run's.

ARGS must make the run deterministic (a fixed seed; OMP_NUM_THREADS=1 is set here) and have at
least 3 epochs, so that the signal arrives while it runs. Exits 0 on success, 1 with a reason.
"""
import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

TIMING_KEYS = {"seconds", "images_per_second", "tokens_per_second"}
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def run(cmd, expect_rc):
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    p = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    print(p.stdout + p.stderr, flush=True)
    if p.returncode != expect_rc:
        fail(f"exit status {p.returncode}, expected {expect_rc}")
    return p.stdout + p.stderr


def expect_in(text, *parts):
    for part in parts:
        if part not in text:
            fail(f"the output lacks {part!r}")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def without_timing(value):
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


def json_lines(path):
    with open(path) as f:
        return [without_timing(json.loads(line)) for line in f if line.strip()]


def run_files(folder):
    return {name: read_bytes(os.path.join(folder, name)) for name in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, name))}


def check_complete(a):
    folder = os.path.join(a.work, "run")
    base = [a.bin] + a.args + ["--out", folder]
    run(base + ["--force"], 0)
    before = run_files(folder)
    out = run(base + ["--resume"], 0)
    expect_in(out, "already complete", folder, os.path.join(folder, "summary.json"))
    if run_files(folder) != before:
        fail("resuming a complete run changed its files")
    flag, value = shlex.split(a.contradict)
    changed = list(base)
    if flag in changed:  # the flag's value replaced (CLI11 takes each flag once)
        changed[changed.index(flag) + 1] = value
    else:
        changed += [flag, value]
    out = run(changed + ["--resume"], 1)
    expect_in(out, "contradict the run's saved config", "saved value vs given value", a.expect)
    config_path = os.path.join(folder, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    if config.get("format_version") != 1:
        fail(f"config.json has format_version {config.get('format_version')!r}, expected 1")
    for version, word in ((2, "newer"), (0, "older")):
        with open(config_path, "w") as f:
            json.dump(dict(config, format_version=version), f)
        out = run(base + ["--resume"], 1)
        expect_in(out, f"format version {version}", "reads version 1", word)
    print("PASS", flush=True)


def check_signal(a):
    sig = {"INT": signal.SIGINT, "TERM": signal.SIGTERM}[a.signal]
    whole, parts = os.path.join(a.work, "whole"), os.path.join(a.work, "parts")
    run([a.bin] + a.args + ["--out", whole, "--force"], 0)
    cmd = [a.bin] + a.args + ["--out", parts, "--force"]
    print("$ " + " ".join(shlex.quote(c) for c in cmd) + "   # then SIG" + a.signal, flush=True)
    shutil.rmtree(parts, ignore_errors=True)
    first = os.path.join(parts, "checkpoints", "ckpt-1.bin")
    log_path = os.path.join(a.work, "interrupted.log")  # a file, not a pipe: the run never blocks on it
    log = open(log_path, "w")
    p = subprocess.Popen(cmd, env=ENV, stdout=log, stderr=subprocess.STDOUT, text=True)
    # Wait (without a time limit: ctest's timeout bounds it) for the first epoch's checkpoint,
    # which is renamed into place complete, then signal the run while it trains epoch 2.
    while not os.path.exists(first) and p.poll() is None:
        time.sleep(0.02)
    if p.poll() is None:
        p.send_signal(sig)
    rc = p.wait()
    log.close()
    with open(log_path) as f:
        output = f.read()
    print(output, flush=True)
    if rc != 128 + sig:
        fail(f"exit status {rc} after SIG{a.signal}, expected {128 + sig}")
    expect_in(output, f"SIG{a.signal} received", f"interrupted by SIG{a.signal}", "--resume continues from it",
              "resume with:")
    lines = output.splitlines()
    resume_cmd = lines[[i for i, l in enumerate(lines) if l.endswith("resume with:")][-1] + 1].strip()
    if not resume_cmd.endswith("--out " + shlex.quote(parts) + " --resume") or "--force" in resume_cmd:
        fail("the printed resume command is not this run's: " + resume_cmd)
    if os.path.exists(os.path.join(parts, "summary.json")):
        fail("an interrupted run wrote summary.json")
    read_bytes(first)  # the checkpoint is there (the resumed run validates it)
    print("$ " + resume_cmd, flush=True)
    out = run(shlex.split(resume_cmd), 0)
    expect_in(out, "resuming from")
    with open(os.path.join(parts, "summary.json")) as f, open(os.path.join(whole, "summary.json")) as g:
        if without_timing(json.load(f)) != without_timing(json.load(g)):
            fail("the resumed run's summary.json differs from the uninterrupted run's")
    for name in ("metrics.jsonl", "archs.jsonl"):
        if json_lines(os.path.join(parts, name)) != json_lines(os.path.join(whole, name)):
            fail(f"the resumed run's {name} differs from the uninterrupted run's")
    best = "best_arch.txt"
    if os.path.exists(os.path.join(whole, best)) and \
            read_bytes(os.path.join(parts, best)) != read_bytes(os.path.join(whole, best)):
        fail("the resumed run's best_arch.txt differs from the uninterrupted run's")
    print("PASS", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["complete", "signal"])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--signal", choices=["INT", "TERM"], default="INT")
    parser.add_argument("--contradict", default="")
    parser.add_argument("--expect", default="")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = parser.parse_args(argv[:cut])
    a.args = argv[cut + 1:]
    os.makedirs(a.work, exist_ok=True)
    (check_complete if a.mode == "complete" else check_signal)(a)


if __name__ == "__main__":
    main()
