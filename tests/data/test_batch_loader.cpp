// BatchLoader (shuffled epochs, augmentation, prefetch, resume, errors), the random validation
// sampler and the evaluation batches, on numbered synthetic images whose index can be read back.
#include <set>

#include "data_test_support.hpp"
#include "enas/data/batch_loader.hpp"
#include "enas/data/samplers.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;

namespace {

constexpr std::int64_t kN = 103, kC = 2, kH = 6, kW = 6;

// The dataset indices of an unaugmented batch (decoded from the pixels; checked against the labels).
std::vector<std::int64_t> batch_indices(const data::Batch& b) {
    std::vector<std::int64_t> out;
    for (std::int64_t k = 0; k < b.size(); ++k) {
        const std::int64_t i = test::decode_index(b.images.data() + k * kC * kH * kW, kC, kH * kW);
        REQUIRE(b.labels.data()[k] == i % 7);
        out.push_back(i);
    }
    return out;
}

bool same_batch(const data::Batch& a, const data::Batch& b) {
    return a.epoch == b.epoch && a.step == b.step && a.images.shape() == b.images.shape() &&
           a.images.to_vector() == b.images.to_vector() && a.labels.to_vector() == b.labels.to_vector();
}

data::LoaderOptions plain_options(std::int64_t batch, bool prefetch) {
    data::LoaderOptions o;
    o.batch_size = batch;
    o.seed = 42;
    o.augment = false;
    o.prefetch = prefetch;
    return o;
}

}  // namespace

TEST_CASE("Every image appears exactly once per epoch, in a new order each epoch", "[data]") {
    const auto ds = test::numbered_dataset(kN, kC, kH, kW);
    REQUIRE(data::batches_per_epoch(kN, 10, false) == 11);
    REQUIRE(data::batches_per_epoch(kN, 10, true) == 10);
    REQUIRE(data::batches_per_epoch(100, 10, false) == 10);
    for (bool prefetch : {true, false}) {
        data::BatchLoader loader(ds, test::unit_stats(kC), plain_options(10, prefetch));
        REQUIRE(loader.batches_per_epoch() == 11);
        std::vector<std::vector<std::int64_t>> orders;
        for (std::int64_t e = 0; e < 3; ++e) {
            std::vector<std::int64_t> order;
            for (std::int64_t s = 0; s < loader.batches_per_epoch(); ++s) {
                REQUIRE((loader.epoch() == e && loader.step() == s));
                const data::Batch b = loader.next();
                REQUIRE((b.epoch == e && b.step == s));
                REQUIRE(b.size() == (s == 10 ? 3 : 10));  // the last batch is smaller
                REQUIRE(b.images.shape() == Shape{b.size(), kC, kH, kW});
                const auto idx = batch_indices(b);
                order.insert(order.end(), idx.begin(), idx.end());
            }
            REQUIRE(std::set<std::int64_t>(order.begin(), order.end()).size() == static_cast<std::size_t>(kN));
            REQUIRE(order.size() == static_cast<std::size_t>(kN));
            orders.push_back(order);
        }
        REQUIRE(orders[0] != orders[1]);
        REQUIRE(orders[1] != orders[2]);
        std::vector<std::int64_t> sorted = orders[0];
        std::sort(sorted.begin(), sorted.end());
        REQUIRE(orders[0] != sorted);  // actually shuffled
    }
    // Without shuffling: the dataset order.
    auto o = plain_options(50, true);
    o.shuffle = false;
    data::BatchLoader loader(ds, test::unit_stats(kC), o);
    const auto first = batch_indices(loader.next());
    REQUIRE(first.front() == 0);
    REQUIRE(first.back() == 49);
}

