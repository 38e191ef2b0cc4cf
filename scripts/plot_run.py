#!/usr/bin/env python3
"""Draws a run folder's curves as PNGs plus an index.html in the folder itself.

  python3 scripts/plot_run.py RUN_DIR [--enas-arch PATH]

The kind of run is read from the folder:
  search run (cifar_search / ptb_search: config.json with a "search" section)
      training loss and metric per step and epoch; mean reward and baseline; controller entropy and
      skip rate per epoch; the rewards of each epoch's sampled architectures (archs.jsonl, a box per
      epoch: the search's learning curve); shared-weight valid/test metric per epoch; and, when
      graphviz's `dot` and enas_arch are found, the derived architecture (best_arch.txt).
  final run (cifar_train / ptb_train: config.json with an "arch")
      training loss and metric per step, train/test (and valid) metric per epoch.
  study (enas_study: study.json)
      shared-weight score vs standalone metric per run, with Kendall tau and its interval.

Needs matplotlib (Debian: python3-matplotlib; with a pyenv python3 first on PATH, run
/usr/bin/python3). Exits 2 with a message when the folder is none of these.
"""
import argparse
import html
import json
import os
import shutil
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line cut by a crash: the rest still draws
    return out


def metric_of(records):
    """The task's metric name ("accuracy", "ppl") from the keys of the epoch records."""
    for r in records:
        for key in r:
            if key.startswith("train_") and key != "train_loss":
                return key[len("train_"):]
    return "accuracy"


def save(fig, folder, name, figures):
    fig.tight_layout()
    fig.savefig(os.path.join(folder, name), dpi=90)
    plt.close(fig)
    figures.append(name)


def plot_training(folder, metrics, figures, step_phases):
    epochs = [r for r in metrics if r.get("phase") == "epoch"]
    steps = [r for r in metrics if r.get("phase") in step_phases]
    metric = metric_of(epochs)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    if steps:
        per_epoch = {}
        for r in steps:
            per_epoch[r["epoch"]] = max(per_epoch.get(r["epoch"], 0), r.get("step", 0))
        x = [r["epoch"] + r.get("step", 0) / max(per_epoch[r["epoch"]], 1) for r in steps]
        ax1.plot(x, [r.get("loss") for r in steps], lw=0.8, alpha=0.6, label="step loss")
        step_metric = metric if metric in steps[0] else ("accuracy" if "accuracy" in steps[0] else None)
        if step_metric:
            ax2.plot(x, [r.get(step_metric) for r in steps], lw=0.8, alpha=0.6, label="step " + step_metric)
    if epochs:
        ex = [r["epoch"] + 1 for r in epochs]
        ax1.plot(ex, [r.get("train_loss") for r in epochs], "o-", label="epoch train loss")
        for split in ("train", "valid", "test"):
            key = f"{split}_{metric}"
            if any(key in r for r in epochs):
                ax2.plot([r["epoch"] + 1 for r in epochs if key in r], [r[key] for r in epochs if key in r], "o-",
                         label=key)
    ax1.set(xlabel="epoch", ylabel="loss", title="training loss")
    ax2.set(xlabel="epoch", ylabel=metric, title=metric)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, folder, "training.png", figures)
    return epochs


def plot_search(folder, figures, enas_arch):
    metrics = read_jsonl(os.path.join(folder, "metrics.jsonl"))
    epochs = plot_training(folder, metrics, figures, ("child",))
    ctrl = [r for r in epochs if "reward" in r]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    if ctrl:
        x = [r["epoch"] + 1 for r in ctrl]
        ax1.plot(x, [r["reward"] for r in ctrl], "o-", label="mean reward")
        ax1.plot(x, [r["baseline"] for r in ctrl], "s--", label="baseline")
        ax2.plot(x, [r["controller_entropy"] for r in ctrl], "o-", color="C2", label="entropy")
        twin = ax2.twinx()
        twin.plot(x, [r.get("skip_rate", 0) for r in ctrl], "^:", color="C3", label="skip rate")
        twin.set_ylabel("skip rate")
        twin.legend(fontsize=8, loc="upper right")
    else:
        ax1.text(0.5, 0.5, "no controller epochs", ha="center", transform=ax1.transAxes)
    ax1.set(xlabel="epoch", ylabel="reward", title="controller reward")
    ax2.set(xlabel="epoch", ylabel="entropy", title="controller entropy and skip rate")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8, loc="upper left")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    save(fig, folder, "controller.png", figures)

    archs = read_jsonl(os.path.join(folder, "archs.jsonl"))
    by_epoch = {}
    for a in archs:
        by_epoch.setdefault(a["epoch"], []).append(a["reward"])
    fig, ax = plt.subplots(figsize=(10, 3.8))
    if by_epoch:
        keys = sorted(by_epoch)
        ax.boxplot([by_epoch[k] for k in keys], positions=[k + 1 for k in keys], widths=0.6)
        ax.plot([k + 1 for k in keys], [sum(by_epoch[k]) / len(by_epoch[k]) for k in keys], "o-", label="mean")
        ax.legend(fontsize=8)
    ax.set(xlabel="epoch", ylabel="reward", title="rewards of the architectures sampled each epoch (archs.jsonl)")
    ax.grid(alpha=0.3)
    save(fig, folder, "arch_rewards.png", figures)
    draw_arch(folder, figures, enas_arch)


