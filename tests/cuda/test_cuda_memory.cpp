// The Cuda device's memory layer (cuda/memory.cu, core/tensor.hpp on Cuda): copies both ways,
// fills, strided copies between views on the device and across devices, context zeros, errors,
// and the comparison helpers of tests/support/cuda_compare.hpp themselves.
#include <cstdint>
#include <limits>
#include <vector>

#include "cuda_compare.hpp"
#include "enas/core/device_memory.hpp"

using namespace enas;
using Catch::Matchers::Contains;

TEST_CASE("tensors copy to the Cuda device and back unchanged", "[cuda][memory]") {
    Rng rng(3);
    for (std::int64_t n : {1, 3, 257, 10007}) {
        const auto host = test::random_tensor<float>({n}, rng);
        const Tensor<float, Cuda> device = test::to_cuda(host);
        REQUIRE(device.to_vector() == host.to_vector());
        const Tensor<float, Cuda> again = device.clone();  // device to device
        REQUIRE(again.to<Cpu>().to_vector() == host.to_vector());
    }
    const auto labels = Tensor<std::int32_t, Cpu>::from_vector({4}, {3, -1, 0, 7});
    REQUIRE(test::to_cuda(labels).to_vector() == labels.to_vector());
}

TEST_CASE("uploads through the pinned staging ring are intact with many in flight", "[cuda][memory]") {
    // More uploads than staging slots and no synchronisation between them: with the emulator's
    // asynchronous streams (the suite's mode) a slot refilled before its upload ran would be caught.
    Rng rng(9);
    for (int i = 0; i < 8; ++i) {  // grow every slot first: growing one waits for all device work
        const auto warm = test::random_tensor<float>({70000}, rng);
        REQUIRE(test::to_cuda(warm).to_vector() == warm.to_vector());
    }
    std::vector<Tensor<float, Cpu>> hosts;
    std::vector<Tensor<float, Cuda>> devices;
    for (std::int64_t n : {5, 1000, 3, 70000, 17, 2, 40000, 9, 300, 1}) {
        hosts.push_back(test::random_tensor<float>({n}, rng));
        devices.push_back(test::to_cuda(hosts.back()));
    }
    for (std::size_t i = 0; i < hosts.size(); ++i) REQUIRE(devices[i].to_vector() == hosts[i].to_vector());
}

TEST_CASE("fill and zeros run on the device for every element type", "[cuda][memory]") {
    Context<Cuda> ctx(1);
    Tensor<float, Cuda> f({5, 7});
    f.fill(2.5f);
    REQUIRE(f.to_vector() == std::vector<float>(35, 2.5f));
    Tensor<double, Cuda> d({33});
    d.fill(-0.125);
    REQUIRE(d.to_vector() == std::vector<double>(33, -0.125));
    Tensor<std::int32_t, Cuda> i({9});
    i.fill(-7);
    REQUIRE(i.to_vector() == std::vector<std::int32_t>(9, -7));
    auto z = ctx.zeros<float>({3, 1001});
    REQUIRE(z.to_vector() == std::vector<float>(3003, 0.0f));
    auto zd = ctx.zeros<double>({17});
    REQUIRE(zd.to_vector() == std::vector<double>(17, 0.0));
    // A strided view: only its elements change.
    Tensor<float, Cuda> m({4, 6});
    m.fill(1.0f);
    Tensor<float, Cuda> column = m.narrow(1, 2, 3);
    column.fill(9.0f);
    const std::vector<float> got = m.to_vector();
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 6; ++c)
            REQUIRE(got[static_cast<std::size_t>(r * 6 + c)] == (c >= 2 && c < 5 ? 9.0f : 1.0f));
}

