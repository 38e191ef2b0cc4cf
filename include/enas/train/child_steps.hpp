// One child training step and the evaluation passes, shared by final training (cifar_train) and
// the search loop: forward of one architecture, cross-entropy (+ the aux head's weighted
// cross-entropy), backward, one ChildSgd step over the touched weights; evaluation with the
// model's EvalPolicy. Batches live on the CPU and are copied to the model's device.
#pragma once
#include <cmath>

#include "enas/child/child_model.hpp"
#include "enas/data/batch_loader.hpp"
#include "enas/ops/elementwise.hpp"
#include "enas/ops/softmax.hpp"
#include "enas/optim/child_sgd.hpp"

namespace enas::train {

struct StepResult {
    double loss = 0;      ///< cross-entropy of the main head (the aux head's term excluded)
    double accuracy = 0;  ///< on the training batch
    std::int64_t images = 0;
};

template <Device D>
Tensor<float, D> to_device(const Tensor<float, Cpu>& t) {
    if constexpr (is_cpu_v<D>)
        return t;
    else
        return t.template to<D>();
}
template <Device D>
Tensor<std::int32_t, D> to_device(const Tensor<std::int32_t, Cpu>& t) {
    if constexpr (is_cpu_v<D>)
        return t;
    else
        return t.template to<D>();
}

/// Forward + backward + optimizer step of `arch` on `batch` at learning rate `lr`. Throws
/// ValueError naming the step's loss if it is not finite (the weights are then left as they
/// were before the step: the check comes before the update).
template <Device D, class Model, class Arch>
StepResult train_step(Context<D>& ctx, Model& model, const Arch& arch, const data::Batch& batch,
                      optim::ChildSgd<D>& sgd, double lr) {
    Tape<D> tape(ctx);
    nn::ForwardPass<D> f{tape, model.arena(), true, nn::BnStats::batch_and_update};
    const Tensor<std::int32_t, D> labels = to_device<D>(batch.labels);
    child::ChildOutput<D> out = model.forward(f, Var<float, D>(to_device<D>(batch.images)), arch);
    Var<float, D> loss = ops::softmax_cross_entropy(tape, out.logits, labels);
    StepResult r;
    r.loss = loss.value().item();
    r.accuracy = ops::accuracy(ctx, out.logits.value(), labels);
    r.images = batch.size();
    if (!std::isfinite(r.loss)) {
        model.arena().zero_touched_grads();
        model.arena().clear_touched();
        throw ValueError(enas::detail::concat("the training loss became ", r.loss, " (epoch ", batch.epoch, ", step ",
                                              batch.step, "); lower the learning rate or check the data"));
    }
    if (out.aux_logits.defined() && out.aux_weight > 0)
        loss = ops::add(tape, loss,
                        ops::scale(tape, ops::softmax_cross_entropy(tape, out.aux_logits, labels),
                                   static_cast<float>(out.aux_weight)));
    tape.backward(loss);
    sgd.step(ctx, lr);
    return r;
}

/// Number of correct predictions of `arch` on `batch` under the model's evaluation policy.
/// Under a batch-statistics policy the running averages are left alone.
template <Device D, class Model, class Arch>
std::int64_t eval_correct(Context<D>& ctx, Model& model, const Arch& arch, const data::Batch& batch) {
    Tape<D> tape(ctx);
    NoGrad<D> no_grad(tape);
    const child::EvalPolicy policy = model.eval_policy();
    nn::ForwardPass<D> f{tape, model.arena(), policy.dropout, policy.bn};
    child::ChildOutput<D> out = model.forward(f, Var<float, D>(to_device<D>(batch.images)), arch);
    model.arena().clear_touched();
    return ops::count_correct(ctx, out.logits.value(), to_device<D>(batch.labels));
}

/// Accuracy of `arch` on one batch (the controller's reward, reference §7.3).
template <Device D, class Model, class Arch>
double eval_accuracy(Context<D>& ctx, Model& model, const Arch& arch, const data::Batch& batch) {
    return static_cast<double>(eval_correct(ctx, model, arch, batch)) / static_cast<double>(batch.size());
}

}  // namespace enas::train
