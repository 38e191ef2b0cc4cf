#include "enas/run/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <utility>

namespace enas::run {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e12) return "?";
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
    char buf[48];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
    return buf;
}

std::string format_scalar(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", value);
    return buf;
}

std::string format_progress_line(const ProgressSnapshot& s) {
    std::string line = s.phase.empty() ? "progress" : s.phase;
    if (s.epochs > 0)
        line.append("  epoch ").append(std::to_string(s.epoch_index + 1)).append("/").append(std::to_string(s.epochs));
    line.append("  step ").append(std::to_string(s.step));
    if (s.steps > 0) line.append("/").append(std::to_string(s.steps));
    for (const ProgressScalar& v : s.scalars) {
        line.append("  ").append(v.name).append(" ").append(format_scalar(v.value));
    }
    if (s.images_per_second > 0 && std::isfinite(s.images_per_second)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, s.images_per_second >= 100 ? "%.0f" : "%.1f", s.images_per_second);
        line.append("  ").append(buf).append(" ").append(s.rate_unit);
    }
    line += "  elapsed " + format_duration(s.elapsed_seconds);
    if (s.eta_seconds >= 0) line += "  eta " + format_duration(s.eta_seconds);
    if (s.run_eta_seconds >= 0) line += "  run eta " + format_duration(s.run_eta_seconds);
    return line;
}

ProgressReporter::ProgressReporter(std::ostream& out, Options options) : out_(&out), options_(std::move(options)) {}

ProgressReporter ProgressReporter::for_stderr(std::int64_t log_every, std::string rate_unit) {
    Options options;
    options.rate_unit = std::move(rate_unit);
    options.interactive = ::isatty(STDERR_FILENO) == 1;
    options.log_every = log_every;
    return ProgressReporter(std::cerr, std::move(options));
}

double ProgressReporter::now() const {
    if (options_.clock) return options_.clock();
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

ProgressSnapshot ProgressReporter::snapshot() const {
    ProgressSnapshot s = current_;
    s.rate_unit = options_.rate_unit;
    try {
        s.elapsed_seconds = std::max(0.0, now() - phase_start_);
    } catch (...) { s.elapsed_seconds = 0; }
    s.images_per_second = s.elapsed_seconds > 0 ? static_cast<double>(images_) / s.elapsed_seconds : 0;
    s.eta_seconds = s.run_eta_seconds = -1;
    if (s.step <= 0 || s.steps <= 0) return s;
    const double phase_total = s.elapsed_seconds / static_cast<double>(s.step) * static_cast<double>(s.steps);
    s.eta_seconds = std::max(0.0, phase_total - s.elapsed_seconds);
    if (s.epochs <= 0) return s;
    double epoch_total = phase_total, rest_of_this_epoch = 0;
    for (const auto& [name, seconds] : phase_seconds_) {
        if (name == s.phase) continue;
        epoch_total += seconds;
        if (!ran_this_epoch_.count(name)) rest_of_this_epoch += seconds;
    }
    const auto later_epochs = static_cast<double>(std::max<std::int64_t>(0, s.epochs - s.epoch_index - 1));
    s.run_eta_seconds = s.eta_seconds + rest_of_this_epoch + later_epochs * epoch_total;
    return s;
}

void ProgressReporter::draw(bool final_line) {
    const std::string line = format_progress_line(snapshot());
    if (options_.interactive) {
        std::string text = "\r" + line;
        if (live_width_ > line.size()) text.append(live_width_ - line.size(), ' ');
        if (final_line) text += "\n";
        *out_ << text << std::flush;
        live_width_ = final_line ? 0 : line.size();
    } else {
        *out_ << line << '\n' << std::flush;
    }
    last_draw_ = now();
    printed_current_step_ = true;
}

void ProgressReporter::begin(std::string phase, std::int64_t epoch_index, std::int64_t epochs,
                             std::int64_t steps) noexcept {
    try {
        if (in_phase_ && options_.interactive && live_width_ > 0) {
            *out_ << '\n' << std::flush;  // keep the unfinished phase's line
            live_width_ = 0;
        }
        if (epoch_index != current_.epoch_index) ran_this_epoch_.clear();
        current_ = ProgressSnapshot{};
        current_.phase = std::move(phase);
        current_.epoch_index = epoch_index;
        current_.epochs = epochs;
        current_.steps = steps;
        images_ = 0;
        phase_start_ = now();
        last_draw_ = -1e300;
        printed_current_step_ = false;
        in_phase_ = true;
    } catch (...) {}
}

void ProgressReporter::update(std::int64_t step, const std::vector<ProgressScalar>& scalars,
                              std::int64_t images) noexcept {
    try {
        current_.step = step;
        if (!scalars.empty()) current_.scalars = scalars;
        images_ += images;
        printed_current_step_ = false;
        const bool last = current_.steps > 0 && step >= current_.steps;
        if (options_.interactive) {
            if (last || now() - last_draw_ >= options_.redraw_seconds) draw(false);
        } else if (last || (options_.log_every > 0 && step % options_.log_every == 0)) {
            draw(false);
        }
    } catch (...) {}
}

void ProgressReporter::end(const std::vector<ProgressScalar>& scalars) noexcept {
    try {
        if (!in_phase_) return;
        if (!scalars.empty()) current_.scalars = scalars;
        if (options_.interactive || !printed_current_step_ || !scalars.empty()) draw(true);
        phase_seconds_[current_.phase] = std::max(0.0, now() - phase_start_);
        ran_this_epoch_.insert(current_.phase);
        in_phase_ = false;
    } catch (...) {}
}

void ProgressReporter::message(std::string_view line) noexcept {
    try {
        if (options_.interactive && live_width_ > 0) {
            *out_ << '\r' << std::string(live_width_, ' ') << '\r' << line << '\n' << std::flush;
            live_width_ = 0;
            if (in_phase_) draw(false);
        } else {
            *out_ << line << '\n' << std::flush;
        }
    } catch (...) {}
}

}  // namespace enas::run
