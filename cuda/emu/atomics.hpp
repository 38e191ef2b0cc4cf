// CUDA's atomic functions for the emulated build. Threads of one block never run at the same time
// (they are fibers on one OS thread), but blocks run in parallel on several OS threads, so every
// atomic goes through std::atomic_ref. CUDA atomics are relaxed, and so are these.
// Atomics on shared memory are not races: the race checker does not record their accesses.
#pragma once
#include <atomic>

namespace enas::emu::detail {

/// Nonzero while an atomic runs on this OS thread (read by the race checker's fault handler).
inline constinit thread_local int atomic_depth = 0;
/// Atomics run on this OS thread so far (the race checker's diff mode must not take their
/// changes for plain writes).
inline constinit thread_local unsigned long long atomic_count = 0;

/// Marks the accesses made in its scope as atomic. The signal fences keep the compiler from
/// moving the access out of the marked region.
struct AtomicScope {
    AtomicScope() {
        ++atomic_depth;
        ++atomic_count;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~AtomicScope() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        --atomic_depth;
    }
    AtomicScope(const AtomicScope&) = delete;
    AtomicScope& operator=(const AtomicScope&) = delete;
};

template <class T>
T atomic_fetch_add(T* address, T value) {
    const AtomicScope scope;
    return std::atomic_ref<T>(*address).fetch_add(value, std::memory_order_relaxed);
}

template <class T, class Combine>
T atomic_update(T* address, Combine combine) {
    const AtomicScope scope;
    std::atomic_ref<T> ref(*address);
    T old = ref.load(std::memory_order_relaxed);
    while (!ref.compare_exchange_weak(old, combine(old), std::memory_order_relaxed)) {}
    return old;
}

template <class T>
T atomic_cas(T* address, T compare, T value) {
    const AtomicScope scope;
    std::atomic_ref<T>(*address).compare_exchange_strong(compare, value, std::memory_order_relaxed);
    return compare;  // holds the old value whether or not the exchange happened
}

template <class T>
T atomic_exchange(T* address, T value) {
    const AtomicScope scope;
    return std::atomic_ref<T>(*address).exchange(value, std::memory_order_relaxed);
}

}  // namespace enas::emu::detail

inline int atomicAdd(int* address, int value) { return ::enas::emu::detail::atomic_fetch_add(address, value); }
inline unsigned int atomicAdd(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_fetch_add(address, value);
}
inline unsigned long long atomicAdd(unsigned long long* address, unsigned long long value) {
    return ::enas::emu::detail::atomic_fetch_add(address, value);
}
inline float atomicAdd(float* address, float value) { return ::enas::emu::detail::atomic_fetch_add(address, value); }
inline double atomicAdd(double* address, double value) { return ::enas::emu::detail::atomic_fetch_add(address, value); }

inline int atomicSub(int* address, int value) {
    // Negated through unsigned so that INT_MIN wraps as on the GPU instead of overflowing.
    return ::enas::emu::detail::atomic_fetch_add(address, static_cast<int>(0u - static_cast<unsigned int>(value)));
}
inline unsigned int atomicSub(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_fetch_add(address, 0u - value);
}

inline int atomicMax(int* address, int value) {
    return ::enas::emu::detail::atomic_update(address, [value](int old) { return old < value ? value : old; });
}
inline unsigned int atomicMax(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_update(address, [value](unsigned int old) { return old < value ? value : old; });
}
inline int atomicMin(int* address, int value) {
    return ::enas::emu::detail::atomic_update(address, [value](int old) { return value < old ? value : old; });
}
inline unsigned int atomicMin(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_update(address, [value](unsigned int old) { return value < old ? value : old; });
}

inline int atomicCAS(int* address, int compare, int value) {
    return ::enas::emu::detail::atomic_cas(address, compare, value);
}
inline unsigned int atomicCAS(unsigned int* address, unsigned int compare, unsigned int value) {
    return ::enas::emu::detail::atomic_cas(address, compare, value);
}
inline unsigned long long atomicCAS(unsigned long long* address, unsigned long long compare, unsigned long long value) {
    return ::enas::emu::detail::atomic_cas(address, compare, value);
}

inline int atomicExch(int* address, int value) { return ::enas::emu::detail::atomic_exchange(address, value); }
inline unsigned int atomicExch(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_exchange(address, value);
}
inline unsigned long long atomicExch(unsigned long long* address, unsigned long long value) {
    return ::enas::emu::detail::atomic_exchange(address, value);
}
inline float atomicExch(float* address, float value) { return ::enas::emu::detail::atomic_exchange(address, value); }

inline int atomicAnd(int* address, int value) {
    return ::enas::emu::detail::atomic_update(address, [value](int old) { return old & value; });
}
inline unsigned int atomicAnd(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_update(address, [value](unsigned int old) { return old & value; });
}
inline int atomicOr(int* address, int value) {
    return ::enas::emu::detail::atomic_update(address, [value](int old) { return old | value; });
}
inline unsigned int atomicOr(unsigned int* address, unsigned int value) {
    return ::enas::emu::detail::atomic_update(address, [value](unsigned int old) { return old | value; });
}
