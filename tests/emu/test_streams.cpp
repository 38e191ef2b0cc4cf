// The asynchronous-stream mode (ENAS_EMU_ASYNC, src/stream_queue.hpp): each stream an in-order
// queue run as late as CUDA allows. A missing synchronisation between streams or with the host
// gives a wrong result every time; the right synchronisation (an event, a stream synchronize, the
// legacy default stream's implicit ordering) gives the right one. The same planted bugs pass
// unnoticed in the synchronous mode, which is why CI runs the emulated suite in this mode.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "emu_test_utils.hpp"
#include "kernels/faulty.cuh"
#include "kernels/streams.cuh"

namespace emu_test {
namespace {

constexpr int kN = 300;

enas::emu::Options with_async(bool async) {
    enas::emu::Options options = settings(2, false);
    options.async_streams = async;
    return options;
}

/// A stream created with `flags`, destroyed with the scope.
class Stream {
public:
    explicit Stream(unsigned int flags = cudaStreamNonBlocking) {
        require_success(cudaStreamCreateWithFlags(&stream_, flags));
    }
    ~Stream() { cudaStreamDestroy(stream_); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    cudaStream_t get() const { return stream_; }

private:
    cudaStream_t stream_ = nullptr;
};

std::vector<float> expected_consumed(float value) {
    std::vector<float> out(kN);
    for (int i = 0; i < kN; ++i) out[i] = 2.0f * (value + static_cast<float>(i));
    return out;
}

/// Produces on one stream and consumes on another, with or without the event that orders them;
/// returns what the consumer wrote.
std::vector<float> produce_then_consume(bool wait_for_producer) {
    Stream producer, consumer;
    DeviceArray<float> buffer(kN), out(kN);
    enas::cuda::launch<produce>(3, 128, 0, producer.get(), buffer.get(), 1.0f, kN);
    if (wait_for_producer) {
        cudaEvent_t done = nullptr;
        require_success(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
        require_success(cudaEventRecord(done, producer.get()));
        require_success(cudaStreamWaitEvent(consumer.get(), done));
        require_success(cudaEventDestroy(done));
    }
    enas::cuda::launch<consume>(3, 128, 0, consumer.get(), buffer.get(), out.get(), kN);
    require_success(cudaStreamSynchronize(consumer.get()));
    // The streams are non-blocking: cudaMemcpy on the default stream does not wait for them.
    std::vector<float> result = out.download();
    require_success(cudaDeviceSynchronize());
    return result;
}

}  // namespace

TEST_CASE("async streams: a missing event between two streams is caught", "[emu]") {
    {
        enas::emu::ScopedOptions scoped(with_async(true));
        CHECK(produce_then_consume(true) == expected_consumed(1.0f));
        // The planted bug: the consumer reads the producer's buffer before it is written (NaN).
        CHECK(produce_then_consume(false) != expected_consumed(1.0f));
    }
    // The synchronous mode runs everything in issue order and does not see it.
    enas::emu::ScopedOptions scoped(with_async(false));
    CHECK(produce_then_consume(false) == expected_consumed(1.0f));
}

TEST_CASE("async streams: the legacy default stream and blocking streams order each other", "[emu]") {
    enas::emu::ScopedOptions scoped(with_async(true));
    Stream blocking(cudaStreamDefault);
    DeviceArray<float> buffer(kN), out(kN);
    require_success(cudaMemset(buffer.get(), 0, kN * sizeof(float)));  // default stream, asynchronous
    enas::cuda::launch<produce>(3, 128, 0, blocking.get(), buffer.get(), 5.0f, kN);
    enas::cuda::launch<consume>(3, 128, 0, nullptr, buffer.get(), out.get(), kN);
    CHECK(out.download() == expected_consumed(5.0f));
}

TEST_CASE("async streams: reading a pinned host buffer before the copy into it has run is caught", "[emu]") {
    enas::emu::ScopedOptions scoped(with_async(true));
    Stream stream;
    DeviceArray<float> buffer(kN);
    enas::cuda::launch<produce>(3, 128, 0, stream.get(), buffer.get(), 7.0f, kN);
    float* pinned = nullptr;
    require_success(cudaMallocHost(reinterpret_cast<void**>(&pinned), kN * sizeof(float)));
    for (int i = 0; i < kN; ++i) pinned[i] = -1.0f;
    require_success(cudaMemcpyAsync(pinned, buffer.get(), kN * sizeof(float), cudaMemcpyDeviceToHost, stream.get()));
    CHECK(pinned[3] == -1.0f);  // the planted bug: no synchronisation yet, so not there
    require_success(cudaStreamSynchronize(stream.get()));
    CHECK(pinned[3] == 10.0f);
    require_success(cudaFreeHost(pinned));
}

TEST_CASE("async streams: a pinned upload buffer reused too early is caught; pageable memory is staged", "[emu]") {
    enas::emu::ScopedOptions scoped(with_async(true));
    Stream stream;
    DeviceArray<float> from_pinned(1), from_pageable(1);
    float* pinned = nullptr;
    require_success(cudaMallocHost(reinterpret_cast<void**>(&pinned), sizeof(float)));
    std::vector<float> pageable{1.0f};
    *pinned = 1.0f;
    require_success(cudaMemcpyAsync(from_pinned.get(), pinned, sizeof(float), cudaMemcpyHostToDevice, stream.get()));
    require_success(
        cudaMemcpyAsync(from_pageable.get(), pageable.data(), sizeof(float), cudaMemcpyHostToDevice, stream.get()));
    *pinned = 2.0f;      // the planted bug: overwritten before the upload has run
    pageable[0] = 2.0f;  // fine: CUDA staged pageable memory at the call
    require_success(cudaStreamSynchronize(stream.get()));
    CHECK(from_pinned.download() == std::vector<float>{2.0f});
    CHECK(from_pageable.download() == std::vector<float>{1.0f});
    require_success(cudaFreeHost(pinned));
}

TEST_CASE("async streams: a kernel's failure is reported by the synchronisation that runs it", "[emu]") {
    enas::emu::ScopedOptions scoped(with_async(true));
    Stream stream;
    DeviceArray<float> out(64);
    REQUIRE(enas::emu::launch<barrier_in_divergent_branch>("barrier_in_divergent_branch", 1, 64, 0, stream.get(),
                                                           out.get()) == cudaSuccess);
    CHECK(cudaStreamSynchronize(stream.get()) == cudaErrorLaunchFailure);
    CHECK(cudaGetLastError() == cudaErrorLaunchFailure);
    CHECK(cudaStreamSynchronize(stream.get()) == cudaSuccess);
}

TEST_CASE("async streams: with sync checks a fault is reported by its launch, without by the next sync",
          "[emu][sync_checks]") {
    // ctest runs this file twice: as emu/test_streams and with ENAS_SYNC_CHECKS=1 in the environment.
    const char* env = std::getenv("ENAS_SYNC_CHECKS");
    const bool sync_checks = env != nullptr && std::strcmp(env, "1") == 0;
    enas::emu::ScopedOptions scoped(with_async(true));
    Stream stream;
    DeviceArray<float> out(64);
    if (sync_checks) {
        CHECK_THROWS_AS(enas::cuda::launch<barrier_in_divergent_branch>(1, 64, 0, stream.get(), out.get()),
                        enas::CudaError);
    } else {
        enas::cuda::launch<barrier_in_divergent_branch>(1, 64, 0, stream.get(), out.get());  // queued: no error yet
        CHECK(cudaStreamSynchronize(stream.get()) == cudaErrorLaunchFailure);
    }
    (void)cudaGetLastError();
}

}  // namespace emu_test
