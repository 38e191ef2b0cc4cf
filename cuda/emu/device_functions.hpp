// CUDA's synchronization, warp and memory intrinsics for the emulated build. Barriers and warp
// collectives switch fibers: a thread waits until every thread it synchronizes with has arrived,
// and a barrier that cannot complete (a divergent __syncthreads, a lane missing from a shuffle)
// fails the launch with a message naming the kernel, block, thread and source line.
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "emu/thread_context.hpp"

/// The warp size (a built-in variable in CUDA).
inline constexpr int warpSize = 32;

// The caller's source location, recorded so that errors can say which barrier a thread waits at.
#define ENAS_EMU_CALL_SITE ::enas::emu::SourceSite where = ::enas::emu::SourceSite::current()

// Block barriers.
inline void __syncthreads(ENAS_EMU_CALL_SITE) {
    ::enas::emu::detail::block_barrier(::enas::emu::detail::BarrierKind::sync, 1, where);
}
inline int __syncthreads_count(int predicate, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::block_barrier(::enas::emu::detail::BarrierKind::count, predicate, where);
}
inline int __syncthreads_and(int predicate, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::block_barrier(::enas::emu::detail::BarrierKind::all, predicate, where);
}
inline int __syncthreads_or(int predicate, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::block_barrier(::enas::emu::detail::BarrierKind::any, predicate, where);
}

// Warp collectives.
inline void __syncwarp(unsigned int mask = 0xffffffffu, ENAS_EMU_CALL_SITE) {
    ::enas::emu::detail::warp_collective(::enas::emu::detail::WarpOp::sync, mask, 0, 0, warpSize, where);
}
inline unsigned int __ballot_sync(unsigned int mask, int predicate, ENAS_EMU_CALL_SITE) {
    return static_cast<unsigned int>(::enas::emu::detail::warp_collective(::enas::emu::detail::WarpOp::ballot, mask,
                                                                          predicate != 0, 0, warpSize, where));
}
inline int __any_sync(unsigned int mask, int predicate, ENAS_EMU_CALL_SITE) {
    return static_cast<int>(::enas::emu::detail::warp_collective(::enas::emu::detail::WarpOp::any, mask, predicate != 0,
                                                                 0, warpSize, where));
}
inline int __all_sync(unsigned int mask, int predicate, ENAS_EMU_CALL_SITE) {
    return static_cast<int>(::enas::emu::detail::warp_collective(::enas::emu::detail::WarpOp::all, mask, predicate != 0,
                                                                 0, warpSize, where));
}

namespace enas::emu::detail {
template <class T>
T shuffle(WarpOp op, unsigned int mask, T value, int arg, int width, SourceSite where) {
    static_assert(std::is_arithmetic_v<T> && sizeof(T) <= 8, "warp shuffles take arithmetic values of up to 8 bytes");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    bits = warp_collective(op, mask, bits, arg, width, where);
    T result;
    std::memcpy(&result, &bits, sizeof(T));
    return result;
}
}  // namespace enas::emu::detail

template <class T>
T __shfl_sync(unsigned int mask, T var, int src_lane, int width = warpSize, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::shuffle(::enas::emu::detail::WarpOp::shfl, mask, var, src_lane, width, where);
}
template <class T>
T __shfl_up_sync(unsigned int mask, T var, unsigned int delta, int width = warpSize, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::shuffle(::enas::emu::detail::WarpOp::shfl_up, mask, var, static_cast<int>(delta), width,
                                        where);
}
template <class T>
T __shfl_down_sync(unsigned int mask, T var, unsigned int delta, int width = warpSize, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::shuffle(::enas::emu::detail::WarpOp::shfl_down, mask, var, static_cast<int>(delta),
                                        width, where);
}
template <class T>
T __shfl_xor_sync(unsigned int mask, T var, int lane_mask, int width = warpSize, ENAS_EMU_CALL_SITE) {
    return ::enas::emu::detail::shuffle(::enas::emu::detail::WarpOp::shfl_xor, mask, var, lane_mask, width, where);
}

// Memory.
/// Read-only cached load; a plain load on the CPU.
template <class T>
T __ldg(const T* address) {
    return *address;
}
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }

namespace enas::emu {
/// What __trap() throws: it fails the launch like a device-side trap.
struct KernelTrap : std::runtime_error {
    KernelTrap() : std::runtime_error("__trap() called") {}
};
}  // namespace enas::emu
[[noreturn]] inline void __trap() { throw ::enas::emu::KernelTrap(); }

namespace enas::emu {
/// The running block's static shared array `T[N]` declared at `site` (see ENAS_SHARED).
template <class Array>
Array& block_shared_array(const void* site, const char* name) {
    using Element = std::remove_all_extents_t<Array>;
    static_assert(std::is_trivially_default_constructible_v<Element> && std::is_trivially_destructible_v<Element>,
                  "__shared__ variables cannot have constructors or destructors");
    return *static_cast<Array*>(detail::static_shared_bytes(site, sizeof(Array), alignof(Array), name));
}
}  // namespace enas::emu

#undef ENAS_EMU_CALL_SITE
