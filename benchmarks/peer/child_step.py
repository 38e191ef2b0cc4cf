#!/usr/bin/python3
"""PyTorch side of the child training-step benchmark (benchmarks/bench_child_step.cpp measures enas).

One search-mode training step with a fresh random architecture each step: forward of the sampled
child only, cross-entropy (+ 0.4 x the aux head's for micro), backward, SGD. The supernets hold
every (layer, op) weight and compute only the sampled branch, as the NNI / TDeVries ports do, with
the layer structure of include/enas/child/{macro_child,micro_child,micro_cells}.hpp:
  macro: L = 12, F = 36, batch 128. Stem 3x3 conv + BN; each (layer, op) has a 1x1 conv + BN +
    ReLU, then conv k x k + BN(eps 1e-3) + ReLU / depthwise k x k + pointwise + BN(eps 1e-3) +
    ReLU / 3x3 avg (padding excluded) or max pool; layers l > 0 sum their skips and apply BN; after
    layers 3 and 7 every list entry goes through its own factorized reduction (two 1x1 convs on the
    even / odd pixels, concat, BN); GAP, dropout 0.1, linear without bias. L2 2.5e-4.
  micro: 6 + 2 cells, B = 5, F = 20 (40, 80), batch 160, aux head. Stem 3x3 conv to 3F + BN; a
    reduction cell is FR(x, 2F) then a stride-1 cell on [x, FR(x)]; calibration (ReLU -> FR, or
    ReLU -> 1x1 -> BN); sep ops are two stacked ReLU -> depthwise -> pointwise -> BN (batch
    statistics only) with weights per (node, slot, input index, kernel); loose ends concatenated ->
    ReLU -> 1x1 conv (the loose ends' weight blocks concatenated) -> BN; aux head after cell 6
    (ReLU, 5x5/3 avg pool, 1x1 -> 128 + BN + ReLU, 2x2 SAME -> 768 + BN + ReLU, GAP, linear);
    ReLU, GAP, dropout 0.1, linear. L2 1e-4.
Optimizer: torch.optim.SGD(lr 0.05, momentum 0.9, nesterov, weight_decay = 2 * l2) with
zero_grad(set_to_none=True), so a parameter the sampled child did not use has no gradient and is
skipped: the step updates exactly the touched weights, as enas's ChildSgd (UntouchedPolicy::skip).
Float32, NCHW, torch.set_num_threads(threads). Images/s is batch / median step time after the
warm-up steps; peak RSS is ru_maxrss. Prints one JSON object. Run with Debian's /usr/bin/python3.
Usage: child_step.py --model macro|micro [--threads 2] [--steps 8] [--warmup 2] [--counts-only]
"""
import argparse
import json
import random
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MACRO = dict(layers=12, filters=36, batch=128, l2=2.5e-4)
MICRO = dict(layers=6, nodes=5, filters=20, batch=160, l2=1e-4, aux_weight=0.4)
LR, KEEP = 0.05, 0.9


