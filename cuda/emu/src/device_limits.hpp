// The limits of the emulated device (reported by cudaGetDeviceProperties, enforced by launches).
#pragma once
#include <cstddef>

namespace enas::emu {

inline constexpr int kWarpSize = 32;
inline constexpr unsigned int kMaxThreadsPerBlock = 1024;
inline constexpr unsigned int kMaxBlockDim[3] = {1024, 1024, 64};
inline constexpr unsigned int kMaxGridDim[3] = {2147483647u, 65535u, 65535u};
inline constexpr std::size_t kSharedMemoryPerBlock = 48 * 1024;
/// Dynamic shared memory is 16-byte aligned at least, as on the GPU.
inline constexpr std::size_t kSharedMemoryAlignment = 16;

}  // namespace enas::emu
