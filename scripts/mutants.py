#!/usr/bin/env python3
"""Mutation check (issue 17; not in CI): plants each bug of MUTANTS alone in a scratch clone of
the current commit, builds the test that should catch it and runs it. A mutant is "caught" when
the test fails, "survived" when it passes (a hole in the tests), "skipped" when the test reports
that this machine cannot run it (exit 77, e.g. no AVX-512), "stale" when its source text is no
longer found exactly once (update the table). Prints a markdown table; exits 1 if any survived
or is stale. Run through scripts/mutants.sh.

Usage: scripts/mutants.sh [--list] [--keep] [NAME ...]
  NAME    run only these mutants (default: all)
  --list  print the mutants and exit
  --keep  keep the scratch folder ($MUTANTS_DIR, default /tmp/enas-mutants) for the next run
Environment: MUTANTS_DIR, ENAS_JOBS (build jobs, default 2), CMAKE_CXX_COMPILER_LAUNCHER (e.g. ccache).
"""
import os
import shutil
import subprocess
import sys
import time

# name, build ("release": CPU build; "emulated": the SIMT-emulated CUDA build), file, the exact
# text to replace (found exactly once), its replacement, the ninja target, the test command
# (relative to the build folder), extra environment, what the bug is.
MUTANTS = [
    ("skip-target", "release", "include/enas/controller/config.hpp",
     "double skip_target = 0.4;", "double skip_target = 0.5;",
     "train_test_reference_presets", ["tests/train_test_reference_presets"], {},
     "the macro controller's skip target 0.4 -> 0.5"),
    ("plain-momentum", "release", "include/enas/optim/child_sgd.hpp",
     "bool nesterov = true;", "bool nesterov = false;",
     "train_test_reference_presets", ["tests/train_test_reference_presets"], {},
     "the child optimiser's default Nesterov -> plain momentum"),
    ("reward-on-train", "release", "include/enas/train/cnn_task.hpp",
     "rewards_(data.valid, data.stats", "rewards_(data.train, data.stats",
     "train_test_wiring", ["tests/train_test_wiring"], {},
     "the search's reward batches drawn from the training split"),
    ("block-reduce-barrier", "emulated", "cuda/kernels/device_helpers.cuh",
     "    __syncthreads();  // scratch may be reused right after\n", "",
     "cuda_test_cuda_softmax", ["tests/cuda/cuda_test_cuda_softmax"], {"ENAS_EMU_RACECHECK": "1"},
     "block_reduce's second __syncthreads() removed"),
    ("argmax-barrier", "emulated", "cuda/kernels/softmax.cuh",
     "            at = lane < warps ? best_positions[lane] : k;\n            __syncthreads();\n",
     "            at = lane < warps ? best_positions[lane] : k;\n",
     "emu_test_shipped_races", ["tests/emu/emu_test_shipped_races"], {"ENAS_EMU_RACECHECK": "1"},
     "the argmax kernel's second __syncthreads() removed"),
    ("avx512-bw-last-image", "release", "include/enas/backend/cpu/conv_implicit_gemm.hpp",
     "            for (std::int64_t n = begin; n < end; ++n) {\n                pad_image(g, grid, x + n * g.c_in * g.in_plane(), padded);\n                const float* gyn",
     "            for (std::int64_t n = begin; n < end - (end == g.n ? 1 : 0); ++n) {\n                pad_image(g, grid, x + n * g.c_in * g.in_plane(), padded);\n                const float* gyn",
     "ops_test_conv", ["tests/ops_test_conv", "[needs-avx512]"], {"ENAS_TEST_NEEDS": "avx512"},
     "the AVX-512 implicit-GEMM backward-weight skips the last image"),
    ("highway-halves", "release", "include/enas/child/rnn_cell.hpp",
     "ops::slice(tape, ht, h, h), ops::slice(tape, ht, 0, h)", "ops::slice(tape, ht, 0, h), ops::slice(tape, ht, h, h)",
     "child_test_rnn_child", ["tests/child_test_rnn_child"], {},
     "the recurrent cell's gate and candidate halves swapped"),
    ("nt-asgd-average", "release", "include/enas/train/ptb_task.hpp",
     "const float a = 1.0f / static_cast<float>(average_count_);",
     "const float a = 1.0f / static_cast<float>(average_count_ + 1);",
     "train_test_ptb_task", ["tests/train_test_ptb_task"], {"OMP_NUM_THREADS": "1"},
     "NT-ASGD's running average weighs the newest weights wrongly"),
    ("sgdr-restart", "release", "include/enas/train/lr_schedule.hpp",
     "while (epoch - c.start >= c.length) {", "while (epoch - c.start > c.length) {",
     "train_test_lr_schedule", ["tests/train_test_lr_schedule"], {},
     "SGDR restarts one epoch late"),
    ("baseline-decay", "release", "include/enas/controller/reinforce.hpp",
     "state.baseline -= (1.0 - decay) * (state.baseline - reward);", "state.baseline -= decay * (state.baseline - reward);",
     "controller_test_reinforce", ["tests/controller_test_reinforce"], {},
     "the REINFORCE baseline moves by decay instead of 1 - decay"),
    ("bn-epsilon", "release", "include/enas/backend/cpu/batchnorm.hpp",
     "const double inv_std = 1.0 / std::sqrt(var + p.epsilon);", "const double inv_std = 1.0 / std::sqrt(var + 1e-5);",
     "ops_test_batchnorm", ["tests/ops_test_batchnorm"], {},
     "batch norm ignores its epsilon (always 1e-5)"),
    ("cutout-offset", "release", "src/data/augment.cpp",
     "std::fill(row + d.cutout_x, row + std::max(x_end, d.cutout_x), 0.0f);",
     "std::fill(row + d.cutout_x + 1, row + std::max(x_end, d.cutout_x + 1), 0.0f);",
     "data_test_augment", ["tests/data_test_augment"], {},
     "the cutout square shifted one pixel right"),
    ("dropout-scale", "release", "include/enas/backend/cpu/dropout.hpp",
     "    const T scale = static_cast<T>(1.0 / d.keep_prob);\n    detail::for_each_dropout_chunk(d, x.numel()",
     "    const T scale = static_cast<T>(1.0);\n    detail::for_each_dropout_chunk(d, x.numel()",
     "ops_test_dropout", ["tests/ops_test_dropout"], {},
     "dropout forward keeps values unscaled (not inverted dropout)"),
    ("ptb-eos", "release", "src/data/ptb.cpp",
     "        if (c == '\\n') {\n            ids.push_back(grow ? add_word(vocab, std::string(kEndOfSentence)) : vocab.id(kEndOfSentence));\n",
     "        if (c == '\\n') {\n",
     "data_test_ptb", ["tests/data_test_ptb"], {},
     "PTB lines do not end with <eos>"),
    ("bptt-p-full", "release", "include/enas/data/bptt.hpp",
     "double p_full = 0.95;", "double p_full = 0.9;",
     "data_test_ptb", ["tests/data_test_ptb"], {},
     "the random BPTT length takes the full base with p 0.9 instead of 0.95"),
]

