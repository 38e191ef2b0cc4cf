#!/usr/bin/python3
"""PyTorch side of the dense-conv benchmark (benchmarks/bench_conv.cpp measures enas on the same shapes).

Times forward, backward-input and backward-weight of F.conv2d on the macro search shapes
(N=128, 36 -> 36 channels, 32x32) with torch's native kernels (oneDNN on this build): backward
passes go through aten::convolution_backward with an output mask, so each pass is timed alone.
Prints one JSON object: {"threads": t, "torch": version, "results": {name: {...}}}, where name matches
the enas benchmark names (conv/<shape>/<pass>) and each entry has the median seconds per call,
images/s and GFLOP/s. Usage: torch_conv.py [--threads 2] [--repeats 15] [--min-time 0.2] [--filter SUBSTR]
Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

# name, N, C_in, C_out, H, W, k, stride. Keep in step with kMacroConvShapes in benchmarks/conv_shapes.hpp.
SHAPES = [
    ("k3_s1", 128, 36, 36, 32, 32, 3, 1),
    ("k1_s1", 128, 36, 36, 32, 32, 1, 1),
    ("k5_s1", 128, 36, 36, 32, 32, 5, 1),
    ("k3_s2", 128, 36, 36, 32, 32, 3, 2),
]


def flops(n, ci, co, ho, wo, k):
    return 2.0 * n * co * ci * k * k * ho * wo


def time_call(fn, repeats, min_time):
    """Median seconds per call over `repeats` samples; each sample loops for at least min_time."""
    fn()  # warm-up (oneDNN primitive creation, allocator)
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-6)
    iters = max(1, int(min_time / one))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t0) / iters)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--filter", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    with torch.no_grad():
        for name, n, ci, co, h, w, k, s in SHAPES:
            x = torch.randn(n, ci, h, w)
            wt = torch.randn(co, ci, k, k) * 0.1
            # Symmetric padding (k-1)//2 gives TF SAME's output size (and work) for these shapes;
            # TF pads stride 2 asymmetrically, which torch's conv cannot express without a copy.
            pad = (k - 1) // 2
            y = F.conv2d(x, wt, stride=s, padding=pad)
            gy = torch.randn_like(y)
            ho, wo = y.shape[2], y.shape[3]
            conv_bwd = torch.ops.aten.convolution_backward
            passes = {
                "forward": lambda: F.conv2d(x, wt, stride=s, padding=pad),
                "backward_input": lambda: conv_bwd(gy, x, wt, [0], [s, s], [pad, pad], [1, 1], False, [0, 0], 1,
                                                   [True, False, False]),
                "backward_weight": lambda: conv_bwd(gy, x, wt, [0], [s, s], [pad, pad], [1, 1], False, [0, 0], 1,
                                                    [False, True, False]),
            }
            for pname, fn in passes.items():
                key = f"conv/{name}/{pname}"
                if args.filter not in key:
                    continue
                sec = time_call(fn, args.repeats, args.min_time)
                results[key] = {"seconds": sec, "images_per_s": n / sec, "gflops": flops(n, ci, co, ho, wo, k) / sec / 1e9}
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__, "results": results}, indent=1))


if __name__ == "__main__":
    main()
