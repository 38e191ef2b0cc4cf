"""Oracle ops of the copy family (concat and slice on dimension 1, factorized-reduction shifts)."""
import torch
import torch.nn.functional as F


def concat(i, a):
    return {"y": torch.cat([i[f"x{k}"] for k in range(a["n"])], dim=1)}


def shifted_subsample(x, off, s):
    """x[:, :, off::s, off::s] on x zero-padded at the bottom and right, cut to ceil(H/s) x ceil(W/s)."""
    h, w = x.shape[2], x.shape[3]
    ho, wo = -(-h // s), -(-w // s)
    pad_h = max(0, (ho - 1) * s + off + 1 - h)
    pad_w = max(0, (wo - 1) * s + off + 1 - w)
    xp = F.pad(x, (0, pad_w, 0, pad_h))
    return xp[:, :, off::s, off::s][:, :, :ho, :wo]


OPS = {
    "concat": concat,
    "slice": lambda i, a: {"y": torch.narrow(i["x"], 1, a["start"], a["length"])},
    "shifted_subsample": lambda i, a: {"y": shifted_subsample(i["x"], a["offset"], a["stride"])},
    # ENAS's factorized-reduction shift, written as in the authors' code: pad one zero row and
    # column at the bottom and right, then drop the first row and column.
    "shift_pad": lambda i, a: {"y": F.pad(i["x"], (0, 1, 0, 1))[:, :, 1:, 1:]},
    # The two factorized-reduction paths as the authors write them (1x1 avg-pool with stride 2).
    "fr_path1": lambda i, a: {"y": F.avg_pool2d(i["x"], 1, 2)},
    "fr_path2": lambda i, a: {"y": F.avg_pool2d(F.pad(i["x"], (0, 1, 0, 1))[:, :, 1:, 1:], 1, 2)},
}