PRESETS = {
    "release": ["-DCMAKE_BUILD_TYPE=Release", "-DENAS_CUDA=OFF", "-DENAS_BUILD_EXAMPLES=OFF"],
    "emulated": ["-DCMAKE_BUILD_TYPE=Release", "-DENAS_CUDA=OFF", "-DENAS_CUDA_EMULATION=ON",
                 "-DENAS_BUILD_EXAMPLES=OFF", "-DENAS_BUILD_BENCHMARKS=OFF"],
}


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def main():
    args = sys.argv[1:]
    if "--list" in args:
        for m in MUTANTS:
            print(f"{m[0]:<22} {m[1]:<9} {m[2]}: {m[8]} (test: {' '.join(m[6])})")
        return 0
    keep = "--keep" in args
    wanted = [a for a in args if not a.startswith("--")]
    unknown = [w for w in wanted if w not in {m[0] for m in MUTANTS}]
    if unknown:
        print(f"mutants: unknown mutant(s) {', '.join(unknown)}; --list shows them", file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scratch = os.environ.get("MUTANTS_DIR", "/tmp/enas-mutants")
    src = os.path.join(scratch, "src")
    head = run(["git", "-C", root, "rev-parse", "HEAD"]).stdout.strip()
    if os.path.isdir(os.path.join(src, ".git")):
        run(["git", "-C", src, "fetch", "--quiet", root, head])
        run(["git", "-C", src, "checkout", "--quiet", "--force", head])
    else:
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        if run(["git", "clone", "--quiet", root, src]).returncode != 0:
            print("mutants: cannot clone the repository", file=sys.stderr)
            return 2
        run(["git", "-C", src, "checkout", "--quiet", head])
    jobs = os.environ.get("ENAS_JOBS", "2")
    launcher = os.environ.get("CMAKE_CXX_COMPILER_LAUNCHER", "")
    configured = set()
    rows, bad = [], 0
    for name, build, path, old, new, target, test, env, what in MUTANTS:
        if wanted and name not in wanted:
            continue
        t0 = time.time()
        bdir = os.path.join(scratch, "build-" + build)
        if build not in configured:
            extra = [f"-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}"] if launcher else []
            r = run(["cmake", "-S", src, "-B", bdir, "-G", "Ninja"] + PRESETS[build] + extra)
            if r.returncode != 0:
                print(r.stdout[-3000:], file=sys.stderr)
                return 2
            configured.add(build)
        file = os.path.join(src, path)
        text = open(file).read()
        count = text.count(old)
        if count != 1:
            rows.append((name, what, "stale", f"text found {count} times in {path}", 0))
            bad += 1
            continue
        open(file, "w").write(text.replace(old, new))
        try:
            r = run(["ninja", "-C", bdir, "-j", jobs, target])
            if r.returncode != 0:
                rows.append((name, what, "stale", "does not build: " + r.stdout.strip().splitlines()[-1][:80], 0))
                bad += 1
                continue
            r = run([os.path.join(bdir, test[0])] + test[1:], cwd=bdir, env={**os.environ, **env}, timeout=1200)
            if r.returncode == 77:
                verdict, detail = "skipped", "this machine cannot run the test"
            elif r.returncode == 0:
                verdict, detail = "survived", "the test passed"
                bad += 1
            else:
                failed = [l for l in r.stdout.splitlines() if "FAILED" in l or "failed" in l]
                verdict, detail = "caught", (failed[-1].strip() if failed else f"exit {r.returncode}")[:90]
        finally:
            open(file, "w").write(text)
        rows.append((name, what, verdict, detail, time.time() - t0))
        print(f"mutants: {name}: {verdict} ({time.time() - t0:.0f} s)", file=sys.stderr)
    print(f"Mutation check at {head[:7]} ({len(rows)} mutants)\n")
    print("| mutant | planted bug | test | result | detail |")
    print("|---|---|---|---|---|")
    tests = {m[0]: " ".join(m[6]) for m in MUTANTS}
    for name, what, verdict, detail, _ in rows:
        print(f"| {name} | {what} | `{tests[name]}` | {verdict} | {detail.replace('|', '/')} |")
    if not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
