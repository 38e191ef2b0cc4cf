// The Cuda device's start-up check and streams: the check's messages for a missing or too old GPU,
// a context on a created (blocking) stream computing what the default stream computes (the suite
// runs with the emulator's asynchronous streams, so a fill or copy that ignored the context's
// stream would race its kernels here), and a non-blocking stream rejected with a clear message.
#include "cuda_compare.hpp"
#include "enas/backend/cuda/device.hpp"
#include "enas/ops/conv.hpp"

using namespace enas;

TEST_CASE("the start-up check names a missing or too old GPU", "[cuda][device]") {
    CHECK_THAT(cuda::device_problem(0, 0, 0), Catch::Contains("no CUDA device is visible"));
    CHECK_THAT(cuda::device_problem(1, 7, 5),
               Catch::Contains("compute capability 7.5") && Catch::Contains("no kernel image is available"));
    CHECK(cuda::device_problem(1, 8, 0).empty());
    CHECK(cuda::device_problem(2, 9, 0).empty());
    CHECK(cuda::device_problem(1, 10, 0).empty());
    cuda::require_usable_device();  // the device under test passes it
    CHECK_FALSE(cuda::device_summary().empty());
}

namespace {

/// conv2d forward and backward (through the tape) on a context with `stream`; returns y and dx.
std::pair<std::vector<float>, std::vector<float>> conv_step(void* stream) {
    Context<Cuda> ctx(3);
    if (stream != nullptr) ctx.set_stream(stream);
    Rng rng(4);
    const auto x = test::random_tensor<float>({2, 3, 8, 8}, rng);
    const auto w = test::random_tensor<float>({5, 3, 3, 3}, rng);
    Tape<Cuda> tape(ctx);
    Var<float, Cuda> xv(test::to_cuda(x), true), wv(test::to_cuda(w), true);
    Conv2dParams p;
    p.padding = Padding::Same;
    Var<float, Cuda> y = ops::conv2d(tape, xv, wv, p);
    Tensor<float, Cuda> seed = ctx.empty<float>(y.shape());
    seed.fill(0.5f);  // on the default stream, ordered with the context's blocking stream
    tape.backward(y, seed);
    return {y.value().to_vector(), xv.grad().to_vector()};
}

}  // namespace

TEST_CASE("a context on a created stream computes what the default stream computes", "[cuda][device]") {
    const auto on_default = conv_step(nullptr);
    void* stream = cuda::create_stream();
    const auto on_stream = conv_step(stream);
    cuda::destroy_stream(stream);
    CHECK(on_stream.first == on_default.first);
    CHECK(on_stream.second == on_default.second);
}

TEST_CASE("a non-blocking stream on a context is rejected before any launch", "[cuda][device]") {
    void* stream = cuda::create_non_blocking_stream();
    CHECK_THROWS_WITH(conv_step(stream), Catch::Contains("non-blocking"));
    cuda::destroy_stream(stream);
}