def conv(cin, cout, k, groups=1):
    c = nn.Conv2d(cin, cout, k, padding=k // 2, groups=groups, bias=False)  # TF SAME for odd k, stride 1
    nn.init.kaiming_normal_(c.weight, nonlinearity="relu")
    return c


class ConvBn(nn.Sequential):
    def __init__(self, cin, cout, k, eps=1e-5, relu_first=False):
        super().__init__(*([nn.ReLU()] if relu_first else []), conv(cin, cout, k), nn.BatchNorm2d(cout, eps=eps))


class SepBn(nn.Sequential):
    """[ReLU ->] depthwise k x k -> pointwise 1x1 -> BN."""

    def __init__(self, c, k, eps=1e-5, relu_first=True, running=True):
        super().__init__(*([nn.ReLU()] if relu_first else []), conv(c, c, k, groups=c), conv(c, c, 1),
                         nn.BatchNorm2d(c, eps=eps, track_running_stats=running))


class FactorizedReduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.p1, self.p2, self.bn = conv(cin, cout // 2, 1), conv(cin, cout // 2, 1), nn.BatchNorm2d(cout)

    def forward(self, x):
        assert x.shape[2] % 2 == 0 and x.shape[3] % 2 == 0  # odd sizes would need the zero pad of path 2
        return self.bn(torch.cat([self.p1(x[:, :, ::2, ::2]), self.p2(x[:, :, 1::2, 1::2])], 1))


def pool3(x, average):
    return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False) if average else F.max_pool2d(x, 3, 1, 1)


def head(x, fc, training):
    return fc(F.dropout(x.mean((2, 3)), 1 - KEEP, training))


class MacroSupernet(nn.Module):
    def __init__(self, layers, f):
        super().__init__()
        self.stem = ConvBn(3, f, 3)
        self.branches = nn.ModuleList()
        for _ in range(layers):
            ops = nn.ModuleList()
            for op in range(6):  # conv3, sep3, conv5, sep5, avg, max
                k = 5 if op in (2, 3) else 3
                main = ConvBn(f, f, k, 1e-3) if op in (0, 2) else SepBn(f, k, 1e-3, False) if op in (1, 3) else None
                ops.append(nn.ModuleDict({"inp": ConvBn(f, f, 1), **({"main": main} if main else {})}))
            self.branches.append(ops)
        self.skip_bn = nn.ModuleList(nn.BatchNorm2d(f) for _ in range(layers - 1))
        d = layers // 3
        self.pools = [d - 1, 2 * d - 1]
        self.reductions = nn.ModuleList(nn.ModuleList(FactorizedReduction(f, f) for _ in range(l + 2)) for l in self.pools)
        self.fc = nn.Linear(f, 10, bias=False)

    def forward(self, x, arch):
        entries = [self.stem(x)]
        for l, (op, skips) in enumerate(arch):
            b = self.branches[l][op]
            h = F.relu(b["inp"](entries[-1]))
            h = pool3(h, op == 4) if op >= 4 else F.relu(b["main"](h))
            if l > 0:
                for e, bit in enumerate(skips):
                    if bit:
                        h = h + entries[e]
                h = self.skip_bn[l - 1](h)
            entries.append(h)
            if l in self.pools:
                entries = [fr(e) for fr, e in zip(self.reductions[self.pools.index(l)], entries)]
        return head(entries[-1], self.fc, self.training), None


class SearchCell(nn.Module):
    def __init__(self, in0, in1, f, nodes):
        """in0 / in1: (channels, level) of the inputs, as micro_cells.hpp's Feature."""
        super().__init__()
        self.reduce0 = in0[1] != in1[1]
        self.cal0 = FactorizedReduction(in0[0], f) if self.reduce0 else ConvBn(in0[0], f, 1, relu_first=True) if in0[0] != f else None
        self.cal1 = ConvBn(in1[0], f, 1, relu_first=True) if in1[0] != f else None
        # banks[node][slot][input j][kernel 3 / 5] = two stacked SepBn (batch-statistics BN)
        self.banks = nn.ModuleList(
            nn.ModuleList(nn.ModuleList(nn.ModuleList(nn.Sequential(SepBn(f, k, running=False), SepBn(f, k, running=False))
                                                      for k in (3, 5)) for _ in range(node + 2)) for _ in range(2))
            for node in range(nodes))
        self.out_blocks = nn.ParameterList(nn.Parameter(torch.randn(f, f, 1, 1) * (2.0 / f) ** 0.5) for _ in range(nodes + 2))
        self.out_bn = nn.BatchNorm2d(f)

    def forward(self, x0, x1, cell):
        if self.cal0 is not None:
            x0 = self.cal0(F.relu(x0)) if self.reduce0 else self.cal0(x0)
        if self.cal1 is not None:
            x1 = self.cal1(x1)
        h, used = [x0, x1], [0] * (len(cell) + 2)
        for node, slots in enumerate(cell):
            total = None
            for slot, (j, op) in enumerate(slots):
                used[j] += 1
                x = h[j]
                if op <= 1:  # sep3, sep5
                    x = self.banks[node][slot][j][op](x)
                elif op <= 3:  # avg3, max3
                    x = pool3(x, op == 2)
                total = x if total is None else total + x
            h.append(total)
        loose = [j for j, u in enumerate(used) if u == 0]
        x = F.relu(torch.cat([h[j] for j in loose], 1) if len(loose) > 1 else h[loose[0]])
        w = torch.cat([self.out_blocks[j] for j in loose], 1) if len(loose) > 1 else self.out_blocks[loose[0]]
        return self.out_bn(F.conv2d(x, w))


class MicroSupernet(nn.Module):
    def __init__(self, layers, nodes, f0):
        super().__init__()
        self.stem = ConvBn(3, 3 * f0, 3)
        d = layers // 3
        self.reduction_cells, self.aux_cell = (d, 2 * d + 1), 2 * d + 2
        self.cells, self.frs = nn.ModuleList(), nn.ModuleDict()
        prev = cur = (3 * f0, 0)
        f = f0
        for c in range(layers + 2):
            if c in self.reduction_cells:
                f *= 2
                self.frs[str(c)] = FactorizedReduction(cur[0], f)
                reduced = (f, cur[1] + 1)
                self.cells.append(SearchCell(cur, reduced, f, nodes))
                cur, out = reduced, (f, reduced[1])
            else:
                self.cells.append(SearchCell(prev, cur, f, nodes))
                out = (f, cur[1])
            prev, cur = cur, out
            if c == self.aux_cell:
                self.aux_proj, self.aux_conv = ConvBn(f, 128, 1), nn.Sequential(conv(128, 768, 2), nn.BatchNorm2d(768))
                self.aux_fc = nn.Linear(768, 10, bias=False)
        self.fc = nn.Linear(f, 10, bias=False)

    def forward(self, images, arch):
        x = prev = self.stem(images)
        aux = None
        for c, cell in enumerate(self.cells):
            if c in self.reduction_cells:
                reduced = self.frs[str(c)](x)
                x, prev = cell(x, reduced, arch[1]), reduced
            else:
                x, prev = cell(prev, x, arch[0]), x
            if c == self.aux_cell and self.training:
                a = F.relu(self.aux_proj(F.avg_pool2d(F.relu(x), 5, 3)))  # 8x8 -> 2x2 (VALID)
                a = F.relu(self.aux_conv[1](F.conv2d(F.pad(a, (0, 1, 0, 1)), self.aux_conv[0].weight)))  # 2x2 SAME
                aux = self.aux_fc(a.mean((2, 3)))
        return head(F.relu(x), self.fc, self.training), aux


# Architectures: token sequences with bench_child_step.cpp's layout; pick(range) gives the next token.
def macro_arch(layers, pick):
    arch = []
    for l in range(layers):
        op = pick(6)
        arch.append((op, [pick(2) for _ in range(l)]))
    return arch


def micro_arch(nodes, pick):
    return [[[(pick(i), pick(5)) for _ in range(2)] for i in range(2, nodes + 2)] for _ in range(2)]  # normal, reduction


def check_pick(k):
    """Check architecture k: token i is (5 i + 3 k + 1) mod its range (same rule in bench_child_step.cpp)."""
    state = {"i": 0}

    def pick(r):
        v = (5 * state["i"] + 3 * k + 1) % r
        state["i"] += 1
        return v
    return pick


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["macro", "micro"], required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--counts-only", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    cfg = MACRO if args.model == "macro" else MICRO
    if args.model == "macro":
        model, make = MacroSupernet(cfg["layers"], cfg["filters"]), lambda pick: macro_arch(cfg["layers"], pick)
    else:
        model, make = MicroSupernet(cfg["layers"], cfg["nodes"], cfg["filters"]), lambda pick: micro_arch(cfg["nodes"], pick)
    model.train()
    total = sum(p.numel() for p in model.parameters())
    checks = []
    for k in range(2):  # elements touched by one step of check architecture k
        model.zero_grad(set_to_none=True)
        out, aux = model(torch.randn(2, 3, 32, 32), make(check_pick(k)))
        (out.sum() + (aux.sum() if aux is not None else 0)).backward()
        checks.append(sum(p.numel() for p in model.parameters() if p.grad is not None))
    result = {"model": args.model, "torch": torch.__version__, "threads": torch.get_num_threads(),
              "batch": cfg["batch"], "params_total": total, "params_check0": checks[0], "params_check1": checks[1]}
    if not args.counts_only:
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True, weight_decay=2 * cfg["l2"])
        g = torch.Generator().manual_seed(1234)
        batches = [(torch.randn(cfg["batch"], 3, 32, 32, generator=g), torch.randint(0, 10, (cfg["batch"],), generator=g))
                   for _ in range(4)]
        rng = random.Random(2024)
        pick = lambda r: rng.randrange(r)
        times = []
        for step in range(args.warmup + args.steps):
            x, y = batches[step % len(batches)]
            t0 = time.perf_counter()
            arch = make(pick)
            opt.zero_grad(set_to_none=True)
            out, aux = model(x, arch)
            loss = F.cross_entropy(out, y)
            loss_value = loss.item()  # as enas's train_step: the main head's loss and accuracy
            (out.argmax(1) == y).float().mean().item()
            if aux is not None:
                loss = loss + cfg.get("aux_weight", 0) * F.cross_entropy(aux, y)
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
            assert loss_value == loss_value, "loss is NaN"
        timed = times[args.warmup:]
        result.update(step_seconds=statistics.median(timed), step_seconds_all=timed,
                      images_per_second=cfg["batch"] / statistics.median(timed))
    result.update(peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, rss_after_import_mib=rss_import)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
