// Synchronization bugs and faults are reported as errors naming kernel, block and thread (through
// the launch helper's enas::CudaError and through cudaGetLastError), never as a hang.
#include "emu_test_utils.hpp"
#include "enas/core/error.hpp"
#include "kernels/faulty.cuh"
#include "kernels/reduction.cuh"

namespace emu_test {
namespace {

using Catch::Matchers::Contains;

// Emulator-only: nvcc rejects it at compile time (64 KiB of static shared memory, over 48 KiB).
__global__ void too_much_shared_memory(float* out) {
    ENAS_SHARED(float, big, 16384);
    big[threadIdx.x] = 1.0f;
    __syncthreads();
    out[threadIdx.x] = big[threadIdx.x];
}

/// A correct kernel still runs after a failed one (the emulator cleaned up the failed block).
void require_emulator_still_works() {
    const std::vector<float> x(300, 1.0f);
    DeviceArray<float> input(x);
    DeviceArray<float> partial(2);
    enas::cuda::launch<block_sum_static<256>>(2, 256, 0, nullptr, input.get(), partial.get(), 300);
    const std::vector<float> sums = partial.download();
    REQUIRE(sums[0] + sums[1] == 300.0f);
    REQUIRE(cudaGetLastError() == cudaSuccess);
}

}  // namespace

TEST_CASE("a __syncthreads in a divergent branch is reported, not a hang", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle));
    DeviceArray<float> out(64 * 4);
    REQUIRE_THROWS_MATCHES(enas::cuda::launch<barrier_in_divergent_branch>(4, 64, 0, nullptr, out.get()),
                           enas::CudaError, Catch::Matchers::Predicate<enas::CudaError>([](const enas::CudaError& e) {
                               const std::string m = e.what();
                               return m.find("barrier_in_divergent_branch") != std::string::npos &&
                                      m.find("block (0,0,0)") != std::string::npos &&
                                      m.find("exited without reaching __syncthreads at faulty.cuh:") !=
                                          std::string::npos &&
                                      m.find("16 of 64 threads wait") != std::string::npos;
                           }));
    // The launch helper consumed the error; the raw emulator entry leaves it for cudaGetLastError.
    REQUIRE(cudaGetLastError() == cudaSuccess);
    const cudaError_t error =
        enas::emu::launch<barrier_in_divergent_branch>("barrier_in_divergent_branch", 1, 64, 0, nullptr, out.get());
    CHECK(error == cudaErrorLaunchFailure);
    CHECK(cudaPeekAtLastError() == cudaErrorLaunchFailure);
    CHECK(cudaGetLastError() == cudaErrorLaunchFailure);
    CHECK(cudaGetLastError() == cudaSuccess);
    CHECK_THAT(enas::emu::last_error_detail(), Contains("thread (") && Contains("block (0,0,0)"));
    require_emulator_still_works();
}

TEST_CASE("threads waiting at different __syncthreads are reported", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(2, false));
    DeviceArray<float> out(64);
    CHECK_THROWS_WITH(enas::cuda::launch<barriers_at_different_sites>(1, 64, 0, nullptr, out.get()),
                      Contains("barriers_at_different_sites") && Contains("block (0,0,0), thread (0,0,0)") &&
                          Contains("threads wait at different barriers") &&
                          Contains("thread (1,0,0) waits at __syncthreads"));
    require_emulator_still_works();
}

TEST_CASE("an early return before a barrier is an error unless PTX semantics are asked for", "[emu]") {
    const int n = 100;  // the second block's threads 36..63 return early
    std::vector<float> x(n);
    for (int i = 0; i < n; ++i) x[i] = static_cast<float>(i);
    DeviceArray<float> input(x);
    DeviceArray<float> out(n);
    {
        enas::emu::ScopedOptions scoped(settings(2, false));
        CHECK_THROWS_WITH(enas::cuda::launch<early_return_before_barrier>(2, 64, 0, nullptr, input.get(), out.get(), n),
                          Contains("block (1,0,0), thread (36,0,0): exited without reaching __syncthreads"));
    }
    enas::emu::Options ptx = settings(2, true);
    ptx.exited_threads_release_barriers = true;
    enas::emu::ScopedOptions scoped(ptx);
    enas::cuda::launch<early_return_before_barrier>(2, 64, 0, nullptr, input.get(), out.get(), n);
    CHECK(out.download() == x);
}

TEST_CASE("a warp collective that a lane of its mask never reaches is reported", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(2, false));
    DeviceArray<float> out(64);
    CHECK_THROWS_WITH(enas::cuda::launch<shuffle_missing_lane>(1, 64, 0, nullptr, out.get()),
                      Contains("shuffle_missing_lane") && Contains("__shfl_down_sync") &&
                          Contains("lane 31, thread (31,0,0), has exited"));
    CHECK_THROWS_WITH(enas::cuda::launch<shuffle_against_barrier>(1, 32, 0, nullptr, out.get()),
                      Contains("__shfl_xor_sync") && Contains("never completes") &&
                          Contains("thread (16,0,0), waits at __syncthreads"));
    CHECK_THROWS_WITH(enas::cuda::launch<shuffle_mask_without_caller>(1, 32, 0, nullptr, out.get()),
                      Contains("thread (1,0,0)") && Contains("mask 0x00000001 does not name the calling lane 1"));
    require_emulator_still_works();
}

TEST_CASE("__trap and exhausted shared memory fail the launch with the thread that hit them", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(2, false));
    DeviceArray<float> out(4 * 32);
    CHECK_THROWS_WITH(enas::cuda::launch<trap_in_one_thread>(4, 32, 0, nullptr, out.get()),
                      Contains("block (2,0,0), thread (5,0,0): __trap() called"));
    CHECK_THROWS_WITH(enas::cuda::launch<too_much_shared_memory>(1, 32, 0, nullptr, out.get()),
                      Contains("shared array 'big' (65536 B)") && Contains("49152 B"));
    require_emulator_still_works();
}

TEST_CASE("invalid launch configurations are rejected with CUDA's error codes", "[emu]") {
    DeviceArray<float> out(64);
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(1, 2048, 0, nullptr, out.get()),
                      Contains("cudaErrorInvalidConfiguration") && Contains("block (2048,1,1)"));
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(1, dim3(32, 32, 2), 0, nullptr, out.get()),
                      Contains("cudaErrorInvalidConfiguration") && Contains("2048 threads, over 1024"));
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(dim3(1, 0, 1), 32, 0, nullptr, out.get()),
                      Contains("cudaErrorInvalidConfiguration"));
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(1, dim3(8, 8, 65), 0, nullptr, out.get()),
                      Contains("cudaErrorInvalidConfiguration"));
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(1, 32, 64 * 1024, nullptr, out.get()),
                      Contains("cudaErrorInvalidValue") && Contains("dynamic shared memory"));
    cudaStream_t stream = nullptr;
    require_success(cudaStreamCreate(&stream));
    require_success(cudaStreamDestroy(stream));
    CHECK_THROWS_WITH(enas::cuda::launch<barrier_in_divergent_branch>(1, 32, 0, stream, out.get()),
                      Contains("cudaErrorInvalidResourceHandle"));
}

TEST_CASE("threadIdx outside a kernel is an error", "[emu]") {
    CHECK_THROWS_AS(static_cast<void>(threadIdx.x), enas::CudaError);
    CHECK_THROWS_AS(__syncthreads(), enas::CudaError);
}

}  // namespace emu_test
