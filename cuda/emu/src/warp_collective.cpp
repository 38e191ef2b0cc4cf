// Warp collectives with warp-synchronous semantics: each lane deposits its value and waits; when
// every lane named in the mask has arrived, all results are computed at once from the deposits.
#include <algorithm>
#include <string>

#include "block_runner.hpp"
#include "device_limits.hpp"
#include "enas/core/error.hpp"

namespace enas::emu {
namespace {

constexpr std::uint64_t kPoisonBits = ~std::uint64_t{0};

bool is_shuffle(detail::WarpOp op) {
    return op == detail::WarpOp::shfl || op == detail::WarpOp::shfl_up || op == detail::WarpOp::shfl_down ||
           op == detail::WarpOp::shfl_xor;
}

/// The lane a shuffle reads from, following the CUDA programming guide; a lane outside the
/// caller's width-sized segment means "keep your own value".
int source_lane(detail::WarpOp op, int lane, int arg, int width) {
    const int segment = lane & ~(width - 1);
    switch (op) {
        case detail::WarpOp::shfl: return segment + (arg & (width - 1));
        case detail::WarpOp::shfl_up: return arg < 0 || lane - arg < segment ? lane : lane - arg;
        case detail::WarpOp::shfl_down: return arg < 0 || (lane & (width - 1)) + arg >= width ? lane : lane + arg;
        case detail::WarpOp::shfl_xor: {
            const int source = lane ^ arg;
            return source < 0 || source >= segment + width ? lane : source;
        }
        default: return lane;
    }
}

}  // namespace

std::uint64_t BlockRunner::warp_collective(unsigned int thread, detail::WarpOp op, unsigned int mask,
                                           std::uint64_t value, int arg, int width, SourceSite where) {
    EmulatedThread& t = threads_[thread];
    const unsigned int lane = t.context.lane;
    const unsigned int warp = t.context.warp;
    const unsigned int base = warp * kWarpSize;
    const auto fail = [&](const std::string& what) {
        throw CudaError(::enas::detail::concat(collective_name(op), " at ", describe_site(where), ": ", what));
    };
    if ((mask >> lane & 1u) == 0)
        fail("mask " + describe_mask(mask) + " does not name the calling lane " + std::to_string(lane));
    const unsigned int warp_threads = std::min<unsigned int>(kWarpSize, plan_.threads_per_block - base);
    const unsigned int existing = warp_threads == kWarpSize ? ~0u : (1u << warp_threads) - 1u;
    if ((mask & ~existing) != 0) {
        fail("mask " + describe_mask(mask) + " names lanes that do not exist: warp " + std::to_string(warp) +
             " of this block has " + std::to_string(warp_threads) + " threads");
    }
    if (is_shuffle(op) && (width < 1 || width > kWarpSize || (width & (width - 1)) != 0))
        fail("width " + std::to_string(width) + " is not a power of two in [1, 32]");
    if (const unsigned int gone = mask & exited_lanes_[warp]; gone != 0) {
        const auto other = static_cast<unsigned int>(__builtin_ctz(gone));
        fail("lane " + std::to_string(other) + ", " + describe_thread(base + other) +
             ", has exited but is named in mask " + describe_mask(mask));
    }

    t.state = EmulatedThread::State::at_warp_collective;
    t.warp_op = op;
    t.mask = mask;
    t.value = value;
    t.arg = arg;
    t.width = width;
    t.where = where;

    auto pending = std::find_if(pending_.begin(), pending_.end(),
                                [&](const PendingCollective& p) { return p.warp == warp && p.mask == mask; });
    if (pending == pending_.end()) {
        pending_.push_back(PendingCollective{warp, mask, 0u, op, where});
        pending = pending_.end() - 1;
    } else if (pending->op != op) {
        fail(std::string("lanes of warp ") + std::to_string(warp) + " disagree: mask " + describe_mask(mask) +
             " is already used by " + collective_name(pending->op) + " at " + describe_site(pending->where));
    }
    pending->arrived |= 1u << lane;
    if (pending->arrived == mask) {
        const PendingCollective done = *pending;
        pending_.erase(pending);
        complete(done);
    }
    wait(thread);
    return t.result;
}

void BlockRunner::complete(const PendingCollective& collective) {
    const unsigned int base = collective.warp * kWarpSize;
    unsigned int ballot = 0;
    for (unsigned int lane = 0; lane < kWarpSize; ++lane)
        if ((collective.mask >> lane & 1u) != 0 && threads_[base + lane].value != 0) ballot |= 1u << lane;

    for (unsigned int lane = 0; lane < kWarpSize; ++lane) {
        if ((collective.mask >> lane & 1u) == 0) continue;
        EmulatedThread& t = threads_[base + lane];
        switch (collective.op) {
            case detail::WarpOp::sync: t.result = 0; break;
            case detail::WarpOp::ballot: t.result = ballot; break;
            case detail::WarpOp::any: t.result = ballot != 0 ? 1 : 0; break;
            case detail::WarpOp::all: t.result = ballot == collective.mask ? 1 : 0; break;
            default: {
                // Reading a lane that does not take part is undefined in CUDA: it yields poison.
                const int source = source_lane(collective.op, static_cast<int>(lane), t.arg, t.width);
                t.result = (collective.mask >> source & 1u) != 0 ? threads_[base + source].value : kPoisonBits;
            }
        }
        t.state = EmulatedThread::State::ready;
        ready_[collective.warp].push_back(base + lane);
    }
    if (race_ != nullptr) race_->warp_sync(base, collective.mask);
}

}  // namespace enas::emu
