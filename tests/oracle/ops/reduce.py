"""Oracle ops of the reduce family."""
import torch.nn.functional as F

OPS = {
    "global_avg_pool": lambda i, a: {"y": F.adaptive_avg_pool2d(i["x"], 1).flatten(1)},
    "sum": lambda i, a: {"y": i["x"].sum().reshape(1)},
    "mean": lambda i, a: {"y": i["x"].mean().reshape(1)},
    "sum_squares": lambda i, a: {"y": (i["x"] * i["x"]).sum().reshape(1)},
}
