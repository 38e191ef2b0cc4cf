// The state of the emulated CUDA thread that is running now, and the entry points through which
// kernel code reaches the block it runs in (barriers, warp collectives, shared memory).
//
// Each emulated thread is a fiber; the OS thread that runs a block switches between its fibers and
// keeps `current_thread_context` pointing at the running one, so threadIdx & co. are per fiber.
#pragma once
#include <cstddef>
#include <cstdint>
#if __has_include(<source_location>)
#include <source_location>
#endif

#include "emu/vector_types.hpp"

namespace enas::emu {

class BlockRunner;

/// Where a barrier or warp collective is called from: SourceSite where the standard
/// library provides it, else the same from compiler builtins (Clang 14 with libstdc++ 12).
#if defined(__cpp_lib_source_location)
using SourceSite = std::source_location;
#else
class SourceSite {
public:
#if defined(__has_builtin) && __has_builtin(__builtin_COLUMN)
    static constexpr SourceSite current(const char* file = __builtin_FILE(), unsigned int line = __builtin_LINE(),
                                        unsigned int column = __builtin_COLUMN()) {
        return SourceSite(file, line, column);
    }
#else
    static constexpr SourceSite current(const char* file = __builtin_FILE(), unsigned int line = __builtin_LINE()) {
        return SourceSite(file, line, 0);
    }
#endif
    constexpr SourceSite() = default;
    constexpr const char* file_name() const { return file_; }
    constexpr unsigned int line() const { return line_; }
    constexpr unsigned int column() const { return column_; }

private:
    constexpr SourceSite(const char* file, unsigned int line, unsigned int column)
        : file_(file), line_(line), column_(column) {}
    const char* file_ = "";
    unsigned int line_ = 0;
    unsigned int column_ = 0;
};
#endif

/// What a kernel sees of the thread it runs as.
struct ThreadContext {
    uint3 thread_idx{};
    uint3 block_idx{};
    dim3 block_dim{};
    dim3 grid_dim{};
    unsigned int linear_id = 0;  ///< x + y*bx + z*bx*by, as CUDA numbers threads into warps
    unsigned int lane = 0;
    unsigned int warp = 0;
    BlockRunner* block = nullptr;
};

namespace detail {

inline constinit thread_local const ThreadContext* current_thread_context = nullptr;

[[noreturn]] void throw_outside_kernel(const char* what);

/// The running emulated thread; throws when called outside a kernel.
inline const ThreadContext& current_thread(const char* what = "threadIdx/blockIdx/blockDim/gridDim") {
    const ThreadContext* context = current_thread_context;
    if (context == nullptr) [[unlikely]]
        throw_outside_kernel(what);
    return *context;
}

enum class BarrierKind : std::uint8_t { sync, count, all, any };
enum class WarpOp : std::uint8_t { sync, shfl, shfl_up, shfl_down, shfl_xor, ballot, any, all };

/// Waits at a block-wide barrier; returns the barrier's reduction of `predicate` for the
/// counting/and/or kinds.
int block_barrier(BarrierKind kind, int predicate, SourceSite where);

/// One lane's part of a warp collective: waits for every lane of `mask`, then returns this
/// lane's result (the shuffled value's bits, the ballot, ...).
std::uint64_t warp_collective(WarpOp op, unsigned int mask, std::uint64_t value_bits, int arg, int width,
                              SourceSite where);

/// Storage of the static shared array declared at `site` for the running block, created
/// (0xFF-filled, exact size) when the block's first thread reaches the declaration.
void* static_shared_bytes(const void* site, std::size_t bytes, std::size_t alignment, const char* name);

/// The running block's dynamic shared memory (the launch's shared_bytes, 0xFF-filled).
void* dynamic_shared_bytes();

}  // namespace detail
}  // namespace enas::emu