TEST_CASE("drop_last drops the smaller batch", "[data]") {
    const auto ds = test::numbered_dataset(kN, kC, kH, kW);
    auto o = plain_options(10, true);
    o.drop_last = true;
    data::BatchLoader loader(ds, test::unit_stats(kC), o);
    REQUIRE(loader.batches_per_epoch() == 10);
    std::set<std::int64_t> seen;
    for (int s = 0; s < 10; ++s) {
        const auto b = loader.next();
        REQUIRE(b.size() == 10);
        for (auto i : batch_indices(b)) seen.insert(i);
    }
    REQUIRE(seen.size() == 100);
    REQUIRE(loader.next().epoch == 1);
}

TEST_CASE("Prefetching, direct computation and resuming give the same augmented batches", "[data]") {
    auto ds = test::numbered_dataset(kN, 3, 8, 8);
    for (std::size_t i = 0; i < ds.pixels.size(); ++i) ds.pixels[i] = static_cast<std::uint8_t>((i * 13) % 253);
    const data::ChannelStats stats{{0.5f, 0.4f, 0.3f}, {0.2f, 0.3f, 0.25f}};
    data::LoaderOptions o;
    o.batch_size = 16;
    o.seed = 9;
    o.augmentation.pad = 2;
    o.augmentation.cutout = 3;
    o.prefetch_depth = 3;
    std::vector<data::Batch> with, without;
    {
        data::BatchLoader a(ds, stats, o);
        for (int i = 0; i < 3 * 7; ++i) with.push_back(a.next());
    }
    o.prefetch = false;
    data::BatchLoader b(ds, stats, o);
    for (int i = 0; i < 3 * 7; ++i) without.push_back(b.next());
    for (std::size_t i = 0; i < with.size(); ++i) {
        INFO("batch " << i);
        REQUIRE(same_batch(with[i], without[i]));
        REQUIRE(same_batch(with[i], data::make_training_batch(ds, stats, o, with[i].epoch, with[i].step)));
    }
    REQUIRE(with[7].epoch == 1);
    REQUIRE(with[6].size() == kN - 6 * 16);
    // Not the same batch twice: epochs and steps differ.
    REQUIRE(with[0].images.to_vector() != with[7].images.to_vector());
    // A run resumed at (epoch 1, step 4), with prefetch, continues exactly.
    o.prefetch = true;
    data::BatchLoader resumed(ds, stats, o, 1, 4);
    REQUIRE((resumed.epoch() == 1 && resumed.step() == 4));
    for (std::size_t i = 7 + 4; i < with.size(); ++i) REQUIRE(same_batch(resumed.next(), with[i]));
    // A different seed gives different batches.
    o.seed = 10;
    REQUIRE_FALSE(same_batch(data::make_training_batch(ds, stats, o, 0, 0), with[0]));
}

TEST_CASE("Loader errors: bad options at construction, worker errors rethrown in next()", "[data]") {
    auto ds = test::numbered_dataset(kN, kC, kH, kW);
    const auto stats = test::unit_stats(kC);
    ENAS_REQUIRE_THROWS(data::BatchLoader(ds, stats, plain_options(0, true)), ValueError, Contains("batch size"));
    auto o = plain_options(200, true);
    o.drop_last = true;
    ENAS_REQUIRE_THROWS(data::BatchLoader(ds, stats, o), ValueError, Contains("gives no batch of 200"));
    ENAS_REQUIRE_THROWS(data::BatchLoader(ds, stats, plain_options(10, true), 0, 11), ValueError,
                        Contains("step 11") && Contains("11 batches"));
    ENAS_REQUIRE_THROWS(data::BatchLoader(ds, test::unit_stats(3), plain_options(10, true)), ValueError,
                        Contains("stats for 3 channels"));
    o = plain_options(10, true);
    o.augment = true;
    o.augmentation.crop_height = 100;
    ENAS_REQUIRE_THROWS(data::BatchLoader(ds, stats, o), ValueError, Contains("crop 100x6"));

    // A dataset whose pixel buffer does not match its labels fails when a batch is made: on the
    // prefetch thread, and the error surfaces in next(), every time; the destructor still joins.
    ds.pixels.resize(ds.pixels.size() - 1);
    for (bool prefetch : {true, false}) {
        data::BatchLoader broken(ds, stats, plain_options(10, prefetch));
        ENAS_REQUIRE_THROWS(broken.next(), ValueError, Contains("pixel bytes") && Contains("'numbered'"));
        ENAS_REQUIRE_THROWS(broken.next(), ValueError, Contains("pixel bytes"));
    }
}

