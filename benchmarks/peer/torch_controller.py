#!/usr/bin/python3
"""PyTorch side of the controller benchmark (benchmarks/bench_controller.cpp times enas).

The ENAS macro controller (reference §2.2, TF general_controller with search_whole_channels) in
PyTorch, with the same sizes and math as enas::controller::MacroController: L = 12 layers,
H = 64, 1 LSTM layer without bias (gates i, f, o, g), two LSTM steps per layer, op logits
1.5·tanh(h·w_soft), skip attention v·tanh(W1 a_j + W2 h) with two-way logits [-s, s] shaped by
1.5·tanh, input average of the chosen anchors, skip KL toward 0.4 (weight 0.8) in the loss,
sampled-action entropy in the reward, moving-average baseline 0.99, Adam(beta1 0, eps 1e-3),
gradients averaged over num_aggregate samples. One timed iteration = one sample + its update
(backward; an Adam step every num_aggregate iterations).

Two implementations:
  manual    the cell written as in the TF code: [x, h]·W then the gate nonlinearities
  lstmcell  torch.nn.LSTMCell(bias=False) (ATen's fused cell), weights in torch's layout
Prints one JSON object {"torch": version, "threads": t, "results": {name: {"seconds": s}}} with
names macro_L12/sample_update/agg<N>/<impl>. Run with Debian's /usr/bin/python3 (python3-torch).
Usage: torch_controller.py [--threads 1] [--repeats 7] [--min-time 0.3] [--layers 12]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


class MacroController(torch.nn.Module):
    def __init__(self, impl, layers=12, hidden=64, ops=6, tanh_constant=1.5, skip_target=0.4):
        super().__init__()
        self.impl, self.layers, self.hidden, self.ops = impl, layers, hidden, ops
        self.c = tanh_constant
        u = lambda *shape: torch.nn.Parameter(torch.empty(*shape).uniform_(-0.1, 0.1))
        if impl == "manual":
            self.w_lstm = u(2 * hidden, 4 * hidden)
        else:
            self.cell = torch.nn.LSTMCell(hidden, hidden, bias=False)
            for p in self.cell.parameters():
                torch.nn.init.uniform_(p, -0.1, 0.1)
        self.g_emb = u(1, hidden)
        self.w_emb = u(ops, hidden)
        self.w_soft = u(hidden, ops)
        self.w_attn_1 = u(hidden, hidden)
        self.w_attn_2 = u(hidden, hidden)
        self.v_attn = u(hidden, 1)
        self.register_buffer("skip_targets", torch.tensor([1.0 - skip_target, skip_target]))

    def lstm(self, x, c, h):
        if self.impl == "lstmcell":
            h, c = self.cell(x, (h, c))
            return c, h
        gates = torch.cat([x, h], dim=1) @ self.w_lstm
        i, f, o, g = gates.chunk(4, dim=1)
        i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
        c = i * g + f * c
        return c, o * torch.tanh(c)

    def forward(self):
        """Samples one architecture; returns (tokens, sum of log pi, entropy term, mean skip KL)."""
        h = torch.zeros(1, self.hidden)
        c = torch.zeros(1, self.hidden)
        inp = self.g_emb
        anchors, anchors_w_1 = [], []
        arc, log_probs, entropies, kls = [], [], [], []
        for layer in range(self.layers):
            c, h = self.lstm(inp, c, h)
            logit = self.c * torch.tanh(h @ self.w_soft)
            op = torch.multinomial(F.softmax(logit, dim=-1), 1).view(1)
            arc.append(op)
            lp = -F.cross_entropy(logit, op)
            log_probs.append(lp)
            entropies.append((-lp * lp.exp()).detach())
            inp = self.w_emb[op]
            c, h = self.lstm(inp, c, h)
            if layer > 0:
                query = torch.tanh(torch.cat(anchors_w_1, dim=0) + h @ self.w_attn_2) @ self.v_attn
                logit = self.c * torch.tanh(torch.cat([-query, query], dim=1))
                skip = torch.multinomial(F.softmax(logit, dim=-1), 1).view(layer)
                arc.append(skip)
                skip_prob = torch.sigmoid(logit)
                kls.append((skip_prob * torch.log(skip_prob / self.skip_targets)).sum())
                lp = -F.cross_entropy(logit, skip, reduction="none")
                log_probs.append(lp.sum())
                entropies.append((-lp * lp.exp()).sum().detach())
                skip = skip.float().view(1, layer)
                inp = (skip @ torch.cat(anchors, dim=0)) / (1.0 + skip.sum())
            else:
                inp = self.g_emb
            anchors.append(h)
            anchors_w_1.append(h @ self.w_attn_1)
        return torch.cat(arc), torch.stack(log_probs).sum(), torch.stack(entropies).sum(), torch.stack(kls).mean()


class Reinforce:
    def __init__(self, model, num_aggregate, lr=1e-3, baseline_decay=0.99, entropy_weight=1e-4, skip_weight=0.8):
        self.model, self.num_aggregate = model, num_aggregate
        self.opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.0, 0.999), eps=1e-3)
        self.baseline, self.decay, self.entropy_weight, self.skip_weight = 0.0, baseline_decay, entropy_weight, skip_weight
        self.pending = 0

    def sample_and_update(self, task_reward):
        _, log_prob, entropy, skip_kl = self.model()
        reward = task_reward + self.entropy_weight * float(entropy)
        self.baseline -= (1 - self.decay) * (self.baseline - reward)
        loss = -log_prob * (reward - self.baseline) + self.skip_weight * skip_kl
        (loss / self.num_aggregate).backward()
        self.pending += 1
        if self.pending == self.num_aggregate:
            self.opt.step()
            self.opt.zero_grad(set_to_none=False)
            self.pending = 0
        return float(loss)


def time_iterations(step, repeats, min_time):
    """Median seconds per iteration over `repeats` samples of at least min_time each."""
    for _ in range(20):  # warm-up
        step()
    t0 = time.perf_counter()
    step()
    one = max(time.perf_counter() - t0, 1e-6)
    iters = max(1, int(min_time / one))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        samples.append((time.perf_counter() - t0) / iters)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.3)
    ap.add_argument("--layers", type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    for agg in (1, 20):
        for impl in ("manual", "lstmcell"):
            trainer = Reinforce(MacroController(impl, layers=args.layers), agg)
            rewards = [0.5]

            def step():
                trainer.sample_and_update(rewards[0])
                rewards[0] = 1.0 - rewards[0]

            name = f"macro_L{args.layers}/sample_update/agg{agg}/{impl}"
            results[name] = {"seconds": time_iterations(step, args.repeats, args.min_time)}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
