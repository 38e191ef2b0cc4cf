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

  process_resume_test.py kill --bin B --work DIR --kills "PHASE:MAX ..." [--seed S] -- ARGS...
      Runs `B ARGS --out DIR/whole` to completion; then runs `B ARGS --out DIR/parts` once per
      kill with ENAS_FAULT (run/fault_injection.hpp) set to SIGKILL the process at a random moment:
      PHASE child, controller, eval, train or derive kills at step boundary N of that phase, N
      drawn uniformly from 1..MAX; PHASE write kills while the N-th checkpoint the process
      writes is half written, and checks the half-written temporary file is there and the
      file itself is not. Each run after the first is the --resume of the killed one; a last
      --resume finishes the run, which must then equal the uninterrupted one (as for `signal`),
      with no torn or duplicated line in metrics.jsonl and archs.jsonl. S (default: from the
      clock) is printed, so a failure can be replayed.

  process_resume_test.py diskfull --bin B --work DIR -- ARGS...
      Runs `B ARGS --out DIR/whole`; then `B ARGS --out DIR/parts` with ENAS_FAULT making writes
      fail with ENOSPC after 1.5 times the first epoch checkpoint's size: the run must exit 1
      naming "No space left on device", print the resume command, keep the first checkpoint,
      leave no temporary file and only whole lines in its logs; the printed --resume (with space
      back) must then end equal to the uninterrupted run.

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


def compare_with_whole(parts, whole):
    with open(os.path.join(parts, "summary.json")) as f, open(os.path.join(whole, "summary.json")) as g:
        if without_timing(json.load(f)) != without_timing(json.load(g)):
            fail("the resumed run's summary.json differs from the uninterrupted run's")
    for name in ("metrics.jsonl", "archs.jsonl"):
        with open(os.path.join(parts, name), "rb") as f:
            text = f.read()
        if text and not text.endswith(b"\n"):
            fail(f"{name} ends with a torn line")
        if json_lines(os.path.join(parts, name)) != json_lines(os.path.join(whole, name)):
            fail(f"the resumed run's {name} differs from the uninterrupted run's (duplicated or lost lines)")
    best = "best_arch.txt"
    if os.path.exists(os.path.join(whole, best)) and \
            read_bytes(os.path.join(parts, best)) != read_bytes(os.path.join(whole, best)):
        fail("the resumed run's best_arch.txt differs from the uninterrupted run's")


def run_with_fault(cmd, fault, log_path):
    """Runs cmd with ENAS_FAULT=fault; returns (exit status, output)."""
    print(f"$ ENAS_FAULT={fault} " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    with open(log_path, "w") as log:  # a file, not a pipe: the run never blocks on it
        rc = subprocess.run(cmd, env=dict(ENV, ENAS_FAULT=fault), stdout=log, stderr=subprocess.STDOUT).returncode
    with open(log_path) as f:
        output = f.read()
    print(output, flush=True)
    return rc, output


def check_kill(a):
    import random
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1000003
    print(f"kill schedule seed: {seed} (replay with --seed {seed})", flush=True)
    rng = random.Random(seed)
    whole, parts = os.path.join(a.work, "whole"), os.path.join(a.work, "parts")
    run([a.bin] + a.args + ["--out", whole, "--force"], 0)
    shutil.rmtree(parts, ignore_errors=True)
    checkpoints = os.path.join(parts, "checkpoints")
    for i, kill in enumerate(a.kills.split()):
        phase, most = kill.split(":")
        n = rng.randint(1, int(most))
        fault = f"kill-in-checkpoint={n}" if phase == "write" else f"kill-at={phase}:{n}"
        cmd = [a.bin] + a.args + ["--out", parts] + (["--force"] if i == 0 else ["--resume"])
        rc, output = run_with_fault(cmd, fault, os.path.join(a.work, f"kill{i + 1}.log"))
        if rc != -signal.SIGKILL:
            fail(f"exit status {rc} with ENAS_FAULT={fault}, expected death by SIGKILL (did the fault fire?)")
        expect_in(output, "ENAS_FAULT: SIGKILL")
        if phase == "write":
            tmp = [f for f in os.listdir(checkpoints) if f.endswith(".tmp")] if os.path.isdir(checkpoints) else []
            if not tmp:
                fail("killed inside a checkpoint write, but no half-written temporary file is left")
            for t in tmp:
                if os.path.exists(os.path.join(checkpoints, t[:-len(".tmp")])):
                    fail(f"the checkpoint {t[:-len('.tmp')]} was renamed into place before the kill")
    out = run([a.bin] + a.args + ["--out", parts, "--resume"], 0)
    compare_with_whole(parts, whole)
    print(f"PASS ({len(a.kills.split())} kills, seed {seed})", flush=True)


def check_diskfull(a):
    whole, parts = os.path.join(a.work, "whole"), os.path.join(a.work, "parts")
    run([a.bin] + a.args + ["--out", whole, "--force"], 0)
    budget = int(1.5 * os.path.getsize(os.path.join(whole, "checkpoints", "ckpt-1.bin")))
    shutil.rmtree(parts, ignore_errors=True)
    cmd = [a.bin] + a.args + ["--out", parts, "--force"]
    rc, output = run_with_fault(cmd, f"enospc-after={budget}", os.path.join(a.work, "diskfull.log"))
    if rc != 1:
        fail(f"exit status {rc} on a full disk, expected 1")
    expect_in(output, "No space left on device", "keeps its last good checkpoint", "resume with:")
    checkpoints = os.path.join(parts, "checkpoints")
    left = sorted(os.listdir(checkpoints))
    if "ckpt-1.bin" not in left or any(f.endswith(".tmp") for f in left) or "ckpt-2.bin" in left:
        fail(f"after the full disk the checkpoints folder holds {left}, expected ckpt-1.bin and no temporary file")
    for name in ("metrics.jsonl", "archs.jsonl"):
        path = os.path.join(parts, name)
        if os.path.exists(path):
            json_lines(path)  # every line parses (a torn last line is cut by the next open)
    lines = output.splitlines()
    resume_cmd = lines[[i for i, l in enumerate(lines) if l.endswith("resume with:")][-1] + 1].strip()
    print("$ " + resume_cmd, flush=True)
    out = run(shlex.split(resume_cmd), 0)
    expect_in(out, "resuming from")
    compare_with_whole(parts, whole)
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
    compare_with_whole(parts, whole)
    print("PASS", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["complete", "signal", "kill", "diskfull"])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--signal", choices=["INT", "TERM"], default="INT")
    parser.add_argument("--contradict", default="")
    parser.add_argument("--expect", default="")
    parser.add_argument("--kills", default="")
    parser.add_argument("--seed", type=int, default=None)
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = parser.parse_args(argv[:cut])
    a.args = argv[cut + 1:]
    os.makedirs(a.work, exist_ok=True)
    {"complete": check_complete, "signal": check_signal, "kill": check_kill, "diskfull": check_diskfull}[a.mode](a)


if __name__ == "__main__":
    main()
