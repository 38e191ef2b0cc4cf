"""Oracle ops of the dropout family. torch cannot reproduce enas's Philox masks, so each case
passes the 0/1 keep mask enas drew (input "keep", no gradient) and torch applies it with the
inverted-dropout scaling: y = x * keep / keep_prob, broadcast as each op defines."""


def _dropout(i, a):
    return {"y": i["x"] * i["keep"] / a["keep_prob"]}


def _drop_path(i, a):
    x = i["x"]
    keep = i["keep"].reshape([x.shape[0]] + [1] * (x.dim() - 1))
    return {"y": x * keep / a["keep_prob"]}


def _locked_dropout(i, a):
    return {"y": i["x"] * i["keep"].unsqueeze(0) / a["keep_prob"]}


def _embedding_dropout(i, a):
    return {"y": i["table"] * i["keep"].unsqueeze(1) / a["keep_prob"]}


OPS = {
    "dropout": _dropout,
    "drop_path": _drop_path,
    "locked_dropout": _locked_dropout,
    "embedding_dropout": _embedding_dropout,
}
