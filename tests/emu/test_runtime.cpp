// The emulated CUDA runtime: poisoned allocations, copies and memsets with range checks,
// streams, events, errors and device properties.
#include <cmath>
#include <cstring>
#include <thread>

#include "emu_test_utils.hpp"

namespace emu_test {

TEST_CASE("fresh device allocations are NaN-poisoned", "[emu]") {
    for (const std::size_t bytes : {std::size_t{4}, std::size_t{1000}, std::size_t{1} << 20}) {
        void* p = nullptr;
        require_success(cudaMalloc(&p, bytes));
        REQUIRE(p != nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(p) % 256 == 0);
        std::vector<unsigned char> host(bytes);
        require_success(cudaMemcpy(host.data(), p, bytes, cudaMemcpyDeviceToHost));
        CHECK(std::all_of(host.begin(), host.end(), [](unsigned char b) { return b == 0xFF; }));
        float f = 0.0f;
        double d = 0.0;
        std::memcpy(&f, host.data(), sizeof f);
        if (bytes >= sizeof d) std::memcpy(&d, host.data(), sizeof d);
        CHECK(std::isnan(f));
        if (bytes >= sizeof d) CHECK(std::isnan(d));
        require_success(cudaFree(p));
    }
    void* empty = reinterpret_cast<void*>(0x1);
    require_success(cudaMalloc(&empty, 0));
    CHECK(empty == nullptr);
    require_success(cudaFree(nullptr));
}

TEST_CASE("memcpy and memset round trips", "[emu]") {
    std::vector<float> host(1000);
    for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i) * 0.25f;
    DeviceArray<float> a(host.size());
    DeviceArray<float> b(host.size());
    cudaStream_t stream = nullptr;
    require_success(cudaStreamCreate(&stream));
    require_success(cudaMemcpyAsync(a.get(), host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice, stream));
    require_success(cudaMemcpy(b.get(), a.get(), host.size() * sizeof(float), cudaMemcpyDeviceToDevice));
    require_success(cudaStreamSynchronize(stream));
    CHECK(b.download() == host);
    std::vector<float> back(host.size());
    require_success(cudaMemcpy(back.data(), b.get(), back.size() * sizeof(float), cudaMemcpyDefault));
    CHECK(back == host);

    require_success(cudaMemsetAsync(a.get() + 10, 0, 20 * sizeof(float), stream));
    require_success(cudaMemset(a.get(), 0x3F, 4));
    const std::vector<float> after = a.download();
    std::uint32_t bits = 0;
    std::memcpy(&bits, &after[0], 4);
    CHECK(bits == 0x3F3F3F3Fu);
    for (std::size_t i = 1; i < after.size(); ++i) CHECK(after[i] == (i >= 10 && i < 30 ? 0.0f : host[i]));
    require_success(cudaStreamDestroy(stream));
}

