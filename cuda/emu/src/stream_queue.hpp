// Streams of the emulated device. In the default (synchronous) mode every operation runs when it
// is issued. In the asynchronous-stream mode (Options::async_streams, ENAS_EMU_ASYNC=1) each stream
// is its own in-order queue and work runs as late as the program lets it: when the host
// synchronises with it (stream/event/device synchronize, a blocking copy, cudaFree) or when work
// on another stream waits for it (an event wait, the legacy default stream's implicit ordering).
// That is a legal GPU schedule, and the most hostile one, so a missing synchronisation between
// streams or with the host gives a wrong result every time instead of once in a while.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "emu/runtime.hpp"

namespace enas::emu {

/// A point in a stream's order: "the first `ticket` operations issued to `stream`".
struct StreamPosition {
    CUstream_st* stream = nullptr;
    std::uint64_t ticket = 0;
};

/// A queued operation and the positions of other streams it must wait for.
struct QueuedOperation {
    std::function<cudaError_t()> run;
    std::vector<StreamPosition> waits_for;
};

}  // namespace enas::emu

struct CUstream_st {
    unsigned int flags = 0;
    std::deque<enas::emu::QueuedOperation> pending;
    std::uint64_t issued = 0;     ///< operations issued so far
    std::uint64_t completed = 0;  ///< operations that have run (issued - pending.size())
};
struct CUevent_st {
    unsigned int flags = 0;
    bool recorded = false;
    std::chrono::steady_clock::time_point time;
    enas::emu::StreamPosition position;  ///< where it was recorded (async mode)
};

namespace enas::emu {

/// The stream object behind a handle (the default, legacy and per-thread handles share one).
CUstream_st* resolve_stream(cudaStream_t stream);

/// Issues `operation` on `stream`: runs it now in synchronous mode (returning its error), queues it
/// in async mode (returning cudaSuccess; a failure is returned by the synchronisation that runs
/// it). `extra_wait` adds a position it must wait for (cudaStreamWaitEvent).
cudaError_t issue(cudaStream_t stream, std::function<cudaError_t()> operation, StreamPosition extra_wait = {});

/// The position just after the last operation issued to `stream`.
StreamPosition stream_tail(cudaStream_t stream);

/// Runs queued work until `position` is reached (and everything it waits for). Returns the first
/// error of the operations it ran, cudaSuccess if none.
cudaError_t run_until(StreamPosition position);

/// Runs every queued operation of every stream (cudaDeviceSynchronize, cudaFree).
cudaError_t run_all();

/// Registers and unregisters created streams (for run_all and the legacy stream's ordering).
void register_stream(CUstream_st* stream);
void unregister_stream(CUstream_st* stream);

}  // namespace enas::emu
