// The gather + augment hot loop allocates nothing per image: gather_augmented_batch and
// gather_batch into existing tensors allocate nothing at all, and a BatchLoader's heap traffic
// per batch does not grow with the batch size (this file counts every operator new).
#include "data_test_support.hpp"
#include "enas/data/augment.hpp"
#include "enas/data/batch_loader.hpp"
#include "allocation_counter.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {

// Allocations per batch of a non-prefetching loader in steady state (after the first epoch).
long loader_news_per_batch(const data::ImageDataset& ds, std::int64_t batch) {
    data::LoaderOptions o;
    o.batch_size = batch;
    o.prefetch = false;
    o.augmentation.cutout = 16;
    data::BatchLoader loader(ds, data::channel_stats(ds), o);
    for (std::int64_t s = 0; s < loader.batches_per_epoch(); ++s) loader.next();  // warm-up: one epoch
    return test::count_allocations([&] { data::Batch b = loader.next(); });
}

}  // namespace

TEST_CASE("gather and augment allocate nothing; the loader's allocations do not grow with the batch", "[data]") {
    const auto ds = test::numbered_dataset(512, 3, 32, 32);
    const auto stats = data::channel_stats(ds);
    data::AugmentConfig cfg;
    cfg.cutout = 16;
    std::vector<std::int64_t> idx(128);
    for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = static_cast<std::int64_t>((k * 37) % 512);
    Tensor<float, Cpu> x({128, 3, 32, 32});
    Tensor<std::int32_t, Cpu> y({128});
    const long augmented =
        test::count_allocations([&] { data::gather_augmented_batch(ds, idx, stats, cfg, 1, 2, 3, x, y); });
    const long plain = test::count_allocations([&] { data::gather_batch(ds, idx, stats, x, y); });
    CHECK(augmented == 0);
    CHECK(plain == 0);

    const long small = loader_news_per_batch(ds, 8);
    const long large = loader_news_per_batch(ds, 128);
    std::printf("  loader allocations per batch: %ld (batch 8), %ld (batch 128)\n", small, large);
    CHECK(small == large);
    CHECK(large <= 4);  // the two tensors' storage objects; their blocks come from the loader's cache
}