TEST_CASE("strided views copy on the device and across devices", "[cuda][memory]") {
    Rng rng(8);
    const auto host = test::random_tensor<float>({3, 5, 7}, rng);
    const Tensor<float, Cuda> device = test::to_cuda(host);
    // Non-contiguous source on the device: contiguous() packs it with the strided-copy kernel.
    const Tensor<float, Cpu> want = host.narrow(1, 1, 3).narrow(2, 2, 4).contiguous();
    const Tensor<float, Cuda> view = device.narrow(1, 1, 3).narrow(2, 2, 4);
    REQUIRE_FALSE(view.is_contiguous());
    REQUIRE(view.contiguous().to_vector() == want.to_vector());
    REQUIRE(view.to<Cpu>().to_vector() == want.to_vector());
    // Strided destination on the device, from the device and from the host.
    Tensor<float, Cuda> target({3, 5, 7});
    target.fill(0.0f);
    Tensor<float, Cuda> window = target.narrow(2, 1, 4).narrow(1, 0, 3);
    window.copy_from(view);
    Tensor<float, Cpu> expect = Tensor<float, Cpu>::zeros({3, 5, 7});
    Tensor<float, Cpu> expect_window = expect.narrow(2, 1, 4).narrow(1, 0, 3);
    expect_window.copy_from(want);
    REQUIRE(target.to_vector() == expect.to_vector());
    target.fill(0.0f);
    window.copy_from(host.narrow(1, 1, 3).narrow(2, 2, 4));  // strided host source
    REQUIRE(target.to_vector() == expect.to_vector());
}

TEST_CASE("a Cuda context carries an opaque stream and library handle slots", "[cuda][memory]") {
    Context<Cuda> ctx(1);
    REQUIRE(ctx.stream() == nullptr);
    REQUIRE_FALSE(ctx.library_handle(Context<Cuda>::Library::Cublas));
    int destroyed = 0;
    {
        Context<Cuda> copy = ctx;
        copy.library_handle(Context<Cuda>::Library::Cublas) =
            std::shared_ptr<void>(&destroyed, [](void* p) { ++*static_cast<int*>(p); });
        REQUIRE(ctx.library_handle(Context<Cuda>::Library::Cublas).get() == &destroyed);  // copies share handles
    }
    REQUIRE(destroyed == 0);
    ctx.library_handle(Context<Cuda>::Library::Cublas).reset();
    REQUIRE(destroyed == 1);
}

TEST_CASE("device memory errors name the size and the direction", "[cuda][memory]") {
#if !defined(__SANITIZE_ADDRESS__)  // ASan aborts on a request this size instead of failing it
    const std::size_t huge = std::size_t{1} << 60;
    ENAS_REQUIRE_THROWS(cuda::device_allocate(huge), CudaError,
                        Contains("cudaMalloc of 1152921504606846976 bytes failed"));
#endif
    float host[4] = {1, 2, 3, 4};
    // The emulator checks that the device side of a copy lies inside an allocation.
    ENAS_REQUIRE_THROWS(cuda::copy_bytes(host, host + 2, 8, true, false), CudaError,
                        Contains("cudaMemcpy of 8 bytes host to device failed"));
    REQUIRE(cuda::device_count() >= 1);
}

TEST_CASE("the comparison helpers catch what they are meant to catch", "[cuda][memory]") {
    Rng rng(2);
    const auto host = test::random_tensor<float>({4, 9}, rng);
    Tensor<float, Cuda> device = test::to_cuda(host);
    const auto same = test::compare_devices(device, host, 0.0, 0.0);
    REQUIRE(same.elementwise.ok);
    Tensor<float, Cpu> changed = host.clone();
    changed.data()[2 * 9 + 5] += 0.5f;
    const auto diff = test::compare_devices(device, changed, 1e-6, 1e-5);
    REQUIRE_FALSE(diff.elementwise.ok);
    REQUIRE(diff.worst_abs_at == 2 * 9 + 5);
    REQUIRE_THAT(diff.line, Contains("at [2, 5]"));
    test::poison(device);
    REQUIRE_FALSE(test::compare_devices(device, host, 1.0, 1.0).elementwise.ok);  // NaN never matches

    test::CudaGuarded<float> guarded({3, 4}, 0.5f);
    REQUIRE(guarded.tensor.to_vector() == std::vector<float>(12, 0.5f));
    REQUIRE(guarded.bands_intact());
    Tensor<float, Cuda> one_past = guarded.buffer.narrow(0, test::CudaGuarded<float>::kGuard + 12, 1);
    one_past.fill(0.0f);  // a write one element past the view
    REQUIRE_THAT(guarded.band_damage(), Contains("back guard band overwritten at 0 elements after"));
    test::CudaGuarded<float> poisoned({5});
    REQUIRE(std::isnan(poisoned.tensor.to_vector()[4]));
}
