// Terminal progress for long loops: phase, epoch, step, named scalars (loss, acc, ...), images/s,
// elapsed time and time left, e.g.
//   train  epoch 3/150  step 120/352  loss 2.301  acc 0.125  1234 img/s  elapsed 0:41  eta 1:20  run eta 3:12:00
// On a terminal the line is redrawn in place with '\r' (throttled); otherwise (a log file, CI) a
// full line is printed every `log_every` steps and at the last step. Reporting never throws: a
// failing stream or clock must not stop training.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace enas::run {

/// One named value shown on the progress line.
struct ProgressScalar {
    std::string name;
    double value = 0;
};

/// Everything a progress line shows; `format_progress_line` turns it into text.
struct ProgressSnapshot {
    std::string phase;
    std::int64_t epoch_index = 0;  // 0-based; shown as epoch_index + 1
    std::int64_t epochs = 0;       // <= 0: no epoch shown
    std::int64_t step = 0;         // steps done in this phase
    std::int64_t steps = 0;        // <= 0: unknown total
    std::vector<ProgressScalar> scalars;
    double images_per_second = 0;     // <= 0: not shown
    std::string rate_unit = "img/s";  // the rate's label ("tok/s" for a language model)
    double elapsed_seconds = 0;
    double eta_seconds = -1;      // time left in this phase; < 0: unknown
    double run_eta_seconds = -1;  // time left in the whole run; < 0: unknown
};

/// "0:07", "12:34", "1:02:03"; "?" for negative or non-finite values.
std::string format_duration(double seconds);
/// A compact number: 4 significant digits ("2.301", "0.0005", "1.235e+06").
std::string format_scalar(double value);
/// The text of one progress line (no '\r' or newline).
std::string format_progress_line(const ProgressSnapshot& snapshot);

/// Draws progress lines on a stream. Call `begin` at the start of each phase (train, controller,
/// eval, ...), `update` after each step, `end` when the phase is done, and `message` for any
/// other line, so that it does not collide with a live '\r' line.
///
/// Time left for the whole run is estimated from the duration of each phase name in the last
/// epoch it ran (so after one epoch it covers every phase), and the current phase's rate.
class ProgressReporter {
public:
    struct Options {
        bool interactive = false;         // redraw one line with '\r' (a terminal)
        std::int64_t log_every = 50;      // non-interactive: a line every N steps (and the last)
        double redraw_seconds = 0.25;     // interactive: at most one redraw per this many seconds
        std::function<double()> clock;    // seconds, monotonic; default std::chrono::steady_clock
        std::string rate_unit = "img/s";  // the label of the items-per-second rate
    };

    ProgressReporter(std::ostream& out, Options options);
    /// Reports to std::cerr, interactive when stderr is a terminal.
    static ProgressReporter for_stderr(std::int64_t log_every = 50, std::string rate_unit = "img/s");

    /// Starts a phase: `epoch_index` is 0-based (shown as epoch_index + 1 of `epochs`); `steps`
    /// is the number of steps in the phase (<= 0 if unknown).
    void begin(std::string phase, std::int64_t epoch_index, std::int64_t epochs, std::int64_t steps) noexcept;
    /// Records that `step` steps of the phase are done (1-based count), showing `scalars`;
    /// `images` is how many images (or tokens) that step processed, for the rate.
    void update(std::int64_t step, const std::vector<ProgressScalar>& scalars = {}, std::int64_t images = 0) noexcept;
    /// Ends the phase: prints its final line (with `scalars`, or the last ones if empty) and a newline.
    void end(const std::vector<ProgressScalar>& scalars = {}) noexcept;
    /// Prints `line` on its own line, first finishing a live '\r' line.
    void message(std::string_view line) noexcept;

    /// The current state (for tests and for metrics: images/s, elapsed).
    ProgressSnapshot snapshot() const;

private:
    double now() const;
    void draw(bool final_line);

    std::ostream* out_;
    Options options_;
    ProgressSnapshot current_;
    double phase_start_ = 0;
    double last_draw_ = -1e300;
    std::int64_t images_ = 0;
    std::size_t live_width_ = 0;  // characters of the live '\r' line on screen
    bool printed_current_step_ = false;
    bool in_phase_ = false;
    std::map<std::string, double> phase_seconds_;  // last full duration per phase name
    std::set<std::string> ran_this_epoch_;         // phases finished in epoch `epoch_index`
};

}  // namespace enas::run
