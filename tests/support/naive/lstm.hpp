// Naive double-precision reference of the controller's LSTM cell (no bias, gates i, f, o, g),
// forward and backward, written straight from the formulas with row-major flat vectors.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace enas::naive {

struct LstmCellRef {
    std::int64_t batch, in, hidden;
    std::vector<double> x, h_prev, c_prev, w;      // [B, I], [B, H], [B, H], [(I + H), 4H]
    std::vector<double> h, c;                      // outputs [B, H]
    std::vector<double> dx, dh_prev, dc_prev, dw;  // input gradients

    double pre(std::int64_t b, std::int64_t col) const {  // [x, h_prev] . W at (b, col)
        double s = 0;
        for (std::int64_t k = 0; k < in; ++k) s += x[b * in + k] * w[k * 4 * hidden + col];
        for (std::int64_t k = 0; k < hidden; ++k) s += h_prev[b * hidden + k] * w[(in + k) * 4 * hidden + col];
        return s;
    }
    static double sigmoid(double a) { return 1 / (1 + std::exp(-a)); }

    void forward() {
        h.assign(static_cast<std::size_t>(batch * hidden), 0);
        c = h;
        for (std::int64_t b = 0; b < batch; ++b)
            for (std::int64_t j = 0; j < hidden; ++j) {
                const double i = sigmoid(pre(b, j)), f = sigmoid(pre(b, hidden + j));
                const double o = sigmoid(pre(b, 2 * hidden + j)), g = std::tanh(pre(b, 3 * hidden + j));
                const std::size_t k = static_cast<std::size_t>(b * hidden + j);
                c[k] = i * g + f * c_prev[k];
                h[k] = o * std::tanh(c[k]);
            }
    }

    /// Gradients for upstream gh, gc ([B, H]; an empty vector means zero).
    void backward(const std::vector<double>& gh, const std::vector<double>& gc) {
        dx.assign(x.size(), 0);
        dh_prev.assign(h_prev.size(), 0);
        dc_prev.assign(c_prev.size(), 0);
        dw.assign(w.size(), 0);
        for (std::int64_t b = 0; b < batch; ++b)
            for (std::int64_t j = 0; j < hidden; ++j) {
                const std::size_t k = static_cast<std::size_t>(b * hidden + j);
                const double i = sigmoid(pre(b, j)), f = sigmoid(pre(b, hidden + j));
                const double o = sigmoid(pre(b, 2 * hidden + j)), g = std::tanh(pre(b, 3 * hidden + j));
                const double cj = i * g + f * c_prev[k], tc = std::tanh(cj);
                const double dh = gh.empty() ? 0 : gh[k];
                const double dc = (gc.empty() ? 0 : gc[k]) + dh * o * (1 - tc * tc);
                dc_prev[k] += dc * f;
                const double dpre[4] = {dc * g * i * (1 - i), dc * c_prev[k] * f * (1 - f), dh * tc * o * (1 - o),
                                        dc * i * (1 - g * g)};
                for (int q = 0; q < 4; ++q) {
                    const std::int64_t col = q * hidden + j;
                    for (std::int64_t r = 0; r < in; ++r) {
                        dw[r * 4 * hidden + col] += x[b * in + r] * dpre[q];
                        dx[b * in + r] += w[r * 4 * hidden + col] * dpre[q];
                    }
                    for (std::int64_t r = 0; r < hidden; ++r) {
                        dw[(in + r) * 4 * hidden + col] += h_prev[b * hidden + r] * dpre[q];
                        dh_prev[b * hidden + r] += w[(in + r) * 4 * hidden + col] * dpre[q];
                    }
                }
            }
    }
};

}  // namespace enas::naive
