"""Oracle ops of the optim family. Each case runs several update steps: "grads" is [K, ...], one
gradient per step. SGD and the PyTorch form of Adam run torch.optim itself (its state primed with
our starting buffers); the TensorFlow form of Adam is TF AdamOptimizer's formula written out."""
import torch


def _sgd_torch(i, a):
    p = i["param"].detach().clone()
    opt = torch.optim.SGD([p], lr=a["lr"], momentum=a["momentum"], nesterov=a["nesterov"],
                          weight_decay=a["weight_decay"])
    opt.state[p]["momentum_buffer"] = i["momentum"].detach().clone()
    for g in i["grads"]:
        p.grad = g.detach().clone()
        opt.step()
    return {"param": p, "momentum": opt.state[p]["momentum_buffer"]}


def _adam_torch(i, a):
    p = i["param"].detach().clone()
    opt = torch.optim.Adam([p], lr=a["lr"], betas=(a["beta1"], a["beta2"]), eps=a["eps"],
                           weight_decay=a["weight_decay"])
    # torch increments 'step' before using it: priming it with first_step - 1 makes the first
    # update step number first_step.
    opt.state[p]["step"] = torch.tensor(float(a["first_step"] - 1))
    opt.state[p]["exp_avg"] = i["m"].detach().clone()
    opt.state[p]["exp_avg_sq"] = i["v"].detach().clone()
    for g in i["grads"]:
        p.grad = g.detach().clone()
        opt.step()
    return {"param": p, "m": opt.state[p]["exp_avg"], "v": opt.state[p]["exp_avg_sq"]}


def _adam_tf(i, a):
    """tf.train.AdamOptimizer: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); p -= lr_t * m / (sqrt(v) + eps)."""
    p, m, v = (i[k].detach().clone() for k in ("param", "m", "v"))
    b1, b2 = a["beta1"], a["beta2"]
    t = a["first_step"]
    for g in i["grads"]:
        g = g + a["weight_decay"] * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        lr_t = a["lr"] * (1 - b2 ** t) ** 0.5 / (1 - b1 ** t)
        p = p - lr_t * m / (v.sqrt() + a["eps"])
        t += 1
    return {"param": p, "m": m, "v": v}


OPS = {"sgd_torch": _sgd_torch, "adam_torch": _adam_torch, "adam_tf": _adam_tf}
