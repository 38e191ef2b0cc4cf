// The shared-memory race checker (Options::race_check, ENAS_EMU_RACECHECK=1).
//
// In race-check mode a block's shared memory lives in a page-protected arena: every load or store
// a kernel makes to it faults, the SIGSEGV handler records the access (which thread, read or
// write, which 4-byte word), unprotects the page and single-steps the instruction, and the SIGTRAP
// that follows protects the page again. Each word remembers, for the current barrier interval
// (the code between two __syncthreads of the block), its last writer and up to two readers; an
// access by another thread that is not ordered after them is a race. Lanes of one warp are
// ordered by the warp collectives they take part in together (vector clocks per warp); threads of
// different warps only by a block barrier. Atomics are not recorded. Linux on x86-64 only.
//
// Reads cannot race in an interval without writes, so such intervals are not watched word by
// word: the checker learns, per kernel and per barrier that starts an interval, whether the
// interval writes shared memory (per OS thread, for the life of the process). An interval not
// known to write runs with the arena readable; its first write there switches to full watching
// for the rest of it, so only the reads before that first write go unrecorded (a write-after-read
// whose reads all come first is then caught from the interval's next run on: the next loop
// iteration, block or launch). An interval watched whole once, writing but not reading (a tile
// load), then runs with the arena writable and no traps: after each thread stops, the words that
// changed since are its writes (a write of the value already there goes unseen).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "emu/thread_context.hpp"

namespace enas::emu {

/// The first race (or out-of-bounds access) the checker saw in a block.
struct RaceReport {
    enum class Kind : std::uint8_t { read_after_write, write_after_read, write_after_write, out_of_bounds };
    Kind kind = Kind::read_after_write;
    unsigned int first_thread = 0;   ///< linear id of the earlier access (unused for out_of_bounds)
    unsigned int second_thread = 0;  ///< linear id of the access that completes the race
    bool second_is_write = false;
    std::size_t offset = 0;  ///< byte offset in the arena
};

/// A shared array carved from the arena.
struct RaceArray {
    std::size_t offset = 0;
    std::size_t bytes = 0;
    const char* name = "";
};

class RaceChecker {
public:
    /// Maps the arena (room for any block of the emulated device) and installs the signal
    /// handlers; throws CudaError where the mode is not supported. One per OS thread, reused.
    RaceChecker();
    ~RaceChecker();
    RaceChecker(const RaceChecker&) = delete;
    RaceChecker& operator=(const RaceChecker&) = delete;

    /// Starts a block of the kernel with hash `kernel`: frees every array, starts a barrier
    /// interval, clears the report.
    void begin_block(std::uint64_t kernel);
    /// A fresh 0xFF-filled array; throws CudaError when the arena is full.
    void* allocate(std::size_t bytes, std::size_t alignment, const char* name);
    /// Starts (true) or stops (false) watching this OS thread's accesses to the arena.
    void watch(bool on);
    /// A block barrier completed at `where`: everything before it is ordered before everything after.
    void barrier(SourceSite where);
    /// The lanes of `mask` in the warp whose first thread is `base` completed a collective together.
    void warp_sync(unsigned int base, unsigned int mask);

    bool failed() const { return failed_; }
    const RaceReport& report() const { return report_; }
    /// "'scratch' (byte 4 of 128)" or "arena offset 200, outside every shared array".
    std::string describe_offset(std::size_t offset) const;
    /// "since __syncthreads at file.cuh:42" or "since the block started".
    std::string describe_interval() const;

    /// The emulated thread `thread` stopped running (at a barrier, collective or its end); in an
    /// interval that only writes, the words it changed since are recorded as its writes.
    void end_segment(unsigned int thread);

    /// Called by the SIGSEGV handler for an access at `address` in the arena by the running thread.
    void on_access(std::uintptr_t address, bool write) noexcept;
    /// Whether every access is watched now (else only writes, which then call watch_everything).
    bool watching_everything() const { return mode_ == Mode::precise; }
    /// A write in an interval that was left readable: watch every access from now on (signal-safe).
    void watch_everything() noexcept;
    bool contains(std::uintptr_t address) const {
        return address >= reinterpret_cast<std::uintptr_t>(arena_) &&
               address < reinterpret_cast<std::uintptr_t>(arena_) + arena_bytes_;
    }

private:
    static constexpr std::uint16_t kNone = 0xFFFF;
    /// What one 4-byte word saw in barrier interval `epoch` (stale when epoch differs).
    struct Cell {
        std::uint32_t epoch = 0;
        std::uint16_t writer = kNone;
        std::uint16_t readers[2] = {kNone, kNone};
        std::uint32_t writer_stamp = 0;
        std::uint32_t reader_stamps[2] = {0, 0};
    };

    /// How the arena is watched in the current interval.
    enum class Mode : std::uint8_t {
        readable,  ///< never seen writing: reads are free, the first write switches to precise
        precise,   ///< reads and writes seen: every access traps
        diff,      ///< seen writing, never reading: no traps, writes found by comparing with a snapshot
    };

    void check(unsigned int thread, std::size_t offset, bool write) noexcept;
    void learn();
    bool ordered(std::uint16_t earlier, std::uint32_t stamp, unsigned int later) const;
    std::uint32_t own_clock(unsigned int thread) const { return clocks_[thread * 32 + thread % 32]; }
    void record(RaceReport::Kind kind, unsigned int first, unsigned int second, bool write,
                std::size_t offset) noexcept;
    void protect(std::size_t offset, std::size_t bytes, int protection) const;
    int watched_protection() const;
    /// Enters the interval that starts at `where` (line 0: the block's start).
    void enter_interval(SourceSite where);

    unsigned char* arena_ = nullptr;
    std::size_t arena_bytes_ = 0;
    std::size_t used_ = 0;
    std::vector<RaceArray> arrays_;
    std::vector<Cell> cells_;
    std::vector<std::uint32_t> clocks_;  ///< per thread, 32 entries: what it knows of each lane of its warp
    std::uint32_t epoch_ = 0;
    std::uint64_t kernel_ = 0;
    std::uint64_t interval_key_ = 0;
    Mode mode_ = Mode::precise;
    bool interval_wrote_ = false;
    bool interval_read_ = false;
    std::uint64_t atomic_count_seen_ = 0;
    std::vector<unsigned char> snapshot_;  ///< the arena as the diff mode last saw it
    bool watched_ = false;
    std::unordered_set<std::uint64_t> writing_intervals_;
    std::unordered_set<std::uint64_t> reading_intervals_;     ///< or with atomics: never in diff mode
    std::unordered_set<std::uint64_t> write_only_intervals_;  ///< watched whole: writes, no reads
    bool whole_interval_precise_ = false;
    SourceSite interval_start_{};
    bool interval_after_barrier_ = false;
    bool failed_ = false;
    RaceReport report_;
};

/// "write-after-read", ... for messages.
const char* race_kind_name(RaceReport::Kind kind);

}  // namespace enas::emu