def draw_arch(folder, figures, enas_arch):
    """The derived architecture via `enas_arch dot` and graphviz, when both are there."""
    best, config = os.path.join(folder, "best_arch.txt"), os.path.join(folder, "config.json")
    dot = shutil.which("dot")
    tool = enas_arch or shutil.which("enas_arch")
    if not (dot and tool and os.path.exists(best)):
        return
    space = json.load(open(config)).get("space", "")
    with open(best) as f:
        arch = f.read().strip()
    p = subprocess.run([tool, "dot", "--space", space, arch], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"plot_run.py: enas_arch dot failed, no architecture drawing: {p.stderr.strip()}", file=sys.stderr)
        return
    with open(os.path.join(folder, "best_arch.dot"), "w") as f:
        f.write(p.stdout)
    subprocess.run([dot, "-Tpng", "-o", os.path.join(folder, "best_arch.png"), os.path.join(folder, "best_arch.dot")],
                   check=True)
    figures.append("best_arch.png")


def plot_final(folder, figures):
    plot_training(folder, read_jsonl(os.path.join(folder, "metrics.jsonl")), figures, ("train",))


def plot_study(folder, figures):
    report = json.load(open(os.path.join(folder, "study.json")))
    runs = report["runs"]
    metric = report.get("metric", "accuracy")
    fig, axes = plt.subplots(1, max(len(runs), 1), figsize=(4.5 * max(len(runs), 1), 4), squeeze=False)
    fmt = (lambda v: "n/a" if v is None else f"{v:.2f}")
    for ax, r in zip(axes[0], runs):
        ys = [a["standalone"] for a in r["archs"]]
        ax.scatter([a["shared"] for a in r["archs"]], ys, s=40, label="run's own evaluation")
        by = r.get("by_bn_statistics", {})
        for stats, marker in (("batch", "x"), ("running", "+")):
            if stats in by:
                t = by[stats]["kendall_tau"]["value"]
                ax.scatter([a[f"shared_{stats}"] for a in r["archs"]], ys, marker=marker, s=60,
                           label=f"{stats} BN statistics (tau {fmt(t)})")
        tau = r["kendall_tau"]
        ax.set(xlabel="shared-weight score (validation)", ylabel=f"standalone test {metric}",
               title=f"{r['label']} ({r['policy']}): tau {fmt(tau['value'])} [{fmt(tau['low'])}, {fmt(tau['high'])}]")
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    save(fig, folder, "study_scatter.png", figures)


def write_index(folder, kind, figures):
    title = f"{kind} run: {os.path.basename(os.path.abspath(folder))}"
    body = "".join(f'<h2>{html.escape(f)}</h2><img src="{html.escape(f)}">\n' for f in figures)
    with open(os.path.join(folder, "index.html"), "w") as f:
        f.write(f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
                f"<body><h1>{html.escape(title)}</h1>\n{body}</body></html>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir")
    ap.add_argument("--enas-arch", help="the enas_arch binary (for the architecture drawing; default: on PATH)")
    a = ap.parse_args()
    folder = a.run_dir
    figures = []
    config_path = os.path.join(folder, "config.json")
    config = json.load(open(config_path)) if os.path.exists(config_path) else {}
    if os.path.exists(os.path.join(folder, "study.json")):
        kind = "study"
        plot_study(folder, figures)
    elif "search" in config:
        kind = "search"
        plot_search(folder, figures, a.enas_arch)
    elif "arch" in config:
        kind = "final"
        plot_final(folder, figures)
    else:
        print(f"plot_run.py: '{folder}' is no run folder (no study.json, no config.json with 'search' or 'arch')",
              file=sys.stderr)
        sys.exit(2)
    write_index(folder, kind, figures)
    print(f"plot_run.py: {kind} run, {len(figures)} figures: {os.path.join(folder, 'index.html')}")


if __name__ == "__main__":
    main()
