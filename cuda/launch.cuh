// The one way kernels are launched: enas::cuda::launch<kernel>(grid, block, shared_bytes, stream,
// args...). Under nvcc it is kernel<<<grid, block, shared_bytes, stream>>>(args...); in the
// emulated build it runs the kernel on the CPU. Either way a failed launch throws enas::CudaError
// naming the kernel and its configuration, and with sync checks on every launch is followed by a
// device synchronize, so a fault is reported by the launch that caused it. Sync checks are on when
// the build defines ENAS_SYNC_CHECKS (CMake -DENAS_SYNC_CHECKS=ON) or the environment variable
// ENAS_SYNC_CHECKS is 1 at the first launch (docs/gpu.md: the first run on a new machine).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "enas/core/error.hpp"

namespace enas::cuda {
namespace detail {

/// Extracts the kernel from __PRETTY_FUNCTION__ of kernel_name<Kernel>():
/// GCC "... [with auto Kernel = reduce<256>]", Clang "... [Kernel = &reduce<256>]".
inline std::string parse_kernel_name(std::string_view pretty) {
    std::size_t at = pretty.find("Kernel =");
    if (at == std::string_view::npos) return std::string(pretty);
    at += 8;
    while (at < pretty.size() && (pretty[at] == ' ' || pretty[at] == '&')) ++at;
    std::size_t end = pretty.rfind(']');
    if (end == std::string_view::npos || end < at) end = pretty.size();
    return std::string(pretty.substr(at, end - at));
}

/// The kernel's name as the compiler spells it (template arguments included), for messages.
template <auto Kernel>
const char* kernel_name() {
    static const std::string name = parse_kernel_name(__PRETTY_FUNCTION__);
    return name.c_str();
}

inline std::string describe_dim3(dim3 d) {
    std::string text = "(";
    text += std::to_string(d.x);
    text += ',';
    text += std::to_string(d.y);
    text += ',';
    text += std::to_string(d.z);
    return text + ")";
}

/// Whether every launch is followed by a device synchronize (read once).
inline bool sync_checks() {
#if defined(ENAS_SYNC_CHECKS) && ENAS_SYNC_CHECKS
    return true;
#else
    static const bool on = [] {
        const char* value = std::getenv("ENAS_SYNC_CHECKS");
        return value != nullptr && value[0] == '1' && value[1] == '\0';
    }();
    return on;
#endif
}

/// Throws CudaError for a failed launch of `kernel` (no-op on cudaSuccess).
inline void check_launch(cudaError_t error, const char* kernel, dim3 grid, dim3 block, std::size_t shared_bytes,
                         const char* stage) {
    if (error == cudaSuccess) return;
    std::string detail = cudaGetErrorString(error);
#if !defined(__CUDACC__)
    if (const std::string emulated = ::enas::emu::last_error_detail(); !emulated.empty()) detail = emulated;
#endif
    throw CudaError(::enas::detail::concat("CUDA kernel ", kernel, "<<<grid ", describe_dim3(grid), ", block ",
                                           describe_dim3(block), ", ", shared_bytes, " B shared>>> failed ", stage,
                                           ": ", cudaGetErrorName(error), ": ", detail));
}

}  // namespace detail

/// Number of blocks of `block_size` threads that cover `n` items.
constexpr unsigned int blocks_for(std::int64_t n, unsigned int block_size) {
    return static_cast<unsigned int>((n + block_size - 1) / block_size);
}

/// Launches `Kernel` on `grid` blocks of `block` threads with `shared_bytes` of dynamic shared
/// memory on `stream`; the arguments convert to the kernel's parameters as in a <<<...>>> call.
/// Throws enas::CudaError naming the kernel if the launch (or, in the emulator, the kernel) fails.
template <auto Kernel, class... Args>
void launch(dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t stream, Args&&... args) {
    const char* name = detail::kernel_name<Kernel>();
#if defined(__CUDACC__)
    Kernel<<<grid, block, shared_bytes, stream>>>(std::forward<Args>(args)...);
    detail::check_launch(cudaGetLastError(), name, grid, block, shared_bytes, "to launch");
#else
    ::enas::emu::launch<Kernel>(name, grid, block, shared_bytes, stream, std::forward<Args>(args)...);
    detail::check_launch(cudaGetLastError(), name, grid, block, shared_bytes, "in the SIMT emulator");
#endif
    if (detail::sync_checks())
        detail::check_launch(cudaDeviceSynchronize(), name, grid, block, shared_bytes, "(synchronize after launch)");
}

}  // namespace enas::cuda
