#include "block_runner.hpp"

#include <algorithm>
#include <cstring>

#include "device_limits.hpp"
#include "enas/core/error.hpp"

namespace enas::emu {
namespace {

/// Thrown into the threads of a failed block so that their stacks unwind.
struct BlockAborted {};

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/// Fisher-Yates with our own generator, so an order is reproducible from its seed everywhere.
void shuffle(std::vector<unsigned int>& order, std::uint64_t& state) {
    for (std::size_t i = order.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(splitmix64(state) % i);
        std::swap(order[i - 1], order[j]);
    }
}

}  // namespace

BlockRunner::BlockRunner(const LaunchPlan& plan, std::vector<std::unique_ptr<Fiber>>& fibers, RaceChecker* race)
    : plan_(plan), fibers_(fibers), race_(race) {
    threads_.resize(plan.threads_per_block);
    const unsigned int warps = (plan.threads_per_block + kWarpSize - 1) / kWarpSize;
    ready_.resize(warps);
    for (std::vector<unsigned int>& lanes : ready_) lanes.reserve(kWarpSize);
    warp_order_.reserve(warps);
    running_batch_.reserve(kWarpSize);
}

void BlockRunner::reset(std::uint64_t block_linear) {
    const dim3 grid = plan_.launch->grid;
    const dim3 block = plan_.launch->block;
    block_idx_ = uint3{static_cast<unsigned int>(block_linear % grid.x),
                       static_cast<unsigned int>(block_linear / grid.x % grid.y),
                       static_cast<unsigned int>(block_linear / (std::uint64_t{grid.x} * grid.y))};
    for (std::vector<unsigned int>& lanes : ready_) lanes.clear();
    for (unsigned int i = 0; i < plan_.threads_per_block; ++i) {
        EmulatedThread& t = threads_[i];
        t = EmulatedThread{};
        t.context.thread_idx = uint3{i % block.x, i / block.x % block.y, i / (block.x * block.y)};
        t.context.block_idx = block_idx_;
        t.context.block_dim = block;
        t.context.grid_dim = grid;
        t.context.linear_id = i;
        t.context.lane = i % kWarpSize;
        t.context.warp = i / kWarpSize;
        t.context.block = this;
        ready_[i / kWarpSize].push_back(i);
    }
    pending_.clear();
    exited_lanes_.assign((plan_.threads_per_block + kWarpSize - 1) / kWarpSize, 0u);
    static_shared_.clear();
    static_shared_bytes_ = 0;
    if (race_ != nullptr) {
        race_->begin_block(plan_.kernel_hash);
        dynamic_shared_data_ =
            race_->allocate(plan_.launch->dynamic_shared_bytes, kSharedMemoryAlignment, "dynamic shared memory");
    } else {
        dynamic_shared_ = PoisonedBuffer(plan_.launch->dynamic_shared_bytes, kSharedMemoryAlignment);
        dynamic_shared_data_ = dynamic_shared_.data();
    }
    // The order depends on seed, kernel and block only, so a failing test reproduces when run alone.
    shuffle_state_ = plan_.options.shuffle_seed ^ plan_.kernel_hash;
    shuffle_state_ = splitmix64(shuffle_state_) ^ block_linear;
    exited_ = 0;
    barrier_result_ = 0;
    aborting_ = false;
    failed_thread_ = nullptr;
    failure_.clear();
}

void BlockRunner::run(std::uint64_t block_linear) {
    reset(block_linear);
    // In race-check mode the arena is watched while the block's threads run, and only then.
    struct Watch {
        RaceChecker* race;
        explicit Watch(RaceChecker* r) : race(r) {
            if (race != nullptr) race->watch(true);
        }
        ~Watch() {
            if (race != nullptr) race->watch(false);
        }
    } watch(race_);
    for (;;) {
        // Each warp runs up to the next block barrier (or its exit) before the next warp starts.
        warp_order_.clear();
        for (unsigned int w = 0; w < ready_.size(); ++w) warp_order_.push_back(w);
        if (plan_.options.shuffle_threads) shuffle(warp_order_, shuffle_state_);
        for (const unsigned int warp : warp_order_) run_warp(warp);
        if (exited_ == plan_.threads_per_block) break;
        if (!release_block_barrier()) abort_block(deadlock_message());
    }
    static_shared_.clear();
    dynamic_shared_.reset();
}

void BlockRunner::run_warp(unsigned int warp) {
    // One pass runs every ready lane up to its next barrier, collective or exit; a completed
    // collective makes its lanes ready again, so the warp runs until all its lanes wait at a
    // block barrier (or at a collective that cannot complete yet) or have exited.
    std::vector<unsigned int>& ready = ready_[warp];
    while (!ready.empty()) {
        running_batch_.swap(ready);
        ready.clear();
        if (plan_.options.shuffle_threads) shuffle(running_batch_, shuffle_state_);
        for (const unsigned int thread : running_batch_) {
            run_thread(thread);
            if (failed_thread_ != nullptr) abort_block(prefix(failed_thread_) + failure_);
            if (race_ != nullptr && race_->failed()) abort_block(race_message());
        }
    }
}

void BlockRunner::run_thread(unsigned int thread) {
    EmulatedThread& t = threads_[thread];
    Fiber& fiber = *fibers_[thread];
    if (!t.started) {
        t.started = true;
        fiber.start(&BlockRunner::thread_main, &t);
    }
    detail::current_thread_context = &t.context;
    fiber.resume();
    detail::current_thread_context = nullptr;
    if (race_ != nullptr) race_->end_segment(thread);
}

void BlockRunner::thread_main(void* thread) noexcept {
    auto& t = *static_cast<EmulatedThread*>(thread);
    BlockRunner& block = *t.context.block;
    const char* failure = nullptr;
    std::string what;
    try {
        if (!block.aborting_) block.plan_.launch->invoke(block.plan_.launch->arguments);
    } catch (const BlockAborted&) {
    } catch (const std::exception& e) {
        what = e.what();
        failure = what.c_str();
    } catch (...) { failure = "the kernel threw an exception that is not a std::exception"; }
    if (failure != nullptr && block.failed_thread_ == nullptr) {
        block.failed_thread_ = &t;
        block.failure_ = failure;
    }
    t.state = EmulatedThread::State::exited;
    block.exited_lanes_[t.context.warp] |= 1u << t.context.lane;
    ++block.exited_;
}

void BlockRunner::wait(unsigned int thread) {
    fibers_[thread]->yield();
    if (aborting_) throw BlockAborted{};
}

int BlockRunner::block_barrier(unsigned int thread, detail::BarrierKind kind, int predicate, SourceSite where) {
    EmulatedThread& t = threads_[thread];
    t.state = EmulatedThread::State::at_block_barrier;
    t.barrier_kind = kind;
    t.predicate = predicate != 0 ? 1 : 0;
    t.where = where;
    wait(thread);
    return barrier_result_;
}

bool BlockRunner::release_block_barrier() {
    // Called when no thread is ready: every thread still alive must wait at the same barrier.
    const EmulatedThread* first = nullptr;
    int arrived_true = 0;
    int live = 0;
    for (const EmulatedThread& t : threads_) {
        if (t.state == EmulatedThread::State::exited) continue;
        if (t.state != EmulatedThread::State::at_block_barrier) return false;
        if (first == nullptr) {
            first = &t;
        } else if (t.barrier_kind != first->barrier_kind || !same_site(t.where, first->where)) {
            return false;
        }
        arrived_true += t.predicate;
        ++live;
    }
    if (first == nullptr) return false;
    if (exited_ > 0 && !plan_.options.exited_threads_release_barriers) return false;
    switch (first->barrier_kind) {
        case detail::BarrierKind::sync: barrier_result_ = 0; break;
        case detail::BarrierKind::count: barrier_result_ = arrived_true; break;
        case detail::BarrierKind::all: barrier_result_ = arrived_true == live ? 1 : 0; break;
        case detail::BarrierKind::any: barrier_result_ = arrived_true > 0 ? 1 : 0; break;
    }
    for (unsigned int i = 0; i < threads_.size(); ++i) {
        if (threads_[i].state != EmulatedThread::State::at_block_barrier) continue;
        threads_[i].state = EmulatedThread::State::ready;
        ready_[i / kWarpSize].push_back(i);
    }
    if (race_ != nullptr) race_->barrier(first->where);
    return true;
}

void BlockRunner::abort_block(const std::string& message) {
    // Resume every suspended thread once so that it unwinds (its barrier call throws).
    aborting_ = true;
    for (unsigned int i = 0; i < threads_.size(); ++i) {
        if (threads_[i].started && threads_[i].state != EmulatedThread::State::exited) run_thread(i);
    }
    pending_.clear();
    static_shared_.clear();
    dynamic_shared_.reset();
    throw KernelFailure(message);
}

void* BlockRunner::static_shared(const void* site, std::size_t bytes, std::size_t alignment, const char* name) {
    for (const SharedArray& array : static_shared_)
        if (array.site == site) return array.data;
    const std::size_t total = static_shared_bytes_ + bytes + plan_.launch->dynamic_shared_bytes;
    if (total > kSharedMemoryPerBlock) {
        throw CudaError(::enas::detail::concat("shared array '", name, "' (", bytes,
                                               " B) brings the block's shared memory to ", total, " B, over the ",
                                               kSharedMemoryPerBlock, " B of the emulated device"));
    }
    const std::size_t aligned_to = std::max(alignment, kSharedMemoryAlignment);
    if (race_ != nullptr) {
        static_shared_.push_back({site, race_->allocate(bytes, aligned_to, name), PoisonedBuffer()});
    } else {
        PoisonedBuffer storage(bytes, aligned_to);
        void* data = storage.data();
        static_shared_.push_back({site, data, std::move(storage)});
    }
    static_shared_bytes_ += bytes;
    return static_shared_.back().data;
}

namespace detail {

void throw_outside_kernel(const char* what) {
    throw CudaError(::enas::detail::concat(what, " used outside a kernel run by the SIMT emulator"));
}

int block_barrier(BarrierKind kind, int predicate, SourceSite where) {
    const ThreadContext& context = current_thread(barrier_name(kind));
    return context.block->block_barrier(context.linear_id, kind, predicate, where);
}

std::uint64_t warp_collective(WarpOp op, unsigned int mask, std::uint64_t value_bits, int arg, int width,
                              SourceSite where) {
    const ThreadContext& context = current_thread(collective_name(op));
    return context.block->warp_collective(context.linear_id, op, mask, value_bits, arg, width, where);
}

void* static_shared_bytes(const void* site, std::size_t bytes, std::size_t alignment, const char* name) {
    return current_thread("ENAS_SHARED").block->static_shared(site, bytes, alignment, name);
}

void* dynamic_shared_bytes() { return current_thread("ENAS_DYNAMIC_SHARED").block->dynamic_shared(); }

}  // namespace detail
}  // namespace enas::emu
