"""Oracle ops of the batchnorm family. torch's running-variance update is unbiased; the biased
(TF) update is computed here from the batch statistics and returned for comparison."""
import torch.nn.functional as F


def batch_norm(i, a):
    x, gamma, beta = i["x"], i.get("gamma"), i.get("beta")
    rm, rv = i["running_mean"].detach().clone(), i["running_var"].detach().clone()
    eps, decay, mode = a["epsilon"], a["decay"], a["mode"]
    if mode == "eval":
        y = F.batch_norm(x, rm, rv, gamma, beta, training=False, eps=eps)
    elif mode == "train-no-running-update":
        y = F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    elif a["variance_update"] == "unbiased":
        y = F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=1 - decay, eps=eps)  # updates rm, rv
    else:
        y = F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
        dims = [0] + list(range(2, x.dim()))
        xd = x.detach()
        rm = decay * rm + (1 - decay) * xd.mean(dims)
        rv = decay * rv + (1 - decay) * xd.var(dims, unbiased=False)
    return {"y": y, "running_mean": rm, "running_var": rv}


OPS = {"batch_norm": batch_norm}
