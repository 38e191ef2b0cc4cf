// Devices are compile-time tags (DESIGN.md §3): an op on a Tensor<T, Cuda> calls the CUDA
// launcher, an op on a Tensor<T, Cpu> the CPU kernel, with no virtual backend interface.
#pragma once
#include <type_traits>

#include "enas/core/config.hpp"
#include "enas/core/error.hpp"

namespace enas {

struct Cpu {
    static constexpr const char* name = "cpu";
};
struct Cuda {
    static constexpr const char* name = "cuda";
};

template <class D>
concept Device = std::is_same_v<D, Cpu> || std::is_same_v<D, Cuda>;

template <class D>
inline constexpr bool is_cpu_v = std::is_same_v<D, Cpu>;

/// True when this build has a CUDA backend (real or emulated).
inline constexpr bool has_cuda_backend = ENAS_HAS_CUDA != 0;

namespace detail {
[[noreturn]] inline void throw_no_cuda(const char* what) {
    throw DeviceError(detail::concat(what,
                                     " on the cuda device: this build of enas has no CUDA backend (configure with "
                                     "-DENAS_CUDA=ON for a GPU, or -DENAS_CUDA_EMULATION=ON for the CPU emulator)"));
}
}  // namespace detail

}  // namespace enas

/// Calls `::enas::cpu::fn(args...)` for Cpu and `::enas::cuda::fn(args...)` for Cuda. In a build
/// without a CUDA backend the Cuda branch throws DeviceError naming the function.
#if ENAS_HAS_CUDA
#define ENAS_CUDA_BACKEND_CALL(fn, ...) ::enas::cuda::fn(__VA_ARGS__)
#else
#define ENAS_CUDA_BACKEND_CALL(fn, ...) ::enas::detail::throw_no_cuda(#fn)
#endif
#define ENAS_BACKEND_CALL(D, fn, ...)                \
    do {                                             \
        if constexpr (::enas::is_cpu_v<D>) {         \
            ::enas::cpu::fn(__VA_ARGS__);            \
        } else {                                     \
            ENAS_CUDA_BACKEND_CALL(fn, __VA_ARGS__); \
        }                                            \
    } while (0)
