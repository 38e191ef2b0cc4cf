// Kernel launches in the emulated build: the launch helper (cuda/launch.cuh) calls
// enas::emu::launch<Kernel>(...), which packs the arguments and hands a type-erased launch to the
// emulator. By default the launch runs to completion before returning (as if followed by a
// synchronize); in the asynchronous-stream mode it is queued on its stream.
#pragma once
#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "emu/runtime.hpp"

namespace enas::emu {

/// A kernel launch with its arguments type-erased.
struct KernelLaunch {
    const char* kernel_name = "kernel";
    void (*invoke)(const void* arguments) = nullptr;  ///< calls the kernel with a copy of the arguments
    const void* arguments = nullptr;
    std::shared_ptr<const void> arguments_owner;  ///< keeps `arguments` alive while the launch is queued
    dim3 grid;
    dim3 block;
    std::size_t dynamic_shared_bytes = 0;
    cudaStream_t stream = nullptr;
};

/// Checks `launch` and runs every block of it (or queues it, async-stream mode). Returns cudaSuccess,
/// or the error (also recorded as the last error, with last_error_detail() naming the kernel,
/// block and thread). Never throws.
cudaError_t launch_kernel(const KernelLaunch& launch) noexcept;

namespace detail {
template <class Signature>
struct KernelParameters;
template <class... Params>
struct KernelParameters<void (*)(Params...)> {
    using Tuple = std::tuple<std::decay_t<Params>...>;
};

template <auto Kernel, class Tuple>
void invoke_kernel(const void* arguments) {
    // Each thread gets its own copies of the parameters, as on the GPU.
    std::apply([](const auto&... args) { Kernel(args...); }, *static_cast<const Tuple*>(arguments));
}
}  // namespace detail

/// Launches `Kernel` with `args` converted to its parameter types, as a <<<...>>> call would.
template <auto Kernel, class... Args>
cudaError_t launch(const char* kernel_name, dim3 grid, dim3 block, std::size_t dynamic_shared_bytes,
                   cudaStream_t stream, Args&&... args) {
    using Tuple = typename detail::KernelParameters<decltype(Kernel)>::Tuple;
    static_assert(std::tuple_size_v<Tuple> == sizeof...(Args), "wrong number of kernel arguments");
    auto arguments = std::make_shared<const Tuple>(std::forward<Args>(args)...);
    KernelLaunch launch;
    launch.kernel_name = kernel_name;
    launch.invoke = &detail::invoke_kernel<Kernel, Tuple>;
    launch.arguments = arguments.get();
    launch.arguments_owner = std::move(arguments);
    launch.grid = grid;
    launch.block = block;
    launch.dynamic_shared_bytes = dynamic_shared_bytes;
    launch.stream = stream;
    return launch_kernel(launch);
}

}  // namespace enas::emu
