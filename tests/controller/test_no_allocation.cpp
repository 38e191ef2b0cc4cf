// After warm-up, the sampling loop (sample, REINFORCE update with its Adam steps, greedy sample,
// teacher-forced score) allocates nothing: the controller's Context hands out no fresh block and
// no C++ heap allocation happens at all (this file counts every operator new).
#include "enas/controller/controllers.hpp"
#include "allocation_counter.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

/// One round of everything the search loop does with a policy.
void round(ArchitecturePolicy& policy, Sample& s, Sample& greedy, Sample& scored, int i) {
    policy.sample_into(s);
    policy.update(s, 0.1 * (i % 9));
    policy.sample_into(greedy, SampleMode::Greedy);
    policy.score_into(s.tokens, scored);
    policy.update(greedy, 0.5);  // not the last recording: recorded again by teacher forcing
}

template <class Controller>
void check_no_allocation(Controller& controller) {
    INFO(space_name(controller.space()));
    Sample s, greedy, scored;
    for (int i = 0; i < 30; ++i) round(controller, s, greedy, scored, i);  // warm-up (and several Adam steps)
    const std::uint64_t fresh = controller.context().allocator_stats().fresh_allocations;
    const std::int64_t steps_before = controller.step();
    const long news = test::count_allocations([&] {
        for (int i = 0; i < 200; ++i) round(controller, s, greedy, scored, i);
    });
    REQUIRE(controller.step() > steps_before);  // Adam steps happened inside the measured loop
    REQUIRE(controller.context().allocator_stats().fresh_allocations == fresh);
    REQUIRE(news == 0);
}

}  // namespace

TEST_CASE("no allocation in the sampling loop after warm-up", "[controller]") {
    MacroControllerConfig macro_cfg;  // L = 12
    macro_cfg.reinforce.num_aggregate = 7;
    MacroController macro(macro_cfg, 1);
    check_no_allocation(macro);

    MicroController micro({}, 1);
    check_no_allocation(micro);

    RnnController lm({}, 1);
    check_no_allocation(lm);
    RnnController orig(RnnControllerConfig::original(), 1);
    check_no_allocation(orig);

    RandomSearch random(MicroControllerConfig{}, 1);
    Sample s, greedy, scored;
    for (int i = 0; i < 3; ++i) round(random, s, greedy, scored, i);
    REQUIRE(test::count_allocations([&] {
                for (int i = 0; i < 100; ++i) round(random, s, greedy, scored, i);
            }) == 0);

    // The counter does count: a vector allocation inside the window shows up.
    REQUIRE(test::count_allocations([] {
                std::vector<int> v(10);
                REQUIRE(v.size() == 10);
            }) >= 1);
}
