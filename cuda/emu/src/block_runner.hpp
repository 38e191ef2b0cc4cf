// Runs one thread block: its threads as fibers, with block barriers, warp collectives and
// per-block shared memory. Between two block barriers the warps run one after the other, each up
// to the barrier (a warp collective wakes only the lanes of its warp, which resume at once), so
// warps run ahead of each other as they may on a GPU; the lanes of a warp run in ascending or
// shuffled order between their synchronization points.
// A block whose threads can no longer all make progress fails with a message saying which
// thread waits where, instead of hanging.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/launch.hpp"
#include "emu/options.hpp"
#include "emu/thread_context.hpp"
#include "fiber.hpp"
#include "poisoned_memory.hpp"
#include "race_checker.hpp"

namespace enas::emu {

/// What every worker needs to know about a launch (read-only while it runs).
struct LaunchPlan {
    const KernelLaunch* launch = nullptr;
    Options options;
    std::uint64_t kernel_hash = 0;  ///< of the kernel's name, mixed into the shuffle seed
    unsigned int threads_per_block = 0;
};

/// Thrown by BlockRunner::run when the block failed; the message names kernel, block, thread.
struct KernelFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One emulated CUDA thread and the synchronization point it is at.
struct EmulatedThread {
    enum class State : std::uint8_t { ready, at_block_barrier, at_warp_collective, exited };

    ThreadContext context;
    State state = State::ready;
    bool started = false;
    SourceSite where;  ///< barrier or collective it waits at
    detail::BarrierKind barrier_kind = detail::BarrierKind::sync;
    int predicate = 0;
    detail::WarpOp warp_op = detail::WarpOp::sync;
    unsigned int mask = 0;
    std::uint64_t value = 0;  ///< this lane's contribution to the collective
    int arg = 0;              ///< source lane, delta or lane mask of a shuffle
    int width = 32;
    std::uint64_t result = 0;
};

/// A warp collective that some lanes of its mask have reached.
struct PendingCollective {
    unsigned int warp = 0;
    unsigned int mask = 0;
    unsigned int arrived = 0;
    detail::WarpOp op = detail::WarpOp::sync;
    SourceSite where;
};

class BlockRunner {
public:
    /// `fibers` must hold at least plan.threads_per_block fibers owned by the calling OS thread;
    /// `race` (the calling OS thread's checker) is non-null in race-check mode.
    BlockRunner(const LaunchPlan& plan, std::vector<std::unique_ptr<Fiber>>& fibers, RaceChecker* race);

    /// Runs the block with linear index `block_linear` to completion; throws KernelFailure.
    void run(std::uint64_t block_linear);

    // Called by the running thread (through enas::emu::detail).
    int block_barrier(unsigned int thread, detail::BarrierKind kind, int predicate, SourceSite where);
    std::uint64_t warp_collective(unsigned int thread, detail::WarpOp op, unsigned int mask, std::uint64_t value,
                                  int arg, int width, SourceSite where);
    void* static_shared(const void* site, std::size_t bytes, std::size_t alignment, const char* name);
    void* dynamic_shared() const { return dynamic_shared_data_; }

private:
    struct SharedArray {
        const void* site;
        void* data;
        PoisonedBuffer storage;  ///< empty in race-check mode (the checker's arena holds the array)
    };

    static void thread_main(void* thread) noexcept;
    void reset(std::uint64_t block_linear);
    void run_thread(unsigned int thread);
    void run_warp(unsigned int warp);
    void wait(unsigned int thread);
    bool release_block_barrier();
    void complete(const PendingCollective& collective);
    [[noreturn]] void abort_block(const std::string& message);

    // block_diagnostics.cpp
    std::string deadlock_message() const;
    std::string describe_thread(unsigned int thread) const;
    std::string describe_wait(unsigned int thread) const;
    std::string prefix(const EmulatedThread* thread) const;
    std::string race_message() const;

    const LaunchPlan& plan_;
    std::vector<std::unique_ptr<Fiber>>& fibers_;
    std::vector<EmulatedThread> threads_;
    std::vector<std::vector<unsigned int>> ready_;  ///< per warp
    std::vector<unsigned int> warp_order_;
    std::vector<unsigned int> running_batch_;
    std::vector<PendingCollective> pending_;
    std::vector<unsigned int> exited_lanes_;  ///< per warp, so collectives check their mask in O(1)
    std::vector<SharedArray> static_shared_;
    std::size_t static_shared_bytes_ = 0;
    PoisonedBuffer dynamic_shared_;
    void* dynamic_shared_data_ = nullptr;
    RaceChecker* race_ = nullptr;
    uint3 block_idx_{};
    std::uint64_t shuffle_state_ = 0;
    unsigned int exited_ = 0;
    int barrier_result_ = 0;
    bool aborting_ = false;
    const EmulatedThread* failed_thread_ = nullptr;
    std::string failure_;
};

/// Name of a barrier or collective as kernel code spells it ("__syncthreads", "__shfl_down_sync").
const char* barrier_name(detail::BarrierKind kind);
const char* collective_name(detail::WarpOp op);
/// True when two barrier calls are the same source location.
bool same_site(const SourceSite& a, const SourceSite& b);
/// "file.cuh:42" for messages.
std::string describe_site(const SourceSite& where);
std::string describe_index(const uint3& index);
std::string describe_mask(unsigned int mask);

}  // namespace enas::emu
