// The backend:: façade (include/enas/backend/F.hpp): one name per kernel, overloaded on the
// context's device. A Context<Cpu> reaches the CPU kernel; a Context<Cuda> reaches the CUDA
// launcher, which in a build without a CUDA backend still links and throws DeviceError naming
// itself (cuda/absent.cpp).
#include <vector>

#include "enas/backend/elementwise.hpp"
#include "enas/backend/pool.hpp"
#include "enas/ops/elementwise.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;

namespace {
// The overload each device picks, as a function pointer: the CPU kernel template for Cpu, the
// launcher for Cuda (a Context<D>& parameter never accepts the other device).
using CpuAxpy = void (*)(Context<Cpu>&, float, const Tensor<float, Cpu>&, Tensor<float, Cpu>&);
using CudaAxpy = void (*)(Context<Cuda>&, float, const Tensor<float, Cuda>&, Tensor<float, Cuda>&);
}  // namespace

TEST_CASE("backend:: on a Cpu context is the CPU kernel", "[ops]") {
    Context<Cpu> ctx;
    const Tensor<float, Cpu> x = Tensor<float, Cpu>::from_vector({3}, {1, 2, 3});
    Tensor<float, Cpu> y = Tensor<float, Cpu>::from_vector({3}, {10, 20, 30});
    Tensor<float, Cpu> z = Tensor<float, Cpu>::from_vector({3}, {10, 20, 30});
    backend::axpy(ctx, 2.0f, x, y);
    cpu::axpy(ctx, 2.0f, x, z);
    REQUIRE(y.to_vector() == z.to_vector());
    REQUIRE(y.to_vector() == std::vector<float>{12, 24, 36});
    REQUIRE(static_cast<CpuAxpy>(&backend::axpy) == static_cast<CpuAxpy>(&cpu::axpy<float>));
    REQUIRE(static_cast<CudaAxpy>(&backend::axpy) == static_cast<CudaAxpy>(&cuda::axpy));
}

TEST_CASE("backend:: on a Cuda context without a CUDA backend throws DeviceError naming the kernel", "[ops]") {
    if constexpr (!has_cuda_backend) {
        Context<Cuda> ctx;
        const Tensor<float, Cuda> x;  // undefined: nothing is allocated on the absent device
        Tensor<float, Cuda> y;
        ENAS_REQUIRE_THROWS(backend::axpy(ctx, 1.0f, x, y), DeviceError, Contains("axpy on the cuda device"));
        ENAS_REQUIRE_THROWS(backend::avg_pool2d_forward(ctx, Pool2dParams{}, x, y), DeviceError,
                            Contains("avg_pool2d_forward") && Contains("no CUDA backend"));
        REQUIRE(cuda::device_count() == 0);
    } else {
        SUCCEED("this build has a CUDA backend; tests/cuda cover its launchers");
    }
}
