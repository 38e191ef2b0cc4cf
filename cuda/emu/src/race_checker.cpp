#include "race_checker.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <mutex>

#include "device_limits.hpp"
#include "emu/atomics.hpp"
#include "enas/core/error.hpp"
#include "poisoned_memory.hpp"

#if defined(__linux__) && defined(__x86_64__)
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#define ENAS_EMU_RACE_SUPPORTED 1
#else
// Never used at run time there (the constructor throws), only compiled.
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#endif

namespace enas::emu {

bool same_site(const SourceSite& a, const SourceSite& b);
std::string describe_site(const SourceSite& where);

namespace {

// 48 KiB of arrays plus the gaps and alignment between them.
constexpr std::size_t kArenaBytes = 64 * 1024;
// Left unused after each array, so that an access just past its end is out of bounds.
constexpr std::size_t kGapBytes = 32;
constexpr std::size_t kWord = 4;

#if ENAS_EMU_RACE_SUPPORTED
constexpr greg_t kTrapFlag = 0x100;  // EFLAGS.TF: trap after the next instruction
constexpr int kMaxStepPages = 8;     // pages one instruction may touch (a string move spans two)

constinit thread_local RaceChecker* watching = nullptr;
constinit thread_local std::uintptr_t step_pages[kMaxStepPages] = {};
constinit thread_local int step_count = 0;
std::size_t page_bytes = 4096;
struct sigaction previous_segv {};
struct sigaction previous_trap {};

void chain(const struct sigaction& previous, int signal, siginfo_t* info, void* context) {
    if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
        previous.sa_handler(signal);
    } else {
        // The default action: a SIGSEGV re-faults when the handler returns, a SIGTRAP is raised again.
        std::signal(signal, SIG_DFL);
        if (signal == SIGTRAP) std::raise(signal);
    }
}

void on_segv(int signal, siginfo_t* info, void* context) {
    auto* uc = static_cast<ucontext_t*>(context);
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    RaceChecker* checker = watching;
    if (checker == nullptr || !checker->contains(address) || step_count == kMaxStepPages) {
        chain(previous_segv, signal, info, context);
        return;
    }
    // Bit 1 of the page-fault error code: the access was a write.
    const bool write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
    if (!checker->watching_everything()) checker->watch_everything();
    if (detail::atomic_depth == 0) checker->on_access(address, write);
    const std::uintptr_t page = address & ~(page_bytes - 1);
    mprotect(reinterpret_cast<void*>(page), page_bytes, PROT_READ | PROT_WRITE);
    step_pages[step_count++] = page;
    uc->uc_mcontext.gregs[REG_EFL] |= kTrapFlag;
}

void on_trap(int signal, siginfo_t* info, void* context) {
    if (step_count == 0) {
        chain(previous_trap, signal, info, context);
        return;
    }
    for (int i = 0; i < step_count; ++i) mprotect(reinterpret_cast<void*>(step_pages[i]), page_bytes, PROT_NONE);
    step_count = 0;
    static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_EFL] &= ~kTrapFlag;
}

std::mutex handler_mutex;

/// Installs our handler for `signal` unless it is already the one: a test framework may install
/// its own between launches (Catch2 does, per test case); ours then chains to it.
void ensure_handler(int signal, void (*handler)(int, siginfo_t*, void*), struct sigaction& previous) {
    struct sigaction current {};
    sigaction(signal, nullptr, &current);
    if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == handler) return;
    const std::lock_guard<std::mutex> lock(handler_mutex);
    struct sigaction action {};
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    action.sa_sigaction = handler;
    struct sigaction replaced {};
    sigaction(signal, &action, &replaced);
    if ((replaced.sa_flags & SA_SIGINFO) == 0 || replaced.sa_sigaction != handler) previous = replaced;
}

void install_handlers() {
    page_bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    ensure_handler(SIGSEGV, &on_segv, previous_segv);
    ensure_handler(SIGTRAP, &on_trap, previous_trap);
}
#endif

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

const char* race_kind_name(RaceReport::Kind kind) {
    switch (kind) {
        case RaceReport::Kind::read_after_write: return "read-after-write";
        case RaceReport::Kind::write_after_read: return "write-after-read";
        case RaceReport::Kind::write_after_write: return "write-after-write";
        case RaceReport::Kind::out_of_bounds: return "out-of-bounds";
    }
    return "race";
}

#if ENAS_EMU_RACE_SUPPORTED
RaceChecker::RaceChecker() {
    install_handlers();
    arena_bytes_ = round_up(kArenaBytes, page_bytes);
    void* arena = mmap(nullptr, arena_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED) throw CudaError("SIMT emulator race check: cannot map the shared-memory arena");
    arena_ = static_cast<unsigned char*>(arena);
    cells_.resize(arena_bytes_ / kWord);
    snapshot_.assign(arena_bytes_, kPoisonByte);
    clocks_.assign(std::size_t{kMaxThreadsPerBlock} * kWarpSize, 0u);
}

