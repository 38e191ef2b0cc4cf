// Learning-rate schedules for child training (enas-reference.md §7.1). Every schedule maps an
// integer epoch index (0-based; e = floor(step / batches_per_epoch)) to a learning rate, so the
// rate is constant within an epoch, as in the authors' code.
//
//   SgdrSchedule      cosine with warm restarts (the authors' schedule; restarts at 10, 30, 70,
//                     150, 310, 630 for t0 = 10, t_mul = 2)
//   CosineSchedule    one cosine from lr_max down to lr_min over `epochs`, no restarts (NNI1)
//   ConstantSchedule  a fixed rate
//
// `LrSchedule` is a variant of the three; `learning_rate(schedule, epoch)` evaluates any of them.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"

namespace enas::train {

namespace lr_detail {
inline void check_epoch(std::int64_t epoch, const char* who) {
    check<ValueError>(epoch >= 0, who, ": epoch ", epoch, " is negative (epochs are counted from 0)");
}
inline void check_rates(double lr_max, double lr_min, const char* who) {
    check<ValueError>(std::isfinite(lr_max) && lr_max > 0, who, ": lr_max ", lr_max, " must be finite and > 0");
    check<ValueError>(std::isfinite(lr_min) && lr_min >= 0 && lr_min <= lr_max, who, ": lr_min ", lr_min,
                      " must be finite and in [0, lr_max = ", lr_max, "]");
}
/// lr_min + ½ (lr_max − lr_min)(1 + cos(π · t / period)).
inline double cosine(double lr_max, double lr_min, double t, double period) {
    return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + std::cos(std::numbers::pi * t / period));
}
}  // namespace lr_detail

/// The epoch index of a global step: floor(step / batches_per_epoch).
inline std::int64_t epoch_of_step(std::int64_t step, std::int64_t batches_per_epoch) {
    check<ValueError>(step >= 0, "epoch_of_step: step ", step, " is negative");
    check<ValueError>(batches_per_epoch > 0, "epoch_of_step: batches_per_epoch ", batches_per_epoch, " must be > 0");
    return step / batches_per_epoch;
}

/// SGDR: cosine annealing with warm restarts at integer epochs. The first cycle lasts `t0`
/// epochs, each later one `t_mul` times the previous. Within a cycle that started at e_start
/// with length T: lr = lr_min + ½(lr_max − lr_min)(1 + cos(π (e − e_start) / T)).
struct SgdrSchedule {
    double lr_max = 0.05;
    double lr_min = 0.0005;
    std::int64_t t0 = 10;
    std::int64_t t_mul = 2;

    /// Throws ValueError unless 0 <= lr_min <= lr_max, lr_max > 0, t0 >= 1 and t_mul >= 1.
    void validate() const {
        lr_detail::check_rates(lr_max, lr_min, "SgdrSchedule");
        check<ValueError>(t0 >= 1, "SgdrSchedule: t0 ", t0, " must be >= 1 epoch");
        check<ValueError>(t_mul >= 1, "SgdrSchedule: t_mul ", t_mul, " must be >= 1");
    }

    /// The cycle containing `epoch`: its first epoch and its length in epochs.
    struct Cycle {
        std::int64_t start = 0;
        std::int64_t length = 0;
    };
    Cycle cycle(std::int64_t epoch) const {
        validate();
        lr_detail::check_epoch(epoch, "SgdrSchedule");
        if (t_mul == 1) return {epoch / t0 * t0, t0};
        Cycle c{0, t0};
        // Lengths grow geometrically, so this loop runs at most ~63 times.
        while (epoch - c.start >= c.length) {
            c.start += c.length;
            if (c.length > std::numeric_limits<std::int64_t>::max() / t_mul) {
                c.length = std::numeric_limits<std::int64_t>::max() - c.start;
                break;
            }
            c.length *= t_mul;
        }
        return c;
    }

    /// The learning rate of epoch `epoch` (>= 0).
    double lr(std::int64_t epoch) const {
        const Cycle c = cycle(epoch);
        return lr_detail::cosine(lr_max, lr_min, static_cast<double>(epoch - c.start), static_cast<double>(c.length));
    }

    /// True when `epoch` starts a new cycle after the first (a warm restart: lr jumps to lr_max).
    bool is_restart(std::int64_t epoch) const { return epoch > 0 && cycle(epoch).start == epoch; }

