"""Oracle ops of the pool family (TF SAME/VALID geometry, padding excluded from averages)."""
import torch
import torch.nn.functional as F
from _tf_padding import tf_pads


def _geometry(x, a):
    k, s = (a["kh"], a["kw"]), (a["sh"], a["sw"])
    if a["padding"] == "valid":
        return k, s, (0, 0, 0, 0)
    top, bottom = tf_pads(x.shape[2], a["kh"], a["sh"], "same")
    left, right = tf_pads(x.shape[3], a["kw"], a["sw"], "same")
    return k, s, (left, right, top, bottom)


def avg_pool2d(i, a):
    x = i["x"]
    k, s, (left, right, top, bottom) = _geometry(x, a)
    if left == right and top == bottom:
        return {"y": F.avg_pool2d(x, k, s, padding=(top, left), count_include_pad=False)}
    # Asymmetric SAME padding: window sums over zero padding over the count of real inputs.
    pads = (left, right, top, bottom)
    sums = F.avg_pool2d(F.pad(x, pads), k, s, divisor_override=1)
    counts = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pads), k, s, divisor_override=1)
    return {"y": sums / counts}


def max_pool2d(i, a):
    x = i["x"]
    k, s, pads = _geometry(x, a)
    return {"y": F.max_pool2d(F.pad(x, pads, value=float("-inf")), k, s)}


OPS = {"avg_pool2d": avg_pool2d, "max_pool2d": max_pool2d}