RaceChecker::~RaceChecker() {
    watch(false);
    munmap(arena_, arena_bytes_);
}

void RaceChecker::protect(std::size_t offset, std::size_t bytes, int protection) const {
    const std::size_t begin = offset / page_bytes * page_bytes;
    const std::size_t end = std::min(round_up(offset + bytes, page_bytes), arena_bytes_);
    if (end > begin) mprotect(arena_ + begin, end - begin, protection);
}

int RaceChecker::watched_protection() const {
    switch (mode_) {
        case Mode::readable: return PROT_READ;
        case Mode::precise: return PROT_NONE;
        case Mode::diff: break;
    }
    return PROT_READ | PROT_WRITE;
}

void RaceChecker::watch(bool on) {
    if (on) install_handlers();
    if (!on) learn();
    watched_ = on;
    protect(0, arena_bytes_, on ? watched_protection() : PROT_READ | PROT_WRITE);
    if (on && mode_ == Mode::diff) std::memcpy(snapshot_.data(), arena_, used_);
    atomic_count_seen_ = detail::atomic_count;
    watching = on ? this : nullptr;
}

void RaceChecker::watch_everything() noexcept {
    mode_ = Mode::precise;
    interval_wrote_ = true;
    protect(0, arena_bytes_, PROT_NONE);
}
#else
RaceChecker::RaceChecker() {
    throw CudaError("SIMT emulator: the race check (ENAS_EMU_RACECHECK) needs Linux on x86-64");
}
RaceChecker::~RaceChecker() = default;
void RaceChecker::protect(std::size_t, std::size_t, int) const {}
int RaceChecker::watched_protection() const { return 0; }
void RaceChecker::watch(bool) {}
void RaceChecker::watch_everything() noexcept {}
void RaceChecker::learn() {}
void RaceChecker::end_segment(unsigned int) {}
#endif

void RaceChecker::begin_block(std::uint64_t kernel) {
    arrays_.clear();
    used_ = 0;
    failed_ = false;
    kernel_ = kernel;
    enter_interval(SourceSite{});
    interval_after_barrier_ = false;
}

void RaceChecker::learn() {
    if (interval_wrote_) writing_intervals_.insert(interval_key_);
    if (interval_read_) reading_intervals_.insert(interval_key_);
    // Only a run watched word by word from its start shows that an interval never reads.
    if (interval_wrote_ && !interval_read_ && whole_interval_precise_) write_only_intervals_.insert(interval_key_);
    interval_wrote_ = interval_read_ = false;
}

void RaceChecker::enter_interval(SourceSite where) {
    learn();
    ++epoch_;
    interval_start_ = where;
    interval_after_barrier_ = true;
    std::uint64_t key = kernel_ ^ (reinterpret_cast<std::uintptr_t>(where.file_name()) * 0x9e3779b97f4a7c15ull);
    key = (key ^ (std::uint64_t{where.line()} << 20) ^ where.column()) * 0xbf58476d1ce4e5b9ull;
    interval_key_ = key;
    mode_ = !writing_intervals_.contains(key)                                          ? Mode::readable
            : reading_intervals_.contains(key) || !write_only_intervals_.contains(key) ? Mode::precise
                                                                                       : Mode::diff;
    whole_interval_precise_ = mode_ == Mode::precise;
    if (watched_) protect(0, arena_bytes_, watched_protection());
    if (watched_ && mode_ == Mode::diff) std::memcpy(snapshot_.data(), arena_, used_);
    atomic_count_seen_ = detail::atomic_count;
}

void RaceChecker::end_segment(unsigned int thread) {
    if (!watched_ || mode_ != Mode::diff || failed_) return;
    const std::uint64_t atomics = detail::atomic_count;
    if (atomics != atomic_count_seen_) {
        // An atomic changed words that must not count as plain writes: watch this interval word
        // by word from its next run on (its writes in this segment go unchecked).
        atomic_count_seen_ = atomics;
        interval_read_ = true;
        std::memcpy(snapshot_.data(), arena_, used_);
        return;
    }
    constexpr std::size_t kChunk = 64;
    for (std::size_t at = 0; at < used_; at += kChunk) {
        const std::size_t bytes = std::min(kChunk, used_ - at);
        if (std::memcmp(arena_ + at, snapshot_.data() + at, bytes) == 0) continue;
        for (std::size_t word = at; word < at + bytes; word += kWord) {
            const std::size_t n = std::min(kWord, used_ - word);
            if (std::memcmp(arena_ + word, snapshot_.data() + word, n) == 0) continue;
            check(thread, word, true);
            std::memcpy(snapshot_.data() + word, arena_ + word, n);
        }
        if (failed_) return;
    }
}

