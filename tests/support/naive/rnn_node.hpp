// Naive double-precision reference of the ENAS highway node s' = s + sigmoid(c) * (f(h) - s)
// and its gradients, written from the formula.
#pragma once
#include <cmath>

#include "naive/elementwise.hpp"

namespace enas::naive {

struct RnnNodeGrads {
    double ds, dc, dh;
};

inline double rnn_node(Activation f, double s, double c, double h) {
    const double gate = 1 / (1 + std::exp(-c));
    return gate * activation(f, h) + (1 - gate) * s;
}

/// Gradients of g * s' with respect to s, c and h.
inline RnnNodeGrads rnn_node_grads(Activation f, double s, double c, double h, double g) {
    const double gate = 1 / (1 + std::exp(-c));
    return {g * (1 - gate), g * (activation(f, h) - s) * gate * (1 - gate), g * gate * activation_grad(f, h)};
}

}  // namespace enas::naive