TEST_CASE("copies and memsets outside device allocations or in the wrong direction are rejected", "[emu]") {
    DeviceArray<float> device(16);
    std::vector<float> host(32, 1.0f);
    CHECK(cudaMemcpy(device.get(), host.data(), 17 * sizeof(float), cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
    CHECK_THAT(enas::emu::last_error_detail(),
               Catch::Matchers::Contains("run past the end of the 64-byte device allocation"));
    CHECK(cudaMemcpy(host.data(), device.get(), 16 * sizeof(float), cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
    CHECK(cudaMemcpy(device.get(), host.data(), 4, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
    CHECK(cudaMemcpy(device.get(), host.data(), 4, static_cast<cudaMemcpyKind>(9)) == cudaErrorInvalidMemcpyDirection);
    CHECK(cudaMemset(host.data(), 0, 4) == cudaErrorInvalidValue);
    CHECK(cudaMemset(device.get() + 8, 0, 9 * sizeof(float)) == cudaErrorInvalidValue);
    CHECK(cudaGetLastError() == cudaErrorInvalidValue);
    CHECK(cudaGetLastError() == cudaSuccess);

    void* p = nullptr;
    require_success(cudaMalloc(&p, 8));
    require_success(cudaFree(p));
    CHECK(cudaFree(p) == cudaErrorInvalidValue);  // double free
    CHECK(cudaFree(host.data()) == cudaErrorInvalidValue);
    CHECK(cudaGetLastError() == cudaErrorInvalidValue);
}

TEST_CASE("pinned host memory", "[emu]") {
    void* p = nullptr;
    require_success(cudaMallocHost(&p, 64));
    DeviceArray<char> device(64);
    std::memset(p, 7, 64);
    require_success(cudaMemcpy(device.get(), p, 64, cudaMemcpyHostToDevice));
    CHECK(device.download() == std::vector<char>(64, 7));
    require_success(cudaFreeHost(p));
}

TEST_CASE("events measure elapsed time and streams are checked handles", "[emu]") {
    cudaStream_t stream = nullptr;
    cudaEvent_t start = nullptr;
    cudaEvent_t stop = nullptr;
    require_success(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    require_success(cudaEventCreate(&start));
    require_success(cudaEventCreate(&stop));
    float ms = -1.0f;
    CHECK(cudaEventElapsedTime(&ms, start, stop) == cudaErrorInvalidResourceHandle);  // never recorded
    require_success(cudaEventRecord(start, stream));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    require_success(cudaEventRecord(stop, stream));
    require_success(cudaStreamWaitEvent(stream, stop));
    require_success(cudaEventSynchronize(stop));
    require_success(cudaEventQuery(stop));
    require_success(cudaStreamQuery(stream));
    require_success(cudaEventElapsedTime(&ms, start, stop));
    CHECK(ms >= 19.0f);
    require_success(cudaStreamSynchronize(stream));
    require_success(cudaStreamSynchronize(nullptr));
    require_success(cudaDeviceSynchronize());
    require_success(cudaEventDestroy(start));
    require_success(cudaEventDestroy(stop));
    require_success(cudaStreamDestroy(stream));
    CHECK(cudaStreamDestroy(stream) == cudaErrorInvalidResourceHandle);
    CHECK(cudaEventDestroy(start) == cudaErrorInvalidResourceHandle);
    CHECK(cudaEventRecord(start) == cudaErrorInvalidResourceHandle);
    cudaGetLastError();
}

TEST_CASE("the emulated device and its errors", "[emu]") {
    int count = 0;
    int device = -1;
    require_success(cudaGetDeviceCount(&count));
    require_success(cudaGetDevice(&device));
    require_success(cudaSetDevice(0));
    CHECK(count == 1);
    CHECK(device == 0);
    CHECK(cudaSetDevice(1) == cudaErrorInvalidDevice);
    CHECK(cudaPeekAtLastError() == cudaErrorInvalidDevice);
    CHECK(cudaGetLastError() == cudaErrorInvalidDevice);
    CHECK(cudaGetLastError() == cudaSuccess);

    cudaDeviceProp prop{};
    require_success(cudaGetDeviceProperties(&prop, 0));
    CHECK(prop.warpSize == 32);
    CHECK(prop.maxThreadsPerBlock == 1024);
    CHECK(prop.sharedMemPerBlock == 48 * 1024);
    CHECK(prop.maxThreadsDim[2] == 64);
    CHECK(prop.multiProcessorCount >= 1);
    CHECK(std::string(prop.name).find("emulator") != std::string::npos);
    CHECK(cudaGetDeviceProperties(&prop, 3) == cudaErrorInvalidDevice);
    cudaGetLastError();

    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
    require_success(cudaMemGetInfo(&free_bytes, &total_bytes));
    CHECK(free_bytes <= total_bytes);
    CHECK(std::string(cudaGetErrorString(cudaErrorLaunchFailure)) == "unspecified launch failure");
    CHECK(std::string(cudaGetErrorName(cudaErrorInvalidValue)) == "cudaErrorInvalidValue");
}

}  // namespace emu_test
