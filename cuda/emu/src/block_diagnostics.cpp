// Messages for blocks that cannot make progress: which thread waits where, and why the barrier
// or collective it waits at can never complete.
#include <cstdio>
#include <cstring>
#include <string>

#include "block_runner.hpp"
#include "device_limits.hpp"

namespace enas::emu {

const char* barrier_name(detail::BarrierKind kind) {
    switch (kind) {
        case detail::BarrierKind::sync: return "__syncthreads";
        case detail::BarrierKind::count: return "__syncthreads_count";
        case detail::BarrierKind::all: return "__syncthreads_and";
        case detail::BarrierKind::any: return "__syncthreads_or";
    }
    return "barrier";
}

const char* collective_name(detail::WarpOp op) {
    switch (op) {
        case detail::WarpOp::sync: return "__syncwarp";
        case detail::WarpOp::shfl: return "__shfl_sync";
        case detail::WarpOp::shfl_up: return "__shfl_up_sync";
        case detail::WarpOp::shfl_down: return "__shfl_down_sync";
        case detail::WarpOp::shfl_xor: return "__shfl_xor_sync";
        case detail::WarpOp::ballot: return "__ballot_sync";
        case detail::WarpOp::any: return "__any_sync";
        case detail::WarpOp::all: return "__all_sync";
    }
    return "warp collective";
}

bool same_site(const SourceSite& a, const SourceSite& b) {
    return a.line() == b.line() && a.column() == b.column() && std::strcmp(a.file_name(), b.file_name()) == 0;
}

std::string describe_site(const SourceSite& where) {
    const char* file = where.file_name();
    const char* slash = std::strrchr(file, '/');
    return std::string(slash != nullptr ? slash + 1 : file) + ":" + std::to_string(where.line());
}

std::string describe_index(const uint3& index) {
    char text[48];
    std::snprintf(text, sizeof text, "(%u,%u,%u)", index.x, index.y, index.z);
    return text;
}

std::string describe_mask(unsigned int mask) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", mask);
    return text;
}

std::string BlockRunner::prefix(const EmulatedThread* thread) const {
    std::string text = std::string("kernel ") + plan_.launch->kernel_name + ", block " + describe_index(block_idx_);
    if (thread != nullptr) text += ", thread " + describe_index(thread->context.thread_idx);
    return text + ": ";
}

std::string BlockRunner::describe_thread(unsigned int thread) const {
    return "thread " + describe_index(threads_[thread].context.thread_idx);
}

std::string BlockRunner::describe_wait(unsigned int thread) const {
    const EmulatedThread& t = threads_[thread];
    switch (t.state) {
        case EmulatedThread::State::exited: return "has exited";
        case EmulatedThread::State::at_block_barrier:
            return std::string("waits at ") + barrier_name(t.barrier_kind) + " at " + describe_site(t.where);
        case EmulatedThread::State::at_warp_collective:
            return std::string("waits at ") + collective_name(t.warp_op) + " at " + describe_site(t.where) +
                   " with mask " + describe_mask(t.mask);
        case EmulatedThread::State::ready: break;
    }
    return "is runnable";
}

std::string BlockRunner::deadlock_message() const {
    // A warp collective whose mask names a lane that is elsewhere.
    if (!pending_.empty()) {
        const PendingCollective& p = pending_.front();
        const unsigned int missing = static_cast<unsigned int>(__builtin_ctz(p.mask & ~p.arrived));
        const unsigned int waiting = static_cast<unsigned int>(__builtin_ctz(p.arrived));
        const unsigned int base = p.warp * kWarpSize;
        return prefix(&threads_[base + waiting]) + collective_name(p.op) + " at " + describe_site(p.where) + " (warp " +
               std::to_string(p.warp) + ", mask " + describe_mask(p.mask) + ") never completes: lane " +
               std::to_string(missing) + ", " + describe_thread(base + missing) + ", " + describe_wait(base + missing);
    }
    // Otherwise every live thread waits at a block barrier, but not at one barrier all reach.
    const EmulatedThread* first = nullptr;
    unsigned int live = 0;
    for (const EmulatedThread& t : threads_) {
        if (t.state == EmulatedThread::State::exited) continue;
        ++live;
        if (first == nullptr) {
            first = &t;
        } else if (t.barrier_kind != first->barrier_kind || !same_site(t.where, first->where)) {
            return prefix(first) + "threads wait at different barriers (a barrier in divergent code): this " +
                   describe_wait(first->context.linear_id) + ", " + describe_thread(t.context.linear_id) + " " +
                   describe_wait(t.context.linear_id);
        }
    }
    if (first == nullptr) return prefix(nullptr) + "no thread can make progress";
    for (const EmulatedThread& t : threads_) {
        if (t.state != EmulatedThread::State::exited) continue;
        return prefix(&t) + "exited without reaching " + barrier_name(first->barrier_kind) + " at " +
               describe_site(first->where) + ", where " + std::to_string(live) + " of " +
               std::to_string(threads_.size()) + " threads wait (first: " + describe_thread(first->context.linear_id) +
               "); a barrier in divergent code or after an early return";
    }
    return prefix(first) + "no thread can make progress";
}

std::string BlockRunner::race_message() const {
    const RaceReport& r = race_->report();
    const auto verb = [](bool write) { return write ? "wrote" : "read"; };
    if (r.kind == RaceReport::Kind::out_of_bounds) {
        return prefix(&threads_[r.second_thread]) + "out-of-bounds shared-memory " +
               (r.second_is_write ? "write" : "read") + " at " + race_->describe_offset(r.offset);
    }
    const bool first_wrote = r.kind != RaceReport::Kind::write_after_read;
    return prefix(nullptr) + race_kind_name(r.kind) + " race on shared memory " + race_->describe_offset(r.offset) +
           ": " + describe_thread(r.first_thread) + " " + (first_wrote ? "wrote" : "read") + " it, then " +
           describe_thread(r.second_thread) + " " + verb(r.second_is_write) + " it, with no barrier between them (" +
           race_->describe_interval() + ")";
}

}  // namespace enas::emu
