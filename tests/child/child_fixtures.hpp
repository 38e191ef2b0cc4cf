// Shared pieces of the child-model tests: random image batches and one search-mode training step.
#pragma once
#include <random>
#include <vector>

#include "enas/child/child_model.hpp"
#include "enas/ops/softmax.hpp"
#include "enas/optim/child_sgd.hpp"
#include "search/random_arch.hpp"

namespace enas::test {

inline Tensor<float, Cpu> random_images(std::uint64_t seed, std::int64_t n, std::int64_t c, std::int64_t h,
                                        std::int64_t w) {
    Rng rng(seed);
    std::vector<float> v(static_cast<std::size_t>(n * c * h * w));
    for (float& x : v) x = static_cast<float>(rng.normal());
    return Tensor<float, Cpu>::from_vector({n, c, h, w}, v);
}

inline Tensor<std::int32_t, Cpu> random_labels(std::uint64_t seed, std::int64_t n, int classes) {
    Rng rng(seed);
    std::vector<std::int32_t> v(static_cast<std::size_t>(n));
    for (auto& y : v) y = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(classes)));
    return Tensor<std::int32_t, Cpu>::from_vector({n}, v);
}

/// Forward + backward of `arch` (training mode, aux loss weight 0.4 when an aux head ran);
/// returns the cross-entropy of the main head.
template <class Model, class Arch>
double forward_backward(Context<Cpu>& ctx, Model& model, const Arch& arch, const Tensor<float, Cpu>& x,
                        const Tensor<std::int32_t, Cpu>& y) {
    Tape<Cpu> tape(ctx);
    nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch_and_update};
    auto out = model.forward(f, Var<float, Cpu>(x), arch);
    auto loss = ops::softmax_cross_entropy(tape, out.logits, y);
    const double value = loss.value().item();
    if (out.aux_logits.defined())
        loss = ops::add(tape, loss, ops::scale(tape, ops::softmax_cross_entropy(tape, out.aux_logits, y), 0.4f));
    tape.backward(loss);
    return value;
}

}  // namespace enas::test
