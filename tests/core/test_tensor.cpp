#include "enas/core/context.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;

TEST_CASE("shape basics and errors", "[core]") {
    Shape s{2, 3, 4};
    REQUIRE(s.rank() == 3);
    REQUIRE(s.numel() == 24);
    REQUIRE(s[-1] == 4);
    REQUIRE(s.contiguous_strides() == Shape{12, 4, 1});
    REQUIRE(s.str() == "[2, 3, 4]");
    ENAS_REQUIRE_THROWS(s[3], ShapeError, Contains("out of range for rank 3"));
    REQUIRE_THROWS_AS((Shape{1, 2, 3, 4, 5, 6, 7}), ShapeError);
    ENAS_REQUIRE_THROWS((Shape{2, -1}), ShapeError, Contains("negative dimension -1"));
    REQUIRE(Shape{}.numel() == 1);
    REQUIRE(Shape{4, 0}.empty());
}

TEST_CASE("tensor views share storage; narrow gives strided views", "[core]") {
    std::vector<float> v(24);
    for (int i = 0; i < 24; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(i);
    auto t = Tensor<float, Cpu>::from_vector({2, 3, 4}, v);
    auto flat = t.view({24});
    REQUIRE(flat.shares_storage(t));
    flat.data()[5] = 100;
    REQUIRE(t.to_vector()[5] == 100);

    auto mid = t.narrow(1, 1, 2);  // [2, 2, 4], strided
    REQUIRE(mid.shape() == Shape{2, 2, 4});
    REQUIRE_FALSE(mid.is_contiguous());
    const std::vector<float> got = mid.to_vector();
    const std::vector<float> want = {4, 100, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23};
    REQUIRE(got == want);
    ENAS_REQUIRE_THROWS(mid.view({16}), ShapeError, Contains("not contiguous"));
    ENAS_REQUIRE_THROWS(t.view({5, 5}), ShapeError, Contains("[2, 3, 4]") && Contains("[5, 5]"));
    ENAS_REQUIRE_THROWS(t.narrow(1, 2, 2), ShapeError, Contains("out of bounds"));

    Tensor<float, Cpu> dst({2, 2, 4});
    dst.fill(-1);
    auto dst_mid = t.clone().narrow(1, 0, 2);
    dst_mid.copy_from(mid);  // strided to strided
    REQUIRE(dst_mid.to_vector() == want);
}

TEST_CASE("undefined tensors and wrong sizes are reported", "[core]") {
    Tensor<float, Cpu> u;
    REQUIRE_FALSE(u.defined());
    ENAS_REQUIRE_THROWS(u.fill(1), StateError, Contains("undefined"));
    ENAS_REQUIRE_THROWS((Tensor<float, Cpu>::from_vector({2, 2}, {1, 2, 3})), ShapeError,
                        Contains("3 values for shape [2, 2]"));
    Tensor<float, Cpu> a({2, 2}), b({4});
    ENAS_REQUIRE_THROWS(a.copy_from(b), ShapeError, Contains("[4]") && Contains("[2, 2]"));
    ENAS_REQUIRE_THROWS(a.item(), ShapeError, Contains("4 elements"));
}

TEST_CASE("a cuda tensor in a build without the CUDA backend is a clear DeviceError", "[core]") {
    if constexpr (!has_cuda_backend) {
        ENAS_REQUIRE_THROWS((Tensor<float, Cuda>({2, 2})), DeviceError, Contains("no CUDA backend"));
        Tensor<float, Cpu> host({2, 2});
        host.fill(1);
        REQUIRE_THROWS_AS(host.to<Cuda>(), DeviceError);
    } else {
#if ENAS_HAS_CUDA
        if (cuda::device_count() == 0) return;  // a real CUDA build on a machine without a GPU
#endif
        Tensor<float, Cpu> host = Tensor<float, Cpu>::from_vector({2, 2}, {1, 2, 3, 4});
        REQUIRE(host.to<Cuda>().to<Cpu>().to_vector() == host.to_vector());
    }
}

TEST_CASE("the caching allocator reuses blocks, so a repeated step allocates nothing new", "[core]") {
    Context<Cpu> ctx;
    auto step = [&] {
        for (int i = 0; i < 10; ++i) {
            auto a = ctx.empty<float>({128, 36, 32, 32});
            auto b = ctx.zeros<float>({1000 + i});
            auto c = ctx.empty<double>({3, 3});
        }
    };
    step();
    const auto warm = ctx.allocator_stats();
    for (int k = 0; k < 5; ++k) step();
    const auto after = ctx.allocator_stats();
    REQUIRE(after.fresh_allocations == warm.fresh_allocations);
    REQUIRE(after.reuses > warm.reuses);
    REQUIRE(after.bytes_in_use == 0);
    REQUIRE(CachingAllocator<Cpu>::size_class(1) == 256);
    REQUIRE(CachingAllocator<Cpu>::size_class(5000) >= 5000);
    REQUIRE(CachingAllocator<Cpu>::size_class(5000) < 5000 * 5 / 4 + 1024);
}

TEST_CASE("Philox matches the published known-answer vectors and is counter-based", "[core][rng]") {
    // Random123 known-answer test for philox4x32-10: counter and key all 0xffffffff (lanes).
    const PhiloxBlock b = philox4x32(~0ull, ~0ull, ~0ull);
    REQUIRE(b.v[0] == 0x408f276du);
    REQUIRE(b.v[1] == 0x41c83b0eu);
    REQUIRE(b.v[2] == 0xa20bc7c6u);
    REQUIRE(b.v[3] == 0x6d5451fdu);
    const PhiloxBlock z = philox4x32(0, 0, 0);
    REQUIRE(z.v[0] == 0x6627e8d5u);
    REQUIRE(z.v[1] == 0xe169c58du);
    REQUIRE(z.v[2] == 0xbc57ac4cu);
    REQUIRE(z.v[3] == 0x9b00dbd8u);

    Rng a(42), c(42);
    for (int i = 0; i < 100; ++i) REQUIRE(a.next_u32() == c.next_u32());
    Rng d(43);
    REQUIRE(Rng(42).next_u32() != d.next_u32());
    // Same (seed, offset) gives the same stream: state save and restore.
    Rng e(7);
    e.uniform();
    Rng f(e.seed(), e.offset());
    REQUIRE(e.uniform() == f.uniform());
    double mean = 0;
    for (int i = 0; i < 20000; ++i) mean += a.uniform();
    REQUIRE(std::abs(mean / 20000 - 0.5) < 0.01);
}