    /// The restart epochs in (0, up_to], ascending (10, 30, 70, ... for t0 = 10, t_mul = 2).
    std::vector<std::int64_t> restart_epochs(std::int64_t up_to) const {
        validate();
        std::vector<std::int64_t> out;
        std::int64_t start = 0, length = t0;
        while (up_to - start >= length) {
            start += length;
            out.push_back(start);
            if (length > std::numeric_limits<std::int64_t>::max() / t_mul) break;
            length *= t_mul;
        }
        return out;
    }
};

/// One cosine from lr_max (epoch 0) towards lr_min over `epochs` epochs, without restarts;
/// epochs at or past `epochs` stay at lr_min.
struct CosineSchedule {
    double lr_max = 0.05;
    double lr_min = 0.0;
    std::int64_t epochs = 1;

    void validate() const {
        lr_detail::check_rates(lr_max, lr_min, "CosineSchedule");
        check<ValueError>(epochs >= 1, "CosineSchedule: epochs ", epochs, " must be >= 1");
    }
    double lr(std::int64_t epoch) const {
        validate();
        lr_detail::check_epoch(epoch, "CosineSchedule");
        if (epoch >= epochs) return lr_min;
        return lr_detail::cosine(lr_max, lr_min, static_cast<double>(epoch), static_cast<double>(epochs));
    }
};

/// The same rate for every epoch.
struct ConstantSchedule {
    double value = 0.05;

    void validate() const {
        check<ValueError>(std::isfinite(value) && value > 0, "ConstantSchedule: rate ", value,
                          " must be finite and > 0");
    }
    double lr(std::int64_t epoch) const {
        validate();
        lr_detail::check_epoch(epoch, "ConstantSchedule");
        return value;
    }
};

/// Any of the schedules; trainers hold one of these and call `learning_rate`.
using LrSchedule = std::variant<SgdrSchedule, CosineSchedule, ConstantSchedule>;

/// The learning rate of `epoch` under `schedule`. Throws ValueError for bad parameters or a
/// negative epoch.
inline double learning_rate(const LrSchedule& schedule, std::int64_t epoch) {
    return std::visit([epoch](const auto& s) { return s.lr(epoch); }, schedule);
}

/// Validates any schedule (throws ValueError naming the bad parameter).
inline void validate(const LrSchedule& schedule) {
    std::visit([](const auto& s) { s.validate(); }, schedule);
}

/// The schedule as JSON for config.json, e.g. {"kind":"sgdr","lr_max":0.05,...}.
inline nlohmann::json to_json(const LrSchedule& schedule) {
    struct Visitor {
        nlohmann::json operator()(const SgdrSchedule& s) const {
            return {{"kind", "sgdr"}, {"lr_max", s.lr_max}, {"lr_min", s.lr_min}, {"t0", s.t0}, {"t_mul", s.t_mul}};
        }
        nlohmann::json operator()(const CosineSchedule& s) const {
            return {{"kind", "cosine"}, {"lr_max", s.lr_max}, {"lr_min", s.lr_min}, {"epochs", s.epochs}};
        }
        nlohmann::json operator()(const ConstantSchedule& s) const { return {{"kind", "constant"}, {"lr", s.value}}; }
    };
    return std::visit(Visitor{}, schedule);
}

/// Builds a schedule by name: "sgdr" (uses lr_max, lr_min, t0, t_mul), "cosine" (lr_max, lr_min,
/// epochs) or "constant" (lr_max). Throws ValueError for an unknown name or bad parameters.
inline LrSchedule make_lr_schedule(const std::string& kind, double lr_max, double lr_min, std::int64_t epochs,
                                   std::int64_t t0 = 10, std::int64_t t_mul = 2) {
    LrSchedule s;
    if (kind == "sgdr")
        s = SgdrSchedule{lr_max, lr_min, t0, t_mul};
    else if (kind == "cosine")
        s = CosineSchedule{lr_max, lr_min, epochs};
    else if (kind == "constant")
        s = ConstantSchedule{lr_max};
    else
        throw ValueError("unknown learning-rate schedule '" + kind + "' (expected sgdr, cosine or constant)");
    validate(s);
    return s;
}

}  // namespace enas::train