TEST_CASE("A loader destroyed mid-epoch with a full queue shuts down cleanly", "[data]") {
    const auto ds = test::numbered_dataset(kN, kC, kH, kW);
    for (int i = 0; i < 20; ++i) {
        data::BatchLoader loader(ds, test::unit_stats(kC), plain_options(7, true));
        if (i % 2) loader.next();
    }
    SUCCEED("20 loaders created and destroyed");
}

TEST_CASE("Random validation batches: distinct images, deterministic in (seed, counter)", "[data]") {
    const auto ds = test::numbered_dataset(kN, kC, kH, kW);
    data::RandomBatchSampler sampler(ds, test::unit_stats(kC), 40, 3);
    std::vector<std::vector<std::int64_t>> draws;
    std::vector<int> hits(kN, 0);
    for (int c = 0; c < 200; ++c) {
        REQUIRE(sampler.counter() == static_cast<std::uint64_t>(c));
        const auto b = sampler.next();
        REQUIRE(b.step == c);
        REQUIRE(b.images.shape() == Shape{40, kC, kH, kW});
        const auto idx = batch_indices(b);
        REQUIRE(std::set<std::int64_t>(idx.begin(), idx.end()).size() == 40);  // without replacement
        for (auto i : idx) ++hits[static_cast<std::size_t>(i)];
        draws.push_back(idx);
    }
    REQUIRE(draws[0] != draws[1]);
    // Every image is picked about 200 * 40 / 103 = 78 times.
    for (int h : hits) REQUIRE((h > 40 && h < 120));
    // The same counter gives the same batch, in any order of calls and in a fresh sampler.
    REQUIRE(batch_indices(sampler.sample(5)) == draws[5]);
    data::RandomBatchSampler again(ds, test::unit_stats(kC), 40, 3, 150);
    REQUIRE(batch_indices(again.next()) == draws[150]);
    again.set_counter(7);
    REQUIRE(batch_indices(again.next()) == draws[7]);
    data::RandomBatchSampler other_seed(ds, test::unit_stats(kC), 40, 4);
    REQUIRE(batch_indices(other_seed.next()) != draws[0]);
    // The whole set in one batch is a permutation.
    data::RandomBatchSampler full(ds, test::unit_stats(kC), kN, 1);
    const auto all = batch_indices(full.next());
    REQUIRE(std::set<std::int64_t>(all.begin(), all.end()).size() == static_cast<std::size_t>(kN));
    ENAS_REQUIRE_THROWS(data::RandomBatchSampler(ds, test::unit_stats(kC), kN + 1, 0), ValueError,
                        Contains("batch size 104") && Contains("[1, 103]"));
}

TEST_CASE("Evaluation batches are the dataset in order, last one smaller", "[data]") {
    const auto ds = test::numbered_dataset(kN, kC, kH, kW);
    data::EvalBatches eval(ds, test::unit_stats(kC), 25);
    REQUIRE(eval.size() == 5);
    std::vector<std::int64_t> order;
    for (std::int64_t i = 0; i < eval.size(); ++i) {
        const auto b = eval.batch(i);
        REQUIRE(b.size() == (i == 4 ? 3 : 25));
        const auto idx = batch_indices(b);
        order.insert(order.end(), idx.begin(), idx.end());
    }
    std::vector<std::int64_t> want(kN);
    std::iota(want.begin(), want.end(), std::int64_t{0});
    REQUIRE(order == want);
    ENAS_REQUIRE_THROWS(eval.batch(5), ValueError, Contains("batch 5 outside [0, 5)"));
    REQUIRE(data::EvalBatches(ds, test::unit_stats(kC)).size() == 2);  // default batch 100
}
