"""Oracle ops of the dense conv family: TensorFlow SAME / VALID padding expressed as an explicit
(possibly asymmetric) F.pad followed by an unpadded torch conv2d."""
import torch.nn.functional as F
from _tf_padding import tf_pads


def conv2d(inputs, attrs):
    x, w = inputs["x"], inputs["w"]
    sh, sw = attrs["stride"]
    top, bottom = tf_pads(x.shape[2], w.shape[2], sh, attrs["padding"])
    left, right = tf_pads(x.shape[3], w.shape[3], sw, attrs["padding"])
    xp = F.pad(x, (left, right, top, bottom))
    return {"y": F.conv2d(xp, w, stride=(sh, sw))}


OPS = {"conv2d": conv2d}
