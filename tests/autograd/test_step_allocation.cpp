// A training step that repeats the same shapes takes every buffer from the context's caching
// allocator after its first iteration: no fresh allocation once warmed up.
#include "enas/enas.hpp"
#include "test_utils.hpp"

using namespace enas;

TEST_CASE("a conv/bn/pool/linear/cross-entropy/SGD step allocates nothing after warm-up", "[autograd][allocator]") {
    Context<Cpu> ctx(7);
    Rng rng(3);
    Var<float, Cpu> w1(test::random_tensor<float>({8, 3, 3, 3}, rng, -0.3, 0.3), true);
    Var<float, Cpu> dw(test::random_tensor<float>({8, 1, 3, 3}, rng, -0.3, 0.3), true);
    Var<float, Cpu> gamma(Tensor<float, Cpu>::full({8}, 1.0f), true), beta(Tensor<float, Cpu>::zeros({8}), true);
    Var<float, Cpu> fc(test::random_tensor<float>({5, 16}, rng, -0.3, 0.3), true);
    Tensor<float, Cpu> rmean = Tensor<float, Cpu>::zeros({8}), rvar = Tensor<float, Cpu>::full({8}, 1.0f);
    std::vector<Var<float, Cpu>> params = {w1, dw, gamma, beta, fc};
    std::vector<Tensor<float, Cpu>> momentum;
    for (auto& p : params) momentum.push_back(Tensor<float, Cpu>::zeros(p.shape()));
    const Tensor<float, Cpu> images = test::random_tensor<float>({4, 3, 12, 12}, rng);
    const Tensor<std::int32_t, Cpu> labels = Tensor<std::int32_t, Cpu>::from_vector({4}, {0, 1, 4, 2});
    Tape<Cpu> tape(ctx);

    auto step = [&] {
        tape.clear();
        for (auto& p : params) p.zero_grad();
        Var<float, Cpu> x(images);
        auto h = ops::relu(tape, ops::batch_norm(tape, ops::conv2d(tape, x, w1), gamma, beta, rmean, rvar, {}));
        h = ops::depthwise_conv2d(tape, h, dw, Conv2dParams{2, 2, Padding::Same});
        h = ops::max_pool2d(tape, h, Pool2dParams{3, 3, 1, 1, Padding::Same});
        auto halves = ops::concat(tape, {ops::slice(tape, h, 0, 4), ops::slice(tape, h, 4, 4)});
        auto pooled = ops::global_avg_pool(tape, halves);
        auto logits = ops::linear(tape, ops::concat(tape, {pooled, pooled}), fc);
        auto loss = ops::softmax_cross_entropy(tape, logits, labels);
        tape.backward(loss);
        for (std::size_t k = 0; k < params.size(); ++k)
            ops::sgd_step(ctx, params[k].value(), params[k].grad(), momentum[k], SgdParams{});
        return loss.value().item();
    };
    const float first = step();
    step();  // warm-up: the allocator's cache now holds every size class the step uses
    const auto warm = ctx.allocator_stats();
    float last = 0;
    for (int i = 0; i < 5; ++i) last = step();
    const auto after = ctx.allocator_stats();
    INFO("fresh allocations " << warm.fresh_allocations << " -> " << after.fresh_allocations);
    REQUIRE(after.fresh_allocations == warm.fresh_allocations);
    REQUIRE(after.reuses > warm.reuses);
    REQUIRE(last < first);  // and it trains
}
