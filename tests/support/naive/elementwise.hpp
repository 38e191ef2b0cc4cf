// Naive double-precision references for the elementwise family.
#pragma once
#include <cmath>

#include "enas/backend/cpu/elementwise.hpp"

namespace enas::naive {

inline double activation(Activation a, double x) {
    switch (a) {
        case Activation::Relu: return x > 0 ? x : 0;
        case Activation::Tanh: return std::tanh(x);
        case Activation::Sigmoid: return 1 / (1 + std::exp(-x));
        case Activation::Identity: break;
    }
    return x;
}

inline double activation_grad(Activation a, double x) {
    switch (a) {
        case Activation::Relu: return x > 0 ? 1 : 0;
        case Activation::Tanh: return 1 - std::tanh(x) * std::tanh(x);
        case Activation::Sigmoid: {
            const double s = 1 / (1 + std::exp(-x));
            return s * (1 - s);
        }
        case Activation::Identity: break;
    }
    return 1;
}

}  // namespace enas::naive
