"""Oracle ops of the lstm family: the controller's bias-free LSTM cell with gate order i, f, o, g
and W [(I + H), 4H] (rows [0, I) multiply x, rows [I, I + H) multiply h_prev).

"lstm_cell" runs torch's own LSTMCell kernel (torch.lstm_cell, what nn.LSTMCell(bias=False)
calls), whose gate order is i, f, g, o and whose weights are [4H, I] and [4H, H]: our W is split
into its x and h row blocks, transposed, and its o and g column blocks are swapped.
"lstm_cell_formula" writes the cell formula directly."""
import torch


def _torch_weights(w, n_in):
    hidden = w.shape[1] // 4
    i, f, o, g = (w[:, k * hidden:(k + 1) * hidden] for k in range(4))
    w_ifgo = torch.cat([i, f, g, o], dim=1)  # torch's gate order
    return w_ifgo[:n_in].t(), w_ifgo[n_in:].t()


def _lstm_cell(inp, a):
    x, h, c, w = inp["x"], inp["h_prev"], inp["c_prev"], inp["w"]
    w_ih, w_hh = _torch_weights(w, x.shape[1])
    h1, c1 = torch.lstm_cell(x, [h, c], w_ih, w_hh, None, None)
    return {"h": h1, "c": c1}


def _lstm_cell_formula(inp, a):
    x, h, c, w = inp["x"], inp["h_prev"], inp["c_prev"], inp["w"]
    gates = torch.cat([x, h], dim=1) @ w
    i, f, o, g = gates.chunk(4, dim=1)
    c1 = torch.sigmoid(i) * torch.tanh(g) + torch.sigmoid(f) * c
    h1 = torch.sigmoid(o) * torch.tanh(c1)
    return {"h": h1, "c": c1}


OPS = {"lstm_cell": _lstm_cell, "lstm_cell_formula": _lstm_cell_formula}
