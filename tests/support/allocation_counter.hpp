// Counts every C++ heap allocation (operator new in all its forms) made inside a window, for the
// tests that show a hot loop allocates nothing. The replacement operators are defined here, not
// inline (the language requires one definition per program): include this header in exactly one
// .cpp file of a test executable.
#pragma once
#include <atomic>
#include <cstdlib>
#include <new>

// The replacement operators below pair malloc with free, which GCC cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace enas::test::allocation_counter_detail {
inline std::atomic<bool> counting{false};
inline std::atomic<long> news{0};
inline void note() {
    if (counting.load(std::memory_order_relaxed)) news.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace enas::test::allocation_counter_detail

void* operator new(std::size_t n) {
    enas::test::allocation_counter_detail::note();
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
// The nothrow forms too (Catch2 uses them): every new must pair with the free() below, or
// AddressSanitizer reports an alloc-dealloc mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    enas::test::allocation_counter_detail::note();
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace enas::test {

/// The number of operator new calls (any thread) made while `f` runs.
template <class F>
long count_allocations(F&& f) {
    using namespace allocation_counter_detail;
    news = 0;
    counting = true;
    f();
    counting = false;
    return news.load();
}

}  // namespace enas::test
