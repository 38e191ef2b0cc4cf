#!/usr/bin/env python3
"""The PyTorch side of the enas oracle tests (see tests/support/oracle.hpp).

Usage: oracle.py DIR. Reads DIR/manifest.json (a list of cases written by the C++ test), runs each
case's op in float64 with torch autograd on the same inputs and upstream gradients, and writes
every output and every requested input gradient as raw float64 files
c<case>_out_<name>.f64 and c<case>_grad_<name>.f64. Exits non-zero, with a reason, when torch or
numpy is missing or an op is unknown.

Ops live in tests/oracle/ops/<family>.py; each module defines OPS = {"name": fn}, where
fn(inputs: dict[str, Tensor], attrs: dict) -> dict[str, Tensor] of outputs.
"""
import importlib.util
import json
import os
import sys

try:
    import numpy as np
    import torch
except ImportError as e:  # fail, never skip: the oracle is the outside reference
    sys.exit(f"oracle.py: {e}; install Debian's python3-torch and python3-numpy")

HERE = os.path.dirname(os.path.abspath(__file__))


def load_ops():
    ops = {}
    ops_dir = os.path.join(HERE, "ops")
    sys.path.insert(0, ops_dir)  # op modules share helpers from ops/_*.py (not op modules themselves)
    for fname in sorted(os.listdir(ops_dir)):
        if not fname.endswith(".py") or fname.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"enas_oracle_{fname[:-3]}", os.path.join(ops_dir, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in mod.OPS.items():
            if name in ops:
                sys.exit(f"oracle.py: op '{name}' is defined twice (in {fname})")
            ops[name] = fn
    return ops


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: oracle.py DIR")
    d = sys.argv[1]
    torch.set_num_threads(1)
    ops = load_ops()
    with open(os.path.join(d, "manifest.json")) as f:
        cases = json.load(f)
    for c, case in enumerate(cases):
        op = case["op"]
        if op not in ops:
            sys.exit(f"oracle.py: unknown op '{op}' (known: {', '.join(sorted(ops))})")
        inputs = {}
        for spec in case["inputs"]:
            path = os.path.join(d, spec["file"])
            if spec["dtype"] == "int64":
                arr = np.fromfile(path, dtype=np.int64).reshape(spec["shape"])
                inputs[spec["name"]] = torch.from_numpy(arr)
            else:
                arr = np.fromfile(path, dtype=np.float32).astype(np.float64).reshape(spec["shape"])
                inputs[spec["name"]] = torch.from_numpy(arr).requires_grad_(bool(spec["grad"]))
        outs = ops[op](inputs, case["attrs"])
        loss = None
        for spec in case["outputs"]:
            name = spec["name"]
            if name not in outs:
                sys.exit(f"oracle.py: op '{op}' returned no output '{name}' (returned: {', '.join(outs)})")
            y = outs[name]
            if list(y.shape) != list(spec["shape"]):
                sys.exit(f"oracle.py: op '{op}' output '{name}' has shape {list(y.shape)}, enas has {spec['shape']}")
            y.detach().to(torch.float64).numpy().tofile(os.path.join(d, f"c{c}_out_{name}.f64"))
            if "upstream" in spec:
                g = np.fromfile(os.path.join(d, spec["upstream"]), dtype=np.float32).astype(np.float64)
                term = (y * torch.from_numpy(g.reshape(spec["shape"]))).sum()
                loss = term if loss is None else loss + term
        wanted = [n for n in case["grads"]]
        if wanted:
            if loss is None:
                sys.exit(f"oracle.py: case {c} ({op}) asks for gradients but gives no upstream gradient")
            tensors = [inputs[n] for n in wanted]
            grads = torch.autograd.grad(loss, tensors, allow_unused=True)
            for n, t, g in zip(wanted, tensors, grads):
                g = torch.zeros_like(t) if g is None else g
                g.detach().numpy().tofile(os.path.join(d, f"c{c}_grad_{n}.f64"))
    print(f"oracle.py: torch {torch.__version__}, {len(cases)} cases")


if __name__ == "__main__":
    main()
