// Built against an installed enas: trains one parameter with the tape and checks the result.
#include <cmath>
#include <cstdio>

#include "enas/enas.hpp"

int main() {
    using namespace enas;
    Context<Cpu> ctx(1);
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> w(Tensor<float, Cpu>::from_vector({1}, {0.0f}), true);
    const Var<float, Cpu> target(Tensor<float, Cpu>::from_vector({1}, {0.5f}));
    for (int step = 0; step < 200; ++step) {  // minimise (tanh(w) - 0.5)^2 by gradient descent
        tape.clear();
        w.zero_grad();
        auto d = ops::add(tape, ops::tanh(tape, w), ops::scale(tape, target, -1.0f));
        auto loss = ops::mul(tape, d, d);
        tape.backward(loss);
        w.value().data()[0] -= 0.5f * w.grad().data()[0];
    }
    const float got = std::tanh(w.value().data()[0]);
    std::printf("enas %s consumer: tanh(w) = %.4f (target 0.5)\n", ENAS_VERSION_STRING, got);
    return std::fabs(got - 0.5f) < 1e-3f ? 0 : 1;
}
