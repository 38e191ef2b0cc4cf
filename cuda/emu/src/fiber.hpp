// Fibers on Boost.Context's fcontext (user-space stack switching, a few nanoseconds per switch),
// with the AddressSanitizer annotations that keep ASan's view of the current stack right.
#pragma once
#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

namespace enas::emu {

/// An mmap'd stack with an inaccessible guard page below it, so an overflow faults at once.
class FiberStack {
public:
    explicit FiberStack(std::size_t usable_bytes);
    ~FiberStack();
    FiberStack(const FiberStack&) = delete;
    FiberStack& operator=(const FiberStack&) = delete;

    void* bottom() const { return bottom_; }  ///< lowest usable address
    std::size_t size() const { return size_; }
    void* top() const { return static_cast<char*>(bottom_) + size_; }

private:
    void* mapping_ = nullptr;
    std::size_t mapping_bytes_ = 0;
    void* bottom_ = nullptr;
    std::size_t size_ = 0;
};

/// A fiber that runs one task after another on its own stack. The scheduler (the OS thread that
/// owns it) calls start() then resume(); the task runs until it calls yield() or returns, and
/// either way resume() returns. A fiber is only ever resumed by the OS thread that created it.
class Fiber {
public:
    using Task = void (*)(void* argument) noexcept;

    explicit Fiber(std::size_t stack_bytes);
    Fiber(const Fiber&) = delete;
    Fiber& operator=(const Fiber&) = delete;

    std::size_t stack_bytes() const { return stack_.size(); }
    /// Gives an idle fiber its next task; it starts running at the next resume().
    void start(Task task, void* argument);
    /// Runs the task until it yields or returns (called by the scheduler).
    void resume();
    /// Suspends the running task and returns to the scheduler (called by the task).
    void yield();
    /// True when the fiber has no task (never started, or its task returned).
    bool idle() const { return task_ == nullptr; }

private:
    static void entry(boost::context::detail::transfer_t from_scheduler);

    FiberStack stack_;
    boost::context::detail::fcontext_t context_ = nullptr;    // where resume() continues the fiber
    boost::context::detail::fcontext_t scheduler_ = nullptr;  // where yield() continues the scheduler
    Task task_ = nullptr;
    void* argument_ = nullptr;
    // AddressSanitizer bookkeeping: fake stacks and the scheduler's stack bounds.
    void* fiber_fake_stack_ = nullptr;
    void* scheduler_fake_stack_ = nullptr;
    const void* scheduler_stack_bottom_ = nullptr;
    std::size_t scheduler_stack_size_ = 0;
};

}  // namespace enas::emu
