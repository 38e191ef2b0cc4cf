// Run-time settings of the SIMT emulator and the details of its last error.
//
// The initial settings come from the environment, read once:
//   ENAS_EMU_SHUFFLE=1       run the threads of a block in a shuffled order between barriers
//   ENAS_EMU_SEED=<n>        seed of that order (default 0x5eed); a run is reproducible from it
//   ENAS_EMU_THREADS=<n>     OS threads that run blocks in parallel (default: hardware threads)
//   ENAS_EMU_STACK_KB=<n>    stack of each emulated thread (default 64 KiB, 256 KiB under ASan)
//   ENAS_EMU_RACECHECK=1     report shared-memory races (accesses with no barrier between them)
//   ENAS_EMU_ASYNC=1         asynchronous streams: each stream an in-order queue run as late as
//                            the program allows, so a missing synchronisation fails every time
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace enas::emu {

struct Options {
    /// Run the ready threads of a block in a seeded random order instead of ascending order.
    bool shuffle_threads = false;
    std::uint64_t shuffle_seed = 0x5eed;
    /// OS threads that run the blocks of one launch (the launching thread is one of them).
    int worker_threads = 1;
    std::size_t fiber_stack_bytes = 64 * 1024;
    /// PTX semantics: a __syncthreads completes once every thread that has not exited is at it.
    /// Off by default, so a barrier that some threads skip (early return, divergent branch) is
    /// reported; the CUDA programming guide makes such code undefined.
    bool exited_threads_release_barriers = false;
    /// Race-check mode (docs/cuda_emulator.md): a launch fails when two threads of a block access
    /// the same shared-memory word, at least one of them writing, with no barrier ordering them,
    /// or when a thread accesses shared memory outside every shared array. Every shared-memory
    /// access traps, so kernels run several times slower. Linux on x86-64 only.
    bool race_check = false;
    /// Asynchronous-stream mode (src/stream_queue.hpp): work on a stream is queued and runs only
    /// when the host or another stream waits for it; a kernel's failure is reported by the
    /// synchronisation that runs it, as on a GPU.
    bool async_streams = false;
};

/// The settings the next launch will use.
Options options();
/// Replaces the settings; takes effect at the next launch.
void set_options(const Options& options);

/// Sets options for a scope and restores the previous ones on exit (tests).
class ScopedOptions {
public:
    explicit ScopedOptions(const Options& options) : previous_(emu::options()) { set_options(options); }
    ~ScopedOptions() { set_options(previous_); }
    ScopedOptions(const ScopedOptions&) = delete;
    ScopedOptions& operator=(const ScopedOptions&) = delete;

private:
    Options previous_;
};

/// The full message of the most recent error the runtime reported on this host thread (for a
/// failed kernel: the kernel, block and thread, and what went wrong). Not cleared by
/// cudaGetLastError; empty if there was none.
std::string last_error_detail();

}  // namespace enas::emu
