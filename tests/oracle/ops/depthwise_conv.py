"""Oracle ops of the depthwise conv family: torch conv2d with groups = channels (multiplier 1)
after an explicit F.pad with TensorFlow's (possibly asymmetric) SAME pads."""
import torch.nn.functional as F
from _tf_padding import tf_pads


def depthwise_conv2d(inputs, attrs):
    x, w = inputs["x"], inputs["w"]
    sh, sw = attrs["stride"]
    top, bottom = tf_pads(x.shape[2], w.shape[2], sh, attrs["padding"])
    left, right = tf_pads(x.shape[3], w.shape[3], sw, attrs["padding"])
    xp = F.pad(x, (left, right, top, bottom))
    return {"y": F.conv2d(xp, w, stride=(sh, sw), groups=x.shape[1])}


OPS = {"depthwise_conv2d": depthwise_conv2d}
