"""Oracle ops of the elementwise family."""
import torch

ACT = {
    "identity": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}

OPS = {
    "activation": lambda i, a: {"y": ACT[a["act"]](i["x"])},
    "add": lambda i, a: {"y": i["a"] + i["b"]},
    "mul": lambda i, a: {"y": i["a"] * i["b"]},
    "scale": lambda i, a: {"y": i["x"] * a["alpha"]},
}
