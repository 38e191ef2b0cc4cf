// Stopping a run politely on SIGINT or SIGTERM (docs/cli.md, "Stopping and exit codes").
//
// install_stop_handlers() makes the first SIGINT or SIGTERM only set an atomic flag; the loops
// (SearchLoop, FinalTraining, derive) call poll_stop() at every step boundary, which throws
// Interrupted once the flag is set. FinalTraining of a task that can resume mid-epoch first writes
// a mid-epoch checkpoint, so nothing is lost; elsewhere the last checkpoint is the last epoch's
// and --resume redoes the interrupted epoch from its start (resume_latest drops its lines). A second SIGINT or SIGTERM
// ends the process at once with _exit (checkpoints are written atomically, so the last one stays
// intact). The binaries print how to resume and exit with interrupted_exit_code (130 for SIGINT,
// 143 for SIGTERM: 128 + the signal number, as shells report them).
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "enas/run/fault_injection.hpp"

namespace enas::run {

namespace detail {
inline std::atomic<int> g_stop_signal{0};
}  // namespace detail

/// Installs the SIGINT and SIGTERM handlers described above; `program` (copied, at most 63 bytes)
/// starts the line the handler writes. Idempotent.
void install_stop_handlers(const char* program);

/// The signal that asked the run to stop, or 0.
inline int stop_signal() noexcept { return detail::g_stop_signal.load(std::memory_order_relaxed); }
/// What the handler does on the first signal (also for tests): records `signal_number`.
inline void request_stop(int signal_number) noexcept {
    detail::g_stop_signal.store(signal_number, std::memory_order_relaxed);
}
/// Forgets a stop request (tests).
inline void clear_stop_request() noexcept { detail::g_stop_signal.store(0, std::memory_order_relaxed); }

/// 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
int interrupted_exit_code(int signal_number) noexcept;

/// Where a loop is when it polls: for the message of Interrupted.
struct StopPoint {
    std::filesystem::path run_dir;          ///< the run folder
    std::filesystem::path last_checkpoint;  ///< empty when none was written yet
    std::int64_t epochs_saved = 0;          ///< epochs in that checkpoint
    const char* phase = "";                 ///< "child", "controller", "eval", "train", "derive"
    std::int64_t epoch = 0;                 ///< 0-based epoch in progress (unused for "derive")
    std::int64_t step = 0;                  ///< steps of the phase done
    std::int64_t steps = 0;                 ///< steps in the phase
    std::int64_t steps_saved = 0;           ///< steps of epoch `epoch` in that checkpoint (mid-epoch)
};

/// Thrown by poll_stop: the run stopped at a step boundary. what() says where, which checkpoint
/// --resume continues from and which work it redoes.
class Interrupted : public std::runtime_error {
public:
    Interrupted(int signal_number, const StopPoint& at);
    int signal_number() const { return signal_; }
    int exit_code() const { return interrupted_exit_code(signal_); }
    const std::filesystem::path& run_dir() const { return run_dir_; }

private:
    int signal_;
    std::filesystem::path run_dir_;
};

/// The one place the loops check for a stop request: throws Interrupted if a signal came. `at`
/// is only evaluated into a message then, so polling costs one atomic load (and one load of the
/// fault-injection flag, fault_injection.hpp, which evaluates `at` only when ENAS_FAULT is set).
template <class MakeStopPoint>
inline void poll_stop(MakeStopPoint&& at) {
    if (const int s = stop_signal()) throw Interrupted(s, at());
    if (fault::armed()) fault::at_step_boundary(at().phase);
}

}  // namespace enas::run
