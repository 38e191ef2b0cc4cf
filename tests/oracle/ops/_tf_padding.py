"""TensorFlow's SAME / VALID padding arithmetic, shared by the conv, depthwise conv and pool oracles."""


def tf_pads(size, k, stride, padding):
    """(before, after) zero padding of one dimension, as TensorFlow computes it: SAME gives
    out = ceil(size / stride) and puts the odd extra row / column after."""
    if padding == "valid":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2
