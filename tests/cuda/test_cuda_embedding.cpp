// The embedding family on the Cuda device against the CPU kernels: lookup and the scatter-add
// backward with repeated ids (which must add up in the same order, so results are identical),
// ids of rank 0 to 2, D not a multiple of 32, launcher level with guarded outputs and through the
// Var-level op.
#include "cuda_compare.hpp"
#include "enas/ops/embedding.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
Tensor<std::int32_t, Cpu> random_ids(const Shape& shape, std::int64_t v, Rng& rng) {
    Tensor<std::int32_t, Cpu> ids(shape);
    for (std::int64_t i = 0; i < ids.numel(); ++i)
        ids.data()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(v)));
    return ids;
}
}  // namespace

TEST_CASE("Cuda embedding lookup and scatter-add match the CPU exactly", "[cuda][embedding]") {
    Rng rng(4);
    struct Case {
        std::int64_t v, d;
        Shape ids;
    };
    // v = 3 with 35 x 4 ids: every row is hit many times.
    const Case cases[] = {{1, 1, {1}}, {10, 7, {5}}, {3, 33, {35, 4}}, {1000, 40, {6, 5}}, {50, 300, {17}}, {7, 5, {}}};
    for (const Case& c : cases) {
        const std::string label =
            "embedding [" + std::to_string(c.v) + ", " + std::to_string(c.d) + "] ids " + c.ids.str();
        INFO(label);
        Context<Cpu> cpu;
        Context<Cuda> gpu;
        const auto table = test::random_tensor<float>({c.v, c.d}, rng);
        const auto ids = random_ids(c.ids, c.v, rng);
        const std::int64_t n = ids.numel();
        const auto ids_d = test::to_cuda(ids);
        Tensor<float, Cpu> y = cpu.empty<float>({n, c.d});
        cpu::embedding_forward(cpu, table, ids, y);
        CudaGuarded<float> y_d({n, c.d});
        cuda::embedding_forward(gpu, test::to_cuda(table), ids_d, y_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " forward", y_d.tensor, y, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(y_d);

        const auto gy = test::random_tensor<float>({n, c.d}, rng);
        Tensor<float, Cpu> gt = Tensor<float, Cpu>::full({c.v, c.d}, 0.5f);
        cpu::embedding_backward(cpu, ids, gy, gt);
        CudaGuarded<float> gt_d({c.v, c.d}, 0.5f);
        cuda::embedding_backward(gpu, ids_d, test::to_cuda(gy), gt_d.tensor);
        ENAS_REQUIRE_CUDA_CLOSE(label + " backward", gt_d.tensor, gt, 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(gt_d);
    }
}

TEST_CASE("Cuda embedding Var op matches the CPU through the tape", "[cuda][embedding]") {
    Rng rng(10);
    const auto table = test::random_tensor<float>({20, 9}, rng);
    const auto ids = random_ids({4, 6}, 20, rng);
    const auto ids_d = test::to_cuda(ids);
    test::require_var_op_matches(
        "ops::embedding", {table},
        [&](auto& tape, auto& v) { return ops::embedding(tape, v[0], test::pick(tape, ids, ids_d)); }, 0.0, 0.0);
    Context<Cuda> gpu;
    const auto bad = test::to_cuda(Tensor<std::int32_t, Cpu>::from_vector({3}, {1, 20, 2}));
    REQUIRE_THROWS_AS(ops::embedding(gpu, test::to_cuda(table), bad), ValueError);
}