void* RaceChecker::allocate(std::size_t bytes, std::size_t alignment, const char* name) {
    const std::size_t offset = round_up(used_, std::max(alignment, kSharedMemoryAlignment));
    if (offset + bytes > arena_bytes_)
        throw CudaError(::enas::detail::concat("SIMT emulator race check: no room for shared array '", name, "'"));
    // The array and the padding and gap around it start poisoned, in the arena and its snapshot.
    const std::size_t end = std::min(offset + bytes + kGapBytes, arena_bytes_);
    protect(used_, end - used_, PROT_READ | PROT_WRITE);
    std::memset(arena_ + used_, kPoisonByte, end - used_);
    std::memset(snapshot_.data() + used_, kPoisonByte, end - used_);
    if (watched_) protect(used_, end - used_, watched_protection());
    arrays_.push_back(RaceArray{offset, bytes, name});
    used_ = end;
    return arena_ + offset;
}

void RaceChecker::barrier(SourceSite where) { enter_interval(where); }

void RaceChecker::warp_sync(unsigned int base, unsigned int mask) {
    // Each lane's own clock ticks, then every lane learns the largest clock of each lane.
    std::uint32_t joined[kWarpSize] = {};
    for (unsigned int lane = 0; lane < kWarpSize; ++lane) {
        if ((mask >> lane & 1u) == 0) continue;
        std::uint32_t* clock = &clocks_[(base + lane) * kWarpSize];
        ++clock[lane];
        for (unsigned int j = 0; j < kWarpSize; ++j) joined[j] = std::max(joined[j], clock[j]);
    }
    for (unsigned int lane = 0; lane < kWarpSize; ++lane)
        if ((mask >> lane & 1u) != 0) std::memcpy(&clocks_[(base + lane) * kWarpSize], joined, sizeof joined);
}

bool RaceChecker::ordered(std::uint16_t earlier, std::uint32_t stamp, unsigned int later) const {
    if (earlier == later) return true;
    if (earlier / kWarpSize != later / kWarpSize) return false;  // other warps: only a block barrier
    return clocks_[later * kWarpSize + earlier % kWarpSize] > stamp;
}

void RaceChecker::record(RaceReport::Kind kind, unsigned int first, unsigned int second, bool write,
                         std::size_t offset) noexcept {
    failed_ = true;
    report_ = RaceReport{kind, first, second, write, offset};
}

void RaceChecker::on_access(std::uintptr_t address, bool write) noexcept {
    if (write) interval_wrote_ = true;
    if (!write && mode_ == Mode::precise) interval_read_ = true;
    const ThreadContext* context = detail::current_thread_context;
    if (context == nullptr || failed_) return;
    check(context->linear_id, address - reinterpret_cast<std::uintptr_t>(arena_), write);
}

void RaceChecker::check(unsigned int thread, std::size_t offset, bool write) noexcept {
    if (failed_) return;
    const bool inside = std::any_of(arrays_.begin(), arrays_.end(), [&](const RaceArray& a) {
        return offset >= a.offset && offset < a.offset + a.bytes;
    });
    if (!inside) return record(RaceReport::Kind::out_of_bounds, thread, thread, write, offset);
    Cell& cell = cells_[offset / kWord];
    if (cell.epoch != epoch_) cell = Cell{epoch_};
    if (cell.writer != kNone && !ordered(cell.writer, cell.writer_stamp, thread)) {
        const auto kind = write ? RaceReport::Kind::write_after_write : RaceReport::Kind::read_after_write;
        return record(kind, cell.writer, thread, write, offset);
    }
    const std::uint32_t stamp = own_clock(thread);
    if (write) {
        for (int i = 0; i < 2; ++i)
            if (cell.readers[i] != kNone && !ordered(cell.readers[i], cell.reader_stamps[i], thread))
                return record(RaceReport::Kind::write_after_read, cell.readers[i], thread, write, offset);
        cell.writer = static_cast<std::uint16_t>(thread);
        cell.writer_stamp = stamp;
        cell.readers[0] = cell.readers[1] = kNone;
    } else {
        // Two distinct readers are enough to name one that differs from any later writer.
        const int slot = cell.readers[0] == kNone || cell.readers[0] == thread ? 0 : 1;
        cell.readers[slot] = static_cast<std::uint16_t>(thread);
        cell.reader_stamps[slot] = stamp;
    }
}

std::string RaceChecker::describe_offset(std::size_t offset) const {
    for (const RaceArray& a : arrays_) {
        if (offset >= a.offset && offset < a.offset + a.bytes)
            return ::enas::detail::concat("'", a.name, "' (byte ", offset - a.offset, " of ", a.bytes, ")");
    }
    const RaceArray* before = nullptr;
    for (const RaceArray& a : arrays_)
        if (a.offset + a.bytes <= offset && (before == nullptr || a.offset > before->offset)) before = &a;
    if (before == nullptr) return ::enas::detail::concat("shared offset ", offset, ", before every shared array");
    return ::enas::detail::concat("byte ", offset - before->offset, " of '", before->name, "', which has ",
                                  before->bytes, " bytes");
}

std::string RaceChecker::describe_interval() const {
    if (!interval_after_barrier_) return "since the block started";
    return "since the barrier at " + describe_site(interval_start_);
}

}  // namespace enas::emu
