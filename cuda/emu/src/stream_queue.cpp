// The emulated device's streams: immediate execution, or per-stream in-order queues run as late as
// the program allows (stream_queue.hpp).
#include "stream_queue.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "emu/options.hpp"

namespace enas::emu {
namespace {

/// One lock for every queue: operations are issued and run by host threads holding it (a kernel
/// still runs its blocks on the worker pool). Recursive: an operation may issue no new work, but
/// a synchronising call made while running queued work re-enters.
std::recursive_mutex& queue_mutex() {
    static std::recursive_mutex mutex;
    return mutex;
}

CUstream_st& legacy_stream() {
    static CUstream_st stream;
    return stream;
}

std::vector<CUstream_st*>& created_streams() {
    static std::vector<CUstream_st*> streams;
    return streams;
}

bool any_pending() {
    if (!legacy_stream().pending.empty()) return true;
    return std::any_of(created_streams().begin(), created_streams().end(),
                       [](const CUstream_st* s) { return !s->pending.empty(); });
}

}  // namespace

CUstream_st* resolve_stream(cudaStream_t stream) {
    if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread) return &legacy_stream();
    return stream;
}

void register_stream(CUstream_st* stream) {
    std::lock_guard<std::recursive_mutex> lock(queue_mutex());
    created_streams().push_back(stream);
}

void unregister_stream(CUstream_st* stream) {
    std::lock_guard<std::recursive_mutex> lock(queue_mutex());
    run_until(StreamPosition{stream, stream->issued});  // its work still completes, as in CUDA
    auto& streams = created_streams();
    streams.erase(std::remove(streams.begin(), streams.end(), stream), streams.end());
}

StreamPosition stream_tail(cudaStream_t stream) {
    std::lock_guard<std::recursive_mutex> lock(queue_mutex());
    CUstream_st* s = resolve_stream(stream);
    return StreamPosition{s, s->issued};
}

cudaError_t issue(cudaStream_t stream, std::function<cudaError_t()> operation, StreamPosition extra_wait) {
    {
        std::lock_guard<std::recursive_mutex> lock(queue_mutex());
        if (options().async_streams) {
            CUstream_st* s = resolve_stream(stream);
            QueuedOperation queued{std::move(operation), {}};
            if (extra_wait.stream != nullptr) queued.waits_for.push_back(extra_wait);
            // The legacy default stream waits for all work issued to blocking streams, and they for it.
            if (s == &legacy_stream()) {
                for (CUstream_st* other : created_streams())
                    if ((other->flags & cudaStreamNonBlocking) == 0) queued.waits_for.push_back({other, other->issued});
            } else if ((s->flags & cudaStreamNonBlocking) == 0) {
                queued.waits_for.push_back({&legacy_stream(), legacy_stream().issued});
            }
            s->pending.push_back(std::move(queued));
            ++s->issued;
            return cudaSuccess;
        }
        // Work queued before the mode was switched off runs first, keeping every stream's order.
        if (any_pending())
            if (const cudaError_t error = run_all(); error != cudaSuccess) return error;
    }
    return operation();  // synchronous mode: at once, outside the lock (host threads run in parallel)
}

cudaError_t run_until(StreamPosition position) {
    std::lock_guard<std::recursive_mutex> lock(queue_mutex());
    cudaError_t first_error = cudaSuccess;
    CUstream_st* s = position.stream;
    if (s == nullptr) return cudaSuccess;
    while (s->completed < position.ticket && !s->pending.empty()) {
        QueuedOperation op = std::move(s->pending.front());
        s->pending.pop_front();
        // Waits point at operations issued earlier, so this recursion always ends.
        for (const StreamPosition& wait : op.waits_for)
            if (const cudaError_t error = run_until(wait); error != cudaSuccess && first_error == cudaSuccess)
                first_error = error;
        const cudaError_t error = op.run();
        ++s->completed;
        if (error != cudaSuccess && first_error == cudaSuccess) first_error = error;
    }
    return first_error;
}

cudaError_t run_all() {
    std::lock_guard<std::recursive_mutex> lock(queue_mutex());
    cudaError_t first_error = run_until(StreamPosition{&legacy_stream(), legacy_stream().issued});
    const std::vector<CUstream_st*> streams = created_streams();
    for (CUstream_st* s : streams)
        if (const cudaError_t error = run_until(StreamPosition{s, s->issued});
            error != cudaSuccess && first_error == cudaSuccess)
            first_error = error;
    return first_error;
}

}  // namespace enas::emu
