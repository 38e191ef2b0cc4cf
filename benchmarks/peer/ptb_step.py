#!/usr/bin/python3
"""PyTorch side of the recurrent (PTB) training-step benchmark (benchmarks/bench_ptb_step.cpp
measures enas).

One BPTT window of 35 steps of the ENAS recurrent cell (reference §5.1, enas_lm's corrected code),
as a PyTorch port writes it: a word embedding [V, H] tied with the softmax (no bias); per step,
node 0 computes [h~; c~] = [x_t * m_x ; s_{t-1} * m_s] @ W_prev and s_0 = s + sigmoid(c~) (tanh(h~)
- s); node l reads node p_l: [h~; c~] = (s_p * m_s) @ W[l, p_l, f_l], s_l = s_p + sigmoid(c~)
(f_l(h~) - s_p); the output is the mean of nodes 1..N and the state of the next step. Word
dropout zeroes embedding rows (1 / keep scaling); locked masks [B, H] (embedding x input, state,
output) are drawn once per window. The logits of all steps are one matmul [T*B, H] @ Emb^T and one
cross_entropy; TAR beta * mean((s_t - s_{t-1})^2), AR alpha * mean(s_t^2), weight decay
coeff * sum(w^2) over the weights the step read; backward; clip_grad_norm_ over the parameters
that have a gradient; SGD (no momentum) with lr 20; zero_grad(set_to_none=True), so untouched
supernet weights are skipped, as enas's ChildSgd does. The state is detached and carried.
  search: H = 200, N = 8, batch 128, the supernet (one [H, 2H] weight per (node, previous node,
    activation)), a fresh random cell per step, drops 0.10 / 0.20 / 0.75 / 0.25 / 0.75, TAR 1,
    clip 0.1, init U[+-0.04];
  final: H = 800, the published cell 0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2 with its weights only,
    batch 64, drops 0.125 / 0.175 / 0.725 / 0.225 / 0.75, AR 0.7, clip 0.25, init U[+-0.05].
Weight decay 8e-7 in both. Float32, torch.set_num_threads(threads). Tokens/s is batch x 35 /
median step time after the warm-up steps (cpu_tokens_per_second: from the process's CPU time,
all threads); peak RSS is ru_maxrss. Prints one JSON object.
Usage: ptb_step.py --model search|final [--threads 2] [--steps 5] [--warmup 2]
"""
import argparse
import json
import random
import resource
import statistics
import time

import torch
import torch.nn.functional as F

VOCAB, STEPS = 10000, 35
PUBLISHED = [int(t) for t in "0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2".split()]
ACTIVATIONS = [torch.tanh, torch.relu, torch.sigmoid, lambda x: x]  # the token order of the space
SEARCH = dict(hidden=200, nodes=8, batch=128, drops=(0.10, 0.20, 0.75, 0.25, 0.75), ar=0.0, tar=1.0,
              clip=0.1, init=0.04)
FINAL = dict(hidden=800, nodes=8, batch=64, drops=(0.125, 0.175, 0.725, 0.225, 0.75), ar=0.7, tar=0.0,
             clip=0.25, init=0.05)
WEIGHT_DECAY, LR = 8e-7, 20.0


