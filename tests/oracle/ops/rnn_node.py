"""Oracle ops of the rnn_node family: the ENAS highway node written in its highway form
c * f(h_pre) + (1 - c) * s with gate c = sigmoid(c_pre)."""
import torch

_ACT = {
    "identity": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


def _rnn_node(i, a):
    gate = torch.sigmoid(i["c_pre"])
    return {"y": gate * _ACT[a["act"]](i["h_pre"]) + (1 - gate) * i["s"]}


OPS = {"rnn_node": _rnn_node}
