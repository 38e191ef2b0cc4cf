// What every CNN child model offers the trainers: a forward pass of one architecture on a batch
// of images, its parameter arena, and how it evaluates (the statistics and dropout policy of its
// space and mode, reference §3.4 and §4.4).
#pragma once
#include <concepts>
#include <string>

#include "enas/nn/blocks.hpp"

namespace enas::child {

/// The logits of one forward pass; `aux_logits` is defined only when an auxiliary head ran.
template <Device D>
struct ChildOutput {
    Var<float, D> logits;
    Var<float, D> aux_logits;
    double aux_weight = 0;  ///< weight of the aux head's cross-entropy in the training loss
};

/// How a child runs when it is evaluated (controller reward, valid and test accuracy).
struct EvalPolicy {
    nn::BnStats bn = nn::BnStats::running;
    bool dropout = false;  ///< dropout (and the aux head) active during evaluation
};

/// A CNN child model over architectures of type Arch on device D.
template <class M, class Arch, class D>
concept CnnChildModel = requires(M m, nn::ForwardPass<D>& f, const Var<float, D>& x, const Arch& a) {
    { m.forward(f, x, a) } -> std::same_as<ChildOutput<D>>;
    { m.arena() } -> std::same_as<nn::ParameterArena<D>&>;
    { m.eval_policy() } -> std::same_as<EvalPolicy>;
};

}  // namespace enas::child