def cell_of(tokens):
    """[(p_l, f_l) for l = 1..N] of a flat lm-format token list."""
    return [(tokens[2 * i], tokens[2 * i + 1]) for i in range(len(tokens) // 2)]


class RnnSupernet(torch.nn.Module):
    def __init__(self, hidden, nodes, init, only=None):
        super().__init__()

        def weight(*shape):
            return torch.nn.Parameter(torch.empty(*shape).uniform_(-init, init))

        self.hidden = hidden
        self.embedding = weight(VOCAB, hidden)
        self.w_prev = weight(2 * hidden, 2 * hidden)
        self.w = torch.nn.ParameterDict()
        for l in range(1, nodes + 1):
            for p in range(l):
                for f in range(4):
                    if only is None or only[l - 1] == (p, f):
                        self.w[f"{l}_{p}_{f}"] = weight(hidden, 2 * hidden)

    def used(self, cell):
        return [self.embedding, self.w_prev] + [self.w[f"{l}_{p}_{f}"] for l, (p, f) in enumerate(cell, 1)]

    def forward(self, cell, inputs, targets, state, cfg):
        h = self.hidden
        drop_word, drop_emb, drop_x, drop_s, drop_o = cfg["drops"]
        batch = inputs.shape[1]

        def mask(rows, rate):
            return torch.empty(rows, h).bernoulli_(1 - rate) / (1 - rate)

        keep_word = torch.empty(VOCAB, 1).bernoulli_(1 - drop_word) / (1 - drop_word)
        m_x, m_s, m_o = mask(batch, drop_emb) * mask(batch, drop_x), mask(batch, drop_s), mask(batch, drop_o)
        x = F.embedding(inputs, self.embedding * keep_word)  # [T, B, H]
        weights = [self.w[f"{l}_{p}_{f}"] for l, (p, f) in enumerate(cell, 1)]
        s, outputs = state, []
        for t in range(inputs.shape[0]):
            hc = torch.cat([x[t] * m_x, s * m_s], 1) @ self.w_prev
            nodes = [s + torch.sigmoid(hc[:, h:]) * (torch.tanh(hc[:, :h]) - s)]
            masked = {}
            for (p, f), w in zip(cell, weights):
                if p not in masked:
                    masked[p] = nodes[p] * m_s
                hc = masked[p] @ w
                nodes.append(nodes[p] + torch.sigmoid(hc[:, h:]) * (ACTIVATIONS[f](hc[:, :h]) - nodes[p]))
            s = torch.stack(nodes[1:]).mean(0)
            outputs.append(s)
        out = torch.stack(outputs)  # [T, B, H]
        logits = (out * m_o).view(-1, h) @ self.embedding.t()
        loss = F.cross_entropy(logits, targets.reshape(-1))
        ce = loss.detach()
        if cfg["tar"] > 0:
            loss = loss + cfg["tar"] * (out[1:] - out[:-1]).pow(2).mean()
        if cfg["ar"] > 0:
            loss = loss + cfg["ar"] * out.pow(2).mean()
        loss = loss + WEIGHT_DECAY * sum(w.pow(2).sum() for w in self.used(cell))
        return loss, ce, s.detach()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["search", "final"], required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cfg = SEARCH if a.model == "search" else FINAL
    published = cell_of(PUBLISHED)
    model = RnnSupernet(cfg["hidden"], cfg["nodes"], cfg["init"], None if a.model == "search" else published)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(1234)
    windows = [(torch.randint(VOCAB, (STEPS, cfg["batch"]), generator=gen),
                torch.randint(VOCAB, (STEPS, cfg["batch"]), generator=gen)) for _ in range(4)]
    rng = random.Random(2024)
    state = torch.zeros(cfg["batch"], cfg["hidden"])
    times, cpu_times = [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        if a.model == "search":
            cell = [(rng.randrange(l), rng.randrange(4)) for l in range(1, cfg["nodes"] + 1)]
        else:
            cell = published
        inputs, targets = windows[i % len(windows)]
        loss, _, state = model(cell, inputs, targets, state, cfg)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], cfg["clip"])
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
    median, cpu_median = statistics.median(times), statistics.median(cpu_times)
    total = sum(p.numel() for p in model.parameters())
    check = sum(p.numel() for p in model.used(published)) if a.model == "final" else \
        sum(p.numel() for p in [model.embedding, model.w_prev] + [model.w[f"{l}_{p}_{f}"] for l, (p, f) in
                                                                   enumerate(published, 1)])
    print(json.dumps({
        "model": a.model, "torch": torch.__version__, "threads": a.threads,
        "median_step_ms": median * 1e3, "tokens_per_second": cfg["batch"] * STEPS / median,
        "median_cpu_step_ms": cpu_median * 1e3, "cpu_tokens_per_second": cfg["batch"] * STEPS / cpu_median,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_import_mib": rss_after_import, "params_total": total, "params_check": check,
    }))


if __name__ == "__main__":
    main()
