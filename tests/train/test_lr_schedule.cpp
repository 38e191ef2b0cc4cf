// Learning-rate schedules: the SGDR table of enas-reference.md §7.1 reproduced to its printed
// precision, the restart epochs, the no-restart cosine, the constant rate and parameter errors.
#include <cmath>

#include <catch2/catch.hpp>

#include "enas/train/lr_schedule.hpp"

using namespace enas;
using namespace enas::train;

namespace {
// |a - b| <= half a unit of the last printed decimal of `printed` (given with `decimals`).
bool matches_printed(double value, double printed, int decimals) {
    return std::fabs(value - printed) <= 0.5 * std::pow(10.0, -decimals) + 1e-15;
}
}  // namespace

TEST_CASE("SGDR reproduces the reference table (lr_max 0.05, lr_min 0.0005, T0 10, Tmul 2)", "[train]") {
    const SgdrSchedule s{0.05, 0.0005, 10, 2};
    struct Row {
        std::int64_t epoch;
        double printed;
        int decimals;
    };
    const Row table[] = {{0, 0.05, 2},  {5, 0.02525, 5}, {9, 0.001711, 6},   {10, 0.05, 2},  {29, 0.000805, 6},
                         {30, 0.05, 2}, {70, 0.05, 2},   {149, 0.000519, 6}, {150, 0.05, 2}, {309, 0.000505, 6}};
    for (const Row& row : table) {
        INFO("epoch " << row.epoch << ": lr " << s.lr(row.epoch) << ", reference " << row.printed);
        CHECK(matches_printed(s.lr(row.epoch), row.printed, row.decimals));
        CHECK(matches_printed(learning_rate(LrSchedule{s}, row.epoch), row.printed, row.decimals));
    }
    // Restart epochs are exactly lr_max, not just close to it.
    CHECK(s.lr(0) == 0.05);
    CHECK(s.lr(150) == 0.05);
}

TEST_CASE("SGDR restarts at 10, 30, 70, 150, 310, 630 and nowhere else", "[train]") {
    const SgdrSchedule s{0.05, 0.0005, 10, 2};
    const std::vector<std::int64_t> expected{10, 30, 70, 150, 310, 630};
    CHECK(s.restart_epochs(630) == expected);
    CHECK(s.restart_epochs(629) == std::vector<std::int64_t>(expected.begin(), expected.end() - 1));
    std::vector<std::int64_t> seen;
    for (std::int64_t e = 0; e <= 700; ++e) {
        if (s.is_restart(e)) seen.push_back(e);
        if (e > 0 && !s.is_restart(e)) {
            INFO("epoch " << e);
            CHECK(s.lr(e) < s.lr(e - 1));  // strictly decreasing inside a cycle
        }
    }
    CHECK(seen == expected);
    CHECK(s.cycle(149).start == 70);
    CHECK(s.cycle(149).length == 80);
    CHECK(s.cycle(310).length == 320);
}

TEST_CASE("SGDR with t_mul 1 restarts every t0 epochs; the rate is a function of the epoch only", "[train]") {
    const SgdrSchedule s{0.1, 0.0, 4, 1};
    CHECK(s.restart_epochs(13) == std::vector<std::int64_t>{4, 8, 12});
    CHECK(s.lr(2) == Approx(0.05));
    CHECK(s.lr(6) == s.lr(2));
    // Step → epoch as in the authors' code: bkj's micro-search log has epoch 149 at step 42050.
    CHECK(epoch_of_step(42050, 282) == 149);
    CHECK(epoch_of_step(281, 282) == 0);
    CHECK(epoch_of_step(282, 282) == 1);
    // Huge epochs do not overflow or loop forever.
    CHECK(std::isfinite(SgdrSchedule{0.05, 0.0005, 10, 2}.lr(std::int64_t{1} << 62)));
}

TEST_CASE("cosine without restarts and constant schedules", "[train]") {
    const CosineSchedule c{0.1, 0.001, 10};
    CHECK(c.lr(0) == Approx(0.1));
    CHECK(c.lr(5) == Approx(0.0505));
    CHECK(c.lr(9) == Approx(0.001 + 0.5 * 0.099 * (1 + std::cos(M_PI * 0.9))));
    CHECK(c.lr(10) == 0.001);
    CHECK(c.lr(1000) == 0.001);
    const ConstantSchedule k{0.025};
    CHECK(k.lr(0) == 0.025);
    CHECK(k.lr(12345) == 0.025);

    CHECK(learning_rate(make_lr_schedule("cosine", 0.1, 0.001, 10), 5) == Approx(0.0505));
    CHECK(learning_rate(make_lr_schedule("constant", 0.2, 0.0, 10), 7) == 0.2);
    CHECK(learning_rate(make_lr_schedule("sgdr", 0.05, 0.0005, 150), 29) == SgdrSchedule{}.lr(29));
    CHECK(to_json(make_lr_schedule("sgdr", 0.05, 0.0005, 150)).at("kind") == "sgdr");
    CHECK(to_json(LrSchedule{CosineSchedule{0.1, 0.0, 7}}).at("epochs") == 7);
}

TEST_CASE("bad schedule parameters raise ValueError naming the parameter", "[train]") {
    CHECK_THROWS_WITH(SgdrSchedule({0.01, 0.05, 10, 2}).lr(0), Catch::Contains("lr_min"));
    CHECK_THROWS_AS(SgdrSchedule({0.05, 0.0005, 0, 2}).lr(0), ValueError);
    CHECK_THROWS_WITH(SgdrSchedule({0.05, 0.0005, 0, 2}).lr(0), Catch::Contains("t0"));
    CHECK_THROWS_WITH(SgdrSchedule({0.05, 0.0005, 10, 0}).lr(0), Catch::Contains("t_mul"));
    CHECK_THROWS_WITH(SgdrSchedule({std::nan(""), 0.0, 10, 2}).lr(0), Catch::Contains("lr_max"));
    CHECK_THROWS_WITH(SgdrSchedule{}.lr(-1), Catch::Contains("negative"));
    CHECK_THROWS_AS(CosineSchedule({0.1, 0.0, 0}).lr(0), ValueError);
    CHECK_THROWS_AS(ConstantSchedule{-0.1}.lr(0), ValueError);
    CHECK_THROWS_WITH(make_lr_schedule("step", 0.1, 0.0, 10), Catch::Contains("'step'"));
    CHECK_THROWS_AS(make_lr_schedule("sgdr", 0.1, 0.2, 10), ValueError);
    CHECK_THROWS_AS(epoch_of_step(10, 0), ValueError);
}
