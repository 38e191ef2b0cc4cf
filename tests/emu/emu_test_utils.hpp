// Helpers for the SIMT emulator self-tests: device arrays and emulator settings per test.
#pragma once
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "portable.cuh"

namespace emu_test {

inline void require_success(cudaError_t error) {
    INFO(cudaGetErrorName(error) << ": " << enas::emu::last_error_detail());
    REQUIRE(error == cudaSuccess);
}

/// A cudaMalloc'd array of T, freed on destruction.
template <class T>
class DeviceArray {
public:
    explicit DeviceArray(std::size_t size) : size_(size) { require_success(cudaMalloc(&data_, size * sizeof(T))); }
    explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) { upload(host); }
    ~DeviceArray() { cudaFree(data_); }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;

    T* get() const { return data_; }
    std::size_t size() const { return size_; }
    void upload(const std::vector<T>& host) {
        REQUIRE(host.size() == size_);
        require_success(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice));
    }
    std::vector<T> download() const {
        std::vector<T> host(size_);
        require_success(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost));
        return host;
    }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Emulator settings: blocks on `workers` OS threads; threads in shuffled order (with `seed`)
/// when `shuffle` is set. The race check stays as the environment sets it (ENAS_EMU_RACECHECK)
/// unless `race_check` says otherwise (tests of kernels with planted races that must run).
inline enas::emu::Options settings(int workers, bool shuffle, std::uint64_t seed = 1,
                                   std::optional<bool> race_check = std::nullopt) {
    enas::emu::Options options = enas::emu::options();
    options.worker_threads = workers;
    options.shuffle_threads = shuffle;
    options.shuffle_seed = seed;
    if (race_check.has_value()) options.race_check = *race_check;
    return options;
}

}  // namespace emu_test
