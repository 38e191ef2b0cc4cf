// The execution model: 3-D indices, thread order between barriers (ascending, or shuffled and
// reproducible from the seed), barrier reductions, fresh and private shared memory per block,
// vector types and math intrinsics.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "emu_test_utils.hpp"
#include "kernels/execution.cuh"

namespace emu_test {
namespace {

/// The order in which the 64 threads of one block reached the two points around a barrier.
std::vector<int> thread_order() {
    DeviceArray<int> order(128);
    DeviceArray<int> next(std::vector<int>{0});
    enas::cuda::launch<record_order_around_barrier>(1, 64, 0, nullptr, order.get(), next.get());
    return order.download();
}

}  // namespace

TEST_CASE("every thread of a 3-D grid of 3-D blocks sees its own indices", "[emu]") {
    enas::emu::ScopedOptions scoped(settings(2, true));
    const dim3 grid(3, 2, 2);
    const dim3 block(5, 3, 4);
    const std::size_t threads = std::size_t{3} * 2 * 2 * 5 * 3 * 4;
    DeviceArray<unsigned int> out(threads);
    enas::cuda::launch<record_indices>(grid, block, 0, nullptr, out.get());
    const std::vector<unsigned int> got = out.download();
    std::size_t k = 0;
    for (unsigned int bz = 0; bz < grid.z; ++bz)
        for (unsigned int by = 0; by < grid.y; ++by)
            for (unsigned int bx = 0; bx < grid.x; ++bx)
                for (unsigned int tz = 0; tz < block.z; ++tz)
                    for (unsigned int ty = 0; ty < block.y; ++ty)
                        for (unsigned int tx = 0; tx < block.x; ++tx, ++k)
                            REQUIRE(got[k] == ((bx << 24) | (by << 20) | (bz << 16) | (tx << 8) | (ty << 4) | tz));
}

TEST_CASE("threads run in ascending order, or shuffled reproducibly from the seed", "[emu]") {
    std::vector<int> ascending(64);
    std::iota(ascending.begin(), ascending.end(), 0);
    const auto phase = [](const std::vector<int>& order, int which) {
        return std::vector<int>(order.begin() + which * 64, order.begin() + (which + 1) * 64);
    };
    {
        enas::emu::ScopedOptions scoped(settings(1, false));
        const std::vector<int> order = thread_order();
        CHECK(phase(order, 0) == ascending);
        CHECK(phase(order, 1) == ascending);
    }
    enas::emu::ScopedOptions scoped(settings(1, true, 42));
    const std::vector<int> first = thread_order();
    for (int which = 0; which < 2; ++which) {
        std::vector<int> sorted = phase(first, which);
        std::sort(sorted.begin(), sorted.end());
        CHECK(sorted == ascending);  // each phase is a permutation: the barrier separates them
        CHECK(phase(first, which) != ascending);
    }
    CHECK(phase(first, 0) != phase(first, 1));  // a fresh order after every barrier

    // The same seed reproduces the order; another seed changes it.
    CHECK(thread_order() == first);
    enas::emu::set_options(settings(1, true, 43));
    CHECK(thread_order() != first);
}

TEST_CASE("__syncthreads_count, _and and _or reduce the predicate over the block", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(1, shuffle));
    DeviceArray<int> results(3);
    for (const int limit : {0, 1, 50, 96}) {
        enas::cuda::launch<barrier_reductions>(1, 96, 0, nullptr, limit, results.get());
        INFO("limit " << limit);
        CHECK(results.download() == std::vector<int>{limit, limit == 96 ? 1 : 0, limit > 0 ? 1 : 0});
    }
}

TEST_CASE("shared memory is poisoned afresh and private for every block", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle));
    constexpr unsigned int kBlocks = 64;
    constexpr unsigned int kThreads = 128;
    DeviceArray<int> poisoned(kBlocks * kThreads);
    DeviceArray<unsigned int> neighbour(kBlocks * kThreads);
    enas::cuda::launch<shared_memory_is_fresh_and_private>(kBlocks, kThreads, 0, nullptr, poisoned.get(),
                                                           neighbour.get());
    const std::vector<int> fresh = poisoned.download();
    const std::vector<unsigned int> blocks = neighbour.download();
    for (unsigned int i = 0; i < kBlocks * kThreads; ++i) {
        REQUIRE(fresh[i] == 1);
        REQUIRE(blocks[i] == i / kThreads);
    }
}

TEST_CASE("a 2-D shared tile: transpose of sizes that divide no tile", "[emu]") {
    const bool shuffle = GENERATE(false, true);
    enas::emu::ScopedOptions scoped(settings(2, shuffle));
    for (const auto& [rows, cols] : {std::pair{1, 1}, std::pair{33, 70}, std::pair{64, 32}, std::pair{5, 100}}) {
        std::vector<float> in(static_cast<std::size_t>(rows * cols));
        std::iota(in.begin(), in.end(), 0.0f);
        DeviceArray<float> input(in);
        DeviceArray<float> output(in.size());
        const dim3 grid(enas::cuda::blocks_for(cols, 32), enas::cuda::blocks_for(rows, 32));
        enas::cuda::launch<transpose>(grid, dim3(32, 8), 0, nullptr, input.get(), output.get(), rows, cols);
        const std::vector<float> got = output.download();
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                REQUIRE(got[static_cast<std::size_t>(c * rows + r)] == in[static_cast<std::size_t>(r * cols + c)]);
    }
}

TEST_CASE("vector types and math intrinsics", "[emu]") {
    constexpr int kN4 = 300;
    std::vector<float4> x(kN4);
    for (int i = 0; i < kN4; ++i) {
        const float v = static_cast<float>(i - 150) / 37.0f;
        x[static_cast<std::size_t>(i)] = make_float4(v, -v, 2 * v, v / 3);
    }
    DeviceArray<float4> input(x);
    DeviceArray<float4> output(kN4);
    enas::cuda::launch<vector_math>(enas::cuda::blocks_for(kN4, 128), 128, 0, nullptr, input.get(), output.get(), kN4);
    const std::vector<float4> y = output.download();
    for (int i = 0; i < kN4; ++i) {
        const float4 v = x[static_cast<std::size_t>(i)];
        const float4 r = y[static_cast<std::size_t>(i)];
        CHECK(r.x == Approx(1.0f / (1.0f + std::exp(-v.x))));
        CHECK(r.y == Approx(std::tanh(v.y)));
        CHECK(r.z == Approx(1.0f / std::sqrt(std::fabs(v.z) + 1.0f)));
        CHECK(r.w == Approx(std::fmax(std::erf(v.w), std::fmin(std::sqrt(std::fabs(v.w)),
                                                               std::pow(2.0f, std::log(std::fabs(v.w) + 1.0f))))));
    }
}

}  // namespace emu_test
